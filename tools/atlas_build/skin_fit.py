"""Register the MakeHuman skin onto the atlas skeleton (before the containment correction).

Three steps, each a plain point map so the same fit applies to the coarse base mesh (used for
the fast search) and to the refined skin:

1. **Similarity** - scale by standing height (hip-centre height above the ground, the only
   stature measure both sources share), centre the hips, and choose the antero-posterior shift
   and the sagittal tilt that best centre the trunk's bones and muscles inside the body.
2. **Leg alignment** - MakeHuman stands with its feet apart (knees ~ 340 mm apart) while the
   skeleton's legs hang straight (knees ~ 150 mm apart). Each horizontal slice of a leg is
   shifted as a whole, by an amount that is zero at the crotch and grows to carry the body's
   knee and ankle onto the skeleton's; lengths are matched with a monotone map of height.
   Shifting slices whole keeps every cross-section's shape (no squashed knees) and, because the
   shift never exceeds the gap between the legs, the thighs cannot pass through each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import trimesh
from scipy.interpolate import PchipInterpolator
from scipy.ndimage import gaussian_filter1d, grey_dilation
from scipy.spatial import cKDTree

from tools.atlas_build.skin_contain import depth_inside

if TYPE_CHECKING:
    from tools.atlas_build.skeleton import Skeleton

SIDE_SIGN = {"left": 1.0, "right": -1.0}
#: MakeHuman joint-marker names for the anchors we use
MH_JOINT = {"hip": "{s}-upper-leg", "knee": "{s}-knee", "ankle": "{s}-ankle"}
#: skin-to-skin gap kept between the two legs when they are brought together (mm)
LEG_GAP_MM = 4.0
#: width (mm) of the zone next to the midline over which the leg shift fades in
BLEND_MM = 50.0
#: largest shift per blend width that keeps the blended map one-to-one (smoothstep slope 1.5)
MONOTONE = 0.55
#: Gaussian smoothing (sigma, mm of height) of the leg shift profile
SMOOTH_MM = 40.0
#: posture correction: clearance it aims for, its largest shift and its smoothing (mm)
TARGET_DEPTH_MM = 8.0
MAX_POSTURE_SHIFT_MM = 25.0
POSTURE_SMOOTH_MM = 40.0
#: distance from the midline (mm) over which the posture shift fades out (arms excluded)
ARM_FADE_MM = (190.0, 260.0)


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
            top = femur.vertices[femur.vertices[:, 2] > femur.vertices[:, 2].max() - 40.0]
            hip[side] = top[np.argmin(sign * top[:, 0])]
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


def initial_similarity(body: Anchors, skel: Anchors) -> Similarity:
    """Scale by hip height above the ground; put the body's hip midpoint on the skeleton's."""
    b_mid = 0.5 * (body.hip["left"] + body.hip["right"])
    s_mid = 0.5 * (skel.hip["left"] + skel.hip["right"])
    scale = (s_mid[2] - skel.ground_z) / (b_mid[2] - body.ground_z)
    return Similarity(float(scale), 0.0, b_mid, s_mid)


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


@dataclass(frozen=True)
class LegWarp:
    """Per-height sideways/forward shift of each leg plus a monotone remap of height.

    A point at height z and distance r = |x - centre_x| from the midline moves sideways by
    ``shift_x(z) * w`` (towards the midline when negative) and forwards by ``shift_y(z) * w``,
    with ``w = smoothstep((r - inner(z)) / BLEND_MM)``. ``inner(z)`` sits just inside the gap
    between the legs, so every point of a leg below the crotch gets w = 1 (its cross-section
    moves rigidly), while across the trunk, where r reaches 0, the weight fades to nothing at
    the midline and keeps the map continuous and one-to-one.
    """

    centre_x: float
    top_z: float
    shift_x: PchipInterpolator
    shift_y: PchipInterpolator
    inner: PchipInterpolator
    height: PchipInterpolator

    def apply(self, pts: np.ndarray) -> np.ndarray:
        """Warp (n, 3) atlas-frame points; points above ``top_z`` are left unchanged."""
        out = np.array(pts, dtype=np.float64, copy=True)
        sel = out[:, 2] < self.top_z
        z = out[sel, 2]
        rel = out[sel, 0] - self.centre_x
        t = np.clip((np.abs(rel) - self.inner(z)) / BLEND_MM, 0.0, 1.0)
        w = t * t * (3.0 - 2.0 * t)
        out[sel, 0] += np.sign(rel) * self.shift_x(z) * w
        out[sel, 1] += self.shift_y(z) * w
        out[sel, 2] = self.height(z)
        return out


def _leg_slices(
    mesh: trimesh.Trimesh, centre_x: float, zs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leg cross-section centre (|x|, y) and inner gap (min |x|) at each height.

    Exact plane sections of the surface; both legs are pooled through |x| (the body is
    symmetric), only sections below the crotch are asked for, and the arms never reach there.
    """
    cx, cy, gap = [], [], []
    for z in zs:
        seg = trimesh.intersections.mesh_plane(mesh, [0.0, 0.0, 1.0], [0.0, 0.0, z])
        pts = seg.reshape(-1, 3)
        xs, ys = np.abs(pts[:, 0] - centre_x), pts[:, 1]
        cx.append(0.5 * (xs.min() + xs.max()))
        cy.append(0.5 * (ys.min() + ys.max()))
        gap.append(xs.min())
    return np.array(cx), np.array(cy), np.array(gap)


