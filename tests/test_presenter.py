"""Presenter mode driven by keys and a clicker, on the built-in lesson (pytest-qt)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from viewer.domain.camera import view_by_name

pytestmark = pytest.mark.gui


def _presenting(make_main_window: Any, qtbot: Any) -> Any:
    window = make_main_window(show=True)
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas cannot show the lesson yet")
    window.actions_by_id["view.animate"].trigger()  # deterministic: no camera animation
    before = window.state.snapshot()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.presenter is not None and window.presenter.active
    return window, before


def test_keys_step_through_the_lesson_and_esc_restores(make_main_window: Any, qtbot: Any) -> None:
    window, before = _presenting(make_main_window, qtbot)
    presenter = window.presenter
    assert window.isFullScreen()
    assert all(not dock.isVisible() for dock in window.docks.values()), "minimal chrome"
    assert not window.menuBar().isVisible()
    assert window.view3d.renderer.GetBackground() == pytest.approx((0.0, 0.0, 0.0))
    assert presenter.player.index == 0 and presenter.problems == []
    caption = presenter.overlay.caption_text
    assert caption == presenter.player.step.caption and caption
    window.view3d.render_now()
    # The step's labels go to the view's label layout (drawn as far as this test window's
    # small view has room; tests/test_label_views.py checks all are drawn at 1280x720 up).
    assert set(window.view3d.labels.ids) == set(presenter.player.step.scene.labels)
    assert window.view3d.labels.shown, "labels are drawn"
    width, height = window.view3d.renderer.GetSize()
    if width >= 1280:
        assert presenter.overlay.caption.font_px >= 0.035 * height
    cap = presenter.overlay.caption.box()
    assert cap is not None and cap[0] >= 0 and cap[2] <= width, "the caption fits the view"
    assert cap is not None and all(
        not (s.placed.y < height - cap[1] and height - cap[3] < s.placed.y + s.placed.h)
        or s.placed.x + s.placed.w <= cap[0] or s.placed.x >= cap[2]
        for s in window.view3d.labels.shown
    ), "no label under the caption"
    assert presenter.overlay.counter.GetInput() == f"1 / {presenter.player.count}"
    for key, expected in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_PageDown, 2),
                          (Qt.Key.Key_Space, 3), (Qt.Key.Key_Left, 2), (Qt.Key.Key_PageUp, 1)):
        qtbot.keyClick(window, key)
        assert presenter.player.index == expected, key
        assert presenter.problems == [], presenter.problems
    qtbot.keyClick(window, Qt.Key.Key_5)  # digits jump instead of opening pair view 5
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert presenter.player.index == 4
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert presenter.overlay.blanked
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert not presenter.overlay.blanked and presenter.player.index == 5
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.presenter is None
    assert not window.isFullScreen()
    assert window.state.snapshot() == before, "the teacher's own scene comes back"
    assert window.menuBar().isVisible()


def _rich_scene(window: Any) -> None:
    """A teacher's scene with something set in every part presenter mode could disturb."""
    from viewer.domain.sections import section

    state, view = window.state, window.view3d
    triggers = window.features.triggers
    state.set_opacity("gluteus_maximus_right", 0.4)
    state.set_visible("femur_left", False)
    state.select("piriformis_right")
    piriformis = sorted(t for t, m in triggers.muscle_of.items() if m == "piriformis_right")
    triggers.set_active(piriformis[:1])
    triggers.set_side_markers_visible("left", False)  # the "Left side" box unticked
    triggers.set_heat_visible(True)
    window.spots.add((10.0, 95.0, -300.0))
    view.section_state.set_section(section("sagittal").with_offset(12.0))
    view.section_state.set_enabled(True)
    view.labels.set_labels(["sacrum", "piriformis_right"])
    view.labels.set_label_all(True)
    view.scene.apply_view(view_by_name("left"))
    view.renderer.GetActiveCamera().Azimuth(25)  # a camera no preset or lesson step uses


def test_esc_restores_the_whole_scene_exactly(make_main_window: Any, qtbot: Any) -> None:
    from viewer.qt.scene_memory import remember

    window = make_main_window(show=True)
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas cannot show the lesson yet")
    window.actions_by_id["view.animate"].trigger()
    _rich_scene(window)
    before = remember(window)
    assert before.section is not None and before.section[0] and before.labels and before.spots
    qtbot.keyClick(window, Qt.Key.Key_F5)
    presenter = window.presenter
    for index in range(presenter.player.count):  # pair views, heat maps, labels: everything
        presenter.player.goto(index)
    assert window.view3d.section_state.enabled is False, "lesson steps are whole scenes"
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.presenter is None
    after = remember(window)
    assert after.pose is not None and before.pose is not None
    for a, b in zip((after.pose.position, after.pose.focal_point, after.pose.view_up),
                    (before.pose.position, before.pose.focal_point, before.pose.view_up),
                    strict=True):
        assert a == pytest.approx(b, abs=1e-6)
    assert after.__class__(**{**after.__dict__, "pose": None}) == before.__class__(
        **{**before.__dict__, "pose": None}), "every part of the scene comes back"
    from viewer.qt.trigger_panel import TriggerPanel

    panel = next(p for p in window.feature_panels if isinstance(p, TriggerPanel))
    assert panel.right_box.isChecked() and not panel.left_box.isChecked(), "side boxes as before"


