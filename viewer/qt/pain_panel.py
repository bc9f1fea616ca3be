"""Where does it hurt? Mark painful spots on the body; see which trigger points could send pain
there, ranked, each with a one-line reason; pick one to see its markers and referral map.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.domain.referral import DISCLAIMER, ReferralHit, shared_ranks
from viewer.domain.structures import Side
from viewer.features import Features
from viewer.state.pain import PainSpots
from viewer.state.scene import SceneState

ROLE = Qt.ItemDataRole.UserRole
TOP_N = 8
NO_RESULT = "No trigger point in this atlas refers pain there."
NO_RESULT_PLAIN = (
    "No muscle in this atlas is known to send pain there. This atlas covers only back, pelvis "
    "and hip muscles; tell your therapist."
)


def with_side(name: str, side: Side) -> str:
    """``Multifidus at S1`` -> ``Multifidus at S1, right side``.

    Both sides are often listed, and without the side the list repeats one name (plain muscle
    names and trigger-point names carry none; atlas names such as ``... (right)`` already do).
    """
    if side is Side.MIDLINE or f"({side.value})" in name or f"{side.value} side" in name:
        return name
    return f"{name}, {side.value} side"


def tie_note(ranks: list[int]) -> str:
    """What the summary adds when candidates tie: the list must not imply an order the
    sources do not give (five muscles all covering a spot fully are not ranked by name)."""
    if len(ranks) == len(set(ranks)):
        return ""
    if ranks.count(1) == len(ranks):
        return "These fit equally well:"
    if ranks.count(1) > 1:
        return f"The first {ranks.count(1)} fit equally well (the same number means a tie):"
    return "Rows with the same number fit equally well:"


class PainPanel(QWidget):
    """Spot marking, turning the body, and the ranked candidates."""

    def __init__(
        self,
        state: SceneState,
        features: Features,
        spots: PainSpots,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pain_panel")
        assert features.referral is not None and features.triggers is not None
        self.state = state
        self.features = features
        self.spots = spots
        self.mark = QPushButton("Mark painful spots")
        self.mark.setObjectName("mark_spots")
        self.mark.setCheckable(True)
        self.mark.setToolTip("While on, clicking the body marks a painful spot")
        self.undo = QPushButton("Undo spot")
        self.clear = QPushButton("Clear")
        turn = QHBoxLayout()
        self.turn_buttons: dict[str, QPushButton] = {}
        for view, title in (
            ("anterior", "Front"),
            ("posterior", "Back"),
            ("left", "Left side"),
            ("right", "Right side"),
        ):
            button = QPushButton(title)
            button.setAccessibleName(f"Turn the body: {title}")
            button.clicked.connect(lambda _=False, v=view: self.state.request_view(v))
            self.turn_buttons[view] = button
            turn.addWidget(button)
        row = QHBoxLayout()
        row.addWidget(self.mark, 2)
        row.addWidget(self.undo)
        row.addWidget(self.clear)
        self.plain = False
        self.handout = QPushButton("Handout (PDF)…")
        self.handout.setObjectName("handout_button")
        self.handout.setToolTip("A take-home sheet of the chosen trigger points and pain map")
        self.summary = QLabel("Turn on marking, then click where it hurts.")
        self.summary.setWordWrap(True)
        self.results = QListWidget(self)
        self.results.setObjectName("pain_results")
        self.results.setAccessibleName("Possible sources, most likely first")
        self.results.setWordWrap(True)
        note = QLabel(DISCLAIMER)
        note.setObjectName("pain_disclaimer")
        note.setWordWrap(True)
        # Bold and coloured without a style sheet: a style sheet's font fixes the size, and
        # patient mode's larger text left the safety notice the smallest text on screen.
        bold = QFont()
        bold.setBold(True)
        note.setFont(bold)
        colours = note.palette()
        colours.setColor(QPalette.ColorRole.WindowText, QColor("#7a2b00"))
        note.setPalette(colours)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(turn)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.handout)
        layout.addWidget(note)

        self.mark.toggled.connect(spots.set_marking)
        self.undo.clicked.connect(spots.undo)
        self.clear.clicked.connect(spots.clear)
        self.results.currentItemChanged.connect(self._on_pick)
        spots.spots_changed.connect(self.update_results)
        spots.marking_changed.connect(self._on_marking)

    def _on_marking(self, on: bool) -> None:
        with QSignalBlocker(self.mark):
            self.mark.setChecked(on)

    def update_results(self, *_args: object) -> None:
        """Re-rank candidates for the marked spots (a few ms: arrays only).

        The list is emptied and refilled with its signals blocked: emptying it made each next
        row current in turn, and :meth:`_on_pick` switched the map (and the handout) to a
        muscle nobody chose. What was chosen stays shown until the user picks again."""
        with QSignalBlocker(self.results):
            self._fill_results()

    def _fill_results(self) -> None:
        self.results.clear()
        points = self.spots.spots
        if not points:
            self.summary.setText("Turn on marking, then click where it hurts.")
            return
        assert self.features.referral is not None
        report = self.features.referral.refer(points)
        # Patients see muscles ("deep buttock muscle"); therapists see each trigger point.
        if self.plain:
            hits = list(self._patient_entries(report.muscles))[:TOP_N]
        else:
            hits = [(h, h.id) for h in report.trigger_points[:TOP_N]]
        ranks = shared_ranks([h for h, _ in hits])
        n = len(points)
        if not hits:
            tail = NO_RESULT_PLAIN if self.plain else NO_RESULT
        elif self.plain:
            tail = "Muscles that can send pain there, most likely first"
        else:
            tail = "Trigger points whose pain patterns cover them, most likely first"
        if hits:
            tail += f". {tie_note(ranks)}" if tie_note(ranks) else ":"
        self.summary.setText(f"{n} spot{'s' if n > 1 else ''} marked. {tail}")
        atlas = self.state.atlas
        for rank, (hit, key) in zip(ranks, hits, strict=True):
            name = hit.name
            if self.plain and key in atlas:
                name = atlas.get(key).plain_name or name
            name = with_side(name[:1].upper() + name[1:], hit.side)
            reason = (hit.plain_reason or hit.reason) if self.plain else hit.reason
            item = QListWidgetItem(f"{rank}. {name} — {reason}")
            item.setData(ROLE, (hit.kind, key))
            if self.plain:  # no grades or source codes ("S5a") for a patient
                tip = f"The sources support this pain pattern {hit.confidence.plain}."
            else:
                tip = f"Confidence: {hit.confidence.label}; sources: {', '.join(hit.sources)}"
            item.setToolTip(tip)
            self.results.addItem(item)

    def _patient_entries(self, hits: Sequence[ReferralHit]) -> Iterator[tuple[ReferralHit, str]]:
        """Muscle rows as a patient is told about them: upper and lower psoas share one map in
        the sources, so they are one row, "psoas" (its best-ranked part's row), not two
        identical ones (:meth:`ReferralModel.patient_entry`)."""
        assert self.features.referral is not None
        seen: set[str] = set()
        for hit in hits:
            entry = self.features.referral.patient_entry(hit.id)
            if entry not in seen:
                seen.add(entry)
                yield hit, entry

    def _on_pick(self, item: QListWidgetItem | None, _previous: object) -> None:
        """Show the choice: its markers and referral map (a muscle shows all its points; a
        patient's entry, all points of the muscles it stands for)."""
        triggers = self.features.triggers
        if item is None or triggers is None:
            return
        kind, key = item.data(ROLE)
        if kind == "muscle":
            atlas = self.state.atlas
            members = {key, *(atlas.leaves(key) if key in atlas else ())}
            muscles = sorted(members & set(triggers.muscle_of.values()))
            points = [t for t, m in triggers.muscle_of.items() if m in members]
        else:
            muscle = triggers.muscle_of.get(key)
            muscles, points = ([muscle] if muscle else []), [key]
        if not muscles or not points:
            return
        if self.plain:  # a patient sees the chosen muscle's X's only, not every earlier pick's
            others = {m for m in triggers.muscle_of.values() if m not in muscles}
            triggers.set_markers_visible(sorted(others), False)
        triggers.set_markers_visible(muscles, True)
        triggers.set_active(points)

    def set_plain(self, plain: bool) -> None:
        """Everyday muscle names in the results (patient mode)."""
        self.plain = plain
        self.update_results()

    def detach(self) -> None:
        """Stop observing (the window is closing)."""
        self.spots.spots_changed.disconnect(self.update_results)
        self.spots.marking_changed.disconnect(self._on_marking)
