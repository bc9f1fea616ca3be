"""The embedded 3D view: a VTK render window inside Qt, with picking and level of detail.

VTK's own ``QVTKRenderWindowInteractor`` is used (not pyvistaqt) to keep start-up fast; see
``viewer.render``. Clicks (press and release without dragging) select; drags orbit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (registers the OpenGL factories)
from PySide6.QtCore import QElapsedTimer, QTimer, Signal
from PySide6.QtGui import QCursor, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.domain.camera import CameraPose, interpolate_pose, view_by_name
from viewer.features import Features
from viewer.io.atlas_loader import LoadedAtlas
from viewer.io.meshes import MeshArrays
from viewer.render.scene_renderer import SceneRenderer
from viewer.render.setup import configure_renderer
from viewer.render.theme import RenderTheme
from viewer.state.pain import PainSpots
from viewer.state.scene import SceneState

if TYPE_CHECKING:
    from viewer.render.labels import LabelOverlay
    from viewer.render.orientation import OrientationOverlay
    from viewer.render.overlays import AnnotationOverlays
    from viewer.render.posture_guides import PostureGuideOverlay
    from viewer.render.posture_key import PostureKey
    from viewer.render.posture_painter import PosturePainter

LOG = logging.getLogger(__name__)

CLICK_TOLERANCE_PX = 4
"""A press and release closer than this is a click (select), farther is a drag (orbit)."""

TRANSITION_MS = 500
"""Camera transitions between views last this long (target: at most 0.6 s)."""

FULL_DETAIL_DELAY_MS = 150
"""After the camera stops, wait this long before full detail (wheel zooms come in bursts)."""


@dataclass
class _Extras:
    """What :class:`View3D` builds after its first frame (see ``View3D._extras``)."""

    posture: PosturePainter
    labels: LabelOverlay
    key: PostureKey
    guides: PostureGuideOverlay
    orientation: OrientationOverlay


class View3D(QWidget):
    """Qt widget showing the atlas; owns the VTK window, renderer and :class:`SceneRenderer`.

    ``first_frame`` is emitted once, after the first frame with anatomy in it has been drawn, so
    slower work (annotations) can wait until the user sees the atlas. A frame drawn before the
    window is shown (VTK draws one when the widget initialises) does not count once the window
    is on its way to the screen: loading annotations then would keep the first frame the user
    sees waiting. A widget that stays hidden (off-screen use) counts its first frame.
    """

    first_frame = Signal()

    def __init__(
        self,
        loaded: LoadedAtlas,
        state: SceneState,
        theme: RenderTheme,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("view3d")
        self.setAccessibleName("3D view")
        self.state = state
        self.vtk_widget = QVTKRenderWindowInteractor(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.vtk_widget)
        self.render_window = self.vtk_widget.GetRenderWindow()
        self.renderer = vtkRenderer()
        self.render_window.AddRenderer(self.renderer)
        self.render_window.SetMultiSamples(0)  # FXAA instead: MSAA is too slow on llvmpipe
        self._stand_ins = bool(loaded.pending_full)
        """Light meshes stand in for full detail still to be read (progressive load): frames are
        drawn as moving frames are, without FXAA, whose shader would cost the first frame
        ~0.07 s of CPU; :meth:`full_detail_loaded` ends it."""
        configure_renderer(self.renderer, fxaa=not self._stand_ins)
        self.scene = SceneRenderer(self.renderer, loaded, state, theme)
        self.scene.on_render_needed = self.request_render
        self.level_of_detail = True
        from viewer.render.reduced_frames import ReducedResolutionFrames

        self.reduced = ReducedResolutionFrames(self.renderer)
        """Moving frames at half resolution, labels and markers at full (see its module)."""
        self.reduced_resolution = True
        self._closed = False
        self.animate = True
        self.overlays: AnnotationOverlays | None = None
        from viewer.render.section import SectionView
        from viewer.state.sections import SectionState

        self.section_state = SectionState()
        self.section = SectionView(self.scene, self.section_state)
        self.spots: PainSpots | None = None
        self._anim_from: CameraPose | None = None
        self._anim_to: CameraPose | None = None
        self._anim_clock = QElapsedTimer()
        self._anim_timer = QTimer(self)
        self._anim_timer.setInterval(16)
        self._anim_timer.timeout.connect(self._animation_step)
        self.scene.move_camera = self.move_camera  # type: ignore[method-assign]
        self._press: tuple[int, int] | None = None
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self.render_now)
        self._full_detail_timer = QTimer(self)
        self._full_detail_timer.setSingleShot(True)
        self._full_detail_timer.setInterval(FULL_DETAIL_DELAY_MS)
        self._full_detail_timer.timeout.connect(self._back_to_full_detail)
        self._extras: _Extras | None = None
        self.orientation_words = True
        """Whether the orientation words are wanted (they are built with the extras)."""
        """Posture painter, labels, posture title/key and posture references: nothing of
        them shows in the standing opening view, so they are built after the first frame (or
        on first use, or when the pose changes before it): about 0.05 s of CPU less before the
        first frame, mostly their modules' imports."""
        self._loaded = loaded
        self.first_frame.connect(self._build_extras)
        state.pose_changed.connect(self._pose_before_extras)
        if not state.pose.is_standing:
            self._build_extras()

        interactor = self.render_window.GetInteractor()
        style = vtkInteractorStyleTrackballCamera()
        interactor.SetInteractorStyle(style)
        self._style = style
        # An observer on CharEvent replaces the style's built-in keys ('w' wireframe, '3' stereo,
        # 'e'/'q' exit...), which would clash with the app's own shortcuts.
        style.AddObserver(vtkCommand.CharEvent, lambda *_args: None)
        style.AddObserver(vtkCommand.StartInteractionEvent, self._on_start_interaction)
        style.AddObserver(vtkCommand.EndInteractionEvent, self._on_end_interaction)
        interactor.AddObserver(vtkCommand.LeftButtonPressEvent, self._on_left_press, 1.0)
        interactor.AddObserver(vtkCommand.MouseMoveEvent, self._on_mouse_move, 1.0)
        # Every frame the interactor asks for (drags, Qt paint events) goes through render_now,
        # which draws moving frames at reduced resolution.
        interactor.EnableRenderOff()
        interactor.AddObserver(vtkCommand.RenderEvent, self._on_interactor_render)
        self._first_frame_tag: int | None = self.renderer.AddObserver(
            vtkCommand.EndEvent, self._on_end_render
        )
        self._hidden_frame_pending = False
        # Initialize() draws a frame; the window is not shown yet, so nobody would see it (about
        # 0.1 s of start-up on a laptop CPU). A view that stays hidden draws one on the next turn
        # of the event loop instead (off-screen use counts that as its first frame).
        self._initialising = True
        self.vtk_widget.Initialize()
        self._initialising = False
        QTimer.singleShot(0, self._render_if_hidden)
        self._framed = False
        self._start_pose: CameraPose | None = None

    # -- parts built after the first frame ------------------------------------------------------
    def _build_extras(self) -> _Extras:
        """Build the posture painter, labels, posture key and references (once)."""
        if self._extras is not None:
            return self._extras
        from viewer.io.posture import shared_posture_model
        from viewer.render.labels import LabelOverlay
        from viewer.render.orientation import orientation_overlay
        from viewer.render.posture_guides import (
            GUIDE_ANATOMY_SAMPLE,
            GUIDE_FAINT,
            PostureGuideOverlay,
            guide_transforms,
            skin_points_of,
        )
        from viewer.render.posture_key import (
            PostureKey,
            anatomy_on_screen,
            iliopsoas_note_source,
            tight_note_source,
        )
        from viewer.render.posture_painter import PosturePainter

        loaded, state = self._loaded, self.state
        posture = PosturePainter(self.scene, loaded, state, lambda: shared_posture_model(loaded))
        posture.on_dragging = self.set_moving
        labels = LabelOverlay(self.scene)
        key = PostureKey(self.renderer, state)
        key.note_source = tight_note_source(loaded)
        key.length_note_source = iliopsoas_note_source(loaded)
        labels.reserve("posture_title", key.title_box)
        labels.reserve("length_key", key.key_box)
        key.anatomy_on_screen = anatomy_on_screen(self.scene)
        key.moving = lambda: self.scene.interacting
        guides = PostureGuideOverlay(
            self.renderer,
            loaded,
            state,
            guide_transforms(lambda: shared_posture_model(loaded)),
            skin_points_of(self.scene),
        )
        labels.set_obstacle_boxes("posture_guides", guides.text_boxes)
        key.ghost_in_view = guides.ghost_in_view
        guides.keep_off = lambda: [
            key.title_box(),
            key.key_box(),
            self.overlays.pair_legend.box() if self.overlays is not None else None,
        ]
        guides.anatomy_on_screen = anatomy_on_screen(self.scene, GUIDE_ANATOMY_SAMPLE, GUIDE_FAINT)
        guides.moving = lambda: self.scene.interacting
        # Built after the first frame like the labels: the words show from the next frame.
        orientation = orientation_overlay(self.scene, labels, enabled=self.orientation_words)
        orientation.caption_only = lambda: self.overlays is not None and self.overlays.comparing
        self._extras = _Extras(posture, labels, key, guides, orientation)
        self.request_render()
        return self._extras

    def _pose_before_extras(self, _pose: object) -> None:
        """A pose set before the first frame needs the painter now (it poses on creation)."""
        if self._extras is None and not self._closed:
            self._build_extras()

    @property
    def posture(self) -> PosturePainter:
        """Keeps the scene's actors in the state's posture."""
        return self._build_extras().posture

    @property
    def labels(self) -> LabelOverlay:
        """Structure labels with leaders."""
        return self._build_extras().labels

    @property
    def posture_key(self) -> PostureKey:
        """The posed body's title and the length-colour key, drawn in the view."""
        return self._build_extras().key

    @property
    def orientation(self) -> OrientationOverlay:
        """ "Front"/"Back" and the body's "Right"/"Left" at the view's edges."""
        return self._build_extras().orientation

    def set_orientation_words(self, on: bool) -> None:
        """Show the orientation words or not (View menu; presenter mode turns them off)."""
        self.orientation_words = on
        if self._extras is not None:
            self._extras.orientation.set_enabled(on)

    @property
    def posture_guides(self) -> PostureGuideOverlay:
        """ASIS-PSIS line, plumb line, lumbar curve, standing ghost and chair of a posed body."""
        return self._build_extras().guides

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt override)
        """Frame the atlas once the widget has its real size (the aspect ratio matters)."""
        super().showEvent(event)
        if not self._framed:
            self._framed = True
            self._frame_start_view()

    def _frame_start_view(self) -> None:
        self.scene.apply_view(view_by_name(self.state.view))
        self._start_pose = self.scene.current_pose()
        self.request_render()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802  (Qt override)
        """Re-frame the start view when the panels settle (they load after the first frame and
        narrow the view), as long as the user has not moved the camera yet."""
        super().resizeEvent(event)
        if self._start_pose is None:
            return
        if self.scene.current_pose() != self._start_pose:
            self._start_pose = None  # the user moved: their camera stays
            return
        # After the child VTK widget has taken its new size (the aspect ratio matters).
        QTimer.singleShot(0, self._reframe_start_view)

    def _reframe_start_view(self) -> None:
        if self._closed or self._start_pose is None:
            return
        if self.scene.current_pose() == self._start_pose:
            self._frame_start_view()

    def _on_interactor_render(self, *_args: object) -> None:
        if not self._initialising:
            self.render_now()

    def _render_if_hidden(self) -> None:
        if not self._closed and not self.isVisible() and self._first_frame_tag is not None:
            self.render_now()

    def _on_end_render(self, *_args: object) -> None:
        if self._first_frame_tag is None or self.renderer.GetNumberOfPropsRendered() == 0:
            return
        if self.isVisible():
            self._end_first_frame_watch()
            QTimer.singleShot(0, self.first_frame.emit)
        elif not self._hidden_frame_pending:
            self._hidden_frame_pending = True
            QTimer.singleShot(0, self._first_frame_if_still_hidden)

    def _first_frame_if_still_hidden(self) -> None:
        """A frame was drawn while hidden: it is the first frame unless the window has been shown
        since, in which case the next frame drawn on screen is (``showEvent`` asks for it)."""
        self._hidden_frame_pending = False
        if self._first_frame_tag is None or self._closed or self.isVisible():
            return
        self._end_first_frame_watch()
        self.first_frame.emit()

    def _end_first_frame_watch(self) -> None:
        if self._first_frame_tag is not None:
            self.renderer.RemoveObserver(self._first_frame_tag)
            self._first_frame_tag = None

    # -- rendering -----------------------------------------------------------------------------
    def request_render(self) -> None:
        """Coalesce render requests from many state changes into one frame."""
        if not self._closed and not self._render_timer.isActive():
            self._render_timer.start(0)

    def render_now(self) -> None:
        """Draw a frame immediately (also used by the benchmark and tests): while the camera
        or a posture slider moves at reduced resolution, else at full resolution."""
        if self._closed:
            return
        if self.scene.interacting and self.reduced_resolution:
            try:
                if self.reduced.render():
                    return
            except Exception as exc:  # an OpenGL/VTK build without what it needs
                # The message only, not the traceback: its frames would keep the view alive.
                reason = repr(exc)
                LOG.warning("half-resolution moving frames failed (%s); full frames now", reason)
                self.reduced_resolution = False
        self.render_window.Render()

    # -- level of detail -------------------------------------------------------------------------
    def _on_start_interaction(self, *_args: object) -> None:
        self._full_detail_timer.stop()
        if self.level_of_detail:
            self.set_moving(True)

    def _on_end_interaction(self, *_args: object) -> None:
        self._full_detail_timer.start()
        self._maybe_click()

    def _back_to_full_detail(self) -> None:
        if self.scene.interacting:
            self.set_moving(False)
            self.render_now()

    def set_moving(self, moving: bool) -> None:
        """Frames while the camera moves: light meshes and no anti-aliasing (edges in motion
        do not show it); still frames: full detail with FXAA."""
        self.scene.set_interacting(moving)
        self.renderer.SetUseFXAA(not moving and not self._stand_ins)

    def full_detail_loaded(self, upgraded: dict[str, MeshArrays]) -> None:
        """The deferred full-detail meshes were read (``upgraded``: those that could be): they
        replace the light stand-ins, and still frames are anti-aliased from now on."""
        if upgraded:
            self.scene.upgrade_meshes(upgraded)
            self.posture.refresh()
        self._stand_ins = False
        self.renderer.SetUseFXAA(not self.scene.interacting)
        self.request_render()

    # -- picking -------------------------------------------------------------------------------
    def _on_left_press(self, obj: object, _event: str) -> None:
        self._press = self.render_window.GetInteractor().GetEventPosition()

    def _maybe_click(self) -> None:
        # The trackball style grabs VTK's event focus on press, so release observers never run;
        # its EndInteractionEvent does, and ends every left-button gesture.
        if self._press is None:
            return
        x, y = self.render_window.GetInteractor().GetEventPosition()
        px, py = self._press
        self._press = None
        if abs(x - px) > CLICK_TOLERANCE_PX or abs(y - py) > CLICK_TOLERANCE_PX:
            return
        if self.spots is not None and self.spots.marking:
            skin = self.overlays.skin_id if self.overlays is not None else None
            point = self.scene.pick_point(x, y, skin) if skin else None
            if point is not None and self.overlays is not None:
                # Stored on the standing skin; drawn where the posture puts that place.
                self.spots.add(self.overlays.rest_point(point))
            return
        self.state.select(self.scene.pick(x, y))

    def _on_mouse_move(self, *_args: object) -> None:
        """Tooltip for the trigger-point marker under the mouse."""
        overlays = self.overlays
        if overlays is None or self.scene.interacting or self._press is not None:
            return
        x, y = self.render_window.GetInteractor().GetEventPosition()
        marker = overlays.layer.nearest(x, y)
        referral = overlays.features.referral
        if marker is None or referral is None:
            QToolTip.hideText()
            return
        from viewer.qt.texts import trigger_point_tooltip

        QToolTip.showText(QCursor.pos(), trigger_point_tooltip(referral.trigger_points[marker]))

    # -- features and camera transitions -----------------------------------------------------
    def attach_features(self, features: Features, spots: PainSpots, marker_px: int = 30) -> None:
        """Show trigger points, heat maps, pair views and painful spots in this view."""
        from viewer.render.marker_legend import topmost
        from viewer.render.overlays import AnnotationOverlays as Overlays

        overlays = Overlays(self.scene, features, marker_px=marker_px, labels=self.labels)
        self.overlays = overlays
        pairs = overlays.features.pairs
        if pairs is not None:  # a pair view draws its own arrows and joints over the body
            self.posture_guides.suppressed = lambda: pairs.active is not None
        overlays.marker_legend.below = topmost(
            self.posture_key.key_box, lambda: self.posture_guides.inset.box
        )
        overlays.pair_legend.beside = self.posture_key.title_box  # rows keep left of it
        self.posture.on_posed = overlays.skin_moved
        self.spots = spots
        spots.spots_changed.connect(overlays.show_spots)
        self.request_render()

    def move_camera(self, pose: CameraPose) -> None:
        """Go to a pose, animated over :data:`TRANSITION_MS` unless animation is off."""
        start = self.scene.current_pose()
        if not self.animate or not self.isVisible() or not _finite_pose(start):
            self._anim_timer.stop()
            self.scene.apply_pose(pose)
            self.request_render()
            return
        self._anim_from = start
        self._anim_to = pose
        self._anim_clock.start()
        if self.level_of_detail:
            self.set_moving(True)
        self._anim_timer.start()

    def jump_camera(self, pose: CameraPose) -> None:
        """Go to a pose at once, cancelling any camera animation still under way."""
        self._anim_timer.stop()
        if self._anim_from is not None:
            self._anim_from = self._anim_to = None
            self.set_moving(False)
        self.scene.apply_pose(pose)
        self.request_render()

    def _animation_step(self) -> None:
        if self._anim_from is None or self._anim_to is None:
            self._anim_timer.stop()
            return
        t = min(1.0, self._anim_clock.elapsed() / TRANSITION_MS)
        self.scene.apply_pose(interpolate_pose(self._anim_from, self._anim_to, t))
        if t >= 1.0:
            self._anim_timer.stop()
            self._anim_from = self._anim_to = None
            self.set_moving(False)
        self.render_now()

    @property
    def animating(self) -> bool:
        """True while a camera transition runs."""
        return self._anim_timer.isActive()

    def pick_at_widget_pos(self, x: int, y: int) -> str | None:
        """Structure under a widget pixel (Qt coordinates, origin top left, logical pixels)."""
        ratio = self.vtk_widget.devicePixelRatioF()
        height = self.render_window.GetSize()[1]
        return self.scene.pick(int(x * ratio), int(height - 1 - y * ratio))

    def apply_theme(self, theme: RenderTheme) -> None:
        """Change background colours to match the UI theme."""
        self.scene.apply_theme(theme)

    def shutdown(self) -> None:
        """Release the OpenGL context and VTK objects; called when the window closes."""
        self._closed = True  # detaching below asks for renders: they must not be scheduled
        self._render_timer.stop()
        self._full_detail_timer.stop()
        self._anim_timer.stop()
        self._end_first_frame_watch()
        self.section.detach()
        if self.overlays is not None:
            if self.spots is not None:
                self.spots.spots_changed.disconnect(self.overlays.show_spots)
            self.posture.on_posed = lambda: None
            self.overlays.detach()
            self.overlays = None
        self.state.pose_changed.disconnect(self._pose_before_extras)
        if self._extras is not None:
            self._extras.orientation.detach()
            self._extras.labels.detach()
            self._extras.key.detach()
            self._extras.guides.detach()
            self._extras.posture.detach()
        self.reduced.detach()
        self.scene.detach()
        # VTK holds these Python callbacks from C++, out of the garbage collector's sight:
        # without removing them the view, its scene and the render window would never be freed.
        self._style.RemoveAllObservers()
        interactor = self.render_window.GetInteractor()
        interactor.RemoveObservers(vtkCommand.LeftButtonPressEvent)
        interactor.RemoveObservers(vtkCommand.MouseMoveEvent)
        interactor.RemoveObservers(vtkCommand.RenderEvent)
        self.render_window.RemoveRenderer(self.renderer)
        self.vtk_widget.Finalize()


def _finite_pose(pose: CameraPose) -> bool:
    """True if every number of the pose is finite (a transition from NaN stays NaN)."""
    import math

    return all(math.isfinite(v) for v in (*pose.position, *pose.focal_point, *pose.view_up))
