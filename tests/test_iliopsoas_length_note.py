"""The length key's line on the iliopsoas: its parts' changes and why psoas differs.

A lecturer saw psoas drawn grey in anterior pelvic tilt and bluer in posterior tilt, against the
teaching that a forward tilt goes with short hip flexors. The atlas measures psoas along its
whole course: a tilt bends the hip one way and the lumbar curve the other, and psoas crosses
both, so the two nearly cancel; iliacus crosses only the hip. The line says so in numbers.
"""

from __future__ import annotations

from viewer.domain.balance import iliopsoas_length_note
from viewer.domain.pose import PRESETS, Pose


def _lengths(iliacus: float, upper: float, lower: float) -> dict[str, tuple[float, float]]:
    return {
        "iliacus_right": (100.0 * (1 + iliacus / 100), 100.0),
        "psoas_major_upper_right": (100.0 * (1 + upper / 100), 100.0),
        "psoas_major_lower_right": (100.0 * (1 + lower / 100), 100.0),
    }


def test_a_tilt_names_each_part_and_both_joints_psoas_crosses() -> None:
    forward = iliopsoas_length_note(_lengths(-1.5, -0.1, -0.4), PRESETS["anterior_tilt"])
    assert forward.startswith("Right iliopsoas vs standing: iliacus \u22121.5 %, psoas \u22120.1 %")
    assert "the hip shortens it, the deeper curve lengthens it" in forward
    back = iliopsoas_length_note(_lengths(4.4, -1.3, 1.0), PRESETS["posterior_tilt"])
    assert "iliacus +4.4 %" in back and "+1.0 % (L2\u2013L5)" in back
    assert "the hip lengthens it, the flatter curve shortens it" in back


def test_no_line_where_hip_and_curve_agree_or_only_the_hip_moved() -> None:
    """Sitting, the bent hip and the flatter curve both shorten psoas: its colour says what
    iliacus's says. Moving only the hip, psoas and iliacus change alike too."""
    assert iliopsoas_length_note(_lengths(-19.5, -13.7, -15.9), PRESETS["sitting_upright"]) == ""
    hip_only = Pose("custom").with_hip_flexion(30.0)
    assert iliopsoas_length_note(_lengths(-3.0, -2.0, -2.5), hip_only) == ""


def test_nothing_for_standing_or_a_missing_part() -> None:
    assert iliopsoas_length_note(_lengths(0, 0, 0), PRESETS["standing"]) == ""
    partial = _lengths(-1, -1, -1)
    del partial["iliacus_right"]
    assert iliopsoas_length_note(partial, PRESETS["anterior_tilt"]) == ""
