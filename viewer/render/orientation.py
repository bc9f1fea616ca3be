"""Orientation words at the picture's edges ("Front", "Back", the body's "Right"/"Left").

Before every frame the words for the live camera come from the pure
:func:`viewer.domain.orientation.orientation_words` (so they follow any orbit, not only the named
views) and are drawn as small plain text in the theme's text colour at the middle of each edge.
An oblique view's caption ("Seen from behind and the right") sits along the bottom edge, or the
top one when the bottom has a word; in compare mode (``caption_only``) it is all there is.
A word that would cover a key, legend, caption or posture note (``avoid``) moves aside along
its edge, or is left out rather than drawn over it; labels keep off the words in turn (the label
overlay reserves their boxes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkRenderingCore import vtkTextActor

from viewer.domain.orientation import EdgeWords, orientation_words
from viewer.render.labels import LabelOverlay
from viewer.render.scene_renderer import SceneRenderer

Box = tuple[float, float, float, float]

EDGES = ("top", "bottom", "left", "right")

CAPTION = "caption"
"""The fifth text: where the viewer stands, for oblique views and compare mode."""

SLOTS = (*EDGES, CAPTION)

CAPTION_STEPS = 3
"""How many keys or legends along its edge the caption may step in past."""

FONT_FRACTION = 0.022
"""Word height as a share of the frame height: smaller than labels (2 %) would be unreadable on
a projector; these are a key, not a title."""

MIN_FONT_PX = 12

MARGIN_FRACTION = 0.012
"""Gap between a word and its edge, as a share of the frame height."""

RESERVE_PREFIX = "orientation_"
"""Keys of the words' boxes among the label overlay's reserved areas."""

OPACITY = 0.8
"""Text opacity: present but quieter than labels and keys."""

CAPTION_BOX_OPACITY = 0.9
"""Opacity of the box behind an oblique view's caption (in the background's colour)."""


ALONG_EDGE = (0.5, 0.38, 0.62, 0.25, 0.75)
"""Where along its edge a word may sit (share of the edge from the left or bottom), in order
of preference: the middle, else a little aside when a key or legend takes the middle."""


def _spot(edge: str, share: float, width: float, height: float, margin: float) -> tuple[
    float, float
]:
    """Display position (y up) of the word at ``edge``, ``share`` of the way along it."""
    if edge == "top":
        return width * share, height - margin
    if edge == "bottom":
        return width * share, margin
    if edge == "left":
        return margin, height * share
    return width - margin, height * share


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class OrientationOverlay:
    """Four text actors at the edges of ``scene``'s renderer, re-worded before every frame.

    ``avoid`` returns screen boxes (display pixels, y up, as VTK reports 2D props) the words
    must not cover; it is asked each frame. ``enabled`` off hides the words (lesson slides,
    ``render --no-orientation``).
    """

    def __init__(
        self,
        scene: SceneRenderer,
        avoid: Callable[[], Sequence[Box]] | None = None,
        enabled: bool = True,
    ) -> None:
        self.scene = scene
        self.avoid = avoid
        self.caption_only: Callable[[], bool] = lambda: False
        """Whether the view stands beside compare mode's body maps (their headings are "Front"
        and "Back"): then only the caption is drawn, no edge words."""
        self.enabled = enabled
        self._actors: dict[str, vtkTextActor] = {}
        self._boxes: dict[str, Box] = {}
        self.shown = EdgeWords()
        """The words drawn in the last frame (tests, accessibility)."""
        self._laid_out: object = None
        """What the words were last laid out for (skips the layout while nothing changed)."""
        self._worded: object = None
        """The words, size and colour of the last layout (kept while the camera moves)."""
        for edge in SLOTS:
            actor = vtkTextActor()
            prop = actor.GetTextProperty()
            prop.SetOpacity(OPACITY)
            prop.SetBold(False)
            if edge == "top":
                prop.SetJustificationToCentered()
                prop.SetVerticalJustificationToTop()
            elif edge in ("bottom", CAPTION):
                prop.SetJustificationToCentered()
                prop.SetVerticalJustificationToBottom()
            elif edge == "left":
                prop.SetJustificationToLeft()
                prop.SetVerticalJustificationToCentered()
            else:
                prop.SetJustificationToRight()
                prop.SetVerticalJustificationToCentered()
            actor.SetVisibility(False)
            scene.renderer.AddViewProp(actor)
            self._actors[edge] = actor
        # After captions, keys and legends have sized themselves (priority 0), before the labels
        # (priority -1) lay out around the words.
        self._tag = scene.renderer.AddObserver(vtkCommand.StartEvent, self._before_frame, -0.5)

    def set_enabled(self, on: bool) -> None:
        """Show the words (from the next frame) or hide them."""
        self.enabled = on
        if not on:
            self._hide()
        self.scene.on_render_needed()

    def box(self, edge: str) -> Box | None:
        """(x0, y0, x1, y1) of the word at ``edge`` in display pixels (y up), ``None`` if none."""
        return self._boxes.get(edge)

    def box_source(self, edge: str) -> Callable[[], Box | None]:
        """A callable for :meth:`viewer.render.labels.LabelOverlay.reserve`: the word's box
        grown by its own height above and below. Labels placed just clear of the word read as
        one line with it ("Left" over "Gluteus maximus (right)" on a close-up)."""

        def kept_clear() -> Box | None:
            box = self.box(edge)
            if box is None:
                return None
            gap = box[3] - box[1]
            return (box[0], box[1] - gap, box[2], box[3] + gap)

        return kept_clear

    def _hide(self) -> None:
        self._laid_out = None
        self._worded = None
        for actor in self._actors.values():
            actor.SetVisibility(False)
        self._boxes = {}
        self.shown = EdgeWords()

    def _before_frame(self, *_args: object) -> None:
        renderer = self.scene.renderer
        width, height = renderer.GetSize()
        if not self.enabled or width <= 0 or height <= 0:
            self._hide()
            return
        camera = renderer.GetActiveCamera()
        words = orientation_words(
            camera.GetDirectionOfProjection(), camera.GetViewUp(), self.caption_only()
        )
        colour = self.scene.theme.text
        worded = (words, width, height, colour)
        if self.scene.interacting and worded == self._worded:
            # While the camera moves the X markers (which the words keep off) move every
            # frame: the words stay where they are until the still frame lays them out.
            return
        self._worded = worded
        font = max(MIN_FONT_PX, round(FONT_FRACTION * height))
        margin = max(4.0, MARGIN_FRACTION * height)
        keep_off = list(self.avoid()) if self.avoid is not None else []
        key = (*worded, tuple(keep_off))
        if key == self._laid_out:
            return  # nothing the words depend on changed: they stay where they are
        self._laid_out = key
        boxes: dict[str, Box] = {}
        shown: dict[str, str] = {}
        for edge, actor in self._actors.items():
            word = getattr(words, edge)
            if not word:
                actor.SetVisibility(False)
                continue
            prop = actor.GetTextProperty()
            prop.SetFontSize(font)
            prop.SetColor(*colour)
            if edge == CAPTION:
                # The caption may run over anatomy (a close-up fills the frame): it gets a box
                # of the background's colour, or dark text on red muscle could not be read.
                theme = self.scene.theme
                bg = tuple(
                    0.5 * (a + b)
                    for a, b in zip(theme.background_top, theme.background_bottom, strict=True)
                )
                prop.SetBackgroundColor(*bg)
                prop.SetBackgroundOpacity(CAPTION_BOX_OPACITY)
            if actor.GetInput() != word:
                actor.SetInput(word)
            box = self._place(actor, edge, words, (width, height), margin, keep_off)
            if box is None:
                actor.SetVisibility(False)  # a key or caption is everywhere along its edges
                continue
            actor.SetVisibility(True)
            boxes[edge] = box
            shown[edge] = word
        self._boxes = boxes
        self.shown = EdgeWords(**shown)

    def _place(
        self,
        actor: vtkTextActor,
        slot: str,
        words: EdgeWords,
        size: tuple[int, int],
        margin: float,
        keep_off: Sequence[Box],
    ) -> Box | None:
        """Move ``actor`` to the first spot along its edge clear of ``keep_off``; its box, or
        ``None`` where there is none. The caption tries the bottom edge, then the top, then
        just under a key along the top, then over a legend along the bottom (a half-width
        compare view has its key band at the top and the marker legend across the bottom;
        under the key is open background, over the legend the anatomy)."""
        if slot == CAPTION:
            tries = [("bottom", 0), ("top", 0), ("top", CAPTION_STEPS), ("bottom", CAPTION_STEPS)]
            tries = [(e, n) for e, n in tries if not getattr(words, e)]
        else:
            tries = [(slot, 0)]
        renderer = self.scene.renderer
        prop = actor.GetTextProperty()
        for along, steps in tries:
            if slot == CAPTION:
                if along == "top":
                    prop.SetVerticalJustificationToTop()
                else:
                    prop.SetVerticalJustificationToBottom()
            # A caption may also step in from its edge past a key or legend lying along it,
            # within the outer third of the picture (a half-width compare view has a key band
            # at the top and the marker legend across the bottom).
            for share in ALONG_EDGE:  # the middle of the edge, else nearby, clear of keys
                x, y = _spot(along, share, size[0], size[1], margin)
                for _ in range(steps + 1):
                    actor.SetPosition(x, y)
                    bb = [0.0] * 4
                    actor.GetBoundingBox(renderer, bb)  # x0, x1, y0, y1 from the position
                    pad = 2.0
                    box = (x + bb[0] - pad, y + bb[2] - pad, x + bb[1] + pad, y + bb[3] + pad)
                    hit = [other for other in keep_off if _overlap(box, other)]
                    if not hit:
                        return box
                    if along == "bottom":
                        y = max(other[3] for other in hit) + margin
                        if y > size[1] / 3:
                            break
                    else:
                        y = min(other[1] for other in hit) - margin
                        if y < size[1] * 2 / 3:
                            break
        return None

    def detach(self) -> None:
        """Remove the words and stop following frames."""
        self.scene.renderer.RemoveObserver(self._tag)
        for actor in self._actors.values():
            self.scene.renderer.RemoveViewProp(actor)
        self._actors.clear()


def orientation_overlay(
    scene: SceneRenderer, labels: LabelOverlay, enabled: bool = True
) -> OrientationOverlay:
    """Orientation words for a view with ``labels``: the words keep off every area the labels
    keep off (caption, keys, legends, posture notes), and the labels keep off the words."""
    # The words keep off the X's too: in compare mode the caption, stepped in past the marker
    # key, ran under an X ("Seen from th[X] side").
    overlay = OrientationOverlay(
        scene,
        lambda: labels.reserved_areas(skip_prefix=RESERVE_PREFIX, markers=True),
        enabled=enabled,
    )
    for edge in SLOTS:
        labels.reserve(RESERVE_PREFIX + edge, overlay.box_source(edge))
    return overlay
