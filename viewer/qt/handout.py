"""The patient handout: a PDF (A4 or Letter) with front and back pain maps and plain words.

Written with Qt's own PDF writer; nothing about the patient is kept unless the therapist saves
the file. The self-care notes are typed by the therapist in the dialog.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from viewer.qt.texts import handout_html

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow

PAPERS = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}


def write_handout(window: MainWindow, path: Path, paper: str, self_care: str) -> Path:
    """Render front and back maps of the chosen trigger points and write the handout PDF.

    The sheet marks only this patient's points; the screen's own markers come back afterwards.
    """
    features = window.features
    if features is None or features.referral is None or features.triggers is None:
        raise ValueError("trigger points are not loaded")
    referral, triggers = features.referral, features.triggers
    chosen = [referral.trigger_points[t] for t in triggers.active if t in referral.trigger_points]
    muscles = set(triggers.muscle_of.values())
    shown_before = {m for m in muscles if triggers.markers_visible(m)}
    chosen_muscles = {tp.muscle for tp in chosen}
    triggers.set_markers_visible(sorted(muscles - chosen_muscles), False)
    triggers.set_markers_visible(sorted(chosen_muscles), True)
    try:
        html = handout_html(chosen, referral, window.state.atlas, self_care)
        _print_pdf(window, path, paper, html)
    finally:
        triggers.set_markers_visible(sorted(muscles - shown_before), False)
        triggers.set_markers_visible(sorted(shown_before), True)
    return path


def _print_pdf(window: MainWindow, path: Path, paper: str, html: str) -> None:
    """Front/back renders as document images, then the document through QPdfWriter."""
    from viewer.render.offscreen import render_to_png

    document = QTextDocument()
    with tempfile.TemporaryDirectory() as folder:
        for name, view in (("front.png", "anterior"), ("back.png", "posterior")):
            out = render_to_png(
                window.context.loaded,
                window.state,
                Path(folder) / name,
                size=(900, 1100),
                view=view,
                features=window.features,
                marker_px=34,
            )
            document.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(name), QImage(str(out))
            )
        document.setHtml(html)
        writer = QPdfWriter(str(path))
        writer.setTitle("Trigger Atlas patient handout")
        writer.setCreator("Trigger Atlas")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(PAPERS[paper]),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 15, 15, 15),
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setResolution(150)
        document.setPageSize(writer.pageLayout().paintRectPixels(150).size().toSizeF())
        document.print_(writer)
        del writer  # the PDF is complete once the writer is gone


class HandoutDialog(QDialog):
    """Paper size and the therapist's self-care notes, then a file to save."""

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window_ = window
        self.setWindowTitle("Patient handout")
        self.paper = QComboBox(self)
        self.paper.addItems(list(PAPERS))
        self.paper.setAccessibleName("Paper size")
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Self-care notes")
        self.notes.setPlaceholderText(
            "Self-care notes for this patient (stretches, posture, when to come back)…"
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "The handout shows the trigger points now selected, front and back, "
                "with their referral maps and the notes below."
            )
        )
        form.addRow("Paper", self.paper)
        form.addRow("Self-care notes", self.notes)
        form.addRow(buttons)

    def run(self) -> Path | None:
        """Ask, then write; returns the PDF path or ``None``."""
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        name, _ = QFileDialog.getSaveFileName(
            self.window_, "Save handout", "handout.pdf", "PDF (*.pdf)"
        )
        if not name:
            return None
        return write_handout(
            self.window_, Path(name), self.paper.currentText(), self.notes.toPlainText()
        )
