"""Paint referred-pain heat maps onto the skin actor.

Colour carries intensity (a warm ramp blended over the skin tone, darker = stronger), and spillover
zones are also hatched with diagonal stripes (a texture keyed by world position), so essential and
spillover read apart on a greyscale projector and for colour-blind viewers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkRenderingCore import vtkActor, vtkTexture

from viewer.domain.referral import SPILLOVER_LEVEL
from viewer.render.textures import rgb_texture

ESSENTIAL_RGB = np.array([118, 6, 26], dtype=np.float32)
"""Dark crimson: strongest, darkest colour of the ramp. Dark enough (relative luminance about
0.04) for 3:1 against lit skin on every theme and in greyscale (WCAG 1.4.11); the brighter red
used before measured about 2.2:1 on the dark and projector themes. (125, 8, 28) until session
18 held the projector theme at only 3.02:1 over the buttock, and 2.997:1 once gluteus maximus
reshaped the skin there a little (tests/test_zones.py); this shade leaves a margin."""
SPILLOVER_RGB = np.array([244, 165, 130], dtype=np.float32)
"""Light salmon: spillover is both lighter and hatched."""
STRIPE_PERIOD_MM = 22.0
"""Width of one dark + one light stripe on the skin, in millimetres (about 9 px across a
whole-body view at 1280x800: bold enough for a projector, thin enough to read as hatching)."""
STRIPE_DARK = 80
"""Grey level (of 255) the dark stripes multiply the colour by: dark in greyscale prints too."""
STRIPE_AXIS = (1.0, 0.6, 1.0)
"""Stripes are level lines of ``(x, y, z) . STRIPE_AXIS``: diagonal on the front, back and
sides alike (the legend draws its swatch across the same direction as seen)."""

CLASS_NONE, CLASS_SPILLOVER, CLASS_ESSENTIAL = 0, 1, 2


def heat_colors(
    skin_rgb: tuple[float, float, float], intensity: NDArray[np.floating], cls: NDArray[np.integer]
) -> NDArray[np.uint8]:
    """Per-vertex RGB (uint8): skin tone, blended toward the class colour by intensity."""
    base = np.asarray(skin_rgb, dtype=np.float32) * 255.0
    cls = np.asarray(cls)
    out = np.empty((len(cls), 3), dtype=np.uint8)
    out[:] = np.clip(np.rint(base), 0, 255).astype(np.uint8)  # outside every zone: the skin
    # Only the painted vertices are blended (a map covers a small part of the skin).
    painted = np.flatnonzero(cls != CLASS_NONE)
    c = cls[painted]
    target = np.where((c == CLASS_ESSENTIAL)[:, None], ESSENTIAL_RGB, SPILLOVER_RGB)
    w = np.clip(np.asarray(intensity, dtype=np.float32)[painted], 0.0, 1.0)[:, None]
    w = 0.25 + 0.75 * w
    out[painted] = np.clip(np.rint(base * (1.0 - w) + target * w), 0, 255).astype(np.uint8)
    return out


def spillover_swatch(
    skin_rgb: tuple[float, float, float],
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """The light and dark stripe colours of a spillover zone painted on this skin (RGB 0..255),
    deep inside the zone: what the legend's swatch shows."""
    light = heat_colors(
        skin_rgb, np.array([SPILLOVER_LEVEL], dtype=np.float32), np.array([CLASS_SPILLOVER])
    )[0]
    dark = np.rint(light.astype(np.float32) * STRIPE_DARK / 255.0).astype(np.uint8)
    return light, dark


