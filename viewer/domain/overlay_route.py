"""Keep pair-view arrows, arcs and course lines off the trigger-point X's, on screen.

Arrows and X markers share the overlay layer: an arc drawn across an X hid the very point a
reader was meant to press (pair view 4), and an X on an arrow's head hid which way it turns.
The render layer projects each candidate drawing of an arrow into display pixels; here the
candidate that touches no marker box is chosen (else the one touching fewest), and a thin
course line is broken where it passes under a marker, as a line passes behind a label.

Pure NumPy: the camera and the boxes come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in display pixels."""

ROUTE_PAD_PX = 4.0
"""Clearance kept between a drawn arrow (its tube's edge) and a marker's box."""


def densify(points: NDArray[np.floating], step: float) -> NDArray[np.float64]:
    """The polyline ``points`` (k, d) resampled so no two samples are more than ``step`` apart."""
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) < 2:
        same: NDArray[np.float64] = pts.copy()
        return same
    # All segments at once (one arc has ~24, a pair view's candidates ~2000): segment k gets
    # n_k samples at t = i / n_k, i = 1 .. n_k, computed as np.linspace(0, 1, n_k + 1)[1:]
    # does (i * (1 / n_k), the last exactly 1), so the samples are the same to the bit.
    delta = np.diff(pts, axis=0)
    n = np.maximum(1, np.ceil(np.sqrt(np.einsum("ij,ij->i", delta, delta)) / step)).astype(np.int64)
    seg = np.repeat(np.arange(len(delta)), n)
    ends = np.cumsum(n)
    i = np.arange(1, int(ends[-1]) + 1) - np.repeat(ends - n, n)
    t = i * np.repeat(1.0 / n, n)
    t[ends - 1] = 1.0
    out = np.empty((len(t) + 1, pts.shape[1]))
    out[0] = pts[0]
    out[1:] = pts[:-1][seg] + t[:, None] * delta[seg]
    return out


def inside_boxes(
    pixels: NDArray[np.floating], boxes: Sequence[Box], pad: float | NDArray[np.floating]
) -> NDArray[np.bool_]:
    """For each pixel point (k, 2): does it lie in a box grown by ``pad`` on every side?
    (``pad`` may be one per point: an arrow is wider at its head than along its shaft.)"""
    p = np.asarray(pixels, dtype=np.float64).reshape(-1, 2)
    hit = np.zeros(len(p), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        hit |= (
            (p[:, 0] >= x0 - pad)
            & (p[:, 0] <= x1 + pad)
            & (p[:, 1] >= y0 - pad)
            & (p[:, 1] <= y1 + pad)
        )
    return hit


def hits(
    pixels: NDArray[np.floating], boxes: Sequence[Box], pad: float | NDArray[np.floating]
) -> int:
    """How many of the points lie on a (grown) marker box."""
    return int(inside_boxes(pixels, boxes, pad).sum())


def clear_runs(inside: NDArray[np.bool_], min_len: int = 2) -> list[tuple[int, int]]:
    """Runs ``(start, stop)`` (stop exclusive) of consecutive ``False`` samples at least
    ``min_len`` long: the pieces of a line drawn with gaps where it would pass under a box."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, covered in enumerate(np.asarray(inside, dtype=bool)):
        if not covered and start is None:
            start = i
        elif covered and start is not None:
            if i - start >= min_len:
                runs.append((start, i))
            start = None
    if start is not None and len(inside) - start >= min_len:
        runs.append((start, len(inside)))
    return runs


def along(path: NDArray[np.floating], distance: float) -> NDArray[np.float64]:
    """The point ``distance`` mm along the polyline ``path`` from its first point (clamped)."""
    pts = np.asarray(path, dtype=np.float64)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    d = float(np.clip(distance, 0.0, s[-1]))
    i = int(np.clip(np.searchsorted(s, d, side="right") - 1, 0, len(seg) - 1))
    t = 0.0 if seg[i] <= 0 else (d - s[i]) / seg[i]
    out: NDArray[np.float64] = pts[i] + t * (pts[i + 1] - pts[i])
    return out


def inside_polygon(
    points: NDArray[np.floating], polygon: NDArray[np.floating]
) -> NDArray[np.bool_]:
    """For each point (k, 2): does it lie inside ``polygon`` (m, 2), closed from its last
    point back to its first (even-odd rule)? A ring's 260° arc closed by its chord is the
    area a reader sees it circle: a joint dot in there reads as the joint it turns."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    v = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    if len(v) < 3 or not len(p):
        return np.zeros(len(p), dtype=bool)
    a, b = v, np.roll(v, -1, axis=0)
    px, py = p[:, 0:1], p[:, 1:2]
    straddles = (a[None, :, 1] > py) != (b[None, :, 1] > py)
    dy = np.where(b[:, 1] == a[:, 1], 1e-12, b[:, 1] - a[:, 1])
    x_cross = a[None, :, 0] + (py - a[None, :, 1]) * (b[None, :, 0] - a[None, :, 0]) / dy[None, :]
    crossings = (straddles & (px < x_cross)).sum(axis=1)
    out: NDArray[np.bool_] = crossings % 2 == 1
    return out


def first_best(n: int, criteria: Sequence[Callable[[int], float]]) -> int:
    """The candidate ``0 .. n-1`` whose criteria, compared in order, are least (ties go to the
    lowest index): the same pick as ``min`` over tuples of every criterion, but each criterion
    is worked out only for the candidates still tied after the ones before it. Routing a
    pair view's rings ranks some 300 candidates by nine criteria; most fall at the first few."""
    alive = list(range(n))
    for criterion in criteria:
        if len(alive) <= 1:
            break
        values = [criterion(k) for k in alive]
        least = min(values)
        alive = [k for k, v in zip(alive, values, strict=True) if v == least]
    return alive[0] if alive else 0
