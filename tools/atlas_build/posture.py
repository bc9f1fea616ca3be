"""Build stage: reference muscle-tendon lengths from myo-sim at hip flexion 0, 30, 60, 90 degrees.

The app measures each muscle's length along its path in any pose (``viewer.domain.posture``).
To check that model against a published one, this stage flexes the right hip of myo-sim's
composed ``myofullbody`` MuJoCo model (Apache-2.0) and writes the lengths of the tendons that
match the atlas's muscles to ``meshes/posture_reference.json``. A test compares the two.

The psoas parts are the lumbar fascicles (which end at the pelvic brim and do not cross the hip)
plus the brim-to-lesser-trochanter ``psoas`` tendon of the leg model. Run alone with
``python -m tools.atlas_build.posture [--out meshes]``; ``tools.build_atlas`` runs it too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from tools.atlas_build.writer import write_json

ANGLES_DEG: tuple[int, ...] = (0, 30, 60, 90)
JOINT = "hip_flexion_r"

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


def reference_lengths() -> dict[str, Any]:
    """Compile myofullbody, flex the right hip and read the tendon lengths (mm)."""
    import mujoco
    from myo_sim.build.compose import build_spec

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        model = build_spec("myofullbody").compile()
    data = mujoco.MjData(model)
    joint = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_JOINT, JOINT)
    address = int(model.jnt_qposadr[joint])

    def tendon(name: str) -> int:
        i = int(mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_TENDON, name + "_tendon"))
        if i < 0:
            raise KeyError(f"myo-sim has no tendon {name}_tendon")
        return i

    muscles: dict[str, list[float]] = {m: [] for m in MUSCLES}
    for deg in ANGLES_DEG:
        data.qpos[:] = model.qpos0
        data.qpos[address] = np.radians(deg)
        mujoco.mj_forward(model, data)
        for muscle, lines in MUSCLES.items():
            per_line = [sum(float(data.ten_length[tendon(t)]) for t in line) for line in lines]
            muscles[muscle].append(1000.0 * float(np.mean(per_line)))
    return {
        "schema_version": 1,
        "source": (
            "myo-sim 0.2.4, myofullbody (Apache-2.0), joint hip_flexion_r, other joints at qpos0"
        ),
        "units": "mm",
        "hip_flexion_deg": list(ANGLES_DEG),
        "tendons": {m: [list(line) for line in lines] for m, lines in MUSCLES.items()},
        "lengths_mm": muscles,
    }


def write_reference(out: Path) -> Path:
    """Write ``out/posture_reference.json``; returns its path."""
    path = Path(out) / "posture_reference.json"
    write_json(reference_lengths(), path, ndigits=2)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the stage alone."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "meshes")
    args = ap.parse_args(argv)
    print(write_reference(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
