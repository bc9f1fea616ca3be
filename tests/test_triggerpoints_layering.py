"""Trigger-point domain, state and heat-map modules import neither Qt nor VTK."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_trigger_point_modules_stay_free_of_qt_and_vtk() -> None:
    code = (
        "import sys, viewer.domain.landmarks, viewer.domain.referral, "
        "viewer.domain.triggerpoints, viewer.state.triggers, viewer.heatmap.geodesic, "
        "viewer.heatmap.fields, viewer.heatmap.model, viewer.io.annotations, "
        "viewer.commands.refer, viewer.commands.validate\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'vtk', 'vtkmodules', 'pyvista', 'shiboken6'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
