"""The main window as a user drives it: tree, clicks in 3D, keys, preferences (pytest-qt)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QSlider

from tests.gui_helpers import structure_center_on_widget

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.gui


def test_tree_lists_structures_grouped_by_kind(make_main_window: Any, tiny_atlas_dir: Path) -> None:
    window = make_main_window(tiny_atlas_dir)
    tree = window.panel.tree
    top = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert top == ["Bones", "Muscles", "Skin"]
    group = window.panel.items["muscle_a_right"]
    assert [group.child(i).text(0) for i in range(group.childCount())] == [
        "Muscle A upper part",  # the parent row says "(right)"; the tooltip has the full name
        "Muscle A lower part",
    ]
    assert group.child(0).toolTip(0).startswith("Muscle A upper part (right)")


def test_unchecking_a_structure_hides_its_actor(
    make_main_window: Any, tiny_atlas_dir: Path
) -> None:
    window = make_main_window(tiny_atlas_dir)
    item = window.panel.items["muscle_b_right"]
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not window.state.is_visible("muscle_b_right")
    assert not window.view3d.scene.actor_of("muscle_b_right").GetVisibility()
    item.setCheckState(0, Qt.CheckState.Checked)
    assert window.view3d.scene.actor_of("muscle_b_right").GetVisibility()


def test_unchecking_a_group_hides_parts_and_shows_partial_state(
    make_main_window: Any, tiny_atlas_dir: Path
) -> None:
    window = make_main_window(tiny_atlas_dir)
    window.panel.items["muscle_a_upper_right"].setCheckState(0, Qt.CheckState.Unchecked)
    assert window.panel.items["muscle_a_right"].checkState(0) == Qt.CheckState.PartiallyChecked
    window.panel.items["muscle_a_right"].setCheckState(0, Qt.CheckState.Unchecked)
    assert not window.state.is_visible("muscle_a_lower_right")


def test_selecting_in_tree_highlights_and_names_it(
    make_main_window: Any, tiny_atlas_dir: Path
) -> None:
    window = make_main_window(tiny_atlas_dir)
    actor = window.view3d.scene.actor_of("pelvis_block")
    before = actor.GetProperty().GetColor()
    window.panel.tree.setCurrentItem(window.panel.items["pelvis_block"])
    assert window.state.selection == "pelvis_block"
    assert actor.GetProperty().GetColor() != before
    assert "Pelvis block" in window.statusBar().currentMessage()
    assert "FMA 16580" in window.statusBar().currentMessage()


def test_click_in_3d_view_selects_structure(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)
    widget = window.view3d.vtk_widget
    pos = structure_center_on_widget(window, "muscle_b_right")
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    assert window.state.selection == "muscle_b_right"
    assert window.panel.tree.currentItem() is window.panel.items["muscle_b_right"]
    # A click on empty background clears the selection.
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert window.state.selection is None


def test_drag_rotates_without_selecting(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)
    widget = window.view3d.vtk_widget
    camera = window.view3d.renderer.GetActiveCamera()
    before = camera.GetPosition()
    start = structure_center_on_widget(window, "pelvis_block")
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, start + QPoint(60, 0))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=start + QPoint(60, 0))
    assert camera.GetPosition() != before
    assert window.state.selection is None


def test_keyboard_views_move_the_camera(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)
    camera = window.view3d.renderer.GetActiveCamera()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # posterior
    assert window.state.view == "posterior"
    assert window.view3d.animating, "views change with a smooth transition"
    qtbot.waitUntil(lambda: not window.view3d.animating, timeout=2000)
    assert camera.GetDirectionOfProjection()[1] < -0.99  # looking toward anterior (-y)
    window.actions_by_id["view.animate"].trigger()  # animation off: the move is immediate
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # left lateral
    assert not window.view3d.animating
    assert camera.GetDirectionOfProjection()[0] < -0.99


def test_view_transition_takes_at_most_0_6_s(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    from PySide6.QtCore import QElapsedTimer

    window = make_main_window(tiny_atlas_dir, show=True)
    clock = QElapsedTimer()
    clock.start()
    window.state.request_view("superior")
    qtbot.waitUntil(lambda: not window.view3d.animating, timeout=3000)
    assert clock.elapsed() <= 700, "transition (plus one frame) stays within the 0.6 s target"
    assert window.view3d.renderer.GetActiveCamera().GetDirectionOfProjection()[2] < -0.99


def test_isolate_and_show_all_by_keys(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)
    window.state.select("muscle_b_right")
    qtbot.keyClick(window, Qt.Key.Key_I)
    assert window.state.visible_ids == ("muscle_b_right",)
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ShiftModifier)
    assert len(window.state.visible_ids) == 5


def test_opacity_slider_changes_actor(make_main_window: Any, tiny_atlas_dir: Path) -> None:
    window = make_main_window(tiny_atlas_dir)
    slider = window.panel.sliders["skin"]
    assert isinstance(slider, QSlider)
    slider.setValue(70)
    assert window.state.opacity("skin") == pytest.approx(0.7)
    assert window.view3d.scene.actor_of("skin").GetProperty().GetOpacity() == pytest.approx(0.7)
    window.state.set_opacity("skin", 0.1)
    assert slider.value() == 10, "the slider follows state changes made elsewhere"


def test_level_of_detail_swaps_to_light_mesh(make_main_window: Any, tiny_atlas_dir: Path) -> None:
    window = make_main_window(tiny_atlas_dir)
    scene = window.view3d.scene
    full = scene.actor_of("muscle_b_right")
    scene.set_interacting(True)
    assert not full.GetVisibility()
    scene.set_interacting(False)
    assert full.GetVisibility()


def test_no_atlas_says_so(make_main_window: Any, tmp_path: Path) -> None:
    window = make_main_window(tmp_path / "empty")
    label = window.centralWidget()
    assert isinstance(label, QLabel)
    assert "No atlas is installed" in label.text()
    assert not window.actions_by_id["view.anterior"].isEnabled()


def test_broken_mesh_reported_in_one_message(
    make_main_window: Any, tiny_atlas_copy: Path, qtbot: Any
) -> None:
    (tiny_atlas_copy / "muscles/muscle_b_right.vtp").write_text("not a mesh")
    window = make_main_window(tiny_atlas_copy, show=True)
    qtbot.waitUntil(lambda: window.problems_box is not None)
    text = window.problems_box.text()
    assert "muscle_b_right.vtp" in text
    assert "muscle_b_right" not in window.state.atlas
    assert "pelvis_block" in window.state.atlas
    window.problems_box.close()


def test_window_geometry_is_restored(
    make_main_window: Any, tiny_atlas_dir: Path, qsettings: Any
) -> None:
    first = make_main_window(tiny_atlas_dir, show=True)
    first.resize(900, 640)
    first.close()
    second = make_main_window(tiny_atlas_dir, show=True, settings=qsettings, size=None)
    assert (second.width(), second.height()) == (900, 640)


def test_shortcuts_are_unique() -> None:
    from viewer.qt.actions import ACTIONS

    keys = [QKeySequence(a.shortcut).toString() for a in ACTIONS if a.shortcut]
    assert len(keys) == len(set(keys))


def test_about_names_sources_and_disclaimer(make_main_window: Any, tiny_atlas_dir: Path) -> None:
    window = make_main_window(tiny_atlas_dir)
    text = window.about_text()
    assert "Synthetic test shapes" in text and "CC0-1.0" in text
    assert "not a diagnosis" in text


def test_theme_choice_persists_and_recolours_view(
    make_main_window: Any, tiny_atlas_dir: Path, qsettings: Any
) -> None:
    window = make_main_window(tiny_atlas_dir)
    light_bg = window.view3d.renderer.GetBackground()
    window.actions_by_id["view.theme_dark"].trigger()
    assert window.view3d.renderer.GetBackground() != light_bg
    assert window.actions_by_id["view.theme_dark"].isChecked()
    assert not window.actions_by_id["view.theme_light"].isChecked()
    again = make_main_window(tiny_atlas_dir, settings=qsettings)
    assert again.prefs.theme == "dark"
    assert again.actions_by_id["view.theme_dark"].isChecked()
    again.actions_by_id["view.theme_system"].trigger()


def test_progressive_load_swaps_in_full_detail_after_first_frame(
    make_main_window: Any, tiny_atlas_dir: Path, qsettings: Any, qtbot: Any
) -> None:
    from viewer.context import load_context
    from viewer.qt.main_window import MainWindow

    window = MainWindow(load_context(tiny_atlas_dir, light_first=True), settings=qsettings)
    qtbot.addWidget(window)
    actor = window.view3d.scene.actor_of("muscle_b_right")
    light_cells = actor.GetMapper().GetInput().GetNumberOfCells()
    window.show()
    qtbot.waitUntil(lambda: window.features is not None, timeout=20000)
    full = window.view3d.scene.actor_of("muscle_b_right")
    assert full.GetMapper().GetInput().GetNumberOfCells() > light_cells
    assert full.GetVisibility()
    window.close()


def test_the_posture_parts_come_after_the_first_frame_or_when_needed(
    tiny_atlas_dir: Path, qsettings: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The posture painter, labels, posture key and references show nothing in the standing
    opening view, so the view builds them after its first frame; a pose set before that frame
    (or any use of them) builds them at once (the painter poses the meshes on creation)."""
    from viewer.context import load_context
    from viewer.domain.pose import preset
    from viewer.qt.main_window import MainWindow

    window = MainWindow(load_context(tiny_atlas_dir, light_first=True), settings=qsettings)
    qtbot.addWidget(window)
    view = window.view3d
    assert view._extras is None
    window.show()
    qtbot.waitUntil(lambda: window.features is not None, timeout=20000)
    assert view._extras is not None and view.posture is view._extras.posture
    window.close()

    from viewer.render.posture_painter import PosturePainter

    posed: list[object] = []  # the tiny atlas has no landmarks to pose with: record the call
    monkeypatch.setattr(PosturePainter, "_on_pose", lambda _self, pose: posed.append(pose))
    hidden = MainWindow(load_context(tiny_atlas_dir, light_first=True), settings=qsettings)
    qtbot.addWidget(hidden)
    assert hidden.view3d._extras is None
    sitting = preset("sitting_upright")
    hidden.state.set_pose(sitting)  # before any frame: built now, and the painter poses
    assert hidden.view3d._extras is not None
    assert sitting in posed
    assert hidden.view3d.posture_key.title_lines is not None
    hidden.close()


