"""Label layout: no overlapping boxes, everything inside the viewport, few crossing leaders."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.domain.labels import (
    LEFT,
    RIGHT,
    PlacedLabel,
    boxes_overlap,
    count_crossings,
    layout_labels,
    segments_cross,
)


def _random(seed: int, n: int = 30) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    rng = np.random.default_rng(seed)
    anchors = [(float(x), float(y)) for x, y in rng.uniform([200, 100], [1000, 700], (n, 2))]
    sizes = [(float(w), float(h)) for w, h in rng.uniform([60, 14], [170, 22], (n, 2))]
    return anchors, sizes


def _check(labels: tuple[PlacedLabel, ...], viewport: tuple[float, float]) -> None:
    shown = [lab for lab in labels if lab.visible]
    for k, a in enumerate(shown):
        x0, y0, x1, y1 = a.box
        assert x0 >= 0 and x1 <= viewport[0] and y0 >= 0 and y1 <= viewport[1], a
        for b in shown[k + 1 :]:
            assert not boxes_overlap(a.box, b.box), (a, b)
        edge = x1 if a.side == LEFT else x0
        assert a.leader_end == (edge, y0 + a.h / 2)


@pytest.mark.parametrize("seed", range(5))
def test_thirty_random_labels_never_overlap_and_stay_inside(seed: int) -> None:
    anchors, sizes = _random(seed)
    labels = layout_labels(anchors, sizes, (1200, 800))
    assert [lab.index for lab in labels] == list(range(30))
    assert all(lab.visible for lab in labels)
    _check(labels, (1200, 800))
    assert labels == layout_labels(anchors, sizes, (1200, 800)), "deterministic"
    for lab in labels:
        assert lab.leader_start == anchors[lab.index]
        assert lab.side in (LEFT, RIGHT)


def test_leaders_in_a_column_keep_anchor_order_and_do_not_cross() -> None:
    anchors = [(300.0, 300.0 + 5 * i) for i in range(8)] + [(900.0, 100.0), (650.0, 400.0)]
    sizes = [(80.0, 18.0)] * len(anchors)
    labels = layout_labels(anchors, sizes, (1200, 800))
    left = [lab for lab in labels if lab.side == LEFT]
    assert [lab.index for lab in sorted(left, key=lambda lab: lab.y)] == list(range(8))
    assert count_crossings(labels) == 0
    # a label is kept near its anchor when nothing is in the way
    alone = labels[8]
    assert alone.side == RIGHT and abs(alone.y + alone.h / 2 - 100.0) < 1e-9


def test_random_layouts_have_few_crossings() -> None:
    total = sum(count_crossings(layout_labels(*_random(s), (1200, 800))) for s in range(5))
    assert total <= 5


def test_full_column_overflows_to_the_other_side_then_hides() -> None:
    anchors = [(100.0, 50.0 + i) for i in range(30)]
    sizes = [(80.0, 30.0)] * 30
    labels = layout_labels(anchors, sizes, (600, 400))
    assert {lab.side for lab in labels if lab.visible} == {LEFT, RIGHT}
    assert any(not lab.visible for lab in labels)
    _check(labels, (600, 400))
    too_wide = layout_labels([(10.0, 10.0)], [(500.0, 10.0)], (600, 400))
    assert not too_wide[0].visible
    with pytest.raises(ValueError):
        layout_labels([(1.0, 1.0)], [], (10, 10))


def test_geometry_helpers() -> None:
    assert boxes_overlap((0, 0, 10, 10), (5, 5, 15, 15))
    assert not boxes_overlap((0, 0, 10, 10), (10, 0, 20, 10))
    assert segments_cross((0, 0), (10, 10), (0, 10), (10, 0))
    assert not segments_cross((0, 0), (10, 0), (0, 5), (10, 5))


def test_surface_anchor_lies_on_the_mesh_even_for_a_curved_shape() -> None:
    from viewer.domain.labels import surface_anchor

    angles = np.linspace(0, np.pi, 50)
    arc = np.c_[100 * np.cos(angles), np.zeros(50), 100 * np.sin(angles)]  # centroid off the arc
    anchor = np.array(surface_anchor(arc))
    assert np.isclose(np.linalg.norm(anchor), 100.0) and anchor[2] > 90
    with pytest.raises(ValueError):
        surface_anchor(np.zeros((0, 3)))


def test_project_points_with_an_orthographic_matrix() -> None:
    from viewer.domain.labels import project_points

    # world x in [-100, 100] -> ndc x, world z up -> ndc y, depth from y
    m = np.array([[0.01, 0, 0, 0], [0, 0, 0.01, 0], [0, -0.01, 0, 0], [0, 0, 0, 1.0]], dtype=float)
    pts = np.array([(0, 0, 0), (100, 0, 100), (-50, 0, -50), (300, 0, 0)], dtype=float)
    pixels, inside = project_points(pts, m, (800, 600))
    assert np.allclose(pixels[0], (400, 300)) and np.allclose(pixels[1], (800, 0))
    assert np.allclose(pixels[2], (200, 450))
    assert inside.tolist() == [True, True, True, False]
    behind = np.eye(4)
    behind[3] = (0, 0, 0, -1)
    assert not project_points(pts[:1] + 0.1, behind, (800, 600))[1].any()
