"""OK and Cancel buttons wired to a dialog's accept and reject.

The export dialogs (image and 3D) end the same way; one helper keeps their buttons, order and
wiring identical so a keyboard user meets the same Enter/Esc behaviour in both.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox


def ok_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """A button box whose OK accepts and whose Cancel rejects ``dialog``."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
