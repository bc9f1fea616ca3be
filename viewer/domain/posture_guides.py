"""Teaching references for posture pictures, in pure math: tilt line, lumbar curve, plumb, chair.

A side view of standing, anterior tilt and posterior tilt looks much the same to a class: the
pelvis turns by 10-12 degrees and nothing in the picture measures it. A physiotherapy lecturer
draws what the clinic measures (Herrington 2011, J Orthop Sports Phys Ther 41(2):86-94, the
palpation-meter method): the line from the ASIS to the PSIS and its angle to the horizontal
(ASIS below PSIS = anterior tilt; about 11-13 degrees in standing adults), a vertical plumb line,
and the lumbar curve through the vertebral bodies with its lordosis. This module computes those
lines for a :class:`~viewer.domain.pose.Pose` from the atlas's bony landmarks and the pose's bone
transforms; :mod:`viewer.render.posture_guides` draws them.

It also places a neutral chair seat under the ischial tuberosities of a sitting pose, and picks
the points a posture side view frames (T12 to the proximal femurs), so the pelvis and lumbar
spine fill the picture instead of a strip of it.

Atlas frame LPS, millimetres: +x left, +y posterior, +z superior.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from viewer.domain.pose import LORDOSIS_SHARES, SIDES, Matrix, Pose

STANDING_LORDOSIS_DEG = 50.0
"""L1-S1 Cobb angle of the atlas standing (set by the disc wedges of the build's ``spine.py``
and measured by the build: the pose table of ``docs/ATLAS_CONTRACT.md``; adults 50.5 +- 11.4)."""

SPINE_LANDMARKS: tuple[tuple[str, str], ...] = (
    ("vertebral_body_t12", "vertebra_t12"),
    ("vertebral_body_l1", "vertebra_l1"),
    ("vertebral_body_l2", "vertebra_l2"),
    ("vertebral_body_l3", "vertebra_l3"),
    ("vertebral_body_l4", "vertebra_l4"),
    ("vertebral_body_l5", "vertebra_l5"),
    ("s1_endplate_centre", "sacrum"),
)
"""The lumbar curve's stations from the top down (landmark, the bone that carries it)."""

COMPRESSED_FROM = 4
"""Index in :data:`SPINE_LANDMARKS` where the lumbosacral stretch (L4-S1) begins."""

FACET_SHARE = 0.5
"""Where the facet joints lie on the way from a lumbar body's centre to its spinous process tip:
about half-way (body centre to the back of the body ~17 mm, pedicles ~20 mm, spinous process
tip ~85-95 mm behind the body centre). A deepened lumbar curve loads the back of the motion
segments (facet joints and the posterior annulus), so the compressed stretch is drawn there,
not through the vertebral bodies."""

FRAME_BONES: tuple[str, ...] = (
    "vertebra_t12",
    "vertebra_l1",
    "vertebra_l2",
    "vertebra_l3",
    "vertebra_l4",
    "vertebra_l5",
    "sacrum",
    "hip_bone_right",
    "hip_bone_left",
)
"""What a posture side view frames (with the femurs' proximal ends)."""

FEMUR_REACH_MM = 110.0
"""Femur points this close to their hip centre are framed: head, neck, trochanters and the top
of the shaft, enough to read the hip angle without the knee setting the scale."""

SEAT_SOFT_TISSUE_MM = 12.0
"""Seat top below the ischial tuberosities: the loaded soft tissue under
the tuberosity in sitting is about 1-2 cm (upright MRI, Linder-Ganz et al. 2007, J Biomech
40:1443-1454); a teaching value."""

SEAT_THICKNESS_MM = 45.0
SEAT_DEPTH_MM = 420.0
"""Seat depth front to back (office chairs: about 400-450 mm)."""
SEAT_BACK_MM = 90.0
"""How far the seat reaches behind the ischial tuberosities (under the buttocks)."""
SEAT_SIDE_MM = 60.0
"""Seat margin beyond the outer edge of the hips on each side."""


