"""Save an import as a user atlas folder: the built-in atlas with imported structures swapped in
(or added beside), same manifest schema, a NOTICE naming every source, openable with ``--atlas``.

Per structure the user chooses:

- ``replace``: the imported mesh takes the built-in structure's id, so trigger points, pair views
  and lessons that name it now sit on the imported surface (trigger points are snapped onto the
  muscle when the atlas loads). An imported whole that the atlas splits into parts (psoas major
  into upper and lower) is divided between those parts by nearest built-in part, so the parts'
  trigger points still have a surface and together they show the imported whole;
- ``beside``: the imported mesh is added as ``imported_<id>`` next to the built-in one, to
  compare them (each has its own visibility toggle in the Structures panel).

The folder is written into a temporary sibling and renamed into place, so a failure part-way
leaves no half atlas and never touches an existing folder unless ``overwrite`` is given.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from viewer.io.atlas_loader import LoadedAtlas
from viewer.io.mesh_import import vertex_normals
from viewer.io.mesh_importer import BODYPARTS3D, ImportedStructure, ImportResult

IMPORT_SOURCE_ID = "user-import"
UNKNOWN_LICENCE = "unknown (not stated by the files; ask their author before sharing)"


@dataclass(frozen=True)
class SaveOptions:
    """How to save: per-structure mode (``replace``/``beside``; default ``replace``), the licence
    to record for files that state none, and a name for the data set."""

    modes: Mapping[str, str]
    licence: str = ""
    source_name: str = "Imported meshes"
    overwrite: bool = False


def write_vtp(path: Path, points: NDArray[np.floating], triangles: NDArray[np.int64]) -> None:
    """Write a binary, zlib-compressed VTK XML PolyData with point normals (the atlas format)."""
    from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
    from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter

    pts = np.ascontiguousarray(points, dtype=np.float32)
    tris = np.ascontiguousarray(triangles, dtype=np.int64)
    vpts = vtkPoints()
    vpts.SetData(numpy_to_vtk(pts, deep=True))
    cells = vtkCellArray()
    offsets = np.arange(0, 3 * len(tris) + 1, 3, dtype=np.int64)
    cells.SetData(
        numpy_to_vtkIdTypeArray(offsets, deep=True),
        numpy_to_vtkIdTypeArray(tris.ravel().copy(), deep=True),
    )
    poly = vtkPolyData()
    poly.SetPoints(vpts)
    poly.SetPolys(cells)
    normals = numpy_to_vtk(vertex_normals(pts, tris), deep=True)
    normals.SetName("Normals")
    poly.GetPointData().SetNormals(normals)
    writer = vtkXMLPolyDataWriter()
    writer.SetFileName(str(path))
    writer.SetInputData(poly)
    writer.SetDataModeToBinary()
    writer.SetCompressorTypeToZLib()
    if not writer.Write():
        raise OSError(f"could not write {path}")


LIGHT_TRIANGLES = 5000
"""Imported meshes above this get a decimated light file, drawn while the camera moves (the
built-in light meshes average about 2,500 triangles per structure)."""


def decimate(
    points: NDArray[np.floating], triangles: NDArray[np.int64], target: int
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Quadric decimation (VTK) to about ``target`` triangles, keeping the volume."""
    from vtkmodules.util.numpy_support import (
        numpy_to_vtk,
        numpy_to_vtkIdTypeArray,
        vtk_to_numpy,
    )
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
    from vtkmodules.vtkFiltersCore import vtkQuadricDecimation

    tris = np.ascontiguousarray(triangles, dtype=np.int64)
    vpts = vtkPoints()
    vpts.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float32), deep=True))
    cells = vtkCellArray()
    cells.SetData(
        numpy_to_vtkIdTypeArray(np.arange(0, 3 * len(tris) + 1, 3, dtype=np.int64), deep=True),
        numpy_to_vtkIdTypeArray(tris.ravel().copy(), deep=True),
    )
    poly = vtkPolyData()
    poly.SetPoints(vpts)
    poly.SetPolys(cells)
    dec = vtkQuadricDecimation()
    dec.SetInputData(poly)
    dec.SetTargetReduction(max(0.0, 1.0 - target / max(1, len(tris))))
    dec.VolumePreservationOn()
    dec.Update()
    out = dec.GetOutput()
    pts = vtk_to_numpy(out.GetPoints().GetData()).astype(np.float32)
    conn = vtk_to_numpy(out.GetPolys().GetConnectivityArray()).astype(np.int64)
    return pts, conn.reshape(-1, 3)


