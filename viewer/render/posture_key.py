"""The posture's title and the length-colour key, drawn in the picture (window, PNG, slides).

Top right: the pose's name (bold) and its key angles (``hip flexion 76°, pelvic tilt −14°
(posterior), ...``), so a posed picture says what posture it shows even when cut out of the app.
Bottom right, while muscles are coloured by length: three swatches, shorter / unchanged /
longer than standing. Both are sized to the frame before each frame (text at least
:data:`~viewer.domain.lessons.TEXT_FRACTION` of its height) and report their boxes so labels keep
off them. The standing pose gets no title unless asked (``always``): the app opens standing.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkRenderingCore import vtkActor2D, vtkRenderer, vtkTextActor

from viewer.domain.length_colours import FULL_SCALE_PCT, LONG, NEUTRAL, SHORT
from viewer.domain.lessons import TEXT_FRACTION
from viewer.domain.pose import Pose
from viewer.domain.posture_words import plain_note, posture_title, unshown_rounding_text
from viewer.domain.structures import Kind, hex_to_rgb
from viewer.render.legend import _patch, _text
from viewer.state.scene import SceneState

Box = tuple[float, float, float, float]

TITLE_SHARE = 0.032
"""Title font size as a share of the frame height (the angles and key use TEXT_FRACTION+)."""
MAX_WIDTH_SHARE = 0.42
"""The title block wraps to this share of the frame width."""
LENGTH_ROWS: tuple[tuple[str, str], ...] = (
    ("shorter than standing", SHORT),
    ("unchanged", NEUTRAL),
    (f"longer (full colour at {FULL_SCALE_PCT:.0f} %)", LONG),
)


def wrap(text: str, max_chars: int) -> list[str]:
    """Greedy wrap at ", " so no line is longer than ``max_chars`` (unless one part is)."""
    lines: list[str] = []
    for part in text.split(", "):
        if lines and len(lines[-1]) + 2 + len(part) <= max_chars:
            lines[-1] += ", " + part
        else:
            if lines:
                lines[-1] += ","
            lines.append(part)
    return lines


GHOST_NOTE = "grey outline and dashed lines: standing, for comparison"
"""The title's last line while the standing ghost shows (what the grey spine is)."""


