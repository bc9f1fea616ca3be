"""Cut a muscle surface along horizontal planes so a tendinous band has crisp edges on screen.

The viewer draws a band (rectus abdominis's tendinous intersections) by blending each vertex's
colour toward pale by its tendon weight, and the graphics card interpolates colours linearly
across a triangle. After decimation the strap's triangles are up to 16 mm tall, so an 8 mm band
smeared over one or two triangle rows and read as a soft haze. Splitting the triangles that
straddle each band's edge heights puts vertices exactly on those edges: the pale band then
starts and stops within the width of its own ramp. Each cut adds only the triangles that cross
the plane (a ring around the strap), and the surface stays closed and keeps its orientation.
"""

from __future__ import annotations

import numpy as np
import trimesh

#: a vertex this close to a cutting plane (mm) counts as lying on it: no sliver triangles
ON_PLANE_MM = 0.25


def band_edge_heights(bands: list[tuple[float, float]]) -> list[float]:
    """Heights (mm) where each band's weight starts to rise and reaches 1 (both sides).

    Matches :func:`tools.atlas_build.fibre_field.tendon_weight`: full across the middle half
    of the band, easing to zero over its outer half."""
    heights: list[float] = []
    for centre, half in bands:
        heights += [centre - half, centre - 0.5 * half, centre + 0.5 * half, centre + half]
    return sorted(heights)


def cut_at_heights(mesh: trimesh.Trimesh, heights: list[float]) -> trimesh.Trimesh:
    """``mesh`` with every triangle crossing one of the horizontal planes z = h split along it."""
    verts = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    for height in heights:
        verts, faces = _cut_plane(verts, faces, float(height))
    return trimesh.Trimesh(verts, faces, process=False)


def _cut_plane(
    verts: np.ndarray, faces: np.ndarray, height: float
) -> tuple[np.ndarray, np.ndarray]:
    """Split the triangles crossing z = ``height``; a new vertex is shared by both triangles
    on either side of its edge, so the surface stays watertight."""
    offset = verts[:, 2] - height
    side = np.where(offset > ON_PLANE_MM, 1, np.where(offset < -ON_PLANE_MM, -1, 0))
    fs = side[faces]
    crossing = (fs.max(axis=1) == 1) & (fs.min(axis=1) == -1)
    if not crossing.any():
        return verts, faces
    new_points: list[np.ndarray] = []
    edge_vertex: dict[tuple[int, int], int] = {}

    def split(a: int, b: int) -> int:
        key = (a, b) if a < b else (b, a)
        if key not in edge_vertex:
            t = offset[a] / (offset[a] - offset[b])
            new_points.append(verts[a] + t * (verts[b] - verts[a]))
            edge_vertex[key] = len(verts) + len(new_points) - 1
        return edge_vertex[key]

    kept = faces[~crossing]
    added: list[tuple[int, int, int]] = []
    for face in faces[crossing]:
        s = side[face]
        # rotate so the first corner is the odd one out: on the plane, or alone on its side
        odd = 0 if 0 in s else -int(s.sum())
        r = int(np.flatnonzero(s == odd)[0])
        a, b, c = (int(v) for v in np.roll(face, -r))
        if side[a] == 0:  # the plane runs through corner a and across edge b-c
            p = split(b, c)
            added += [(a, b, p), (a, p, c)]
        else:  # a alone on its side: the plane crosses edges a-b and c-a
            p, q = split(a, b), split(c, a)
            added += [(a, p, q), (p, b, c), (p, c, q)]
    verts = np.vstack([verts, np.asarray(new_points)])
    faces = np.vstack([kept, np.asarray(added, dtype=np.int64)])
    return verts, faces
