"""Balance of the pelvis, as a teaching model: iliopsoas against gluteus maximus.

A deliberately simple statics illustration, not a simulation of a patient. The pelvis (with the
trunk above it) is a rigid body turning about the line through the two hip centres. Each muscle
pulls along the last stretch of its line of action before the femur (taken from the atlas's
muscle paths, see :meth:`viewer.domain.posture.PostureModel.path`), so its moment about that
axis is ``r x f``: iliopsoas, bent forward over the pelvic brim, tilts the pelvis forward;
gluteus maximus, behind the hip, tilts it back. Forces are ``tension x PCSA``, with the
physiological cross-sectional areas measured in cadavers by Ward S.R. et al., "Are current
measurements of lower extremity muscle architecture accurate?", Clin Orthop Relat Res
467(4):1074-1082, 2009 (psoas 7.7 cm², iliacus 9.9 cm², gluteus maximus 33.4 cm²; tension is a
0-1 share of a common specific tension, so only the ratios matter here). The passive tissues
(ligaments, discs, joint capsules) are a linear torsion spring; its stiffness is a teaching
constant chosen so that the tension controls span roughly the normal range of pelvic tilt (about
±15 degrees), not a measured value.

At equilibrium ``k * tilt = sum(moments)``; the lumbar curve follows the tilt so the trunk stays
upright (the compensation seen in anterior pelvic tilt), and with more lordosis the lumbosacral
joints (L4-L5, L5-S1) take more compression, which the app highlights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from viewer.domain.mechanics import Pull
from viewer.domain.pose import TILT_LIMITS, HipAngles, Pose

PCSA_CM2: Mapping[str, float] = {
    "psoas_major": 7.7,
    "iliacus": 9.9,
    "gluteus_maximus": 33.4,
}
"""Physiological cross-sectional areas (Ward et al. 2009), split over the atlas's parts below."""

PARTS: Mapping[str, tuple[tuple[str, float], ...]] = {
    "iliopsoas": (
        ("psoas_major_upper", 0.5 * 7.7),
        ("psoas_major_lower", 0.5 * 7.7),
        ("iliacus", 9.9),
    ),
    "gluteus_maximus": (("gluteus_maximus", 33.4),),
}
"""Atlas muscle parts of each side (without ``_right``/``_left``) and their PCSA in cm²."""

DEFAULT_TENSION = 0.3
"""Tension both groups start at (a share of maximum); equal shares give the standing tilt."""

STIFFNESS = 50.0
"""Passive stiffness in (cm² x mm) per degree: a teaching constant, see the module docstring."""

COMPRESSION_TILT_DEG = 5.0
"""Anterior tilt (and the matching extra lordosis) from which the lumbosacral region is flagged."""

NOTE = (
    "A simplified illustration of muscle balance for learning: it is not a simulation of a "
    "patient and cannot say why a person's pelvis tilts."
)


@dataclass(frozen=True)
class MomentArms:
    """Moment (cm² x mm per unit tension) of each group about the hip axis; + = anterior tilt."""

    iliopsoas: float
    gluteus_maximus: float


def moment_about_hip_axis(
    path: NDArray[np.float64], femur_end: int, axis_point: NDArray[np.float64]
) -> float:
    """Moment arm (mm, + = tilts the pelvis forward) of a unit pull along a muscle path.

    ``femur_end`` is 0 or -1, the end of ``path`` on the femur; the pull on the pelvis acts at
    the path point next to it, toward the femur. Turning about +x is an anterior tilt.
    """
    end = path[femur_end]
    at = path[1] if femur_end == 0 else path[-2]
    direction = (end - at) / max(float(np.linalg.norm(end - at)), 1e-9)
    return float(np.cross(at - axis_point, direction)[0])


def settle(arms: MomentArms, iliopsoas: float, gluteus_maximus: float) -> float:
    """Pelvic tilt (degrees, + anterior) where the muscles balance the passive spring.

    Tilt is measured from the atlas's standing pose, which is taken to be balanced at
    :data:`DEFAULT_TENSION` for both groups.
    """
    moment = arms.iliopsoas * (iliopsoas - DEFAULT_TENSION) + arms.gluteus_maximus * (
        gluteus_maximus - DEFAULT_TENSION
    )
    lo, hi = TILT_LIMITS
    return float(min(hi, max(lo, moment / STIFFNESS)))


