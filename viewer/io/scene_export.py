"""Write the visible scene as a 3D file: binary glTF 2.0, OBJ + MTL, or STL of one structure.

The atlas frame is LPS millimetres (+x left, +y posterior, +z superior). Each format gets its
own convention, so the model stands upright where it is opened:

- glTF (PowerPoint's 3D models, the web, Blender) is Y-up, metres, front facing +Z by the glTF
  2.0 specification: ``(x, y, z) = (L, S, A) / 1000``;
- OBJ has no convention of its own; Blender and most tools read it as glTF's, so it gets the
  same Y-up metres;
- STL is for printing: slicers expect millimetres and Z up, which the atlas frame already is.

Licence and attribution of every exported structure go into the file (glTF ``asset.copyright``
and ``asset.extras``; OBJ/MTL comments; the STL header names the side-car) and into a side-car
text file next to it. trimesh is imported lazily (only exports pay for it).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from viewer.domain.referral import DISCLAIMER

GLTF_FROM_LPS = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
"""LPS -> glTF axes: x stays the subject's left, y = superior, z = anterior (a rotation, so
triangle winding and outward normals are kept)."""
FORMATS = (".glb", ".obj", ".stl")


class ExportError(Exception):
    """The scene cannot be written in the asked form (plain reason)."""


@dataclass(frozen=True)
class ExportItem:
    """One mesh to export, in atlas mm (LPS).

    ``rgba`` is the display colour (0-255, alpha from the opacity); ``vertex_colors`` (n, 4)
    uint8, when given, paints the mesh per vertex (the heat map on the skin).
    """

    id: str
    name: str
    points: NDArray[np.floating]
    triangles: NDArray[np.int64]
    rgba: tuple[int, int, int, int]
    source: str = ""
    licence: str = ""
    vertex_colors: NDArray[np.uint8] | None = None
    marker: bool = False


def attribution_lines(items: Sequence[ExportItem], sources: dict[str, str]) -> list[str]:
    """Who made what: one line per exported structure, then the sources' full statements."""
    lines = ["Trigger Atlas 3D export", ""]
    lines.append("Structures, their sources and licences:")
    for item in items:
        if not item.marker:
            lines.append(
                f"  {item.id} ({item.name}): {item.source or 'unknown source'}; "
                f"licence {item.licence or 'unknown'}"
            )
    used = sorted({s for i in items for s in i.source.split(", ") if s})
    if used:
        lines += ["", "Sources:"]
        lines += [f"  {sid}: {sources.get(sid, sid)}" for sid in used]
    if any(i.marker for i in items):
        lines += [
            "",
            "Trigger-point markers and heat maps: Trigger Atlas annotations "
            "(see docs/TRIGGER_POINT_DATA.md for their literature sources).",
        ]
    lines += ["", DISCLAIMER]
    return lines


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an export is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sidecar_path(out: Path) -> Path:
    """The attribution text next to an export (``scene.glb`` -> ``scene_ATTRIBUTION.txt``)."""
    return out.with_name(f"{out.stem}_ATTRIBUTION.txt")


