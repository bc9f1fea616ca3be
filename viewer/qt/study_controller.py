"""Study tools in the window: undo/redo, search that flies to a structure, labels, ghosting.

Action-table handlers point here (``study.<method>``). Every state change made within one
event-loop turn (one user action: a pair view, an opened scene, a group toggle) becomes one undo
step: the step is opened from the first change's signal, connected before the history itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from viewer.domain.structures import Kind
from viewer.state.history import SceneHistory

if TYPE_CHECKING:
    from viewer.domain.camera import SearchView
    from viewer.qt.main_window import MainWindow
    from viewer.render.depth_probe import DepthProbe

SEARCH_FILL = 0.55
"""A search result fills about half the view: close enough to see it, its neighbours around it."""

GHOST_OPACITY = 0.2
"""Opacity of a ghosted (x-ray) structure: outline still readable, what is behind visible."""


class StudyTools:
    """Owns the scene history; search results and label/ghost actions come through here."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._probe: DepthProbe | None = None
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
        """Show, select and frame a structure from where most of it can be seen, with context.

        From the front the gluteus medius hides behind the pelvis; the result is shown from the
        view (of :data:`SEARCH_DIRECTIONS`) with the largest unobstructed area. A structure
        covered from every side (the piriformis under the gluteus maximus) is shown from the
        side it faces most with its covers ghosted. The frame is loose (:data:`SEARCH_FILL`) so
        its neighbours tell where it is. One undo step takes all of it back.
        """
        from viewer.domain.camera import CameraPreset, view_by_name

        if self.window.view3d is None or structure_id not in self.window.state.atlas:
            return
        state = self.window.state
        with self._undo_step():
            state.set_visible(structure_id, True)
            state.select(structure_id)
            choice = self.best_view(structure_id)
            if choice is not None:
                # Ghost covering muscles only: bones are the landmarks that tell where it is.
                atlas = state.atlas
                covers = [b for b in choice.reveal if atlas.get(b).kind is Kind.MUSCLE]
                if covers:
                    state.set_opacity(covers, GHOST_OPACITY)
        scene = self.window.view3d.scene
        if choice is not None:
            preset = view_by_name(choice.view)
        else:
            pose = scene.current_pose()
            d = tuple(p - f for p, f in zip(pose.position, pose.focal_point, strict=True))
            n = sum(c * c for c in d) ** 0.5 or 1.0
            preset = CameraPreset(
                "search", "Search result", (d[0] / n, d[1] / n, d[2] / n), pose.view_up
            )
        pose = scene.pose_for(preset, frame=[structure_id], fill=SEARCH_FILL)
        self.window.view3d.move_camera(pose)

    def best_view(self, structure_id: str) -> SearchView | None:
        """Where a structure is seen best as the scene is now, and what to ghost (or ``None``)."""
        from viewer.render.depth_probe import DepthProbe, best_view

        view = self.window.view3d
        if view is None:
            return None
        if self._probe is None or self._probe.scene is not view.scene:
            self._probe = DepthProbe(view.scene)
        return best_view(self._probe, [structure_id])

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
        """Label what the camera sees: the selection and story muscles first, at most a dozen
        or so, re-chosen whenever the camera or the scene changes."""
        if self.window.view3d is None:
            return
        self.window.view3d.labels.set_label_all(checked)

    def ghost_selection(self) -> None:
        """Make the selection see-through (x-ray), or solid again if it already is."""
        sid = self.window.state.selection
        if sid is None:
            return
        solid = self.window.state.opacity(sid) >= GHOST_OPACITY + 0.01
        self.window.state.set_opacity(sid, GHOST_OPACITY if solid else 1.0)
