"""Choosing the body outline (neutral, female, male) in the window and in patient mode.

The View menu holds one checkable action per body (from the action table); a small "Body"
toolbar shows the same actions so the choice stays at hand in patient mode, where the docks
are hidden. The state names the body; this controller swaps the skin meshes and the heat-map
geometry (:func:`viewer.bodyswitch.switch_body`) and repaints.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QToolBar

from viewer.domain.bodies import BODY_IDS, BODY_LABELS

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow

log = logging.getLogger(__name__)


class BodyController:
    """Keeps the body actions, the loaded skin and the heat maps in step with the state."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.toolbar: QToolBar | None = None
        window.state.body_changed.connect(self._on_body_changed)

    def choose(self, body: str) -> None:
        """Handler of the ``view.body_*`` actions: show that body."""
        try:
            self.window.state.set_body(body)
        except ValueError as exc:
            self.window.statusBar().showMessage(str(exc))
        self.sync_actions()

    def build(self) -> None:
        """Enable the bodies this atlas offers, tick the current one, add the Body toolbar."""
        offered = self.window.state.available_bodies
        for body in BODY_IDS:
            action = self.window.actions_by_id.get(f"view.body_{body}")
            if action is not None:
                action.setEnabled(self.window.view3d is not None and body in offered)
        if self.window.view3d is not None and len(offered) > 1:
            bar = QToolBar("Body", self.window)
            bar.setObjectName("body_toolbar")
            for body in BODY_IDS:
                action = self.window.actions_by_id.get(f"view.body_{body}")
                if action is not None and body in offered:
                    bar.addAction(action)
            self.window.addToolBar(bar)
            self.toolbar = bar
        self.sync_actions()

    def sync_actions(self) -> None:
        """Tick the action of the body on screen."""
        current = self.window.state.body
        for body in BODY_IDS:
            action = self.window.actions_by_id.get(f"view.body_{body}")
            if action is not None and action.isChecked() != (body == current):
                action.setChecked(body == current)

    def _on_body_changed(self, body: str) -> None:
        """Swap the skin and recompute the heat-map geometry (no exception leaves this slot)."""
        window = self.window
        try:
            self._switch(body)
        except Exception as exc:  # a Qt slot: report, never raise
            log.exception("could not show the %s body", body)
            window.statusBar().showMessage(f"Could not show the {body} body: {exc}")
        self.sync_actions()

    def _switch(self, body: str) -> None:

        from viewer.bodyswitch import switch_body

        window = self.window
        from viewer.qt.progress import modal_progress

        dialog, progress = modal_progress("Preparing the referred-pain maps for this body…")

        try:
            changed, problems = switch_body(window.context, body, window.features, progress)
        finally:
            dialog.reset()
            dialog.deleteLater()
        for problem in problems:
            log.warning("%s", problem)
        view = window.view3d
        if changed and view is not None:
            loaded = window.context.loaded
            for sid, mesh in changed.items():
                view.scene.reshape(sid, mesh, loaded.light.get(sid))
            view.posture.body_changed()
            if view.overlays is not None:
                view.overlays.refresh_heat()
            view.request_render()
        if changed:
            window.statusBar().showMessage(
                f"{BODY_LABELS.get(body, body)} shown. The bones are one skeleton for every body."
            )
        elif problems:
            window.statusBar().showMessage(problems[0].message)
