"""Render a scene to a PNG without a window (CLI ``render``, tests, slide export)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (registers the OpenGL factories)
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkIOImage import vtkPNGWriter
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow, vtkWindowToImageFilter

from viewer.domain.camera import CameraPose, view_by_name
from viewer.features import Features
from viewer.io.atlas_loader import LoadedAtlas
from viewer.render.labels import LabelOverlay
from viewer.render.orientation import OrientationOverlay, orientation_overlay
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
from viewer.render.scene_renderer import PAIR_FILL, SceneRenderer
from viewer.render.setup import configure_renderer
from viewer.render.structure_framing import POSTURE_SIDE_VIEWS
from viewer.render.theme import LIGHT, RenderTheme
from viewer.state.scene import SceneState

if TYPE_CHECKING:
    from viewer.render.overlays import AnnotationOverlays


def _prefer_egl_without_display() -> None:
    """Without an X or Wayland display, ask VTK for its EGL (Mesa) window instead of failing."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


def render_to_png(
    loaded: LoadedAtlas,
    state: SceneState,
    out: Path,
    size: tuple[int, int] = (1600, 1000),
    view: str | None = None,
    theme: RenderTheme = LIGHT,
    transparent: bool = False,
    features: Features | None = None,
    marker_px: int = 30,
    compare: bool = False,
    pose: CameraPose | None = None,
    caption: str = "",
    labels: Sequence[str] = (),
    label_all: bool = False,
    label_auto: bool = False,
    heat_legend: bool = True,
    lengths_shown: bool = False,
    pose_title: bool = False,
    frame: Sequence[str] = (),
    marker_key: bool = True,
    marker_styles: set[str] | None = None,
    posture_view: bool = False,
    frame_view: Sequence[str] = (),
    posture_guides: bool = True,
    orientation: bool = False,
) -> Path:
    """Render the scene described by ``state`` to ``out`` (PNG) and return the path.

    ``view`` overrides the state's camera preset. With ``transparent`` the background is written
    as alpha 0 so the image drops onto any slide. ``features`` adds trigger-point markers,
    the heat map and an active pair view (whose camera then replaces ``view``); ``compare``
    splits the image into the pair's muscles and their referral difference map. ``pose`` sets
    an exact camera (saved scenes); ``caption`` is written across the top (lesson slides).
    ``labels`` names structures to label and ``label_all`` labels what the camera sees, through
    the same label layout as the window; ``label_auto`` names a plate's few main structures
    in sight (:mod:`viewer.domain.plate_labels`, ``render --labels auto``).
    ``heat_legend=False`` leaves out the in-picture heat-map key and ``marker_key=False`` the
    in-picture marker key (a handout prints one key for both figures; two keys for the same X's
    read as two different things). ``marker_styles``, when given, receives the marker styles
    drawn (``visible``, ``deep``, ``far_side``), so such a printed key names exactly those.
    A posed body is titled with its pose and key angles (``pose_title`` titles standing too);
    ``lengths_shown`` adds the length-colour key (the colours are the state's).
    ``frame`` names structures for a close-up (:func:`closeup_camera`): they fill most of the
    picture, seen along ``view`` or, without one, from where they are seen best.
    ``posture_view`` (a ``render --pose`` picture) draws the posture references on the standing
    pose too and, seen from the side, frames the pelvis and lumbar spine
    (:func:`viewer.render.structure_framing.posture_camera`) instead of everything shown.
    ``frame_view`` (a lesson camera's ``frame``) fits those structures looking along ``view``
    (:func:`viewer.render.structure_framing.framed_view_pose`). ``posture_guides=False``
    leaves out the posture references (tilt line, plumb, lumbar curve, ghost, chair).
    ``orientation`` writes "Front"/"Back" and the body's "Right"/"Left" at the picture's edges
    where the camera leaves them unclear (:mod:`viewer.render.orientation`; ``render`` and the
    window's exports turn it on, lesson slides leave it off).
    """
    with offscreen_scene(
        loaded, state, size, theme, features, marker_px, msaa=8, alpha=transparent
    ) as off:
        off.labels.set_labels(labels)
        off.labels.set_label_all(label_all)
        off.labels.set_label_auto(label_auto)
        off.posture_key.set_lengths_shown(lengths_shown)
        off.posture_key.set_always(pose_title)
        off.guides.set_always(posture_view)
        off.guides.set_enabled(posture_guides)
        off.orientation.set_enabled(orientation)
        window, renderer, scene, overlays = off
        if overlays is not None:
            overlays.marker_legend.enabled = marker_key
        out = _render_png(
            window,
            renderer,
            scene,
            overlays,
            out,
            size,
            state,
            view,
            pose,
            features,
            transparent,
            compare,
            caption,
            off.labels,
            heat_legend,
            off.posture_key,
            frame,
            posture_view,
            frame_view,
            off.guides,
            label_auto,
        )
        if marker_styles is not None and overlays is not None:
            marker_styles.update(overlays.layer.drawn_styles())
            if overlays.layer.has_counts():  # an "X×2" drawn: the handout's key explains it
                marker_styles.add("counted")
        return out


