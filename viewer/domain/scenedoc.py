"""A saved scene as plain data: what a ``*.tascene`` file or one lesson step holds.

A scene document stores only what differs from what the app would show anyway (the atlas
defaults, or the scene a pair view sets up), so files stay small and keep working when the
atlas gains structures. It names structures, trigger points and pair views by id and cameras by
preset name where it can, so a scene follows an atlas rebuild. No Qt, no VTK, no file access:
reading and writing live in :mod:`viewer.io.scenes`, applying to the live state in
:mod:`viewer.state.scene_io`.
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.domain.camera import CameraPose
from viewer.domain.pose import Pose

Point = tuple[float, float, float]

SELECTED_MODE = "selected"
MUSCLE_MODE = "muscle"
COMBINE_MODES = (SELECTED_MODE, MUSCLE_MODE)
"""Trigger-point combination modes, as :class:`viewer.state.triggers.CombineMode` values."""


@dataclass(frozen=True)
class SceneCamera:
    """Where to look: a named preset (``view``) or an explicit pose, never both.

    A preset is preferred for anything meant to outlive one atlas build (lessons); a pose
    reproduces exactly the camera a user saved. ``frame`` (with a view only) names structures
    the camera fits, looking along the view: a lesson step then shows the pelvis and lumbar
    spine filling the picture, whatever else is shown, and still follows an atlas rebuild.
    """

    view: str | None = None
    pose: CameraPose | None = None
    frame: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.view is None) == (self.pose is None):
            raise ValueError("a scene camera has either a view name or a pose")
        if self.frame and self.view is None:
            raise ValueError("camera frame needs a view to look along (not an exact pose)")


@dataclass(frozen=True)
class StructureLook:
    """Display overrides of one structure (a leaf or a group); ``None`` keeps the baseline."""

    visible: bool | None = None
    opacity: float | None = None
    color: str | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is overridden."""
        return self.visible is None and self.opacity is None and self.color is None


@dataclass(frozen=True)
class PairViewRef:
    """Which pair view is in force: its id, body side and (left-vs-right view) muscle."""

    id: str
    side: str = "right"
    muscle: str | None = None
    tight_side: str | None = None
    """Left-vs-right view of iliopsoas: the side whose iliopsoas is tight (posed so)."""


@dataclass(frozen=True)
class TriggerSettings:
    """Trigger-point display: active ids, combination mode, muscle, heat map and markers.

    ``muscle`` only matters in ``"muscle"`` mode and is kept only there. ``markers`` lists the
    muscles (or groups) whose markers are drawn; ``None`` means the app's start-up choice.
    """

    active: tuple[str, ...] = ()
    mode: str = SELECTED_MODE
    muscle: str | None = None
    heat_visible: bool = True
    markers: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.mode not in COMBINE_MODES:
            raise ValueError(f"mode must be one of {COMBINE_MODES}, not {self.mode!r}")

    @property
    def is_default(self) -> bool:
        """True for the state a freshly loaded atlas starts in."""
        return self == TriggerSettings()


@dataclass(frozen=True)
class SceneDocument:
    """One scene: camera, structure looks, selection, pair view, trigger points, spots, labels.

    Structure looks apply on top of the *baseline*: the atlas defaults, or with ``pair_view``
    set, the scene that pair view shows. ``show_only`` (optional, ids or groups) first hides
    everything else, then ``structures`` apply in order. ``camera`` ``None`` means: the pair
    view's own camera when one is active, otherwise leave the camera where it is.
    ``labels`` lists structure ids whose labels are switched on; ``body`` the body outline.
    """

    camera: SceneCamera | None = None
    show_only: tuple[str, ...] | None = None
    structures: tuple[tuple[str, StructureLook], ...] = ()
    selection: str | None = None
    pair_view: PairViewRef | None = None
    triggers: TriggerSettings = TriggerSettings()
    painful_spots: tuple[Point, ...] = ()
    labels: tuple[str, ...] = ()
    title: str = ""
    body: str | None = None
    """Body outline (:mod:`viewer.domain.bodies`); ``None`` (files before version 2) keeps the
    body that is on screen."""
    posture: Pose | None = None
    """The body's posture; ``None`` = standing."""
    length_colours: bool = False
    """Colour the muscles by their length change in ``posture`` (blue shorter, orange longer)."""

    def look(self, structure_id: str) -> StructureLook | None:
        """The override stored for one id, or ``None``."""
        for sid, look in self.structures:
            if sid == structure_id:
                return look
        return None

    def referenced_structures(self) -> tuple[str, ...]:
        """Every structure id the document names (for checking it against an atlas)."""
        ids = list(self.show_only or ())
        ids += [sid for sid, _ in self.structures]
        if self.selection is not None:
            ids.append(self.selection)
        ids += list(self.labels)
        if self.camera is not None:
            ids += list(self.camera.frame)
        return tuple(dict.fromkeys(ids))