@dataclass(frozen=True)
class PostureGuides:
    """The reference lines of one pose (atlas millimetres, posed).

    ``asis``/``psis`` are the midpoints of the two sides' landmarks (both project to the same
    place in a side view); ``tilt_deg`` is the ASIS-PSIS line's angle to the horizontal, positive
    when the ASIS lies lower (anterior tilt); ``curve`` runs through the vertebral body centres
    T12-L5 to the S1 endplate centre; ``lordosis_deg`` is the L1-S1 Cobb angle; ``plumb`` the two
    ends of a vertical line through the hip axis; ``compressed`` flags the L4-S1 stretch;
    ``facets`` runs L4-S1 through the facet joints, where a deepened curve loads the spine.
    """

    asis: NDArray[np.float64]
    psis: NDArray[np.float64]
    tilt_deg: float
    curve: NDArray[np.float64]
    lordosis_deg: float
    plumb: NDArray[np.float64]
    compressed: bool
    facets: NDArray[np.float64] | None = None

    @property
    def lordosis_line(self) -> NDArray[np.float64]:
        """The drawn lumbar curve: L1's body to the S1 endplate, the stretch the lordosis is
        measured over and whose ends are marked. Drawn from T12 (``curve[0]``), the line ran on
        past its L1 dot and a lecturer could not tell where the measured curve ended."""
        return self.curve[1:]


def standing_reference(standing: PostureGuides, posed: PostureGuides) -> NDArray[np.float64]:
    """The standing L1-S1 curve moved (not turned) so that its S1 lies on the posed S1.

    Drawn where it stood, the standing curve of a seated pose lay some 4-5 cm in front of the
    seated spine (the pelvis rolls back about the hip axis and carries the spine with it): over
    the iliopsoas, a spine inside the abdomen. Started from the same S1 endplate it lies along
    the real column, and what differs is what the picture is about, the curve's depth (the
    lordosis), not where the pelvis put the spine; the tilt line and the pelvis outline show
    that."""
    line = standing.lordosis_line
    shifted: NDArray[np.float64] = line + (posed.curve[-1] - standing.curve[-1])
    return shifted


@dataclass(frozen=True)
class GuideMark:
    """A bony point a guide line joins, marked on the picture with a dot and a short name.

    A lecturer could not tell what the ASIS-PSIS and lordosis lines join in a side view without
    skin: they ran over muscle, ending nowhere. ``line`` names the guide the mark belongs to
    (``"tilt"`` or ``"curve"``); ``outward`` is the side its name goes first (+1 anterior,
    -1 posterior), away from the rest of its line.
    """

    key: str
    label: str
    point: NDArray[np.float64]
    line: str
    outward: float


def guide_marks(guides: PostureGuides) -> tuple[GuideMark, ...]:
    """The ASIS and PSIS (the tilt line's two ends) and L1 and S1 (the lordosis's two ends,
    the vertebral body of L1 and the centre of the S1 endplate, between which the Cobb angle
    is taken)."""
    return (
        GuideMark("asis", "ASIS", guides.asis, "tilt", 1.0),
        GuideMark("psis", "PSIS", guides.psis, "tilt", -1.0),
        GuideMark("l1", "L1", guides.curve[1], "curve", -1.0),
        GuideMark("s1", "S1", guides.curve[-1], "curve", -1.0),
    )


def _posed(
    landmarks: Mapping[str, NDArray[np.floating]],
    name: str,
    bone: str,
    transforms: Mapping[str, Matrix],
) -> NDArray[np.float64]:
    p = np.asarray(landmarks[name], dtype=np.float64)
    m = transforms.get(bone)
    if m is None:
        return p
    out: NDArray[np.float64] = m[:3, :3] @ p + m[:3, 3]
    return out


def required_landmarks() -> tuple[str, ...]:
    """Landmark names the guides need (an atlas without them draws no guides)."""
    names = [n for n, _ in SPINE_LANDMARKS]
    names += [f"{k}_{s}" for k in ("asis", "psis", "hip_centre") for s in SIDES]
    return tuple(names)


def tilt_angle(asis: NDArray[np.floating], psis: NDArray[np.floating]) -> float:
    """The ASIS-PSIS line's angle to the horizontal in the sagittal plane, degrees; positive when
    the ASIS lies below the PSIS (the pelvis tipped forward)."""
    forward = abs(float(psis[1] - asis[1]))
    drop = float(psis[2] - asis[2])
    return math.degrees(math.atan2(drop, forward))


