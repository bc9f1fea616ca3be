"""Pair-view overlays: lines of action as arrows and the joints they cross as labelled markers.

Drawn in the overlay layer (see :mod:`viewer.render.markers`), so an arrow running through the
middle of a muscle stays visible, like the arrows of a textbook diagram.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkCommonExecutionModel import vtkAlgorithmOutput
from vtkmodules.vtkFiltersCore import vtkTubeFilter
from vtkmodules.vtkFiltersSources import vtkConeSource, vtkSphereSource
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkPolyDataMapper,
    vtkRenderer,
)

from viewer.domain.structures import hex_to_rgb

ARROW_RADIUS_MM = 2.2
HEAD_LENGTH_MM = 16.0
HEAD_RADIUS_MM = 6.5
JOINT_RADIUS_MM = 7.0
JOINT_RGB = (0.15, 0.15, 0.15)
UNLABELLED_JOINT_KINDS = frozenset({"lumbar_intervertebral"})
"""Joint kinds drawn as dots only: five stacked lumbar labels would bury the picture."""

PointLabels = Callable[[Sequence[tuple[str, NDArray[np.floating]]]], None]
"""Where joint names go: the view's one label layout (``LabelOverlay.set_point_labels``)."""


def _polyline(points: NDArray[np.floating]) -> vtkPolyData:
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64), deep=True))
    lines = vtkCellArray()
    lines.InsertNextCell(len(points))
    for i in range(len(points)):
        lines.InsertCellPoint(i)
    poly = vtkPolyData()
    poly.SetPoints(vtk_points)
    poly.SetLines(lines)
    return poly


def _actor(source_output: vtkAlgorithmOutput, rgb: tuple[float, float, float]) -> vtkActor:
    mapper = vtkPolyDataMapper()
    mapper.SetInputConnection(source_output)
    actor = vtkActor()
    actor.SetMapper(mapper)
    prop = actor.GetProperty()
    prop.SetColor(*rgb)
    prop.SetAmbient(0.3)
    prop.SetDiffuse(0.7)
    prop.SetSpecular(0.3)
    return actor


class PairOverlay:
    """Arrows and joint markers of one pair view in an overlay renderer."""

    def __init__(self, overlay: vtkRenderer, point_labels: PointLabels | None = None) -> None:
        self.overlay = overlay
        self._props: list[object] = []
        self.point_labels = point_labels

    def show(
        self,
        lines: Sequence[tuple[NDArray[np.floating], str]],
        joints: Sequence[tuple[NDArray[np.floating], str, str]],
        label_size_px: int = 20,
    ) -> None:
        """Draw ``lines`` ((k, 3) points origin→insertion, colour) and ``joints``.

        ``joints`` are (point, title, kind); kinds in :data:`UNLABELLED_JOINT_KINDS` get no label.
        Joint names go to ``point_labels`` (the view's label layout, so they never overprint
        each other, structure labels or X markers); ``label_size_px`` is kept for callers.
        """
        self.clear()
        named: list[tuple[str, NDArray[np.floating]]] = []
        for points, color in lines:
            pts = np.asarray(points, dtype=np.float64)
            if len(pts) < 2:
                continue
            rgb = hex_to_rgb(color)
            tip = pts[-1]
            direction = tip - pts[-2]
            length = float(np.linalg.norm(direction))
            if length < 1e-6:
                continue
            direction /= length
            head = min(HEAD_LENGTH_MM, 0.45 * float(np.linalg.norm(pts[-1] - pts[0])))
            shaft = pts.copy()
            shaft[-1] = tip - direction * head * 0.9
            tube = vtkTubeFilter()
            tube.SetInputData(_polyline(shaft))
            tube.SetRadius(ARROW_RADIUS_MM)
            tube.SetNumberOfSides(14)
            tube.CappingOn()
            self._add(_actor(tube.GetOutputPort(), rgb))
            cone = vtkConeSource()
            cone.SetResolution(20)
            cone.SetHeight(head)
            cone.SetRadius(HEAD_RADIUS_MM)
            cone.SetDirection(*direction)
            cone.SetCenter(*(tip - direction * head / 2))
            self._add(_actor(cone.GetOutputPort(), rgb))
            start = vtkSphereSource()
            start.SetRadius(ARROW_RADIUS_MM * 1.8)
            start.SetCenter(*pts[0])
            self._add(_actor(start.GetOutputPort(), rgb))
        for point, title, kind in joints:
            sphere = vtkSphereSource()
            sphere.SetRadius(JOINT_RADIUS_MM)
            sphere.SetCenter(*np.asarray(point, dtype=np.float64))
            sphere.SetThetaResolution(20)
            sphere.SetPhiResolution(20)
            marker = _actor(sphere.GetOutputPort(), JOINT_RGB)
            marker.GetProperty().SetOpacity(0.85)
            self._add(marker)
            if kind in UNLABELLED_JOINT_KINDS:
                continue
            named.append((title, np.asarray(point, dtype=np.float64)))
        if self.point_labels is not None:
            self.point_labels(named)

    def _add(self, prop: object) -> None:
        self.overlay.AddViewProp(prop)  # type: ignore[arg-type]
        self._props.append(prop)

    @property
    def n_props(self) -> int:
        """How many VTK props the overlay currently shows (tests use it)."""
        return len(self._props)

    def clear(self) -> None:
        """Remove every arrow and joint marker (and their labels)."""
        for prop in self._props:
            self.overlay.RemoveViewProp(prop)  # type: ignore[arg-type]
        self._props.clear()
        if self.point_labels is not None:
            self.point_labels([])

