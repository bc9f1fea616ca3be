"""The patient handout has one key: under the figures, naming every marker style they draw.

The figures once carried the window's in-picture marker key in their lower-right corner as well
as the printed key below them, so a patient read two keys for the same X's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.gui


def _window(make_main_window: Any) -> Any:
    window = make_main_window(show=True)
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas has no skin/trigger points yet")
    return window


def test_handout_prints_one_marker_key_and_the_figures_none(
    make_main_window: Any, tmp_path: Path
) -> None:
    from viewer.qt.handout import write_handout
    from viewer.qt.texts import HANDOUT_MARKER_WORDS

    window = _window(make_main_window)
    triggers = window.features.triggers
    # Psoas and piriformis: from the back the psoas points lie behind other structures, so the
    # figures draw more than one marker style.
    ids = sorted(
        i
        for i, m in triggers.muscle_of.items()
        if m.endswith("_right") and ("psoas" in m or "piriformis" in m)
    )
    triggers.set_active(ids)
    pdf = write_handout(window, tmp_path / "h.pdf", "A4", "")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert flat.count(HANDOUT_MARKER_WORDS["visible"]) == 1
    assert flat.count(HANDOUT_MARKER_WORDS["deep"]) == 1, "the back figure draws deep X's"
    subprocess.run(["pdfimages", "-png", str(pdf), str(tmp_path / "img")], check=True)
    figures = [
        np.asarray(Image.open(p).convert("RGB")).astype(int)
        for p in sorted(tmp_path.glob("img-*.png"))
    ]
    figures = [f for f in figures if f.shape[0] >= 900]
    assert len(figures) == 2
    for figure in figures:
        h, w, _ = figure.shape
        # Where the in-picture key sat: black glyphs and words on the lower-right edge.
        corner = figure[int(0.9 * h) :, int(0.7 * w) :]
        ink = int((corner.sum(-1) < 200).sum())
        assert ink == 0, f"{ink} ink pixels of an in-picture key in a handout figure"


def test_handout_key_explains_a_counted_x(make_main_window: Any, tmp_path: Path) -> None:
    """The back figure draws piriformis's two points at one spot as "X×2": the key must say
    what "×2" means (a patient read it as "twice as bad"), in the screen's words."""
    from viewer.qt.handout import write_handout
    from viewer.qt.texts import HANDOUT_MARKER_WORDS

    window = _window(make_main_window)
    triggers = window.features.triggers
    triggers.set_active(sorted(i for i, m in triggers.muscle_of.items() if m == "piriformis_left"))
    pdf = write_handout(window, tmp_path / "h.pdf", "Letter", "")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert HANDOUT_MARKER_WORDS["counted"] in flat
    assert "on the far side of the body" in flat and "other side of the body" not in flat
