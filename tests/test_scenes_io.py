"""Saved scenes: capture/apply round trips, the file format, migration and atomic saving.

Uses the in-memory synthetic atlas of ``tests/pair_fixtures.py`` (contract ids, no meshes on
disk), so these tests never depend on the built-in atlas build.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests import pair_fixtures
from viewer.domain.camera import CameraPose
from viewer.domain.scenedoc import (
    PairViewRef,
    SceneCamera,
    SceneDocument,
    StructureLook,
    TriggerSettings,
)
from viewer.features import Features
from viewer.io.pairviews import load_pair_views
from viewer.io.scenes import load_scene, parse_scene, save_scene, scene_to_dict
from viewer.state.pain import PainSpots
from viewer.state.pairs import PairViewController
from viewer.state.scene import SceneState
from viewer.state.scene_io import apply_scene, capture_scene, startup_markers
from viewer.state.triggers import CombineMode, TriggerPointState

MUSCLE_OF = {
    "psoas_upper_right": "psoas_major_upper_right",
    "iliopsoas_distal_right": "psoas_major_lower_right",
    "iliacus_right": "iliacus_right",
    "piriformis_lateral_right": "piriformis_right",
    "psoas_upper_left": "psoas_major_upper_left",
    "iliacus_left": "iliacus_left",
    "piriformis_lateral_left": "piriformis_left",
}


@pytest.fixture(scope="module")
def loaded() -> tuple[Any, Any]:
    atlas, lm, _meshes = pair_fixtures.build()
    return atlas, load_pair_views(atlas, lm).library


def make(loaded: tuple[Any, Any]) -> tuple[SceneState, Features, PainSpots]:
    """A fresh scene, features (trigger points + pair views) and painful spots."""
    atlas, library = loaded
    state = SceneState(atlas)
    groups = {g: tuple(atlas.leaves(g)) for g in ("iliopsoas_right", "iliopsoas_left")}
    triggers = TriggerPointState(MUSCLE_OF, groups)
    # as load_features does: only the start-up muscles' markers are shown
    triggers.set_markers_visible(sorted(set(MUSCLE_OF.values()) - startup_markers(triggers)), False)
    return state, Features(triggers=triggers, pairs=PairViewController(state, library)), PainSpots()


def customise(state: SceneState, features: Features, spots: PainSpots) -> None:
    state.set_visible("gluteus_maximus_left", False)
    state.set_opacity("skin", 0.55)
    state.set_color("piriformis_right", "#123456")
    state.select("sacrum")
    state.request_view("posterior")
    assert features.triggers is not None
    features.triggers.set_active(["iliacus_right", "psoas_upper_right"])
    features.triggers.set_markers_visible(["piriformis_right"], False)
    features.triggers.set_heat_visible(False)
    spots.add((10.0, 80.5, 120.25))


def test_capture_stores_only_what_differs_from_the_defaults(loaded: tuple[Any, Any]) -> None:
    state, features, spots = make(loaded)
    assert capture_scene(state, features).structures == ()
    customise(state, features, spots)
    doc = capture_scene(state, features, spots=spots, labels=["sacrum"])
    assert dict(doc.structures) == {
        "gluteus_maximus_left": StructureLook(visible=False),
        "skin": StructureLook(opacity=0.55),
        "piriformis_right": StructureLook(color="#123456"),
    }
    assert doc.camera == SceneCamera(view="posterior")
    assert doc.selection == "sacrum" and doc.labels == ("sacrum",)
    assert doc.triggers.active == ("iliacus_right", "psoas_upper_right")
    assert doc.triggers.heat_visible is False
    assert doc.painful_spots == ((10.0, 80.5, 120.25),)


@pytest.mark.parametrize("with_pair", [False, True])
@pytest.mark.parametrize("with_pose", [False, True])
def test_round_trip_capture_save_load_apply_capture(
    loaded: tuple[Any, Any], tmp_path: Path, with_pair: bool, with_pose: bool
) -> None:
    state, features, spots = make(loaded)
    customise(state, features, spots)
    assert features.pairs is not None and features.triggers is not None
    if with_pair:
        features.pairs.enter("iliopsoas_vs_gluteus_maximus", "left")
        state.set_opacity("sacrum", 0.8)  # a change on top of the pair view's own scene
        features.triggers.show_muscle("iliopsoas_left")
    pose = CameraPose((1.5, -700.25, 100.0), (0.0, 10.0, 90.0), (0.0, 0.0, 1.0))
    doc = capture_scene(
        state, features, pose if with_pose else None, spots=spots, labels=["sacrum"]
    )
    path = tmp_path / "scene.tascene"
    save_scene(path, doc)
    loaded_doc, problems = load_scene(path)
    assert problems == [] and loaded_doc == doc

    state2, features2, spots2 = make(loaded)
    camera, problems = apply_scene(loaded_doc, state2, features2, spots=spots2)
    assert problems == []
    assert camera == (pose if with_pose else (None if with_pair else "posterior"))
    returned_pose = camera if isinstance(camera, CameraPose) else None
    again = capture_scene(state2, features2, returned_pose, spots=spots2, labels=loaded_doc.labels)
    assert again == doc
    assert dict(state2.snapshot().visible) == dict(state.snapshot().visible)
    assert dict(state2.snapshot().opacity) == dict(state.snapshot().opacity)
    assert dict(state2.snapshot().color) == dict(state.snapshot().color)
    if with_pair:
        assert features2.pairs is not None and features2.pairs.active is not None
        assert (features2.pairs.active.id, features2.pairs.active.side) == (
            "iliopsoas_vs_gluteus_maximus",
            "left",
        )
        assert features2.triggers is not None
        assert features2.triggers.mode is CombineMode.MUSCLE


def test_left_versus_right_view_round_trips_with_its_muscle(loaded: tuple[Any, Any]) -> None:
    state, features, _spots = make(loaded)
    assert features.pairs is not None
    features.pairs.enter("bilateral", "left", "gluteus_maximus")
    doc = capture_scene(state, features)
    assert doc.pair_view == PairViewRef("bilateral", "left", "gluteus_maximus")
    assert doc.camera is None  # the pair view's own camera
    data = scene_to_dict(doc)
    again, problems = parse_scene(data, "mem")
    assert problems == [] and again == doc
    state2, features2, _ = make(loaded)
    camera, problems = apply_scene(doc, state2, features2)
    assert problems == [] and camera is None
    assert features2.pairs is not None and features2.pairs.active is not None
    assert features2.pairs.active.pair.muscle == "gluteus_maximus"
    assert capture_scene(state2, features2) == doc


def test_apply_leaves_an_active_pair_view_and_resets_what_the_file_does_not_change(
    loaded: tuple[Any, Any],
) -> None:
    state, features, spots = make(loaded)
    customise(state, features, spots)
    assert features.pairs is not None
    features.pairs.enter("psoas_vs_piriformis")
    camera, problems = apply_scene(
        SceneDocument(camera=SceneCamera(view="anterior")), state, features, spots=spots
    )
    assert problems == [] and camera == "anterior" and state.view == "anterior"
    assert features.pairs.active is None
    assert state.snapshot().visible == SceneState(state.atlas).snapshot().visible
    assert features.triggers is not None and features.triggers.active == ()
    assert spots.spots == ()


def test_unknown_ids_are_reported_and_skipped(loaded: tuple[Any, Any]) -> None:
    state, features, spots = make(loaded)
    doc = SceneDocument(
        camera=SceneCamera(view="sideways"),
        show_only=("sacrum", "no_such_bone"),
        structures=(
            ("no_such_muscle", StructureLook(opacity=0.5)),
            ("sacrum", StructureLook(color="#00ff00")),
        ),
        selection="no_such_thing",
        pair_view=PairViewRef("no_such_pair"),
        triggers=TriggerSettings(
            active=("iliacus_right", "made_up_point"), markers=("iliacus_right", "no_muscle")
        ),
        labels=("sacrum", "ghost"),
    )
    camera, problems = apply_scene(doc, state, features, spots=spots, file="x.tascene")
    places = sorted(p.place for p in problems)
    assert places == sorted(
        [
            "camera/view",
            "show_only/no_such_bone",
            "structures/no_such_muscle",
            "selection",
            "pair_view",
            "trigger_points/active/made_up_point",
            "trigger_points/markers/no_muscle",
            "labels/ghost",
        ]
    )
    assert all(p.file == "x.tascene" for p in problems)
    assert camera is None
    # what was known still applied
    assert state.visible_ids == ("sacrum",) and state.color("sacrum") == "#00ff00"
    assert features.triggers is not None and features.triggers.active == ("iliacus_right",)
    assert features.triggers.visible_markers() == ("iliacus_right",)


def test_file_is_small_readable_json(loaded: tuple[Any, Any], tmp_path: Path) -> None:
    state, features, _spots = make(loaded)
    state.set_opacity("skin", 0.5)
    path = tmp_path / "s.tascene"
    save_scene(path, capture_scene(state, features))
    data = json.loads(path.read_text("utf-8"))
    assert data == {
        "schema_version": 2,
        "kind": "trigger-atlas-scene",
        "body": "neutral",
        "camera": {"view": "opening"},  # the default: the story's opening picture
        "structures": {"skin": {"opacity": 0.5}},
    }
    assert path.read_text("utf-8").count("\n") > 5  # indented for people


# -- loading broken and old files ------------------------------------------------------------
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.tascene"
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    doc, problems = load_scene(write(tmp_path, '{\n  "schema_version": 1,\n  "camera": {,\n}'))
    assert doc is None and len(problems) == 1
    assert problems[0].place == "line 3, column 14"
    assert problems[0].file.endswith("broken.tascene")


def test_schema_errors_name_the_field(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "schema_version": 1,
            "structures": {"skin": {"opacity": 2}},
            "trigger_points": {"mode": "everything"},
        }
    )
    doc, problems = load_scene(write(tmp_path, text))
    assert doc is None
    assert {p.place for p in problems} == {"structures/skin/opacity", "trigger_points/mode"}


def test_bad_camera_and_unreadable_files_are_problems_not_crashes(tmp_path: Path) -> None:
    same = {
        "schema_version": 1,
        "camera": {"position": [1, 2, 3], "focal_point": [1, 2, 3], "view_up": [0, 0, 1]},
    }
    doc, problems = load_scene(write(tmp_path, json.dumps(same)))
    assert doc is None and problems[0].place == "camera"
    doc, problems = load_scene(tmp_path / "missing.tascene")
    assert doc is None and "not found" in problems[0].message
    doc, problems = load_scene(write(tmp_path, json.dumps({"schema_version": 7})))
    assert doc is None and "newer" in problems[0].message
    doc, problems = load_scene(write(tmp_path, "[1, 2]"))
    assert doc is None and problems


def test_version_0_is_migrated_with_an_info_problem(
    loaded: tuple[Any, Any], tmp_path: Path
) -> None:
    old = {"schema_version": 0, "visible": ["sacrum", "psoas_major_right"], "view": "posterior"}
    doc, problems = load_scene(write(tmp_path, json.dumps(old)))
    assert doc is not None
    assert [p.severity for p in problems] == ["info"]
    assert "opacity" in problems[0].message and "version 0" in problems[0].message
    assert doc.show_only == ("sacrum", "psoas_major_right")
    assert doc.camera == SceneCamera(view="posterior")
    state, features, spots = make(loaded)
    camera, apply_problems = apply_scene(doc, state, features, spots=spots)
    assert apply_problems == [] and camera == "posterior"
    assert set(state.visible_ids) == {
        "sacrum",
        "psoas_major_upper_right",
        "psoas_major_lower_right",
    }
    # saving writes the current version
    save_scene(tmp_path / "new.tascene", doc)
    assert json.loads((tmp_path / "new.tascene").read_text("utf-8"))["schema_version"] == 2


def test_broken_version_0_file_is_rejected(tmp_path: Path) -> None:
    doc, problems = load_scene(write(tmp_path, json.dumps({"schema_version": 0, "view": "x"})))
    assert doc is None and problems[0].place == "(top level)" and "visible" in problems[0].message


def test_embedded_scene_reports_its_place() -> None:
    doc, problems = parse_scene({"camera": {"view": 3}}, "l.json", "steps/2/scene", embedded=True)
    assert doc is None and problems[0].place.startswith("steps/2/scene/camera")


# -- atomic saving -----------------------------------------------------------------------------
def saved_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def old_scene(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "lecture.tascene"
    save_scene(path, SceneDocument(camera=SceneCamera(view="anterior"), title="old"))
    return path, path.read_text("utf-8")


def new_doc() -> SceneDocument:
    spots = tuple((float(i), 2.0, 3.0) for i in range(150))  # a bigger file than the old one
    return SceneDocument(camera=SceneCamera(view="posterior"), title="new", painful_spots=spots)


def test_failure_half_way_through_writing_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = old_scene(tmp_path)
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match="No space"):
        save_scene(path, new_doc())
    assert path.read_text("utf-8") == before
    assert saved_files(tmp_path) == ["lecture.tascene"], "temporary file left behind"


def test_full_disk_at_fsync_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = old_scene(tmp_path)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        save_scene(path, new_doc())
    assert path.read_text("utf-8") == before
    assert saved_files(tmp_path) == ["lecture.tascene"]


def test_failure_before_writing_and_at_rename_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = old_scene(tmp_path)
    bad = SceneDocument(painful_spots=((float("nan"), 0.0, 0.0),))
    with pytest.raises(ValueError):
        save_scene(path, bad)
    assert path.read_text("utf-8") == before and saved_files(tmp_path) == ["lecture.tascene"]

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, "read-only")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        save_scene(path, new_doc())
    assert path.read_text("utf-8") == before and saved_files(tmp_path) == ["lecture.tascene"]


def test_successful_save_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    path, _before = old_scene(tmp_path)
    path.chmod(0o640)
    save_scene(path, new_doc())
    doc, problems = load_scene(path)
    assert problems == [] and doc == new_doc()
    assert path.stat().st_mode & 0o777 == 0o640
    assert saved_files(tmp_path) == ["lecture.tascene"]


def test_save_refuses_a_document_the_loader_would_reject(tmp_path: Path) -> None:
    path, before = old_scene(tmp_path)
    with pytest.raises(ValueError, match="structures/skin/opacity"):
        save_scene(path, SceneDocument(structures=(("skin", StructureLook(opacity=1.5)),)))
    assert path.read_text("utf-8") == before and saved_files(tmp_path) == ["lecture.tascene"]