class PostureKey:
    """Draws the current pose's title and, when switched on, the length-colour key."""

    def __init__(self, renderer: vtkRenderer, state: SceneState) -> None:
        self.renderer = renderer
        self.state = state
        self.always = False
        """Title even the standing pose (a ``render --pose standing`` picture)."""
        self.lengths_shown = False
        self.top_px = 0
        """Pixels at the top kept free (a slide caption above)."""
        self.enabled = True
        self.plain = False
        """Everyday words (patient mode): "pelvis tipped forward", not "anterior pelvic tilt"."""
        self.note_source: Callable[[Pose], str] | None = None
        """A third line for the pose (e.g. how much shorter a tight iliopsoas is)."""
        self.length_note_source: Callable[[Pose], str] | None = None
        """Lines under the pose's title while the length colours show (the iliopsoas parts'
        changes in numbers, and why psoas differs from iliacus)."""
        self._length_note: tuple[Pose, str] | None = None
        self.anatomy_on_screen: Callable[[], NDArray[np.float64] | None] | None = None
        """Display (x, y) of the anatomy shown; when set, the length key takes the bottom
        corner that covers the least of it (a side view's gluteus maximus, a seated femur)."""
        self.ghost_in_view: Callable[[], bool] = lambda: False
        """True while the standing ghost is drawn: the title then ends with :data:`GHOST_NOTE`."""
        self.moving: Callable[[], bool] = lambda: False
        """True while the view moves: the key keeps its corner (no projection per frame)."""
        self.key_left = False
        """True while the length key sits on the left (chosen in :meth:`_fit`); it may also move
        up under the title on the right."""
        self._camera_seen: object = None
        self._note: tuple[Pose, str] | None = None
        self._props: list[vtkActor2D] = []
        self._title_texts: list[vtkTextActor] = []
        self._key_texts: list[vtkTextActor] = []
        self._fitted: object = None
        self._title_layout: object = None
        """(frame size, top band, (font size, bold) per row) the title actors were made for."""
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._fit)
        state.pose_changed.connect(self._on_pose)

    # -- what to show ------------------------------------------------------------------------------
    @property
    def title_lines(self) -> tuple[str, str] | None:
        """(name, angles) shown now, ``None`` when no title is drawn."""
        pose = self.state.pose
        if not self.enabled or (pose.is_standing and not self.always and not self.lengths_shown):
            return None
        return posture_title(pose, self.plain)

    @property
    def note(self) -> str:
        """The extra line under the angles ("" when none), computed once per pose."""
        pose = self.state.pose
        if self.note_source is None or self.title_lines is None:
            return ""
        self._note = _once_per_pose(self._note, self.note_source, pose)
        return plain_note(self._note[1]) if self.plain else self._note[1]

    @property
    def length_note(self) -> str:
        """The line under the length key ("" when none), computed once per pose."""
        pose = self.state.pose
        if self.length_note_source is None or not self.lengths_shown:
            return ""
        self._length_note = _once_per_pose(self._length_note, self.length_note_source, pose)
        return self._length_note[1]

    @property
    def unshown(self) -> str:
        """The line saying the upper back's rounding is not drawn (no skin shown), or ""."""
        if self.title_lines is None:
            return ""
        skin_shown = bool(self.state.drawn_skins())
        return unshown_rounding_text(self.state.pose, skin_shown, self.plain)

    def set_lengths_shown(self, shown: bool) -> None:
        """Show or hide the length-colour key (with the colours themselves)."""
        self.lengths_shown = shown
        self._fitted = None
        self.renderer.Modified()

    def set_plain(self, plain: bool) -> None:
        """Patient mode: the title in everyday words (see :mod:`viewer.domain.posture_words`)."""
        self.plain = plain
        self._fitted = None
        self.renderer.Modified()

    def set_always(self, always: bool) -> None:
        """Title the standing pose too."""
        self.always = always
        self._fitted = None

    def set_top(self, top_px: int) -> None:
        """Keep ``top_px`` pixels at the top free (a caption band)."""
        self.top_px = top_px
        self._fitted = None

    def _on_pose(self, _pose: Pose) -> None:
        self._fitted = None

    # -- boxes for the label layout ---------------------------------------------------------------
    def title_box(self) -> Box | None:
        """(x0, y0, x1, y1) of the title block in display pixels, ``None`` when not shown."""
        self._fit()
        return self._box(self._title_texts)

    def key_box(self) -> Box | None:
        """(x0, y0, x1, y1) of the length key, ``None`` when not shown."""
        self._fit()
        return self._box(self._key_texts)

    def _box(self, texts: list[vtkTextActor]) -> Box | None:
        if not texts:
            return None
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        for actor in texts:
            bb = [0.0] * 4
            actor.GetBoundingBox(self.renderer, bb)
            px, py = actor.GetPosition()
            x0, x1 = min(x0, px + bb[0]), max(x1, px + bb[1])
            y0, y1 = min(y0, py + bb[2]), max(y1, py + bb[3])
        return (x0 - 30.0, y0, x1, y1) if texts is self._key_texts else (x0, y0, x1, y1)

    # -- drawing ----------------------------------------------------------------------------------
    def _clear(self) -> None:
        for actor in self._props:
            self.renderer.RemoveViewProp(actor)
        self._props, self._title_texts, self._key_texts = [], [], []
        self._title_layout = None

    def _clear_key(self) -> None:
        """Remove the length key's props, keep the title's."""
        for actor in self._props:
            if actor not in self._title_texts:
                self.renderer.RemoveViewProp(actor)
        self._props, self._key_texts = list(self._title_texts), []

    def _fit(self, *_args: object) -> None:
        width, height = self.renderer.GetSize()
        lines = self.title_lines
        note = self.note
        unshown = self.unshown
        ghost = lines is not None and self.ghost_in_view()
        length_note = self.length_note if self.enabled else ""
        key = (
            width,
            height,
            lines,
            note,
            unshown,
            ghost,
            self.lengths_shown and self.enabled,
            length_note,
            self.top_px,
            self._camera_signature(),
        )
        if key == self._fitted:
            return
        self._fitted = key
        if width <= 0 or height <= 0:
            self._clear()
            return
        small = max(10, math.ceil(max(TEXT_FRACTION, 0.022) * height))
        margin = round(0.015 * height)
        rows: list[tuple[str, int, bool]] = []
        if lines is not None:
            big = max(12, round(TITLE_SHARE * height))
            limit = max(20, int(MAX_WIDTH_SHARE * width / (0.55 * small)))
            rows = [(lines[0], big, True)] + [(t, small, False) for t in wrap(lines[1], limit)]
            rows += [(t, small, True) for t in (wrap(note, limit) if note else [])]
            rows += [(t, small, False) for t in (wrap(unshown, limit) if unshown else [])]
            rows += [(t, small, False) for t in textwrap.wrap(length_note, limit)]
            rows += [(t, small, False) for t in (wrap(GHOST_NOTE, limit) if ghost else [])]
        layout = (width, height, self.top_px, tuple((size, bold) for _, size, bold in rows))
        if rows and layout == self._title_layout:
            # A posture drag changes only the angles: new text in the same actors (new actors
            # each frame meant new textures and a changed prop list for the reduced frames).
            for actor, (text, _, _) in zip(self._title_texts, rows, strict=True):
                actor.SetInput(text)
            self._clear_key()
        else:
            self._clear()
            self._title_layout = layout
            y = height - self.top_px - margin
            for text, size, bold in rows:
                y -= round(size * 1.25)
                actor = _text(self.renderer, text, 0, y, size, bold=bold)
                actor.GetTextProperty().SetJustificationToRight()
                actor.SetPosition(width - margin, y)
                self._add(actor, self._title_texts)
        if self.lengths_shown and self.enabled:
            s = round(1.3 * small)
            y = margin
            texts: list[vtkTextActor] = []
            for label, colour in reversed(LENGTH_ROWS):
                actor = _text(self.renderer, label, 0, y + 0.1 * s, small)
                actor.GetTextProperty().SetJustificationToRight()
                actor.SetPosition(width - margin, y + 0.1 * s)
                texts.append(actor)
                self._add(actor, self._key_texts)
                rgb = hex_to_rgb(colour)
                text_w = self._width(actor)
                x1 = width - margin - text_w - 0.4 * s
                self._add(_patch([(x1 - s, y, x1, y + s)], rgb), None)
                y += round(1.4 * s)
            head = _text(self.renderer, "Muscle length vs standing", 0, y, small, bold=True)
            head.GetTextProperty().SetJustificationToRight()
            head.SetPosition(width - margin, y)
            self._add(head, self._key_texts)
            self._place_key(width, height, margin)

    def _camera_signature(self) -> object:
        """Where the camera is, when the key's corner depends on it (else nothing)."""
        if self.anatomy_on_screen is None or not self.lengths_shown:
            return None
        if self.moving():
            return self._camera_seen
        camera = self.renderer.GetActiveCamera()
        self._camera_seen = (camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewUp())
        return self._camera_seen

    def _place_key(self, width: int, height: int, margin: int) -> None:
        """Move the length key where it covers the least anatomy: bottom right (wins ties:
        where readers look for it), under the title on the right, bottom left or top left."""
        self.key_left = False
        if self.anatomy_on_screen is None:
            return
        box = self._box(self._key_texts)
        if box is None:
            return
        try:
            xy = self.anatomy_on_screen()
        except Exception:  # placement is a nicety: keep the default corner
            return
        if xy is None or not len(xy):
            return
        x0, y0, x1, y1 = box
        dx = margin - x0
        dy = (height - self.top_px - margin) - y1
        title = self._box(self._title_texts)
        below_title = (title[1] - margin - y1) if title is not None else dy
        best, shift = _covered(xy, box), (0.0, 0.0)
        for sx, sy in ((0.0, below_title), (dx, 0.0), (dx, dy)):
            if sy > 0 and y0 + sy < margin:
                continue
            count = _covered(xy, (x0 + sx, y0 + sy, x1 + sx, y1 + sy))
            if count < best:
                best, shift = count, (sx, sy)
        if shift == (0.0, 0.0):
            return
        self.key_left = shift[0] != 0.0
        for actor in [a for a in self._props if a not in self._title_texts]:
            px, py = actor.GetPosition()
            actor.SetPosition(px + shift[0], py + shift[1])

    def _width(self, actor: vtkTextActor) -> float:
        bb = [0.0] * 4
        actor.GetBoundingBox(self.renderer, bb)
        return bb[1] - bb[0]

    def _add(self, actor: vtkActor2D, texts: list[vtkTextActor] | None) -> None:
        self.renderer.AddViewProp(actor)
        self._props.append(actor)
        if texts is not None and isinstance(actor, vtkTextActor):
            texts.append(actor)

    def detach(self) -> None:
        """Stop observing; remove the props."""
        self.state.pose_changed.disconnect(self._on_pose)
        self.renderer.RemoveObserver(self._tag)
        self._clear()


