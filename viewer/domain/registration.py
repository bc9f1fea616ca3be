"""Similarity registration of imported anatomy onto the atlas (pure NumPy/SciPy).

Imported data sets (BodyParts3D, Slicer segmentations, other atlases) come from other people and
other scanners: a different size, position, and sometimes a different axis convention. A
similarity transform (rotation, uniform scale, translation) is what the atlas frame needs: a
uniform scale keeps shapes, and the pelvis (hip bones + sacrum) is the best-defined rigid set in
the region, so it is registered onto the atlas pelvis and the result applied to every structure.

The fit is an iterative closest point loop with three guards that make it robust:

- correspondences both ways (imported -> atlas and atlas -> imported), so the scale cannot shrink
  the import into a corner of the atlas surface (one-way ICP with scale tends to);
- trimming: each iteration uses only the closest ``keep`` fraction of pairs, so pieces the atlas
  lacks (a coccyx, a longer iliac crest) do not pull the fit;
- a start from each of the 24 axis-aligned rotations when the frame is unknown, keeping the one
  with the smallest residual, so LPS, RAS, Y-up or any other axis convention is found.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Similarity:
    """``x -> scale * rotation @ x + translation`` (points as rows: ``s * X @ R.T + t``)."""

    rotation: Array
    scale: float
    translation: Array

    @staticmethod
    def identity() -> Similarity:
        """The transform that changes nothing."""
        return Similarity(np.eye(3), 1.0, np.zeros(3))

    def apply(self, points: NDArray[np.floating]) -> Array:
        """Transform (n, 3) points."""
        pts = np.asarray(points, dtype=np.float64)
        return np.asarray(self.scale * pts @ self.rotation.T + self.translation)

    def then(self, other: Similarity) -> Similarity:
        """This transform followed by ``other``."""
        return Similarity(
            other.rotation @ self.rotation,
            other.scale * self.scale,
            other.scale * other.rotation @ self.translation + other.translation,
        )

    def matrix(self) -> Array:
        """The 4x4 homogeneous matrix."""
        m = np.eye(4)
        m[:3, :3] = self.scale * self.rotation
        m[:3, 3] = self.translation
        return m


FRAMES: dict[str, Array] = {
    "LPS": np.eye(3),
    "RAS": np.diag([-1.0, -1.0, 1.0]),
    "Y-up": np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]),
}
"""Named axis conventions -> the rotation that takes their coordinates to LPS.