def fit_legs(mesh: trimesh.Trimesh, body: Anchors, skel: Anchors, sim: Similarity) -> LegWarp:
    """Build the leg warp for a body surface already mapped by ``sim`` (atlas frame).

    The shift grows linearly from zero at the body's hip-joint height (like an adduction about
    the hip) to the value that carries the body's knee slice centre onto the skeleton's knee
    centre, then to the ankle's; below the ankle the foot moves with it. Both sides use the
    mean of the skeleton's left and mirrored right, so the body stays symmetric. Where the legs
    are close (near the crotch) the sideways shift is capped so that the map stays one-to-one
    and the thighs never pass through each other.
    """
    centre_x = float(sim.pivot_dst[0])
    top = crotch_height(mesh.vertices, centre_x)
    hip_z = float(np.mean([sim.apply(body.hip[s][None])[0, 2] for s in SIDE_SIGN]))
    hip_z = max(hip_z, top + 20.0)
    kz_b = float(np.mean([sim.apply(body.knee[s][None])[0, 2] for s in SIDE_SIGN]))
    az_b = float(np.mean([sim.apply(body.ankle[s][None])[0, 2] for s in SIDE_SIGN]))
    kz_s = float(np.mean([skel.knee[s][2] for s in SIDE_SIGN]))
    az_s = float(np.mean([skel.ankle[s][2] for s in SIDE_SIGN]))
    k_x = float(np.mean([abs(skel.knee[s][0] - centre_x) for s in SIDE_SIGN]))
    a_x = float(np.mean([abs(skel.ankle[s][0] - centre_x) for s in SIDE_SIGN]))
    k_y = float(np.mean([skel.knee[s][1] for s in SIDE_SIGN]))
    a_y = float(np.mean([skel.ankle[s][1] for s in SIDE_SIGN]))

    (kcx, acx), (kcy, acy), _ = _leg_slices(mesh, centre_x, np.array([kz_b, az_b]))
    # shift profile on a 5 mm grid of body heights: 0 down to the hip, then linear to the
    # knee value, the ankle value, constant below (the foot moves with the ankle)
    zs = np.arange(hip_z + 150.0, az_b - 200.0, -5.0)
    prof_z = [az_b, kz_b, hip_z]
    sx = np.interp(zs, prof_z, [a_x - acx, k_x - kcx, 0.0])
    sy = np.interp(zs, prof_z, [a_y - acy, k_y - kcy, 0.0])

    legs = (zs < top - 1.0) & (zs >= az_b)
    gap = np.zeros(len(zs))
    _, _, gap[legs] = _leg_slices(mesh, centre_x, zs[legs])
    gap[zs < az_b] = gap[legs][-1]
    inner = np.maximum(gap - BLEND_MM, 0.0)
    # leg points move rigidly; where the blend reaches the midline, keep the map monotone
    limit = np.maximum(np.where(inner > 0.0, gap - LEG_GAP_MM, 0.0), MONOTONE * BLEND_MM)
    sx = np.maximum(sx, -limit)
    # smooth in height: kinks in the shift would show as shading creases across the thigh
    sigma = SMOOTH_MM / 5.0
    sx = gaussian_filter1d(sx, sigma, mode="nearest")
    sy = gaussian_filter1d(sy, sigma, mode="nearest")
    inner = gaussian_filter1d(inner, sigma, mode="nearest")

    asc = slice(None, None, -1)  # PCHIP wants increasing knots
    shift_x = PchipInterpolator(zs[asc], sx[asc])
    shift_y = PchipInterpolator(zs[asc], sy[asc])
    inner_f = PchipInterpolator(zs[asc], inner[asc])
    hz_src = np.array([az_b - 200.0, az_b, kz_b, top, hip_z + 150.0])
    hz_dst = np.array([az_s - 200.0, az_s, kz_s, top, hip_z + 150.0])
    height = PchipInterpolator(hz_src, hz_dst, extrapolate=True)
    return LegWarp(centre_x, float(zs[0]), shift_x, shift_y, inner_f, height)


