"""Show another body outline: swap the skin meshes and the heat-map geometry together.

The scene state only names the body (:attr:`viewer.state.scene.SceneState.body`); this module
does the work for whoever owns the meshes (the window, an off-screen render): read the body's
skin, put it in the loaded atlas, and rebuild the referral model on it (skin landmarks keep
their vertices; distance fields are computed - or read from the cache - for that body).
"""

from __future__ import annotations

from collections.abc import Callable

from viewer.context import AppContext
from viewer.features import Features
from viewer.io.meshes import MeshArrays, MeshError
from viewer.io.problems import Problem

ProgressFn = Callable[[float, str], None]


def switch_body(
    context: AppContext,
    body: str,
    features: Features | None = None,
    progress: ProgressFn | None = None,
) -> tuple[dict[str, MeshArrays], list[Problem]]:
    """Make ``context`` (and ``features``' referral model) use ``body``'s skin.

    Returns the full meshes that changed (``{skin_id: mesh}``, empty if nothing changed) and
    the problems met. On failure nothing changes and the state goes back to the body shown.
    """
    loaded = context.loaded
    before = loaded.body
    try:
        changed = loaded.use_body(body)
    except (ValueError, MeshError) as exc:
        context.state.set_body(before)
        return {}, [Problem(str(loaded.folder), f"body {body}", str(exc))]
    problems: list[Problem] = []
    if changed and features is not None and features.referral is not None:
        from viewer.heatmap.model import build_referral_model

        model, found = build_referral_model(loaded, progress=progress)
        problems += [p for p in found if p not in features.problems]
        if model is not None:
            features.referral.adopt(model)
    return changed, problems
