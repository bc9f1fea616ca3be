"""Small RGB textures built from NumPy pixels (hatching, stripes, compare-mode regions)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonDataModel import vtkImageData
from vtkmodules.vtkRenderingCore import vtkTexture


def rgb_texture(pixels: NDArray[np.uint8], name: str) -> vtkTexture:
    """A texture of ``pixels`` (rows, columns, 3; row 0 at texture coordinate t = 0), named so
    a test or a debugger can tell the textures apart; filtering and wrapping are the caller's."""
    rows, cols = pixels.shape[:2]
    image = vtkImageData()
    image.SetDimensions(cols, rows, 1)
    array = numpy_to_vtk(np.ascontiguousarray(pixels.reshape(-1, 3)), deep=True)
    array.SetName(name)
    image.GetPointData().SetScalars(array)
    texture = vtkTexture()
    texture.SetInputData(image)
    return texture
