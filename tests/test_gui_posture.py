"""Posture panel, as a person uses it: presets, dragging the sliders, undo, length colouring."""

from __future__ import annotations

from typing import Any

import numpy as np

from viewer.domain.pose import PRESETS


def _window(make_main_window: Any) -> Any:
    window = make_main_window()  # built-in atlas
    return window


def _femur_bottom(window: Any) -> float:
    """Lowest z of the right femur as drawn (full actor)."""
    return float(window.view3d.scene.actor_of("femur_right").GetBounds()[4])


def test_dragging_the_hip_slider_is_one_undo_step(make_main_window: Any, qtbot: Any) -> None:
    window = _window(make_main_window)
    panel = window.posture_panel
    history = window.study.history
    depth = history.undo_depth
    standing_bottom = _femur_bottom(window)
    panel.hip.setSliderDown(True)  # press
    assert window.view3d.scene.interacting  # light meshes while dragging
    for value in (10, 30, 50, 70, 90):
        panel.hip.setValue(value)
    panel.hip.setSliderDown(False)  # release
    assert not window.view3d.scene.interacting
    assert window.state.pose.hip_right.flexion == 90 == window.state.pose.hip_left.flexion
    assert history.undo_depth == depth + 1, "one drag, one undo step"
    assert _femur_bottom(window) > standing_bottom + 200, "the thigh came up to horizontal"
    assert "Iliacus" in panel.table.text() and "%" in panel.table.text()
    window.actions_by_id["edit.undo"].trigger()
    assert window.state.pose.is_standing
    assert panel.hip.value() == 0
    assert abs(_femur_bottom(window) - standing_bottom) < 1e-3


def test_presets_and_length_colouring(make_main_window: Any, qtbot: Any) -> None:
    window = _window(make_main_window)
    panel = window.posture_panel
    panel.colour.setChecked(True)
    qtbot.wait(10)  # let the event loop close the checkbox's undo step
    assert panel.legend.isVisibleTo(panel)
    panel.buttons["sitting_upright"].click()
    assert window.state.pose == PRESETS["sitting_upright"]
    up = PRESETS["sitting_upright"]
    assert panel.hip.value() == up.hip_right.flexion and panel.tilt.value() == up.pelvic_tilt
    # Shortened hip flexors turn blue, the stretched buttock orange.
    iliacus = np.array(window.view3d.scene.actor_of("iliacus_right").GetProperty().GetColor())
    glmax = np.array(window.view3d.scene.actor_of("gluteus_maximus_right").GetProperty().GetColor())
    assert iliacus[2] > iliacus[0], iliacus
    assert glmax[0] > glmax[2], glmax
    qtbot.wait(10)
    window.actions_by_id["edit.undo"].trigger()
    assert window.state.pose.is_standing
    assert panel.hip.value() == 0
    panel.tilt.setSliderDown(True)
    panel.tilt.setValue(12)
    panel.tilt.setSliderDown(False)
    assert window.state.pose.pelvic_tilt == 12 and window.state.pose.lordosis == 12


def test_iliopsoas_tension_tilts_the_pelvis_and_flags_l4_s1(make_main_window: Any) -> None:
    window = _window(make_main_window)
    panel = window.posture_panel
    assert "not a simulation of a patient" in panel.balance_note.text()
    panel.iliopsoas.setSliderDown(True)
    for value in (40, 60, 80, 100):
        panel.iliopsoas.setValue(value)
    panel.iliopsoas.setSliderDown(False)
    pose = window.state.pose
    assert pose.pelvic_tilt > 5 and pose.lordosis == pose.pelvic_tilt
    assert window.state.color("vertebra_l5").lower() == "#d55e00"
    assert "L4-S1" in panel.compressed.text()
    window.actions_by_id["edit.undo"].trigger()
    assert window.state.pose.is_standing
    assert window.state.color("vertebra_l5") == window.state.atlas.get("vertebra_l5").color


