"""The handout's words as a patient reads them (patient-mode review): one heading per muscle
and side, psoas once, no notes about the data, each pattern's own sources without codes, weak
sources last, the screen's words for the markers and the pictures' orientation."""

from __future__ import annotations

import re
from html import unescape

from tests.trigger_factory import builtin_model_or_skip
from viewer.qt.texts import HANDOUT_MARKER_WORDS, handout_html


def _text(ids: list[str], styles: tuple[str, ...] = ("visible",)) -> str:
    model = builtin_model_or_skip()
    tps = [model.trigger_points[i] for i in ids]
    html = handout_html(tps, model, model.atlas, "", marker_styles=styles)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _of(muscle: str) -> list[str]:
    model = builtin_model_or_skip()
    return sorted(t.id for t in model.trigger_points.values() if t.muscle == muscle)


def test_one_heading_per_muscle_with_its_side() -> None:
    text = _text(_of("gluteus_maximus_right"))
    assert text.count("(gluteus maximus)") == 1, text
    assert "Big buttock muscle (gluteus maximus), right side" in text
    assert text.count("Where it can send pain") == 1
    assert "A crescent along the buttock crease" in text and "The tailbone" in text


def test_upper_and_lower_psoas_are_one_entry_without_internal_notes() -> None:
    text = _text(_of("psoas_major_upper_right") + _of("psoas_major_lower_right"))
    assert text.count("(psoas)") == 1 and "upper psoas" not in text and "lower psoas" not in text
    assert "right side" in text
    assert "Sources give one map" not in text and "share it" not in text
    assert "Mainly a vertical band" in text


def test_sources_are_the_patterns_too_without_codes_weak_ones_last() -> None:
    model = builtin_model_or_skip()
    text = _text(_of("gluteus_maximus_right"))
    sources = text[text.index("Sources:") :]
    assert not re.search(r"\bS\d+[a-z]?:", sources), sources
    # gluteus maximus's patterns cite S36 and S37 (graded low): listed after the others, marked
    for key in ("S1", "S36", "S37"):
        assert model.sources[key].reference[:30] in sources, key
    weak = sources.index("weaker sources")
    assert sources.index(model.sources["S1"].reference[:30]) < weak
    assert sources.index(model.sources["S36"].reference[:30]) > weak


def test_marker_words_match_the_screen_and_the_count_row_and_orientation_are_printed() -> None:
    assert HANDOUT_MARKER_WORDS["far_side"] == "on the far side of the body"
    text = _text(_of("gluteus_maximus_right"), ("visible", "far_side", "counted"))
    assert "on the far side of the body" in text and "other side of the body" not in text
    assert "two trigger points at one spot" in text
    assert "your right side is on the left of the picture" in text
    assert "your right side is on the right of the picture" in text


def test_the_handout_says_when_to_get_help_quickly_and_from_which_pages() -> None:
    model = builtin_model_or_skip()
    text = _text(_of("piriformis_right"))
    assert "Get help quickly" in text and "emergency department" in text
    assert "genitals" in text and "both legs" in text
    for key in ("S49", "S50"):
        assert model.sources[key].reference[:40] in text, key
