"""Lesson editor: build a lesson from views set up in the app, reorder and annotate the steps.

Every edit makes a new immutable :class:`~viewer.domain.lessons.Lesson` through the pure editing
functions; the widget only shows the current one. Saving is atomic.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.domain.camera import CameraPose
from viewer.domain.lessons import (
    CAPTION_MAX,
    Lesson,
    LessonStep,
    add_step,
    edit_lesson,
    edit_step,
    move_step,
    remove_step,
)

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow

LESSON_FILTER = "Trigger Atlas lessons (*.talesson *.json)"


class LessonEditor(QWidget):
    """Dock content: step list, step text fields and lesson file buttons."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("lesson_editor")
        self.window_ = window
        self.lesson = Lesson(title="New lesson", description="", steps=())
        self.path: Path | None = None
        self.title = QLineEdit(self.lesson.title)
        self.title.setAccessibleName("Lesson title")
        self.steps = QListWidget(self)
        self.steps.setAccessibleName("Lesson steps")
        self.step_title = QLineEdit()
        self.step_title.setAccessibleName("Step title")
        self.caption = QLineEdit()
        self.caption.setMaxLength(CAPTION_MAX)
        self.caption.setAccessibleName("On-screen caption")
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Presenter notes")
        self.notes.setPlaceholderText("Presenter notes, with sources")
        buttons: dict[str, QPushButton] = {}
        for key, text in (
            ("add", "Add current view"),
            ("remove", "Remove"),
            ("up", "Up"),
            ("down", "Down"),
            ("open", "Open…"),
            ("save", "Save as…"),
            ("present", "Present"),
        ):
            buttons[key] = QPushButton(text)
        self.buttons = buttons
        row1 = QHBoxLayout()
        for key in ("add", "remove", "up", "down"):
            row1.addWidget(buttons[key])
        row2 = QHBoxLayout()
        for key in ("open", "save", "present"):
            row2.addWidget(buttons[key])
        form = QFormLayout()
        form.addRow("Step title", self.step_title)
        form.addRow("Caption", self.caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(QLabel("Lesson"))
        layout.addWidget(self.title)
        layout.addWidget(self.steps, 1)
        layout.addLayout(row1)
        layout.addLayout(form)
        layout.addWidget(self.notes, 1)
        layout.addLayout(row2)

        buttons["add"].clicked.connect(self.add_current_view)
        buttons["remove"].clicked.connect(self.remove_current)
        buttons["up"].clicked.connect(lambda: self.move_current(-1))
        buttons["down"].clicked.connect(lambda: self.move_current(+1))
        buttons["open"].clicked.connect(self.ask_open)
        buttons["save"].clicked.connect(self.ask_save)
        buttons["present"].clicked.connect(self.present)
        self.title.editingFinished.connect(self._on_title)
        self.step_title.editingFinished.connect(self._on_step_text)
        self.caption.editingFinished.connect(self._on_step_text)
        self.notes.textChanged.connect(self._on_step_text)
        self.steps.currentRowChanged.connect(self._on_row)
        self._refresh()

    # -- editing -------------------------------------------------------------------------------
    def set_lesson(self, lesson: Lesson, path: Path | None = None) -> None:
        """Show another lesson (e.g. just opened)."""
        self.lesson, self.path = lesson, path
        self._refresh(0 if lesson.steps else -1)

    def add_current_view(self) -> None:
        """Append the scene on screen now as a new step after the current one."""
        from viewer.state.scene_io import capture_scene

        w = self.window_
        pose = w.view3d.scene.current_pose() if w.view3d is not None else None
        labels = w.view3d.labels.ids if w.view3d is not None else ()
        scene = capture_scene(w.state, w.features, pose, spots=w.spots, labels=labels)
        number = len(self.lesson.steps) + 1
        step = LessonStep(title=f"Step {number}", scene=scene, notes="", caption="")
        row = self.steps.currentRow()
        index = row + 1 if row >= 0 else None
        self.lesson = add_step(self.lesson, step, index)
        self._refresh(index if index is not None else len(self.lesson.steps) - 1)

    def remove_current(self) -> None:
        """Delete the selected step."""
        row = self.steps.currentRow()
        if row >= 0:
            self.lesson = remove_step(self.lesson, row)
            self._refresh(min(row, len(self.lesson.steps) - 1))

    def move_current(self, delta: int) -> None:
        """Move the selected step up (-1) or down (+1)."""
        row = self.steps.currentRow()
        target = row + delta
        if row >= 0 and 0 <= target < len(self.lesson.steps):
            self.lesson = move_step(self.lesson, row, target)
            self._refresh(target)

    def _on_title(self) -> None:
        self.lesson = edit_lesson(self.lesson, title=self.title.text().strip() or "Untitled")

    def _on_step_text(self) -> None:
        row = self.steps.currentRow()
        if row < 0:
            return
        try:
            self.lesson = edit_step(
                self.lesson,
                row,
                title=self.step_title.text(),
                caption=self.caption.text(),
                notes=self.notes.toPlainText(),
            )
        except ValueError as exc:
            self.window_.statusBar().showMessage(str(exc))
            return
        item = self.steps.item(row)
        if item is not None:
            item.setText(f"{row + 1}. {self.step_title.text()}")

    def _on_row(self, row: int) -> None:
        """Show the step's text and preview its scene."""
        from viewer.state.scene_io import FramedView, apply_scene, known_labels

        self._fill_fields(row)
        if row < 0:
            return
        w = self.window_
        target, problems = apply_scene(
            self.lesson.steps[row].scene,
            w.state,
            w.features,
            spots=w.spots,
            file=str(self.path or "(lesson)"),
            place=f"steps/{row}/scene",
        )
        w.problem_list.add(p for p in problems if p.severity != "info")
        if isinstance(target, CameraPose) and w.view3d is not None:
            w.view3d.move_camera(target)
        elif isinstance(target, FramedView) and w.view3d is not None:
            from viewer.render.structure_framing import framed_view_pose

            w.view3d.move_camera(framed_view_pose(w.view3d.scene, target.view, target.frame))
        if w.view3d is not None:
            w.view3d.labels.set_labels(known_labels(self.lesson.steps[row].scene, w.state))

    # -- files ---------------------------------------------------------------------------------
    def save_to(self, path: Path) -> bool:
        """Write the lesson atomically; a failure keeps any earlier file and says why."""
        from viewer.io.lessons import save_lesson

        try:
            save_lesson(path, self.lesson)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(
                self,
                "Lesson not saved",
                f"{path}: {exc}\nAny earlier version of the file is unchanged.",
            )
            return False
        self.path = path
        self.window_.statusBar().showMessage(f"Saved {path}")
        return True

    def open_from(self, path: Path) -> bool:
        """Read a lesson; a broken step is skipped and reported, the rest opens."""
        from viewer.io.lessons import load_lesson
        from viewer.io.problems import summarize

        lesson, problems = load_lesson(path)
        if problems:
            from viewer.qt.problem_list import plain_message

            self.window_.problem_list.add(problems)
            plain_message(
                self,
                "Lesson opened with problems" if lesson else "Lesson not opened",
                summarize(list(problems)),
            )
        if lesson is None:
            return False
        self.set_lesson(lesson, path)
        return True

    def ask_save(self) -> None:
        """Save-as dialog."""
        name, _ = QFileDialog.getSaveFileName(self, "Save lesson", "", LESSON_FILTER)
        if name:
            path = Path(name)
            self.save_to(path if path.suffix else path.with_suffix(".talesson"))

    def ask_open(self) -> None:
        """Open dialog."""
        name, _ = QFileDialog.getOpenFileName(self, "Open lesson", "", LESSON_FILTER)
        if name:
            self.open_from(Path(name))

    def present(self) -> None:
        """Present this lesson from the selected step."""
        if not self.lesson.steps:
            return
        self.window_.lessons.present(self.lesson, str(self.path or "lesson"))
        presenter = self.window_.presenter
        if presenter is not None and self.steps.currentRow() > 0:
            presenter.player.goto(self.steps.currentRow())

    # -- display -------------------------------------------------------------------------------
    def _refresh(self, select: int = -1) -> None:
        with QSignalBlocker(self.steps), QSignalBlocker(self.title):
            self.title.setText(self.lesson.title)
            self.steps.clear()
            for number, step in enumerate(self.lesson.steps, start=1):
                self.steps.addItem(f"{number}. {step.title}")
            self.steps.setCurrentRow(select)
        self._fill_fields(select)
        has = bool(self.lesson.steps)
        for key in ("remove", "up", "down", "save", "present"):
            self.buttons[key].setEnabled(has)

    def _fill_fields(self, row: int) -> None:
        step = self.lesson.steps[row] if 0 <= row < len(self.lesson.steps) else None
        for widget, value in (
            (self.step_title, step.title if step else ""),
            (self.caption, step.caption if step else ""),
        ):
            with QSignalBlocker(widget):
                widget.setText(value)
                widget.setEnabled(step is not None)
        with QSignalBlocker(self.notes):
            self.notes.setPlainText(step.notes if step else "")
            self.notes.setEnabled(step is not None)
