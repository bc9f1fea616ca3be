"""Points bound to a triangle mesh by barycentric coordinates, so they ride on the mesh as it
deforms (a painful spot marked on the skin follows the posed skin).

A point is bound to its closest triangle: (triangle index, three barycentric weights). The same
binding evaluated on another set of vertices with the same triangles (the posed skin, or the
standing one) gives the point on that surface. Plain NumPy/SciPy: no Qt, no VTK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # SciPy's spatial module costs ~0.16 s to import: not before the first frame
    pass

K_NEAREST_VERTICES = 8
"""Triangles around this many nearest vertices are searched for the closest one."""


@dataclass(frozen=True)
class SurfaceBinding:
    """(n,) triangle indices and (n, 3) barycentric weights of n points on one mesh."""

    triangles: NDArray[np.int64]
    bary: NDArray[np.float64]

    def evaluate(self, vertices: ArrayLike, triangles: ArrayLike) -> NDArray[np.float64]:
        """(n, 3) points at the bound places on a mesh with these vertices."""
        v = np.asarray(vertices, dtype=np.float64)
        tri = np.asarray(triangles, dtype=np.int64)[self.triangles]
        return np.asarray(np.einsum("nk,nkd->nd", self.bary, v[tri]), dtype=np.float64)


def closest_on_triangles(
    p: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64], c: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Closest points on triangles (a, b, c) to points p, row by row (Ericson, *Real-Time
    Collision Detection*, 5.1.5): returns (points, barycentric weights)."""
    ab, ac, ap = b - a, c - a, p - a
    d1 = np.einsum("ij,ij->i", ab, ap)
    d2 = np.einsum("ij,ij->i", ac, ap)
    bp = p - b
    d3 = np.einsum("ij,ij->i", ab, bp)
    d4 = np.einsum("ij,ij->i", ac, bp)
    cp = p - c
    d5 = np.einsum("ij,ij->i", ab, cp)
    d6 = np.einsum("ij,ij->i", ac, cp)
    va = d3 * d6 - d5 * d4
    vb = d5 * d2 - d1 * d6
    vc = d1 * d4 - d3 * d2
    n = len(p)
    w = np.zeros((n, 3))
    done = np.zeros(n, dtype=bool)

    def put(mask: NDArray[np.bool_], weights: NDArray[np.float64]) -> None:
        m = mask & ~done
        w[m] = weights[m]
        done[m] = True

    with np.errstate(divide="ignore", invalid="ignore"):
        ones, zeros = np.ones(n), np.zeros(n)
        put((d1 <= 0) & (d2 <= 0), np.stack([ones, zeros, zeros], 1))
        put((d3 >= 0) & (d4 <= d3), np.stack([zeros, ones, zeros], 1))
        t = d1 / (d1 - d3)
        put((vc <= 0) & (d1 >= 0) & (d3 <= 0), np.stack([1 - t, t, zeros], 1))
        put((d6 >= 0) & (d5 <= d6), np.stack([zeros, zeros, ones], 1))
        t = d2 / (d2 - d6)
        put((vb <= 0) & (d2 >= 0) & (d6 <= 0), np.stack([1 - t, zeros, t], 1))
        t = (d4 - d3) / ((d4 - d3) + (d5 - d6))
        put((va <= 0) & (d4 - d3 >= 0) & (d5 - d6 >= 0), np.stack([zeros, 1 - t, t], 1))
        denom = 1.0 / (va + vb + vc)
        v, u = vb * denom, vc * denom
        put(np.ones(n, dtype=bool), np.stack([1 - v - u, v, u], 1))
    w = np.nan_to_num(w, nan=1.0 / 3.0)
    q = w[:, :1] * a + w[:, 1:2] * b + w[:, 2:] * c
    return q, w


def bind_points(points: ArrayLike, vertices: ArrayLike, triangles: ArrayLike) -> SurfaceBinding:
    """Bind each point to its closest triangle of the mesh (searched among the triangles
    around its nearest vertices, which holds for points on or near the surface)."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    v = np.asarray(vertices, dtype=np.float64)
    tri = np.asarray(triangles, dtype=np.int64)
    if not len(p):
        return SurfaceBinding(np.zeros(0, dtype=np.int64), np.zeros((0, 3)))
    # Triangles incident to each vertex (CSR-like lists through a sort).
    flat = tri.ravel()
    order = np.argsort(flat, kind="stable")
    starts = np.searchsorted(flat[order], np.arange(len(v) + 1))
    from scipy.spatial import cKDTree

    _, near = cKDTree(v).query(p, k=min(K_NEAREST_VERTICES, len(v)))
    near = np.atleast_2d(near).reshape(len(p), -1)
    best_tri = np.zeros(len(p), dtype=np.int64)
    best_w = np.zeros((len(p), 3))
    for i, row in enumerate(near):
        cand = np.unique(
            np.concatenate([order[starts[j] : starts[j + 1]] // 3 for j in row])
        ).astype(np.int64)
        if not len(cand):
            best_w[i] = (1.0, 0.0, 0.0)
            continue
        t = tri[cand]
        q, w = closest_on_triangles(
            np.repeat(p[i][None], len(cand), 0), v[t[:, 0]], v[t[:, 1]], v[t[:, 2]]
        )
        k = int(np.argmin(np.linalg.norm(q - p[i], axis=1)))
        best_tri[i], best_w[i] = cand[k], w[k]
    return SurfaceBinding(best_tri, best_w)


def carry(
    points: ArrayLike, from_vertices: ArrayLike, to_vertices: ArrayLike, triangles: ArrayLike
) -> NDArray[np.float64]:
    """Points on one shape of a mesh moved to the same places on another shape of it (posed to
    standing, or standing to posed)."""
    return bind_points(points, from_vertices, triangles).evaluate(to_vertices, triangles)