def test_the_first_frame_draws_the_light_stand_ins_without_stripes_or_fxaa(
    tiny_atlas_copy: Path, qsettings: Any, qtbot: Any
) -> None:
    """The first frame on screen draws the light meshes as a moving frame draws them: the fibre
    stripe texture and FXAA (about 0.2 s of shader compiling under llvmpipe, before anything
    reached the screen) wait for the full-detail meshes, which bring both."""
    pv = pytest.importorskip("pyvista")
    from vtkmodules.vtkCommonCore import vtkCommand

    from viewer.context import load_context
    from viewer.qt.main_window import MainWindow

    for name in ("muscle_b_right.vtp", "muscle_b_right.light.vtp"):
        mesh = pv.read(tiny_atlas_copy / "muscles" / name)
        mesh.point_data["FibrePhase"] = np.asarray(mesh.points)[:, 0].astype(np.float32)
        mesh.save(tiny_atlas_copy / "muscles" / name)
    window = MainWindow(load_context(tiny_atlas_copy, light_first=True), settings=qsettings)
    qtbot.addWidget(window)
    view = window.view3d
    seen: list[tuple[bool, bool]] = []

    def on_end(*_args: object) -> None:
        if view.isVisible() and view.renderer.GetNumberOfPropsRendered() and not seen:
            textured = any(
                a.GetVisibility() and a.GetTexture() is not None for a in view.renderer.GetActors()
            )
            seen.append((bool(view.renderer.GetUseFXAA()), textured))

    tag = view.renderer.AddObserver(vtkCommand.EndEvent, on_end)
    window.show()
    qtbot.waitUntil(lambda: window.features is not None, timeout=20000)
    view.renderer.RemoveObserver(tag)
    assert seen == [(False, False)]
    assert view.scene.actor_of("muscle_b_right").GetTexture() is not None
    assert view.renderer.GetUseFXAA()
    view.set_moving(True)
    assert not view.renderer.GetUseFXAA()
    view.set_moving(False)
    assert view.renderer.GetUseFXAA()
    window.close()


