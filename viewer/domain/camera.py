"""Named camera views as data, in the atlas frame (LPS: +x left, +y posterior, +z superior).

A preset stores only a viewing direction and an up vector; the renderer frames whatever is visible.
Left/right variants are produced by :func:`mirror`, so a pair view authored for the right side has a
true mirror image for the left side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

Vector = tuple[float, float, float]


@dataclass(frozen=True)
class CameraPreset:
    """A named view: the camera sits along ``direction`` from the focus, with ``view_up`` upward.

    ``zoom`` > 1 moves closer than the fit-to-visible distance. ``focus`` optionally pins the focal
    point (atlas mm); otherwise the renderer centres on the visible structures. ``frame`` names
    structures the view is about: when any of them is shown, the camera frames those (with their
    visible neighbours in the picture) instead of everything.
    """

    name: str
    title: str
    direction: Vector
    view_up: Vector
    shortcut: str = ""
    zoom: float = 1.0
    focus: Vector | None = None
    frame: tuple[str, ...] = ()


STORY_FRAME = ("iliopsoas_right", "iliopsoas_left", "vertebra_t12")
"""The opening picture's subject: both iliopsoas from T12 to the lesser trochanters."""

STANDARD_VIEWS: tuple[CameraPreset, ...] = (
    CameraPreset(
        "opening",
        "Opening view (iliopsoas)",
        (0.0, -1.0, 0.0),
        (0.0, 0.0, 1.0),
        frame=STORY_FRAME,
    ),
    CameraPreset("anterior", "Anterior", (0.0, -1.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+1"),
    CameraPreset("posterior", "Posterior", (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+2"),
    CameraPreset("left", "Left lateral", (1.0, 0.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+3"),
    CameraPreset("right", "Right lateral", (-1.0, 0.0, 0.0), (0.0, 0.0, 1.0), "Ctrl+4"),
    CameraPreset("superior", "Superior", (0.0, 0.0, 1.0), (0.0, -1.0, 0.0), "Ctrl+5"),
    CameraPreset("inferior", "Inferior", (0.0, 0.0, -1.0), (0.0, -1.0, 0.0), "Ctrl+6"),
    CameraPreset(
        "anterolateral_right", "Anterolateral (right)", (-0.7071, -0.7071, 0.0), (0.0, 0.0, 1.0)
    ),
    CameraPreset(
        "posterolateral_right", "Posterolateral (right)", (-0.7071, 0.7071, 0.0), (0.0, 0.0, 1.0)
    ),
    # Mostly from the side, turned 23 degrees to the front and a little from above: a hip bent
    # forward shows nearly at its full angle, and the far side's muscles show beside the near
    # side's instead of behind them (left vs right with one side tight, lesson step 11).
    CameraPreset(
        "oblique_right",
        "Oblique (right)",
        (-0.909009, -0.384004, 0.162002),
        (0.149232, 0.063042, 0.986791),
    ),
    # From the front and right, a little from above: iliopsoas crossing the front of the hip
    # with gluteus medius and minimus on the side of the ilium, and rings round the hip's
    # vertical axis open enough to show their sense (lesson step 8; seen level they were flat).
    CameraPreset(
        "anterolateral_above_right",
        "Front-right, from above",
        (-0.417916, -0.79603, 0.437816),
        (0.203512, 0.387642, 0.899064),
    ),
)
"""The views every anatomy viewer offers, keyed by name; the default is the first.

The first is the story's opening picture: the atlas is about how the iliopsoas relates to back
pain, so a new user first sees it whole, from the front, filling the view.
"""

DEFAULT_VIEW = STANDARD_VIEWS[0].name


def view_by_name(name: str) -> CameraPreset:
    """Return a standard view (or a mirrored ``*_left`` variant); the error lists valid names."""
    for preset in STANDARD_VIEWS:
        if preset.name == name:
            return preset
    if name.endswith("_left"):
        base = name[: -len("_left")] + "_right"
        for preset in STANDARD_VIEWS:
            if preset.name == base:
                return mirror(preset)
    valid = ", ".join(view_names())
    raise KeyError(f"unknown view {name!r}; choose one of: {valid}")


def view_names() -> tuple[str, ...]:
    """All names accepted by :func:`view_by_name`, including mirrored variants."""
    names = [p.name for p in STANDARD_VIEWS]
    names += [
        p.name[: -len("_right")] + "_left" for p in STANDARD_VIEWS if p.name.endswith("_right")
    ]
    return tuple(names)


def _swap_side_words(text: str) -> str:
    out = []
    for word in text.split("_"):
        out.append({"left": "right", "right": "left"}.get(word, word))
    return "_".join(out)


def mirror(preset: CameraPreset) -> CameraPreset:
    """Mirror a preset through the midsagittal plane (x -> -x), swapping left/right in its name."""
    dx, dy, dz = preset.direction
    ux, uy, uz = preset.view_up
    focus = None if preset.focus is None else (-preset.focus[0], preset.focus[1], preset.focus[2])
    title = (
        preset.title.replace("(right)", "(\0)").replace("(left)", "(right)").replace("\0", "left")
    )
    return replace(
        preset,
        name=_swap_side_words(preset.name),
        title=title,
        direction=(-dx, dy, dz),
        view_up=(-ux, uy, uz),
        focus=focus,
        shortcut="",
    )


@dataclass(frozen=True)
class CameraPose:
    """A concrete camera: where it is, what it looks at, which way is up (atlas mm).

    Presets say *how* to look; a pose is the result for one scene, and what transitions
    interpolate and pair views restore.
    """

    position: Vector
    focal_point: Vector
    view_up: Vector


def _normalized(v: tuple[float, ...]) -> tuple[float, float, float]:
    n = sum(c * c for c in v) ** 0.5 or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)


def interpolate_pose(a: CameraPose, b: CameraPose, t: float) -> CameraPose:
    """Pose a fraction ``t`` (0..1, eased) of the way from ``a`` to ``b``.

    The focal point moves in a straight line while the viewing direction turns on a sphere
    (normalised linear blend) and the distance changes smoothly, so the anatomy turns in place
    rather than swinging through the body.
    """
    t = min(1.0, max(0.0, t))
    s = t * t * (3.0 - 2.0 * t)  # smoothstep: gentle start and stop

    def lerp(p: Vector, q: Vector) -> Vector:
        return (p[0] + (q[0] - p[0]) * s, p[1] + (q[1] - p[1]) * s, p[2] + (q[2] - p[2]) * s)

    def offset(pose: CameraPose) -> tuple[Vector, float]:
        d = tuple(p - f for p, f in zip(pose.position, pose.focal_point, strict=True))
        dist = sum(c * c for c in d) ** 0.5
        return _normalized(d), dist

    (da, ra), (db, rb) = offset(a), offset(b)
    if sum(x * y for x, y in zip(da, db, strict=True)) < -0.999:  # opposite: go round the side
        side = _normalized(a.view_up)
        mid = lerp(da, db)
        mid = (mid[0] + side[0] * 2 * s * (1 - s), mid[1] + side[1] * 2 * s * (1 - s),
               mid[2] + side[2] * 2 * s * (1 - s))
        direction = _normalized(mid)
    else:
        direction = _normalized(lerp(da, db))
    distance = ra + (rb - ra) * s
    focal = lerp(a.focal_point, b.focal_point)
    position = (
        focal[0] + direction[0] * distance,
        focal[1] + direction[1] * distance,
        focal[2] + direction[2] * distance,
    )
    return CameraPose(position, focal, _normalized(lerp(a.view_up, b.view_up)))


SEARCH_DIRECTIONS: tuple[str, ...] = (
    "anterior",
    "posterior",
    "right",
    "left",
    "anterolateral_right",
    "anterolateral_left",
    "posterolateral_right",
    "posterolateral_left",
    "superior",
    "inferior",
)
"""Views a search result may be shown from, in order of preference when they tie."""

TIE_MARGIN = 0.2
"""Views within this share of the best visible area count as equally good (earlier wins)."""


REVEAL_BELOW = 0.35
"""If no view shows at least this share of the structure's best facing area, reveal it."""

REVEAL_SHARE = 0.1
"""Covering structures that hide at least this share of it are ghosted to reveal it."""


@dataclass(frozen=True)
class SearchView:
    """Where to show a search result from, and what to ghost so it can be seen."""

    view: str
    reveal: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchSight:
    """A structure seen from one view: unobstructed and facing projected area (mm²), the area
    each covering structure hides, and its depth under the skin toward the view and away."""

    visible: float
    facing: float
    blockers: Mapping[str, float]
    skin_ahead: float | None = None
    skin_behind: float | None = None

    @property
    def near_side(self) -> bool:
        """True if the structure lies on the half of the body facing this view.

        One looks at a structure from the side of the body it is nearer to, as one would feel
        for it: not through the body (the right piriformis through the pelvis from the left).
        """
        if self.skin_ahead is None or self.skin_behind is None:
            return True
        return self.skin_ahead <= self.skin_behind


REVEAL_VIEWS = frozenset(SEARCH_DIRECTIONS) - {"superior", "inferior"}
"""Views a search result is shown from (down the body's long axis reads poorly): the views from
above and below only count when no other view lies on the structure's side of the body."""


def choose_search_view(sights: Mapping[str, SearchSight]) -> SearchView | None:
    """The near-side view showing most of a structure; near-ties go to the earlier view.

    ``sights`` maps view names (in :data:`SEARCH_DIRECTIONS` order) to what is seen from
    there. When no near-side view shows at least :data:`REVEAL_BELOW` of what faces it (the
    piriformis under the gluteus maximus), the structure is shown from the near-side view it
    faces most, with the structures covering it there ghosted.
    """
    near = {name: s for name, s in sights.items() if s.near_side} or dict(sights)
    if not near:
        return None
    shown = {
        n: s for n, s in near.items() if s.facing > 0 and s.visible >= REVEAL_BELOW * s.facing
    }
    shown = {n: s for n, s in shown.items() if n in REVEAL_VIEWS}
    if shown:
        best_shown = max(s.visible for s in shown.values())
        for name, s in shown.items():
            if s.visible >= best_shown * (1.0 - TIE_MARGIN):
                return SearchView(name)
    reveal_from = {n: s for n, s in near.items() if n in REVEAL_VIEWS} or near
    best_facing = max(s.facing for s in reveal_from.values())
    if best_facing <= 0.0:
        return None
    for name, s in reveal_from.items():
        if s.facing >= best_facing * (1.0 - TIE_MARGIN):
            covers = sorted(b for b, area in s.blockers.items() if area >= REVEAL_SHARE * s.facing)
            return SearchView(name, tuple(covers))
    return None


def fit_to_points(
    points: ArrayLike,
    direction: Vector,
    view_up: Vector,
    view_angle_deg: float,
    aspect: float,
    fill: float = 0.9,
    center: Vector | None = None,
) -> tuple[Vector, float]:
    """Focal point and camera distance so ``points`` fill ``fill`` of a perspective view.

    The camera sits at ``focal + distance * direction`` looking back with ``view_up`` upward and
    a vertical view angle ``view_angle_deg``. Each point is fitted exactly (its depth included),
    so a long, flat scene seen end-on (the superior view of the trunk and legs) fills the frame
    instead of the far smaller share a bounding sphere gives. ``center`` pins the focal point.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    d = np.asarray(_normalized(direction))
    up = np.asarray(view_up, dtype=np.float64)
    up = up - d * float(up @ d)
    up /= np.linalg.norm(up) or 1.0
    right = np.cross(up, d)
    if len(pts) == 0:
        focal = center or (0.0, 0.0, 0.0)
        return focal, 500.0
    x, y, z = pts @ right, pts @ up, pts @ d
    if center is None:
        cx, cy, cz = (x.max() + x.min()) / 2, (y.max() + y.min()) / 2, (z.max() + z.min()) / 2
        focal_arr = cx * right + cy * up + cz * d
    else:
        focal_arr = np.asarray(center, dtype=np.float64)
        cx, cy, cz = float(focal_arr @ right), float(focal_arr @ up), float(focal_arr @ d)
    tan_v = math.tan(math.radians(view_angle_deg) / 2) * fill
    tan_h = tan_v * aspect
    need = np.maximum(np.abs(x - cx) / tan_h, np.abs(y - cy) / tan_v) + (z - cz)
    distance = max(float(need.max()), 1.0)
    focal = (float(focal_arr[0]), float(focal_arr[1]), float(focal_arr[2]))
    return focal, distance


FACING_MIN = 0.7
"""A camera looking this much (cosine) along the front-back or left-right axis names its side."""


def seen_from(direction_of_projection: ArrayLike) -> str:
    """Where the reader stands, in words a patient understands, for a camera looking along
    ``direction_of_projection`` (atlas LPS: +x left, +y posterior, +z up), or ``""`` for an
    oblique or top/bottom view.

    From the front the body's right is on the reader's left, and a patient reviewing the heat
    maps read "right" as the wrong leg every time the view turned; the heat map's key says it.
    """
    d = np.asarray(direction_of_projection, dtype=np.float64)
    x, y, _z = d / (float(np.linalg.norm(d)) or 1.0)
    if y >= FACING_MIN:  # looking toward the back: the camera is in front
        return "Seen from the front: the body's right side is on your left"
    if y <= -FACING_MIN:
        return "Seen from behind: the body's right side is on your right"
    if x >= FACING_MIN:  # looking toward the left: the camera is on the right
        return "Seen from the body's right side"
    if x <= -FACING_MIN:
        return "Seen from the body's left side"
    return ""
