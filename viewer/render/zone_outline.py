"""Dark outlines around referral zones on the skin, as on a clinical pain chart.

Colour alone does not separate a red zone from red muscle seen through the skin, nor survive a
greyscale print; a dark line does. Each zone gets one: the essential zone a heavy dark-red line,
the whole painted area (spillover included) a thinner dark-brown one. Lines are drawn on the
fold-filled surface the zones were measured on (it bridges the gluteal cleft; elsewhere it is
the skin), and lifted 1.5 mm off the skin along its normals so they are never buried in it.

A line is not a surface, so nothing culls the part of an outline on the far side of the body:
seen through a translucent skin, the front-thigh zone's outline showed as a stray red line
down the back of the leg (lesson step 2). Before each frame whose camera moved, only the
segments whose skin normal faces the camera are drawn, as on the painted skin itself.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer

from viewer.heatmap.foldfill import FoldLift
from viewer.heatmap.outline import zone_outlines

ESSENTIAL_LINE_RGB = (0.33, 0.0, 0.06)
"""Near-black red: reads on the red zone, on skin and in greyscale."""
ESSENTIAL_LINE_PX = 3.0
ZONE_LINE_RGB = (0.35, 0.2, 0.1)
"""Dark brown around the whole painted area (spillover's outer edge)."""
ZONE_LINE_PX = 2.0
LIFT_MM = 1.5


class ZoneOutlines:
    """Two line actors (essential, whole zone) on a renderer, redrawn per heat map."""

    def __init__(
        self,
        renderer: vtkRenderer,
        points: NDArray[np.floating],
        triangles: NDArray[np.integer],
        normals: NDArray[np.floating] | None,
    ) -> None:
        self.renderer = renderer
        self.points = np.asarray(points, dtype=np.float64)
        self.triangles = np.asarray(triangles, dtype=np.int64)
        self.normals = None if normals is None else np.asarray(normals, dtype=np.float64)
        self._tree: cKDTree | None = None
        self.actors = {
            "essential": self._actor(ESSENTIAL_LINE_RGB, ESSENTIAL_LINE_PX),
            "zone": self._actor(ZONE_LINE_RGB, ZONE_LINE_PX),
        }
        self.loops: dict[str, list[NDArray[np.float64]]] = {"essential": [], "zone": []}
        self._weights: tuple[NDArray[np.floating] | None, NDArray[np.floating] | None] = (
            None,
            None,
        )
        self._surface: FoldLift | None = None
        self._drawn_on: tuple[FoldLift, NDArray[np.float64]] | None = None
        """The fold-filled surface over the skin as drawn, kept until the skin moves: every map
        of one skin is outlined on the same surface (turning each vertex's lift into the
        posed skin's frame was a third of a trigger-point toggle)."""
        self._drawn: dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]]
        self._drawn = {}
        """Per actor: lifted outline points, their skin normals and the (k, 2) segments."""
        self._polys: dict[str, vtkPolyData] = {}
        """Per actor: its outline's points, set once per map; only the lines change per view."""
        self._kept: dict[str, NDArray[np.bool_]] = {}
        """Per actor: which segments the lines drawn now hold (unchanged: nothing to upload)."""
        self._camera_seen: object = None
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._cull_far_side)

    def set_surface(
        self, points: NDArray[np.floating], normals: NDArray[np.floating] | None
    ) -> None:
        """The skin moved (posed, or another body with the same triangles): redraw the shown
        outlines on it, so they stay on the skin instead of on the standing outline."""
        self.points = np.asarray(points, dtype=np.float64)
        self.normals = None if normals is None else np.asarray(normals, dtype=np.float64)
        self._tree = None
        self._drawn_on = None
        if any(self.loops.values()):
            visible = {k: bool(a.GetVisibility()) for k, a in self.actors.items()}
            self.show(*self._weights, self._surface)
            if not any(visible.values()):
                self.set_visible(False)

    def _actor(self, rgb: tuple[float, float, float], width: float) -> vtkActor:
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(vtkPolyData())
        actor = vtkActor()
        actor.SetMapper(mapper)
        prop = actor.GetProperty()
        prop.SetColor(*rgb)
        prop.SetLineWidth(width)
        prop.LightingOff()
        actor.SetVisibility(False)
        actor.PickableOff()
        self.renderer.AddActor(actor)
        return actor

    def show(
        self,
        essential: NDArray[np.floating] | None,
        spillover: NDArray[np.floating] | None,
        surface: FoldLift | None = None,
    ) -> None:
        """Outline the zones of these per-vertex weights (0.5 = the zone's edge), on the
        fold-filled ``surface`` the zones were measured on when it is given."""
        self._weights = (essential, spillover)
        self._surface = surface
        if essential is None:
            self.clear()
            return
        on = self.points if surface is None else self._fold_filled(surface)
        e = np.asarray(essential, dtype=np.float64)
        essential_loops = zone_outlines(on, self.triangles, e)
        spill = None if spillover is None else np.asarray(spillover, np.float64)
        if spill is not None and bool(((spill >= 0.5) & (e < 0.5)).any()):
            zone_loops = zone_outlines(on, self.triangles, np.maximum(e, spill))
        else:
            zone_loops = []  # no spillover zone: the essential outline says it all
        self.loops = {"essential": essential_loops, "zone": zone_loops}
        self._drawn = {key: self._segments(self.loops[key]) for key in self.actors}
        self._polys, self._kept = {}, {}
        for key, actor in self.actors.items():
            self._polys[key] = _line_segments(self._drawn[key][0])
            mapper = actor.GetMapper()
            assert isinstance(mapper, vtkPolyDataMapper)
            mapper.SetInputData(self._polys[key])
            actor.SetVisibility(bool(self.loops[key]))
        self._camera_seen = None
        self._cull_far_side()

    def _fold_filled(self, surface: FoldLift) -> NDArray[np.float64]:
        """``surface`` over the skin as drawn now, computed once per skin position."""
        if self._drawn_on is None or self._drawn_on[0] is not surface:
            self._drawn_on = (surface, surface.drawn(self.points, self.normals))
        return self._drawn_on[1]

    def set_visible(self, visible: bool) -> None:
        """Show or hide the drawn outlines (e.g. with the skin)."""
        for key, actor in self.actors.items():
            actor.SetVisibility(visible and bool(self.loops[key]))

    def clear(self) -> None:
        """No outlines."""
        self.loops = {"essential": [], "zone": []}
        for actor in self.actors.values():
            actor.SetVisibility(False)

    def detach(self) -> None:
        """Remove the actors from the renderer and stop observing it."""
        self.renderer.RemoveObserver(self._tag)
        for actor in self.actors.values():
            self.renderer.RemoveActor(actor)

    def front_segments(self, key: str) -> int:
        """How many segments of outline ``key`` are drawn now (tests)."""
        mapper = self.actors[key].GetMapper()
        assert isinstance(mapper, vtkPolyDataMapper)
        lines = mapper.GetInput().GetLines()
        return int(lines.GetNumberOfCells()) if lines is not None else 0

    def _lifted(
        self, pts: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        if self.normals is None:
            return pts, None
        if self._tree is None:
            self._tree = cKDTree(self.points)
        _, idx = self._tree.query(pts)
        normals = self.normals[idx]
        lifted: NDArray[np.float64] = pts + LIFT_MM * normals
        return lifted, normals

    def _segments(
        self, loops: list[NDArray[np.float64]]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
        """Lifted points, their normals (zeros when unknown: always drawn) and the segments
        joining consecutive points of each loop."""
        if not loops:
            return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 2), dtype=np.int64)
        pts, normals = self._lifted(np.vstack(loops))
        starts = np.cumsum([0] + [len(loop) for loop in loops])
        pairs = [
            np.column_stack([np.arange(a, b - 1), np.arange(a + 1, b)])
            for a, b in itertools.pairwise(starts)
            if b - a >= 2
        ]
        seg = np.vstack(pairs).astype(np.int64) if pairs else np.zeros((0, 2), dtype=np.int64)
        return pts, np.zeros_like(pts) if normals is None else normals, seg

    def _cull_far_side(self, *_args: object) -> None:
        """Draw only the segments on skin that faces the camera (once per camera pose while an
        outline shows; the lines are uploaded again only when the kept segments change)."""
        if not self._drawn or not any(a.GetVisibility() for a in self.actors.values()):
            self._camera_seen = None  # shown again later: cull for that frame's camera
            return
        camera = self.renderer.GetActiveCamera()
        seen = (camera.GetPosition(), camera.GetFocalPoint(), camera.GetParallelProjection())
        if seen == self._camera_seen:
            return
        self._camera_seen = seen
        eye = np.asarray(camera.GetPosition(), dtype=np.float64)
        towards = eye - np.asarray(camera.GetFocalPoint(), dtype=np.float64)
        for key, (pts, normals, seg) in self._drawn.items():
            if camera.GetParallelProjection():
                facing = normals @ towards >= 0.0
            else:
                facing = np.einsum("ij,ij->i", normals, eye - pts) >= 0.0
            keep = facing[seg[:, 0]] & facing[seg[:, 1]]
            if key in self._kept and np.array_equal(keep, self._kept[key]):
                continue
            self._kept[key] = keep
            poly = self._polys[key]
            poly.SetLines(_segment_cells(seg[keep]))
            poly.Modified()


def _line_segments(pts: NDArray[np.float64]) -> vtkPolyData:
    """Poly data holding ``pts`` and, for now, no lines (:func:`_segment_cells` adds them)."""
    poly = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(np.ascontiguousarray(pts), deep=True))
    poly.SetPoints(points)
    poly.SetLines(_segment_cells(np.zeros((0, 2), dtype=np.int64)))
    return poly


def _segment_cells(segments: NDArray[np.int64]) -> vtkCellArray:
    """Two-point line cells for the (k, 2) point indices ``segments``."""
    offsets = np.arange(0, 2 * len(segments) + 1, 2, dtype=np.int64)
    cells = vtkCellArray()
    cells.SetData(
        numpy_to_vtkIdTypeArray(offsets, deep=True),
        numpy_to_vtkIdTypeArray(np.ascontiguousarray(segments.ravel(), dtype=np.int64), deep=True),
    )
    return cells
