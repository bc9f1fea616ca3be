"""Posture captions: anatomical terms for the lecturer, everyday words in patient mode."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from viewer.domain.pose import PRESETS, HipAngles, pose_angles_text, pose_title
from viewer.domain.posture_words import (
    JARGON,
    curve_text,
    loaded_text,
    plain_note,
    posture_title,
    tilt_text,
)

ONE_SIDED = replace(
    PRESETS["anterior_tilt"],
    name="tight_psoas_right",
    pelvic_tilt=2.0,
    lordosis=2.0,
    hip_right=HipAngles(flexion=17.0),
    hip_left=HipAngles(flexion=2.0),
    knee_right=15.0,
)
POSES = [*PRESETS.values(), ONE_SIDED]


@pytest.mark.parametrize("pose", POSES, ids=[p.name for p in POSES])
def test_patient_captions_use_no_jargon_and_the_lecturer_keeps_the_terms(pose: Any) -> None:
    name, angles = posture_title(pose, plain=True)
    for word in JARGON:
        assert word.lower() not in f"{name} {angles}".lower(), (pose.name, word, angles)
    assert posture_title(pose) == (pose_title(pose), pose_angles_text(pose))


def test_anterior_tilt_in_both_modes() -> None:
    pose = PRESETS["anterior_tilt"]
    name, angles = posture_title(pose)
    assert name == "Anterior pelvic tilt"
    assert "hip flexion 12°" in angles and "pelvic tilt 12° (anterior)" in angles
    assert "lumbar curve 12° deeper" in angles
    name, angles = posture_title(pose, plain=True)
    assert name == "Pelvis tipped forward"
    assert angles.startswith("hips bent 12°")
    assert "pelvis tipped forward 12°" in angles
    assert "lower back arched 12° more than standing" in angles


def test_one_sided_and_sitting_name_each_side_and_where_the_thighs_point() -> None:
    _, angles = posture_title(ONE_SIDED, plain=True)
    assert "right hip bent 17°, left bent 2°" in angles
    assert "knees bent 15° (right), 0° (left)" in angles
    assert posture_title(ONE_SIDED, plain=True)[0] == "Right hip flexor tight"
    _, angles = posture_title(PRESETS["sitting_upright"], plain=True)
    assert "(thighs 90° forward)" in angles and "pelvis tipped back 14°" in angles
    _, angles = posture_title(PRESETS["posterior_tilt"], plain=True)
    assert angles.startswith("hips stretched back 10°")


def test_reference_texts_in_both_modes() -> None:
    g = SimpleNamespace(tilt_deg=24.2, lordosis_deg=62.0)
    standing = SimpleNamespace(tilt_deg=12.0, lordosis_deg=50.0)
    assert tilt_text(g, standing) == "ASIS–PSIS 24° to horizontal (standing 12°)"  # type: ignore[arg-type]
    assert tilt_text(g, standing, plain=True) == "pelvis angle 24° (standing 12°)"  # type: ignore[arg-type]
    assert curve_text(g, standing) == "Lordosis L1–S1 62° (standing 50°)"  # type: ignore[arg-type]
    assert curve_text(g, standing, plain=True) == "lower back curve 62° (standing 50°)"  # type: ignore[arg-type]
    assert "facet" in loaded_text() and "facet" not in loaded_text(plain=True)
    assert plain_note("right iliopsoas −2 % vs standing, left 0 %").startswith("right hip flexor")


def test_a_lesson_pose_named_in_words_titles_its_slide() -> None:
    """Lesson 8 stands the body on the right leg; its slide was titled "Custom posture", which
    told the room nothing. A pose named in words is titled by that name; an unnamed one (or an
    internal id without spaces) still reads "Custom posture"."""
    from viewer.domain.pose import HipAngles, Pose, pose_title

    lifted = Pose("standing on the right leg", hip_left=HipAngles(40.0), knee_left=70.0)
    assert pose_title(lifted) == "Standing on the right leg"
    assert pose_title(Pose("custom", hip_left=HipAngles(40.0))) == "Custom posture"
    assert pose_title(Pose("some_id", hip_left=HipAngles(40.0))) == "Custom posture"
