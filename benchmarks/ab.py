"""A/B of one benchmark between two source trees, interleaved in one run.

``python -m benchmarks.ab OLD_TREE NEW_TREE [--module benchmarks.bench_posture] [--repeats 3]``
runs the module's ``--child`` measurement (one JSON line) alternately with ``PYTHONPATH`` set to
each tree (e.g. a detached ``git worktree`` of the previous commit and this one), so both see
the same machine load, and prints each figure's median per tree. Wall-clock figures swing with
other jobs on a shared machine; compare the CPU ms figures (see ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path

from benchmarks.child import child_figures


def _child(tree: Path, module: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return child_figures(module, timeout=900, cwd=tree, env=env)


def main(argv: list[str] | None = None) -> None:
    """Run the A/B and print one row per figure: median of each tree and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--module", default="benchmarks.bench_posture")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for i in range(args.repeats):
        for name in ("old", "new") if i % 2 == 0 else ("new", "old"):
            runs[name].append(_child(getattr(args, name).resolve(), args.module))
            print(f"run {i + 1} {name}: {json.dumps(runs[name][-1])}", flush=True)
    print(f"{'figure':<20} {'old':>10} {'new':>10}  new/old")
    for key in runs["old"][0]:
        old = statistics.median(r[key] for r in runs["old"])
        new = statistics.median(r[key] for r in runs["new"])
        ratio = new / old if old else float("nan")
        print(f"{key:<20} {old:10.2f} {new:10.2f}  x{ratio:.2f}")


if __name__ == "__main__":
    main()
