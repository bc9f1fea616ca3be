"""Read atlas mesh files (``.vtp``, VTK XML PolyData) into plain NumPy arrays.

VTK is imported lazily here so that the domain and state layers stay free of it; the renderer turns
the arrays back into VTK objects without copying.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


class MeshError(Exception):
    """A mesh file is missing, unreadable or holds no usable surface."""


MAX_MESH_BYTES = 500_000_000
MAX_POINTS = 20_000_000
MAX_CELLS = 40_000_000
MAX_COORDINATE_MM = 1e5
"""A body is under 3 m: a coordinate beyond 100 m is damage, not anatomy."""
_COUNT = re.compile(rb'NumberOf(Points|Verts|Lines|Strips|Polys|Cells)\s*=\s*"([^"]*)"')
_HEADER_BYTES = 1 << 16
_MAX_ZLIB_RATIO = 1100  # zlib cannot compress more than ~1032:1


def check_vtp_header(path: Path) -> None:
    """Refuse a VTP file whose declared sizes cannot be true before VTK allocates for them.

    VTK trusts ``NumberOfPoints`` and ``NumberOfPolys`` and allocates that much memory; a
    file of a few bytes declaring 2·10⁹ points would abort the process inside the reader. The
    declared counts must fit the file: at least 12 bytes per point and 8 per cell, allowing for
    the best compression zlib can reach.
    """
    from viewer.io.reading import ReadError, read_bytes

    try:
        raw = read_bytes(path, MAX_MESH_BYTES, head=_HEADER_BYTES)
        size = os.stat(path).st_size
    except ReadError as exc:
        raise MeshError(exc.reason) from None
    except OSError as exc:
        raise MeshError(f"cannot be read ({exc.strerror or exc})") from None
    end = raw.find(b"<AppendedData")
    if end >= 0:
        raw = raw[:end]
    elif size > len(raw):
        # Inline data: a later <Piece> may declare counts too, so scan the whole file.
        try:
            raw = read_bytes(path, MAX_MESH_BYTES)
        except ReadError as exc:
            raise MeshError(exc.reason) from None
    counts: dict[str, int] = {}
    for name, value in _COUNT.findall(raw):
        if not value.strip().isdigit() or len(value.strip()) > 18:
            raise MeshError(f"NumberOf{name.decode()} is not a sensible count")
        key = name.decode()
        counts[key] = counts.get(key, 0) + int(value)
    points = counts.get("Points", 0)
    cells = sum(v for k, v in counts.items() if k != "Points")
    if points > MAX_POINTS or cells > MAX_CELLS:
        raise MeshError(
            f"declares {points:,} points and {cells:,} cells (limits {MAX_POINTS:,} and "
            f"{MAX_CELLS:,}); not read"
        )
    ratio = _MAX_ZLIB_RATIO if b"compressor=" in raw[:4096] else 4
    if 12 * points + 8 * cells > ratio * size:
        raise MeshError(
            f"declares {points:,} points and {cells:,} cells but the file is only "
            f"{size:,} bytes; not read"
        )


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
    tendon : (n,) float32 tendon weight 0-1 (tendinous bands, insertion tendons, aponeuroses:
        drawn pale), or ``None``
    """

    points: NDArray[np.float32]
    triangles: NDArray[np.int64]
    normals: NDArray[np.float32] | None = None
    fibre_phase: NDArray[np.float32] | None = None
    tendon: NDArray[np.float32] | None = None

    @property
    def n_triangles(self) -> int:
        """Number of triangles."""
        return int(self.triangles.shape[0])


def read_atlas_mesh(folder: Path, name: str, cached: bool = False) -> MeshArrays:
    """Read mesh ``name`` of an atlas, refusing names that lead outside ``folder``.

    ``cached``: see :func:`read_mesh`."""
    from viewer.io.reading import ReadError, confined_path

    try:
        path = confined_path(folder, name, "mesh")
    except ReadError as exc:
        raise MeshError(exc.reason) from None
    return read_mesh(path, cached=cached)


def read_mesh(path: Path, cached: bool = False) -> MeshArrays:
    """Read a triangulated ``.vtp`` file; raises :class:`MeshError` with a plain reason.

    With ``cached`` a file whose exact bytes read clean before is taken from the plain-array
    copy made then (:mod:`viewer.io.mesh_cache`: no VTK XML reader, same arrays), and a clean
    read leaves such a copy. The start-up's light meshes use it; other reads need no copy.
    """
    path = Path(path)
    if path.suffix.lower() != ".vtp":
        raise MeshError(f"unsupported mesh format {path.suffix!r} (expected .vtp)")
    if not cached:
        return _read_vtp(path)
    from viewer.io import mesh_cache
    from viewer.io.reading import ReadError, read_bytes

    try:
        name = mesh_cache.cache_name(read_bytes(path, MAX_MESH_BYTES))
    except ReadError as exc:
        raise MeshError(exc.reason) from None
    mesh = mesh_cache.load(name)
    if mesh is not None:
        try:
            _check_arrays(mesh.points, mesh.triangles)
            return mesh
        except MeshError:
            pass  # a damaged copy: the file decides
    mesh = _read_vtp(path)
    mesh_cache.store(name, mesh)
    return mesh


def _check_arrays(points: NDArray[np.float32], triangles: NDArray[np.int64]) -> None:
    """The plausibility checks every mesh passes, whether read from its file or its copy."""
    if not np.isfinite(points).all():
        raise MeshError("some point coordinates are not finite numbers")
    if np.abs(points).max() > MAX_COORDINATE_MM:
        raise MeshError(f"a point lies more than {MAX_COORDINATE_MM:g} mm from the origin")
    if triangles.max() >= len(points) or triangles.min() < 0:
        raise MeshError("a triangle refers to a point that does not exist")


def _read_vtp(path: Path) -> MeshArrays:
    check_vtp_header(path)
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
    triangles = connectivity.reshape(-1, 3)
    _check_arrays(points, triangles)
    vtk_normals = poly.GetPointData().GetNormals()
    normals = None
    if vtk_normals is not None and vtk_normals.GetNumberOfTuples() == len(points):
        normals = vtk_to_numpy(vtk_normals).astype(np.float32, copy=False)
    phase = None
    vtk_phase = poly.GetPointData().GetArray("FibrePhase")
    if vtk_phase is not None and vtk_phase.GetNumberOfTuples() == len(points):
        values = vtk_to_numpy(vtk_phase).astype(np.float32).reshape(-1)
        phase = values if np.isfinite(values).all() else None  # bad data: plain shading
    tendon = None
    vtk_tendon = poly.GetPointData().GetArray("Tendon")
    if vtk_tendon is not None and vtk_tendon.GetNumberOfTuples() == len(points):
        values = vtk_to_numpy(vtk_tendon).astype(np.float32).reshape(-1)
        if np.isfinite(values).all():  # bad data: drawn as plain muscle
            tendon = np.clip(values, 0.0, 1.0)
    return MeshArrays(
        points=points, triangles=triangles, normals=normals, fibre_phase=phase, tendon=tendon
    )