def test_esc_brings_back_the_pair_view_the_teacher_was_in(
    make_main_window: Any, qtbot: Any
) -> None:
    from viewer.qt.scene_memory import remember

    window, _ = _presenting(make_main_window, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    window.features.pairs.enter_key(2)
    window.state.set_opacity("sacrum", 0.5)
    before = remember(window)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    window.presenter.player.goto(4)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    after = remember(window)
    assert after.pair == before.pair and after.snapshot == before.snapshot
    assert after.before_pair == before.before_pair
    window.features.pairs.exit()  # leaving the pair view still gives the scene from before it
    assert window.state.snapshot() == before.before_pair


def test_every_step_of_the_builtin_lesson_applies_cleanly(
    make_main_window: Any, qtbot: Any
) -> None:
    window, _ = _presenting(make_main_window, qtbot)
    presenter = window.presenter
    for index in range(presenter.player.count):
        presenter.player.goto(index)
        assert presenter.problems == [], (index, presenter.problems)
    pair_steps = [s for s in presenter.player.lesson.steps if s.scene.pair_view is not None]
    assert len(pair_steps) >= 4, "the lesson uses the pair views"
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.presenter is None


def test_build_a_lesson_in_the_app_save_reopen_and_present(
    make_main_window: Any, tiny_atlas_dir: Any, tmp_path: Any, qtbot: Any
) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)
    editor = window.lesson_editor
    window.state.isolate("pelvis_block")
    qtbot.mouseClick(editor.buttons["add"], Qt.MouseButton.LeftButton)
    editor.step_title.setText("The pelvis")
    editor.caption.setText("The pelvis carries the trunk")
    editor.step_title.editingFinished.emit()
    window.state.show_all()
    window.state.isolate("muscle_b_right")
    qtbot.mouseClick(editor.buttons["add"], Qt.MouseButton.LeftButton)
    editor.step_title.setText("Muscle B")
    editor.step_title.editingFinished.emit()
    qtbot.mouseClick(editor.buttons["up"], Qt.MouseButton.LeftButton)  # Muscle B first now
    assert [s.title for s in editor.lesson.steps] == ["Muscle B", "The pelvis"]
    assert editor.lesson.steps[1].caption == "The pelvis carries the trunk"
    path = tmp_path / "my.talesson"
    assert editor.save_to(path)
    editor.set_lesson(editor.lesson.__class__(title="x", description="", steps=()))
    assert editor.open_from(path)
    assert [s.title for s in editor.lesson.steps] == ["Muscle B", "The pelvis"]
    editor.steps.setCurrentRow(1)  # preview applies the step's scene
    assert window.state.visible_ids == ("pelvis_block",)
    qtbot.mouseClick(editor.buttons["present"], Qt.MouseButton.LeftButton)
    assert window.presenter.player.index == 1
    assert window.presenter.overlay.caption_text == "The pelvis carries the trunk"
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.presenter is None


def test_presenter_display_choice_persists(
    make_main_window: Any, tiny_atlas_dir: Any, qsettings: Any
) -> None:
    from PySide6.QtGui import QGuiApplication

    from viewer.qt.presenter import presenter_screen

    window = make_main_window(tiny_atlas_dir)
    name = QGuiApplication.screens()[0].name()
    window.lessons.set_presenter_screen(name)
    assert presenter_screen(name).name() == name
    again = make_main_window(tiny_atlas_dir, settings=qsettings)
    assert again.prefs.presenter_screen == name
    window.lessons._fill_screen_menu()
    checked = [a.text() for a in window.lessons.screen_menu.actions() if a.isChecked()]
    assert checked and checked[0].startswith(name)


def test_pair_steps_keep_the_pair_clear_of_its_key(make_main_window: Any, qtbot: Any) -> None:
    """On the projector the pair key of a tall pair is a column on the left; every pair step,
    the one framing its own structures (11) too, keeps the pair's muscles right of it (or below
    a band key), as the exported slides do. Steps framing a close-up keep every arrow and joint
    dot in the picture."""

    from viewer.domain.labels import project_points
    from viewer.render.overlays import _projection, frame_points, mechanics_points

    window, _ = _presenting(make_main_window, qtbot)
    presenter, view = window.presenter, window.view3d
    overlays, renderer = view.overlays, view.renderer
    columns = 0
    for index, step in enumerate(presenter.player.lesson.steps):
        if step.scene.pair_view is None:
            continue
        presenter.player.goto(index)
        view.request_render()
        qtbot.wait(50)
        active = window.features.pairs.active
        legend = overlays.pair_legend
        w, h = renderer.GetSize()
        loaded = view.scene.loaded
        points = frame_points(overlays.posed(active.resolved), loaded.atlas, loaded.meshes)
        pixels, inside = project_points(points, _projection(renderer), (w, h))
        pixels = pixels[inside]
        where = f"step {index + 1}"
        camera = step.scene.camera
        if camera is not None and camera.frame:
            # A close-up on what the pair turns (steps 5 and 6 on the pelvis and hip) crops
            # the muscles' far ends (the psoas up to T12: step 6 keeps 0.90 of the points),
            # never the arrows, curved arrows and joint dots.
            drawn = mechanics_points(overlays.posed(active.resolved), fallbacks=False)
            _pixels, seen = project_points(drawn, _projection(renderer), (w, h))
            assert seen.all(), (where, "an arrow or joint cut by the frame")
            assert len(pixels) > 0.85 * len(points), where
        else:
            assert len(pixels) > 0.95 * len(points), where
        if legend.column_px:
            columns += 1
            clear = pixels[:, 0] >= legend.right_px
        else:
            clear = pixels[:, 1] >= h - legend.bottom_px  # y down
        assert clear.mean() >= 0.99, (where, legend.column_px, clear.mean())
    assert columns >= 3, "the tall pairs' keys are columns on the projector"
