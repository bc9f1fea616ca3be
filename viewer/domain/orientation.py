"""Which way is front, back, right and left in a picture: words for the edges of the view.

A view from above or from the side gives no clue which way the body faces: a lecturer would
not project the superior view (a knot of cut muscle tops) or the side views without "Front" and
"Back" on them, as an anatomy atlas prints. :func:`orientation_words` names, for any camera
(direction of projection and view-up), the body direction each edge of the picture points to,
against the atlas's body axes (LPS: +x the body's left, +y posterior, +z superior):

* from above or below: "Front"/"Back" and the body's "Right"/"Left";
* from a side: "Front"/"Back";
* from the front or back: the body's "Right"/"Left" (from the front the body's right is on the
  reader's left, which is exactly what gets misread);
* an oblique view (from behind and the right, say) gets no compound edge words: a lecturer
  found "Front-right"/"Back-left" at the edges hard to use on a projector, since the reader has
  to combine two directions at each edge. The picture is captioned instead with where the
  viewer stands, "Seen from behind and the right" (:func:`view_caption`);
* beside compare mode's body maps, whose own headings are "Front" and "Back", the edge words
  would read as headings of the maps: there the 3D half carries only its caption
  (``caption_only``).

An edge pointing nowhere in particular gets no word.

The head-to-feet axis is named only when it is not simply up the picture (a rolled camera): an
upright body needs no "Head" over it. Pure Python and NumPy; no Qt, no VTK.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

BODY_DIRECTIONS: tuple[tuple[str, tuple[float, float, float]], ...] = (
    ("Front", (0.0, -1.0, 0.0)),
    ("Back", (0.0, 1.0, 0.0)),
    ("Right", (-1.0, 0.0, 0.0)),
    ("Left", (1.0, 0.0, 0.0)),
    ("Head", (0.0, 0.0, 1.0)),
    ("Feet", (0.0, 0.0, -1.0)),
)
"""Body directions in the atlas frame (LPS), in the order compound words are written."""

WORD_MIN = 0.5
"""An edge names a body direction within 60 degrees of it (cosine); farther, it names none."""

COMPOUND_MIN = 0.6
"""An edge whose second horizontal direction is this close too (within about 53 degrees: the
edge lies near the diagonal between the two) is oblique: it gets no word, and the picture is
captioned with where the viewer stands instead."""

UPRIGHT_MIN = 0.5
"""View-up this close to the head (cosine): the body stands upright in the picture and "Head"
over it and "Feet" under it go without saying."""

END_ON_MIN = 0.8
"""A camera looking this much (cosine, about 37 degrees) along the head-to-feet axis sees the
body end-on, from above or below."""

_HORIZONTAL = frozenset({"Front", "Back", "Right", "Left"})


@dataclass(frozen=True)
class EdgeWords:
    """The word at each edge of the picture ("" for none): the body direction that edge faces."""

    top: str = ""
    bottom: str = ""
    left: str = ""
    right: str = ""
    caption: str = ""
    """Where the viewer stands ("Seen from behind and the right"), for views the edge words
    cannot name simply; drawn along the bottom (or top) edge."""

    def items(self) -> tuple[tuple[str, str], ...]:
        """``(edge, word)`` for the edges that have a word, in top, bottom, left, right order."""
        pairs = (
            ("top", self.top),
            ("bottom", self.bottom),
            ("left", self.left),
            ("right", self.right),
        )
        return tuple((edge, word) for edge, word in pairs if word)

    def __bool__(self) -> bool:
        return bool(self.items()) or bool(self.caption)


def _unit(v: ArrayLike) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).reshape(3)
    n = float(np.linalg.norm(a))
    if n == 0.0 or not np.isfinite(n):
        raise ValueError("a camera direction must be a finite, non-zero vector")
    return a / n


def screen_axes(
    direction_of_projection: ArrayLike, view_up: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (atlas frame) pointing to the picture's right edge and to its top edge.

    The camera looks along ``direction_of_projection``; ``view_up`` need not be perpendicular
    to it (its part along the view is dropped, as the renderer does). Raises ``ValueError``
    when view-up runs along the view (no "up" on the screen).
    """
    d = _unit(direction_of_projection)
    up = np.asarray(view_up, dtype=np.float64).reshape(3)
    up = up - float(up @ d) * d
    n = float(np.linalg.norm(up))
    if n < 1e-9:
        raise ValueError("view-up runs along the viewing direction")
    up = up / n
    right = np.cross(d, up)  # looking along d with up upward, d x up points right
    return right, up


def edge_word(edge: ArrayLike, upright: bool = False, vertical_edge: str = "") -> str:
    """The word for one picture edge pointing along ``edge`` (unit vector, atlas frame).

    ``upright`` with ``vertical_edge`` "top" or "bottom" leaves out "Head" at the top and
    "Feet" at the bottom (obvious in an upright picture).
    """
    e = np.asarray(edge, dtype=np.float64).reshape(3)
    scores = [(float(e @ np.asarray(v)), word) for word, v in BODY_DIRECTIONS]
    ranked = sorted(scores, key=lambda s: -s[0])
    best_score, best = ranked[0]
    if best_score < WORD_MIN:
        return ""
    obvious = {"top": "Head", "bottom": "Feet"}.get(vertical_edge)
    if upright and best == obvious:
        return ""
    if best not in _HORIZONTAL:
        return best
    if _oblique(ranked):
        return ""
    return best


