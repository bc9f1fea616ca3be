"""Background and text colours of the 3D view for each theme, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class RenderTheme:
    """Colours the renderer needs; the Qt layer picks one from the system colour scheme."""

    name: str
    background_top: RGB
    background_bottom: RGB
    text: RGB


LIGHT = RenderTheme("light", (0.97, 0.97, 0.98), (0.80, 0.83, 0.88), (0.1, 0.1, 0.12))
DARK = RenderTheme("dark", (0.16, 0.17, 0.20), (0.05, 0.05, 0.07), (0.92, 0.92, 0.92))
PROJECTOR = RenderTheme("projector", (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))

THEMES: dict[str, RenderTheme] = {t.name: t for t in (LIGHT, DARK, PROJECTOR)}
