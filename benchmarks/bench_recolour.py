"""Skin recolour after a trigger-point toggle, as ``benchmarks.orbit`` times it, on its own.

The orbit benchmark's ``recolour_ms`` (state change to the heat map combined and uploaded to
the skin, outlines included, before the frame) needs a whole orbit first; this measures only
the toggles, wall and CPU, so ``python -m benchmarks.ab OLD NEW --module
benchmarks.bench_recolour`` compares two trees in one run. Ten trigger points each toggled
on alone (maps not seen before, as the orbit does), then the same ten again (maps cached).
"""

from __future__ import annotations

import statistics
import time

SIZE = (1280, 800)


def _measure() -> dict[str, float]:
    from benchmarks.app_window import open_atlas_view

    _app, _context, view = open_atlas_view(SIZE)
    features = view.overlays.features
    ids = sorted(features.triggers.muscle_of)[:10]
    out: dict[str, float] = {}
    for name in ("first", "again"):
        wall, cpu, framed = [], [], []
        for tp in ids:
            start, clock = time.perf_counter(), time.process_time()
            features.triggers.set_active([tp])
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - clock)
            view.render_now()
            framed.append(time.perf_counter() - start)
        out[f"recolour_{name}_ms"] = 1000 * statistics.median(wall)
        out[f"recolour_{name}_cpu_ms"] = 1000 * statistics.median(cpu)
        out[f"toggle_to_frame_{name}_ms"] = 1000 * statistics.median(framed)
    view.shutdown()
    view.close()
    return out


def run() -> list[tuple[str, object, str]]:
    """Table rows (the window part runs in its own process)."""
    from benchmarks.child import child_figures

    f = child_figures("benchmarks.bench_recolour", timeout=600)
    return [
        ("skin recolour after a trigger-point toggle (ms)", f["recolour_first_ms"], "<= 20 ms"),
        ("  same, CPU ms (stable under other load)", f["recolour_first_cpu_ms"], ""),
        ("  same map shown again (ms)", f["recolour_again_ms"], "<= 20 ms"),
    ]


if __name__ == "__main__":
    from benchmarks.child import main_for

    main_for(_measure, run)