def _once_per_pose(
    cached: tuple[Pose, str] | None, source: Callable[[Pose], str], pose: Pose
) -> tuple[Pose, str]:
    """``(pose, text)`` from ``cached`` if it is for ``pose``, else from ``source`` (a note is a
    nicety: an error in it gives no text and never breaks a frame)."""
    if cached is not None and cached[0] == pose:
        return cached
    try:
        text = source(pose)
    except Exception:
        text = ""
    return (pose, text)


def _covered(xy: NDArray[np.float64], box: Box) -> int:
    """How many of the display points ``xy`` lie inside ``box``."""
    x0, y0, x1, y1 = box
    inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    return int(inside.sum())


def anatomy_on_screen(
    scene: object, sample: int = 4000, min_opacity: float | None = None
) -> Callable[[], NDArray[np.float64] | None]:
    """Display (x, y) of up to ``sample`` points of what ``scene`` shows (for
    :attr:`PostureKey.anatomy_on_screen`); ``None`` while the scene moves (the key keeps its
    corner until the view rests, so moving frames do no projection work). Structures drawn
    fainter than ``min_opacity`` (default: the ghosts, :data:`GHOST_PICK_OPACITY`) and the
    skin are left out; the posture guides' words pass a lower one, since a word over a
    vertebra drawn at 0.3 does not read either."""
    from viewer.render.scene_renderer import SceneRenderer

    assert isinstance(scene, SceneRenderer)

    def points() -> NDArray[np.float64] | None:
        if scene.interacting:
            return None
        from viewer.render.scene_renderer import GHOST_PICK_OPACITY

        state = scene.state
        chunks = []
        for s in scene.loaded.atlas.renderable:  # solid anatomy only: skin and ghosts are faint
            if s.kind is Kind.SKIN or not state.is_visible(s.id):
                continue
            faint = GHOST_PICK_OPACITY if min_opacity is None else min_opacity
            if state.opacity(s.id) < faint:
                continue
            drawn = scene.drawn_points(s.id, light=True)
            if drawn is not None and len(drawn):
                chunks.append(drawn)
        if not chunks:
            return None
        pts = np.concatenate(chunks)
        pts = pts[:: max(1, len(pts) // sample)]
        renderer = scene.renderer
        w, h = renderer.GetSize()
        if not w or not h:
            return None
        camera = renderer.GetActiveCamera()
        m = camera.GetCompositeProjectionTransformMatrix(w / h, -1.0, 1.0)
        mat = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
        hom = np.c_[pts, np.ones(len(pts))] @ mat.T
        front = hom[:, 3] > 1e-9
        ndc = hom[front, :2] / hom[front, 3:4]
        out: NDArray[np.float64] = np.c_[(ndc[:, 0] + 1.0) * 0.5 * w, (ndc[:, 1] + 1.0) * 0.5 * h]
        return out

    return points


def iliopsoas_note_source(loaded: object) -> Callable[[Pose], str]:
    """For the length key: the right iliopsoas parts' changes and why psoas differs from
    iliacus (:func:`viewer.domain.balance.iliopsoas_length_note`)."""
    from viewer.domain.balance import ILIOPSOAS_PARTS, iliopsoas_length_note

    def note(pose: Pose) -> str:
        if pose.is_standing:
            return ""
        from viewer.io.posture import shared_posture_model

        model = shared_posture_model(loaded)  # type: ignore[arg-type]
        ids = [f"{p}_right" for p in ILIOPSOAS_PARTS if f"{p}_right" in model.muscle_ids]
        found = {m.id: (m.length_mm, m.standing_length_mm) for m in model.lengths(pose, ids)}
        return iliopsoas_length_note(found, pose)

    return note


def tight_note_source(loaded: object) -> Callable[[Pose], str]:
    """For a one-side-tight pose: how much each side's iliopsoas changed (the picture's third
    title line); "" for any other pose."""
    from viewer.domain.balance import ILIOPSOAS_PARTS, tight_note, tight_side_of

    def note(pose: Pose) -> str:
        side = tight_side_of(pose)
        if side is None:
            return ""
        from viewer.io.posture import shared_posture_model

        model = shared_posture_model(loaded)  # type: ignore[arg-type]
        ids = [f"{p}_{s}" for p in ILIOPSOAS_PARTS for s in ("right", "left")]
        ids = [i for i in ids if i in model.muscle_ids]
        found = {m.id: (m.length_mm, m.standing_length_mm) for m in model.lengths(pose, ids)}
        return tight_note(found, side)

    return note
