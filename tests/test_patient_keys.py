"""The marker key and the heat key never overlap (patient-mode review: at 1280x800 the key's
"×2 two trigger points at one spot" row was printed over "...see a medical professional")."""

from __future__ import annotations

from typing import Any

import pytest

from viewer.render.marker_legend import rise_above

pytestmark = pytest.mark.gui


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_rise_above_climbs_over_boxes_it_would_cover_only() -> None:
    footer, title = (10.0, 10.0, 900.0, 30.0), (10.0, 100.0, 300.0, 120.0)
    assert rise_above([footer, title], 600, 900, 0.0, 50.0) > 30.0
    assert rise_above([footer, title], 600, 900, 0.0, 50.0) < 100.0  # the title is not under it
    assert rise_above([title], 600, 900, 0.0, 50.0) == 0.0


@pytest.mark.parametrize("size", [(960, 600), (1280, 800), (1920, 1080)])
def test_marker_key_and_heat_key_do_not_overlap(make_main_window: Any, size: Any) -> None:
    window = make_main_window(show=True, size=size)
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas has no skin/trigger points yet")
    window.actions_by_id["view.animate"].trigger()
    window.patient.set_patient_mode(True)
    triggers = window.features.triggers
    points = [t for t, m in triggers.muscle_of.items() if m == "gluteus_maximus_right"]
    triggers.set_markers_visible(["gluteus_maximus_right"], True)
    triggers.set_active(points)
    spot = window.features.referral.skin_landmarks["mid_buttock_right"].points.mean(axis=0)
    window.spots.add(tuple(spot))  # the key gets its fourth row, "where you said it hurts"
    window.state.request_view("posterior")
    overlays = window.view3d.overlays
    for _ in range(3):
        window.view3d.render_now()
    if "counted" not in overlays.marker_legend.styles:
        # On a large window the X's may stand apart; step back until two boxes meet, so the
        # key carries every row it can have (the picture is what the test is about, not the zoom)
        camera = window.view3d.renderer.GetActiveCamera()
        for _ in range(6):
            camera.Zoom(0.85)
            window.view3d.render_now()
            if "counted" in overlays.marker_legend.styles:
                break
    key, heat = overlays.marker_legend, overlays.legend
    assert key.visible and heat.visible
    assert "counted" in key.styles, "the picture draws an X×2 (the row that overlapped)"
    assert "spot" in key.styles
    box = key.box()
    width, height = window.view3d.renderer.GetSize()
    assert box[3] <= height and box[2] <= width
    for line in heat.line_boxes():
        assert not _overlap(box, line), (size, box, line)
    window.patient.set_patient_mode(False)
