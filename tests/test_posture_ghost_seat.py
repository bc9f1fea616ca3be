"""The standing ghost in a seated side view stays off the chair seat.

A lecturer saw the grey standing femur run down through the chair seat (a bone through
furniture). The test draws the seated side view as ``render --pose`` frames it, with the
standing ghost femurs and without, and checks that none of their pixels lands on the seat,
while the ghost of the standing pelvis (what the eye compares) is still drawn. The ghost is
outlines (1.5 px lines; a filled ghost spine read as a spine inside the abdomen), so its pixel
counts are those of lines: about 400-500 for the pelvis here, 200 for the femurs (filled, the
limits were 500 and 200).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.spatial import Delaunay

from tests.gui_helpers import window_rgb
from viewer.domain.pose import PRESETS

SIZE = (640, 400)


def _display(renderer: Any, points: np.ndarray) -> np.ndarray:
    """Display pixels (x, row from the top) of world points."""
    height = renderer.GetSize()[1]
    out = []
    for p in points:
        renderer.SetWorldPoint(*p, 1.0)
        renderer.WorldToDisplay()
        x, y, _ = renderer.GetDisplayPoint()
        out.append((x, height - 1 - y))
    return np.array(out)


def _grab(off: Any, shown: list[Any], visible: bool) -> np.ndarray:
    for actor in shown:
        actor.SetVisibility(visible)
    off.window.Render()
    return window_rgb(off.window).astype(np.int16)


@pytest.mark.parametrize("pose", ["sitting_upright", "sitting_slumped"])
def test_the_standing_ghost_stays_off_the_seat(pose: str) -> None:
    from viewer.context import load_context
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.structure_framing import posture_camera

    context = load_context()
    context.state.set_pose(PRESETS[pose])
    for s in context.loaded.atlas.renderable:
        if s.kind.value == "skin":
            context.state.set_visible(s.id, False)
    with offscreen_scene(context.loaded, context.state, SIZE, msaa=0) as off:
        off.window.Render()
        off.scene.apply_pose(posture_camera(off.scene, "right"))
        off.window.Render()
        guides = off.guides
        assert guides.chair is not None and "ghost" in guides.visible_parts()
        guides.renderer.RemoveObserver(guides._tag)  # the test sets the ghost's visibility
        drawn = [a for a in guides._ghost if a.GetVisibility()]
        ghost = np.abs(_grab(off, drawn, True) - _grab(off, drawn, False)).max(axis=-1) > 6
        assert ghost.sum() > 250  # the standing pelvis is drawn (its outline)
        femurs = guides._ghost_femurs
        assert femurs
        with_femurs = _grab(off, femurs, True)
        femur_px = np.abs(with_femurs - _grab(off, femurs, False)).max(axis=-1) > 6
        assert femur_px.sum() > 100  # shown, the ghost femurs' outlines would show
        lo, hi = guides.chair.seat_min, guides.chair.seat_max
        corners = np.array(
            [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
        )
        hull = Delaunay(_display(off.renderer, corners))
        xs, ys = np.meshgrid(np.arange(SIZE[0]), np.arange(SIZE[1]))
        seat = (hull.find_simplex(np.c_[xs.ravel(), ys.ravel()]) >= 0).reshape(ghost.shape)
        assert seat.sum() > 2000  # the seat is in the picture
        on_seat = int((ghost & seat & femur_px).sum())
        assert on_seat <= 10, f"{on_seat} pixels of the standing ghost femurs on the seat"
