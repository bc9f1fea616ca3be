"""Anatomical checks of the built muscle meshes (meshes/ as written by the atlas build).

They read only the committed output (manifest.json, landmarks.json, .vtp files) and the cited
reference volumes, so they test what the app will show. Each check names the anatomy it stands
for: where psoas arises, that iliacus lies in the iliac fossa, that piriformis passes through
the greater sciatic notch, where the tendons insert, that no muscle sits inside a bone, that
the two sides match and that volumes are those of real adults.

Set ``TRIGGER_ATLAS_MESHES`` to check another build directory.
"""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
MESHES = Path(os.environ.get("TRIGGER_ATLAS_MESHES", REPO / "meshes"))
MANIFEST = MESHES / "manifest.json"
VOLUMES = REPO / "annotations" / "reference" / "muscle_volumes.json"

CONTRACT_MUSCLES = (
    "psoas_major_upper",
    "psoas_major_lower",
    "iliacus",
    "piriformis",
    "gluteus_maximus",
    "gluteus_medius",
    "gluteus_minimus",
    "quadratus_lumborum",
    "iliocostalis_lumborum",
    "longissimus_thoracis",
    "multifidus",
    "tensor_fasciae_latae",
    "rectus_abdominis",
)
CONTRACT_GROUPS = {
    "psoas_major": ("psoas_major_upper", "psoas_major_lower"),
    "iliopsoas": ("psoas_major", "iliacus"),
    "erector_spinae": ("iliocostalis_lumborum", "longissimus_thoracis"),
}
SIDES = ("right", "left")
LEVELS = ("t12", "l1", "l2", "l3", "l4", "l5")

needs_atlas = pytest.mark.skipif(
    not MANIFEST.exists(), reason=f"no built atlas at {MANIFEST} (run python -m tools.build_atlas)"
)


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=1)
def _manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _landmarks() -> dict[str, np.ndarray]:
    doc = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))
    return {k: np.asarray(v["xyz"], dtype=float) for k, v in doc["landmarks"].items()}


def _entry(sid: str) -> dict:
    for s in _manifest()["structures"]:
        if s["id"] == sid:
            return s
    raise KeyError(sid)


@cache
def _mesh(sid: str) -> tuple[np.ndarray, np.ndarray]:
    """(vertices, triangles) of a structure's full-detail file."""
    import pyvista as pv

    poly = pv.read(MESHES / _entry(sid)["file"]).triangulate()
    faces = np.asarray(poly.faces).reshape(-1, 4)[:, 1:]
    return np.asarray(poly.points, dtype=float), faces


def _volume_ml(v: np.ndarray, f: np.ndarray) -> float:
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0 / 1000.0)


@cache
def _bone_distance(bone: str):
    import pyvista as pv
    import vtk

    poly = pv.read(MESHES / _entry(bone)["file"]).triangulate()
    fn = vtk.vtkImplicitPolyDataDistance()
    fn.SetInput(poly)
    return fn, np.asarray(poly.bounds).reshape(3, 2)


def signed_distance(bone: str, pts: np.ndarray) -> np.ndarray:
    """Signed distance (mm, negative inside) of points to a bone surface."""
    import vtk
    from vtk.util.numpy_support import numpy_to_vtk, vtk_to_numpy

    fn, _ = _bone_distance(bone)
    out = vtk.vtkDoubleArray()
    fn.FunctionValue(numpy_to_vtk(np.ascontiguousarray(pts, dtype=float), deep=True), out)
    return vtk_to_numpy(out).copy()


def _near_bone(bone: str, pts: np.ndarray, margin: float = 5.0) -> np.ndarray:
    _, b = _bone_distance(bone)
    return np.all((pts >= b[:, 0] - margin) & (pts <= b[:, 1] + margin), axis=1)


# --------------------------------------------------------------------------- table


def test_muscle_table_complete_and_consistent() -> None:
    """Every contract muscle and group exists on both sides, complete, with parents that resolve."""
    from tools.atlas_build.muscle_table import MUSCLES

    by_id = {m.id: m for m in MUSCLES}
    assert len(by_id) == len(MUSCLES), "duplicate ids"
    for side in SIDES:
        for base in CONTRACT_MUSCLES:
            m = by_id[f"{base}_{side}"]
            assert m.kind == "muscle" and m.side == side
            assert m.color and m.color.startswith("#") and len(m.color) == 7
            assert m.latin.startswith("Musculus") or m.latin.startswith("Musculi")
            assert m.name.endswith(f"({side})") and m.plain_name and m.description
        for group, members in CONTRACT_GROUPS.items():
            g = by_id[f"{group}_{side}"]
            assert g.kind == "group"
            for mem in members:
                assert by_id[f"{mem}_{side}"].parent == g.id
    for m in MUSCLES:
        if m.parent is not None:
            assert by_id[m.parent].kind == "group", f"{m.id}: parent {m.parent} is not a group"
            assert by_id[m.parent].side == m.side
    fma = {m.id: m.fma for m in MUSCLES}
    assert fma["iliacus_right"] == 22322 and fma["iliacus_left"] == 22323
    assert fma["psoas_major_right"] == 22342 and fma["gluteus_maximus_left"] == 22329
    colours = {by_id[f"{b}_right"].color for b in CONTRACT_MUSCLES}
    assert len(colours) == len(CONTRACT_MUSCLES), "neighbouring muscles need distinct colours"


