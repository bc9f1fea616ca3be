"""Sitting on a chair: knees bent with the lower legs down, hands resting on (not in) the
thighs; standing and poses from before knee angles existed stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree

from tests.posture_fixtures import MESHES, loaded, model
from viewer.domain.pose import LIMB_CARRIERS, PRESETS, Pose, Skeleton, apply, pose_from_dict
from viewer.domain.posture import PostureModel


def test_the_build_ships_limb_joints_near_the_femur_end() -> None:
    joints = model().skeleton.limb_joints
    for side in ("right", "left"):
        for j in ("knee", "ankle", "shoulder", "elbow", "wrist"):
            assert f"{j}_{side}" in joints
        femur = loaded().meshes[f"femur_{side}"].points
        distal = femur[femur[:, 2] < femur[:, 2].min() + 30].mean(axis=0)
        # The knee's flexion axis lies between the condyles, just above the femur's lowest point.
        assert np.linalg.norm(joints[f"knee_{side}"] - distal) < 25.0


@pytest.mark.parametrize("name", ["sitting_upright", "sitting_slumped"])
def test_sitting_bends_the_knees_and_the_lower_legs_hang_down(name: str) -> None:
    sk = model().skeleton
    t = sk.transforms(PRESETS[name])
    for side in ("right", "left"):
        knee = apply(t[f"shank_{side}"], sk.limb_joints[f"knee_{side}"][None])[0]
        ankle = apply(t[f"shank_{side}"], sk.limb_joints[f"ankle_{side}"][None])[0]
        hip = sk.hip_centres[side]
        shank = ankle - knee
        tilt = np.degrees(np.arctan2(abs(shank[1]), -shank[2]))
        assert tilt < 12.0, (side, tilt)  # about vertical, foot below the knee
        thigh = knee - hip
        assert abs(thigh[2]) < 0.2 * abs(thigh[1]) and thigh[1] < 0  # thigh forward, level
        cos = np.dot(thigh, shank) / np.linalg.norm(thigh) / np.linalg.norm(shank)
        assert 75.0 < np.degrees(np.arccos(cos)) < 105.0  # a knee angle near 90 degrees


def test_standing_and_old_poses_leave_the_limbs_on_their_carriers() -> None:
    sk = model().skeleton
    for pose in (
        PRESETS["standing"],
        PRESETS["anterior_tilt"],
        pose_from_dict({"hip_right": {"flexion": 80}}),
    ):
        t = sk.transforms(pose)
        for segment, carrier in LIMB_CARRIERS:
            np.testing.assert_allclose(t[segment], t[carrier], atol=1e-9)
    old = {"name": "custom", "pelvic_tilt": -5, "lordosis": -10,
           "hip_right": {"flexion": 85, "abduction": 0, "rotation": 0},
           "hip_left": {"flexion": 85, "abduction": 0, "rotation": 0}}  # fmt: skip
    pose = pose_from_dict(old)
    assert pose.knee_right == pose.knee_left == 0.0 and pose.elbow_flexion == 0.0
    assert set(pose.as_dict()) == set(old)  # written back as it was read
    bent = Pose(knee_right=80.0, shoulder_abduction=-30.0)
    assert pose_from_dict(json.loads(json.dumps(bent.as_dict()))) == bent


def test_without_limb_joints_the_limbs_ride_on_their_carriers() -> None:
    sk = model().skeleton
    bare = Skeleton(sk.hip_centres, sk.disc_centres)
    t = bare.transforms(PRESETS["sitting_upright"])
    np.testing.assert_allclose(t["shank_right"], t["femur_right"])
    np.testing.assert_allclose(t["forearm_left"], t["vertebra_t12"])


@pytest.mark.parametrize("body", ["neutral", "female", "male"])
@pytest.mark.parametrize("name", ["sitting_upright", "sitting_slumped"])
def test_the_hands_rest_on_the_thighs_not_inside_them(name: str, body: str) -> None:
    """Each body's arms turn about its own joints (tests/test_skin_joints.py)."""
    pm = model()
    pm.use_body(body)
    try:
        _hands_rest_on_the_thighs(pm, name, body)
    finally:
        pm.use_body("neutral")


