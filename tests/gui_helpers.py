"""Helpers for GUI tests: where on the 3D widget a point of the atlas appears."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint


def world_to_widget(window: Any, xyz: tuple[float, float, float]) -> QPoint:
    """Widget pixel (Qt logical coordinates, origin top left) of an atlas point."""
    view = window.view3d
    view.renderer.SetWorldPoint(*xyz, 1.0)
    view.renderer.WorldToDisplay()
    x, y, _ = view.renderer.GetDisplayPoint()
    ratio = view.vtk_widget.devicePixelRatioF()
    height = view.render_window.GetSize()[1]
    return QPoint(round(x / ratio), round((height - 1 - y) / ratio))


def structure_center_on_widget(window: Any, structure_id: str) -> QPoint:
    """Widget pixel of the centre of a structure's bounding box."""
    b = window.view3d.scene.actor_of(structure_id).GetBounds()
    center = tuple((b[2 * i] + b[2 * i + 1]) / 2 for i in range(3))
    return world_to_widget(window, center)  # type: ignore[arg-type]


def window_rgb(window: Any) -> Any:
    """(h, w, 3) uint8 RGB of what a VTK render window last drew, rows from the top."""
    from viewer.render.offscreen import window_pixels

    return window_pixels(window)


def launch_to_first_frame(
    args: list[str], home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python <args>`` from the repository as a user's launch that stops at its first
    frame (``TRIGGER_ATLAS_EXIT_AFTER_FIRST_FRAME``), with ``home`` as HOME and config folder
    and ``env`` added; fails the test if the process fails."""
    full = dict(os.environ, TRIGGER_ATLAS_EXIT_AFTER_FIRST_FRAME="1", HOME=str(home))
    full["XDG_CONFIG_HOME"] = str(home / "config")
    full.update(env or {})
    out = subprocess.run(
        [sys.executable, *args],
        cwd=Path(__file__).resolve().parent.parent,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out
