"""The posture references in the window: on for a posed body seen from the side, switched off and
on again from the View menu, a seat under a seated body."""

from __future__ import annotations

import math
from typing import Any

from viewer.domain.camera import view_by_name


def test_view_menu_toggles_the_posture_references(make_main_window: Any, qtbot: Any) -> None:
    window = make_main_window()
    view, action = window.view3d, window.actions_by_id["view.posture_guides"]
    guides = view.posture_guides
    assert action.isChecked()
    view.render_now()
    assert guides.visible_parts() == set()  # the app opens standing: nothing added
    window.posture_panel.buttons["anterior_tilt"].click()
    view.animate = False
    window.posture_panel.side_view.click()  # from the right, framed on the pelvis and spine
    view.render_now()
    camera = view.renderer.GetActiveCamera()
    assert camera.GetPosition()[0] < camera.GetFocalPoint()[0] - 100.0  # seen from the right
    sacrum = view.scene.drawn_points("sacrum")
    spine_top = view.scene.drawn_points("vertebra_t12")[:, 2].max()
    height = spine_top - sacrum[:, 2].min()
    visible_height = 2 * camera.GetDistance() * math.tan(math.radians(camera.GetViewAngle() / 2))
    assert height / visible_height > 0.5  # the lumbar spine and sacrum fill the picture
    parts = guides.visible_parts()
    assert {"tilt", "plumb", "curve", "compressed", "ghost", "text:tilt"} <= parts, parts
    tilt = guides.text("tilt")
    assert tilt.startswith("ASIS–PSIS 24°") and "standing 12°" in tilt
    action.trigger()  # off
    assert not action.isChecked() and not guides.enabled
    view.render_now()
    assert guides.visible_parts() == set()
    action.trigger()  # on again
    view.render_now()
    assert "tilt" in guides.visible_parts()
    view.scene.apply_view(view_by_name("anterior"))  # from the front the lines would collapse
    view.render_now()
    assert guides.visible_parts() <= {"chair"}
    window.posture_panel.buttons["sitting_upright"].click()
    view.scene.apply_view(view_by_name("right"))
    view.render_now()
    assert "chair" in guides.visible_parts() and "ghost" in guides.visible_parts()
    assert guides.chair is not None
    seat_top = guides.chair.seat_max[2]
    tuberosity = view.scene.drawn_points("hip_bone_right")[:, 2].min()
    assert tuberosity - 40.0 < seat_top < tuberosity  # just under the ischial tuberosities


def test_the_length_key_keeps_off_the_anatomy(make_main_window: Any, qtbot: Any) -> None:
    from viewer.render.posture_key import _covered

    window = make_main_window()
    view, key = window.view3d, window.view3d.posture_key
    window.posture_panel.colour.setChecked(True)
    for name, side in (("sitting_upright", "right"), ("sitting_slumped", "left")):
        window.posture_panel.buttons[name].click()
        view.scene.apply_pose(view.scene.pose_for(view_by_name(side), fill=0.95))
        view.render_now()
        xy = key.anatomy_on_screen()
        box = key.key_box()
        assert xy is not None and box is not None
        assert _covered(xy, box) <= 0.01 * len(xy), (name, box)
