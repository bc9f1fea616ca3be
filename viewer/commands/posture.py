"""``trigger-atlas pose-report``: each muscle's length in a posture against standing.

Also the posture arguments shared with ``render`` (``--pose``, ``--hip-flexion``,
``--pelvic-tilt``, ``--length-colours``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from viewer.domain.pose import PRESETS, Pose, PoseError, preset

HELP = "muscle lengths in a posture (sitting, pelvic tilt ...) against standing"


def add_pose_arguments(parser: argparse.ArgumentParser) -> None:
    """``--pose NAME``, ``--hip-flexion DEG``, ``--pelvic-tilt DEG``, ``--knee-flexion DEG``
    (applied on the preset)."""
    parser.add_argument("--pose", default=None, help=f"posture preset: {', '.join(PRESETS)}")
    parser.add_argument("--hip-flexion", type=float, default=None, help="both hips, degrees")
    parser.add_argument(
        "--pelvic-tilt",
        type=float,
        default=None,
        help="degrees, + = anterior (the lumbar curve follows)",
    )
    parser.add_argument(
        "--knee-flexion",
        type=float,
        default=None,
        help="both knees, degrees from the standing leg (sitting presets: 85)",
    )


def pose_from_args(args: argparse.Namespace) -> Pose:
    """The pose the arguments describe; raises :class:`PoseError` with a readable message."""
    pose = preset(args.pose) if args.pose else preset("standing")
    if args.pelvic_tilt is not None:
        pose = pose.with_pelvic_tilt(args.pelvic_tilt)
    if args.hip_flexion is not None:
        pose = pose.with_hip_flexion(args.hip_flexion)
    if getattr(args, "knee_flexion", None) is not None:
        pose = pose.with_knee_flexion(args.knee_flexion)
    return pose


def pose_given(args: argparse.Namespace) -> bool:
    """True when the arguments name a posture (the picture is then titled with it)."""
    return any(
        getattr(args, k, None) is not None
        for k in ("pose", "hip_flexion", "pelvic_tilt", "knee_flexion")
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Posture arguments plus ``--json``."""
    add_pose_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")


def report(pose: Pose, atlas_dir: Any = None) -> dict[str, Any]:
    """``{"pose": NAME, "muscles": [{"id", "length_mm", "standing_length_mm", "change_pct"}]}``."""
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.posture import posture_model
    from viewer.io.resources import builtin_meshes_dir

    loaded = load_atlas(atlas_dir or builtin_meshes_dir(), with_light=False)
    model = posture_model(loaded)
    return {"pose": pose.name, "muscles": [m.as_dict() for m in model.lengths(pose)]}


def run(args: argparse.Namespace) -> int:
    """Print the report as a table or JSON."""
    try:
        pose = pose_from_args(args)
        data = report(pose, args.atlas)
    except PoseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(
        f"Posture: {pose.name} (pelvic tilt {pose.pelvic_tilt:+.0f} deg, lumbar curve "
        f"{pose.lordosis:+.0f} deg, hips {pose.hip_right.flexion:.0f}/"
        f"{pose.hip_left.flexion:.0f} deg flexed)"
    )
    print(f"{'muscle':36} {'standing mm':>12} {'now mm':>8} {'change':>8}")
    for m in data["muscles"]:
        print(
            f"{m['id']:36} {m['standing_length_mm']:12.1f} {m['length_mm']:8.1f} "
            f"{m['change_pct']:+7.1f}%"
        )
    print(
        "Lengths along each muscle's path in this atlas; an illustration, not a measurement "
        "of any person."
    )
    return 0
