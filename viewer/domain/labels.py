"""Screen layout of structure labels with leader lines, for study views and patient handouts.

Labels sit in a left and a right column at the viewport edges, each joined to its anchor (the
projected structure point) by a straight leader line. Within a column the labels keep the
vertical order of their anchors and are placed as close to their anchors' heights as possible
without overlapping (clusters of colliding labels are stacked around their mean wish, then
clamped to the viewport), so leader lines stay short and nearly horizontal. Adjacent labels whose
leaders would still cross swap places. Labels that cannot fit (viewport too small) are returned
with ``visible=False`` instead of overlapping. Pixels, x to the right, y down; deterministic;
no Qt, no VTK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

LEFT = "left"
RIGHT = "right"

Point = tuple[float, float]


@dataclass(frozen=True)
class PlacedLabel:
    """Where one label goes: its box (``x``, ``y`` top-left, ``w``, ``h``), the column and the
    leader line from the anchor (``leader_start``) to the middle of the box's inner edge."""

    index: int
    x: float
    y: float
    w: float
    h: float
    side: str
    leader_start: Point
    leader_end: Point
    visible: bool = True

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1)."""
        return (self.x, self.y, self.x + self.w, self.y + self.h)


def boxes_overlap(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> bool:
    """True when two (x0, y0, x1, y1) boxes share interior area (touching edges do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """True when segments p1-p2 and q1-q2 properly intersect (shared end points do not count)."""

    def orient(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def _stack(
    wishes: Sequence[float], heights: Sequence[float], gap: float, top: float, bottom: float
) -> list[float]:
    """Top y of each label (in the given order) closest to its wish with no overlap.

    Colliding labels merge into a cluster placed at the mean of its members' wishes (least
    squares), clamped into [top, bottom]; merging repeats until no cluster touches the previous.
    """
    clusters: list[tuple[list[int], float, float]] = []  # (members, start, height)
    for i, (wish, h) in enumerate(zip(wishes, heights, strict=False)):
        members, height = [i], h
        start = min(max(wish, top), bottom - height)
        while clusters and clusters[-1][1] + clusters[-1][2] + gap > start:
            prev_members, _, prev_height = clusters.pop()
            members = prev_members + members
            height = prev_height + gap + height
            offsets, acc = [], 0.0
            for m in members:
                offsets.append(acc)
                acc += heights[m] + gap
            mean = sum(wishes[m] - o for m, o in zip(members, offsets, strict=False)) / len(members)
            start = min(max(mean, top), bottom - height)
        clusters.append((members, start, height))
    out = [0.0] * len(wishes)
    for members, start, _ in clusters:
        y = start
        for m in members:
            out[m] = y
            y += heights[m] + gap
    return out


def layout_labels(
    anchors: Sequence[Point],
    sizes: Sequence[tuple[float, float]],
    viewport: tuple[float, float],
    margin: float = 8.0,
    gap: float = 4.0,
) -> tuple[PlacedLabel, ...]:
    """Place one label per anchor in two edge columns; results are in input order.

    Anchors left of the viewport centre get the left column, the others the right one; when a
    column is full, the labels whose anchors are nearest the centre move to the other column;
    labels that fit nowhere (or are wider than the viewport) are not shown.
    """
    if len(anchors) != len(sizes):
        raise ValueError("one size per anchor is needed")
    width, height = float(viewport[0]), float(viewport[1])
    top, bottom = margin, height - margin
    capacity = bottom - top
    center = width / 2.0
    fits = [w <= width / 2.0 - margin and h <= capacity for w, h in sizes]

    def need(ids: Sequence[int]) -> float:
        return sum(sizes[i][1] for i in ids) + gap * max(0, len(ids) - 1)

    columns: dict[str, list[int]] = {LEFT: [], RIGHT: []}
    for i, (ax, _) in enumerate(anchors):
        if fits[i]:
            columns[LEFT if ax < center else RIGHT].append(i)
    hidden: set[int] = set()
    for side, other in ((LEFT, RIGHT), (RIGHT, LEFT)):
        # Overflow goes to the other column nearest-the-centre first, if it has room.
        by_centre = sorted(columns[side], key=lambda i: (abs(anchors[i][0] - center), i))
        while need(columns[side]) > capacity and by_centre:
            moved = by_centre.pop(0)
            columns[side].remove(moved)
            if need([*columns[other], moved]) <= capacity:
                columns[other].append(moved)
            else:
                hidden.add(moved)

    placed: dict[int, PlacedLabel] = {}
    for side, ids in columns.items():
        order = sorted(ids, key=lambda i: (anchors[i][1], anchors[i][0], i))
        placed.update(_place_column(side, order, anchors, sizes, width, margin, gap, top, bottom))
    for i in sorted(hidden | {i for i, ok in enumerate(fits) if not ok}):
        w, h = sizes[i]
        a = (float(anchors[i][0]), float(anchors[i][1]))
        placed[i] = PlacedLabel(i, a[0], a[1], float(w), float(h), "", a, a, visible=False)
    return tuple(placed[i] for i in range(len(anchors)))


def _place_column(
    side: str,
    order: list[int],
    anchors: Sequence[Point],
    sizes: Sequence[tuple[float, float]],
    width: float,
    margin: float,
    gap: float,
    top: float,
    bottom: float,
) -> dict[int, PlacedLabel]:
    def build(seq: list[int]) -> list[PlacedLabel]:
        heights = [float(sizes[i][1]) for i in seq]
        wishes = [float(anchors[i][1]) - h / 2.0 for i, h in zip(seq, heights, strict=False)]
        ys = _stack(wishes, heights, gap, top, bottom)
        out = []
        for i, y in zip(seq, ys, strict=False):
            w, h = float(sizes[i][0]), float(sizes[i][1])
            x = margin if side == LEFT else width - margin - w
            end = (x + w, y + h / 2.0) if side == LEFT else (x, y + h / 2.0)
            start = (float(anchors[i][0]), float(anchors[i][1]))
            out.append(PlacedLabel(i, x, y, w, h, side, start, end))
        return out

    labels = build(order)
    for _ in range(len(order) * len(order)):  # bounded: each swap removes one crossing pair
        swapped = False
        for k in range(len(order) - 1):
            a, b = labels[k], labels[k + 1]
            if segments_cross(a.leader_start, a.leader_end, b.leader_start, b.leader_end):
                trial = [*order[:k], order[k + 1], order[k], *order[k + 2 :]]
                trial_labels = build(trial)
                if _crossings(trial_labels) < _crossings(labels):
                    order, labels, swapped = trial, trial_labels, True
        if not swapped:
            break
    return {lab.index: lab for lab in labels}


def _crossings(labels: Sequence[PlacedLabel]) -> int:
    return sum(
        segments_cross(a.leader_start, a.leader_end, b.leader_start, b.leader_end)
        for k, a in enumerate(labels)
        for b in labels[k + 1 :]
    )


def count_crossings(labels: Sequence[PlacedLabel]) -> int:
    """Number of crossing leader-line pairs among visible labels (a layout quality measure)."""
    return _crossings([lab for lab in labels if lab.visible])


def surface_anchor(points: NDArray[Any]) -> tuple[float, float, float]:
    """Where a structure's leader line should point: the mesh vertex nearest its centroid.

    The centroid of a curved muscle (psoas, gluteus maximus) can lie outside the mesh; the
    nearest vertex is always on the surface, and it follows the atlas when it is rebuilt.
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if len(p) == 0:
        raise ValueError("a structure without points has no label anchor")
    nearest = p[int(np.argmin(((p - p.mean(axis=0)) ** 2).sum(axis=1)))]
    return (float(nearest[0]), float(nearest[1]), float(nearest[2]))


def project_points(
    points: NDArray[Any], matrix: NDArray[Any], viewport: tuple[float, float]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """World points -> pixel (x right, y down) with a 4x4 view-projection matrix.

    ``matrix`` maps world coordinates to clip space (the renderer's composite projection
    transform, e.g. VTK's ``GetCompositeProjectionTransformMatrix``); the mask says which
    points are in front of the camera and inside the viewport (only those get labels).
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    m = np.asarray(matrix, dtype=np.float64).reshape(4, 4)
    clip = np.c_[p, np.ones(len(p))] @ m.T
    w = clip[:, 3]
    in_front = w > 1e-12
    safe_w = np.where(in_front, w, 1.0)
    ndc = clip[:, :3] / safe_w[:, None]
    width, height = float(viewport[0]), float(viewport[1])
    pixels = np.c_[(ndc[:, 0] + 1.0) * 0.5 * width, (1.0 - ndc[:, 1]) * 0.5 * height]
    inside = in_front & (np.abs(ndc[:, 0]) <= 1.0) & (np.abs(ndc[:, 1]) <= 1.0)
    inside &= np.abs(ndc[:, 2]) <= 1.0
    return pixels, inside
