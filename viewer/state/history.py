"""Undo and redo for every scene change (visibility, opacity, colour, selection).

The history watches :class:`~viewer.state.scene.SceneState` through its signals instead of being
called by each widget, so no action can forget to record itself. One user action may emit
several signals (restoring a pair view, dragging an opacity slider); wrapping it in
:meth:`begin`/:meth:`end` or the :meth:`transaction` context manager turns the whole burst into
one undo step, without any timers. Changes made while undoing or redoing are not recorded. The
camera view is not part of the history: undoing a hide must not move the camera. No Qt, no VTK.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from psygnal import Signal

from viewer.state.scene import SceneSnapshot, SceneState

DEFAULT_MAX_DEPTH = 200
"""Undo steps kept; older steps are dropped so a long session cannot grow without bound."""


@dataclass(frozen=True)
class HistoryStep:
    """One undoable user action: the scene before and after it, and a label for the Edit menu."""

    before: SceneSnapshot
    after: SceneSnapshot
    label: str = ""


def _same_scene(a: SceneSnapshot, b: SceneSnapshot) -> bool:
    """Equal display state (the camera view is deliberately ignored)."""
    return (
        dict(a.visible) == dict(b.visible)
        and dict(a.opacity) == dict(b.opacity)
        and dict(a.color) == dict(b.color)
        and a.selection == b.selection
        and a.pose == b.pose
    )


class SceneHistory:
    """Undo/redo stack of scene snapshots fed by the scene's own signals.

    Signals
    -------
    changed()
        The undo or redo stack changed (update the Undo/Redo actions and their texts).
    """

    changed = Signal()

    def __init__(self, state: SceneState, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        if max_depth < 1:
            raise ValueError("max_depth must be at least 1")
        self.state = state
        self.max_depth = max_depth
        self._undo: list[HistoryStep] = []
        self._redo: list[HistoryStep] = []
        self._current = state.snapshot()
        self._applying = False
        self._depth = 0
        self._label = ""
        for signal in (
            state.visibility_changed,
            state.opacity_changed,
            state.color_changed,
            state.selection_changed,
            state.pose_changed,
        ):
            signal.connect(self._on_scene_changed)

    # -- queries -------------------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        """True when there is a step to undo (and no action is half-way through)."""
        return bool(self._undo) and self._depth == 0

    @property
    def can_redo(self) -> bool:
        """True when an undone step can be redone."""
        return bool(self._redo) and self._depth == 0

    @property
    def undo_label(self) -> str:
        """Label of the step :meth:`undo` would revert ("" when none or unlabelled)."""
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        """Label of the step :meth:`redo` would re-apply."""
        return self._redo[-1].label if self._redo else ""

    @property
    def undo_depth(self) -> int:
        """Number of undo steps held."""
        return len(self._undo)

    @property
    def redo_depth(self) -> int:
        """Number of redo steps held."""
        return len(self._redo)

    @property
    def applying(self) -> bool:
        """True while an undo or redo is changing the scene (those changes are not recorded)."""
        return self._applying

    @property
    def in_transaction(self) -> bool:
        """True between :meth:`begin` and the matching :meth:`end`."""
        return self._depth > 0

    # -- grouping ------------------------------------------------------------------------------
    def begin(self, label: str = "") -> None:
        """Start one user action; every change until the matching :meth:`end` is one step.

        Calls nest: only the outermost pair records, and the outermost label wins.
        """
        if self._depth == 0:
            # ``_current`` is already the scene after the last recorded step (every record and
            # every undo/redo refreshes it). Not re-reading it here lets a caller open the step
            # from inside the first change's signal, after the state has already moved.
            self._label = label
        self._depth += 1

    def end(self) -> None:
        """Finish the action started by :meth:`begin`; records a step if the scene changed."""
        if self._depth == 0:
            raise RuntimeError("SceneHistory.end() without begin()")
        self._depth -= 1
        if self._depth == 0:
            self._record(self._label)
            self._label = ""

    @contextmanager
    def transaction(self, label: str = "") -> Iterator[SceneHistory]:
        """``with history.transaction("Show iliopsoas"):`` groups the block into one step.

        The step is recorded even if the block raises, so the scene and history never disagree.
        """
        self.begin(label)
        try:
            yield self
        finally:
            self.end()

    # -- undo / redo ---------------------------------------------------------------------------
    def undo(self) -> bool:
        """Revert the last step; returns False when there was nothing to undo."""
        self._check_idle("undo")
        if not self._undo:
            return False
        step = self._undo.pop()
        self._apply(step.before)
        self._redo.append(step)
        self.changed.emit()
        return True

    def redo(self) -> bool:
        """Re-apply the last undone step; returns False when there was nothing to redo."""
        self._check_idle("redo")
        if not self._redo:
            return False
        step = self._redo.pop()
        self._apply(step.after)
        self._undo.append(step)
        self.changed.emit()
        return True

    def clear(self) -> None:
        """Forget all steps (e.g. after loading another atlas or a saved scene)."""
        self._undo.clear()
        self._redo.clear()
        self._current = self.state.snapshot()
        self.changed.emit()

    def disconnect(self) -> None:
        """Stop observing the scene (the history keeps its steps but records no more)."""
        for signal in (
            self.state.visibility_changed,
            self.state.opacity_changed,
            self.state.color_changed,
            self.state.selection_changed,
            self.state.pose_changed,
        ):
            signal.disconnect(self._on_scene_changed)

    # -- internals -----------------------------------------------------------------------------
    def _check_idle(self, what: str) -> None:
        if self._depth:
            raise RuntimeError(f"cannot {what} while an action is in progress (begin without end)")

    def _apply(self, snap: SceneSnapshot) -> None:
        self._applying = True
        try:
            self.state.restore(replace(snap, view=self.state.view))
        finally:
            self._applying = False
        self._current = self.state.snapshot()

    def _on_scene_changed(self, *_: Any) -> None:
        if self._applying or self._depth:
            return
        self._record("")

    def _record(self, label: str) -> None:
        after = self.state.snapshot()
        if _same_scene(self._current, after):
            self._current = after
            return
        self._undo.append(HistoryStep(self._current, after, label))
        if len(self._undo) > self.max_depth:
            del self._undo[: len(self._undo) - self.max_depth]
        self._redo.clear()
        self._current = after
        self.changed.emit()
