"""Compare mode: one pair view in two linked viewports sharing the camera.

Left: the muscles as the pair view paints them. Right: the skin, coloured by whose referred pain
reaches each spot — side A only, side B only, or both (dark and hatched, so it reads without
colour).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.domain.pairviews import difference
from viewer.domain.referral import DISCLAIMER
from viewer.domain.structures import Kind, hex_to_rgb
from viewer.features import Features
from viewer.render.heatmap_painter import SkinHeatPainter
from viewer.render.legend import SwatchLegend
from viewer.render.scene_renderer import SceneRenderer
from viewer.render.setup import configure_renderer
from viewer.render.theme import RenderTheme
from viewer.state.scene import SceneState

if TYPE_CHECKING:
    from viewer.state.pairs import ActivePair

BOTH_RGB = (0.33, 0.33, 0.36)
"""Spots reached by both sides: dark grey, hatched."""
REACH_THRESHOLD = 0.1
"""Heat above which a skin vertex counts as reached by a side (spillover included)."""


class CompareView:
    """The right-hand viewport of compare mode; ``show``/``hide`` split and unsplit the window."""

    def __init__(self, main: SceneRenderer, features: Features, theme: RenderTheme) -> None:
        self.main = main
        self.features = features
        self.renderer = vtkRenderer()
        self.renderer.SetViewport(0.5, 0.0, 1.0, 1.0)
        self.renderer.SetActiveCamera(main.renderer.GetActiveCamera())
        atlas = main.loaded.atlas
        self.skin_id = next((s.id for s in atlas.renderable if s.kind is Kind.SKIN), None)
        self.state = SceneState(atlas)
        if self.skin_id is not None:
            self.state.isolate(self.skin_id)
            self.state.set_opacity(self.skin_id, 1.0)
        self.scene = SceneRenderer(self.renderer, main.loaded, self.state, theme)
        configure_renderer(self.renderer)
        self.painter = (
            SkinHeatPainter(
                self.scene.actor_of(self.skin_id), main.loaded.meshes[self.skin_id].points
            )
            if self.skin_id is not None
            else None
        )
        self.legend: SwatchLegend | None = None
        self.shown = False
        self.counts = np.zeros(4, dtype=np.int64)

    def _side_heat(self, muscles: frozenset[str]) -> np.ndarray:
        referral, triggers = self.features.referral, self.features.triggers
        assert referral is not None and triggers is not None
        ids = [t for t, m in triggers.muscle_of.items() if m in muscles]
        return referral.field_for(ids).intensity

    def show(self, active: ActivePair | None) -> None:
        """Split the window and paint the difference map of the active pair view."""
        if self.painter is None or self.features.referral is None or active is None:
            return
        pair = active.pair
        heat_a = self._side_heat(active.trigger_muscles_a)
        heat_b = self._side_heat(active.trigger_muscles_b)
        classes = difference(heat_a, heat_b, REACH_THRESHOLD)
        self.counts = np.bincount(classes.astype(np.int64), minlength=4)
        skin = np.asarray(hex_to_rgb(self.state.color(self.skin_id or "")), dtype=np.float32)
        palette = np.array(
            [skin, hex_to_rgb(pair.a.color), hex_to_rgb(pair.b.color), BOTH_RGB], dtype=np.float32
        )
        colors = np.rint(palette[classes] * 255).astype(np.uint8)
        self.painter.paint_rgb(colors, classes == 3)
        if self.legend is not None:
            self.legend.detach()
        self.legend = SwatchLegend(
            self.renderer,
            "Where their referred pain reaches",
            [
                (f"{pair.a.label} only", hex_to_rgb(pair.a.color), False),
                (f"{pair.b.label} only", hex_to_rgb(pair.b.color), False),
                ("both", BOTH_RGB, True),
            ],
            footer=DISCLAIMER,
        )
        self.legend.set_visible(True)
        if not self.shown:
            window = self.main.renderer.GetRenderWindow()
            self._set_main_viewport(0.0, 0.0, 0.5, 1.0)
            if window is not None:
                window.AddRenderer(self.renderer)
            self.shown = True
        self.renderer.SetBackground(*self.main.renderer.GetBackground())
        self.renderer.SetBackground2(*self.main.renderer.GetBackground2())
        self.renderer.SetGradientBackground(self.main.renderer.GetGradientBackground())
        self.main.on_render_needed()

    def _set_main_viewport(self, *viewport: float) -> None:
        window = self.main.renderer.GetRenderWindow()
        renderers = window.GetRenderers() if window is not None else None
        if renderers is None:
            self.main.renderer.SetViewport(*viewport)
            return
        renderers.InitTraversal()
        for _ in range(renderers.GetNumberOfItems()):
            r = renderers.GetNextItem()
            if r is not self.renderer:
                r.SetViewport(*viewport)

    def hide(self) -> None:
        """Back to one full-width viewport."""
        if not self.shown:
            return
        window = self.main.renderer.GetRenderWindow()
        if window is not None:
            window.RemoveRenderer(self.renderer)
        self._set_main_viewport(0.0, 0.0, 1.0, 1.0)
        self.shown = False
        self.main.on_render_needed()

    def detach(self) -> None:
        """Remove everything (the view is closing)."""
        self.hide()
        if self.legend is not None:
            self.legend.detach()
        self.scene.detach()
