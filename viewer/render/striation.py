"""Fibre striation on muscles: faint stripes along the fascicles, from the built fibre field.

Each muscle mesh may carry ``FibrePhase`` (mm across the fibres; its level lines follow the
fascicles). It becomes the first texture coordinate, and a small repeating texture darkens a
thin band once per :data:`PERIOD_MM`: the stripes run the way the fibres run, as in printed
atlases. One texture look-up per pixel, no extra geometry, so interaction stays as fast. The
modulation is shallow (:data:`DEPTH`) so the muscle's colour, selection highlight and any heat
map on the skin above stay what the eye reads first.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonCore import vtkDataArray
from vtkmodules.vtkRenderingCore import vtkActor, vtkTexture

from viewer.render.textures import rgb_texture

PERIOD_MM = 3.0
"""Distance between two stripes across the fibres (fascicle bundles are a few mm wide)."""
DEPTH = 0.16
"""How much a stripe darkens the muscle at its centre (0 = invisible, 1 = black)."""
TEXELS = 64

_TEXTURE: vtkTexture | None = None


def stripe_profile(u: NDArray[np.floating]) -> NDArray[np.float64]:
    """Brightness factor (1 - DEPTH .. 1) at stripe coordinate ``u`` (period 1)."""
    wave = 0.5 + 0.5 * np.cos(2.0 * np.pi * np.asarray(u, dtype=np.float64))
    return 1.0 - DEPTH * wave**3  # thin dark lines on a mostly untouched surface


def striation_tcoords(phase: NDArray[np.floating]) -> vtkDataArray:
    """Texture coordinates (u = phase / period, v = 0.5) for a muscle's points."""
    u = np.asarray(phase, dtype=np.float32) / np.float32(PERIOD_MM)
    uv = np.column_stack([u, np.full_like(u, 0.5)]).astype(np.float32)
    arr: vtkDataArray = numpy_to_vtk(np.ascontiguousarray(uv), deep=True)
    arr.SetName("fibres")
    return arr


def striation_texture() -> vtkTexture:
    """The shared repeating stripe texture (grey levels, modulates the muscle colour)."""
    global _TEXTURE
    if _TEXTURE is None:
        u = (np.arange(TEXELS) + 0.5) / TEXELS
        row = np.round(255.0 * stripe_profile(u)).astype(np.uint8)
        rgb = np.repeat(np.tile(row, 2)[:, None], 3, axis=1)  # 2 rows of TEXELS texels
        tex = rgb_texture(rgb.reshape(2, TEXELS, 3), "stripes")
        tex.RepeatOn()
        tex.InterpolateOn()
        tex.MipmapOn()
        _TEXTURE = tex
    return _TEXTURE


def add_striation(actor: vtkActor, mesh: object) -> bool:
    """Put the stripe texture on a muscle actor whose mesh has a fibre phase; True if done."""
    if getattr(mesh, "fibre_phase", None) is None:
        return False
    actor.SetTexture(striation_texture())
    return True
