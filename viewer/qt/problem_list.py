"""The window's problem list, and the guard that keeps unexpected errors out of Qt's hands.

Every problem met while loading or using files (atlas, annotations, scenes, lessons) and every
unexpected error goes into one :class:`ProblemList`: a button in the status bar says how many
there are and opens a dialog listing file, place and problem (what was skipped is part of the
message), which can be copied or saved as text. Text from files is shown as plain text only.

:func:`install_excepthook` turns an exception escaping a Qt slot into an entry of that list plus
a status-bar line (and the log); :func:`guarded` does the same for one callable, so a slot can
fail without the window failing with it.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.io.problems import Problem

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
MAX_KEPT = 5000
"""The list keeps the first problems; a broken file can produce thousands of the same kind."""


def plain_message(
    parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon | None = None
) -> QMessageBox:
    """Show a non-modal message whose text is never read as HTML (it may come from a file)."""
    box = QMessageBox(
        icon or QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box


def discard(old: QWidget | None) -> None:
    """Close and delete a message box being replaced by a new one.

    A box parented to the window outlives ``close()``; without this every F1 or every opened
    scene would keep its box (about a megabyte each) until the window closes.
    """
    if old is None:
        return
    try:
        old.close()
        old.deleteLater()
    except RuntimeError:  # already deleted on the C++ side
        pass


class ProblemList:
    """Problems of one window, with the status-bar button and the dialog that lists them."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.problems: list[Problem] = []
        self.dialog: ProblemDialog | None = None
        self.button = QToolButton(window)
        self.button.setObjectName("problems_button")
        self.button.setAutoRaise(True)
        self.button.setToolTip("Show the list of problems found in files (copy or save it)")
        self.button.clicked.connect(self.show_dialog)
        self.button.setVisible(False)
        window.statusBar().addPermanentWidget(self.button)

    def add(self, problems: Iterable[Problem], source: str = "") -> int:
        """Add problems (duplicates ignored); returns how many were new."""
        known = set(self.problems)
        new = 0
        for problem in problems:
            if problem in known or len(self.problems) >= MAX_KEPT:
                continue
            known.add(problem)
            self.problems.append(problem)
            new += 1
        if new:
            self._refresh()
        return new

    def add_unexpected(self, kind: type[BaseException], error: BaseException) -> None:
        """Record an unexpected error and say so in the status bar; the window carries on."""
        text = _one_line(f"{kind.__name__}: {error}")
        self.add([Problem("(Trigger Atlas)", "unexpected error", f"{text}; action stopped")])
        self.window.statusBar().showMessage(
            "Something went wrong and that action was stopped; see the problem list.", 10000
        )

    def _refresh(self) -> None:
        n = len(self.problems)
        self.button.setText(f"⚠ {n} problem{'s' if n != 1 else ''}")
        self.button.setVisible(n > 0)
        if self.dialog is not None:
            self.dialog.fill(self.problems)

    def text(self) -> str:
        """The whole list as plain text, one problem per line."""
        return "\n".join(f"{p.severity}: {p}" for p in self.problems)

    def show_dialog(self) -> None:
        """Open (or raise) the problem list."""
        if self.dialog is None:
            self.dialog = ProblemDialog(self, self.window)
        self.dialog.fill(self.problems)
        self.dialog.show()
        self.dialog.raise_()


class ProblemDialog(QDialog):
    """File, place, problem in a table; Copy puts the list on the clipboard, Save writes it."""

    def __init__(self, owner: ProblemList, parent: QWidget) -> None:
        super().__init__(parent)
        self.owner = owner
        self.setObjectName("problems_dialog")
        self.setWindowTitle("Problems found in files")
        self.resize(1150, 460)
        layout = QVBoxLayout(self)
        note = QLabel(
            "Each line names the file, the place in it and the problem; the entry named was "
            "skipped and everything else is shown."
        )
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(note)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("problems_table")
        self.table.setHorizontalHeaderLabels(["Severity", "File", "Place", "Problem"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep file names visible
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("problems_copy")
        self.save_button = QPushButton("Save…")
        self.save_button.setObjectName("problems_save")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.copy_button.clicked.connect(guarded(self.copy))
        self.save_button.clicked.connect(guarded(self.ask_save))
        layout.addWidget(buttons)

    def fill(self, problems: list[Problem]) -> None:
        """Show ``problems`` (plain text cells: nothing from a file is read as HTML)."""
        self.table.setRowCount(len(problems))
        for row, p in enumerate(problems):
            for col, value in enumerate((p.severity, p.file, p.place, p.message)):
                item = QTableWidgetItem(_one_line(value, 2000))
                item.setToolTip(_one_line(value, 2000))
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        for col, widest in ((1, 240), (2, 200)):  # long paths must not hide the problem
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), widest))

    def copy(self) -> None:
        """Put the whole list on the clipboard as plain text."""
        QGuiApplication.clipboard().setText(self.owner.text())

    def ask_save(self) -> None:
        """Ask where, then save the list as a text file."""
        name, _ = QFileDialog.getSaveFileName(
            self, "Save problem list", "trigger-atlas-problems.txt", "Text (*.txt)"
        )
        if name:
            self.save(Path(name))

    def save(self, path: Path) -> bool:
        """Write the list (atomically); a failure is shown, never raised."""
        from viewer.io.scenes import write_text_atomic

        try:
            write_text_atomic(path, self.owner.text() + "\n")
        except OSError as exc:
            plain_message(self, "Problem list not saved", f"{path}: {exc.strerror or exc}")
            return False
        return True


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- guards ------------------------------------------------------------------------------------
def report_unexpected(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """Log an unexpected error and put it in the problem list of the open window(s)."""
    if issubclass(kind, KeyboardInterrupt | SystemExit):
        sys.__excepthook__(kind, error, trace)
        return
    try:
        # Formatted now, not kept as exc_info: a stored traceback would keep every frame (and
        # the window they reference) alive.
        import traceback

        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, error, trace)))
        from PySide6.QtWidgets import QApplication

        lists = [getattr(w, "problem_list", None) for w in QApplication.topLevelWidgets()]
        for problem_list in lists:
            if isinstance(problem_list, ProblemList):
                problem_list.add_unexpected(kind, error)
    except Exception:  # the reporter itself must never fail
        sys.__excepthook__(kind, error, trace)


def install_excepthook() -> None:
    """Route exceptions escaping Qt slots and event handlers into the problem list."""
    sys.excepthook = report_unexpected


def guarded(function: F) -> F:
    """Wrap a callable so that an exception is reported and swallowed instead of escaping.

    Connect the result only to signals without arguments: Qt passes signal arguments according
    to the slot's signature, and this wrapper's is ``*args``. For a slot with parameters, call
    ``guarded(body)(args)`` inside a slot that declares them (see ``MainWindow._handler``).
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            report_unexpected(type(exc), exc, exc.__traceback__)
            return None

    return wrapper  # type: ignore[return-value]
