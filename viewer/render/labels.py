"""Structure labels with leader lines, laid out in two side columns so they never overlap.

The layout itself is pure (:mod:`viewer.domain.labels`); this module projects the anchors with
the live camera before every frame and moves VTK text actors and one line set to match.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkTextActor,
)

from viewer.domain.labels import layout_labels, project_points, surface_anchor
from viewer.render.scene_renderer import SceneRenderer

CHAR_WIDTH = 0.58
"""Average glyph width as a fraction of the font size (sizes the label boxes for the layout)."""


class LabelOverlay:
    """Labels for chosen structures, re-laid out before every frame."""

    def __init__(self, scene: SceneRenderer, font_px: int = 16) -> None:
        self.scene = scene
        self.font_px = font_px
        self.ids: tuple[str, ...] = ()
        self._anchors: dict[str, tuple[float, float, float]] = {}
        self._texts: dict[str, vtkTextActor] = {}
        self.lines = vtkPolyData()
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.lines)
        self.line_actor = vtkActor2D()
        self.line_actor.SetMapper(mapper)
        self.line_actor.GetProperty().SetColor(0.1, 0.1, 0.1)
        self.line_actor.GetProperty().SetLineWidth(1.5)
        scene.renderer.AddViewProp(self.line_actor)
        self._tag = scene.renderer.AddObserver(vtkCommand.StartEvent, self._before_frame)
        self.placed: dict[str, tuple[float, float, bool]] = {}

    def set_labels(self, ids: Iterable[str]) -> None:
        """Label exactly these structures (groups label their parts as one)."""
        atlas = self.scene.loaded.atlas
        wanted = tuple(dict.fromkeys(i for i in ids if i in atlas and atlas.leaves(i)))
        for sid in [s for s in self._texts if s not in wanted]:
            self.scene.renderer.RemoveViewProp(self._texts.pop(sid))
        for sid in wanted:
            if sid not in self._anchors:
                points = np.concatenate(
                    [self.scene.loaded.meshes[leaf].points for leaf in atlas.leaves(sid)]
                )
                self._anchors[sid] = surface_anchor(points)
            if sid not in self._texts:
                actor = vtkTextActor()
                actor.SetInput(atlas.get(sid).name)
                prop = actor.GetTextProperty()
                prop.SetFontSize(self.font_px)
                prop.SetColor(0.08, 0.08, 0.08)
                prop.SetBackgroundColor(1.0, 1.0, 1.0)
                prop.SetBackgroundOpacity(0.85)
                prop.SetVerticalJustificationToCentered()
                self.scene.renderer.AddViewProp(actor)
                self._texts[sid] = actor
        self.ids = wanted
        self.scene.on_render_needed()

    def _before_frame(self, *_args: object) -> None:
        if not self.ids and not self.placed:
            return  # nothing labelled and nothing left to clear: no work on this frame
        renderer = self.scene.renderer
        state = self.scene.state
        # Leader lines in the theme's text colour: black lines vanish on the dark and projector
        # backgrounds.
        self.line_actor.GetProperty().SetColor(*self.scene.theme.text)
        shown = [s for s in self.ids if state.is_visible(s)]
        for sid, actor in self._texts.items():
            actor.SetVisibility(sid in shown)
        self.placed = {}
        if not shown:
            self.lines.Initialize()
            return
        width, height = renderer.GetSize()
        if width <= 0 or height <= 0:
            return
        matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
            renderer.GetTiledAspectRatio(), -1, 1
        )
        m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
        pixels, inside = project_points(
            np.array([self._anchors[s] for s in shown]), m, (width, height)
        )
        visible = [s for s, ok in zip(shown, inside, strict=True) if ok]
        anchors = [tuple(p) for p, ok in zip(pixels, inside, strict=True) if ok]
        sizes = [
            (CHAR_WIDTH * self.font_px * len(self._texts[s].GetInput()) + 8, self.font_px * 1.5)
            for s in visible
        ]
        for sid in shown:
            self._texts[sid].SetVisibility(sid in visible)
        points, cells = vtkPoints(), vtkCellArray()
        for sid, label in zip(visible, layout_labels(anchors, sizes, (width, height)), strict=True):
            text = self._texts[sid]
            if not label.visible:
                text.SetVisibility(False)
                continue
            # Layout is y-down from the top; VTK display coordinates are y-up from the bottom.
            text.SetPosition(label.x + 4, height - (label.y + label.h / 2))
            self.placed[sid] = (label.x, label.y, True)
            start = points.InsertNextPoint(label.leader_start[0], height - label.leader_start[1], 0)
            end = points.InsertNextPoint(label.leader_end[0], height - label.leader_end[1], 0)
            cells.InsertNextCell(2)
            cells.InsertCellPoint(start)
            cells.InsertCellPoint(end)
        self.lines.SetPoints(points)
        self.lines.SetLines(cells)
        self.lines.Modified()

    def leader_segments(self) -> np.ndarray:
        """(k, 2, 2) leader lines in display pixels as last drawn (tests use it)."""
        pts = self.lines.GetPoints()
        if pts is None or pts.GetNumberOfPoints() == 0:
            return np.zeros((0, 2, 2))
        return np.asarray(vtk_to_numpy(pts.GetData())[:, :2], dtype=float).reshape(-1, 2, 2)

    def detach(self) -> None:
        """Remove labels and stop following frames."""
        self.scene.renderer.RemoveObserver(self._tag)
        for actor in self._texts.values():
            self.scene.renderer.RemoveViewProp(actor)
        self._texts.clear()
        self.scene.renderer.RemoveViewProp(self.line_actor)
