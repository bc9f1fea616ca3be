"""Section panel: cut the anatomy with an axial, sagittal or coronal plane and move it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QSlider, QWidget

from viewer.domain.sections import FREE, SECTION_PRESETS, free_section, section
from viewer.state.sections import SectionState

if TYPE_CHECKING:
    from viewer.render.scene_renderer import SceneRenderer


class SectionPanel(QWidget):
    """Plane choice, position along its normal (mm), and which half stays."""

    def __init__(
        self, state: SectionState, scene: SceneRenderer, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("section_panel")
        self.state = state
        self.scene = scene  # only read: the camera for a free plane, bounds for the slider
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

    def _on_plane(self, _index: int) -> None:
        """A new plane: a preset, or a free plane facing the camera frozen at this moment."""
        name = self.plane.currentData()
        if name is None:
            self.position.setText("")
            self.state.set_enabled(False)
            return
        if name == FREE:
            pose = self.scene.current_pose()
            towards = tuple(f - p for f, p in zip(pose.focal_point, pose.position, strict=True))
            base = free_section(pose.focal_point, towards)
        else:
            base = section(name)
        bounds = self.scene.visible_bounds() or (-300, 300, -300, 300, -300, 300)
        low, high = base.offset_range(bounds)
        with QSignalBlocker(self.offset):
            self.offset.setRange(round(low), round(high))
            self.offset.setValue(max(round(low), min(round(high), 0)))
        self.state.set_section(base)
        self.apply()
        self.state.set_enabled(True)

    def apply(self, *_args: object) -> None:
        """Slide or flip the chosen plane (the renderer follows the section state)."""
        if self.plane.currentData() is None:
            return
        self.position.setText(f"{self.offset.value()} mm")
        self.state.set_section(
            replace(
                self.state.section, offset=float(self.offset.value()), flip=self.flip.isChecked()
            )
        )
