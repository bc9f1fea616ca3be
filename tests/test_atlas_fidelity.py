"""Anatomical fidelity of the committed atlas (meshes/).

* every muscle reaches (within 3 mm) each bone it attaches to and enters no bone deeper than 3 mm
  (muscle vertices and face centroids, signed distance to the bone surface);
* every bone and muscle vertex lies inside the skin;
* left and right structures are mirror images about x = 0 within 2 mm, measured as the
  symmetric Hausdorff distance (largest vertex-to-surface distance, both directions);
* muscle volumes are within +/-35 % of annotations/reference/muscle_volumes.json.
Signed distances come from VTK's implicit poly-data distance (negative inside).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parents[1]
MESHES = REPO / "meshes"
VOLUMES = REPO / "annotations" / "reference" / "muscle_volumes.json"
REACH_MM = 3.0
PENETRATION_MM = 3.0
MIRROR_MM = 2.0
SKIN_MARGIN_MM = 0.0


@cache
def manifest() -> dict:
    """The committed manifest."""
    return json.loads((MESHES / "manifest.json").read_text(encoding="utf-8"))


def by_kind(kind: str) -> dict[str, dict]:
    """Structures of one kind that have geometry, by id."""
    return {s["id"]: s for s in manifest()["structures"] if s["kind"] == kind and s.get("file")}


@cache
def surface(sid: str):
    """Full-detail surface of a structure as pyvista PolyData."""
    import pyvista as pv

    s = {x["id"]: x for x in manifest()["structures"]}[sid]
    return pv.read(MESHES / s["file"])


@cache
def samples(sid: str) -> np.ndarray:
    """Vertices plus face centroids of a structure (n, 3)."""
    mesh = surface(sid)
    pts = np.asarray(mesh.points, dtype=np.float64)
    faces = np.asarray(mesh.faces).reshape(-1, 4)[:, 1:]
    return np.vstack([pts, pts[faces].mean(axis=1)])


def exact_signed_distance(points: np.ndarray, sid: str) -> np.ndarray:
    """Signed distance (mm, negative inside) of points to a structure's surface (VTK, exact)."""
    import pyvista as pv

    if len(points) == 0:
        return np.zeros(0)
    cloud = pv.PolyData(np.asarray(points, dtype=np.float64))
    return np.asarray(cloud.compute_implicit_distance(surface(sid))["implicit_distance"])


@cache
def vertex_tree(sid: str) -> tuple[cKDTree, np.ndarray, np.ndarray]:
    """KD-tree over a surface's vertices, with the vertices and their unit normals."""
    mesh = surface(sid)
    pts = np.asarray(mesh.points, dtype=np.float64)
    return cKDTree(pts), pts, np.asarray(mesh.point_data["Normals"], dtype=np.float64)


def rough_signed_distance(points: np.ndarray, sid: str) -> tuple[np.ndarray, np.ndarray]:
    """Fast bound: distance to the nearest vertex (>= true distance) and the side it suggests.

    Returns (upper bound of |distance|, sign from the nearest vertex normal: -1 inside, +1 out).
    """
    tree, pts, normals = vertex_tree(sid)
    dist, idx = tree.query(points)
    side = np.sign(((points - pts[idx]) * normals[idx]).sum(axis=1))
    return dist, np.where(side == 0, 1.0, side)


def _overlap(a: np.ndarray, b: np.ndarray, pad: float) -> bool:
    """Do the bounding boxes of two point sets overlap (with padding)?"""
    return bool(np.all(a.min(0) - pad <= b.max(0)) and np.all(b.min(0) - pad <= a.max(0)))


def test_signed_distance_sign_convention() -> None:
    bone = "hip_bone_left"
    pts = np.asarray(surface(bone).points)
    normals = np.asarray(surface(bone).point_data["Normals"])
    inside = exact_signed_distance(pts[:50] - 1.0 * normals[:50], bone)
    outside = exact_signed_distance(pts[:50] + 1.0 * normals[:50], bone)
    assert (inside < 0).all() and (outside > 0).all()


MUSCLE_ATTACH = [
    (m["id"], a["structure"])
    for m in manifest()["structures"]
    if m["kind"] == "muscle" and m.get("file")
    for a in m.get("attachments", [])
    if a["structure"] in {s["id"] for s in manifest()["structures"] if s["kind"] == "bone"}
]


