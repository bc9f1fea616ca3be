"""Section panel: cut the anatomy with an axial, sagittal or coronal plane and move it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QSlider, QWidget

from viewer.domain.sections import FREE, SECTION_PRESETS, Section, free_section, section

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
        self.plane.addItem("Free (facing you)", FREE)
        self.plane.setItemData(
            self.plane.count() - 1,
            "A cut through the centre of the view, square to your line of sight; rotate first "
            "to choose it. Keeps the far half.",
            Qt.ItemDataRole.ToolTipRole,
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
        self._free_base: tuple[tuple[float, float, float], tuple[float, float, float]] | None = None

    def _on_plane(self, _index: int) -> None:
        name = self.plane.currentData()
        if name == FREE:
            pose = self.view.scene.current_pose()
            fx, fy, fz = pose.focal_point
            px, py, pz = pose.position
            self._free_base = (
                pose.focal_point,
                (fx - px, fy - py, fz - pz),
            )  # frozen until re-chosen
        if name is not None:
            bounds = self.view.scene.visible_bounds() or (-300, 300, -300, 300, -300, 300)
            low, high = self._base(name).offset_range(bounds)
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
        self.current = self._base(name).with_offset(self.offset.value())
        if self.flip.isChecked():
            self.current = self.current.flipped()
        self.view.set_section(self.current)

    def _base(self, name: str) -> Section:
        if name == FREE and self._free_base is not None:
            origin, normal = self._free_base
            return free_section(origin, normal)
        return section(name)
