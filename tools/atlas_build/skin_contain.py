"""Guarantee that every bone and muscle vertex lies inside the skin, with a margin.

The registered MakeHuman body is a generic adult: where the atlas's muscles are fuller than
its soft tissue allows (buttocks, lumbar back, trochanters) some vertices poke out. We push the
skin outwards along its normals, by exactly the missing depth plus a little, with a smooth,
wide bump around each offending point so the body gets fuller instead of lumpy:

    u_i = max_p  delta_p * K(|v_i - q_p| / R_p),   K(t) = (1 - t^2)^3 for t < 1

where q_p is the skin point nearest to the offending inner point p, delta_p its missing depth
and R_p = max(R_MIN, SLOPE * delta_p) keeps every bump's flank gentle. Taking the maximum (not
the sum) means a whole buttock that is 10 mm too shallow moves 10 mm, not 10 mm times the number
of vertices. The field is made left-right symmetric by also pushing for the mirrored inner
points and averaging each vertex with its mirror twin. A few rounds settle it because the skin
only ever moves outwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv
import scipy.sparse as sp
import trimesh
from scipy.spatial import cKDTree

#: depth (mm) every inner vertex must have below the skin
MARGIN_MM = 3.0
#: extra push so the next round does not land exactly on the margin
OVERSHOOT_MM = 1.5
#: smallest bump radius (mm) and radius per mm of push (flank slope about 1:SLOPE)
R_MIN_MM = 90.0
SLOPE = 6.0
#: passes of neighbour averaging applied to each round's push (removes the creases that the
#: maximum of overlapping bumps leaves along a muscle's edge)
SMOOTH_PASSES = 120
MAX_ROUNDS = 12
#: largest asymmetry (mm) the final symmetrisation corrects (larger ones mean a bug upstream)
SYMMETRY_MAX_MM = 5.0


@dataclass(frozen=True)
class ContainmentReport:
    """What the containment step did (for logs and the final report)."""

    rounds: int
    max_push_mm: float
    pushed_vertices: int
    min_depth_before_mm: float
    min_depth_after_mm: float


def exact_depth(skin: trimesh.Trimesh, points: np.ndarray) -> np.ndarray:
    """Signed depth of points below a closed outward surface (mm, positive inside; VTK).

    Exact (closest point on the triangles) but slow, about 0.1 ms per point.
    """
    surf = pv.PolyData.from_regular_faces(np.asarray(skin.vertices, dtype=np.float64), skin.faces)
    cloud = pv.PolyData(np.asarray(points, dtype=np.float64))
    return -np.asarray(cloud.compute_implicit_distance(surf)["implicit_distance"])


def depth_inside(
    skin: trimesh.Trimesh, points: np.ndarray, exact_below: float = 15.0
) -> np.ndarray:
    """Signed depth of points below the skin (mm, positive inside), fast where it is safe.

    Every point first gets the depth below the tangent plane of its nearest skin vertex (exact
    to a fraction of a millimetre near a smooth surface with ~5 mm edges, and of the right sign
    for points deep inside). Points that come out shallower than ``exact_below`` - the only
    ones whose value matters here - are measured exactly.
    """
    pts = np.asarray(points, dtype=np.float64)
    if not len(pts):
        return np.zeros(0)
    _, near = cKDTree(skin.vertices).query(pts)
    normals = np.asarray(skin.vertex_normals)[near]
    depth = np.einsum("ij,ij->i", skin.vertices[near] - pts, normals)
    shallow = depth < exact_below
    if shallow.any():
        depth[shallow] = exact_depth(skin, pts[shallow])
    return depth


def mirror_index(vertices: np.ndarray, centre_x: float, tol: float = 0.5) -> np.ndarray:
    """Index of each vertex's left-right twin (itself if none within ``tol`` mm)."""
    mirrored = vertices.copy()
    mirrored[:, 0] = 2.0 * centre_x - mirrored[:, 0]
    dist, idx = cKDTree(vertices).query(mirrored)
    own = np.arange(len(vertices))
    return np.where(dist <= tol, idx, own)


def neighbour_mean(mesh: trimesh.Trimesh) -> sp.csr_matrix:
    """Sparse operator averaging each vertex's one-ring neighbours."""
    e = mesh.edges_unique
    n = len(mesh.vertices)
    rows = np.concatenate([e[:, 0], e[:, 1]])
    cols = np.concatenate([e[:, 1], e[:, 0]])
    adj = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    deg = np.asarray(adj.sum(axis=1)).ravel()
    return sp.diags(1.0 / np.maximum(deg, 1.0)) @ adj


def _smooth(field: np.ndarray, mean: sp.csr_matrix, passes: int) -> np.ndarray:
    """Diffuse a per-vertex scalar field over the surface (half-step neighbour averaging)."""
    for _ in range(passes):
        field = 0.5 * (field + mean @ field)
    return field


