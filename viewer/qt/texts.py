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


def plain_muscle_name(structure: Any) -> str:
    """ "hip flexor (iliopsoas)"-style name for patients, falling back to the English name."""
    return getattr(structure, "plain_name", "") or getattr(structure, "name", str(structure))


def handout_html(
    trigger_points: list[Any],
    referral: Any,
    atlas: Any,
    self_care: str,
    images: tuple[str, str] = ("front.png", "back.png"),
) -> str:
    """The patient handout: pictures, what each chosen point does, self-care notes, disclaimer.

    Written for a patient to read at home: plain names first, Latin only in brackets, no jargon
    without an explanation.
    """
    parts = [
        "<h1 style='font-size:20pt'>Where your pain may be coming from</h1>",
        "<p style='font-size:11pt'>Muscles can hold small tender spots (trigger points) that send "
        "pain to other places. The shaded areas show where the points we talked about can "
        "refer pain: <b>dark red</b> where it is usual, <b>striped</b> where it happens "
        "sometimes. The X marks show where the points sit.</p>",
        f"<table width='100%'><tr><td align='center'><img src='{images[0]}' width='380'><br>"
        "Front</td>"
        f"<td align='center'><img src='{images[1]}' width='380'><br>Back</td></tr></table>",
    ]
    for tp in trigger_points:
        d = tp.definition
        muscle = atlas.get(d.muscle) if d.muscle in atlas else None
        who = plain_muscle_name(muscle) if muscle is not None else d.muscle
        pattern = referral.patterns.get(d.referral)
        parts.append(f"<h3 style='font-size:13pt'>{escape(who)}</h3>")
        if pattern is not None:
            where = pattern.description or pattern.title
            parts.append(f"<p><b>Where it can send pain:</b> {escape(where)}</p>")
        if d.perpetuating:
            parts.append(
                f"<p><b>Things that can keep it going:</b> {escape('; '.join(d.perpetuating))}</p>"
            )
    if self_care.strip():
        notes = escape(self_care.strip()).replace("\n", "<br>")
        parts.append(f"<h3 style='font-size:13pt'>Your self-care notes</h3><p>{notes}</p>")
    parts.append(
        f"<p style='font-size:11pt;color:#7a2b00'><b>{escape(DISCLAIMER)}</b> "
        "This sheet is for education; it is not a diagnosis or a treatment plan.</p>"
    )
    keys = sorted({k for tp in trigger_points for k in tp.definition.sources})
    if keys:
        refs = "; ".join(f"{k}: {getattr(referral.sources.get(k), 'reference', '')}" for k in keys)
        parts.append(f"<p style='font-size:7pt;color:#555'>Sources: {escape(refs)}</p>")
    return "".join(parts)
