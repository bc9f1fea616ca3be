"""Build stage: reference muscle-tendon lengths from myo-sim at hip flexion 0, 30, 60, 90 degrees.

The app measures each muscle's length along its path in any pose (``viewer.domain.posture``).
To check that model against a published one, this stage flexes the right hip of myo-sim's
composed ``myofullbody`` MuJoCo model (Apache-2.0) and writes the lengths of the tendons that
match the atlas's muscles to ``meshes/posture_reference.json``. A test compares the two.

The angles are anatomical hip angles, the same as the atlas's: myo-sim's joint zero is not the
atlas's standing hip. Its femur, at ``qpos0``, stands in about 5 degrees of flexion against the
atlas pelvis's anterior pelvic plane (and, by its condylar axis, in no rotation; the
registration of the atlas femur onto it measured about the same; see
``tools.atlas_build.pose``). So the stage measures myo-sim's femur with the atlas's own
hip-angle definition (:func:`tools.atlas_build.pose.hip_angles`) and offsets ``hip_flexion_r``
and ``hip_rotation_r`` until it stands as the atlas femur does; the flexion angles are then
added to that zero.

The psoas parts are the lumbar fascicles (which end at the pelvic brim and do not cross the hip)
plus the brim-to-lesser-trochanter ``psoas`` tendon of the leg model. Run alone with
``python -m tools.atlas_build.posture [--out meshes]``; ``tools.build_atlas`` runs it too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import trimesh

from tools.atlas_build.writer import write_json

ANGLES_DEG: tuple[int, ...] = (0, 30, 60, 90)
JOINT = "hip_flexion_r"
ROTATION_JOINT = "hip_rotation_r"
FEMUR_MESH = "r_femur"

#: atlas muscle id -> (tendons summed in series, groups averaged in parallel)
#: each inner tuple is one fibre line; its tendons are added, the lines averaged.
MUSCLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "psoas_major_upper_right": (
        ("Ps_L1_VB_r", "psoas_r"),
        ("Ps_L1_TP_r", "psoas_r"),
        ("Ps_L1_L2_IVD_r", "psoas_r"),
        ("Ps_L2_TP_r", "psoas_r"),
    ),
    "psoas_major_lower_right": (
        ("Ps_L2_L3_IVD_r", "psoas_r"),
        ("Ps_L3_TP_r", "psoas_r"),
        ("Ps_L3_L4_IVD_r", "psoas_r"),
        ("Ps_L4_TP_r", "psoas_r"),
        ("Ps_L4_L5_IVD_r", "psoas_r"),
        ("Ps_L5_TP_r", "psoas_r"),
        ("Ps_L5_VB_r", "psoas_r"),
    ),
    "iliacus_right": (("iliacus_r",),),
    "gluteus_maximus_right": (("glmax1_r",), ("glmax2_r",), ("glmax3_r",)),
    "gluteus_medius_right": (("glmed1_r",), ("glmed2_r",), ("glmed3_r",)),
    "piriformis_right": (("piri_r",),),
}


def _femur_in_atlas(model: Any, data: Any, origin_m: np.ndarray) -> trimesh.Trimesh:
    """myo-sim's right femur mesh as posed in ``data``, in atlas millimetres."""
    import mujoco

    from tools.atlas_build.frame import myosim_to_atlas
    from tools.atlas_build.myosim import _mesh_base_name

    for g in range(model.ngeom):
        if model.geom_type[g] != mujoco.mjtGeom.mjGEOM_MESH:
            continue
        mid = int(model.geom_dataid[g])
        name = mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_MESH, mid) or ""
        if _mesh_base_name(name) != FEMUR_MESH:
            continue
        va, vn = int(model.mesh_vertadr[mid]), int(model.mesh_vertnum[mid])
        fa, fn = int(model.mesh_faceadr[mid]), int(model.mesh_facenum[mid])
        local = np.asarray(model.mesh_vert[va : va + vn], dtype=np.float64)
        rot = np.asarray(data.geom_xmat[g], dtype=np.float64).reshape(3, 3)
        world = local @ rot.T + np.asarray(data.geom_xpos[g], dtype=np.float64)
        faces = np.asarray(model.mesh_face[fa : fa + fn], dtype=np.int64)
        return trimesh.Trimesh(myosim_to_atlas(world, origin_m), faces, process=False)
    raise KeyError(f"myo-sim has no {FEMUR_MESH} mesh")


