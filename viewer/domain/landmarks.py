"""Anchors: atlas positions described by anatomy, resolved against the current atlas geometry.

Annotations never store raw coordinates. A trigger point or a skin landmark names bony landmarks
(``meshes/landmarks.json``) and structures (bone and muscle meshes) and says how to combine them:
"the named landmark", "the most inferior point of the femur", "40 % of the way from A to B". The
position is computed at load time, so it follows the anatomy when the atlas is rebuilt.

Skin landmarks project such anchors onto the skin along a direction (the way a clinician's finger
finds a bony point under the skin) and keep the skin vertices they land on; referral zones and
heat maps are built from those vertices.

Directions are words in the subject's frame (``posterior``, ``lateral``, ``inferior+lateral``)
so that one table serves both sides: ``lateral`` is -x on the right and +x on the left.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from viewer.domain.structures import Side

Vec3 = tuple[float, float, float]

ZERO: Vec3 = (0.0, 0.0, 0.0)

#: atlas-frame unit vectors (LPS: +x left, +y posterior, +z superior) of the side-free words
_FIXED_DIRECTIONS: dict[str, Vec3] = {
    "anterior": (0.0, -1.0, 0.0),
    "posterior": (0.0, 1.0, 0.0),
    "superior": (0.0, 0.0, 1.0),
    "inferior": (0.0, 0.0, -1.0),
    "left": (1.0, 0.0, 0.0),
    "right": (-1.0, 0.0, 0.0),
}
#: words whose meaning depends on the body side (sign of x for the right side)
_SIDED_DIRECTIONS: dict[str, float] = {"lateral": -1.0, "medial": 1.0}

DIRECTION_WORDS: tuple[str, ...] = (*_FIXED_DIRECTIONS, *_SIDED_DIRECTIONS)
"""Every word a direction may be built from (joined with ``+``)."""


class AnchorError(ValueError):
    """An anchor cannot be resolved; ``field`` names the part of the definition at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class SurfaceLike(Protocol):
    """A triangle surface: points (n, 3), triangles (m, 3); ``viewer.io.meshes.MeshArrays`` fits."""

    @property
    def points(self) -> NDArray[np.float32]: ...

    @property
    def triangles(self) -> NDArray[np.int64]: ...


@dataclass(frozen=True)
class Geometry:
    """What anchors are resolved against.

    Attributes
    ----------
    landmarks : name -> (3,) atlas-frame position of the named bony landmarks
    surfaces : structure id -> surface (bones and muscles)
    """

    landmarks: Mapping[str, NDArray[np.float64]]
    surfaces: Mapping[str, SurfaceLike]


# -- anchors -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LandmarkAnchor:
    """A named bony landmark of ``landmarks.json``, optionally shifted by ``offset`` (mm)."""

    landmark: str
    offset: Vec3 = ZERO


@dataclass(frozen=True)
class ExtremeAnchor:
    """The vertex of a structure's mesh that lies furthest in ``direction``.

    Used where no named landmark exists (the knee end of the femur, the top of quadratus lumborum
    at the 12th rib).
    """

    structure: str
    direction: str
    offset: Vec3 = ZERO


@dataclass(frozen=True)
class BetweenAnchor:
    """The point at fraction ``t`` from ``start`` (0) to ``end`` (1); ``t`` may extrapolate."""

    start: Anchor
    end: Anchor
    t: float
    offset: Vec3 = ZERO


Anchor = LandmarkAnchor | ExtremeAnchor | BetweenAnchor


