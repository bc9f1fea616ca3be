"""On-image legend for referred-pain heat maps, with the educational-use note.

Drawn as VTK 2D props so exported PNGs and slides carry it too; the spillover swatch is striped
like the skin, so the legend itself reads in greyscale.
"""

from __future__ import annotations

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from viewer.domain.referral import DISCLAIMER
from viewer.render.heatmap_painter import ESSENTIAL_RGB, SPILLOVER_RGB

SWATCH_PX = 22


def _rectangles(rects: list[tuple[float, float, float, float]]) -> vtkPolyData:
    points = vtkPoints()
    cells = vtkCellArray()
    for x0, y0, x1, y1 in rects:
        base = points.GetNumberOfPoints()
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            points.InsertNextPoint(x, y, 0.0)
        cells.InsertNextCell(4)
        for i in range(4):
            cells.InsertCellPoint(base + i)
    poly = vtkPolyData()
    poly.SetPoints(points)
    poly.SetPolys(cells)
    return poly


def _patch(rects: list[tuple[float, float, float, float]], rgb: tuple[float, ...]) -> vtkActor2D:
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(_rectangles(rects))
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    actor.GetProperty().SetColor(*rgb)
    return actor


class HeatLegend:
    """Legend in the lower-left corner: essential, spillover (striped) and the disclaimer."""

    def __init__(self, renderer: vtkRenderer, scale: float = 1.0) -> None:
        self.renderer = renderer
        s = SWATCH_PX * scale
        x, y = 14 * scale, 14 * scale
        font = round(17 * scale)
        self._props: list[vtkActor2D] = []
        note = vtkTextActor()
        note.SetInput(DISCLAIMER)
        note.SetPosition(x, y)
        tp = note.GetTextProperty()
        tp.SetFontSize(round(14 * scale))
        tp.SetColor(0.1, 0.1, 0.1)
        tp.SetBackgroundColor(1, 1, 1)
        tp.SetBackgroundOpacity(0.8)
        self._props.append(note)
        row_y = y + 2.2 * s
        for label, rgb, striped, offset in (
            ("spillover (sometimes)", SPILLOVER_RGB, True, 0.0),
            ("essential (usual)", ESSENTIAL_RGB, False, 1.4 * s),
        ):
            y0 = row_y + offset
            self._props.append(_patch([(x, y0, x + s, y0 + s)], tuple(rgb / 255.0)))
            if striped:
                stripes = [(x + i, y0, x + i + s / 8, y0 + s) for i in range(0, int(s), int(s / 4))]
                self._props.append(_patch(stripes, (0.45, 0.3, 0.25)))
            text = vtkTextActor()
            text.SetInput(label)
            text.SetPosition(x + s * 1.4, y0 + s * 0.1)
            text_prop = text.GetTextProperty()
            text_prop.SetFontSize(font)
            text_prop.SetColor(0.1, 0.1, 0.1)
            text_prop.SetBackgroundColor(1, 1, 1)
            text_prop.SetBackgroundOpacity(0.8)
            self._props.append(text)
        title = vtkTextActor()
        title.SetInput("Referred pain")
        title.SetPosition(x, row_y + 2.8 * s)
        tprop = title.GetTextProperty()
        tprop.SetFontSize(font)
        tprop.BoldOn()
        tprop.SetColor(0.1, 0.1, 0.1)
        tprop.SetBackgroundColor(1, 1, 1)
        tprop.SetBackgroundOpacity(0.8)
        self._props.append(title)
        for actor in self._props:
            actor.SetVisibility(False)
            renderer.AddViewProp(actor)

    def set_visible(self, visible: bool) -> None:
        """Show the legend while a heat map is on the skin."""
        for prop in self._props:
            prop.SetVisibility(visible)

    @property
    def visible(self) -> bool:
        """Whether the legend is shown."""
        return bool(self._props[0].GetVisibility())

    def detach(self) -> None:
        """Remove the legend's props."""
        for prop in self._props:
            self.renderer.RemoveViewProp(prop)
        self._props.clear()
