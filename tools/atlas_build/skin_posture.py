"""Posture correction: a forward/backward shift of each horizontal slice of the trunk.

MakeHuman's lumbar curve need not match the atlas spine's. Where the back muscles sit too close
behind the body's back surface and the abdomen has room to spare (or the reverse), moving the
whole slice changes the posture a little instead of inflating one side. Whatever clearance is
still missing afterwards is added by :mod:`skin_contain`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.interpolate import PchipInterpolator
from scipy.ndimage import gaussian_filter1d, grey_dilation
from scipy.spatial import cKDTree

from tools.atlas_build.skin_contain import depth_inside

#: clearance (mm) the posture shift aims for, its largest shift and its smoothing (mm)
TARGET_DEPTH_MM = 8.0
MAX_POSTURE_SHIFT_MM = 25.0
POSTURE_SMOOTH_MM = 40.0
#: distance from the midline (mm) over which the shift fades out, so the arms stay put
ARM_FADE_MM = (190.0, 260.0)


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
