"""Posture as data: hip angles, pelvic tilt and lumbar lordosis, turned into rigid bone transforms.

A :class:`Pose` is a handful of angles relative to the atlas's standing pose. A :class:`Skeleton`
holds the joint centres of the current atlas (read from its bony landmarks, so it follows a
rebuild) and turns a pose into one 4x4 rigid transform per bone:

* the pelvis (both hip bones and the sacrum) tilts about the line through the two hip centres;
  with the atlas origin at their midpoint that line is the x axis, so the hip centres stay put;
* each femur turns about its hip centre (flexion about x, abduction about y, rotation about the
  vertical z axis, applied rotation first) on top of the pelvis;
* each lumbar segment T12-L1 ... L5-S1 extends or flexes about its disc centre by its share of the
  lordosis change, so the lumbar curve rides on the sacrum;
* the limb segments the atlas has no bones for but the skin has (lower legs ``shank_*``, upper
  arms ``arm_*``, forearms with the hands ``forearm_*``) turn about joint centres the build placed
  from MakeHuman's joint helpers (:attr:`Skeleton.limb_joints`): the knee on the femur, the
  shoulder on the upper chest, the elbow on the upper arm. Without those centres the segments
  simply ride on their carrier (the femur, T12), as the skin did before;
* the atlas has no bones above T12, but the skin's chest does: the lower chest ``thorax_lower``
  turns on T12 about MakeHuman's ``joint-spine-2`` and the upper chest with neck, head and
  shoulder girdle ``thorax_upper`` about ``joint-spine-1``, half of ``thoracic_flexion`` each,
  so the back rounds rather than kinks; the arms ride the upper chest. Bones and muscles do not
  take part (T12 and rib 12 stay where the lumbar pose puts them).

Sign conventions in the atlas frame (LPS: +x left, +y posterior, +z superior): a positive
pelvic tilt is *anterior* (the top of the pelvis goes forward), positive hip flexion brings the
knee forward, positive abduction takes it outward, positive rotation is internal, and a positive
lordosis change *increases* the lumbar curve (extension of the lumbar segments). Positive knee
flexion takes the foot backward; positive shoulder flexion takes the arm forward, positive shoulder
abduction takes it outward, positive elbow flexion bends the elbow further, positive thoracic
flexion rounds the upper back (the head and shoulders come forward). Knee, shoulder and
elbow angles are changes from the atlas skin's standing limbs (MakeHuman's A-pose: the knee stands
about 7 degrees bent, the arms hang about 40 degrees out from the trunk with the elbows bent).

Segmental shares of lordosis (T12-L1 2 %, L1-L2 5 %, L2-L3 10 %, L3-L4 17 %, L4-L5 26 %,
L5-S1 40 %) are rounded from the mean segmental angles of standing radiographs reported by
Bernhardt M. & Bridwell K.H., "Segmental analysis of the sagittal plane alignment of the normal
thoracic and lumbar spines and thoracolumbar junction", Spine 14(7):717-721, 1989: lordosis grows
caudally and about two thirds of it lies at L4-S1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Matrix = NDArray[np.float64]
"""A (4, 4) homogeneous rigid transform."""

SIDES: tuple[str, str] = ("right", "left")

LORDOSIS_SHARES: tuple[tuple[str, str, float], ...] = (
    ("vertebra_t12", "vertebra_l1", 0.02),
    ("vertebra_l1", "vertebra_l2", 0.05),
    ("vertebra_l2", "vertebra_l3", 0.10),
    ("vertebra_l3", "vertebra_l4", 0.17),
    ("vertebra_l4", "vertebra_l5", 0.26),
    ("vertebra_l5", "sacrum", 0.40),
)
"""(upper bone, lower bone, share of a lordosis change) from the top down (Bernhardt & Bridwell)."""

PELVIS_BONES: tuple[str, ...] = ("hip_bone_right", "hip_bone_left", "sacrum")
"""Bones that move as one with the pelvic tilt."""

RIDERS: Mapping[str, str] = {"rib_12_right": "vertebra_t12", "rib_12_left": "vertebra_t12"}
"""Bones without a joint of their own here, carried by another bone."""

HIP_LIMITS: Mapping[str, tuple[float, float]] = {
    "flexion": (-20.0, 120.0),
    "abduction": (-30.0, 45.0),
    "rotation": (-45.0, 45.0),
}
"""Range of each hip angle in degrees (roughly the normal active range of motion)."""

DISC_PIVOT_POSTERIOR_MM = 15.0
"""How far behind the middle of the disc a lumbar segment pivots (near the disc's back wall)."""

TILT_LIMITS: tuple[float, float] = (-25.0, 25.0)
LORDOSIS_LIMITS: tuple[float, float] = (-35.0, 30.0)

LIMB_LIMITS: Mapping[str, tuple[float, float]] = {
    "knee_right": (-10.0, 140.0),
    "knee_left": (-10.0, 140.0),
    "shoulder_flexion": (-40.0, 120.0),
    "shoulder_abduction": (-45.0, 60.0),
    "elbow_flexion": (-45.0, 90.0),
    "thoracic_flexion": (-15.0, 40.0),
}
"""Range of each skin-segment angle in degrees (changes from the skin's standing A-pose; for
``thoracic_flexion`` a clamp for the sliders and files, not a measured range of motion)."""

THORACIC_SHARES: tuple[tuple[str, str, float], ...] = (
    ("thorax_lower", "vertebra_t12", 0.5),
    ("thorax_upper", "thorax_lower", 0.5),
)
"""(trunk segment above T12, its carrier, share of the thoracic flexion), from the bottom up:
the lower chest turns about MakeHuman's ``joint-spine-2``, the upper chest, neck, head and
shoulder girdle about ``joint-spine-1``; half each bends the back in a curve, not at one kink."""

LIMB_CARRIERS: tuple[tuple[str, str], ...] = (
    ("shank_right", "femur_right"),
    ("shank_left", "femur_left"),
    ("thorax_lower", "vertebra_t12"),
    ("thorax_upper", "thorax_lower"),
    ("arm_right", "thorax_upper"),
    ("arm_left", "thorax_upper"),
    ("forearm_right", "arm_right"),
    ("forearm_left", "arm_left"),
)
"""Skin-only limb segments and the bone (or segment) each rides on, parents first."""


class PoseError(ValueError):
    """A pose definition is malformed; the message names the field."""


@dataclass(frozen=True)
class HipAngles:
    """Angles of one hip relative to the pelvis, in degrees (0, 0, 0 = standing)."""

    flexion: float = 0.0
    abduction: float = 0.0
    rotation: float = 0.0


@dataclass(frozen=True)
class Pose:
    """A posture relative to the atlas's standing pose (degrees).

    ``lordosis`` is the change of the lumbar curve; keeping it equal to ``pelvic_tilt`` keeps the
    trunk above the pelvis upright (the lumbar spine compensates for the tilt).
    """

    name: str = "custom"
    pelvic_tilt: float = 0.0
    lordosis: float = 0.0
    hip_right: HipAngles = field(default_factory=HipAngles)
    hip_left: HipAngles = field(default_factory=HipAngles)
    knee_right: float = 0.0
    knee_left: float = 0.0
    shoulder_flexion: float = 0.0
    shoulder_abduction: float = 0.0
    elbow_flexion: float = 0.0
    thoracic_flexion: float = 0.0

    def knee(self, side: str) -> float:
        """Knee flexion of ``"right"`` or ``"left"`` (degrees from the standing leg)."""
        return self.knee_right if side == "right" else self.knee_left

    def hip(self, side: str) -> HipAngles:
        """The hip angles of ``"right"`` or ``"left"``."""
        return self.hip_right if side == "right" else self.hip_left

    @property
    def is_standing(self) -> bool:
        """True when every angle is zero (the atlas as built)."""
        return {**self.as_dict(), "name": ""} == {**Pose().as_dict(), "name": ""}

    def with_hip_flexion(self, degrees: float) -> Pose:
        """Both hips flexed to ``degrees`` (clamped), other angles kept; named ``custom``."""
        lo, hi = HIP_LIMITS["flexion"]
        d = min(hi, max(lo, float(degrees)))
        return replace(
            self,
            name="custom",
            hip_right=replace(self.hip_right, flexion=d),
            hip_left=replace(self.hip_left, flexion=d),
        )

    def with_knee_flexion(self, degrees: float) -> Pose:
        """Both knees flexed to ``degrees`` (clamped), other angles kept; named ``custom``."""
        lo, hi = LIMB_LIMITS["knee_right"]
        d = min(hi, max(lo, float(degrees)))
        return replace(self, name="custom", knee_right=d, knee_left=d)

    def with_pelvic_tilt(self, degrees: float, lordosis_follows: bool = True) -> Pose:
        """Pelvis tilted to ``degrees`` (clamped); the lordosis follows by the same change."""
        lo, hi = TILT_LIMITS
        d = min(hi, max(lo, float(degrees)))
        lordosis = self.lordosis + (d - self.pelvic_tilt) if lordosis_follows else self.lordosis
        lo2, hi2 = LORDOSIS_LIMITS
        return replace(self, name="custom", pelvic_tilt=d, lordosis=min(hi2, max(lo2, lordosis)))

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for scenes and lessons).

        Knee, arm and thoracic angles are written only when not zero, so a pose from before they
        existed reads and writes the same.
        """
        out: dict[str, Any] = {
            "name": self.name,
            "pelvic_tilt": round(self.pelvic_tilt, 3),
            "lordosis": round(self.lordosis, 3),
            "hip_right": _hip_dict(self.hip_right),
            "hip_left": _hip_dict(self.hip_left),
        }
        for key in LIMB_LIMITS:
            value = float(getattr(self, key))
            if value != 0.0:
                out[key] = round(value, 3)
        return out


def _hip_dict(h: HipAngles) -> dict[str, float]:
    return {"flexion": h.flexion, "abduction": h.abduction, "rotation": h.rotation}


def _number(d: Mapping[str, Any], key: str, where: str, limits: tuple[float, float]) -> float:
    value = d.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PoseError(f"{where}{key}: expected a number of degrees, got {value!r}")
    lo, hi = limits
    if not lo <= value <= hi:
        raise PoseError(f"{where}{key}: {value} is outside {lo:g}..{hi:g} degrees")
    return float(value)


def pose_from_dict(d: Any) -> Pose:
    """Read a pose written by :meth:`Pose.as_dict` (or a preset name); raises :class:`PoseError`."""
    if isinstance(d, str):
        return preset(d)
    if not isinstance(d, Mapping):
        raise PoseError(f"pose: expected an object or a preset name, got {type(d).__name__}")
    unknown = set(d) - {"name", "pelvic_tilt", "lordosis", "hip_right", "hip_left", *LIMB_LIMITS}
    if unknown:
        raise PoseError(f"pose: unknown field {sorted(unknown)[0]!r}")
    hips = {}
    for side in SIDES:
        h = d.get(f"hip_{side}", {})
        if not isinstance(h, Mapping):
            raise PoseError(f"pose.hip_{side}: expected an object")
        extra = set(h) - set(HIP_LIMITS)
        if extra:
            raise PoseError(f"pose.hip_{side}: unknown field {sorted(extra)[0]!r}")
        hips[side] = HipAngles(
            **{k: _number(h, k, f"pose.hip_{side}.", lim) for k, lim in HIP_LIMITS.items()}
        )
    name = d.get("name", "custom")
    if not isinstance(name, str):
        raise PoseError("pose.name: expected text")
    return Pose(
        name=name,
        pelvic_tilt=_number(d, "pelvic_tilt", "pose.", TILT_LIMITS),
        lordosis=_number(d, "lordosis", "pose.", LORDOSIS_LIMITS),
        hip_right=hips["right"],
        hip_left=hips["left"],
        **{k: _number(d, k, "pose.", lim) for k, lim in LIMB_LIMITS.items()},
    )


STANDING = Pose("standing")


def _chair(
    name: str,
    tilt: float,
    lordosis: float,
    hip: float,
    shoulder: float,
    abduction: float,
    elbow: float,
    thoracic: float = 0.0,
) -> Pose:
    """Sitting on a chair: thighs at ``hip`` on the pelvis, the lower legs hanging about
    vertical (the skin's standing knee is already bent about 7 degrees, so 85 here is a knee
    angle of about 90) and the arms brought in from the A-pose and forward so the hands rest by
    the thighs. One set of arm angles serves every body: tuned on the built neutral, female and
    male skins together, each turning about its own joints (no hand vertex more than 2 mm inside
    thighs or trunk, the median hand vertex within 100 mm of them; chosen on a 5-degree grid as
    the angles that keep every hand at least 0.5 mm off the thighs and trunk with the smallest
    worst median distance). The male arms are the longest, and the arms come in (``abduction``
    -40) so his hands lie over the thighs rather than beside the hips."""
    h = HipAngles(hip)
    return Pose(
        name,
        pelvic_tilt=tilt,
        lordosis=lordosis,
        hip_right=h,
        hip_left=h,
        knee_right=85.0,
        knee_left=85.0,
        shoulder_flexion=shoulder,
        shoulder_abduction=abduction,
        elbow_flexion=elbow,
        thoracic_flexion=thoracic,
    )


PRESETS: Mapping[str, Pose] = {
    p.name: p
    for p in (
        STANDING,
        # Upright sitting on a chair: thighs horizontal (hip flexion + posterior tilt = 90), the
        # lumbar curve about 15 degrees flatter than standing (L1-S1 lordosis 49 standing against
        # 34 sitting: Lord M.J. et al., "Lumbar lordosis: effects of sitting and standing", Spine
        # 22(21):2571-2574, 1997) and the pelvis rolled back by as much, so the trunk stays
        # vertical.
        _chair("sitting_upright", -14.0, -14.0, 76.0, shoulder=25.0, abduction=-40.0, elbow=-20.0),
        # Slumped sitting: the pelvis rolled well back and the lumbar curve nearly flat, the
        # trunk leaning forward - the "slump" posture of O'Sullivan P.B. et al., "Effect of
        # different upright sitting postures on spinal-pelvic curvature and trunk muscle
        # activation in a pain-free population", Spine 31(19):E707-E712, 2006. Thighs still
        # horizontal (66 + 24 = 90). Sized against radiographs of sitting: relaxed chair sitting
        # flattens the lordosis by about half and rolls the pelvis back about 18 degrees (Endo
        # K. et al., J Orthop Sci 17(6):682-686, 2012, 50 adults: -16.6 degrees, -50 %, pelvic
        # tilt +18.3; upright sitting here stays a little short); the most flexed sitting of Moon
        # et al. (Clin Orthop Surg 10(3):322, 2018, 16 adults: cross-legged on the
        # floor) kept a quarter of the standing lordosis (37.1 -> 9.8 degrees) with the pelvis
        # 22.6 degrees further back. A slump goes about that far: the pelvis 24 degrees back
        # (the model's limit is 25) and the curve 32 degrees flatter (the atlas's 50 degrees of
        # L1-S1 lordosis down to about 18, 64 % lost; at 35, the model's limit, the skin of the
        # neutral body's groin no longer holds iliacus). Until session 16 it was 30 flatter
        # with the upper back rounded 12, and a lecturer found the picture "looks upright": the
        # lumbar flattening all but cancels the pelvis rolling back, so L1 stays over S1 as in
        # upright sitting, and the chest hardly came forward; the rounding of the upper back is
        # what the model can add.
        # Above T12 the upper back rounds 20 degrees. In 10 minutes of computer work sitting,
        # 50 asymptomatic adults' surface thoracolumbar angle flexed 12 degrees from standing
        # (Claus A.P., Hides J.A., Moseley G.L., Hodges P.W., "Thoracic and lumbar posture
        # behaviour in sitting tasks and standing", Applied Ergonomics 53:161-168, 2016;
        # https://espace.library.uq.edu.au/view/UQ:376972): habitual sitting, so a deliberate
        # slump rounds more; merely relaxing from a standard to a comfortable standing posture
        # rounded 50 young adults' global thoracic angle by 20 degrees on radiographs (25.6 ->
        # 45.4; "The differences in whole-body sagittal alignment between different postures in
        # young, healthy adults", BMC Musculoskeletal Disorders, 2020,
        # doi:10.1186/s12891-020-03715-2). Their 'corrected' sitting kept the standing angle,
        # so upright sitting has none. The rounded chest carries the shoulders forward and down,
        # so the arms come less forward and the elbows bend more than in upright sitting to
        # keep the hands on the thighs (tuned as in _chair).
        _chair(
            "sitting_slumped",
            -24.0,
            -32.0,
            66.0,
            shoulder=25.0,
            abduction=-40.0,
            elbow=15.0,
            thoracic=20.0,
        ),
        # Anterior tilt: the pelvis rolls forward and the lumbar curve deepens to keep the trunk
        # upright; the hips are relatively flexed by the tilt while the thighs stay vertical.
        Pose("anterior_tilt", 12.0, 12.0, HipAngles(12.0), HipAngles(12.0)),
        Pose("posterior_tilt", -10.0, -10.0, HipAngles(-10.0), HipAngles(-10.0)),
    )
}
"""Named postures (``render --pose NAME``)."""

PRESET_TITLES: Mapping[str, str] = {
    "standing": "Standing",
    "sitting_upright": "Sitting upright",
    "sitting_slumped": "Slumped sitting",
    "anterior_tilt": "Anterior pelvic tilt",
    "posterior_tilt": "Posterior pelvic tilt",
}


def preset(name: str) -> Pose:
    """A preset by name; raises :class:`PoseError` listing the names when unknown."""
    try:
        return PRESETS[name]
    except KeyError:
        raise PoseError(f"unknown pose {name!r}; choose one of {', '.join(PRESETS)}") from None


# -- rigid transforms ----------------------------------------------------------------------------
def rotation(axis: ArrayLike, degrees: float, centre: ArrayLike) -> Matrix:
    """4x4 rotation by ``degrees`` (right hand) about ``axis`` through ``centre``."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    t = math.radians(degrees)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    r = np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * (k @ k)
    c = np.asarray(centre, dtype=np.float64)
    m = np.eye(4)
    m[:3, :3] = r
    m[:3, 3] = c - r @ c
    return m