``Y-up`` is glTF's (and many tools'): +x = subject's left, +y = superior, +z = anterior.
"""


def frame_name(rotation: Array) -> str:
    """The name of an axis-aligned rotation if it is a known convention, else its axes."""
    for name, m in FRAMES.items():
        if np.allclose(rotation, m, atol=1e-6):
            return name
    axes = []
    for row in np.rint(rotation).astype(int):
        j = int(np.flatnonzero(row)[0]) if row.any() else 0
        axes.append(("+" if row[j] > 0 else "-") + "xyz"[j])
    return "axes (" + ", ".join(axes) + ") -> (L, P, S)"


def axis_rotations() -> list[Array]:
    """The 24 proper rotations that map coordinate axes onto coordinate axes."""
    out = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1.0, -1.0), repeat=3):
            m = np.zeros((3, 3))
            for i, j in enumerate(perm):
                m[i, j] = signs[i]
            if np.linalg.det(m) > 0:
                out.append(m)
    # Known conventions first, so a tie keeps the conventional reading.
    named = list(FRAMES.values())
    rest = [m for m in out if not any(np.allclose(m, n) for n in named)]
    return named + rest


def fit_similarity(
    src: NDArray[np.floating],
    dst: NDArray[np.floating],
    weights: NDArray[np.floating] | None = None,
) -> Similarity:
    """Least-squares similarity taking ``src`` rows onto ``dst`` rows (Umeyama 1991).

    Umeyama, "Least-squares estimation of transformation parameters between two point
    patterns", IEEE TPAMI 13(4), 1991: the rotation from the SVD of the cross-covariance, with a
    sign fix so it is never a reflection, and the scale from the singular values.
    """
    a = np.asarray(src, dtype=np.float64)
    b = np.asarray(dst, dtype=np.float64)
    w = np.ones(len(a)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    ca, cb = w @ a, w @ b
    a0, b0 = a - ca, b - cb
    cov = (b0 * w[:, None]).T @ a0
    u, sv, vt = np.linalg.svd(cov)
    d = np.ones(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[2] = -1.0
    rot = u @ np.diag(d) @ vt
    var_a = float(w @ (a0**2).sum(axis=1))
    scale = float((sv * d).sum() / var_a) if var_a > 0 else 1.0
    return Similarity(rot, scale, cb - scale * rot @ ca)


@dataclass(frozen=True)
class Registration:
    """The result of :func:`register`: the transform and how well it fits.

    ``residual_mm`` is the root mean square distance (atlas mm) from the closest ``keep``
    fraction of the transformed imported points to the nearest atlas vertex, ``median_mm`` the
    median over all imported points, ``frame`` the axis convention found for the import.
    """

    transform: Similarity
    residual_mm: float
    median_mm: float
    frame: str


def _subsample(points: Array, n: int, seed: int = 0) -> Array:
    if len(points) <= n:
        return points
    rng = np.random.default_rng(seed)
    return points[np.sort(rng.choice(len(points), n, replace=False))]


def _icp(
    src: Array,
    dst: Array,
    dst_tree: object,
    start: Similarity,
    iterations: int,
    keep: float,
) -> tuple[Similarity, float]:
    from scipy.spatial import cKDTree

    current = start
    error = np.inf
    tree_b = dst_tree
    for _ in range(iterations):
        moved = current.apply(src)
        d_ab, i_ab = tree_b.query(moved)  # type: ignore[attr-defined]
        tree_a = cKDTree(moved)
        d_ba, i_ba = tree_a.query(dst)
        pairs_src = np.vstack([src, src[i_ba]])
        pairs_dst = np.vstack([dst[i_ab], dst])
        dist = np.concatenate([d_ab, d_ba])
        cut = np.quantile(dist, keep)
        mask = dist <= cut
        step = fit_similarity(pairs_src[mask], pairs_dst[mask])
        new_error = float(np.sqrt(np.mean(dist[mask] ** 2)))
        current = step
        if abs(error - new_error) < 1e-3 * max(new_error, 1e-9):
            error = new_error
            break
        error = new_error
    return current, error


def register(
    moving: NDArray[np.floating],
    fixed: NDArray[np.floating],
    rotations: list[Array] | None = None,
    keep: float = 0.9,
    sample: int = 1500,
    refine_sample: int = 12000,
) -> Registration:
    """Register point set ``moving`` (any frame, any unit) onto ``fixed`` (atlas mm).

    Parameters
    ----------
    moving : (n, 3) imported points (e.g. the imported pelvis vertices)
    fixed : (m, 3) atlas points (e.g. the atlas pelvis vertices)
    rotations : starting rotations to try (default: all 24 axis-aligned ones); pass one
        (``[FRAMES["RAS"]]``) when the user names the frame
    keep : fraction of closest pairs each iteration uses (trimmed ICP)
    sample : points of each set (uniform random, seeded) used to try the start rotations
    refine_sample : points of each set used to refine the best start; sampling noise of the
        correspondences is what limits the accuracy far from the pelvis (the femur's far end)
    """
    from scipy.spatial import cKDTree

    src = _subsample(np.asarray(moving, dtype=np.float64), sample, 1)
    dst = _subsample(np.asarray(fixed, dtype=np.float64), sample, 2)
    tree = cKDTree(dst)
    c_src, c_dst = src.mean(axis=0), dst.mean(axis=0)
    r_src = float(np.sqrt(((src - c_src) ** 2).sum(axis=1).mean()))
    r_dst = float(np.sqrt(((dst - c_dst) ** 2).sum(axis=1).mean()))
    scale0 = r_dst / r_src if r_src > 0 else 1.0
    candidates = rotations if rotations is not None else axis_rotations()
    scored: list[tuple[float, int, Similarity]] = []
    for index, rot in enumerate(candidates):
        start = Similarity(rot, scale0, c_dst - scale0 * rot @ c_src)
        fitted, err = _icp(src, dst, tree, start, iterations=12, keep=keep)
        scored.append((err, index, fitted))
    scored.sort(key=lambda item: (item[0], item[1]))
    _, best_index, best = scored[0]
    src = _subsample(np.asarray(moving, dtype=np.float64), refine_sample, 3)
    dst = _subsample(np.asarray(fixed, dtype=np.float64), refine_sample, 4)
    best, _ = _icp(src, dst, cKDTree(dst), best, iterations=40, keep=keep)
    # Report in the frame the start rotation names (the fit itself is free to rotate further).
    frame = frame_name(candidates[best_index])
    # Residuals against every atlas vertex, not the sample, so vertex spacing does not inflate them.
    all_moved = best.apply(np.asarray(moving, dtype=np.float64))
    d_all = surface_distance(all_moved, fixed)
    kept = np.sort(d_all)[: max(1, int(keep * len(d_all)))]
    residual = float(np.sqrt(np.mean(kept**2)))
    return Registration(best, residual, float(np.median(d_all)), frame)


def surface_distance(
    points: NDArray[np.floating], surface_points: NDArray[np.floating]
) -> NDArray[np.float64]:
    """Distance from each point to the nearest surface vertex (mm): cheap and good enough to
    tell a well-placed structure (a few mm) from a flipped one (centimetres)."""
    from scipy.spatial import cKDTree

    tree = cKDTree(np.asarray(surface_points, dtype=np.float64))
    d, _ = tree.query(np.asarray(points, dtype=np.float64))
    return np.asarray(d, dtype=np.float64)
