"""Volume keeping on a synthetic muscle: a closed cylinder stretched or squashed along its axis
(as skinning does: rigid pieces, thickness kept) gets its cross-section scaled back so that its
volume stays, standing is left untouched, and the centre line does not move."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.domain.muscle_volume import VolumeKeeper, enclosed_volume, keep_volume


def _cylinder(
    radius: float = 10.0, length: float = 100.0, rings: int = 41, around: int = 24
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closed cylinder along z (points, outward triangles, fibre coordinate in [0, 1])."""
    z = np.linspace(0.0, length, rings)
    a = np.linspace(0.0, 2 * np.pi, around, endpoint=False)
    ring = np.stack([radius * np.cos(a), radius * np.sin(a)], 1)
    pts = [np.column_stack([ring, np.full(around, zi)]) for zi in z]
    points = np.vstack([*pts, [[0.0, 0.0, 0.0]], [[0.0, 0.0, length]]])
    bottom, top = len(points) - 2, len(points) - 1
    tris = []
    for r in range(rings - 1):
        for i in range(around):
            a0, a1 = r * around + i, r * around + (i + 1) % around
            b0, b1 = a0 + around, a1 + around
            tris += [[a0, a1, b1], [a0, b1, b0]]
    for i in range(around):
        tris.append([bottom, (i + 1) % around, i])
        last = (rings - 1) * around
        tris.append([top, last + i, last + (i + 1) % around])
    fibre = np.clip(points[:, 2] / length, 0.0, 1.0)
    return points, np.asarray(tris), fibre


def test_cylinder_is_closed_and_outward() -> None:
    points, tris, _ = _cylinder()
    assert enclosed_volume(points, tris) == pytest.approx(np.pi * 100 * 100, rel=0.02)


def test_standing_is_left_as_it_is() -> None:
    points, tris, fibre = _cylinder()
    np.testing.assert_allclose(VolumeKeeper(points, fibre, tris).apply(points), points, atol=1e-9)


@pytest.mark.parametrize("factor", [0.6, 1.5, 2.0])
def test_a_stretched_or_squashed_cylinder_keeps_its_volume(factor: float) -> None:
    points, tris, fibre = _cylinder()
    v0 = enclosed_volume(points, tris)
    posed = points * [1.0, 1.0, factor]  # what rigid skinning does: longer, as thick
    assert enclosed_volume(posed, tris) / v0 == pytest.approx(factor, rel=0.01)
    kept = keep_volume(points, posed, fibre)  # slices only, no triangles needed
    assert enclosed_volume(kept, tris) / v0 == pytest.approx(1.0, abs=0.05)
    radius = np.hypot(kept[:-2, 0], kept[:-2, 1])
    assert radius.mean() == pytest.approx(10.0 / np.sqrt(factor), rel=0.03)
    np.testing.assert_allclose(kept[:, 2], posed[:, 2], atol=1e-6)  # only across the axis


def test_a_stretch_in_one_part_thins_that_part() -> None:
    """Only the upper half is stretched: only it gets thinner."""
    points, _, fibre = _cylinder()
    posed = points.copy()
    upper = points[:, 2] > 50
    posed[upper, 2] = 50 + 2.0 * (points[upper, 2] - 50)
    kept = keep_volume(points, posed, fibre)
    radius = np.hypot(kept[:, 0], kept[:, 1])
    ring = np.abs(radius) > 1.0
    assert radius[ring & (points[:, 2] < 30)].mean() == pytest.approx(10.0, rel=0.03)
    assert radius[ring & (points[:, 2] > 70)].mean() == pytest.approx(10.0 / np.sqrt(2), rel=0.05)


def test_measured_correction_makes_up_what_the_slices_miss() -> None:
    """A squash across the axis (which the slices cannot see) is made up when the triangles
    are known, within the correction's bounds."""
    points, tris, fibre = _cylinder()
    v0 = enclosed_volume(points, tris)
    posed = points * [0.9, 0.9, 1.0]
    assert enclosed_volume(VolumeKeeper(points, fibre).apply(posed), tris) / v0 < 0.85
    kept = VolumeKeeper(points, fibre, tris).apply(posed)
    assert enclosed_volume(kept, tris) / v0 == pytest.approx(1.0, abs=0.01)
