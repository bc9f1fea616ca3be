"""A few thousand random actions on the main window: no exception, bounded time, bounded memory.

Menu actions, keyboard shortcuts, clicks, drags and wheel turns in the 3D view and dock toggles
are drawn from a seeded generator (so a failure can be replayed) on a synthetic atlas with
trigger points. Actions that open a file dialog are left out: they wait for a person.
"""

from __future__ import annotations

import random
import resource
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.trigger_factory import write_annotations, write_body_atlas

SEED = 15
ACTIONS = 3000
TIME_LIMIT_S = 50.0
SKIPPED_ACTIONS = ("file.", "lesson.present_file", "view.fullscreen")
KEYS = [
    Qt.Key.Key_I,
    Qt.Key.Key_H,
    Qt.Key.Key_S,
    Qt.Key.Key_L,
    Qt.Key.Key_C,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Home,
    Qt.Key.Key_1,
    Qt.Key.Key_2,
    Qt.Key.Key_3,
    Qt.Key.Key_6,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Space,
    Qt.Key.Key_B,
]  # fmt: skip  (F5 comes from the action; Shift+F5 opens a file dialog)
KIND_WEIGHTS = (30, 30, 15, 10, 10, 5)
"""Menu action, key, click, drag, wheel, dock toggle."""
MODIFIERS = [
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.ControlModifier,
]


def _rss_mib() -> float:
    """Current resident set size (Linux /proc), in MiB."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _close_boxes() -> None:
    """Close message boxes as a person would, and let Qt delete what asked for it."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            widget.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as the event loop does


@pytest.fixture
def body_with_triggers(tmp_path: Path, monkeypatch: Any) -> Path:
    atlas = write_body_atlas(tmp_path / "atlas")
    monkeypatch.setenv("TRIGGER_ATLAS_ANNOTATIONS", str(write_annotations(tmp_path / "ann")))
    return atlas


def test_random_actions_raise_nothing_and_do_not_grow(
    body_with_triggers: Path, make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(body_with_triggers, show=True, size=(800, 560))
    view = window.view3d.vtk_widget
    rng = random.Random(SEED)
    actions = [a for k, a in window.actions_by_id.items() if not k.startswith(SKIPPED_ACTIONS)]
    docks = list(window.docks.values())

    def point() -> QPoint:
        return QPoint(rng.randrange(5, view.width() - 5), rng.randrange(5, view.height() - 5))

    def act(kind: int) -> None:
        if kind == 0:
            action = rng.choice(actions)
            if action.isEnabled():
                action.trigger()
        elif kind == 1:
            QTest.keyClick(
                window.focusWidget() or view, rng.choice(KEYS), rng.choice(MODIFIERS[:2])
            )
        elif kind == 2:
            QTest.mouseClick(
                view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point()
            )
        elif kind == 3:
            button = rng.choice([Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton])
            modifier = rng.choice(MODIFIERS)
            QTest.mousePress(view, button, modifier, point())
            for _ in range(3):
                QTest.mouseMove(view, point())
            QTest.mouseRelease(view, button, modifier, point())
        elif kind == 4:
            pos = QPointF(point())
            event = QWheelEvent(
                pos, view.mapToGlobal(pos), QPoint(), QPoint(0, rng.choice([-120, 120])),
                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase, False,
            )  # fmt: skip
            QApplication.sendEvent(view, event)
        else:
            rng.choice(docks).toggleViewAction().trigger()

    warm_up = 200
    started = time.monotonic()
    baseline = 0.0
    done = 0
    for done in range(ACTIONS):
        if done == warm_up:
            baseline = _rss_mib()
        act(rng.choices(range(6), weights=KIND_WEIGHTS)[0])
        QApplication.processEvents()
        if done % 50 == 49:
            _close_boxes()
        if time.monotonic() - started > TIME_LIMIT_S:
            break
    if window.presenter is not None:
        window.presenter.stop()
    _close_boxes()
    QApplication.processEvents()
    elapsed = time.monotonic() - started
    growth = (_rss_mib() - baseline) / baseline
    unexpected = [p for p in window.problem_list.problems if p.place == "unexpected error"]
    assert not unexpected, "\n".join(map(str, unexpected))
    assert done + 1 >= 1000, f"only {done + 1} actions in {elapsed:.0f} s"
    assert growth < 0.10, f"RSS grew {growth:.1%} over {done + 1} actions"
    assert window.isVisible()
    print(f"{done + 1} random actions in {elapsed:.1f} s, RSS growth {growth:.1%}")