@dataclass
class _Offscreen:
    window: vtkRenderWindow
    renderer: vtkRenderer
    scene: SceneRenderer
    overlays: AnnotationOverlays | None
    labels: LabelOverlay
    posture_key: PostureKey
    guides: PostureGuideOverlay
    orientation: OrientationOverlay

    def __iter__(self) -> Iterator[Any]:
        return iter((self.window, self.renderer, self.scene, self.overlays))


@contextmanager
def offscreen_scene(
    loaded: LoadedAtlas,
    state: SceneState,
    size: tuple[int, int],
    theme: RenderTheme = LIGHT,
    features: Features | None = None,
    marker_px: int = 30,
    msaa: int = 8,
    alpha: bool = False,
) -> Iterator[_Offscreen]:
    """A window-less render window showing ``state`` (plus annotation overlays), torn down after.

    Shared by image export and turntables so both draw exactly what the window draws.
    """
    _prefer_egl_without_display()
    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(*size)
    window.SetMultiSamples(msaa)
    if alpha:
        window.SetAlphaBitPlanes(1)
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    configure_renderer(renderer)
    scene = SceneRenderer(renderer, loaded, state, theme)
    labels = LabelOverlay(scene)
    from viewer.io.posture import shared_posture_model
    from viewer.render.posture_painter import PosturePainter

    posture = PosturePainter(scene, loaded, state, lambda: shared_posture_model(loaded))
    guides = PostureGuideOverlay(
        renderer,
        loaded,
        state,
        guide_transforms(lambda: shared_posture_model(loaded)),
        skin_points_of(scene),
    )
    key = PostureKey(renderer, state)
    key.note_source = tight_note_source(loaded)
    key.length_note_source = iliopsoas_note_source(loaded)
    key.anatomy_on_screen = anatomy_on_screen(scene)
    labels.reserve("posture_title", key.title_box)
    labels.reserve("length_key", key.key_box)
    labels.set_obstacle_boxes("posture_guides", guides.text_boxes)
    key.ghost_in_view = guides.ghost_in_view
    guides.keep_off = lambda: [key.title_box(), key.key_box()]
    guides.anatomy_on_screen = anatomy_on_screen(scene, GUIDE_ANATOMY_SAMPLE, GUIDE_FAINT)
    orientation = orientation_overlay(scene, labels, enabled=False)
    overlays = None
    if features is not None:
        from viewer.render.marker_legend import topmost
        from viewer.render.overlays import AnnotationOverlays

        overlays = AnnotationOverlays(scene, features, marker_px=marker_px, labels=labels)
        overlays.marker_legend.below = topmost(key.key_box, lambda: guides.inset.box)
        overlays.pair_legend.beside = key.title_box  # its rows keep left of the pose's title
        legend = overlays.pair_legend
        guides.keep_off = lambda: [key.title_box(), key.key_box(), legend.box()]
        pairs = features.pairs
        if pairs is not None:
            guides.suppressed = lambda: pairs.active is not None
        posture.on_posed = overlays.skin_moved
        orientation.caption_only = lambda: overlays.comparing
    try:
        yield _Offscreen(window, renderer, scene, overlays, labels, key, guides, orientation)
    finally:
        orientation.detach()
        key.detach()
        guides.detach()
        posture.on_posed = lambda: None
        if overlays is not None:
            overlays.detach()
        labels.detach()
        posture.detach()
        scene.detach()
        window.Finalize()


