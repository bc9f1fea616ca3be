"""Frames drawn while the camera moves: the anatomy at a fraction of the window's resolution,
scaled up, with labels, keys and markers drawn on top at full resolution.

Why: under Mesa llvmpipe on two cores a frame of the atlas is bound by shaded pixels (a 640x400
window orbits at about 2.4x the frame rate of a 1280x800 one with the same triangles), so the
orbit could not reach its 30 FPS target at full resolution with any level of detail that still
looks like anatomy. Interactive viewers do the same (ParaView's "image reduction factor" while
interacting); the still frame drawn when the camera stops is full resolution with FXAA.

How: a private renderer (``anatomy``) shares the main renderer's camera, lights, background and
3D props and draws them into the lower-left part of VTK's render framebuffer; that part is
scaled up (linear filter) over the whole framebuffer; then a second private renderer (``ui``)
holding the main renderer's 2D props (labels, leaders, keys, titles) and the overlay layers
(trigger-point markers, pair-view arrows) draw at full resolution, and the frame is swapped.
The main renderer itself is not drawn, so its start-of-frame observers (label layout, legend
fitting, marker depth) are fired by hand first, at its real size.
"""

from __future__ import annotations

from typing import Any

from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkRenderingCore import vtkProp, vtkRenderer, vtkRenderWindow

GL_READ_FRAMEBUFFER = 0x8CA8
GL_DRAW_FRAMEBUFFER = 0x8CA9
GL_COLOR_BUFFER_BIT = 0x4000
GL_SCISSOR_TEST = 0x0C11
GL_NEAREST = 0x2600
GL_LINEAR = 0x2601

DEFAULT_SCALE = 0.5
"""Fraction of the window's width and height drawn while moving: a quarter of the pixels,
which measured about 2x the frame rate (1280x800, llvmpipe, 2 cores); see benchmarks/README."""

MIN_SIZE_PX = 64
"""Below this the window is drawn at full resolution (nothing to gain, and text would blur)."""


def _items(collection: Any) -> list[Any]:
    """A VTK collection's items (typed loosely: VTK's stubs give them as bare vtkObject)."""
    return [collection.GetItemAsObject(i) for i in range(collection.GetNumberOfItems())]


def _address(obj: Any) -> str:
    """The C++ object's identity (a Python wrapper's ``id`` can be reused once it is freed)."""
    return str(obj.__this__)


def is_2d(prop: vtkProp) -> bool:
    """Screen-space props (text, leaders, keys) are drawn at full resolution over the anatomy."""
    return bool(prop.IsA("vtkActor2D"))