def _stripe_texture() -> vtkTexture:
    """Two rows: row 0 plain white (no hatching), row 1 white/grey stripes (spillover)."""
    width = 8
    pixels = np.full((2, width, 3), 255, dtype=np.uint8)
    pixels[1, : width // 2] = STRIPE_DARK
    texture = rgb_texture(pixels, "stripes")
    texture.InterpolateOff()
    texture.RepeatOn()
    return texture


class SkinHeatPainter:
    """Applies heat colours and spillover hatching to one skin actor; ``clear`` restores it.

    ``take`` maps this actor's vertices to the vertices the per-vertex arrays are given for
    (the light skin is coloured from the full-detail arrays through nearest vertices).
    """

    def __init__(
        self,
        actor: vtkActor,
        points: NDArray[np.floating],
        take: NDArray[np.integer] | None = None,
    ) -> None:
        self.actor = actor
        self.take = None if take is None else np.asarray(take, dtype=np.int64)
        self.poly = actor.GetMapper().GetInput()
        p = np.asarray(points, dtype=np.float32)
        # Diagonal stripes across the body: constant along (x + z), so they run obliquely on both
        # the front/back (x-z plane) and the sides (y-z plane, through z).
        self._stripe_u = (p @ np.asarray(STRIPE_AXIS, dtype=np.float32) / STRIPE_PERIOD_MM).astype(
            np.float32
        )
        self._texture = _stripe_texture()
        self.active = False
        self.region_texture: vtkTexture | None = None
        """The texture of the last :meth:`paint_regions` (tests read its texels)."""

    def paint(
        self,
        skin_rgb: tuple[float, float, float],
        intensity: NDArray[np.floating],
        cls: NDArray[np.integer],
    ) -> None:
        """Show a heat map; arrays are per skin vertex (intensity in [0, 1], class 0/1/2)."""
        self.paint_rgb(heat_colors(skin_rgb, intensity, cls), np.asarray(cls) == CLASS_SPILLOVER)

    def paint_rgb(self, colors: NDArray[np.uint8], hatched: NDArray[np.bool_]) -> None:
        """Show any per-vertex colours (n, 3) uint8, hatching the vertices where ``hatched``."""
        if self.take is not None:
            colors, hatched = np.asarray(colors)[self.take], np.asarray(hatched)[self.take]
        vtk_colors = numpy_to_vtk(np.ascontiguousarray(colors, dtype=np.uint8), deep=True)
        vtk_colors.SetName("heat")
        v = np.where(np.asarray(hatched, dtype=bool), 0.75, 0.25).astype(np.float32)
        tcoords = numpy_to_vtk(np.column_stack([self._stripe_u, v]), deep=True)
        tcoords.SetName("hatch")
        data = self.poly.GetPointData()
        data.SetScalars(vtk_colors)
        data.SetTCoords(tcoords)
        mapper = self.actor.GetMapper()
        mapper.ScalarVisibilityOn()
        mapper.SetColorModeToDirectScalars()
        mapper.SetScalarModeToUsePointData()
        self.actor.SetTexture(self._texture)
        self.poly.Modified()
        self.active = True

    def paint_regions(
        self,
        reach_a: NDArray[np.floating],
        reach_b: NDArray[np.floating],
        palette: NDArray[np.uint8],
        level: float = 0.5,
    ) -> None:
        """Colour the skin by which of two zone weights reach ``level``: ``palette`` rows are
        neither, A only, B only, both (4, 3) uint8.

        The weights go in as texture coordinates of a 2 x 2 nearest-texel texture whose texel
        edges sit at ``level``, so each pixel takes its colour from the weights interpolated to
        it: the colour edge is the weights' level line, as smooth as the single view's zone
        outlines. Colours given per vertex (what :meth:`paint_rgb` does) blend across every
        triangle the edge crosses and step along the mesh, the ragged edges compare mode had.
        """
        pal = np.asarray(palette, dtype=np.uint8).reshape(2, 2, 3)  # x fastest: A, then B
        texture = rgb_texture(pal, "regions")
        texture.InterpolateOff()
        texture.RepeatOff()
        texture.EdgeClampOn()
        a, b = np.asarray(reach_a, dtype=np.float32), np.asarray(reach_b, dtype=np.float32)
        if self.take is not None:
            a, b = a[self.take], b[self.take]
        uv = np.clip(np.column_stack([a, b]) - np.float32(level) + np.float32(0.5), 0.0, 1.0)
        tcoords = numpy_to_vtk(np.ascontiguousarray(uv, dtype=np.float32), deep=True)
        tcoords.SetName("regions")
        white = numpy_to_vtk(np.full((len(a), 3), 255, dtype=np.uint8), deep=True)
        white.SetName("heat")  # lit white, tinted by the texture alone
        data = self.poly.GetPointData()
        data.SetScalars(white)
        data.SetTCoords(tcoords)
        mapper = self.actor.GetMapper()
        mapper.ScalarVisibilityOn()
        mapper.SetColorModeToDirectScalars()
        mapper.SetScalarModeToUsePointData()
        self.actor.SetTexture(texture)
        self.poly.Modified()
        self.active = True
        self.region_texture = texture

    def clear(self) -> None:
        """Back to the plain skin colour."""
        if not self.active:
            return
        data = self.poly.GetPointData()
        data.SetScalars(None)
        data.SetTCoords(None)
        self.actor.GetMapper().ScalarVisibilityOff()
        self.actor.SetTexture(None)  # type: ignore[arg-type]  # VTK accepts None: no texture
        self.poly.Modified()
        self.active = False
