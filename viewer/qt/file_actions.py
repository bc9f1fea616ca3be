"""File actions of the main window: open/save scenes, recent files, image export and copy.

Kept out of ``main_window`` so that window stays a wiring class. Saving is atomic (see
``viewer.io.scenes``); a failed save leaves the previous file and says why.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from viewer.io.problems import summarize
from viewer.qt.dialog_buttons import ok_cancel_buttons

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow

SCENE_FILTER = "Trigger Atlas scenes (*.tascene)"
MAX_RECENT = 8
SIZE_PRESETS: tuple[tuple[str, tuple[int, int]], ...] = (
    ("1920 × 1080 (16:9, full HD)", (1920, 1080)),
    ("3840 × 2160 (16:9, 4K)", (3840, 2160)),
    ("1600 × 1200 (4:3)", (1600, 1200)),
    ("1024 × 768 (4:3)", (1024, 768)),
    ("Custom…", (0, 0)),
)


class ExportDialog(QDialog):
    """Image size (presets or custom) and transparent background."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.preset = QComboBox(self)
        self.preset.setAccessibleName("Image size")
        for title, size in SIZE_PRESETS:
            self.preset.addItem(title, size)
        self.width_box = QSpinBox(self)
        self.height_box = QSpinBox(self)
        for box, value in ((self.width_box, 1920), (self.height_box, 1080)):
            box.setRange(64, 8192)
            box.setValue(value)
            box.setEnabled(False)
        self.transparent = QCheckBox("Transparent background", self)
        buttons = ok_cancel_buttons(self)
        form = QFormLayout(self)
        form.addRow("Size", self.preset)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        form.addRow(self.transparent)
        form.addRow(buttons)
        self.preset.currentIndexChanged.connect(self._on_preset)

    def _on_preset(self, _index: int) -> None:
        w, h = self.preset.currentData()
        custom = (w, h) == (0, 0)
        self.width_box.setEnabled(custom)
        self.height_box.setEnabled(custom)
        if not custom:
            self.width_box.setValue(w)
            self.height_box.setValue(h)

    def size(self) -> tuple[int, int]:  # type: ignore[override]
        """The chosen image size in pixels."""
        return self.width_box.value(), self.height_box.value()


