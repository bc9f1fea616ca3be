"""The title and key of a pair view, drawn in the picture (window, PNG export, slides).

Top left: the pair's title, then one row per side (colour swatch, muscle, force capacity, the
way it turns the joint), one row explaining the dark joint dots and the curved arrows, and the
source of the arrow lengths. Text sizes follow the frame height so the key stays readable on a
projector: the title about 3.4 % of the height, rows about 2.4 %.

The key is laid out either as a band across the top (its lines as long as the frame allows) or
as a narrow column down the left side (``column_px``: lines wrap to that width, rows a little
larger). A tall, narrow pair (psoas T12 to the femur, seen from the side) under a band got only
the lower two thirds of the height and used a fifth of a 16:9 slide's width; beside a column it
uses the whole height below the caption. :meth:`PairLegend.box` tells the camera and the label
layout where the key is.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkRenderingCore import vtkActor2D, vtkRenderer, vtkTextActor

from viewer.domain.balance import DEFAULT_TENSION, TIGHT_TENSION
from viewer.domain.mechanics import Pull, Turning
from viewer.domain.pairviews import ResolvedPairView
from viewer.domain.structures import hex_to_rgb
from viewer.render.legend import _patch, _text
from viewer.render.pair_overlay import JOINT_RGB

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in display pixels, y up."""

BESIDE_SLACK_PX = 8.0
"""How far the top-right block's left or bottom edge may move before the key is laid out again
(less than the key's gap beside it, 2 % of the height)."""

TITLE_SHARE = 0.034
ROW_SHARE = 0.024
NOTE_SHARE = 0.02
MIN_PX = 13
"""Smallest key text before lines wrap instead."""

ROW_SHRINK_MIN = 0.85
"""The key's rows share one size, shrunk at most to this share of the row size to keep the
longest on one line; below it that row wraps instead (the others keep the shared size)."""

COLUMN_ROW_SHARE = 0.028
COLUMN_NOTE_SHARE = 0.022
"""Row and note text in the column layout: wrapping costs height there, not width, so the rows
can be larger (about 20 px on a 1280x720 slide instead of 17)."""


def _short(sense: str) -> str:
    """``nutation (top of the sacrum tips forward)`` -> ``nutation``."""
    return sense.split(" (")[0]


def _bare(label: str) -> str:
    """``Iliacus (right)`` -> ``iliacus``: a part's name inside its side's row."""
    return label.split(" (")[0].lower()


TIGHT_WORDS = (
    "; tight here: modelled as shortened and stiff, so more tension at rest (passive, "
    "not a contraction), keeping this hip bent"
)
"""Appended to the row of the side whose iliopsoas the pose makes tight: lesson 11 named the
tight side only in the caption and the posture title, and a lecturer could not tell from the
key which coloured muscle it was. "Holds 80 % of its strength" read as a sustained active
contraction to a lecturer, and so did "short and stiff, pulling harder at rest (model's teaching
values 80 % vs 30 % of strength)": "of strength" is the words of an effort. What the balance
model assumes (viewer/domain/balance.py) is a tight, shortened muscle with more tension at rest,
the passive pull of a muscle that will not lengthen; the numbers (teaching values, not
measurements) are on the arrows' line (:func:`arrow_key`), where they set the arrows' length."""


