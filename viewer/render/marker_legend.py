"""The key to the trigger-point X's, drawn in the picture whenever any X is.

A marker nobody explains is a puzzle on a slide: what the X means, and why some are thin or
grey. This key sits in the lower-right corner and names exactly the styles on screen, each with
a sample drawn by the markers' own style (:func:`viewer.render.markers.apply_marker_style`):

* bold **X** -- trigger point (on the surface you see);
* thin, outlined **X** -- deep, behind other structures;
* small grey **x** -- on the far side of the body;
* **×2** (after an X) -- that many trigger points at one spot (a patient read "X×2" as "twice
  as bad");
* magenta square -- where the patient said it hurts (patient mode, while spots are marked).

It follows the marker layer before every frame (after the layer has classified its markers,
before the label layout runs, which keeps labels off it), and its text grows with the frame
(at least :data:`viewer.domain.lessons.TEXT_FRACTION` of its height) so a room can read it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkTextActor

from viewer.domain.lessons import TEXT_FRACTION
from viewer.domain.palette import MARKER_INK
from viewer.domain.structures import hex_to_rgb
from viewer.render.legend import _text
from viewer.render.markers import (
    GHOST_GLYPH,
    MARKER_GLYPH,
    SPOT_RGB,
    MarkerLayer,
    apply_marker_style,
)

ROWS: dict[str, str] = {
    "visible": "trigger point",
    "deep": "deep: behind other structures",
    "far_side": "on the far side of the body",
    "counted": "two trigger points at one spot (\u00d73: three)",
    "spot": "where you said it hurts",
}
"""What each drawn style means, in legend order."""

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in display pixels, y up."""

INK_RGB = hex_to_rgb(MARKER_INK)
COUNT_SAMPLE = "\u00d72"
"""The count row's sample: the multiplier an X carries when it stands for several points."""

ROW_FRACTION = 0.024
"""Row text height as a share of the frame height (above the 2.1 % floor for slides)."""

MIN_ROW_PX = 14
MARGIN_FRACTION = 0.018