def _skin_points(window: Any) -> np.ndarray:
    """The full skin as drawn (posed and body-switched vertices)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    poly = window.view3d.scene.actor_of("skin").GetMapper().GetInput()
    return np.asarray(vtk_to_numpy(poly.GetPoints().GetData()), dtype=np.float64)


def _thigh(window: Any) -> np.ndarray:
    """Right-thigh skin vertices (the MakeHuman weights carry them with the femur alone)."""
    from viewer.io.posture import shared_posture_model

    loaded = window.context.loaded
    model = shared_posture_model(loaded)
    binding = model.skin_binding("skin", loaded.meshes["skin"].points)
    assert binding is not None, "meshes/skin/skin.weights.npz is missing (run the build)"
    femur = binding.weights[:, binding.bones.index("femur_right")]
    return np.flatnonzero((femur > 0.95) & (loaded.meshes["skin"].points[:, 2] < -300))


def test_switching_body_while_sitting_keeps_the_skin_posed(
    make_main_window: Any, qtbot: Any
) -> None:
    window = _window(make_main_window)
    loaded = window.context.loaded
    thigh = _thigh(window)
    window.posture_panel.buttons["sitting_upright"].click()
    sitting_neutral = _skin_points(window)[thigh, 2].mean()
    assert sitting_neutral > loaded.meshes["skin"].points[thigh, 2].mean() + 250
    window.actions_by_id["view.body_female"].trigger()
    assert window.context.loaded.body == "female"
    female_standing = loaded.meshes["skin"].points
    drawn = _skin_points(window)
    assert not np.allclose(drawn, female_standing), "the female skin stayed standing"
    assert drawn[thigh, 2].mean() > female_standing[thigh, 2].mean() + 250, "thigh came up"
    assert abs(drawn[thigh, 2].mean() - sitting_neutral) < 40, "as the neutral thigh did"
    # Standing again puts the female skin back where it was built.
    window.posture_panel.buttons["standing"].click()
    np.testing.assert_allclose(_skin_points(window), female_standing, atol=1e-3)
    # Posing after the switch poses the female skin too; back to neutral keeps the pose.
    window.posture_panel.buttons["sitting_upright"].click()
    assert _skin_points(window)[thigh, 2].mean() > female_standing[thigh, 2].mean() + 250
    window.actions_by_id["view.body_neutral"].trigger()
    np.testing.assert_allclose(_skin_points(window)[thigh, 2].mean(), sitting_neutral, atol=1e-3)


def test_info_panel_shows_the_selected_muscles_length_change(
    make_main_window: Any, qtbot: Any
) -> None:
    """Select iliacus, sit: the info panel reads the pose-report numbers, and follows the pose."""
    import re

    window = make_main_window(show=True)  # shown: the feature panels (info) are built
    qtbot.waitUntil(lambda: window.info_panel is not None, timeout=10000)
    panel = window.info_panel
    window.state.select("iliacus_right")
    assert "Length:" not in panel.text.toPlainText(), "standing: no length section"
    window.posture_panel.buttons["sitting_upright"].click()
    qtbot.waitUntil(lambda: "Length: Sitting upright" in panel.text.toPlainText(), timeout=3000)
    model = window.view3d.posture.model
    expected = model.lengths(PRESETS["sitting_upright"], ["iliacus_right"])[0].as_dict()
    text = panel.text.toPlainText()
    numbers = [float(x) for x in re.findall(r"([+-]?\d+\.\d) (?:mm|%)", text)]
    assert numbers[-3:] == [
        expected["length_mm"],
        expected["standing_length_mm"],
        expected["change_pct"],
    ], text
    assert expected["change_pct"] < -10, "sitting shortens iliacus"
    # Another posture: the numbers follow; standing again: the section goes.
    window.posture_panel.buttons["posterior_tilt"].click()
    qtbot.waitUntil(lambda: "Posterior pelvic tilt" in panel.text.toPlainText(), timeout=3000)
    window.posture_panel.buttons["standing"].click()
    qtbot.waitUntil(lambda: "Length:" not in panel.text.toPlainText(), timeout=3000)


def test_heat_map_outlines_stay_on_the_posed_skin_of_each_body(
    make_main_window: Any, qtbot: Any
) -> None:
    """Zone outlines are lines of their own: they follow the skin when it sits and when the
    body changes, instead of hanging where the standing skin was."""
    window = make_main_window(show=True)
    qtbot.waitUntil(lambda: window.view3d.overlays is not None, timeout=10000)
    overlays = window.view3d.overlays
    window.features.triggers.show_muscle("gluteus_medius_right")
    assert overlays.heat_legible() and any(overlays.outlines.loops.values())
    standing_low = min(loop[:, 2].min() for loop in overlays.outlines.loops["zone"])
    window.posture_panel.buttons["sitting_upright"].click()
    np.testing.assert_array_equal(overlays.outlines.points, _skin_points(window))
    sitting_low = min(loop[:, 2].min() for loop in overlays.outlines.loops["zone"])
    assert sitting_low > standing_low + 200, "the thigh's zone came up with the thigh"
    window.actions_by_id["view.body_female"].trigger()
    np.testing.assert_array_equal(overlays.outlines.points, _skin_points(window))
    assert overlays.scene.frame_extra is not None
    assert overlays.scene.frame_extra[:, 2].min() > standing_low + 200


def test_the_view_titles_the_pose_and_keys_the_length_colours(
    make_main_window: Any, qtbot: Any
) -> None:
    window = _window(make_main_window)
    panel, key = window.posture_panel, window.view3d.posture_key
    assert key.title_lines is None and key.title_box() is None  # the app opens standing
    panel.buttons["sitting_slumped"].click()
    name, angles = key.title_lines
    assert name == "Slumped sitting" and "pelvic tilt \u221224\u00b0 (posterior)" in angles
    window.view3d.render_now()
    assert key.title_box() is not None and key.key_box() is None
    panel.colour.setChecked(True)
    window.view3d.render_now()
    _x0, y0, x1, _y1 = key.key_box()
    width, _height = window.view3d.renderer.GetSize()
    assert x1 > 0.8 * width and y0 < 40  # bottom right
    said = " ".join(a.GetInput() for a in key._title_texts)
    assert "iliopsoas vs standing" not in said, "slumped: hip and curve both shorten psoas"
    # Tilted forward, the bent hip shortens psoas and the deeper curve lengthens it: under the
    # title, the iliopsoas in numbers and why psoas is not iliacus.
    panel.buttons["anterior_tilt"].click()
    window.view3d.render_now()
    lines = sorted(key._title_texts, key=lambda a: -a.GetPosition()[1])  # top to bottom
    said = " ".join(a.GetInput() for a in lines)
    assert "Right iliopsoas vs standing: iliacus \u2212" in said, said
    assert "the hip shortens it, the deeper curve lengthens it" in said, said
    window.actions_by_id["edit.undo"].trigger()  # back to slumped
    panel.colour.setChecked(False)
    assert key.key_box() is None
    qtbot.wait(10)
    window.actions_by_id["edit.undo"].trigger()  # the colour switch
    window.actions_by_id["edit.undo"].trigger()  # the preset
    assert window.state.pose.is_standing
    assert key.title_lines is None


def test_painful_spots_ride_on_the_posed_skin(make_main_window: Any, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from tests.gui_helpers import world_to_widget
    from viewer.domain.camera import view_by_name

    window = make_main_window(show=True)
    window.actions_by_id["view.animate"].trigger()  # immediate camera moves
    overlays, scene = window.view3d.overlays, window.view3d.scene
    skin = overlays.skin_id
    rest = scene.loaded.meshes[skin].points.astype(np.float64)
    # A spot on the outer side of the right thigh, a hand's breadth above the knee.
    band = (rest[:, 0] < -40) & (np.abs(rest[:, 2] + 250) < 15)
    i = int(np.flatnonzero(band)[np.argmin(rest[band, 0])])
    window.spots.add(tuple(rest[i]))
    np.testing.assert_allclose(overlays.spots.positions[0], rest[i], atol=1e-3)
    window.posture_panel.buttons["sitting_upright"].click()
    posed = scene.drawn_points(skin)
    drawn = np.asarray(overlays.spots.positions[0])
    assert np.linalg.norm(drawn - rest[i]) > 150, "the thigh came up: so did the spot"
    np.testing.assert_allclose(drawn, posed[i], atol=0.5)
    assert window.spots.spots[0] == tuple(rest[i])  # what the referral lookup matches
    # A spot clicked on the sitting body is kept where the standing skin has that place.
    window.spots.clear()
    window.spots.set_marking(True)
    scene.apply_view(view_by_name("right"))
    pos = world_to_widget(window, tuple(posed[i]))
    qtbot.mouseClick(window.view3d.vtk_widget, Qt.MouseButton.LeftButton, pos=pos)
    assert len(window.spots.spots) == 1
    assert np.linalg.norm(np.array(window.spots.spots[0]) - rest[i]) < 20
    assert np.linalg.norm(np.array(overlays.spots.positions[0]) - posed[i]) < 20
    window.spots.set_marking(False)
    qtbot.wait(10)
    window.actions_by_id["edit.undo"].trigger()
    assert window.state.pose.is_standing
    assert np.linalg.norm(np.array(overlays.spots.positions[0]) - rest[i]) < 20


def _drawn(window: Any, structure: str) -> np.ndarray:
    from vtkmodules.util.numpy_support import vtk_to_numpy

    poly = window.view3d.scene.actor_of(structure).GetMapper().GetInput()
    return np.asarray(vtk_to_numpy(poly.GetPoints().GetData()), dtype=np.float64)


def _tfl_through_skin(window: Any) -> int:
    """Vertices of the drawn right tensor fasciae latae outside the drawn skin (the skin's
    closest face says so and rays along x and y agree)."""
    from viewer.domain.skin_envelope import PosedSkin

    skin = PosedSkin.of(_drawn(window, "skin"), window.context.loaded.meshes["skin"].triangles)
    tfl = _drawn(window, "tensor_fasciae_latae_right")
    depth, _, _ = skin.closest(tfl)
    near = np.flatnonzero(depth < 0.0)
    return int((~skin.inside(tfl[near])).sum())


def test_sitting_keeps_the_hip_muscles_under_the_skin_in_every_body(
    make_main_window: Any, qtbot: Any
) -> None:
    """The one-belly tensor fasciae latae used to come through the sitting hip crease (4.4 mm
    neutral, 12.7 mm female); as drawn, it is pressed under the skin, also after a body switch."""
    window = _window(make_main_window)
    window.posture_panel.buttons["sitting_upright"].click()
    assert _tfl_through_skin(window) == 0
    window.actions_by_id["view.body_female"].trigger()
    assert window.context.loaded.body == "female"
    assert _tfl_through_skin(window) == 0
    window.posture_panel.buttons["standing"].click()
    standing = window.context.loaded.meshes["tensor_fasciae_latae_right"].points
    np.testing.assert_allclose(_drawn(window, "tensor_fasciae_latae_right"), standing, atol=1e-3)


def test_patient_mode_names_the_posture_sliders_plainly_and_back(
    make_main_window: Any, qtbot: Any
) -> None:
    """A patient read "Hip flexion" and "Pelvic tilt" on the sliders beside captions that said
    "hips bent" and "pelvis tipped forward": patient mode renames them; the lecturer's return."""
    from viewer.domain.posture_words import JARGON

    window = _window(make_main_window)
    panel = window.posture_panel

    def texts() -> list[str]:
        return [panel.slider_labels[k].text() for k in ("hip", "tilt", "iliopsoas", "glmax")]

    lecturer = texts()
    assert lecturer[:2] == ["Hip flexion", "Pelvic tilt"]
    window.actions_by_id["view.patient"].trigger()
    assert window.patient_mode
    plain = texts()
    assert plain[:2] == ["How far the hips bend", "Pelvis tipped forward or back"]
    words = " ".join(plain + [panel.sliders[k].accessibleName() for k in panel.sliders])
    words += " " + " ".join(b.text() for b in panel.buttons.values())
    for jargon in [*JARGON, "Gluteus", "tilt"]:
        assert jargon.lower() not in words.lower(), (jargon, words)
    # The form shows the label each slider is named by (its buddy), not a stale copy.
    assert panel.slider_labels["hip"].buddy() is panel.hip
    window.actions_by_id["view.patient"].trigger()
    assert not window.patient_mode
    assert texts() == lecturer
    assert panel.buttons["anterior_tilt"].text() == "Anterior pelvic tilt"


