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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from viewer.domain.body_mask import BodyMask
from viewer.domain.leader_regions import LeaderRegions
from viewer.domain.segments import segment_crosses_box

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


Box = tuple[float, float, float, float]


def layout_labels(
    anchors: Sequence[Point],
    sizes: Sequence[tuple[float, float]],
    viewport: tuple[float, float],
    margin: float = 8.0,
    gap: float = 4.0,
    priorities: Sequence[float] | None = None,
    obstacles: Sequence[Box] = (),
    content: Box | None = None,
    clear_leaders: bool = True,
    regions: LeaderRegions | None = None,
    body: BodyMask | None = None,
    faint: BodyMask | None = None,
) -> tuple[PlacedLabel, ...]:
    """Place one label per anchor in two edge columns; results are in input order.

    Anchors left of the viewport centre get the left column, the others the right one. Labels
    claim room most important first (lowest ``priorities`` value; ties: anchors far from the
    centre first); one that finds its column full goes to the other column, or is hidden if
    that is full too. Boxes
    never cover an ``obstacle`` (x0, y0, x1, y1 in pixels, e.g. trigger-point X markers).
    With ``content`` (the on-screen box of the anatomy) the columns move in from the viewport
    edges to just outside it, so leaders stay short when the anatomy fills little of the view.
    A last check hides, least important first, any label that would still overlap another
    label or an obstacle or leave the viewport, so those three promises hold for every input.
    With ``clear_leaders`` a label whose leader runs through an obstacle moves to where it
    does not (a search over heights: the caller skips it while the camera moves); with
    ``regions`` (the subject muscles' footprints) such a move never takes a leader over a
    muscle its anchor is not on: the label keeps its place rather than cross the picture's
    subject (pair view 6's L2-L3 name crossed the psoas and quadratus lumborum to the left).
    With ``body`` (where anything solid is drawn, an opaque skin's silhouette included) a label
    whose box lies on the body moves to the clear background nearest its anchor, in either
    column (:func:`_clear_ground`); with ``faint`` too (where anything at all is drawn: a
    see-through skin, ghosts) a label on a faint part moves off it when that costs its leader
    little (:data:`FAINT_BUDGET_PX`).
    """
    if len(anchors) != len(sizes):
        raise ValueError("one size per anchor is needed")
    prio = [0.0] * len(anchors) if priorities is None else [float(p) for p in priorities]
    if len(prio) != len(anchors):
        raise ValueError("one priority per anchor is needed")
    width, height = float(viewport[0]), float(viewport[1])
    top, bottom = margin, height - margin
    center = width / 2.0
    fits = [w <= width / 2.0 - margin and h <= bottom - top for w, h in sizes]

    def inner_edge(side: str) -> float:
        """Where the column's labels end toward the middle: just outside the anatomy when
        ``content`` says where it is, else as far out as the widest label needs."""
        if side == LEFT:
            edge = margin if content is None else content[0] - 3 * margin
            return min(edge, center)
        edge = width - margin if content is None else content[2] + 3 * margin
        return max(edge, center)

    def x_of(i: int, side: str) -> float:
        # Each box ends at the inner edge when it fits between it and the frame edge, else it
        # starts at the frame edge (covering as little of the anatomy as it can).
        w = sizes[i][0]
        if side == LEFT:
            return max(margin, inner_edge(side) - w)
        return min(width - margin - w, inner_edge(side))

    def band(ids: Sequence[int], side: str) -> tuple[float, float]:
        if not ids:
            return (0.0, 0.0)
        return (
            min(x_of(i, side) for i in ids),
            max(x_of(i, side) + sizes[i][0] for i in ids),
        )

    def capacity(ids: Sequence[int], side: str) -> float:
        x0, x1 = band(ids, side)
        blocked = _blocked(obstacles, x0, x1, gap, top, bottom)
        return bottom - top - sum(b - a for a, b in blocked)

    def need(ids: Sequence[int]) -> float:
        return sum(sizes[i][1] + gap for i in ids)

    # Most important first; among equals, anchors far from the centre claim their own side
    # first, so those nearest the centre are the ones that cross over or give way.
    columns: dict[str, list[int]] = {LEFT: [], RIGHT: []}
    hidden: set[int] = set()
    order = sorted(
        (i for i in range(len(anchors)) if fits[i]),
        key=lambda i: (prio[i], -abs(anchors[i][0] - center), i),
    )
    for i in order:
        own = LEFT if anchors[i][0] < center else RIGHT
        for side in (own, RIGHT if own == LEFT else LEFT):
            trial = [*columns[side], i]
            if need(trial) <= capacity(trial, side):
                columns[side].append(i)
                break
        else:
            hidden.add(i)

    placed: dict[int, PlacedLabel] = {}
    for side, ids in columns.items():
        ids = list(ids)
        while ids:
            order = sorted(ids, key=lambda i: (anchors[i][1], anchors[i][0], i))
            x0, x1 = band(ids, side)
            blocked = _blocked(obstacles, x0, x1, gap, top, bottom)
            xs = {i: x_of(i, side) for i in ids}
            own_spans = {
                i: _blocked(obstacles, xs[i], xs[i] + sizes[i][0], gap, top, bottom) for i in ids
            }
            column = _place_column(
                side, order, anchors, sizes, xs, gap, top, bottom, blocked, own_spans
            )
            if column is not None:
                placed.update(column)
                break
            # Obstacles leave no room for all of them: drop the least important and retry.
            drop = max(ids, key=lambda i: (prio[i], abs(anchors[i][0] - center) * -1, i))
            ids.remove(drop)
            hidden.add(drop)
    if clear_leaders:
        placed = _clear_leaders(placed, prio, obstacles, x_of, gap, top, bottom, regions)
    if body is not None:
        placed = _clear_ground(placed, prio, obstacles, body, body, width, margin, gap, top,
                               bottom)
        if faint is not None:
            placed = _clear_ground(placed, prio, obstacles, faint, body, width, margin, gap,
                                   top, bottom, budget=FAINT_BUDGET_PX)
    for i in sorted(hidden | {i for i, ok in enumerate(fits) if not ok}):
        w, h = sizes[i]
        a = (float(anchors[i][0]), float(anchors[i][1]))
        placed[i] = PlacedLabel(i, a[0], a[1], float(w), float(h), "", a, a, visible=False)
    return _enforce(tuple(placed[i] for i in range(len(anchors))), prio, viewport, obstacles)