def _hands_rest_on_the_thighs(pm: PostureModel, name: str, body_name: str) -> None:
    from viewer.domain.skinning import skin, skin_normals
    from viewer.io.atlas_loader import load_atlas

    mesh = load_atlas(MESHES, with_light=False, body=body_name).meshes["skin"]
    binding = pm.skin_binding("skin", mesh.points)
    assert binding is not None and mesh.normals is not None
    w = {b: binding.weights[:, i] for i, b in enumerate(binding.bones)}
    t = pm.transforms(PRESETS[name])
    posed = skin(mesh.points, binding, t)
    normals = skin_normals(mesh.normals, binding, t)
    trunk = w["hip_bone_right"] + w["vertebra_l1"] + w["vertebra_l3"] + w["vertebra_t12"]
    for segment in ("thorax_lower", "thorax_upper"):  # the chest above T12, when the atlas has it
        trunk = trunk + w.get(segment, 0.0)
    for side in ("right", "left"):
        hand = w[f"forearm_{side}"] > 0.5
        body = ((trunk + w[f"femur_{side}"]) > 0.5) & (w[f"arm_{side}"] < 0.1)
        d, i = cKDTree(posed[body]).query(posed[hand])
        signed = np.einsum("ij,ij->i", posed[hand] - posed[body][i], normals[body][i])
        assert signed.min() > -2.0, (side, signed.min())  # nothing sunk into thigh or trunk
        assert np.median(d) < 100.0  # ...but close, not held out in the air as in the A-pose
        wrist = apply(t[f"forearm_{side}"], pm.skeleton.limb_joints[f"wrist_{side}"][None])[0]
        assert wrist[1] < -100.0  # forward of the hips, over the thigh


def test_pose_captions_name_the_pose_and_its_key_angles() -> None:
    from viewer.domain.pose import pose_caption

    up, slump = PRESETS["sitting_upright"], PRESETS["sitting_slumped"]
    assert pose_caption(up).startswith(
        "Sitting upright \u2014 hip flexion 76\u00b0 (thighs 90\u00b0 from vertical)"
    ), "hip flexion on the tilted pelvis, and where that puts the thighs"
    assert "pelvic tilt \u221214\u00b0 (posterior)" in pose_caption(up)
    assert "knees 85\u00b0" in pose_caption(slump)
    assert pose_caption(up.with_pelvic_tilt(3)).startswith("Custom posture")
    standing = "Standing \u2014 the reference: other poses' angles are changes from this one"
    assert pose_caption(PRESETS["standing"]) == standing
    # Slumped sitting is clearly further back and flatter than upright sitting.
    assert slump.pelvic_tilt <= up.pelvic_tilt - 10 and slump.lordosis <= up.lordosis - 15


def test_render_pose_titles_the_picture_top_right(tmp_path: Path) -> None:
    from PIL import Image

    from viewer.cli import main

    shots = {}
    for name, extra in (("titled", ["--pose", "standing"]), ("plain", [])):
        out = tmp_path / f"{name}.png"
        args = ["render", "-o", str(out), "--size", "480x300", "--no-markers", "--view", "right"]
        assert main(args + extra) == 0
        shots[name] = np.asarray(Image.open(out).convert("L"), dtype=np.int16)
    corner = (slice(0, 40), slice(300, 480))
    diff = np.abs(shots["titled"][corner] - shots["plain"][corner])
    assert (diff > 60).sum() > 100  # dark title text drawn top right
    # (the rest differs: a --pose side view is framed on the pelvis and lumbar spine and draws
    # the posture references; tests/test_posture_guides_render.py checks those pixels)


def test_surface_binding_carries_points_to_a_deformed_mesh() -> None:
    from viewer.domain.surface_points import bind_points, carry

    mesh = loaded().meshes["skin"]
    v, tri = mesh.points.astype(np.float64), mesh.triangles
    rng = np.random.default_rng(1)
    picked = rng.integers(0, len(tri), 12)
    w = rng.dirichlet([1.0, 1.0, 1.0], 12)
    on = np.einsum("nk,nkd->nd", w, v[tri[picked]])
    b = bind_points(on + 0.3, v, tri)  # a little off the surface, as a pick may be
    assert np.linalg.norm(b.evaluate(v, tri) - on, axis=1).max() < 1.0
    bent = v * np.array([1.0, 1.5, 0.8]) + 40.0  # any other shape with the same triangles
    expected = np.einsum("nk,nkd->nd", w, bent[tri[picked]])
    assert np.linalg.norm(carry(on, v, bent, tri) - expected, axis=1).max() < 1e-6


def test_a_hip_bent_backwards_is_named_extension_not_negative_flexion() -> None:
    """A lecturer read "hip flexion \u221210\u00b0" on the posterior-tilt slide and asked for
    "hip extension 10\u00b0": a negative flexion is an extension, and the caption says so."""
    from dataclasses import replace

    from viewer.domain.pose import HipAngles, pose_angles_text

    back = replace(
        PRESETS["standing"],
        name="custom",
        hip_right=HipAngles(flexion=-10.0),
        hip_left=HipAngles(flexion=-10.0),
    )
    text = pose_angles_text(back)
    assert text.startswith("hip extension 10\u00b0"), text
    assert "flexion \u2212" not in text
    one_back = replace(back, hip_left=HipAngles(flexion=12.0))
    text = pose_angles_text(one_back)
    assert text.startswith("hips right extension 10\u00b0, left flexion 12\u00b0"), text
