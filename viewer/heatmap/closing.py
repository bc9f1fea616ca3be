"""Morphological closing of a referral zone on the skin, at the scale of a clinical chart.

A zone is drawn from a few skin landmarks, each a geodesic disc (or strip), and their union has
narrow inlets and bays wherever two discs only just meet: the gluteus maximus buttock zone had
a 50 mm slot of plain skin reaching into it between the sacral and upper-buttock discs. A chart
draws one region there. Averaging the weights (:class:`~viewer.heatmap.outline.ZoneSmoother`)
only rounds cusps a few millimetres across; a closing (grow the zone by ``r``, then shrink it
by ``r``) fills every gap narrower than ``2 r`` and leaves every convex edge where it was, so
the referral pattern keeps its extent.

The zone is given as a signed distance ``D`` to its edge (negative inside; the minimum over the
zone's discs of geodesic distance minus the disc's radius). Growing is exact: ``D <= r``. The
shrink needs each vertex's distance ``E`` to the grown zone's edge, found by one Dijkstra along
mesh edges from the grown zone's border vertices, each seeded with its own distance to that
edge (``r - D``), so coarse triangles do not round the result to whole edges. The closed zone is
``min(D, r - E)``: never smaller than the zone itself.

Gaps wider than a closing fills can still be enclosed on every side (two strips side by side,
closed at both ends): :func:`enclosed_holes` finds such islands of plain skin, and those too
narrow to be an area a source could describe are painted as zone.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra

CLOSING_MM = 12.0
"""Gaps between a zone's discs narrower than twice this are filled (clinical-chart scale).

