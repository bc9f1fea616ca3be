"""Atlas frame: LPS millimetres, origin at the midpoint of the two hip-joint centres.

myo-sim is already LPS in metres, so the conversion is a translation and a scale; per-bone
re-seating (skeleton.py) is applied on top of it in the atlas frame.
"""

from __future__ import annotations

import numpy as np

MM_PER_M = 1000.0


def myosim_to_atlas(points_m: np.ndarray, origin_m: np.ndarray) -> np.ndarray:
    """Map myo-sim world metres to atlas millimetres given the atlas origin in myo-sim metres."""
    return (np.asarray(points_m, dtype=np.float64) - origin_m) * MM_PER_M


def apply_transform(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a 4x4 homogeneous (similarity) transform to an (n, 3) or (3,) array."""
    pts = np.asarray(points, dtype=np.float64)
    return pts @ matrix[:3, :3].T + matrix[:3, 3]
