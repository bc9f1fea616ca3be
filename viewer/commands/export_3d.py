"""``trigger-atlas export-3d [--scene F] -o out.glb|.obj|.stl``: take the scene out in 3D.

Exports the visible structures of a saved scene (or the opening scene) with their colours, the
heat map as vertex colours on the skin, and, with ``--markers``, the trigger-point X markers as
small meshes. :func:`collect_scene_items` is shared with the window's File → Export 3D….
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from viewer.domain.palette import MARKER_INK
from viewer.domain.structures import Kind, hex_to_rgb

if TYPE_CHECKING:
    from viewer.features import Features
    from viewer.io.atlas_loader import LoadedAtlas
    from viewer.io.scene_export import ExportItem
    from viewer.state.scene import SceneState

HELP = "export the visible scene as 3D (.glb for slides/web/Blender, .obj, .stl of one bone)"

MARKER_ARM_MM = 16.0
MARKER_THICK_MM = 3.0


def _rgba(color: str, opacity: float) -> tuple[int, int, int, int]:
    r, g, b = hex_to_rgb(color)
    return (
        round(r * 255),
        round(g * 255),
        round(b * 255),
        round(max(0.0, min(1.0, opacity)) * 255),
    )


def marker_mesh(
    position: NDArray[np.floating], normal: NDArray[np.floating]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """A small 3D X (two crossed bars) lying on the surface at ``position``, facing ``normal``."""
    import trimesh

    n = np.asarray(normal, dtype=np.float64)
    n = n / (np.linalg.norm(n) or 1.0)
    helper = np.array([0.0, 0.0, 1.0]) if abs(n[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(n, helper)
    u /= np.linalg.norm(u)
    v = np.cross(n, u)
    pts_all: list[NDArray[np.float64]] = []
    tris_all: list[NDArray[np.int64]] = []
    for arm in ((u + v) / np.sqrt(2), (u - v) / np.sqrt(2)):
        side = np.cross(n, arm)
        frame = np.eye(4)
        frame[:3, 0], frame[:3, 1], frame[:3, 2] = arm, side, n
        frame[:3, 3] = np.asarray(position, dtype=np.float64) + n * MARKER_THICK_MM
        box = trimesh.creation.box(
            extents=(MARKER_ARM_MM, MARKER_THICK_MM, MARKER_THICK_MM), transform=frame
        )
        tris_all.append(np.asarray(box.faces) + int(sum(len(p) for p in pts_all)))
        pts_all.append(np.asarray(box.vertices))
    return np.vstack(pts_all), np.vstack(tris_all).astype(np.int64)


def collect_scene_items(
    loaded: LoadedAtlas,
    state: SceneState,
    features: Features | None = None,
    *,
    heat: bool = True,
    markers: bool = False,
    only: str | None = None,
) -> list[ExportItem]:
    """The visible structures (or just ``only``) as export items, heat map and markers included
    as asked."""
    from viewer.io.scene_export import ExportItem

    atlas = loaded.atlas
    heat_rgb: dict[str, NDArray[np.uint8]] = {}
    referral = features.referral if features is not None else None
    triggers = features.triggers if features is not None else None
    if heat and referral is not None and triggers is not None:
        ids = tuple(i for i in triggers.heat_trigger_points() if i in referral.trigger_points)
        skin = next((s.id for s in atlas.renderable if s.kind is Kind.SKIN), None)
        if ids and skin is not None and skin in loaded.meshes:
            from viewer.render.heatmap_painter import heat_colors

            field = referral.field_for(ids)
            if len(field.intensity) == len(loaded.meshes[skin].points):
                heat_rgb[skin] = heat_colors(
                    hex_to_rgb(state.color(skin)), field.intensity, field.classes
                )
    items: list[ExportItem] = []
    wanted = [only] if only else [s.id for s in atlas.renderable if state.is_visible(s.id)]
    for sid in wanted:
        s = atlas.get(sid)
        mesh = loaded.meshes.get(sid)
        if mesh is None:
            continue
        rgba = _rgba(state.color(sid), state.opacity(sid))
        colors = None
        if sid in heat_rgb:
            colors = np.hstack(
                [heat_rgb[sid], np.full((len(heat_rgb[sid]), 1), rgba[3], dtype=np.uint8)]
            )
        items.append(
            ExportItem(
                sid,
                s.name,
                mesh.points,
                mesh.triangles,
                rgba,
                ", ".join(s.source),
                s.licence,
                colors,
            )
        )
    if markers and referral is not None and triggers is not None and only is None:
        from viewer.features import muscle_base

        for tp_id in triggers.visible_markers():
            tp = referral.trigger_points.get(tp_id)
            if tp is None:
                continue
            pts, tris = marker_mesh(np.asarray(tp.position), np.asarray(tp.normal))
            color = (
                features.marker_colors.get(muscle_base(tp.muscle), MARKER_INK)
                if features
                else "#0072b2"
            )
            items.append(
                ExportItem(
                    f"marker_{tp_id}",
                    f"Trigger point: {tp.name}",
                    pts,
                    tris,
                    _rgba(color, 1.0),
                    "trigger-atlas annotations",
                    "Apache-2.0",
                    marker=True,
                )
            )
    return items


def source_statements(loaded: LoadedAtlas) -> dict[str, str]:
    """``source id -> "name version, licence, url (note)"`` for the attribution text."""
    out = {}
    for s in loaded.atlas.sources:
        parts = [f"{s.name} {s.version}".strip(), f"licence {s.licence}"]
        if s.url:
            parts.append(s.url)
        if s.note:
            parts.append(s.note)
        out[s.id] = "; ".join(parts)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``-o``, ``--scene``, ``--markers``, ``--no-heat``, ``--structure``."""
    parser.add_argument("-o", "--output", type=Path, required=True, help=".glb, .obj or .stl")
    parser.add_argument("--scene", type=Path, default=None, help="a saved .tascene file")
    parser.add_argument("--markers", action="store_true", help="add trigger-point X markers")
    parser.add_argument("--no-heat", action="store_true", help="leave the heat map out")
    parser.add_argument("--structure", default=None, help="export only this structure id (STL)")


def run(args: argparse.Namespace) -> int:
    """Load the scene, collect the visible structures, write the file and its side-car."""
    from viewer.context import load_context
    from viewer.features import load_features
    from viewer.io.scene_export import ExportError, export_scene

    context = load_context(args.atlas)
    if not context.loaded.atlas.renderable:
        print(f"error: no atlas in {context.loaded.folder}", file=sys.stderr)
        return 1
    features = load_features(context)
    if args.scene is not None:
        from viewer.io.scenes import load_scene
        from viewer.state.scene_io import apply_scene

        doc, problems = load_scene(args.scene)
        if doc is None:
            for p in problems:
                print(f"error: {p}", file=sys.stderr)
            return 1
        _, more = apply_scene(doc, context.state, features, file=str(args.scene))
        for p in [*problems, *more]:
            print(f"warning: {p}", file=sys.stderr)
    if args.structure is not None and args.structure not in context.loaded.meshes:
        print(f"error: no structure {args.structure!r} with a mesh", file=sys.stderr)
        return 2
    items = collect_scene_items(
        context.loaded,
        context.state,
        features,
        heat=not args.no_heat,
        markers=args.markers,
        only=args.structure,
    )
    try:
        written = export_scene(items, args.output, source_statements(context.loaded))
    except (ExportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    n = sum(1 for i in items if not i.marker)
    print(f"{n} structures, {len(items) - n} markers")
    for path in written:
        print(path)
    return 0