@dataclass(frozen=True)
class TrunkShift:
    """Forward/backward shift of each horizontal slice of the trunk (a posture correction).

    MakeHuman's lumbar curve need not match the atlas spine's: where the back muscles sit
    behind the body's back surface and the abdomen has room to spare (or the reverse), moving
    the whole slice changes the posture a little instead of inflating one side. The arms are
    excluded by a weight that fades out between ``ARM_FADE_MM`` from the midline.
    """

    centre_x: float
    shift_y: PchipInterpolator
    z_range: tuple[float, float]

    def apply(self, pts: np.ndarray) -> np.ndarray:
        """Shift (n, 3) points in y by the profile at their height (arms excluded)."""
        out = np.array(pts, dtype=np.float64, copy=True)
        z = np.clip(out[:, 2], *self.z_range)
        r = np.abs(out[:, 0] - self.centre_x)
        t = np.clip((ARM_FADE_MM[1] - r) / (ARM_FADE_MM[1] - ARM_FADE_MM[0]), 0.0, 1.0)
        out[:, 1] += self.shift_y(z) * t * t * (3.0 - 2.0 * t)
        return out


def fit_trunk_profile(skin: trimesh.Trimesh, inner_pts: np.ndarray, centre_x: float) -> TrunkShift:
    """Per-height AP shift that lifts back (or front) clearance to TARGET_DEPTH_MM if the
    other side can spare it; dilated and smoothed in height so the posture change is gentle.
    """
    depth = depth_inside(skin, inner_pts)
    _, near = cKDTree(skin.vertices).query(inner_pts)
    ny = np.asarray(skin.vertex_normals)[near, 1]
    order = np.argsort(inner_pts[:, 2], kind="stable")
    pz, depth, ny = inner_pts[order, 2], depth[order], ny[order]
    back_d = np.where(ny > 0.5, depth, np.inf)
    front_d = np.where(ny < -0.5, depth, np.inf)
    zs = np.arange(pz[0] - 200.0, pz[-1] + 200.0, 5.0)
    starts = np.searchsorted(pz, zs - 10.0)
    stops = np.searchsorted(pz, zs + 10.0)
    shift = np.zeros(len(zs))
    for i, (a, e) in enumerate(zip(starts, stops, strict=True)):
        if e <= a:
            continue
        b, f = float(back_d[a:e].min()), float(front_d[a:e].min())
        if b < TARGET_DEPTH_MM:
            shift[i] = min(TARGET_DEPTH_MM - b, max(0.0, f - TARGET_DEPTH_MM))
        elif f < TARGET_DEPTH_MM:
            shift[i] = -min(TARGET_DEPTH_MM - f, max(0.0, b - TARGET_DEPTH_MM))
    shift = np.clip(shift, -MAX_POSTURE_SHIFT_MM, MAX_POSTURE_SHIFT_MM)
    # keep each peak's size (dilate by magnitude, sign preserved) before smoothing
    width = round(2.0 * POSTURE_SMOOTH_MM / 5.0) | 1
    pos = grey_dilation(np.maximum(shift, 0.0), size=width)
    neg = grey_dilation(np.maximum(-shift, 0.0), size=width)
    sigma = POSTURE_SMOOTH_MM / 5.0
    smooth = gaussian_filter1d(pos - neg, sigma, mode="constant")
    return TrunkShift(centre_x, PchipInterpolator(zs, smooth), (float(zs[0]), float(zs[-1])))
