"""File → Import meshes… and File → Export 3D…: the window's side of mesh import and export.

Given only what it uses (a parent widget, the loaded atlas, the scene state, a way to get the
annotation features and to show a status line), not the whole window. The import never touches
the open scene: it reads, registers and saves a user atlas folder, then offers to open that
folder in a new window, so nothing in the current scene can be lost. Every handler catches the
errors its work can raise and says what happened in one message.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QProcess, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from viewer.io.atlas_loader import LoadedAtlas
from viewer.qt.dialog_buttons import ok_cancel_buttons
from viewer.state.scene import SceneState

if TYPE_CHECKING:
    from viewer.features import Features
    from viewer.io.mesh_importer import ImportResult
    from viewer.qt.import_dialog import ImportReviewDialog

log = logging.getLogger(__name__)

EXPORT_FORMATS = (
    ("glTF binary (.glb): PowerPoint, web, Blender", ".glb"),
    ("OBJ + MTL (.obj)", ".obj"),
    ("STL of the selected structure (.stl), for 3D printing", ".stl"),
)


class Export3DDialog(QDialog):
    """Format, heat map and markers for File → Export 3D…."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_3d_dialog")
        self.setWindowTitle("Export 3D")
        self.format = QComboBox(self)
        for title, suffix in EXPORT_FORMATS:
            self.format.addItem(title, suffix)
        self.heat = QCheckBox("Heat map as vertex colours on the skin", self)
        self.heat.setChecked(True)
        self.markers = QCheckBox("Trigger-point markers as small meshes", self)
        buttons = ok_cancel_buttons(self)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow(self.heat)
        form.addRow(self.markers)
        form.addRow(buttons)

    def suffix(self) -> str:
        """The chosen file suffix."""
        return str(self.format.currentData())


