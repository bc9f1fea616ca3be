"""Posture kinematics on the real atlas: angles applied, hip centres fixed, lumbar curve shared
by cited proportions, poses as data, and no bone driven into another at any preset."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from viewer.domain.pose import (
    LORDOSIS_SHARES,
    PRESETS,
    HipAngles,
    Pose,
    PoseError,
    Skeleton,
    apply,
    interpolate,
    pose_from_dict,
)

REPO = Path(__file__).resolve().parents[1]
MESHES = REPO / "meshes"


@cache
def landmarks() -> dict[str, list[float]]:
    data = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))
    return {k: v["xyz"] for k, v in data["landmarks"].items()}


@cache
def skeleton() -> Skeleton:
    return Skeleton.from_landmarks(landmarks())


def _angle_about_x(m: np.ndarray) -> float:
    """Signed rotation (deg) of a transform about +x (it must be a pure x rotation)."""
    return math.degrees(math.atan2(m[2, 1], m[1, 1]))


def test_shares_sum_to_one_and_grow_caudally() -> None:
    shares = [s for _, _, s in LORDOSIS_SHARES]
    assert sum(shares) == pytest.approx(1.0)
    assert shares == sorted(shares)  # the lower the segment, the bigger its share
    assert shares[-2] + shares[-1] == pytest.approx(0.66)  # two thirds at L4-S1


@pytest.mark.parametrize("name", list(PRESETS))
def test_hip_centres_stay_put(name: str) -> None:
    sk = skeleton()
    t = sk.transforms(PRESETS[name])
    for side in ("right", "left"):
        c = sk.hip_centres[side][None, :]
        np.testing.assert_allclose(apply(t[f"femur_{side}"], c), c, atol=1e-9)
        np.testing.assert_allclose(apply(t[f"hip_bone_{side}"], c), c, atol=1e-9)


def test_angles_are_applied() -> None:
    sk = skeleton()
    pose = Pose(pelvic_tilt=10.0, lordosis=4.0, hip_right=HipAngles(70.0), hip_left=HipAngles(20.0))
    t = sk.transforms(pose)
    assert _angle_about_x(t["sacrum"]) == pytest.approx(10.0)  # anterior tilt = +x turn
    # Femur in the world = pelvis tilt, then flexion (knee forward = -x turn).
    assert _angle_about_x(t["femur_right"]) == pytest.approx(10.0 - 70.0)
    assert _angle_about_x(t["femur_left"]) == pytest.approx(10.0 - 20.0)
    # The trunk above the lumbar spine turns by tilt minus the added lordosis.
    assert _angle_about_x(t["vertebra_t12"]) == pytest.approx(10.0 - 4.0)
    # Each segment turns by its share.
    l5, l4 = _angle_about_x(t["vertebra_l5"]), _angle_about_x(t["vertebra_l4"])
    assert 10.0 - l5 == pytest.approx(0.40 * 4.0)
    assert l5 - l4 == pytest.approx(0.26 * 4.0)
    assert np.array_equal(t["rib_12_right"], t["vertebra_t12"])


def test_flexion_brings_the_knee_forward_and_abduction_outward() -> None:
    sk = skeleton()
    knee = sk.hip_centres["right"] + np.array([0.0, 0.0, -400.0])
    flexed = apply(sk.transforms(Pose(hip_right=HipAngles(90.0)))["femur_right"], knee[None])[0]
    assert flexed[1] < -390.0 and abs(flexed[2]) < 1.0  # anterior is -y
    abducted = apply(sk.transforms(Pose(hip_right=HipAngles(0, 30.0)))["femur_right"], knee[None])[
        0
    ]
    assert abducted[0] < knee[0] - 150.0  # the right side is -x
    knee_l = sk.hip_centres["left"] + np.array([0.0, 0.0, -400.0])
    ab_l = apply(sk.transforms(Pose(hip_left=HipAngles(0, 30.0)))["femur_left"], knee_l[None])[0]
    assert ab_l[0] > knee_l[0] + 150.0
    front = sk.hip_centres["right"] + np.array([0.0, -30.0, -100.0])
    rotated = apply(
        sk.transforms(Pose(hip_right=HipAngles(0, 0, 30.0)))["femur_right"], front[None]
    )[0]
    assert rotated[0] > front[0]  # internal rotation turns the front of the thigh medially


def test_sitting_thighs_are_horizontal_and_tilted_thighs_vertical() -> None:
    sk = skeleton()
    for name in ("sitting_upright", "sitting_slumped"):
        assert _angle_about_x(sk.transforms(PRESETS[name])["femur_right"]) == pytest.approx(-90.0)
    for name in ("anterior_tilt", "posterior_tilt"):
        assert _angle_about_x(sk.transforms(PRESETS[name])["femur_right"]) == pytest.approx(0.0)
    assert PRESETS["anterior_tilt"].pelvic_tilt > 0 > PRESETS["posterior_tilt"].pelvic_tilt
    assert PRESETS["sitting_slumped"].lordosis < PRESETS["sitting_upright"].lordosis < 0


def test_pose_as_data_round_trip_and_errors() -> None:
    pose = Pose("x", 5.0, 3.0, HipAngles(40.0, 5.0, -10.0), HipAngles(20.0))
    assert pose_from_dict(json.loads(json.dumps(pose.as_dict()))) == pose
    assert pose_from_dict("sitting_upright") == PRESETS["sitting_upright"]
    with pytest.raises(PoseError, match=r"pose\.hip_left\.flexion"):
        pose_from_dict({"hip_left": {"flexion": 400}})
    with pytest.raises(PoseError, match="unknown pose 'lotus'"):
        pose_from_dict("lotus")
    with pytest.raises(PoseError, match="pelvic_tilt"):
        pose_from_dict({"pelvic_tilt": "a lot"})
    assert Pose().is_standing and not PRESETS["anterior_tilt"].is_standing


def test_sliders_clamp_and_lordosis_follows_tilt() -> None:
    pose = PRESETS["standing"].with_pelvic_tilt(12.0)
    assert pose.pelvic_tilt == 12.0 and pose.lordosis == 12.0 and pose.name == "custom"
    assert pose.with_hip_flexion(500.0).hip_right.flexion == 120.0
    half = interpolate(PRESETS["standing"], PRESETS["sitting_upright"], 0.5)
    assert half.hip_left.flexion == pytest.approx(PRESETS["sitting_upright"].hip_left.flexion / 2)
    assert half.knee_right == pytest.approx(PRESETS["sitting_upright"].knee_right / 2)


# -- bone collision --------------------------------------------------------------------------
NEIGHBOURS = (
    ("femur_right", "hip_bone_right"),
    ("femur_left", "hip_bone_left"),
    ("sacrum", "hip_bone_right"),
    ("sacrum", "hip_bone_left"),
    ("vertebra_l5", "sacrum"),
    ("vertebra_l4", "vertebra_l5"),
    ("vertebra_l3", "vertebra_l4"),
    ("vertebra_l2", "vertebra_l3"),
    ("vertebra_l1", "vertebra_l2"),
    ("vertebra_t12", "vertebra_l1"),
    ("femur_right", "sacrum"),
    ("femur_left", "sacrum"),
)


def _depth(points: np.ndarray, mesh: object) -> float:
    """Deepest (positive mm) that any point lies inside a closed mesh."""
    from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
    from vtkmodules.vtkFiltersCore import vtkImplicitPolyDataDistance

    from viewer.render.vtkmesh import to_polydata

    f = vtkImplicitPolyDataDistance()
    f.SetInput(to_polydata(mesh))  # type: ignore[arg-type]
    out = numpy_to_vtk(np.zeros(len(points)))
    f.FunctionValue(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64)), out)
    return float(max(0.0, -vtk_to_numpy(out).min()))


@pytest.mark.parametrize("name", [n for n in PRESETS if n != "standing"])
def test_no_bone_passes_through_another(name: str) -> None:
    from viewer.io.meshes import MeshArrays, read_mesh

    t = skeleton().transforms(PRESETS[name])
    worst = []
    for a, b in NEIGHBOURS:
        ma = read_mesh(MESHES / "bones" / f"{a}.light.vtp")
        mb = read_mesh(MESHES / "bones" / f"{b}.vtp")
        pa = apply(t[a], ma.points)
        posed_b = MeshArrays(apply(t[b], mb.points).astype(np.float32), mb.triangles)
        worst.append((_depth(pa, posed_b), a, b))
    assert max(worst)[0] <= 2.0, max(worst)