LEADER_PAD_PX = 4.0
"""Clearance kept between a leader line and an obstacle box it passes: a 1.5 px line 2 px off
an X box still read as touching it on a projector (gallery views 06, 09, 10, 12)."""

LEADER_STEP_PX = 4.0
"""Spacing of the heights tried when a label moves to clear its leader."""

LEADER_REACH_PX = 160.0
"""Farthest a label moves up or down its column to clear its leader (beyond that the leader
would run far from level; the other column is tried instead)."""


def segment_hits_box(p: Point, q: Point, box: Box, pad: float = 0.0) -> bool:
    """True when the segment p-q passes through ``box`` (x0, y0, x1, y1) grown by ``pad``.

    Liang-Barsky clipping: the segment's parameter range inside the box's four slabs."""
    lows, highs = (box[0] - pad, box[1] - pad), (box[2] + pad, box[3] + pad)
    return segment_crosses_box(p, q, lows, highs)


def _inside(p: Point, box: Box) -> bool:
    return box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]


def leader_obstacles(label: PlacedLabel, obstacles: Sequence[Box]) -> list[Box]:
    """Obstacle boxes the label's leader passes through, except one that holds its anchor (a
    joint under an X: any leader must start there)."""
    a, b = label.leader_start, label.leader_end
    return [
        o
        for o in obstacles
        if not _inside(a, o) and segment_hits_box(a, b, o, LEADER_PAD_PX)
    ]


