"""Patient mode's 3D view: only the chosen muscle's X's, a key that says where an unseen map
lies, and keys that never overlap (patient-mode review)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _window(make_main_window: Any, size: tuple[int, int] = (1000, 700)) -> Any:
    window = make_main_window(show=True, size=size)
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas has no skin/trigger points yet")
    window.actions_by_id["view.animate"].trigger()
    return window


def _panel(window: Any) -> Any:
    return next(p for p in window.feature_panels if p.objectName() == "pain_panel")


def _drawn_muscles(window: Any) -> set[str]:
    window.view3d.render_now()
    muscle_of = window.features.triggers.muscle_of
    return {muscle_of[t] for t in window.view3d.overlays.layer.marker_ids}


def test_patient_mode_shows_only_the_chosen_muscles_markers_and_restores_them(
    make_main_window: Any,
) -> None:
    """Eight X's on both sides before the patient said anything, and every earlier pick's
    X's piled up as rows were tried."""
    window = _window(make_main_window)
    triggers = window.features.triggers
    triggers.set_markers_visible(["piriformis_left", "gluteus_medius_right"], True)
    before = {m: triggers.markers_visible(m) for m in set(triggers.muscle_of.values())}
    assert _drawn_muscles(window)
    window.patient.set_patient_mode(True)
    assert _drawn_muscles(window) == set(), "no X's before anything is picked"
    assert triggers.heat_trigger_points() == ()
    spot = window.features.referral.skin_landmarks["mid_buttock_right"].points.mean(axis=0)
    window.spots.add(tuple(spot))
    panel = _panel(window)
    assert panel.results.count() >= 2
    picked = []
    for row in (0, 1):
        panel.results.setCurrentRow(row)
        muscle = panel.results.item(row).data(Qt.ItemDataRole.UserRole)[1]
        picked.append(muscle)
        assert _drawn_muscles(window) == {muscle}, (row, _drawn_muscles(window))
    window.patient.set_patient_mode(False)
    after = {m: triggers.markers_visible(m) for m in before}
    assert after == {m: v or m == picked[-1] for m, v in before.items()}


def test_the_key_says_when_the_map_lies_on_the_far_face(make_main_window: Any) -> None:
    window = _window(make_main_window)
    window.patient.set_patient_mode(True)
    spot = window.features.referral.skin_landmarks["mid_buttock_right"].points.mean(axis=0)
    window.spots.add(tuple(spot))
    panel = _panel(window)
    row = [
        panel.results.item(i).data(Qt.ItemDataRole.UserRole)[1]
        for i in range(panel.results.count())
    ]
    panel.results.setCurrentRow(row.index("gluteus_maximus_right"))
    legend = window.view3d.overlays.legend
    window.state.request_view("posterior")
    window.view3d.render_now()
    assert legend.away == "" and "turn to" not in legend._title_text()
    window.state.request_view("anterior")
    window.view3d.render_now()
    window.view3d.render_now()
    assert legend.away == "on the back – turn to Back", legend.away
    assert "turn to Back" in legend._title_text()
    window.patient.set_patient_mode(False)


def test_patient_mode_speaks_plainly_and_hides_the_experts_tools(make_main_window: Any) -> None:
    """Atlas names in the heat title, "essential/spillover" in its key, "main (essential) zone"
    and "Confidence: medium; sources: S5a" in the list, Pairs and mesh import in the menus."""
    window = _window(make_main_window)
    expert = [window.actions_by_id[k] for k in ("file.import_meshes", "file.export_3d")]
    pairs = window.pairs_menu.menuAction()
    window.patient.set_patient_mode(True)
    assert not any(a.isVisible() for a in expert) and not pairs.isVisible()
    spot = window.features.referral.skin_landmarks["lower_lumbar_paraspinal_right"]
    window.spots.add(tuple(spot.points.mean(axis=0)))
    panel = _panel(window)
    rows = [panel.results.item(i) for i in range(panel.results.count())]
    keys = [r.data(Qt.ItemDataRole.UserRole)[1] for r in rows]
    for row in rows:
        text = row.text()
        assert "essential" not in text and "spillover" not in text and "%" not in text, text
        assert text.split(". ", 1)[1][:1].isupper(), text
        assert "usual pain area" in text or "sometimes" in text or "outside" in text, text
        assert "S5a" not in row.toolTip() and "Confidence" not in row.toolTip()
    # Upper and lower psoas share one map: one row, which shows both parts' points.
    assert "psoas_major_right" in keys and "psoas_major_upper_right" not in keys, keys
    panel.results.setCurrentRow(keys.index("psoas_major_right"))
    muscles = {window.features.triggers.muscle_of[t] for t in window.features.triggers.active}
    assert muscles == {"psoas_major_upper_right", "psoas_major_lower_right"}
    panel.results.setCurrentRow(keys.index("longissimus_thoracis_right"))
    legend = window.view3d.overlays.legend
    window.state.request_view("posterior")
    window.view3d.render_now()
    assert (
        legend.title == "Where it can send pain: middle long back muscle (longissimus), right side"
    )
    assert "usual pain area" in legend.row_labels
    window.patient.set_patient_mode(False)
    assert all(a.isVisible() for a in expert) and pairs.isVisible()
    assert legend.title.startswith("Referred pain: Longissimus")
    assert "essential (usual)" in legend.row_labels


def test_patient_key_explains_the_spots_and_messages_point_to_the_list(
    make_main_window: Any, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    window = _window(make_main_window)
    window.patient.set_patient_mode(True)
    key = window.view3d.overlays.marker_legend
    window.view3d.render_now()
    assert "where you said it hurts" not in key.texts()
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _w, _t, text: told.append(text))
    window.patient.write_handout()  # nothing picked yet
    assert "'Where does it hurt?' list" in told[-1] and "'Trigger points'" not in told[-1]
    spot = window.features.referral.skin_landmarks["mid_buttock_right"].points.mean(axis=0)
    window.spots.add(tuple(spot))
    window.view3d.render_now()
    assert "where you said it hurts" in key.texts(), key.texts()
    # A spot no muscle of this atlas refers to: say what the atlas covers.
    skin = np.asarray(window.features.referral.skin.points)
    window.spots.clear()
    window.spots.add(tuple(skin[int(np.argmax(skin[:, 2]))]))
    panel = _panel(window)
    assert panel.results.count() == 0
    assert "only back, pelvis and hip muscles; tell your therapist" in panel.summary.text()
    window.patient.set_patient_mode(False)
    window.view3d.render_now()
    assert "where you said it hurts" not in key.texts()


def test_leaving_patient_mode_without_a_pick_brings_back_the_therapists_map(
    make_main_window: Any,
) -> None:
    window = _window(make_main_window)
    triggers = window.features.triggers
    chosen = tuple(t for t, m in triggers.muscle_of.items() if m == "piriformis_right")
    triggers.set_active(chosen)
    window.patient.set_patient_mode(True)
    assert triggers.active == ()
    window.patient.set_patient_mode(False)
    assert triggers.active == chosen and triggers.markers_visible("piriformis_right")
