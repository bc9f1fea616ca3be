"""Render a scene to a PNG without a window (CLI ``render``, tests, slide export)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (registers the OpenGL factories)
from vtkmodules.vtkIOImage import vtkPNGWriter
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow, vtkWindowToImageFilter

from viewer.domain.camera import CameraPose, view_by_name
from viewer.features import Features
from viewer.io.atlas_loader import LoadedAtlas
from viewer.render.scene_renderer import SceneRenderer
from viewer.render.setup import configure_renderer
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
) -> Path:
    """Render the scene described by ``state`` to ``out`` (PNG) and return the path.

    ``view`` overrides the state's camera preset. With ``transparent`` the background is written
    as alpha 0 so the image drops onto any slide. ``features`` adds trigger-point markers,
    the heat map and an active pair view (whose camera then replaces ``view``); ``compare``
    splits the image into the pair's muscles and their referral difference map. ``pose`` sets
    an exact camera (saved scenes); ``caption`` is written across the top (lesson slides).
    """
    with offscreen_scene(
        loaded, state, size, theme, features, marker_px, msaa=8, alpha=transparent
    ) as (window, renderer, scene, overlays):
        return _render_png(
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
        )


@dataclass
class _Offscreen:
    window: vtkRenderWindow
    renderer: vtkRenderer
    scene: SceneRenderer
    overlays: AnnotationOverlays | None

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
    from viewer.io.posture import shared_posture_model
    from viewer.render.posture_painter import PosturePainter

    posture = PosturePainter(scene, loaded, state, lambda: shared_posture_model(loaded))
    overlays = None
    if features is not None:
        from viewer.render.overlays import AnnotationOverlays

        overlays = AnnotationOverlays(scene, features, marker_px=marker_px)
    try:
        yield _Offscreen(window, renderer, scene, overlays)
    finally:
        if overlays is not None:
            overlays.detach()
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
) -> Path:
    if overlays is not None and compare:
        overlays.set_compare(True)
    if transparent:
        renderer.SetGradientBackground(False)
        renderer.SetBackgroundAlpha(0.0)
    window.Render()  # the first frame fixes the viewport's aspect ratio used for framing
    active = features.pairs.active if features is not None and features.pairs else None
    if pose is not None:
        scene.apply_pose(pose)
    elif active is not None and active.resolved is not None and view is None:
        scene.apply_pose(scene.pose_for(active.resolved.camera, frame=active.pair.structures))
    else:
        scene.apply_view(view_by_name(view or state.view))
    if caption:
        _add_caption(renderer, caption, size)
    window.Render()
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


def _add_caption(renderer: vtkRenderer, text: str, size: tuple[int, int]) -> None:
    """A projector-sized caption centred along the top edge."""
    import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
    from vtkmodules.vtkRenderingCore import vtkTextActor

    actor = vtkTextActor()
    actor.SetInput(text)
    prop = actor.GetTextProperty()
    prop.SetFontSize(max(14, round(size[1] / 28)))
    prop.SetColor(0.08, 0.08, 0.08)
    prop.SetBackgroundColor(1.0, 1.0, 1.0)
    prop.SetBackgroundOpacity(0.85)
    prop.SetJustificationToCentered()
    prop.SetVerticalJustificationToTop()
    actor.SetPosition(size[0] / 2, size[1] - 12)
    renderer.AddViewProp(actor)
