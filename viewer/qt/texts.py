"""HTML for the info panes: trigger points, referral hits and pair views (plain data in, text out).

Kept apart from the widgets so wording can be tested and reused (patient mode, handouts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


INTERNAL_NOTE = re.compile(r"\b(sources?|split|not verified)\b", re.IGNORECASE)
"""Sentences of a pattern's description written for the therapist about the data ("Sources
give one map for the whole muscle, so upper and lower psoas share it", "Split not verified"):
a patient's handout leaves them out (the therapist's panel keeps them)."""


def patient_description(text: str) -> str:
    """A pattern's description without its notes about the sources (:data:`INTERNAL_NOTE`)."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(t for t in sentences if t and not INTERNAL_NOTE.search(t))


def side_words(side: Any) -> str:
    """``right side`` / ``left side`` for a heading ("" for the midline)."""
    value = getattr(side, "value", str(side or ""))
    return f"{value} side" if value in ("right", "left") else ""


def handout_groups(trigger_points: list[Any], referral: Any, atlas: Any) -> list[dict[str, Any]]:
    """Chosen trigger points grouped so the handout says each thing once: one group per muscle
    and side, as a patient is told about it (:meth:`ReferralModel.patient_entry`: upper and
    lower psoas share one map, so they are one entry, "psoas").

    Each group has its heading (plain name and side: both sides are often chosen), where its
    points send pain (each pattern's description once, without notes about the data), what
    keeps them going (each item once), and the sources of its points and of their patterns.
    Three gluteus maximus points were three identical headings.
    """
    groups: dict[str, dict[str, Any]] = {}
    for tp in trigger_points:
        d = tp.definition
        entry_of = getattr(referral, "patient_entry", None)
        entry = entry_of(d.muscle) if entry_of is not None else d.muscle
        structure = atlas.get(entry) if entry in atlas else None
        who = plain_muscle_name(structure) if structure is not None else entry
        side = side_words(getattr(tp, "side", None) or getattr(d, "side", None))
        pattern = referral.patterns.get(d.referral)
        group = groups.setdefault(
            entry,
            {
                "muscles": [who],
                "heading": f"{who[:1].upper()}{who[1:]}" + (f", {side}" if side else ""),
                "where": [],
                "keeps": [],
                "sources": [],
            },
        )
        if pattern is not None:
            where = patient_description(pattern.description or pattern.title)
            if where and where not in group["where"]:
                group["where"].append(where)
        for item in d.perpetuating:
            if item not in group["keeps"]:
                group["keeps"].append(item)
        pattern_sources = tuple(pattern.sources) if pattern is not None else ()
        for key in (*d.sources, *pattern_sources):
            if key not in group["sources"]:
                group["sources"].append(key)
    return list(groups.values())


def handout_sources(keys: Sequence[str], references: dict[str, Any]) -> str:
    """The references behind the handout, without their citation codes ("S5a: ..." told a
    patient nothing); thin or low-quality sources (grade ``low``) last, marked."""
    strong: list[str] = []
    weak: list[str] = []
    for key in dict.fromkeys(keys):
        ref = references.get(key)
        text = getattr(ref, "reference", "") or key
        (weak if getattr(ref, "grade", "") == "low" else strong).append(text)
    out = "; ".join(strong)
    if weak:
        out += ("; " if out else "") + "weaker sources (thin or low quality): " + "; ".join(weak)
    return out


HANDOUT_MARKER_WORDS: dict[str, str] = {
    "visible": "where the trigger point sits",
    "deep": "trigger point deeper inside",
    "far_side": "on the far side of the body",
    "counted": "two trigger points at one spot (\u00d73: three)",
}
"""The handout key's words for each marker style, in legend order: the screen's own words
(:data:`viewer.render.marker_legend.ROWS`), so "on the far side of the body" (not "the other
side", which a patient reads as left against right)."""


URGENT_SOURCES = ("S49", "S50")
"""The health-service pages the handout's "get help quickly" box is written from."""

