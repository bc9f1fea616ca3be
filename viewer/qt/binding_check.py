"""Detect a Qt binding that loses references to ``None`` before it kills the app.

PySide6 6.12.0 on CPython 3.10/3.11 takes one reference from ``None`` on every Qt method that
returns nothing and never gives it back. ``None``'s count falls with every click, and after a few
hundred clicks the interpreter aborts with ``none_dealloc`` and the user's unsaved work is gone.
CPython 3.12 made ``None`` immortal, so the same binding is harmless there.

``pyproject.toml`` keeps such a pair from being installed; this probe is the second line of
defence for environments that were assembled by hand. It measures instead of matching version
strings, so it also catches a future release with the same fault.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

#: How many void calls one probe makes: enough to see a one-per-call loss above the noise of
#: ``None`` references held elsewhere, and a fraction of a millisecond.
PROBE_CALLS = 2000

#: A loss of more than this many references per call means the binding leaks.
LEAK_PER_CALL = 0.5


def none_is_immortal() -> bool:
    """CPython 3.12+ never frees ``None``, so a lost reference cannot crash it."""
    return sys.version_info >= (3, 12)


def none_refcount_drift(
    call: Callable[[], object] | None = None, calls: int = PROBE_CALLS
) -> float:
    """Average change of ``None``'s reference count per call of ``call``.

    ``call`` defaults to a void Qt method (``QObject.setObjectName``). A healthy binding gives
    about 0; the broken one about -1.
    """
    if call is None:
        from PySide6.QtCore import QObject

        probe = QObject()

        def call() -> object:
            probe.setObjectName("probe")
            return None

    before = sys.getrefcount(None)
    for _ in range(calls):
        call()
    return (sys.getrefcount(None) - before) / calls


def binding_problem(drift: float | None = None) -> str | None:
    """A one-paragraph explanation when this Python/PySide6 pair leaks ``None``, else ``None``.

    ``drift`` is a measurement from :func:`none_refcount_drift`; it is taken here when not given.
    """
    if none_is_immortal():
        return None
    if drift is None:
        drift = none_refcount_drift()
    if drift > -LEAK_PER_CALL:
        return None
    import PySide6

    python = ".".join(str(part) for part in sys.version_info[:3])
    return (
        f"This installation pairs PySide6 {PySide6.__version__} with Python {python}. "
        "That combination loses a reference to Python's None on every Qt call, and the app "
        "would abort after a few hundred clicks, losing unsaved work. Save often, and "
        "reinstall with a working pair: pip install \"PySide6-Essentials<6.12\" "
        "(or use Python 3.12 or newer)."
    )


def warn_if_binding_leaks(parent: object | None = None) -> str | None:
    """Probe the binding; on a leak, log it and tell the user in one message box.

    Returns the message shown (for tests and the log), or ``None`` when the binding is sound.
    """
    import logging

    message = binding_problem()
    if message is None:
        return None
    logging.getLogger("viewer").error("Qt binding problem: %s", message)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox, QWidget

    box = QMessageBox(parent if isinstance(parent, QWidget) else None)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Qt binding problem")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message)
    box.setObjectName("binding_problem_box")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # window-modal: the parent keeps it alive until the user closes it
    return message
