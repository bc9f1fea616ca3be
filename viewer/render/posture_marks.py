"""Dots and short names on the bony points the posture guide lines join (ASIS, PSIS, L1, S1).

Seen from the side without skin, the ASIS-PSIS line and the lumbar curve ran over muscle: a
physiotherapy lecturer could not see what they joined. Each end now carries a dot with a light
ring (readable over red muscle, ivory bone and a black or pale background) and its name in the
guide's colour on a pale box, like the guides' other words. The dots are screen-space discs
placed at world points (a ``vtkActor2D`` whose position refers to a world coordinate), so they
keep their size in pixels and are drawn over the bones, as the lines are. Where the names go is
decided with the guides' other texts (:meth:`PostureGuideOverlay._lay_out_texts`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkFiltersSources import vtkRegularPolygonSource
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkCoordinate,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from viewer.domain.posture_guides import GuideMark
from viewer.domain.posture_words import mark_text

HALO_RGB = (1.0, 1.0, 1.0)
"""The ring around each dot: white, apart from both the guide colours and the muscle reds."""
DOT_SHARE = 0.0075
"""A dot's radius as a share of the picture's height (5 px at 720, at least 4 px)."""
RING_PX = 2.0
"""Width of the light ring around a dot (pixels at 900 px height, scaled like the lines)."""
LABEL_SCALE = 0.85
"""A mark's name is this much smaller than the guides' other words (it only names a point)."""


def _disc(radius: float) -> vtkRegularPolygonSource:
    source = vtkRegularPolygonSource()
    source.SetNumberOfSides(max(12, int(4 * radius)))
    source.SetRadius(radius)
    source.SetCenter(0.0, 0.0, 0.0)
    source.GeneratePolygonOn()
    source.GeneratePolylineOff()
    return source


class _Dot:
    """A filled disc of fixed pixel size with a light ring, centred on a world point."""

    def __init__(self, renderer: vtkRenderer, rgb: tuple[float, float, float]) -> None:
        self.anchor = vtkCoordinate()
        self.anchor.SetCoordinateSystemToWorld()
        self.sources = (_disc(5.0), _disc(3.0))
        self.actors = []
        for source, colour in zip(self.sources, (HALO_RGB, rgb), strict=True):
            mapper = vtkPolyDataMapper2D()
            mapper.SetInputConnection(source.GetOutputPort())
            actor = vtkActor2D()
            actor.SetMapper(mapper)
            position = actor.GetPositionCoordinate()
            position.SetCoordinateSystemToDisplay()
            position.SetReferenceCoordinate(self.anchor)
            position.SetValue(0.0, 0.0)
            actor.GetProperty().SetColor(*colour)
            actor.SetVisibility(False)
            renderer.AddViewProp(actor)
            self.actors.append(actor)
        self.radius = 3.0

    def size(self, radius: float, ring: float) -> None:
        """Dot radius and ring width in pixels."""
        self.radius = radius + ring
        self.sources[0].SetRadius(radius + ring)
        self.sources[0].SetNumberOfSides(max(12, int(4 * (radius + ring))))
        self.sources[1].SetRadius(radius)
        self.sources[1].SetNumberOfSides(max(12, int(4 * radius)))


class GuideMarks:
    """The marks of the current pose's guide lines (see module doc)."""

    def __init__(
        self,
        renderer: vtkRenderer,
        colours: dict[str, tuple[float, float, float]],
        make_text: Callable[[tuple[float, float, float]], vtkTextActor],
    ) -> None:
        self.renderer = renderer
        self._colours = colours
        self._make_text = make_text
        self.marks: tuple[GuideMark, ...] = ()
        self.dots: dict[str, _Dot] = {}
        self.texts: dict[str, vtkTextActor] = {}
        self._sized: tuple[int, int] | None = None
        """(picture height, font size) last sized for; applied to marks made later."""

    def set(self, marks: tuple[GuideMark, ...], plain: bool = False) -> None:
        """The marks of a new pose: their points, their names (everyday words when
        ``plain``: patient mode)."""
        self.marks = marks
        for mark in marks:
            if mark.key not in self.dots:
                rgb = self._colours[mark.line]
                self.dots[mark.key] = _Dot(self.renderer, rgb)
                text = self._make_text(rgb)
                text.GetTextProperty().SetJustificationToLeft()
                text.GetTextProperty().SetVerticalJustificationToBottom()
                self.texts[mark.key] = text
                if self._sized is not None:
                    self.resize(*self._sized)
            self.texts[mark.key].SetInput(mark_text(mark.key, mark.label, plain))
            point = np.asarray(mark.point, dtype=np.float64)
            self.dots[mark.key].anchor.SetValue(*point)
            anchor = self.texts[mark.key].GetPositionCoordinate().GetReferenceCoordinate()
            assert anchor is not None
            anchor.SetValue(*point)

    def show(self, shown: bool) -> None:
        """Show or hide every dot and name."""
        keys = {m.key for m in self.marks}
        for key, dot in self.dots.items():
            for actor in dot.actors:
                actor.SetVisibility(shown and key in keys)
        for key, text in self.texts.items():
            text.SetVisibility(shown and key in keys)

    def resize(self, height: int, font: int) -> None:
        """Dot size and name size for a picture ``height`` pixels high."""
        self._sized = (height, font)
        scale = max(1.0, height / 900.0)
        radius = max(4.0, DOT_SHARE * height)
        for dot in self.dots.values():
            dot.size(radius, RING_PX * scale)
        small = max(11, math.ceil(LABEL_SCALE * font))
        for text in self.texts.values():
            text.GetTextProperty().SetFontSize(small)

    def centre(self, key: str) -> NDArray[np.float64]:
        """A mark's world point."""
        return np.array(self.dots[key].anchor.GetValue(), dtype=np.float64)

    def visible(self) -> list[str]:
        """Keys of the marks drawn now."""
        return [k for k, d in self.dots.items() if d.actors[0].GetVisibility()]

    def detach(self) -> None:
        """Remove the props."""
        for dot in self.dots.values():
            for actor in dot.actors:
                self.renderer.RemoveViewProp(actor)
        for text in self.texts.values():
            self.renderer.RemoveViewProp(text)
