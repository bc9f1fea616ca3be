"""Pair arrows are routed by the width they are drawn at, and drawn beside their course where
no way along it clears the X's (pair 3 after the gluteal atlas rebuild: the merged gluteus
medius and minimus arrow touched an X on every way along its course, and under the camera's
perspective its head was drawn wider than it was routed)."""

from __future__ import annotations

import numpy as np
import pytest
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.domain.overlay_route import ROUTE_PAD_PX, densify, hits
from viewer.render.pair_overlay import (
    ASIDE_MM,
    LENGTHS,
    SHIFTS_MM,
    PairOverlay,
    Route,
    _aside,
    _is_aside,
    arrow_widths,
)


def test_a_point_nearer_than_the_focal_point_is_routed_wider() -> None:
    """Pair 3's gluteal arrow lies 530-590 mm from the camera, the focal point 615 mm: its
    width was taken at the focal distance and its rim touched an X ranked clear."""
    route = Route(
        lambda p: p[:, :2],
        (),
        px_per_mm=2.0,
        depth=lambda p: p[:, 2],
        focal_mm=600.0,
    )
    scale = route.scale(np.array([[0.0, 0.0, 600.0], [0.0, 0.0, 500.0], [0.0, 0.0, 750.0]]))
    assert scale == pytest.approx([2.0, 2.4, 1.6])
    flat = Route(lambda p: p[:, :2], (), px_per_mm=2.0)
    assert flat.scale(np.zeros((3, 3))) == pytest.approx([2.0, 2.0, 2.0])


def _plan_along_an_x() -> tuple[tuple[object, ...], Route]:
    """A 100 mm course up the y axis with an X box on it at 30-60 mm: every arrow along the
    course (at its attachment or slid, any length) crosses the box or its clearance."""
    course = np.array([[0.0, 0.0, 0.0], [0.0, 100.0, 0.0]])
    direction = np.array([0.0, 1.0, 0.0])
    candidates, samples = [], []
    for shift in SHIFTS_MM:
        for share in LENGTHS:
            start = np.array([0.0, shift, 0.0])
            path = np.vstack([start, start + direction * 80.0 * share])
            candidates.append((path, False))
            samples.append(densify(path, 3.0))
    aside = _aside(candidates, samples, course, direction)
    plan = (
        None,
        course,
        None,
        0.5,
        candidates + [c for c, _s, _m in aside],
        samples + [s for _c, s, _m in aside],
        [m for _c, _s, m in aside],
    )
    # The box sits right of the course (x 3-12), as pair 3's X beside the gluteal course.
    route = Route(lambda p: p[:, :2], ((3.0, 30.0, 12.0, 60.0),), px_per_mm=1.0, min_px=40.0)
    return plan, route


def test_an_arrow_with_no_clear_way_along_its_course_is_drawn_beside_it() -> None:
    plan, route = _plan_along_an_x()
    overlay = PairOverlay(vtkRenderer())
    pick, near = overlay._pick(plan, route, (0,))
    assert near == 0 and _is_aside(plan, pick)
    samples = plan[5][pick]  # type: ignore[index]
    width = arrow_widths(samples, 0.5)
    assert hits(samples[:, :2], route.boxes, ROUTE_PAD_PX + width) == 0
    # beside its own on-course candidate, parallel to it, on the side away from the X
    k0, offset = plan[6][pick - (len(plan[5]) - len(plan[6]))]  # type: ignore[index]
    base = plan[5][k0]  # type: ignore[index]
    assert offset in ASIDE_MM
    assert np.allclose(np.linalg.norm(samples - base, axis=1), offset)
    assert (samples[:, 0] < 0.0).all()


def test_an_arrow_with_a_clear_way_along_its_course_stays_on_it() -> None:
    plan, _route = _plan_along_an_x()
    clear = Route(lambda p: p[:, :2], ((30.0, 30.0, 40.0, 60.0),), px_per_mm=1.0, min_px=40.0)
    pick, near = PairOverlay(vtkRenderer())._pick(plan, clear, (0,))
    assert near == 0 and not _is_aside(plan, pick)