def lordosis_angle(pose: Pose) -> float:
    """L1-S1 lordosis of ``pose``: the standing Cobb angle plus the change the pose puts on the
    L1-L2 ... L5-S1 segments (the T12-L1 share lies above L1)."""
    share = sum(s for upper, _, s in LORDOSIS_SHARES if upper != "vertebra_t12")
    return STANDING_LORDOSIS_DEG + share * pose.lordosis


def guides_for(
    landmarks: Mapping[str, NDArray[np.floating]],
    transforms: Mapping[str, Matrix],
    pose: Pose,
) -> PostureGuides:
    """The reference lines of ``pose`` (``transforms``: the pose's bone transforms).

    Raises ``KeyError`` naming the first missing landmark.
    """
    for name in required_landmarks():
        if name not in landmarks:
            raise KeyError(f"landmarks.json lacks {name!r} for the posture guides")

    def mid(kind: str) -> NDArray[np.float64]:
        pts = [_posed(landmarks, f"{kind}_{s}", f"hip_bone_{s}", transforms) for s in SIDES]
        return 0.5 * (pts[0] + pts[1])

    asis, psis = mid("asis"), mid("psis")
    curve = np.array([_posed(landmarks, n, b, transforms) for n, b in SPINE_LANDMARKS])
    hips = [np.asarray(landmarks[f"hip_centre_{s}"], dtype=np.float64) for s in SIDES]
    axis = 0.5 * (hips[0] + hips[1])
    top = float(curve[:, 2].max()) + 60.0
    bottom = float(axis[2]) - FEMUR_REACH_MM - 40.0
    plumb = np.array([[axis[0], axis[1], bottom], [axis[0], axis[1], top]])
    from viewer.domain.balance import lumbosacral_compressed

    return PostureGuides(
        asis=asis,
        psis=psis,
        tilt_deg=tilt_angle(asis, psis),
        curve=curve,
        lordosis_deg=lordosis_angle(pose),
        plumb=plumb,
        compressed=lumbosacral_compressed(pose),
        facets=_facet_line(landmarks, transforms),
    )


def _facet_line(
    landmarks: Mapping[str, NDArray[np.floating]], transforms: Mapping[str, Matrix]
) -> NDArray[np.float64] | None:
    """L4, L5 and S1 moved back by :data:`FACET_SHARE` of the way to their spinous processes
    (S1, whose spinous tubercle is no landmark, by L5's); ``None`` without those landmarks."""
    points = []
    offset: NDArray[np.float64] | None = None
    for name, bone in SPINE_LANDMARKS[COMPRESSED_FROM:]:
        body = _posed(landmarks, name, bone, transforms)
        spinous = "spinous_process_" + name.removeprefix("vertebral_body_")
        if name.startswith("vertebral_body_") and spinous in landmarks:
            offset = FACET_SHARE * (_posed(landmarks, spinous, bone, transforms) - body)
        if offset is None:
            return None
        points.append(body + offset)
    return np.array(points)


def _deg(value: float) -> str:
    """Whole degrees with a true minus sign (``−2°``) and no ``−0°``."""
    text = f"{value:.0f}"
    return ("0" if text == "-0" else text.replace("-", "−")) + "°"


def tilt_label(guides: PostureGuides, standing: PostureGuides | None) -> str:
    """``ASIS–PSIS 24° to horizontal (standing 12°)``: the line's angle, with the standing one
    for comparison when the pose differs."""
    text = f"ASIS–PSIS {_deg(guides.tilt_deg)} to horizontal"
    if standing is not None and abs(standing.tilt_deg - guides.tilt_deg) >= 0.5:
        text += f" (standing {_deg(standing.tilt_deg)})"
    return text


def lordosis_label(guides: PostureGuides, standing: PostureGuides | None) -> str:
    """``Lordosis L1–S1 62° (standing 50°)``."""
    text = f"Lordosis L1–S1 {_deg(guides.lordosis_deg)}"
    if standing is not None and abs(standing.lordosis_deg - guides.lordosis_deg) >= 0.5:
        text += f" (standing {_deg(standing.lordosis_deg)})"
    return text


