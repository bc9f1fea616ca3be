"""Read one imported mesh file and make it a clean surface, or say plainly why not.

Readers: trimesh for OBJ, STL, PLY, OFF, glTF/GLB (imported lazily: the app only pays for it when
someone imports or exports), VTK for ``.vtk``/``.vtp``. What real files contain is handled here:

- checks before reading: empty files, files over :data:`MAX_BYTES`, and headers that declare more
  than :data:`MAX_FACES` triangles (STL, PLY, OFF say so up front, so ten million faces are
  refused without reading them);
- after reading: non-finite coordinates, no triangles, too many triangles;
- cleaning: seam vertices duplicated per normal or texture coordinate are merged, zero-area
  slivers and duplicate faces removed, and disconnected pieces smaller than
  :data:`MIN_PIECE_FRACTION` of the main piece dropped, each counted in the notes;
- units: a structure of the human trunk spans centimetres to a metre, so a file whose bounding
  box diagonal is under :data:`METRES_IF_DIAGONAL_BELOW` is in metres and is scaled to mm.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

TRIMESH_SUFFIXES = (".obj", ".stl", ".ply", ".off", ".gltf", ".glb")
VTK_SUFFIXES = (".vtk", ".vtp")
MESH_SUFFIXES = TRIMESH_SUFFIXES + VTK_SUFFIXES

MAX_FACES = 2_000_000
"""Triangles one file may have: ten times a detailed BodyParts3D muscle, five times our whole
atlas budget; more would make the scene unusable on an ordinary laptop."""
MAX_BYTES = 1_000_000_000
MIN_PIECE_FRACTION = 0.10
"""Disconnected pieces with less than this share of the main piece's area are dropped."""
METRES_IF_DIAGONAL_BELOW = 3.0
"""Bounding-box diagonal (file units) under which a file is taken to be in metres: the smallest
structure here (a 12th rib) is ~100 mm across, the largest (skin) ~1 m."""
HEADER_LINES = 60


class ImportFileError(Exception):
    """A file cannot be imported; the message says why in plain words."""


@dataclass
class ImportedMesh:
    """One file read and cleaned, still in its own frame (but in millimetres).

    Attributes
    ----------
    path : the file
    points : (n, 3) float64, millimetres, the file's own axes
    triangles : (m, 3) int64
    header : comment lines from the top of the file (OBJ/PLY/OFF/STL ASCII), for FMA IDs,
        names and licence statements
    notes : what was done to the file (merged seams, dropped pieces, metres -> mm, open surface)
    """

    path: Path
    points: NDArray[np.float64]
    triangles: NDArray[np.int64]
    header: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    was_metres: bool = False


def find_mesh_files(paths: list[Path]) -> tuple[list[tuple[Path, Path | None]], list[str]]:
    """Expand the chosen files and folders into mesh files.

    Returns ``([(file, chosen folder or None)], skipped)``: files found in a folder carry that
    folder so :func:`read_import_file` can refuse links that lead out of it; ``skipped`` lists
    non-mesh files by name (README, thumbnails).
    """
    out: list[tuple[Path, Path | None]] = []
    skipped: list[str] = []
    for chosen in paths:
        if chosen.is_dir():
            for f in sorted(chosen.rglob("*")):
                if f.is_dir():
                    continue
                if f.suffix.lower() in MESH_SUFFIXES:
                    out.append((f, chosen))
                else:
                    skipped.append(str(f))
        else:
            out.append((chosen, None))
    return out, skipped


def _check_inside(path: Path, root: Path | None) -> None:
    if root is None:
        return
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise ImportFileError(f"it links to {real}, outside the chosen folder; not followed")