def apply(matrix: Matrix, points: NDArray[Any]) -> NDArray[np.float64]:
    """Transform (n, 3) points by a 4x4 matrix."""
    p = np.asarray(points, dtype=np.float64)
    out: NDArray[np.float64] = p @ matrix[:3, :3].T + matrix[:3, 3]
    return out


@dataclass(frozen=True)
class Skeleton:
    """Joint centres of one atlas, in atlas millimetres.

    Attributes
    ----------
    hip_centres : side -> (3,) centre of the femoral head (``hip_centre_*`` landmarks)
    disc_centres : (upper bone, lower bone) -> (3,) pivot of that lumbar segment
    limb_joints : ``knee_right``, ``shoulder_left``, ``elbow_right``, ``wrist_left``, ... -> (3,)
        standing centres of the skin's limb joints (written by the build beside the skin
        weights); empty when the atlas has none, and then the limbs ride on their carriers
    """

    hip_centres: Mapping[str, NDArray[np.float64]]
    disc_centres: Mapping[tuple[str, str], NDArray[np.float64]]
    limb_joints: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)

    def with_limb_joints(self, joints: Mapping[str, ArrayLike]) -> Skeleton:
        """The same skeleton with the skin's limb joint centres."""
        return replace(
            self, limb_joints={k: np.asarray(v, dtype=np.float64) for k, v in joints.items()}
        )

    @classmethod
    def from_landmarks(cls, landmarks: Mapping[str, ArrayLike]) -> Skeleton:
        """Build from bony landmarks (``meshes/landmarks.json``).

        A segment pivots near the back of its disc: the midpoint of the two vertebral body
        centres (the S1 endplate centre for the sacrum), moved back by
        :data:`DISC_PIVOT_POSTERIOR_MM`. Measured centres of rotation of lumbar segments lie in
        the posterior part of the disc, and a pivot there keeps the facet joints from running
        into each other in extension.
        """
        need = ["hip_centre_right", "hip_centre_left", "s1_endplate_centre"]
        need += [f"vertebral_body_{b.split('_')[1]}" for b, _, _ in LORDOSIS_SHARES]
        missing = [n for n in need if n not in landmarks]
        if missing:
            raise PoseError(f"landmarks.json lacks {', '.join(missing)} needed for posture")

        def body(bone: str) -> NDArray[np.float64]:
            if bone == "sacrum":
                return np.asarray(landmarks["s1_endplate_centre"], dtype=np.float64)
            return np.asarray(landmarks[f"vertebral_body_{bone.split('_')[1]}"], dtype=np.float64)

        back = np.array([0.0, DISC_PIVOT_POSTERIOR_MM, 0.0])
        discs = {(u, lo): 0.5 * (body(u) + body(lo)) + back for u, lo, _ in LORDOSIS_SHARES}
        hips = {s: np.asarray(landmarks[f"hip_centre_{s}"], dtype=np.float64) for s in SIDES}
        return cls(hip_centres=hips, disc_centres=discs)

    @property
    def hip_axis_centre(self) -> NDArray[np.float64]:
        """Midpoint of the hip centres (the atlas origin)."""
        return 0.5 * (self.hip_centres["right"] + self.hip_centres["left"])

    def transforms(self, pose: Pose) -> dict[str, Matrix]:
        """One 4x4 transform per posable bone id (bones not listed stay where they are)."""
        axis = self.hip_centres["left"] - self.hip_centres["right"]
        pelvis = rotation(axis, pose.pelvic_tilt, self.hip_axis_centre)
        out: dict[str, Matrix] = {b: pelvis for b in PELVIS_BONES}
        for side in SIDES:
            h = pose.hip(side)
            c = self.hip_centres[side]
            lateral = -1.0 if side == "right" else 1.0
            # Flexion brings the knee forward (-y): a negative turn about +x.
            flex = rotation((1, 0, 0), -h.flexion, c)
            # Abduction swings the knee outward: about +y for the right (+x is the left side).
            abd = rotation((0, 1, 0), -lateral * h.abduction, c)
            # Internal rotation turns the front of the thigh toward the midline.
            rot = rotation((0, 0, 1), -lateral * h.rotation, c)
            out[f"femur_{side}"] = pelvis @ flex @ abd @ rot
        below = pelvis
        for upper, lower, share in reversed(LORDOSIS_SHARES):
            # More lordosis = extension: the vertebra above tips backward (+y), a negative turn
            # about +x through the disc centre (in the standing frame, then carried by below).
            seg = rotation((1, 0, 0), -share * pose.lordosis, self.disc_centres[(upper, lower)])
            below = below @ seg
            out[upper] = below
        for rider, carrier in RIDERS.items():
            out[rider] = out[carrier]
        out.update(self.limb_transforms(pose, out))
        return out

    def limb_transforms(self, pose: Pose, carriers: Mapping[str, Matrix]) -> dict[str, Matrix]:
        """Transforms of the skin-only limb segments (see :data:`LIMB_CARRIERS`)."""
        out: dict[str, Matrix] = {}
        j = self.limb_joints
        for side in SIDES:
            shank = carriers[f"femur_{side}"]
            knee = j.get(f"knee_{side}")
            if knee is not None:
                # Knee flexion takes the foot backward (+y): a positive turn about +x.
                shank = shank @ rotation((1, 0, 0), pose.knee(side), knee)
            out[f"shank_{side}"] = shank
        chest = carriers["vertebra_t12"]
        for segment, _, share in THORACIC_SHARES:
            pivot = j.get(segment)
            if pivot is not None:
                # Flexion rounds the back: the part above tips forward (-y), a positive turn
                # about +x through the pivot (in the standing frame, carried by the part below).
                chest = chest @ rotation((1, 0, 0), share * pose.thoracic_flexion, pivot)
            out[segment] = chest
        for side in SIDES:
            lateral = -1.0 if side == "right" else 1.0
            arm = out["thorax_upper"]
            shoulder = j.get(f"shoulder_{side}")
            if shoulder is not None:
                flex = rotation((1, 0, 0), -pose.shoulder_flexion, shoulder)
                abd = rotation((0, 1, 0), -lateral * pose.shoulder_abduction, shoulder)
                arm = arm @ flex @ abd
            out[f"arm_{side}"] = arm
            forearm = arm
            elbow, wrist = j.get(f"elbow_{side}"), j.get(f"wrist_{side}")
            if shoulder is not None and elbow is not None and wrist is not None:
                # About the normal of the standing arm's plane: more of the bend it already has.
                normal = np.cross(elbow - shoulder, wrist - elbow)
                if np.linalg.norm(normal) > 1e-6:
                    forearm = arm @ rotation(normal, pose.elbow_flexion, elbow)
            out[f"forearm_{side}"] = forearm
        return out


