"""Where on the screen the drawn body is, so a plate's labels can sit on clear background.

A lecturer found the side plates with an opaque skin writing "Iliac crest (left)" and "ASIS
(left)" over the hand hanging in front of the belly: the label columns keep clear of the
anatomy's box, but a skin drawn over it reaches further (arms and hands held away from the
trunk). :class:`BodyMask` rasterises the projected triangles of everything drawn (the skin's
silhouette included) into a coarse boolean grid; the label layout asks it whether a label box
covers the body (:meth:`BodyMask.covers`), where along a row band the nearest clear stretch of a
given width is (:meth:`BodyMask.clear_x`), and how many times a leader enters the body again
after leaving it (:meth:`BodyMask.reentries`: a leader from the ASIS crossing the hand in front
of it counts one).

Pixels, x to the right, y down; pure NumPy, no Qt or VTK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from viewer.domain.leader_regions import dilate

CELL_PX = 4.0
"""Grid cell size: a finger seen from the side is some 10 px wide on an 800x500 plate."""

EDGE_PX = 6.0
"""The body is grown by this much: a label box touching a fingertip reads as lying on it."""

MAX_SUBDIVISION = 96
"""Most steps a triangle edge is sampled in (a triangle larger than this many cells would be
a mesh no atlas structure has)."""


@dataclass(frozen=True)
class BodyMask:
    """Boolean grid over the viewport: True where something is drawn (grown by ``EDGE_PX``)."""

    grid: NDArray[np.bool_]
    cell: float = CELL_PX

    @classmethod
    def from_triangles(
        cls,
        meshes: Sequence[tuple[NDArray[np.floating], NDArray[np.integer]]],
        viewport: tuple[float, float],
        cell: float = CELL_PX,
        grow: float = EDGE_PX,
    ) -> BodyMask:
        """The grid covered by ``meshes``: each (projected vertices (n, 2) in pixels, triangles
        (m, 3) of vertex indices). Triangles are filled by sampling them at under half a cell,
        so large flat triangles (the skin of the trunk) leave no holes."""
        cols = max(1, int(np.ceil(viewport[0] / cell)))
        rows = max(1, int(np.ceil(viewport[1] / cell)))
        grid = np.zeros((rows, cols), dtype=bool)
        for pixels, faces in meshes:
            p = np.asarray(pixels, dtype=np.float64).reshape(-1, 2) / cell
            f = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
            if not len(p) or not len(f):
                continue
            a, b, c = p[f[:, 0]], p[f[:, 1]], p[f[:, 2]]
            lo = np.minimum(np.minimum(a, b), c)
            hi = np.maximum(np.maximum(a, b), c)
            on = (hi[:, 0] >= 0) & (lo[:, 0] < cols) & (hi[:, 1] >= 0) & (lo[:, 1] < rows)
            a, b, c = a[on], b[on], c[on]
            longest = np.max(
                [np.hypot(*(b - a).T), np.hypot(*(c - b).T), np.hypot(*(a - c).T)], axis=0
            )
            steps = np.clip(np.ceil(2.0 * longest).astype(int), 1, MAX_SUBDIVISION)
            for n in np.unique(steps):
                pick = steps == n
                i, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
                keep = i + j <= n
                u, v = i[keep] / n, j[keep] / n
                w = 1.0 - u - v
                pts = (
                    a[pick][:, None, :] * w[None, :, None]
                    + b[pick][:, None, :] * u[None, :, None]
                    + c[pick][:, None, :] * v[None, :, None]
                ).reshape(-1, 2)
                cc = np.floor(pts[:, 0]).astype(int)
                rr = np.floor(pts[:, 1]).astype(int)
                ok = (cc >= 0) & (cc < cols) & (rr >= 0) & (rr < rows)
                grid[rr[ok], cc[ok]] = True
        return cls(dilate(grid, int(np.ceil(grow / cell))), cell)

    def union(self, other: BodyMask) -> BodyMask:
        """Where either mask is set (same viewport and cell size)."""
        return BodyMask(self.grid | other.grid, self.cell)

    @property
    def _sat(self) -> NDArray[np.int64]:
        """Summed-area table (one row and column of zeros in front)."""
        cached = self.__dict__.get("_sat_cache")
        if cached is None:
            cached = np.zeros((self.grid.shape[0] + 1, self.grid.shape[1] + 1), dtype=np.int64)
            cached[1:, 1:] = self.grid.astype(np.int64).cumsum(0).cumsum(1)
            object.__setattr__(self, "_sat_cache", cached)
        return cached

    def _cells(self, box: Sequence[float]) -> tuple[int, int, int, int]:
        rows, cols = self.grid.shape
        c0 = int(np.clip(np.floor(box[0] / self.cell), 0, cols))
        r0 = int(np.clip(np.floor(box[1] / self.cell), 0, rows))
        c1 = int(np.clip(np.ceil(box[2] / self.cell), 0, cols))
        r1 = int(np.clip(np.ceil(box[3] / self.cell), 0, rows))
        return r0, c0, r1, c1

    def count(self, box: Sequence[float]) -> int:
        """Body cells under ``box`` (x0, y0, x1, y1)."""
        r0, c0, r1, c1 = self._cells(box)
        if r1 <= r0 or c1 <= c0:
            return 0
        s = self._sat
        return int(s[r1, c1] - s[r0, c1] - s[r1, c0] + s[r0, c0])

    def covers(self, box: Sequence[float]) -> bool:
        """True when any of the body lies under ``box``."""
        return self.count(box) > 0

    def clear_x(
        self, y0: float, y1: float, width: float, toward: float, leftward: bool,
        lo: float, hi: float,
    ) -> float | None:
        """Left edge of the box ``width`` wide in the rows ``y0``..``y1`` that is clear of the
        body and nearest ``toward`` on its one side: ending at or left of it (``leftward``) or
        starting at or right of it; the box stays within ``lo``..``hi``. ``None`` when there
        is no such place."""
        r0, _, r1, _ = self._cells((0.0, y0, 0.0, y1))
        cols = self.grid.shape[1]
        busy = self.grid[r0:r1].any(axis=0) if r1 > r0 else np.zeros(cols, dtype=bool)
        need = int(np.ceil(width / self.cell))
        # run[e]: how many clear cells end just before index e (a box of ``need`` cells ending
        # there fits when run[e] >= need).
        k = np.arange(cols)
        last_busy = np.maximum.accumulate(np.where(busy, k, -1))
        run = np.concatenate([[0], k - last_busy])
        if leftward:
            ends = np.arange(1, cols + 1)
            ok = (run[1:] >= need) & (ends * self.cell <= min(toward, hi))
            if not ok.any():
                return None
            x1 = float(ends[ok].max()) * self.cell
            x0 = x1 - width
            return x0 if x0 >= lo else None
        starts = np.arange(0, cols - need + 1)
        ok = (run[starts + need] >= need) & (starts * self.cell >= max(toward, lo))
        if not ok.any():
            return None
        x0 = float(starts[ok].min()) * self.cell
        return x0 if x0 + width <= hi else None

    def reentries(self, start: Sequence[float], end: Sequence[float]) -> int:
        """How many times the segment ``start``-``end`` comes onto the body after having been
        off it (a leader from a landmark runs off the body once; crossing a hand on the way to
        its label counts one)."""
        length = float(np.hypot(end[0] - start[0], end[1] - start[1]))
        n = max(2, int(np.ceil(length / (self.cell / 2.0))) + 1)
        t = np.linspace(0.0, 1.0, n)
        xs = start[0] + t * (end[0] - start[0])
        ys = start[1] + t * (end[1] - start[1])
        rows, cols = self.grid.shape
        c = np.floor(xs / self.cell).astype(int)
        r = np.floor(ys / self.cell).astype(int)
        ok = (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
        on = np.zeros(n, dtype=bool)
        on[ok] = self.grid[r[ok], c[ok]]
        return int(((~on[:-1]) & on[1:]).sum())