class FileActions:
    """Scene files and image export for one main window."""

    def __init__(self, window: MainWindow, settings: QSettings) -> None:
        self.window = window
        self.settings = settings

    # -- recent files ----------------------------------------------------------------------
    def recent(self) -> list[str]:
        """Recently opened or saved scenes, newest first."""
        value = self.settings.value("files/recent_scenes", [])
        if isinstance(value, str):
            return [value] if value else []
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value if v]
        return []

    def remember(self, path: Path) -> None:
        """Put a scene at the top of the recent list."""
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.settings.setValue("files/recent_scenes", items[:MAX_RECENT])

    # -- scenes ------------------------------------------------------------------------------
    def save_scene_to(self, path: Path) -> bool:
        """Write the current scene; a failure is shown and the old file is kept."""
        from viewer.io.scenes import save_scene
        from viewer.state.scene_io import capture_scene

        w = self.window
        pose = w.view3d.scene.current_pose() if w.view3d is not None else None
        labels = w.view3d.labels.ids if w.view3d is not None else ()
        doc = capture_scene(w.state, w.features, pose, spots=w.spots, labels=labels)
        try:
            save_scene(path, doc)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(
                w,
                "Scene not saved",
                f"{path} could not be written: {exc}\n"
                "Any earlier version of the file is unchanged.",
            )
            return False
        self.remember(path)
        w.statusBar().showMessage(f"Saved {path}")
        return True

    def open_scene_from(self, path: Path) -> bool:
        """Read and show a scene; whatever cannot be restored is listed in one message."""
        from viewer.domain.camera import CameraPose
        from viewer.io.scenes import load_scene
        from viewer.state.scene_io import FramedView, apply_scene, known_labels

        w = self.window
        doc, problems = load_scene(path)
        if doc is not None:
            target, more = apply_scene(doc, w.state, w.features, spots=w.spots, file=str(path))
            problems += more
            if isinstance(target, CameraPose) and w.view3d is not None:
                w.view3d.move_camera(target)
            elif isinstance(target, FramedView) and w.view3d is not None:
                from viewer.render.structure_framing import framed_view_pose

                w.view3d.move_camera(framed_view_pose(w.view3d.scene, target.view, target.frame))
            if w.view3d is not None:
                w.view3d.labels.set_labels(known_labels(doc, w.state))
            self.remember(path)
        errors = [p for p in problems if p.severity != "info"]
        w.problem_list.add(errors)
        if errors or doc is None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Scene opened with problems" if doc is not None else "Scene not opened",
                summarize(problems),
                QMessageBox.StandardButton.Ok,
                w,
            )
            box.setObjectName("scene_problems_box")
            box.setTextFormat(Qt.TextFormat.PlainText)
            from viewer.qt.problem_list import discard

            discard(w.scene_problems_box)
            box.show()
            w.scene_problems_box = box
        elif problems:
            w.statusBar().showMessage(str(problems[0]))
        else:
            w.statusBar().showMessage(f"Opened {path}")
        return doc is not None

    def ask_save(self) -> None:
        """Save-as dialog."""
        name, _ = QFileDialog.getSaveFileName(self.window, "Save scene", "", SCENE_FILTER)
        if name:
            path = Path(name)
            self.save_scene_to(path if path.suffix else path.with_suffix(".tascene"))

    def ask_open(self) -> None:
        """Open dialog."""
        name, _ = QFileDialog.getOpenFileName(self.window, "Open scene", "", SCENE_FILTER)
        if name:
            self.open_scene_from(Path(name))

    # -- images ------------------------------------------------------------------------------
    def export_image_to(self, path: Path, size: tuple[int, int], transparent: bool = False) -> Path:
        """Render the current scene without UI at ``size`` to a PNG."""
        from viewer.render.offscreen import render_to_png

        w = self.window
        pose = w.view3d.scene.current_pose() if w.view3d is not None else None
        theme = w.view3d.scene.theme if w.view3d is not None else None
        kwargs = {"theme": theme} if theme is not None else {}
        return render_to_png(
            w.context.loaded,
            w.state,
            path,
            size=size,
            pose=pose,
            features=w.features,
            transparent=transparent,
            marker_px=max(24, round(30 * size[1] / 1080)),
            # what the window shows: the words, unless switched off or presenting a lesson
            orientation=w.view3d.orientation_words if w.view3d is not None else False,
            **kwargs,
        )

    def ask_export(self) -> None:
        """Size dialog, then save dialog, then render."""
        dialog = ExportDialog(self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, _ = QFileDialog.getSaveFileName(self.window, "Export image", "", "PNG (*.png)")
        if name:
            out = self.export_image_to(Path(name), dialog.size(), dialog.transparent.isChecked())
            self.window.statusBar().showMessage(f"Exported {out}")

    def export_turntable_to(
        self, path: Path, size: tuple[int, int] = (960, 540), frames: int = 72
    ) -> Path | None:
        """Render a 360° orbit with a cancellable progress dialog; ``None`` if cancelled."""
        from PySide6.QtWidgets import QApplication, QProgressDialog

        from viewer.render.turntable import (
            CancelledError,
            render_turntable_frames,
            write_animation,
        )

        w = self.window
        if w.view3d is None:
            return None
        dialog = QProgressDialog("Rendering the turntable…", "Cancel", 0, 100, w)
        dialog.setWindowTitle("Export turntable")
        dialog.setMinimumDuration(0)
        self.turntable_dialog = dialog

        def progress(fraction: float) -> bool:
            dialog.setValue(round(100 * fraction))
            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            shots = render_turntable_frames(
                w.context.loaded,
                w.state,
                w.view3d.scene.current_pose(),
                size=size,
                frames=frames,
                theme=w.view3d.scene.theme,
                features=w.features,
                progress=progress,
            )
            out = write_animation(shots, path)
        except CancelledError:
            w.statusBar().showMessage("Turntable export cancelled; nothing was written.")
            return None
        except (OSError, ValueError) as exc:
            QMessageBox.warning(w, "Turntable not exported", f"{path}: {exc}")
            return None
        finally:
            dialog.reset()
        w.statusBar().showMessage(f"Exported {out}")
        return out

    def ask_turntable(self) -> None:
        """Choose GIF or MP4 and export."""
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Export turntable", "", "Animated GIF (*.gif);;MP4 video (*.mp4)"
        )
        if name:
            path = Path(name)
            self.export_turntable_to(path if path.suffix else path.with_suffix(".gif"))

    def copy_image(self, size: tuple[int, int] = (1920, 1080)) -> QImage:
        """Render at ``size`` and put the image on the clipboard (for pasting into slides)."""
        with tempfile.TemporaryDirectory() as folder:
            out = self.export_image_to(Path(folder) / "copy.png", size)
            image = QImage(str(out))
        QGuiApplication.clipboard().setImage(image)
        self.window.statusBar().showMessage(f"Copied a {size[0]}×{size[1]} image")
        return image
