"""Levels of detail: triangle budgets per structure and quadric decimation to meet them.

The contract caps the whole atlas at 400 k triangles (full) and 100 k (light). Budgets are split
by kind first (bones / muscles / skin) and then within a kind in proportion to surface area, so
a big gluteus maximus keeps more triangles than a thin multifidus.
"""

from __future__ import annotations

import numpy as np
import trimesh

FULL_TOTAL = 400_000
LIGHT_TOTAL = 100_000
#: share of the total budget per kind (sum 0.97 keeps a small safety margin)
KIND_SHARE = {"bone": 0.36, "muscle": 0.36, "skin": 0.25}
MIN_FACES = 400


def allocate(areas: dict[str, float], kinds: dict[str, str], total: int) -> dict[str, int]:
    """Triangle budget per structure id: kind share of ``total``, split by surface area."""
    budgets: dict[str, int] = {}
    for kind, share in KIND_SHARE.items():
        ids = sorted(k for k in areas if kinds[k] == kind)
        if not ids:
            continue
        pool = share * total
        weight = np.array([areas[k] for k in ids], dtype=np.float64)
        weight = weight / weight.sum()
        for k, w in zip(ids, weight, strict=True):
            budgets[k] = max(MIN_FACES, int(pool * w))
    return budgets


def decimate(mesh: trimesh.Trimesh, target_faces: int) -> trimesh.Trimesh:
    """Quadric-decimate ``mesh`` to at most ``target_faces`` triangles (no-op if already under).

    Returns a cleaned mesh with consistent outward winding (checked by volume sign).
    """
    if len(mesh.faces) <= target_faces:
        return mesh.copy()
    import fast_simplification

    reduction = 1.0 - target_faces / len(mesh.faces)
    pts, faces = fast_simplification.simplify(
        np.asarray(mesh.vertices, dtype=np.float64),
        np.asarray(mesh.faces, dtype=np.int64),
        target_reduction=float(reduction),
        agg=7,
    )
    out = trimesh.Trimesh(pts, faces, process=True)
    out.remove_unreferenced_vertices()
    if out.is_winding_consistent and out.volume < 0:
        out.invert()
    return out
