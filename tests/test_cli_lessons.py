"""Headless scenes and lessons: render a saved scene, a lesson step, and export a whole lesson."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viewer.cli import main
from viewer.context import load_context
from viewer.features import load_features
from viewer.io.lessons import builtin_lessons, load_lesson
from viewer.io.scenes import save_scene
from viewer.state.scene_io import capture_scene


@pytest.fixture(scope="module")
def lesson_path() -> Path:
    paths = builtin_lessons()
    if not paths:
        pytest.skip("no built-in lesson")
    lesson, _problems = load_lesson(paths[0])
    if lesson is None or load_features(load_context()).triggers is None:
        pytest.skip("the built-in atlas cannot show the lesson yet")
    return paths[0]


def test_render_saved_scene_reproduces_its_view(tmp_path: Path) -> None:
    context = load_context()
    features = load_features(context)
    context.state.isolate(["femur_right", "hip_bone_right"])
    context.state.request_view("left")
    scene = tmp_path / "femur.tascene"
    save_scene(scene, capture_scene(context.state, features))
    out = tmp_path / "scene.png"
    assert main(["render", "--scene", str(scene), "--size", "480x300", "-o", str(out)]) == 0
    img = np.asarray(Image.open(out))[..., :3].astype(int)
    bone = np.array([0xE3, 0xD6, 0xB4])
    assert (np.abs(img - bone).sum(-1) < 90).mean() > 0.01, "the isolated bones are drawn"
    muscle_red = (img[..., 0] > 150) & (img[..., 1] < 90)
    assert muscle_red.mean() < 0.001, "muscles stay hidden as saved"


def test_render_lesson_step_and_reject_bad_step(
    lesson_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "step.png"
    assert main(["render", "--lesson", str(lesson_path), "--step", "1", "--size", "480x270",
                 "-o", str(out)]) == 0
    assert np.asarray(Image.open(out))[..., :3].std() > 10
    assert main(["render", "--lesson", str(lesson_path), "--step", "99", "-o", str(out)]) == 2
    assert "has steps 1 to" in capsys.readouterr().err


def test_export_lesson_writes_every_step_and_notes(lesson_path: Path, tmp_path: Path) -> None:
    lesson, _ = load_lesson(lesson_path)
    assert lesson is not None
    folder = tmp_path / "slides"
    assert main(["export-lesson", str(lesson_path), "-o", str(folder), "--size", "320x180"]) == 0
    pngs = sorted(folder.glob("step_*.png"))
    assert len(pngs) == len(lesson.steps)
    for png in pngs:
        img = np.asarray(Image.open(png))
        assert img.shape[:2] == (180, 320)
        assert img[..., :3].std() > 8, f"{png.name} is blank"
    notes = (folder / "notes.md").read_text(encoding="utf-8")
    assert lesson.title in notes and "not a diagnosis" in notes
    assert all(step.title in notes for step in lesson.steps)
