"""Exporting the scene in 3D: glTF (Y-up metres), OBJ+MTL, STL; round trips through trimesh."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.cli import main
from viewer.commands.export_3d import collect_scene_items, source_statements
from viewer.domain.structures import hex_to_rgb
from viewer.io.scene_export import ExportError, export_scene, sidecar_path, to_gltf

HEAT_POINT = "piriformis_lateral_right"


@pytest.fixture(scope="module")
def scene():
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context()
    features = load_features(context)
    assert features.triggers is not None
    features.triggers.set_active([HEAT_POINT])
    features.triggers.set_markers_visible(["piriformis_right"], True)
    context.state.set_visible(["femur_left", "femur_right"], False)
    return context, features


def _glb_json(path: Path) -> dict:
    data = path.read_bytes()
    magic, version, _ = struct.unpack("<4sII", data[:12])
    assert (magic, version) == (b"glTF", 2)
    length, kind = struct.unpack("<I4s", data[12:20])
    assert kind == b"JSON"
    return json.loads(data[20 : 20 + length])


def _atlas_bounds(items) -> np.ndarray:
    pts = np.vstack([np.asarray(i.points) for i in items])
    return np.array([pts.min(axis=0), pts.max(axis=0)])


def test_glb_round_trip_keeps_structures_colours_and_upright_frame(scene, tmp_path: Path):
    context, features = scene
    items = collect_scene_items(context.loaded, context.state, features, markers=True)
    visible = [s.id for s in context.loaded.atlas.renderable if context.state.is_visible(s.id)]
    markers = [i for i in items if i.marker]
    assert [i.id for i in items if not i.marker] == visible and "femur_left" not in visible
    assert markers, "the piriformis markers were asked for"
    out = tmp_path / "scene.glb"
    written = export_scene(items, out, source_statements(context.loaded))
    assert written == [out, sidecar_path(out)]

    loaded = trimesh.load(out)
    assert isinstance(loaded, trimesh.Scene)
    assert set(loaded.geometry) == {i.id for i in items}
    for sid in ("hip_bone_right", "gluteus_medius_right"):
        factor = np.asarray(loaded.geometry[sid].visual.material.baseColorFactor)
        expected = np.round(np.array(hex_to_rgb(context.state.color(sid))) * 255)
        assert np.abs(factor[:3] - expected).max() <= 1, sid
    # Y-up metres: the body's height runs along +y, and the bounds are the atlas's converted.
    lo, hi = loaded.bounds
    a_lo, a_hi = _atlas_bounds(items)
    expected = np.sort(to_gltf(np.array([a_lo, a_hi])), axis=0)
    assert np.allclose([lo, hi], expected, atol=1e-6)
    assert (hi - lo)[1] == pytest.approx((a_hi - a_lo)[2] / 1000)
    # The subject faces +z: the pubic symphysis is in front of the sacrum.
    pelvis = loaded.geometry["hip_bone_right"].vertices
    sacrum = loaded.geometry["sacrum"].vertices
    assert pelvis[:, 2].max() > sacrum[:, 2].max()
    # The heat map travels as vertex colours on the skin: some vertices are heat-red.
    skin = loaded.geometry["skin"]
    colours = np.asarray(skin.visual.vertex_colors)[:, :3].astype(int)
    base = np.round(np.array(hex_to_rgb(context.state.color("skin"))) * 255).astype(int)
    hot = np.abs(colours - base).sum(axis=1) > 60
    assert 0 < hot.sum() < len(colours) // 2
    assert (colours[hot, 0] > colours[hot, 2]).all()  # warm, not blue
    # Licence and attribution inside the file and beside it.
    asset = _glb_json(out)["asset"]
    assert "Apache-2.0" in asset["copyright"] and "MPL-2.0" in asset["copyright"]
    ids = {s["id"] for s in asset["extras"]["structures"]}
    assert ids == set(visible)
    sidecar = sidecar_path(out).read_text(encoding="utf-8")
    assert "hip_bone_right" in sidecar and "not a diagnosis" in sidecar


def test_obj_round_trip_has_one_object_and_material_per_structure(scene, tmp_path: Path):
    context, features = scene
    items = collect_scene_items(context.loaded, context.state, features, heat=False)
    out = tmp_path / "scene.obj"
    written = export_scene(items, out, source_statements(context.loaded))
    mtl = out.with_suffix(".mtl")
    assert mtl in written
    loaded = trimesh.load(out, group_material=True, split_object=True)
    assert isinstance(loaded, trimesh.Scene)
    assert len(loaded.geometry) == len(items)
    kd = {}
    current = ""
    for line in mtl.read_text(encoding="utf-8").splitlines():
        if line.startswith("newmtl "):
            current = line.split()[1]
        elif line.startswith("Kd "):
            kd[current] = np.array([float(v) for v in line.split()[1:]])
    assert set(kd) == {i.id for i in items}
    assert np.allclose(kd["sacrum"], hex_to_rgb(context.state.color("sacrum")), atol=1e-3)
    lo, hi = loaded.bounds
    expected = np.sort(to_gltf(_atlas_bounds(items)), axis=0)
    assert np.allclose([lo, hi], expected, atol=1e-5)


def test_stl_of_one_bone_is_watertight_in_millimetres(scene, tmp_path: Path):
    context, features = scene
    items = collect_scene_items(context.loaded, context.state, features, only="hip_bone_right")
    out = tmp_path / "hip.stl"
    export_scene(items, out)
    mesh = trimesh.load(out)
    assert mesh.is_watertight and mesh.volume > 0
    atlas = context.loaded.meshes["hip_bone_right"].points
    assert np.allclose(mesh.bounds, [atlas.min(axis=0), atlas.max(axis=0)], atol=1e-3)
    every = collect_scene_items(context.loaded, context.state, features)
    with pytest.raises(ExportError, match="one structure"):
        export_scene(every, tmp_path / "all.stl")


def test_cli_exports_a_saved_scene(tmp_path: Path, capsys):
    from viewer.context import load_context
    from viewer.io.scenes import save_scene
    from viewer.state.scene_io import capture_scene

    context = load_context()
    context.state.isolate(["sacrum", "hip_bone_left", "hip_bone_right"])
    scene_file = tmp_path / "pelvis.tascene"
    save_scene(scene_file, capture_scene(context.state))
    out = tmp_path / "pelvis.glb"
    assert main(["export-3d", "--scene", str(scene_file), "-o", str(out)]) == 0
    assert set(trimesh.load(out).geometry) == {"sacrum", "hip_bone_left", "hip_bone_right"}
    assert main(["export-3d", "-o", str(tmp_path / "x.stl")]) == 1
    assert "one structure" in capsys.readouterr().err
