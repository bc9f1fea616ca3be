"""Smooth draping of a flat muscle sheet (gluteus maximus) over what lies beneath it.

Each fibre of a muscle is draped on its own (muscles._drape): it is lifted out of the bone and
the deeper muscles it crosses and smoothed along its length only. For a thick, wide sheet that
leaves neighbouring fibres at different heights wherever one of them crosses a local obstacle
(the ischial tuberosity, the room kept for the short rotators, the edge of gluteus medius), and
the union of their tubes shows every such lift as a bump on the outer surface. A real gluteus
maximus bridges such obstacles: its fascia-covered outer surface stays smooth and gently convex.

So the lift of the sheet (draped minus straight fibre position) is treated as one field over the
whole sheet: it is spread by a Gaussian over neighbouring fibres (normalised convolution on a
coarse voxel grid), the result is pushed back above the obstacles, and the two steps are
repeated. The result is the smooth lowest surface that clears every obstacle: local lifts
become broad, low domes and the sheet keeps its hugged origin where it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage

#: spacing (mm) of the grid the lift field is smoothed on
GRID_MM = 3.0
#: points (2 mm apart) over which a fibre end blends from its own drape into the sheet's: short
#: (16 mm), so the fibres leaving the sacrum join the smooth sheet soon after their origin
ENDS_PTS = 8.0


def _spread(points: np.ndarray, values: np.ndarray, sigma_mm: float) -> np.ndarray:
    """Gaussian-weighted mean of ``values`` (n, k) around each point (normalised convolution)."""
    lo = points.min(axis=0) - 3.0 * sigma_mm
    idx = np.floor((points - lo) / GRID_MM).astype(int)
    shape = tuple(int(v) for v in idx.max(axis=0) + int(np.ceil(3.0 * sigma_mm / GRID_MM)) + 2)
    flat = np.ravel_multi_index(idx.T, shape)
    n = int(np.prod(shape))
    s = sigma_mm / GRID_MM
    w = ndimage.gaussian_filter(np.bincount(flat, minlength=n).reshape(shape).astype(float), s)
    out = np.empty_like(values)
    frac = (points - lo) / GRID_MM
    for k in range(values.shape[1]):
        acc = np.bincount(flat, weights=values[:, k], minlength=n).reshape(shape)
        g = ndimage.gaussian_filter(acc, s) / np.maximum(w, 1e-9)
        out[:, k] = ndimage.map_coordinates(g, frac.T, order=1, mode="nearest")
    return out


def drape_sheet(
    straight: list[np.ndarray],
    draped: list[np.ndarray],
    want: list[np.ndarray],
    hug: list[np.ndarray],
    dist: Callable[[np.ndarray], np.ndarray],
    normal: Callable[[np.ndarray], np.ndarray],
    sigma_mm: float,
    rounds: int = 8,
) -> list[np.ndarray]:
    """Fibre centre lines of a sheet whose lift over its support varies smoothly across it.

    ``straight`` and ``draped`` are each fibre's points before and after its own draping,
    ``want`` the distance each point's centre must keep from the support, ``hug`` how strongly
    it hugs it (1 at a hugged origin, where the individual drape is kept). ``dist`` and
    ``normal`` measure the support. Returns the new centre lines (same point counts).
    """
    counts = [len(p) for p in straight]
    s0 = np.vstack(straight)
    lift = np.vstack(draped) - s0
    need = np.concatenate(want)
    # a fibre's two ends stay where its own drape left them (on their attachments), with the
    # sheet's lift fading in over the first and last ENDS_PTS points
    ends = []
    for n in counts:
        k = np.arange(n)
        ends.append(np.clip(1.0 - np.minimum(k, n - 1 - k) / ENDS_PTS, 0.0, 1.0))
    w = np.maximum(np.concatenate(hug), np.concatenate(ends))[:, None]
    fixed = lift.copy()
    for _ in range(rounds):
        lift = w * fixed + (1.0 - w) * _spread(s0, lift, sigma_mm)
        p = s0 + lift
        for _ in range(3):  # back above the obstacles (only ever outwards)
            short = np.maximum(need - dist(p), 0.0)
            p = p + (1.0 - w) * short[:, None] * normal(p)
        lift = p - s0
    out = np.split(s0 + lift, np.cumsum(counts)[:-1])
    for q in out:  # and smooth along each fibre, as the single-fibre drape does (ends kept)
        for _ in range(3):
            q[1:-1] = 0.5 * q[1:-1] + 0.25 * (q[:-2] + q[2:])
    return out
