"""The atlas build re-starts itself with NumPy's and OpenBLAS's kernels pinned (float_pins.py):
without the pins an AVX-512 machine builds different bytes from the same code and versions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.atlas_build.float_pins import PINNED_ENV, missing_pins

REPO = Path(__file__).resolve().parents[1]


def test_missing_pins_names_what_differs() -> None:
    assert missing_pins({}) == dict(PINNED_ENV)
    assert missing_pins(dict(PINNED_ENV)) == {}
    wrong = {**PINNED_ENV, "OPENBLAS_CORETYPE": "SkylakeX"}
    assert missing_pins(wrong) == {"OPENBLAS_CORETYPE": "Haswell"}


def test_a_command_started_unpinned_runs_pinned() -> None:
    """Started from an environment without the pins, the process that does the work has them,
    NumPy's AVX-512 loops are off and the arguments come through unchanged."""
    env = {k: v for k, v in os.environ.items() if k not in PINNED_ENV}
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run(
        [sys.executable, "-m", "tests.pin_probe", "--out", "a b"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "argv --out a b" in out.stdout
    assert "OPENBLAS_CORETYPE Haswell" in out.stdout
    assert "X86_V4 False AVX512_ICL False" in out.stdout


@pytest.mark.parametrize(
    "path, module",
    [
        ("tools/build_atlas.py", "tools.build_atlas"),
        ("tools/atlas_build/posture.py", "tools.atlas_build.posture"),
        ("tools/atlas_build/skin_weights.py", "tools.atlas_build.skin_weights"),
    ],
)
def test_every_build_command_restarts_pinned(path: str, module: str) -> None:
    """Each command that writes atlas files re-starts itself pinned before its work."""
    text = (REPO / path).read_text()
    main_block = text.split('if __name__ == "__main__":', 1)[1]
    assert f'restart_pinned("{module}", sys.argv[1:])' in main_block
    assert main_block.index("restart_pinned") < main_block.index("main()")
