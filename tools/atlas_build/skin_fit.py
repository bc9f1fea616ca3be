"""Register the MakeHuman skin onto the atlas skeleton: anchors and the similarity transform.

Scale comes from the pelvis (:data:`BODY_SCALE`, chosen once by :func:`pelvis_scale`): the
bones are one skeleton from mixed CT data, so no body's stature can be matched to it honestly;
what must match is the pelvis the body wraps. One uniform scale - the smallest at which every
body's pelvic region held the skeleton's pelvis, hip muscles and upper femora with at most a
modest local push-out - is applied to all three bodies, so MakeHuman's own stature ratios
(female < neutral < male) are kept. It is pinned, not searched on every build, so that a
reshaped muscle moves the skin locally instead of resizing every body. The hips are
centred on the skeleton's; then each body's trunk is given the antero-posterior shift and
sagittal tilt that best centred its bones and muscles inside it (:func:`fit_trunk`, also
pinned: :data:`TRUNK_FIT`). Every transform here and in
:mod:`skin_legs` / :mod:`skin_posture` is a plain point map, so the same fit applies to the
coarse base mesh (used for fast searches) and the refined skin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import trimesh

from tools.atlas_build.skin_contain import depth_inside

if TYPE_CHECKING:
    from tools.atlas_build.skeleton import Skeleton

SIDE_SIGN = {"left": 1.0, "right": -1.0}
#: MakeHuman joint-marker names for the anchors we use
MH_JOINT = {"hip": "{s}-upper-leg", "knee": "{s}-knee", "ankle": "{s}-ankle"}


@dataclass(frozen=True)
class Anchors:
    """Joint centres shared by skeleton and body: per side hip, knee, ankle; ground height."""

    hip: dict[str, np.ndarray]
    knee: dict[str, np.ndarray]
    ankle: dict[str, np.ndarray]
    ground_z: float


def body_anchors(joints: dict[str, np.ndarray]) -> Anchors:
    """Anchors of the MakeHuman body from its joint markers (atlas axes, mm)."""
    pick = {
        key: {side: joints[tmpl.format(s=side[0])].copy() for side in SIDE_SIGN}
        for key, tmpl in MH_JOINT.items()
    }
    return Anchors(pick["hip"], pick["knee"], pick["ankle"], float(joints["ground"][2]))


def _body_sites(skeleton: Skeleton, bodies: tuple[str, ...]) -> np.ndarray:
    """Sites fixed to the named myo-sim bodies (empty (0, 3) array if none)."""
    sites = skeleton.sites or {}
    site_body = skeleton.site_body or {}
    pts = [np.asarray(p, dtype=np.float64) for n, p in sites.items() if site_body.get(n) in bodies]
    return np.array(pts).reshape(-1, 3)


def _knee_centre(femur: trimesh.Trimesh) -> np.ndarray:
    """Knee-joint centre of a femur: middle of the condyles, 20 mm above their lowest point."""
    v = femur.vertices
    low = v[:, 2].min()
    cond = v[v[:, 2] < low + 25.0]
    centre = 0.5 * (cond.min(axis=0) + cond.max(axis=0))
    centre[2] = low + 20.0
    return centre


def skeleton_anchors(skeleton: Skeleton) -> Anchors:
    """Anchors of the atlas skeleton; tolerant of skeletons that lack feet or landmarks.

    Hip centres come from the landmarks (else the femoral heads), knees from the femur meshes,
    ankles from sites on the talus/calcaneus (else straight below the knee, at the body's
    proportions), ground from the lowest foot site (else scaled from the femur length).
    """
    bones = skeleton.bones
    marks = skeleton.landmarks or {}
    hip: dict[str, np.ndarray] = {}
    knee: dict[str, np.ndarray] = {}
    ankle: dict[str, np.ndarray] = {}
    ground: list[float] = []
    for side, sign in SIDE_SIGN.items():
        femur = bones[f"femur_{side}"]
        if f"hip_centre_{side}" in marks:
            hip[side] = np.asarray(marks[f"hip_centre_{side}"], dtype=np.float64)
        else:
            # femoral head: the part of the top 40 mm medial to the middle of that slab
            top = femur.vertices[femur.vertices[:, 2] > femur.vertices[:, 2].max() - 40.0]
            mid = 0.5 * (top[:, 0].min() + top[:, 0].max())
            hip[side] = top[sign * (top[:, 0] - mid) < 0.0].mean(axis=0)
        knee[side] = _knee_centre(femur)
        foot = _body_sites(skeleton, (f"talus_{side[0]}", f"calcn_{side[0]}", f"toes_{side[0]}"))
        talus = _body_sites(skeleton, (f"talus_{side[0]}",))
        if len(foot):
            ground.append(float(foot[:, 2].min()))
        if len(talus):
            ankle[side] = talus.mean(axis=0)
        else:
            # the tibia is about as long as the femur's hip-to-knee length times 0.95
            ankle[side] = knee[side] - np.array([0.0, 0.0, 0.95 * (hip[side][2] - knee[side][2])])
    if ground:
        # foot sites sit on the bones of the sole; the heel pad adds about 12 mm
        ground_z = min(ground) - 12.0
    else:
        # hip-centre height is ~2.2 times the hip-to-knee length in adults
        ground_z = float(np.mean([h[2] for h in hip.values()])) - 2.2 * float(
            np.mean([hip[s][2] - knee[s][2] for s in SIDE_SIGN])
        )
    return Anchors(hip, knee, ankle, ground_z)


#: sagittal tilt (degrees) and antero-posterior shift (mm) of each body's trunk on the skeleton,
#: pinned at the values :func:`fit_trunk` chose for the atlas of session 13 (as the scale is
#: pinned, :data:`BODY_SCALE`). The search scores a stride sample of every inner vertex, so
#: reshaping one deep muscle (its vertex count) resampled the others and could flip a near-tie:
#: widening quadratus lumborum tipped the neutral body from 4 to 6 degrees (its head ~20 mm
#: back), moving every skin landmark and referral zone. Choose again with :func:`fit_trunk`
#: if the skeleton changes; the containment stage still pushes the skin out where needed.
TRUNK_FIT: dict[str, tuple[float, float]] = {
    "neutral": (4.0, 24.0),
    "female": (4.0, 16.0),
    "male": (4.0, 32.0),
}


@dataclass(frozen=True)
class Similarity:
    """x -> scale * R_x(pitch) (x - pivot_src) + pivot_dst, R_x a rotation about the x axis."""

    scale: float
    pitch_deg: float
    pivot_src: np.ndarray
    pivot_dst: np.ndarray

    def rotation(self) -> np.ndarray:
        """Rotation about +x (positive tips the top of the body backwards, towards +y)."""
        a = np.radians(self.pitch_deg)
        c, s = np.cos(a), np.sin(a)
        return np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])

    def apply(self, pts: np.ndarray) -> np.ndarray:
        """Map (n, 3) body points into the atlas frame."""
        return self.scale * (np.asarray(pts) - self.pivot_src) @ self.rotation().T + self.pivot_dst


def initial_similarity(body: Anchors, skel: Anchors, scale: float | None = None) -> Similarity:
    """Put the body's hip midpoint on the skeleton's, scaled by ``scale`` (default: by hip
    height above the ground, which makes every body's legs the skeleton's length)."""
    b_mid = 0.5 * (body.hip["left"] + body.hip["right"])
    s_mid = 0.5 * (skel.hip["left"] + skel.hip["right"])
    if scale is None:
        scale = (s_mid[2] - skel.ground_z) / (b_mid[2] - body.ground_z)
    return Similarity(float(scale), 0.0, b_mid, s_mid)


#: the pelvic region the scale is chosen from: from this far below the hip centres (the distal
#: end of gluteus maximus) to the top of the iliac crests (mm)
PELVIS_BELOW_HIP_MM = 130.0
#: largest local push-out (mm) the containment may add over the pelvis of any body; the
#: scale is the smallest one that keeps every body within it
PELVIS_PUSH_MM = 10.0
#: scales searched (bisection between these), and the resolution of the search
SCALE_RANGE = (0.85, 1.25)
SCALE_STEP = 0.005
#: the body scale every build uses. It is the value :func:`pelvis_scale` chose for the v2 atlas
#: (pelvis, hip muscles and upper femora, 10 mm push-out). It is pinned because the search
#: depends on the muscle shapes: reshaping one muscle by a millimetre moved the scale by a step
#: (1.035-1.050), which resized all three bodies and their posed skin and disturbed unrelated
#: checks (hands against the thighs, the crease in sitting). A muscle change is now absorbed by
#: the local push-out; :data:`PELVIS_PUSH_LIMIT_MM` stops a build whose muscles have outgrown it.
BODY_SCALE = 1.040
#: largest push-out (mm, coarse estimate) the pelvis of any body may need at BODY_SCALE before the
#: build refuses and asks for the scale to be chosen again (``pelvis_scale``)
PELVIS_PUSH_LIMIT_MM = 16.0


def pelvis_points(inner_pts: np.ndarray, skel: Anchors, crest_z: float) -> np.ndarray:
    """Inner (bone and muscle) points of the pelvic region, at most ~8000 of them."""
    hip_z = 0.5 * (skel.hip["left"][2] + skel.hip["right"][2])
    z = inner_pts[:, 2]
    pts = inner_pts[(z > hip_z - PELVIS_BELOW_HIP_MM) & (z < crest_z + 5.0)]
    return pts[:: max(1, len(pts) // 8000)]


def pelvis_push(
    base: trimesh.Trimesh,
    body: Anchors,
    skel: Anchors,
    scale: float,
    fit_pts: np.ndarray,
    pelvis_pts: np.ndarray,
) -> float:
    """Largest push-out (mm) the pelvic region of ``base`` would need at ``scale``.

    The body is placed as the skin stage places it (hips on the skeleton's, the best AP shift
    and tilt on a coarse grid, legs onto the femora), on the coarse base mesh, and the
    shallowest pelvic point's missing depth below the containment margin is returned.
    """
    from tools.atlas_build.skin_contain import MARGIN_MM, OVERSHOOT_MM
    from tools.atlas_build.skin_legs import fit_legs

    sim = initial_similarity(body, skel, scale)
    crotch = crotch_height(sim.apply(base.vertices), float(sim.pivot_dst[0]))
    sim = fit_trunk(
        base, sim, fit_pts, crotch, np.arange(-40.0, 40.1, 8.0), np.arange(-8.0, 8.1, 4.0)
    )
    coarse = trimesh.Trimesh(sim.apply(base.vertices), base.faces, process=False)
    legs = fit_legs(coarse, body, skel, sim)
    placed = trimesh.Trimesh(legs.apply(coarse.vertices), base.faces, process=False)
    depth = depth_inside(placed, pelvis_pts)
    return max(0.0, MARGIN_MM + OVERSHOOT_MM - float(depth.min()))


def pelvis_scale(
    bodies: list[tuple[trimesh.Trimesh, Anchors]],
    skel: Anchors,
    fit_pts: np.ndarray,
    pelvis_pts: np.ndarray,
) -> float:
    """Smallest uniform scale at which every body's pelvis needs at most PELVIS_PUSH_MM.

    A larger body holds the pelvis more easily (the push needed falls with the scale), so a
    bisection finds it; the result is rounded up to SCALE_STEP so it is reproducible.
    """

    def fits(s: float) -> bool:
        return all(
            pelvis_push(base, anchors, skel, s, fit_pts, pelvis_pts) <= PELVIS_PUSH_MM
            for base, anchors in bodies
        )

    lo, hi = SCALE_RANGE
    if not fits(hi):
        return hi
    while hi - lo > SCALE_STEP:
        mid = round(0.5 * (lo + hi) / SCALE_STEP) * SCALE_STEP
        if mid <= lo or mid >= hi:
            break
        lo, hi = (lo, mid) if fits(mid) else (mid, hi)
    return float(hi)


def fit_trunk(
    base: trimesh.Trimesh,
    sim: Similarity,
    inner_pts: np.ndarray,
    crotch_z: float,
    shifts: np.ndarray | None = None,
    pitches: np.ndarray | None = None,
) -> Similarity:
    """Pick the AP shift and sagittal tilt that maximise the inner points' worst clearance.

    Only points above the crotch are scored (the legs are aligned separately). The score is
    the mean depth of the shallowest 2 % of points, so one stray vertex cannot dominate and
    both the back (erector spinae, buttocks) and the front (abdomen) count.
    """
    shifts = np.arange(-40.0, 40.1, 4.0) if shifts is None else shifts
    pitches = np.arange(-8.0, 8.1, 2.0) if pitches is None else pitches
    pts = inner_pts[inner_pts[:, 2] > crotch_z]
    if len(pts) == 0:
        return sim
    best = (-np.inf, sim)
    for pitch in pitches:
        cand = Similarity(sim.scale, float(pitch), sim.pivot_src, sim.pivot_dst)
        surf = trimesh.Trimesh(cand.apply(base.vertices), base.faces, process=False)
        for dy in shifts:
            depth = depth_inside(surf, pts - np.array([0.0, dy, 0.0]), exact_below=20.0)
            k = max(1, len(depth) // 50)
            score = float(np.sort(depth)[:k].mean())
            # prefer the smallest correction among equal scores (determinism, least change)
            score -= 1e-3 * (abs(dy) + abs(pitch))
            if score > best[0]:
                moved = cand.pivot_dst + np.array([0.0, dy, 0.0])
                best = (score, Similarity(cand.scale, cand.pitch_deg, cand.pivot_src, moved))
    return best[1]


def crotch_height(vertices: np.ndarray, centre_x: float) -> float:
    """Height of the perineum: lowest skin point within 10 mm of the midline (legs excluded)."""
    near = vertices[np.abs(vertices[:, 0] - centre_x) < 10.0]
    # the midline strip is the trunk only (legs never cross the midline); take its lowest
    return float(near[:, 2].min())
