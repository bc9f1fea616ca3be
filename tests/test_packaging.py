"""The atlas and annotations ship inside the wheel and are found there, not only in a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=REPO, check=True, capture_output=True, timeout=300,
    )
    (path,) = out.glob("trigger_atlas-*.whl")
    return path


def test_wheel_carries_atlas_annotations_and_entry_point(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "viewer/_builtin/meshes/manifest.json" in names
    assert "viewer/_builtin/meshes/NOTICE" in names
    assert any(n.startswith("viewer/_builtin/meshes/bones/") and n.endswith(".vtp") for n in names)
    assert any(n.startswith("viewer/_builtin/annotations/") for n in names)
    assert "viewer/io/schemas/manifest.schema.json" in names
    assert "viewer/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "trigger-atlas = viewer.cli:main" in text
    assert not any(n.startswith("tools/") for n in names), "the build step is not shipped"


def test_installed_wheel_finds_its_builtin_atlas(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    code = (
        "from viewer.io.resources import builtin_meshes_dir\n"
        "from viewer.io.atlas_loader import load_atlas\n"
        "d = builtin_meshes_dir(); loaded = load_atlas(d)\n"
        "print(d); print(len(loaded.atlas.renderable), len(loaded.problems))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    folder, counts = out.stdout.strip().splitlines()
    assert Path(folder).is_relative_to(target), folder
    n_structures, n_problems = map(int, counts.split())
    assert n_structures > 0 and n_problems == 0