def legend_rows(
    resolved: ResolvedPairView, tight_side: str | None = None
) -> list[tuple[str, str | None]]:
    """Rows of the key as (text, hex colour or None for the joint row), in reading order.

    ``tight_side`` (``"right"``/``"left"``) is the side whose iliopsoas the pose holds tight
    (the balance model's one-sided poses); that side's iliopsoas row says so."""
    pair = resolved.pair
    proposed = pair.rotation is not None and pair.rotation.proposed
    rows: list[tuple[str, str | None]] = []
    for side_name, side in (("a", pair.a), ("b", pair.b)):
        pulls: Sequence[Pull] = [p for p in resolved.pulls if p.side == side_name]
        text = side.label
        if len(pulls) == 1 and pulls[0].force_n is not None:
            text += f", {pulls[0].force_n:.0f} N"
        elif pulls and all(p.force_n is not None for p in pulls):
            names = [_bare(p.label) for p in pulls]
            firsts = {n.split()[0] for n in names}
            if len(firsts) == 1 and all(" " in n for n in names):
                names = [n.split(" ", 1)[1] for n in names]  # gluteus medius -> medius
            parts = [f"{n} {p.force_n:.0f} N" for n, p in zip(names, pulls, strict=True)]
            text += ": " + " + ".join(parts)
        turn: Sequence[Turning] = [t for t in resolved.turnings if t.side == side_name]
        if turn and turn[0].sign != 0:
            how = f", {side.via}" if side.via else ""
            lead = f"; proposed{how}: toward " if proposed else f"; turns{how}: "
            text += lead + _short(turn[0].sense)
        elif side.pull:
            text += f"; {side.pull}"
        if tight_side is not None and side.structures and all(
            "psoas" in s and s.endswith(f"_{tight_side}") for s in side.structures
        ):
            text += TIGHT_WORDS
        rows.append((text, side.color))
    if resolved.turnings:
        joints = sorted({t.joint_title for t in resolved.turnings})
        what = "proposed turning (small)" if proposed else "turning"
        arrows = "curved arrows" if len(resolved.turnings) > 1 else "curved arrow"
        rows.append((f"joint; {arrows}: {what} about the {' and '.join(joints)}", None))
    elif resolved.joints:
        rows.append(("joints the muscles cross", None))
    return rows


def arrow_kinds(resolved: ResolvedPairView) -> tuple[bool, bool]:
    """(straight arrows drawn, curved arrows drawn) for ``resolved``: a pull whose side turns
    its joint without a ring of its own is drawn as a lever arc; a turning at its own level is
    a ring round the axis and its pull stays straight."""
    turning = {t.side: t for t in resolved.turnings if t.sign != 0}
    lever = {side for side, t in turning.items() if t.level_mm is None}
    straight = any(p.side not in lever for p in resolved.pulls)
    return straight, bool(turning)


def arrow_key(resolved: ResolvedPairView, source: str = "", held: bool = False) -> str:
    """The key's small line on arrows, naming only the kinds this view draws (lessons 3, 5 and
    6 explained straight arrows on slides that had only curved ones), then ``source`` (where
    the force capacities come from) in brackets. ``held``: the arrows show the pull each side
    holds in a one-side-tight pose (:func:`viewer.domain.balance.held_pulls`), not capacity."""
    straight, curved = arrow_kinds(resolved)
    if held and straight and not curved:
        # A ratio, not shares of strength: "80 % of strength" at rest reads as some 1,900 N of
        # passive pull on the slide, which a lecturer called implausible; the model's shares
        # are teaching values whose ratio alone sets the arrows (the notes give both).
        text = (
            f"Arrows: tension at rest in the model, tight side about "
            f"{TIGHT_TENSION / DEFAULT_TENSION:.1f} times the other (teaching values), "
            "one scale per view"
        )
    elif straight and curved:
        text = "Straight arrows: longer = stronger, one scale per view; curved: not to scale"
    elif straight:
        text = "Arrows: longer = stronger, one scale per view"
    elif curved:
        text = "Curved arrows: which way each side turns the joint, not to scale"
    else:
        text = ""
    if source and text:
        return f"{text} ({source})"
    return text or source


_UNIT = re.compile(r"(\d) (N\b)")


def _wrap(text: str, chars: int) -> str:
    """``text`` wrapped to ``chars`` a line, never between a number and its unit ("977 N")."""
    glued = _UNIT.sub("\\1\0\\2", text)
    return "\n".join(textwrap.wrap(glued, chars)).replace("\0", " ")