def interpolate(a: Pose, b: Pose, t: float) -> Pose:
    """The pose a fraction ``t`` of the way from ``a`` to ``b`` (angles linear)."""

    def mix(x: float, y: float) -> float:
        return x + (y - x) * t

    def mix_hip(p: HipAngles, q: HipAngles) -> HipAngles:
        return HipAngles(
            mix(p.flexion, q.flexion), mix(p.abduction, q.abduction), mix(p.rotation, q.rotation)
        )

    return Pose(
        name=b.name if t >= 1.0 else "custom",
        pelvic_tilt=mix(a.pelvic_tilt, b.pelvic_tilt),
        lordosis=mix(a.lordosis, b.lordosis),
        hip_right=mix_hip(a.hip_right, b.hip_right),
        hip_left=mix_hip(a.hip_left, b.hip_left),
        **{k: mix(getattr(a, k), getattr(b, k)) for k in LIMB_LIMITS},
    )


def _deg(value: float) -> str:
    """Whole degrees with a true minus sign (U+2212), as a caption prints them."""
    v = round(value)
    return f"\u2212{-v}\u00b0" if v < 0 else f"{v}\u00b0"


def _hip_words(flexion: float, named: bool = True) -> str:
    """A hip angle as a lecturer says it: a hip bent backwards is in *extension*, so a negative
    flexion reads "hip extension 10°", never "hip flexion −10°"."""
    v = round(flexion)
    word = "extension" if v < 0 else "flexion"
    return f"{'hip ' if named else ''}{word} {_deg(abs(v))}"