def _clear_leaders(
    placed: dict[int, PlacedLabel],
    prio: Sequence[float],
    obstacles: Sequence[Box],
    x_of: Any,
    gap: float,
    top: float,
    bottom: float,
    regions: LeaderRegions | None = None,
) -> dict[int, PlacedLabel]:
    """Move each label whose leader runs through an obstacle (an X marker) to the nearest
    height, in its own column or else the other one, where the leader is clear, the box
    overlaps no other label or obstacle and the leader crosses no other leader.

    Labels whose leaders are clear are not touched, so this costs nothing on views without
    such a leader. A label that finds no clear place keeps its place (the layout's other
    promises come first)."""
    if not obstacles:
        return placed
    out = dict(placed)
    allowed = {
        k: regions.foreign(o.leader_start, o.leader_end)
        for k, o in placed.items()
        if regions is not None and o.side
    }
    for i in sorted(out, key=lambda k: (prio[k], k)):
        lab = out[i]
        if not lab.side or not leader_obstacles(lab, obstacles):
            continue
        others = [o for k, o in out.items() if k != i and o.side]
        ys = np.arange(top, bottom - lab.h + 1e-9, LEADER_STEP_PX)
        ys = ys[np.abs(ys - lab.y) <= LEADER_REACH_PX]
        ys = ys[np.argsort(np.abs(ys - lab.y), kind="stable")]  # nearest heights first
        found = None
        for side in (lab.side, RIGHT if lab.side == LEFT else LEFT):
            x = float(x_of(i, side))
            for y in ys:
                y = float(y)
                end = (x + lab.w, y + lab.h / 2.0) if side == LEFT else (x, y + lab.h / 2.0)
                trial = replace(lab, x=x, y=y, side=side, leader_end=end)
                if _fits(trial, others, obstacles, gap, regions, allowed):
                    found = trial
                    break
            if found is not None:
                break
            # No free height on its own side: make room there by nudging the neighbours
            # before crossing over (pair view 5's L2-L3 name crossed the whole right psoas to
            # the far column, for want of half a pixel beside the L3-L4 name).
            if side == lab.side:
                nudged = _nudge_column(
                    lab, out, ys, obstacles, x_of, gap, top, bottom, regions, allowed
                )
                if nudged is not None:
                    out.update(nudged)
                    break
        if found is not None:
            out[i] = found
    return out


GROUND_GAP_PX = 16.0
"""Least horizontal room between a landmark and its label moved onto clear background, so
that a leader shows."""

REENTRY_COST_PX = 600.0
"""What a leader crossing another body part (re-entering the body after leaving it: the hand
in front of the belly) costs, in pixels of leader length: a longer leader round the hand is
better than a short one across it."""

FAINT_BUDGET_PX = 60.0
"""How much longer (in cost) a leader may get to take its label off a see-through part (a
ghosted skin's hand): clear background is preferred there, not bought with long leaders
across the picture."""

OWN_COLUMN_COST_PX = 40.0
"""Extra cost of the other column than the label's own: a label stays on its side unless the
other is clearly better."""


def _clear_ground(
    placed: dict[int, PlacedLabel],
    prio: Sequence[float],
    obstacles: Sequence[Box],
    body: BodyMask,
    solid: BodyMask,
    width: float,
    margin: float,
    gap: float,
    top: float,
    bottom: float,
    budget: float | None = None,
) -> dict[int, PlacedLabel]:
    """Move each label whose box lies on ``body`` to clear background, most important first:
    among the heights of either column, the place clear of ``body``, of the other labels and
    obstacles, whose leader crosses no other leader or label and no obstacle, at the least
    cost: the leader's length plus :data:`REENTRY_COST_PX` for each further part of ``solid``
    it crosses (plus :data:`OWN_COLUMN_COST_PX` in the other column). The opaque-skin side
    plates wrote "Iliac crest (left)" and "ASIS (left)" over the hand hanging in front of the
    belly: the columns keep clear of the anatomy's box, not of a skin's arms. With ``budget``
    a move is made only when it costs at most that much more than the label's place now. A
    label that finds no clear place keeps its place."""
    out = dict(placed)
    ys = np.arange(top, bottom + 1e-9, LEADER_STEP_PX)

    def cost_of(lab: PlacedLabel, side: str, end: Point) -> float:
        ax, ay = lab.leader_start
        length = float(np.hypot(end[0] - ax, end[1] - ay))
        own = 0.0 if side == lab.side else OWN_COLUMN_COST_PX
        return length + own + REENTRY_COST_PX * solid.reentries((ax, ay), end)

    for i in sorted(out, key=lambda k: (prio[k], k)):
        lab = out[i]
        if not lab.side or not body.covers(lab.box):
            continue
        limit = None if budget is None else cost_of(lab, lab.side, lab.leader_end) + budget
        others = [o for k, o in out.items() if k != i and o.side]
        ax, ay = lab.leader_start
        best: tuple[float, PlacedLabel] | None = None
        for side in (LEFT, RIGHT):
            leftward = side == LEFT
            toward = ax - GROUND_GAP_PX if leftward else ax + GROUND_GAP_PX
            for y in ys[ys <= bottom - lab.h]:
                y = float(y)
                x = body.clear_x(y, y + lab.h, lab.w, toward, leftward, margin, width - margin)
                if x is None:
                    continue
                end = (x + lab.w, y + lab.h / 2.0) if leftward else (x, y + lab.h / 2.0)
                bound = best[0] if best is not None else limit
                length = float(np.hypot(end[0] - ax, end[1] - ay))
                if bound is not None and length >= bound:
                    continue  # cannot win, even before the crossings are counted
                cost = cost_of(lab, side, end)
                if bound is not None and cost >= bound:
                    continue
                trial = replace(lab, x=x, y=y, side=side, leader_end=end)
                if _fits_ground(trial, others, obstacles, gap):
                    best = (cost, trial)
        if best is not None:
            out[i] = best[1]
    return out


