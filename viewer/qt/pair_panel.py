"""Pair-view panel: choose a muscle pair and side, read why they balance each other.

The keys 1–6 and the menu do the same through the main window; this panel adds the side and
muscle choices, the explanation with sources, and one click to both muscles' trigger points.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from viewer.domain.balance import NOTE as BALANCE_NOTE
from viewer.domain.balance import TIGHT_MUSCLES, tight_side_of
from viewer.domain.pairviews import bilateral_muscles
from viewer.domain.pose import STANDING
from viewer.features import Features
from viewer.qt.texts import pair_html
from viewer.state.scene import SceneState

log = logging.getLogger(__name__)

TIGHT_CHOICES: tuple[tuple[str, str], ...] = (
    ("Neither side", ""),
    ("Right side tight", "right"),
    ("Left side tight", "left"),
)


class PairPanel(QWidget):
    """Selector, side switch and explanation for pair views."""

    def __init__(self, state: SceneState, features: Features, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pair_panel")
        assert features.pairs is not None
        self.state = state
        self.features = features
        self.pairs = features.pairs
        library = self.pairs.library
        self.combo = QComboBox(self)
        # Long pair titles must not widen the whole dock area (and shrink the 3D view).
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(18)
        self.combo.setObjectName("pair_combo")
        self.combo.setAccessibleName("Pair view")
        self.combo.addItem("— no pair view —", "")
        for key, pid in sorted(library.keys.items()):
            self.combo.addItem(f"{key}  {library.title(pid)}", pid)
        self.right = QRadioButton("Right side")
        self.left = QRadioButton("Left side")
        self.right.setChecked(True)
        self.muscle = QComboBox(self)
        self.muscle.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.muscle.setMinimumContentsLength(12)
        self.muscle.setAccessibleName("Muscle for left versus right")
        for base in bilateral_muscles(state.atlas):
            name = base.replace("_", " ")
            self.muscle.addItem(name[:1].upper() + name[1:], base)
        self.tight = QComboBox(self)
        self.tight.setObjectName("tight_side")
        self.tight.setAccessibleName("Tight iliopsoas side")
        self.tight.setToolTip(
            "Left vs right of iliopsoas: make one side tight. That hip stays flexed and the "
            "pelvis tilts as the balance model settles. " + BALANCE_NOTE
        )
        for label, side in TIGHT_CHOICES:
            self.tight.addItem(label, side)
        self.leave = QPushButton("Leave pair view (Esc)")
        self.show_points = QPushButton("Show both muscles' trigger points")
        self.show_points.setToolTip("Markers for the two sides only; tick points to see referral")
        self.text = QTextBrowser(self)
        self.text.setObjectName("pair_text")
        self.text.setAccessibleName("Pair view explanation")
        self.text.setPlaceholderText(
            "Choose a pair (keys 1–6) to see how two muscles balance "
            "each other around the spine, pelvis and hip."
        )
        sides = QHBoxLayout()
        sides.addWidget(self.right)
        sides.addWidget(self.left)
        muscle_row = QHBoxLayout()
        muscle_row.addWidget(QLabel("Left vs right of:"))
        muscle_row.addWidget(self.muscle, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.combo)
        layout.addLayout(sides)
        layout.addLayout(muscle_row)
        tight_row = QHBoxLayout()
        tight_row.addWidget(QLabel("Iliopsoas:"))
        tight_row.addWidget(self.tight, 1)
        layout.addLayout(tight_row)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.show_points)
        layout.addWidget(self.leave)

        self.combo.currentIndexChanged.connect(self._on_combo)
        self.right.toggled.connect(self._on_side)
        self.muscle.currentIndexChanged.connect(self._on_combo)
        self.tight.currentIndexChanged.connect(self._on_tight)
        self.state.pose_changed.connect(self._reflect_tight)
        self.leave.clicked.connect(self.pairs.exit)
        self.show_points.clicked.connect(self.show_trigger_points)
        self.pairs.pair_changed.connect(self.refresh)
        self.refresh(self.pairs.active)

    def side(self) -> str:
        """The body side chosen in the panel."""
        return "right" if self.right.isChecked() else "left"

    def enter(self, pair_id: str) -> None:
        """Enter a pair view on the chosen side (and muscle, for left vs right)."""
        muscle = self.muscle.currentData() if self.pairs.library.is_template(pair_id) else None
        self.pairs.enter(pair_id, side=self.side(), muscle=muscle)

    def _on_combo(self, *_args: object) -> None:
        pid = self.combo.currentData()
        if pid:
            self.enter(pid)
        elif self.pairs.active is not None:
            self.pairs.exit()

    def _on_side(self, *_args: object) -> None:
        active = self.pairs.active
        if active is not None and active.side != self.side():
            self.pairs.toggle_side()

    def tight_available(self) -> bool:
        """True in the left-vs-right view of iliopsoas (or psoas) when poses can be made."""
        active = self.pairs.active
        muscle = getattr(active.pair, "muscle", None) if active is not None else None
        return muscle in TIGHT_MUSCLES and self.state.tight_pose_source is not None

    def set_tight_side(self, side: str | None) -> None:
        """Make one side's iliopsoas tight (posed by the balance model), or neither."""
        try:
            if side and self.tight_available():
                source = self.state.tight_pose_source
                assert source is not None
                self.state.set_pose(source(side))
            elif not side and tight_side_of(self.state.pose) is not None:
                saved = self.pairs.saved_snapshot
                self.state.set_pose(saved.pose if saved is not None else STANDING)
        except Exception:  # no exception may escape a Qt slot
            log.exception("could not pose one side tight")

    def _on_tight(self, *_args: object) -> None:
        self.set_tight_side(self.tight.currentData() or None)

    def _reflect_tight(self, *_args: object) -> None:
        side = tight_side_of(self.state.pose) or ""
        with QSignalBlocker(self.tight):
            self.tight.setCurrentIndex(max(self.tight.findData(side), 0))
        self.tight.setEnabled(self.tight_available())

    def show_trigger_points(self) -> None:
        """Markers of the two sides' muscles only."""
        active, triggers = self.pairs.active, self.features.triggers
        if active is None or triggers is None:
            return
        wanted = set(active.trigger_muscles_a) | set(active.trigger_muscles_b)
        every = set(triggers.muscle_of.values())
        triggers.set_markers_visible(sorted(every & wanted), True)
        triggers.set_markers_visible(sorted(every - wanted), False)

    def refresh(self, active: object) -> None:
        """Reflect the active pair view (or none) in the controls and the text."""
        library = self.pairs.library
        with QSignalBlocker(self.combo):
            pid = getattr(active, "id", "") if active is not None else ""
            base_id = pid
            if active is not None and getattr(active.pair, "muscle", None):  # type: ignore[attr-defined]
                base_id = next((t for t in library.ids if library.is_template(t)), pid)
            index = self.combo.findData(base_id)
            self.combo.setCurrentIndex(max(index, 0))
        with QSignalBlocker(self.right), QSignalBlocker(self.left):
            side = getattr(active, "side", self.side())
            self.right.setChecked(side == "right")
            self.left.setChecked(side == "left")
        self.leave.setEnabled(active is not None)
        self._reflect_tight()
        self.show_points.setEnabled(active is not None and self.features.triggers is not None)
        if active is None:
            self.text.clear()
        else:
            self.text.setHtml(pair_html(active, library))

    def detach(self) -> None:
        """Stop observing (the window is closing)."""
        self.pairs.pair_changed.disconnect(self.refresh)
        self.state.pose_changed.disconnect(self._reflect_tight)
