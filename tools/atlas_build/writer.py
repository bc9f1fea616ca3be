"""Write meshes as binary, zlib-compressed VTK XML PolyData with point normals, deterministically.

The viewer reads these files with VTK; determinism matters because the built meshes/ are
committed and a rebuild must give byte-identical files. Coordinates are rounded to 1 µm
(float32 storage) so that tiny floating-point noise cannot change the bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import trimesh


def mesh_to_polydata(mesh: trimesh.Trimesh) -> Any:
    """Build a vtkPolyData (float32 points, int64 triangles, float32 point normals)."""
    import vtk
    from vtk.util import numpy_support as ns

    verts = np.round(np.asarray(mesh.vertices, dtype=np.float64), 3).astype(np.float32)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    normals = np.asarray(mesh.vertex_normals, dtype=np.float64)
    normals = np.round(normals, 5).astype(np.float32)

    points = vtk.vtkPoints()
    points.SetData(ns.numpy_to_vtk(verts, deep=True))
    offsets = np.arange(0, 3 * len(faces) + 1, 3, dtype=np.int64)
    cells = vtk.vtkCellArray()
    cells.SetData(
        ns.numpy_to_vtk(offsets, deep=True, array_type=vtk.VTK_ID_TYPE),
        ns.numpy_to_vtk(faces.ravel(), deep=True, array_type=vtk.VTK_ID_TYPE),
    )
    poly = vtk.vtkPolyData()
    poly.SetPoints(points)
    poly.SetPolys(cells)
    arr = ns.numpy_to_vtk(normals, deep=True)
    arr.SetName("Normals")
    poly.GetPointData().SetNormals(arr)
    return poly


def write_vtp(mesh: trimesh.Trimesh, path: Path) -> None:
    """Write ``mesh`` to ``path`` as binary zlib-compressed .vtp (appended raw data)."""
    import vtk

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = vtk.vtkXMLPolyDataWriter()
    writer.SetFileName(str(path))
    writer.SetInputData(mesh_to_polydata(mesh))
    writer.SetDataModeToBinary()
    writer.SetCompressorTypeToZLib()
    writer.SetHeaderTypeToUInt64()
    if writer.Write() != 1:
        raise OSError(f"VTK could not write {path}")


def read_vtp(path: Path) -> trimesh.Trimesh:
    """Read a .vtp triangle surface back into trimesh (used by tests and checks)."""
    import vtk
    from vtk.util import numpy_support as ns

    reader = vtk.vtkXMLPolyDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    poly = reader.GetOutput()
    verts = ns.vtk_to_numpy(poly.GetPoints().GetData()).astype(np.float64)
    conn = ns.vtk_to_numpy(poly.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    return trimesh.Trimesh(verts, conn, process=False)


def _round_floats(obj: Any, ndigits: int) -> Any:
    """Recursively round floats so JSON text is stable across platforms."""
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, dict):
        return {k: _round_floats(v, ndigits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round_floats(v, ndigits) for v in obj]
    return obj


def write_json(obj: Any, path: Path, ndigits: int = 3) -> None:
    """Write JSON deterministically: rounded floats, fixed indentation, trailing newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_round_floats(obj, ndigits), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
