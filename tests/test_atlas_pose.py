"""The committed atlas stands in anatomical position (issue 11).

Hip flexion and rotation of each femur relative to the pelvis (anterior-pelvic-plane frame,
knee flexion axis through the posterior condyles' centres; definitions in
tools/atlas_build/pose.py) are measured on the shipped
meshes and landmarks, and the standing spinopelvic values written to docs/ATLAS_CONTRACT.md are
checked against the published adult ranges.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import trimesh

from tools.atlas_build.pose import PUBLISHED_RANGES, femur_axes, hip_angles, pelvis_frame

REPO = Path(__file__).resolve().parents[1]
MESHES = REPO / "meshes"
CONTRACT = REPO / "docs" / "ATLAS_CONTRACT.md"


def _landmarks() -> dict[str, np.ndarray]:
    data = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))
    return {k: np.asarray(v["xyz"], dtype=np.float64) for k, v in data["landmarks"].items()}


def _bone(bone_id: str) -> trimesh.Trimesh:
    import pyvista as pv

    poly = pv.read(MESHES / "bones" / f"{bone_id}.vtp")
    faces = np.asarray(poly.faces).reshape(-1, 4)[:, 1:]
    return trimesh.Trimesh(np.asarray(poly.points, dtype=np.float64), faces, process=False)


@pytest.mark.parametrize("side", ["left", "right"])
def test_hips_in_anatomical_position(side: str) -> None:
    lm = _landmarks()
    ang = hip_angles(_bone(f"femur_{side}"), lm[f"hip_centre_{side}"], pelvis_frame(lm), side)
    assert abs(ang.flexion) <= 3.0, f"{side} hip flexion {ang.flexion:.1f} deg"
    assert abs(ang.external_rotation) <= 5.0, f"{side} hip rotation {ang.external_rotation:.1f}"
    assert abs(ang.adduction) <= 10.0, f"{side} hip adduction {ang.adduction:.1f} deg"


def test_hip_angle_measure_sees_a_flexed_femur() -> None:
    """The measure is not blind: a femur flexed by 10 deg about the hip reads about 10 deg."""
    from tools.atlas_build.meshutil import rotation_about

    lm = _landmarks()
    frame = pelvis_frame(lm)
    femur = _bone("femur_left")
    hip = lm["hip_centre_left"]
    base = hip_angles(femur, hip, frame, "left")
    rot = rotation_about(frame.x, -np.radians(10.0))  # knee forwards
    flexed = trimesh.Trimesh((femur.vertices - hip) @ rot.T + hip, femur.faces, process=False)
    assert hip_angles(flexed, hip, frame, "left").flexion == pytest.approx(
        base.flexion + 10.0, abs=1.0
    )


def test_hip_rotation_measure_turns_with_the_bone() -> None:
    """The rotation is read from an axis fixed in the bone: turning the femur about its
    mechanical axis by -10..+10 deg changes the reading by as much. (The epicondyles' extreme
    points, used before, slid over the GIAS3 femur's flat medial face: the reading jumped by up
    to 15 deg for a 5 deg turn, and the femur was left ~10 deg externally rotated.)"""
    from tools.atlas_build.meshutil import rotation_about
    from tools.atlas_build.pose import femur_axes

    lm = _landmarks()
    frame = pelvis_frame(lm)
    femur = _bone("femur_left")
    hip = lm["hip_centre_left"]
    _, axis, _ = femur_axes(femur, hip, frame, "left")
    base = hip_angles(femur, hip, frame, "left").external_rotation
    for deg in (-10.0, -5.0, 5.0, 10.0):
        rot = rotation_about(axis, np.radians(deg))  # left femur: + turns its lateral side back
        turned = trimesh.Trimesh((femur.vertices - hip) @ rot.T + hip, femur.faces, process=False)
        reading = hip_angles(turned, hip, frame, "left").external_rotation
        assert reading - base == pytest.approx(deg, abs=1.5), deg


def test_spinopelvic_values_documented_and_in_published_ranges() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    for key, (lo, hi) in PUBLISHED_RANGES.items():
        m = re.search(rf"`{key}`\s*\|\s*([-\d.]+)", text)
        assert m, f"{key} missing from the spinopelvic table in ATLAS_CONTRACT.md"
        assert lo <= float(m.group(1)) <= hi, f"{key} {m.group(1)} outside {lo}-{hi}"


@pytest.mark.parametrize("side", ["left", "right"])
def test_standing_knee_just_behind_the_hip(side: str) -> None:
    """The femurs lean a few degrees in side view, and that is standing anatomy (issue 11
    review, "femurs lean ~6 deg"): with the hip at 0 deg to the anterior pelvic plane and the
    pelvis tilted as myo-sim stands it, the knee centre lies 29 mm behind the hip centre.
    Relaxed standing puts the knee behind the hip (gravity line just behind the hip axis and in
    front of the knee); Woodhull et al. 1985 measured the hip 6.2 +/- 1.3 cm and the knee 3.8
    +/- 2.0 cm in front of the ankle in 15 adults, about 2.4 cm apart. Accepted: 0-50 mm
    behind, i.e. the mechanical axis within about 7 deg of vertical with the knee not forward."""
    lm = _landmarks()
    hip = lm[f"hip_centre_{side}"]
    knee, axis, _ = femur_axes(_bone(f"femur_{side}"), hip, pelvis_frame(lm), side)
    behind = float(knee[1] - hip[1])  # LPS: +y is posterior
    assert 0.0 <= behind <= 50.0, f"{side} knee centre {behind:.0f} mm behind the hip centre"
    lean = float(np.degrees(np.arctan2(-axis[1], axis[2])))
    assert abs(lean) <= 7.0, f"{side} mechanical axis {lean:.1f} deg from vertical"
