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
* an edge half-way between two horizontal directions (a view from front-right) gets both
  ("Front-left"), and an edge pointing nowhere in particular gets no word.

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
edge lies near the diagonal between the two) names both, "Front-left"."""

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

    def items(self) -> tuple[tuple[str, str], ...]:
        """``(edge, word)`` for the edges that have a word, in top, bottom, left, right order."""
        pairs = (("top", self.top), ("bottom", self.bottom), ("left", self.left),
                 ("right", self.right))
        return tuple((edge, word) for edge, word in pairs if word)

    def __bool__(self) -> bool:
        return bool(self.items())


def _unit(v: ArrayLike) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).reshape(3)
    n = float(np.linalg.norm(a))
    if n == 0.0 or not np.isfinite(n):
        raise ValueError("a camera direction must be a finite, non-zero vector")
    return a / n


def screen_axes(direction_of_projection: ArrayLike, view_up: ArrayLike) -> tuple[
    np.ndarray, np.ndarray
]:
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
    for score, word in ranked[1:]:
        if word in _HORIZONTAL and score >= COMPOUND_MIN:
            order = [w for w, _ in BODY_DIRECTIONS]
            first, second = sorted((best, word), key=order.index)
            return f"{first}-{second.lower()}"
    return best


def looks_end_on(direction: ArrayLike) -> bool:
    """True for a camera looking down or up the body's long axis (either sign of
    ``direction``): the views from above and below, where the trunk is seen end-on."""
    try:
        return abs(float(_unit(direction)[2])) >= END_ON_MIN
    except ValueError:
        return False


def orientation_words(direction_of_projection: ArrayLike, view_up: ArrayLike) -> EdgeWords:
    """Words for the four edges of a picture taken looking along ``direction_of_projection``
    with ``view_up`` upward (see the module docstring); all empty for a degenerate camera."""
    try:
        right, up = screen_axes(direction_of_projection, view_up)
    except ValueError:
        return EdgeWords()
    upright = float(up[2]) >= UPRIGHT_MIN
    return EdgeWords(
        top=edge_word(up, upright, "top"),
        bottom=edge_word(-up, upright, "bottom"),
        left=edge_word(-right, upright),
        right=edge_word(right, upright),
    )