class MarkerLegend:
    """Lower-right key to the marker styles currently drawn; hidden when no X is drawn."""

    def __init__(self, renderer: vtkRenderer, layer: MarkerLayer) -> None:
        self.renderer = renderer
        self.layer = layer
        self._props: list[vtkTextActor] = []
        self._key: object = None
        self.styles: tuple[str, ...] = ()
        self.row_px = MIN_ROW_PX
        self.enabled = True
        """False hides the key whatever is drawn (e.g. a picture that explains markers itself)."""
        self.below: Callable[[], tuple[float, float, float, float] | None] | None = None
        """Box of another key in the lower-right corner (the length key); this key stacks above
        it rather than printing over it."""
        self.avoid: Callable[[], Sequence[Box]] | None = None
        """Boxes of another key's lines along the bottom (the heat key, lower left, whose
        disclaimer runs most of the way across); this key rises above those under it (at
        1280x800 its count row was printed over "...see a medical professional")."""
        self._avoid_boxes: tuple[Box, ...] = ()
        self.spot_row: Callable[[], bool] | None = None
        """True while painful spots are drawn and should be explained (patient mode: a
        patient saw magenta squares nobody explained)."""
        self.keep_clear: Callable[[], Any] | None = None
        """Display points (k, 2), y up, the key should not cover (a pair view's muscles), or
        ``None`` to keep the last placement (while the camera moves)."""
        self.corner = "lower_right"
        """Where the key sits: lower right unless that covers :attr:`keep_clear` points and
        another corner (lower left, upper right) does not (pair 1 compare: on the psoas tip)."""
        self.wrapped = False
        """Long meanings on two lines: a narrower key that fits beside the muscles of a
        half-width compare view at the same text size."""
        self._widths: dict[tuple[tuple[str, ...], int, bool], float] = {}
        # After the marker layer (priority 0) has classified, before the labels (-1) lay out.
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._before_frame, -0.5)

    def _before_frame(self, *_args: object) -> None:
        width, height = self.renderer.GetSize()
        styles = self.layer.drawn_styles() if self.enabled else ()
        if styles and self.layer.has_counts():
            styles = (*styles, "counted")
        if self.enabled and self.spot_row is not None and self.spot_row():
            styles = (*styles, "spot")
        other = self.below() if self.below is not None else None
        floor = other[3] if other is not None else 0.0
        boxes = tuple(self.avoid()) if self.avoid is not None and styles else ()
        self._avoid_boxes = tuple(
            (float(round(b[0])), float(round(b[1])), float(round(b[2])), float(round(b[3])))
            for b in boxes
        )
        if styles and width > 0 and height > 0 and self.keep_clear is not None:
            points = self.keep_clear()
            if points is not None:
                self.corner, self.wrapped = self._free_corner(
                    styles, width, height, floor, points
                )
        key = (styles, width, height, floor, self.corner, self.wrapped, self._avoid_boxes)
        if key == self._key:
            return
        self._key = key
        self._build(styles, width, height, floor)

    def _texts(self, styles: tuple[str, ...], wrapped: bool) -> list[str]:
        return [_wrap(ROWS[s]) if wrapped else ROWS[s] for s in styles]

    def _sizes(
        self, styles: tuple[str, ...], height: int, wrapped: bool = False
    ) -> tuple[int, int, float, float, float]:
        """Row text px, glyph px, margin, row step and text width of the key for ``styles``."""
        row = max(MIN_ROW_PX, round(max(ROW_FRACTION, TEXT_FRACTION) * height))
        glyph_px = round(row * 1.25)
        margin = max(8.0, MARGIN_FRACTION * height)
        step = glyph_px * 1.35 + (row * 1.15 if wrapped else 0.0)
        cached = self._widths.get((styles, row, wrapped))
        if cached is None:
            cached = max(_measure(self.renderer, t, row) for t in self._texts(styles, wrapped))
            self._widths[(styles, row, wrapped)] = cached
        return row, glyph_px, margin, step, cached

    def _origin(
        self,
        corner: str,
        styles: tuple[str, ...],
        width: int,
        height: int,
        floor: float,
        wrapped: bool = False,
    ) -> tuple[float, float, float, float]:
        """(x_text, y of the lowest row, x0, y0) of the key placed in ``corner`` (y up)."""
        _row, glyph_px, margin, step, text_w = self._sizes(styles, height, wrapped)
        block_h = glyph_px * 0.55 + step * (len(styles) - 1) + glyph_px * 0.7
        x_text = margin + glyph_px * 1.4 if corner == "lower_left" else width - margin - text_w
        # The length key sits lower right only: only there does this key stack above it.
        base = floor if corner == "lower_right" else 0.0
        if corner != "upper_right":
            base = rise_above(
                self._avoid_boxes, x_text - glyph_px * 1.4, x_text + text_w, base, block_h + margin
            )
        y = base + margin + glyph_px * 0.55
        if corner == "upper_right":
            y = height - margin - block_h + glyph_px * 0.55
        return x_text, y, x_text - glyph_px * 1.4, y - glyph_px * 0.6

    def _free_corner(
        self, styles: tuple[str, ...], width: int, height: int, floor: float, points: Any
    ) -> tuple[str, bool]:
        """The first place (corner, wrapped) whose key box covers none of ``points``, else the
        one covering fewest (lower right on one line wins ties: it is where readers look)."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        best, fewest = ("lower_right", False), None
        for wrapped, corner in (
            (w, c) for w in (False, True) for c in ("lower_right", "lower_left", "upper_right")
        ):  # the first clear one wins
            row, glyph_px, _margin, step, text_w = self._sizes(styles, height, wrapped)
            x_text, y, x0, y0 = self._origin(corner, styles, width, height, floor, wrapped)
            x1 = x_text + text_w
            y1 = y + step * (len(styles) - 1) + glyph_px * 0.7 + (row * 1.15 if wrapped else 0)
            pad = 6.0
            n = int(
                (
                    (pts[:, 0] >= x0 - pad)
                    & (pts[:, 0] <= x1 + pad)
                    & (pts[:, 1] >= y0 - pad)
                    & (pts[:, 1] <= y1 + pad)
                ).sum()
            )
            if fewest is None or n < fewest:
                best, fewest = (corner, wrapped), n
            if n == 0:
                break
        return best

    def _build(self, styles: tuple[str, ...], width: int, height: int, floor: float = 0.0) -> None:
        for prop in self._props:
            self.renderer.RemoveViewProp(prop)
        self._props = []
        self.styles = styles
        if not styles or width <= 0 or height <= 0:
            return
        wrapped = self.wrapped
        row, glyph_px, _margin, step, _text_w = self._sizes(styles, height, wrapped)
        self.row_px = row
        texts = self._texts(styles, wrapped)
        # One block: every row's text starts at one x, as wide as the longest needs.
        x_text, y, _x0, _y0 = self._origin(self.corner, styles, width, height, floor, wrapped)
        x_glyph = x_text - glyph_px * 0.75
        for style, text in reversed(list(zip(styles, texts, strict=True))):
            sample = vtkTextActor()
            glyph = {"far_side": GHOST_GLYPH, "counted": COUNT_SAMPLE}.get(style, MARKER_GLYPH)
            sample.SetInput(glyph)
            look = sample.GetTextProperty()
            # The far-side sample is as large as the glyph: at slide size that is the size of the
            # ghost x on the body (a 70 % sample was a speck beside the x's it explains).
            look.SetFontSize(round(glyph_px * (0.7 if style == "counted" else 1.0)))
            look.SetJustificationToCentered()
            look.SetVerticalJustificationToCentered()
            if style == "spot":  # as the spots are drawn: a filled square, white frame
                sample.SetInput("o")
                look.SetFontSize(round(glyph_px * 0.7))
                look.SetColor(*SPOT_RGB)
                look.SetBackgroundColor(*SPOT_RGB)
                look.SetBackgroundOpacity(1.0)
                look.SetFrame(True)
                look.SetFrameColor(1.0, 1.0, 1.0)
                look.SetFrameWidth(2)
            else:
                apply_marker_style(look, "visible" if style == "counted" else style, INK_RGB)
            sample.SetPosition(x_glyph, y)
            label = _text(self.renderer, text, x_text, y, row)
            label.GetTextProperty().SetVerticalJustificationToCentered()
            self._props += [sample, label]
            y += step
        for prop in self._props:
            self.renderer.AddViewProp(prop)

    @property
    def visible(self) -> bool:
        """True while the key is drawn."""
        return bool(self._props)

    def texts(self) -> tuple[str, ...]:
        """The meanings shown, top to bottom (tests)."""
        return tuple(ROWS[s] for s in self.styles)

    def box(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the key in display pixels (y up), ``None`` when hidden."""
        if not self._props:
            return None
        x0 = y0 = float("inf")
        x1 = y1 = float("-inf")
        for actor in self._props:
            bb = [0.0] * 4
            actor.GetBoundingBox(self.renderer, bb)  # relative to the actor's position
            px, py = actor.GetPosition()
            x0, x1 = min(x0, px + bb[0]), max(x1, px + bb[1])
            y0, y1 = min(y0, py + bb[2]), max(y1, py + bb[3])
        return (x0, y0, x1, y1)

    def detach(self) -> None:
        """Remove the key and stop following frames."""
        self.renderer.RemoveObserver(self._tag)
        for prop in self._props:
            self.renderer.RemoveViewProp(prop)
        self._props = []


