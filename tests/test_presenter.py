"""Presenter mode driven by keys and a clicker, on the built-in lesson (pytest-qt)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

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
    caption = presenter.overlay.caption.GetInput()
    assert caption == presenter.player.step.caption and caption
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
    assert window.presenter.overlay.caption.GetInput() == "The pelvis carries the trunk"
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