def balance_pose(arms: MomentArms, iliopsoas: float, gluteus_maximus: float) -> Pose:
    """The standing posture the balance settles at: pelvis tilted, lumbar curve following,
    thighs still vertical (the hips flex relative to the pelvis by the tilt)."""
    tilt = settle(arms, iliopsoas, gluteus_maximus)
    hips = HipAngles(flexion=tilt)
    return Pose("balance", pelvic_tilt=tilt, lordosis=tilt, hip_right=hips, hip_left=hips)


def lumbosacral_compressed(pose: Pose) -> bool:
    """True when the lumbar curve is deepened enough to flag L4-S1 as compressed."""
    return pose.lordosis >= COMPRESSION_TILT_DEG


# -- one side tight (the left-vs-right pair view) ---------------------------------------------
TIGHT_TENSION = 0.8
"""Tension of the tight side's iliopsoas (the other side stays at :data:`DEFAULT_TENSION`)."""

TIGHT_HIP_FLEXION_DEG = 15.0
"""How far the tight side's hip stays flexed when standing: a short iliopsoas will not let the
hip extend fully (what the Thomas test shows as a hip flexion contracture, commonly 10-20
degrees); a teaching value, not a measurement."""

TIGHT_KNEE_FLEXION_DEG = 15.0
"""The knee of the tight side bends with it, so the foot stays under the body."""

TIGHT_PREFIX = "tight_psoas_"
"""Name of a one-side-tight pose: ``tight_psoas_right`` or ``tight_psoas_left``."""

TIGHT_MUSCLES: tuple[str, ...] = ("iliopsoas", "psoas_major")
"""Left-vs-right views (muscle bases) that offer the one-side-tight control."""

ILIOPSOAS_PARTS: tuple[str, ...] = ("psoas_major_upper", "psoas_major_lower", "iliacus")


def one_side_tight_pose(arms: MomentArms, side: str) -> Pose:
    """Standing with one iliopsoas tight.

    Only that side pulls harder, so the pelvis settles at the tilt of one side's extra moment
    (half of what raising both sides' tension to :data:`TIGHT_TENSION` would give, see
    :func:`settle`), the lumbar curve following; that hip stays flexed by
    :data:`TIGHT_HIP_FLEXION_DEG` with its knee bent, the other thigh stays vertical.
    """
    if side not in ("right", "left"):
        raise ValueError(f"side must be right or left, not {side!r}")
    tilt = 0.5 * settle(arms, TIGHT_TENSION, DEFAULT_TENSION)
    tight = HipAngles(flexion=tilt + TIGHT_HIP_FLEXION_DEG)
    free = HipAngles(flexion=tilt)
    knee = TIGHT_KNEE_FLEXION_DEG
    return Pose(
        f"{TIGHT_PREFIX}{side}",
        pelvic_tilt=tilt,
        lordosis=tilt,
        hip_right=tight if side == "right" else free,
        hip_left=tight if side == "left" else free,
        knee_right=knee if side == "right" else 0.0,
        knee_left=knee if side == "left" else 0.0,
    )


def tight_side_of(pose: Pose) -> str | None:
    """``"right"``/``"left"`` for a one-side-tight pose, else ``None``."""
    side = pose.name.removeprefix(TIGHT_PREFIX)
    return side if pose.name.startswith(TIGHT_PREFIX) and side in ("right", "left") else None


def iliopsoas_change_pct(lengths: Mapping[str, tuple[float, float]], side: str) -> float | None:
    """Length change (%) of one side's iliopsoas against standing: its parts' lengths summed.

    ``lengths`` maps muscle id -> (length mm, standing length mm); ``None`` when parts lack.
    """
    ids = [f"{p}_{side}" for p in ILIOPSOAS_PARTS]
    if not all(i in lengths for i in ids):
        return None
    now = sum(lengths[i][0] for i in ids)
    standing = sum(lengths[i][1] for i in ids)
    return 100.0 * (now - standing) / standing


def tight_note(lengths: Mapping[str, tuple[float, float]], side: str) -> str:
    """One line for the picture: how much shorter each side's iliopsoas is than standing.

    What is measured is the length along the muscle, origin to thigh (its parts' path lengths
    summed, :func:`iliopsoas_change_pct`); the tight side is shorter only by its bent hip (15
    degrees of hip flexion shortens the atlas's iliopsoas by about 7 mm of 270-370 mm, 2 %).
    Printed as "right iliopsoas \u22122 % vs standing" under a caption calling it tight, a
    lecturer read the small number as a contradiction; the line now says what was measured
    and that it is small, because in this model tight means more tension at rest, not a much
    shorter muscle (see :data:`TIGHT_TENSION`)."""
    other = "left" if side == "right" else "right"
    a, b = iliopsoas_change_pct(lengths, side), iliopsoas_change_pct(lengths, other)
    if a is None or b is None:
        return f"{side} iliopsoas tight"
    return (
        f"{side} iliopsoas {_change_words(a)}, {other} {_change_words(b)}: "
        "tight = more tension at rest"
    )


