"""Bring MakeHuman's legs onto the skeleton's femora and shins.

MakeHuman stands with its feet apart (knees ~340 mm apart) while the atlas skeleton's legs hang
straight (knees ~150 mm apart). Each horizontal slice of a leg is shifted sideways and forwards
as a whole, by an amount that grows from zero at the hip-joint height (like an adduction about
the hip) to what carries the body's knee and ankle onto the skeleton's; the thigh's length
follows the femur with a monotone remap of height, the shank keeps the body's own. Shifting
slices whole keeps every cross-section's shape (no squashed knees). Near the midline the shift
fades out, so the trunk is untouched there, the map stays one-to-one, and the thighs can never
pass through each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.interpolate import PchipInterpolator
from scipy.ndimage import gaussian_filter1d

from tools.atlas_build.skin_fit import SIDE_SIGN, Anchors, Similarity, crotch_height

#: skin-to-skin gap kept between the two legs when they are brought together (mm)
LEG_GAP_MM = 4.0
#: width (mm) of the zone next to the midline over which the leg shift fades in
BLEND_MM = 50.0
#: largest shift per blend width that keeps the blended map one-to-one (smoothstep slope 1.5)
MONOTONE = 0.55
#: Gaussian smoothing (sigma, mm of height) of the leg shift profile
SMOOTH_MM = 40.0


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
    # the thigh is stretched or shortened onto the femur (hip to knee); the shank and foot keep
    # the body's own (scaled) length and just move with the knee: the skeleton has no tibia, so
    # nothing below the knee would justify changing the body's stature there
    dk = kz_s - kz_b
    hz_src = np.array([az_b - 200.0, az_b, kz_b, top, hip_z + 150.0])
    hz_dst = np.array([az_b - 200.0 + dk, az_b + dk, kz_s, top, hip_z + 150.0])
    height = PchipInterpolator(hz_src, hz_dst, extrapolate=True)
    return LegWarp(centre_x, float(zs[0]), shift_x, shift_y, inner_f, height)
