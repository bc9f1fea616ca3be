"""Quiz panel: "find the structure" (click it in 3D) and "name the highlighted structure"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.domain.quiz import QuestionType, make_quiz
from viewer.domain.structures import REGION_TITLES
from viewer.state.quiz import QuizAnswer, QuizSession
from viewer.state.scene import SceneSnapshot

ROLE = Qt.ItemDataRole.UserRole

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow

HIGHLIGHT = "#f0c000"
"""Colour of the structure to name: the selection tint, strong enough to spot at once."""


class QuizPanel(QWidget):
    """Runs a quiz session over a chosen region; the 3D view answers *find* questions by click."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("quiz_panel")
        self.window_ = window
        self.session: QuizSession | None = None
        self._before: SceneSnapshot | None = None
        self.region = QComboBox(self)
        self.region.setAccessibleName("Quiz region")
        self.region.addItem("Whole atlas", None)
        for key, title in REGION_TITLES.items():
            if any(s.region == key for s in window.state.atlas.renderable):
                self.region.addItem(title, key)
        self.start = QPushButton("Start a quiz (10 questions)")
        self.prompt = QLabel("Choose a region and start.")
        self.prompt.setWordWrap(True)
        self.prompt.setObjectName("quiz_prompt")
        self.options = QListWidget(self)
        self.options.setAccessibleName("Answer options")
        self.skip = QPushButton("Skip")
        self.score = QLabel("")
        self.review = QListWidget(self)
        self.review.setAccessibleName("Mistakes to review")
        row = QHBoxLayout()
        row.addWidget(self.skip)
        row.addWidget(self.score, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.region)
        layout.addWidget(self.start)
        layout.addWidget(self.prompt)
        layout.addWidget(self.options, 1)
        layout.addLayout(row)
        layout.addWidget(QLabel("Review of mistakes:"))
        layout.addWidget(self.review, 1)
        self.start.clicked.connect(lambda: self.begin(seed=None))
        self.skip.clicked.connect(self._skip)
        self.options.itemActivated.connect(self._on_option)
        self.options.itemClicked.connect(self._on_option)
        self.skip.setEnabled(False)

    # -- session ---------------------------------------------------------------------------
    def begin(self, seed: int | None = None, count: int = 10) -> QuizSession:
        """A new session over the chosen region (a fixed ``seed`` repeats the same questions)."""
        import random

        state = self.window_.state
        self._before = state.snapshot()
        questions = make_quiz(
            state.atlas,
            count=count,
            seed=random.randrange(1 << 30) if seed is None else seed,
            region=self.region.currentData(),
        )
        self.session = QuizSession(questions)
        self.session.question_changed.connect(self._show_question)
        self.session.finished.connect(self._on_finished)
        self.review.clear()
        self.skip.setEnabled(True)
        state.selection_changed.connect(self._on_selection)
        self._show_question(self.session.current)
        return self.session

    def _show_question(self, question: object) -> None:
        state = self.window_.state
        session = self.session
        if session is None or question is None:
            return
        q = session.current
        assert q is not None
        self.score.setText(f"{session.score} / {session.index} right")
        self.options.clear()
        if self._before is not None:
            state.restore(self._before)
        state.select(None)
        if q.kind is QuestionType.FIND:
            name = state.atlas.get(q.target).name if q.target in state.atlas else q.prompt
            number = session.index + 1
            self.prompt.setText(f"Question {number}: find the {name} and click it in 3D.")
        else:
            self.prompt.setText(f"Question {session.index + 1}: which structure is highlighted?")
            state.set_color(q.highlight, HIGHLIGHT)
            state.set_visible(q.highlight, True)
            view = self.window_.view3d
            if view is not None:  # turn to it: the student names it, so nothing is selected
                view.move_camera(view.scene.pose_toward(q.highlight))
            for sid, label in zip(q.options, q.option_labels, strict=True):
                self.options.addItem(label)
                self.options.item(self.options.count() - 1).setData(ROLE, sid)

    def _on_selection(self, selected: object) -> None:
        """A click in the 3D view answers a *find* question."""
        session = self.session
        if session is None or selected is None or session.current is None:
            return
        if session.current.kind is QuestionType.FIND:
            self._record(session.answer(str(selected)))

    def _on_option(self, item: object) -> None:
        session = self.session
        if session is None or session.current is None or item is None:
            return
        self._record(session.answer(item.data(ROLE)))  # type: ignore[attr-defined]

    def _skip(self) -> None:
        if self.session is not None and self.session.current is not None:
            self._record(self.session.skip())

    def _record(self, answer: QuizAnswer) -> None:
        if not answer.correct:
            atlas = self.window_.state.atlas
            given = (
                atlas.get(answer.given).name
                if answer.given is not None and answer.given in atlas
                else "(skipped)"
            )
            self.review.addItem(f"{atlas.get(answer.expected).name} — you chose {given}")

    def _on_finished(self, score: int, total: int) -> None:
        self.prompt.setText(f"Finished: {score} of {total} right. Start again for new questions.")
        self.score.setText(f"{score} / {total}")
        self.options.clear()
        self.skip.setEnabled(False)
        self.end()

    def end(self) -> None:
        """Stop listening to clicks and put the scene back as it was before the quiz."""
        if self.session is None:
            return
        state = self.window_.state
        state.selection_changed.disconnect(self._on_selection)
        self.session.question_changed.disconnect(self._show_question)
        self.session.finished.disconnect(self._on_finished)
        if self._before is not None:
            state.restore(self._before)
        self.session = None

    def detach(self) -> None:
        """The window is closing."""
        self.end()
