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


def _text(
    renderer: vtkRenderer, text: str, x: float, y: float, size: int, bold: bool = False
) -> vtkTextActor:
    actor = vtkTextActor()
    actor.SetInput(text)
    actor.SetPosition(x, y)
    prop = actor.GetTextProperty()
    prop.SetFontSize(size)
    prop.SetBold(bold)
    prop.SetColor(0.1, 0.1, 0.1)
    prop.SetBackgroundColor(1, 1, 1)
    prop.SetBackgroundOpacity(0.8)
    return actor


class SwatchLegend:
    """A titled list of colour swatches (plain or striped) in a renderer's lower-left corner."""

    def __init__(
        self,
        renderer: vtkRenderer,
        title: str,
        rows: list[tuple[str, tuple[float, float, float], bool]],
        footer: str = "",
        scale: float = 1.0,
    ) -> None:
        self.renderer = renderer
        s = SWATCH_PX * scale
        x, y = 14 * scale, 14 * scale
        font = round(17 * scale)
        self._props: list[vtkActor2D] = []
        if footer:
            self._props.append(_text(renderer, footer, x, y, round(14 * scale)))
            y += 2.2 * s
        for label, rgb, striped in reversed(rows):
            self._props.append(_patch([(x, y, x + s, y + s)], rgb))
            if striped:
                step = max(int(s / 4), 1)
                stripes = [(x + i, y, x + i + s / 8, y + s) for i in range(0, int(s), step)]
                self._props.append(_patch(stripes, (0.25, 0.2, 0.2)))
            self._props.append(_text(renderer, label, x + s * 1.4, y + s * 0.1, font))
            y += 1.4 * s
        self._props.append(_text(renderer, title, x, y, font, bold=True))
        for actor in self._props:
            actor.SetVisibility(False)
            renderer.AddViewProp(actor)

    def set_visible(self, visible: bool) -> None:
        """Show or hide every part of the legend."""
        for actor in self._props:
            actor.SetVisibility(visible)

    @property
    def visible(self) -> bool:
        """Whether the legend is shown."""
        return bool(self._props) and bool(self._props[0].GetVisibility())

    def detach(self) -> None:
        """Remove the legend's props."""
        for actor in self._props:
            self.renderer.RemoveViewProp(actor)
        self._props.clear()


class HeatLegend(SwatchLegend):
    """Legend of referred-pain heat maps: essential, spillover (striped), and the disclaimer."""

    def __init__(self, renderer: vtkRenderer, scale: float = 1.0) -> None:
        super().__init__(
            renderer,
            "Referred pain",
            [
                ("essential (usual)", tuple(ESSENTIAL_RGB / 255.0), False),
                ("spillover (sometimes)", tuple(SPILLOVER_RGB / 255.0), True),
            ],
            footer=DISCLAIMER,
            scale=scale,
        )
