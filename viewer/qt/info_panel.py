"""Info panel: what the selected structure is, where it attaches, what it does, with sources."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from viewer.domain.structure_info import StructureInfoLibrary
    from viewer.qt.main_window import MainWindow


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
        window.state.selection_changed.connect(self.show_structure)
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
            return "".join(parts) + "<p>No reference facts are stored for this structure.</p>"
        if info.plain:
            parts.append(f"<p>{escape(info.plain)}</p>")
        rows = "".join(
            f"<tr><td valign='top'><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>"
            for k, v in info.facts(self.library.titles())
        )
        parts.append(f"<table cellspacing='4'>{rows}</table>")
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

    def show_structure(self, selected: object) -> None:
        """Show the selected structure (or clear the panel)."""
        if selected is None or str(selected) not in self.window_.state.atlas:
            self.text.clear()
            return
        self.text.setHtml(self.html_for(str(selected)))

    def detach(self) -> None:
        """Stop following the selection (the window is closing)."""
        self.window_.state.selection_changed.disconnect(self.show_structure)