def _render_png(
    window: vtkRenderWindow,
    renderer: vtkRenderer,
    scene: SceneRenderer,
    overlays: AnnotationOverlays | None,
    out: Path,
    size: tuple[int, int],
    state: SceneState,
    view: str | None,
    pose: CameraPose | None,
    features: Features | None,
    transparent: bool,
    compare: bool,
    caption: str,
    labels: LabelOverlay | None = None,
    heat_legend: bool = True,
    posture_key: PostureKey | None = None,
    frame: Sequence[str] = (),
    posture_view: bool = False,
    frame_view: Sequence[str] = (),
    guides: PostureGuideOverlay | None = None,
    label_auto: bool = False,
) -> Path:
    if overlays is not None and compare:
        overlays.set_compare(True)
    if transparent:
        renderer.SetGradientBackground(False)
        renderer.SetBackgroundAlpha(0.0)
    window.Render()  # the first frame fixes the viewport's aspect ratio used for framing
    active = features.pairs.active if features is not None and features.pairs else None
    if caption and overlays is not None:
        from viewer.domain.framing import CAPTION_HEADROOM

        # The caption is the slide's title: the pair key drops its own and starts below it.
        overlays.set_pair_header(False, round(size[1] * CAPTION_HEADROOM))
    pair_framed = False
    if pose is not None:
        scene.apply_pose(pose)
    elif active is not None and active.resolved is not None and view is None:
        if overlays is not None:
            overlays.refresh_pair()
            scene.apply_pose(overlays.pair_pose(active.resolved))
            pair_framed = True
        else:
            frame = active.pair.structures
            scene.apply_pose(scene.pose_for(active.resolved.camera, frame=frame, fill=PAIR_FILL))
    elif frame:
        scene.apply_pose(closeup_camera(scene, frame, view))
    elif frame_view:
        from viewer.domain.framing import CAPTION_HEADROOM, SLIDE_FILL
        from viewer.render.scene_renderer import FRAME_FILL
        from viewer.render.structure_framing import framed_view_pose, step_extra

        seat = step_extra(guides, overlays, active, view or state.view)

        def fit(top: float, left: float) -> CameraPose:
            if caption:  # the caption's headroom is added below
                top = max(0.0, top - CAPTION_HEADROOM)
            return framed_view_pose(
                scene,
                view or state.view,
                frame_view,
                fill=SLIDE_FILL if caption else FRAME_FILL,
                extra=seat,
                top_free=top,
                left_free=left,
            )

        if active is not None and active.resolved is not None and overlays is not None:
            # A pair view's key (top band or left column) is kept clear of the framed subject.
            scene.apply_pose(overlays.fit_beside_key(active.resolved, fit))
        else:
            scene.apply_pose(fit(0.0, 0.0))
    elif posture_view and (view or state.view) in POSTURE_SIDE_VIEWS:
        from viewer.render.structure_framing import posture_camera

        scene.apply_pose(posture_camera(scene, view or state.view))
    else:
        scene.apply_view(view_by_name(view or state.view))
        if label_auto:  # a labelled plate: room beside the anatomy for the label columns
            scene.apply_pose(_room_for_labels(scene))
    if caption:
        from viewer.domain.framing import CAPTION_HEADROOM, with_headroom
        from viewer.render.presentation import CaptionBar

        if not pair_framed:  # a pair view's framing already keeps its key below the caption
            angle = renderer.GetActiveCamera().GetViewAngle()
            scene.apply_pose(with_headroom(scene.current_pose(), angle, CAPTION_HEADROOM))

        bar = CaptionBar(renderer, dark=scene.theme.name != "light")
        bar.set_text(caption)
        if labels is not None:
            labels.reserve("caption", bar.box)
        box = bar.box()
        if posture_key is not None and box is not None:
            posture_key.set_top(round(size[1] - box[1]))
    if not heat_legend and overlays is not None:
        overlays.legend.set_visible(False)
    window.Render()
    return write_window_png(window, out, transparent)


