"""An independent ray cast for tests that check the viewer's VTK ray casts (marker depth, label
anchors): Moller-Trumbore over a triangle array in NumPy, sharing no code with the viewer."""

from __future__ import annotations

import numpy as np


def crossings(
    tri: np.ndarray, eye: np.ndarray, target: np.ndarray, slack: float = 0.0, beyond_mm: float = 0.0
) -> np.ndarray:
    """Distances (mm from ``eye``) at which the ray towards ``target`` crosses the triangles
    ``tri`` (n, 3, 3), up to ``beyond_mm`` past the target when it is given, else without end.
    ``slack`` widens each triangle's edges (barycentric units): a ray along a shared edge
    then counts."""
    length = float(np.linalg.norm(target - eye))
    d = (target - eye) / length
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    p = np.cross(d, e2)
    det = (e1 * p).sum(axis=1)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    t0 = eye - tri[:, 0]
    u = (t0 * p).sum(axis=1) * inv
    q = np.cross(t0, e1)
    v = (q @ d) * inv
    t = (e2 * q).sum(axis=1) * inv
    hit = ok & (u >= -slack) & (v >= -slack) & (u + v <= 1 + slack) & (t > 0)
    if beyond_mm:
        hit &= t <= length + beyond_mm
    return np.sort(t[hit])