def _write_mesh(
    folder: Path, rel: str, points: NDArray[np.floating], triangles: NDArray[np.int64]
) -> str | None:
    """Write ``rel`` and, for a heavy mesh, a light twin; returns the light file or ``None``."""
    write_vtp(folder / rel, points, triangles)
    if len(triangles) <= LIGHT_TRIANGLES:
        return None
    light = rel.replace(".vtp", ".light.vtp")
    write_vtp(folder / light, *decimate(points, triangles, LIGHT_TRIANGLES))
    return light


def _split_by_part(
    item: ImportedStructure, base: LoadedAtlas
) -> dict[str, tuple[NDArray[np.float64], NDArray[np.int64]]]:
    """Divide an imported whole between the built-in parts it replaces (nearest part wins)."""
    from scipy.spatial import cKDTree

    parts = [p for p in item.replaces if p in base.meshes]
    if len(parts) <= 1:
        return {parts[0] if parts else item.structure_id: (item.points, item.triangles)}
    pts = np.vstack([base.meshes[p].points for p in parts])
    labels = np.concatenate([np.full(len(base.meshes[p].points), i) for i, p in enumerate(parts)])
    centres = item.points[item.triangles].mean(axis=1)
    _, nearest = cKDTree(pts).query(centres)
    owner = labels[nearest]
    out = {}
    for i, part in enumerate(parts):
        faces = item.triangles[owner == i]
        if len(faces) == 0:
            continue
        used, inverse = np.unique(faces, return_inverse=True)
        out[part] = (item.points[used], inverse.reshape(-1, 3).astype(np.int64))
    return out


def _lighter(color: str) -> str:
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{int(c + 0.45 * (255 - c)):02x}" for c in rgb)


