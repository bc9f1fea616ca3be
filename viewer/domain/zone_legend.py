"""Which zone kinds a heat-map legend lists: only those the picture draws.

A legend row is a promise that the picture shows that colour. The lower-psoas map has a
spillover zone on the low back, so seen from the front the legend listed a striped "spillover"
swatch no painted skin matched (gallery views 13 and 15, lesson step 10). A kind is listed when
enough skin vertices of that class face the camera inside the frame. Front-facing is the test
for "drawn" because the skin is the outermost surface: a vertex turned away is on the far side
of the body. Pure NumPy, no Qt or VTK; the render layer asks on still frames only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from viewer.domain.labels import project_points
from viewer.domain.referral import ZoneClass

MIN_SEEN_VERTICES = 3
"""Fewest seen vertices of a class for its row: one or two vertices at a grazing angle are a
speck no reader would match to a swatch."""

MIN_FACING = 0.15
"""Cosine between a vertex normal and the direction to the eye above which it counts as seen
(about 81 degrees: skin seen nearly edge-on shows its colour as a line, not a patch)."""

LEGEND_ORDER = (ZoneClass.ESSENTIAL, ZoneClass.SPILLOVER)
"""Rows in the order the legend draws them."""


def seen_vertices(
    points: NDArray[Any],
    normals: NDArray[Any] | None,
    eye: tuple[float, float, float],
    matrix: NDArray[Any],
    viewport: tuple[float, float],
) -> NDArray[np.bool_]:
    """Mask of skin vertices the camera sees: inside the frame and facing the eye (all inside
    the frame when no normals are known)."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    _, inside = project_points(p, matrix, viewport)
    if normals is None:
        return inside
    n = np.asarray(normals, dtype=np.float64).reshape(-1, 3)
    to_eye = np.asarray(eye, dtype=np.float64) - p
    dist = np.linalg.norm(to_eye, axis=1)
    facing = np.einsum("ij,ij->i", n, to_eye) > MIN_FACING * np.maximum(dist, 1e-9)
    out: NDArray[np.bool_] = inside & facing
    return out


def legend_classes(
    classes: NDArray[Any], seen: NDArray[np.bool_] | None = None
) -> tuple[ZoneClass, ...]:
    """Zone kinds to list, in legend order: those with at least :data:`MIN_SEEN_VERTICES`
    vertices among the ``seen`` ones (all vertices when ``seen`` is ``None``)."""
    c = np.asarray(classes).reshape(-1)
    if seen is not None:
        c = c[np.asarray(seen, dtype=bool).reshape(-1)]
    counts = np.bincount(c.astype(np.int64), minlength=3)
    return tuple(k for k in LEGEND_ORDER if counts[k.value] >= MIN_SEEN_VERTICES)


FACES = (
    ((0.0, 1.0), "on the back", "Back"),
    ((0.0, -1.0), "on the front", "Front"),
    ((1.0, 0.0), "on the left side", "Left side"),
    ((-1.0, 0.0), "on the right side", "Right side"),
)
"""Outward directions (atlas LPS x, y) of the four faces the patient panel turns the body to,
how a key says a map lies there, and the panel's button that shows it."""


def away_note(normals: NDArray[Any] | None, classes: NDArray[Any]) -> str:
    """``on the back – turn to Back``: where a map nobody can see lies, for the key.

    A patient picked a muscle whose map lies on the back while the body faced them; the key
    showed its title and nothing else painted. The face is the one the map's vertices face
    most (its main zones' normals summed; all zones' when it has none); ``""`` without normals.
    """
    if normals is None or not len(normals):
        return ""
    c = np.asarray(classes).reshape(-1)
    n = np.asarray(normals, dtype=np.float64).reshape(-1, 3)
    main = c == ZoneClass.ESSENTIAL.value
    total = n[main].sum(axis=0) if main.any() else n.sum(axis=0)
    words, button = max(FACES, key=lambda f: f[0][0] * total[0] + f[0][1] * total[1])[1:]
    return f"{words} – turn to {button}"
