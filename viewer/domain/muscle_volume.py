"""Posed muscles keep their volume: each cross-section thins as its stretch of muscle lengthens.

Skinning moves every vertex rigidly with a blend of its bones, so a muscle stretched across a
flexed hip keeps its thickness while it gets longer, and its volume grows with its length
(gluteus maximus by ~50 % in sitting); a shortened one loses volume. Muscle is nearly
incompressible: its fibres keep their volume as they lengthen and shorten (Baskin & Paolini,
"Volume change and pressure development in muscle during contraction", Am J Physiol 213(4),
1967, found changes well under 0.1 %). So after skinning, each slice of the muscle along its
fibre coordinate is scaled about the muscle's centre line, across the line only, by
``sqrt(L0 / L)``, where ``L0 / L`` is how much that stretch of the centre line shortened or
lengthened: area times length stays as it was.

The centre line is the chain of slice centroids (the same slices the muscle's length is
measured through), so the correction leaves the centroids, and hence the lengths, in place. It
is a few vectorised passes over the vertices, cheap enough for every frame of a slider drag.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

VOLUME_BINS = 24
"""Slices along the fibre coordinate whose centroids make the centre line."""

STRETCH_LIMITS: tuple[float, float] = (0.4, 2.5)
"""Local stretch ratios beyond these are taken as these (guards against degenerate slices)."""


class VolumeKeeper:
    """What :func:`keep_volume` needs of one mesh's standing shape, worked out once.

    Per frame it is then one small sparse product (the slice centroids) and a few vectorised
    passes over the vertices.

    Parameters
    ----------
    rest : (n, 3) the muscle's standing vertices
    fibre : (n,) fibre coordinate of each vertex in [0, 1] (the binding's)
    """

    def __init__(
        self, rest: NDArray[np.floating], fibre: NDArray[np.floating], n_bins: int = VOLUME_BINS
    ) -> None:
        p0 = np.asarray(rest, dtype=np.float64)
        t = np.asarray(fibre, dtype=np.float64)
        n = len(p0)
        bins = np.minimum((t * n_bins).astype(np.int64), n_bins - 1)
        # Only slices that hold vertices make the centre line; renumber them 0 .. m - 1.
        present = np.flatnonzero(np.bincount(bins, minlength=n_bins) > 0)
        self.usable = n > 0 and len(present) >= 3
        if not self.usable:
            return
        slot = np.full(n_bins, -1, dtype=np.int64)
        slot[present] = np.arange(len(present))
        rows = slot[bins]
        counts = np.bincount(rows, minlength=len(present)).astype(np.float64)
        # Dense: a few dozen rows, and a dense product beats a sparse one's call overhead.
        self._mean = np.zeros((len(present), n))
        self._mean[rows, np.arange(n)] = 1.0 / counts[rows]
        # Each vertex's place between the centres of the slices either side of it.
        centres = (present + 0.5) / n_bins
        u = np.interp(t, centres, np.arange(len(present), dtype=np.float64))
        self._k = np.minimum(u.astype(np.int64), len(present) - 2)
        self._f = (u - self._k)[:, None]
        seg0 = np.linalg.norm(np.diff(self._mean @ p0, axis=0), axis=1)
        half0 = np.concatenate([seg0[:1], seg0]) + np.concatenate([seg0, seg0[-1:]])
        self._half0 = np.maximum(half0, 1e-9)

    def apply(self, posed: NDArray[np.floating]) -> NDArray[np.float64]:
        """Posed vertices with each cross-section scaled by ``sqrt(L0 / L)``."""
        p1 = np.asarray(posed, dtype=np.float64)
        if not self.usable:
            return p1
        c1 = self._mean @ p1
        d1 = np.diff(c1, axis=0)
        seg1 = np.sqrt(np.einsum("ij,ij->i", d1, d1))
        tangents = d1 / np.maximum(seg1, 1e-9)[:, None]
        # Stretch at each slice centre: its two half-segments, posed against standing.
        half1 = np.empty(len(seg1) + 1)
        half1[:-1] = seg1
        half1[-1] = seg1[-1]
        half1[1:] += seg1
        half1[0] += seg1[0]
        lo, hi = STRETCH_LIMITS
        scale_at = 1.0 / np.sqrt(np.clip(half1 / self._half0, lo, hi))
        k, f = self._k, self._f
        centre = c1[k] + d1[k] * f
        scale = (scale_at[k] + (scale_at[k + 1] - scale_at[k]) * f[:, 0])[:, None]
        tangent = tangents[k]
        along = np.einsum("ij,ij->i", p1 - centre, tangent)[:, None] * tangent
        # centre + along + (offset - along) * scale, with offset = p1 - centre
        return np.asarray(p1 * scale + (centre + along) * (1.0 - scale))


def keep_volume(
    rest: NDArray[np.floating],
    posed: NDArray[np.floating],
    fibre: NDArray[np.floating],
    n_bins: int = VOLUME_BINS,
) -> NDArray[np.float64]:
    """Posed vertices with each cross-section scaled by ``sqrt(L0 / L)`` about the centre line
    (one-off use; a renderer keeps a :class:`VolumeKeeper` per mesh).

    Parameters
    ----------
    rest : (n, 3) the muscle's standing vertices
    posed : (n, 3) the same vertices after skinning
    fibre : (n,) fibre coordinate of each vertex in [0, 1] (the binding's)
    """
    return VolumeKeeper(rest, fibre, n_bins).apply(posed)
