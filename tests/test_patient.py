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
    assert "Deep buttock muscle (piriformis), right side" in " ".join(text.split())


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


def _words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """(word, page, top y, height in pt) of every word, from ``pdftotext -bbox``."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    page = 0
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', line)
        if m:
            y0, y1 = float(m.group(1)), float(m.group(2))
            out.append((m.group(3), float(page), y0, y1 - y0))
    return out


def test_iliopsoas_handout_says_each_thing_once_on_one_page_with_a_readable_key(
    make_main_window: Any, tmp_path: Path
) -> None:
    """The handout a therapist prints for iliopsoas: one A4 page, large front and back figures,
    each referral paragraph once, the key at least 8 pt, notes and the disclaimer."""
    from viewer.qt.handout import write_handout

    window = _window(make_main_window)
    triggers = window.features.triggers
    ids = sorted(
        i
        for i, m in triggers.muscle_of.items()
        if m.endswith("_right") and ("psoas" in m or "iliacus" in m)
    )
    assert len(ids) >= 3
    triggers.set_active(ids)
    pdf = write_handout(window, tmp_path / "iliopsoas.pdf", "A4", "Stretch the hip flexors daily.")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\b", info), info
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.replace("\ufb02", "fl").replace("\ufb01", "fi").split())
    assert flat.count("Long standing") == 1, "what keeps the points going is said once"
    # One paragraph per muscle as a patient is told about it: psoas (its upper and lower parts
    # share one map) and iliacus; each map's words once.
    assert flat.count("Where it can send pain") == 2, "one paragraph per muscle"
    assert flat.count("(psoas), right side") == 1 and flat.count("Mainly a vertical band") == 1
    assert "Stretch the hip flexors daily." in flat and "not a diagnosis" in flat
    words = _words(pdf)
    key = [h for w, _p, _y, h in words if w in ("usual", "sometimes", "trigger")]
    assert key and min(key) >= 8.0, f"key text {min(key):.1f} pt high, wanted >= 8 pt"
    # Large figures: the two renders fill most of the page width, above the key.
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    big = [line for line in images if int(line.split()[3]) >= 900]
    assert len(big) >= 2, "front and back figures rendered at print resolution"
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")).astype(int)
    h = page.shape[0]
    figures = page[int(0.1 * h) : int(0.5 * h)]
    painted = (np.abs(figures - page[2, 2]).sum(-1) > 30).mean()
    assert painted > 0.6, "the figures fill the upper half of the page"


def test_patient_mode_words_the_posture_captions_plainly_and_back(make_main_window: Any) -> None:
    from viewer.domain.pose import PRESETS

    window = _window(make_main_window)
    view = window.view3d
    window.state.set_pose(PRESETS["anterior_tilt"])
    name, angles = view.posture_key.title_lines
    assert name == "Anterior pelvic tilt" and "pelvic tilt 12° (anterior)" in angles
    assert view.posture_guides.text("lordosis").startswith("Lordosis L1–S1")
    window.actions_by_id["view.patient"].trigger()
    name, angles = view.posture_key.title_lines
    assert name == "Pelvis tipped forward"
    assert "hips bent 12°" in angles and "lower back arched 12° more than standing" in angles
    assert "flexion" not in angles and "anterior" not in angles
    assert view.posture_guides.text("lordosis").startswith("lower back curve")
    assert "ASIS" not in view.posture_guides.text("tilt")
    window.actions_by_id["view.patient"].trigger()
    assert view.posture_key.title_lines[0] == "Anterior pelvic tilt"
    assert view.posture_guides.text("tilt").startswith("ASIS–PSIS")
