"""The skin with its narrow folds filled: the surface referral zones are measured on.

A clinical chart draws a referral zone as a round patch on the body's outline; it does not
follow the skin down into a crease. Measured along the real skin, a zone that reaches a deep
fold (the gluteal cleft below the sacrum is a V about 35 mm deep on the female and male bodies)
is not round: distances across the fold run down one wall and up the other, so a geodesic disc
becomes a teardrop there, with a tip where its edge runs along the fold and a notch where it
dips into it. Its outline then has a cusp however it is drawn.

So zone distances are measured on a fold-filled copy of the skin: the same vertices and
triangles, with each vertex that lies in a concave fold lifted out of it until the fold is
bridged (:func:`fold_filled`). Convex skin does not move and flat skin next to a fold rises
evenly, so elsewhere distances are those of the skin itself (areas of the maps change by at
most a few per cent); over a fold, a path crosses it as a chart's disc would. Every body
(neutral, female, male) and any imported skin gets the same rule: nothing depends on a
particular zone or landmark. Zone outlines are drawn on the same fold-filled surface
(:class:`FoldLift`), so the line crosses the cleft as the zone does. Plain NumPy/SciPy, no VTK.

The lift is an outward-only mean-curvature flow: at each step every vertex moves towards the
average of its mesh neighbours, but only along its outward direction (the fold's bisector) and
only outwards. On convex skin that average lies inside the body and the step is refused; on
flat skin it lies in the tangent plane and the step is nil; in a fold it lies outside, so the
fold's floor rises and its walls close in until the surface no longer bends inwards on average.
The heights reached are those of a membrane stretched over the fold, so a narrow crease fills
most and a broad, shallow hollow rises little along a gentle slope (lengths along it change by
a per cent or two). It fills the fold, not the saddle: along the cleft its floor is convex, so
the flow stops about 8 mm up (about the level of the walls 10 mm to either side). How far the
flow reaches is set by its number of steps (:data:`FILL_REACH_MM`); the direction out of a fold
is its bisector, the normals averaged across it (:data:`BISECTOR_REACH_MM`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

log = logging.getLogger(__name__)

FILL_REACH_MM = 40.0
"""How far (mm) the flow spreads along the skin: from the floor of the gluteal cleft to its rims
(about 30 mm on each side). Lifts grow with the reach (the cleft's floor below the sacrum rises
about 8 mm at 40 mm; at 100 mm the lumbar hollow rose by up to 10 mm too) while the coccyx
outline hardly changed (female 23.7 / 25.7 degrees, male 24.7 / 24.8), so the least reach that
spans the cleft is used."""

BISECTOR_REACH_MM = 50.0
"""Normals are averaged over about this (mm) to find which way is out of a fold: across the
gluteal cleft (about 60 mm from rim to rim) its walls' normals cancel but for the bisector.
This matters more than the reach: averaged over 30 mm, the male coccyx outline stayed at 30.6
degrees (over the limit of 30); over 50 mm it is 24.7."""

FOLD_FILL_VERSION = 1
"""Part of the distance cache's key: bump when the filled surface changes."""

MAX_STEPS = 1500
"""Upper bound on flow steps (first-use cost: each is one sparse product on the skin)."""