URGENT_SIGNS = (
    "numbness, tingling or pins and needles around your genitals, bottom or inner thighs",
    "new trouble peeing, or you cannot control when you pee or poo",
    "pain down both legs, or weakness or numbness in both legs that is bad or getting worse",
    "the pain started after a bad accident or fall",
)
"""Signs that back pain needs a hospital now, in plain words (after S49 and S50: the
emergency signs both pages list; the accident from S49)."""

SOON_SIGNS = (
    "the pain keeps you awake or is worse lying down, you have a fever, or your walking changes"
)
"""When to see a doctor soon rather than wait for the next visit (S49)."""


URGENT_FROM = "after Northern HSC Trust and Norfolk and Waveney NHS pages"
"""Who wrote the pages behind the box, named in it (their full references are in the
handout's sources line)."""


def urgent_box() -> str:
    """The handout's "get help quickly" box: a patient reading a sheet about muscles must not
    take a nerve emergency for a trigger point. Compact (a few lines) so the sheet stays one
    page; the pages it is written from are named in it and listed with the sources."""
    signs = "; ".join(escape(sign) for sign in URGENT_SIGNS)
    return (
        "<table width='100%' cellspacing='0' cellpadding='5' style='border:1px solid #7a2b00'>"
        "<tr><td style='background-color:#fbeee6;font-size:10pt'>"
        "<b style='color:#7a2b00'>Get help quickly.</b> Go to an emergency department straight "
        "away (in the UK: A&amp;E, or call 999) if you have back pain and: "
        f"{signs}. See a doctor soon if {escape(SOON_SIGNS)}. "
        f"<span style='font-size:7.5pt;color:#555'>({escape(URGENT_FROM)}; see sources)</span>"
        "</td></tr></table>"
    )