def test_muscles_are_pressed_under_the_skin_only_while_the_skin_is_shown(
    make_main_window: Any, qtbot: Any
) -> None:
    """Posed muscles are kept under the posed skin, which dents them where the skin creases:
    sitting, the tensor fasciae latae showed a dark notch below the ASIS even with the skin
    hidden. Hidden, the skin presses nothing: the muscle is drawn as its bones pose it; shown
    again (here by raising its opacity from zero), it presses the muscle under it once more."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    window = _window(make_main_window)
    scene = window.view3d.scene
    painter = window.view3d.posture
    skin = painter.loaded.skin_id
    tfl = "tensor_fasciae_latae_right"

    def drawn() -> np.ndarray:
        data = scene.actor_of(tfl).GetMapper().GetInput().GetPoints().GetData()
        return np.array(vtk_to_numpy(data), dtype=np.float64)

    window.posture_panel.buttons["sitting_upright"].click()
    pressed = drawn()
    model = painter.model
    mesh = painter.loaded.meshes[tfl]
    as_posed = model.pose_muscle(
        tfl, model.transforms(window.state.pose), mesh.points, model.binding(tfl), mesh.triangles
    )
    assert np.abs(pressed - as_posed).max() > 1.0, "shown, the skin presses the muscle in"

    window.state.set_visible(skin, False)
    assert np.abs(drawn() - as_posed).max() < 1e-3, "hidden, the skin dents nothing"

    window.state.set_visible(skin, True)
    window.state.set_opacity(skin, 0.0)
    assert np.abs(drawn() - as_posed).max() < 1e-3, "fully transparent counts as hidden"
    window.state.set_opacity(skin, 0.35)
    assert np.abs(drawn() - pressed).max() < 1e-3, "shown again, pressed again"