def _declared_faces(path: Path, suffix: str, size: int) -> int | None:
    """Triangle count a file declares in its header, without reading the body."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if suffix == ".stl" and head[:5].lower() != b"solid":
        if size < 84:
            raise ImportFileError("too short to be an STL file")
        (count,) = struct.unpack("<I", head[80:84])
        if count <= MAX_FACES and size != 84 + 50 * count:
            raise ImportFileError(
                f"corrupt binary STL: its header declares {count:,} triangles "
                f"({84 + 50 * count:,} bytes) but the file has {size:,} bytes"
            )
        return int(count)
    if suffix == ".ply":
        m = re.search(rb"element\s+face\s+(\d+)", head)
        return int(m.group(1)) if m else None
    if suffix == ".off":
        lines = [ln.strip() for ln in head.split(b"\n") if ln.strip() and not ln.startswith(b"#")]
        if len(lines) >= 2 and lines[0].upper().startswith(b"OFF"):
            counts = (lines[0][3:].split() or lines[1].split())[:3]
            if len(counts) >= 2 and counts[1].isdigit():
                return int(counts[1])
    return None


def _header(path: Path, suffix: str) -> list[str]:
    if suffix not in (".obj", ".ply", ".off", ".stl"):
        return []
    out = []
    with open(path, "rb") as fh:
        for _ in range(HEADER_LINES):
            raw = fh.readline()
            if not raw:
                break
            text = raw.decode("utf-8", errors="replace").strip()
            if text.startswith("#"):
                out.append(text.lstrip("#").strip())
            elif suffix == ".ply" and text.startswith(("comment", "obj_info")):
                out.append(text.split(None, 1)[1] if " " in text else "")
            elif suffix == ".stl" and text.lower().startswith("solid"):
                out.append(text[5:].strip())
                break
    return out


def _read_trimesh(path: Path) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    import trimesh

    try:
        loaded = trimesh.load_mesh(path, process=False)
    except Exception as exc:  # each reader raises its own types; all mean "cannot read"
        raise ImportFileError(f"cannot be read as {path.suffix[1:].upper()} ({exc})") from None
    if isinstance(loaded, trimesh.Scene):
        geoms = [g for g in loaded.dump() if isinstance(g, trimesh.Trimesh)]
        if not geoms:
            raise ImportFileError("holds no triangle surface")
        loaded = trimesh.util.concatenate(geoms)
    if not isinstance(loaded, trimesh.Trimesh):
        raise ImportFileError("holds no triangle surface (only points or lines)")
    return (
        np.asarray(loaded.vertices, dtype=np.float64),
        np.asarray(loaded.faces, dtype=np.int64).reshape(-1, 3),
    )


def _read_vtk(path: Path) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkCommonCore import vtkCommand
    from vtkmodules.vtkFiltersCore import vtkTriangleFilter
    from vtkmodules.vtkFiltersGeometry import vtkDataSetSurfaceFilter
    from vtkmodules.vtkIOLegacy import vtkGenericDataObjectReader
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader

    errors: list[str] = []

    def on_error(*_args: object) -> None:
        errors.append("error")

    reader = (
        vtkXMLPolyDataReader() if path.suffix.lower() == ".vtp" else vtkGenericDataObjectReader()
    )
    reader.AddObserver(vtkCommand.ErrorEvent, on_error)
    reader.GetExecutive().AddObserver(vtkCommand.ErrorEvent, on_error)
    reader.SetFileName(str(path))
    reader.Update()
    data = reader.GetOutputDataObject(0)
    if errors or data is None or not hasattr(data, "GetNumberOfPoints"):
        raise ImportFileError(f"cannot be read as VTK {path.suffix[1:]} data")
    surface = vtkDataSetSurfaceFilter()
    surface.SetInputData(data)
    tri = vtkTriangleFilter()
    tri.SetInputConnection(surface.GetOutputPort())
    tri.PassVertsOff()
    tri.PassLinesOff()
    tri.Update()
    poly = tri.GetOutput()
    if poly.GetNumberOfPoints() == 0 or poly.GetNumberOfPolys() == 0:
        raise ImportFileError("holds no triangle surface")
    points = vtk_to_numpy(poly.GetPoints().GetData()).astype(np.float64)
    conn = vtk_to_numpy(poly.GetPolys().GetConnectivityArray()).astype(np.int64)
    return points, conn.reshape(-1, 3)


def read_import_file(path: Path, root: Path | None = None) -> ImportedMesh:
    """Read and clean one file; raises :class:`ImportFileError` with the reason."""
    suffix = path.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise ImportFileError(f"{suffix or 'no suffix'} is not a mesh format read here")
    _check_inside(path, root)
    if not path.is_file():
        raise ImportFileError("not found (or a link to nothing)")
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError("the file is empty")
    if size > MAX_BYTES:
        raise ImportFileError(f"{size / 1e9:.1f} GB is too large to import (limit 1 GB)")
    declared = _declared_faces(path, suffix, size)
    if declared is not None and declared > MAX_FACES:
        raise ImportFileError(
            f"declares {declared:,} triangles, more than the {MAX_FACES:,} one structure may "
            "have; decimate it first (e.g. in MeshLab or Blender)"
        )
    header = _header(path, suffix)
    if suffix in VTK_SUFFIXES:
        points, faces = _read_vtk(path)
    else:
        points, faces = _read_trimesh(path)
    if len(points) == 0 or len(faces) == 0:
        raise ImportFileError("holds no triangles")
    if not np.isfinite(points).all():
        bad = int((~np.isfinite(points).all(axis=1)).sum())
        raise ImportFileError(f"{bad} vertices have coordinates that are not numbers (NaN/inf)")
    if len(faces) > MAX_FACES:
        raise ImportFileError(f"{len(faces):,} triangles, more than the limit of {MAX_FACES:,}")
    if faces.min() < 0 or faces.max() >= len(points):
        raise ImportFileError("a triangle refers to a vertex that does not exist")
    mesh = ImportedMesh(path, points, faces, header)
    _clean(mesh)
    _to_millimetres(mesh)
    return mesh


def _clean(mesh: ImportedMesh) -> None:
    import trimesh

    tm = trimesh.Trimesh(mesh.points, mesh.triangles, process=False)
    n_vertices = len(tm.vertices)
    tm.merge_vertices(merge_tex=True, merge_norm=True)
    merged = n_vertices - len(tm.vertices)
    if merged:
        mesh.notes.append(f"merged {merged} duplicated seam vertices")
    extent = float(np.linalg.norm(tm.extents)) or 1.0
    keep = tm.nondegenerate_faces(height=1e-7 * extent)
    unique = np.zeros(len(tm.faces), dtype=bool)
    unique[trimesh.grouping.unique_rows(np.sort(tm.faces, axis=1))[0]] = True
    keep &= unique
    dropped = int((~keep).sum())
    if dropped:
        tm.update_faces(keep)
        tm.remove_unreferenced_vertices()
        mesh.notes.append(f"removed {dropped} zero-area or duplicate triangles")
    if len(tm.faces) == 0:
        raise ImportFileError("every triangle has zero area")
    pieces = tm.split(only_watertight=False)
    if len(pieces) > 1:
        areas = np.array([p.area for p in pieces])
        kept = areas >= MIN_PIECE_FRACTION * areas.max()
        if not kept.all():
            lost = areas[~kept].sum() / areas.sum()
            mesh.notes.append(
                f"dropped {int((~kept).sum())} small disconnected piece(s) "
                f"({100 * lost:.1f}% of the area); kept {int(kept.sum())}"
            )
        joined = trimesh.util.concatenate([p for p, k in zip(pieces, kept, strict=True) if k])
        if isinstance(joined, trimesh.Trimesh):
            tm = joined
    edges = trimesh.grouping.group_rows(tm.edges_sorted, require_count=1)
    if len(edges):
        mesh.notes.append(f"open surface ({len(edges)} boundary edges), kept as it is")
    elif tm.is_watertight and tm.volume < 0:
        tm.invert()  # inside-out closed surface: outward normals light it correctly
        mesh.notes.append("turned inside-out triangles outward")
    mesh.points = np.asarray(tm.vertices, dtype=np.float64)
    mesh.triangles = np.asarray(tm.faces, dtype=np.int64)


def _to_millimetres(mesh: ImportedMesh) -> None:
    diagonal = float(np.linalg.norm(mesh.points.max(axis=0) - mesh.points.min(axis=0)))
    if 0 < diagonal < METRES_IF_DIAGONAL_BELOW:
        mesh.points = mesh.points * 1000.0
        mesh.was_metres = True
        mesh.notes.append(f"in metres (spans {diagonal:.3f}): scaled to millimetres")


def vertex_normals(
    points: NDArray[np.floating], triangles: NDArray[np.int64]
) -> NDArray[np.float32]:
    """Area-weighted unit vertex normals (for shading the saved mesh)."""
    p = np.asarray(points, dtype=np.float64)
    face_n = np.cross(
        p[triangles[:, 1]] - p[triangles[:, 0]], p[triangles[:, 2]] - p[triangles[:, 0]]
    )
    normals = np.zeros_like(p)
    for k in range(3):
        np.add.at(normals, triangles[:, k], face_n)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return (normals / np.where(length > 0, length, 1.0)).astype(np.float32)
