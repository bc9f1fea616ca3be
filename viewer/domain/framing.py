"""Fit a perspective camera to a set of points: everything in frame, nothing wasted.

Framing by a bounding sphere crops long, thin subjects seen along a diagonal (psoas from T12 to
the femur) or leaves half the frame empty. Here every point is projected for the chosen viewing
direction and the camera is placed at the smallest distance that keeps all of them inside the
frame, with a margin, optionally keeping a band at the top free for a title and key.

Pure NumPy: the renderer turns the result into a VTK camera.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from viewer.domain.camera import CameraPose


def fit_pose(
    points: NDArray[np.floating],
    direction: Sequence[float],
    view_up: Sequence[float],
    view_angle_deg: float,
    aspect: float,
    fill: float = 0.9,
    top_free: float = 0.0,
) -> CameraPose:
    """The pose looking along ``-direction`` (camera at focus + distance * direction) that fits.

    ``view_angle_deg`` is the vertical field of view, ``aspect`` width / height; ``fill`` is the
    share of the frame the points may use (0.9: 5 % margin each side); ``top_free`` is the share
    of the frame height kept empty at the top (for a title and key).
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if not len(pts):
        raise ValueError("no points to frame")
    d = np.asarray(direction, dtype=np.float64)
    d = d / float(np.linalg.norm(d))
    up = np.asarray(view_up, dtype=np.float64)
    up = up - (up @ d) * d
    up = up / float(np.linalg.norm(up))
    right = np.cross(up, d)  # camera looks along -d: right = up x d (screen x)
    ty = math.tan(math.radians(view_angle_deg) / 2)
    tx = ty * aspect
    x, y, z = pts @ right, pts @ up, pts @ d
    cx, cy = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    cz = (z.min() + z.max()) / 2
    usable_y = fill * (1.0 - top_free)
    usable_x = fill
    # A point at depth z (toward the camera) at lateral offset u needs distance >= z + u / t.
    need_x = (z - cz) + np.abs(x - cx) / (tx * usable_x)
    need_y = (z - cz) + np.abs(y - cy) / (ty * usable_y)
    distance = float(max(need_x.max(), need_y.max(), 1.0))
    # Shift the picture down by half the free band: the focus moves up in the image's frame.
    shift = top_free * ty * distance
    center = cx * right + cy * up + cz * d + shift * up
    position = center + distance * d
    return CameraPose(
        (float(position[0]), float(position[1]), float(position[2])),
        (float(center[0]), float(center[1]), float(center[2])),
        (float(up[0]), float(up[1]), float(up[2])),
    )
