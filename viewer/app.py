"""GUI start-up: build the context, the Qt application and the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from viewer.context import load_context


def run_gui(atlas_dir: Path | None = None) -> int:
    """Open the main window on the given (or built-in) atlas; returns the exit code."""
    from PySide6.QtWidgets import QApplication

    from viewer.qt.main_window import MainWindow
    from viewer.qt.settings import APPLICATION, ORGANIZATION

    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Trigger Atlas")
    context = load_context(atlas_dir)
    window = MainWindow(context)
    window.show()
    return int(app.exec())
