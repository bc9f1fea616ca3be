"""Lessons: an ordered list of scenes with a projector caption and presenter notes per step.

Pure data and pure editing functions: every edit returns a new :class:`Lesson`, so an editor can
keep the old one for undo and the presenter never sees a half-edited lesson. No Qt, no VTK.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from viewer.domain.scenedoc import SceneDocument

CAPTION_MAX = 90
"""Longest on-screen caption: at most two lines a back row can read on a projector."""

CAPTION_FRACTION = 0.036
"""Caption text height as a share of the frame height (3.6 %: above the 3.5 % a back row
needs on a projector, at every frame size)."""

TEXT_FRACTION = 0.021
"""Legend, disclaimer, step counter and label text height as a share of the frame (above 2 %)."""


@dataclass(frozen=True)
class LessonStep:
    """One step: a title (for the step list), the scene to show, presenter notes (with
    sources), and the short caption shown on screen."""

    title: str
    scene: SceneDocument
    notes: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Lesson:
    """A titled sequence of steps."""

    title: str
    description: str = ""
    steps: tuple[LessonStep, ...] = ()

    def __len__(self) -> int:
        return len(self.steps)


def check_caption(caption: str) -> str:
    """The caption, or ``ValueError`` if it is too long for a projector or spans lines."""
    if "\n" in caption:
        raise ValueError("a caption is a single line")
    if len(caption) > CAPTION_MAX:
        raise ValueError(f"caption has {len(caption)} characters; at most {CAPTION_MAX}")
    return caption


def caption_lines(caption: str, one_line_fits: bool) -> tuple[str, ...]:
    """The caption as it is drawn: one line when it fits, else two lines of balanced length.

    The break goes at the word boundary that makes the longer line shortest, so a wrapped
    caption reads as two even lines rather than a full line and a stray word.
    """
    text = " ".join(caption.split())
    if one_line_fits or " " not in text:
        return (text,) if text else ()
    words = text.split(" ")
    best: tuple[int, int] | None = None
    for k in range(1, len(words)):
        longest = max(len(" ".join(words[:k])), len(" ".join(words[k:])))
        if best is None or longest < best[0]:
            best = (longest, k)
    assert best is not None
    k = best[1]
    return (" ".join(words[:k]), " ".join(words[k:]))


def _index(lesson: Lesson, index: int, *, insert: bool = False) -> int:
    """A valid step index (negative counts from the end); ``IndexError`` otherwise."""
    n = len(lesson.steps) + (1 if insert else 0)
    i = index + n if index < 0 else index
    if not 0 <= i < n:
        raise IndexError(f"step {index} out of range (lesson has {len(lesson.steps)} steps)")
    return i


def add_step(lesson: Lesson, step: LessonStep, index: int | None = None) -> Lesson:
    """Insert ``step`` before ``index`` (default: append)."""
    check_caption(step.caption)
    steps = list(lesson.steps)
    steps.insert(len(steps) if index is None else _index(lesson, index, insert=True), step)
    return replace(lesson, steps=tuple(steps))


def remove_step(lesson: Lesson, index: int) -> Lesson:
    """Drop one step."""
    i = _index(lesson, index)
    return replace(lesson, steps=lesson.steps[:i] + lesson.steps[i + 1 :])


def move_step(lesson: Lesson, source: int, target: int) -> Lesson:
    """Move the step at ``source`` so that it ends up at position ``target``."""
    i, j = _index(lesson, source), _index(lesson, target)
    steps = list(lesson.steps)
    steps.insert(j, steps.pop(i))
    return replace(lesson, steps=tuple(steps))


def edit_step(
    lesson: Lesson,
    index: int,
    *,
    title: str | None = None,
    notes: str | None = None,
    caption: str | None = None,
    scene: SceneDocument | None = None,
) -> Lesson:
    """Change the text (or the scene) of one step; arguments left ``None`` are kept."""
    i = _index(lesson, index)
    old = lesson.steps[i]
    new = LessonStep(
        title=old.title if title is None else title,
        scene=old.scene if scene is None else scene,
        notes=old.notes if notes is None else notes,
        caption=old.caption if caption is None else check_caption(caption),
    )
    return replace(lesson, steps=(*lesson.steps[:i], new, *lesson.steps[i + 1 :]))


def edit_lesson(
    lesson: Lesson, *, title: str | None = None, description: str | None = None
) -> Lesson:
    """Change the lesson's title or description."""
    return replace(
        lesson,
        title=lesson.title if title is None else title,
        description=lesson.description if description is None else description,
    )
