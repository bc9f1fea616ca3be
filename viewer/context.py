"""The application context: the loaded atlas and its scene state, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.domain.bodies import NEUTRAL
from viewer.domain.pose import Pose
from viewer.io.atlas_loader import LoadedAtlas, load_atlas
from viewer.io.resources import builtin_meshes_dir
from viewer.state.scene import SceneState

if TYPE_CHECKING:  # the posture model pulls in SciPy (~0.16 s): not before the first frame
    from viewer.domain.posture import MuscleLength


@dataclass
class AppContext:
    """Everything a window or a headless command needs, independent of Qt."""

    loaded: LoadedAtlas
    state: SceneState


def load_context(
    atlas_dir: Path | None = None, light_first: bool = False, body: str = NEUTRAL
) -> AppContext:
    """Load the atlas (built-in unless ``atlas_dir`` is given) and a fresh scene state.

    ``light_first`` defers full-detail meshes (the window loads them after its first frame).
    ``body`` picks the body outline (a body the atlas lacks is reported; neutral is shown).
    """
    loaded = load_atlas(atlas_dir or builtin_meshes_dir(), light_first=light_first, body=body)
    return context_for(loaded)


def context_for(loaded: LoadedAtlas) -> AppContext:
    """A fresh scene state on an atlas already loaded: a command that renders many scenes of
    one atlas (``export-lesson``) reads the files, and binds the posture, once."""
    state = SceneState(loaded.atlas, body=loaded.body)
    state.available_bodies = loaded.body_ids or (NEUTRAL,)
    if loaded.atlas.renderable:

        def lengths(pose: Pose) -> list[MuscleLength]:
            from viewer.io.posture import shared_posture_model

            return shared_posture_model(loaded).lengths(pose)

        state.length_source = lengths

        def tight_pose(side: str) -> Pose:
            from viewer.domain.balance import one_side_tight_pose
            from viewer.domain.posture import moment_arms
            from viewer.io.posture import shared_posture_model

            return one_side_tight_pose(moment_arms(shared_posture_model(loaded)), side)

        state.tight_pose_source = tight_pose
    return AppContext(loaded=loaded, state=state)
