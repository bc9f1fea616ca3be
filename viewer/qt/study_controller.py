"""Study tools in the window: undo/redo, search that flies to a structure, labels, ghosting.

Action-table handlers point here (``study.<method>``). Every state change made within one
event-loop turn (one user action: a pair view, an opened scene, a group toggle) becomes one undo
step: the step is opened from the first change's signal, connected before the history itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from viewer.state.history import SceneHistory

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow

GHOST_OPACITY = 0.2
"""Opacity of a ghosted (x-ray) structure: outline still readable, what is behind visible."""


class StudyTools:
    """Owns the scene history; search results and label/ghost actions come through here."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        state = window.state
        for signal in self._signals():
            signal.connect(self._open_undo_step)
        self.history = SceneHistory(state)
        self.history.changed.connect(self._update_undo_actions)

    def _signals(self) -> tuple[Any, ...]:
        state = self.window.state
        return (
            state.visibility_changed,
            state.opacity_changed,
            state.color_changed,
            state.selection_changed,
            state.pose_changed,
        )

    def detach(self) -> None:
        """Stop recording (the window is closing)."""
        self.history.changed.disconnect(self._update_undo_actions)
        self.history.disconnect()
        for signal in self._signals():
            signal.disconnect(self._open_undo_step)

    def _open_undo_step(self, *_args: object) -> None:
        history = self.history
        if not history.in_transaction and not history.applying:
            history.begin()
            QTimer.singleShot(0, history.end)

    def _undo_step(self) -> Any:
        return self.history.transaction()

    def _update_undo_actions(self) -> None:
        self.window.actions_by_id["edit.undo"].setEnabled(self.history.can_undo)
        self.window.actions_by_id["edit.redo"].setEnabled(self.history.can_redo)

    def undo(self) -> None:
        """Undo the last scene change."""
        self.history.undo()

    def redo(self) -> None:
        """Redo the last undone scene change."""
        self.history.redo()

    def fly_to(self, structure_id: str) -> None:
        """Show, select and frame a structure from the current viewing direction."""
        from viewer.domain.camera import CameraPreset

        if self.window.view3d is None or structure_id not in self.window.state.atlas:
            return
        with self._undo_step():
            self.window.state.set_visible(structure_id, True)
            self.window.state.select(structure_id)
        scene = self.window.view3d.scene
        pose = scene.current_pose()
        d = tuple(p - f for p, f in zip(pose.position, pose.focal_point, strict=True))
        n = sum(c * c for c in d) ** 0.5 or 1.0
        preset = CameraPreset(
            "search", "Search result", (d[0] / n, d[1] / n, d[2] / n), pose.view_up, zoom=1.0
        )
        self.window.view3d.move_camera(scene.pose_for(preset, frame=[structure_id]))

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        if self.window.search_box is not None:
            self.window.search_box.setFocus()
            self.window.search_box.selectAll()

    def label_selection(self) -> None:
        """Add or remove the selected structure's label."""
        sid = self.window.state.selection
        if sid is None or self.window.view3d is None:
            return
        labels = self.window.view3d.labels
        ids = [i for i in labels.ids if i != sid] if sid in labels.ids else [*labels.ids, sid]
        labels.set_labels(ids)

    def label_all(self, checked: bool) -> None:
        """Label every visible structure (muscles by their muscle, not by their parts)."""
        if self.window.view3d is None:
            return
        if not checked:
            self.window.view3d.labels.set_labels(())
            return
        atlas = self.window.state.atlas
        ids = []
        for s in atlas.renderable:
            if not self.window.state.is_visible(s.id) or s.kind.value == "skin":
                continue
            parent = s.parent if s.parent and s.parent.startswith("psoas_major") else None
            ids.append(parent or s.id)
        self.window.view3d.labels.set_labels(ids)

    def ghost_selection(self) -> None:
        """Make the selection see-through (x-ray), or solid again if it already is."""
        sid = self.window.state.selection
        if sid is None:
            return
        solid = self.window.state.opacity(sid) >= GHOST_OPACITY + 0.01
        self.window.state.set_opacity(sid, GHOST_OPACITY if solid else 1.0)
