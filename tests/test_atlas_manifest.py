"""The committed atlas in meshes/: manifest schema, files, budgets, sides, FMA ids, landmarks.

These run over the built files (not the build), so they are fast and guard what ships.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

import jsonschema
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
MESHES = REPO / "meshes"
SCHEMA = REPO / "viewer" / "io" / "schemas" / "manifest.schema.json"

#: FMA IDs as listed in the project's DATA_SOURCES (BodyParts3D naming)
FMA = {
    "hip_bone_right": 16586, "hip_bone_left": 16587, "sacrum": 16202, "vertebra_t12": 10081,
    "vertebra_l1": 13072, "vertebra_l2": 13073, "vertebra_l3": 13074, "vertebra_l4": 13075,
    "vertebra_l5": 13076, "femur_right": 24474, "femur_left": 24475,
    "psoas_major_right": 22342, "psoas_major_left": 22343,
    "iliacus_right": 22322, "iliacus_left": 22323,
    "piriformis_right": 22340, "piriformis_left": 22341,
    "gluteus_maximus_right": 22328, "gluteus_maximus_left": 22329,
    "gluteus_medius_right": 22330, "gluteus_medius_left": 22331,
    "gluteus_minimus_right": 22332, "gluteus_minimus_left": 22333,
    "quadratus_lumborum_right": 22348, "quadratus_lumborum_left": 22349,
    "skin": 7163,
}  # fmt: skip
CONTRACT_BONES = [
    "vertebra_t12", "vertebra_l1", "vertebra_l2", "vertebra_l3", "vertebra_l4", "vertebra_l5",
    "sacrum", "hip_bone_left", "hip_bone_right", "femur_left", "femur_right",
]  # fmt: skip
CONTRACT_MUSCLES = [
    "psoas_major_upper", "psoas_major_lower", "iliacus", "piriformis", "gluteus_maximus",
    "gluteus_medius", "gluteus_minimus", "quadratus_lumborum", "iliocostalis_lumborum",
    "longissimus_thoracis", "multifidus", "tensor_fasciae_latae", "rectus_abdominis",
]  # fmt: skip
LANDMARK_PAIRED = [
    "hip_centre", "asis", "aiis", "psis", "iliac_crest_top", "iliac_tubercle", "pubic_tubercle",
    "ischial_tuberosity", "greater_sciatic_notch", "greater_trochanter", "lesser_trochanter",
]  # fmt: skip
LANDMARK_SINGLE = ["pubic_symphysis", "sacral_promontory", "s1_endplate_centre", "coccyx_tip"]
LEVELS = ["t12", "l1", "l2", "l3", "l4", "l5"]


@lru_cache(maxsize=1)
def manifest() -> dict:
    """The committed manifest."""
    return json.loads((MESHES / "manifest.json").read_text(encoding="utf-8"))


def structures() -> dict[str, dict]:
    """Manifest structures by id."""
    return {s["id"]: s for s in manifest()["structures"]}


@cache
def read(rel: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Points, triangles and point normals of a committed .vtp."""
    import vtk
    from vtk.util import numpy_support as ns

    reader = vtk.vtkXMLPolyDataReader()
    reader.SetFileName(str(MESHES / rel))
    reader.Update()
    poly = reader.GetOutput()
    pts = ns.vtk_to_numpy(poly.GetPoints().GetData()).astype(np.float64)
    offsets = ns.vtk_to_numpy(poly.GetPolys().GetOffsetsArray())
    conn = ns.vtk_to_numpy(poly.GetPolys().GetConnectivityArray())
    assert np.all(np.diff(offsets) == 3), f"{rel}: not a pure triangle mesh"
    normals = poly.GetPointData().GetNormals()
    return pts, conn.reshape(-1, 3), None if normals is None else ns.vtk_to_numpy(normals)


def file_entries() -> list[tuple[str, str]]:
    """(structure id, relative path) for every full and light file in the manifest."""
    out = []
    for s in manifest()["structures"]:
        for key in ("file", "file_light"):
            if s.get(key):
                out.append((s["id"], s[key]))
    return out


def test_manifest_is_schema_valid() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(manifest(), schema)
    assert manifest()["frame"] == "LPS" and manifest()["units"] == "mm"


def test_contract_structures_present_both_sides() -> None:
    ids = set(structures())
    missing = [b for b in CONTRACT_BONES if b not in ids]
    missing += [f"{m}_{s}" for m in CONTRACT_MUSCLES for s in ("left", "right")
                if f"{m}_{s}" not in ids]  # fmt: skip
    missing += [] if "skin" in ids else ["skin"]
    assert not missing, f"missing structures: {missing}"
    for sid in ids:
        for a, b in (("_left", "_right"), ("_right", "_left")):
            if sid.endswith(a):
                assert sid[: -len(a)] + b in ids, f"{sid} has no {b} partner"