# -- framing -------------------------------------------------------------------------------------
def frame_points(
    bones: Mapping[str, NDArray[np.floating]],
    hip_centres: Mapping[str, NDArray[np.floating]],
    reach_mm: float = FEMUR_REACH_MM,
) -> NDArray[np.float64]:
    """The points a posture side view fits: the pelvis and lumbar spine (T12 to the sacrum,
    :data:`FRAME_BONES`) and each femur's points within ``reach_mm`` of its hip centre.

    ``bones`` holds posed vertices by bone id (missing bones are skipped); the hip centres do
    not move with the pose (the pelvis turns about them). Raises ``ValueError`` when no point
    is left.
    """
    chunks = [
        np.asarray(bones[b], dtype=np.float64).reshape(-1, 3) for b in FRAME_BONES if b in bones
    ]
    for side in SIDES:
        femur = bones.get(f"femur_{side}")
        centre = hip_centres.get(side)
        if femur is None or centre is None:
            continue
        pts = np.asarray(femur, dtype=np.float64).reshape(-1, 3)
        near = np.linalg.norm(pts - np.asarray(centre, dtype=np.float64), axis=1) <= reach_mm
        chunks.append(pts[near])
    chunks = [c for c in chunks if len(c)]
    if not chunks:
        raise ValueError("none of the pelvis, lumbar spine or femurs is shown to frame")
    return np.concatenate(chunks)


TRUNK_SEGMENTS: tuple[str, ...] = ("thorax_lower", "thorax_upper")
"""The skin's trunk segments above T12 that carry the upper back's rounding (docs/POSTURE.md)."""

TRUNK_CARRIED_MIN = 0.5
"""A skin vertex belongs to the upper trunk when these segments carry at least this share of it
(the arms, carried by ``arm_*``, and the waist, mostly by the lumbar vertebrae, do not)."""


def frames_trunk(pose: Pose) -> bool:
    """Whether a side view of ``pose`` frames the upper trunk with the pelvis and lumbar spine:
    a seated pose with the upper back rounded. Framed on T12 to the femurs, slumped sitting's
    20 degrees of upper-back rounding (the caption's "upper back rounded 20°", what reads as
    slumped, docs/POSTURE.md) lay above the picture, and a lecturer saw a lumbar spine only."""
    return is_sitting(pose) and pose.thoracic_flexion > 0.0


def trunk_frame_points(
    posed: NDArray[np.floating],
    standing: NDArray[np.floating],
    bones: tuple[str, ...],
    weights: NDArray[np.floating],
    top_z: float,
) -> NDArray[np.float64]:
    """The posed skin vertices of the upper trunk, up to the shoulders: those the
    :data:`TRUNK_SEGMENTS` carry (:data:`TRUNK_CARRIED_MIN`) that stand no higher than
    ``top_z`` (the shoulder joints' height standing: the back's curve, not the neck and head).
    ``posed``/``standing`` are the same vertices (n, 3), ``weights`` (n, len(bones)) the skin's
    binding. Empty (0, 3) when the skin has no trunk segments."""
    cols = [bones.index(b) for b in TRUNK_SEGMENTS if b in bones]
    p = np.asarray(posed, dtype=np.float64).reshape(-1, 3)
    if not cols:
        return np.zeros((0, 3))
    carried = np.asarray(weights, dtype=np.float64)[:, cols].sum(axis=1)
    keep = (carried >= TRUNK_CARRIED_MIN) & (np.asarray(standing)[:, 2] <= top_z)
    out: NDArray[np.float64] = p[keep]
    return out


# -- chair ---------------------------------------------------------------------------------------
def is_sitting(pose: Pose) -> bool:
    """A seated pose: the thighs at least 60 degrees from the vertical on both sides (hip
    flexion on the pelvis less the pelvic tilt: a pelvis rolled back carries the thighs up) with
    the knees bent."""
    thighs = [pose.hip(s).flexion - pose.pelvic_tilt for s in SIDES]
    return min(thighs) >= 60.0 and min(pose.knee(s) for s in SIDES) >= 45.0


@dataclass(frozen=True)
class Chair:
    """A plain seat: a box (``seat_min``, ``seat_max`` corners) and, when the floor is known,
    four legs down to it (each a box given by its two corners)."""

    seat_min: NDArray[np.float64]
    seat_max: NDArray[np.float64]
    legs: tuple[tuple[NDArray[np.float64], NDArray[np.float64]], ...] = ()