def save_user_atlas(
    result: ImportResult, base: LoadedAtlas, out: Path, options: SaveOptions
) -> list[str]:
    """Write the user atlas folder ``out``; returns what was written, one line per structure.

    Raises ``FileExistsError`` if ``out`` exists and is not empty (unless ``overwrite``), and
    ``OSError`` when writing fails (nothing is left behind then).
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not options.overwrite:
        raise FileExistsError(f"{out} exists and is not empty; choose another folder")
    manifest: dict[str, Any] = json.loads(
        (base.folder / "manifest.json").read_text(encoding="utf-8")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        lines = _fill(tmp, manifest, result, base, options)
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return lines


def _fill(
    folder: Path,
    manifest: dict[str, Any],
    result: ImportResult,
    base: LoadedAtlas,
    options: SaveOptions,
) -> list[str]:
    entries: list[dict[str, Any]] = manifest["structures"]
    by_id = {e["id"]: e for e in entries}
    (folder / "imported").mkdir()
    lines: list[str] = []
    notice: list[str] = []
    source_ids: set[str] = set()
    for item in result.structures:
        mode = options.modes.get(item.structure_id, "replace")
        source = item.source or IMPORT_SOURCE_ID
        source_ids.add(source)
        licence = item.licence or options.licence or UNKNOWN_LICENCE
        names = ", ".join(f.name for f in item.files)
        if mode == "beside":
            new_id = f"imported_{item.structure_id}"
            rel = f"imported/{new_id}.vtp"
            light = _write_mesh(folder, rel, item.points, item.triangles)
            ref = by_id.get(item.structure_id, {})
            kind = ref.get("kind", "muscle")
            color = ref.get("color", "#c8c8c8")
            if kind == "group":  # a group has no colour of its own: take its first part's
                leaf = by_id.get(item.replaces[0], {}) if item.replaces else {}
                kind = leaf.get("kind", "muscle")
                color = leaf.get("color", color)
            entry = {
                "id": new_id,
                "name": f"{ref.get('name', item.structure_id)} - imported",
                "latin": ref.get("latin", ""),
                "fma": ref.get("fma"),
                "kind": kind,
                "side": ref.get("side", "midline"),
                "parent": None,
                "region": ref.get("region", "pelvis"),
                "color": _lighter(color),
                "file": rel,
                "file_light": light,
                "source": [source],
                "licence": licence,
            }
            entries.append(entry)
            by_id[new_id] = entry
            lines.append(f"{new_id}: {names}, beside the built-in {item.structure_id}")
            notice.append(f"    {rel}  <- {names}")
            continue
        pieces = _split_by_part(item, base)
        for part, (pts, tris) in pieces.items():
            rel = f"imported/{part}.vtp"
            light = _write_mesh(folder, rel, pts, tris)
            entry = by_id[part]
            entry.update(file=rel, file_light=light, source=[source], licence=licence)
            entry.pop("volume_ml", None)
            notice.append(f"    {rel}  <- {names}")
        if len(pieces) > 1:
            lines.append(
                f"{item.structure_id}: {names} replaces {', '.join(pieces)} (the imported whole, "
                "divided at the built-in parts so their trigger points keep a surface)"
            )
        else:
            lines.append(f"{', '.join(pieces)}: {names} replaces the built-in mesh")
    _copy_built_in(folder, base, entries)
    sources: list[dict[str, Any]] = manifest["sources"]
    if BODYPARTS3D["id"] in source_ids:
        sources.append(
            {
                "id": BODYPARTS3D["id"],
                "name": BODYPARTS3D["name"],
                "version": "",
                "licence": BODYPARTS3D["licence"],
                "url": BODYPARTS3D["url"],
                "note": BODYPARTS3D["attribution"],
            }
        )
    if IMPORT_SOURCE_ID in source_ids:
        sources.append(
            {
                "id": IMPORT_SOURCE_ID,
                "name": options.source_name,
                "version": date.today().isoformat(),
                "licence": options.licence or UNKNOWN_LICENCE,
                "note": "Meshes imported by the user with trigger-atlas import.",
            }
        )
    manifest["title"] = f"{manifest.get('title', 'Trigger Atlas')} + {options.source_name}"
    build = manifest.setdefault("build", {})
    build["import"] = {
        "command": "trigger-atlas import",
        "registration": _registration_record(result),
        "structures": [s.structure_id for s in result.structures],
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _write_notice(folder, base, result, sources, notice, options)
    return lines


def _registration_record(result: ImportResult) -> dict[str, Any]:
    r = result.registration
    if r is None:
        return {"done": False, "notes": result.notes}
    return {
        "done": True,
        "on": result.registered_on,
        "frame": r.frame,
        "scale": round(r.transform.scale, 6),
        "matrix": np.round(r.transform.matrix(), 6).tolist(),
        "residual_mm_rms": round(r.residual_mm, 3),
        "median_mm": round(r.median_mm, 3),
    }


def _copy_built_in(folder: Path, base: LoadedAtlas, entries: list[dict[str, Any]]) -> None:
    """Copy every mesh the manifest still names from the base atlas (which may itself be a
    user atlas with earlier imports), and its landmarks."""
    for entry in entries:
        for key in ("file", "file_light"):
            rel = entry.get(key)
            if not rel or (folder / rel).exists():
                continue  # written by this import (or already copied)
            src = base.folder / rel
            if src.is_file():
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, folder / rel)
    landmarks = base.folder / "landmarks.json"
    if landmarks.is_file():
        shutil.copy2(landmarks, folder / "landmarks.json")


def _write_notice(
    folder: Path,
    base: LoadedAtlas,
    result: ImportResult,
    sources: list[dict[str, Any]],
    imported_files: list[str],
    options: SaveOptions,
) -> None:
    text = ["Trigger Atlas - user atlas NOTICE", "=" * 33, ""]
    text.append("This folder is the Trigger Atlas atlas with meshes imported by its user.")
    text.append("Built-in files keep the licences below; imported files keep their own.")
    text.append("")
    for s in sources:
        text += [
            f"{s['name']}",
            f"  licence: {s['licence']}",
            *([f"  url:     {s['url']}"] if s.get("url") else []),
            *([f"  note:    {s['note']}"] if s.get("note") else []),
            "",
        ]
    text += ["Imported files (registered into the atlas frame, LPS millimetres):"]
    text += imported_files
    text.append("")
    text += ["Import report:"] + [f"  {line}" for line in result.summary_lines()]
    old = base.folder / "NOTICE"
    if old.is_file():
        text += ["", "-" * 60, "NOTICE of the atlas this one is based on:", ""]
        text.append(old.read_text(encoding="utf-8"))
    (folder / "NOTICE").write_text("\n".join(text) + "\n", encoding="utf-8")
