"""A small side-view sketch of a one-sided pose's bent thigh, in a corner of the picture.

Seen from in front and to one side (lesson 11) or from behind (lesson 8), a thigh bent forward
shows as a thigh swung out to the side: a lecturer read lesson 11's thigh line as abduction.
Only a side view shows hip flexion as what it is, so the picture carries one, drawn flat in
display pixels: the thigh's standing line (dashed, vertical), the bent line turned forward by
the pose's thigh angle, the front marked, and the angle in words ("hip flexion").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from viewer.render.dashes import dashed

INSET_SHARE = 0.3
"""Height of the sketch as a share of the picture's height."""
INSET_MARGIN = 0.02
"""Gap between the sketch and the picture's edges, as a share of its height."""
PANEL_RGB = (0.93, 0.93, 0.90)
INK_RGB = (0.12, 0.12, 0.16)
LINE_SHARE = 0.45
"""Length of the thigh lines as a share of the sketch's height."""

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class InsetLines:
    """The sketch's lines in display pixels (y up): hip point, standing knee, bent knee."""

    hip: NDArray[np.float64]
    standing: NDArray[np.float64]
    bent: NDArray[np.float64]


def inset_lines(box: Box, angle_deg: float, front_right: bool) -> InsetLines:
    """Where the sketch's thigh lines go inside ``box`` (x0, y0, x1, y1, display pixels, y
    up): from a hip near the top, the standing line straight down and the bent one turned
    ``angle_deg`` toward the front (screen right when ``front_right``)."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    length = LINE_SHARE * h
    hip = np.array([x0 + 0.42 * (x1 - x0), y1 - 0.3 * h])
    a = math.radians(angle_deg)
    sense = 1.0 if front_right else -1.0
    standing = hip + np.array([0.0, -length])
    bent = hip + length * np.array([sense * math.sin(a), -math.cos(a)])
    return InsetLines(hip, standing, bent)


def _poly(segments: list[tuple[NDArray[np.float64], NDArray[np.float64]]]) -> vtkPolyData:
    points = vtkPoints()
    lines = vtkCellArray()
    for a, b in segments:
        i = points.InsertNextPoint(float(a[0]), float(a[1]), 0.0)
        j = points.InsertNextPoint(float(b[0]), float(b[1]), 0.0)
        lines.InsertNextCell(2)
        lines.InsertCellPoint(i)
        lines.InsertCellPoint(j)
    poly = vtkPolyData()
    poly.SetPoints(points)
    poly.SetLines(lines)
    return poly


class ThighInset:
    """The sketch's props in ``renderer`` (hidden until :meth:`show`)."""

    def __init__(self, renderer: vtkRenderer) -> None:
        self.renderer = renderer
        self.box: Box | None = None
        """The sketch's box as drawn (display pixels, y up), or ``None`` while hidden."""
        self.lines: InsetLines | None = None
        self._mappers: dict[int, vtkPolyDataMapper2D] = {}
        self._panel = self._actor(PANEL_RGB, 1.0, 0.92)
        self._standing = self._actor(INK_RGB, 2.0)
        self._bent = self._actor(INK_RGB, 5.0)
        self._body = self._actor(INK_RGB, 3.0)
        self._title = self._text(bold=True)
        self._words = self._text(bold=False)
        self._front = self._text(bold=True)
        self._key: object = None

    def _actor(
        self, rgb: tuple[float, float, float], width: float, opacity: float = 1.0
    ) -> vtkActor2D:
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(vtkPolyData())
        actor = vtkActor2D()
        actor.SetMapper(mapper)
        self._mappers[id(actor)] = mapper
        prop = actor.GetProperty()
        prop.SetColor(*rgb)
        prop.SetLineWidth(width)
        prop.SetOpacity(opacity)
        actor.SetVisibility(False)
        self.renderer.AddViewProp(actor)
        return actor

    def _text(self, bold: bool) -> vtkTextActor:
        actor = vtkTextActor()
        prop = actor.GetTextProperty()
        prop.SetColor(*INK_RGB)
        prop.SetBold(bold)
        prop.SetFontFamilyToArial()
        actor.GetPositionCoordinate().SetCoordinateSystemToDisplay()
        actor.SetVisibility(False)
        self.renderer.AddViewProp(actor)
        return actor

    def hide(self) -> None:
        """Hide the sketch."""
        for actor in (self._panel, self._standing, self._bent, self._body):
            actor.SetVisibility(False)
        for text in (self._title, self._words, self._front):
            text.SetVisibility(False)
        self.box, self.lines, self._key = None, None, None

    def show(self, side: str, angle_deg: float, other_deg: float, front_right: bool) -> None:
        """Draw the sketch of ``side``'s thigh bent ``angle_deg`` forward (the other thigh
        ``other_deg``) in the lower right corner, the front toward screen right when
        ``front_right`` (seen from the right side) or left."""
        width, height = self.renderer.GetSize()
        key = (side, round(angle_deg, 1), round(other_deg, 1), front_right, width, height)
        if key == self._key or width <= 0 or height <= 0:
            return
        self._key = key
        h = INSET_SHARE * height
        w = 1.15 * h
        m = INSET_MARGIN * height
        box = (width - m - w, m, width - m, m + h)
        x0, y0, x1, y1 = box
        self.box = box
        lines = inset_lines(box, angle_deg, front_right)
        self.lines = lines
        corners = [
            (np.array([x0, y0]), np.array([x1, y0])),
            (np.array([x1, y0]), np.array([x1, y1])),
            (np.array([x1, y1]), np.array([x0, y1])),
            (np.array([x0, y1]), np.array([x0, y0])),
        ]
        panel = vtkPolyData()
        points = vtkPoints()
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            points.InsertNextPoint(x, y, 0.0)
        polys = vtkCellArray()
        polys.InsertNextCell(4)
        for i in range(4):
            polys.InsertCellPoint(i)
        panel.SetPoints(points)
        panel.SetPolys(polys)
        panel.SetLines(_poly(corners).GetLines())
        self._mappers[id(self._panel)].SetInputData(panel)
        scale = max(1.0, height / 900.0)
        dash = 0.05 * h
        self._mappers[id(self._standing)].SetInputData(
            _poly(dashed(lines.hip, lines.standing, dash, 0.6 * dash))
        )
        self._mappers[id(self._bent)].SetInputData(_poly([(lines.hip, lines.bent)]))
        # The hip as a small ring and the trunk standing on it: a body, not two strokes.
        r = 0.035 * h
        t = np.linspace(0.0, 2.0 * np.pi, 17)
        ring = lines.hip + r * np.column_stack([np.cos(t), np.sin(t)])
        trunk = (lines.hip + np.array([0.0, r]), lines.hip + np.array([0.0, 0.16 * h]))
        self._mappers[id(self._body)].SetInputData(
            _poly([*((ring[i], ring[i + 1]) for i in range(16)), trunk])
        )
        self._body.GetProperty().SetLineWidth(3.0 * scale)
        self._standing.GetProperty().SetLineWidth(2.0 * scale)
        self._bent.GetProperty().SetLineWidth(5.0 * scale)
        font = max(11, round(0.075 * h))
        view = "right" if front_right else "left"
        self._title.SetInput(f"{side} thigh, seen from the {view}")
        self._title.GetTextProperty().SetFontSize(font)
        self._title.GetTextProperty().SetJustificationToCentered()
        self._title.GetPositionCoordinate().SetValue(0.5 * (x0 + x1), y1 - 1.25 * font)
        other = "left" if side == "right" else "right"
        self._words.SetInput(
            f"{angle_deg:.0f}\u00b0 forward: hip flexion\n"
            f"(dashed: standing; {other} {other_deg:.0f}\u00b0)"
        )
        self._words.GetTextProperty().SetFontSize(max(10, round(0.85 * font)))
        self._words.GetTextProperty().SetJustificationToCentered()
        self._words.GetPositionCoordinate().SetValue(0.5 * (x0 + x1), y0 + 0.25 * font)
        arrow = "front >" if front_right else "< front"
        self._front.SetInput(arrow)
        self._front.GetTextProperty().SetFontSize(font)
        if front_right:
            self._front.GetTextProperty().SetJustificationToRight()
            self._front.GetPositionCoordinate().SetValue(x1 - 0.3 * font, lines.hip[1] - font)
        else:
            self._front.GetTextProperty().SetJustificationToLeft()
            self._front.GetPositionCoordinate().SetValue(x0 + 0.3 * font, lines.hip[1] - font)
        for actor in (self._panel, self._standing, self._bent, self._body):
            actor.SetVisibility(True)
        for text in (self._title, self._words, self._front):
            text.SetVisibility(True)

    def screen_box(self) -> Box | None:
        """The sketch's box with y down (x0, y0, x1, y1), for the labels to keep off."""
        if self.box is None:
            return None
        height = self.renderer.GetSize()[1]
        x0, y0, x1, y1 = self.box
        return (x0, height - y1, x1, height - y0)