def vertex_normals(
    points: NDArray[np.float64], triangles: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Area-weighted unit normals of the mesh's vertices."""
    face = np.cross(
        points[triangles[:, 1]] - points[triangles[:, 0]],
        points[triangles[:, 2]] - points[triangles[:, 0]],
    )
    normals = np.zeros_like(points)
    for k in range(3):
        np.add.at(normals, triangles[:, k], face)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    out: NDArray[np.float64] = normals / np.maximum(length, 1e-12)
    return out


def neighbour_mean(n: int, triangles: NDArray[np.int64]) -> sparse.csr_matrix:
    """Row-stochastic matrix: each vertex's value replaced by the mean over its mesh neighbours."""
    t = triangles
    rows = np.concatenate([t[:, 0], t[:, 1], t[:, 2], t[:, 1], t[:, 2], t[:, 0]])
    cols = np.concatenate([t[:, 1], t[:, 2], t[:, 0], t[:, 0], t[:, 1], t[:, 2]])
    adj = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    adj.data[:] = 1.0  # an edge shared by two triangles counts once
    degree = np.asarray(adj.sum(axis=1)).ravel()
    degree[degree == 0] = 1.0
    return (sparse.diags(1.0 / degree) @ adj).tocsr()


def fill_steps(
    points: NDArray[np.float64], triangles: NDArray[np.int64], reach_mm: float | None = None
) -> int:
    """Flow steps that spread about ``reach_mm`` (default :data:`FILL_REACH_MM`) on this mesh.

    Neighbour averaging spreads like a random walk of about one edge per step (in each of two
    directions), so a distance ``r`` is reached in about ``2 (r / edge)**2`` steps (median edge).
    """
    reach = FILL_REACH_MM if reach_mm is None else reach_mm
    edge = (
        float(np.median(np.linalg.norm(points[triangles[:, 0]] - points[triangles[:, 1]], axis=1)))
        or 1.0
    )
    return int(max(1, min(MAX_STEPS, round(2.0 * (reach / edge) ** 2))))


def fold_filled(
    points: NDArray[np.floating],
    triangles: NDArray[np.integer],
    normals: NDArray[np.floating] | None = None,
    reach_mm: float | None = None,
) -> NDArray[np.float64]:
    """The skin's vertices with narrow concave folds filled (same order, same triangles).

    ``normals`` are the skin's outward vertex normals (computed from the triangles if not
    given); ``reach_mm`` defaults to :data:`FILL_REACH_MM`. Each vertex only ever moves
    outwards, along its normal averaged over :data:`BISECTOR_REACH_MM`, so the filled surface
    is not under the skin; convex skin keeps its place, and flat skin beside a fold rises a
    little and evenly with the membrane over it.
    """
    p = np.asarray(points, dtype=np.float64)
    t = np.asarray(triangles, dtype=np.int64)
    nrm = vertex_normals(p, t) if normals is None else np.asarray(normals, dtype=np.float64)
    nrm = nrm / np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-12)
    mean = neighbour_mean(len(p), t)
    steps = fill_steps(p, t, reach_mm)
    # Out of a fold means along its bisector: the normals averaged across it (on each wall
    # the skin's own normal points at the other wall, and a lift along it would cross over).
    mean = mean.astype(np.float32)
    up = nrm.astype(np.float32)
    for _ in range(fill_steps(p, t, BISECTOR_REACH_MM)):
        up = mean @ up
    up /= np.maximum(np.linalg.norm(up, axis=1, keepdims=True), 1e-12)
    # With q = p + h * up, a vertex's pull out of the fold is ((mean @ q) - q) . up, which is
    # linear in the heights h: pull = a + (B @ h) - h, with a the pull of the skin itself and
    # B[i, j] = mean[i, j] * (up[i] . up[j]). One scalar sparse product per step.
    up = up.astype(np.float64)
    a = np.einsum("ij,ij->i", mean @ p - p, up).astype(np.float32)
    coo = mean.tocoo()
    b = sparse.csr_matrix(
        (coo.data * np.einsum("ij,ij->i", up[coo.row], up[coo.col]), (coo.row, coo.col)),
        shape=mean.shape,
        dtype=np.float32,
    )
    height = np.zeros(len(p), dtype=np.float32)  # how far each vertex has risen along ``up``
    for _ in range(steps):
        height = np.maximum(height, a + b @ height)  # only ever outwards
    out: NDArray[np.float64] = p + height.astype(np.float64)[:, None] * up
    return out


