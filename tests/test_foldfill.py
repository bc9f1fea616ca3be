"""Zones are measured on the skin with its narrow folds filled: the fold's floor rises, skin
that is not in a fold stays where it is, and a zone disc on a fold is round again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from viewer.heatmap.foldfill import fold_filled
from viewer.heatmap.geodesic import make_solver


def _groove(
    step: float = 4.0, size: float = 320.0, depth: float = 25.0
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """A flat patch of skin (mm, outward +z) with a V groove 60 mm wide along y, as deep as the
    gluteal cleft below the sacrum, and a round convex bump off to one side."""
    n = int(size / step) + 1
    xs = np.linspace(-size / 2, size / 2, n)
    gx, gy = np.meshgrid(xs, xs)
    x, y = gx.ravel(), gy.ravel()
    z = -depth * np.clip(1.0 - np.abs(x) / 30.0, 0.0, 1.0)
    z += 15.0 * np.exp(-((x - 100.0) ** 2 + (y - 100.0) ** 2) / (2 * 20.0**2))
    points = np.column_stack([x, y, z])
    i, j = np.meshgrid(np.arange(n - 1), np.arange(n - 1))
    a = (j * n + i).ravel()
    tris = np.vstack(
        [np.column_stack([a, a + 1, a + n]), np.column_stack([a + 1, a + n + 1, a + n])]
    )
    return points, tris.astype(np.int64)


def test_a_fold_fills_and_skin_outside_folds_stays_put() -> None:
    points, tris = _groove()
    filled = fold_filled(points, tris)
    lift = filled - points
    assert (lift[:, 2] >= -1e-6).all(), "never under the skin"
    floor = (np.abs(points[:, 0]) < 2.0) & (np.abs(points[:, 1]) < 60.0)
    assert filled[floor, 2].min() > points[floor, 2].max() + 8.0, "the floor rises"
    top = np.argmin(np.hypot(points[:, 0] - 100.0, points[:, 1] - 100.0))
    assert np.linalg.norm(lift[top]) < 1e-6, "a convex bump does not move"
    # Flat skin next to the fold (and the bump's concave skirt) is lifted a little and evenly,
    # like a membrane over the fold, so lengths along it hardly change.
    flat = (np.abs(points[:, 0]) > 40.0) & (np.hypot(points[:, 0] - 100, points[:, 1] - 100) > 60)
    assert np.abs(lift[flat]).max() < 10.0
    edges = np.vstack([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]])
    edges = edges[flat[edges].all(axis=1)]
    before = np.linalg.norm(points[edges[:, 0]] - points[edges[:, 1]], axis=1)
    after = np.linalg.norm(filled[edges[:, 0]] - filled[edges[:, 1]], axis=1)
    assert np.abs(after / before - 1.0).max() < 0.02, "lengths on flat skin change < 2 %"


def test_a_disc_on_a_fold_is_rounder_measured_on_the_filled_skin() -> None:
    """A 40 mm geodesic disc centred on the groove's floor: on the skin it reaches much less
    far across the groove (down one wall, up the other) than along it; on the filled skin the
    two reaches are close, as on a chart."""
    points, tris = _groove()
    centre = np.array([np.argmin(np.hypot(points[:, 0], points[:, 1]))])

    def reach(p: NDArray[np.float64]) -> tuple[float, float]:
        d = make_solver(p, tris, "graph")(centre)
        inside = d <= 40.0
        return float(np.abs(points[inside, 0]).max()), float(np.abs(points[inside, 1]).max())

    across, along = reach(points)
    assert across < 0.75 * along, (across, along)
    across, along = reach(fold_filled(points, tris))
    assert across >= 0.85 * along, (across, along)


def test_fold_filled_distances_are_cached_apart_from_the_skins_own(tmp_path: Path) -> None:
    """The heat map asks for fold-filled distances; they never reuse (or overwrite) a cached
    field measured on the bare skin, and a second start reads them from the cache."""
    from viewer.domain.landmarks import LandmarkAnchor, SkinLandmark, SkinLandmarkDef
    from viewer.domain.structures import Side
    from viewer.heatmap.fields import cached_distance_fields

    points, tris = _groove()
    centre = int(np.argmin(np.hypot(points[:, 0], points[:, 1])))
    d = SkinLandmarkDef("c", "c", "", Side.MIDLINE, (LandmarkAnchor("x"),), "posterior", 20.0)
    lms = {"c": SkinLandmark(d, np.zeros((1, 3)), np.array([centre], dtype=np.int64))}
    bare = cached_distance_fields(points, tris, lms, {"c": 60.0}, tmp_path, "graph")
    filled = cached_distance_fields(
        points, tris, lms, {"c": 60.0}, tmp_path, "graph", fill_folds=True
    )
    assert len(list(tmp_path.glob("*.npy"))) == 3  # two fields and the filled skin
    assert len(list(tmp_path.glob("folds-*.npy"))) == 1
    wall = int(np.argmin(np.hypot(points[:, 0] - 20.0, points[:, 1])))
    assert filled["c"][wall] < bare["c"][wall] - 5.0, "across the fold is shorter"
    again = cached_distance_fields(
        points, tris, lms, {"c": 60.0}, tmp_path, "graph", fill_folds=True
    )
    assert np.array_equal(again["c"], filled["c"])


def test_outlines_follow_a_posed_skin_on_its_fold_filled_surface() -> None:
    """The fill is measured once, on the skin at rest; a posed skin (here the whole patch
    turned 30 degrees, as a pelvis tilts) carries each vertex's lift turned with it."""
    from viewer.heatmap.foldfill import FoldLift, vertex_normals

    points, tris = _groove()
    surface = FoldLift.between(points, fold_filled(points, tris), tris, None)
    assert np.allclose(surface.drawn(points, vertex_normals(points, tris)), points + surface.lift)
    turn = np.radians(30.0)
    rot = np.array(
        [[1.0, 0.0, 0.0], [0.0, np.cos(turn), -np.sin(turn)], [0.0, np.sin(turn), np.cos(turn)]]
    )
    posed = points @ rot.T + [5.0, -3.0, 40.0]
    drawn = surface.drawn(posed, vertex_normals(posed, tris))
    expected = (points + surface.lift) @ rot.T + [5.0, -3.0, 40.0]
    assert np.abs(drawn - expected).max() < 1e-6
