"""Study tools driven through the window: undo/redo of scene changes, search that flies to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QSlider, QTreeWidget, QWidget

from viewer.domain.labels import LABEL_ALL_CAP

pytestmark = pytest.mark.gui


def test_undo_redo_by_keys(make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)
    start = window.state.snapshot()
    window.state.set_visible("muscle_b_right", False)
    qtbot.wait(5)  # the undo step closes at the end of the event-loop turn
    window.state.set_color("pelvis_block", "#00ff00")
    window.state.set_opacity("pelvis_block", 0.5)  # same turn: one step with the colour
    qtbot.wait(5)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state.color("pelvis_block") != "#00ff00"
    assert window.state.opacity("pelvis_block") == 1.0, "colour and opacity undone together"
    assert not window.state.is_visible("muscle_b_right")
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.state.snapshot() == start
    assert not window.actions_by_id["edit.undo"].isEnabled()
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_Z, redo)
    qtbot.keyClick(window, Qt.Key.Key_Z, redo)
    assert window.state.color("pelvis_block") == "#00ff00"
    assert not window.state.is_visible("muscle_b_right")


def test_a_pair_view_is_one_undo_step(make_main_window: Any, qtbot: Any) -> None:
    window = make_main_window(show=True)
    if window.features is None or window.features.pairs is None:
        pytest.skip("no pair views on the built-in atlas yet")
    window.actions_by_id["view.animate"].trigger()
    before = window.state.snapshot()
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.wait(5)
    window.features.pairs.exit()  # leave without Esc so the scene itself is undone below
    qtbot.wait(5)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the exit
    assert window.state.snapshot() != before
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the entry
    assert window.state.snapshot() == before


def test_search_finds_latin_typos_and_fma_and_flies_there(
    make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(show=True)
    window.actions_by_id["view.animate"].trigger()
    box = window.search_box
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    for query, expected in (("musculus piriformis", "piriformis"), ("piriformus", "piriformis"),
                            ("22342", "psoas_major_right"), ("QL", "quadratus_lumborum")):
        box.clear()
        qtbot.keyClicks(box, query)
        assert box.hits, query
        assert box.hits[0].structure_id.startswith(expected), (query, box.hits[0])
    camera = window.view3d.renderer.GetActiveCamera()
    box.clear()
    qtbot.keyClicks(box, "piriformis right")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.state.selection == "piriformis_right"
    # Framed: the small muscle spans about half the view (not a speck, not skin filling it).
    view = window.view3d
    points = view.scene.visible_points(["piriformis_right"])
    w, h = view.render_window.GetSize()
    matrix = camera.GetCompositeProjectionTransformMatrix(w / h, -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    hom = np.c_[points, np.ones(len(points))] @ m.T
    assert 0.4 < np.abs(hom[:, :2] / hom[:, 3:4]).max() < 0.75


def test_section_plane_clips_and_caps_with_a_closed_fill(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    from vtkmodules.vtkFiltersCore import vtkMassProperties, vtkTriangleFilter

    window = make_main_window(tiny_atlas_dir, show=True)
    panel = window.section_panel
    panel.plane.setCurrentIndex(panel.plane.findData("axial"))
    panel.offset.setValue(0)
    section = window.view3d.section
    assert section.active
    mapper = window.view3d.scene.actor_of("pelvis_block").GetMapper()
    assert mapper.GetClippingPlanes().GetNumberOfItems() == 1
    cap = section.caps["pelvis_block"].GetMapper().GetInput()
    triangles = vtkTriangleFilter()
    triangles.SetInputData(cap)
    area = vtkMassProperties()
    area.SetInputConnection(triangles.GetOutputPort())
    area.Update()
    # The block is 120 x 60 mm in x and y: its axial cap must fill exactly that rectangle.
    assert area.GetSurfaceArea() == pytest.approx(120 * 60, rel=0.01)
    assert "skin" not in section.caps, "the ghosted skin is cut but not capped"
    window.state.set_visible("pelvis_block", False)
    assert "pelvis_block" not in section.caps, "hidden structures lose their caps"
    panel.plane.setCurrentIndex(panel.plane.findData(None))
    assert not section.active and not section.caps
    assert mapper.GetClippingPlanes() is None or mapper.GetClippingPlanes().GetNumberOfItems() == 0


def test_info_panel_shows_attachments_and_sources_for_the_selection(
    make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(show=True)
    if window.info_panel is None:
        pytest.skip("no structure info for the built-in atlas")
    window.state.select("piriformis_right")
    html = window.info_panel.text.toPlainText()
    for label in ("Origin", "Insertion", "Nerve supply", "Action", "Blood supply"):
        assert label in html
    assert "sacrum" in html.lower() and "trochanter" in html.lower()
    assert "Sources:" in html
    window.state.select("psoas_major_upper_right")  # a part shows its muscle's facts
    assert "lesser trochanter" in window.info_panel.text.toPlainText().lower()


def test_scripted_quiz_round_scores_and_reviews(make_main_window: Any, qtbot: Any) -> None:
    from viewer.domain.quiz import QuestionType

    window = make_main_window(show=True)
    panel = window.quiz_panel
    before = window.state.snapshot()
    session = panel.begin(seed=7, count=4)
    wrong: list[str] = []
    for number in range(4):
        q = session.current
        right = number % 2 == 0
        if q.kind is QuestionType.FIND:
            prompt = panel.prompt.text()
            name = window.state.atlas.get(q.target).name
            assert f"find the {name} and click it" in prompt and "Find:" not in prompt, prompt
            target = q.target if right else next(
                s.id for s in window.state.atlas.renderable if s.id not in q.accepted
            )
            target = window.state.atlas.leaves(target)[0] if right else target
            window.state.select(target)  # what a click in the 3D view does
        else:
            rows = [panel.options.item(i) for i in range(panel.options.count())]
            pick = next(r for r in rows if (r.data(Qt.ItemDataRole.UserRole) == q.target) == right)
            qtbot.mouseClick(panel.options.viewport(), Qt.MouseButton.LeftButton,
                             pos=panel.options.visualItemRect(pick).center())
        if not right:
            wrong.append(window.state.atlas.get(q.target).name)
    assert session.is_finished
    assert "2 of 4" in panel.prompt.text()
    assert panel.review.count() == 2
    assert all(any(name in panel.review.item(i).text() for i in range(2)) for name in wrong)
    assert window.state.snapshot().visible == before.visible, "the quiz gives the scene back"


def test_ghost_toggles_xray_and_keyboard_reaches_the_main_controls(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    from PySide6.QtWidgets import QApplication

    window = make_main_window(tiny_atlas_dir, show=True)
    window.state.select("muscle_b_right")
    qtbot.keyClick(window, Qt.Key.Key_G)
    assert window.state.opacity("muscle_b_right") < 0.5
    qtbot.keyClick(window, Qt.Key.Key_G)
    assert window.state.opacity("muscle_b_right") == 1.0
    # Tab from the search box through the window: the main controls are all reachable.
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    reached = set()
    for _ in range(60):
        widget = QApplication.focusWidget()
        if widget is not None:
            reached.add(widget.objectName() or type(widget).__name__)
        qtbot.keyClick(widget or window, Qt.Key.Key_Tab)
    for name in ("search_box", "structure_tree", "QVTKRenderWindowInteractor"):
        assert name in reached, (name, sorted(reached))
    unnamed = [w for w in window.findChildren(QWidget) if w.isVisible()
               and w.focusPolicy() != Qt.FocusPolicy.NoFocus and not w.accessibleName()
               and isinstance(w, (QLineEdit, QTreeWidget, QSlider, QComboBox))]
    assert not unnamed, [type(w).__name__ for w in unnamed]


def test_labels_have_leader_lines_and_do_not_overlap(
    make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(show=True, size=(1600, 1000))
    window.state.set_visible("skin", False)
    window.actions_by_id["structure.label_all"].trigger()
    window.view3d.render_now()
    labels = window.view3d.labels
    assert labels.label_all and labels.ids == ()
    shown = [t for t in labels._texts.values() if t.GetVisibility()]
    assert 8 <= len(shown) <= LABEL_ALL_CAP, "what the camera sees, capped"
    boxes = []
    renderer = window.view3d.renderer
    for text in shown:
        bb = [0.0] * 4
        text.GetBoundingBox(renderer, bb)  # relative to the text's own position
        x, y = text.GetPosition()
        boxes.append([x + bb[0], x + bb[1], y + bb[2], y + bb[3]])
    width, height = renderer.GetSize()
    assert all(b[0] >= 0 and b[1] <= width and b[2] >= 0 and b[3] <= height for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_x = min(a[1], b[1]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[2], b[2])
            assert overlap_x <= 1 or overlap_y <= 1, "labels overlap"
    assert len(labels.leader_segments()) == len(shown), "one leader line per label"
    window.state.select("piriformis_right")
    window.actions_by_id["structure.label_all"].trigger()  # off
    assert labels.ids == () and not labels.label_all
    qtbot.keyClick(window, Qt.Key.Key_T)
    assert labels.ids == ("piriformis_right",)


def test_free_section_faces_the_camera(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)
    window.actions_by_id["view.animate"].trigger()
    window.state.request_view("left")  # looking along -x
    panel = window.section_panel
    panel.plane.setCurrentIndex(panel.plane.findData("free"))
    active = window.view3d.section_state.active
    assert active is not None
    assert active.normal == pytest.approx((-1.0, 0.0, 0.0), abs=1e-6), "keeps the far half"
    assert window.view3d.section.active


def test_section_state_drives_the_renderer(
    make_main_window: Any, tiny_atlas_dir: Path, qtbot: Any
) -> None:
    """The renderer follows the section state, so anything that sets it (a scene file later,
    a script) cuts the view, not only the panel."""
    from viewer.domain.sections import section

    window = make_main_window(tiny_atlas_dir, show=True)
    state = window.view3d.section_state
    state.set_section(section("coronal"))
    state.set_enabled(True)
    assert window.view3d.section.active
    assert "pelvis_block" in window.view3d.section.caps
    state.set_enabled(False)
    assert not window.view3d.section.active
