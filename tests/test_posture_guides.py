"""Posture references in pure math (tilt line, lordosis, framing, chair) and the lesson camera's
``frame`` option: reading, writing, validation and applying."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.posture_fixtures import MESHES, model
from viewer.domain.camera import CameraPose
from viewer.domain.pose import PRESETS, STANDING, HipAngles, Pose
from viewer.domain.posture_guides import (
    FEMUR_REACH_MM,
    SEAT_SOFT_TISSUE_MM,
    STANDING_LORDOSIS_DEG,
    chair_for,
    frame_points,
    guides_for,
    is_sitting,
    lordosis_label,
    tilt_angle,
    tilt_label,
)
from viewer.domain.scenedoc import SceneCamera, SceneDocument

REPO = Path(__file__).resolve().parents[1]


def _landmarks() -> dict[str, Any]:
    data = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))
    return {k: np.asarray(v["xyz"], dtype=np.float64) for k, v in data["landmarks"].items()}


def _guides(pose: Pose) -> Any:
    return guides_for(_landmarks(), model().transforms(pose), pose)


def test_the_asis_psis_line_turns_with_the_pelvis() -> None:
    standing = _guides(STANDING)
    # Standing adults: ASIS 11-13 degrees below the PSIS (Herrington 2011); the atlas ~12.
    assert 9.0 <= standing.tilt_deg <= 15.0
    for name in ("anterior_tilt", "posterior_tilt", "sitting_upright", "sitting_slumped"):
        pose = PRESETS[name]
        change = _guides(pose).tilt_deg - standing.tilt_deg
        assert change == pytest.approx(pose.pelvic_tilt, abs=0.5), name
    assert tilt_angle(np.array([0.0, -50.0, 0.0]), np.array([0.0, 50.0, 10.0])) > 0  # ASIS low


def test_the_lordosis_follows_the_pose_and_slumping_flattens_it() -> None:
    assert _guides(STANDING).lordosis_deg == STANDING_LORDOSIS_DEG
    upright = _guides(PRESETS["sitting_upright"])
    slumped = _guides(PRESETS["sitting_slumped"])
    tilted = _guides(PRESETS["anterior_tilt"])
    # Lord et al. 1997: L1-S1 49 standing, 34 sitting; the atlas stands at 50.
    assert 32.0 <= upright.lordosis_deg <= 40.0
    # Slumped (O'Sullivan 2006): nearly flat, and flatter and further back than upright.
    assert slumped.lordosis_deg <= 25.0
    assert upright.lordosis_deg - slumped.lordosis_deg >= 10.0
    assert upright.tilt_deg - slumped.tilt_deg >= 8.0
    # Relaxed chair sitting on radiographs: lordosis about halved (-16.6 deg, -50 %) and the
    # pelvis 18 deg further back (Endo et al. 2012, J Orthop Sci 17:682-686, 50 adults; Moon et
    # al. 2018, Clin Orthop Surg 10:322: 37 -> 18 deg, tilt +12.5). A slump goes at least that
    # far; upright sitting stays short of it.
    standing = _guides(STANDING)
    assert slumped.lordosis_deg <= 0.5 * standing.lordosis_deg
    assert standing.tilt_deg - slumped.tilt_deg >= 18.0
    assert upright.lordosis_deg > 0.5 * standing.lordosis_deg
    assert tilted.lordosis_deg > STANDING_LORDOSIS_DEG + 10.0 and tilted.compressed
    assert not slumped.compressed and not _guides(STANDING).compressed


def test_the_standing_lordosis_is_the_one_the_build_measured() -> None:
    contract = (REPO / "docs" / "ATLAS_CONTRACT.md").read_text(encoding="utf-8")
    found = re.search(r"`lumbar_lordosis_l1_s1` \| ([0-9.]+) \|", contract)
    assert found is not None
    assert float(found.group(1)) == pytest.approx(STANDING_LORDOSIS_DEG, abs=0.5)


def test_the_curve_runs_t12_to_s1_and_moves_with_the_vertebrae() -> None:
    standing, tilted = _guides(STANDING), _guides(PRESETS["anterior_tilt"])
    assert standing.curve.shape == (7, 3)
    assert np.all(np.diff(standing.curve[:, 2]) < 0)  # top down
    # Anterior tilt carries the lumbar spine forward (-y) over the hips.
    assert tilted.curve[0, 1] < standing.curve[0, 1] - 10.0
    assert np.allclose(standing.plumb[:, :2], standing.plumb[0, :2])  # vertical


def test_labels_give_the_angle_and_the_standing_one() -> None:
    standing, slumped = _guides(STANDING), _guides(PRESETS["sitting_slumped"])
    assert tilt_label(standing, None) == f"ASIS–PSIS {standing.tilt_deg:.0f}° to horizontal"
    text = tilt_label(slumped, standing)
    assert text.startswith("ASIS–PSIS −12°") and "(standing 12°)" in text
    assert lordosis_label(slumped, standing) == "Lordosis L1–S1 19° (standing 50°)"


def test_missing_landmarks_are_named() -> None:
    landmarks = _landmarks()
    del landmarks["psis_left"]
    with pytest.raises(KeyError, match="psis_left"):
        guides_for(landmarks, {}, STANDING)


def test_frame_points_take_the_pelvis_spine_and_only_the_top_of_the_femurs() -> None:
    centre = np.zeros(3)
    femur = np.array([[0.0, 0.0, -z] for z in range(0, 400, 10)])
    points = frame_points({"sacrum": np.ones((5, 3)), "femur_right": femur}, {"right": centre})
    assert len(points) == 5 + int(FEMUR_REACH_MM // 10) + 1
    assert points[:, 2].min() >= -FEMUR_REACH_MM
    with pytest.raises(ValueError, match="frame"):
        frame_points({}, {"right": centre})


def test_sitting_presets_get_a_seat_under_the_tuberosities() -> None:
    assert is_sitting(PRESETS["sitting_upright"]) and is_sitting(PRESETS["sitting_slumped"])
    assert not any(is_sitting(PRESETS[n]) for n in ("standing", "anterior_tilt", "posterior_tilt"))
    assert not is_sitting(Pose("custom", hip_right=HipAngles(90.0), hip_left=HipAngles(90.0)))
    it = np.array([[-40.0, 30.0, -60.0], [40.0, 30.0, -62.0]])
    bare = chair_for(it, (-150.0, 150.0))
    assert bare.seat_max[2] == pytest.approx(-62.0 - SEAT_SOFT_TISSUE_MM)
    assert bare.seat_min[0] < -150.0 and bare.seat_max[0] > 150.0
    assert bare.seat_min[1] < it[:, 1].min() < bare.seat_max[1]  # under them, front to back
    assert bare.legs == ()
    seated = chair_for(it, (-150.0, 150.0), floor_z=-520.0)
    assert seated.seat_max[2] == bare.seat_max[2]
    assert len(seated.legs) == 4
    assert all(lo[2] == -520.0 and hi[2] == seated.seat_min[2] for lo, hi in seated.legs)


# -- the lesson camera's "frame" -----------------------------------------------------------------
def test_camera_frame_round_trips_and_needs_a_view() -> None:
    from viewer.io.scenes import parse_scene, scene_to_dict

    doc = SceneDocument(camera=SceneCamera(view="right", frame=("sacrum", "vertebra_l4")))
    data = scene_to_dict(doc)
    assert data["camera"] == {"view": "right", "frame": ["sacrum", "vertebra_l4"]}
    again, problems = parse_scene(data, "x.tascene")
    assert problems == [] and again == doc
    with pytest.raises(ValueError, match="needs a view"):
        SceneCamera(pose=CameraPose((1, 0, 0), (0, 0, 0), (0, 0, 1)), frame=("sacrum",))
    bad = dict(data, camera={"view": "right", "frame": []})
    none, problems = parse_scene(bad, "x.tascene")
    assert none is None and problems[0].place.startswith("camera")
    with_pose = dict(
        data,
        camera={
            "position": [1, 0, 0],
            "focal_point": [0, 0, 0],
            "view_up": [0, 0, 1],
            "frame": ["sacrum"],
        },
    )
    none, problems = parse_scene(with_pose, "x.tascene")
    assert none is None and "frame" in problems[0].message
    assert "sacrum" in doc.referenced_structures()


def test_a_bad_frame_in_a_lesson_step_names_the_file_and_step(tmp_path: Path) -> None:
    from viewer.io.lessons import load_lesson

    step = {"title": "a", "caption": "c", "notes": "", "scene": {}}
    bad = {**step, "title": "b", "scene": {"camera": {"view": "right", "frame": "sacrum"}}}
    data = {
        "schema_version": 1,
        "kind": "trigger-atlas-lesson",
        "title": "t",
        "description": "",
        "steps": [step, bad],
    }
    path = tmp_path / "bad.talesson"
    path.write_text(json.dumps(data), encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is not None and [s.title for s in lesson.steps] == ["a"]
    assert any(p.place.startswith("steps/1/scene/camera") for p in problems), problems
    assert all(p.file == str(path) for p in problems)


def test_applying_a_framed_camera_reports_unknown_ids(tmp_path: Path) -> None:
    from viewer.context import load_context
    from viewer.state.scene_io import FramedView, apply_scene

    context = load_context(None)
    doc = SceneDocument(camera=SceneCamera(view="right", frame=("sacrum", "no_such_bone")))
    camera, problems = apply_scene(
        doc, context.state, None, file="l.talesson", place="steps/6/scene"
    )
    assert camera == FramedView("right", ("sacrum",))
    assert [(p.file, p.place) for p in problems] == [
        ("l.talesson", "steps/6/scene/camera/frame/no_such_bone")
    ]
    assert "no such structure" in problems[0].message
    nothing = SceneDocument(camera=SceneCamera(view="right", frame=("ghost_bone",)))
    camera, problems = apply_scene(nothing, context.state, None, file="l.talesson")
    assert camera == "right"
    assert [p.place for p in problems] == ["camera/frame/ghost_bone", "camera/frame"]


def test_the_builtin_anterior_tilt_step_frames_the_pelvis_and_lumbar_spine() -> None:
    from viewer.io.lessons import load_lesson

    lesson, _problems = load_lesson(REPO / "annotations" / "lessons" / "iliopsoas_back_pain.json")
    assert lesson is not None
    step = next(s for s in lesson.steps if s.title == "Anterior pelvic tilt")
    assert step.scene.camera is not None and step.scene.camera.view == "right"
    assert {"sacrum", "vertebra_l4", "vertebra_l5", "hip_bone_right"} <= set(
        step.scene.camera.frame
    )
    assert not any(b.startswith("femur") for b in step.scene.camera.frame)


def test_an_atlas_without_the_landmarks_draws_no_references(tmp_path: Path) -> None:
    from viewer.context import load_context
    from viewer.render.offscreen import offscreen_scene

    context = load_context(None)
    context.state.set_pose(PRESETS["anterior_tilt"])
    with offscreen_scene(context.loaded, context.state, (160, 100)) as off:
        assert off.guides.guides is not None  # the built-in atlas has them
        off.guides._landmarks = None
        # Point the overlay at a folder whose landmarks lack the ASIS.
        data = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))
        del data["landmarks"]["asis_right"]
        (tmp_path / "landmarks.json").write_text(json.dumps(data), encoding="utf-8")
        off.guides.loaded = type("L", (), {"folder": tmp_path})()  # type: ignore[assignment]
        off.guides.set_enabled(True)
        assert off.guides.guides is None and off.guides.visible_parts() == set()
