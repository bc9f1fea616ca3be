"""Renderer settings shared by the window and off-screen export: lights and anti-aliasing."""

from __future__ import annotations

from vtkmodules.vtkRenderingCore import vtkLightKit, vtkRenderer


def configure_renderer(renderer: vtkRenderer) -> None:
    """Three-point camera-relative lighting (reads as an atlas plate).

    FXAA stays off: under Mesa llvmpipe its extra pass produced black frames in our tests.
    """
    renderer.RemoveAllLights()
    kit = vtkLightKit()
    kit.SetKeyLightIntensity(0.95)
    kit.SetKeyToFillRatio(2.5)
    kit.SetKeyToHeadRatio(3.0)
    kit.AddLightsToRenderer(renderer)
    renderer.SetUseFXAA(False)
    renderer.SetUseDepthPeeling(False)
