"""Heat-map painting and trigger-point markers, checked on rendered pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (OpenGL window factories)
from PIL import Image
from vtkmodules.vtkIOImage import vtkPNGWriter
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow, vtkWindowToImageFilter

from viewer.context import load_context
from viewer.domain.camera import view_by_name
from viewer.render.heatmap_painter import (
    CLASS_ESSENTIAL,
    CLASS_NONE,
    CLASS_SPILLOVER,
    ESSENTIAL_RGB,
    SkinHeatPainter,
    heat_colors,
)
from viewer.render.markers import Marker, MarkerLayer
from viewer.render.scene_renderer import SceneRenderer
from viewer.render.setup import configure_renderer
from viewer.render.theme import LIGHT


def _render(tiny_atlas_dir: Path, out: Path, paint: bool, marker: bool) -> np.ndarray:
    context = load_context(tiny_atlas_dir)
    context.state.set_opacity("skin", 1.0)
    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(600, 400)
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    configure_renderer(renderer)
    scene = SceneRenderer(renderer, context.loaded, context.state, LIGHT)
    skin = context.loaded.meshes["skin"].points
    layer = MarkerLayer(renderer)
    painter = SkinHeatPainter(scene.actor_of("skin"), skin)
    if paint:
        d = np.linalg.norm(skin - np.array([0.0, -170.0, 30.0]), axis=1)
        cls = np.where(d < 70, CLASS_ESSENTIAL, np.where(d < 150, CLASS_SPILLOVER, CLASS_NONE))
        painter.paint(context.loaded.atlas.get("skin").rgb, np.clip(1 - d / 150, 0, 1), cls)
    if marker:
        layer.set_markers([Marker("tp", (0.0, -172.0, 30.0), (0.0, 0.45, 0.7), 40)])
    window.Render()
    # The whole tiny body in view (a bounding-sphere fit), so the spillover ring shows.
    scene.apply_pose(scene.pose_for(view_by_name("anterior"), tight=False))
    window.Render()
    grab = vtkWindowToImageFilter()
    grab.SetInput(window)
    grab.Update()
    writer = vtkPNGWriter()
    writer.SetFileName(str(out))
    writer.SetInputConnection(grab.GetOutputPort())
    writer.Write()
    layer.detach()
    scene.detach()
    window.Finalize()
    return np.asarray(Image.open(out))[..., :3].astype(int)


def test_heat_colors_rank_by_class_and_intensity() -> None:
    colors = heat_colors(
        (0.9, 0.75, 0.6), np.array([1.0, 1.0, 0.0, 1.0]), np.array([2, 1, 1, 0])
    ).astype(int)
    lum = colors @ np.array([299, 587, 114]) / 1000
    assert lum[0] < lum[1] < lum[2], "essential darker than spillover, weaker spillover lighter"
    assert tuple(colors[3]) == tuple(round(c * 255) for c in (0.9, 0.75, 0.6))


def test_painted_skin_shows_essential_red_and_hatched_spillover(
    tiny_atlas_dir: Path, tmp_path: Path
) -> None:
    plain = _render(tiny_atlas_dir, tmp_path / "plain.png", paint=False, marker=False)
    img = _render(tiny_atlas_dir, tmp_path / "heat.png", paint=True, marker=False)
    red = np.all(np.abs(img - ESSENTIAL_RGB.astype(int)) < 60, axis=-1)
    assert red.mean() > 0.01, "essential zone is on screen"
    assert not np.all(np.abs(plain - ESSENTIAL_RGB.astype(int)) < 60, axis=-1).any()
    # Hatching: along an image row through the spillover ring, brightness alternates many times.
    row = img[200, :, :].mean(axis=1)
    changed = np.abs(np.diff(row)) > 25
    assert changed.sum() >= 4, "spillover stripes alternate dark/light (bold: 22 mm period)"


def test_marker_is_drawn_in_its_colour(tiny_atlas_dir: Path, tmp_path: Path) -> None:
    img = _render(tiny_atlas_dir, tmp_path / "marker.png", paint=False, marker=True)
    blue = np.all(np.abs(img - np.array([0, 115, 178])) < 50, axis=-1)
    assert blue.sum() > 40, "the X marker's pixels are present"