def direction_vector(spec: str, side: Side) -> NDArray[np.float64]:
    """Unit vector of a direction phrase like ``posterior+lateral`` for a body side.

    ``lateral``/``medial`` need a left or right side; on the midline they are an error.
    """
    total = np.zeros(3)
    words = [w.strip() for w in spec.split("+") if w.strip()]
    if not words:
        raise AnchorError(f"empty direction {spec!r}", "direction")
    for word in words:
        if word in _FIXED_DIRECTIONS:
            total += np.array(_FIXED_DIRECTIONS[word])
        elif word in _SIDED_DIRECTIONS:
            if side is Side.MIDLINE:
                raise AnchorError(f"{word!r} has no meaning on the midline", "direction")
            sign = _SIDED_DIRECTIONS[word] * (1.0 if side is Side.RIGHT else -1.0)
            total += np.array((sign, 0.0, 0.0))
        else:
            raise AnchorError(
                f"unknown direction word {word!r} (use {', '.join(DIRECTION_WORDS)})", "direction"
            )
    norm = float(np.linalg.norm(total))
    if norm < 1e-9:
        raise AnchorError(f"direction {spec!r} cancels out", "direction")
    return total / norm


def resolve_anchor(anchor: Anchor, geometry: Geometry, side: Side) -> NDArray[np.float64]:
    """Atlas-frame position (3,) of an anchor; :class:`AnchorError` names what is missing."""
    if isinstance(anchor, LandmarkAnchor):
        try:
            base = np.asarray(geometry.landmarks[anchor.landmark], dtype=np.float64)
        except KeyError:
            raise AnchorError(f"unknown bony landmark {anchor.landmark!r}", "landmark") from None
    elif isinstance(anchor, ExtremeAnchor):
        surface = geometry.surfaces.get(anchor.structure)
        if surface is None:
            raise AnchorError(
                f"structure {anchor.structure!r} has no mesh in this atlas", "extreme_of"
            )
        pts = np.asarray(surface.points, dtype=np.float64)
        d = direction_vector(anchor.direction, side)
        base = pts[int(np.argmax(pts @ d))]
    else:
        a = resolve_anchor(anchor.start, geometry, side)
        b = resolve_anchor(anchor.end, geometry, side)
        base = a + anchor.t * (b - a)
    return np.asarray(base + np.asarray(anchor.offset, dtype=np.float64), dtype=np.float64)


def anchor_references(anchor: Anchor) -> tuple[tuple[str, str], ...]:
    """Every (kind, name) an anchor depends on: ``("landmark", n)`` or ``("structure", id)``."""
    if isinstance(anchor, LandmarkAnchor):
        return (("landmark", anchor.landmark),)
    if isinstance(anchor, ExtremeAnchor):
        return (("structure", anchor.structure),)
    return anchor_references(anchor.start) + anchor_references(anchor.end)


# -- mirroring ---------------------------------------------------------------------------------
def mirror_name(name: str) -> str:
    """Swap a ``_right``/``_left`` suffix (midline names are returned unchanged)."""
    if name.endswith("_right"):
        return name[: -len("_right")] + "_left"
    if name.endswith("_left"):
        return name[: -len("_left")] + "_right"
    return name


def mirror_side(side: Side) -> Side:
    """The other body side (midline stays midline)."""
    return {Side.RIGHT: Side.LEFT, Side.LEFT: Side.RIGHT}.get(side, side)


def _mirror_vec(v: Vec3) -> Vec3:
    return (-v[0], v[1], v[2])


def mirror_direction(spec: str) -> str:
    """Swap the absolute words ``left``/``right``; side-relative words stay (resolved per side)."""
    swap = {"left": "right", "right": "left"}
    return "+".join(swap.get(w.strip(), w.strip()) for w in spec.split("+"))


def mirror_anchor(anchor: Anchor) -> Anchor:
    """The same anchor on the other side: names swapped, x of offsets negated.

    Side-relative words (lateral, medial) need no change: they are resolved with the new side.
    """
    if isinstance(anchor, LandmarkAnchor):
        return LandmarkAnchor(mirror_name(anchor.landmark), _mirror_vec(anchor.offset))
    if isinstance(anchor, ExtremeAnchor):
        return ExtremeAnchor(
            mirror_name(anchor.structure),
            mirror_direction(anchor.direction),
            _mirror_vec(anchor.offset),
        )
    return BetweenAnchor(
        mirror_anchor(anchor.start),
        mirror_anchor(anchor.end),
        anchor.t,
        _mirror_vec(anchor.offset),
    )


