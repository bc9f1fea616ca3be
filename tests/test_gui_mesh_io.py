"""File → Import meshes… and File → Export 3D… driven through the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QProgressDialog

from tests.import_fixtures import make_bodyparts3d_folder
from viewer.io.atlas_loader import load_atlas

pytestmark = pytest.mark.gui


def test_import_folder_review_and_save_keeps_the_scene(
    make_main_window: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    window = make_main_window()
    window.state.isolate(["sacrum"])
    before = window.state.snapshot()
    folder = tmp_path / "BodyParts3D"
    make_bodyparts3d_folder(folder)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    window.actions_by_id["file.import_meshes"].trigger()
    dialog = window.meshio.review
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.rowCount() == 12
    report = dialog.report.toPlainText()
    assert "Heart.obj" in report and "corrupt binary STL" in report and "residual" in report
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    # Two files state no licence (the Slicer-style VTK and the STL): the user must say it.
    assert dialog.needs_licence and not save.isEnabled()
    qtbot.keyClicks(dialog.licence_edit, "CC-BY-4.0")
    assert save.isEnabled()
    dialog.set_replace("gluteus_maximus_right", False)  # beside the built-in one
    out = tmp_path / "my atlas"
    dialog.output_edit.setText(str(out))
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert window.meshio.message is not None
    assert window.meshio.message.objectName() == "import_saved_box"
    loaded = load_atlas(out)
    assert loaded.problems == []
    assert "imported_gluteus_maximus_right" in loaded.atlas
    assert loaded.atlas.get("piriformis_left").licence == "CC-BY-4.0"
    assert loaded.atlas.get("hip_bone_left").licence == "CC-BY-SA-2.1-JP"
    assert window.state.snapshot() == before, "the open scene is untouched"


def test_import_can_be_cancelled(
    make_main_window: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    window = make_main_window()
    folder = tmp_path / "set"
    make_bodyparts3d_folder(folder)
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    assert window.meshio.import_paths([folder]) is None
    assert "cancelled" in window.statusBar().currentMessage()
    assert not (tmp_path / "set atlas").exists()


def test_export_3d_writes_the_visible_scene(
    make_main_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    import trimesh

    window = make_main_window()
    window.state.isolate(["hip_bone_left", "hip_bone_right", "sacrum"])
    written = window.meshio.export_3d_to(tmp_path / "pelvis.glb")
    assert [p.name for p in written] == ["pelvis.glb", "pelvis_ATTRIBUTION.txt"]
    assert set(trimesh.load(written[0]).geometry) == {"hip_bone_left", "hip_bone_right", "sacrum"}
    assert window.meshio.export_3d_to(tmp_path / "one.stl") == []  # nothing selected
    assert window.meshio.message is not None and window.meshio.message.isVisible()
    window.meshio.message.close()
    window.state.select("sacrum")
    assert window.meshio.export_3d_to(tmp_path / "one.stl")[0].name == "one.stl"
    assert "Exported" in window.statusBar().currentMessage()


def test_the_user_can_pick_the_axes_and_import_again(
    make_main_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    window = make_main_window()
    folder = tmp_path / "set"
    for made in make_bodyparts3d_folder(folder):  # the pelvis and one muscle are enough here
        if made.structure not in ("hip_bone_left", "hip_bone_right", "sacrum", "iliacus_right"):
            made.path.unlink()
    first = window.meshio.import_paths([folder])
    assert first is not None and "(LPS)" in first.frame_box.itemText(0)
    assert "the fit is poor" not in first.report.toPlainText()
    first.frame_box.setCurrentIndex(first.frame_box.findData("RAS"))
    qtbot.mouseClick(first.reimport, Qt.MouseButton.LeftButton)
    second = window.meshio.review
    assert second is not first and not first.isVisible()
    assert second.frame_box.currentData() == "RAS"
    assert "frame RAS" in second.report.toPlainText()
    assert "the fit is poor" in second.report.toPlainText()  # the files were LPS after all
    second.reject()


def test_import_chosen_files(
    make_main_window: Any, qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    window = make_main_window()
    made = make_bodyparts3d_folder(tmp_path / "set")
    chosen = [str(m.path) for m in made if m.structure in ("hip_bone_left", "hip_bone_right")]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    window.actions_by_id["file.import_mesh_files"].trigger()
    dialog = window.meshio.review
    assert dialog is not None and dialog.table.rowCount() == 2
    assert dialog.output() == tmp_path / "set atlas"
    dialog.reject()
