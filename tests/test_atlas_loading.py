"""Loading atlases: valid ones load fully; broken files are named and skipped, never fatal."""

from __future__ import annotations

import json
from pathlib import Path

from viewer.io.atlas_loader import load_atlas
from viewer.io.manifest import load_manifest
from viewer.io.resources import builtin_meshes_dir


def _edit_manifest(folder: Path, edit: object) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))


def test_tiny_atlas_loads_completely(tiny_atlas_dir: Path) -> None:
    loaded = load_atlas(tiny_atlas_dir)
    assert loaded.problems == []
    assert {s.id for s in loaded.atlas.renderable} == {
        "pelvis_block",
        "muscle_a_upper_right",
        "muscle_a_lower_right",
        "muscle_b_right",
        "skin",
    }
    assert set(loaded.light) == {"muscle_b_right"}
    assert loaded.n_triangles_light < loaded.n_triangles
    mesh = loaded.meshes["muscle_b_right"]
    assert mesh.points.shape[1] == 3 and mesh.triangles.shape[1] == 3
    assert mesh.normals is not None and mesh.normals.shape == mesh.points.shape


def test_missing_atlas_is_reported_not_raised(tmp_path: Path) -> None:
    loaded = load_atlas(tmp_path / "nowhere")
    assert not loaded.installed
    assert len(loaded.atlas) == 0
    assert "no atlas is installed" in str(loaded.problems[0])


def test_missing_mesh_file_names_file_and_keeps_the_rest(tiny_atlas_copy: Path) -> None:
    (tiny_atlas_copy / "muscles/muscle_b_right.vtp").unlink()
    loaded = load_atlas(tiny_atlas_copy)
    assert "muscle_b_right" not in loaded.atlas
    assert "pelvis_block" in loaded.atlas
    (problem,) = loaded.problems
    assert problem.file.endswith("muscle_b_right.vtp")
    assert "file not found" in problem.message


def test_corrupt_mesh_file_is_reported(tiny_atlas_copy: Path) -> None:
    (tiny_atlas_copy / "muscles/muscle_a_upper_right.vtp").write_bytes(b"<VTKFile>garbage")
    loaded = load_atlas(tiny_atlas_copy)
    assert "muscle_a_upper_right" not in loaded.atlas
    assert "muscle_a_lower_right" in loaded.atlas, "the sibling part still loads"
    assert any("muscle_a_upper_right.vtp" in p.file for p in loaded.problems)


def test_group_with_no_loadable_member_is_dropped(tiny_atlas_copy: Path) -> None:
    for part in ("upper", "lower"):
        (tiny_atlas_copy / f"muscles/muscle_a_{part}_right.vtp").unlink()
    loaded = load_atlas(tiny_atlas_copy)
    assert "muscle_a_right" not in loaded.atlas
    assert len(loaded.problems) == 2


def test_invalid_json_names_line_and_column(tiny_atlas_copy: Path) -> None:
    (tiny_atlas_copy / "manifest.json").write_text('{"schema_version": 1,\n  "frame": LPS}')
    result = load_manifest(tiny_atlas_copy)
    assert len(result.atlas) == 0
    assert "line 2" in str(result.problems[0])


def test_bad_entry_is_skipped_with_entry_and_field(tiny_atlas_copy: Path) -> None:
    def edit(data: dict) -> None:
        data["structures"][4]["kind"] = "tendon"
        data["structures"][0]["color"] = "beige"

    _edit_manifest(tiny_atlas_copy, edit)
    result = load_manifest(tiny_atlas_copy)
    messages = [str(p) for p in result.problems]
    assert any("structures[4] (muscle_b_right) kind" in m and "tendon" in m for m in messages)
    assert any("(pelvis_block) color" in m for m in messages)
    assert "muscle_b_right" not in result.atlas and "skin" in result.atlas


def test_dangling_references_are_reported(tiny_atlas_copy: Path) -> None:
    def edit(data: dict) -> None:
        data["structures"][2]["parent"] = "muscle_z"
        data["structures"][4]["attachments"] = [{"structure": "femur_x", "role": "insertion"}]

    _edit_manifest(tiny_atlas_copy, edit)
    result = load_manifest(tiny_atlas_copy)
    text = "\n".join(str(p) for p in result.problems)
    assert "muscle_a_upper_right parent: refers to unknown structure 'muscle_z'" in text
    assert "femur_x" in text
    assert result.atlas.get("muscle_a_upper_right").parent is None


def test_wrong_frame_is_fatal_and_explained(tiny_atlas_copy: Path) -> None:
    _edit_manifest(tiny_atlas_copy, lambda d: d.update(frame="RAS"))
    result = load_manifest(tiny_atlas_copy)
    assert len(result.atlas) == 0
    assert "frame" in str(result.problems[0])


def test_builtin_atlas_loads_without_problems() -> None:
    loaded = load_atlas(builtin_meshes_dir())
    assert loaded.installed, "meshes/manifest.json must ship with the repository"
    assert loaded.problems == []
    kinds = {s.kind.value for s in loaded.atlas.renderable}
    assert "bone" in kinds


def test_light_first_defers_full_detail_until_asked(tiny_atlas_dir: Path) -> None:
    loaded = load_atlas(tiny_atlas_dir, light_first=True)
    light = loaded.meshes["muscle_b_right"]
    assert loaded.pending_full == {"muscle_b_right": "muscles/muscle_b_right.vtp"}
    assert light.n_triangles == loaded.light["muscle_b_right"].n_triangles
    upgraded = loaded.load_full()
    assert set(upgraded) == {"muscle_b_right"}
    assert loaded.meshes["muscle_b_right"].n_triangles > light.n_triangles
    assert loaded.pending_full == {} and loaded.problems == []


def test_light_first_reports_a_broken_full_file_and_keeps_the_light_one(
    tiny_atlas_copy: Path,
) -> None:
    loaded = load_atlas(tiny_atlas_copy, light_first=True)
    (tiny_atlas_copy / "muscles/muscle_b_right.vtp").write_text("broken")
    assert loaded.load_full() == {}
    assert "muscle_b_right" in loaded.meshes
    assert any("light mesh used instead" in p.message for p in loaded.problems)
