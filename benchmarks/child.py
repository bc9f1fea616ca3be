"""Run a benchmark's measurement in a child process and read the JSON line it prints last.

A window benchmark measures in its own process so one benchmark's Qt application, GL context
and caches cannot speed up or slow down the next.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def child_figures(
    module: str,
    timeout: float,
    args: tuple[str, ...] = ("--child",),
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``python -m module args`` (in ``cwd`` with ``env`` if given); its last stdout line as
    JSON. Raises ``subprocess.CalledProcessError`` if the child fails."""
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def main_for(measure: Callable[[], dict[str, Any]], rows: Callable[[], list[Any]]) -> None:
    """A benchmark module's ``__main__``: with ``--child`` measure and print the figures as one
    JSON line (what :func:`child_figures` reads); otherwise print the table rows."""
    if "--child" in sys.argv:
        print(json.dumps(measure()))
    else:
        for row in rows():
            print(f"{row[0]:<80} {row[1]:>12}  {row[2]}")
