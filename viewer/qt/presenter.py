"""Presenter mode: a lesson stepped with the keyboard or a clicker, full screen for a projector.

While presenting, the window drops its chrome, the 3D view switches to the projector theme with
bigger markers and a caption and step counter, and presenter notes open in their own window on
the laptop screen when a second display is attached. Leaving (Esc or F5) restores the scene,
camera and window exactly as they were (:mod:`viewer.qt.scene_memory`: looks, selection,
camera, trigger-point ticks and side boxes, heat map, pair view, spots, section and labels).
Lesson steps show the labels they define through the view's one label layout, kept clear of
the caption and the step counter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QScreen
from PySide6.QtWidgets import QApplication, QTextBrowser

from viewer.domain.camera import CameraPose
from viewer.domain.framing import CAPTION_HEADROOM, SLIDE_FILL, with_headroom
from viewer.domain.lessons import Lesson
from viewer.qt.scene_memory import SceneMemory, recall, remember
from viewer.render.presentation import PresentationOverlay
from viewer.render.theme import PROJECTOR, RenderTheme
from viewer.state.lesson_player import LessonPlayer

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow
    from viewer.render.scene_renderer import SceneRenderer

log = logging.getLogger(__name__)

NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Down}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up, Qt.Key.Key_Backspace}
BLANK_KEYS = {Qt.Key.Key_B, Qt.Key.Key_Period}  # clickers send "." or B for a black screen
STOP_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_F5}
PROJECTOR_MARKER_PX = 44


def presenter_screen(preferred_name: str = "") -> QScreen:
    """The display to present on: the named one, else a secondary one, else the primary."""
    screens = QGuiApplication.screens()
    for screen in screens:
        if preferred_name and screen.name() == preferred_name:
            return screen
    primary = QGuiApplication.primaryScreen()
    others = [s for s in screens if s is not primary]
    return others[0] if others else primary


@dataclass(frozen=True)
class _Saved:
    """What presenter mode changes and restores on exit."""

    memory: SceneMemory
    marker_px: int
    compare: bool
    geometry: QByteArray
    window_state: QByteArray
    theme: RenderTheme
    menu_visible: bool
    status_visible: bool
    orientation_words: bool = True


class Presenter(QObject):
    """Runs one lesson in presenter mode on a main window."""

    def __init__(self, window: MainWindow, lesson: Lesson, source: str = "lesson") -> None:
        super().__init__(window)
        self.window = window
        self.source = source
        self.player = LessonPlayer(lesson)
        self.notes: QTextBrowser | None = None
        self.overlay: PresentationOverlay | None = None
        self._digits = ""
        self._saved: _Saved | None = None
        self.problems: list[object] = []
        self.active = False

    # -- start / stop --------------------------------------------------------------------------
    def start(self, screen_name: str = "") -> None:
        """Go full screen on the presenter display and show the first step."""
        w = self.window
        view = w.view3d
        if view is None:
            return
        self._saved = _Saved(
            memory=remember(w),
            marker_px=view.overlays.marker_px if view.overlays is not None else 30,
            compare=view.overlays.compare_wanted if view.overlays is not None else False,
            geometry=w.saveGeometry(),
            window_state=w.saveState(),
            theme=view.scene.theme,
            menu_visible=w.menuBar().isVisible(),
            status_visible=w.statusBar().isVisible(),
            orientation_words=view.orientation_words,
        )
        for dock in w.docks.values():
            dock.hide()
        for bar in w.findChildren(type(w.views_toolbar)):
            bar.hide()
        w.menuBar().hide()
        w.statusBar().hide()
        view.apply_theme(PROJECTOR)
        screen = presenter_screen(screen_name)
        scale = max(1.0, screen.geometry().height() / 1080)
        self.overlay = PresentationOverlay(view.renderer, scale=scale)
        view.labels.set_label_all(False)  # each step shows the labels it defines, no others
        # Slides carry their own caption, keys and labels in the places the edge words take
        # (a pair view's key column, the posture title top right); lesson export leaves them
        # off too, so what the room sees is what an exported slide shows.
        view.set_orientation_words(False)
        view.section_state.set_enabled(False)  # lesson steps are whole scenes
        view.labels.reserve("caption", self.overlay.caption.box)
        view.labels.reserve("counter", self.overlay.counter_box)
        if view.overlays is not None:
            view.overlays.set_compare(False)  # steps show whole scenes, not the split view
            view.overlays.marker_px = round(PROJECTOR_MARKER_PX * scale)
            view.overlays.refresh_markers()
        w.setScreen(screen)
        w.move(screen.geometry().topLeft())
        w.showFullScreen()
        if len(QGuiApplication.screens()) > 1:
            self._open_notes(QGuiApplication.primaryScreen())
        self.player.step_changed.connect(self.show_step)
        self.player.blank_changed.connect(self._on_blank)
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.active = True
        self.show_step(self.player.index)

    def stop(self) -> None:
        """Leave presenter mode; scene, camera, theme and window come back as they were."""
        if not self.active or self._saved is None:
            return
        self.active = False
        saved = self._saved
        w = self.window
        view = w.view3d
        QApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
        self.player.step_changed.disconnect(self.show_step)
        self.player.blank_changed.disconnect(self._on_blank)
        if self.notes is not None:
            self.notes.close()
            self.notes.deleteLater()
            self.notes = None
        if view is not None:
            if self.overlay is not None:
                view.labels.reserve("caption", None)
                view.labels.reserve("counter", None)
                self.overlay.detach()
                self.overlay = None
            if view.overlays is not None:
                view.overlays.marker_px = saved.marker_px
                view.overlays.refresh_markers()
                view.overlays.set_pair_header(True, 0)
            view.apply_theme(saved.theme)
            view.set_orientation_words(saved.orientation_words)
        recall(w, saved.memory)
        if view is not None:
            if view.overlays is not None and saved.compare:
                view.overlays.set_compare(True)
            view.request_render()
        w.showNormal()
        w.restoreGeometry(saved.geometry)
        w.restoreState(saved.window_state)
        w.menuBar().setVisible(saved.menu_visible)
        w.statusBar().setVisible(saved.status_visible)
        w.lessons.presenter_stopped()

    # -- steps ---------------------------------------------------------------------------------
    def show_step(self, index: int) -> None:
        """Apply step ``index``'s scene, caption, counter and notes."""
        from viewer.state.scene_io import apply_scene, known_labels

        w = self.window
        step = self.player.step
        target, problems = apply_scene(
            step.scene,
            w.state,
            w.features,
            spots=w.spots,
            file=self.source,
            place=f"steps/{index}/scene",
        )
        self.problems = list(problems)
        for problem in problems:
            log.warning("%s", problem)
        w.problem_list.add(p for p in problems if p.severity != "info")
        if w.view3d is not None:
            overlays = w.view3d.overlays
            if overlays is not None:  # the caption is the slide's title: the pair key goes below
                height = w.view3d.renderer.GetSize()[1]
                overlays.set_pair_header(False, round(height * CAPTION_HEADROOM))
            pose, framed = self._step_pose(target)
            if pose is not None and not framed:  # lowered to leave the caption its band
                angle = w.view3d.renderer.GetActiveCamera().GetViewAngle()
                pose = with_headroom(pose, angle, CAPTION_HEADROOM)
            if pose is not None:
                w.view3d.move_camera(pose)
            w.view3d.labels.set_labels(known_labels(step.scene, w.state))
        if self.overlay is not None:
            self.overlay.show(step.caption, self.player.position_text())
        if self.notes is not None:
            self.notes.setHtml(
                f"<h2>{html_escape(self.player.position_text())} — {html_escape(step.title)}</h2>"
                f"<p style='font-size:15pt'>{html_escape(step.notes)}</p>"
            )
        if w.view3d is not None:
            w.view3d.request_render()

    def _step_pose(self, target: object) -> tuple[CameraPose | None, bool]:
        """Where the step's camera goes (its pose, its named view or its pair view's camera),
        and whether that pose already keeps the top band free (a pair view framed under its key).
        """
        from viewer.domain.camera import view_by_name
        from viewer.state.scene_io import FramedView

        w = self.window
        if w.view3d is None:
            return None, False
        scene: SceneRenderer = w.view3d.scene
        if isinstance(target, CameraPose):
            return target, False
        if isinstance(target, str):
            return scene.pose_for(view_by_name(target)), False
        active = w.features.pairs.active if w.features is not None and w.features.pairs else None
        if isinstance(target, FramedView):
            from viewer.render.structure_framing import framed_view_pose, step_extra

            overlays = w.view3d.overlays
            seat = step_extra(w.view3d.posture_guides, overlays, active, target.view)

            def fit(top: float, left: float) -> CameraPose:
                # The caption's band is added by the caller (with_headroom), as in export.
                top = max(0.0, top - CAPTION_HEADROOM)
                return framed_view_pose(
                    scene,
                    target.view,
                    target.frame,
                    fill=SLIDE_FILL,
                    extra=seat,
                    top_free=top,
                    left_free=left,
                )

            if overlays is not None and active is not None and active.resolved is not None:
                # A pair view's key (band or column) stays clear of the framed structures.
                return overlays.fit_beside_key(active.resolved, fit), False
            return fit(0.0, 0.0), False
        if active is not None and active.resolved is not None:
            if w.view3d.overlays is not None:
                return w.view3d.overlays.pair_pose(active.resolved), True
            return scene.pose_for(active.resolved.camera, frame=active.pair.structures), False
        return None, False

    def _on_blank(self, blank: bool) -> None:
        if self.overlay is not None:
            self.overlay.set_blank(blank)
        if self.window.view3d is not None:
            self.window.view3d.request_render()

    def _open_notes(self, screen: QScreen) -> None:
        notes = QTextBrowser()
        notes.setObjectName("presenter_notes")
        notes.setWindowTitle("Presenter notes — Trigger Atlas")
        notes.setAccessibleName("Presenter notes")
        notes.setScreen(screen)
        notes.setGeometry(screen.availableGeometry().adjusted(40, 40, -40, -40))
        notes.show()
        self.notes = notes

    # -- keys ----------------------------------------------------------------------------------
    def handle_key(self, key: int, text: str = "") -> bool:
        """Act on one key; returns whether it belonged to presenter mode."""
        if key in STOP_KEYS:
            self.stop()
        elif key in NEXT_KEYS:
            self._digits = ""
            self.player.next()
        elif key in PREVIOUS_KEYS:
            self._digits = ""
            self.player.previous()
        elif key == Qt.Key.Key_Home:
            self.player.first()
        elif key == Qt.Key.Key_End:
            self.player.last()
        elif key in BLANK_KEYS:
            self.player.toggle_blank()
        elif Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            self._digits += text or chr(key)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._digits:
            self.player.goto(int(self._digits) - 1)
            self._digits = ""
        else:
            return False
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt override)
        """Take presentation keys before any shortcut (digits would otherwise open pair views)."""
        if not isinstance(event, QKeyEvent) or not self._is_ours(event):
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress and not event.isAutoRepeat():
            return self.handle_key(event.key(), event.text())
        return super().eventFilter(watched, event)

    def _is_ours(self, event: QKeyEvent) -> bool:
        key = event.key()
        return (
            key in NEXT_KEYS | PREVIOUS_KEYS | BLANK_KEYS | STOP_KEYS
            or key in (Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            or Qt.Key.Key_0 <= key <= Qt.Key.Key_9
        )


def load_builtin_lesson() -> tuple[Lesson | None, str, list[object]]:
    """The first built-in lesson, its path and any problems reading it."""
    from viewer.io.lessons import builtin_lessons, load_lesson

    paths = builtin_lessons()
    if not paths:
        return None, "", []
    lesson, problems = load_lesson(paths[0])
    return lesson, str(Path(paths[0])), list(problems)
