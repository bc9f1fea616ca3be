"""Where each muscle's fibres end on its bones: the attachment centres shipped in the manifest.

The viewer measures a muscle's length along its line of action from attachment to attachment
(``viewer/domain/posture.py``). It cannot see the attachment areas the build lofts a muscle
from (muscle_regions.py, the insertion points of muscle_fibres.py): from the mesh alone the
best it can do is the muscle's contact with its end bones, which includes muscle lying on the
bone near the attachment (piriformis on the back of the femoral neck; ~2.5 mm behind the
tendon's footprint on the trochanter). So the build writes, for each attachment of the
manifest, the centroid of the fibre ends that lie on that bone and how many ends that is
(``centre`` and ``fibres``, atlas frame, mm); the viewer ends the line there and carries each
centre with its own bone.

A fibre end counts for a bone when that bone is the nearest bone to it and the manifest names it
as one of the muscle's attachments, within :data:`REACH_MM`. Ends that stop in soft tissue far
from any bone (the erector spinae cut at the top of the atlas region, rectus abdominis toward
its costal insertion) count for none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import trimesh

from tools.atlas_build import muscle_regions as reg

REACH_MM = 20.0
"""Farthest a fibre end may lie from its bone and still mark an attachment there. The iliotibial
tract part of gluteus maximus inserts on the tract, which lies on vastus lateralis about 12 mm
outside the femur (muscle_fibres._gmax_insertions: 12-17 mm from the bone), and its
sacrotuberous-ligament fibres arise from the ligament beside the coccyx; both still belong to
the attachment on the nearest bone, whose motion they share."""


def attachment_centres(
    ends: Iterable[np.ndarray],
    attachments: Sequence[tuple[str, str]],
    bones: Mapping[str, trimesh.Trimesh],
) -> dict[str, tuple[np.ndarray, int]]:
    """Bone id -> (centroid (3,), count) of the fibre ends lying on it (see module docstring).

    ``ends`` are fibre end points (both ends of every fibre), ``attachments`` the muscle's
    (bone id, role) pairs with the side already filled in, ``bones`` every bone of the skeleton.
    """
    from scipy.spatial import cKDTree

    pts = np.asarray(list(ends), dtype=np.float64).reshape(-1, 3)
    attached = {b for b, _ in attachments}
    if not len(pts) or not attached:
        return {}
    names = sorted(bones)
    dist = np.full((len(pts), len(names)), np.inf)
    for j, b in enumerate(names):
        surface = reg.dense_surface(bones[b], 2.0).points
        dist[:, j] = cKDTree(surface).query(pts, k=1)[0]
    nearest = np.argmin(dist, axis=1)
    near_d = dist[np.arange(len(pts)), nearest]
    out: dict[str, tuple[np.ndarray, int]] = {}
    for j, b in enumerate(names):
        on = (nearest == j) & (near_d <= REACH_MM)
        if b in attached and on.any():
            out[b] = (_onto_surface(bones[b], pts[on].mean(axis=0)), int(on.sum()))
    return out


def _onto_surface(bone: trimesh.Trimesh, centre: np.ndarray) -> np.ndarray:
    """The centre, or its nearest point on the bone's surface when it lies inside the bone.

    Fibre ends are set a few mm into the bone so that the muscle reaches it (piriformis's
    4 mm medial and 3 mm below the trochanter's upper border), and the centroid of a fan's ends
    on a convex face lies under it; the line of action ends where the tendon meets the bone.
    """
    surface = reg.dense_surface(bone, 1.0)
    c = np.asarray(centre, dtype=np.float64)
    i = int(np.argmin(np.linalg.norm(surface.points - c, axis=1)))
    if float((c - surface.points[i]) @ surface.normals[i]) >= 0.0:  # outside (or on) the bone
        return c
    return np.asarray(surface.points[i], dtype=np.float64)


def fibre_ends(paths: Iterable[np.ndarray]) -> list[np.ndarray]:
    """Both end points of every fibre control path."""
    out: list[np.ndarray] = []
    for p in paths:
        q = np.asarray(p, dtype=np.float64)
        out += [q[0], q[-1]]
    return out
