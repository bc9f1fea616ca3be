"""Units of the import: the similarity fit, name recognition, each reader, cleaning notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.domain.import_match import StructureMatcher, name_of_file
from viewer.domain.registration import FRAMES, Similarity, axis_rotations, fit_similarity, register
from viewer.io.manifest import load_manifest
from viewer.io.mesh_import import ImportFileError, read_import_file
from viewer.io.resources import builtin_meshes_dir
from viewer.io.synonyms import load_synonyms


def test_fit_similarity_recovers_a_known_transform():
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(200, 3)) * 50
    truth = Similarity(FRAMES["Y-up"], 0.001, np.array([1.0, 2.0, 3.0]))
    fitted = fit_similarity(pts, truth.apply(pts))
    assert np.allclose(fitted.rotation, truth.rotation, atol=1e-9)
    assert fitted.scale == pytest.approx(0.001)
    assert np.allclose(fitted.apply(pts), truth.apply(pts), atol=1e-9)
    assert len(axis_rotations()) == 24
    assert all(np.linalg.det(m) == pytest.approx(1.0) for m in axis_rotations())


def test_register_finds_a_y_up_metre_pelvis():
    from viewer.io.meshes import read_mesh

    root = builtin_meshes_dir()
    fixed = np.vstack(
        [read_mesh(root / "bones" / f"{b}.light.vtp").points for b in ("hip_bone_left", "sacrum")]
    ).astype(float)
    to_yup = Similarity(FRAMES["Y-up"].T, 0.001, np.array([0.0, 0.9, 0.0]))  # LPS mm -> Y-up m
    reg = register(to_yup.apply(fixed), fixed)
    assert reg.frame == "Y-up"
    assert reg.transform.scale == pytest.approx(1000.0, rel=1e-3)
    assert reg.residual_mm < 0.5


@pytest.fixture(scope="module")
def matcher() -> StructureMatcher:
    atlas = load_manifest(builtin_meshes_dir()).atlas
    synonyms, _ = load_synonyms(atlas)
    return StructureMatcher(atlas, synonyms)


@pytest.mark.parametrize(
    ("stem", "header", "expected"),
    [
        ("FJ33_BP4581_FMA22342_Right psoas major", [], "psoas_major_right"),
        ("whatever", ["Concept ID : FMA16587"], "hip_bone_left"),
        ("Musculus piriformis sinister", [], "piriformis_left"),
        ("Gluteus_maximus_muscle.r", [], "gluteus_maximus_right"),
        ("fifth lumbar vertebra", [], "vertebra_l5"),
        ("coccyx", [], "sacrum"),
        ("QL (left)", [], "quadratus_lumborum_left"),
        ("Psoas major, upper part (T12-L2) (right)", [], "psoas_major_upper_right"),
        ("piriformis", [], None),  # side from the position, later
        ("right hip flexor", [], None),  # several muscles: not guessed
        ("FJ1_BP2_FMA7088_Heart", [], None),
    ],
)
def test_recognition(matcher, stem, header, expected):
    rec = matcher.recognise(stem, header)
    assert rec.structure_id == expected, rec
    if expected is None and stem == "piriformis":
        assert rec.side_from_position and matcher.with_side(rec, 80.0).structure_id == (
            "piriformis_left"
        )
    elif expected is None:
        assert rec.reason


def test_name_of_file_strips_bodyparts3d_tokens():
    assert name_of_file("FJ3259_BP8414_FMA16586_Right hip bone") == "Right hip bone"


def _ball() -> trimesh.Trimesh:
    return trimesh.creation.icosphere(subdivisions=3, radius=40.0)


@pytest.mark.parametrize("suffix", [".off", ".glb", ".ply", ".stl", ".obj"])
def test_each_trimesh_format_reads(tmp_path: Path, suffix: str):
    path = tmp_path / f"ball{suffix}"
    _ball().export(path)
    mesh = read_import_file(path)
    assert len(mesh.triangles) == len(_ball().faces)
    assert np.allclose(np.linalg.norm(mesh.points, axis=1), 40.0, atol=1e-3)
    assert not any("open surface" in n for n in mesh.notes)


def test_vtp_reads_and_open_surfaces_are_noted(tmp_path: Path):
    from viewer.io.user_atlas import write_vtp

    ball = _ball()
    write_vtp(tmp_path / "cap.vtp", ball.vertices, ball.faces[ball.triangles_center[:, 2] < 30])
    mesh = read_import_file(tmp_path / "cap.vtp")
    assert any("open surface" in n for n in mesh.notes)


def test_an_inside_out_surface_is_turned_outward(tmp_path: Path):
    ball = _ball()
    trimesh.Trimesh(ball.vertices, ball.faces[:, ::-1]).export(tmp_path / "inside out.stl")
    mesh = read_import_file(tmp_path / "inside out.stl")
    assert any("outward" in n for n in mesh.notes)
    assert trimesh.Trimesh(mesh.points, mesh.triangles).volume > 0


def test_points_only_and_unknown_formats_are_refused(tmp_path: Path):
    (tmp_path / "cloud.ply").write_text(
        "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
        "property float z\nend_header\n0 0 0\n1 0 0\n0 1 0\n",
        encoding="ascii",
    )
    with pytest.raises(ImportFileError):
        read_import_file(tmp_path / "cloud.ply")
    (tmp_path / "notes.dae").write_text("<xml/>", encoding="ascii")
    with pytest.raises(ImportFileError, match="not a mesh format"):
        read_import_file(tmp_path / "notes.dae")


def test_heavy_imports_get_a_light_twin(tmp_path: Path):
    from viewer.io.meshes import read_mesh
    from viewer.io.user_atlas import LIGHT_TRIANGLES, _write_mesh

    ball = trimesh.creation.icosphere(subdivisions=5, radius=40.0)  # 20,480 triangles
    (tmp_path / "imported").mkdir()
    light = _write_mesh(tmp_path, "imported/ball.vtp", ball.vertices, ball.faces)
    assert light == "imported/ball.light.vtp"
    small = read_mesh(tmp_path / light)
    assert small.n_triangles <= LIGHT_TRIANGLES * 1.05
    volume = trimesh.Trimesh(small.points, small.triangles).volume
    assert volume == pytest.approx(ball.volume, rel=0.03)
    assert _write_mesh(tmp_path, "imported/few.vtp", small.points, small.triangles) is None