def pose_title(pose: Pose) -> str:
    """The pose's name for a title: the preset's title when the angles are a preset's."""
    for name, p in PRESETS.items():
        if p == replace(pose, name=name):
            return PRESET_TITLES[name]
    if pose.name in ("tight_psoas_right", "tight_psoas_left"):  # see viewer.domain.balance
        return f"{pose.name.rsplit('_', 1)[1].capitalize()} iliopsoas tight"
    if " " in pose.name.strip():
        # A lesson's own pose named in words ("standing on the right leg"): a slide titled
        # "Custom posture" told the room nothing.
        name = pose.name.strip()
        return name[0].upper() + name[1:]
    return "Custom posture"


def lumbar_change(pose: Pose) -> float:
    """The change of the L1-S1 curve from standing in degrees (+ deeper), as the picture's
    lordosis label measures it: the T12-L1 share of the pose's lordosis lies above L1."""
    return pose.lordosis * sum(s for upper, _, s in LORDOSIS_SHARES if upper != "vertebra_t12")


def pose_angles_text(pose: Pose) -> str:
    """The key angles of a pose in one line: hip flexion, pelvic tilt (+ anterior), lordosis
    change, the knees when bent and the upper back when rounded; a side differing from the other
    is named. Every angle is a change from the atlas's standing pose."""
    if pose.is_standing:
        return "the reference: other poses' angles are changes from this one"
    hr, hl = pose.hip_right.flexion, pose.hip_left.flexion
    if round(hr) == round(hl):
        hips = _hip_words(hr)
    elif round(hr) >= 0 and round(hl) >= 0:
        hips = f"hip flexion right {_deg(hr)}, left {_deg(hl)}"
    else:
        hips = f"hips right {_hip_words(hr, named=False)}, left {_hip_words(hl, named=False)}"
    if round(pose.pelvic_tilt):
        # Hip flexion is the thigh on the pelvis; a tilted pelvis carries the thigh with it, so
        # upright sitting reads "hip flexion 76" with the thighs level: say where the thighs are
        # (for one bent thigh these are the angles the picture draws against standing).
        tr, tl = hr - pose.pelvic_tilt, hl - pose.pelvic_tilt
        if round(hr) != round(hl):
            hips += f" (thighs right {_deg(tr)}, left {_deg(tl)} from vertical)"
        else:
            hips += f" (thighs {_deg(tr)} from vertical)" if round(tr) else " (thighs vertical)"
    tilt = f"pelvic tilt {_deg(pose.pelvic_tilt)}"
    if round(pose.pelvic_tilt):
        tilt += " (anterior)" if pose.pelvic_tilt > 0 else " (posterior)"
    parts = [hips, tilt]
    l1_s1 = lumbar_change(pose)
    if round(l1_s1):
        way = "deeper" if l1_s1 > 0 else "flatter"
        parts.append(f"lumbar curve {_deg(abs(l1_s1))} {way}")
    else:
        parts.append("lumbar curve as standing")
    kr, kl = pose.knee_right, pose.knee_left
    if round(kr) or round(kl):
        parts.append(
            f"knees {_deg(kr)}" if round(kr) == round(kl) else f"knees {_deg(kr)}/{_deg(kl)}"
        )
    if round(pose.thoracic_flexion):
        way = "rounded" if pose.thoracic_flexion > 0 else "arched back"
        parts.append(f"upper back {way} {_deg(abs(pose.thoracic_flexion))}")
    return ", ".join(parts)


def pose_caption(pose: Pose) -> str:
    """``Sitting upright \u2014 hip flexion 76\u00b0, pelvic tilt \u221214\u00b0, ...`` (titles
    and slides)."""
    return f"{pose_title(pose)} \u2014 {pose_angles_text(pose)}"
