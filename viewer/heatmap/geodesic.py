"""Geodesic distance on the skin: how far along the body surface a vertex is from a landmark.

Referred-pain zones follow the skin, not straight lines through the body (the groin is close to
the buttock through the pelvis but far over the skin). Two methods:

- ``heat``: the heat method (Crane et al.) via ``potpourri3d.MeshHeatMethodDistanceSolver``;
  one sparse factorisation, then each landmark costs two sparse solves;
- ``graph``: Dijkstra along mesh edges with SciPy; a slight over-estimate (paths zig-zag along
  edges), used when potpourri3d is not installed and in tests of the fallback.

Only the part of the skin near the landmarks (the region of interest) is solved: a path shorter
than ``reach`` cannot leave the ball of that radius around its seed, so distances below ``reach``
are the same as on the whole skin; everything further is ``inf``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]
"""``progress(fraction in [0, 1], message)``, called during long computations."""

METHODS = ("auto", "heat", "graph")


def _noop(_fraction: float, _message: str) -> None:
    return None


class Solver(Protocol):
    """Distances (n,) float64 from a set of vertex indices of the mesh it was built on."""

    def __call__(self, seeds: NDArray[np.int64]) -> NDArray[np.float64]: ...


def heat_available() -> bool:
    """True when potpourri3d can be imported (the ``heat`` method works)."""
    try:
        import potpourri3d  # noqa: F401
    except ImportError:
        return False
    return True


def _heat_solver(points: NDArray[np.float64], triangles: NDArray[np.int64]) -> Solver:
    import potpourri3d as pp3d

    solver = pp3d.MeshHeatMethodDistanceSolver(points, triangles)

    def solve(seeds: NDArray[np.int64]) -> NDArray[np.float64]:
        raw = solver.compute_distance_multisource([int(s) for s in seeds])
        d: NDArray[np.float64] = np.asarray(raw, dtype=np.float64)
        d = np.where(np.isfinite(d), d, np.inf)
        d = np.maximum(d, 0.0)
        d[seeds] = 0.0
        return d

    return solve


def _graph_solver(points: NDArray[np.float64], triangles: NDArray[np.int64]) -> Solver:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    e = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    e = np.unique(np.sort(e, axis=1), axis=0)
    w = np.linalg.norm(points[e[:, 0]] - points[e[:, 1]], axis=1)
    n = len(points)
    graph = coo_matrix((w, (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()

    def solve(seeds: NDArray[np.int64]) -> NDArray[np.float64]:
        d: NDArray[np.float64] = np.asarray(
            dijkstra(graph, directed=False, indices=seeds, min_only=True), dtype=np.float64
        )
        return d

    return solve


def make_solver(
    points: NDArray[np.floating], triangles: NDArray[np.integer], method: str = "auto"
) -> Solver:
    """A distance solver for one mesh; ``auto`` uses the heat method when potpourri3d exists.

    In ``auto`` mode a mesh the heat method rejects (e.g. non-manifold, from an imported atlas)
    falls back to edge paths with a warning instead of failing.
    """
    if method not in METHODS:
        raise ValueError(f"unknown geodesic method {method!r} (use {', '.join(METHODS)})")
    p = np.ascontiguousarray(points, dtype=np.float64)
    t = np.ascontiguousarray(triangles, dtype=np.int64)
    if method == "graph" or (method == "auto" and not heat_available()):
        return _graph_solver(p, t)
    if method == "heat":
        return _heat_solver(p, t)
    try:
        return _heat_solver(p, t)
    except (RuntimeError, ValueError) as exc:
        log.warning("heat method failed on this skin (%s); using edge paths instead", exc)
        return _graph_solver(p, t)


def resolved_method(method: str) -> str:
    """The method ``auto`` stands for on this machine (part of cache keys)."""
    if method == "auto":
        return "heat" if heat_available() else "graph"
    return method


def region_of_interest(
    points: NDArray[np.floating],
    seed_sets: Mapping[str, NDArray[np.int64]],
    reach: Mapping[str, float],
) -> NDArray[np.bool_]:
    """Vertices within ``reach[id]`` (straight-line) of any seed of landmark ``id``."""
    from scipy.spatial import cKDTree

    pts = np.asarray(points, dtype=np.float64)
    tree = cKDTree(pts)
    mask = np.zeros(len(pts), dtype=bool)
    for key, seeds in seed_sets.items():
        for hits in tree.query_ball_point(pts[seeds], r=float(reach[key])):
            mask[hits] = True
    return mask


def _submesh(
    triangles: NDArray[np.int64], mask: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Triangles with all three vertices in ``mask``, re-indexed; and kept-vertex indices."""
    keep_t = mask[triangles].all(axis=1)
    tri = triangles[keep_t]
    used = np.unique(tri)
    remap = np.full(len(mask), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return remap[tri], used


def _components(triangles: NDArray[np.int64], n: int) -> NDArray[np.int32]:
    """Connected-component label of each vertex of a triangle mesh."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    e = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]]])
    graph = coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int32)


def distance_fields(
    points: NDArray[np.floating],
    triangles: NDArray[np.integer],
    seed_sets: Mapping[str, NDArray[np.int64]],
    reach: Mapping[str, float],
    method: str = "auto",
    progress: ProgressFn | None = None,
) -> dict[str, NDArray[np.float32]]:
    """Geodesic distance (mm) from each seed set over the whole skin.

    Parameters
    ----------
    points : (n, 3) skin vertices
    triangles : (m, 3) skin triangles
    seed_sets : landmark id -> vertex indices the distance is measured from
    reach : landmark id -> distance beyond which values may be ``inf`` (radius + falloff)
    method : ``auto``, ``heat`` or ``graph``
    progress : called with (fraction, message) as the work advances

    Returns
    -------
    landmark id -> (n,) float32 distances, ``inf`` beyond reach
    """
    report = progress or _noop
    out: dict[str, NDArray[np.float32]] = {}
    if not seed_sets:
        report(1.0, "no skin landmarks to measure")
        return out
    pts = np.asarray(points, dtype=np.float64)
    tri = np.asarray(triangles, dtype=np.int64)
    report(0.0, "selecting the skin region near the landmarks")
    mask = region_of_interest(pts, seed_sets, reach)
    sub_tri, used = _submesh(tri, mask)
    remap = np.full(len(pts), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    report(0.05, f"preparing the geodesic solver ({len(used)} skin vertices)")
    solver = make_solver(pts[used], sub_tri, method)
    component = _components(sub_tri, len(used))
    n = len(seed_sets)
    for i, (key, seeds) in enumerate(seed_sets.items()):
        report(0.4 + 0.6 * i / n, f"measuring distances from {key}")
        local = remap[np.asarray(seeds, dtype=np.int64)]
        local = local[local >= 0]
        full = np.full(len(pts), np.inf, dtype=np.float32)
        if local.size:
            d = solver(local)
            # the heat method leaves arbitrary values on patches the seeds cannot reach
            reached = np.isin(component, np.unique(component[local]))
            d = np.where(reached & (d <= float(reach[key])), d, np.inf)
            full[used] = d.astype(np.float32)
        else:
            log.warning("skin landmark %s has no seed on the solved region", key)
        out[key] = full
    report(1.0, "distances ready")
    return out
