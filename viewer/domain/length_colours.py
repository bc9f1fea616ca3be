"""Colour for a muscle's length change: blue = shortened, orange = lengthened, grey = unchanged.

A diverging scale between two Okabe-Ito colours (blue #0072B2, orange #E69F00), which stay
distinct under every common colour-vision deficiency and differ in lightness, through a neutral
grey, on a square-root scale that saturates at :data:`FULL_SCALE_PCT`.
"""

from __future__ import annotations

import math

from viewer.domain.palette import OKABE_ITO
from viewer.domain.structures import hex_to_rgb

FULL_SCALE_PCT = 25.0
"""A change of this many percent (or more) gets the full colour."""

NEUTRAL = "#c8c8c8"
SHORT = OKABE_ITO["blue"]
LONG = OKABE_ITO["orange"]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(255 * min(1.0, max(0.0, c))):02x}" for c in rgb)


def length_colour(change_pct: float) -> str:
    """``#rrggbb`` for a length change in percent (negative = shortened)."""
    # Square-root scale: the few-percent changes of a pelvic tilt still show, 25 % saturates.
    f = max(-1.0, min(1.0, change_pct / FULL_SCALE_PCT))
    f = math.copysign(math.sqrt(abs(f)), f)
    end = hex_to_rgb(SHORT if f < 0 else LONG)
    mid = hex_to_rgb(NEUTRAL)
    a = abs(f)
    r, g, b = (m + (e - m) * a for m, e in zip(mid, end, strict=True))
    return _hex((r, g, b))
