"""Lessons in the window: presenting the built-in or a chosen lesson, and the presenter display.

Menu and key handlers of the action table point here (``lessons.<method>``), keeping the main
window a wiring class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QActionGroup, QGuiApplication

from viewer.io.problems import Problem, summarize
from viewer.qt.problem_list import plain_message

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow


class LessonController:
    """Owns the running presenter (if any) and the presenter-display menu."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.presenter: Any = None
        self.screen_menu: Any = None

    def build_screen_menu(self, lesson_menu: Any) -> None:
        self.screen_menu = lesson_menu.addMenu("Presenter &display")
        self.screen_menu.aboutToShow.connect(self._fill_screen_menu)

    def _fill_screen_menu(self) -> None:
        self.screen_menu.clear()
        group = QActionGroup(self.screen_menu)
        choices = [("", "Automatic (a second display if there is one)")]
        choices += [
            (s.name(), f"{s.name()} — {s.size().width()}×{s.size().height()}")
            for s in QGuiApplication.screens()
        ]
        for name, title in choices:
            action = self.screen_menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(name == self.window.prefs.presenter_screen)
            action.triggered.connect(lambda _=False, n=name: self.set_presenter_screen(n))
            group.addAction(action)

    def set_presenter_screen(self, name: str) -> None:
        """Choose the display presenter mode goes full screen on (persisted)."""
        self.window.prefs.presenter_screen = name

    def present(self, lesson: Any, source: str) -> None:
        """Start presenter mode on ``lesson`` (features are loaded first if needed)."""
        from viewer.qt.presenter import Presenter

        if self.window.view3d is None or lesson is None:
            return
        if not lesson.steps:
            message = f"{source}: lesson {lesson.title!r} has no steps; nothing to present"
            self.window.statusBar().showMessage(message)
            self.window.problem_list.add([Problem(source, "steps", "no steps; not presented")])
            return
        if self.window.features is None:
            self.window.finish_loading()
        self.presenter = Presenter(self.window, lesson, source)
        self.presenter.start(self.window.prefs.presenter_screen)

    def presenter_stopped(self) -> None:
        """Called by the presenter when it has restored the window."""
        self.presenter = None

    def present_builtin_lesson(self) -> None:
        """Present "What does the iliopsoas have to do with back pain?"."""
        from viewer.qt.presenter import load_builtin_lesson

        lesson, source, problems = load_builtin_lesson()
        self.window.problem_list.add([p for p in problems if isinstance(p, Problem)])
        if lesson is None:
            self.window.statusBar().showMessage(
                "No built-in lesson could be read; see the problem list."
            )
            return
        self.present(lesson, source)

    def present_lesson_file(self) -> None:
        """Choose a lesson file and present it."""
        from PySide6.QtWidgets import QFileDialog

        from viewer.io.lessons import load_lesson

        name, _ = QFileDialog.getOpenFileName(
            self.window, "Present lesson", "", "Lessons (*.talesson *.json)"
        )
        if not name:
            return
        lesson, problems = load_lesson(name)
        if lesson is None:
            self.window.problem_list.add(problems)
            plain_message(self.window, "Lesson not opened", summarize(list(problems)))
            return
        self.present(lesson, name)
