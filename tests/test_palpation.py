"""The landmarks an opaque-skin plate names (viewer/domain/palpation.py) and their data file."""

from __future__ import annotations

import pytest

from viewer.domain.marker_depth import SKIN_COVER_OPACITY
from viewer.domain.palpation import (
    PalpableLandmark,
    choose_landmark_labels,
    felt_from_camera,
    mirrored,
    skin_hides_anatomy,
    with_mirrors,
)
from viewer.domain.structures import Side
from viewer.io.annotations import load_bony_landmarks_on_bones
from viewer.io.palpation import load_palpable_landmarks
from viewer.io.resources import builtin_meshes_dir

ASIS = PalpableLandmark("asis_right", "ASIS", "asis_right", Side.RIGHT, ("anterior", "lateral"))
PSIS = PalpableLandmark("psis_right", "PSIS", "psis_right", Side.RIGHT, ("posterior",))
BOTH = with_mirrors([ASIS, PSIS])
PLACED = {lm.landmark: (0.0, 0.0, 0.0) for lm in BOTH}
FRONT, BACK, LEFT = (0.0, -1.0, 0.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0)  # toward the camera


def test_mirroring_swaps_names_and_sides() -> None:
    left = mirrored(ASIS)
    assert (left.id, left.landmark, left.side) == ("asis_left", "asis_left", Side.LEFT)
    assert left.label == "ASIS (left)" and ASIS.label == "ASIS (right)"
    assert [lm.id for lm in BOTH] == ["asis_right", "asis_left", "psis_right", "psis_left"]


def test_a_landmark_is_named_only_from_a_side_it_is_felt_from() -> None:
    assert felt_from_camera(ASIS, FRONT) and not felt_from_camera(ASIS, BACK)
    assert felt_from_camera(ASIS, (-1.0, 0.0, 0.0))  # the right ASIS from the right side
    assert not felt_from_camera(ASIS, LEFT)  # ...not from the left, through the pelvis
    assert felt_from_camera(mirrored(ASIS), LEFT)
    assert felt_from_camera(PSIS, (0.3, 1.0, 0.2)) and not felt_from_camera(PSIS, FRONT)


def test_one_of_each_pair_sides_taking_turns_and_only_placed_ones() -> None:
    front = choose_landmark_labels(BOTH, FRONT, PLACED)
    assert [lm.id for lm in front] == ["asis_right"]
    back = choose_landmark_labels(BOTH, BACK, PLACED)
    assert [lm.id for lm in back] == ["psis_right"]
    crest = PalpableLandmark("crest_right", "Iliac crest", "crest_right", Side.RIGHT, ("anterior",))
    four = with_mirrors([ASIS, crest])
    placed = {lm.landmark: (0.0, 0.0, 0.0) for lm in four}
    assert [lm.id for lm in choose_landmark_labels(four, FRONT, placed)] == [
        "asis_right",
        "crest_left",
    ]
    assert [lm.id for lm in choose_landmark_labels(four, FRONT, placed, cap=1)] == ["asis_right"]
    assert choose_landmark_labels(BOTH, FRONT, {}) == []  # no bony landmark in this atlas


def test_only_a_skin_drawn_as_the_body_hides_the_anatomy() -> None:
    assert skin_hides_anatomy(1.0) and skin_hides_anatomy(SKIN_COVER_OPACITY)
    assert not skin_hides_anatomy(0.25) and not skin_hides_anatomy(0.8)


def test_the_data_file_loads_cited_and_placed_on_this_atlas() -> None:
    found, problems = load_palpable_landmarks()
    assert not problems, problems
    names = {lm.name for lm in found}
    assert {"ASIS", "Iliac crest", "PSIS", "Greater trochanter"} <= names
    points, bones, _ = load_bony_landmarks_on_bones(builtin_meshes_dir())
    for lm in found:
        assert lm.landmark in points, lm
        assert bones[lm.landmark].startswith(("hip_bone", "femur")), lm
        assert lm.sources


@pytest.mark.parametrize(
    ("field", "value"),
    [("felt_from", ["sideways"]), ("side", "up"), ("sources", ["P9"]), ("landmark", "")],
)
def test_a_broken_entry_is_left_out_with_a_problem(tmp_path, field: str, value: object) -> None:
    import json

    entry = {
        "id": "asis_right",
        "name": "ASIS",
        "landmark": "asis_right",
        "side": "right",
        "felt_from": ["anterior"],
        "sources": ["P1"],
    }
    good = dict(entry, id="psis_right", landmark="psis_right", felt_from=["posterior"])
    entry[field] = value
    path = tmp_path / "palpable_landmarks.json"
    path.write_text(json.dumps({"sources": {"P1": "x"}, "landmarks": [entry, good]}))
    found, problems = load_palpable_landmarks(path)
    assert [lm.id for lm in found] == ["psis_right", "psis_left"]
    assert len(problems) == 1 and field in problems[0].place, problems
