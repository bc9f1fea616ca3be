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
measured through), so the correction leaves the centroids, and hence the lengths, in place.
Where a sharply bent muscle folds into itself (the inner side of the groin in deep flexion) the
slices cannot see the loss; with the mesh's triangles the volume is measured and the remainder
made up across the whole muscle. All of it is a few vectorised passes over the vertices, cheap
enough for every frame of a slider drag.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

VOLUME_BINS = 24
"""Slices along the fibre coordinate whose centroids make the centre line."""

STRETCH_LIMITS: tuple[float, float] = (0.4, 2.5)
"""Local stretch ratios beyond these are taken as these (guards against degenerate slices)."""


GLOBAL_LIMITS: tuple[float, float] = (0.8, 1.25)
"""Bounds of the whole-muscle cross-section correction that makes up for folds."""

STRETCH_WINDOW = 2
"""Slices either side of a slice over which its stretch is measured. A slice centroid is the
mean of the vertices that fall in it, so it wanders with the mesh's sampling by a few mm: on
tensor fasciae latae's full mesh the standing centre line zigzags by up to 49 degrees from one
slice to the next, and sitting shortened one such 7 mm step to 45 % while its neighbours kept
75-80 %. Scaled by that one step alone, the slice swelled 1.49-fold between neighbours at
1.1-1.2: a collar round the inner corner of the bend. Five slices (about a fifth of the
muscle) average that wander out and still follow the stretch along the muscle."""


def _window_chords(centres: NDArray[np.float64], half: int) -> NDArray[np.float64]:
    """Length of the chord from the slice centre ``half`` slices before each slice to the one
    ``half`` after it (clamped at the ends).

    A chord, not the sum of the segments between: the centroids wander across the muscle with
    its sampling, and a sum of segments counts that wander as length. On a decimated mesh it
    counts much more of it: the light tensor fasciae latae, a flat sheet whose decimation
    leaves a few large triangles across its middle, zigzags so that its standing centre line
    measured 220 mm against the full mesh's 163 (both 155 mm end to end), and as the zigzag
    straightened in sitting it hid the shortening: with the slices alone the light mesh kept
    83 % of its volume, the full one 91 %; the measured fold correction made up the rest
    uniformly, scaled about the zigzag centre line, and put a kink into the light mesh that the
    full one does not have. The chord reads the muscle's course, not its sampling: the two
    meshes now keep 91 and 92 %. Where the muscle bends within the five slices the chord is a
    little shorter than the arc (2 % for a 40-degree turn), so there it thickens a little
    more."""
    n = len(centres)
    i = np.arange(n)
    before = centres[np.maximum(i - half, 0)]
    after = centres[np.minimum(i + half, n - 1)]
    return np.asarray(np.sqrt(np.einsum("ij,ij->i", after - before, after - before)))


def enclosed_volume(points: NDArray[np.float64], triangles: NDArray[np.int64]) -> float:
    """Signed volume (mm^3) of a closed, outward-oriented triangle mesh (divergence theorem)."""
    x, y, z = points[:, 0], points[:, 1], points[:, 2]
    i, j, k = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    bx, by, bz, cx, cy, cz = x[j], y[j], z[j], x[k], y[k], z[k]
    det = x[i] * (by * cz - bz * cy) + y[i] * (bz * cx - bx * cz) + z[i] * (bx * cy - by * cx)
    return float(det.sum() / 6.0)


class VolumeKeeper:
    """What :func:`keep_volume` needs of one mesh's standing shape, worked out once.

    Per frame it is then one small sparse product (the slice centroids) and a few vectorised
    passes over the vertices.

    Parameters
    ----------
    rest : (n, 3) the muscle's standing vertices
    fibre : (n,) fibre coordinate of each vertex in [0, 1] (the binding's)
    triangles : (m, 3) the mesh's triangles, when known: the volume is then also measured and
        the remainder made up across the whole muscle (:data:`GLOBAL_LIMITS`)
    """

    def __init__(
        self,
        rest: NDArray[np.floating],
        fibre: NDArray[np.floating],
        triangles: NDArray[np.integer] | None = None,
        n_bins: int = VOLUME_BINS,
    ) -> None:
        p0 = np.asarray(rest, dtype=np.float64)
        self._triangles = None if triangles is None else np.asarray(triangles, dtype=np.int64)
        self._volume0 = 0.0 if self._triangles is None else enclosed_volume(p0, self._triangles)
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
        k = np.minimum(u.astype(np.int64), len(present) - 2)
        f = u - k
        # Linear interpolation between slice centres as one dense (n, m) product: m is a few
        # dozen, and one matrix product beats a handful of gathers per frame.
        self._blend = np.zeros((n, len(present)))
        self._blend[np.arange(n), k] = 1.0 - f
        self._blend[np.arange(n), k + 1] += f
        self._chord0 = np.maximum(_window_chords(self._mean @ p0, STRETCH_WINDOW), 1e-9)

    def apply(self, posed: NDArray[np.floating]) -> NDArray[np.float64]:
        """Posed vertices with each cross-section scaled by ``sqrt(L0 / L)``."""
        p1 = np.asarray(posed, dtype=np.float64)
        if not self.usable:
            return p1
        c1 = self._mean @ p1
        d1 = np.diff(c1, axis=0)
        seg1 = np.sqrt(np.einsum("ij,ij->i", d1, d1))
        unit = d1 / np.maximum(seg1, 1e-9)[:, None]
        # Tangent at each slice centre (mean of its two segments), blended between centres so
        # that it turns smoothly along the muscle: a kinked centre line must not tear it.
        nodes = np.empty((len(unit) + 1, 3))
        nodes[0] = unit[0]
        nodes[-1] = unit[-1]
        nodes[1:-1] = 0.5 * (unit[:-1] + unit[1:])
        # Stretch at each slice centre: the chord between the slices STRETCH_WINDOW either side
        # of it, posed against standing (see _window_chords).
        lo, hi = STRETCH_LIMITS
        per_slice = np.empty((len(c1), 7))
        per_slice[:, :3] = c1
        per_slice[:, 3:6] = nodes
        stretch = _window_chords(c1, STRETCH_WINDOW) / self._chord0
        per_slice[:, 6] = 1.0 / np.sqrt(np.clip(stretch, lo, hi))
        at = self._blend @ per_slice
        centre, tangent, scale = at[:, :3], at[:, 3:6], at[:, 6:]
        tangent /= np.maximum(np.sqrt(np.einsum("ij,ij->i", tangent, tangent)), 1e-9)[:, None]
        along = np.einsum("ij,ij->i", p1 - centre, tangent)[:, None] * tangent
        base = centre + along
        out = base + (p1 - base) * scale  # = centre + along + (offset - along) * scale
        if self._triangles is not None and self._volume0 > 0.0:
            # What the slices cannot see: where a sharply bent muscle folds into itself (the
            # inner side of the groin in deep flexion) the surface overlaps and volume is lost.
            # Make it up across the whole muscle, measured on the mesh itself.
            volume = enclosed_volume(out, self._triangles)
            if volume > 0.0:
                lo, hi = GLOBAL_LIMITS
                more = float(np.clip(np.sqrt(self._volume0 / volume), lo, hi))
                out = base + (out - base) * more
        return np.asarray(out)


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
    return VolumeKeeper(rest, fibre, None, n_bins).apply(posed)
