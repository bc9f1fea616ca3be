"""Trigger-point X's nudged off the joint dots they touch, staying on their own muscle.

In pair view 6 (iliopsoas vs quadratus lumborum, seen from behind and the right) three X's of
the quadratus lumborum and psoas sat against the grey dots of the T12-L1, L2-L3 and L5-S1
joints: the X's box touched or covered the dot, and a lecturer could not tell which mark was the
joint and which the trigger point. :func:`nudge_clear` moves each such X the least distance on
screen that clears every dot (by :data:`CLEAR_PX`) and every other X, and only to where it still
lies on its muscle (a test the caller gives: the muscle's screen footprint). An X that finds no
such place stays where it is. The caller draws a leader from the point to an X moved so far that
its box no longer covers the point.

Display pixels (any y direction, used consistently); pure, no Qt or VTK.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Box = tuple[float, float, float, float]
Circle = tuple[float, float, float]

CLEAR_PX = 8.0
"""Room kept between an X's box and a joint dot: pair 6's X's 4 px off the T12-L1 and L2-L3
dots still read as touching them on a 1600 px slide."""

STEP_PX = 2.0
"""Spacing of the distances tried."""

REACH_BOXES = 1.6
"""Farthest an X moves, in its own box heights (beyond that a leader would be long and the X far
from where the point is felt)."""

DIRECTIONS = 24
"""Directions tried at each distance."""


def box_hits_circle(box: Box, circle: Circle, pad: float = 0.0) -> bool:
    """True when ``box`` (x0, y0, x1, y1) comes within ``pad`` of the disc ``circle`` (x, y, r)."""
    x, y, r = circle
    nx = min(max(x, box[0]), box[2])
    ny = min(max(y, box[1]), box[3])
    return math.hypot(x - nx, y - ny) < r + pad


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _shift(box: Box, dx: float, dy: float) -> Box:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def nudge_clear(
    boxes: Sequence[Box],
    circles: Sequence[Circle],
    on_muscle: Callable[[int, float, float], bool],
    clear: float = CLEAR_PX,
) -> list[tuple[float, float]]:
    """The (dx, dy) to move each X box by: (0, 0) for a box clear of every circle, else the
    smallest move (distances from :data:`STEP_PX` up to :data:`REACH_BOXES` box heights,
    :data:`DIRECTIONS` ways round) after which the box keeps ``clear`` pixels from every
    circle, overlaps no other X as placed and its centre still passes ``on_muscle(index, x,
    y)``; (0, 0) when there is none. Boxes are handled in order; moved ones count where they
    were moved to."""
    placed = [tuple(b) for b in boxes]
    out = [(0.0, 0.0)] * len(placed)
    for i, box in enumerate(placed):
        if not any(box_hits_circle(box, c, clear) for c in circles):
            continue
        cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
        reach = REACH_BOXES * (box[3] - box[1])
        others = [b for k, b in enumerate(placed) if k != i]
        found = None
        d = STEP_PX
        while d <= reach + 1e-9 and found is None:
            for k in range(DIRECTIONS):
                angle = 2.0 * math.pi * k / DIRECTIONS
                dx, dy = d * math.cos(angle), d * math.sin(angle)
                trial = _shift(box, dx, dy)  # type: ignore[arg-type]
                if any(box_hits_circle(trial, c, clear) for c in circles):
                    continue
                if any(_overlap(trial, o) for o in others):  # type: ignore[arg-type]
                    continue
                if not on_muscle(i, cx + dx, cy + dy):
                    continue
                found = (dx, dy)
                break
            d += STEP_PX
        if found is not None:
            out[i] = found
            placed[i] = _shift(box, *found)  # type: ignore[arg-type]
    return out
