"""Generators of damaged input files, one per class of damage, for the robustness tests.

Each generator breaks a valid synthetic file in one way the app must survive: it returns the
words the app's message must contain, so a test can check that the person is told what is wrong.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


def manifest(atlas: Path) -> dict[str, Any]:
    """The manifest of an atlas folder as data."""
    data: dict[str, Any] = json.loads((atlas / "manifest.json").read_text(encoding="utf-8"))
    return data


def write_manifest(atlas: Path, data: dict[str, Any]) -> None:
    """Replace the manifest of an atlas folder."""
    (atlas / "manifest.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


def _entry(data: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(e for e in data["structures"] if e["id"] == sid)


# -- atlas classes (tiny atlas: pelvis_block, muscle_a_* group, muscle_b_right, skin) ----------
def parent_cycle(atlas: Path) -> str:
    """Two structures parenting each other, and one its own parent."""
    data = manifest(atlas)
    _entry(data, "muscle_a_right")["parent"] = "muscle_a_upper_right"
    _entry(data, "muscle_b_right")["parent"] = "muscle_b_right"
    write_manifest(atlas, data)
    return "parent cycle"


def absolute_mesh_path(atlas: Path) -> str:
    """A mesh named by an absolute path (to a real mesh outside the folder)."""
    outside = atlas.parent / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copy(atlas / "muscles/muscle_b_right.vtp", outside / "stolen.vtp")
    data = manifest(atlas)
    _entry(data, "muscle_b_right")["file"] = str(outside / "stolen.vtp")
    write_manifest(atlas, data)
    return "absolute path"


def climbing_mesh_path(atlas: Path) -> str:
    """A mesh named with ``../`` leading out of the atlas folder."""
    outside = atlas.parent / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copy(atlas / "muscles/muscle_b_right.vtp", outside / "stolen.vtp")
    data = manifest(atlas)
    _entry(data, "muscle_b_right")["file"] = "../outside/stolen.vtp"
    write_manifest(atlas, data)
    return "climbs out"


def symlinked_mesh(atlas: Path) -> str:
    """A mesh file that is a symbolic link to a file outside the atlas folder."""
    outside = atlas.parent / "outside"
    outside.mkdir(exist_ok=True)
    target = outside / "stolen.vtp"
    mesh = atlas / "muscles/muscle_b_right.vtp"
    shutil.move(str(mesh), target)
    os.symlink(target, mesh)
    return "outside its folder"


def long_mesh_name(atlas: Path) -> str:
    """A 10,000-character mesh file name."""
    data = manifest(atlas)
    _entry(data, "muscle_b_right")["file"] = "muscles/" + "m" * 10_000 + ".vtp"
    write_manifest(atlas, data)
    return "characters long"


def vtp_huge_counts(atlas: Path) -> str:
    """A VTP declaring 2·10⁹ points and 10¹² polygons with a few bytes of data."""
    (atlas / "muscles/muscle_b_right.vtp").write_text(
        '<?xml version="1.0"?>\n<VTKFile type="PolyData" version="1.0">\n<PolyData>\n'
        '<Piece NumberOfPoints="2000000000" NumberOfPolys="1000000000000">\n'
        "</Piece></PolyData></VTKFile>\n",
        encoding="utf-8",
    )
    return "declares"


def vtp_far_vertex(atlas: Path) -> str:
    """A mesh with a vertex 10³⁰ mm away."""
    from vtkmodules.vtkIOXML import vtkXMLPolyDataReader, vtkXMLPolyDataWriter

    path = atlas / "muscles/muscle_b_right.vtp"
    reader = vtkXMLPolyDataReader()
    reader.SetFileName(str(path))
    reader.Update()
    poly = reader.GetOutput()
    poly.GetPoints().SetPoint(0, 1e30, 0.0, 0.0)
    writer = vtkXMLPolyDataWriter()
    writer.SetFileName(str(path))
    writer.SetInputData(poly)
    writer.Write()
    return "mm from the origin"


def manifest_fifo(atlas: Path) -> str:
    """The manifest replaced by a named pipe nobody writes to (reading it would block)."""
    (atlas / "manifest.json").unlink()
    os.mkfifo(atlas / "manifest.json")
    return "not a regular file"


# -- JSON classes, applied to any JSON file ----------------------------------------------------
def deep_nesting(path: Path) -> str:
    """JSON nested 100,000 levels deep."""
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return "nested more than"


def long_integer(path: Path) -> str:
    """A 5,000-digit integer in an otherwise valid file."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"schema_version": 1', '"schema_version": ' + "9" * 5000, 1))
    return "characters long"


def duplicate_key(path: Path) -> str:
    """The same key twice in one object."""
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('"schema_version": 1', '"schema_version": 1, "schema_version": 1', 1)
    )
    return "duplicate key"


JSON_CLASSES: dict[str, Callable[[Path], str]] = {
    "deep_nesting": deep_nesting,
    "long_integer": long_integer,
    "duplicate_key": duplicate_key,
}
ATLAS_CLASSES: dict[str, Callable[[Path], str]] = {
    "parent_cycle": parent_cycle,
    "absolute_mesh_path": absolute_mesh_path,
    "climbing_mesh_path": climbing_mesh_path,
    "symlinked_mesh": symlinked_mesh,
    "long_mesh_name": long_mesh_name,
    "vtp_huge_counts": vtp_huge_counts,
    "vtp_far_vertex": vtp_far_vertex,
}


def damage_builtin_annotations(src: Path, dst: Path) -> dict[str, str]:
    """A copy of the built-in annotations with the classes that once aborted the window.

    Returns file name -> words its reported problem must contain.
    """
    shutil.copytree(src, dst)

    def load(name: str) -> Any:
        return json.loads((dst / name).read_text(encoding="utf-8"))

    def save(name: str, data: Any) -> None:
        (dst / name).write_text(json.dumps(data, indent=1), encoding="utf-8")

    pairs = load("pair_views.json")
    pairs["pair_views"][0]["b"] = pairs["pair_views"][0]["a"]  # both sides the same
    save("pair_views.json", pairs)
    zones = load("referral_zones.json")
    for zone in zones["patterns"][0]["zones"]:
        zone["landmark"] = "nowhere_right"  # every zone unknown
    save("referral_zones.json", zones)
    info = load("structure_info.json")
    info["muscles"][0]["id"] = "no_such_structure"
    save("structure_info.json", info)
    long_integer(dst / "synonyms.json")
    lesson = load("lessons/iliopsoas_back_pain.json")
    lesson["steps"][0]["title"] = "x" * 10_000
    save("lessons/iliopsoas_back_pain.json", lesson)
    return {
        "pair_views.json": "pair_views[0]",
        "referral_zones.json": "nowhere_right",
        "structure_info.json": "no_such_structure",
        "synonyms.json": "characters long",
    }
