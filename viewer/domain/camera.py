"""Named camera views as data, in the atlas frame (LPS: +x left, +y posterior, +z superior).

A preset stores only a viewing direction and an up vector; the renderer frames whatever is visible.
Left/right variants are produced by :func:`mirror`, so a pair view authored for the right side has a
true mirror image for the left side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

Vector = tuple[float, float, float]


@dataclass(frozen=True)
class CameraPreset:
    """A named view: the camera sits along ``direction`` from the focus, with ``view_up`` upward.

    ``zoom`` > 1 moves closer than the fit-to-visible distance. ``focus`` optionally pins the focal
    point (atlas mm); otherwise the renderer centres on the visible structures.
    """

    name: str
    title: str
    direction: Vector
    view_up: Vector
    shortcut: str = ""
    zoom: float = 1.0
    focus: Vector | None = None


STANDARD_VIEWS: tuple[CameraPreset, ...] = (
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
)
"""The views every anatomy viewer offers, keyed by name; the default is the first."""

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