def cached_fold_filled(
    points: NDArray[np.floating], triangles: NDArray[np.integer], folder: Path | None
) -> NDArray[np.float64]:
    """:func:`fold_filled`, kept in the heat-map cache ``folder`` (one ``.npy`` per skin), so
    a start with a warm cache does not fill the folds again. ``None``: not cached."""
    from viewer.heatmap.fields import mesh_hash, read_cached, write_cached

    if folder is None:
        return fold_filled(points, triangles)
    path = folder / f"folds-v{FOLD_FILL_VERSION}-{mesh_hash(points, triangles)}.npy"
    cached = read_cached(path, (len(points), 3), np.dtype(np.float64))
    if cached is not None:
        return cached
    filled = fold_filled(points, triangles)
    try:
        write_cached(path, filled)
    except OSError as exc:
        log.warning("could not write the heat-map cache in %s: %s", folder, exc)
    return filled


def vertex_frames(
    points: NDArray[np.floating], normals: NDArray[np.floating], neighbour: NDArray[np.int64]
) -> NDArray[np.float64]:
    """(n, 3, 3) orthonormal frame per vertex, as columns: its normal, the direction to one
    mesh neighbour in its tangent plane, and their cross product."""
    p = np.asarray(points, dtype=np.float64)
    n = np.asarray(normals, dtype=np.float64)
    n = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    t = p[neighbour] - p
    t -= np.einsum("ij,ij->i", t, n)[:, None] * n
    t /= np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)
    frames: NDArray[np.float64] = np.stack([n, t, np.cross(n, t)], axis=2)
    return frames


@dataclass(frozen=True, eq=False)
class FoldLift:
    """How far each skin vertex was lifted to fill the folds (the skin at rest), so outlines
    can be drawn on the same fold-filled surface the zones were measured on.

    A zone's edge is a level line of its weights; cut on the skin itself, it runs down one
    wall of the gluteal cleft and up the other and, seen from behind, keeps a small tip where
    it crosses the floor (35 degrees in one 4 mm step on the female coccyx zone); cut on the
    fold-filled surface it does not (10 degrees). The weights, and so the painted colours and
    "Where does it hurt?", are the same either way: only where the line is drawn changes.
    """

    lift: NDArray[np.float64]
    """(n, 3) filled minus rest position of each vertex."""
    neighbour: NDArray[np.int64]
    """(n,) one mesh neighbour of each vertex (with the normal, it fixes a local frame)."""
    rest_frames: NDArray[np.float64]
    """(n, 3, 3) each vertex's frame on the skin at rest (:func:`vertex_frames`)."""

    @classmethod
    def between(
        cls,
        points: NDArray[np.floating],
        filled: NDArray[np.floating],
        triangles: NDArray[np.integer],
        normals: NDArray[np.floating] | None,
    ) -> FoldLift:
        """The lift from the skin ``points`` (vertex ``normals``, or from the triangles) to
        its fold-filled copy ``filled``."""
        p = np.asarray(points, dtype=np.float64)
        t = np.asarray(triangles, dtype=np.int64)
        rest = vertex_normals(p, t) if normals is None else np.asarray(normals, dtype=np.float64)
        neighbour = np.arange(len(p), dtype=np.int64)
        for k in range(3):
            neighbour[t[:, k]] = t[:, (k + 1) % 3]
        lift = np.asarray(filled, dtype=np.float64) - p
        return cls(lift, neighbour, vertex_frames(p, rest, neighbour))

    def drawn(
        self, points: NDArray[np.floating], normals: NDArray[np.floating] | None
    ) -> NDArray[np.float64]:
        """The fold-filled surface over the skin as drawn now (``points``, posed or not, with
        vertex ``normals``): each vertex's lift turns with its local frame, so it follows the
        skin as it is posed (a frame turns with the pelvis, and the lift with it)."""
        p = np.asarray(points, dtype=np.float64)
        if len(p) != len(self.lift):
            return p
        if normals is None or len(normals) != len(p):
            return p + self.lift
        frames = vertex_frames(p, normals, self.neighbour)
        # lift in the rest frame's coordinates, then out of the current frame
        local = np.einsum("nji,nj->ni", self.rest_frames, self.lift)
        out: NDArray[np.float64] = p + np.einsum("nij,nj->ni", frames, local)
        return out
