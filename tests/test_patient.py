"""Patient mode and the take-home handout, driven through the window (built-in atlas)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from viewer.render.heatmap_painter import ESSENTIAL_RGB

pytestmark = pytest.mark.gui


def _window(make_main_window: Any) -> Any:
    window = make_main_window(show=True)
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas has no skin/trigger points yet")
    window.actions_by_id["view.animate"].trigger()
    return window


def test_patient_mode_changes_vocabulary_and_controls_and_back(make_main_window: Any) -> None:
    window = _window(make_main_window)
    size = window.font().pointSizeF()
    window.state.select("gluteus_maximus_right")
    assert "Musculus" in window.statusBar().currentMessage() or "FMA" in (
        window.statusBar().currentMessage()
    )
    window.actions_by_id["view.patient"].trigger()
    assert window.patient_mode
    message = window.statusBar().currentMessage()
    assert message == window.state.atlas.get("gluteus_maximus_right").plain_name
    assert "FMA" not in message and "Musculus" not in message
    assert window.font().pointSizeF() > size * 1.2
    assert window.docks["pain"].isVisible()
    assert not window.docks["structures"].isVisible() and not window.docks["triggers"].isVisible()
    assert window.state.is_visible("skin") and window.state.opacity("skin") >= 0.6
    tree_names = [item.text(0) for item in window.panel.items.values()]
    assert "big buttock muscle (gluteus maximus)" in tree_names
    window.actions_by_id["view.patient"].trigger()
    assert not window.patient_mode
    assert window.font().pointSizeF() == pytest.approx(size)
    assert window.docks["structures"].isVisible()
    assert "FMA" in window.statusBar().currentMessage() or window.state.selection is None


def test_handout_pdf_has_pages_pictures_and_disclaimer(
    make_main_window: Any, tmp_path: Path
) -> None:
    from viewer.qt.handout import write_handout

    window = _window(make_main_window)
    window.features.triggers.set_active(
        ["piriformis_lateral_right", "gluteus_minimus_posterior_right"]
    )
    for paper in ("A4", "Letter"):
        pdf = write_handout(
            window,
            tmp_path / f"handout_{paper}.pdf",
            paper,
            "Gentle piriformis stretch twice a day.",
        )
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1
        assert data.count(b"/Subtype /Image") >= 2 or data.count(b"/Image") >= 2
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "handout_A4.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "595" in info and "842" in info, "A4 page size"
    letter = subprocess.run(
        ["pdfinfo", str(tmp_path / "handout_Letter.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "612" in letter and "792" in letter, "US Letter page size"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "handout_A4.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = np.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")).astype(int)
    assert page.std() > 20, "the first page is not blank"
    reds = np.all(np.abs(page - ESSENTIAL_RGB.astype(int)) < 60, axis=-1)
    assert reds.mean() > 0.001, "the pain map is printed"
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "handout_A4.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "not a diagnosis" in text and "Gentle piriformis stretch" in text
    assert "deep buttock muscle (piriformis)" in text


def test_handout_marks_only_the_chosen_points_and_restores_the_screen(
    make_main_window: Any, tmp_path: Path
) -> None:
    from viewer.qt.handout import write_handout

    window = _window(make_main_window)
    triggers = window.features.triggers
    before = {m for m in set(triggers.muscle_of.values()) if triggers.markers_visible(m)}
    seen: list[set[str]] = []
    triggers.markers_changed.connect(
        lambda _ids: seen.append(
            {m for m in set(triggers.muscle_of.values()) if triggers.markers_visible(m)}
        )
    )
    triggers.set_active(["piriformis_lateral_right"])
    write_handout(window, tmp_path / "h.pdf", "A4", "")
    assert {"piriformis_right"} in seen, "the sheet showed only the chosen muscle's markers"
    after = {m for m in set(triggers.muscle_of.values()) if triggers.markers_visible(m)}
    assert after == before | {"piriformis_right"} or after == before
