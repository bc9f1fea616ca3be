"""Places the posture guides' words on the picture, clear of the guide lines and of each other.

The texts are ``vtkTextActor`` s placed at a world anchor plus an offset in pixels (see
:meth:`viewer.render.posture_guides.PostureGuideOverlay._text`). Before a frame whose camera,
size or texts changed, each text's box is measured at its anchor and a few offsets are tried
(:mod:`viewer.domain.guide_layout`); the cheapest is kept. Lesson step 7 printed "L4-S1 loaded
at the back (facet joints)" across the ASIS-PSIS line; the marks' short names (ASIS, PSIS, L1,
S1) must sit beside their dots without covering a line or a text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkRenderingCore import vtkCoordinate, vtkRenderer, vtkTextActor

from viewer.domain.guide_layout import (
    Box,
    Point,
    Segment,
    beside_candidates,
    best_box,
    fit_in_frame,
    mark_candidates,
    text_candidates,
)

PAD_SHARE = 0.008
"""Room kept between a text's box and a line or another box, as a share of the picture's
height (6 px at 720): a line's half width and a clear gap. At 3 px from the dashed horizontal,
lesson step 7's "L4-S1 loaded" still read as sitting on the tilt lines."""
PAD_MIN_PX = 4.0


@dataclass
class MarkLabel:
    """A mark's name: its text, the dot's radius in pixels, its first side (+1 screen right)."""

    text: vtkTextActor
    radius: float
    outward: float


def project(renderer: vtkRenderer, point: NDArray[np.float64]) -> tuple[float, float]:
    """Display pixels (x, y up) of a world point."""
    renderer.SetWorldPoint(float(point[0]), float(point[1]), float(point[2]), 1.0)
    renderer.WorldToDisplay()
    x, y, _z = renderer.GetDisplayPoint()
    return float(x), float(y)


def screen_lines(
    renderer: vtkRenderer,
    lines: Sequence[Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]]],
) -> list[list[Segment]]:
    """Each world line (a list of segments) in display pixels."""
    return [[(project(renderer, a), project(renderer, b)) for a, b in line] for line in lines]


def _anchor(text: vtkTextActor) -> vtkCoordinate:
    anchor = text.GetPositionCoordinate().GetReferenceCoordinate()
    assert anchor is not None, "guide texts are placed at a world anchor"
    return anchor


def _measure(renderer: vtkRenderer, text: vtkTextActor) -> tuple[float, float, Box]:
    """The anchor's display point and the text's box about it (offset reset to 0)."""
    text.GetPositionCoordinate().SetValue(0.0, 0.0)
    bbox = [0.0, 0.0, 0.0, 0.0]
    text.GetBoundingBox(renderer, bbox)  # about the text's position, pixels, y up
    ax, ay = _anchor(text).GetComputedDisplayValue(renderer)
    return float(ax), float(ay), (bbox[0], bbox[2], bbox[1], bbox[3])


def _shown(text: vtkTextActor) -> bool:
    return bool(text.GetVisibility() and text.GetInput())


def lay_out(
    renderer: vtkRenderer,
    fixed: Sequence[vtkTextActor],
    marks: Sequence[MarkLabel],
    texts: Sequence[vtkTextActor],
    lines: Sequence[Sequence[Segment]],
    soft_lines: Sequence[Sequence[Segment]],
    taken: Sequence[Box],
    margin: float,
) -> list[Box]:
    """Place the shown texts and return their boxes (display pixels, y up).

    ``fixed`` texts only slide into the picture (the thigh angle beside its line); then each
    mark's name takes the cheapest place around its dot, then each of ``texts`` the cheapest
    of its :func:`~viewer.domain.guide_layout.text_candidates`, each avoiding ``lines``
    (``soft_lines`` less so), the boxes in ``taken`` (other keys, the dots) and those placed
    before it.
    """
    width, height = renderer.GetSize()
    frame: Box = (margin, margin, width - margin, height - margin)
    pad = max(PAD_MIN_PX, PAD_SHARE * height)
    placed: list[Box] = list(taken)
    out: list[Box] = []

    def put(text: vtkTextActor, ax: float, ay: float, rel: Box, box: Box) -> None:
        text.GetPositionCoordinate().SetValue(box[0] - (ax + rel[0]), box[1] - (ay + rel[1]))
        placed.append(box)
        out.append(box)

    for text in fixed:
        if not _shown(text):
            continue
        ax, ay, rel = _measure(renderer, text)
        box = fit_in_frame((ax + rel[0], ay + rel[1], ax + rel[2], ay + rel[3]), frame)
        put(text, ax, ay, rel, box)
    for mark in marks:
        if not _shown(mark.text):
            continue
        ax, ay, rel = _measure(renderer, mark.text)
        w, h = rel[2] - rel[0], rel[3] - rel[1]
        boxes = [
            fit_in_frame((ax + x, ay + y, ax + x + w, ay + y + h), frame)
            for x, y in mark_candidates((w, h), mark.radius, mark.outward, pad)
        ]
        best = best_box(boxes, lines, soft_lines, placed, frame, pad)
        put(mark.text, ax, ay, rel, boxes[best])
    for text in texts:
        if not _shown(text):
            continue
        ax, ay, rel = _measure(renderer, text)
        step = rel[3] - rel[1] + pad
        boxes = [
            fit_in_frame(
                (ax + rel[0] + dx, ay + rel[1] + dy, ax + rel[2] + dx, ay + rel[3] + dy), frame
            )
            for dx, dy in text_candidates(rel, step)
        ]
        best = best_box(boxes, lines, soft_lines, placed, frame, pad)
        put(text, ax, ay, rel, boxes[best])
    return out


def lay_out_beside(
    renderer: vtkRenderer,
    text: vtkTextActor,
    ends: Sequence[tuple[float, float, float]],
    above: bool,
    lines: Sequence[Sequence[Segment]],
    soft_lines: Sequence[Sequence[Segment]],
    taken: Sequence[Box],
    margin: float,
    points: Sequence[Point],
) -> Box | None:
    """Place a line's words beside one of its ``ends`` (display pixels, y up, with the side
    the words go: see :func:`~viewer.domain.guide_layout.beside_candidates`), on the
    ``above`` side first, clear of the lines, the ``taken`` boxes and the drawn anatomy
    (``points``) where it can; returns the box, ``None`` when the text is not shown."""
    if not _shown(text):
        return None
    width, height = renderer.GetSize()
    frame: Box = (margin, margin, width - margin, height - margin)
    pad = max(PAD_MIN_PX, PAD_SHARE * height)
    ax, ay, rel = _measure(renderer, text)
    size = (rel[2] - rel[0], rel[3] - rel[1])
    boxes = [
        fit_in_frame(b, frame) for b in beside_candidates(size, ends, points, pad, above)
    ]
    box = boxes[best_box(boxes, lines, soft_lines, taken, frame, pad, points)]
    text.GetPositionCoordinate().SetValue(box[0] - (ax + rel[0]), box[1] - (ay + rel[1]))
    return box
