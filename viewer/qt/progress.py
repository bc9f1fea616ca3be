"""A window-modal progress dialog for work that runs on the GUI thread (heat-map fields)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget


def modal_progress(
    text: str, parent: QWidget | None = None
) -> tuple[QProgressDialog, Callable[[float, str], None]]:
    """The dialog (shown only if the work takes over 0.4 s) and a ``progress(fraction, message)``
    callback that updates it and keeps the window painting."""
    dialog = QProgressDialog(text, "", 0, 100, parent)
    dialog.setWindowTitle("Trigger Atlas")
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(400)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)

    def progress(fraction: float, message: str) -> None:
        dialog.setLabelText(message)
        dialog.setValue(round(100 * fraction))
        QApplication.processEvents()

    return dialog, progress
