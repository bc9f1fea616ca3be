"""Search box: instant ranked results over English, Latin and FMA IDs; choosing one flies to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

if TYPE_CHECKING:
    from viewer.domain.search import SearchHit, SearchIndex

MAX_RESULTS = 12


class SearchBox(QLineEdit):
    """A line edit whose completer lists ranked structures; Enter picks the best one."""

    def __init__(
        self,
        index: SearchIndex | Callable[[], SearchIndex],
        on_pick: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("search_box")
        self.setAccessibleName("Search structures by English or Latin name or FMA ID")
        self.setPlaceholderText("Search (name, Latin, FMA ID)…  Ctrl+K")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(280)
        self._index = index
        """The index, or how to build it: the window builds it after its first frame (reading
        the synonyms and normalising every name is no part of the first picture)."""
        self.on_pick = on_pick
        self.hits: list[SearchHit] = []
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(MAX_RESULTS)
        completer.activated.connect(self._on_activated)
        self.setCompleter(completer)
        self.textEdited.connect(self.update_results)
        self.returnPressed.connect(self.pick_best)

    @property
    def index(self) -> SearchIndex:
        """The search index (built on first use when given as a factory)."""
        if callable(self._index):
            self._index = self._index()
        return self._index

    def update_results(self, text: str) -> list[SearchHit]:
        """Rank structures for ``text`` (a few milliseconds) and show them in the popup."""
        self.hits = self.index.search(text, limit=MAX_RESULTS) if text.strip() else []
        self._model.setStringList([self._label(h) for h in self.hits])
        if self.hits:
            self.completer().complete()
        return self.hits

    @staticmethod
    def _label(hit: SearchHit) -> str:
        extra = (
            f"  ({hit.matched_text})" if hit.matched_text and hit.matched_field != "name" else ""
        )
        return f"{hit.label}{extra}"

    def _on_activated(self, text: str) -> None:
        for hit in self.hits:
            if self._label(hit) == text:
                self.on_pick(hit.structure_id)
                return

    def pick_best(self) -> None:
        """Enter: go to the best match."""
        hits = self.hits or self.update_results(self.text())
        if hits:
            self.on_pick(hits[0].structure_id)
