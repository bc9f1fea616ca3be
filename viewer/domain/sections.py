"""Clipping-plane sections (axial, sagittal, coronal, free) in the atlas frame, as data.

The atlas frame is LPS in millimetres (+x subject's left, +y posterior, +z superior) with the
origin at the midpoint of the two hip-joint centres, so the default planes through the origin are
meaningful on any rebuild: the axial plane through the hip joints, the mid-sagittal plane and the
coronal plane through the hip joints. A section keeps the half-space its normal points into
(``dot(p - origin, normal) >= 0``, VTK's clipping convention); ``offset`` slides the plane along
the preset's normal and ``flip`` keeps the other half. The renderer only needs
:attr:`Section.origin` and :attr:`Section.normal`. No Qt, no VTK.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

Vec3 = tuple[float, float, float]

FREE = "free"


@dataclass(frozen=True)
class SectionPreset:
    """A named plane orientation: ``normal`` points into the half that stays visible."""

    name: str
    title: str
    normal: Vec3
    description: str


SECTION_PRESETS: tuple[SectionPreset, ...] = (
    SectionPreset(
        "axial",
        "Axial (transverse)",
        (0.0, 0.0, -1.0),
        "Horizontal cut; keeps the part below, seen from above.",
    ),
    SectionPreset(
        "sagittal",
        "Sagittal",
        (-1.0, 0.0, 0.0),
        "Vertical front-to-back cut; keeps the subject's right half, seen from the left.",
    ),
    SectionPreset(
        "coronal",
        "Coronal (frontal)",
        (0.0, 1.0, 0.0),
        "Vertical side-to-side cut; keeps the back half, seen from the front.",
    ),
)
"""The standard anatomical planes, in the order a menu lists them."""


def preset_by_name(name: str) -> SectionPreset:
    """A standard plane by name; the error lists the valid names."""
    for p in SECTION_PRESETS:
        if p.name == name:
            return p
    names = ", ".join(p.name for p in SECTION_PRESETS)
    raise KeyError(f"no section preset {name!r}; choose one of: {names}")


def _point(v: Sequence[float]) -> Vec3:
    if len(v) != 3:
        raise ValueError(f"a point needs three coordinates, not {tuple(v)!r}")
    return (float(v[0]), float(v[1]), float(v[2]))


def _unit(v: Sequence[float]) -> Vec3:
    x, y, z = (float(c) for c in v)
    n = math.sqrt(x * x + y * y + z * z)
    if not math.isfinite(n) or n < 1e-12:
        raise ValueError(f"a section normal must be a non-zero finite vector, not {tuple(v)!r}")
    if abs(n - 1.0) < 1e-12:  # already unit: keep it bit-exact (saved scenes round-trip)
        return (x, y, z)
    return (x / n, y / n, z / n)


@dataclass(frozen=True)
class Section:
    """One clipping plane: ``base`` point and ``base_normal`` (unit) before offset and flip."""

    kind: str
    base: Vec3
    base_normal: Vec3
    offset: float = 0.0
    flip: bool = False

    @property
    def origin(self) -> Vec3:
        """A point on the plane: ``base + offset * base_normal`` (mm, atlas frame)."""
        b, n, d = self.base, self.base_normal, self.offset
        return (b[0] + d * n[0], b[1] + d * n[1], b[2] + d * n[2])

    @property
    def normal(self) -> Vec3:
        """Unit normal pointing into the kept half (reversed when ``flip``)."""
        n = self.base_normal
        return (-n[0], -n[1], -n[2]) if self.flip else n

    def with_offset(self, offset: float) -> Section:
        """The same plane slid to ``offset`` mm along the preset normal (slider value)."""
        return replace(self, offset=float(offset))

    def flipped(self) -> Section:
        """The same plane keeping the other half."""
        return replace(self, flip=not self.flip)

    def signed_distance(self, points: NDArray[Any]) -> NDArray[np.float64]:
        """Distance (mm) of each point from the plane, positive on the kept side."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        distance: NDArray[np.float64] = (p - np.asarray(self.origin)) @ np.asarray(self.normal)
        return distance

    def keeps(self, points: NDArray[Any]) -> NDArray[np.bool_]:
        """Which points stay visible (on the plane counts as kept)."""
        return self.signed_distance(points) >= 0.0

    def offset_range(self, bounds: Sequence[float]) -> tuple[float, float]:
        """Offsets that sweep the plane across ``bounds`` (xmin, xmax, ymin, ymax, zmin, zmax),
        for a slider: every corner of the box lies between the two extreme planes."""
        xs, ys, zs = bounds[0:2], bounds[2:4], bounds[4:6]
        corners = np.array([(x, y, z) for x in xs for y in ys for z in zs], dtype=np.float64)
        along = (corners - np.asarray(self.base)) @ np.asarray(self.base_normal)
        return (float(along.min()), float(along.max()))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for saved scenes and lessons."""
        return {
            "kind": self.kind,
            "origin": list(self.base),
            "normal": list(self.base_normal),
            "offset": self.offset,
            "flip": self.flip,
        }


def section(
    name: str, origin: Sequence[float] = (0.0, 0.0, 0.0), offset: float = 0.0, flip: bool = False
) -> Section:
    """A standard plane (``axial``, ``sagittal``, ``coronal``) through ``origin`` (default: the
    atlas origin, the midpoint of the hip-joint centres)."""
    p = preset_by_name(name)
    return Section(p.name, _point(origin), p.normal, float(offset), bool(flip))


def free_section(
    origin: Sequence[float], normal: Sequence[float], offset: float = 0.0, flip: bool = False
) -> Section:
    """An arbitrary plane through ``origin`` keeping the side ``normal`` points to."""
    return Section(FREE, _point(origin), _unit(normal), float(offset), bool(flip))


def section_from_dict(data: Mapping[str, Any]) -> Section:
    """Inverse of :meth:`Section.to_dict`; presets keep their standard normal."""
    kind = str(data.get("kind", FREE))
    origin = data.get("origin", (0.0, 0.0, 0.0))
    offset = float(data.get("offset", 0.0))
    flip = bool(data.get("flip", False))
    if kind == FREE:
        return free_section(origin, data["normal"], offset, flip)
    return section(kind, origin, offset, flip)
