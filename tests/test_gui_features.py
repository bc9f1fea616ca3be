"""Trigger points, heat maps, pair views and "where does it hurt?" driven through the window.

These run on the built-in atlas (real muscles and skin) because the annotations are anchored to
its anatomy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

from tests.gui_helpers import world_to_widget
from viewer.render.heatmap_painter import ESSENTIAL_RGB

pytestmark = pytest.mark.gui


def _frame(window: Any) -> np.ndarray:
    view = window.view3d
    view.render_now()
    grab = vtkWindowToImageFilter()
    grab.SetInput(view.render_window)
    grab.ReadFrontBufferOff()
    grab.Update()
    image = grab.GetOutput()
    w, h, _ = image.GetDimensions()
    return vtk_to_numpy(image.GetPointData().GetScalars()).reshape(h, w, -1)[..., :3]


def _built_in(make_main_window: Any, qtbot: Any) -> Any:
    window = make_main_window(show=True)
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas has no skin/trigger points yet")
    window.actions_by_id["view.animate"].trigger()  # immediate camera moves: deterministic
    assert not window.view3d.animate
    return window


def test_ticking_a_trigger_point_paints_its_referral(make_main_window: Any, qtbot: Any) -> None:
    window = _built_in(make_main_window, qtbot)
    panel = next(p for p in window.feature_panels if p.objectName() == "trigger_panel")
    window.state.request_view("posterior")
    before = _frame(window)
    item = panel.point_items["piriformis_lateral_right"]
    item.setCheckState(0, Qt.CheckState.Checked)
    assert window.features.triggers.active == ("piriformis_lateral_right",)
    panel.tree.setCurrentItem(item)
    assert "How to find it" in panel.details.toHtml()
    assert "not a diagnosis" in panel.details.toHtml()
    after = _frame(window)
    red = lambda img: np.all(np.abs(img.astype(int) - ESSENTIAL_RGB.astype(int)) < 45, axis=-1)  # noqa: E731
    # Dark muscle seen through the ghost skin can be that red too: count the pixels it adds.
    assert (red(after) & ~red(before)).mean() > 0.002, "the heat map appears on screen"
    assert window.view3d.overlays.legend.visible
    window.view3d.set_moving(True)  # light meshes while the camera moves
    moving = _frame(window)
    assert (red(moving) & ~red(before)).mean() > 0.002, "the heat map stays on while rotating"
    window.view3d.set_moving(False)
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not window.view3d.overlays.painter.active


def test_muscle_rows_and_side_boxes_toggle_markers(make_main_window: Any, qtbot: Any) -> None:
    window = _built_in(make_main_window, qtbot)
    panel = next(p for p in window.feature_panels if p.objectName() == "trigger_panel")
    layer = window.view3d.overlays.layer
    start = set(layer.marker_ids)
    assert start and all("psoas" in m or "iliacus" in m for m in start), "iliopsoas at start"

    def piriformis_right() -> set[str]:
        return {m for m in layer.marker_ids if m.startswith("piriformis") and m.endswith("_right")}

    panel.muscle_items["piriformis_right"].setCheckState(0, Qt.CheckState.Checked)
    assert len(piriformis_right()) == 2, "lateral and medial piriformis points"
    panel.muscle_items["piriformis_right"].setCheckState(0, Qt.CheckState.Unchecked)
    assert not piriformis_right()
    panel.left_box.setChecked(False)
    assert not any(m.endswith("_left") for m in layer.marker_ids)
    assert 0 < len(layer.marker_ids) < len(start)


def test_number_keys_enter_pair_views_and_esc_restores_the_scene(
    make_main_window: Any, qtbot: Any
) -> None:
    window = _built_in(make_main_window, qtbot)
    pairs = window.features.pairs
    assert pairs is not None
    window.state.select("femur_right")
    before = window.state.snapshot()
    camera = window.view3d.renderer.GetActiveCamera()
    pose_before = (*camera.GetPosition(), *camera.GetFocalPoint())
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert pairs.active is not None and pairs.active.pair.key == 1
    assert window.view3d.overlays.pairs_overlay.n_props > 0, "arrows and joints drawn"
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert pairs.active.pair.key == 2
    qtbot.keyClick(window, Qt.Key.Key_L)  # other side
    assert pairs.active.side == "left"
    panel = next(p for p in window.feature_panels if p.objectName() == "pair_panel")
    assert panel.left.isChecked()
    assert "Sources" in panel.text.toHtml()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert pairs.active is None
    assert window.state.snapshot() == before, "leaving restores the scene exactly"
    assert (*camera.GetPosition(), *camera.GetFocalPoint()) == pytest.approx(pose_before)
    assert window.view3d.overlays.pairs_overlay.n_props == 0


def test_marking_a_painful_spot_ranks_candidates(make_main_window: Any, qtbot: Any) -> None:
    window = _built_in(make_main_window, qtbot)
    panel = next(p for p in window.feature_panels if p.objectName() == "pain_panel")
    qtbot.mouseClick(panel.turn_buttons["posterior"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.mark, Qt.MouseButton.LeftButton)
    assert window.spots.marking
    referral = window.features.referral
    target = referral.skin_landmarks["posterior_thigh_right"].points.mean(axis=0)
    pos = world_to_widget(window, tuple(target))
    qtbot.mouseClick(window.view3d.vtk_widget, Qt.MouseButton.LeftButton, pos=pos)
    assert len(window.spots.spots) == 1
    assert np.linalg.norm(np.array(window.spots.spots[0]) - target) < 40
    assert panel.results.count() > 0
    top = [panel.results.item(i).data(Qt.ItemDataRole.UserRole)[1] for i in range(3)]
    assert any(t.startswith(("piriformis", "gluteus_minimus")) for t in top), top
    panel.results.setCurrentRow(0)
    assert window.features.triggers.active == (top[0],)
    rows = [panel.results.item(i).text().split(". ", 1)[1] for i in range(panel.results.count())]
    names = [r.split(" — ")[0] for r in rows]
    assert len(set(names)) == len(names), f"a name is repeated: {names}"
    reasons = [r.split(" — ")[1] for r in rows]
    # Every reason names a zone (the bare "fading edge of its zones" told nothing, seven times).
    assert all("'" in r for r in reasons), reasons
    assert window.view3d.overlays.spots.count == 1, "the spot is marked on the body"
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.spots.marking
    # Patients see muscles, each once; picking one shows all of its trigger points.
    note = panel.findChild(QLabel, "pain_disclaimer")
    small = note.font().pointSizeF()
    window.patient.set_patient_mode(True)
    # The safety notice grows with the rest of patient mode's text (it stayed at 9 pt).
    assert note.font().pointSizeF() > small and note.font().bold()
    names = [panel.results.item(i).text() for i in range(panel.results.count())]
    muscles = [panel.results.item(i).data(Qt.ItemDataRole.UserRole)[1] for i in range(len(names))]
    assert len(set(muscles)) == len(muscles) and "Deep buttock muscle (piriformis)" in " ".join(
        names
    )
    row = muscles.index("piriformis_right")
    panel.results.setCurrentRow(row)
    assert set(window.features.triggers.active) == {
        "piriformis_lateral_right",
        "piriformis_medial_right",
    }
    # Clearing the spots empties the list without choosing another muscle on the way (emptying
    # it moved the current row from item to item, and the map and handout switched to
    # gluteus medius, which nobody picked).
    panel.results.setCurrentRow(0)  # the first row: emptying the list makes the next current
    chosen = set(window.features.triggers.active)
    qtbot.mouseClick(panel.clear, Qt.MouseButton.LeftButton)
    assert panel.results.count() == 0 and not window.spots.spots
    assert set(window.features.triggers.active) == chosen
    window.patient.set_patient_mode(False)


def test_compare_mode_follows_the_pair_view(make_main_window: Any, qtbot: Any) -> None:
    window = _built_in(make_main_window, qtbot)
    overlays = window.view3d.overlays
    qtbot.keyClick(window, Qt.Key.Key_2)
    window.actions_by_id["pairs.compare"].trigger()
    assert overlays.comparing
    assert window.view3d.renderer.GetViewport() == pytest.approx((0.0, 0.0, 0.5, 1.0))
    counts = overlays.compare.counts
    assert counts[1] > 0 and counts[2] > 0, "each side reaches skin the other does not"
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # leaving the pair view unsplits the window
    assert not overlays.comparing
    assert window.view3d.renderer.GetViewport() == pytest.approx((0.0, 0.0, 1.0, 1.0))


def test_hovering_a_marker_explains_it_and_help_lists_pair_keys(
    make_main_window: Any, qtbot: Any
) -> None:
    from PySide6.QtWidgets import QToolTip

    from tests.gui_helpers import world_to_widget

    window = _built_in(make_main_window, qtbot)
    window.state.request_view("anterior")
    window.view3d.render_now()
    overlays = window.view3d.overlays
    tp_id = overlays.layer.marker_ids[0]
    tp = window.features.referral.trigger_points[tp_id]
    pos = world_to_widget(window, tp.position)
    qtbot.mouseMove(window.view3d.vtk_widget, pos)
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    assert tp.name in QToolTip.text()
    assert "Sources" in QToolTip.text()
    window.show_shortcuts()
    text = window.shortcuts_box.text()
    assert "Pair view: Psoas" in text or "Pair view: psoas" in text.lower()
    window.shortcuts_box.close()


def test_marker_refresh_keeps_pair_arrows_and_painful_spots(
    make_main_window: Any, qtbot: Any
) -> None:
    """The overlay renderer is shared: re-placing X markers must not wipe the other overlays."""
    window = _built_in(make_main_window, qtbot)
    overlays = window.view3d.overlays
    qtbot.keyClick(window, Qt.Key.Key_1)
    window.spots.add((0.0, 100.0, -100.0))
    props_before = overlays.layer.overlay.GetViewProps().GetNumberOfItems()
    window.features.triggers.set_active(["piriformis_lateral_right"])  # markers re-placed
    window.features.triggers.set_markers_visible(["gluteus_medius_right"], True)
    props = overlays.layer.overlay.GetViewProps()
    kept = [props.GetItemAsObject(i) for i in range(props.GetNumberOfItems())]
    assert overlays.spots._actors[0] in kept, "the painful spot survives"
    assert overlays.pairs_overlay.n_props > 0
    assert all(p in kept for p in overlays.pairs_overlay._props), "the pair arrows survive"
    assert props.GetNumberOfItems() >= props_before


def test_search_shows_a_result_from_where_it_is_seen_with_context(
    make_main_window: Any, qtbot: Any
) -> None:
    window = _built_in(make_main_window, qtbot)
    camera = window.view3d.renderer.GetActiveCamera()
    # Gluteus medius: hidden behind the pelvis from the front, so shown from the right side
    # (straight or from behind-right, where the gluteus maximus sheet leaves it bare).
    window.study.fly_to("gluteus_medius_right")
    assert window.state.selection == "gluteus_medius_right"
    direction = camera.GetDirectionOfProjection()
    assert direction[0] > 0.65, ("looking at the right hip from the right", direction)
    assert direction[1] < 0.1, ("not from the front, where it is hidden", direction)
    # Framed with context: its points span about half the view, not the whole screen.
    view = window.view3d
    points = view.scene.visible_points(["gluteus_medius_right"])
    w, h = view.render_window.GetSize()
    matrix = camera.GetCompositeProjectionTransformMatrix(w / h, -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    hom = np.c_[points, np.ones(len(points))] @ m.T
    ndc = np.abs(hom[:, :2] / hom[:, 3:4]).max()
    assert 0.4 < ndc < 0.75, ndc
    # Piriformis: covered by the gluteus maximus from everywhere; seen from behind, cover ghosted.
    window.study.fly_to("piriformis_right")
    assert camera.GetDirectionOfProjection()[1] < -0.9, "looking at the buttock from behind"
    assert window.state.opacity("gluteus_maximus_right") < 0.5
    assert window.state.opacity("sacrum") == 1.0, "bones stay as landmarks"


def test_tied_candidates_share_a_rank_and_the_summary_says_so(
    make_main_window: Any, qtbot: Any
) -> None:
    """Five muscles cover a spot beside the lower spine fully: the list must not number them
    1-5 as if the first were likelier (it was alphabetical)."""
    window = _built_in(make_main_window, qtbot)
    panel = next(p for p in window.feature_panels if p.objectName() == "pain_panel")
    window.patient.set_patient_mode(True)
    spot = window.features.referral.skin_landmarks["lower_lumbar_paraspinal_right"]
    window.spots.add(tuple(spot.points.mean(axis=0)))
    rows = [panel.results.item(i).text() for i in range(panel.results.count())]
    numbers = [int(r.split(".", 1)[0]) for r in rows]
    assert numbers[:3] == [1, 1, 1], rows
    assert "equally well" in panel.summary.text(), panel.summary.text()
    window.patient.set_patient_mode(False)
