"""Heat-map and "where does it hurt?" timings on the built-in atlas.

``run()`` returns ``(name, measured, target)`` rows for the benchmark runner; ``python -m
benchmarks.bench_heatmap`` prints them. The first-use precompute runs against an empty temporary
cache, so it measures what a new user waits for once.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def run() -> list[tuple[str, float, str]]:
    """Measure precompute, cached load, recolour after a toggle and a refer query."""
    import numpy as np

    from viewer.heatmap.model import build_referral_model, skin_structure
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.resources import builtin_meshes_dir

    loaded = load_atlas(builtin_meshes_dir(), with_light=False)
    if skin_structure(loaded.atlas) is None:
        nan = float("nan")
        why = "skipped: the built-in atlas has no skin yet"
        return [(n, nan, why) for n in ("heatmap first-use precompute (s)", "recolour (ms)")]
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="trigger-atlas-bench-") as tmp:
        progress: list[float] = []
        start = time.perf_counter()
        model, _ = build_referral_model(
            loaded, cache_dir=Path(tmp), progress=lambda f, _m: progress.append(f)
        )
        first = time.perf_counter() - start
        rows.append(("heatmap first-use precompute (s)", first, "<= 5 s, with progress"))
        start = time.perf_counter()
        model, _ = build_referral_model(loaded, cache_dir=Path(tmp))
        rows.append(
            ("heatmap load with warm cache (s)", time.perf_counter() - start, "< first use")
        )
    assert model is not None
    ids = sorted(model.trigger_points)
    sets = [
        ids[i : i + k] for k in (1, 2, 3) for i in range(0, len(ids) - k, max(1, len(ids) // 6))
    ]
    state = {"i": 0}

    def toggle() -> None:
        model.field_for(sets[state["i"] % len(sets)])
        state["i"] += 1

    # More sets than the fields keep in memory (RECENT_MAPS): every toggle smooths a new map.
    rows.append(("heatmap recolour after toggle (ms)", _median_ms(toggle, 60), "<= 20 ms"))
    rows.append(
        (
            "heatmap recolour, map seen before (ms)",
            _median_ms(lambda: model.field_for(sets[0]), 30),
            "<= 20 ms",
        )
    )
    muscles = model.muscles()

    def whole_muscle() -> None:
        model.field_for_muscle(muscles[state["i"] % len(muscles)])
        state["i"] += 1

    # Each muscle once: none of these maps was shown before.
    model.fields.forget_recent()
    rows.append(
        ("heatmap whole-muscle map (ms)", _median_ms(whole_muscle, len(muscles)), "<= 20 ms")
    )
    rng = np.random.default_rng(0)
    skin = model.skin.points
    spots = skin[rng.integers(0, len(skin), size=3)]
    model.refer(spots)
    rows.append(
        ("refer query, 3 spots (ms)", _median_ms(lambda: model.refer(spots), 20), "<= 50 ms")
    )
    return rows


if __name__ == "__main__":
    for name, value, target in run():
        print(f"{name:40s} {value:10.3f}   target {target}")
