"""Does a line segment pass through an axis-aligned box? (any number of dimensions)

One slab test (Liang-Barsky clipping) serves the label layout's leaders against X boxes on
screen and the depth probe's rays against structures' bounds in 3D.
"""

from __future__ import annotations

from collections.abc import Sequence


def segment_crosses_box(
    start: Sequence[float], end: Sequence[float], lows: Sequence[float], highs: Sequence[float]
) -> bool:
    """True when some point of the segment ``start``-``end`` lies inside the box whose corners
    are ``lows`` and ``highs`` (one value per axis): the segment's parameter range inside every
    pair of slabs is not empty."""
    t0, t1 = 0.0, 1.0
    for s, e, lo, hi in zip(start, end, lows, highs, strict=True):
        d = e - s
        if abs(d) < 1e-12:
            if s < lo or s > hi:
                return False
            continue
        a, b = (lo - s) / d, (hi - s) / d
        if a > b:
            a, b = b, a
        t0, t1 = max(t0, a), min(t1, b)
        if t0 > t1:
            return False
    return True