def chair_for(
    tuberosities: NDArray[np.floating],
    hip_width_x: tuple[float, float],
    floor_z: float | None = None,
) -> Chair:
    """A seat under the posed ischial tuberosities (``tuberosities``: (2, 3)).

    The seat top lies :data:`SEAT_SOFT_TISSUE_MM` below the lower tuberosity: where the loaded
    buttock puts it. The posed skin is not compressed (skinning keeps the standing buttock's
    thickness, about 8 cm under the tuberosity), so it sinks into the seat as into a cushion
    rather than the pelvis floating a hand's breadth above it. The seat runs
    :data:`SEAT_BACK_MM` behind the tuberosities and :data:`SEAT_DEPTH_MM` deep toward the
    knees, :data:`SEAT_SIDE_MM` beyond ``hip_width_x`` (min and max x of the hips). With
    ``floor_z`` (the soles) four slim legs reach down to the floor.
    """
    it = np.asarray(tuberosities, dtype=np.float64).reshape(-1, 3)
    top = float(it[:, 2].min()) - SEAT_SOFT_TISSUE_MM
    back_y = float(it[:, 1].max()) + SEAT_BACK_MM
    front_y = back_y - SEAT_DEPTH_MM
    x0, x1 = hip_width_x[0] - SEAT_SIDE_MM, hip_width_x[1] + SEAT_SIDE_MM
    seat_min = np.array([x0, front_y, top - SEAT_THICKNESS_MM])
    seat_max = np.array([x1, back_y, top])
    legs: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
    if floor_z is not None and floor_z < seat_min[2] - 50.0:
        w = 30.0
        for x in (x0 + 10.0, x1 - 10.0 - w):
            for y in (front_y + 10.0, back_y - 10.0 - w):
                legs.append((np.array([x, y, floor_z]), np.array([x + w, y + w, seat_min[2]])))
    return Chair(seat_min, seat_max, tuple(legs))


# -- one thigh bent more than the other ------------------------------------------------------------
ONE_SIDED_MIN_DEG = 5.0
"""Thighs whose angles from the vertical differ by at least this much make a one-sided pose
(a tight iliopsoas holding one hip bent): the bent thigh's angle is drawn."""


def thigh_angle(pose: Pose, side: str) -> float:
    """The thigh's turn forward from standing, degrees: hip flexion on the pelvis less the
    pelvic tilt (a pelvis tipped forward carries the flexed thigh back toward standing)."""
    return pose.hip(side).flexion - pose.pelvic_tilt


def one_sided_thigh(pose: Pose) -> str | None:
    """The side whose thigh is bent clearly more than the other's (``"right"``/``"left"``), or
    ``None`` when both are alike (standing, sitting, a tilt)."""
    right, left = thigh_angle(pose, "right"), thigh_angle(pose, "left")
    if abs(right - left) < ONE_SIDED_MIN_DEG:
        return None
    return "right" if right > left else "left"


LIFTED_KNEE_MIN_DEG = 45.0
"""A one-sided pose whose bent side's knee is bent at least this much more than the other's
stands on one leg, the other foot off the floor (lesson 8: hip 40 degrees, knee 70); a tight
iliopsoas (knee 15 degrees, lesson 11) leaves both feet down. A picture rule, not anatomy."""


def lifted_leg(pose: Pose) -> str | None:
    """The side whose leg is lifted in a one-legged stance (``"right"``/``"left"``), or
    ``None`` when both feet are down: where the pelvic level line applies."""
    side = one_sided_thigh(pose)
    if side is None:
        return None
    other = "left" if side == "right" else "right"
    bent = pose.knee(side) - pose.knee(other)
    return side if bent >= LIFTED_KNEE_MIN_DEG else None


def thigh_label(pose: Pose, side: str) -> str:
    """What the drawn thigh angle says, e.g. ``"right thigh 15° forward of standing (left
    0°)"``: the turn from the standing thigh, which the dashed line shows."""
    other = "left" if side == "right" else "right"
    return (
        f"{side} thigh {thigh_angle(pose, side):.0f}° forward of standing "
        f"({other} {thigh_angle(pose, other):.0f}°)"
    )
