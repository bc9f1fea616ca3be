"""Time to first rendered frame of ``trigger-atlas`` versus the bare Qt+VTK floor, in one run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 5


@dataclass(frozen=True)
class FirstFrame:
    """Median seconds from process start to first frame, and the peak RSS seen (MiB)."""

    seconds: float
    peak_mib: float


def _measure(argv: list[str], env_extra: dict[str, str] | None = None) -> FirstFrame:
    """Median of :data:`RUNS` launches after one warm-up launch that is not counted.

    Python may write its bytecode cache in the children (``PYTHONDONTWRITEBYTECODE`` is dropped,
    as some containers set it): a user's every launch after the first reads compiled modules,
    and without the cache the app, with ~170 modules of its own, would be timed compiling them
    while the floor's libraries come precompiled by pip.
    """
    env = dict(os.environ, **(env_extra or {}))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    times, peaks = [], []
    for _ in range(RUNS):
        out = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        line = next((x for x in out.stdout.splitlines() if x.startswith("first-frame")), None)
        if line is None:
            raise RuntimeError(f"{argv} printed no first frame:\n{out.stderr[-2000:]}")
        _, seconds, peak = line.split()
        times.append(float(seconds))
        peaks.append(float(peak))
    return FirstFrame(statistics.median(times), max(peaks))


def measure_floor() -> FirstFrame:
    """Bare PySide6 + VTK window with one triangle."""
    return _measure([sys.executable, "-m", "benchmarks.floor_window"])


def measure_app() -> FirstFrame:
    """The real app on its built-in atlas (the console script's code path)."""
    return _measure([sys.executable, "-m", "viewer"], {"TRIGGER_ATLAS_EXIT_AFTER_FIRST_FRAME": "1"})


def measure_pyvistaqt() -> FirstFrame | None:
    """The one-triangle window on pyvistaqt, if installed (reference, not a target)."""
    try:
        import pyvistaqt  # noqa: F401
    except ImportError:
        return None
    return _measure([sys.executable, "-m", "benchmarks.pyvistaqt_window"])
