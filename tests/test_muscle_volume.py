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


def test_one_slice_sampled_off_centre_does_not_pinch_the_muscle() -> None:
    """A slice whose vertices crowd onto one side (as a decimated mesh's can) has its centroid
    off the axis, and the centre line zigzags there (tensor fasciae latae's full mesh: up to 49
    degrees between slices). Shortened, that zigzag step keeps its sideways part and seems to
    shorten less than the muscle: measured on that one step, the slice was scaled less than its
    neighbours, a ring pinched round the muscle (on the sitting tensor fasciae latae,
    a collar round the inner corner of its bend). Measured over neighbouring slices too
    (STRETCH_WINDOW), the rings thicken within a few per cent of each other."""
    points, _, fibre = _cylinder()
    z = 50.0  # crowd 30 extra vertices onto one side of the slice at mid-length
    extra = np.column_stack([np.full(30, 10.0), np.zeros(30), np.linspace(z - 1.5, z + 1.5, 30)])
    points = np.vstack([points, extra])
    fibre = np.concatenate([fibre, extra[:, 2] / 100.0])
    posed = points * [1.0, 1.0, 0.6]
    kept = keep_volume(points, posed, fibre)
    rings, ring_z = kept[:-32], points[:-32, 2]  # the cylinder's rings, caps excluded
    # each ring's width across the crowding (y): how much it was scaled, wherever the slice's
    # centre lies. Measured on the one step: 11 % narrower than the rest (15 % less scaling);
    # over five slices: 6 %, spread over the rings that share the step.
    width = np.array([np.ptp(rings[ring_z == zi, 1]) for zi in np.unique(ring_z)])
    assert width.min() / width.max() > 0.92, width.round(2)
