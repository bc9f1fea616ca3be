"""The Qt binding must not lose references to ``None`` (PySide6 6.12.0 on CPython < 3.12 does).

A lost reference per void Qt call aborts the interpreter after a few hundred clicks on Python
3.10/3.11. These tests drive the app's own window through thousands of real Qt calls and check that
``None``'s count holds, and that the start-up probe recognises a leaking binding and says so.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from viewer.qt import binding_check

pytestmark = pytest.mark.gui

needs_mortal_none = pytest.mark.skipif(
    binding_check.none_is_immortal(), reason="None is immortal on Python 3.12+: it cannot leak"
)


def test_probe_passes_the_installed_binding() -> None:
    from PySide6.QtWidgets import QApplication

    _ = QApplication.instance() or QApplication([])
    if binding_check.none_is_immortal():
        assert binding_check.binding_problem() is None
        return
    assert binding_check.none_refcount_drift() > -binding_check.LEAK_PER_CALL
    assert binding_check.binding_problem() is None


def _give_back(lost: int) -> None:
    """Return references a broken binding took from None, so the run can report and exit."""
    if lost > 0:
        inc_ref = ctypes.pythonapi.Py_IncRef
        inc_ref.argtypes = [ctypes.py_object]
        for _ in range(lost):
            inc_ref(None)


@needs_mortal_none
def test_clicking_through_the_window_keeps_none_alive(make_main_window: Any, qtbot: Any) -> None:
    """Visibility, opacity, selection and pair views, a few thousand Qt calls in all."""
    window = make_main_window(show=True)
    if window.features is None or window.features.pairs is None:
        pytest.skip("the built-in atlas has no pair views")
    window.actions_by_id["view.animate"].trigger()  # no animation timers: the same calls each run
    panel = window.panel
    muscle_ids = [sid for sid in panel.items if sid in panel.sliders and "gluteus" in sid][:4]
    assert muscle_ids, "the built-in atlas lists gluteal muscles"

    def one_round(round_index: int) -> None:
        for sid in muscle_ids:
            item = panel.items[sid]
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setCheckState(0, Qt.CheckState.Checked)
            panel.sliders[sid].setValue(40 + round_index % 50)
            panel.tree.setCurrentItem(item)
        if round_index % 3 == 0:
            qtbot.keyClick(window, Qt.Key.Key_1)
            qtbot.keyClick(window, Qt.Key.Key_Escape)
        window.view3d.render_now()

    one_round(0)  # warm caches, lazy imports and first-time allocations
    gc.collect()
    before = sys.getrefcount(None)
    lost = 0
    try:
        # Four rounds after the warm-up (one with a pair view): a leaking binding loses
        # thousands of references a round, so it trips the limit in the first one or two;
        # twelve rounds only repeated the same calls (a minute of a CI run under load).
        for round_index in range(1, 5):
            one_round(round_index)
            lost = before - sys.getrefcount(None)
            # A leaking binding loses ~180 references per opacity change and ~880 per pair view,
            # thousands a round; a healthy one moves by a few hundred at most as objects come and
            # go. Stop at once, before None's count reaches zero and the interpreter aborts.
            if lost > 500:
                break
        gc.collect()
        lost = before - sys.getrefcount(None)
        assert lost < 500, f"None lost {lost} references by round {round_index} of clicks"
    finally:
        _give_back(lost)


@needs_mortal_none
def test_probe_measures_a_leaking_call() -> None:
    """A call that drops one reference to None each time (as 6.12.0 does) is measured as -1."""
    dec_ref = ctypes.pythonapi.Py_DecRef
    dec_ref.argtypes = [ctypes.py_object]
    inc_ref = ctypes.pythonapi.Py_IncRef
    inc_ref.argtypes = [ctypes.py_object]
    calls = 500
    try:
        drift = binding_check.none_refcount_drift(lambda: dec_ref(None), calls=calls)
    finally:
        for _ in range(calls):  # give every reference back before anything can notice
            inc_ref(None)
    assert drift == pytest.approx(-1.0, abs=0.05)
    message = binding_check.binding_problem(drift)
    assert message is not None
    assert "PySide6" in message and "3.12" in message and "<6.12" in message


def test_a_leaking_binding_is_reported_at_start_up(
    make_main_window: Any,
    tiny_atlas_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: Any,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(binding_check, "none_is_immortal", lambda: False)
    monkeypatch.setattr(binding_check, "none_refcount_drift", lambda *a, **k: -1.0)
    window = make_main_window(tiny_atlas_dir, show=True)
    with caplog.at_level("ERROR", logger="viewer"):
        message = binding_check.warn_if_binding_leaks(window)
    assert message is not None
    box = window.findChild(QMessageBox, "binding_problem_box")
    assert box is not None and box.isVisible()
    assert box.text() == message
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert any("Qt binding problem" in record.getMessage() for record in caplog.records)
    box.close()


def test_a_sound_binding_shows_nothing(make_main_window: Any, tiny_atlas_dir: Path) -> None:
    from PySide6.QtWidgets import QMessageBox

    window = make_main_window(tiny_atlas_dir, show=True)
    assert binding_check.warn_if_binding_leaks(window) is None
    assert window.findChild(QMessageBox, "binding_problem_box") is None



@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13"])
def test_dependencies_never_pair_a_leaking_pyside6_with_a_mortal_none(python: str) -> None:
    """The install the README runs cannot resolve PySide6 6.12.0 on Python 3.10/3.11."""
    import re

    from packaging.requirements import Requirement

    from tests.conftest import REPO

    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    block = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    lines = re.findall(r'^\s*"([^"]+)"', block, flags=re.MULTILINE)
    pyside = [Requirement(line) for line in lines if line.lower().startswith("pyside6")]
    environment = {"python_version": python}
    active = [r for r in pyside if r.marker is None or r.marker.evaluate(environment)]
    assert len(active) == 1, f"exactly one PySide6 requirement applies on Python {python}"
    allows_broken = active[0].specifier.contains("6.12.0")
    immortal_none = tuple(int(part) for part in python.split(".")) >= (3, 12)
    assert allows_broken == immortal_none, (
        f"PySide6 6.12.0 is {'allowed' if allows_broken else 'excluded'} on Python {python}"
    )
