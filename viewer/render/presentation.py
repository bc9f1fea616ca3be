"""On-screen presentation elements: caption, step counter and blank screen, sized for projectors.

Drawn as VTK 2D props in the 3D view, so what the room sees is what an exported slide shows.
"""

from __future__ import annotations

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkCoordinate,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)


def _text(size: int, color: tuple[float, float, float]) -> vtkTextActor:
    actor = vtkTextActor()
    prop = actor.GetTextProperty()
    prop.SetFontSize(size)
    prop.SetColor(*color)
    prop.SetBold(True)
    prop.SetBackgroundColor(0.0, 0.0, 0.0)
    prop.SetBackgroundOpacity(0.55)
    actor.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    return actor


def _full_viewport_black() -> vtkActor2D:
    points = vtkPoints()
    for x, y in ((0, 0), (1, 0), (1, 1), (0, 1)):
        points.InsertNextPoint(x, y, 0)
    cells = vtkCellArray()
    cells.InsertNextCell(4)
    for i in range(4):
        cells.InsertCellPoint(i)
    poly = vtkPolyData()
    poly.SetPoints(points)
    poly.SetPolys(cells)
    coordinate = vtkCoordinate()
    coordinate.SetCoordinateSystemToNormalizedViewport()
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(poly)
    mapper.SetTransformCoordinate(coordinate)
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    actor.GetProperty().SetColor(0.0, 0.0, 0.0)
    return actor


class PresentationOverlay:
    """Caption along the top, step counter bottom right, and a black screen for B."""

    def __init__(self, renderer: vtkRenderer, scale: float = 1.0) -> None:
        self.renderer = renderer
        self.caption = _text(round(34 * scale), (1.0, 1.0, 1.0))
        prop = self.caption.GetTextProperty()
        prop.SetJustificationToCentered()
        prop.SetVerticalJustificationToTop()
        self.caption.SetPosition(0.5, 0.975)
        self.counter = _text(round(22 * scale), (0.85, 0.85, 0.85))
        counter_prop = self.counter.GetTextProperty()
        counter_prop.SetJustificationToRight()
        counter_prop.SetBold(False)
        self.counter.SetPosition(0.985, 0.02)
        self.blank = _full_viewport_black()
        self.blank.SetVisibility(False)
        for prop2d in (self.caption, self.counter, self.blank):
            renderer.AddViewProp(prop2d)

    def show(self, caption: str, counter: str) -> None:
        """Set the caption (may be empty) and the step counter text."""
        self.caption.SetInput(caption)
        self.caption.SetVisibility(bool(caption))
        self.counter.SetInput(counter)

    def set_blank(self, blank: bool) -> None:
        """Black out the view (B key) without leaving the lesson."""
        self.blank.SetVisibility(blank)
        self.caption.SetVisibility(not blank and bool(self.caption.GetInput()))
        self.counter.SetVisibility(not blank)

    @property
    def blanked(self) -> bool:
        """True while the screen is blacked out."""
        return bool(self.blank.GetVisibility())

    def detach(self) -> None:
        """Remove every presentation prop."""
        for prop2d in (self.caption, self.counter, self.blank):
            self.renderer.RemoveViewProp(prop2d)
