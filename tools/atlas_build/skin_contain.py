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
import trimesh
from scipy.spatial import cKDTree

#: depth (mm) every inner vertex must have below the skin
MARGIN_MM = 3.0
#: extra push so the next round does not land exactly on the margin
OVERSHOOT_MM = 1.5
#: smallest bump radius (mm) and radius per mm of push (flank slope about 1:SLOPE)
R_MIN_MM = 45.0
SLOPE = 5.0
MAX_ROUNDS = 12


@dataclass(frozen=True)
class ContainmentReport:
    """What the containment step did (for logs and the final report)."""

    rounds: int
    max_push_mm: float
    pushed_vertices: int
    min_depth_before_mm: float
    min_depth_after_mm: float


def depth_inside(skin: trimesh.Trimesh, points: np.ndarray) -> np.ndarray:
    """Signed depth of points below a closed outward surface (mm, positive inside; VTK)."""
    surf = pv.PolyData.from_regular_faces(np.asarray(skin.vertices, dtype=np.float64), skin.faces)
    cloud = pv.PolyData(np.asarray(points, dtype=np.float64))
    return -np.asarray(cloud.compute_implicit_distance(surf)["implicit_distance"])


def mirror_index(vertices: np.ndarray, centre_x: float, tol: float = 0.5) -> np.ndarray:
    """Index of each vertex's left-right twin (itself if none within ``tol`` mm)."""
    mirrored = vertices.copy()
    mirrored[:, 0] = 2.0 * centre_x - mirrored[:, 0]
    dist, idx = cKDTree(vertices).query(mirrored)
    own = np.arange(len(vertices))
    return np.where(dist <= tol, idx, own)


def _push_field(
    skin: trimesh.Trimesh, points: np.ndarray, depth: np.ndarray, tree: cKDTree
) -> np.ndarray:
    """Outward push per skin vertex (mm) for the inner points that are too shallow."""
    bad = depth < MARGIN_MM
    push = np.zeros(len(skin.vertices))
    if not bad.any():
        return push
    delta = MARGIN_MM + OVERSHOOT_MM - depth[bad]
    # nearest skin vertex stands in for the nearest surface point (skin edges are ~7 mm)
    _, near = tree.query(points[bad])
    order = np.argsort(-delta)  # big pushes first, so smaller ones rarely change anything
    for d, q in zip(delta[order], near[order], strict=True):
        radius = max(R_MIN_MM, SLOPE * d)
        ids = tree.query_ball_point(skin.vertices[q], radius)
        t2 = np.sum((skin.vertices[ids] - skin.vertices[q]) ** 2, axis=1) / radius**2
        bump = d * (1.0 - t2) ** 3
        push[ids] = np.maximum(push[ids], bump)
    return push


def contain(
    skin: trimesh.Trimesh, inner_points: np.ndarray, centre_x: float
) -> tuple[trimesh.Trimesh, ContainmentReport]:
    """Inflate ``skin`` locally until all ``inner_points`` are at least MARGIN_MM inside."""
    pts = np.asarray(inner_points, dtype=np.float64)
    mirrored = pts.copy()
    mirrored[:, 0] = 2.0 * centre_x - mirrored[:, 0]
    pts = np.vstack([pts, mirrored])
    out = skin.copy()
    twin = mirror_index(out.vertices, centre_x)
    depth = depth_inside(out, pts)
    before = float(depth[: len(inner_points)].min())
    # points deeper than this cannot become shallow: the skin only moves outwards
    watch = depth < MARGIN_MM + 60.0
    pts, depth = pts[watch], depth[watch]
    total = np.zeros(len(out.vertices))
    rounds = 0
    while rounds < MAX_ROUNDS and len(depth) and depth.min() < MARGIN_MM:
        rounds += 1
        tree = cKDTree(out.vertices)
        push = _push_field(out, pts, depth, tree)
        push = 0.5 * (push + push[twin])
        normals = out.vertex_normals
        moved = out.vertices + push[:, None] * normals
        # never let a vertex cross the mid-sagittal plane (e.g. in the natal cleft)
        side = np.sign(out.vertices[:, 0] - centre_x)
        crossed = np.sign(moved[:, 0] - centre_x) != side
        moved[crossed, 0] = out.vertices[crossed, 0]
        out = trimesh.Trimesh(moved, out.faces, process=False)
        total += push
        depth = depth_inside(out, pts)
    after = float(depth_inside(out, np.asarray(inner_points, dtype=np.float64)).min())
    report = ContainmentReport(rounds, float(total.max()), int((total > 0.1).sum()), before, after)
    return out, report
