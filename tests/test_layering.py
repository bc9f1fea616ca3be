"""The model layers import neither Qt nor VTK (checked in a fresh interpreter).

Every module of ``viewer.domain``, ``viewer.state`` and ``viewer.heatmap`` is found by walking the
packages, so a new module is covered without editing this test; the io readers and commands that
must stay headless-light are named.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import viewer.domain
import viewer.heatmap
import viewer.state
from tests.conftest import REPO

NAMED = (
    "viewer.io.annotations",
    "viewer.io.pairviews",
    "viewer.io.manifest",
    "viewer.features",
    "viewer.commands.refer",
    "viewer.commands.validate",
    "viewer.commands.pairs",
)
FORBIDDEN = ("PySide6", "shiboken6", "vtk", "vtkmodules", "pyvista")


def _pure_modules() -> list[str]:
    found = []
    for package in (viewer.domain, viewer.state, viewer.heatmap):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            found.append(info.name)
    return sorted(found) + list(NAMED)


def test_model_layers_stay_free_of_qt_and_vtk() -> None:
    modules = _pure_modules()
    assert "viewer.state.scene" in modules and "viewer.domain.pairviews" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"Qt/VTK imported by the model layers: {out.stdout}"