def test_the_first_picture_on_screen_comes_before_full_detail_and_annotations(
    tiny_atlas_dir: Path, tmp_path: Path
) -> None:
    """Launched as a user launches it: VTK draws a frame while the widget initialises, before
    the window is shown. Had that frame counted as the first, full-detail meshes and the
    annotations would load before anything reached the screen; the first frame on screen must
    draw the light meshes."""
    from tests.gui_helpers import launch_to_first_frame

    out = launch_to_first_frame(["-m", "viewer", "--atlas", str(tiny_atlas_dir)], tmp_path)
    lines = out.stdout.splitlines()
    assert any(x.startswith("first-frame ") for x in lines), out.stdout
    assert "first-frame-detail light" in lines, out.stdout


def test_a_hidden_window_still_loads_its_annotations(
    tiny_atlas_dir: Path, qsettings: Any, qtbot: Any
) -> None:
    """Off-screen use (a window never shown) counts its first drawn frame."""
    from viewer.context import load_context
    from viewer.qt.main_window import MainWindow

    window = MainWindow(load_context(tiny_atlas_dir, light_first=True), settings=qsettings)
    qtbot.addWidget(window)
    window.view3d.render_now()
    qtbot.waitUntil(lambda: window.features is not None, timeout=20000)
    assert not window.isVisible()
    window.close()