class ReducedResolutionFrames:
    """Draws a moving frame of ``main``'s window at ``scale`` of its resolution (see module doc).

    ``render()`` returns False and draws nothing when the window's layout is not the plain one
    (the main renderer filling the window plus overlay layers), e.g. in compare mode's split
    window; the caller then draws a normal frame.
    """

    def __init__(self, main: vtkRenderer, scale: float = DEFAULT_SCALE) -> None:
        if not 0.1 <= scale <= 1.0:
            raise ValueError(f"scale must lie in [0.1, 1], got {scale}")
        self.main = main
        self.scale = scale
        self.anatomy = self._private_renderer(layer=0)
        self.ui = self._private_renderer(layer=0)
        self.ui.PreserveColorBufferOn()  # draws over the scaled-up anatomy, no background
        self._synced: tuple[str, ...] = ()
        self._props: dict[str, Any] = {}
        """The shared props by C++ address (to remove the ones the main renderer dropped)."""
        self._window: vtkRenderWindow | None = None
        self.frames_drawn = 0
        """Reduced frames drawn so far (tests and the benchmark check the path is taken)."""

    def _private_renderer(self, layer: int) -> vtkRenderer:
        renderer = vtkRenderer()
        renderer.SetLayer(layer)
        renderer.InteractiveOff()  # never the renderer a click or drag finds
        renderer.SetDraw(False)
        renderer.AutomaticLightCreationOff()
        renderer.SetUseOIT(False)  # as the main renderer (see ``configure_renderer``)
        renderer.SetUseDepthPeeling(False)
        renderer.SetActiveCamera(self.main.GetActiveCamera())
        return renderer

    # -- window ----------------------------------------------------------------------------------
    def _attach(self, window: vtkRenderWindow) -> None:
        if self._window is window:
            return
        self.detach()
        window.AddRenderer(self.anatomy)
        window.AddRenderer(self.ui)
        self._window = window

    def detach(self) -> None:
        """Leave the window (its shutdown, or before the main renderer moves to another one)."""
        if self._window is not None:
            self._window.RemoveRenderer(self.anatomy)
            self._window.RemoveRenderer(self.ui)
            self._window = None
        self.anatomy.RemoveAllViewProps()
        self.ui.RemoveAllViewProps()
        self._props.clear()
        self._synced = ()

    def _plain_layout(self, window: vtkRenderWindow) -> list[vtkRenderer] | None:
        """The overlay layers when only ``main`` fills layer 0, else None (split window)."""
        if tuple(self.main.GetViewport()) != (0.0, 0.0, 1.0, 1.0):
            return None
        overlays = []
        for renderer in _items(window.GetRenderers()):
            if renderer in (self.main, self.anatomy, self.ui) or not renderer.GetDraw():
                continue
            if renderer.GetLayer() == 0:
                return None
            overlays.append(renderer)
        return overlays

    # -- props, lights, background ---------------------------------------------------------------
    def _sync(self) -> None:
        """Give the private renderers the main renderer's props (shared, not copied), lights and
        background; props are re-listed only when the main renderer's list changed."""
        props = _items(self.main.GetViewProps())
        listed = tuple(_address(prop) for prop in props)
        if listed != self._synced:
            self._resync(props, listed)
        lights = _items(self.main.GetLights())
        if [_address(x) for x in lights] != [_address(x) for x in _items(self.anatomy.GetLights())]:
            self.anatomy.RemoveAllLights()
            for light in lights:
                self.anatomy.AddLight(light)
        self.anatomy.SetBackground(self.main.GetBackground())
        self.anatomy.SetBackground2(self.main.GetBackground2())
        self.anatomy.SetGradientBackground(self.main.GetGradientBackground())
        self.anatomy.SetBackgroundAlpha(self.main.GetBackgroundAlpha())
        self.anatomy.SetUseFXAA(False)

    def _resync(self, props: list[Any], listed: tuple[str, ...]) -> None:
        """Follow the main renderer's prop list. A posture drag replaces the title's text actors
        every frame: then only those are swapped (removing and re-adding all ~80 props took a
        few ms a frame); a reordered list is rebuilt whole, since order is drawing order."""
        present = set(listed)
        survivors = tuple(a for a in self._synced if a in present)
        by_address = dict(zip(listed, props, strict=True))
        if listed[: len(survivors)] == survivors:
            for address in set(self._synced) - present:
                prop = self._props.pop(address)
                (self.ui if is_2d(prop) else self.anatomy).RemoveViewProp(prop)
            added = listed[len(survivors):]
        else:
            self.anatomy.RemoveAllViewProps()
            self.ui.RemoveAllViewProps()
            self._props.clear()
            added = listed
        for address in added:
            prop = by_address[address]
            (self.ui if is_2d(prop) else self.anatomy).AddViewProp(prop)
            self._props[address] = prop
        self._synced = listed

    # -- drawing ---------------------------------------------------------------------------------
    def render(self) -> bool:
        """Draw one reduced frame and swap; False (nothing drawn) if the layout forbids it."""
        window = self.main.GetRenderWindow()
        if window is None:
            return False
        width, height = window.GetSize()
        small_w = max(1, round(width * self.scale))
        small_h = max(1, round(height * self.scale))
        overlays = self._plain_layout(window)
        if overlays is None or min(width, height) < MIN_SIZE_PX or self.scale >= 1.0:
            return False
        self._attach(window)
        self._sync()
        # The main renderer is not drawn: its observers place labels and markers for this frame.
        self.main.InvokeEvent(vtkCommand.StartEvent)
        drawn = {r: bool(r.GetDraw()) for r in (self.main, *overlays)}
        swap = window.GetSwapBuffers()
        try:
            for renderer in drawn:
                renderer.SetDraw(False)
            self.anatomy.SetViewport(0.0, 0.0, small_w / width, small_h / height)
            self.anatomy.SetDraw(True)
            window.SwapBuffersOff()
            with _thin_lines(self.anatomy, self.scale):
                window.Render()
            self.anatomy.SetDraw(False)
            self._scale_up(window, (small_w, small_h), (width, height))
            for renderer in overlays:
                renderer.SetDraw(True)
            self.ui.SetDraw(True)
            window.SetSwapBuffers(swap)
            window.Render()
        finally:
            self.anatomy.SetDraw(False)
            self.ui.SetDraw(False)
            window.SetSwapBuffers(swap)
            for renderer, draw in drawn.items():
                renderer.SetDraw(draw)
        self.frames_drawn += 1
        return True

    @staticmethod
    def _scale_up(window: Any, small: tuple[int, int], full: tuple[int, int]) -> None:
        """Stretch the drawn lower-left part over the whole render framebuffer (via the display
        framebuffer: a framebuffer cannot be blitted onto itself where the areas overlap)."""
        window.MakeCurrent()
        state = window.GetState()
        render_fb = window.GetRenderFramebuffer()
        display_fb = window.GetDisplayFramebuffer()
        scissor = bool(state.GetEnumState(GL_SCISSOR_TEST))
        state.PushFramebufferBindings()
        try:
            state.vtkglDisable(GL_SCISSOR_TEST)
            state.vtkglViewport(0, 0, *full)
            render_fb.Bind(GL_READ_FRAMEBUFFER)
            render_fb.ActivateReadBuffer(0)
            display_fb.Bind(GL_DRAW_FRAMEBUFFER)
            display_fb.ActivateDrawBuffer(0)
            state.vtkglBlitFramebuffer(
                0, 0, *small, 0, 0, *full, GL_COLOR_BUFFER_BIT, GL_LINEAR
            )
            display_fb.Bind(GL_READ_FRAMEBUFFER)
            display_fb.ActivateReadBuffer(0)
            render_fb.Bind(GL_DRAW_FRAMEBUFFER)
            render_fb.ActivateDrawBuffer(0)
            state.vtkglBlitFramebuffer(0, 0, *full, 0, 0, *full, GL_COLOR_BUFFER_BIT, GL_NEAREST)
        finally:
            state.PopFramebufferBindings()
            if scissor:
                state.vtkglEnable(GL_SCISSOR_TEST)


class _thin_lines:  # noqa: N801  (used as a context manager, reads as a phrase)
    """Line widths and point sizes are in pixels: scale them for the small frame so outlines do
    not double in width when it is stretched to the window."""

    def __init__(self, renderer: vtkRenderer, scale: float) -> None:
        self.renderer = renderer
        self.scale = scale
        self._saved: list[tuple[Any, float, float]] = []

    def __enter__(self) -> None:
        for prop in _items(self.renderer.GetViewProps()):
            if not prop.GetVisibility() or not prop.IsA("vtkActor"):
                continue
            prop_property = prop.GetProperty()
            width, size = prop_property.GetLineWidth(), prop_property.GetPointSize()
            if width > 1.0 or size > 1.0:
                self._saved.append((prop_property, width, size))
                prop_property.SetLineWidth(max(1.0, width * self.scale))
                prop_property.SetPointSize(max(1.0, size * self.scale))

    def __exit__(self, *_exc: object) -> None:
        for prop_property, width, size in self._saved:
            prop_property.SetLineWidth(width)
            prop_property.SetPointSize(size)
        self._saved.clear()
