"""The built skin (meshes/skin/skin.vtp) against the rest of the built atlas.

What a patient-facing heat map needs from the skin: enough vertices for smooth zones, a closed
outward surface (inside tests, geodesics), every bone and muscle under it, left-right symmetry
(mirrored referral zones must match) and coverage from above T12 to below the knees.

The checks are plain functions so the synthetic tests at the bottom can prove that each one
fails on a bad mesh.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pv = pytest.importorskip("pyvista")

REPO = Path(__file__).resolve().parent.parent
MESHES = REPO / "meshes"
MANIFEST = MESHES / "manifest.json"

#: required depth of every bone/muscle vertex below the skin (the build aims for 3 mm; the
#: files store float32 and the check uses the exact surface, so 2 mm leaves room for rounding)
MIN_DEPTH_MM = 2.0
SYMMETRY_TOL_MM = 2.0


# --------------------------------------------------------------------------- checks


def edge_problems(faces: np.ndarray) -> tuple[int, int]:
    """(edges not shared by exactly two triangles, edges used twice in the same direction)."""
    directed = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    undirected = np.sort(directed, axis=1)
    _, counts = np.unique(undirected, axis=0, return_counts=True)
    _, dcounts = np.unique(directed, axis=0, return_counts=True)
    return int((counts != 2).sum()), int((dcounts > 1).sum())


def signed_volume(points: np.ndarray, faces: np.ndarray) -> float:
    """Volume enclosed by a closed triangle surface (positive if normals point outward)."""
    a, b, c = (points[faces[:, i]] for i in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def exact_depth(surface: pv.PolyData, points: np.ndarray) -> np.ndarray:
    """Signed depth (mm) of points below a closed outward surface; negative = outside (VTK)."""
    cloud = pv.PolyData(np.asarray(points, dtype=np.float64))
    return -np.asarray(cloud.compute_implicit_distance(surface)["implicit_distance"])


def depth_below(surface: pv.PolyData, points: np.ndarray, exact_below: float = 8.0) -> np.ndarray:
    """Signed depth (mm) below the surface, exact for every point shallower than ``exact_below``.

    A first estimate uses the tangent plane of the nearest surface vertex (vectorised); every
    point that estimate puts within ``exact_below`` of the skin, or outside it, is measured
    exactly, so the verdict for shallow points never rests on the estimate.
    """
    from scipy.spatial import cKDTree

    pts = np.asarray(points, dtype=np.float64)
    verts = np.asarray(surface.points, dtype=np.float64)
    normals = np.asarray(surface.compute_normals(auto_orient_normals=False)["Normals"])
    _, near = cKDTree(verts).query(pts)
    depth = np.einsum("ij,ij->i", verts[near] - pts, normals[near])
    shallow = depth < exact_below
    if shallow.any():
        depth[shallow] = exact_depth(surface, pts[shallow])
    return depth


def mirror_error(surface: pv.PolyData, tol: float = SYMMETRY_TOL_MM) -> np.ndarray:
    """Distance (mm) of each mirrored vertex (x -> -x) to the surface itself.

    The nearest mirrored vertex bounds the distance from above; only vertices whose bound
    exceeds ``tol`` need the exact point-to-surface distance.
    """
    from scipy.spatial import cKDTree

    verts = np.asarray(surface.points, dtype=np.float64)
    mirrored = verts * np.array([-1.0, 1.0, 1.0])
    err, _ = cKDTree(verts).query(mirrored)
    far = err > tol
    if far.any():
        err[far] = np.abs(exact_depth(surface, mirrored[far]))
    return err


def triangles(mesh: pv.PolyData) -> np.ndarray:
    """(m, 3) triangle indices of a PolyData that holds only triangles."""
    faces = np.asarray(mesh.faces).reshape(-1, 4)
    assert (faces[:, 0] == 3).all(), "mesh has non-triangle faces"
    return faces[:, 1:]


# --------------------------------------------------------------------------- built atlas


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not MANIFEST.exists():
        pytest.skip("meshes/manifest.json does not exist yet (run python -m tools.build_atlas)")
    return json.loads(MANIFEST.read_text())


@pytest.fixture(scope="module")
def skin(manifest: dict) -> pv.PolyData:
    entry = next((s for s in manifest["structures"] if s["id"] == "skin"), None)
    assert entry is not None, "manifest has no 'skin' structure"
    assert entry["kind"] == "skin" and entry.get("file"), entry
    mesh = pv.read(MESHES / entry["file"])
    return pv.PolyData(np.asarray(mesh.points, dtype=np.float64), mesh.faces)


@pytest.fixture(scope="module")
def inner(manifest: dict) -> dict[str, np.ndarray]:
    """Full-detail vertices of every bone and muscle listed in the manifest."""
    out = {}
    for s in manifest["structures"]:
        if s["kind"] in ("bone", "muscle") and s.get("file"):
            out[s["id"]] = np.asarray(pv.read(MESHES / s["file"]).points, dtype=np.float64)
    return out


def test_skin_vertex_budget(skin: pv.PolyData) -> None:
    assert 50_000 <= skin.n_points <= 150_000, skin.n_points


def test_skin_is_closed_and_outward(skin: pv.PolyData) -> None:
    faces = triangles(skin)
    open_edges, flipped = edge_problems(faces)
    assert open_edges == 0, f"{open_edges} edges are not shared by exactly two triangles"
    assert flipped == 0, f"{flipped} edges are traversed twice in one direction (bad winding)"
    assert signed_volume(np.asarray(skin.points), faces) > 0.0, "normals point inwards"


def test_every_bone_and_muscle_vertex_is_inside_the_skin(
    skin: pv.PolyData, inner: dict[str, np.ndarray]
) -> None:
    kinds = {s["kind"] for s in json.loads(MANIFEST.read_text())["structures"]}
    assert "bone" in kinds and inner, "no bones in the atlas to check"
    ids = list(inner)
    points = np.vstack([inner[i] for i in ids])
    owner = np.repeat(np.arange(len(ids)), [len(inner[i]) for i in ids])
    depth = depth_below(skin, points)
    shallow = depth < MIN_DEPTH_MM
    if shallow.any():
        worst = {
            ids[k]: round(float(depth[owner == k].min()), 1) for k in np.unique(owner[shallow])
        }
        pytest.fail(f"{int(shallow.sum())} vertices less than {MIN_DEPTH_MM} mm deep: {worst}")


def test_skin_is_left_right_symmetric(skin: pv.PolyData) -> None:
    err = mirror_error(skin)
    assert float(err.max()) <= SYMMETRY_TOL_MM, (
        f"max mirror error {err.max():.2f} mm at {np.asarray(skin.points)[int(err.argmax())]}"
    )


def test_skin_spans_from_above_t12_to_below_the_knees(
    skin: pv.PolyData, inner: dict[str, np.ndarray]
) -> None:
    zmin, zmax = skin.bounds[4], skin.bounds[5]
    t12_top = inner["vertebra_t12"][:, 2].max() if "vertebra_t12" in inner else None
    knees = min(inner[f][:, 2].min() for f in ("femur_left", "femur_right") if f in inner)
    assert t12_top is not None, "no vertebra_t12 in the atlas"
    assert zmax > t12_top + 50.0, (zmax, t12_top)
    assert zmin < knees - 50.0, (zmin, knees)
    # the trunk really is closed around T12: a horizontal section there is one closed loop
    # around the vertebra, not just the arms
    section = skin.slice(normal="z", origin=(0.0, 0.0, float(t12_top)))
    assert section.n_points > 50
    t12_xy = inner["vertebra_t12"][:, :2]
    pts = np.asarray(section.points)[:, :2]
    for axis in (0, 1):
        assert (
            pts[:, axis].min() < t12_xy[:, axis].min()
            and pts[:, axis].max() > t12_xy[:, axis].max()
        )


# --------------------------------------------------------------------------- the checks fail


def _sphere(radius: float, centre: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> pv.PolyData:
    return pv.Sphere(radius=radius, center=centre, theta_resolution=40, phi_resolution=40)


def test_checks_detect_outside_points_and_asymmetry() -> None:
    ball = _sphere(100.0)
    probes = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 99.0], [0.0, 0.0, 120.0], [50.0, 0, 0]])
    depth = depth_below(ball, probes)
    assert depth[0] > 95.0 and 0.0 < depth[1] < MIN_DEPTH_MM and depth[2] < 0.0
    assert np.allclose(depth, exact_depth(ball, probes), atol=1.0)
    assert mirror_error(ball).max() < 0.5
    assert mirror_error(_sphere(100.0, (10.0, 0.0, 0.0))).max() > SYMMETRY_TOL_MM


def test_checks_detect_open_and_inverted_surfaces() -> None:
    ball = _sphere(50.0)
    faces = triangles(ball)
    assert edge_problems(faces) == (0, 0)
    assert signed_volume(np.asarray(ball.points), faces) > 0.0
    assert edge_problems(faces[1:])[0] > 0
    assert signed_volume(np.asarray(ball.points), faces[:, ::-1]) < 0.0
    mixed = faces.copy()
    mixed[0] = mixed[0, ::-1]
    assert edge_problems(mixed)[1] > 0


# --------------------------------------------------------------------------- build helpers


def test_obj_groups_and_symmetric_triangulation() -> None:
    """A mirrored pair of quads is split along mirrored diagonals; groups are kept apart."""
    pytest.importorskip("trimesh")
    from tools.atlas_build.skin_source import parse_obj_groups, triangulate_symmetric

    text = "\n".join(
        [
            "v 0 0 0",
            "v 1 0 0",
            "v 1 1 0",
            "v 0 1 0",
            "v -1 0 0",
            "v -1 1 0",
            "g body",
            "f 1/1 2/2 3/3 4/4",
            "f 1 4 6 5",
            "g helper-tights",
            "f 1 2 3",
        ]
    )
    verts, groups = parse_obj_groups(text)
    assert set(groups) == {"body", "helper-tights"} and len(groups["body"]) == 2
    out_verts, tris = triangulate_symmetric(verts, groups["body"])
    assert len(out_verts) == len(verts) and len(tris) == 4
    twin = {0: 0, 3: 3, 1: 4, 4: 1, 2: 5, 5: 2}
    as_sets = {frozenset(t) for t in tris.tolist()}
    assert {frozenset(twin[i] for i in t) for t in as_sets} == as_sets


def test_hole_closing_gives_a_closed_outward_surface() -> None:
    trimesh = pytest.importorskip("trimesh")
    from tools.atlas_build.skin_source import _close_holes

    ball = trimesh.creation.icosphere(subdivisions=2)
    # remove the fan of faces around one vertex (a simple hole) and one far away (another)
    fan = (ball.faces == 0).any(axis=1) | (ball.faces == 100).any(axis=1)
    holed = trimesh.Trimesh(ball.vertices, ball.faces[~fan], process=True)
    assert not holed.is_watertight
    closed = _close_holes(holed)
    assert closed.is_watertight and closed.is_winding_consistent and closed.volume > 0
