"""Zone outlines on the skin and how smooth they are; smoothing of zone distance fields.

A referral zone is where a per-vertex weight reaches 0.5. Its outline is that level line, cut
out of each skin triangle (marching triangles) and chained into closed loops: the renderer draws
it so a zone reads on any colour (clinical charts outline their zones), and the tests measure
how smooth it is. Plain NumPy/SciPy: no VTK, so the rule is testable on its own.

Why smoothing: a zone built from several seed points is a union of geodesic discs, and its edge
has a cusp wherever two discs meet ("bubbly" zones). Averaging the zone weights over the mesh
rounds those cusps before the threshold is taken; wider slots between discs are filled first by
a true closing (:mod:`viewer.heatmap.closing`). The drawn outline is pulled taut over skin folds
and smoothed along its length to remove the zig-zag of single (sometimes 20 mm) triangles
(:func:`drawn_outline`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

SMOOTHING_MM = 16.0
"""About how far (mm) zone weights are smoothed; cusps narrower than this are rounded."""

RESAMPLE_MM = 8.0
"""Outline spacing for the smoothness measure (about a pixel at 1280x800 whole-body views)."""

Segments = NDArray[np.float64]
"""(k, 2, 3) line segments."""


def averaging_operator(n: int, triangles: NDArray[np.integer]) -> sparse.csr_matrix:
    """Row-stochastic matrix averaging each vertex with its mesh neighbours (half self)."""
    t = np.asarray(triangles, dtype=np.int64)
    rows = np.concatenate([t[:, 0], t[:, 1], t[:, 2], t[:, 1], t[:, 2], t[:, 0]])
    cols = np.concatenate([t[:, 1], t[:, 2], t[:, 0], t[:, 0], t[:, 1], t[:, 2]])
    adj = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    adj.data[:] = 1.0  # duplicate edges count once
    degree = np.asarray(adj.sum(axis=1)).ravel()
    degree[degree == 0] = 1.0
    neighbours = sparse.diags(0.5 / degree) @ adj
    return (neighbours + sparse.identity(n, format="csr") * 0.5).tocsr()


def smoothing_iterations(
    points: NDArray[np.floating], triangles: NDArray[np.integer], length_mm: float = SMOOTHING_MM
) -> int:
    """Iterations of :func:`averaging_operator` that smooth over about ``length_mm``.

    Each lazy averaging step spreads a random walk by about a quarter of an edge squared, so
    the smoothing length grows with the square root of the iteration count.
    """
    p = np.asarray(points, dtype=np.float64)
    t = np.asarray(triangles, dtype=np.int64)
    edge = float(np.median(np.linalg.norm(p[t[:, 0]] - p[t[:, 1]], axis=1))) or 1.0
    return max(1, min(60, round(1.2 * (length_mm / edge) ** 2)))


class ZoneSmoother:
    """:func:`smooth_weights` for one skin, ready to apply to any heat map in a few milliseconds.

    The averaging operator and its iteration count are built once. Averaging only reaches
    ``iterations`` mesh rings, so a map is smoothed on the vertices within that many rings of
    where it is non-zero (exact, not an approximation): a muscle's zones cover a few thousand of
    the skin's vertices, and the combined map of the points shown is smoothed as one field, so
    there is no notch where two patterns' zones meet.
    """

    def __init__(self, points: NDArray[np.floating], triangles: NDArray[np.integer]) -> None:
        self.n = len(points)
        self.op = averaging_operator(self.n, triangles).astype(np.float32)
        self.iterations = smoothing_iterations(points, triangles)
        self._reach = self.op.copy()
        self._reach.data[:] = 1.0

    def region(self, live: NDArray[np.bool_] | NDArray[np.float32]) -> NDArray[np.bool_]:
        """Vertices within ``iterations`` rings of ``live`` ones (what averaging can reach);
        ``live`` is ``(n,)`` or one column per map ``(n, k)``."""
        reached = np.asarray(live, dtype=np.float32)
        for _ in range(self.iterations):
            reached = self._reach @ reached
        return np.asarray(reached > 0.0)

    def __call__(
        self, columns: NDArray[np.float32], region: NDArray[np.bool_] | None = None
    ) -> NDArray[np.float32]:
        """Smoothed ``(n, k)`` weights; ``region`` (from :meth:`region`) saves recomputing it."""
        cols = np.asarray(columns, dtype=np.float32)
        if region is None:
            region = self.region(np.asarray(cols.any(axis=1)))
        idx = np.flatnonzero(region)
        out: NDArray[np.float32] = cols.copy()
        if len(idx) == 0:
            return out
        sub = self.op[idx][:, idx]
        start = cols[idx]
        work = start
        for _ in range(self.iterations):
            work = sub @ work
        out[idx] = np.maximum(start, work)  # a closing, never a shrink (see smooth_weights)
        return out


def smooth_weights(
    columns: NDArray[np.float32], points: NDArray[np.floating], triangles: NDArray[np.integer]
) -> NDArray[np.float32]:
    """Zone weights ``(n, k)`` averaged over the skin so the 0.5 level has no cusps.

    Where two discs of one zone meet, the weight has a crease; the average is higher than the
    crease in the notch, so taking the larger of the two rounds the edge across it, while a
    zone's inside (weight 1) and its convex edges keep their original values.
    """
    cols = np.asarray(columns, dtype=np.float32)
    live = np.flatnonzero(cols.any(axis=0))
    if len(live) == 0:
        return cols
    op = averaging_operator(len(points), triangles).astype(np.float32)
    work = cols[:, live]
    for _ in range(smoothing_iterations(points, triangles)):
        work = op @ work
    out: NDArray[np.float32] = cols.copy()
    # Never below the original: inside a zone stays exactly 1, nothing shrinks, only the
    # notches between discs fill (a closing, not a blur).
    out[:, live] = np.maximum(cols[:, live], work)
    return out


OUTLINE_STEP_MM = 2.0
"""Point spacing of a drawn outline."""

OUTLINE_SIGMA_MM = 6.0
"""Least smoothing of a drawn outline along its length (Gaussian sigma, mm)."""

SIGMA_PER_EDGE = 0.6
"""Where the skin's triangles are large, the level line is a chain of straight chords with a
corner at every mesh edge (the refitted skin has 15-20 mm triangles on the side of the buttock,
3 mm ones elsewhere): the outline is smoothed over this fraction of the local edge length."""

BRIDGE_ITERATIONS = 24
"""Steps of averaging that find where an outline dips into a skin crease (see
:func:`_fold_runs`)."""

BRIDGE_SIGMA_MM = 6.0
"""Each of those steps averages the line over this (mm) along its length."""

BRIDGE_NORMAL_SIGMA_MM = 10.0
"""Normals are averaged over this (mm) along the outline to find which way is out of a fold."""

FOLD_MIN_LIFT_MM = 0.5
"""A stretch of outline is in a fold where that averaging lifts it by more than this."""

FOLD_MARGIN_MM = 12.0
"""Each fold stretch is widened by this (mm) on both sides, so the thread pulled taut over the
fold starts and ends on skin the line already follows (where it stays where it is)."""


def _gaussian(
    pts: NDArray[np.float64], sigma: NDArray[np.float64] | float, closed: bool
) -> NDArray[np.float64]:
    """Points (spaced :data:`OUTLINE_STEP_MM`) averaged along the line with a Gaussian whose
    width ``sigma`` (mm) may differ from point to point."""
    n = len(pts)
    sig = np.asarray(sigma, dtype=np.float64)
    reach = round(3 * float(sig.max()) / OUTLINE_STEP_MM)
    half = max(1, min(n // 2 - 1 if closed else n - 1, reach))
    if n < 3:
        return pts
    offsets = np.arange(-half, half + 1)
    if sig.ndim == 0:  # one width: a convolution (the common, fast case)
        k = np.exp(-0.5 * (offsets * OUTLINE_STEP_MM / float(sig)) ** 2)
        k /= k.sum()
        if closed:
            padded = np.concatenate([pts[-half:], pts, pts[:half]])
        else:
            ends = (np.repeat(pts[:1], half, 0), np.repeat(pts[-1:], half, 0))
            padded = np.concatenate([ends[0], pts, ends[1]])
        return np.column_stack(
            [np.convolve(padded[:, i], k, mode="valid") for i in range(pts.shape[1])]
        )
    w = np.exp(-0.5 * (offsets[None, :] * OUTLINE_STEP_MM / sig[:, None]) ** 2)
    idx = np.arange(n)[:, None] + offsets[None, :]
    idx = np.mod(idx, n) if closed else np.clip(idx, 0, n - 1)
    w /= w.sum(axis=1, keepdims=True)
    out: NDArray[np.float64] = np.einsum("ij,ijk->ik", w, pts[idx])
    return out


def smooth_loop(
    loop: NDArray[np.float64], sigma_mm: float = OUTLINE_SIGMA_MM
) -> NDArray[np.float64]:
    """A polyline smoothed along its length (Gaussian, ``sigma_mm``); closed loops stay closed."""
    closed = bool(len(loop) > 3 and np.linalg.norm(loop[0] - loop[-1]) < 1e-6)
    pts = resample(loop, OUTLINE_STEP_MM)
    if len(pts) < 5:
        return loop
    smooth = _gaussian(pts, sigma_mm, closed)
    return np.vstack([smooth, smooth[:1]]) if closed else smooth


def drawn_outline(
    loop: NDArray[np.float64], normals: NDArray[np.float64], edges: NDArray[np.float64]
) -> NDArray[np.float64]:
    """A zone's level line as it is drawn: a smooth curve on the skin, pulled taut over creases.

    ``loop`` is the level line cut out of the triangles, ``normals`` the normal of the triangle
    each point was cut in, ``edges`` the length of the mesh edge each point lies on.

    - Creases: where the outline crosses a fold of the skin (the gluteal cleft is a V about
      35 mm deep below the sacrum), the line on the skin runs down one wall and up the other,
      a sharp bend in space that reads as a notch from behind. A chart draws straight across.
      The stretches that dip into a fold are found (:func:`_fold_runs`) and each is pulled
      taut over its fold (:func:`_taut_over_fold`): seen from out of the fold the line is
      unchanged, and in depth it follows the upper hull of its own points. (This replaced a
      fixed number of outward averaging steps: a diffusion that stopped short of taut in deep
      folds and left the line bent at the rims and the floor.)
    - Coarse triangles: the line is then smoothed along its length over
      :data:`OUTLINE_SIGMA_MM`, or :data:`SIGMA_PER_EDGE` of the local mesh edge where that is
      longer, which rounds the chord corners without moving the outline more than 1-3 mm.
    """
    closed = bool(len(loop) > 3 and np.linalg.norm(loop[0] - loop[-1]) < 1e-6)
    seg = np.linalg.norm(np.diff(loop, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    if arc[-1] < 5 * OUTLINE_STEP_MM:
        return loop
    at = np.arange(0.0, arc[-1], OUTLINE_STEP_MM)
    pts = np.column_stack([np.interp(at, arc, loop[:, i]) for i in range(3)])
    nrm = np.column_stack([np.interp(at, arc, normals[:, i]) for i in range(3)])
    nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-12)
    edge = np.interp(at, arc, edges)
    # Out of a fold means along the fold's bisector: the normals averaged across it.
    nrm = _gaussian(nrm, BRIDGE_NORMAL_SIGMA_MM, closed)
    nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-12)
    for run in _fold_runs(pts, nrm, closed):
        pts[run] = _taut_over_fold(pts[run], nrm[run])
    sigma = np.maximum(OUTLINE_SIGMA_MM, SIGMA_PER_EDGE * edge)
    sigma = _gaussian(sigma[:, None], OUTLINE_SIGMA_MM, closed)[:, 0]  # no sudden jumps
    smooth = _gaussian(pts, sigma, closed)
    return np.vstack([smooth, smooth[:1]]) if closed else smooth


def _fold_runs(
    pts: NDArray[np.float64], nrm: NDArray[np.float64], closed: bool
) -> list[NDArray[np.int64]]:
    """Index runs (in order along the line) of the stretches that dip into skin folds.

    Detection only: the line is averaged :data:`BRIDGE_ITERATIONS` times, each point moving
    only outward along its normal; points that rise more than :data:`FOLD_MIN_LIFT_MM` lie in
    a concave fold (on the rest of the skin, averaging would pull the line inward, which is
    refused). Runs are widened by :data:`FOLD_MARGIN_MM` and merged where they meet; a line
    that is all fold (a zone inside a crease) is left alone.
    """
    n = len(pts)
    work = pts.copy()
    lifted = np.zeros(n)
    for _ in range(BRIDGE_ITERATIONS):
        lift = np.einsum("ij,ij->i", _gaussian(work, BRIDGE_SIGMA_MM, closed) - work, nrm)
        lift = np.maximum(lift, 0.0)
        work = work + lift[:, None] * nrm
        lifted += lift
    fold = lifted > FOLD_MIN_LIFT_MM
    if not fold.any():
        return []
    margin = round(FOLD_MARGIN_MM / OUTLINE_STEP_MM)
    idx = np.flatnonzero(fold)[:, None] + np.arange(-margin, margin + 1)[None, :]
    wide = np.zeros(n, dtype=bool)
    wide[(np.mod(idx, n) if closed else np.clip(idx, 0, n - 1)).ravel()] = True
    if wide.all():
        return []
    # Runs of True in order along the line; on a closed line a run may wrap past the start.
    order = np.roll(np.arange(n), -int(np.argmin(wide))) if closed else np.arange(n)
    flags = wide[order]
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [order[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 3]


def _taut_over_fold(pts: NDArray[np.float64], nrm: NDArray[np.float64]) -> NDArray[np.float64]:
    """A stretch of outline (points on the skin) pulled taut over the fold it dips into.

    One direction ``u`` is out of the fold: the stretch's mean normal (across the fold the
    walls' normals cancel, leaving the fold's bisector). Each point is split into its
    footprint (where it is seen from ``u``) and its height along ``u``; heights are replaced
    by the upper concave hull of (distance along the footprint, height). So the line keeps its
    shape as seen from out of the fold, touches the skin where the skin is convex (the rims
    and beyond) and runs straight over the fold between them, above the skin (a ray out of a
    concave fold along its bisector does not meet the skin), whatever the fold's depth.
    """
    u = nrm.mean(axis=0)
    u /= max(float(np.linalg.norm(u)), 1e-12)
    h = pts @ u
    foot = pts - h[:, None] * u
    t = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(foot, axis=0), axis=1))])
    hull = _upper_hull(t, h)
    lift = np.maximum(np.interp(t, t[hull], h[hull]) - h, 0.0)
    out: NDArray[np.float64] = pts + lift[:, None] * u
    return out


def _upper_hull(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices of the upper convex hull of points with non-decreasing ``x`` (both ends kept)."""
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # Drop b when it lies on or below the line from a to i.
            if (x[b] - x[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (x[i] - x[a]) >= 0.0:
                hull.pop()
            else:
                break
        hull.append(i)
    return np.asarray(hull, dtype=np.int64)


def zone_outlines(
    points: NDArray[np.floating],
    triangles: NDArray[np.integer],
    weights: NDArray[np.floating],
    level: float = 0.5,
) -> list[NDArray[np.float64]]:
    """The drawn outline of a zone: its level-line loops as :func:`drawn_outline` draws them."""
    segs, keys, tri = _level_cut(points, triangles, weights, level)
    if len(segs) == 0:
        return []
    p = np.asarray(points, dtype=np.float64)
    face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
    face /= np.maximum(np.linalg.norm(face, axis=1, keepdims=True), 1e-12)
    edge_len = np.linalg.norm(p[keys[..., 1]] - p[keys[..., 0]], axis=-1)  # (k, 2)
    out = []
    for order in _chain_order(keys):
        if len(order) < 3:
            continue
        loop = segs[order[:, 0], order[:, 1]]
        out.append(drawn_outline(loop, face[order[:, 0]], edge_len[order[:, 0], order[:, 1]]))
    return out


def level_segments(
    points: NDArray[np.floating],
    triangles: NDArray[np.integer],
    values: NDArray[np.floating],
    level: float = 0.5,
) -> tuple[Segments, NDArray[np.int64]]:
    """Segments of the ``values == level`` line across the mesh, and each end's edge key pair.

    Returns ``(segments (k, 2, 3), edges (k, 2, 2))`` where ``edges`` names the mesh edge
    (sorted vertex pair) each segment end lies on, for chaining into loops. Vectorised: a
    heat map's outline is cut out of 100 000 triangles in a few milliseconds.
    """
    segs, keys, _ = _level_cut(points, triangles, values, level)
    return segs, keys


def _level_cut(
    points: NDArray[np.floating],
    triangles: NDArray[np.integer],
    values: NDArray[np.floating],
    level: float,
) -> tuple[Segments, NDArray[np.int64], NDArray[np.int64]]:
    """:func:`level_segments` plus the triangle (3 vertex ids) each segment was cut from."""
    t = np.asarray(triangles)
    v = np.asarray(values, dtype=np.float64) - level
    count = (v >= 0.0).view(np.uint8)[t].sum(axis=1, dtype=np.uint8)
    tri = t[(count == 1) | (count == 2)].astype(np.int64)
    p = np.asarray(points)
    if len(tri) == 0:
        return np.zeros((0, 2, 3)), np.zeros((0, 2, 2), dtype=np.int64), tri.reshape(0, 3)
    a = tri  # edge k runs from corner k to corner k+1
    b = np.roll(tri, -1, axis=1)
    va, vb = v[a], v[b]
    crosses = (va >= 0.0) != (vb >= 0.0)  # exactly two edges per mixed triangle
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(crosses, va / (va - vb), 0.0)
    pa, pb = p[a].astype(np.float64), p[b].astype(np.float64)
    where = pa + f[..., None] * (pb - pa)  # (k, 3 edges, 3)
    order = np.argsort(~crosses, axis=1, kind="stable")[:, :2]  # the two crossing edges
    rows = np.arange(len(tri))[:, None]
    segs = where[rows, order]
    lo = np.minimum(a, b)[rows, order]
    hi = np.maximum(a, b)[rows, order]
    keys = np.stack([lo, hi], axis=-1)
    return segs, keys, tri


def chain_loops(segments: Segments, keys: NDArray[np.int64]) -> list[NDArray[np.float64]]:
    """Join segments sharing mesh edges into polylines (closed loops repeat their first point)."""
    return [segments[idx[:, 0], idx[:, 1]] for idx in _chain_order(keys)]


def _chain_order(keys: NDArray[np.int64]) -> list[NDArray[np.int64]]:
    """Per polyline, its ``(segment, end)`` pairs in order (see :func:`chain_loops`)."""
    k = len(keys)
    if k == 0:
        return []
    flat = keys.reshape(-1, 2)
    _, edge = np.unique(flat[:, 0] * (int(flat[:, 1].max()) + 1) + flat[:, 1], return_inverse=True)
    edge = edge.reshape(k, 2)
    # Each mesh edge is crossed by at most two segments (its two triangles).
    partner: dict[int, list[int]] = {}
    for slot, e in enumerate(edge.ravel().tolist()):
        partner.setdefault(e, []).append(slot)
    ends = edge.tolist()
    used = [False] * k
    loops = []
    for start in range(k):
        if used[start]:
            continue
        used[start] = True
        order = [(start, 0), (start, 1)]
        tail = ends[start][1]
        first = ends[start][0]
        while tail != first:
            nxt = next(
                (slot for slot in partner[tail] if not used[slot // 2]), None
            )
            if nxt is None:
                break
            s, e = divmod(nxt, 2)
            used[s] = True
            order.append((s, 1 - e))
            tail = ends[s][1 - e]
        if tail == first and len(order) > 2:
            order.append((start, 0))
        loops.append(np.array(order, dtype=np.int64))
    return loops


def resample(line: NDArray[np.float64], step: float = RESAMPLE_MM) -> NDArray[np.float64]:
    """Points every ``step`` mm along a polyline."""
    seg = np.linalg.norm(np.diff(line, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] < 2 * step:
        return line
    at = np.arange(0.0, s[-1], step)
    return np.column_stack([np.interp(at, s, line[:, i]) for i in range(3)])


def turning_angles(line: NDArray[np.float64], step: float = RESAMPLE_MM) -> NDArray[np.float64]:
    """Absolute turning angle (degrees) at each resampled point of an outline.

    A smooth zone edge turns a little at each step (a 40 mm-radius circle turns about 6 degrees
    every 4 mm); a cusp where two discs meet turns 40-90 degrees in one step.
    """
    pts = resample(line, step)
    closed = len(line) > 2 and np.linalg.norm(line[0] - line[-1]) < step
    if closed:
        pts = np.vstack([pts[-1:], pts, pts[:1]])
    if len(pts) < 3:
        return np.zeros(0)
    a = pts[1:-1] - pts[:-2]
    b = pts[2:] - pts[1:-1]
    na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
    ok = (na > 1e-9) & (nb > 1e-9)
    cos = np.einsum("ij,ij->i", a[ok], b[ok]) / (na[ok] * nb[ok])
    angles: NDArray[np.float64] = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return angles


CUSP_DEGREES = 50.0
"""A turn sharper than this within one :data:`RESAMPLE_MM` step is a cusp (a smooth 20 mm-radius
bend turns 23 degrees per 8 mm; where two discs meet, the edge turns 60-120 degrees)."""


def outline_roughness(
    loops: list[NDArray[np.float64]], min_length_mm: float = 60.0
) -> tuple[float, float]:
    """The smoothness measure of a zone's outline: ``(cusps per metre, 95th percentile turn)``.

    Turning angles are taken every :data:`RESAMPLE_MM` along each loop (loops shorter than
    ``min_length_mm`` are specks, not zones, and are skipped). A smooth chart outline has no
    cusps and turns gently; a union of discs has a cusp wherever two discs meet.
    """
    angles = []
    length = 0.0
    for loop in loops:
        loop_length = float(np.linalg.norm(np.diff(loop, axis=0), axis=1).sum())
        if loop_length < min_length_mm:
            continue
        length += loop_length
        angles.append(turning_angles(loop))
    if not angles or length <= 0.0:
        return 0.0, 0.0
    turns = np.concatenate(angles)
    if len(turns) == 0:
        return 0.0, 0.0
    cusps = float((turns > CUSP_DEGREES).sum()) / (length / 1000.0)
    p95 = float(np.percentile(turns, 95))
    return (cusps, p95) if math.isfinite(p95) else (cusps, 180.0)
