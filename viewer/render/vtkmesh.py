"""Turn :class:`~viewer.io.meshes.MeshArrays` into ``vtkPolyData`` without copying."""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

from viewer.io.meshes import MeshArrays


def to_polydata(mesh: MeshArrays) -> vtkPolyData:
    """Wrap the arrays in a ``vtkPolyData`` (VTK keeps a reference to the NumPy buffers)."""
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.ascontiguousarray(mesh.points, dtype=np.float32)))
    n = mesh.triangles.shape[0]
    offsets = np.arange(0, 3 * n + 1, 3, dtype=np.int64)
    connectivity = np.ascontiguousarray(mesh.triangles.reshape(-1), dtype=np.int64)
    cells = vtkCellArray()
    cells.SetData(numpy_to_vtkIdTypeArray(offsets), numpy_to_vtkIdTypeArray(connectivity))
    poly = vtkPolyData()
    poly.SetPoints(points)
    poly.SetPolys(cells)
    if mesh.normals is not None:
        normals = numpy_to_vtk(np.ascontiguousarray(mesh.normals, dtype=np.float32))
        normals.SetName("Normals")
        poly.GetPointData().SetNormals(normals)
    if mesh.fibre_phase is not None:
        from viewer.render.striation import striation_tcoords

        poly.GetPointData().SetTCoords(striation_tcoords(mesh.fibre_phase))
    if mesh.tendon is not None and len(mesh.tendon) == len(mesh.points):
        from viewer.render.tendons import TENDON_ARRAY

        tendon = numpy_to_vtk(np.ascontiguousarray(mesh.tendon, dtype=np.float32))
        tendon.SetName(TENDON_ARRAY)
        poly.GetPointData().AddArray(tendon)
    return poly