def iliopsoas_length_note(
    lengths: Mapping[str, tuple[float, float]], pose: Pose, side: str = "right"
) -> str:
    """What the length colours of one side's iliopsoas say, in numbers and why, when hip and
    lumbar curve change psoas in opposite ways (a pelvic tilt); "" for any other pose or when a
    part is missing.

    Iliacus crosses only the hip; psoas crosses the hip and the lumbar spine, so a pelvic tilt
    changes it twice, one way at the hip and the other along the lumbar curve. In the atlas's
    tilted poses the two nearly cancel, and psoas is drawn grey where a lecturer teaching the
    hip flexors expects blue or orange. The line gives the parts' changes, says that psoas also
    crosses the lumbar spine and which way each joint moves it.
    """
    from viewer.domain.pose import lumbar_change

    ids = {p: f"{p}_{side}" for p in ILIOPSOAS_PARTS}
    if pose.is_standing or not all(i in lengths for i in ids.values()):
        return ""

    def pct(part: str) -> str:
        length, standing = lengths[ids[part]]
        value = 100.0 * (length - standing) / standing
        text = f"{abs(value):.1f} %"
        if text == "0.0 %":
            return "\u00b10 %"
        return ("+" if value > 0 else "\u2212") + text

    line = (
        f"{side.capitalize()} iliopsoas vs standing: iliacus {pct('iliacus')}, psoas "
        f"{pct('psoas_major_upper')} (T12\u2013L2) and {pct('psoas_major_lower')} (L2\u2013L5)"
    )
    hip = pose.hip_right.flexion if side == "right" else pose.hip_left.flexion
    curve = lumbar_change(pose)
    if not (round(curve) and round(hip)) or (hip > 0) != (curve > 0):
        # Hip and curve change psoas the same way (sitting: both shorten it), or only one
        # moved: its colour says what iliacus's says, and the picture needs no extra line.
        return ""
    at_hip = "shortens" if hip > 0 else "lengthens"
    along = "lengthens" if curve > 0 else "shortens"
    way = "deeper" if curve > 0 else "flatter"
    return line + (
        f"; psoas also crosses the lumbar spine: the hip {at_hip} it, the {way} curve {along} it"
    )


def _change_words(pct: float) -> str:
    """``-2.3`` -> ``only 2 % shorter than standing``; under half a percent -> ``unchanged``."""
    n = round(abs(pct))
    if n == 0:
        return "unchanged"
    way = "shorter" if pct < 0 else "longer"
    return f"{'only ' if n < 5 else ''}{n} % {way} than standing"


def held_share(structure: str, tight_side: str) -> float | None:
    """The share of its strength an iliopsoas part holds in a one-side-tight pose:
    :data:`TIGHT_TENSION` on ``tight_side``, :data:`DEFAULT_TENSION` on the other; ``None``
    for a structure that is no iliopsoas part (the balance model sets no tension for it)."""
    base, _, side = structure.rpartition("_")
    if side not in ("right", "left"):
        return None
    if base not in ILIOPSOAS_PARTS and base not in ("psoas_major", "iliopsoas"):
        return None
    return TIGHT_TENSION if side == tight_side else DEFAULT_TENSION


def held_pulls(pulls: Sequence[Pull], tight_side: str) -> tuple[Pull, ...]:
    """``pulls`` of a left-vs-right iliopsoas view as the one-side-tight model holds them:
    each force is its capacity times :func:`held_share`, and ``relative`` (the drawn arrow's
    length) is taken again against the strongest held pull.

    Drawn at capacity, lesson 11's tight muscle had arrows equal to the other side's and
    "tight" was only words; in this model tight means pulling harder (0.8 of capacity against
    0.3), so the tight side's arrows are the longer ones. Pulls without a known force, or a
    structure the model sets no tension for, are returned unchanged (all of them)."""
    shares = [held_share(p.structure, tight_side) for p in pulls]
    if not pulls or any(s is None for s in shares) or any(p.force_n is None for p in pulls):
        return tuple(pulls)
    held = [float(p.force_n or 0.0) * float(s or 0.0) for p, s in zip(pulls, shares, strict=True)]
    top = max(held)
    if top <= 0.0:
        return tuple(pulls)
    return tuple(replace(p, force_n=h, relative=h / top) for p, h in zip(pulls, held, strict=True))