def _push_field(
    skin: trimesh.Trimesh, points: np.ndarray, depth: np.ndarray, tree: cKDTree
) -> np.ndarray:
    """Outward push per skin vertex (mm) for the inner points that are too shallow."""
    bad = depth < MARGIN_MM
    push = np.zeros(len(skin.vertices))
    if not bad.any():
        return push
    delta = MARGIN_MM + OVERSHOOT_MM - depth[bad]
    # nearest skin vertex stands in for the nearest surface point (skin edges are ~5 mm);
    # several inner points usually share one: keep the largest missing depth per vertex
    _, near = tree.query(points[bad])
    need = np.zeros(len(skin.vertices))
    np.maximum.at(need, near, delta)
    centres = np.flatnonzero(need > 0.0)
    centres = centres[np.argsort(-need[centres], kind="stable")]
    for q in centres:
        d = need[q]
        if push[q] >= d:  # an earlier, larger bump already covers this one
            continue
        radius = max(R_MIN_MM, SLOPE * d)
        ids = np.asarray(tree.query_ball_point(skin.vertices[q], radius))
        t2 = np.sum((skin.vertices[ids] - skin.vertices[q]) ** 2, axis=1) / radius**2
        push[ids] = np.maximum(push[ids], d * (1.0 - t2) ** 3)
    return push


def symmetrize_outward(skin: trimesh.Trimesh, centre_x: float, rounds: int = 2) -> trimesh.Trimesh:
    """Make the skin left-right symmetric by moving the lower side out to the higher one.

    The quads of the base mesh are split along a fixed diagonal, so its left and right halves
    are not triangulated alike and Loop subdivision and smoothing leave ~1-2 mm differences.
    For each vertex we measure how far its mirror image lies inside the surface (tangent plane
    of the nearest vertex - exact to a fraction of a millimetre at these edge lengths) and move
    the vertex out by that much. Vertices only ever move outwards, so containment is kept.
    """
    out = skin.copy()
    for _ in range(rounds):
        verts = np.asarray(out.vertices)
        mirrored = verts.copy()
        mirrored[:, 0] = 2.0 * centre_x - mirrored[:, 0]
        _, near = cKDTree(verts).query(mirrored)
        normals = np.asarray(out.vertex_normals)
        inside = np.einsum("ij,ij->i", verts[near] - mirrored, normals[near])
        lift = np.clip(inside, 0.0, SYMMETRY_MAX_MM)
        out = trimesh.Trimesh(verts + lift[:, None] * normals, out.faces, process=False)
    return out


def _push_round(
    skin: trimesh.Trimesh,
    pts: np.ndarray,
    depth: np.ndarray,
    twin: np.ndarray,
    mean: sp.csr_matrix,
    centre_x: float,
) -> tuple[trimesh.Trimesh, np.ndarray]:
    """One symmetric, smoothed push of the skin; returns the new skin and the push (mm)."""
    push = _push_field(skin, pts, depth, cKDTree(skin.vertices))
    # mirror by taking the larger of each vertex and its twin, so the mirrored inner points
    # are honoured without computing their depths
    push = _smooth(np.maximum(push, push[twin]), mean, SMOOTH_PASSES)
    # push along heavily smoothed normals: offsetting along the raw normals by more than a
    # fold's radius (lumbar furrow, natal cleft) would turn the fold into a sharp crease
    normals = _smooth(np.asarray(skin.vertex_normals), mean, SMOOTH_PASSES)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    moved = skin.vertices + push[:, None] * normals
    # never let a vertex cross the mid-sagittal plane (e.g. in the natal cleft)
    side = np.sign(skin.vertices[:, 0] - centre_x)
    crossed = np.sign(moved[:, 0] - centre_x) != side
    moved[crossed, 0] = skin.vertices[crossed, 0]
    return trimesh.Trimesh(moved, skin.faces, process=False), push


def contain(
    skin: trimesh.Trimesh, inner_points: np.ndarray, centre_x: float
) -> tuple[trimesh.Trimesh, ContainmentReport]:
    """Inflate ``skin`` locally until all ``inner_points`` are at least MARGIN_MM inside.

    Only points that are shallow are re-measured between rounds: the skin moves outwards, so
    a point that is deep enough stays so; a final pass over all points confirms it.
    """
    pts = np.asarray(inner_points, dtype=np.float64)
    out = skin.copy()
    twin = mirror_index(out.vertices, centre_x)
    mean = neighbour_mean(out)
    total = np.zeros(len(out.vertices))
    rounds = 0
    depth = depth_inside(out, pts)
    before = float(depth.min()) if len(depth) else np.inf
    for _ in range(3):
        if not len(depth) or depth.min() >= MARGIN_MM:
            break
        watch = depth < MARGIN_MM + 1.0
        w_pts, w_depth = pts[watch], depth[watch]
        while rounds < MAX_ROUNDS and w_depth.min() < MARGIN_MM:
            rounds += 1
            out, push = _push_round(out, w_pts, w_depth, twin, mean, centre_x)
            total += push
            w_depth = depth_inside(out, w_pts)
        depth = depth_inside(out, pts)
    out = symmetrize_outward(out, centre_x)
    depth = depth_inside(out, pts)
    after = float(depth.min()) if len(depth) else np.inf
    report = ContainmentReport(rounds, float(total.max()), int((total > 0.1).sum()), before, after)
    return out, report
