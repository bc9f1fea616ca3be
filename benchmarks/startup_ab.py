"""First-frame A/B of two source trees and the floor, interleaved in one run.

``python -m benchmarks.startup_ab OLD_TREE NEW_TREE [--repeats 7]`` (under ``xvfb-run`` on a
headless machine) launches, in turn, the floor window, the floor against OLD_TREE's
``viewer.app`` (``floor-old``: it imports that module for its clock, so this is the floor as
OLD_TREE measured it), the app from OLD_TREE and the app from NEW_TREE (``PYTHONPATH`` and
working directory set to the tree; the order rotates each round), after one uncounted warm-up
launch of each. Each launch reports the wall time from process start to its first frame and
the process CPU time at that frame; the medians and each app's ratio to the floors are
printed. Every launch shares the same machine load, so the ratios are comparable within the
run even on a busy machine (see ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _launch(argv: list[str], tree: Path) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's every launch after the first
    out = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, timeout=120)
    wall = cpu = None
    for line in out.stdout.splitlines():
        if line.startswith("first-frame "):
            wall = float(line.split()[1])
        elif line.startswith("first-frame-cpu "):
            cpu = float(line.split()[1])
    if wall is None or cpu is None:
        raise RuntimeError(f"{argv} printed no first frame:\n{out.stderr[-2000:]}")
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    """Run the rounds and print medians (wall s, CPU s, wall ratio to the floor)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    new = args.new.resolve()
    runs = {
        "floor": ([sys.executable, str(HERE / "floor_window.py")], new),
        # The floor as OLD_TREE measured it (its viewer.app may import more for the clock).
        "floor-old": ([sys.executable, str(HERE / "floor_window.py")], args.old.resolve()),
        "old": ([sys.executable, str(HERE / "first_frame_launch.py")], args.old.resolve()),
        "new": ([sys.executable, str(HERE / "first_frame_launch.py")], new),
    }
    names = list(runs)
    for name in names:
        _launch(*runs[name])  # warm-up: bytecode caches, file cache
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for i in range(args.repeats):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            results[name].append(_launch(*runs[name]))
        row = "  ".join(f"{n} {results[n][-1][0]:.3f}s/{results[n][-1][1]:.3f}cpu" for n in names)
        print(f"round {i + 1}: {row}", flush=True)
    floor = statistics.median(w for w, _ in results["floor"])
    print(f"{'':6} {'wall s':>8} {'cpu s':>8} {'wall/floor':>10}")
    for name in names:
        wall = statistics.median(w for w, _ in results[name])
        cpu = statistics.median(c for _, c in results[name])
        print(f"{name:6} {wall:8.3f} {cpu:8.3f} {wall / floor:9.2f}x")
    # The ratio per round (same moment's floor) is steadier than a ratio of medians under load.
    for name in ("old", "new"):
        for floor_name in ("floor", "floor-old"):
            ratios = [
                a[0] / f[0] for a, f in zip(results[name], results[floor_name], strict=True)
            ]
            print(
                f"{name} / {floor_name}: per-round wall ratio median "
                f"{statistics.median(ratios):.2f}x"
            )


if __name__ == "__main__":
    main()
