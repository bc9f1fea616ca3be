"""Remember everything a window shows and put it back exactly (presenter mode's Esc).

A saved scene document keeps what a user means to keep; presenter mode must give back even
more: the exact structure looks and selection, the camera, every trigger-point tick and both
side boxes (the marker flags behind them), the heat map, the pair view the user was in, painful
spots, the section plane and the labels. :func:`remember` takes all of it, :func:`recall`
restores it, and comparing two memories is how the tests check a round trip.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from viewer.domain.camera import CameraPose
from viewer.domain.sections import Section
from viewer.state.scene import SceneSnapshot
from viewer.state.triggers import TriggerSnapshot

if TYPE_CHECKING:
    from viewer.qt.main_window import MainWindow

Point = tuple[float, float, float]


@dataclass(frozen=True)
class SceneMemory:
    """One window's whole scene (see the module docstring)."""

    snapshot: SceneSnapshot
    pose: CameraPose | None
    triggers: TriggerSnapshot | None
    pair: tuple[str, str, str | None] | None
    before_pair: SceneSnapshot | None
    pose_before_pair: CameraPose | None
    spots: tuple[Point, ...]
    section: tuple[bool, Section] | None
    labels: tuple[str, ...]
    label_all: bool


def remember(window: MainWindow) -> SceneMemory:
    """Everything ``window`` shows now."""
    view = window.view3d
    features = window.features
    pairs = features.pairs if features is not None else None
    active = pairs.active if pairs is not None else None
    triggers = features.triggers if features is not None else None
    overlays = view.overlays if view is not None else None
    return SceneMemory(
        snapshot=window.state.snapshot(),
        pose=view.scene.current_pose() if view is not None else None,
        triggers=triggers.snapshot() if triggers is not None else None,
        pair=(active.pair.id, active.side, active.pair.muscle) if active is not None else None,
        before_pair=pairs.saved_snapshot if pairs is not None else None,
        pose_before_pair=overlays.saved_pose if overlays is not None else None,
        spots=window.spots.spots,
        section=(
            (view.section_state.enabled, view.section_state.section) if view is not None else None
        ),
        labels=view.labels.ids if view is not None else (),
        label_all=view.labels.label_all if view is not None else False,
    )


def recall(window: MainWindow, memory: SceneMemory) -> None:
    """Make ``window`` show ``memory`` again, exactly."""
    view = window.view3d
    features = window.features
    pairs = features.pairs if features is not None else None
    if pairs is not None:
        pairs.exit()
        if memory.pair is not None:
            pair_id, side, muscle = memory.pair
            if memory.before_pair is not None:
                window.state.restore(memory.before_pair)  # what leaving the pair view gives
            with suppress(KeyError, ValueError):  # cannot happen for a view just shown
                pairs.enter(pair_id, side, muscle)
    window.state.restore(memory.snapshot)
    triggers = features.triggers if features is not None else None
    if triggers is not None and memory.triggers is not None:
        triggers.restore(memory.triggers)
    spots = window.spots
    if spots.spots != memory.spots:
        spots.clear()
        for p in memory.spots:
            spots.add(p)
    if view is None:
        return
    if memory.section is not None:
        enabled, section = memory.section
        view.section_state.set_section(section)
        view.section_state.set_enabled(enabled)
    view.labels.set_labels(memory.labels)
    view.labels.set_label_all(memory.label_all)
    if view.overlays is not None:
        view.overlays.saved_pose = memory.pose_before_pair
    if memory.pose is not None:
        view.jump_camera(memory.pose)
