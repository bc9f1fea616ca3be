"""GUI start-up: build the context, the Qt application and the main window."""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path


def run_gui(atlas_dir: Path | None = None) -> int:
    """Open the main window on the given (or built-in) atlas; returns the exit code."""
    from PySide6.QtWidgets import QApplication

    from viewer.context import load_context  # here: the floor benchmark imports this module
    from viewer.qt.main_window import MainWindow
    from viewer.qt.settings import APPLICATION, ORGANIZATION

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setStyle("Fusion")  # same look on every desktop; follows light/dark colour schemes
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Trigger Atlas")
    from viewer.qt.problem_list import install_excepthook

    install_excepthook()
    context = load_context(atlas_dir, light_first=True)
    window = MainWindow(context)
    if os.environ.get("TRIGGER_ATLAS_EXIT_AFTER_FIRST_FRAME") and window.view3d is not None:
        _exit_after_first_frame(window.view3d, app, context.loaded)
    window.show()
    from viewer.qt.binding_check import warn_if_binding_leaks

    warn_if_binding_leaks(window)
    return int(app.exec())


def _exit_after_first_frame(view: object, app: object, loaded: object) -> None:
    """Benchmark and smoke-test hook: report the first rendered atlas frame, then quit.

    Prints ``first-frame <seconds since process start> <peak RSS MiB>`` on stdout, then
    ``first-frame-detail light`` when that frame drew the light meshes (full detail still to be
    read, as progressive loading intends) or ``full``.
    """
    from PySide6.QtCore import QTimer

    renderer = view.renderer  # type: ignore[attr-defined]
    started = _process_start_time()

    def on_end(*_args: object) -> None:
        if renderer.GetNumberOfPropsRendered() == 0:
            return
        renderer.RemoveObserver(tag)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"first-frame {time.time() - started:.4f} {peak:.1f}", flush=True)
        detail = "light" if getattr(loaded, "pending_full", None) else "full"
        print(f"first-frame-detail {detail}", flush=True)
        QTimer.singleShot(0, app.quit)  # type: ignore[attr-defined]

    tag = renderer.AddObserver("EndEvent", on_end)


def _process_start_time() -> float:
    """Wall-clock time at which this process started (Linux /proc; falls back to now)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return time.time() - uptime + int(fields[19]) / ticks
    except (OSError, ValueError, IndexError):
        return time.time()
