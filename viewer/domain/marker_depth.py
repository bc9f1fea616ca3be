"""Where a trigger-point X stands relative to what the camera sees: the rule, in plain Python.

A marker drawn over everything lies about depth: seen from behind, the psoas X's would sit on the
back and a patient would press the wrong side of the body. The render layer measures, along the
line of sight to each marker, how much opaque anatomy lies in front of it and where that line
enters and leaves the body (the skin); this module turns those measurements into one of three
classes and merges markers that land on the same spot of the screen. The same rule serves the
window, ``render``, lessons, exports and the patient handout, because all of them draw markers
through :class:`viewer.render.markers.MarkerLayer`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from viewer.domain.plate_labels import pair_key


class Depth(Enum):
    """How a marker relates to the camera's view of the anatomy."""

    VISIBLE = "visible"
    """Nothing opaque in front of it (its own muscle aside): drawn at full strength."""
    DEEP = "deep"
    """Covered by other opaque structures, but on the camera's half of the body: deep style."""
    FAR_SIDE = "far_side"
    """Covered, and nearer the far skin than the near skin: not drawn (it would mislead)."""


OCCLUDER_TOLERANCE_MM = 3.0
"""Opaque material thinner than this along the line of sight is a grazed edge, not a cover."""

FAR_SIDE_FRACTION = 0.5
"""A marker deeper than this fraction of the body's thickness along the line of sight is on
the far side: nearer the far skin than the near one, so it would be pressed from the other side
(the psoas seen from behind lies at about 0.6, the piriformis seen from the front at 0.55-0.6)."""


SKIN_COVER_OPACITY = 0.9
"""A skin drawn at least this opaque is the body as seen and hides what lies deep under it. A
see-through skin is the body's outline and hides nothing: the opening view's 0.25, patient
mode's 0.6 and the 0.8 a heat map raises it to, through which the muscles still read (the
story's psoas points stay bold on the opening view with their heat map)."""

DEEP_UNDER_SKIN_MM = 30.0
"""Under a skin that hides (see :data:`SKIN_COVER_OPACITY`), a point more than this far below
it is deep: the superficial muscles (gluteus maximus, tensor fasciae latae) lie within about
3 cm of the skin, the psoas seen from the front 8-12 cm behind the belly wall. The atlas has no
organs, so nothing else would cover the psoas there, and lesson step 10 drew bold X's on the
belly for points its step 9 calls deep."""


SOLID_OPACITY = 0.5
"""A muscle (or any soft structure) drawn at least this opaque hides a marker behind it; one
faded below it is context the view looks through (a pair view's grey muscles at 0.06-0.25).
The same threshold as picking's ghosts (``viewer.render.scene_renderer.GHOST_PICK_OPACITY``)."""


def hides_markers(is_bone: bool, opacity: float) -> bool:
    """Whether a shown structure drawn at ``opacity`` counts as cover for the markers behind it.

    Bone always does, however faintly a view draws it: a view ghosts bones (pair views draw
    them at 0.25-0.6) only so that the muscles behind stay in sight, and a point behind a
    transverse process or the ilium is behind bone all the same; a finger cannot reach it from
    this side. Before this rule a point's class followed how faintly a view happened to draw
    the bone: seen from behind, the iliacus and distal iliopsoas points (in front of the ilium)
    were plain X's on the back with the bones at 0.3 (pair 3 drew its vertebrae so) and far side
    with them at 0.55 or more. A soft structure hides only when drawn solid
    (:data:`SOLID_OPACITY`): a faded context muscle is looked through.
    """
    if opacity <= 0.0:
        return False
    return is_bone or opacity >= SOLID_OPACITY


def own_parts(muscle: str, parent: str | None, parent_leaves: Sequence[str]) -> set[str]:
    """The structures that never hide a marker of ``muscle``: the muscle itself and, when it is
    one part of a muscle meshed in parts (``psoas_major_lower_right`` of ``psoas_major_right``),
    the other parts of that muscle. A parent whose name the part does not carry is a group of
    different muscles (``iliopsoas_right`` holds iliacus and psoas) and its leaves do count.
    In pair 6 the lower psoas point was drawn "deep: behind other structures" behind 33 mm of
    the upper psoas, on a muscle drawn in one colour."""
    out = {muscle}
    if parent:
        stem = pair_key(parent)
        if stem and pair_key(muscle).startswith(stem + "_"):
            out.update(parent_leaves)
    return out


def hidden_by_skin(under_skin_mm: float | None, skin_opacity: float) -> bool:
    """True when a point lies more than :data:`DEEP_UNDER_SKIN_MM` under a skin drawn as the
    body (:data:`SKIN_COVER_OPACITY` or more), along the line of sight: the camera does not see
    it. One rule for the markers (a deep X) and the labels (a plate names only what is seen:
    the psoas under an opaque belly is not labelled as if in view)."""
    return (
        skin_opacity >= SKIN_COVER_OPACITY
        and under_skin_mm is not None
        and under_skin_mm > DEEP_UNDER_SKIN_MM
    )