def _oblique(ranked: list[tuple[float, str]]) -> bool:
    """True when the edge lies near the diagonal between its two best horizontal directions."""
    best = ranked[0][1]
    return best in _HORIZONTAL and any(
        word in _HORIZONTAL and score >= COMPOUND_MIN for score, word in ranked[1:]
    )


def _edge_is_oblique(edge: np.ndarray) -> bool:
    scores = [(float(edge @ np.asarray(v)), word) for word, v in BODY_DIRECTIONS]
    ranked = sorted(scores, key=lambda s: -s[0])
    return ranked[0][0] >= WORD_MIN and _oblique(ranked)


CAPTION_MIN = 0.38
"""A direction of the viewer's position counts in the caption when it makes up this much of it
(cosine 0.38: within about 68 degrees), so a view 45 degrees round from behind is "from behind
and the right" while one 15 degrees round stays "from behind"."""

_VIEWER_SIDE = (
    ("behind", (0.0, 1.0, 0.0)),
    ("the front", (0.0, -1.0, 0.0)),
    ("the right", (-1.0, 0.0, 0.0)),
    ("the left", (1.0, 0.0, 0.0)),
    ("above", (0.0, 0.0, 1.0)),
    ("below", (0.0, 0.0, -1.0)),
)


def view_caption(direction_of_projection: ArrayLike) -> str:
    """Where the viewer stands, in plain words: "Seen from the right side", "Seen from
    behind and the right", "Seen from above and the front" ("" for a degenerate camera).

    The camera stands opposite to where it looks; the (at most two) body directions that make
    up most of its position are named, front or behind first, then the side, then above or
    below.
    """
    try:
        position = -_unit(direction_of_projection)
    except ValueError:
        return ""
    parts = sorted(
        ((float(position @ np.asarray(v)), word) for word, v in _VIEWER_SIDE), reverse=True
    )
    named = [word for score, word in parts[:2] if score >= CAPTION_MIN]
    order = [word for word, _ in _VIEWER_SIDE]
    named.sort(key=order.index)  # front/behind, then the side, then above/below, as said aloud
    if not named:
        return ""
    if len(named) == 1 and named[0] in ("the right", "the left"):
        return f"Seen from {named[0]} side"
    return "Seen from " + " and ".join(named)


def looks_end_on(direction: ArrayLike) -> bool:
    """True for a camera looking down or up the body's long axis (either sign of
    ``direction``): the views from above and below, where the trunk is seen end-on."""
    try:
        return abs(float(_unit(direction)[2])) >= END_ON_MIN
    except ValueError:
        return False


BEHIND_MIN = 0.5
"""A camera looking this much (cosine, within 60 degrees) from the back toward the front sees
the abdominal wall from behind, through the body."""


def leaves_out_front_ghosts(direction: ArrayLike) -> bool:
    """True for the views in which the starting ghosts (the abdominal wall, drawn faint so a
    front view shows where it lies over the psoas) are left out: end-on views
    (:func:`looks_end_on`) and views from behind.

    From behind, the faint rectus sheets lie on the far side of the trunk; they showed only as
    pale planks in the gaps between the erector spinae and the gluteal muscles, which a
    lecturer reads as an artefact, not as the abdominal wall.
    """
    if looks_end_on(direction):
        return True
    try:
        return float(_unit(direction)[1]) <= -BEHIND_MIN
    except ValueError:
        return False


def looks_down(direction: ArrayLike) -> bool:
    """True for a camera looking down the body's long axis (the view from above)."""
    try:
        return float(_unit(direction)[2]) <= -END_ON_MIN
    except ValueError:
        return False


def orientation_words(
    direction_of_projection: ArrayLike, view_up: ArrayLike, caption_only: bool = False
) -> EdgeWords:
    """Words for the four edges of a picture taken looking along ``direction_of_projection``
    with ``view_up`` upward (see the module docstring); all empty for a degenerate camera.

    An oblique view gets a ``caption`` in place of compound edge words; ``caption_only`` (the
    3D half of compare mode) gives the caption and no edge words at all.
    """
    try:
        right, up = screen_axes(direction_of_projection, view_up)
    except ValueError:
        return EdgeWords()
    if caption_only:
        return EdgeWords(caption=view_caption(direction_of_projection))
    upright = float(up[2]) >= UPRIGHT_MIN
    edges = {"top": up, "bottom": -up, "left": -right, "right": right}
    oblique = any(_edge_is_oblique(e) for e in edges.values())
    return EdgeWords(
        top=edge_word(up, upright, "top"),
        bottom=edge_word(-up, upright, "bottom"),
        left=edge_word(-right, upright),
        right=edge_word(right, upright),
        caption=view_caption(direction_of_projection) if oblique else "",
    )
