"""Each side of a pair view shows one turning about its joint (a lecturer's review of pair 2 and
lesson 6): iliopsoas is psoas and iliacus, two muscles with their own force capacities, and
each swung its own lever arc from the lesser trochanter, so the slide showed two iliopsoas
arcs where the key names one turning per side.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.pair_slides import lesson_pair_slide
from tests.test_pair_overlay_route import framed_pair
from viewer.domain.mechanics import Pull, side_pull


def _pull(structure: str, force: float | None, end: float) -> Pull:
    path = np.array([[0.0, 0.0, 100.0], [0.0, -20.0, 0.0], [end, 0.0, -50.0]])
    return Pull("a", structure, structure, "#882255", path, "insertion", path[-1],
                np.array([0.0, 0.0, 1.0]), force, 0.5 if force else 1.0)


def test_one_sides_pulls_merge_into_their_force_weighted_resultant() -> None:
    psoas, iliacus = _pull("psoas_major_right", 300.0, 0.0), _pull("iliacus_right", 100.0, 40.0)
    one = side_pull([psoas, iliacus])
    assert one.force_n == pytest.approx(400.0)
    assert np.allclose(one.point, [10.0, 0.0, -50.0]), "the attachment weighted 3:1"
    assert one.at == "insertion" and one.side == "a"
    direction = np.array([0.0, -20.0, 0.0]) - one.point
    assert np.allclose(one.direction, direction / np.linalg.norm(direction))
    assert side_pull([psoas]) is psoas
    unknown = side_pull([_pull("x", None, 0.0), _pull("y", None, 40.0)])
    assert unknown.force_n is None and np.allclose(unknown.point, [20.0, 0.0, -50.0])
    with pytest.raises(ValueError):
        side_pull([])


def _arcs_per_side(overlays: Any) -> dict[str, int]:
    pairs = overlays.pairs_overlay
    sides: dict[str, int] = {}
    for pull, _path, is_arc in pairs.drawn_pulls():
        if is_arc:
            sides[pull.side] = sides.get(pull.side, 0) + 1
    assert len(pairs.arc_paths) == sum(sides.values())
    return sides


def test_pair_2_swings_one_arc_per_side() -> None:
    with framed_pair(2, (1280, 800)) as (off, _context, _features, _active):
        _window, _renderer, _scene, overlays = off
        sides = _arcs_per_side(overlays)
    assert sides == {"a": 1, "b": 1}, sides


def test_lesson_6_swings_one_arc_per_side(lesson: Any) -> None:
    scene_of = lesson.steps[5].scene
    assert scene_of.pair_view is not None and "maximus" in scene_of.pair_view.id
    with lesson_pair_slide(scene_of) as (_renderer, overlays):
        sides = _arcs_per_side(overlays)
    assert sides == {"a": 1, "b": 1}, sides
