"""Info panel: what the selected structure is, where it attaches, what it does, with sources.

In a posture other than standing, a selected muscle also shows its length in that posture,
its standing length and the % change - the numbers of ``trigger-atlas pose-report``.
"""

from __future__ import annotations

import logging
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from viewer.domain.pose import PRESET_TITLES

if TYPE_CHECKING:
    from viewer.domain.structure_info import StructureInfoLibrary
    from viewer.qt.main_window import MainWindow

log = logging.getLogger(__name__)

LENGTH_DELAY_MS = 150
"""Lengths follow the posture this long after it stops changing (a dragged slider stays fluid)."""
MAX_LENGTH_ROWS = 4
"""A group (e.g. iliopsoas) lists at most this many of its muscles."""


class InfoPanel(QWidget):
    """Follows the selection; related trigger points and pair views are listed by name."""

    def __init__(self, window: MainWindow, library: StructureInfoLibrary) -> None:
        super().__init__(window)
        self.setObjectName("info_panel")
        self.window_ = window
        self.library = library
        self.text = QTextBrowser(self)
        self.text.setObjectName("info_text")
        self.text.setAccessibleName("Structure information")
        self.text.setPlaceholderText(
            "Select a structure to read its origin, insertion, nerve supply and action."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.text)
        self._length_timer = QTimer(self)
        self._length_timer.setSingleShot(True)
        self._length_timer.setInterval(LENGTH_DELAY_MS)
        self._length_timer.timeout.connect(self._refresh)
        window.state.selection_changed.connect(self.show_structure)
        window.state.pose_changed.connect(self._on_pose)
        self.show_structure(window.state.selection)

    def html_for(self, structure_id: str) -> str:
        """The panel's HTML for one structure (empty when the library knows nothing of it)."""
        w = self.window_
        atlas = w.state.atlas
        s = atlas.get(structure_id)
        info = self.library.info_for(structure_id)
        latin = "" if w.patient_mode or not s.latin else f"<br><i>{escape(s.latin)}</i>"
        fma = "" if w.patient_mode or not s.fma else f" · FMA {s.fma}"
        parts = [f"<h3>{escape(s.name)}</h3><p>{escape(s.plain_name)}{latin}{fma}</p>"]
        if info is None:
            parts.append("<p>No reference facts are stored for this structure.</p>")
            return "".join(parts) + self.lengths_html(structure_id)
        if info.plain:
            parts.append(f"<p>{escape(info.plain)}</p>")
        rows = "".join(
            f"<tr><td valign='top'><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>"
            for k, v in info.facts(self.library.titles())
        )
        parts.append(f"<table cellspacing='4'>{rows}</table>")
        parts.append(self.lengths_html(structure_id))
        features = w.features
        if features is not None and features.referral is not None:
            leaves = set(atlas.leaves(structure_id))
            names = sorted(
                tp.name for tp in features.referral.trigger_points.values() if tp.muscle in leaves
            )
            if names:
                parts.append("<p><b>Trigger points:</b> " + escape("; ".join(names)) + "</p>")
        if features is not None and features.pairs is not None and info.pair_views:
            library = features.pairs.library
            titles = [library.title(p) for p in info.pair_views if p in library.ids]
            if titles:
                parts.append("<p><b>Pair views:</b> " + escape("; ".join(titles)) + "</p>")
        if info.note:
            parts.append(f"<p><small>{escape(info.note)}</small></p>")
        if info.sources:
            parts.append(f"<p><small>Sources: {escape(', '.join(info.sources))}</small></p>")
        return "".join(parts)

    def lengths_html(self, structure_id: str) -> str:
        """Length now, standing length and % change of the muscle (or the group's muscles) in
        the current posture; empty when standing or when the structure is no posed muscle."""
        w = self.window_
        pose = w.state.pose
        if pose.is_standing or w.view3d is None:
            return ""
        try:
            model = w.view3d.posture.model
            atlas = w.state.atlas
            ids = [structure_id] if structure_id in model.muscle_ids else []
            if not ids and structure_id in atlas:
                ids = [m for m in atlas.leaves(structure_id) if m in model.muscle_ids]
            if not ids:
                return ""
            lengths = model.lengths(pose, ids[:MAX_LENGTH_ROWS])
        except Exception:  # a Qt slot's helper: no length section rather than no panel
            log.exception("could not measure %s in the posture", structure_id)
            return ""
        title = PRESET_TITLES.get(pose.name, "Custom posture")
        rows = []
        for m in lengths:
            d = m.as_dict()
            name = atlas.get(m.id).name if len(lengths) > 1 else "Length"
            rows.append(
                f"<tr><td>{escape(name)}</td><td align='right'>{d['length_mm']:.1f} mm</td>"
                f"<td align='right'>{d['standing_length_mm']:.1f} mm</td>"
                f"<td align='right'>{d['change_pct']:+.1f} %</td></tr>"
            )
        head = "<tr><td></td><td><b>now</b></td><td><b>standing</b></td><td><b>change</b></td></tr>"
        return (
            f"<p><b>Length: {escape(title)}</b>"
            f"<table cellspacing='4'>{head}{''.join(rows)}</table>"
            "<small>Along the muscle's line of action in this atlas, against standing "
            "(negative = shorter). A simplified model.</small></p>"
        )

    def _on_pose(self, *_args: object) -> None:
        """The posture changed: re-measure the selected muscle once it settles."""
        if self.window_.state.selection is not None:
            self._length_timer.start()

    def _refresh(self) -> None:
        try:
            self.show_structure(self.window_.state.selection)
        except Exception:  # a Qt slot: report, never raise
            log.exception("could not refresh the info panel")

    def show_structure(self, selected: object) -> None:
        """Show the selected structure (or clear the panel)."""
        if selected is None or str(selected) not in self.window_.state.atlas:
            self.text.clear()
            return
        self.text.setHtml(self.html_for(str(selected)))

    def detach(self) -> None:
        """Stop following the selection (the window is closing)."""
        self._length_timer.stop()
        self.window_.state.selection_changed.disconnect(self.show_structure)
        self.window_.state.pose_changed.disconnect(self._on_pose)
