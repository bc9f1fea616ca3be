"""Keep posed muscles under the posed skin.

The skin is posed by MakeHuman's skinning weights, the muscles by their own binding to the
bones they attach to (:mod:`viewer.domain.posture`). The two blends agree standing (the build
fits each body's skin around every muscle) but not in deep hip flexion: the skin's hip crease
folds in further than the tensor fasciae latae and the iliacus move, so sitting, the tensor
fasciae latae came up to 4.4 mm (neutral body) and 12.7 mm (female body) through the skin, and
the top of rectus abdominis up to 6.6 mm through the slumped female belly. Real soft tissue is
pressed under the skin there; this module does the same to the posed mesh:

- each muscle vertex outside the posed skin, or closer to it than :data:`ENVELOPE_MARGIN_MM`,
  moves to that depth under its nearest skin face;
- the muscle's faces are tested too (:data:`FACE_SAMPLES`): in the crease a face whose corners
  are each under one side of it bridges the crease floor and shows through between them, so its
  corners are pressed deeper;
- the skin folds through itself in the crease (the thigh's skin passes ~15 mm into the groin),
  and there a vertex inside the body can lie in front of an inner sheet; the nearest face alone
  would call it outside, so rays along x and y decide (:class:`RayGrid`).

Only vertices near the standing skin can meet the posed one, so each mesh's candidates are found
once (:meth:`SkinEnvelope.candidates`); a pose then tests those few.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from viewer.domain.skinning import Binding, skin
from viewer.domain.surface_points import closest_on_triangles

if TYPE_CHECKING:  # SciPy loads on first posture use, not before the first frame
    from scipy.spatial import cKDTree

#: How far (mm) below the posed skin a muscle vertex is kept: enough that the drawn skin, a
#: triangle mesh whose faces cut a little inside its vertices' tangent planes, still covers it.
ENVELOPE_MARGIN_MM = 1.0

#: Muscle vertices further than this (mm) below the standing skin are never tested: no preset
#: brings a muscle that much nearer the skin (the largest press measured is the female tensor
#: fasciae latae sitting upright, ~14 mm).
NEAR_SKIN_MM = 25.0

#: The nearest posed skin vertices whose faces are searched for the closest point.
NEAREST = 4

#: Candidates whose rough depth (:meth:`PosedSkin.rough_depth`) is more than this (mm) are
#: left out of the exact test: most of them each pose, and the estimate errs by far less.
DEEP_MM = 8.0

#: Face samples whose rough depth is more than this (mm) are not measured exactly. With its
#: corners kept 1 mm under the skin a face is shallower than that only where it bridges a
#: crease; 2 mm (three times the samples measured) found no more of them.
SAMPLE_ROUGH_MM = 0.5

#: The axes (x, y) of the rays that must all find a point inside the skin. Where the sitting
#: skin folds through itself at the hip crease, one ray can count a point between the sheets
#: as inside while it shows from the side; inside along both, it is covered from the front
#: and from the side alike.
RAY_AXES = (1, 0)

#: A face's corners move in by this many times what its worst sample needs: a sample is
#: a blend of corners, some of which the neighbouring faces' pushes tilt back out.
FACE_PUSH = 1.5

#: Smoothing steps over the corners the face pass pressed (see :func:`_relax`).
RELAX_STEPS = 2

#: Side (mm) of the cells that bin the skin's faces for the inside test (:class:`RayGrid`).
RAY_CELL_MM = 10.0

#: Faces whose closest point is this near (mm) the nearest one share it (an edge or a corner).
TIE_MM = 1e-6

#: Below this cosine between the way to a vertex's closest skin point and the skin's normal
#: there, the closest point is on an edge the skin turns sharply over (a fold's rim), and the
#: side the vertex is on is left to the rays (:func:`_keep_vertices_inside`). Nowhere else on
#: the sitting skins near a muscle is it below 0.5.
EDGE_COS = 0.5

#: Only vertices this near (mm) a fold's rim are judged by the rays alone.
RIM_MM = 5.0

#: Further depths (mm) tried under a fold's rim for a vertex the rays find outside.
RIM_STEPS_MM = (1.0, 2.0, 4.0)

#: Times the vertices moved are measured again (see :func:`keep_inside`).
PASSES = 6

#: Rounds of pressing vertices, then faces (pressing a face's corners can lift a neighbour).
ROUNDS = 16


def vertex_faces(triangles: NDArray[np.integer], n_points: int) -> NDArray[np.int64]:
    """For each vertex the triangles that use it, padded with -1 (n_points x max valence)."""
    tri = np.asarray(triangles, dtype=np.int64)
    corner_vertex = tri.ravel()
    corner_face = np.repeat(np.arange(len(tri)), 3)
    order = np.argsort(corner_vertex, kind="stable")
    corner_vertex, corner_face = corner_vertex[order], corner_face[order]
    counts = np.bincount(corner_vertex, minlength=n_points)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(len(corner_vertex)) - starts[corner_vertex]
    table = np.full((n_points, max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
    table[corner_vertex, slot] = corner_face
    return table


def _corner_angle(corners: NDArray[np.float64], at: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each triangle's angle at the corner ``at`` lies on (1 where ``at`` is on no corner):
    the weights of the angle-weighted pseudo-normal, which alone gives the right side of a
    mesh at a corner (Baerentzen and Aanaes 2005)."""
    gap = np.linalg.norm(corners - at[:, None, :], axis=2)
    j = np.argmin(gap, axis=1)
    rows = np.arange(len(at))
    u = corners[rows, (j + 1) % 3] - corners[rows, j]
    v = corners[rows, (j + 2) % 3] - corners[rows, j]
    cos = _dot(u, v) / np.maximum(np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1), 1e-12)
    angle = np.arccos(np.clip(cos, -1.0, 1.0))
    return np.where(gap[rows, j] < TIE_MM, angle, 1.0)


