"""Write the measured atlas pose into docs/ATLAS_CONTRACT.md (between two marker lines).

The spinopelvic values are computed by the build (pose.py); writing them into the contract keeps
the documentation honest about the shipped meshes instead of a hand-copied number.
"""

from __future__ import annotations

from pathlib import Path

from tools.atlas_build.contract_doc import replace_marked_block
from tools.atlas_build.pose import PUBLISHED_RANGES

BEGIN = "<!-- pose:begin (written by python -m tools.build_atlas) -->"
END = "<!-- pose:end -->"

_LABELS = {
    "pelvic_incidence": "Pelvic incidence (PI)",
    "pelvic_tilt": "Pelvic tilt (PT)",
    "sacral_slope": "Sacral slope (SS)",
    "lumbar_lordosis_l1_s1": "Lumbar lordosis, L1-S1 Cobb",
}


def pose_block(pose: dict[str, float]) -> str:
    """Markdown block (with markers) describing the pose values."""
    lines = [
        BEGIN,
        "| value | key | atlas (deg) | published adult range (deg) |",
        "|---|---|---|---|",
    ]
    for key, label in _LABELS.items():
        lo, hi = PUBLISHED_RANGES[key]
        lines.append(f"| {label} | `{key}` | {pose[key]:.1f} | {lo:.0f}-{hi:.0f} |")
    lines += [
        "",
        f"Hips relative to the pelvis: flexion {pose['hip_flexion']:.1f} deg, adduction "
        f"{pose['hip_adduction']:.1f} deg, external rotation {pose['hip_external_rotation']:.1f} "
        f"deg (registration alone gave flexion {pose['hip_flexion_before']:.1f} deg, external "
        f"rotation {pose['hip_external_rotation_before']:.1f} deg).",
        END,
    ]
    return "\n".join(lines)


def update_contract(path: Path, pose: dict[str, float]) -> None:
    """Replace the marked block in the contract (append a section if it is missing)."""
    text = path.read_text(encoding="utf-8")
    block = pose_block(pose)
    replaced = replace_marked_block(text, BEGIN, END, block)
    if replaced is not None:
        text = replaced
    else:
        text = text.rstrip("\n") + "\n\n## Pose (measured by the build)\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
