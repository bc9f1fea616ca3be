"""Print the force capacities of pair-view muscles, read from myo-sim's musculoskeletal model.

Run from the repository root (needs the ``atlas`` extra: mujoco and myo-sim)::

    python -m tools.read_force_capacity

The numbers in ``annotations/pair_views.json`` (``force_capacity``) are this output. Each
muscle's capacity is the sum of the peak active forces (MuJoCo ``actuator_gainprm[2]``, N) of its
actuators on the right side of the composed ``myofullbody`` model. The leg model has one psoas
actuator; its upper (L1-L2 origins) and lower (L2-L5) parts are split in the proportion of the
lumbar model's eleven psoas fascicles (``Ps_*``). Quadratus lumborum exists only in the lumbar
model, whose forces are on a smaller scale than the leg model's; it is brought to the leg scale by
the ratio of the two models' psoas totals. PCSA-equivalents divide by 60 N/cm^2.
"""

from __future__ import annotations

import json
import re

SPECIFIC_TENSION_N_PER_CM2 = 60.0
LEG = {
    "psoas_major": ("psoas_r",),
    "iliacus": ("iliacus_r",),
    "piriformis": ("piri_r",),
    "gluteus_maximus": ("glmax1_r", "glmax2_r", "glmax3_r"),
    "gluteus_medius": ("glmed1_r", "glmed2_r", "glmed3_r"),
    "gluteus_minimus": ("glmin1_r", "glmin2_r", "glmin3_r"),
}
UPPER_PSOAS = re.compile(r"^Ps_(L1_VB|L1_TP|L1_L2_IVD|L2_TP)_r$")


def read() -> dict[str, dict[str, object]]:
    """Capacity (N), PCSA-equivalent (cm^2) and the actuators used, per base muscle id."""
    import mujoco
    from myo_sim.build.compose import build_spec

    model = build_spec("myofullbody").compile()
    force = {}
    for i in range(model.nu):
        name = mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_ACTUATOR, i)
        if name:
            force[name] = float(model.actuator_gainprm[i][2])
    out: dict[str, dict[str, object]] = {}
    for muscle, names in LEG.items():
        out[muscle] = _entry(sum(force[n] for n in names), names)
    psoas_fascicles = {n: f for n, f in force.items() if n.startswith("Ps_") and n.endswith("_r")}
    lumbar_total = sum(psoas_fascicles.values())
    upper = sum(f for n, f in psoas_fascicles.items() if UPPER_PSOAS.match(n))
    whole = float(out["psoas_major"]["force_n"])  # type: ignore[arg-type]
    out["psoas_major_upper"] = _entry(whole * upper / lumbar_total, ("psoas_r", "Ps_L1*/L2_TP"))
    out["psoas_major_lower"] = _entry(
        whole * (1 - upper / lumbar_total), ("psoas_r", "Ps_L2_L3*..L5*")
    )
    ql = sum(f for n, f in force.items() if n.startswith("QL_") and n.endswith("_r"))
    out["quadratus_lumborum"] = _entry(ql * whole / lumbar_total, ("QL_*_r",))
    out["iliopsoas"] = _entry(
        whole + float(out["iliacus"]["force_n"]),  # type: ignore[arg-type]
        ("psoas_r", "iliacus_r"),
    )
    return out


def _entry(force_n: float, names: tuple[str, ...]) -> dict[str, object]:
    return {
        "force_n": round(force_n),
        "pcsa_cm2": round(force_n / SPECIFIC_TENSION_N_PER_CM2, 1),
        "model": list(names),
    }


if __name__ == "__main__":
    print(json.dumps(read(), indent=2))