def handout_html(
    trigger_points: list[Any],
    referral: Any,
    atlas: Any,
    self_care: str,
    images: tuple[str, str] = ("front.png", "back.png"),
    image_width: int = 300,
    swatches: tuple[str, str, str] = ("usual.png", "sometimes.png", "marker.png"),
    marker_styles: Sequence[str] = ("visible",),
) -> str:
    """The patient handout: large front and back pictures, a key, what each group of chosen
    points does (each thing said once), self-care notes, disclaimer, sources.

    Written for a patient to read at home: plain names first, Latin only in brackets, no jargon
    without an explanation. Text is at least 10 pt (the key too); sources 7.5 pt.
    ``image_width`` is in CSS pixels (1/96 inch): 300 prints each figure about 79 mm wide
    (at 320 a sheet with notes and the "get help quickly" box ran onto a second page).
    ``marker_styles`` are the marker styles the figures draw (``visible``, ``deep``,
    ``far_side``, and ``counted`` when an X carries "×2"): the one key of the sheet names
    each, its swatch ``marker-<style>.png`` (the bold X keeps ``swatches[2]``); the figures
    carry no key of their own.
    """
    w = int(image_width)
    marker_swatch = {s: f"marker-{s}.png" for s in HANDOUT_MARKER_WORDS} | {"visible": swatches[2]}
    sides = (
        "Front<br><span style='font-size:9pt;font-weight:normal'>your right side is on the "
        "left of the picture</span>",
        "Back<br><span style='font-size:9pt;font-weight:normal'>your right side is on the "
        "right of the picture</span>",
    )
    cells = [  # two marker meanings a row, under the two colours
        f"<td><img src='{marker_swatch[style]}' width='{34 if style == 'counted' else 20}' "
        f"height='20'></td><td nowrap>{HANDOUT_MARKER_WORDS[style]}&nbsp;&nbsp;&nbsp;</td>"
        for style in HANDOUT_MARKER_WORDS
        if style in marker_styles
    ]
    key = (
        "<table cellspacing='0' cellpadding='3' style='font-size:10pt'><tr>"
        f"<td><img src='{swatches[0]}' width='34' height='20'></td>"
        "<td>usual pain area&nbsp;&nbsp;&nbsp;</td>"
        f"<td><img src='{swatches[1]}' width='34' height='20'></td>"
        "<td>sometimes (striped)&nbsp;&nbsp;&nbsp;</td></tr>"
        + "".join(
            "<tr>" + "".join(cells[k : k + 2]) + "</tr>" for k in range(0, len(cells), 2)
        )
        + "</table>"
    )
    parts = [
        "<h1 style='font-size:18pt;margin-bottom:2px'>Where your pain may be coming from</h1>",
        "<p style='font-size:10pt;margin-top:0'>Muscles can hold small tender spots (trigger "
        "points) that send pain to other places. The pictures show the points we talked about "
        "and where they can send pain.</p>",
        "<table width='100%' cellspacing='0' cellpadding='2'><tr>"
        f"<td align='center'><img src='{images[0]}' width='{w}'><br>"
        f"<span style='font-size:11pt'><b>{sides[0]}</b></span></td>"
        f"<td align='center'><img src='{images[1]}' width='{w}'><br>"
        f"<span style='font-size:11pt'><b>{sides[1]}</b></span></td></tr></table>",
        key,
    ]
    rows = []
    groups = handout_groups(trigger_points, referral, atlas)
    shared: list[str] = []
    if len(groups) > 1:
        # What keeps every chosen point going is said once, after the groups.
        shared = [k for k in groups[0]["keeps"] if all(k in g["keeps"] for g in groups[1:])]
    for group in groups:
        group = {**group, "keeps": [k for k in group["keeps"] if k not in shared]}
        cell = f"<p style='font-size:12pt;margin:0'><b>{escape(group['heading'])}</b></p>"
        if group["where"]:
            where = group["where"]
            text = (
                escape(where[0])
                if len(where) == 1
                else "".join(f"<br>&#8226; {escape(w)}" for w in where)
            )
            cell += (
                "<p style='font-size:10pt;margin:2px 0'><b>Where it can send pain:</b> "
                f"{text}</p>"
            )
        if group["keeps"]:
            cell += (
                "<p style='font-size:10pt;margin:2px 0'><b>Things that can keep it going:</b> "
                f"{escape('; '.join(group['keeps']))}</p>"
            )
        rows.append(cell)
    if shared:
        rows.append(
            "<p style='font-size:10pt;margin:4px 0'><b>Things that can keep all of these going:"
            f"</b> {escape('; '.join(shared))}</p>"
        )
    notes = ""
    if self_care.strip():
        text = escape(self_care.strip()).replace("\n", "<br>")
        notes = (
            "<p style='font-size:12pt;margin:0'><b>Your therapist's notes</b></p>"
            f"<p style='font-size:11pt;margin:2px 0'>{text}</p>"
        )
    body = "".join(rows)
    # The right-hand column holds the therapist's notes (if any) above the "get help quickly"
    # box: beside the muscles' paragraphs it uses space a full-width box would add below them.
    side = (
        f"<div style='background-color:#f1f4f8'>{notes}</div><p style='margin:3px'></p>"
        if notes
        else ""
    ) + urgent_box()
    # The disclaimer closes the left column (the box beside it is usually the taller).
    body += (
        f"<p style='font-size:10pt;color:#7a2b00'><b>{escape(DISCLAIMER)}</b> "
        "This sheet is for education; it is not a diagnosis or a treatment plan.</p>"
    )
    parts.append(
        "<table width='100%' cellspacing='4' cellpadding='3'><tr>"
        f"<td width='58%' valign='top'>{body}</td>"
        f"<td width='42%' valign='top'>{side}</td></tr></table>"
    )
    keys = [k for g in groups for k in g["sources"]] + [k for k in URGENT_SOURCES]
    if keys:
        refs = handout_sources(keys, referral.sources)
        parts.append(f"<p style='font-size:7.5pt;color:#555'>Sources: {escape(refs)}</p>")
    return "".join(parts)