def rise_above(
    boxes: Sequence[Box], x0: float, x1: float, floor: float, height: float, gap: float = 10.0
) -> float:
    """The lowest floor, not below ``floor``, at which a block ``height`` tall spanning
    ``x0..x1`` clears every box (x0, y0, x1, y1; y up) it would overlap across: boxes are
    taken bottom up, so it climbs over a footer, then over a subtitle if that is wide too."""
    for bx0, by0, bx1, by1 in sorted(boxes, key=lambda b: b[1]):
        across = bx0 < x1 + gap and bx1 > x0 - gap
        if across and by0 < floor + height + gap and by1 + gap > floor:
            floor = by1 + gap
    return floor


def _wrap(text: str) -> str:
    """A long meaning on two balanced lines ("deep: behind other" / "structures")."""
    if len(text) <= 16:
        return text
    return "\n".join(textwrap.wrap(text, len(text) // 2 + 4))


def _measure(renderer: vtkRenderer, text: str, size: int) -> float:
    """Rendered width of ``text`` at ``size`` pixels (an estimate before a window exists)."""
    probe = _text(renderer, text, 0, 0, size)
    bb = [0.0] * 4
    try:
        probe.GetBoundingBox(renderer, bb)
    except TypeError:  # pragma: no cover - older VTK signatures
        bb = [0.0] * 4
    width = bb[1] - bb[0]
    return float(width) if width > 0 else 0.56 * size * len(text)


def topmost(*sources: Callable[[], Box | None]) -> Callable[[], Box | None]:
    """Of the boxes the ``sources`` give (display pixels, y up), the one reaching highest: the
    marker key sits above all of them (the posture key and the thigh sketch share its corner)."""

    def highest() -> Box | None:
        boxes = [b for b in (source() for source in sources) if b is not None]
        return max(boxes, key=lambda b: b[3]) if boxes else None

    return highest
