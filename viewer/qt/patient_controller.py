"""Patient mode (plain words, larger text, fewer controls, skin shown) and the handout.

Action-table handlers point here (``patient.<method>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow


class PatientMode:
    """Switches the window into and out of patient mode; remembers what it changed."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.on = False
        self._before: Any = None
        self._markers_before: dict[str, bool] | None = None
        self._active_before: tuple[str, ...] = ()

    def set_patient_mode(self, on: bool) -> None:
        """A calm screen for patients: plain names, larger text, few controls, skin shown."""
        if on == self.on or self.window.view3d is None:
            return
        if self.window.features is None:
            self.window.finish_loading()
        skins = self.window._skin_ids()
        if on:
            self._before = (
                self.window.font(),
                {k: d.isVisible() for k, d in self.window.docks.items()},
                {s: (self.window.state.is_visible(s), self.window.state.opacity(s)) for s in skins},
            )
            font = self.window.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            self.window.setFont(font)
            for key, dock in self.window.docks.items():
                dock.setVisible(key == "pain")
            if "pain" in self.window.docks:
                self.window.docks["pain"].raise_()
            self.window.state.set_visible(skins, True)
            for skin in skins:
                self.window.state.set_opacity(skin, max(self.window.state.opacity(skin), 0.6))
            self._hide_markers()
        else:
            self._restore_markers()
            font, docks, skin_looks = self._before
            self.window.setFont(font)
            for key, dock in self.window.docks.items():
                dock.setVisible(docks.get(key, True))
            for skin, (visible, opacity) in skin_looks.items():
                self.window.state.set_visible(skin, visible)
                self.window.state.set_opacity(skin, opacity)
        self.on = on
        for panel in self.window.feature_panels:
            if hasattr(panel, "set_plain"):
                panel.set_plain(on)
        if self.window.panel is not None:
            self.window.panel.set_plain_names(on)
        view = self.window.view3d
        # Posture captions in everyday words ("pelvis tipped forward", "hip bent").
        view.posture_key.set_plain(on)
        if view.overlays is not None:  # the heat key: plain names, "usual pain area"
            view.overlays.set_plain(on)
        self._expert_actions(on)
        view.posture_guides.set_plain(on)
        posture_panel = getattr(self.window, "posture_panel", None)
        if posture_panel is not None:  # slider names: "How far the hips bend", not "Hip flexion"
            posture_panel.set_plain(on)
        action = self.window.actions_by_id["view.patient"]
        if action.isChecked() != on:
            action.setChecked(on)
        self.window._show_selection(self.window.state.selection)

    EXPERT_ACTIONS = ("file.import_meshes", "file.import_mesh_files", "file.export_3d")
    """Menu items a patient has no use for (the Pairs menu goes too)."""

    def _expert_actions(self, patient: bool) -> None:
        """Hide the therapist's tools (mesh import, 3D export, muscle pairs) in patient mode,
        and bring them back after."""
        for key in self.EXPERT_ACTIONS:
            action = self.window.actions_by_id.get(key)
            if action is not None:
                action.setVisible(not patient)
        pairs = getattr(self.window, "pairs_menu", None)
        if pairs is not None:
            pairs.menuAction().setVisible(not patient)

    def _hide_markers(self) -> None:
        """No X's and no map before the patient has said where it hurts: the therapist's
        earlier picks (eight X's on both sides) read as findings. Picking a row shows that
        muscle's markers only (:meth:`PainPanel._on_pick`)."""
        triggers = self.window.features.triggers if self.window.features else None
        if triggers is None:
            return
        every = sorted(set(triggers.muscle_of.values()))
        self._markers_before = {m: triggers.markers_visible(m) for m in every}
        self._active_before = triggers.active
        triggers.set_markers_visible(every, False)
        triggers.set_active(())

    def _restore_markers(self) -> None:
        """The markers shown before patient mode, and those of what was chosen in it (its map
        stays, so its X's must too); with nothing chosen, the map shown before."""
        triggers = self.window.features.triggers if self.window.features else None
        if triggers is None or self._markers_before is None:
            return
        before, self._markers_before = self._markers_before, None
        if not triggers.active:  # nothing picked with the patient: the therapist's map returns
            triggers.set_active(self._active_before)
        chosen = {triggers.muscle_of[t] for t in triggers.active}
        for visible in (False, True):
            triggers.set_markers_visible(
                [m for m, v in before.items() if (v or m in chosen) is visible], visible
            )

    def write_handout(self) -> None:
        """Ask for paper size and self-care notes, then write the patient handout PDF."""
        from viewer.qt.handout import HandoutDialog

        if self.window.features is None or self.window.features.triggers is None:
            self.window.statusBar().showMessage("Trigger points are still loading.")
            return
        if not self.window.features.triggers.active:
            # Patient mode hides the 'Trigger points' panel: point to the list it shows.
            where = (
                "Mark where it hurts, then pick a muscle in the 'Where does it hurt?' list first."
                if self.on
                else "Choose one or more trigger points "
                "first (in 'Where does it hurt?' or 'Trigger points')."
            )
            QMessageBox.information(self.window, "Patient handout", where)
            return
        try:
            out = HandoutDialog(self.window).run()
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self.window, "Handout not written", str(exc))
            return
        if out is not None:
            self.window.statusBar().showMessage(f"Handout written: {out}")
