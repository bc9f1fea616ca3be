"""Colour-blind-safe colours and the checks that keep paired colours readable.

Pair views paint two muscles in two colours. Roughly one man in twelve has a red-green colour
vision deficiency and handouts are often printed in greyscale, so two colours only count as a
usable pair when they stay apart (a) for normal vision, (b) under simulated protanopia,
deuteranopia and tritanopia, and (c) in lightness alone. The checks are plain NumPy so the loader
can reject a badly chosen pair before anything is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

OKABE_ITO: Mapping[str, str] = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
    }
)
"""The Okabe–Ito palette (Okabe & Ito 2008), designed to be distinguishable with any common CVD."""

TOL_MUTED: Mapping[str, str] = MappingProxyType(
    {
        "indigo": "#332288",
        "cyan": "#88CCEE",
        "teal": "#44AA99",
        "green": "#117733",
        "olive": "#999933",
        "sand": "#DDCC77",
        "rose": "#CC6677",
        "wine": "#882255",
        "purple": "#AA4499",
    }
)
"""Paul Tol's "muted" qualitative scheme (Tol, "Colour Schemes", SRON/EPS/TN/09-002, 2021),
also designed for colour-blind readers. Used where a picture needs a pair of colours that is
neither Okabe–Ito blue nor orange: those mean shortened and lengthened in the length colouring,
so every pair view (left vs right with one side tight, and side A vs side B) paints its sides
wine and teal."""

MARKER_INK = "#000000"
"""Every trigger-point X, whatever its muscle: black on a pale box, the classic chart mark.

One colour with a stated meaning (the legend says "X trigger point"), where colours per muscle
were unexplained and collided with pair colours (Okabe–Ito blue and orange) and zone reds. Black
stays apart from all of those for normal vision, every simulated dichromacy and in greyscale
(tested); the pale box keeps it legible on the dark and projector themes."""

# Linear-RGB simulation matrices for complete dichromacy (Machado, Oliveira & Fernandes 2009,
# severity 1.0). Each row sums to one, so white and greys are unchanged.
CVD_MATRICES: Mapping[str, NDArray[np.float64]] = MappingProxyType(
    {
        "protanopia": np.array(
            [
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ]
        ),
        "deuteranopia": np.array(
            [
                [0.367322, 0.860646, -0.227968],
                [0.280085, 0.672501, 0.047413],
                [-0.011820, 0.042940, 0.968881],
            ]
        ),
        "tritanopia": np.array(
            [
                [1.255528, -0.076749, -0.178779],
                [-0.078411, 0.930809, 0.147602],
                [0.004733, 0.691367, 0.303900],
            ]
        ),
    }
)

MIN_DELTA_E = 20.0
"""Smallest CIE76 colour difference two paired colours may have, in every vision simulation."""

MIN_DELTA_LIGHTNESS = 20.0
"""Smallest CIE L* (0–100) difference, so the two sides stay apart in a greyscale print."""

_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def parse_hex(value: str) -> NDArray[np.float64]:
    """``#rrggbb`` → sRGB floats in [0, 1], shape (3,); ``ValueError`` for anything else."""
    text = value.strip().lstrip("#")
    if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise ValueError(f"colour {value!r} is not of the form #rrggbb")
    return np.array([int(text[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])


def srgb_to_linear(rgb: NDArray[np.float64]) -> NDArray[np.float64]:
    """Undo the sRGB transfer curve (shape preserved)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    out: NDArray[np.float64] = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return out


def relative_luminance(color: str) -> float:
    """WCAG relative luminance Y in [0, 1] of a ``#rrggbb`` colour."""
    return float(_SRGB_TO_XYZ[1] @ srgb_to_linear(parse_hex(color)))


def contrast_ratio(color_a: str, color_b: str) -> float:
    """WCAG contrast ratio (1–21) between two colours; greyscale separation in one number."""
    ya, yb = relative_luminance(color_a), relative_luminance(color_b)
    hi, lo = max(ya, yb), min(ya, yb)
    return (hi + 0.05) / (lo + 0.05)


def _lab_from_linear(linear: NDArray[np.float64]) -> NDArray[np.float64]:
    xyz = (_SRGB_TO_XYZ @ np.clip(linear, 0.0, 1.0)) / _WHITE_D65
    eps = 216.0 / 24389.0
    kappa = 24389.0 / 27.0
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16.0) / 116.0)
    return np.array([116.0 * f[1] - 16.0, 500.0 * (f[0] - f[1]), 200.0 * (f[1] - f[2])])


def lab(color: str, vision: str = "normal") -> NDArray[np.float64]:
    """CIE L*a*b* (D65) of a colour as seen with ``vision`` (normal or a key of CVD_MATRICES)."""
    linear = srgb_to_linear(parse_hex(color))
    if vision != "normal":
        linear = CVD_MATRICES[vision] @ linear
    return _lab_from_linear(linear)


def lightness(color: str) -> float:
    """CIE L* (0 black … 100 white): what a greyscale print keeps of a colour."""
    return float(lab(color)[0])


def delta_e(color_a: str, color_b: str, vision: str = "normal") -> float:
    """CIE76 colour difference between two colours under a vision type."""
    return float(np.linalg.norm(lab(color_a, vision) - lab(color_b, vision)))


@dataclass(frozen=True)
class PairContrast:
    """How far apart two colours stay: the worst ΔE over vision types and the L* gap."""

    min_delta_e: float
    worst_vision: str
    delta_lightness: float

    @property
    def ok(self) -> bool:
        """True when both the colour and the greyscale differences clear their margins."""
        return self.min_delta_e >= MIN_DELTA_E and self.delta_lightness >= MIN_DELTA_LIGHTNESS


def pair_contrast(color_a: str, color_b: str) -> PairContrast:
    """Measure two colours under normal vision, each dichromacy, and in greyscale."""
    visions = ("normal", *CVD_MATRICES)
    diffs = {v: delta_e(color_a, color_b, v) for v in visions}
    worst = min(diffs, key=lambda v: diffs[v])
    return PairContrast(diffs[worst], worst, abs(lightness(color_a) - lightness(color_b)))


def is_safe_palette(color: str) -> bool:
    """True when the colour is one of the colour-blind-safe palettes here (Okabe–Ito, Tol)."""
    c = color.strip().upper()
    return is_okabe_ito(c) or c in {v.upper() for v in TOL_MUTED.values()}


def is_okabe_ito(color: str) -> bool:
    """True when the colour is one of the Okabe–Ito palette (case-insensitive)."""
    return color.strip().upper() in {c.upper() for c in OKABE_ITO.values()}
