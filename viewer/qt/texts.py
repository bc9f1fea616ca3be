"""HTML for the info panes: trigger points, referral hits and pair views (plain data in, text out).

Kept apart from the widgets so wording can be tested and reused (patient mode, handouts).
"""

from __future__ import annotations

from html import escape
from typing import Any

from viewer.domain.referral import DISCLAIMER, FLAG_TEXT


def _sources(keys: tuple[str, ...], references: dict[str, Any]) -> str:
    items = []
    for key in keys:
        ref = references.get(key)
        text = getattr(ref, "reference", None) or str(ref or "")
        items.append(f"<li><b>{escape(key)}</b> {escape(text)}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def zone_name(landmark_id: str, referral: Any) -> str:
    """Display name of a skin landmark (its own name if the data gives one)."""
    landmark = referral.skin_landmarks.get(landmark_id)
    name = getattr(getattr(landmark, "definition", None), "name", "")
    return name or landmark_id.replace("_", " ")


def disclaimer_html() -> str:
    """The educational-use note, shown wherever referral patterns are."""
    return f"<p style='color:#7a2b00'><b>{escape(DISCLAIMER)}</b></p>"


def trigger_point_html(tp: Any, referral: Any) -> str:
    """Name, how to find it, where it refers, what keeps it going, confidence, caveats, sources."""
    d = tp.definition
    pattern = referral.patterns.get(d.referral)
    parts = [f"<h3>{escape(d.name)}</h3>"]
    parts.append(f"<p><b>How to find it:</b> {escape(d.how_to_find)}</p>")
    if pattern is not None:
        zones = ", ".join(
            escape(zone_name(z.landmark, referral))
            + ("" if z.zone_class.value == 2 else " (spillover)")
            for z in pattern.zones
        )
        parts.append(f"<p><b>Refers pain to:</b> {escape(pattern.title)}")
        if pattern.description:
            parts.append(f" — {escape(pattern.description)}")
        parts.append(f"<br><small>Zones: {zones}</small></p>")
    if d.perpetuating:
        parts.append(f"<p><b>Often kept going by:</b> {escape('; '.join(d.perpetuating))}</p>")
    if d.differentials:
        parts.append(f"<p><b>Also consider:</b> {escape('; '.join(d.differentials))}</p>")
    parts.append(f"<p><b>Confidence:</b> {escape(d.confidence.label)}</p>")
    flags = tuple(d.flags) + (tuple(pattern.flags) if pattern is not None else ())
    if flags:
        caveats = "".join(f"<li>{escape(FLAG_TEXT.get(f, f))}</li>" for f in dict.fromkeys(flags))
        parts.append(f"<p><b>Caveats:</b></p><ul>{caveats}</ul>")
    parts.append("<p><b>Sources:</b></p>" + _sources(tuple(d.sources), referral.sources))
    parts.append(disclaimer_html())
    return "".join(parts)


def trigger_point_tooltip(tp: Any) -> str:
    """Short hover text for a marker."""
    d = tp.definition
    return (
        f"<b>{escape(d.name)}</b><br>{escape(d.how_to_find)}"
        f"<br><small>Sources: {escape(', '.join(d.sources))} · confidence "
        f"{escape(d.confidence.label)}</small>"
    )


def pair_html(active: Any, library: Any) -> str:
    """A pair view's title, its two sides with colour chips, explanation and sources."""
    pair = active.pair
    parts = [f"<h3>{escape(pair.display_title)}</h3>"]
    for side in (pair.a, pair.b):
        label = escape(getattr(side, "label", "") or ", ".join(side.structures))
        role = escape(getattr(side, "role", "") or "")
        parts.append(
            f"<p><span style='background:{side.color};color:{side.color}'>&#9632;&#9632;</span> "
            f"<b>{label}</b>{' — ' + role if role else ''}</p>"
        )
    if pair.explanation:
        parts.append(f"<p>{escape(pair.explanation)}</p>")
    if pair.disagreement:
        parts.append(f"<p><b>Where sources disagree:</b> {escape(pair.disagreement)}</p>")
    notes = getattr(active.resolved, "notes", ()) if active.resolved is not None else ()
    if notes:
        parts.append("<p><small>" + escape(" ".join(notes)) + "</small></p>")
    parts.append("<p><b>Sources:</b></p>" + _sources(tuple(pair.sources), dict(library.sources)))
    notice = getattr(library, "notice", "")
    if notice:
        parts.append(f"<p><small>{escape(notice)}</small></p>")
    return "".join(parts)
