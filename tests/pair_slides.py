"""A lesson step's pair view drawn as the projector slide draws it, for the pair-view tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def lesson_pair_slide(scene_of: Any) -> Iterator[tuple[Any, Any]]:
    """A lesson step's pair view on the projector slide (1280x720), framed as the lesson
    frames it: (renderer, overlays) while it is shown; the pair view is left afterwards."""
    from viewer.context import load_context
    from viewer.features import load_features
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.theme import PROJECTOR
    from viewer.state.scene_io import apply_scene

    context = load_context()
    features = load_features(context)
    if features.pairs is None:
        pytest.skip("the built-in atlas has no pair views")
    with offscreen_scene(context.loaded, context.state, (1280, 720), PROJECTOR, features) as off:
        _window, renderer, scene, overlays = off
        _target, problems = apply_scene(scene_of, context.state, features)
        assert problems == []
        off.window.Render()
        active = features.pairs.active
        assert active is not None and active.resolved is not None
        overlays.refresh_pair()
        scene.apply_pose(overlays.pair_pose(active.resolved))
        off.window.Render()
        try:
            yield renderer, overlays
        finally:
            features.pairs.exit()