Must stay below half a zone's falloff (12.5 mm): the distance fields end at the falloff's reach,
and the grown zone must lie inside that reach.
"""


class ZoneCloser:
    """Closing of zone distance fields on one skin mesh (edge graph built once)."""

    def __init__(
        self,
        points: NDArray[np.floating],
        triangles: NDArray[np.integer],
        radius_mm: float = CLOSING_MM,
    ) -> None:
        p = np.asarray(points, dtype=np.float64)
        t = np.asarray(triangles, dtype=np.int64)
        a = np.concatenate([t[:, 0], t[:, 1], t[:, 2]])
        b = np.concatenate([t[:, 1], t[:, 2], t[:, 0]])
        n = len(p)
        ones = np.ones(len(a))
        graph = sparse.coo_matrix((ones, (a, b)), shape=(n, n)).tocsr()
        graph = (graph + graph.T).tocsr()  # both directions, whatever the triangles' winding
        rows = np.repeat(np.arange(n), np.diff(graph.indptr))
        graph.data = np.linalg.norm(p[rows] - p[graph.indices], axis=1)  # each edge its length
        self.graph = graph
        self.radius = float(radius_mm)

    def close(
        self, distances: list[NDArray[np.float64]], region: NDArray[np.int64], reach: float
    ) -> list[NDArray[np.float64]]:
        """Each zone's closed signed distance (mm, never above its own) on ``region``.

        ``distances`` are signed distances on the ``region`` vertices (``inf`` beyond a zone's
        reach); nested zones (the essential zone and the whole painted zone) share one
        shortest-path run. Closed values below ``-reach`` are reported as ``-reach``: deeper
        inside, a zone's weight is 1 anyway, so the search stops there.
        """
        r = self.radius
        idx = np.asarray(region, dtype=np.int64)
        grown_any = np.zeros(len(idx), dtype=bool)
        for d in distances:
            grown_any |= d <= r
        if not grown_any.any():
            return [np.asarray(d, dtype=np.float64) for d in distances]
        # A shortest path from a grown vertex to the grown zone's edge stays inside the zone.
        inner = np.flatnonzero(grown_any)
        sub = self.graph[idx[inner]][:, idx[inner]].tocsr()
        m = len(inner)
        # Vertices with a neighbour that no zone grew to (edges cut off by the subgraph).
        degree = np.diff(self.graph.indptr)[idx[inner]]
        touches_outside = np.diff(sub.indptr) < degree
        sources_ptr = [0]
        sources_col: list[NDArray[np.int64]] = []
        sources_w: list[NDArray[np.float64]] = []
        for d in distances:
            dd = d[inner]
            grown = dd <= r
            # Border: grown vertices next to one this zone did not grow to.
            border = grown & (touches_outside | (sub @ (~grown).astype(np.float64) > 0))
            seeds = np.flatnonzero(border)
            sources_col.append(seeds)
            sources_w.append(np.maximum(r - dd[seeds], 1e-6))
            sources_ptr.append(sources_ptr[-1] + len(seeds))
        k = len(distances)
        indptr = np.concatenate(
            [sub.indptr, sub.indptr[-1] + np.asarray(sources_ptr[1:], dtype=np.int64)]
        )
        graph = sparse.csr_matrix(
            (
                np.concatenate([sub.data, *sources_w]),
                np.concatenate([sub.indices, *sources_col]),
                indptr,
            ),
            shape=(m + k, m + k),
        )
        limit = r + reach
        e = dijkstra(graph, directed=True, indices=np.arange(m, m + k), limit=limit)[:, :m]
        out = []
        for j, d in enumerate(distances):
            closed = np.asarray(d, dtype=np.float64).copy()
            dd = closed[inner]
            grown = dd <= r
            shrink = np.where(np.isfinite(e[j]), r - e[j], -reach)
            closed[inner] = np.where(grown, np.minimum(dd, shrink), dd)
            out.append(closed)
        return out


def enclosed_holes(
    weights: NDArray[np.floating],
    graph: sparse.csr_matrix,
    region: NDArray[np.int64],
    max_depth_mm: float,
    level: float = 0.5,
) -> NDArray[np.int64]:
    """Vertices of the islands of plain skin that a zone surrounds, each too narrow to hold a
    disc of radius ``max_depth_mm``.

    The zone is where ``weights`` reach ``level``; ``region`` holds every zone vertex and a band
    of skin around it. An island is a connected set of vertices below the level that does not
    reach the region's border (beyond which the skin is plain and open), so the zone encloses
    it. Its depth is the farthest any of its vertices lies from the zone, along mesh edges
    (seeded at the zone's vertices by how far below the level each neighbour is, so coarse
    triangles do not count whole edges).
    """
    idx = np.asarray(region, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)[idx]
    sub = graph[idx][:, idx].tocsr()
    border = np.diff(sub.indptr) < np.diff(graph.indptr)[idx]
    below = w < level
    out = np.flatnonzero(below)
    if len(out) == 0:
        return np.zeros(0, dtype=np.int64)
    k, label = connected_components(sub[out][:, out], directed=False)
    closed = np.ones(k, dtype=bool)
    closed[label[border[out]]] = False
    if not closed.any():
        return np.zeros(0, dtype=np.int64)
    island = np.zeros(len(idx), dtype=bool)
    island[out[closed[label]]] = True
    # Edges from the zone into the islands, each cut where the weight crosses the level.
    coo = sub.tocoo()
    entry = ~below[coo.row] & island[coo.col]
    frac = (w[coo.row[entry]] - level) / np.maximum(w[coo.row[entry]] - w[coo.col[entry]], 1e-9)
    start = np.full(len(idx), np.inf)
    np.minimum.at(start, coo.col[entry], coo.data[entry] * (1.0 - frac))
    keep = np.flatnonzero(island)
    inner = sub[keep][:, keep].tocoo()
    m = len(keep)
    seeds = np.flatnonzero(np.isfinite(start[keep]))
    rows = np.concatenate([inner.row, np.full(len(seeds), m)])
    cols = np.concatenate([inner.col, seeds])
    data = np.concatenate([inner.data, np.maximum(start[keep][seeds], 1e-6)])
    search = sparse.csr_matrix((data, (rows, cols)), shape=(m + 1, m + 1))
    depth = dijkstra(search, directed=True, indices=m)[:m]
    comp = label[np.searchsorted(out, keep)]
    deepest = np.zeros(k)
    np.maximum.at(deepest, comp, depth)
    fill = closed & (deepest <= max_depth_mm)
    return np.asarray(idx[out[fill[label]]], dtype=np.int64)