def test_save_and_open_scene_round_trip_with_recent_files(
    make_main_window: Any, tiny_atlas_dir: Path, tmp_path: Path
) -> None:
    window = make_main_window(tiny_atlas_dir)
    window.state.isolate("muscle_b_right")
    window.state.set_color("muscle_b_right", "#123456")
    saved = window.state.snapshot()
    path = tmp_path / "class.tascene"
    assert window.files.save_scene_to(path)
    window.state.reset()
    assert window.state.snapshot() != saved
    assert window.files.open_scene_from(path)
    assert window.state.visible_ids == ("muscle_b_right",)
    assert window.state.color("muscle_b_right") == "#123456"
    assert window.files.recent()[0] == str(path)


def test_broken_scene_file_is_reported_and_state_kept(
    make_main_window: Any, tiny_atlas_dir: Path, tmp_path: Path
) -> None:
    window = make_main_window(tiny_atlas_dir)
    before = window.state.snapshot()
    path = tmp_path / "broken.tascene"
    path.write_text('{"schema_version": 1, "structures": ', encoding="utf-8")
    assert not window.files.open_scene_from(path)
    assert window.state.snapshot() == before
    assert "broken.tascene" in window.scene_problems_box.text()
    window.scene_problems_box.close()


def test_export_image_sizes_and_transparency(
    make_main_window: Any, tiny_atlas_dir: Path, tmp_path: Path
) -> None:
    from PIL import Image

    window = make_main_window(tiny_atlas_dir, show=True)
    window.state.set_visible("skin", False)
    out = window.files.export_image_to(tmp_path / "slide.png", (1024, 768), transparent=True)
    img = Image.open(out)
    assert img.size == (1024, 768) and img.mode == "RGBA"
    assert img.getpixel((0, 0))[3] == 0
    copied = window.files.copy_image((640, 360))
    assert (copied.width(), copied.height()) == (640, 360)


def test_turntable_gif_and_mp4_and_cancel(
    make_main_window: Any, tiny_atlas_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    from PIL import Image

    window = make_main_window(tiny_atlas_dir, show=True)
    gif = window.files.export_turntable_to(tmp_path / "turn.gif", size=(160, 120), frames=12)
    assert gif is not None
    animation = Image.open(gif)
    assert animation.n_frames == 12 and animation.size == (160, 120)
    first = np.asarray(animation.convert("RGB")).astype(int)
    animation.seek(3)  # a quarter turn later the view differs
    assert np.abs(np.asarray(animation.convert("RGB")).astype(int) - first).mean() > 1.0
    mp4 = window.files.export_turntable_to(tmp_path / "turn.mp4", size=(160, 120), frames=8)
    assert mp4 is not None and mp4.stat().st_size > 1000
    # Cancelling part-way leaves nothing behind.
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: window.files.turntable_dialog.cancel())
    cancelled = tmp_path / "cancelled.gif"
    assert window.files.export_turntable_to(cancelled, size=(160, 120), frames=40) is None
    assert not cancelled.exists()
    assert list(tmp_path.glob("tmp*")) == []


def test_every_action_handler_exists(make_main_window: Any, tiny_atlas_dir: Path) -> None:
    """Handlers are named in the action table; a typo would only show when a user clicks."""
    from viewer.qt.actions import ACTIONS

    window = make_main_window(tiny_atlas_dir)
    for spec in ACTIONS:
        target: Any = window
        for part in spec.handler.split("."):
            target = getattr(target, part)
        assert callable(target), spec.id


def test_builtin_atlas_tree_lists_the_intervertebral_discs(make_main_window: Any) -> None:
    """The discs are real structures: their own branch of the tree, each one can be hidden."""
    window = make_main_window(None)
    tree = window.panel.tree
    top = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert top[:3] == ["Bones", "Intervertebral discs", "Muscles"]
    for disc in ("disc_t12_l1", "disc_l3_l4", "disc_l5_s1"):
        assert disc in window.panel.items
    item = window.panel.items["disc_l4_l5"]
    assert item.text(0).startswith("Intervertebral disc L4-L5")
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not window.state.is_visible("disc_l4_l5")