class MeshIOActions:
    """Import and 3D export for one window."""

    def __init__(
        self,
        parent: QWidget,
        loaded: LoadedAtlas,
        state: SceneState,
        features: Callable[[], Features | None],
        status: Callable[[str], None],
    ) -> None:
        self.parent = parent
        self.loaded = loaded
        self.state = state
        self.features = features
        self.status = status
        self.review: ImportReviewDialog | None = None
        self.message: QMessageBox | None = None

    # -- import ------------------------------------------------------------------------------
    def ask_import(self) -> None:
        """Choose a folder, import it with a progress dialog, then review and save."""
        name = QFileDialog.getExistingDirectory(self.parent, "Import meshes from folder")
        if name:
            self.import_paths([Path(name)])

    def ask_import_files(self) -> None:
        """Choose mesh files, then the same as a folder."""
        from viewer.io.mesh_import import MESH_SUFFIXES

        pattern = " ".join(f"*{s}" for s in MESH_SUFFIXES)
        names, _ = QFileDialog.getOpenFileNames(
            self.parent, "Import mesh files", "", f"Meshes ({pattern})"
        )
        if names:
            self.import_paths([Path(n) for n in names])

    def import_paths(self, paths: list[Path], frame: str = "") -> ImportReviewDialog | None:
        """Run the import (cancellable) and open the review dialog; ``None`` if none opened.

        ``frame`` is the axis convention the user picked ("" = find it from the pelvis).
        """
        from viewer.io.atlas_loader import load_atlas
        from viewer.io.mesh_importer import ImportCancelledError, import_meshes
        from viewer.io.synonyms import load_synonyms

        progress = QProgressDialog("Reading meshes…", "Cancel", 0, 100, self.parent)
        progress.setObjectName("import_progress")
        progress.setWindowTitle("Import meshes")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)

        def report(done: int, total: int, what: str) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            progress.setLabelText(f"{what} ({done + 1} of {total})")
            QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            # Full detail of the atlas as it is on disk, not the window's (maybe light) meshes.
            base = load_atlas(self.loaded.folder, with_light=False)
            synonyms, _ = load_synonyms(base.atlas)
            result = import_meshes(paths, base, synonyms, frame=frame or None, progress=report)
        except ImportCancelledError:
            self.status("Import cancelled; nothing was changed.")
            return None
        except Exception as exc:  # a slot must not raise: say it, log it, keep the scene
            log.exception("import failed")
            self._warn("Import failed", f"The import stopped: {exc}\nThe open scene is unchanged.")
            return None
        finally:
            progress.close()
        if not result.structures:
            self._warn(
                "Nothing imported",
                "No file could be imported:\n" + "\n".join(result.summary_lines()[:20]),
            )
            return None
        return self._review(result, base, paths, frame)

    def _review(
        self, result: ImportResult, base: LoadedAtlas, paths: list[Path], frame: str
    ) -> ImportReviewDialog:
        from viewer.qt.import_dialog import ImportReviewDialog

        first = paths[0] if paths[0].is_dir() else paths[0].parent
        default = first.parent / f"{first.name} atlas"
        dialog = ImportReviewDialog(result, default, self.parent, frame)
        dialog.accepted.connect(lambda: self._save(dialog, result, base))

        def again(picked: str) -> None:
            dialog.reject()
            self.import_paths(paths, picked)

        dialog.reimport_requested.connect(again)
        self.review = dialog
        dialog.open()
        return dialog

    def _save(self, dialog: ImportReviewDialog, result: ImportResult, base: LoadedAtlas) -> None:
        from viewer.io.user_atlas import SaveOptions, save_user_atlas

        out = dialog.output()
        options = SaveOptions(dialog.modes(), dialog.licence(), out.name)
        try:
            save_user_atlas(result, base, out, options)
        except (OSError, FileExistsError) as exc:
            self._warn("User atlas not saved", f"{exc}\nNothing was written.")
            return
        except Exception as exc:  # a slot must not raise; the temporary folder is removed
            log.exception("saving the user atlas failed")
            self._warn("User atlas not saved", f"Unexpected problem: {exc}\nNothing was written.")
            return
        self.status(f"Saved the user atlas {out}")
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "User atlas saved",
            f"Saved to {out}.\nOpen it in a new window now? (This window stays as it is; "
            f'later: trigger-atlas --atlas "{out}")',
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
            self.parent,
        )
        box.setObjectName("import_saved_box")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.accepted.connect(lambda: self.open_in_new_window(out))
        self.message = box
        box.open()

    @staticmethod
    def open_in_new_window(folder: Path) -> bool:
        """Start another Trigger Atlas on ``folder`` (the open window keeps its scene)."""
        ok, _pid = QProcess.startDetached(sys.executable, ["-m", "viewer", "--atlas", str(folder)])
        return bool(ok)

    # -- export ------------------------------------------------------------------------------
    def ask_export_3d(self) -> None:
        """Format dialog, then save dialog, then write the file and its attribution text."""
        dialog = Export3DDialog(self.parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        suffix = dialog.suffix()
        name, _ = QFileDialog.getSaveFileName(
            self.parent, "Export 3D", f"trigger-atlas{suffix}", f"3D file (*{suffix})"
        )
        if name:
            path = Path(name)
            self.export_3d_to(
                path if path.suffix else path.with_suffix(suffix),
                heat=dialog.heat.isChecked(),
                markers=dialog.markers.isChecked(),
            )

    def export_3d_to(self, path: Path, heat: bool = True, markers: bool = False) -> list[Path]:
        """Write the visible scene (STL: the selected structure); returns the files written."""
        from viewer.commands.export_3d import collect_scene_items, source_statements
        from viewer.io.scene_export import ExportError, export_scene

        only = None
        if path.suffix.lower() == ".stl":
            only = self.state.selection
            if only is None or only not in self.loaded.meshes:
                self._warn(
                    "Select one structure",
                    "An STL holds one structure: click the bone or muscle to print first.",
                )
                return []
        try:
            items = collect_scene_items(
                self.loaded, self.state, self.features(), heat=heat, markers=markers, only=only
            )
            written = export_scene(items, path, source_statements(self.loaded))
        except (ExportError, OSError, ValueError) as exc:
            self._warn("3D export failed", f"{path}: {exc}")
            return []
        except Exception as exc:  # a slot must not raise: say it, log it
            log.exception("3D export failed")
            self._warn("3D export failed", f"{path}: unexpected problem: {exc}")
            return []
        self.status(f"Exported {path} (licences in {written[-1].name})")
        return written

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.parent
        )
        box.setObjectName("mesh_io_warning")
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.message = box
        box.open()
