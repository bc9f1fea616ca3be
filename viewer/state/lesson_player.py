"""Which lesson step is on screen, and whether the screen is blanked. No Qt, no VTK.

The presenter mode maps keys to these actions (next/previous, Home/End, a number to jump, B to
blank) and applies the current step's scene when ``step_changed`` fires; the player itself never
touches the scene, so it can be tested and driven without a window.
"""

from __future__ import annotations

from psygnal import Signal

from viewer.domain.lessons import Lesson, LessonStep


class LessonPlayer:
    """Step navigation over one lesson, with clamping at both ends.

    Signals
    -------
    step_changed(int)
        The new step index (fires once per real change, and when a new lesson is loaded).
    blank_changed(bool)
        Whether the screen is blanked (the presenter hides the scene, e.g. for a discussion).
    """

    step_changed = Signal(int)
    blank_changed = Signal(bool)

    def __init__(self, lesson: Lesson, start: int = 0) -> None:
        if not lesson.steps:
            raise ValueError(f"lesson {lesson.title!r} has no steps")
        self._lesson = lesson
        self._index = self._clamp(start)
        self._blank = False

    # -- queries -------------------------------------------------------------------------------
    @property
    def lesson(self) -> Lesson:
        """The lesson being presented."""
        return self._lesson

    @property
    def index(self) -> int:
        """Current step, 0-based."""
        return self._index

    @property
    def step(self) -> LessonStep:
        """The current step."""
        return self._lesson.steps[self._index]

    @property
    def count(self) -> int:
        """Number of steps."""
        return len(self._lesson.steps)

    @property
    def blank(self) -> bool:
        """True while the screen is blanked."""
        return self._blank

    @property
    def at_first(self) -> bool:
        """True on the first step."""
        return self._index == 0

    @property
    def at_last(self) -> bool:
        """True on the last step."""
        return self._index == self.count - 1

    def position_text(self) -> str:
        """``"3 / 11"``: for the presenter's status line."""
        return f"{self._index + 1} / {self.count}"

    # -- actions -------------------------------------------------------------------------------
    def goto(self, index: int) -> int:
        """Show step ``index`` (0-based, clamped to the lesson); returns the step shown.

        Moving to another step also ends blanking, as a presenter expects after a pause.
        """
        target = self._clamp(index)
        if target != self._index:
            self._index = target
            self.set_blank(False)
            self.step_changed.emit(target)
        return self._index

    def next(self) -> int:
        """One step forward (stays on the last step)."""
        return self.goto(self._index + 1)

    def previous(self) -> int:
        """One step back (stays on the first step)."""
        return self.goto(self._index - 1)

    def first(self) -> int:
        """Back to the first step."""
        return self.goto(0)

    def last(self) -> int:
        """Jump to the last step."""
        return self.goto(self.count - 1)

    def set_blank(self, blank: bool) -> None:
        """Blank or unblank the screen."""
        if blank != self._blank:
            self._blank = blank
            self.blank_changed.emit(blank)

    def toggle_blank(self) -> bool:
        """Flip blanking; returns the new value."""
        self.set_blank(not self._blank)
        return self._blank

    def set_lesson(self, lesson: Lesson, start: int | None = None) -> None:
        """Present another (or an edited) lesson at ``start``; ``None`` keeps the position
        (clamped to the new length)."""
        if not lesson.steps:
            raise ValueError(f"lesson {lesson.title!r} has no steps")
        self._lesson = lesson
        self._index = self._clamp(self._index if start is None else start)
        self.set_blank(False)
        self.step_changed.emit(self._index)

    def _clamp(self, index: int) -> int:
        return max(0, min(len(self._lesson.steps) - 1, int(index)))
