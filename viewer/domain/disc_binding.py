"""Intervertebral discs follow the two vertebrae they join.

A disc is bound to the two bones nearest to it (the vertebra above and the one below, or L5
and the sacrum): each vertex blends from the lower bone to the upper one by its relative
distance to them, so the face on the lower endplate moves with the lower bone, the face on
the upper endplate with the upper one, and the wall between bends as the segment flexes or
extends. The blend is dual-quaternion skinning (:mod:`viewer.domain.skinning`), like the
muscles', which keeps the disc from shrinking toward the segment's centre of rotation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from viewer.domain.skinning import Binding

if TYPE_CHECKING:
    from scipy.spatial import cKDTree


def bind_disc(points: NDArray[np.floating], trees: Mapping[str, cKDTree]) -> Binding:
    """Binding of a disc's vertices to its two nearest bones (lower first, then upper).

    The two bones are those with the smallest median distance to the disc's vertices; which
    is lower is decided by height (z). Raises ``ValueError`` with fewer than two bones.
    """
    p = np.asarray(points, dtype=np.float64)
    if len(trees) < 2:
        raise ValueError("a disc needs two bones to bind to")
    dist = {b: np.asarray(t.query(p)[0], dtype=np.float64) for b, t in sorted(trees.items())}
    near = sorted(dist, key=lambda b: float(np.median(dist[b])))[:2]
    lower, upper = sorted(near, key=lambda b: float(np.median(trees[b].data[:, 2])))
    d_lo, d_up = dist[lower], dist[upper]
    w_up = d_lo / np.maximum(d_lo + d_up, 1e-9)
    w_up = w_up * w_up * (3.0 - 2.0 * w_up)  # each face sits firmly on its own endplate
    weights = np.c_[1.0 - w_up, w_up]
    return Binding((lower, upper), weights, w_up)
