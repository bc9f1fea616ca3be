"""``trigger-atlas pairs [ID]``: list the muscle-pair views, or show one placed on the atlas.

Without ``ID`` it lists every pair view with its key and any problem found while loading (exit
code 1 if any is an error). With ``ID`` it prints what the view shows: the two sides and their
colours, the joints each side crosses, the arrows (origin -> insertion, atlas mm), the camera and
the explanation with its references, so the data can be checked without opening a window.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

HELP = "list the muscle-pair views, or show one (sides, joints, arrows, camera, sources)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``ID``, ``--side``, ``--muscle`` and ``--file``."""
    parser.add_argument("pair", nargs="?", default=None, help="pair-view id or key (1-6)")
    parser.add_argument("--side", choices=("right", "left"), default="right")
    parser.add_argument("--muscle", default=None, help="muscle of the left-vs-right view")
    parser.add_argument("--file", type=Path, default=None, help="pair-view file to check")


def _fmt(p: object) -> str:
    import numpy as np

    return "(" + ", ".join(f"{v:.0f}" for v in np.asarray(p, dtype=float)) + ")"


def run(args: argparse.Namespace) -> int:
    """List or show; 1 when the file has errors or the pair is unknown."""
    from viewer.domain.pairviews import resolve_pair
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.pairviews import load_for_atlas
    from viewer.io.resources import builtin_meshes_dir

    loaded = load_atlas(getattr(args, "atlas", None) or builtin_meshes_dir(), with_light=False)
    result, landmarks = load_for_atlas(loaded, args.file)
    library = result.library
    errors = [p for p in result.problems if p.severity == "error"]
    if args.pair is None:
        for p in result.problems:
            print(f"{p.severity}: {p}")
        for key, pid in library.keys.items():
            print(f"{key}  {pid:<40} {library.title(pid)}")
        return 1 if errors else 0
    pid = library.keys.get(int(args.pair), args.pair) if args.pair.isdigit() else args.pair
    try:
        view = library.get(pid, args.side, muscle=args.muscle, atlas=loaded.atlas)
    except (KeyError, ValueError) as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 1
    resolved = resolve_pair(view, loaded.atlas, landmarks, loaded.meshes)
    print(f"[{view.key}] {view.display_title}")
    for name, side in (("A", view.a), ("B", view.b)):
        print(f"  {name} {side.color}  {side.label}: {', '.join(side.structures)}")
        if side.role:
            print(f"      {side.role}")
        print(f"      crosses: {', '.join(side.crosses) or '-'}")
    for line in resolved.lines:
        path = " -> ".join(_fmt(p) for p in line.points)
        print(f"  arrow {line.side.upper()} {line.line.label}: {path}  ({line.length:.0f} mm)")
    for pull in resolved.pulls:
        force = f"{pull.force_n:.0f} N" if pull.force_n is not None else "force unknown"
        print(
            f"  pull {pull.side.upper()} {pull.label}: at {pull.at} {_fmt(pull.point)} "
            f"toward {_fmt(pull.direction * 100)}  {force} ({pull.relative:.0%})"
        )
    for turn in resolved.turnings:
        print(
            f"  turning {turn.side.upper()} about {turn.joint_title}: {turn.moment_nm:+.1f} N m, "
            f"{turn.sense}"
        )
    for joint in resolved.joints:
        by = "+".join(joint.crossed_by).upper()
        print(f"  joint {joint.joint.title} at {_fmt(joint.point)} crossed by {by}")
    cam = resolved.camera
    focus = _fmt(cam.focus) if cam.focus is not None else "centre of visible"
    print(f"  camera {cam.name}: direction {cam.direction}, up {cam.view_up}, zoom {cam.zoom}")
    print(f"         focus {focus}")
    for note in resolved.notes:
        print(f"  note: {note}")
    print()
    print(textwrap.fill(view.explanation, 100))
    if view.disagreement:
        print()
        print(textwrap.fill("Where sources differ: " + view.disagreement, 100))
    print()
    for cite in view.sources:
        ref = library.sources.get(cite) or library.sources.get(cite.rstrip("abc"), "")
        print(f"  [{cite}] {ref}")
    print()
    print(textwrap.fill(library.notice, 100))
    return 0
