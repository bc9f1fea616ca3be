"""The key to the trigger-point X's, drawn in the picture whenever any X is.

A marker nobody explains is a puzzle on a slide: what the X means, and why some are thin or
grey. This key sits in the lower-right corner and names exactly the styles on screen, each with
a sample drawn by the markers' own style (:func:`viewer.render.markers.apply_marker_style`):

* bold **X** -- trigger point (on the surface you see);
* thin, outlined **X** -- deep, behind other structures;
* small grey **x** -- on the far side of the body.

It follows the marker layer before every frame (after the layer has classified its markers,
before the label layout runs, which keeps labels off it), and its text grows with the frame
(at least :data:`viewer.domain.lessons.TEXT_FRACTION` of its height) so a room can read it.
"""

from __future__ import annotations

from collections.abc import Callable

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkTextActor

from viewer.domain.lessons import TEXT_FRACTION
from viewer.domain.palette import MARKER_INK
from viewer.domain.structures import hex_to_rgb
from viewer.render.legend import _text
from viewer.render.markers import GHOST_GLYPH, MARKER_GLYPH, MarkerLayer, apply_marker_style

ROWS: dict[str, str] = {
    "visible": "trigger point",
    "deep": "deep: behind other structures",
    "far_side": "on the far side of the body",
}
"""What each drawn style means, in legend order."""

INK_RGB = hex_to_rgb(MARKER_INK)

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
        # After the marker layer (priority 0) has classified, before the labels (-1) lay out.
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._before_frame, -0.5)

    def _before_frame(self, *_args: object) -> None:
        width, height = self.renderer.GetSize()
        styles = self.layer.drawn_styles() if self.enabled else ()
        other = self.below() if self.below is not None else None
        floor = other[3] if other is not None else 0.0
        key = (styles, width, height, floor)
        if key == self._key:
            return
        self._key = key
        self._build(styles, width, height, floor)

    def _build(self, styles: tuple[str, ...], width: int, height: int, floor: float = 0.0) -> None:
        for prop in self._props:
            self.renderer.RemoveViewProp(prop)
        self._props = []
        self.styles = styles
        if not styles or width <= 0 or height <= 0:
            return
        row = max(MIN_ROW_PX, round(max(ROW_FRACTION, TEXT_FRACTION) * height))
        self.row_px = row
        glyph_px = round(row * 1.25)
        margin = max(8.0, MARGIN_FRACTION * height)
        step = glyph_px * 1.35
        texts = [ROWS[s] for s in styles]
        # Right-aligned block: every row's text starts at one x, as wide as the longest needs.
        text_w = max(_measure(self.renderer, t, row) for t in texts)
        x_text = width - margin - text_w
        x_glyph = x_text - glyph_px * 0.75
        y = floor + margin + glyph_px * 0.55
        for style, text in reversed(list(zip(styles, texts, strict=True))):
            sample = vtkTextActor()
            sample.SetInput(GHOST_GLYPH if style == "far_side" else MARKER_GLYPH)
            look = sample.GetTextProperty()
            look.SetFontSize(round(glyph_px * (0.7 if style == "far_side" else 1.0)))
            look.SetJustificationToCentered()
            look.SetVerticalJustificationToCentered()
            apply_marker_style(look, style, INK_RGB)
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
