"""Read atlas mesh files (``.vtp``, VTK XML PolyData) into plain NumPy arrays.

VTK is imported lazily here so that the domain and state layers stay free of it; the renderer turns
the arrays back into VTK objects without copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


class MeshError(Exception):
    """A mesh file is missing, unreadable or holds no usable surface."""


@dataclass(frozen=True)
class MeshArrays:
    """A triangle surface.

    Attributes
    ----------
    points : (n, 3) float32 array, atlas millimetres
    triangles : (m, 3) int64 array of point indices
    normals : (n, 3) float32 array of unit point normals, or ``None``
    fibre_phase : (n,) float32 cross-fibre coordinate in mm (muscles; level lines run along
        the fascicles, see ``tools/atlas_build/fibre_field.py``), or ``None``
    """

    points: NDArray[np.float32]
    triangles: NDArray[np.int64]
    normals: NDArray[np.float32] | None = None
    fibre_phase: NDArray[np.float32] | None = None

    @property
    def n_triangles(self) -> int:
        """Number of triangles."""
        return int(self.triangles.shape[0])


def read_mesh(path: Path) -> MeshArrays:
    """Read a triangulated ``.vtp`` file; raises :class:`MeshError` with a plain reason."""
    path = Path(path)
    if not path.is_file():
        raise MeshError("file not found")
    if path.suffix.lower() != ".vtp":
        raise MeshError(f"unsupported mesh format {path.suffix!r} (expected .vtp)")
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkCommonCore import vtkCommand
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

    errors: list[str] = []

    def on_error(_obj: object, _event: str, *args: object) -> None:
        errors.append("the file is not valid VTK XML PolyData")

    reader = vtkXMLPolyDataReader()
    reader.AddObserver(vtkCommand.ErrorEvent, on_error)
    reader.GetExecutive().AddObserver(vtkCommand.ErrorEvent, on_error)
    reader.SetFileName(str(path))
    reader.Update()
    poly = reader.GetOutput()
    if errors or poly is None or poly.GetNumberOfPoints() == 0:
        raise MeshError(errors[0] if errors else "the file holds no points")
    polys = poly.GetPolys()
    if polys is None or polys.GetNumberOfCells() == 0:
        raise MeshError("the file holds no surface triangles")
    offsets = vtk_to_numpy(polys.GetOffsetsArray()).astype(np.int64)
    connectivity = vtk_to_numpy(polys.GetConnectivityArray()).astype(np.int64)
    if not np.all(np.diff(offsets) == 3):
        raise MeshError("the surface is not made only of triangles")
    points = vtk_to_numpy(poly.GetPoints().GetData()).astype(np.float32, copy=False)
    if not np.isfinite(points).all():
        raise MeshError("some point coordinates are not finite numbers")
    triangles = connectivity.reshape(-1, 3)
    if triangles.max() >= len(points):
        raise MeshError("a triangle refers to a point that does not exist")
    vtk_normals = poly.GetPointData().GetNormals()
    normals = None
    if vtk_normals is not None and vtk_normals.GetNumberOfTuples() == len(points):
        normals = vtk_to_numpy(vtk_normals).astype(np.float32, copy=False)
    phase = None
    vtk_phase = poly.GetPointData().GetArray("FibrePhase")
    if vtk_phase is not None and vtk_phase.GetNumberOfTuples() == len(points):
        values = vtk_to_numpy(vtk_phase).astype(np.float32).reshape(-1)
        phase = values if np.isfinite(values).all() else None  # bad data: plain shading
    return MeshArrays(points=points, triangles=triangles, normals=normals, fibre_phase=phase)
