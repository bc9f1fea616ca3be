"""On-screen presentation elements: caption, step counter and blank screen, sized for projectors.

Drawn as VTK 2D props in the 3D view, so what the room sees is what an exported slide shows.
Text sizes follow the frame: before every frame the caption is set to 3.6 % of the frame height
and wrapped to at most two balanced lines so it always fits the width (from 1280×720 up), and
the step counter to just over 2 %.
"""

from __future__ import annotations

import math

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkCoordinate,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from viewer.domain.lessons import CAPTION_FRACTION, TEXT_FRACTION, caption_lines

CAPTION_WIDTH = 0.94
"""Share of the frame width a caption line may use."""

BAND_MARGIN = 0.012
"""The title band reaches this share of the frame height below the caption's box."""


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


def _full_viewport_black(bottom: float = 0.0) -> vtkActor2D:
    """A black rectangle over the viewport from ``bottom`` (a share of its height) to the top."""
    points = vtkPoints()
    for x, y in ((0, bottom), (1, bottom), (1, 1), (0, 1)):
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


class CaptionBar:
    """A caption centred along the top edge, sized and wrapped to the frame before each frame.

    ``dark`` draws white text on a dark band (projector), otherwise dark text on a pale band.
    """

    def __init__(self, renderer: vtkRenderer, dark: bool = True) -> None:
        self.renderer = renderer
        self.text = ""
        self.lines: tuple[str, ...] = ()
        self.actor = vtkTextActor()
        prop = self.actor.GetTextProperty()
        prop.SetBold(True)
        prop.SetJustificationToCentered()
        prop.SetVerticalJustificationToTop()
        if dark:
            prop.SetColor(1.0, 1.0, 1.0)
            prop.SetBackgroundColor(0.0, 0.0, 0.0)
            prop.SetBackgroundOpacity(0.6)
        else:
            prop.SetColor(0.08, 0.08, 0.08)
            prop.SetBackgroundColor(1.0, 1.0, 1.0)
            prop.SetBackgroundOpacity(0.85)
        self.actor.SetVisibility(False)
        self.band = _full_viewport_black(1.0)
        """The title band: the background colour across the frame's width, down to just below
        the caption (see :meth:`_fit_band`)."""
        self.band.SetVisibility(False)
        renderer.AddViewProp(self.band)  # before the caption: drawn under it
        renderer.AddViewProp(self.actor)
        self._fitted: object = None
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._fit)

    @property
    def font_px(self) -> int:
        """Current font size in pixels."""
        return int(self.actor.GetTextProperty().GetFontSize())

    def set_text(self, text: str) -> None:
        """Show ``text`` (empty hides the caption)."""
        self.text = text
        self._fitted = None
        self.actor.SetVisibility(bool(text))
        self.band.SetVisibility(bool(text))

    def set_visible(self, visible: bool) -> None:
        """Show or hide (an empty caption stays hidden)."""
        self.actor.SetVisibility(visible and bool(self.text))
        self.band.SetVisibility(self.actor.GetVisibility())

    def _width(self) -> float:
        bb = [0.0] * 4
        self.actor.GetBoundingBox(self.renderer, bb)
        return bb[1] - bb[0]

    def fit(self) -> None:
        """Size and wrap the caption for the current frame (also done before every frame)."""
        self._fit()

    def _fit(self, *_args: object) -> None:
        width, height = self.renderer.GetSize()
        key = (width, height, self.text)
        if key == self._fitted or width <= 0 or height <= 0 or not self.text:
            return
        prop = self.actor.GetTextProperty()
        font = max(10, math.ceil(CAPTION_FRACTION * height))
        prop.SetFontSize(font)
        limit = CAPTION_WIDTH * width
        self.lines = caption_lines(self.text, True)
        self.actor.SetInput("\n".join(self.lines))
        if self._width() > limit:
            self.lines = caption_lines(self.text, False)
            self.actor.SetInput("\n".join(self.lines))
        while self._width() > limit and font > 8:  # only below 1280 px wide or for odd texts
            font -= 1
            prop.SetFontSize(font)
        self.actor.SetPosition(width / 2.0, height - max(6.0, 0.02 * height))
        self._fitted = key
        self._fit_band(height)

    def _fit_band(self, height: int) -> None:
        """Lay the title band under the caption: opaque, in the background's top colour, from
        just below the caption's box to the top edge, across the whole width.

        A slide framed on part of a long muscle (lesson 6 on the hip, the psoas running on up
        to T12) showed the cropped muscle through the caption's translucent box and either
        side of it; under the band the picture ends at a straight line below the title, as a
        slide's picture does. Where nothing reaches the caption the band is not seen (it has
        the background's colour)."""
        renderer = self.renderer
        top = renderer.GetBackground2() if renderer.GetGradientBackground() else None
        self.band.GetProperty().SetColor(*(top or renderer.GetBackground()))
        bb = [0.0] * 4
        self.actor.GetBoundingBox(renderer, bb)
        bottom = self.actor.GetPosition()[1] + bb[2] - BAND_MARGIN * height
        mapper = self.band.GetMapper()
        assert isinstance(mapper, vtkPolyDataMapper2D)
        points = mapper.GetInput().GetPoints()
        share = min(1.0, max(0.0, bottom / height))
        for i, (x, y) in enumerate(((0, share), (1, share), (1, 1), (0, 1))):
            points.SetPoint(i, x, y, 0)
        points.Modified()

    def box(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the drawn caption in display pixels (y up), after fitting;
        ``None`` while hidden."""
        self._fit()
        if not self.actor.GetVisibility():
            return None
        bb = [0.0] * 4
        self.actor.GetBoundingBox(self.renderer, bb)  # relative to the actor's position
        x, y = self.actor.GetPosition()
        return (x + bb[0], y + bb[2], x + bb[1], y + bb[3])

    def detach(self) -> None:
        """Remove the caption."""
        self.renderer.RemoveObserver(self._tag)
        self.renderer.RemoveViewProp(self.actor)
        self.renderer.RemoveViewProp(self.band)


class PresentationOverlay:
    """Caption along the top, step counter bottom right, and a black screen for B."""

    def __init__(self, renderer: vtkRenderer, scale: float = 1.0) -> None:
        self.renderer = renderer
        self.caption = CaptionBar(renderer, dark=True)
        self.counter = _text(round(22 * scale), (0.85, 0.85, 0.85))
        counter_prop = self.counter.GetTextProperty()
        counter_prop.SetJustificationToRight()
        counter_prop.SetBold(False)
        self.counter.SetPosition(0.985, 0.02)
        self.blank = _full_viewport_black()
        self.blank.SetVisibility(False)
        for prop2d in (self.counter, self.blank):
            renderer.AddViewProp(prop2d)
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._fit_counter)

    @property
    def caption_text(self) -> str:
        """The caption as written in the lesson (unwrapped)."""
        return self.caption.text

    def _fit_counter(self, *_args: object) -> None:
        height = self.renderer.GetSize()[1]
        if height > 0:
            self.counter.GetTextProperty().SetFontSize(max(12, math.ceil(TEXT_FRACTION * height)))

    def counter_box(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the step counter in display pixels (y up), ``None`` if hidden."""
        if not self.counter.GetVisibility() or not self.counter.GetInput():
            return None
        self._fit_counter()
        bb = [0.0] * 4
        self.counter.GetBoundingBox(self.renderer, bb)
        x, y = self.counter.GetActualPositionCoordinate().GetComputedDisplayValue(self.renderer)
        return (x + bb[0], y + bb[2], x + bb[1], y + bb[3])

    def show(self, caption: str, counter: str) -> None:
        """Set the caption (may be empty) and the step counter text."""
        self.caption.set_text(caption)
        self.counter.SetInput(counter)

    def set_blank(self, blank: bool) -> None:
        """Black out the view (B key) without leaving the lesson."""
        self.blank.SetVisibility(blank)
        self.caption.set_visible(not blank)
        self.counter.SetVisibility(not blank)

    @property
    def blanked(self) -> bool:
        """True while the screen is blacked out."""
        return bool(self.blank.GetVisibility())

    def detach(self) -> None:
        """Remove every presentation prop."""
        self.renderer.RemoveObserver(self._tag)
        self.caption.detach()
        for prop2d in (self.counter, self.blank):
            self.renderer.RemoveViewProp(prop2d)
