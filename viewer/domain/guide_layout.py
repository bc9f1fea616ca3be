"""Where a posture reference's words go on the picture, in pure 2D geometry (pixels).

A lecturer saw "L4-S1 loaded at the back (facet joints)" printed across the ASIS-PSIS line of
lesson step 7: each reference text sat at a fixed side of its anchor whatever lay there. Here a
text tries a few places around its anchor (its own side first, then the other side, then
stepped up and down) and takes the first that crosses no guide line and covers no other text,
or the least bad one; :mod:`viewer.render.posture_guides` measures the boxes and lines.

Boxes are ``(x0, y0, x1, y1)`` with ``x0 <= x1``, ``y0 <= y1``, in one pixel frame (the
renderer's display, y up); segments are ``((x, y), (x, y))``.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[float, float, float, float]
Point = tuple[float, float]
Segment = tuple[Point, Point]

LINE_COST = 100.0
"""A text over a guide line the eye must follow (tilt, curve, L4-S1): as bad as a text
over another text."""
SOFT_LINE_COST = 6.0
"""A text over a faint reference (plumb line, the dashed standing lines): avoided if it costs
little, since a text box there only interrupts a dashed line."""
EDGE_COST = 1000.0
"""A text that does not fit in the picture at all."""
ANATOMY_COST = 50.0
"""A text over the drawn anatomy (bones and muscles drawn at least faintly, not the skin): a
line's words read on a clear background beside it where there is one (lesson 8's pelvic level
words lay over the lumbar spine and the sacrum). Less than a guide line or another text, more
than a faint reference."""
ANATOMY_POINTS_MIN = 3
"""Anatomy sample points inside a text's box before it counts as lying over the anatomy (a
stray point or two at a box's corner is a grazed edge)."""


def segment_hits_box(segment: Segment, box: Box) -> bool:
    """True when ``segment`` passes through (or touches) ``box`` (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = segment
    bx0, by0, bx1, by1 = box
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - bx0), (dx, bx1 - x0), (-dy, y0 - by0), (dy, by1 - y0)):
        if p == 0.0:
            if q < 0.0:
                return False
            continue
        t = q / p
        if p < 0.0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def boxes_overlap(a: Box, b: Box) -> bool:
    """True when the two boxes share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def grow(box: Box, by: float) -> Box:
    """``box`` made ``by`` pixels larger on every side."""
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def slide_into(lo: float, hi: float, low_edge: float, high_edge: float) -> float:
    """How far to move the span [lo, hi] so it lies within [low_edge, high_edge] (0 if it
    does; its low end kept inside if it is wider than the room)."""
    if hi > high_edge:
        return max(high_edge - hi, low_edge - lo)
    if lo < low_edge:
        return low_edge - lo
    return 0.0


def fit_in_frame(box: Box, frame: Box) -> Box:
    """``box`` slid (not resized) into ``frame`` as far as it goes."""
    dx = slide_into(box[0], box[2], frame[0], frame[2])
    dy = slide_into(box[1], box[3], frame[1], frame[3])
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def box_cost(
    box: Box,
    lines: Sequence[Sequence[Segment]],
    soft_lines: Sequence[Sequence[Segment]],
    taken: Sequence[Box],
    frame: Box,
) -> float:
    """What placing a text at ``box`` costs: each guide line it crosses (``lines``, one
    sequence of segments per line), each text or mark it covers (``taken``), less for each
    faint reference it crosses (``soft_lines``), and a box outside ``frame``."""
    cost = 0.0
    for line in lines:
        if any(segment_hits_box(s, box) for s in line):
            cost += LINE_COST
    for line in soft_lines:
        if any(segment_hits_box(s, box) for s in line):
            cost += SOFT_LINE_COST
    cost += LINE_COST * sum(boxes_overlap(box, t) for t in taken)
    if box[0] < frame[0] - 0.5 or box[2] > frame[2] + 0.5:
        cost += EDGE_COST
    if box[1] < frame[1] - 0.5 or box[3] > frame[3] + 0.5:
        cost += EDGE_COST
    return cost


def best_box(
    candidates: Sequence[Box],
    lines: Sequence[Sequence[Segment]],
    soft_lines: Sequence[Sequence[Segment]],
    taken: Sequence[Box],
    frame: Box,
    pad: float = 0.0,
    points: Sequence[Point] = (),
) -> int:
    """Index of the candidate (in order of preference, each already slid into ``frame``) that
    costs least (:func:`box_cost`, the box grown by ``pad`` against lines and texts, plus
    :data:`ANATOMY_COST` when it lies over :data:`ANATOMY_POINTS_MIN` or more of the drawn
    anatomy's screen ``points``); the earliest of equals, so a text stays at its own side when
    that side is free."""
    best, best_cost = 0, float("inf")
    for i, box in enumerate(candidates):
        raw = box_cost(grow(box, pad), lines, soft_lines, taken, frame)
        if points and points_in_box(points, box) >= ANATOMY_POINTS_MIN:
            raw += ANATOMY_COST
        if raw == 0.0:
            return i  # nothing later can beat a free place (this runs before frames)
        if raw + 0.01 * i < best_cost:
            best, best_cost = i, raw + 0.01 * i
    return best