@pytest.mark.parametrize(("muscle", "bone"), MUSCLE_ATTACH)
def test_muscle_reaches_attached_bone(muscle: str, bone: str) -> None:
    pts = samples(muscle)
    bound, _ = rough_signed_distance(pts, bone)
    if bound.min() > REACH_MM:  # the bound can overestimate: check the closest points exactly
        near = pts[np.argsort(bound)[:300]]
        gap = float(exact_signed_distance(near, bone).min())
    else:
        gap = float(bound.min())
    assert gap <= REACH_MM, f"{muscle} stays {gap:.1f} mm away from {bone}"


def test_muscles_do_not_penetrate_bones() -> None:
    bad = []
    for muscle in sorted(by_kind("muscle")):
        pts = samples(muscle)
        for bone in sorted(by_kind("bone")):
            if not _overlap(pts, np.asarray(surface(bone).points), 5.0):
                continue
            bound, side = rough_signed_distance(pts, bone)
            # only points that look inside and are farther than the limit from every vertex
            # can be deeper than the limit (the true distance never exceeds the vertex bound)
            cand = pts[(side < 0) & (bound > PENETRATION_MM)]
            depth = -float(exact_signed_distance(cand, bone).min()) if len(cand) else 0.0
            if depth > PENETRATION_MM:
                bad.append(f"{muscle} enters {bone} by {depth:.1f} mm")
    assert not bad, "; ".join(bad)


def test_bones_and_muscles_inside_skin() -> None:
    bad = []
    for sid in sorted(by_kind("bone")) + sorted(by_kind("muscle")):
        pts = np.asarray(surface(sid).points)
        bound, side = rough_signed_distance(pts, "skin")
        unsure = (side > 0) | (bound < 15.0)  # deep inside points are certainly inside
        d = exact_signed_distance(pts[unsure], "skin")
        out = int((d >= -SKIN_MARGIN_MM).sum())
        if out:
            bad.append(f"{sid}: {out} vertices outside the skin (worst {d.max():.1f} mm)")
    assert not bad, "; ".join(bad)


PAIRS = sorted(
    s["id"][: -len("_left")]
    for s in manifest()["structures"]
    if s["id"].endswith("_left") and s.get("file")
)


@pytest.mark.parametrize("base", PAIRS)
def test_left_right_mirror(base: str) -> None:
    left, right = f"{base}_left", f"{base}_right"
    flip = np.array([-1.0, 1.0, 1.0])
    worst = 0.0
    for src, dst in ((left, right), (right, left)):
        pts = np.asarray(surface(src).points) * flip
        bound, _ = rough_signed_distance(pts, dst)
        check = pts[bound > MIRROR_MM]  # the vertex bound is already within the limit elsewhere
        exact = np.abs(exact_signed_distance(check, dst)) if len(check) else np.zeros(1)
        worst = max(worst, float(exact.max()), float(bound[bound <= MIRROR_MM].max(initial=0.0)))
    hausdorff = worst
    assert hausdorff <= MIRROR_MM, f"{base}: left/right symmetric Hausdorff {hausdorff:.1f} mm"


def _volume_ml(sid: str) -> float:
    """Enclosed volume in millilitres."""
    return float(surface(sid).volume) / 1000.0


REFERENCE = json.loads(VOLUMES.read_text(encoding="utf-8")) if VOLUMES.exists() else None


@pytest.mark.skipif(REFERENCE is None, reason="no reference volumes")
@pytest.mark.parametrize("side", ["left", "right"])
def test_muscle_volumes_match_reference(side: str) -> None:
    assert REFERENCE is not None
    tol = float(REFERENCE.get("tolerance", 0.35))
    muscles = by_kind("muscle")
    bad = []
    for name, ref in sorted(REFERENCE["muscles"].items()):
        parts = [m for m in muscles if m == f"{name}_{side}"]
        parts = parts or [m for m in muscles if m.startswith(f"{name}_") and m.endswith(side)]
        assert parts, f"no mesh for {name}_{side}"
        vol = sum(_volume_ml(p) for p in parts)
        if abs(vol / ref["volume_ml"] - 1.0) > tol:
            bad.append(f"{name}_{side}: {vol:.0f} ml vs {ref['volume_ml']} ml")
    assert not bad, "; ".join(bad)
