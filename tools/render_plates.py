"""Render the atlas plates (anterior, posterior, left lateral, superior) at 1600x1000 to PNGs.

Usage: ``python -m tools.render_plates [-o renders/] [--atlas meshes/] [--skin-opacity 0.0]``.
Uses the app's own off-screen renderer, so the plates show exactly what the viewer shows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from viewer.context import load_context
from viewer.domain.structures import Kind
from viewer.render.offscreen import render_to_png

PLATES = ("anterior", "posterior", "left", "superior")


def main(argv: list[str] | None = None) -> int:
    """Write one PNG per plate view and print their paths."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", type=Path, default=Path("renders"))
    parser.add_argument("--atlas", type=Path, default=None)
    parser.add_argument("--skin-opacity", type=float, default=None,
                        help="skin opacity (default: the viewer's ghosted skin)")
    parser.add_argument("--size", default="1600x1000")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    for view in PLATES:
        context = load_context(args.atlas)
        for problem in context.loaded.problems:
            print(f"warning: {problem}")
        if args.skin_opacity is not None:
            skins = [s.id for s in context.loaded.atlas.renderable if s.kind is Kind.SKIN]
            if skins:
                context.state.set_opacity(skins, args.skin_opacity)
                context.state.set_visible(skins, args.skin_opacity > 0)
        out = render_to_png(context.loaded, context.state, args.output / f"atlas_{view}.png",
                            size=(width, height), view=view)
        print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
