"""Compare mode: a pair's muscles on the left, where their referred pain reaches on the right.

The right half shows the whole body's skin from the front and from the back, side by side, each
framed so every reached zone is complete, and under them a key readable on a projector. Skin is
coloured by whose referred pain reaches it: side A only, side B only, or both (a third, solid
colour that stays apart from both sides in colour-blind simulations and in greyscale). Nothing
is hatched here: hatching means spillover in every other view, and the key says the map counts
essential and spillover zones alike.

Layout of the window (fractions of its width and height)::

    +-------------------+---------+---------+
    |                   |  Front  |  Back   |
    |  muscles (main)   |         |         |
    |                   +---------+---------+
    |                   |  key + disclaimer |
    +-------------------+-------------------+
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkRenderingCore import vtkActor2D, vtkRenderer, vtkTextActor

from viewer.domain.camera import view_by_name
from viewer.domain.framing import fit_pose
from viewer.domain.pairviews import compare_frame, difference, overlap_color
from viewer.domain.referral import DISCLAIMER
from viewer.domain.structures import Kind, hex_to_rgb
from viewer.features import Features
from viewer.render.heatmap_painter import SkinHeatPainter
from viewer.render.legend import _patch, _text
from viewer.render.scene_renderer import SceneRenderer
from viewer.render.setup import configure_renderer
from viewer.render.theme import RenderTheme
from viewer.state.scene import SceneState

if TYPE_CHECKING:
    from viewer.state.pairs import ActivePair

REACH_LEVEL = 0.5
"""Zone weight at which a skin vertex counts as reached by a side: the level line the single
view outlines its zones at (spillover included), so both views draw the same zones."""
SPLIT_X = 0.5
"""Share of the window width kept by the muscles (left)."""
KEY_HEIGHT = 0.26
"""Share of the window height taken by the key under the front and back views."""
ROW_SHARE = 0.03
"""Key text size as a share of the window height (≥ 2 %: readable on a projector)."""
DISCLAIMER_SHARE = 0.022
VIEWS = (("Front", "anterior"), ("Back", "posterior"))
KEY_TITLE = "Where their referred pain reaches (essential or spillover)"


class _SkinView:
    """One small view of the skin (front or back) with its own camera and painter."""

    def __init__(self, title: str, view: str, loaded: object, state: SceneState,
                 skin_id: str, theme: RenderTheme) -> None:
        self.title = title
        self.preset = view_by_name(view)
        self.renderer = vtkRenderer()
        self.scene = SceneRenderer(self.renderer, loaded, state, theme)  # type: ignore[arg-type]
        configure_renderer(self.renderer)
        points = loaded.meshes[skin_id].points  # type: ignore[attr-defined]
        self.painter = SkinHeatPainter(self.scene.actor_of(skin_id), points)
        self.label: vtkTextActor | None = None


class CompareView:
    """The right half of compare mode; ``show``/``hide`` split and unsplit the window."""

    def __init__(self, main: SceneRenderer, features: Features, theme: RenderTheme) -> None:
        self.main = main
        self.features = features
        atlas = main.loaded.atlas
        self.skin_id = next((s.id for s in atlas.renderable if s.kind is Kind.SKIN), None)
        self.state = SceneState(atlas)
        self.views: list[_SkinView] = []
        if self.skin_id is not None:
            self.state.isolate(self.skin_id)
            self.state.set_opacity(self.skin_id, 1.0)
            self.views = [
                _SkinView(t, v, main.loaded, self.state, self.skin_id, theme) for t, v in VIEWS
            ]
        self.key = vtkRenderer()
        self.key.InteractiveOff()
        self._key_props: list[vtkActor2D] = []
        self.shown = False
        self.counts = np.zeros(4, dtype=np.int64)
        self.both_color = ""
        self._classes: np.ndarray | None = None
        self._active: ActivePair | None = None

    @property
    def renderer(self) -> vtkRenderer:
        """The front view's renderer (the first of the right half)."""
        return self.views[0].renderer if self.views else self.key

    @property
    def renderers(self) -> tuple[vtkRenderer, ...]:
        """Every renderer compare mode adds to the window."""
        return (*(v.renderer for v in self.views), self.key)

    def _side_reach(self, muscles: frozenset[str]) -> np.ndarray:
        """Per skin vertex, the weight of one side's whole painted zone (essential or
        spillover): its :data:`REACH_LEVEL` line is that side's zone outline in the single
        view."""
        referral, triggers = self.features.referral, self.features.triggers
        assert referral is not None and triggers is not None
        ids = [t for t, m in triggers.muscle_of.items() if m in muscles]
        heat = referral.field_for(ids)
        if heat.essential is None:
            return (np.asarray(heat.classes) > 0).astype(np.float32)
        spill = heat.essential if heat.spillover is None else heat.spillover
        return np.maximum(heat.essential, spill).astype(np.float32)

    def show(self, active: ActivePair | None) -> None:
        """Split the window and paint the difference map of the active pair view."""
        if not self.views or self.features.referral is None or active is None:
            return
        pair = active.pair
        reach_a = self._side_reach(active.trigger_muscles_a)
        reach_b = self._side_reach(active.trigger_muscles_b)
        classes = difference(reach_a, reach_b, REACH_LEVEL)
        self._classes = classes
        self._active = active
        self.counts = np.bincount(classes.astype(np.int64), minlength=4)
        skin_hex = self.state.color(self.skin_id or "")
        self.both_color = overlap_color(pair.a.color, pair.b.color, skin_hex)
        palette = np.array(
            [hex_to_rgb(skin_hex), hex_to_rgb(pair.a.color), hex_to_rgb(pair.b.color),
             hex_to_rgb(self.both_color)],
            dtype=np.float32,
        )
        colors = np.rint(palette * 255).astype(np.uint8)
        # No hatching (it means spillover elsewhere); edges drawn per pixel at the zone lines.
        for view in self.views:
            view.painter.paint_regions(reach_a, reach_b, colors, REACH_LEVEL)
        window = self.main.renderer.GetRenderWindow()
        if not self.shown:
            self._set_main_viewport(0.0, 0.0, SPLIT_X, 1.0)
            if window is not None:
                for r in self.renderers:
                    window.AddRenderer(r)
            self.shown = True
        self._layout()
        self.main.on_render_needed()

    def _layout(self) -> None:
        """Viewports, cameras framing the zones, titles and the key, for the window's size."""
        window = self.main.renderer.GetRenderWindow()
        w, h = window.GetSize() if window is not None else (1280, 800)
        w, h = max(int(w), 64), max(int(h), 64)
        half = (1.0 - SPLIT_X) / 2
        for i, view in enumerate(self.views):
            x0 = SPLIT_X + i * half
            view.renderer.SetViewport(x0, KEY_HEIGHT, x0 + half, 1.0)
            for getter, setter in (
                (self.main.renderer.GetBackground, view.renderer.SetBackground),
                (self.main.renderer.GetBackground2, view.renderer.SetBackground2),
            ):
                setter(*getter())
            view.renderer.SetGradientBackground(self.main.renderer.GetGradientBackground())
        self.key.SetViewport(SPLIT_X, 0.0, 1.0, KEY_HEIGHT)
        self.key.SetBackground(*self.main.renderer.GetBackground())
        self._frame(w * half, h * (1.0 - KEY_HEIGHT), h)
        self._draw_key(w * (1.0 - SPLIT_X), h * KEY_HEIGHT, h)

    def _frame(self, view_w: float, view_h: float, window_h: int) -> None:
        if self._classes is None or self.skin_id is None:
            return
        points = compare_frame(self.main.loaded.meshes[self.skin_id].points, self._classes)
        title_px = max(12, round(window_h * ROW_SHARE))
        top = min(0.3, 1.8 * title_px / max(view_h, 1.0))
        for view in self.views:
            camera = view.renderer.GetActiveCamera()
            pose = fit_pose(
                points,
                view.preset.direction,
                view.preset.view_up,
                camera.GetViewAngle(),
                view_w / max(view_h, 1.0),
                fill=0.94,
                top_free=top,
            )
            view.scene.apply_pose(pose)
            if view.label is not None:
                view.renderer.RemoveViewProp(view.label)
            view.label = _text(view.renderer, view.title, 0, 0, title_px, bold=True)
            prop = view.label.GetTextProperty()
            prop.SetJustificationToCentered()
            prop.SetVerticalJustificationToTop()
            view.label.SetPosition(view_w / 2, view_h - 0.3 * title_px)
            view.renderer.AddViewProp(view.label)

    def _draw_key(self, key_w: float, key_h: float, window_h: int) -> None:
        for prop in self._key_props:
            self.key.RemoveViewProp(prop)
        self._key_props.clear()
        active = self._active
        if active is None:
            return
        pair = active.pair
        row_px = max(12, round(window_h * ROW_SHARE))
        small_px = max(11, round(window_h * DISCLAIMER_SHARE))
        rows = [
            (f"{pair.a.label} only", pair.a.color, False),
            (f"{pair.b.label} only", pair.b.color, False),
            ("both", self.both_color, False),
        ]
        longest = max(len(KEY_TITLE), *(len(r[0]) + 3 for r in rows))
        fit = int(key_w * 0.92 / (0.56 * longest))
        row_px = max(11, min(row_px, fit))
        small_px = min(small_px, row_px)
        pad = 0.4 * row_px
        disclaimer = textwrap.wrap(DISCLAIMER, max(20, int(key_w * 0.95 / (0.55 * small_px))))
        y = pad + 0.2 * small_px
        x = 0.03 * key_w
        text = _text(self.key, "\n".join(disclaimer), x, y, small_px)
        self._key_props.append(text)
        y += len(disclaimer) * small_px * 1.2 + pad
        s = row_px
        for label, color, striped in reversed(rows):
            rgb = hex_to_rgb(color)
            self._key_props.append(_patch([(x, y, x + 1.6 * s, y + s)], rgb))
            if striped:
                step = max(int(s / 3), 2)
                stripes = [
                    (x + i, y, x + i + step / 2, y + s) for i in range(0, int(1.6 * s), step)
                ]
                shade = tuple(c * 0.6 for c in rgb)
                self._key_props.append(_patch(stripes, shade))
            self._key_props.append(_text(self.key, label, x + 2.1 * s, y, row_px))
            y += 1.35 * s
        self._key_props.append(
            _text(self.key, KEY_TITLE, x, y, row_px, bold=True)
        )
        for prop in self._key_props:
            self.key.AddViewProp(prop)

    @property
    def key_text(self) -> str:
        """Everything the key says (tests)."""
        return "\n".join(p.GetInput() for p in self._key_props if isinstance(p, vtkTextActor))

    def key_boxes(self) -> list[tuple[float, float, float, float]]:
        """Display boxes (x0, y0, x1, y1) of the key's text, in window pixels (tests)."""
        out = []
        window = self.main.renderer.GetRenderWindow()
        w, _h = window.GetSize() if window is not None else (0, 0)
        vx, vy = SPLIT_X * w, 0.0
        for p in self._key_props:
            if isinstance(p, vtkTextActor):
                box = [0.0, 0.0, 0.0, 0.0]
                p.GetBoundingBox(self.key, box)  # relative to the actor's position
                px, py = p.GetPosition()
                out.append((vx + px + box[0], vy + py + box[2], vx + px + box[1], vy + py + box[3]))
        return out

    def _set_main_viewport(self, *viewport: float) -> None:
        window = self.main.renderer.GetRenderWindow()
        renderers = window.GetRenderers() if window is not None else None
        if renderers is None:
            self.main.renderer.SetViewport(*viewport)
            return
        mine = {id(r) for r in self.renderers}
        renderers.InitTraversal()
        for _ in range(renderers.GetNumberOfItems()):
            r = renderers.GetNextItem()
            if id(r) not in mine:
                r.SetViewport(*viewport)

    def relayout(self) -> None:
        """Fit the views and key to a new window size."""
        if self.shown:
            self._layout()

    def hide(self) -> None:
        """Back to one full-width viewport."""
        if not self.shown:
            return
        window = self.main.renderer.GetRenderWindow()
        if window is not None:
            for r in self.renderers:
                window.RemoveRenderer(r)
        self._set_main_viewport(0.0, 0.0, 1.0, 1.0)
        self.shown = False
        self.main.on_render_needed()

    def detach(self) -> None:
        """Remove everything (the view is closing)."""
        self.hide()
        for prop in self._key_props:
            self.key.RemoveViewProp(prop)
        self._key_props.clear()
        for view in self.views:
            view.scene.detach()
