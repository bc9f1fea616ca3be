"""The review step of File → Import meshes…: what was recognised, how it will be saved.

Shows the import report as plain text, one row per recognised structure with a "replace the
built-in" tick (untick to add it beside the built-in one), the licence to record for files that
state none (asked, not guessed), and the user atlas folder to write. The widget only collects
choices; :mod:`viewer.io.user_atlas` does the saving.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.io.mesh_importer import ImportResult

COLUMNS = ("Replace built-in", "Structure", "Distance to built-in", "Recognised by", "File(s)")


FRAME_CHOICES = (
    ("found from the pelvis", ""),
    ("LPS (BodyParts3D, DICOM)", "LPS"),
    ("RAS (3D Slicer)", "RAS"),
    ("Y-up (glTF, many 3D tools)", "Y-up"),
)


class ImportReviewDialog(QDialog):
    """Review an import and choose how to save it; ``modes()``, ``licence()``, ``output()``.

    ``reimport_requested(frame)`` asks the controller to run the import again with the axis
    convention the user picked, when the one found from the pelvis is wrong.
    """

    reimport_requested = Signal(str)

    def __init__(
        self,
        result: ImportResult,
        default_output: Path,
        parent: QWidget | None = None,
        frame: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import_review_dialog")
        self.setWindowTitle("Import meshes")
        self.import_result = result
        self.resize(900, 640)
        layout = QVBoxLayout(self)
        n_known = len(result.structures)
        n_other = len(result.not_recognised) + len(result.failed)
        layout.addWidget(
            QLabel(
                f"{n_known} structure(s) recognised; {n_other} file(s) not imported (listed "
                "below with the reason). Untick “Replace built-in” to show an imported "
                "structure beside the built-in one instead."
            )
        )
        self.table = QTableWidget(n_known, len(COLUMNS), self)
        self.table.setObjectName("import_table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        for row, s in enumerate(result.structures):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked)
            tick.setData(Qt.ItemDataRole.UserRole, s.structure_id)
            self.table.setItem(row, 0, tick)
            label = s.name or s.structure_id
            tip = s.structure_id
            if s.replaces != (s.structure_id,):
                label += f" (replaces its {len(s.replaces)} parts)"
                tip += " replaces " + ", ".join(s.replaces)
            distance = "" if s.distance_mm is None else f"{s.distance_mm:.1f} mm"
            for col, text in enumerate(
                (label, distance, s.how, ", ".join(f.name for f in s.files)), start=1
            ):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(tip if col == 1 else text)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 2)
        self.report = QPlainTextEdit(self)  # plain text: file names are shown, never interpreted
        self.report.setObjectName("import_report")
        self.report.setReadOnly(True)
        self.report.setPlainText("\n".join(result.summary_lines()))
        layout.addWidget(self.report, 1)

        frame_row = QHBoxLayout()
        frame_row.addWidget(QLabel("Axes of the files:", self))
        self.frame_box = QComboBox(self)
        self.frame_box.setObjectName("import_frame")
        for title, key in FRAME_CHOICES:
            if not key and result.registration is not None:
                title = f"{title} ({result.registration.frame})"
            self.frame_box.addItem(title, key)
        frame_row.addWidget(self.frame_box, 1)
        self.reimport = QPushButton("Import again with these axes", self)
        self.reimport.setObjectName("import_again")
        self.reimport.clicked.connect(
            lambda: self.reimport_requested.emit(str(self.frame_box.currentData()))
        )
        frame_row.addWidget(self.reimport)
        layout.addLayout(frame_row)

        unknown = [f.name for s in result.structures if not s.licence for f in s.files]
        self.licence_edit = QLineEdit(self)
        self.licence_edit.setObjectName("import_licence")
        self.licence_edit.setPlaceholderText("e.g. CC-BY-4.0 (required)")
        licence_row = QHBoxLayout()
        if unknown:
            licence_row.addWidget(
                QLabel(f"Licence of the {len(unknown)} file(s) that state none:", self)
            )
            licence_row.addWidget(self.licence_edit, 1)
            layout.addLayout(licence_row)
        else:
            self.licence_edit.setVisible(False)
        self.needs_licence = bool(unknown)

        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("Save as user atlas folder:", self))
        self.output_edit = QLineEdit(str(default_output), self)
        self.output_edit.setObjectName("import_output")
        out_row.addWidget(self.output_edit, 1)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        out_row.addWidget(browse)
        layout.addLayout(out_row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.licence_edit.textChanged.connect(self._update_ok)
        self.output_edit.textChanged.connect(self._update_ok)
        self.frame_box.setCurrentIndex(max(0, self.frame_box.findData(frame)))
        self._update_ok()

    def _update_ok(self, *_args: object) -> None:
        ok = bool(self.output_edit.text().strip()) and bool(self.import_result.structures)
        if self.needs_licence:
            ok = ok and bool(self.licence_edit.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)

    def _browse(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Folder for the user atlas")
        if name:
            self.output_edit.setText(str(Path(name) / "imported atlas"))

    def set_replace(self, structure_id: str, replace: bool) -> None:
        """Tick or untick one structure's "Replace built-in" (also what a click does)."""
        for item in self._ticks():
            if item.data(Qt.ItemDataRole.UserRole) == structure_id:
                state = Qt.CheckState.Checked if replace else Qt.CheckState.Unchecked
                item.setCheckState(state)
                return
        raise KeyError(structure_id)

    def _ticks(self) -> list[QTableWidgetItem]:
        items = [self.table.item(row, 0) for row in range(self.table.rowCount())]
        return [i for i in items if i is not None]

    def modes(self) -> dict[str, str]:
        """``structure id -> "replace" | "beside"`` as ticked."""
        out = {}
        for item in self._ticks():
            checked = item.checkState() == Qt.CheckState.Checked
            out[str(item.data(Qt.ItemDataRole.UserRole))] = "replace" if checked else "beside"
        return out

    def licence(self) -> str:
        """The licence typed for files that state none."""
        return self.licence_edit.text().strip()

    def output(self) -> Path:
        """The user atlas folder to write."""
        return Path(self.output_edit.text().strip()).expanduser()
