"""Write small synthetic atlases for tests: a few spheres and boxes with a valid manifest.

Synthetic geometry keeps io and GUI tests independent of the (large, rebuilt) built-in atlas;
tests that check the real anatomy read ``meshes/`` directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vtkmodules.vtkFiltersCore import vtkPolyDataNormals, vtkTriangleFilter
from vtkmodules.vtkFiltersSources import vtkCubeSource, vtkSphereSource
from vtkmodules.vtkIOXML import vtkXMLPolyDataWriter


def _write(source: Any, path: Path) -> None:
    tri = vtkTriangleFilter()
    tri.SetInputConnection(source.GetOutputPort())
    normals = vtkPolyDataNormals()
    normals.SetInputConnection(tri.GetOutputPort())
    normals.SplittingOff()
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = vtkXMLPolyDataWriter()
    writer.SetFileName(str(path))
    writer.SetInputConnection(normals.GetOutputPort())
    writer.SetDataModeToBinary()
    writer.Write()


def sphere(center: tuple[float, float, float], radius: float, res: int = 24) -> Any:
    """A VTK sphere source (mm)."""
    s = vtkSphereSource()
    s.SetCenter(*center)
    s.SetRadius(radius)
    s.SetThetaResolution(res)
    s.SetPhiResolution(res)
    return s


def box(center: tuple[float, float, float], size: tuple[float, float, float]) -> Any:
    """A VTK cube source (mm)."""
    c = vtkCubeSource()
    c.SetCenter(*center)
    c.SetXLength(size[0])
    c.SetYLength(size[1])
    c.SetZLength(size[2])
    return c


BONE = "#e8dcc0"
MUSCLE_A = "#b8423b"
MUSCLE_B = "#7a2e8f"
SKIN = "#e0b89a"


def write_tiny_atlas(folder: Path) -> Path:
    """Create an atlas with a bone, a two-part muscle group, a second muscle and skin."""
    meshes = {
        "bones/pelvis_block.vtp": box((0, 0, 0), (120, 60, 60)),
        "muscles/muscle_a_upper_right.vtp": sphere((-60, -20, 80), 22),
        "muscles/muscle_a_lower_right.vtp": sphere((-60, -20, 20), 18),
        "muscles/muscle_b_right.vtp": sphere((60, 10, 60), 25),
        "skin/skin.vtp": sphere((0, 0, 30), 170, res=32),
    }
    for rel, source in meshes.items():
        _write(source, folder / rel)
    _write(sphere((60, 10, 60), 12, res=8), folder / "muscles/muscle_b_right.light.vtp")

    def entry(sid: str, name: str, kind: str, file: str | None, color: str, **extra: Any) -> dict:
        d = {
            "id": sid,
            "name": name,
            "kind": kind,
            "side": extra.pop("side", "right"),
            "region": extra.pop("region", "pelvis"),
            "file": file,
            "color": color,
            "source": ["synthetic"],
            "licence": "CC0-1.0",
        }
        d.update(extra)
        return d

    manifest = {
        "schema_version": 1,
        "title": "Tiny test atlas",
        "frame": "LPS",
        "units": "mm",
        "origin": "midpoint of the hip-joint centres",
        "sources": [
            {
                "id": "synthetic",
                "name": "Synthetic test shapes",
                "version": "1",
                "licence": "CC0-1.0",
            }
        ],
        "structures": [
            entry(
                "pelvis_block",
                "Pelvis block",
                "bone",
                "bones/pelvis_block.vtp",
                BONE,
                side="midline",
                latin="Pelvis",
                fma=16580,
            ),
            entry("muscle_a_right", "Muscle A (right)", "group", None, MUSCLE_A),
            entry(
                "muscle_a_upper_right",
                "Muscle A upper part (right)",
                "muscle",
                "muscles/muscle_a_upper_right.vtp",
                MUSCLE_A,
                parent="muscle_a_right",
            ),
            entry(
                "muscle_a_lower_right",
                "Muscle A lower part (right)",
                "muscle",
                "muscles/muscle_a_lower_right.vtp",
                MUSCLE_A,
                parent="muscle_a_right",
            ),
            entry(
                "muscle_b_right",
                "Muscle B (right)",
                "muscle",
                "muscles/muscle_b_right.vtp",
                MUSCLE_B,
                file_light="muscles/muscle_b_right.light.vtp",
                attachments=[{"structure": "pelvis_block", "role": "origin"}],
            ),
            entry(
                "skin", "Skin", "skin", "skin/skin.vtp", SKIN, side="midline", region="body_surface"
            ),
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


SLAB_CENTRE = (60.0, 10.0, 60.0)
"""Centre of :func:`write_slab_atlas`'s slab (mm): in front of the tiny atlas's camera."""


def write_slab_atlas(folder: Path, level: int, arrays: Any = None) -> Path:
    """Tiny atlas whose muscle_b_right is a 100 x 10 x 100 mm slab facing the front, drawn at
    full detail (no light mesh). ``arrays(points)`` gives the point arrays the slab carries
    (a fibre phase, a tendon weight): what striation and tendon tests draw on it."""
    import numpy as np
    import pyvista as pv

    write_tiny_atlas(folder)
    cx, cy, cz = SLAB_CENTRE
    slab = pv.Box(bounds=(cx - 50, cx + 50, cy - 5, cy + 5, cz - 50, cz + 50), level=level)
    slab = slab.triangulate().compute_normals(split_vertices=False, auto_orient_normals=True)
    if arrays is not None:
        for name, values in arrays(np.asarray(slab.points)).items():
            slab.point_data[name] = np.asarray(values, dtype=np.float32)
    slab.save(folder / "muscles/muscle_b_right.vtp")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    for s in manifest["structures"]:
        if s["id"] == "muscle_b_right":
            s.pop("file_light", None)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