def _dot(u: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(np.einsum("ij,ij->i", u, v), dtype=np.float64)


class RayGrid:
    """The skin's faces binned across one axis, so that a ray from a point along that axis
    meets only the faces of its cell: counting where it crosses tells inside from outside
    (odd: inside) even where the skin folds through itself."""

    def __init__(
        self, points: NDArray[np.float64], triangles: NDArray[np.int64], axis: int = 1
    ) -> None:
        # Columns reordered so that the ray runs along the middle one.
        self.order = [c for c in (0, 1, 2) if c != axis]
        self.order.insert(1, axis)
        points = np.asarray(points, dtype=np.float64)[:, self.order]
        self.points = points
        self.triangles = triangles
        xz = points[:, [0, 2]][triangles]  # (faces, 3 corners, 2)
        self.origin = xz.reshape(-1, 2).min(axis=0) - RAY_CELL_MM
        lo = np.floor((xz.min(axis=1) - self.origin) / RAY_CELL_MM).astype(np.int64)
        hi = np.floor((xz.max(axis=1) - self.origin) / RAY_CELL_MM).astype(np.int64)
        self.width = int(hi[:, 0].max()) + 2
        span = hi - lo + 1
        count = span[:, 0] * span[:, 1]
        face = np.repeat(np.arange(len(triangles)), count)
        k = np.arange(len(face)) - np.repeat(np.cumsum(count) - count, count)
        cx = lo[face, 0] + k % span[face, 0]
        cz = lo[face, 1] + k // span[face, 0]
        cell = cz * self.width + cx
        order = np.argsort(cell, kind="stable")
        self.cell_faces = face[order]
        cells = cell[order]
        n_cells = (int(hi[:, 1].max()) + 2) * self.width
        self.starts = np.searchsorted(cells, np.arange(n_cells + 1))

    def inside(self, q: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether each point is inside the skin, by the parity of its ray's crossings."""
        q = np.asarray(q, dtype=np.float64).reshape(-1, 3)[:, self.order]
        c = np.floor((q[:, [0, 2]] - self.origin) / RAY_CELL_MM).astype(np.int64)
        cell = c[:, 1] * self.width + c[:, 0]
        valid = (c >= 0).all(axis=1) & (cell < len(self.starts) - 1) & (c[:, 0] < self.width)
        out = np.zeros(len(q), dtype=bool)
        rows_ok = np.flatnonzero(valid)
        a, b = self.starts[cell[rows_ok]], self.starts[cell[rows_ok] + 1]
        n = b - a
        rows = np.repeat(rows_ok, n)
        f = self.cell_faces[np.repeat(a, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)]
        corners = self.points[self.triangles[f]]
        px, pz = q[rows, 0], q[rows, 2]
        x, y, z = corners[:, :, 0], corners[:, :, 1], corners[:, :, 2]
        # Barycentric coordinates of the point in the face's (x, z) shadow.
        det = (x[:, 1] - x[:, 0]) * (z[:, 2] - z[:, 0]) - (x[:, 2] - x[:, 0]) * (z[:, 1] - z[:, 0])
        safe = np.where(np.abs(det) > 1e-12, det, 1.0)
        u = ((px - x[:, 0]) * (z[:, 2] - z[:, 0]) - (x[:, 2] - x[:, 0]) * (pz - z[:, 0])) / safe
        v = ((x[:, 1] - x[:, 0]) * (pz - z[:, 0]) - (px - x[:, 0]) * (z[:, 1] - z[:, 0])) / safe
        hit = (np.abs(det) > 1e-12) & (u >= 0) & (v >= 0) & (u + v <= 1)
        y_hit = y[:, 0] + u * (y[:, 1] - y[:, 0]) + v * (y[:, 2] - y[:, 0])
        ahead = hit & (y_hit > q[rows, 1])
        crossings = np.bincount(rows[ahead], minlength=len(q))
        out[rows_ok] = (crossings[rows_ok] % 2) == 1
        return out


@dataclass(frozen=True)
class PosedSkin:
    """The skin in one pose: vertices, triangles, face normals and a search tree."""

    points: NDArray[np.float64]
    triangles: NDArray[np.int64]
    face_normals: NDArray[np.float64]
    vertex_normals: NDArray[np.float64]
    faces_of_vertex: NDArray[np.int64]
    tree: cKDTree

    @classmethod
    def of(
        cls,
        points: NDArray[np.floating],
        triangles: NDArray[np.integer],
        faces_of_vertex: NDArray[np.int64] | None = None,
    ) -> PosedSkin:
        from scipy.spatial import cKDTree

        from viewer.heatmap.foldfill import vertex_normals

        p = np.asarray(points, dtype=np.float64)
        tri = np.asarray(triangles, dtype=np.int64)
        face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
        face /= np.maximum(np.linalg.norm(face, axis=1, keepdims=True), 1e-12)
        table = vertex_faces(tri, len(p)) if faces_of_vertex is None else faces_of_vertex
        return cls(p, tri, face, vertex_normals(p, tri), table, cKDTree(p))

    def rough_depth(self, points: NDArray[np.floating]) -> NDArray[np.float64]:
        """Depth (mm) below the tangent plane of each point's nearest skin vertex: cheap, and
        good enough to leave out points well inside (:data:`DEEP_MM`)."""
        q = np.asarray(points, dtype=np.float64)
        _, idx = self.tree.query(q)
        return _dot(self.points[idx] - q, self.vertex_normals[idx])

    @cached_property
    def _grids(self) -> tuple[RayGrid, ...]:
        return tuple(RayGrid(self.points, self.triangles, axis) for axis in RAY_AXES)

    def inside(self, points: NDArray[np.floating]) -> NDArray[np.bool_]:
        """Whether each point is inside the skin along every ray of :data:`RAY_AXES` (the
        grids are built on first use: most poses need them for a few vertices)."""
        q = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        found = np.ones(len(q), dtype=bool)
        for grid in self._grids:
            found &= grid.inside(q)
        return found

    def closest(
        self, points: NDArray[np.floating]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Signed depth (mm, negative outside), closest skin point and the outward normal there
        for each point, over the faces around its :data:`NEAREST` nearest skin vertices."""
        q = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        if not len(q):
            return np.zeros(0), np.zeros((0, 3)), np.zeros((0, 3))
        k = min(NEAREST, len(self.points))
        _, idx = self.tree.query(q, k=k)
        idx = np.asarray(idx, dtype=np.int64).reshape(len(q), k)
        faces = self.faces_of_vertex[idx].reshape(len(q), -1)
        rows = np.repeat(np.arange(len(q)), faces.shape[1])
        f = faces.ravel()
        ok = f >= 0
        rows, f = rows[ok], f[ok]
        tri = self.triangles[f]
        c, _ = closest_on_triangles(
            q[rows], self.points[tri[:, 0]], self.points[tri[:, 1]], self.points[tri[:, 2]]
        )
        dist = np.linalg.norm(q[rows] - c, axis=1)
        order = np.lexsort((dist, rows))
        first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]]
        best_c, best_d = c[first], dist[first]
        # A closest point on an edge or a corner is shared by several faces, and one face's
        # normal alone can give the wrong side there. Every face around the best face's
        # corners is measured again, and those that share the point vote with the
        # angle-weighted pseudo-normal (Baerentzen and Aanaes 2005), which gives the right side.
        around = self.faces_of_vertex[self.triangles[f[first]]].reshape(len(q), -1)
        rows = np.repeat(np.arange(len(q)), around.shape[1])
        f = around.ravel()
        ok = f >= 0
        rows, f = rows[ok], f[ok]
        tri = self.triangles[f]
        corners = self.points[tri]
        c, _ = closest_on_triangles(q[rows], corners[:, 0], corners[:, 1], corners[:, 2])
        tied = np.linalg.norm(c - best_c[rows], axis=1) <= TIE_MM
        normal = np.zeros((len(q), 3))
        weight = _corner_angle(corners[tied], c[tied])
        np.add.at(normal, rows[tied], self.face_normals[f[tied]] * weight[:, None])
        normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
        sign = np.where(_dot(best_c - q, normal) < 0.0, -1.0, 1.0)
        return sign * best_d, best_c, normal


class SkinEnvelope:
    """One body's skin as muscles are kept under it: the standing skin, its skinning, which
    vertices of each muscle mesh (and of each bone it is lifted over) lie near it, and the
    skin in the last pose asked for."""

    def __init__(
        self,
        standing_points: NDArray[np.floating],
        triangles: NDArray[np.integer],
        binding: Binding,
        bones: Mapping[str, NDArray[np.floating]] | None = None,
    ) -> None:
        self.standing = PosedSkin.of(standing_points, triangles)
        self.binding = binding
        self._candidates: dict[tuple[str, int], NDArray[np.int64]] = {}
        self._last: tuple[tuple[bytes, ...], PosedSkin] | None = None
        #: per bone, its standing vertices near the skin: the skin is lifted over them
        #: (:mod:`viewer.domain.skin_over_bone`)
        self._bones = {
            b: np.asarray(p, dtype=np.float64)[self.candidates(b, p)]
            for b, p in (bones or {}).items()
        }

    def candidates(self, mesh_id: str, standing_points: NDArray[np.floating]) -> NDArray[np.int64]:
        """Indices of the vertices within :data:`NEAR_SKIN_MM` of the standing skin (cached per
        mesh and vertex count, since full and light meshes differ)."""
        key = (mesh_id, len(standing_points))
        found = self._candidates.get(key)
        if found is None:
            d, _ = self.standing.tree.query(
                np.asarray(standing_points, dtype=np.float64), distance_upper_bound=NEAR_SKIN_MM
            )
            found = np.flatnonzero(d < NEAR_SKIN_MM).astype(np.int64)
            self._candidates[key] = found
        return found

    def key(self, transforms: Mapping[str, NDArray[np.float64]]) -> tuple[bytes, ...]:
        """What the posed skin depends on: the transforms of the bones it is weighted to and
        of the bones it is lifted over."""
        eye = np.eye(4)
        bones = (*self.binding.bones, *(b for b in self._bones if b not in self.binding.bones))
        return tuple(np.asarray(transforms.get(b, eye)).tobytes() for b in bones)

    def posed(self, transforms: Mapping[str, NDArray[np.float64]]) -> PosedSkin:
        """The skin in this pose, lifted over the bones it was given (the last one is kept:
        every muscle of a pose asks for it)."""
        key = self.key(transforms)
        if self._last is None or self._last[0] != key:
            points = skin(self.standing.points, self.binding, transforms)
            posed = PosedSkin.of(points, self.standing.triangles, self.standing.faces_of_vertex)
            if self._bones:
                from viewer.domain.skin_over_bone import lift_over_bones

                eye = np.eye(4)
                placed = [
                    p @ np.asarray(transforms.get(b, eye))[:3, :3].T
                    + np.asarray(transforms.get(b, eye))[:3, 3]
                    for b, p in self._bones.items()
                ]
                posed = lift_over_bones(posed, np.vstack(placed))
            self._last = (key, posed)
        return self._last[1]

    def keep(
        self,
        mesh_id: str,
        standing_points: NDArray[np.floating],
        posed_points: NDArray[np.floating],
        transforms: Mapping[str, NDArray[np.float64]],
        triangles: NDArray[np.integer] | None = None,
    ) -> NDArray[np.float64]:
        """A muscle mesh's posed vertices (and with its ``triangles``, its faces) kept under
        the skin in the same pose."""
        candidates = self.candidates(mesh_id, standing_points)
        return keep_inside(posed_points, candidates, self.posed(transforms), triangles=triangles)


def keep_inside(
    points: NDArray[np.floating],
    candidates: NDArray[np.int64],
    skin: PosedSkin,
    margin: float = ENVELOPE_MARGIN_MM,
    triangles: NDArray[np.integer] | None = None,
) -> NDArray[np.float64]:
    """``points`` with each candidate vertex outside ``skin`` or shallower than ``margin``
    below it moved in to that depth under its nearest face (others unchanged; a new array).

    A vertex moved onto one face can end up shallow under a neighbouring face of a crease, so
    the moved ones are measured again (:data:`PASSES` in all). With the mesh's ``triangles``
    the faces are kept in too: in a concave crease of the skin (the sitting hip crease) a
    muscle triangle whose corners are each under one side of the crease bridges its floor and
    shows through the skin between them; its corners are pressed deeper until its centre and
    edge midpoints are under the skin as well.
    """
    out = np.array(points, dtype=np.float64)
    near = candidates[skin.rough_depth(out[candidates]) < DEEP_MM]
    _keep_vertices_inside(out, near, skin, margin)
    if triangles is not None and len(near):
        tri = np.asarray(triangles, dtype=np.int64)
        flag = np.zeros(len(out), dtype=bool)
        flag[near] = True
        around = tri[flag[tri].any(axis=1)]
        faces = around
        pressed = np.zeros(len(out), dtype=bool)
        for _ in range(ROUNDS):
            moved = _keep_faces_inside(out, faces, skin, margin)
            if not len(moved):
                break
            _keep_vertices_inside(out, moved, skin, margin)
            pressed[moved] = True
            # Moving a corner tilts every face around it: those are tested next.
            flag[:] = False
            flag[moved] = True
            faces = around[flag[around].any(axis=1)]
        if pressed.any():
            _relax(out, tri, np.flatnonzero(pressed), skin)
    return out


def _relax(
    out: NDArray[np.float64], tri: NDArray[np.int64], rows: NDArray[np.int64], skin: PosedSkin
) -> None:
    """Smooth the corners the face pass pressed halfway toward their neighbours' centre,
    :data:`RELAX_STEPS` times, each step only where it keeps them under the skin (in place).

    Pressing a face's corners while their neighbours stay put folds the muscle's surface: seen
    through the default ghosted skin, the top of the sitting tensor fasciae latae showed a
    dark, crumpled notch below the ASIS. Relaxed, it is a thin slit. The price: with the skin
    opaque, a sliver of the relaxed faces shows along the crease from the side (measured in
    tests/test_render_sitting_skin.py).
    """
    from viewer.heatmap.foldfill import neighbour_mean

    mean = neighbour_mean(len(out), tri)[rows]
    for _ in range(RELAX_STEPS):
        centre = mean @ out
        step = out[rows] + 0.5 * (centre - out[rows])
        depth, closest, normal = skin.closest(step)
        ok = depth >= 0.0
        rim = np.flatnonzero(ok & _off_rim(step, depth, closest, normal))
        ok[rim] = skin.inside(step[rim])
        out[rows[ok]] = step[ok]


def _off_rim(
    q: NDArray[np.float64],
    depth: NDArray[np.float64],
    closest: NDArray[np.float64],
    normal: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Whether each point, under its nearest face by ``depth``, is within :data:`RIM_MM` of
    a sharp rim of the skin (:data:`EDGE_COS`), where that side is a toss-up."""
    edge = _dot(closest - q, normal) < EDGE_COS * np.abs(depth)
    return np.asarray(edge & (depth >= 0.0) & (depth < RIM_MM), dtype=np.bool_)


def _keep_vertices_inside(
    out: NDArray[np.float64], near: NDArray[np.int64], skin: PosedSkin, margin: float
) -> None:
    """Move the vertices ``near`` the skin that are outside it or shallower than ``margin`` to
    that depth under their nearest face (in place).

    Where the sitting skin folds through itself (the female hip crease), a vertex pressed
    under its nearest face can come out of the next one, and pressed under that, out of the
    first again: it swings between faces, and the last press could leave it outside. So the
    vertices pressed :data:`PASSES` times are measured once more, and any left outside go
    back to the last place they were covered (under their nearest face or inside along the
    rays), shallow as that may be.
    """
    rows = near
    covered_at = np.full(out.shape, np.nan)
    for n_pass in range(PASSES + 1):
        if not len(rows):
            return
        depth, closest, normal = skin.closest(out[rows])
        # Off the sharp edge where the skin folds back on itself, the nearest face's side is
        # a toss-up (a shift of 1e-5 mm flips it): there only the rays are believed.
        edge = _off_rim(out[rows], depth, closest, normal)
        shallow = np.flatnonzero((depth < margin) | edge)
        if not len(shallow):
            return
        # The nearest face's side is wrong behind a fold of the skin, where a vertex inside
        # the body lies in front of the inner sheet: the ray test decides, and a vertex inside
        # the body is moved only when it is under the face (not in front of a fold), and one
        # off a fold's edge only when the rays find it outside.
        inside = skin.inside(out[rows[shallow]])
        covered = inside | ((depth[shallow] >= 0.0) & ~edge[shallow])
        covered_at[rows[shallow[covered]]] = out[rows[shallow[covered]]]
        if n_pass == PASSES:
            left_out = rows[shallow[~covered]]
            left_out = left_out[~np.isnan(covered_at[left_out, 0])]
            out[left_out] = covered_at[left_out]
            return
        press = shallow[~inside | ((depth[shallow] >= 0.0) & ~edge[shallow])]
        rows = rows[press]
        out[rows] = closest[press] - margin * normal[press]
        # Under a fold's rim, 1 mm along its normal can still be in the gap of the fold: such
        # vertices go deeper until the rays find them inside.
        rim = np.flatnonzero(edge[press] & ~inside[np.searchsorted(shallow, press)])
        for extra in RIM_STEPS_MM:
            if not len(rim):
                break
            at = press[rim]
            deeper = closest[at] - (margin + extra) * normal[at]
            found = skin.inside(deeper)
            out[rows[rim[found]]] = deeper[found]
            rim = rim[~found]


#: Where a muscle triangle is tested against the skin: its centre, its edges' midpoints and
#: a point toward each corner (barycentric weights of its corners).
FACE_SAMPLES = np.array(
    [
        [1 / 3, 1 / 3, 1 / 3],
        [0.5, 0.5, 0.0],
        [0.0, 0.5, 0.5],
        [0.5, 0.0, 0.5],
        [2 / 3, 1 / 6, 1 / 6],
        [1 / 6, 2 / 3, 1 / 6],
        [1 / 6, 1 / 6, 2 / 3],
    ]
)


def _keep_faces_inside(
    out: NDArray[np.float64],
    faces: NDArray[np.int64],
    skin: PosedSkin,
    margin: float,
) -> NDArray[np.int64]:
    """Press in the corners of the ``faces`` (rows of corner indices) with a sample
    (:data:`FACE_SAMPLES`) outside the skin, once (in place); returns the corners moved."""
    none = np.zeros(0, dtype=np.int64)
    if not len(faces):
        return none
    samples = np.einsum("sk,fkj->fsj", FACE_SAMPLES, out[faces]).reshape(-1, 3)
    test = np.flatnonzero(skin.rough_depth(samples) < SAMPLE_ROUGH_MM)
    depth, _, normal = skin.closest(samples[test])
    out_of_skin = np.flatnonzero(depth < 0.0)
    if len(out_of_skin):
        out_of_skin = out_of_skin[~skin.inside(samples[test[out_of_skin]])]
    if not len(out_of_skin):
        return none
    depth, normal = depth[out_of_skin], normal[out_of_skin]
    face = test[out_of_skin] // len(FACE_SAMPLES)
    # Each corner of an offending face moves in along the skin's normal at its samples by
    # the most any of them needs.
    amount = np.zeros(len(out))
    direction = np.zeros((len(out), 3))
    for k in range(3):
        np.maximum.at(amount, faces[face, k], FACE_PUSH * (margin - depth))
        np.add.at(direction, faces[face, k], normal)
    moved = np.flatnonzero(amount > 0.0)
    unit = direction[moved] / np.maximum(
        np.linalg.norm(direction[moved], axis=1, keepdims=True), 1e-12
    )
    out[moved] -= amount[moved, None] * unit
    return moved