def test_parents_and_attachments_reference_known_ids() -> None:
    ids = set(structures())
    for s in manifest()["structures"]:
        assert s.get("parent") in ids | {None}, f"{s['id']}: unknown parent {s.get('parent')}"
        for a in s.get("attachments", []):
            assert a["structure"] in ids, f"{s['id']}: unknown attachment {a['structure']}"
        if s["kind"] == "group":
            assert not s.get("file")
        else:
            assert s.get("file") and s.get("file_light"), f"{s['id']}: no files"


def test_fma_ids_match_data_sources() -> None:
    st = structures()
    wrong = {k: (st[k].get("fma"), v) for k, v in FMA.items() if st[k].get("fma") != v}
    assert not wrong, f"FMA ids (found, expected): {wrong}"


@pytest.mark.parametrize(("sid", "rel"), file_entries())
def test_every_file_reads_with_normals(sid: str, rel: str) -> None:
    pts, tris, normals = read(rel)
    assert len(pts) > 3 and len(tris) > 3, f"{sid}: empty mesh {rel}"
    assert normals is not None and normals.shape == pts.shape, f"{rel}: no point normals"
    assert np.isfinite(pts).all() and tris.max() < len(pts)
    assert (MESHES / rel).read_bytes()[:5] == b"<?xml" or b"<VTKFile" in (
        MESHES / rel
    ).read_bytes()[:200]
    assert b'compressor="vtkZLibDataCompressor"' in (MESHES / rel).read_bytes()[:400]


def test_meshes_closed_and_outward() -> None:
    import trimesh

    bad = []
    for _sid, rel in file_entries():
        pts, tris, _ = read(rel)
        # the file's own connectivity: coincident vertices are NOT merged (a pinch point may be
        # deliberately split into two vertices)
        m = trimesh.Trimesh(pts, tris, process=False)
        if not (m.is_watertight and m.is_winding_consistent and m.volume > 0):
            bad.append((rel, m.is_watertight, m.is_winding_consistent, round(m.volume)))
    assert not bad, f"not closed/outward (id, watertight, consistent, volume): {bad}"


def test_triangle_budgets() -> None:
    full = sum(len(read(s["file"])[1]) for s in manifest()["structures"] if s.get("file"))
    light = sum(
        len(read(s["file_light"])[1]) for s in manifest()["structures"] if s.get("file_light")
    )
    assert full <= 400_000, f"full atlas has {full} triangles"
    assert light <= 100_000, f"light atlas has {light} triangles"
    skin_pts = read(structures()["skin"]["file"])[0]
    assert 50_000 <= len(skin_pts) <= 150_000, f"skin has {len(skin_pts)} vertices"


def test_landmarks_complete_and_on_their_bones() -> None:
    doc = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))
    assert doc["frame"] == "LPS" and doc["units"] == "mm"
    marks = doc["landmarks"]
    names = [f"{n}_{s}" for n in LANDMARK_PAIRED for s in ("left", "right")] + LANDMARK_SINGLE
    names += [f"vertebral_body_{lv}" for lv in LEVELS] + [f"spinous_process_{lv}" for lv in LEVELS]
    names += [f"transverse_process_{lv}_{s}" for lv in LEVELS for s in ("left", "right")]
    assert not [n for n in names if n not in marks], "missing landmarks"
    st = structures()
    from scipy.spatial import cKDTree

    for name, m in marks.items():
        assert m["structure"] in st, f"{name}: unknown structure"
        if name.startswith(("hip_centre", "vertebral_body", "s1_endplate")):
            continue  # centres are not on the surface
        pts = read(st[m["structure"]]["file"])[0]
        d = cKDTree(pts).query(np.asarray(m["xyz"]))[0]
        assert d < 2.0, f"{name} is {d:.1f} mm off {m['structure']}"
    # the frame's origin is the midpoint of the hip centres
    mid = 0.5 * (np.asarray(marks["hip_centre_left"]["xyz"]) + marks["hip_centre_right"]["xyz"])
    assert np.linalg.norm(mid) < 0.01
    assert marks["hip_centre_left"]["xyz"][0] > 0 > marks["hip_centre_right"]["xyz"][0]


def test_notice_names_every_source_and_licence() -> None:
    text = (MESHES / "NOTICE").read_text(encoding="utf-8")
    for s in manifest()["sources"]:
        assert s["id"] in text and s["licence"] in text and s["version"] in text
    assert "Mozilla Public License 2.0" in text and "CC0" in text and "Apache" in text
