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


def _closed(mesh: trimesh.Trimesh) -> bool:
    """Watertight, consistently wound, positive volume (closed and outward)."""
    return bool(mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0)


def _quadric(mesh: trimesh.Trimesh, target_faces: int, agg: float) -> trimesh.Trimesh:
    """One fast-simplification pass to ``target_faces`` triangles."""
    import fast_simplification

    pts, faces = fast_simplification.simplify(
        np.asarray(mesh.vertices, dtype=np.float64),
        np.asarray(mesh.faces, dtype=np.int64),
        target_count=int(target_faces),
        agg=agg,
    )
    out = trimesh.Trimesh(pts, faces, process=True)
    out.remove_unreferenced_vertices()
    if out.is_winding_consistent and out.volume < 0:
        out.invert()
    return out


def _decimate_pro(mesh: trimesh.Trimesh, target_faces: int) -> trimesh.Trimesh:
    """VTK DecimatePro with topology preserved (never opens holes; may stop above target)."""
    import vtk
    from vtk.util import numpy_support as ns

    from tools.atlas_build.writer import mesh_to_polydata

    dec = vtk.vtkDecimatePro()
    dec.SetInputData(mesh_to_polydata(mesh))
    dec.SetTargetReduction(1.0 - target_faces / len(mesh.faces))
    dec.PreserveTopologyOn()
    dec.SplittingOff()
    dec.BoundaryVertexDeletionOff()
    dec.Update()
    poly = dec.GetOutput()
    pts = ns.vtk_to_numpy(poly.GetPoints().GetData()).astype(np.float64)
    tris = ns.vtk_to_numpy(poly.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    out = trimesh.Trimesh(pts, tris, process=True)
    if out.is_winding_consistent and out.volume < 0:
        out.invert()
    return out


def decimate(mesh: trimesh.Trimesh, target_faces: int) -> trimesh.Trimesh:
    """Decimate ``mesh`` to at most ``target_faces`` triangles, keeping it closed and outward.

    Quadric decimation occasionally pinches two sheets into a non-manifold edge; when that
    happens we retry with slightly different targets / aggressiveness, then fall back to VTK's
    topology-preserving DecimatePro. All attempts are deterministic.
    """
    if len(mesh.faces) <= target_faces:
        return mesh.copy()
    want_closed = _closed(mesh)
    first: trimesh.Trimesh | None = None
    for frac, agg in ((1.0, 7.0), (0.97, 5.0), (0.94, 3.0), (0.9, 7.0), (0.86, 4.0)):
        out = _quadric(mesh, max(4, int(target_faces * frac)), agg)
        first = first or out
        if not want_closed or _closed(out):
            return out
    out = _decimate_pro(mesh, target_faces)
    if _closed(out) and len(out.faces) <= target_faces * 1.05:
        return out
    return first