@dataclass(frozen=True)
class MarkerSight:
    """Measurements along the line of sight from the camera to one marker (mm from the camera).

    ``cover_mm`` is the length of opaque structures (other than the marker's own muscle and the
    skin) between camera and marker. ``body_front``/``body_back`` are where that line enters the
    skin before the marker and leaves it after; ``None`` when the atlas has no skin there.
    """

    depth: float
    cover_mm: float
    body_front: float | None = None
    body_back: float | None = None
    body_shown: bool = True
    skin_opacity: float = 0.0
    """Opacity of the skin as drawn (the most opaque shown skin; 0 when none is shown)."""

    @property
    def under_skin_mm(self) -> float | None:
        """How far below the near skin the marker lies along the line of sight."""
        return None if self.body_front is None else self.depth - self.body_front

    @property
    def body_fraction(self) -> float | None:
        """How far through the body the marker lies along the line of sight (0 near, 1 far)."""
        if self.body_front is None or self.body_back is None:
            return None
        thickness = self.body_back - self.body_front
        if thickness <= 1e-6:
            return None
        return min(1.0, max(0.0, (self.depth - self.body_front) / thickness))


def classify(sight: MarkerSight) -> Depth:
    """Far side past :data:`FAR_SIDE_FRACTION` of the body; otherwise deep when covered.

    Covered: opaque cover on the line of sight (:func:`hides_markers` says what counts: bone
    however faint, other structures when solid; never the point's own muscle, see
    :func:`own_parts`).

    The far-side test comes first and does not need a cover: the atlas has no organs, so a
    gluteus maximus point seen from the front may have nothing modelled in front of it and yet
    lies behind the whole pelvis. Without a shown skin (isolated anatomy) an uncovered point is
    what the user looks at and stays visible; a covered one on the far half is still far side
    (the left psoas behind the spine in a right view without skin). A skin drawn nearly opaque
    covers what lies deeper than :data:`DEEP_UNDER_SKIN_MM` below it.
    """
    covered = sight.cover_mm >= OCCLUDER_TOLERANCE_MM
    covered = covered or hidden_by_skin(sight.under_skin_mm, sight.skin_opacity)
    fraction = sight.body_fraction
    if fraction is not None and fraction > FAR_SIDE_FRACTION and (sight.body_shown or covered):
        return Depth.FAR_SIDE
    return Depth.DEEP if covered else Depth.VISIBLE


def cover_length(hits: Sequence[float], depth: float) -> float:
    """Length of one closed surface in front of ``depth``, from its ray-hit distances.

    Hits pair up as entry/exit; an unpaired last entry means the marker lies inside that
    structure, so the cover runs up to the marker.
    """
    front = sorted(h for h in hits if h < depth)
    total = 0.0
    for i in range(0, len(front), 2):
        end = front[i + 1] if i + 1 < len(front) else depth
        total += end - front[i]
    return total


@dataclass(frozen=True)
class ScreenMarker:
    """A classified marker at its display position (pixels)."""

    id: str
    x: float
    y: float
    depth: Depth


@dataclass(frozen=True)
class MarkerGroup:
    """Markers drawn as one: the first id is drawn, ``count`` says how many it stands for."""

    ids: tuple[str, ...]
    x: float
    y: float
    depth: Depth

    @property
    def count(self) -> int:
        """How many markers this group stands for."""
        return len(self.ids)


def _touch(
    a: ScreenMarker, b: ScreenMarker, radius_px: float, box_px: tuple[float, float] | None
) -> bool:
    if math.hypot(a.x - b.x, a.y - b.y) <= radius_px:
        return True
    # Two boxes side by side that overlap print as one blot ("XX"), even when their centres
    # are farther apart than the radius.
    return box_px is not None and abs(a.x - b.x) < box_px[0] and abs(a.y - b.y) < box_px[1]


def merge_nearby(
    markers: Sequence[ScreenMarker],
    radius_px: float,
    box_px: tuple[float, float] | None = None,
) -> list[MarkerGroup]:
    """Group drawn markers whose screen positions lie within ``radius_px`` of each other, or
    (with ``box_px``, a marker box's width and height) whose boxes would overlap.

    Near-coincident X's blur into one unreadable blot ("XX"); one X with a count says the same
    honestly. A group takes the most visible class among its members (a visible point and a
    deep one on the same spot: the spot is where to press). Far-side markers are not drawn and
    so never merge. Greedy single linkage in input order, so the result is deterministic; the
    group's first id is its most visible member.
    """
    rank = {Depth.VISIBLE: 0, Depth.DEEP: 1, Depth.FAR_SIDE: 2}
    groups: list[list[ScreenMarker]] = []
    for m in markers:
        if m.depth is Depth.FAR_SIDE:
            continue
        home = None
        for g in groups:
            if any(_touch(m, o, radius_px, box_px) for o in g):
                home = g
                break
        if home is None:
            groups.append([m])
        else:
            home.append(m)
    out = []
    for g in groups:
        g = sorted(g, key=lambda m: rank[m.depth])  # stable: input order within a class
        out.append(
            MarkerGroup(
                tuple(m.id for m in g),
                sum(m.x for m in g) / len(g),
                sum(m.y for m in g) / len(g),
                g[0].depth,
            )
        )
    return out
