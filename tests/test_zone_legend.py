"""A heat-map legend lists only the zone kinds the picture draws (issue 12, gallery views 13,
15 and lesson step 10 listed a striped "spillover" row no painted skin matched)."""

from __future__ import annotations

from typing import Any

import numpy as np

from viewer.domain.referral import ZoneClass
from viewer.domain.zone_legend import MIN_SEEN_VERTICES, legend_classes, seen_vertices

E, S = ZoneClass.ESSENTIAL, ZoneClass.SPILLOVER


def test_legend_lists_the_kinds_among_the_seen_vertices_only() -> None:
    classes = np.array([2] * 10 + [1] * 10 + [0] * 5)
    assert legend_classes(classes) == (E, S)
    front = np.array([True] * 10 + [False] * 15)  # the spillover zone is on the far side
    assert legend_classes(classes, front) == (E,)
    back = ~front
    assert legend_classes(classes, back) == (S,)
    assert legend_classes(np.array([2] * 8)) == (E,), "a map with no spillover at all"
    speck = front.copy()
    speck[10 : 10 + MIN_SEEN_VERTICES - 1] = True
    assert legend_classes(classes, speck) == (E,), "a speck at the edge is no zone"


def test_seen_vertices_face_the_eye_inside_the_frame() -> None:
    # An orthographic camera looking down -y (eye at y = -1000): clip = (x/100, z/100, 0, 1).
    m = np.array([[0.01, 0, 0, 0], [0, 0, 0.01, 0], [0, 0, 0, 0], [0, 0, 0, 1.0]])
    points = np.array([[0, 0, 0], [0, 0, 0], [500, 0, 0]], dtype=float)
    normals = np.array([[0, -1, 0], [0, 1, 0], [0, -1, 0]], dtype=float)
    seen = seen_vertices(points, normals, (0.0, -1000.0, 0.0), m, (200, 200))
    assert seen.tolist() == [True, False, False]  # facing; turned away; outside the frame


def _legend_rows(builtin_heat: Any, muscle: str, view: str) -> tuple[str, ...]:
    from viewer.domain.camera import view_by_name
    from viewer.features import HEAT_MIN_SKIN_OPACITY
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.theme import LIGHT

    context, features = builtin_heat
    context.state.reset()
    triggers = features.triggers
    triggers.set_markers_visible(sorted(set(triggers.muscle_of.values())), False)
    triggers.show_muscle(muscle)
    context.state.set_opacity("skin", HEAT_MIN_SKIN_OPACITY)
    with offscreen_scene(
        context.loaded, context.state, (640, 400), LIGHT, features, msaa=0
    ) as (window, _renderer, scene, overlays):
        scene.apply_view(view_by_name(view))
        window.Render()
        assert overlays.legend.visible
        return overlays.legend.row_labels


def test_rendered_legend_drops_spillover_that_is_out_of_sight(builtin_heat: Any) -> None:
    from viewer.render.legend import ESSENTIAL_ROW, SPILLOVER_ROW

    _, features = builtin_heat
    classes = np.asarray(features.referral.field_for_muscle("psoas_major_lower_right").classes)
    assert (classes == S.value).sum() > 50, "the map has a spillover zone (on the low back)"
    assert _legend_rows(builtin_heat, "psoas_major_lower_right", "anterior") == (ESSENTIAL_ROW,)
    rows = _legend_rows(builtin_heat, "psoas_major_lower_right", "posterior")
    assert SPILLOVER_ROW in rows, ("seen from behind, the spillover is drawn", rows)
