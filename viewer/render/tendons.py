"""Tendon drawn pale on red muscle, as printed atlases draw it, from the built tendon weight.

A muscle mesh may carry ``Tendon`` (0-1 per vertex; the build writes it for the tendinous
intersections across rectus abdominis and for the insertion tendons and aponeuroses of the hip
and back muscles, see ``tools/atlas_build/fibre_field.py`` and ``tools/atlas_build/tendons.py``).
Without it every muscle read as a uniform red bag, and rectus abdominis as a plain red strap:
its intersections were 1.5 mm grooves that the lighting did not show, and a lecturer names
them first on a front view. The muscle's colour (whatever
the scene state gives it: a pair colour, the selection highlight) is blended toward
:data:`TENDON_RGB` by the weight and handed to VTK as direct per-vertex colours; the stripe
texture still modulates them, and opacity stays the property's. Meshes without the array are
drawn exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonDataModel import vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor

TENDON_ARRAY = "Tendon"
"""Point array of the tendon weight, as the build names it."""
COLOUR_ARRAY = "TendonColours"
TENDON_RGB = (0.92, 0.88, 0.80)
"""Tendon's colour: the pale, slightly warm white of fibrous tissue in atlas plates."""
TENDON_MIX = 0.85
"""How far a vertex that is wholly tendon moves from the muscle colour toward tendon: a trace
of the muscle's own colour stays, so a pair view's colour still reads across the band."""


def tendon_colours(rgb: Sequence[float], weight: NDArray[np.floating]) -> NDArray[np.uint8]:
    """Per-vertex RGB (0-255): ``rgb`` blended toward tendon by ``weight`` (clipped to 0-1)."""
    w = TENDON_MIX * np.clip(np.asarray(weight, dtype=np.float64).reshape(-1, 1), 0.0, 1.0)
    base = np.asarray(rgb, dtype=np.float64).reshape(1, 3)
    mixed = (1.0 - w) * base + w * np.asarray(TENDON_RGB).reshape(1, 3)
    colours: NDArray[np.uint8] = np.round(255.0 * np.clip(mixed, 0.0, 1.0)).astype(np.uint8)
    return colours


def paint_tendons(actor: vtkActor, rgb: Sequence[float], shown: bool = True) -> bool:
    """Colour ``actor``'s mesh by its tendon weight; True if it has one (else untouched).

    ``shown`` False draws it in the plain colour: a ghost (the faint abdominal wall of the
    opening view) is an outline for orientation, and its pale bands read as a white haze
    drawn across the psoas behind it.
    """
    mapper = actor.GetMapper()
    if not shown:
        mapper.ScalarVisibilityOff()
        return False
    poly = mapper.GetInput()
    if not isinstance(poly, vtkPolyData):
        return False
    data = poly.GetPointData()
    weight = data.GetArray(TENDON_ARRAY)
    if weight is None or weight.GetNumberOfTuples() != poly.GetNumberOfPoints():
        return False
    colours = numpy_to_vtk(tendon_colours(rgb, vtk_to_numpy(weight)), deep=True)
    colours.SetName(COLOUR_ARRAY)
    data.SetScalars(colours)
    mapper.ScalarVisibilityOn()
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointData()
    return True