@needs_atlas
def test_manifest_lists_every_muscle_with_a_file() -> None:
    """The built atlas carries every muscle (with files) and every group (without)."""
    for side in SIDES:
        for base in CONTRACT_MUSCLES:
            e = _entry(f"{base}_{side}")
            assert e["kind"] == "muscle" and e.get("file")
            assert (MESHES / e["file"]).exists()
            assert e.get("attachments"), f"{e['id']} lists no attachments"
        for group in CONTRACT_GROUPS:
            e = _entry(f"{group}_{side}")
            assert e["kind"] == "group" and not e.get("file")


# --------------------------------------------------------------------------- anatomy


def _nearest_vertebra(p: np.ndarray) -> str:
    lm = _landmarks()
    d = {lev: np.linalg.norm(lm[f"vertebral_body_{lev}"] - p) for lev in LEVELS}
    return min(d, key=d.__getitem__)


@needs_atlas
@pytest.mark.parametrize("side", SIDES)
def test_psoas_parts_arise_from_their_vertebrae(side: str) -> None:
    """Upper psoas reaches up to T12; lower psoas begins at L2 (its most superior points)."""
    for part, want in (("psoas_major_upper", {"t12"}), ("psoas_major_lower", {"l2"})):
        v, _ = _mesh(f"{part}_{side}")
        top = v[np.argsort(v[:, 2])[-max(len(v) // 100, 5) :]].mean(axis=0)
        got = _nearest_vertebra(top)
        assert got in want, f"{part}_{side}: top nearest {got}, expected {sorted(want)}"
    up, _ = _mesh(f"psoas_major_upper_{side}")
    lo, _ = _mesh(f"psoas_major_lower_{side}")
    assert up[:, 2].max() > lo[:, 2].max() + 20.0


@needs_atlas
@pytest.mark.parametrize("side", SIDES)
def test_iliacus_lies_in_the_iliac_fossa(side: str) -> None:
    """Above the hip joint, iliacus lies against the inner (medial-facing) surface of the iliac
    wing, in front of the sacroiliac joint; gluteus medius against the outer surface."""
    import pyvista as pv
    from scipy.spatial import cKDTree

    lm = _landmarks()
    poly = pv.read(MESHES / _entry(f"hip_bone_{side}")["file"]).compute_normals(
        auto_orient_normals=True
    )
    bp, bn = np.asarray(poly.points), np.asarray(poly.point_data["Normals"])
    tree = cKDTree(bp)
    hip = lm[f"hip_centre_{side}"]
    lateral = np.array([1.0 if side == "left" else -1.0, 0.0, 0.0])
    for sid, want_inner in ((f"iliacus_{side}", True), (f"gluteus_medius_{side}", False)):
        v, _ = _mesh(sid)
        up = v[v[:, 2] > hip[2] + 45.0]
        _, i = tree.query(up, k=1)
        faces_in = bn[i] @ lateral < 0.0  # the bone surface next to the muscle faces medially
        frac = float(faces_in.mean())
        if want_inner:
            assert frac > 0.85, f"{sid}: only {frac:.0%} against the inner face of the wing"
        else:
            assert frac < 0.15, f"{sid}: {frac:.0%} against the inner face of the wing"
    v, _ = _mesh(f"iliacus_{side}")
    assert np.median(v[v[:, 2] > hip[2] + 45.0][:, 1]) < lm[f"psis_{side}"][1] - 40.0


@needs_atlas
@pytest.mark.parametrize("side", SIDES)
def test_piriformis_passes_through_greater_sciatic_notch(side: str) -> None:
    """Piriformis is inside the pelvis at the sacrum, passes close by the notch and ends
    outside on the trochanter."""
    lm = _landmarks()
    v, _ = _mesh(f"piriformis_{side}")
    notch = lm[f"greater_sciatic_notch_{side}"]
    assert np.linalg.norm(v - notch, axis=1).min() < 15.0
    lat = np.abs(v[:, 0])
    assert (lat < abs(notch[0]) - 20.0).any(), "no part of piriformis inside the pelvis"
    assert (lat > abs(notch[0]) + 30.0).any(), "piriformis does not leave the pelvis"
    # the passage: at the notch's left-right position the muscle is below the notch apex
    ring = v[np.abs(lat - abs(notch[0])) < 4.0]
    assert len(ring) and np.median(ring[:, 2]) < notch[2] + 5.0


@needs_atlas
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize(
    ("muscle", "landmark", "limit"),
    [
        ("iliacus", "lesser_trochanter", 10.0),
        ("psoas_major_upper", "lesser_trochanter", 10.0),
        ("psoas_major_lower", "lesser_trochanter", 10.0),
        ("piriformis", "greater_trochanter", 12.0),
        ("gluteus_medius", "greater_trochanter", 20.0),
        ("gluteus_minimus", "greater_trochanter", 20.0),
    ],
)
def test_insertions_reach_their_landmarks(
    side: str, muscle: str, landmark: str, limit: float
) -> None:
    """Tendons end on the right trochanter."""
    v, _ = _mesh(f"{muscle}_{side}")
    p = _landmarks()[f"{landmark}_{side}"]
    d = float(np.linalg.norm(v - p, axis=1).min())
    assert d < limit, f"{muscle}_{side}: {d:.1f} mm from {landmark}"


@needs_atlas
@pytest.mark.parametrize("side", SIDES)
def test_muscles_touch_their_bones_and_stay_out_of_bone(side: str) -> None:
    """Each muscle comes within 3 mm of every bone it attaches to, and enters no bone by more
    than 3 mm."""
    bones = [s["id"] for s in _manifest()["structures"] if s["kind"] == "bone"]
    problems = []
    for base in CONTRACT_MUSCLES:
        e = _entry(f"{base}_{side}")
        v, _ = _mesh(e["id"])
        for att in e["attachments"]:
            d = signed_distance(att["structure"], v[_near_bone(att["structure"], v, 10.0)])
            if not len(d) or float(d.min()) > 3.0:
                problems.append(f"{e['id']} does not reach {att['structure']}")
        for b in bones:
            near = _near_bone(b, v)
            if near.any():
                d = float(signed_distance(b, v[near]).min())
                if d < -3.0:
                    problems.append(f"{e['id']} enters {b} by {-d:.1f} mm")
    assert not problems, "; ".join(problems)


@needs_atlas
def test_left_and_right_match() -> None:
    """The left side is the mirror image of the right (every mirrored vertex within 2 mm of the
    right-side surface)."""
    import pyvista as pv
    import vtk
    from vtk.util.numpy_support import numpy_to_vtk, vtk_to_numpy

    for base in CONTRACT_MUSCLES:
        fn = vtk.vtkImplicitPolyDataDistance()
        fn.SetInput(pv.read(MESHES / _entry(f"{base}_right")["file"]).triangulate())
        left, _ = _mesh(f"{base}_left")
        m = np.ascontiguousarray(left[::3] * np.array([-1.0, 1.0, 1.0]))
        out = vtk.vtkDoubleArray()
        fn.FunctionValue(numpy_to_vtk(m, deep=True), out)
        d = np.abs(vtk_to_numpy(out))
        assert float(d.max()) < 2.0, f"{base}: sides differ by {d.max():.1f} mm"


@needs_atlas
@pytest.mark.parametrize("side", SIDES)
def test_volumes_match_published_adult_mri(side: str) -> None:
    """Volumes within the stated tolerance of the cited references (Handsfield et al. 2014 MRI;
    gluteus maximus from Ward et al. 2009 cadavers, see the reference file)."""
    ref = json.loads(VOLUMES.read_text(encoding="utf-8"))
    tol = float(ref["tolerance"])
    parts = {"psoas_major": ("psoas_major_upper", "psoas_major_lower")}
    bad = []
    for base, rec in ref["muscles"].items():
        vol = sum(_volume_ml(*_mesh(f"{p}_{side}")) for p in parts.get(base, (base,)))
        want = float(rec["volume_ml"])
        if abs(vol / want - 1.0) > tol:
            bad.append(f"{base}: {vol:.0f} ml vs {want:.0f} ml")
    assert not bad, "; ".join(bad)


def test_reference_volumes_are_cited() -> None:
    """The reference file names its source, table and population; unchecked muscles say why."""
    ref = json.loads(VOLUMES.read_text(encoding="utf-8"))
    src = ref["source"]
    assert "Handsfield" in src["citation"] and "Biomech" in src["citation"]
    assert src["table"] and src["population"]
    assert set(ref["muscles"]) | set(ref["not_checked"]) >= set(CONTRACT_MUSCLES) - {
        "psoas_major_upper",
        "psoas_major_lower",
    }


@needs_atlas
def test_muscle_triangle_budget() -> None:
    """All muscles together stay within about 120 k triangles at full detail."""
    total = sum(len(_mesh(f"{b}_{s}")[1]) for b in CONTRACT_MUSCLES for s in SIDES)
    assert total <= 125_000, total