def _fits_ground(
    lab: PlacedLabel, others: Sequence[PlacedLabel], obstacles: Sequence[Box], gap: float
) -> bool:
    """:func:`_fits`, and no leader runs through another label's box: labels moved off the
    body no longer sit in tidy columns, so a leader could pass under one."""
    if not _fits(lab, others, obstacles, gap):
        return False
    for o in others:
        if segment_hits_box(lab.leader_start, lab.leader_end, o.box, gap):
            return False
        if segment_hits_box(o.leader_start, o.leader_end, lab.box, gap):
            return False
    return True


def _nudge_column(
    lab: PlacedLabel,
    placed: dict[int, PlacedLabel],
    ys: NDArray[np.float64],
    obstacles: Sequence[Box],
    x_of: Any,
    gap: float,
    top: float,
    bottom: float,
    regions: LeaderRegions | None = None,
    allowed: Mapping[int, int] | None = None,
) -> dict[int, PlacedLabel] | None:
    """``lab`` at the nearest height of ``ys`` where its leader is clear, with the other labels
    of its column stacked again round it (each as near its old height as room allows); ``None``
    when no such height keeps every label's box and leader clear and no leaders crossing.

    Returns the column's labels that changed (the moved one included)."""
    column = [o for o in placed.values() if o.side == lab.side and o.index != lab.index]
    rest = [o for o in placed.values() if o.side and o.side != lab.side]
    if not column:
        return None
    x0 = min(min(o.x for o in column), float(x_of(lab.index, lab.side)))
    x1 = max(max(o.x + o.w for o in column), float(x_of(lab.index, lab.side)) + lab.w)
    blocked = _blocked(obstacles, x0, x1, gap, top, bottom)
    x = float(x_of(lab.index, lab.side))
    for y in ys:
        y = float(y)
        end = (x + lab.w, y + lab.h / 2.0) if lab.side == LEFT else (x, y + lab.h / 2.0)
        moved = replace(lab, x=x, y=y, leader_end=end)
        if leader_obstacles(moved, obstacles):
            continue
        members = sorted([*column, moved], key=lambda o: (o.y, o.index))
        stacked = _stack_around(
            [o.y for o in members], [o.h for o in members], gap, top, bottom, blocked
        )
        if stacked is None:
            continue
        trial = []
        for o, new_y in zip(members, stacked, strict=True):
            mid = new_y + o.h / 2.0
            trial.append(replace(o, y=new_y, leader_end=(o.leader_end[0], mid)))
        if not all(
            _fits(
                t, [*rest, *(u for u in trial if u is not t)], obstacles, gap, regions, allowed
            )
            for t in trial
        ):
            continue
        return {t.index: t for t in trial}
    return None


def _fits(
    lab: PlacedLabel,
    others: Sequence[PlacedLabel],
    obstacles: Sequence[Box],
    gap: float,
    regions: LeaderRegions | None = None,
    allowed: Mapping[int, int] | None = None,
) -> bool:
    """A moved label: clear of obstacles and other labels (by ``gap``), its leader clear of
    obstacles, of other leaders and of the subject muscles its anchor is not on (except those
    in ``allowed``, by label index: the ones its first place crossed already)."""
    allowed = allowed or {}
    x0, y0, x1, y1 = lab.box
    grown = (x0 - gap, y0 - gap, x1 + gap, y1 + gap)
    if any(boxes_overlap(grown, o) for o in obstacles):
        return False
    if any(boxes_overlap(grown, o.box) for o in others):
        return False
    if leader_obstacles(lab, obstacles):
        return False
    if any(
        segments_cross(lab.leader_start, lab.leader_end, o.leader_start, o.leader_end)
        for o in others
    ):
        return False
    if regions is None:
        return True
    return regions.foreign(lab.leader_start, lab.leader_end) & ~allowed.get(lab.index, 0) == 0


