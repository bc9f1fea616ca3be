"""Soft tissue that follows the bones: muscle binding from geometry and dual-quaternion skinning.

A muscle is bound at run time, from the meshes of the atlas in hand, so the binding survives any
rebuild of the atlas. Each muscle vertex gets a *fibre coordinate* ``t`` in [0, 1] along the
muscle's long axis (the principal axis of its vertices). Every bone the muscle attaches to (the
manifest's origins and insertions) or lies on (closer than :data:`CONTACT_MM`; e.g. the psoas on
the pelvic brim, which it wraps over) is a *station* on that axis: where the muscle touches the
bone. The end stations hold the muscle over their whole contact area (an origin on the iliac
fossa keeps all of the belly lying on it), the inner ones at their middle. Between two stations
the vertex blends from one bone to the next with a smoothstep of its position, so the free span
of a muscle between origin and insertion bends smoothly as the joint turns. Across the hip the
blend lies beyond the pelvic contact, on the stretch toward the femur: blending muscle that
still lies on the iliac fossa would swing it into the acetabular rim.

Blending rigid motions linearly shrinks a muscle wrapped around a joint toward the joint centre
(the "candy wrapper"); dual-quaternion blending (Kavan et al., "Geometric skinning with
approximate dual quaternion blending", ACM TOG 27(4), 2008) keeps the distance from the joint,
so the psoas and iliacus slide round the front of the hip instead of sinking into the femoral
head.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # SciPy's spatial module costs ~0.16 s to import: not before the first frame
    from scipy.spatial import cKDTree

CONTACT_MM = 6.0
"""A muscle lying closer than this to a bone it does not attach to is carried by that bone too."""

NEAR_BAND_MM = 6.0
"""Vertices within this of a bone's closest approach count as touching it (defines a station)."""

HIP_BLEND = 0.35
"""Shortest stretch of fibre coordinate over which a muscle blends from pelvis to femur."""

SPINE_BLEND = 0.06
"""Shortest blend between two neighbouring stations that are not across the hip."""

END_BAND = 0.25
"""Stretch of fibre coordinate at each end of a muscle whose contact with its end bones is the
attachment its length is measured from (contact further in is the muscle lying on the bone)."""

PATH_BINS = 16
"""Slices along the fibre coordinate whose centroids make the muscle's path (for its length)."""


@dataclass(frozen=True)
class HipSpan:
    """The stretch of a muscle that blends across the hip, for :func:`skin`'s chord blend.

    ``pelvic`` and ``femoral`` are the two stations (bone ids) either side of the hip,
    ``pelvic_t`` and ``femoral_t`` the fibre coordinates where the blend leaves each (either
    may be the larger), and ``axis`` (3,, the direction of increasing fibre coordinate) and
    ``span`` (mm per unit of fibre coordinate) turn fibre coordinates into distances along the
    muscle's long axis.
    """

    pelvic: str
    femoral: str
    pelvic_t: float
    femoral_t: float
    axis: NDArray[np.float64]
    span: float


