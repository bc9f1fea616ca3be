"""Pair views, domain half: how long switching between pair views takes before anything renders.

Measured on the built-in atlas (falls back to nothing if it is not installed):
- loading and checking ``annotations/pair_views.json`` against the atlas;
- placing one pair view's arrows, joint markers and camera focus (``resolve_pair``, first visit);
- switching the scene state from one pair view to another (snapshot + pair scene + restore, with
  the resolved geometry cached as the controller does on later visits);
- leaving pair mode (exact restore of the saved scene).
The renderer's share (actors updated per emitted change) is measured by the lead's benchmarks.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import numpy as np


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def run() -> list[tuple[str, float, str]]:
    """Rows of (label, milliseconds, target) for ``python -m benchmarks``."""
    from viewer.domain.pairviews import resolve_pair
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.pairviews import load_pair_views
    from viewer.io.resources import builtin_meshes_dir
    from viewer.state.pairs import PairViewController
    from viewer.state.scene import SceneState

    folder = builtin_meshes_dir()
    loaded = load_atlas(folder, with_light=False)
    if not loaded.installed or not (folder / "landmarks.json").is_file():
        return [("pair views: built-in atlas not installed", 0.0, "n/a")]
    doc = json.loads((folder / "landmarks.json").read_text(encoding="utf-8"))
    landmarks = {k: np.asarray(v["xyz"], dtype=float) for k, v in doc["landmarks"].items()}
    atlas = loaded.atlas

    load_ms = _median_ms(lambda: load_pair_views(atlas, landmarks), 5)
    library = load_pair_views(atlas, landmarks).library
    ids = library.ids
    if not ids:
        return [("pair views: none load on the built-in atlas", 0.0, "n/a")]

    def resolve_all() -> None:
        for pid in ids:
            resolve_pair(library.get(pid, atlas=atlas), atlas, landmarks, loaded.meshes)

    resolve_ms = _median_ms(resolve_all, 3) / len(ids)

    scene = SceneState(atlas)
    ctl = PairViewController(
        scene, library, resolve=lambda p: resolve_pair(p, atlas, landmarks, loaded.meshes)
    )
    for pid in ids:  # warm the geometry cache for both sides, as after a first visit
        ctl.enter(pid, "right")
        ctl.enter(pid, "left")
    ctl.exit()
    order = [(pid, side) for side in ("right", "left") for pid in ids]
    state = {"i": 0}

    def switch() -> None:
        pid, side = order[state["i"] % len(order)]
        state["i"] += 1
        ctl.enter(pid, side)

    switch_ms = _median_ms(switch, 60)

    def enter_exit() -> None:
        ctl.enter(ids[0])
        ctl.exit()

    exit_ms = _median_ms(enter_exit, 30)
    n = len(atlas.renderable)
    return [
        ("pair views: load + check pair_views.json (ms)", load_ms, "<= 50 ms"),
        ("pair views: place arrows/joints/focus, per view (ms)", resolve_ms, "<= 30 ms"),
        (f"pair views: switch scene state, {n} structures (ms)", switch_ms, "<= 5 ms"),
        ("pair views: enter + leave with exact restore (ms)", exit_ms, "<= 10 ms"),
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row[0]:<60} {row[1]:8.2f}  {row[2]}")
