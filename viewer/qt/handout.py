"""The patient handout: a PDF (A4 or Letter) with front and back pain maps and plain words.

Written with Qt's own PDF writer; nothing about the patient is kept unless the therapist saves
the file. The self-care notes are typed by the therapist in the dialog.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QMarginsF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)
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

from viewer.domain.camera import CameraPose, view_by_name
from viewer.domain.framing import fit_pose
from viewer.domain.pairviews import compare_frame
from viewer.domain.structures import Kind
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
        def html(styles: Sequence[str]) -> str:
            return handout_html(
                chosen, referral, window.state.atlas, self_care, marker_styles=styles
            )

        _print_pdf(window, path, paper, html, figure_poses(window, chosen))
    finally:
        triggers.set_markers_visible(sorted(muscles - shown_before), False)
        triggers.set_markers_visible(sorted(shown_before), True)
    return path


DPI = 150
FIGURE_PX = (1000, 1300)
"""Rendered size of each figure: printed about 85 x 110 mm, so about 300 dpi."""
FIGURE_ASPECT = FIGURE_PX[0] / FIGURE_PX[1]
VIEW_ANGLE_DEG = 30.0
"""VTK's default vertical field of view, which the off-screen render keeps."""


def figure_poses(window: MainWindow, chosen: list[Any]) -> dict[str, CameraPose]:
    """Front and back cameras framing the chosen points and every zone they reach.

    Same height band for both, so the two figures share one scale; the body's outline is kept
    around the zones (see :func:`viewer.domain.pairviews.compare_frame`).
    """
    features = window.features
    loaded = window.context.loaded
    skin = next((s.id for s in loaded.atlas.renderable if s.kind is Kind.SKIN), None)
    if features is None or features.referral is None or skin is None:
        return {}
    points = np.asarray(loaded.meshes[skin].points, dtype=np.float64)
    heat = features.referral.field_for([tp.id for tp in chosen]).intensity
    frame = compare_frame(points, (np.asarray(heat) > 0.1).astype(np.int8))
    markers = np.array([tp.position for tp in chosen], dtype=np.float64).reshape(-1, 3)
    frame = np.vstack([frame, markers]) if len(markers) else frame
    out = {}
    for view in ("anterior", "posterior"):
        preset = view_by_name(view)
        out[view] = fit_pose(
            frame, preset.direction, preset.view_up, VIEW_ANGLE_DEG, FIGURE_ASPECT, fill=0.92
        )
    return out


def _swatch(path: Path, kind: str) -> QImage:
    """Small key images: solid usual red, striped spillover, and the marker styles as the
    figures draw them (bold X; thin X in an outlined box for a deep point; small grey x for
    one on the far side)."""
    from viewer.render.heatmap_painter import ESSENTIAL_RGB, SPILLOVER_RGB

    width = 40 if kind.startswith("marker") else 68
    image = QImage(width, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if kind == "usual":
            painter.fillRect(0, 0, width, 40, QColor(*[int(c) for c in ESSENTIAL_RGB]))
        elif kind == "sometimes":
            painter.fillRect(0, 0, width, 40, QColor(*[int(c) for c in SPILLOVER_RGB]))
            painter.setPen(QPen(QColor(150, 95, 75), 5))
            for x in range(-40, width, 14):
                painter.drawLine(x, 40, x + 40, 0)
        elif kind == "marker-deep":
            painter.setPen(QPen(QColor(20, 20, 20), 3))
            painter.drawRect(5, 3, 30, 34)
            painter.drawLine(12, 10, 28, 30)
            painter.drawLine(28, 10, 12, 30)
        elif kind == "marker-counted":  # the "×2" an X carries for two points at one spot
            font = QFont()
            font.setBold(True)
            font.setPixelSize(22)
            painter.setFont(font)
            painter.setPen(QColor(20, 20, 20))
            painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, "\u00d72")
        elif kind == "marker-far_side":
            painter.setPen(QPen(QColor(97, 97, 97), 3))
            painter.drawLine(14, 16, 26, 30)
            painter.drawLine(26, 16, 14, 30)
        else:
            painter.setPen(QPen(QColor(20, 20, 20), 7))
            painter.drawLine(8, 8, 32, 32)
            painter.drawLine(32, 8, 8, 32)
    finally:
        painter.end()
    image.save(str(path))
    return image


def _print_pdf(
    window: MainWindow,
    path: Path,
    paper: str,
    html: Callable[[Sequence[str]], str],
    poses: dict[str, CameraPose],
) -> None:
    """Front/back renders and key swatches as document images, then the document through
    QPdfWriter.

    The sheet has one key, printed under the figures: the renders leave out their own heat
    and marker keys, and ``html`` gets the marker styles they drew, in legend order.
    """
    from viewer.render.offscreen import render_to_png

    document = QTextDocument()
    drawn: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        for name, view in (("front.png", "anterior"), ("back.png", "posterior")):
            out = render_to_png(
                window.context.loaded,
                window.state,
                Path(folder) / name,
                size=FIGURE_PX,
                view=view,
                features=window.features,
                marker_px=48,
                pose=poses.get(view),
                heat_legend=False,  # the printed key below the figures replaces both
                marker_key=False,
                marker_styles=drawn,
            )
            document.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(name), QImage(str(out))
            )
        styles = [s for s in ("visible", "deep", "far_side", "counted") if s in drawn]
        styles = styles if set(styles) - {"counted"} else ["visible", *styles]
        kinds = ("usual", "sometimes", "marker", "marker-deep", "marker-far_side")
        for kind in (*kinds, "marker-counted"):
            image = _swatch(Path(folder) / f"{kind}.png", kind)
            document.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(f"{kind}.png"), image
            )
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
        writer.setResolution(DPI)
        # Lay the text out for the PDF's own resolution: otherwise point sizes are measured at
        # screen resolution and printing shrinks everything by 96/150 (10 pt became 6.4 pt).
        document.documentLayout().setPaintDevice(writer)
        document.setHtml(html(styles))
        document.setPageSize(writer.pageLayout().paintRectPixels(DPI).size().toSizeF())
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
