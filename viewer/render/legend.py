"""On-image legend for referred-pain heat maps, with the educational-use note.

Drawn as VTK 2D props so exported PNGs and slides carry it too; the spillover swatch is striped
like the skin, so the legend itself reads in greyscale.
"""

from __future__ import annotations

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from viewer.domain.lessons import TEXT_FRACTION
from viewer.domain.referral import DISCLAIMER
from viewer.render.heatmap_painter import ESSENTIAL_RGB, SPILLOVER_RGB

SWATCH_PX = 22
FOOTER_PX = 14
"""Footer (disclaimer) font size at scale 1."""


def _footer_width(text: str) -> float:
    """Estimated width (px at scale 1) of the footer line."""
    return 0.56 * FOOTER_PX * len(text)


def _bold_width(text: str) -> float:
    """Estimated width (px at scale 1) of a bold title line."""
    return 0.62 * 17 * len(text)


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
    """A titled list of colour swatches (plain or striped) in a renderer's lower-left corner.

    With ``min_text_fraction`` the legend grows with the frame before each frame so its
    smallest text (the footer) is at least that share of the frame height, as long as the
    footer still fits the width: a projector at 1080p gets a legend a room can read.
    """

    def __init__(
        self,
        renderer: vtkRenderer,
        title: str,
        rows: list[tuple[str, tuple[float, float, float], bool]],
        footer: str = "",
        scale: float = 1.0,
        min_text_fraction: float = 0.0,
    ) -> None:
        self.renderer = renderer
        self._title, self._rows, self._footer = title, rows, footer
        self.base_scale = scale
        self.scale = scale
        self.min_text_fraction = min_text_fraction
        self._props: list[vtkActor2D] = []
        self._texts: list[vtkTextActor] = []
        self._shown = False
        self._build(scale)
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._fit)

    def _build(self, scale: float) -> None:
        renderer = self.renderer
        for actor in self._props:
            renderer.RemoveViewProp(actor)
        self._props, self._texts = [], []
        self.scale = scale
        s = SWATCH_PX * scale
        x, y = 14 * scale, 14 * scale
        font = round(17 * scale)
        if self._footer:
            self._texts.append(_text(renderer, self._footer, x, y, round(FOOTER_PX * scale)))
            self._props.append(self._texts[-1])
            y += 2.2 * s
        for label, rgb, striped in reversed(self._rows):
            self._props.append(_patch([(x, y, x + s, y + s)], rgb))
            if striped:
                step = max(int(s / 4), 1)
                stripes = [(x + i, y, x + i + s / 8, y + s) for i in range(0, int(s), step)]
                self._props.append(_patch(stripes, (0.25, 0.2, 0.2)))
            self._texts.append(_text(renderer, label, x + s * 1.4, y + s * 0.1, font))
            self._props.append(self._texts[-1])
            y += 1.4 * s
        self._texts.append(_text(renderer, self._title_text(), x, y, font, bold=True))
        self._props.append(self._texts[-1])
        for actor in self._props:
            actor.SetVisibility(self._shown)
            renderer.AddViewProp(actor)

    def _title_text(self) -> str:
        """The title, on two lines after its colon when one line would be wider than the
        footer (a heat map naming three muscles)."""
        if ": " in self._title and _bold_width(self._title) > _footer_width(self._footer):
            return self._title.replace(": ", ":\n", 1)
        return self._title

    def _fit(self, *_args: object) -> None:
        if not self.min_text_fraction or not self._shown:
            return
        width, height = self.renderer.GetSize()
        if width <= 0 or height <= 0:
            return
        wanted = self.min_text_fraction * height / FOOTER_PX
        # The widest line (footer, or a long title in bold) must stay in the frame.
        lines = self._title_text().split("\n")
        widest = max(_footer_width(self._footer), *(_bold_width(t) for t in lines))
        wanted = min(wanted, 0.9 * width / widest)
        wanted = max(self.base_scale, wanted)  # never smaller than the view asked for
        if abs(wanted - self.scale) > 0.02 * self.scale:
            self._build(wanted)

    @property
    def text_px(self) -> int:
        """Size of the legend's smallest text (the footer) in pixels."""
        return round((FOOTER_PX if self._footer else 17) * self.scale)

    def box(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the legend in display pixels (y up), ``None`` when hidden."""
        if not self._shown or not self._texts:
            return None
        x0 = y0 = float("inf")
        x1 = y1 = float("-inf")
        for actor in self._texts:
            bb = [0.0] * 4
            actor.GetBoundingBox(self.renderer, bb)
            px, py = actor.GetPosition()
            x0, x1 = min(x0, px + bb[0]), max(x1, px + bb[1])
            y0, y1 = min(y0, py + bb[2]), max(y1, py + bb[3])
        return (min(x0, 14 * self.scale), min(y0, 14 * self.scale), x1, y1)

    def set_title(self, title: str) -> None:
        """Change the bold first line (e.g. to name the muscle whose map is shown)."""
        if title != self._title:
            self._title = title
            self._build(self.scale)
            self._fit()

    @property
    def title(self) -> str:
        """The legend's bold first line."""
        return self._title

    def set_visible(self, visible: bool) -> None:
        """Show or hide every part of the legend."""
        self._shown = visible
        for actor in self._props:
            actor.SetVisibility(visible)

    @property
    def visible(self) -> bool:
        """Whether the legend is shown."""
        return bool(self._props) and bool(self._props[0].GetVisibility())

    def detach(self) -> None:
        """Remove the legend's props."""
        self.renderer.RemoveObserver(self._tag)
        for actor in self._props:
            self.renderer.RemoveViewProp(actor)
        self._props.clear()
        self._texts.clear()


class HeatLegend(SwatchLegend):
    """Legend of referred-pain heat maps: a title naming the muscles painted (see
    :meth:`set_title`), essential, spillover (striped), and the disclaimer."""

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
            min_text_fraction=TEXT_FRACTION,
        )
