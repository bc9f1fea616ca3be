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