# -- skin landmarks ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SkinLandmarkDef:
    """A named patch of skin, defined from anatomy (not coordinates).

    ``anchors`` holds one anchor for a spot or two or more for a strip (a polyline through the
    body); each is projected onto the skin along ``direction``. The zone is the skin within
    ``radius_mm`` (geodesic) of the projected points, fading to nothing over ``falloff_mm``.
    """

    id: str
    name: str
    description: str
    side: Side
    anchors: tuple[Anchor, ...]
    direction: str
    radius_mm: float
    falloff_mm: float = 25.0

    @property
    def is_strip(self) -> bool:
        """True for a polyline (several anchors), False for a spot."""
        return len(self.anchors) > 1


def mirror_skin_landmark(definition: SkinLandmarkDef) -> SkinLandmarkDef:
    """The same skin landmark on the other side of the body."""
    return replace(
        definition,
        id=mirror_name(definition.id),
        side=mirror_side(definition.side),
        anchors=tuple(mirror_anchor(a) for a in definition.anchors),
        direction=mirror_direction(definition.direction),
    )


@dataclass(frozen=True, eq=False)
class SkinLandmark:
    """A skin landmark resolved on one skin mesh.

    Attributes
    ----------
    definition : what it was resolved from
    points : (k, 3) float64 points on the skin (the projected anchors / strip samples)
    seeds : (s,) int64 skin vertex indices the geodesic distance is measured from
    """

    definition: SkinLandmarkDef
    points: NDArray[np.float64]
    seeds: NDArray[np.int64]

    @property
    def id(self) -> str:
        """Stable id (``greater_trochanter_right``)."""
        return self.definition.id

    @property
    def centre(self) -> NDArray[np.float64]:
        """A representative point on the skin (middle of the strip), for labels."""
        return np.asarray(self.points[len(self.points) // 2], dtype=np.float64)


STRIP_STEP_MM = 6.0
"""Spacing of the samples along a strip before projection."""


class RayCaster:
    """Where rays meet a triangle surface (Moller-Trumbore on the triangles near the ray).

    Built once per skin: a search tree over triangle centres finds the triangles near a ray
    segment (``reach`` mm each way from its origin); only those are intersected exactly.
    """

    def __init__(
        self,
        points: NDArray[np.floating],
        triangles: NDArray[np.integer],
        reach: float = 400.0,
        known: Mapping[tuple[float, ...], int] | None = None,
    ) -> None:
        self.points = np.asarray(points, dtype=np.float64)
        self.triangles = np.asarray(triangles, dtype=np.int64)
        self.reach = reach
        self.memo: dict[tuple[float, ...], int] = dict(known or {})
        """Results of earlier casts, keyed by :meth:`key` (lets a cache skip the ray casting)."""
        self._tree: Any = None

    def _prepare(self) -> None:
        from scipy.spatial import cKDTree

        corners = self.points[self.triangles]
        self.centres = corners.mean(axis=1)
        self.radius2 = ((corners - self.centres[:, None, :]) ** 2).sum(axis=2).max(axis=1)
        self._rmax = float(np.sqrt(self.radius2.max())) if len(self.radius2) else 0.0
        self._tree = cKDTree(self.centres, balanced_tree=False) if len(self.centres) else False

    @staticmethod
    def key(origin: NDArray[np.float64], direction: NDArray[np.float64]) -> tuple[float, ...]:
        """Memo key of a ray (rounded to 1 µm / 1e-6 so that recomputed anchors match)."""
        return tuple(float(v) for v in np.round(np.concatenate([origin, direction]), 6))

    def hits(
        self, origin: NDArray[np.float64], direction: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Signed distances along the ray and triangle indices of every crossing within reach."""
        if self._tree is None:
            self._prepare()
        if self._tree is False:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        step = max(self._rmax, 1.0)
        ts = np.arange(-self.reach, self.reach + step, step)
        probes = origin + ts[:, None] * direction
        groups = self._tree.query_ball_point(probes, r=step * 0.75 + self._rmax)
        near = np.unique(np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]))
        if near.size == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        rel = self.centres[near] - origin
        along = rel @ direction
        perp2 = np.einsum("ij,ij->i", rel, rel) - along * along
        cand = near[perp2 <= self.radius2[near] * 1.0001 + 1e-9]
        if cand.size == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        tri = self.points[self.triangles[cand]]
        e1 = tri[:, 1] - tri[:, 0]
        e2 = tri[:, 2] - tri[:, 0]
        h = np.cross(direction, e2)
        det = np.einsum("ij,ij->i", e1, h)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        svec = origin - tri[:, 0]
        u = inv * np.einsum("ij,ij->i", svec, h)
        q = np.cross(svec, e1)
        v = inv * (q @ direction)
        t = inv * np.einsum("ij,ij->i", e2, q)
        eps = 1e-9
        inside = ok & (u >= -eps) & (v >= -eps) & (u + v <= 1 + eps)
        return t[inside], cand[inside]

    def cast(self, origin: NDArray[np.float64], direction: NDArray[np.float64]) -> int:
        """Vertex where a ray from ``origin`` along ``direction`` leaves (or meets) the surface.

        The first crossing ahead of the origin is the exit point when the origin is inside the
        body (the usual case: anchors sit on bones). When nothing lies ahead (the origin is
        outside the skin) the crossing just behind it is used; when the line misses the surface,
        the vertex nearest the origin. The vertex returned is the hit triangle's corner nearest
        the crossing.
        """
        key = self.key(origin, direction)
        if key in self.memo:
            return self.memo[key]
        vertex = self._cast(origin, direction)
        self.memo[key] = vertex
        return vertex

    def _cast(self, origin: NDArray[np.float64], direction: NDArray[np.float64]) -> int:
        t, tri = self.hits(origin, direction)
        if t.size:
            ahead = t >= 0.0
            i = int(np.argmin(np.where(ahead, t, np.inf))) if ahead.any() else int(np.argmax(t))
            point = origin + t[i] * direction
            corners = self.triangles[tri[i]]
            d2 = ((self.points[corners] - point) ** 2).sum(axis=1)
            return int(corners[int(np.argmin(d2))])
        rel = self.points - origin
        return int(np.argmin(np.einsum("ij,ij->i", rel, rel)))


def _polyline_samples(nodes: Sequence[NDArray[np.float64]], step: float) -> NDArray[np.float64]:
    out: list[NDArray[np.float64]] = [nodes[0]]
    for a, b in itertools.pairwise(nodes):
        n = max(1, int(np.ceil(np.linalg.norm(b - a) / step)))
        for i in range(1, n + 1):
            out.append(a + (b - a) * (i / n))
    return np.asarray(out)


def resolve_skin_landmark(
    definition: SkinLandmarkDef,
    geometry: Geometry,
    skin: SurfaceLike | RayCaster,
) -> SkinLandmark:
    """Project a skin landmark's anchors onto the skin; :class:`AnchorError` when impossible.

    Pass a :class:`RayCaster` of the skin when resolving many landmarks (it is built once).
    """
    caster = skin if isinstance(skin, RayCaster) else RayCaster(skin.points, skin.triangles)
    pts = caster.points
    d = direction_vector(definition.direction, definition.side)
    nodes = []
    for i, anchor in enumerate(definition.anchors):
        try:
            nodes.append(resolve_anchor(anchor, geometry, definition.side))
        except AnchorError as exc:
            raise AnchorError(str(exc), f"anchors[{i}].{exc.field}") from None
    samples = _polyline_samples(nodes, STRIP_STEP_MM) if len(nodes) > 1 else np.asarray(nodes)
    hits = np.array([caster.cast(s, d) for s in samples], dtype=np.int64)
    return SkinLandmark(definition, pts[hits], np.unique(hits))
