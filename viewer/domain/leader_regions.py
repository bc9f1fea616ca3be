"""Where on the screen the picture's subject muscles are, so a label's leader can keep off them.

A leader that must move (an X marker sits in its way) used to cross to the far column whatever
lay between: pair view 6's L2-L3 name went left across the psoas and the quadratus lumborum, the
two muscles the view is about. :class:`LeaderRegions` rasterises each subject muscle's screen
footprint into a coarse grid of bit flags (one bit per muscle); :meth:`LeaderRegions.crosses`
says whether a leader runs over a muscle its anchor is not on. A leader always crosses the
muscle its anchor sits on (a joint on the psoas), so that one does not count; a leader that
already crossed another muscle where the layout first put it (a hip joint behind the iliopsoas,
seen from the side) may still move along that muscle, just not onto a further one.

Pixels, y down; pure NumPy, no Qt or VTK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CELL_PX = 6.0
"""Grid cell size: fine enough to follow a muscle's edge, coarse enough that the points
sampled over a muscle leave no holes."""

ANCHOR_REACH_PX = 10.0
"""A muscle whose footprint comes this close to the anchor counts as the anchor's own (a joint
dot drawn on the border between two muscles belongs to both)."""

STEP_PX = 3.0
"""Spacing of the points tested along a leader."""

EDGE_PX = 6.0
"""Footprints are grown by this much (a leader grazing a muscle's edge reads as crossing it)."""

MAX_REGIONS = 62
"""At most this many muscles are told apart (one bit each in an int64 grid)."""


@dataclass(frozen=True)
class LeaderRegions:
    """Bit-flag grid over the viewport: bit ``k`` of a cell is set where muscle ``k`` covers it."""

    bits: NDArray[np.int64]
    cell: float = CELL_PX

    @classmethod
    def from_points(
        cls,
        regions: Sequence[NDArray[np.floating]],
        viewport: tuple[float, float],
        cell: float = CELL_PX,
        grow: float = EDGE_PX,
    ) -> LeaderRegions:
        """The grid for ``regions`` (each an (n, 2) array of a muscle's projected points in
        pixels, densely sampled), each cell grown by ``grow`` pixels."""
        cols = max(1, int(np.ceil(viewport[0] / cell)))
        rows = max(1, int(np.ceil(viewport[1] / cell)))
        bits = np.zeros((rows, cols), dtype=np.int64)
        reach = int(np.ceil(grow / cell))
        for k, pts in enumerate(regions[:MAX_REGIONS]):
            p = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
            if not len(p):
                continue
            c = np.floor(p[:, 0] / cell).astype(int)
            r = np.floor(p[:, 1] / cell).astype(int)
            ok = (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
            mask = np.zeros((rows, cols), dtype=bool)
            mask[r[ok], c[ok]] = True
            mask = dilate(mask, reach)
            bits[mask] |= np.int64(1) << np.int64(k)
        return cls(bits, cell)

    def _at(self, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.int64]:
        rows, cols = self.bits.shape
        c = np.clip(np.floor(xs / self.cell).astype(int), 0, cols - 1)
        r = np.clip(np.floor(ys / self.cell).astype(int), 0, rows - 1)
        inside = (xs >= 0) & (ys >= 0) & (xs < cols * self.cell) & (ys < rows * self.cell)
        return np.where(inside, self.bits[r, c], 0)

    def own(self, anchor: tuple[float, float], reach: float = ANCHOR_REACH_PX) -> int:
        """Bit flags of the muscles within ``reach`` pixels of ``anchor``."""
        ax, ay = anchor
        offsets = np.arange(-reach, reach + 1e-9, self.cell / 2.0)
        gx, gy = np.meshgrid(ax + offsets, ay + offsets)
        near = np.hypot(gx - ax, gy - ay) <= reach
        flags = self._at(gx[near], gy[near])
        return int(np.bitwise_or.reduce(flags)) if len(flags) else 0

    def foreign(self, start: tuple[float, float], end: tuple[float, float]) -> int:
        """Bit flags of the muscles the leader ``start`` (its anchor) to ``end`` runs over that
        are not the anchor's own (0: it crosses none)."""
        length = float(np.hypot(end[0] - start[0], end[1] - start[1]))
        n = max(2, int(np.ceil(length / STEP_PX)) + 1)
        t = np.linspace(0.0, 1.0, n)
        flags = self._at(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
        return int(np.bitwise_or.reduce(flags)) & ~self.own(start)

    def crosses(self, start: tuple[float, float], end: tuple[float, float]) -> bool:
        """True when the leader runs over a muscle that is not its anchor's own."""
        return self.foreign(start, end) != 0


def dilate(mask: NDArray[np.bool_], reach: int) -> NDArray[np.bool_]:
    """``mask`` grown by ``reach`` cells in each direction (a square neighbourhood)."""
    out = mask.copy()
    rows, cols = mask.shape
    for dr in range(-reach, reach + 1):
        for dc in range(-reach, reach + 1):
            if dr == 0 and dc == 0:
                continue
            src = mask[max(0, -dr) : rows - max(0, dr), max(0, -dc) : cols - max(0, dc)]
            out[max(0, dr) : rows - max(0, -dr), max(0, dc) : cols - max(0, -dc)] |= src
    return np.asarray(out, dtype=bool)