def text_candidates(box: Box, step: float, steps: int = 4) -> list[tuple[float, float]]:
    """Offsets (dx, dy) to try for a text whose box at its anchor is ``box`` (the anchor at
    (0, 0)), in order of preference: where it is, then stepped up and down by ``step`` pixels
    on its own side, alternating with the mirror image across the anchor (the other side)."""
    mirror = -(box[0] + box[2])
    out: list[tuple[float, float]] = [(0.0, 0.0)]
    for k in range(1, steps + 1):
        out += [(0.0, k * step), (0.0, -k * step)]
        if k == 1:
            out.append((mirror, 0.0))
        out += [(mirror, k * step), (mirror, -k * step)]
    return out


def mark_candidates(
    size: tuple[float, float], radius: float, outward: float, pad: float = 3.0
) -> list[tuple[float, float]]:
    """Lower-left corners (relative to a mark's centre) for a small label of ``size`` (w, h)
    beside a dot of ``radius`` pixels, ``pad`` + 2 pixels clear of it: first on the ``outward``
    side (+1 right, -1 left), then above, below, the other side and the four corners."""
    w, h = size
    gap = radius + pad + 2.0
    right = (gap, -h / 2)
    left = (-gap - w, -h / 2)
    above = (-w / 2, gap)
    below = (-w / 2, -gap - h)
    first, other = (right, left) if outward >= 0 else (left, right)
    corners = [
        (first[0], gap * 0.6),
        (first[0], -gap * 0.6 - h),
        (other[0], gap * 0.6),
        (other[0], -gap * 0.6 - h),
    ]
    return [first, above, below, other, *corners]


def points_in_box(points: Sequence[Point], box: Box) -> int:
    """How many of ``points`` lie inside ``box`` (edges included)."""
    x0, y0, x1, y1 = box
    return sum(1 for x, y in points if x0 <= x <= x1 and y0 <= y <= y1)


def beside_candidates(
    size: tuple[float, float],
    ends: Sequence[tuple[float, float, float]],
    points: Sequence[Point],
    pad: float,
    above: bool,
    steps: int = 3,
) -> list[Box]:
    """Boxes for a line's words of ``size`` (w, h) beside the line's ends, in order of
    preference: for each end ``(x, y, outward)`` (outward +1: the line runs on to the left, its
    words go right of the end; -1 the other way) the box just past the end on the ``above``
    side of the line, then on the other side, then stepped away from the line by a text's
    height; each also pushed outward past the ``points`` (the anatomy drawn, display pixels)
    in its band, so that it lies beside the body on a clear background."""
    w, h = size
    step = h + pad
    out: list[Box] = []
    first = 1.0 if above else -1.0
    for ex, ey, outward in ends:
        for k in range(steps):
            for sign in (first, -first):
                # 2 pads off the line: the cost grows the box by one, the line has a width.
                y0 = ey + 2 * pad + k * step if sign > 0 else ey - 2 * pad - h - k * step
                y1 = y0 + h
                if outward >= 0:
                    plain = (ex + pad, y0, ex + pad + w, y1)
                else:
                    plain = (ex - pad - w, y0, ex - pad, y1)
                out.append(plain)
                band = [x for x, y in points if y0 - pad <= y <= y1 + pad]
                if outward >= 0:
                    reach = max((x for x in band if x >= plain[0] - w), default=None)
                    if reach is not None and reach + pad > plain[0]:
                        out.append((reach + pad, y0, reach + pad + w, y1))
                else:
                    reach = min((x for x in band if x <= plain[2] + w), default=None)
                    if reach is not None and reach - pad < plain[2]:
                        out.append((reach - pad - w, y0, reach - pad, y1))
    return out


def leader(box: Box, target: Point, far: float) -> Segment | None:
    """A leader from ``box``'s nearest edge point to ``target`` (the line a text names), or
    ``None`` when the box already lies within ``far`` pixels of it.

    A text laid out away from its own side (others took that place) can end up a few text
    heights from the dashed line it names: on slumped sitting "standing curve, from S1" sat
    on the buttock under the PSIS, 140 px from its curve, and a lecturer read it as a label
    floating on nothing."""
    x0, y0, x1, y1 = box
    tx, ty = target
    nx, ny = min(max(tx, x0), x1), min(max(ty, y0), y1)
    if ((tx - nx) ** 2 + (ty - ny) ** 2) ** 0.5 <= far:
        return None
    return ((nx, ny), (tx, ty))
