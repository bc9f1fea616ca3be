"""Section panel: cut the anatomy with an axial, sagittal or coronal plane and move it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QSlider, QWidget

from viewer.domain.sections import SECTION_PRESETS, Section, section

if TYPE_CHECKING:
    from viewer.render.section import SectionView


class SectionPanel(QWidget):
    """Plane choice, position along its normal (mm), and which half stays."""

    def __init__(self, view: SectionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("section_panel")
        self.view = view
        self.plane = QComboBox(self)
        self.plane.setAccessibleName("Section plane")
        self.plane.addItem("Off", None)
        for preset in SECTION_PRESETS:
            self.plane.addItem(preset.title, preset.name)
            self.plane.setItemData(
                self.plane.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole
            )
        self.offset = QSlider(Qt.Orientation.Horizontal, self)
        self.offset.setAccessibleName("Section position")
        self.offset.setTracking(False)  # caps are rebuilt when the slider is let go
        self.flip = QCheckBox("Keep the other half", self)
        self.flip.setAccessibleName("Keep the other half")
        self.position = QLabel("", self)
        form = QFormLayout(self)
        form.addRow("Plane", self.plane)
        form.addRow("Position", self.offset)
        form.addRow("", self.position)
        form.addRow(self.flip)
        self.plane.currentIndexChanged.connect(self._on_plane)
        self.offset.valueChanged.connect(self.apply)
        self.offset.sliderMoved.connect(lambda v: self.position.setText(f"{v} mm"))
        self.flip.toggled.connect(self.apply)
        self.current: Section | None = None

    def _on_plane(self, _index: int) -> None:
        name = self.plane.currentData()
        if name is not None:
            bounds = self.view.scene.visible_bounds() or (-300, 300, -300, 300, -300, 300)
            low, high = section(name).offset_range(bounds)
            self.offset.blockSignals(True)
            self.offset.setRange(round(low), round(high))
            self.offset.setValue(max(round(low), min(round(high), 0)))
            self.offset.blockSignals(False)
        self.apply()

    def apply(self, *_args: object) -> None:
        """Push the chosen plane to the 3D view."""
        name = self.plane.currentData()
        self.position.setText(f"{self.offset.value()} mm" if name else "")
        if name is None:
            self.current = None
            self.view.clear()
            return
        self.current = section(name, offset=self.offset.value(), flip=self.flip.isChecked())
        self.view.set_section(self.current)
