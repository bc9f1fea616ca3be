"""``trigger-atlas render``: headless PNGs whose pixels show the atlas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.atlas_factory import BONE, MUSCLE_B
from tests.conftest import REPO
from viewer.cli import main


def _render_tiny(atlas: Path, out: Path, *extra: str) -> int:
    """``trigger-atlas --atlas ATLAS render -o OUT --size 320x200 --hide skin EXTRA...``."""
    return main(
        [
            "--atlas",
            str(atlas),
            "render",
            "-o",
            str(out),
            "--size",
            "320x200",
            "--hide",
            "skin",
            *extra,
        ]
    )


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path))


def _share_near(img: np.ndarray, hex_color: str, tol: int = 40) -> float:
    target = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    rgb = img[..., :3].astype(int)
    return float(np.mean(np.all(np.abs(rgb - target) < tol, axis=-1)))


def test_render_tiny_atlas_shows_its_colours(tiny_atlas_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiny.png"
    code = main(
        [
            "--atlas",
            str(tiny_atlas_dir),
            "render",
            "-o",
            str(out),
            "--size",
            "640x400",
            "--hide",
            "skin",
        ]
    )
    assert code == 0
    img = _pixels(out)
    assert img.shape[:2] == (400, 640)
    assert img[..., :3].std() > 10, "image is not blank"
    assert _share_near(img, MUSCLE_B, tol=70) > 0.005, "muscle B's purple is on screen"
    assert _share_near(img, BONE, tol=45) > 0.005, "bone ivory is on screen"


def test_render_transparent_background(tiny_atlas_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "clear.png"
    assert _render_tiny(tiny_atlas_dir, out, "--transparent") == 0
    img = _pixels(out)
    assert img.shape == (200, 320, 4)
    assert img[0, 0, 3] == 0, "corner is transparent"
    assert img[..., 3].max() == 255, "the anatomy is opaque"


def test_views_differ(tiny_atlas_dir: Path, tmp_path: Path) -> None:
    paths = []
    for view in ("anterior", "left"):
        out = tmp_path / f"{view}.png"
        _render_tiny(tiny_atlas_dir, out, "--view", view)
        paths.append(_pixels(out))
    assert np.abs(paths[0].astype(int) - paths[1].astype(int)).mean() > 1.0


def test_render_rejects_bad_size_and_unknown_structure(
    tiny_atlas_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["render", "-o", str(tmp_path / "x.png"), "--size", "big"])
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
    code = main(
        [
            "--atlas",
            str(tiny_atlas_dir),
            "render",
            "-o",
            str(tmp_path / "y.png"),
            "--only",
            "gluteus_maximus_left",
        ]
    )
    assert code == 2
    assert "gluteus_maximus_left" in capsys.readouterr().err


def test_render_builtin_atlas_via_console_entry(tmp_path: Path) -> None:
    out = tmp_path / "atlas.png"
    proc = subprocess.run(
        [sys.executable, "-m", "viewer", "render", "-o", str(out), "--size", "800x500"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    img = _pixels(out)
    assert img[..., :3].std() > 10
    assert _share_near(img, "#e3d6b4", tol=60) > 0.01, "bone colour of the built-in atlas"


def test_unexpected_error_is_one_line_and_logged(
    tiny_atlas_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import viewer.render.offscreen as offscreen
    from viewer.logsetup import log_file

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("graphics driver went away")

    monkeypatch.setattr(offscreen, "render_to_png", broken)
    code = main(["--atlas", str(tiny_atlas_dir), "render", "-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert "error: render failed: graphics driver went away" in err
    assert str(log_file()) in err
    assert "Traceback" in log_file().read_text(encoding="utf-8")
