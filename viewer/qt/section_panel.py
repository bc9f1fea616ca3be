"""Section panel: cut the anatomy with an axial, sagittal or coronal plane and move it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QSlider,
    QWidget,
)

if TYPE_CHECKING:
    from viewer.render.section import SectionView

# Plane normals in the atlas frame (LPS): axial = superior, sagittal = left, coronal = posterior.
PLANES: dict[str, tuple[float, float, float] | None] = {
    "Off": None,
    "Axial (horizontal)": (0.0, 0.0, 1.0),
    "Sagittal (side to side)": (1.0, 0.0, 0.0),
    "Coronal (front to back)": (0.0, 1.0, 0.0),
}


class SectionPanel(QWidget):
    """Plane choice, position along its normal (mm from the atlas origin) and which side to keep."""

    def __init__(self, section: SectionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("section_panel")
        self.section = section
        self.plane = QComboBox(self)
        self.plane.setAccessibleName("Section plane")
        self.plane.addItems(list(PLANES))
        self.offset = QSlider(Qt.Orientation.Horizontal, self)
        self.offset.setAccessibleName("Section position")
        self.offset.setRange(-400, 400)
        self.offset.setValue(0)
        self.offset.setTracking(False)  # caps are rebuilt when the slider is let go
        self.flip = QCheckBox("Keep the other side", self)
        self.position = QLabel("0 mm", self)
        form = QFormLayout(self)
        form.addRow("Plane", self.plane)
        form.addRow("Position", self.offset)
        form.addRow("", self.position)
        form.addRow(self.flip)
        self.plane.currentIndexChanged.connect(self.apply)
        self.offset.valueChanged.connect(self.apply)
        self.offset.sliderMoved.connect(lambda v: self.position.setText(f"{v} mm"))
        self.flip.toggled.connect(self.apply)

    def apply(self, *_args: object) -> None:
        """Push the chosen plane to the 3D view."""
        normal = PLANES[self.plane.currentText()]
        self.position.setText(f"{self.offset.value()} mm")
        if normal is None:
            self.section.clear()
            return
        sign = -1.0 if self.flip.isChecked() else 1.0
        n = tuple(sign * c for c in normal)
        origin = tuple(self.offset.value() * c for c in normal)
        self.section.set_plane(origin, n)
