"""Trigger-point X markers: constant on-screen size at any zoom, drawn over the anatomy.

Markers live in an overlay renderer (layer 1) that shares the main camera, so an X stays visible
even when its muscle is behind bone or skin; a dark outline keeps it legible on any colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkRenderingCore import vtkBillboardTextActor3D, vtkRenderer

MARKER_GLYPH = "X"
"""The classic trigger-point chart mark (VTK's bundled font has no ✕ glyph)."""


@dataclass(frozen=True)
class Marker:
    """One marker: id, atlas position (mm), colour (r, g, b in [0, 1]), on-screen size (px)."""

    id: str
    position: tuple[float, float, float]
    rgb: tuple[float, float, float]
    size_px: int = 30


class MarkerLayer:
    """Owns the overlay renderer and one billboard actor per marker."""

    def __init__(self, main: vtkRenderer) -> None:
        self.main = main
        self.overlay = vtkRenderer()
        self.overlay.SetLayer(1)
        self.overlay.InteractiveOff()
        self.overlay.SetActiveCamera(main.GetActiveCamera())
        window = main.GetRenderWindow()
        if window is not None:
            self.attach(window)
        self._actors: dict[str, vtkBillboardTextActor3D] = {}
        self._markers: dict[str, Marker] = {}

    def attach(self, window: object) -> None:
        """Add the overlay layer to a render window (needs two layers)."""
        window.SetNumberOfLayers(max(2, window.GetNumberOfLayers()))  # type: ignore[attr-defined]
        window.AddRenderer(self.overlay)  # type: ignore[attr-defined]

    def set_markers(self, markers: Iterable[Marker]) -> None:
        """Replace all markers (cheap: at most a few dozen actors).

        Only this layer's own actors go: the overlay renderer is shared with pair-view arrows
        and painful spots.
        """
        for actor in self._actors.values():
            self.overlay.RemoveActor(actor)
        self._actors.clear()
        self._markers = {m.id: m for m in markers}
        for m in self._markers.values():
            actor = vtkBillboardTextActor3D()
            actor.SetInput(MARKER_GLYPH)
            actor.SetPosition(*m.position)
            prop = actor.GetTextProperty()
            prop.SetFontSize(m.size_px)
            prop.SetColor(*m.rgb)
            prop.BoldOn()
            prop.SetJustificationToCentered()
            prop.SetVerticalJustificationToCentered()
            prop.SetFrame(False)
            # A pale backing box keeps the X legible on red heat maps and dark muscles alike.
            prop.SetBackgroundColor(1.0, 1.0, 1.0)
            prop.SetBackgroundOpacity(0.7)
            self.overlay.AddActor(actor)
            self._actors[m.id] = actor

    @property
    def marker_ids(self) -> tuple[str, ...]:
        """Ids of the markers currently placed."""
        return tuple(self._markers)

    def nearest(self, x: float, y: float, max_px: float = 14.0) -> str | None:
        """Marker whose projected centre is within ``max_px`` of display point (x, y)."""
        best, best_d = None, max_px
        for mid, m in self._markers.items():
            self.main.SetWorldPoint(*m.position, 1.0)
            self.main.WorldToDisplay()
            px, py, _ = self.main.GetDisplayPoint()
            d = ((px - x) ** 2 + (py - y) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = mid, d
        return best

    def display_position(self, marker_id: str) -> tuple[float, float]:
        """Display coordinates (VTK, origin bottom left) of a marker."""
        m = self._markers[marker_id]
        self.main.SetWorldPoint(*m.position, 1.0)
        self.main.WorldToDisplay()
        px, py, _ = self.main.GetDisplayPoint()
        return px, py

    def highlight(self, ids: Sequence[str]) -> None:
        """Draw these markers larger (the selected or hovered trigger points)."""
        wanted = set(ids)
        for mid, actor in self._actors.items():
            base = self._markers[mid].size_px
            actor.GetTextProperty().SetFontSize(int(base * 1.45) if mid in wanted else base)

    def detach(self) -> None:
        """Remove the overlay from its window."""
        for actor in self._actors.values():
            self.overlay.RemoveActor(actor)
        window = self.overlay.GetRenderWindow()
        if window is not None:
            window.RemoveRenderer(self.overlay)
        self._actors.clear()
        self._markers.clear()


SPOT_RGB = (0.8, 0.0, 0.6)
"""Painful spots: magenta, unlike heat-map reds and the marker colours."""


class SpotMarkers:
    """Painful spots as filled squares of constant on-screen size, drawn over the anatomy."""

    def __init__(self, overlay: vtkRenderer, size_px: int = 22) -> None:
        self.overlay = overlay
        self.size_px = size_px
        self._actors: list[vtkBillboardTextActor3D] = []

    def set_points(self, points: Sequence[Sequence[float]]) -> None:
        """Show exactly these spots (atlas mm)."""
        self.clear()
        for point in points:
            actor = vtkBillboardTextActor3D()
            # VTK draws nothing for blank text, so the box holds a glyph in its own colour.
            actor.SetInput("o")
            actor.SetPosition(*(float(c) for c in point))
            prop = actor.GetTextProperty()
            prop.SetFontSize(self.size_px)
            prop.SetColor(*SPOT_RGB)
            prop.SetBackgroundColor(*SPOT_RGB)
            prop.SetBackgroundOpacity(1.0)
            prop.SetFrame(True)
            prop.SetFrameColor(1.0, 1.0, 1.0)
            prop.SetFrameWidth(2)
            prop.SetJustificationToCentered()
            prop.SetVerticalJustificationToCentered()
            self.overlay.AddActor(actor)
            self._actors.append(actor)

    @property
    def count(self) -> int:
        """Spots currently shown."""
        return len(self._actors)

    def clear(self) -> None:
        """Remove every spot."""
        for actor in self._actors:
            self.overlay.RemoveActor(actor)
        self._actors.clear()
