"""Dashed lines as segments, shared by the posture guides (3D, mm) and the thigh sketch (2D,
pixels)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def dashed(
    a: NDArray[np.float64], b: NDArray[np.float64], dash: float = 12.0, gap: float = 8.0
) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Segments of a dashed line from ``a`` to ``b``: ``dash`` long, ``gap`` apart (same units
    as the points), the last dash cut at ``b``."""
    length = float(np.linalg.norm(b - a))
    if length <= 0.0:
        return []
    unit = (b - a) / length
    out = []
    t = 0.0
    while t < length:
        out.append((a + unit * t, a + unit * min(length, t + dash)))
        t += dash + gap
    return out
