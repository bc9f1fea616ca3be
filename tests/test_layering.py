"""The domain model and scene state import neither Qt nor VTK (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_domain_and_state_stay_free_of_qt_and_vtk() -> None:
    code = (
        "import sys, viewer.domain.structures, viewer.domain.camera, viewer.state, "
        "viewer.state.scene\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'vtk', 'vtkmodules', 'pyvista', 'shiboken6'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
