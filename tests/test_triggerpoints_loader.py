"""Annotation files: schemas, per-entry problems (file, entry, field), cross references, mirrors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.trigger_factory import annotation_data, write_annotations, write_body_atlas
from viewer.domain.landmarks import BetweenAnchor, ExtremeAnchor, LandmarkAnchor
from viewer.domain.referral import Confidence, ZoneClass
from viewer.domain.structures import Side
from viewer.io.annotations import load_annotations, load_bony_landmarks
from viewer.io.atlas_loader import load_atlas


@pytest.fixture(scope="module")
def body_atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_body_atlas(tmp_path_factory.mktemp("body"))


def _load(tmp_path: Path, data: dict[str, Any], atlas_dir: Path | None = None) -> Any:
    folder = write_annotations(tmp_path / "ann", data)
    if atlas_dir is None:
        return load_annotations(folder)
    loaded = load_atlas(atlas_dir, with_light=False)
    landmarks, _ = load_bony_landmarks(atlas_dir)
    return load_annotations(folder, loaded.atlas, landmarks)


def test_valid_files_load_and_mirror(tmp_path: Path, body_atlas: Path) -> None:
    result = _load(tmp_path, annotation_data(), body_atlas)
    assert result.problems == []
    assert set(result.trigger_points) == {
        "p_upper_right",
        "q_front_right",
        "p_upper_left",
        "q_front_left",
    }
    left = result.trigger_points["p_upper_left"]
    assert left.muscle == "muscle_p_left"
    assert left.side is Side.LEFT
    assert left.referral == "pattern_p_left"
    assert left.axis[1] == LandmarkAnchor("psis_left")
    # midline landmarks are not mirrored; sided ones are
    assert "tail_spot" in result.skin_landmarks
    assert "tail_spot_left" not in result.skin_landmarks
    assert "back_spot_left" in result.skin_landmarks
    strip = result.skin_landmarks["front_strip_left"]
    between = strip.anchors[1]
    assert isinstance(between, BetweenAnchor)
    assert between.start == LandmarkAnchor("hip_centre_left")
    assert between.offset == (-0.0, 0.0, -60.0)
    q = result.trigger_points["q_front_left"]
    assert q.axis[0] == ExtremeAnchor("muscle_q_left", "superior")
    pattern = result.patterns["pattern_q_left"]
    assert [z.landmark for z in pattern.zones] == ["front_strip_left", "tail_spot"]
    assert pattern.zones[1].zone_class is ZoneClass.SPILLOVER
    assert pattern.flags == ("es_inferred",)
    assert q.confidence is Confidence.LOW
    assert q.flags == ("position_unverified",)


def test_schema_error_names_file_entry_and_field(tmp_path: Path) -> None:
    data = annotation_data()
    data["trigger_points.json"]["trigger_points"][0]["fraction"] = 1.7
    result = _load(tmp_path, data)
    [problem] = result.problems
    assert problem.file.endswith("trigger_points.json")
    assert problem.place == "trigger_points[0] (p_upper_right) fraction"
    assert "1.7" in problem.message and "skipped" in problem.message
    assert result.skipped == ["trigger_points.json: trigger_points[0] (p_upper_right)"]
    # the rest is kept, including the mirror of the valid entry
    assert set(result.trigger_points) == {"q_front_right", "q_front_left"}


def test_bad_anchor_reports_the_branch_the_author_meant(tmp_path: Path) -> None:
    data = annotation_data()
    anchors = data["skin_landmarks.json"]["landmarks"][2]["anchors"]
    anchors[1]["between"][1]["offset_mm"] = [0, 0, 5000]
    data["skin_landmarks.json"]["landmarks"][0]["anchors"] = [{"landmrk": "psis_right"}]
    result = _load(tmp_path, data)
    places = {p.place: p.message for p in result.problems if p.file.endswith("landmarks.json")}
    assert "landmarks[2] (front_strip_right) anchors/1/between/1/offset_mm/2" in places
    assert "5000" in places["landmarks[2] (front_strip_right) anchors/1/between/1/offset_mm/2"]
    assert "allowed forms" in places["landmarks[0] (back_spot_right) anchors/0"]


def test_cross_references_cascade_with_reasons(tmp_path: Path, body_atlas: Path) -> None:
    data = annotation_data()
    data["skin_landmarks.json"]["landmarks"][0]["anchors"] = [{"landmark": "no_such_bone_point"}]
    data["trigger_points.json"]["trigger_points"][1]["muscle"] = "muscle_zz_right"
    data["trigger_points.json"]["trigger_points"][0]["sources"] = ["S1", "S99"]
    data["referral_zones.json"]["patterns"][1]["zones"] = [
        {"landmark": "nowhere_right", "class": "essential"}
    ]
    result = _load(tmp_path, data, body_atlas)
    text = "\n".join(str(p) for p in result.problems)
    assert "landmarks[0] (back_spot_right) anchors[0]: unknown bony landmark" in text
    # the pattern loses the dropped zone but keeps its spillover zone
    assert "zones[0].landmark: unknown or skipped skin landmark 'back_spot_right'" in text
    assert [z.landmark for z in result.patterns["pattern_p_right"].zones] == ["side_spot_right"]
    # a pattern without any usable zone is skipped, and so is its trigger point
    assert "patterns[1] (pattern_q_right) zones: no usable zone left" in text
    assert "trigger_points[1] (q_front_right) muscle: unknown muscle 'muscle_zz_right'" in text
    assert "trigger_points[0] (p_upper_right) sources: unknown source key(s) S99" in text
    assert result.trigger_points == {}
    assert all(p.file and p.place and p.message for p in result.problems)


def test_mirrored_entry_errors_say_so(tmp_path: Path, body_atlas: Path) -> None:
    atlas_lm = json.loads((body_atlas / "landmarks.json").read_text())
    atlas_copy = tmp_path / "atlas"
    import shutil

    shutil.copytree(body_atlas, atlas_copy)
    del atlas_lm["landmarks"]["psis_left"]
    (atlas_copy / "landmarks.json").write_text(json.dumps(atlas_lm))
    result = _load(tmp_path, annotation_data(), atlas_copy)
    places = [p.place for p in result.problems]
    assert "landmarks[0] (back_spot_right) mirrored as back_spot_left anchors[0]" in places
    assert "back_spot_right" in result.skin_landmarks
    assert "back_spot_left" not in result.skin_landmarks


def test_explicit_left_entry_replaces_the_mirror(tmp_path: Path) -> None:
    data = annotation_data()
    left = copy.deepcopy(data["trigger_points.json"]["trigger_points"][0])
    left.update(
        id="p_upper_left",
        muscle="muscle_p_left",
        side="left",
        fraction=0.3,
        referral="pattern_p_left",
    )
    left["axis"] = {"from": {"landmark": "hip_centre_left"}, "to": {"landmark": "psis_left"}}
    data["trigger_points.json"]["trigger_points"].append(left)
    result = _load(tmp_path, data)
    assert result.problems == []
    assert result.trigger_points["p_upper_left"].fraction == 0.3


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    folder = write_annotations(tmp_path / "ann")
    (folder / "referral_zones.json").write_text("{ not json", encoding="utf-8")
    (folder / "sources.json").unlink()
    result = load_annotations(folder)
    by_file = {Path(p.file).name: p for p in result.problems}
    assert "file not found" in by_file["sources.json"].message
    assert by_file["referral_zones.json"].place.startswith("line 1, column")
    # without sources and patterns nothing that needs them survives, each reported
    assert result.trigger_points == {}
    assert len(result.skin_landmarks) == 7


def test_wrong_schema_version_is_fatal_for_that_file(tmp_path: Path) -> None:
    data = annotation_data()
    data["skin_landmarks.json"]["schema_version"] = 2
    result = _load(tmp_path, data)
    [first, *_] = result.problems
    assert first.file.endswith("skin_landmarks.json")
    assert first.place == "schema_version"
    assert result.skin_landmarks == {}


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    data = annotation_data()
    data["sources.json"]["sources"].append(dict(data["sources.json"]["sources"][0]))
    result = _load(tmp_path, data)
    [problem] = result.problems
    assert problem.place == "sources[2] (S1) id"
    assert "duplicate" in problem.message


def test_bony_landmarks_reader_reports_bad_entries(tmp_path: Path) -> None:
    (tmp_path / "landmarks.json").write_text(
        json.dumps(
            {
                "schema_version": 1,
                "frame": "LPS",
                "units": "mm",
                "landmarks": {"good": {"xyz": [1, 2, 3]}, "bad": {"xyz": [1, "x"]}},
            }
        )
    )
    landmarks, problems = load_bony_landmarks(tmp_path)
    assert list(landmarks) == ["good"]
    assert [p.place for p in problems] == ["landmarks/bad/xyz"]
