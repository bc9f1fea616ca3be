"""Slumped sitting rounds the upper back: the skin above T12 flexes about MakeHuman's spine
joints by the thoracolumbar flexion of habitual computer sitting (Claus et al. 2016, 12 degrees
against standing), while upright sitting keeps it as standing; bones and muscles stay as the
lumbar pose puts them and stay inside the skin."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from tests.posture_fixtures import MESHES, loaded, model
from viewer.domain.pose import PRESETS, Pose, Skeleton, apply, pose_caption, pose_from_dict
from viewer.domain.skinning import skin


def _posed_skin(pose: Pose) -> np.ndarray:
    pm = model()
    mesh = loaded().meshes["skin"]
    binding = pm.skin_binding("skin", mesh.points)
    assert binding is not None
    return skin(mesh.points, binding, pm.transforms(pose))


def _t12_centre() -> np.ndarray:
    from viewer.io.annotations import load_bony_landmarks

    landmarks, _ = load_bony_landmarks(MESHES)
    return np.asarray(landmarks["vertebral_body_t12"], dtype=np.float64)


def _upper_trunk() -> np.ndarray:
    """Standing skin vertices of the base of the neck and the tops of the shoulders: between
    the shoulder joints' height and 120 mm above, within 130 mm of the midline."""
    p = loaded().meshes["skin"].points
    z0 = 0.5 * (model().skeleton.limb_joints["shoulder_right"][2]
                + model().skeleton.limb_joints["shoulder_left"][2])  # fmt: skip
    return (p[:, 2] > z0) & (p[:, 2] < z0 + 120.0) & (np.abs(p[:, 0]) < 130.0)


def test_the_build_ships_the_trunk_pivots_on_the_midline() -> None:
    joints = model().skeleton.limb_joints
    lower, upper = joints["thorax_lower"], joints["thorax_upper"]
    assert abs(lower[0]) < 1.0 and abs(upper[0]) < 1.0
    # joint-spine-2 lies below joint-spine-1, both below the shoulders.
    assert lower[2] + 80.0 < upper[2] < joints["shoulder_right"][2]


def test_slumped_sitting_carries_the_neck_and_shoulders_forward() -> None:
    band = _upper_trunk()
    up = _posed_skin(PRESETS["sitting_upright"])[band]
    slump = _posed_skin(PRESETS["sitting_slumped"])[band]
    # Forward is -y. Before the thoracic flexion the lumbar pose alone brought this region
    # 17 mm forward of upright sitting; with 12 degrees about the spine joints it was 65, with
    # the 20 degrees and the flatter lumbar curve of session 16 it is 111.
    forward = float(np.mean(up[:, 1] - slump[:, 1]))
    assert forward > 45.0, forward


def _lean_on_t12(pose: Pose) -> float:
    """Forward angle (degrees) of the line from the T12 body to the base of the neck at the
    back, measured in T12's own frame (so the lumbar and pelvic part of the pose drops out)."""
    p = loaded().meshes["skin"].points
    z_neck = model().skeleton.limb_joints["shoulder_right"][2] + 60.0
    back = (np.abs(p[:, 0]) < 15.0) & (p[:, 1] > 0.0) & (np.abs(p[:, 2] - z_neck) < 8.0)
    assert back.any()
    posed = _posed_skin(pose)[back].mean(axis=0)
    t12 = model().transforms(pose)["vertebra_t12"]
    local = apply(np.linalg.inv(t12), posed[None])[0] - _t12_centre()
    return float(np.degrees(np.arctan2(-local[1], local[2])))


def test_the_upper_back_rounds_by_the_cited_angle_in_slumped_sitting_only() -> None:
    standing = _lean_on_t12(PRESETS["standing"])
    up = _lean_on_t12(PRESETS["sitting_upright"]) - standing
    slump = _lean_on_t12(PRESETS["sitting_slumped"]) - standing
    assert abs(up) < 1.0, up  # 'corrected' sitting: thoracolumbar angle as standing
    # 20 degrees asked (12 until session 16); the blend of the skin weights across the pivots
    # gives a little less.
    assert 16.0 < slump < 21.0, slump


def test_without_trunk_pivots_the_chest_rides_t12() -> None:
    sk = model().skeleton
    bare = Skeleton(sk.hip_centres, sk.disc_centres)
    t = bare.transforms(PRESETS["sitting_slumped"])
    for segment in ("thorax_lower", "thorax_upper", "arm_right", "forearm_left"):
        np.testing.assert_allclose(t[segment], t["vertebra_t12"], atol=1e-9)
    # With the pivots the arms ride the upper chest (the shoulders move with it).
    t = sk.transforms(PRESETS["sitting_slumped"])
    assert not np.allclose(t["thorax_upper"], t["vertebra_t12"])
    still = replace(PRESETS["sitting_slumped"], shoulder_flexion=0.0, shoulder_abduction=0.0)
    np.testing.assert_allclose(sk.transforms(still)["arm_right"], t["thorax_upper"], atol=1e-9)


def test_caption_names_the_rounded_upper_back() -> None:
    assert "upper back rounded 20\u00b0" in pose_caption(PRESETS["sitting_slumped"])
    assert "upper back" not in pose_caption(PRESETS["sitting_upright"])
    assert "upper back arched back 5\u00b0" in pose_caption(Pose(thoracic_flexion=-5.0))


def test_thoracic_flexion_reads_writes_and_is_bounded() -> None:
    from viewer.domain.pose import PoseError, interpolate
    from viewer.domain.scenedoc import SceneDocument
    from viewer.io.scenes import scene_from_dict, scene_to_dict

    bent = Pose(name="custom", thoracic_flexion=12.5, knee_right=30.0)
    doc = scene_from_dict(json.loads(json.dumps(scene_to_dict(SceneDocument(posture=bent)))))
    assert doc.posture == bent
    old = {"name": "custom", "pelvic_tilt": -5, "lordosis": -10,
           "hip_right": {"flexion": 85, "abduction": 0, "rotation": 0},
           "hip_left": {"flexion": 85, "abduction": 0, "rotation": 0}}  # fmt: skip
    pose = pose_from_dict(old)
    assert pose.thoracic_flexion == 0.0 and "thoracic_flexion" not in pose.as_dict()
    with pytest.raises(PoseError, match="thoracic_flexion"):
        pose_from_dict({**old, "thoracic_flexion": 90})
    with pytest.raises(PoseError, match="thoracic_flexion"):
        pose_from_dict({**old, "thoracic_flexion": "a lot"})
    half = interpolate(PRESETS["sitting_upright"], PRESETS["sitting_slumped"], 0.5)
    assert half.thoracic_flexion == pytest.approx(10.0)