@dataclass(frozen=True)
class PathEnd:
    """One end of a muscle's length path: the weighted mean of standing points, each carried
    rigidly by its own bone (an attachment over several bones, e.g. gluteus maximus on ilium
    and sacrum, psoas on T12-L2, moves with each of them)."""

    bones: tuple[str, ...]
    points: NDArray[np.float64]
    """(k, 3) standing points, one per bone."""
    weights: NDArray[np.float64]
    """(k,) weights summing to 1."""

    def posed(self, transforms: Mapping[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """(3,) the end in the pose (bones missing from ``transforms`` stay still)."""
        eye = np.eye(4)
        out = np.zeros(3)
        for bone, p, w in zip(self.bones, self.points, self.weights, strict=True):
            m = transforms.get(bone, eye)
            out += w * (m[:3, :3] @ p + m[:3, 3])
        return out

    @property
    def standing(self) -> NDArray[np.float64]:
        """(3,) the end in the standing pose."""
        return np.asarray(self.weights @ self.points, dtype=np.float64)


@dataclass(frozen=True)
class Binding:
    """How one mesh's vertices follow the bones.

    Attributes
    ----------
    bones : the bone ids, in station order along the fibre
    weights : (n, k) float64 array, rows sum to 1, ``k = len(bones)``
    fibre : (n,) float64 fibre coordinate in [0, 1]
    """

    bones: tuple[str, ...]
    weights: NDArray[np.float64]
    fibre: NDArray[np.float64]
    anchors: NDArray[np.float64] | None = None
    """(2, 3) standing centroids of where the muscle touches its first and last bone."""
    anchor_fibre: tuple[float, float] = (0.0, 1.0)
    """Fibre coordinate of the two anchors."""
    hip: HipSpan | None = None
    """Where the muscle blends from pelvis to femur (``None``: it does not cross the hip)."""
    ends: tuple[PathEnd, PathEnd] | None = None
    """The length path's two ends (first and last along the fibre), each carried by its bones;
    ``None``: the anchors, carried by the first and last station."""

    def path_bins(self, n_bins: int = PATH_BINS) -> NDArray[np.int64]:
        """(n,) slice index of each vertex along the fibre (0 .. n_bins - 1)."""
        return np.minimum((self.fibre * n_bins).astype(np.int64), n_bins - 1)


def _principal_axis(points: NDArray[np.float64]) -> NDArray[np.float64]:
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return np.asarray(vt[0], dtype=np.float64)


def bind_muscle(
    points: NDArray[np.floating],
    bone_trees: Mapping[str, cKDTree],
    attachments: Sequence[str],
    roles: Mapping[str, str] | None = None,
    centres: Mapping[str, tuple[Sequence[float], int]] | None = None,
) -> Binding:
    """Bind a muscle's vertices to its bones (see the module docstring).

    Parameters
    ----------
    points : (n, 3) muscle vertices, atlas millimetres, standing pose
    bone_trees : bone id -> KD-tree of that bone's vertices (standing pose), the posable bones
    attachments : bone ids the manifest names as origins and insertions
    roles : bone id -> ``"origin"`` or ``"insertion"``; the path's two anchors are the centroids
        of the contact with all origin bones and with all insertion bones (e.g. gluteus maximus
        arises from ilium and sacrum together), each within :data:`END_BAND` of its end
    centres : bone id -> (standing centre, fibre count) of where the muscle's fibres end on that
        bone (the build's attachment areas, shipped in the manifest). An end whose role has
        centres on posable bones runs to their fibre-weighted mean, each carried by its bone,
        instead of to the contact centroid: the contact includes muscle lying on the bone near
        the attachment (piriformis on the back of the femoral neck, behind its tendon's
        footprint on the trochanter)
    """
    p = np.asarray(points, dtype=np.float64)
    axis = _principal_axis(p)
    s = p @ axis
    span = float(s.max() - s.min()) or 1.0
    t = (s - s.min()) / span
    distances: dict[str, NDArray[np.float64]] = {}
    for bone, tree in bone_trees.items():
        attached = bone in attachments
        bound = np.inf if attached else CONTACT_MM + NEAR_BAND_MM
        d, _ = tree.query(p, k=1, distance_upper_bound=bound)
        d = np.asarray(d, dtype=np.float64)
        if attached or float(d.min()) < CONTACT_MM:
            distances[bone] = d
    if not distances:
        raise ValueError("the muscle is near no posable bone")
    centre: dict[str, float] = {}
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    for bone, d in distances.items():
        near = d <= float(d.min()) + NEAR_BAND_MM
        tn = t[near]
        centre[bone] = float(np.median(tn))
        # Nearly the whole contact (a few stray vertices aside): an end bone holds all the
        # muscle lying on it, so the blend starts where the muscle leaves the bone.
        lo[bone] = float(np.quantile(tn, 0.03))
        hi[bone] = float(np.quantile(tn, 0.97))
    order = sorted(distances, key=lambda b: centre[b])
    knots = [centre[b] for b in order]
    if len(order) > 1:
        # The end stations hold the muscle across their contact area.
        knots[0] = max(knots[0], min(hi[order[0]], knots[1]))
        knots[-1] = min(knots[-1], max(lo[order[-1]], knots[-2]))
    knots_a = _spread(np.maximum.accumulate(np.asarray(knots)), order)
    weights = np.zeros((len(p), len(order)))
    if len(order) == 1:
        weights[:, 0] = 1.0
    else:
        idx = np.clip(np.searchsorted(knots_a, t, side="right") - 1, 0, len(order) - 2)
        left, right = knots_a[idx], knots_a[idx + 1]
        f = np.clip((t - left) / np.maximum(right - left, 1e-9), 0.0, 1.0)
        f = f * f * (3.0 - 2.0 * f)
        rows = np.arange(len(p))
        weights[rows, idx] = 1.0 - f
        weights[rows, idx + 1] += f
    first, last = order[0], order[-1]

    roles = roles or {}

    def group(bone: str) -> list[str]:
        role = roles.get(bone)
        other = roles.get(last if bone == first else first)
        if role is None or role == other:
            return [bone]
        return [b for b in order if roles.get(b) == role]

    def contact(bones: list[str], low_end: bool) -> tuple[NDArray[np.float64], float]:
        near = np.zeros(len(p), dtype=bool)
        for bone in bones:
            d = distances[bone]
            near |= d <= float(d.min()) + NEAR_BAND_MM
        # The attachment is where the muscle meets the bone near its own end of the fibre:
        # contact further in is the muscle lying on (wrapping over) the bone on its way, e.g.
        # gluteus maximus over the greater trochanter to the gluteal tuberosity.
        end = near & ((t <= END_BAND) if low_end else (t >= 1.0 - END_BAND))
        if end.sum() < 3:
            end = near
        return np.asarray(p[end].mean(axis=0)), float(np.median(t[end]))

    if len(order) == 1:
        return Binding(bones=tuple(order), weights=weights, fibre=t)

    def end(bone: str, low_end: bool) -> tuple[PathEnd, float]:
        named = _named_end(bone, first if bone == last else last, roles, centres, bone_trees)
        if named is not None:
            at = float(np.clip((named.standing @ axis - s.min()) / span, 0.0, 1.0))
            return named, at
        a, at = contact(group(bone), low_end)
        return PathEnd((bone,), a[None], np.ones(1)), at

    (e0, t0), (e1, t1) = end(first, True), end(last, False)
    return Binding(
        bones=tuple(order),
        weights=weights,
        fibre=t,
        anchors=np.stack([e0.standing, e1.standing]),
        anchor_fibre=(t0, t1),
        hip=_free_hip_span(order, knots_a, axis, span, t, distances, centre),
        ends=(e0, e1),
    )


def _named_end(
    bone: str,
    other: str,
    roles: Mapping[str, str],
    centres: Mapping[str, tuple[Sequence[float], int]] | None,
    bone_trees: Mapping[str, object],
) -> PathEnd | None:
    """The end at station ``bone`` from the build's attachment centres of its role (all posable
    bones of that role, weighted by their fibre ends); ``None`` when there are none or the two
    ends of the muscle do not differ in role (then the role cannot tell which end is which)."""
    role = roles.get(bone)
    if not centres or role is None or role == roles.get(other):
        return None
    named = [
        (b, np.asarray(c, dtype=np.float64), float(n))
        for b, (c, n) in sorted(centres.items())
        if roles.get(b) == role and b in bone_trees and n > 0
    ]
    if not named:
        return None
    w = np.array([n for _, _, n in named])
    return PathEnd(tuple(b for b, _, _ in named), np.stack([c for _, c, _ in named]), w / w.sum())


FREE_FRACTION = 0.1
"""A muscle whose middle of the blend across the hip has less than this fraction of its
vertices touching the pelvic or femoral bone crosses the hip free of bone (takes the chord)."""

CHORD_FEMORAL_REACH = 0.9
"""How far the chord runs from where the muscle's contact with the femur begins toward the
contact's middle (see :func:`_free_hip_span`; it was 0.75)."""


def _free_hip_span(
    order: Sequence[str],
    knots: NDArray[np.float64],
    axis: NDArray[np.float64],
    span: float,
    t: NDArray[np.float64],
    distances: Mapping[str, NDArray[np.float64]],
    centre: Mapping[str, float],
) -> HipSpan | None:
    """The femur's station and its pelvic neighbour, when the muscle crosses the hip free of
    bone; ``None`` for a muscle lying on bone across the hip (psoas and iliacus on the pelvic
    brim and the front of the joint, piriformis and gluteus minimus on the capsule), which wraps
    round the joint and keeps the arc (a chord would cut through the bone it lies on).

    The chord reaches the femur :data:`CHORD_FEMORAL_REACH` of the way from where the muscle's
    contact with it begins to the contact's middle (``centre``), not where it begins: tensor
    fasciae latae first touches the femur over the greater trochanter, beside the flexion axis,
    which hardly moves as the hip bends, so a chord ending there drops straight down from the
    pelvis and turns the whole flexion in one corner at the trochanter (31 degrees sharper than
    standing, sitting, on the femur turned inward by the knee's axis; 13 with the chord ending
    half-way). Three quarters, not half: the contact's beginning is the least steady part of
    it. The contact band is measured from the muscle's closest approach, which the build's bone
    clearance holds nearly fixed, so a muscle that lies a little closer along its length starts
    the band well before: tensor fasciae latae on the thinner gluteus medius of the gluteal
    shapes lies ~2.5 mm closer above the trochanter, its contact began 8 mm (0.05 of its
    fibre) higher while the contact's middle moved 0.01, and the half-way chord ended that much
    nearer the flexion axis: the corner came back (54 degrees posed at the back of the belly,
    9 standing). Nine tenths since gluteus minimus became a fan: tensor fasciae latae, over the
    gluteus medius that now lies closer to bone, bent 19-21 degrees sharper than standing
    (sitting upright, full and light mesh, on the surface measure of the posture tests) at
    three quarters, 14 at nine tenths, and across re-decimations of its light mesh (600-1600
    triangles) 19-28 against 14-22. Not the middle itself: gluteus maximus's chord would then
    cut the trochanter and tear where it is pushed back out (sitting, its most stretched edge
    6.2 times its standing length at the middle, 3.8 at nine tenths and 4.3 at three
    quarters)."""
    for i in range(len(order) - 1):
        a, b = order[i], order[i + 1]
        if a.startswith("femur") != b.startswith("femur") and knots[i + 1] > knots[i]:
            lo, hi = float(knots[i]), float(knots[i + 1])
            middle = (t > lo + 0.15 * (hi - lo)) & (t < hi - 0.15 * (hi - lo))
            touching = np.minimum(distances[a][middle], distances[b][middle]) < NEAR_BAND_MM
            if not middle.any() or float(touching.mean()) >= FREE_FRACTION:
                return None
            reach = CHORD_FEMORAL_REACH
            if a.startswith("femur"):
                return HipSpan(b, a, hi, min(lo, lo + reach * (centre[a] - lo)), axis, span)
            return HipSpan(a, b, lo, max(hi, hi + reach * (centre[b] - hi)), axis, span)
    return None


def _spread(knots: NDArray[np.float64], order: Sequence[str]) -> NDArray[np.float64]:
    """Keep neighbouring stations far enough apart along the fibre for a gentle blend.

    Across the hip (a femur next to a pelvic bone) the bones turn up to ~120 degrees apart, so
    the blend needs a long stretch of muscle (:data:`HIP_BLEND`); between vertebrae, which turn
    a few degrees, a short one will do (:data:`SPINE_BLEND`).
    """
    k = knots.copy()
    for i in range(len(k) - 1):
        across_hip = order[i].startswith("femur") != order[i + 1].startswith("femur")
        gap = HIP_BLEND if across_hip else SPINE_BLEND
        if k[i + 1] - k[i] < gap:
            if across_hip and order[i + 1].startswith("femur"):
                # The blend lies beyond the pelvic contact, on the stretch toward the femur.
                k[i + 1] = max(k[i + 1], min(1.0, k[i] + gap))
                k[i] = min(k[i], k[i + 1] - gap)
            elif across_hip:
                k[i] = min(k[i], max(0.0, k[i + 1] - gap))
                k[i + 1] = max(k[i + 1], k[i] + gap)
            else:
                mid = 0.5 * (k[i] + k[i + 1])
                k[i] = min(k[i], mid - gap / 2)
                k[i + 1] = mid + gap / 2
            k[: i + 1] = np.minimum(k[: i + 1], k[i])
    return np.maximum.accumulate(k)


def transfer(
    binding: Binding, source: NDArray[np.floating], target: NDArray[np.floating]
) -> Binding:
    """The binding of another mesh of the same muscle (e.g. its light mesh): nearest vertex."""
    from scipy.spatial import cKDTree

    _, idx = cKDTree(np.asarray(source, dtype=np.float64)).query(np.asarray(target), k=1)
    return replace(binding, weights=binding.weights[idx], fibre=binding.fibre[idx])


# -- dual quaternions ------------------------------------------------------------------------
def _quat_from_matrix(m: NDArray[np.float64]) -> NDArray[np.float64]:
    """(w, x, y, z) unit quaternion of a rotation matrix, with w >= 0."""
    r = m[:3, :3]
    tr = float(np.trace(r))
    if tr > -0.99:
        w = np.sqrt(max(0.0, 1.0 + tr)) / 2.0
        q = np.array(
            [
                w,
                (r[2, 1] - r[1, 2]) / (4 * w),
                (r[0, 2] - r[2, 0]) / (4 * w),
                (r[1, 0] - r[0, 1]) / (4 * w),
            ]
        )
    else:  # near 180 degrees: fall back on the largest diagonal element
        i = int(np.argmax(np.diag(r)))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = np.sqrt(max(0.0, 1.0 + r[i, i] - r[j, j] - r[k, k])) * 2.0
        q = np.zeros(4)
        q[0] = (r[k, j] - r[j, k]) / s
        q[1 + i] = s / 4.0
        q[1 + j] = (r[j, i] + r[i, j]) / s
        q[1 + k] = (r[k, i] + r[i, k]) / s
    unit: NDArray[np.float64] = q / np.linalg.norm(q)
    return unit if unit[0] >= 0 else -unit


def _qmul(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Hamilton product of (..., 4) quaternions."""
    aw, ax, ay, az = np.moveaxis(a, -1, 0)
    bw, bx, by, bz = np.moveaxis(b, -1, 0)
    return np.stack(
        [
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ],
        axis=-1,
    )


_QUATERNIONS: dict[bytes, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
"""Real and dual part of recently seen transforms, by the matrix's bytes: while a posture slider
is dragged some 30 meshes are skinned per frame by the same few bone transforms, and turning a
matrix into a quaternion costs more in Python than blending it does in NumPy."""
_QUATERNIONS_MAX = 512


def _dual_quaternion(m: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    m = np.asarray(m, dtype=np.float64)
    key = m.tobytes()
    found = _QUATERNIONS.get(key)
    if found is None:
        real = _quat_from_matrix(m)
        dual = 0.5 * _qmul(np.concatenate([[0.0], m[:3, 3]]), real)
        if len(_QUATERNIONS) >= _QUATERNIONS_MAX:
            _QUATERNIONS.clear()
        found = _QUATERNIONS[key] = (real, dual)
    return found


def dual_quaternions(
    transforms: Sequence[NDArray[np.float64]],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(k, 4) real and dual parts of k rigid 4x4 transforms."""
    pairs = [_dual_quaternion(m) for m in transforms]
    return np.stack([r for r, _ in pairs]), np.stack([d for _, d in pairs])


def _blend(
    binding: Binding, transforms: Mapping[str, NDArray[np.float64]]
) -> tuple[NDArray[np.float64], ...]:
    """Per-vertex unit dual quaternion, as (w0, v0, we, ve): real and dual scalar and vector."""
    eye = np.eye(4)
    real, dual = dual_quaternions([transforms.get(b, eye) for b in binding.bones])
    b0 = binding.weights @ real
    be = binding.weights @ dual
    norm = np.linalg.norm(b0, axis=1, keepdims=True)
    b0 /= norm
    be /= norm
    return b0[:, :1], b0[:, 1:], be[:, :1], be[:, 1:]


def _rotate(
    w0: NDArray[np.float64], v0: NDArray[np.float64], x: NDArray[np.floating]
) -> NDArray[np.float64]:
    """Vectors ``x`` (n, 3) turned by the unit quaternions (w0, v0)."""
    x = np.asarray(x, dtype=np.float64)
    return x + 2.0 * _cross(v0, _cross(v0, x) + w0 * x)


def _cross(a: NDArray[np.float64], b: NDArray[np.floating]) -> NDArray[np.float64]:
    """Row-wise cross product of two (n, 3) arrays: the same arithmetic as ``np.cross`` (same
    result to the bit) without its axis bookkeeping, which cost more than the products on the
    few thousand vertices of a light mesh skinned every frame of a posture drag."""
    a0, a1, a2 = a[:, 0], a[:, 1], a[:, 2]
    b0, b1, b2 = b[:, 0], b[:, 1], b[:, 2]
    out = np.empty((max(len(a), len(b)), 3))
    np.subtract(a1 * b2, a2 * b1, out=out[:, 0])
    np.subtract(a2 * b0, a0 * b2, out=out[:, 1])
    np.subtract(a0 * b1, a1 * b0, out=out[:, 2])
    return out


def skin(
    points: NDArray[np.floating],
    binding: Binding,
    transforms: Mapping[str, NDArray[np.float64]],
) -> NDArray[np.float64]:
    """Posed (n, 3) vertices; bones missing from ``transforms`` stay still."""
    eye = np.eye(4)
    if all(np.array_equal(transforms.get(b, eye), eye) for b in binding.bones):
        return np.asarray(points, dtype=np.float64)
    posed, _ = skin_with_normals(points, None, binding, transforms)
    return posed


def skin_with_normals(
    points: NDArray[np.floating],
    normals: NDArray[np.floating] | None,
    binding: Binding,
    transforms: Mapping[str, NDArray[np.float64]],
) -> tuple[NDArray[np.float64], NDArray[np.float32] | None]:
    """Posed vertices and turned normals in one blend (what a renderer needs per frame)."""
    w0, v0, we, ve = _blend(binding, transforms)
    # Rotate by the unit quaternion b0, then translate by 2 * (w0 ve - we v0 + v0 x ve).
    posed = _rotate(w0, v0, points) + 2.0 * (w0 * ve - we * v0 + _cross(v0, ve))
    if binding.hip is not None:
        _chord_across_hip(posed, points, binding, transforms)
    if normals is None:
        return posed, None
    return posed, np.asarray(_rotate(w0, v0, normals), dtype=np.float32)


CHORD_TANGENT = 1.0
"""Strength of the curve's end directions, times the chord's length (1: in the standing pose the
curve is the straight line through the vertex, evenly parametrised, so nothing moves)."""

CHORD_FULL_DEG = 95.0
"""Up to this turn of the femur on the pelvis a muscle free of bone takes the chord fully."""

CHORD_NONE_DEG = 120.0
"""From this turn on it is back on the arc: in the deepest flexion the buttock's chord would
run through the ischium, where the muscle wraps round the bone instead."""


def _chord_across_hip(
    posed: NDArray[np.float64],
    points: NDArray[np.floating],
    binding: Binding,
    transforms: Mapping[str, NDArray[np.float64]],
) -> None:
    """A muscle that crosses the hip free of bone goes taut between its ends (in place).

    Dual-quaternion blending turns each vertex about the hip by its share of the joint's turn,
    i.e. along a circle round the joint. On the inner side of the bend that carries a vertex
    half-way along the blend back up toward the pelvis, and the muscle folds into a hook
    (tensor fasciae latae, the front of gluteus medius, in sitting); on the outer side it swings
    the muscle out round the joint in a bag (the back of gluteus medius below the trochanter,
    gluteus maximus hanging under the femur). A muscle with no bone under it runs straight from
    where it leaves one bone to where it meets the other. So each vertex's own line along the
    muscle is followed to where the blend starts (carried by the pelvic bone) and ends (carried
    by the femur), and the vertex is put on the cubic (Hermite) curve between those two points,
    leaving each along the direction its rigid end gives it, as strongly as the chord is long
    (:data:`CHORD_TANGENT`, shortening lines only): a rounded bend, not a fold. In the standing
    pose the curve is the straight line through the vertex, so nothing moves. Muscles that lie
    on bone across the hip have no :class:`HipSpan` and keep the arc, which wraps them over the
    bone; past :data:`CHORD_FULL_DEG` of hip turn the chord gives way to the arc again.
    """
    hip = binding.hip
    if hip is None:
        return
    eye = np.eye(4)
    tp, tf = transforms.get(hip.pelvic, eye), transforms.get(hip.femoral, eye)
    if np.allclose(tp, tf):
        return
    turn = tp[:3, :3].T @ tf[:3, :3]
    degrees = np.degrees(np.arccos(np.clip((np.trace(turn) - 1.0) / 2.0, -1.0, 1.0)))
    g = float(np.clip((CHORD_NONE_DEG - degrees) / (CHORD_NONE_DEG - CHORD_FULL_DEG), 0.0, 1.0))
    g = g * g * (3.0 - 2.0 * g)
    if g <= 0.0:
        return
    width = hip.femoral_t - hip.pelvic_t
    # Parameter from the pelvic end (0) to the femoral end (1) of the blend.
    u = (binding.fibre - hip.pelvic_t) / width
    rows = np.flatnonzero((u > 0.0) & (u < 1.0))
    if not len(rows):
        return
    s = u[rows, None]
    p = np.asarray(points, dtype=np.float64)[rows]
    length = abs(width) * hip.span
    along = hip.axis * (width * hip.span)  # standing vector from the pelvic end to the femoral end
    a = (p - s * along) @ tp[:3, :3].T + tp[:3, 3]
    b = (p + (1.0 - s) * along) @ tf[:3, :3].T + tf[:3, 3]
    chord = b - a
    k = np.linalg.norm(chord, axis=1, keepdims=True) / length
    tangent = CHORD_TANGENT * np.minimum(k, 1.0)
    ma = tangent * (tp[:3, :3] @ along)
    mb = tangent * (tf[:3, :3] @ along)
    s2, s3 = s * s, s * s * s
    curve = (
        (2 * s3 - 3 * s2 + 1) * a + (s3 - 2 * s2 + s) * ma + (-2 * s3 + 3 * s2) * b + (s3 - s2) * mb
    )
    # At the ends of the blend the vertex sits on its rigid position either way (u = 0 or 1).
    posed[rows] += g * (curve - posed[rows])


def skin_normals(
    normals: NDArray[np.floating],
    binding: Binding,
    transforms: Mapping[str, NDArray[np.float64]],
) -> NDArray[np.float32]:
    """Vertex normals turned by each vertex's blended rotation (for shading the posed mesh)."""
    eye = np.eye(4)
    mats = [transforms.get(b, eye) for b in binding.bones]
    real, _ = dual_quaternions(mats)
    b0 = binding.weights @ real
    b0 /= np.linalg.norm(b0, axis=1, keepdims=True)
    w0, v0 = b0[:, :1], b0[:, 1:]
    n = np.asarray(normals, dtype=np.float64)
    return np.asarray(_rotate(w0, v0, n), dtype=np.float32)


def path_length(
    points: NDArray[np.floating], bins: NDArray[np.int64], n_bins: int = PATH_BINS
) -> float:
    """Length (mm) of the polyline through the centroids of the slices along the fibre."""
    p = np.asarray(points, dtype=np.float64)
    counts = np.bincount(bins, minlength=n_bins).astype(np.float64)
    sums = np.stack([np.bincount(bins, weights=p[:, i], minlength=n_bins) for i in range(3)], 1)
    keep = counts > 0
    centroids = sums[keep] / counts[keep, None]
    return float(np.linalg.norm(np.diff(centroids, axis=0), axis=1).sum())


def bind_to_column(
    points: NDArray[np.floating],
    pelvis_tree: cKDTree,
    pelvis: str,
    levels: Sequence[tuple[str, NDArray[np.floating]]],
) -> Binding:
    """Bind a muscle of the front abdominal wall to the pelvis below and the lumbar column behind.

    Rectus abdominis arises from the pubis and inserts on the 5th-7th costal cartilages, which
    the atlas does not have: its upper end rides on the thorax, which the posture carries on
    T12 (as it carries the arms). In between it lies far from any bone, so contact alone would
    bind it to the pelvis only, and it would tilt with the pelvis without ever changing length.
    Here each lumbar level carries the wall in front of it: a station per vertebra at the
    height of its body on the muscle's axis (``levels``: bone id, centre, from the top down or
    any order), the pelvis over its contact at the bottom, smoothstep blends between (as
    :func:`bind_muscle`). A flattened lumbar curve then brings the ribs toward the pubis and the
    muscle shortens; a deeper curve lengthens it. The path runs from the pubic contact to the
    muscle's top end, carried by the highest level.
    """
    p = np.asarray(points, dtype=np.float64)
    axis = _principal_axis(p)
    if axis[2] < 0:  # fibre coordinate from the pubis (0) up to the ribs (1)
        axis = -axis
    s = p @ axis
    span = float(s.max() - s.min()) or 1.0
    t = (s - s.min()) / span
    d, _ = pelvis_tree.query(p, k=1)
    d = np.asarray(d, dtype=np.float64)
    near = d <= float(d.min()) + NEAR_BAND_MM
    stations = [(pelvis, float(np.quantile(t[near], 0.97)))]
    stations += sorted(
        (
            (bone, float((np.asarray(c, dtype=np.float64) @ axis - s.min()) / span))
            for bone, c in levels
        ),
        key=lambda x: x[1],
    )
    order = [b for b, _ in stations]
    knots = _spread(np.maximum.accumulate(np.asarray([k for _, k in stations])), order)
    idx = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(order) - 2)
    left, right = knots[idx], knots[idx + 1]
    f = np.clip((t - left) / np.maximum(right - left, 1e-9), 0.0, 1.0)
    f = f * f * (3.0 - 2.0 * f)
    weights = np.zeros((len(p), len(order)))
    rows = np.arange(len(p))
    weights[rows, idx] = 1.0 - f
    weights[rows, idx + 1] += f
    bottom = near & (t <= END_BAND)
    if bottom.sum() < 3:
        bottom = near
    top = t >= 1.0 - 0.03
    return Binding(
        bones=tuple(order),
        weights=weights,
        fibre=t,
        anchors=np.stack([p[bottom].mean(axis=0), p[top].mean(axis=0)]),
        anchor_fibre=(float(np.median(t[bottom])), float(np.median(t[top]))),
    )
