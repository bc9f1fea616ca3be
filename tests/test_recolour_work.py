"""A trigger-point toggle recomputes only what the new map changes.

Recolouring the skin after a toggle was 23.4 ms against a 20 ms target; a third of it was work
that did not depend on the map: the fold-filled surface over the posed skin (a frame per
vertex), the heat colours computed twice (full and light skin) over every skin vertex, and the
heat legend rebuilt from scratch for a new title. These tests pin the structure (not a timing):
the surface is computed once per skin position, the colours are the same as blending every
vertex, and a new title keeps the legend's props.
"""

from __future__ import annotations

import numpy as np
import pytest
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkFiltersSources import vtkSphereSource
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.heatmap.foldfill import FoldLift
from viewer.render.heatmap_painter import (
    CLASS_ESSENTIAL,
    CLASS_NONE,
    ESSENTIAL_RGB,
    SPILLOVER_RGB,
    heat_colors,
)
from viewer.render.legend import HeatLegend
from viewer.render.zone_outline import ZoneOutlines


def _sphere() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    source = vtkSphereSource()
    source.SetRadius(100.0)
    source.SetThetaResolution(48)
    source.SetPhiResolution(48)
    source.Update()
    poly = source.GetOutput()
    points = vtk_to_numpy(poly.GetPoints().GetData()).astype(np.float64)
    cells = vtk_to_numpy(poly.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    normals = vtk_to_numpy(poly.GetPointData().GetNormals()).astype(np.float64)
    return points, cells.astype(np.int64), normals


def test_outlines_turn_the_fold_filled_surface_once_per_skin_position(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    points, triangles, normals = _sphere()
    surface = FoldLift.between(points, points + 0.5 * normals, triangles, normals)
    calls: list[int] = []
    original = FoldLift.drawn

    def counted(self: FoldLift, *args: object) -> np.ndarray:
        calls.append(1)
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(FoldLift, "drawn", counted)
    outlines = ZoneOutlines(vtkRenderer(), points, triangles, normals)
    for height in (20.0, 40.0, 60.0):  # three maps on the same skin
        weights = 0.5 + (points[:, 2] - height) / 50.0
        outlines.show(weights, None, surface)
        assert outlines.loops["essential"]
    assert len(calls) == 1
    moved = points + np.array([5.0, 0.0, 0.0])  # the skin was posed: computed again
    outlines.set_surface(moved, normals)
    outlines.show(0.5 + (points[:, 2] - 20.0) / 50.0, None, surface)
    assert len(calls) == 2  # once for the moved skin: the redraw and the next map share it
    expected = original(surface, moved, normals)
    assert np.array_equal(outlines._fold_filled(surface), expected)


def test_heat_colours_blend_only_painted_vertices_with_the_same_result() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    intensity = rng.uniform(-0.2, 1.2, n).astype(np.float32)
    classes = rng.integers(0, 3, n)
    skin = (0.87, 0.72, 0.6)
    # every vertex blended, as before the change
    base = np.asarray(skin, dtype=np.float32) * 255.0
    target = np.where((classes == CLASS_ESSENTIAL)[:, None], ESSENTIAL_RGB, SPILLOVER_RGB)
    w = np.clip(intensity, 0.0, 1.0)[:, None]
    w = np.where((classes == CLASS_NONE)[:, None], 0.0, 0.25 + 0.75 * w)
    expected = np.clip(np.rint(base * (1.0 - w) + target * w), 0, 255).astype(np.uint8)
    assert np.array_equal(heat_colors(skin, intensity, classes), expected)


def test_a_new_legend_title_keeps_the_legend_props() -> None:
    renderer = vtkRenderer()
    legend = HeatLegend(renderer)
    legend.set_visible(True)
    props = [id(p) for p in legend._props]
    legend.set_title("Referred pain: gluteus medius")
    assert [id(p) for p in legend._props] == props
    assert legend._texts[-1].GetInput() == "Referred pain: gluteus medius"
    assert legend.title == "Referred pain: gluteus medius"