def _blocked(
    obstacles: Sequence[Box], x0: float, x1: float, gap: float, top: float, bottom: float
) -> list[tuple[float, float]]:
    """Merged y-intervals (padded by ``gap``) that obstacles block in the column x0..x1."""
    spans = sorted(
        (max(top, o[1] - gap), min(bottom, o[3] + gap))
        for o in obstacles
        if o[0] < x1 + gap and x0 - gap < o[2] and o[1] - gap < bottom and top < o[3] + gap
    )
    merged: list[tuple[float, float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _hits(y: float, h: float, blocked: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    for a, b in blocked:
        if y < b and a < y + h:
            return a, b
    return None


def _stack_around(
    wishes: Sequence[float],
    heights: Sequence[float],
    gap: float,
    top: float,
    bottom: float,
    blocked: Sequence[tuple[float, float]],
    per_label: Sequence[Sequence[tuple[float, float]]] | None = None,
) -> list[float] | None:
    """Like :func:`_stack`, but no label may touch a ``blocked`` interval; ``None`` if full.

    The balanced stack is kept when it already avoids every interval. Otherwise labels go down
    from their wishes, jumping below blocked intervals, then back up from the bottom edge,
    jumping above them; any label pushed past the top means the column cannot hold them all.
    ``per_label`` gives each label its own intervals instead (what its own box's width
    meets: a short name beside a slide's key column is not pushed below it because a long
    name in the same column would reach into it).
    """
    spans = [blocked] * len(wishes) if per_label is None else list(per_label)
    ys = _stack(wishes, heights, gap, top, bottom)
    if not any(_hits(y, h, b) for y, h, b in zip(ys, heights, spans, strict=True)):
        return ys
    out: list[float] = []
    floor = top
    for wish, h, b in zip(wishes, heights, spans, strict=True):
        y = max(wish, floor)
        while (hit := _hits(y, h, b)) is not None:
            y = hit[1]
        out.append(y)
        floor = y + h + gap
    ceiling = bottom
    for k in range(len(out) - 1, -1, -1):
        h = heights[k]
        y = min(out[k], ceiling - h)
        while (hit := _hits(y, h, spans[k])) is not None:
            y = hit[0] - h
        if y < top - 1e-9:
            return None
        out[k] = y
        ceiling = y - gap
    return out


def _place_column(
    side: str,
    order: list[int],
    anchors: Sequence[Point],
    sizes: Sequence[tuple[float, float]],
    xs: dict[int, float],
    gap: float,
    top: float,
    bottom: float,
    blocked: Sequence[tuple[float, float]],
    own_blocked: dict[int, list[tuple[float, float]]] | None = None,
) -> dict[int, PlacedLabel] | None:
    """One column: boxes at ``xs`` (their inner edges aligned where room allows), stacked near
    their anchors' heights; adjacent labels whose leaders cross swap places. ``own_blocked``
    gives each label the intervals its own box meets (else the column's ``blocked``)."""

    def build(seq: list[int]) -> list[PlacedLabel] | None:
        heights = [float(sizes[i][1]) for i in seq]
        wishes = [float(anchors[i][1]) - h / 2.0 for i, h in zip(seq, heights, strict=False)]
        per = None if own_blocked is None else [own_blocked[i] for i in seq]
        ys = _stack_around(wishes, heights, gap, top, bottom, blocked, per)
        if ys is None:
            return None
        out = []
        for i, y in zip(seq, ys, strict=False):
            w, h = float(sizes[i][0]), float(sizes[i][1])
            x = xs[i]
            end = (x + w, y + h / 2.0) if side == LEFT else (x, y + h / 2.0)
            start = (float(anchors[i][0]), float(anchors[i][1]))
            out.append(PlacedLabel(i, x, y, w, h, side, start, end))
        return out

    labels = build(order)
    if labels is None:
        return None
    for _ in range(len(order) * len(order)):  # bounded: each swap removes one crossing pair
        swapped = False
        for k in range(len(order) - 1):
            a, b = labels[k], labels[k + 1]
            if segments_cross(a.leader_start, a.leader_end, b.leader_start, b.leader_end):
                trial = [*order[:k], order[k + 1], order[k], *order[k + 2 :]]
                trial_labels = build(trial)
                if trial_labels is not None and _crossings(trial_labels) < _crossings(labels):
                    order, labels, swapped = trial, trial_labels, True
        if not swapped:
            break
    return {lab.index: lab for lab in labels}


def _enforce(
    labels: tuple[PlacedLabel, ...],
    prio: Sequence[float],
    viewport: tuple[float, float],
    obstacles: Sequence[Box],
) -> tuple[PlacedLabel, ...]:
    """Hide any label that overlaps a more important one or an obstacle, or leaves the view."""
    kept: list[PlacedLabel] = []
    out = list(labels)
    for lab in sorted(labels, key=lambda lab: (prio[lab.index], lab.index)):
        if not lab.visible:
            continue
        x0, y0, x1, y1 = lab.box
        inside = x0 >= 0 and y0 >= 0 and x1 <= viewport[0] and y1 <= viewport[1]
        clear = not any(boxes_overlap(lab.box, k.box) for k in kept)
        clear = clear and not any(boxes_overlap(lab.box, o) for o in obstacles)
        if inside and clear:
            kept.append(lab)
        else:
            out[lab.index] = replace(lab, visible=False)
    return tuple(out)


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


STORY_MUSCLES = (
    "iliopsoas",
    "psoas_major",
    "iliacus",
    "piriformis",
    "gluteus",
    "quadratus_lumborum",
)
"""Muscles the atlas's story is about (the iliopsoas and the muscles it balances): labelled
before any others when "label all" has to leave some out."""

LABEL_ALL_CAP = 14
"""Most labels "label all" puts up: beyond this the columns grow past what a reader scans."""

ANCHOR_CANDIDATES = 24
"""Seen samples offered per structure as leader anchors (checked in order by the render layer)."""

MIN_VISIBLE_SHARE = 0.06
"""Share of a structure's surface samples that must be seen for "label all" to label it."""


def label_priority(structure_id: str, selected: Collection[str] = ()) -> int:
    """Lower is more important: the selection (``selected`` holds it and the groups it belongs
    to), then story muscles, then everything else."""
    if structure_id in selected:
        return 0
    if structure_id.startswith(STORY_MUSCLES):
        return 1
    return 2


def choose_labels(
    shares: dict[str, float],
    priorities: dict[str, int],
    cap: int = LABEL_ALL_CAP,
    min_share: float = MIN_VISIBLE_SHARE,
) -> tuple[str, ...]:
    """The ids "label all" labels: seen enough, most important first, at most ``cap``.

    Within one priority the structures seen most come first, so a sliver peeking out from
    behind the pelvis loses to a muscle that fills the view. The selection (priority 0) is
    labelled whenever any of it is seen.
    """
    seen = [
        i
        for i, share in shares.items()
        if share >= min_share or (share > 0 and priorities.get(i, 2) == 0)
    ]
    seen.sort(key=lambda i: (priorities.get(i, 2), -shares[i], i))
    return tuple(seen[:cap])


@dataclass(frozen=True)
class Visibility:
    """How much of one structure the camera sees and where to point at it.

    ``share`` is the fraction of its surface samples that are in view and not behind an
    occluder; ``anchor`` is a seen sample near the middle of the seen part (``None`` if none).
    ``candidates`` are further seen samples, best first (``anchor`` is the first): the coarse
    grid can be wrong about a single sample, so the render layer checks them one by one with an
    exact line of sight and points the leader at the first that passes.
    """

    share: float
    anchor: tuple[float, float, float] | None
    candidates: tuple[tuple[float, float, float], ...] = ()


def sample_points(points: NDArray[Any], limit: int = 4000) -> NDArray[np.float64]:
    """At most ``limit`` evenly strided vertices (deterministic), enough for visibility tests."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if len(p) <= limit:
        return p
    return p[:: int(np.ceil(len(p) / limit))]


def visible_parts(
    samples: dict[str, NDArray[Any]],
    occluders: set[str] | frozenset[str],
    matrix: NDArray[Any],
    viewport: tuple[float, float],
    eye: tuple[float, float, float],
    direction: tuple[float, float, float],
    parts: dict[str, tuple[str, ...]] | None = None,
    tolerance_mm: float = 4.0,
) -> dict[str, Visibility]:
    """Which structures the camera sees, from surface samples splatted into a coarse depth grid.

    Every occluder sample writes its depth (mm along the viewing ``direction`` from ``eye``) and
    its owner into a grid of cells about 1/80 of the view high; an empty cell then takes the
    nearest of its 3 x 3 neighbourhood, so gaps between samples do not let hidden structures
    show through. A sample is seen when it is in the viewport and either no more than
    ``tolerance_mm`` behind that nearest depth or owned by the nearest structure itself (a
    steep flank of a muscle does not hide the muscle). ``parts`` maps a group id to the
    occluder ids it is made of. Cheap (no rendering, plain NumPy), which is all "label all" and
    label anchors need: whether a muscle is in front or hidden, not exact pixels.
    """
    width, height = float(viewport[0]), float(viewport[1])
    cell = max(5.0, height / 80.0)
    nx, ny = int(np.ceil(width / cell)) + 1, int(np.ceil(height / cell)) + 1
    d = np.asarray(direction, dtype=np.float64)
    d /= np.linalg.norm(d) or 1.0
    e = np.asarray(eye, dtype=np.float64)
    order = sorted(occluders & set(samples))
    owner_index = {sid: k for k, sid in enumerate(order)}
    projected: dict[str, tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]] = {}
    zbuf = np.full(nx * ny, np.inf)
    owner = np.full(nx * ny, -1)
    for sid, pts in samples.items():
        p = np.asarray(pts, dtype=np.float64).reshape(-1, 3)
        pixels, inside = project_points(p, matrix, viewport)
        depth = (p - e) @ d
        cx = np.clip((pixels[:, 0] / cell).astype(int), 0, nx - 1)
        cy = np.clip((pixels[:, 1] / cell).astype(int), 0, ny - 1)
        flat = cy * nx + cx
        projected[sid] = (p, inside, depth, flat)
    for sid in order:
        _, inside, depth, flat = projected[sid]
        if inside.any():
            np.minimum.at(zbuf, flat[inside], depth[inside])
    for sid in order:
        _, inside, depth, flat = projected[sid]
        wins = inside & (depth <= zbuf[flat])
        owner[flat[wins]] = owner_index[sid]
    grid, own = zbuf.reshape(ny, nx), owner.reshape(ny, nx)
    padded = np.pad(grid, 1, constant_values=np.inf)
    padded_own = np.pad(own, 1, constant_values=-1)
    near, near_own = grid.copy(), own.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            shifted = padded[1 + dy : 1 + dy + ny, 1 + dx : 1 + dx + nx]
            closer = shifted < near
            near = np.where(closer, shifted, near)
            shifted_own = padded_own[1 + dy : 1 + dy + ny, 1 + dx : 1 + dx + nx]
            near_own = np.where(closer, shifted_own, near_own)
    # Only empty cells (gaps between samples) borrow from their neighbours: a measured cell
    # keeps its own nearest depth, so a muscle peeking out beside another is not eroded away.
    empty = np.isinf(grid)
    near = np.where(empty, near, grid)
    near_own = np.where(empty, near_own, own)
    nearest, nearest_own = near.ravel(), near_own.ravel()
    groups = parts or {}
    out: dict[str, Visibility] = {}
    for sid, (p, inside, depth, flat) in projected.items():
        mine = [owner_index[o] for o in (sid, *groups.get(sid, ())) if o in owner_index]
        seen = inside & (
            (depth <= nearest[flat] + tolerance_mm) | np.isin(nearest_own[flat], mine)
        )
        if not len(p) or not seen.any():
            out[sid] = Visibility(0.0, None)
            continue
        # Point at a sample that is itself the nearest thing in its cell when there is one, so
        # the leader ends on the structure, not on whatever covers its middle.
        front = seen & np.isin(owner[flat], mine)
        q = p[front] if front.any() else p[seen]
        ranked = q[np.argsort(((q - q.mean(axis=0)) ** 2).sum(axis=1), kind="stable")]
        # Best first, then spread over the rest of the seen part (not just the centre's ring).
        picks = list(ranked[:ANCHOR_CANDIDATES // 2])
        rest = ranked[ANCHOR_CANDIDATES // 2 :]
        if len(rest):
            stride = max(1, len(rest) // (ANCHOR_CANDIDATES - len(picks)))
            picks += list(rest[::stride][: ANCHOR_CANDIDATES - len(picks)])
        candidates = tuple((float(c[0]), float(c[1]), float(c[2])) for c in picks)
        out[sid] = Visibility(float(seen.sum()) / len(p), candidates[0], candidates)
    return out
