"""Scene rules for posture: colour muscles by their length change against standing."""

from __future__ import annotations

from collections.abc import Iterable

from viewer.domain.length_colours import length_colour
from viewer.domain.posture import MuscleLength
from viewer.state.scene import SceneState


def apply_length_colours(state: SceneState, lengths: Iterable[MuscleLength]) -> None:
    """Paint each muscle blue (shortened) to orange (lengthened) by its change in percent."""
    for m in lengths:
        if m.id in state.atlas:
            state.set_color(m.id, length_colour(m.change_pct))


def clear_length_colours(state: SceneState, ids: Iterable[str]) -> None:
    """Give the muscles back their atlas colours."""
    for sid in ids:
        if sid in state.atlas:
            state.set_color(sid, state.atlas.get(sid).color)
