"""A running quiz: the current question, answers so far, score and the review of mistakes.

The quiz panel shows :attr:`QuizSession.current`, the 3D view forwards clicks (for *find*) and
the panel forwards chosen options (for *name*) to :meth:`QuizSession.answer`; both just observe the
signals. No Qt, no VTK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psygnal import Signal

from viewer.domain.quiz import Question


@dataclass(frozen=True)
class QuizAnswer:
    """One answered question: what was given (``None`` = skipped) and whether it was right."""

    question: Question
    given: str | None
    correct: bool

    @property
    def expected(self) -> str:
        """The structure id that was asked for."""
        return self.question.target


class QuizSession:
    """Walks through a fixed list of questions, one answer each.

    Signals
    -------
    question_changed(object)
        The new current :class:`Question`, or ``None`` when the quiz is over.
    answered(object)
        The :class:`QuizAnswer` just recorded (show right/wrong feedback from it).
    finished(int, int)
        Score and number of questions, once, when the last question is answered.
    """

    question_changed = Signal(object)
    answered = Signal(object)
    finished = Signal(int, int)

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions: tuple[Question, ...] = tuple(questions)
        self._answers: list[QuizAnswer] = []

    @property
    def index(self) -> int:
        """Zero-based number of the current question (== total once finished)."""
        return len(self._answers)

    @property
    def total(self) -> int:
        """Number of questions."""
        return len(self.questions)

    @property
    def current(self) -> Question | None:
        """The question to answer now, or ``None`` when the quiz is over."""
        return None if self.is_finished else self.questions[self.index]

    @property
    def is_finished(self) -> bool:
        """True once every question has an answer."""
        return self.index >= self.total

    @property
    def score(self) -> int:
        """Questions answered right so far."""
        return sum(a.correct for a in self._answers)

    @property
    def answers(self) -> tuple[QuizAnswer, ...]:
        """Every answer so far, in order."""
        return tuple(self._answers)

    def answer(self, given: str | None) -> QuizAnswer:
        """Record the answer to the current question (``None`` skips it) and move on."""
        question = self.current
        if question is None:
            raise RuntimeError("the quiz is finished; start a new one")
        record = QuizAnswer(question, given, question.is_correct(given))
        self._answers.append(record)
        self.answered.emit(record)
        self.question_changed.emit(self.current)
        if self.is_finished:
            self.finished.emit(self.score, self.total)
        return record

    def skip(self) -> QuizAnswer:
        """Give up on the current question (counts as a mistake, shows up in the review)."""
        return self.answer(None)

    def review(self) -> tuple[QuizAnswer, ...]:
        """The mistakes only: question, what was given and (``expected``) what was right."""
        return tuple(a for a in self._answers if not a.correct)

    def restart(self) -> None:
        """Same questions again from the first."""
        self._answers.clear()
        self.question_changed.emit(self.current)