def export_scene(
    items: Sequence[ExportItem], out: Path, sources: dict[str, str] | None = None
) -> list[Path]:
    """Write ``items`` to ``out`` (format from the suffix); returns every file written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{out.name}: choose .glb, .obj or .stl")
    if not items:
        raise ExportError("nothing is visible to export")
    sources = sources or {}
    credits = attribution_lines(items, sources)
    if suffix == ".glb":
        written = [_write_glb(items, out, credits)]
    elif suffix == ".obj":
        written = _write_obj(items, out, credits)
    else:
        written = [_write_stl(items, out, credits)]
    side = sidecar_path(out)
    _atomic_write(side, ("\n".join(credits) + "\n").encode("utf-8"))
    return [*written, side]


def to_gltf(points: NDArray[np.floating]) -> NDArray[np.float64]:
    """Atlas mm LPS -> glTF metres Y-up."""
    out: NDArray[np.float64] = np.asarray(points, dtype=np.float64) @ GLTF_FROM_LPS.T / 1000.0
    return out


def _write_glb(items: Sequence[ExportItem], out: Path, credits: list[str]) -> Path:
    import trimesh
    from trimesh.exchange.gltf import export_glb
    from trimesh.visual.material import PBRMaterial

    scene = trimesh.Scene()
    for item in items:
        mesh = trimesh.Trimesh(to_gltf(item.points), item.triangles, process=False)
        if item.vertex_colors is not None:
            mesh.visual = trimesh.visual.ColorVisuals(mesh, vertex_colors=item.vertex_colors)
        else:
            rgba = [c / 255.0 for c in item.rgba]
            material = PBRMaterial(
                name=item.id,
                baseColorFactor=rgba,
                metallicFactor=0.0,
                roughnessFactor=0.8,
                alphaMode="BLEND" if item.rgba[3] < 255 else "OPAQUE",
                doubleSided=False,
            )
            mesh.visual = trimesh.visual.TextureVisuals(material=material)
        mesh.metadata = {"name": item.name, "source": item.source, "licence": item.licence}
        scene.add_geometry(mesh, geom_name=item.id, node_name=item.id)
    copyright_text = "; ".join(
        sorted({f"{i.source}: {i.licence}" for i in items if not i.marker and i.source})
    )

    def post(tree: dict[str, Any]) -> None:
        asset = tree.setdefault("asset", {})
        asset["copyright"] = copyright_text
        asset["generator"] = "Trigger Atlas"
        asset["extras"] = {
            "frame": "glTF Y-up, metres, subject facing +Z (from atlas LPS mm)",
            "structures": [
                {"id": i.id, "name": i.name, "source": i.source, "licence": i.licence}
                for i in items
                if not i.marker
            ],
            "attribution": credits,
        }

    data = export_glb(scene, include_normals=True, tree_postprocessor=post)
    _atomic_write(out, data)
    return out


def _write_obj(items: Sequence[ExportItem], out: Path, credits: list[str]) -> list[Path]:
    mtl = out.with_suffix(".mtl")
    obj_lines = [f"# {line}" for line in credits]
    obj_lines += ["# Y-up, metres, subject facing +Z (glTF convention)", f"mtllib {mtl.name}"]
    mtl_lines = [f"# {line}" for line in credits]
    offset = 1
    for item in items:
        pts = to_gltf(item.points)
        r, g, b, a = (c / 255.0 for c in item.rgba)
        mtl_lines += [f"newmtl {item.id}", f"Kd {r:.4f} {g:.4f} {b:.4f}", f"d {a:.4f}", ""]
        obj_lines += [f"o {item.id}", f"usemtl {item.id}"]
        if item.vertex_colors is not None:
            vc = item.vertex_colors[:, :3] / 255.0
            obj_lines += [
                f"v {x:.6f} {y:.6f} {z:.6f} {cr:.4f} {cg:.4f} {cb:.4f}"
                for (x, y, z), (cr, cg, cb) in zip(pts, vc, strict=True)
            ]
        else:
            obj_lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in pts]
        tris = np.asarray(item.triangles) + offset
        obj_lines += [f"f {i} {j} {k}" for i, j, k in tris]
        offset += len(pts)
    _atomic_write(mtl, ("\n".join(mtl_lines) + "\n").encode("utf-8"))
    _atomic_write(out, ("\n".join(obj_lines) + "\n").encode("utf-8"))
    return [out, mtl]


def _write_stl(items: Sequence[ExportItem], out: Path, credits: list[str]) -> Path:
    import trimesh

    solids = [i for i in items if not i.marker]
    if len(solids) != 1:
        raise ExportError(
            f"STL holds one structure (for printing); {len(solids)} are chosen - "
            "pick one, or export .glb/.obj for the scene"
        )
    item = solids[0]
    mesh = trimesh.Trimesh(np.asarray(item.points, dtype=np.float64), item.triangles, process=False)
    data = trimesh.exchange.stl.export_stl(mesh)
    header = f"Trigger Atlas {item.id} mm Z-up; see {sidecar_path(out).name}".encode(
        "ascii", "replace"
    )
    data = header[:80].ljust(80, b" ") + data[80:]
    _atomic_write(out, data)
    return out