class PairLegend:
    """Title and key of the active pair view in one renderer's top-left corner."""

    def __init__(self, renderer: vtkRenderer) -> None:
        self.renderer = renderer
        self._props: list[vtkActor2D] = []
        self._width = 0
        self.show_title = True
        """False when something else titles the frame (a lesson caption)."""
        self.top_px = 0
        """Pixels at the top of the frame left free for others (a caption)."""
        self.bottom_px = 0.0
        """Lowest pixel row the key uses (the camera keeps the muscles below it)."""
        self.right_px = 0.0
        """Rightmost pixel column the key uses (in the column layout the camera keeps the
        muscles right of it)."""
        self.column_px = 0
        """Width of the column layout in pixels (0: a band across the top)."""
        self.tight_side: Callable[[], str | None] = lambda: None
        """The side whose iliopsoas the current pose holds tight, if any (see
        :func:`legend_rows`)."""
        self.beside: Callable[[], Box | None] = lambda: None
        """A block in the top right corner (the posture title, display pixels, y up) the key's
        lines keep left of: lesson 11's long tight-side row ran under it."""
        self.beside_box: Box | None = None
        """That block as it was when the key was laid out (see :meth:`beside_moved`)."""

    def show(
        self,
        resolved: ResolvedPairView,
        note: str = "",
        height_px: int = 800,
        width_px: int = 0,
        column_px: int | None = None,
    ) -> None:
        """Replace the key with the one of ``resolved``; sizes follow ``height_px``.

        A line wider than ``width_px`` (the renderer's width; 0 = no limit) gets a smaller font,
        and the source note wraps, so nothing is cut off in a half-width compare view.
        ``column_px`` (default: the layout last asked for) > 0 lays the key out as a column of
        that width down the left side, its lines wrapped rather than shrunk.
        """
        self.clear()
        self.beside_box = self.beside()
        if column_px is not None:
            self.column_px = max(0, int(column_px))
        column = self.column_px > 0
        self._width = int(width_px)
        if column:
            self._width = min(self._width, self.column_px) if self._width else self.column_px
        h = max(int(height_px), 240)
        title_px = max(14, round(h * TITLE_SHARE))
        row_px = max(12, round(h * (COLUMN_ROW_SHARE if column else ROW_SHARE)))
        note_px = max(11, round(h * (COLUMN_NOTE_SHARE if column else NOTE_SHARE)))
        x = round(0.015 * h)
        y = h - self.top_px - round(0.015 * h) - title_px
        if self.show_title:
            title = _text(self.renderer, resolved.pair.display_title, x, y, title_px, bold=True)
            lines = self._fit(title, x)
            y -= round(title.GetTextProperty().GetFontSize() * 1.2) * (lines - 1)
            title.SetPosition(x, y)
            self._props.append(title)
            y -= round(row_px * 1.6)
        else:
            y += title_px - row_px
        s = row_px
        rows = legend_rows(resolved, self.tight_side())
        shared_px = self._shared_row_px([text for text, _ in rows], x + s * 1.5, y, row_px)
        for text, color in rows:
            row = _text(self.renderer, text, x + s * 1.5, y, shared_px)
            lines = self._fit(row, x + s * 1.5, shrink=False)
            y -= round(row.GetTextProperty().GetFontSize() * 1.2) * (lines - 1)
            row.SetPosition(x + s * 1.5, y)
            if color is None:
                r = s * 0.36
                cx, cy = x + s / 2, y + s / 2
                self._props.append(_patch([(cx - r, cy - r, cx + r, cy + r)], JOINT_RGB))
            else:
                bar = (x, y + s * 0.3, x + s, y + s * 0.7)
                self._props.append(_patch([bar], hex_to_rgb(color)))
            self._props.append(row)
            note_px = min(note_px, row.GetTextProperty().GetFontSize())
            y -= round(row_px * 1.45)
        if note and resolved.pulls:
            limit = self._width - 2 * x if self._width else 0
            chars = max(30, int(limit / (0.52 * note_px))) if limit else len(note)
            wrapped = textwrap.wrap(note, chars)
            y -= round(note_px * 1.2) * (len(wrapped) - 1)
            self._props.append(_text(self.renderer, "\n".join(wrapped), x, y, note_px))
            y -= round(0.3 * note_px)
        self.bottom_px = float(y)
        self.right_px = 0.0
        for prop in self._props:
            self.renderer.AddViewProp(prop)
            self.right_px = max(self.right_px, self._right_edge(prop))

    def _right_edge(self, prop: vtkActor2D) -> float:
        """Right edge of one of the key's props in display pixels."""
        if isinstance(prop, vtkTextActor):
            box = [0.0, 0.0, 0.0, 0.0]
            prop.GetBoundingBox(self.renderer, box)
            return float(prop.GetPosition()[0] + box[1])
        mapper: Any = prop.GetMapper()  # a vtkPolyDataMapper2D (see legend._patch)
        return float(mapper.GetInput().GetBounds()[1])

    def beside_moved(self) -> bool:
        """Has the top-right block come, gone or moved since the key was laid out (a pose
        applied after the pair view was chosen)? The key is then laid out again.

        Moves under :data:`BESIDE_SLACK_PX` do not count: dragging a pose rewrites the title's
        angles every frame ("17°", "18°"), and the key's margin beside it absorbs that much."""
        if not self._props:
            return False
        now, then = self.beside(), self.beside_box
        if now is None or then is None:
            return (now is None) != (then is None)
        return abs(now[0] - then[0]) > BESIDE_SLACK_PX or abs(now[1] - then[1]) > BESIDE_SLACK_PX

    def box(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the key in display pixels (y up), ``None`` while none is shown:
        the label layout keeps joint names off it."""
        if not self._props:
            return None
        h = self.renderer.GetSize()[1]
        return (0.0, self.bottom_px, self.right_px, float(h - self.top_px))

    def _shared_row_px(self, texts: list[str], x: float, y: float, row_px: int) -> int:
        """One font size for all the key's rows: as small as the longest row needs to stay on
        one line, but no smaller than :data:`ROW_SHRINK_MIN` of ``row_px``; a row still too
        long wraps. Each row shrunk on its own, a long one (pair 1's psoas) read in a smaller
        font than the row under it."""
        size = row_px
        floor = max(MIN_PX, round(row_px * ROW_SHRINK_MIN))
        for text in texts:
            probe = _text(self.renderer, text, x, y, row_px)
            self._fit(probe, x, wrap=False)
            size = min(size, max(floor, probe.GetTextProperty().GetFontSize()))
        return size

    def _fit(self, actor: vtkTextActor, x: float, shrink: bool = True, wrap: bool = True) -> int:
        """Make ``actor`` fit the renderer's width: a smaller font down to :data:`MIN_PX` (unless
        not ``shrink``), then (if ``wrap``) wrapped lines. Returns the number of lines."""
        if not self._width:
            return 1
        prop = actor.GetTextProperty()
        limit = self._width * 0.99 - x
        block = self.beside_box
        beside = block is not None and actor.GetPosition()[1] + 2 * prop.GetFontSize() > block[1]
        if block is not None and beside:
            # a line at the height of the top-right block stops short of it, wrapped at the
            # rows' size (shrunk, it read smaller than the other side's row)
            limit = min(limit, block[0] - 0.02 * self.renderer.GetSize()[1] - x)
        box = [0.0, 0.0, 0.0, 0.0]

        def width() -> float:
            actor.GetBoundingBox(self.renderer, box)
            return box[1] - box[0]

        # A column keeps its size and wraps; a band shrinks first (one line reads best there).
        while (
            shrink
            and width() > limit
            and prop.GetFontSize() > MIN_PX
            and not (self.column_px or beside)
        ):
            prop.SetFontSize(max(MIN_PX, int(prop.GetFontSize() * 0.9)))
        if not wrap:
            return 1
        text = actor.GetInput()
        chars = len(text)
        while width() > limit and chars > 12:
            chars = int(chars * 0.85)
            actor.SetInput(_wrap(text, chars))
        return actor.GetInput().count("\n") + 1

    @property
    def actors(self) -> tuple[vtkActor2D, ...]:
        """The 2D props drawn (tests and the label layout read their positions)."""
        return tuple(self._props)

    def text(self) -> str:
        """Everything the key says, one line per prop with text (for tests)."""
        return "\n".join(p.GetInput() for p in self._props if isinstance(p, vtkTextActor))

    def clear(self) -> None:
        """Remove the title and key."""
        for prop in self._props:
            self.renderer.RemoveViewProp(prop)
        self._props.clear()
