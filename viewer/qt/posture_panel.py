"""Posture panel: preset postures, hip flexion and pelvic tilt sliders, length colouring.

Only translates user intent into :class:`~viewer.state.scene.SceneState` changes (``set_pose``,
colours) and reflects the state back. A slider drag is one undo step (begun on press, ended on
release) and draws the light meshes until it is let go (the painter's dragging mode); muscle
lengths and colours are recomputed on release, not on every frame.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from viewer.domain.balance import DEFAULT_TENSION, MomentArms, balance_pose, lumbosacral_compressed
from viewer.domain.balance import NOTE as BALANCE_NOTE
from viewer.domain.palette import OKABE_ITO
from viewer.domain.pose import HIP_LIMITS, PRESET_TITLES, PRESETS, TILT_LIMITS, Pose
from viewer.domain.posture_words import preset_button_title, slider_hint, slider_name
from viewer.state.scene import SceneState

if TYPE_CHECKING:
    from viewer.render.posture_key import PostureKey
    from viewer.render.posture_painter import PosturePainter
    from viewer.state.history import SceneHistory

log = logging.getLogger(__name__)

SHOWN_IN_PANEL: tuple[str, ...] = (
    "psoas_major_upper_right",
    "psoas_major_lower_right",
    "iliacus_right",
    "gluteus_maximus_right",
    "gluteus_medius_right",
    "piriformis_right",
)
"""Muscles whose length change the panel lists (right side; the left mirrors it)."""

COMPRESSED_BONES = ("vertebra_l4", "vertebra_l5", "sacrum")
COMPRESSED_COLOUR = OKABE_ITO["vermillion"]

LEGEND = (
    "<span style='color:#0072B2'>■</span> shortened &nbsp; "
    "<span style='color:#c8c8c8'>■</span> unchanged &nbsp; "
    "<span style='color:#E69F00'>■</span> lengthened (full colour at ±25 %)"
)


class PosturePanel(QWidget):
    """Preset buttons, two sliders, a length-colouring switch and the length table."""

    def __init__(
        self,
        state: SceneState,
        painter: PosturePainter | Callable[[], PosturePainter],
        history: SceneHistory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("posture_panel")
        self.state = state
        self._painter = painter
        """The painter, or where to get it: the view builds its painter after the first frame."""
        self.history = history
        self._arms: MomentArms | None = None
        self.key: PostureKey | Callable[[], PostureKey] | None = None
        """The view's in-picture posture title and length key, or where to get it (set by the
        main window)."""
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, name in enumerate(PRESETS):
            button = QPushButton(PRESET_TITLES.get(name, name), self)
            button.setAccessibleName(f"Posture {PRESET_TITLES.get(name, name)}")
            button.clicked.connect(lambda _=False, n=name: self.choose(n))
            grid.addWidget(button, i // 2, i % 2)
            self.buttons[name] = button
        self.side_view = QPushButton("Side view: pelvis and spine", self)
        self.side_view.setAccessibleName("Side view of the pelvis and lumbar spine")
        self.side_view.setToolTip(
            "From the right, framed T12 to the top of the femurs, where the posture references "
            "(tilt line, plumb line, lumbar curve, standing ghost) are drawn"
        )
        self.side_view.clicked.connect(self.show_side_view)
        grid.addWidget(self.side_view, len(PRESETS) // 2, len(PRESETS) % 2)
        self.hip = self._slider(slider_hint("hip"), HIP_LIMITS["flexion"])
        self.tilt = self._slider(slider_hint("tilt"), TILT_LIMITS)
        self.colour = QCheckBox("Colour muscles by length change", self)
        self.colour.setAccessibleName("Colour muscles by length change")
        self.legend = QLabel(LEGEND, self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setVisible(False)
        self.table = QLabel("", self)
        self.table.setTextFormat(Qt.TextFormat.PlainText)
        self.table.setAccessibleName("Muscle length changes")
        self.note = QLabel(
            "Lengths along each muscle's path in this atlas against standing. A simplified "
            "illustration for learning, not a measurement of any person.",
            self,
        )
        self.note.setWordWrap(True)
        self.iliopsoas = self._slider(slider_hint("iliopsoas"), (0, 100))
        self.glmax = self._slider(slider_hint("glmax"), (0, 100))
        for slider in (self.iliopsoas, self.glmax):
            slider.setValue(round(100 * DEFAULT_TENSION))
        self.balance_note = QLabel(BALANCE_NOTE, self)
        self.balance_note.setWordWrap(True)
        self.compressed = QLabel("", self)
        self.compressed.setWordWrap(True)
        self.slider_labels: dict[str, QLabel] = {
            key: QLabel(slider_name(key), self) for key in ("hip", "tilt", "iliopsoas", "glmax")
        }
        for key, label in self.slider_labels.items():
            label.setBuddy(self.sliders[key])
        form = QFormLayout()
        form.addRow(self.slider_labels["hip"], self.hip)
        form.addRow(self.slider_labels["tilt"], self.tilt)
        form.addRow(QLabel("<b>Balance</b>", self))
        form.addRow(self.slider_labels["iliopsoas"], self.iliopsoas)
        form.addRow(self.slider_labels["glmax"], self.glmax)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(form)
        layout.addWidget(self.compressed)
        layout.addWidget(self.balance_note)
        layout.addWidget(self.colour)
        layout.addWidget(self.legend)
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.hip.valueChanged.connect(self._on_hip)
        self.tilt.valueChanged.connect(self._on_tilt)
        self.iliopsoas.valueChanged.connect(self._on_balance)
        self.glmax.valueChanged.connect(self._on_balance)
        for slider in (self.hip, self.tilt, self.iliopsoas, self.glmax):
            slider.sliderPressed.connect(self._drag_started)
            slider.sliderReleased.connect(self._drag_finished)
        self.colour.toggled.connect(self._on_colour)
        state.pose_changed.connect(self._on_pose)
        self._on_pose(state.pose)

    @property
    def painter(self) -> PosturePainter:
        """The view's posture painter."""
        painter = self._painter
        return painter() if callable(painter) else painter

    @property
    def sliders(self) -> dict[str, QSlider]:
        """The posture sliders by their word key (``posture_words.SLIDER_WORDS``)."""
        return {
            "hip": self.hip,
            "tilt": self.tilt,
            "iliopsoas": self.iliopsoas,
            "glmax": self.glmax,
        }

    def set_plain(self, plain: bool) -> None:
        """Name the sliders and preset buttons in everyday words (patient mode) or in
        anatomical terms (lecturer); what they do does not change."""
        for key, slider in self.sliders.items():
            self.slider_labels[key].setText(slider_name(key, plain))
            slider.setAccessibleName(slider_hint(key, plain))
        for name, button in self.buttons.items():
            title = preset_button_title(PRESET_TITLES.get(name, name), plain)
            button.setText(title)
            button.setAccessibleName(f"Posture {title}")

    def _slider(self, name: str, limits: tuple[float, float]) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal, self)
        slider.setAccessibleName(name)
        slider.setRange(round(limits[0]), round(limits[1]))
        slider.setSingleStep(1)
        slider.setPageStep(10)
        return slider

    def detach(self) -> None:
        """Stop observing the state (the window is closing)."""
        self.state.pose_changed.disconnect(self._on_pose)

    # -- user intent -----------------------------------------------------------------------------
    def choose(self, name: str) -> None:
        """Go to a preset posture (one undo step)."""
        try:
            if self.history is not None and not self.history.in_transaction:
                with self.history.transaction(f"Posture: {PRESET_TITLES.get(name, name)}"):
                    self._set(PRESETS[name])
            else:
                self._set(PRESETS[name])
        except Exception:  # no exception may escape a Qt slot
            log.exception("could not change the posture to %s", name)

    def _drag_started(self) -> None:
        if self.history is not None and not self.history.in_transaction:
            self.history.begin("Posture slider")
            self._dragging_step = True
        else:
            self._dragging_step = False
        self.painter.set_dragging(True)

    def _drag_finished(self) -> None:
        try:
            self.painter.set_dragging(False)
            self._update_lengths()
        except Exception:
            log.exception("could not finish the posture drag")
        finally:
            if self.history is not None and getattr(self, "_dragging_step", False):
                self._dragging_step = False
                self.history.end()

    def _on_hip(self, value: int) -> None:
        self._set(self.state.pose.with_hip_flexion(value))

    def _on_tilt(self, value: int) -> None:
        self._set(self.state.pose.with_pelvic_tilt(value))

    def _on_balance(self, _value: int) -> None:
        try:
            if self._arms is None:
                from viewer.domain.posture import moment_arms  # skinning: not at start-up

                self._arms = moment_arms(self.painter.model)
            pose = balance_pose(
                self._arms, self.iliopsoas.value() / 100.0, self.glmax.value() / 100.0
            )
        except Exception:
            log.exception("could not settle the balance")
            return
        self._set(pose)

    def show_side_view(self) -> None:
        """Move the camera to the right side, framed on the pelvis and lumbar spine."""
        from viewer.render.structure_framing import posture_camera

        try:
            scene = self.painter.scene
            scene.move_camera(posture_camera(scene, "right"))
        except Exception:
            log.exception("could not frame the pelvis and spine")

    def _show_compression(self, pose: Pose) -> None:
        """Flag the lumbosacral joints when the lumbar curve is deepened (a scene colour)."""
        on = lumbosacral_compressed(pose)
        ids = [b for b in COMPRESSED_BONES if b in self.state.atlas]
        for bone in ids:
            colour = COMPRESSED_COLOUR if on else self.state.atlas.get(bone).color
            self.state.set_color(bone, colour)
        self.compressed.setText(
            "L4-S1 compressed: the deeper lumbar curve loads the lumbosacral joints." if on else ""
        )

    def _set(self, pose: Pose) -> None:
        try:
            self.state.set_pose(pose)
            self._show_compression(pose)
            if not self.painter.dragging:
                self._update_lengths()
        except Exception:
            log.exception("could not change the posture")

    def _on_colour(self, on: bool) -> None:
        self.legend.setVisible(on)
        key = self.key() if callable(self.key) else self.key
        if key is not None:
            key.set_lengths_shown(on)
            self.painter.scene.on_render_needed()
        try:
            if on:
                self._update_lengths()
            else:
                from viewer.state.posture import clear_length_colours

                clear_length_colours(self.state, self.painter.model.muscle_ids)
        except Exception:
            log.exception("could not colour by length")

    # -- reflecting the state ----------------------------------------------------------------------
    def _on_pose(self, pose: Pose) -> None:
        with QSignalBlocker(self.hip), QSignalBlocker(self.tilt):
            self.hip.setValue(round(pose.hip_right.flexion))
            self.tilt.setValue(round(pose.pelvic_tilt))
        for name, button in self.buttons.items():
            button.setDown(PRESETS[name] == pose)
        if pose.is_standing:
            self.table.setText("")

    def _update_lengths(self) -> None:
        """Length table, and colours when switched on (skipped in the standing pose)."""
        pose = self.state.pose
        if pose.is_standing and not self.colour.isChecked():
            self.table.setText("")
            return
        model = self.painter.model
        lengths = model.lengths(pose)
        if self.colour.isChecked():
            # Here, not at module level: it imports the posture domain (skinning), which the
            # first frame does not need.
            from viewer.state.posture import apply_length_colours

            apply_length_colours(self.state, lengths)
        by_id: dict[str, Any] = {m.id: m for m in lengths}
        rows = [
            f"{self.state.atlas.get(m).name.replace(' (right)', '')}: {by_id[m].change_pct:+.0f} %"
            for m in SHOWN_IN_PANEL
            if m in by_id and m in self.state.atlas
        ]
        self.table.setText("Right side, against standing:\n" + "\n".join(rows))
