"""Trigger-points panel: which markers show, which points paint the heat map, details of one.

Muscle rows toggle that muscle's markers; trigger-point rows toggle the point in the heat map.
The educational-use note stays visible at the bottom whatever is selected.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.domain.palette import MARKER_INK
from viewer.domain.referral import DISCLAIMER
from viewer.domain.structures import Kind
from viewer.features import Features, muscle_base
from viewer.qt.structure_panel import swatch
from viewer.qt.texts import trigger_point_html
from viewer.state.scene import SceneState
from viewer.state.triggers import CombineMode

ROLE = Qt.ItemDataRole.UserRole


class TriggerPanel(QWidget):
    """Controls for trigger-point markers and referral heat maps."""

    def __init__(self, state: SceneState, features: Features, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trigger_panel")
        assert features.triggers is not None and features.referral is not None
        self.state = state
        self.features = features
        self.triggers = features.triggers
        self.referral = features.referral

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("trigger_tree")
        self.tree.setAccessibleName("Trigger points by muscle")
        self.tree.setHeaderHidden(True)
        self.muscle_items: dict[str, QTreeWidgetItem] = {}
        self.point_items: dict[str, QTreeWidgetItem] = {}
        self._populate()

        self.right_box = QCheckBox("Right side")
        self.left_box = QCheckBox("Left side")
        for box, side in ((self.right_box, "right"), (self.left_box, "left")):
            box.setAccessibleName(f"Markers on the {side} side")
            box.toggled.connect(lambda on, side=side: self._set_side(side, on))
        sides = QHBoxLayout()
        sides.addWidget(QLabel("Markers:"))
        sides.addWidget(self.right_box)
        sides.addWidget(self.left_box)

        self.selected_mode = QRadioButton("Selected points")
        self.muscle_mode = QRadioButton("All points of the muscle")
        self.selected_mode.setToolTip("Heat map of the trigger points ticked in the list")
        self.muscle_mode.setToolTip("Heat map of every trigger point of the highlighted muscle")
        self.selected_mode.toggled.connect(self._on_mode)
        modes = QHBoxLayout()
        modes.addWidget(self.selected_mode)
        modes.addWidget(self.muscle_mode)

        self.heat_box = QCheckBox("Show referred-pain heat map")
        self.heat_box.setObjectName("heat_visible")
        self.heat_box.toggled.connect(self.triggers.set_heat_visible)
        self.skin_slider = QSlider(Qt.Orientation.Horizontal)
        self.skin_slider.setRange(0, 100)
        self.skin_slider.setAccessibleName("Skin opacity")
        self.skin_slider.valueChanged.connect(self._on_skin_opacity)
        skin_row = QHBoxLayout()
        skin_row.addWidget(QLabel("Skin opacity"))
        skin_row.addWidget(self.skin_slider)

        self.details = QTextBrowser(self)
        self.details.setObjectName("trigger_details")
        self.details.setAccessibleName("Trigger point details")
        self.details.setOpenExternalLinks(False)
        self.details.setPlaceholderText(
            "Click a trigger point to read how to find it and where it refers pain."
        )
        note = QLabel(DISCLAIMER)
        note.setWordWrap(True)
        note.setObjectName("trigger_disclaimer")
        note.setStyleSheet("font-weight: bold; color: #7a2b00;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 3)
        layout.addLayout(sides)
        layout.addLayout(modes)
        layout.addWidget(self.heat_box)
        layout.addLayout(skin_row)
        layout.addWidget(self.details, 2)
        layout.addWidget(note)

        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(self._on_current)
        self.triggers.active_changed.connect(self.refresh)
        self.triggers.markers_changed.connect(self.refresh)
        self.triggers.mode_changed.connect(self.refresh)
        self.triggers.heat_visible_changed.connect(self.refresh)
        state.opacity_changed.connect(self.refresh)
        state.visibility_changed.connect(self.refresh)
        self.refresh()

    # -- building ------------------------------------------------------------------------------
    def _populate(self) -> None:
        atlas = self.state.atlas
        by_muscle: dict[str, list[str]] = {}
        for tp_id, muscle in sorted(self.triggers.muscle_of.items()):
            by_muscle.setdefault(muscle, []).append(tp_id)
        for muscle in sorted(by_muscle, key=lambda m: (muscle_base(m), not m.endswith("_right"))):
            title = atlas.get(muscle).name if muscle in atlas else muscle
            item = QTreeWidgetItem(self.tree, [title])
            item.setData(0, ROLE, ("muscle", muscle))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            color = self.features.marker_colors.get(muscle_base(muscle), MARKER_INK)
            item.setIcon(0, swatch(color))
            item.setToolTip(0, "Tick to show this muscle's trigger-point markers")
            self.muscle_items[muscle] = item
            for tp_id in by_muscle[muscle]:
                tp = self.referral.trigger_points.get(tp_id)
                name = tp.name if tp is not None else tp_id
                child = QTreeWidgetItem(item, [name])
                child.setData(0, ROLE, ("point", tp_id))
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setToolTip(0, "Tick to paint where this trigger point refers pain")
                self.point_items[tp_id] = child

    # -- state -> widgets ----------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        """Re-read every control from the states (no signals echo back)."""
        active = set(self.triggers.active)
        with QSignalBlocker(self.tree):
            for muscle, item in self.muscle_items.items():
                shown = self.triggers.markers_visible(muscle)
                item.setCheckState(0, Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
            for tp_id, item in self.point_items.items():
                on = tp_id in active
                item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        for box, side in ((self.right_box, "_right"), (self.left_box, "_left")):
            muscles = [m for m in self.muscle_items if m.endswith(side)]
            with QSignalBlocker(box):
                box.setChecked(any(self.triggers.markers_visible(m) for m in muscles))
        with QSignalBlocker(self.selected_mode), QSignalBlocker(self.muscle_mode):
            self.selected_mode.setChecked(self.triggers.mode is CombineMode.SELECTED)
            self.muscle_mode.setChecked(self.triggers.mode is CombineMode.MUSCLE)
        with QSignalBlocker(self.heat_box):
            self.heat_box.setChecked(self.triggers.heat_visible)
        skin = self._skin_id()
        self.skin_slider.setEnabled(skin is not None)
        if skin is not None:
            with QSignalBlocker(self.skin_slider):
                visible = self.state.is_visible(skin)
                self.skin_slider.setValue(round(self.state.opacity(skin) * 100) if visible else 0)

    # -- user intent -> state ------------------------------------------------------------------
    def _skin_id(self) -> str | None:
        return next((s.id for s in self.state.atlas.renderable if s.kind is Kind.SKIN), None)

    def _on_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        kind, key = item.data(0, ROLE)
        checked = item.checkState(0) == Qt.CheckState.Checked
        if kind == "muscle":
            self.triggers.set_markers_visible([key], checked)
        elif checked != (key in self.triggers.active):
            if checked:  # a point in the heat map should also be marked on its muscle
                self.triggers.set_markers_visible([self.triggers.muscle_of[key]], True)
            self.triggers.toggle(key)

    def _on_current(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        if item is None:
            return
        kind, key = item.data(0, ROLE)
        if kind == "point":
            self.show_details(key)
        elif self.triggers.mode is CombineMode.MUSCLE:
            self.triggers.show_muscle(key)

    def show_details(self, tp_id: str) -> None:
        """Show how to find a trigger point, where it refers, its sources."""
        tp = self.referral.trigger_points.get(tp_id)
        if tp is not None:
            self.details.setHtml(trigger_point_html(tp, self.referral))

    def _set_side(self, side: str, on: bool) -> None:
        self.triggers.set_side_markers_visible(side, on)

    def _on_mode(self, selected: bool) -> None:
        if selected:
            self.triggers.set_mode(CombineMode.SELECTED)
            return
        current = self.tree.currentItem()
        muscle = None
        if current is not None:
            kind, key = current.data(0, ROLE)
            muscle = key if kind == "muscle" else self.triggers.muscle_of.get(key)
        if muscle is None and self.triggers.active:
            muscle = self.triggers.muscle_of[self.triggers.active[-1]]
        if muscle is None:
            muscle = next(iter(self.muscle_items))
        self.triggers.show_muscle(muscle)

    def _on_skin_opacity(self, value: int) -> None:
        skin = self._skin_id()
        if skin is None:
            return
        self.state.set_visible(skin, value > 0)
        if value > 0:
            self.state.set_opacity(skin, value / 100)

    def detach(self) -> None:
        """Stop observing (the window is closing)."""
        for signal in (
            self.triggers.active_changed,
            self.triggers.markers_changed,
            self.triggers.mode_changed,
            self.triggers.heat_visible_changed,
            self.state.opacity_changed,
            self.state.visibility_changed,
        ):
            signal.disconnect(self.refresh)
