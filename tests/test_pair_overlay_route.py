"""Pair-view arrows stay off the X markers and on the body (issue 12, pair views on the sheet).

Seen on the gallery's pair tiles: an X under the lower-psoas lever arc (pair 4), the psoas arc
running into empty space in front of the body (pair 1), arrows across X's elsewhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from viewer.domain.overlay_route import (
    along,
    best_route,
    clear_runs,
    densify,
    hits,
    inside_boxes,
)

# -- the rule ----------------------------------------------------------------------------------


def test_densify_keeps_ends_and_spacing() -> None:
    line = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 7.0]])
    fine = densify(line, 3.0)
    assert np.allclose(fine[0], line[0]) and np.allclose(fine[-1], line[-1])
    assert np.linalg.norm(np.diff(fine, axis=0), axis=1).max() <= 3.0 + 1e-9


def test_a_route_clear_of_every_box_wins_over_an_earlier_one_that_crosses() -> None:
    boxes = [(40.0, -5.0, 60.0, 5.0)]
    through = densify(np.array([[0.0, 0.0], [100.0, 0.0]]), 2.0)
    above = densify(np.array([[0.0, 20.0], [100.0, 20.0]]), 2.0)
    near = densify(np.array([[0.0, 8.0], [100.0, 8.0]]), 2.0)
    assert hits(through, boxes, 0.0) > 0 and hits(above, boxes, 4.0) == 0
    assert hits(near, boxes, 4.0) > 0, "the pad keeps a clearance around the box"
    assert best_route([through, near, above], boxes, 4.0) == 2
    # Nothing clear: the one touching least; equal counts keep the order of preference.
    corner = densify(np.array([[55.0, 8.0], [100.0, 8.0]]), 2.0)
    assert 0 < hits(corner, boxes, 4.0) < hits(through, boxes, 4.0)
    assert best_route([through, corner], boxes, 4.0) == 1
    assert best_route([above, above], boxes, 4.0) == 0
    with pytest.raises(ValueError):
        best_route([], boxes, 4.0)


def test_a_course_line_is_broken_only_under_the_box() -> None:
    line = densify(np.array([[0.0, 0.0], [100.0, 0.0]]), 2.0)
    inside = inside_boxes(line, [(40.0, -5.0, 60.0, 5.0)], 0.0)
    runs = clear_runs(inside)
    assert len(runs) == 2
    (a0, a1), (b0, b1) = runs
    assert a0 == 0 and b1 == len(line)
    assert line[a1 - 1, 0] < 40.0 and line[b0, 0] > 60.0
    assert clear_runs(np.ones(5, dtype=bool)) == []


def test_along_walks_the_polyline_and_clamps() -> None:
    path = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [10.0, 10.0, 0.0]])
    assert np.allclose(along(path, 15.0), [10.0, 5.0, 0.0])
    assert np.allclose(along(path, -3.0), path[0]) and np.allclose(along(path, 99.0), path[-1])


# -- the pictures ------------------------------------------------------------------------------


def _render_pair(key: int, size: tuple[int, int] = (1280, 800)) -> dict[str, Any]:
    from viewer.context import load_context
    from viewer.features import load_features
    from viewer.render.offscreen import offscreen_scene

    context = load_context()
    features = load_features(context)
    if features.pairs is None or features.triggers is None:
        pytest.skip("no pair views or trigger points for the built-in atlas")
    active = features.pairs.enter_key(key)
    triggers = features.triggers
    shown = set(active.trigger_muscles_a) | set(active.trigger_muscles_b)
    every = set(triggers.muscle_of.values())
    triggers.set_markers_visible(sorted(every - shown), False)  # as `render --pair` shows them
    triggers.set_markers_visible(sorted(shown & every), True)
    with offscreen_scene(context.loaded, context.state, size, features=features) as off:
        window, renderer, scene, overlays = off
        window.Render()
        overlays.refresh_pair()
        scene.apply_pose(overlays.pair_pose(active.resolved))
        window.Render()
        points = overlays.pairs_overlay.arrow_points()
        display = np.zeros((len(points), 2))
        for i, p in enumerate(points):
            renderer.SetWorldPoint(*p, 1.0)
            renderer.WorldToDisplay()
            display[i] = renderer.GetDisplayPoint()[:2]
        body = overlays._body_distance()
        matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
            renderer.GetTiledAspectRatio(), -1, 1
        )
        m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
        return {
            "matrix": m,
            "size": size,
            "loaded": context.loaded,
            "display": display,
            "boxes": overlays.layer.screen_boxes(),
            "arcs": [a.copy() for a in overlays.pairs_overlay.arc_paths],
            "body": body,
            "markers": len(overlays.layer.marker_ids),
        }


@pytest.mark.parametrize("key", [1, 2, 3, 4, 5, 6])
def test_no_arrow_arc_or_course_line_covers_an_x(key: int) -> None:
    drawn = _render_pair(key)
    assert drawn["markers"] and len(drawn["display"])
    covered = inside_boxes(drawn["display"], drawn["boxes"], 0.0)
    assert not covered.any(), (
        f"pair {key}: {int(covered.sum())} arrow surface points on an X "
        f"at {drawn['display'][covered][:3].round()}"
    )


def test_the_psoas_lever_arc_ends_at_the_body_not_in_empty_space() -> None:
    from viewer.render.pair_overlay import ARC_MIN_MM, ARC_REACH_MM

    drawn = _render_pair(1)
    assert drawn["arcs"], "psoas and piriformis swing about the sacroiliac joint"
    for arc in drawn["arcs"]:
        s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(arc, axis=0), axis=1))])
        gap = drawn["body"](arc)
        past = s > ARC_MIN_MM
        assert (gap[past] <= ARC_REACH_MM + 1e-6).all(), gap.max()
        assert s[-1] >= min(ARC_MIN_MM, 30.0), "still long enough to show its sense"


def test_psoas_vs_piriformis_shows_the_piriformis_clear_of_its_x_boxes() -> None:
    """Pair 1 once looked at the piriformis obliquely from the front, and its two full-size X
    boxes hid a fifth of it: its footprint on screen is larger now, and at most 16 % of it lies
    under an X."""
    from PIL import Image, ImageDraw

    from viewer.domain.labels import project_points

    drawn = _render_pair(1)
    w, h = drawn["size"]
    boxes = Image.new("L", (w, h), 0)
    pen = ImageDraw.Draw(boxes)
    for x0, y0, x1, y1 in drawn["boxes"]:  # display pixels (y up) -> image rows (y down)
        pen.rectangle([x0, h - y1, x1, h - y0], fill=255)
    under = np.asarray(boxes) > 0
    mesh = drawn["loaded"].meshes["piriformis_right"]
    pixels, _ = project_points(np.asarray(mesh.points), drawn["matrix"], (w, h))
    shape = Image.new("L", (w, h), 0)
    pen = ImageDraw.Draw(shape)
    for tri in np.asarray(mesh.triangles):
        pen.polygon([tuple(pixels[k]) for k in tri], fill=255)
    footprint = np.asarray(shape) > 0
    share = float((footprint & under).sum() / footprint.sum())
    assert footprint.sum() > 6200, f"piriformis only {footprint.sum()} px on screen"
    assert share <= 0.16, f"{share:.0%} of the piriformis under its X boxes"