def hip_zero(model: Any, atlas: Path) -> tuple[float, float]:
    """``hip_flexion_r`` and ``hip_rotation_r`` (degrees) at which myo-sim's right femur stands
    as the atlas's does (flexion and external rotation by the atlas's definition, against the
    atlas pelvis's anterior pelvic plane; ``atlas`` is the folder with its landmarks and bones).
    """
    import mujoco

    from tools.atlas_build.pose import hip_angles, pelvis_frame
    from tools.atlas_build.writer import read_vtp

    raw = json.loads((atlas / "landmarks.json").read_text(encoding="utf-8"))["landmarks"]
    lm = {k: np.asarray(v["xyz"], dtype=np.float64) for k, v in raw.items()}
    frame = pelvis_frame(lm)
    target = hip_angles(
        read_vtp(atlas / "bones" / "femur_right.vtp"), lm["hip_centre_right"], frame, "right"
    )
    data = mujoco.MjData(model)
    flex = int(model.jnt_qposadr[mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, JOINT)])
    rot = int(
        model.jnt_qposadr[mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, ROTATION_JOINT)]
    )
    femur_r = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, "femur_r")
    femur_l = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_BODY, "femur_l")

    def angles(q_flex: float, q_rot: float) -> tuple[float, float]:
        data.qpos[:] = model.qpos0
        data.qpos[flex] += np.radians(q_flex)
        data.qpos[rot] += np.radians(q_rot)
        mujoco.mj_forward(model, data)
        origin = 0.5 * (data.xpos[femur_r] + data.xpos[femur_l])
        hip = (np.asarray(data.xpos[femur_r]) - origin) * 1000.0
        a = hip_angles(_femur_in_atlas(model, data, origin), hip, frame, "right")
        return a.flexion - target.flexion, a.external_rotation - target.external_rotation

    q_flex = q_rot = 0.0
    for _ in range(4):  # the angles are nearly additive: a few corrections settle them
        e_flex, e_rot = angles(q_flex, q_rot)
        slope = angles(q_flex, q_rot + 1.0)[1] - e_rot  # external rotation per degree
        q_flex -= e_flex
        q_rot -= e_rot / slope
    return q_flex, q_rot


def reference_lengths(atlas: Path | None = None) -> dict[str, Any]:
    """Compile myofullbody, flex the right hip and read the tendon lengths (mm).

    With ``atlas`` (a built atlas folder) the flexion angles start from the atlas's standing
    hip (:func:`hip_zero`); without, from myo-sim's joint zero.
    """
    import mujoco
    from myo_sim.build.compose import build_spec

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        model = build_spec("myofullbody").compile()
    zero_flex, zero_rot = hip_zero(model, atlas) if atlas is not None else (0.0, 0.0)
    data = mujoco.MjData(model)
    joint = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, JOINT)
    address = int(model.jnt_qposadr[joint])
    rotation = int(
        model.jnt_qposadr[mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, ROTATION_JOINT)]
    )

    def tendon(name: str) -> int:
        i = int(mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_TENDON, name + "_tendon"))
        if i < 0:
            raise KeyError(f"myo-sim has no tendon {name}_tendon")
        return i

    muscles: dict[str, list[float]] = {m: [] for m in MUSCLES}
    for deg in ANGLES_DEG:
        data.qpos[:] = model.qpos0
        data.qpos[address] += np.radians(zero_flex + deg)
        data.qpos[rotation] += np.radians(zero_rot)
        mujoco.mj_forward(model, data)
        for muscle, lines in MUSCLES.items():
            per_line = [sum(float(data.ten_length[tendon(t)]) for t in line) for line in lines]
            muscles[muscle].append(1000.0 * float(np.mean(per_line)))
    return {
        "schema_version": 1,
        "source": (
            "myo-sim 0.2.4, myofullbody (Apache-2.0), joint hip_flexion_r from the atlas's "
            "standing hip (hip_zero_deg), other joints at qpos0"
        ),
        "units": "mm",
        "hip_flexion_deg": list(ANGLES_DEG),
        "hip_zero_deg": {"hip_flexion_r": zero_flex, "hip_rotation_r": zero_rot},
        "tendons": {m: [list(line) for line in lines] for m, lines in MUSCLES.items()},
        "lengths_mm": muscles,
    }


def write_reference(out: Path) -> Path:
    """Write ``out/posture_reference.json``; returns its path."""
    path = Path(out) / "posture_reference.json"
    write_json(reference_lengths(Path(out)), path, ndigits=2)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the stage alone."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "meshes")
    args = ap.parse_args(argv)
    print(write_reference(args.out))
    return 0


if __name__ == "__main__":
    from tools.atlas_build.float_pins import restart_pinned

    restart_pinned("tools.atlas_build.posture", sys.argv[1:])
    raise SystemExit(main())