def _room_for_labels(scene: SceneRenderer) -> CameraPose:
    """The current pose pulled back so the drawn anatomy (no skin, no ghost left out of the
    view) leaves the plate's label columns free (:func:`viewer.domain.plate_labels.
    room_for_labels`)."""
    from viewer.domain.labels import project_points
    from viewer.domain.orientation import leaves_out_front_ghosts
    from viewer.domain.plate_labels import room_for_labels

    pose = scene.current_pose()
    camera = scene.renderer.GetActiveCamera()
    skip = (
        scene.front_ghosts() if leaves_out_front_ghosts(camera.GetDirectionOfProjection()) else ()
    )
    points = scene.visible_points(skip=skip)
    w, h = scene.renderer.GetSize()
    if points is None or not w or not h:
        return pose
    matrix = camera.GetCompositeProjectionTransformMatrix(w / h, -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    pixels, _ = project_points(points, m, (w, h))
    xs = pixels[:, 0]
    share = float((min(xs.max(), w) - max(xs.min(), 0.0)) / w) if len(xs) else 0.0
    return room_for_labels(pose, share)


CLOSEUP_GHOST_OPACITY = 0.2
"""Opacity given to muscles that cover a close-up's subject from its best side (as search does)."""


def closeup_camera(scene: SceneRenderer, frame: Sequence[str], view: str | None) -> CameraPose:
    """A close-up of the ``frame`` structures with the bone right next to them as context.

    Seen along the ``view`` preset, or, without one, from where they are seen best (search's
    rule, :func:`viewer.render.depth_probe.best_view`); the muscles that cover them there are
    ghosted, as search does. The camera fits them and what lies within a few millimetres of
    them (:func:`viewer.domain.framing.closeup_pose`), so the rest of a long bone does not set
    the scale, and the whole of a touching bone no larger than they are (the hip bone behind
    the gluteus maximus, iliac crest included). Falls back to the state's view if none of
    them is shown.
    """
    from viewer.domain.framing import closeup_pose
    from viewer.domain.structures import Kind
    from viewer.render.depth_probe import DepthProbe, best_view

    state = scene.state
    if view is not None:
        preset = view_by_name(view)
    else:
        choice = best_view(DepthProbe(scene), frame)
        preset = view_by_name(choice.view if choice is not None else state.view)
        if choice is not None:
            atlas = scene.loaded.atlas
            covers = [b for b in choice.reveal if atlas.get(b).kind is Kind.MUSCLE]
            if covers:
                state.set_opacity(covers, CLOSEUP_GHOST_OPACITY)
    subject = scene.visible_points(frame)
    if subject is None:
        return scene.pose_for(preset)
    context = scene.visible_points()
    atlas = scene.loaded.atlas
    framed = {leaf for sid in frame if sid in atlas for leaf in atlas.leaves(sid)}
    bones = [
        points
        for s in atlas.renderable
        if s.kind is Kind.BONE
        and s.id not in framed
        and state.is_visible(s.id)
        and (points := scene.visible_points([s.id])) is not None
    ]
    w, h = scene.renderer.GetSize()
    return closeup_pose(
        subject,
        context if context is not None else subject,
        preset.direction,
        preset.view_up,
        scene.renderer.GetActiveCamera().GetViewAngle(),
        w / h if w and h else 1.6,
        bones=bones,
    )


def window_pixels(window: vtkRenderWindow) -> NDArray[np.uint8]:
    """(h, w, 3) RGB of what ``window`` last rendered (its back buffer), rows from the top:
    the same buffer :func:`write_window_png` writes, for turntable frames and pixel tests."""
    grab = vtkWindowToImageFilter()
    grab.SetInput(window)
    grab.ReadFrontBufferOff()
    grab.Update()
    image = grab.GetOutput()
    w, h, _ = image.GetDimensions()
    rgb = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(h, w, -1)[::-1, :, :3]
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def write_window_png(window: vtkRenderWindow, out: Path | str, transparent: bool = False) -> Path:
    """Write what ``window`` last rendered (its back buffer) to a PNG, creating the folder.

    One grab-and-write for `render`, exports and the render tests, so they all read the same
    buffer the same way.
    """
    grab = vtkWindowToImageFilter()
    grab.SetInput(window)
    grab.SetInputBufferTypeToRGBA() if transparent else grab.SetInputBufferTypeToRGB()
    grab.ReadFrontBufferOff()
    grab.Update()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = vtkPNGWriter()
    writer.SetFileName(str(out))
    writer.SetInputConnection(grab.GetOutputPort())
    writer.Write()
    return out
