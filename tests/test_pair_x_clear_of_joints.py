"""Trigger-point X's keep clear of a pair view's joint dots, on their own muscle.

Pair 6 (iliopsoas vs quadratus lumborum, from behind and the right) drew three X's against the
grey dots of the T12-L1, L2-L3 and lumbosacral joints (one box over the L5-S1 dot, two 4 px
off theirs): a lecturer could not tell the joint from the trigger point. An X touching a dot is
now moved aside on the screen, on its own muscle (:mod:`viewer.domain.marker_nudge`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.test_pair_overlay_route import framed_pair
from viewer.domain.marker_nudge import box_hits_circle, nudge_clear

GAP_PX = 4.0
"""Least room between an X's box and a dot the test accepts (the layout keeps 8)."""


def _display(renderer: object, point: np.ndarray) -> tuple[float, float]:
    renderer.SetWorldPoint(*point, 1.0)  # type: ignore[attr-defined]
    renderer.WorldToDisplay()  # type: ignore[attr-defined]
    x, y, _z = renderer.GetDisplayPoint()  # type: ignore[attr-defined]
    return x, y


@pytest.mark.parametrize("key", [6, 1, 5])
def test_no_x_touches_a_joint_dot_and_every_x_stays_on_its_muscle(key: int) -> None:
    from viewer.render.pair_overlay import JOINT_RADIUS_MM

    with framed_pair(key, (1600, 1000)) as (off, _context, _features, _active):
        _window, renderer, scene, overlays = off
        layer = overlays.layer
        camera = renderer.GetActiveCamera()
        up = np.asarray(camera.GetViewUp(), dtype=np.float64)
        circles = []
        for dot in overlays.pairs_overlay._dots:
            x, y = _display(renderer, dot)
            # the dot's radius on screen, measured by projecting its rim square to the view
            rx, ry = _display(renderer, dot + JOINT_RADIUS_MM * up)
            circles.append((x, y, math.hypot(rx - x, ry - y)))
        assert circles
        drawn = [m for m in layer.marker_ids if layer.count_of(m) > 0]
        boxes = layer.screen_boxes()
        assert len(boxes) == len(drawn) > 0
        touching = [
            (mid, [round(v) for v in box])
            for mid, box in zip(drawn, boxes, strict=True)
            if any(box_hits_circle(box, c, GAP_PX) for c in circles)
        ]
        assert not touching, f"pair {key}: X's on joint dots: {touching}"
        atlas = scene.loaded.atlas
        for mid, box in zip(drawn, boxes, strict=True):
            muscle = layer._markers[mid].structure
            pts = np.vstack([scene.drawn_points(leaf, light=True) for leaf in atlas.leaves(muscle)])
            shown = np.array([_display(renderer, p) for p in pts[:: max(1, len(pts) // 3000)]])
            cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
            gap = float(np.min(np.hypot(shown[:, 0] - cx, shown[:, 1] - cy)))
            assert gap <= 6.0, f"pair {key}: {mid}'s X is {gap:.0f} px off {muscle}"
        assert overlays.pairs_overlay.covered == 0  # the arrows still keep off the X's


def test_an_x_moves_the_least_way_that_clears_the_dot_and_never_off_its_muscle() -> None:
    box = (100.0, 100.0, 120.0, 126.0)
    dot = (95.0, 113.0, 10.0)  # just left of the box, touching it
    (dx, dy), = nudge_clear([box], [dot], lambda _i, _x, _y: True, clear=8.0)
    assert 0 < math.hypot(dx, dy) <= 20.0
    moved = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
    assert not box_hits_circle(moved, dot, 8.0)
    # a thin muscle under the X (5 px round its centre): no place on it clears the dot, so
    # the X stays on its muscle, where it was
    def thin(_i: int, x: float, y: float) -> bool:
        return math.hypot(x - 110.0, y - 113.0) <= 5.0

    assert nudge_clear([box], [dot], thin, clear=8.0) == [(0.0, 0.0)]
    # a clear box is not moved, and a move never lands on another X
    assert nudge_clear([(200.0, 200.0, 220.0, 226.0)], [dot], lambda *_: True) == [(0.0, 0.0)]
    other = (122.0, 100.0, 142.0, 126.0)
    moves = nudge_clear([box, other], [dot], lambda *_: True, clear=8.0)
    moved = (box[0] + moves[0][0], box[1] + moves[0][1], box[2] + moves[0][0], box[3] + moves[0][1])
    assert not (moved[0] < other[2] and other[0] < moved[2] and moved[1] < other[3]
                and other[1] < moved[3])
