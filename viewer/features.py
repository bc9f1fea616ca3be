"""Annotation features of a loaded atlas: trigger points, referral heat maps and pair views.

Loaded after the atlas (the window loads them just after its first frame, so start-up stays
fast). Plain Python: the renderer and widgets observe the states held here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.context import AppContext
from viewer.domain.palette import MARKER_INK
from viewer.domain.structures import Kind
from viewer.io.problems import Problem
from viewer.state.scene import STARTING_GHOSTS, SceneState

if TYPE_CHECKING:
    from viewer.heatmap.model import ReferralModel
    from viewer.state.pairs import PairViewController
    from viewer.state.triggers import TriggerPointState

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]

HEAT_MIN_SKIN_OPACITY = 0.8
"""A heat map needs a skin solid enough to read; fainter skin is raised to this when one shows."""

DEFAULT_MARKER_GROUPS = ("iliopsoas_right", "iliopsoas_left")
"""Muscle groups whose trigger-point markers show at start; the others are one tick away."""


@dataclass
class Features:
    """What annotation data adds to the scene; any part is ``None`` when it could not load."""

    referral: ReferralModel | None = None
    triggers: TriggerPointState | None = None
    pairs: PairViewController | None = None
    marker_colors: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def muscle_base(structure_id: str) -> str:
    """``gluteus_medius_right`` -> ``gluteus_medius`` (colours and labels are per muscle)."""
    for suffix in ("_right", "_left"):
        if structure_id.endswith(suffix):
            return structure_id[: -len(suffix)]
    return structure_id


def load_features(
    context: AppContext,
    annotations_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> Features:
    """Load and place every annotation feature on ``context``'s atlas; never raises for data."""
    from viewer.heatmap.model import build_referral_model
    from viewer.io.pairviews import load_for_atlas, resolver_for
    from viewer.state.pairs import PairViewController
    from viewer.state.triggers import TriggerPointState

    features = Features()
    if not context.loaded.atlas.renderable:
        return features
    referral, problems = build_referral_model(context.loaded, annotations_dir, progress=progress)
    features.problems += problems
    if referral is not None:
        features.referral = referral
        muscle_of = referral.muscle_of
        groups = referral.muscle_groups()
        features.triggers = TriggerPointState(muscle_of, groups)
        # Start with the story's muscle marked; fifty X's at once would hide the anatomy.
        shown = {m for g in DEFAULT_MARKER_GROUPS for m in groups.get(g, ())}
        features.triggers.set_markers_visible(sorted(set(muscle_of.values()) - shown), False)
        _show_skin_with_heat_maps(context.state, features.triggers)
        _solid_when_marked(context.state, features.triggers)
        # One ink for every X (see MARKER_INK): the mark means "trigger point", not a muscle.
        bases = sorted({muscle_base(m) for m in muscle_of.values()})
        features.marker_colors = dict.fromkeys(bases, MARKER_INK)
    pair_path = None if annotations_dir is None else annotations_dir / "pair_views.json"
    result, landmarks = load_for_atlas(context.loaded, pair_path)
    features.problems += result.problems
    if result.library.ids:
        features.pairs = PairViewController(
            context.state, result.library, resolve=resolver_for(context.loaded, landmarks)
        )
    for problem in features.problems:
        log.warning("%s", problem)
    return features


def _show_skin_with_heat_maps(state: SceneState, triggers: TriggerPointState) -> None:
    """When a heat map appears, make sure the skin it is painted on can be seen.

    A scene rule, so it lives with the states rather than in a renderer (renderers only observe),
    and it holds for the window, exports and lessons alike.
    """
    skins = [s.id for s in state.atlas.renderable if s.kind is Kind.SKIN]

    def on_heat(_request: object) -> None:
        if not triggers.heat_trigger_points():
            return
        for skin in skins:
            if not state.is_visible(skin) or state.opacity(skin) < HEAT_MIN_SKIN_OPACITY:
                state.set_visible(skin, True)
                state.set_opacity(skin, HEAT_MIN_SKIN_OPACITY)

    triggers.heat_changed.connect(on_heat)


def _solid_when_marked(state: SceneState, triggers: TriggerPointState) -> None:
    """Ticking the markers of a muscle that only started as a ghost (the abdominal wall) makes
    it solid: its X's are not drawn on ghosts, so the tick would otherwise show nothing."""

    def on_markers(changed: tuple[str, ...]) -> None:
        for muscle in changed:
            if (
                muscle in STARTING_GHOSTS
                and muscle in state.atlas
                and triggers.markers_visible(muscle)
                and state.opacity(muscle) < 0.5
            ):
                state.set_opacity(muscle, 1.0)

    triggers.markers_changed.connect(on_markers)
