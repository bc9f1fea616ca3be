"""Damaged files never crash, hang, escape their folder or pass in silence.

One generated damaged file per class (``tests/damaged_files.py``), fed to the command line and
to the main window: the person gets a named error or warning, the run ends in bounded time,
nothing outside the folder is read, and the rest of the data is still shown.
"""

from __future__ import annotations

import json
import math
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests import damaged_files as damage
from tests.atlas_factory import write_tiny_atlas
from tests.trigger_factory import annotation_data, write_annotations, write_body_atlas
from viewer.cli import main
from viewer.io.reading import ReadError, confined_path, parse_json_text, schema_validator


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block runs longer than ``seconds``."""

    def on_alarm(*_args: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s (hang)")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _render(atlas: Path, out: Path) -> int:
    return main(
        ["--atlas", str(atlas), "render", "-o", str(out), "--size", "160x120", "--no-markers"]
    )


# -- the reading layer ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested more than"),
        ('{"a": ' + "9" * 5000 + "}", "5,000 characters long"),
        ('{"a": 1.' + "5" * 5000 + "}", "characters long"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"a": "' + "x" * 200_000 + '"}', "200,000 characters"),
    ],
)
def test_json_limits_are_named_errors(text: str, words: str) -> None:
    with bounded(5), pytest.raises(ReadError) as info:
        parse_json_text(text)
    assert words in str(info.value)


def test_lone_surrogate_is_replaced_with_a_warning() -> None:
    data, warnings = parse_json_text('{"title": "a\\ud800b"}')
    assert data == {"title": "a\ufffdb"}
    assert warnings and "surrogate" in warnings[0]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308, 10**40])
def test_schema_numbers_must_be_finite_and_sane(value: float) -> None:
    schema = {"type": "number", "minimum": 0, "maximum": 1}
    errors = list(schema_validator(schema).iter_errors(value))
    assert errors and "not a finite number" in errors[0].message
    untyped = {"minimum": 0}  # NaN < 0 is False: plain JSON Schema lets NaN through here
    assert list(schema_validator(untyped).iter_errors(value))
    assert not list(schema_validator(schema).iter_errors(0.5))


def test_paths_are_confined_to_their_folder(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/x.vtp").write_text("x")
    folder = tmp_path / "atlas"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub/ok.vtp").write_text("x")
    os.symlink(tmp_path / "outside/x.vtp", folder / "sub/link.vtp")
    assert confined_path(folder, "sub/ok.vtp") == (folder / "sub/ok.vtp").resolve()
    for name, words in [
        (str(tmp_path / "outside/x.vtp"), "absolute"),
        ("../outside/x.vtp", "climbs out"),
        ("sub/../../outside/x.vtp", "climbs out"),
        ("sub/link.vtp", "outside its folder"),
        ("m" * 5000, "characters long"),
    ]:
        with pytest.raises(ReadError, match=words):
            confined_path(folder, name)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    from viewer.io.scenes import load_scene

    os.mkfifo(tmp_path / "pipe.tascene")
    with bounded(5):
        doc, problems = load_scene(tmp_path / "pipe.tascene")
    assert doc is None and "not a regular file" in problems[0].message


# -- atlas classes through the CLI and the window ------------------------------------------------
@pytest.mark.parametrize("kind", sorted(damage.ATLAS_CLASSES))
def test_damaged_atlas_through_the_cli(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    atlas = write_tiny_atlas(tmp_path / "atlas")
    words = damage.ATLAS_CLASSES[kind](atlas)
    opened: list[str] = []
    real_open = os.open

    def spy(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.path.realpath(path))
        return real_open(path, *args, **kwargs)

    with bounded(60), pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "open", spy)
        rc = _render(atlas, tmp_path / "out.png")
    err = capsys.readouterr().err
    assert rc == 0, err  # everything else is still drawn
    assert words in err, err
    assert (tmp_path / "out.png").stat().st_size > 0
    outside = str((tmp_path / "outside").resolve())
    assert not [p for p in opened if p.startswith(outside)], "read a file outside the atlas"


def test_manifest_fifo_does_not_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    atlas = write_tiny_atlas(tmp_path / "atlas")
    words = damage.manifest_fifo(atlas)
    with bounded(30):
        rc = _render(atlas, tmp_path / "out.png")
    assert rc == 1
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["parent_cycle", "symlinked_mesh", "vtp_huge_counts"])
def test_damaged_atlas_in_the_window(
    kind: str, tmp_path: Path, make_main_window: Any, qtbot: Any
) -> None:
    atlas = write_tiny_atlas(tmp_path / "atlas")
    words = damage.ATLAS_CLASSES[kind](atlas)
    with bounded(60):
        window = make_main_window(atlas, show=True)
    listed = window.problem_list.text()
    assert words in listed
    assert "pelvis_block" in window.state.atlas  # the rest is shown
    assert window.problem_list.button.isVisible()
    window.problem_list.button.click()
    dialog = window.problem_list.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.rowCount() == len(window.problem_list.problems)
    dialog.copy()
    from PySide6.QtGui import QGuiApplication

    assert words in QGuiApplication.clipboard().text()
    assert dialog.save(tmp_path / "problems.txt")
    assert words in (tmp_path / "problems.txt").read_text(encoding="utf-8")
    dialog.close()
    if window.problems_box is not None:
        window.problems_box.close()


# -- annotation classes through validate and the window -------------------------------------------
@pytest.fixture(scope="module")
def body_atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_body_atlas(tmp_path_factory.mktemp("body"))


@pytest.mark.parametrize("kind", sorted(damage.JSON_CLASSES))
@pytest.mark.parametrize(
    "name", ["trigger_points.json", "referral_zones.json", "skin_landmarks.json", "sources.json"]
)
def test_damaged_annotation_file_through_validate(
    kind: str, name: str, tmp_path: Path, body_atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_annotations(tmp_path / "ann")
    words = damage.JSON_CLASSES[kind](folder / name)
    with bounded(60):
        rc = main(["--atlas", str(body_atlas), "validate", str(folder)])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"{folder / name}" in out and words in out, out


def test_nan_entry_is_skipped_not_the_file(
    tmp_path: Path, body_atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = annotation_data()
    data["trigger_points.json"]["trigger_points"][0]["fraction"] = math.nan
    data["skin_landmarks.json"]["landmarks"][0]["radius_mm"] = 1e308
    folder = write_annotations(tmp_path / "ann", data)
    rc = main(["--atlas", str(body_atlas), "validate", str(folder)])
    out = capsys.readouterr().out
    assert rc == 1
    assert "fraction: nan is not a finite number" in out
    assert "radius_mm: 1e+308 is not a finite number" in out
    assert "trigger points" in out.strip().splitlines()[-1]  # the rest was kept and counted


def test_landmarks_damage_is_reported(
    tmp_path: Path, body_atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    atlas = tmp_path / "atlas"
    shutil.copytree(body_atlas, atlas)
    folder = write_annotations(tmp_path / "ann")
    lm = atlas / "landmarks.json"
    for text, words in [
        ('{"landmarks": {}}', "no landmark listed"),
        (lm.read_text()[:40], "line"),
        ('{"landmarks": {"psis_right": {"xyz": [NaN, 0, 0]}}}', "not three finite numbers"),
    ]:
        lm.write_text(text)
        main(["--atlas", str(atlas), "validate", str(folder)])
        out = capsys.readouterr().out
        assert f"{lm}" in out and words in out, out


def test_validate_reads_pair_views_and_lessons(
    tmp_path: Path, body_atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_annotations(tmp_path / "ann")
    (folder / "pair_views.json").write_text('{"schema_version": 1, "schema_version": 1}')
    (folder / "lessons").mkdir()
    scene = {"camera": {"view": "anterior"}, "show_only": ["no_such_muscle"]}
    lessons = {
        "empty.json": {"schema_version": 1, "title": "Empty", "steps": []},
        "unknown.json": {
            "schema_version": 1,
            "title": "Unknown",
            "steps": [{"title": "One", "scene": scene}],
        },
        "future.json": {"schema_version": 9, "title": "Future", "steps": []},
    }
    for name, lesson in lessons.items():
        (folder / "lessons" / name).write_text(json.dumps(lesson))
    assert main(["--atlas", str(body_atlas), "validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "pair_views.json" in out and "duplicate key" in out
    assert "empty.json: steps: the lesson has no steps" in out
    assert "unknown.json: steps/0/scene/show_only: unknown structure 'no_such_muscle'" in out
    assert "future.json: schema_version: written by a newer Trigger Atlas" in out


def test_builtin_data_validates_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0, capsys.readouterr().out


# -- documents: scenes and lessons ---------------------------------------------------------------
def _scene(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "bad.tascene"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            {
                "schema_version": 1,
                "camera": {
                    "position": [math.nan, 0, 0],
                    "focal_point": [0, 0, 0],
                    "view_up": [0, 0, 1],
                },
            },
            "not a finite number",
        ),
        ({"schema_version": 1, "structures": {"skin": {"opacity": math.nan}}}, "not a finite"),
        ("[" * 100_000, "nested more than"),
        ('{"schema_version": 1, "title": "a", "title": "b"}', "duplicate key"),
    ],
)
def test_damaged_scene_through_the_cli(
    data: Any, words: str, tmp_path: Path, tiny_atlas_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _scene(tmp_path, data)
    with bounded(60):
        rc = main(
            [
                "--atlas",
                str(tiny_atlas_dir),
                "render",
                "--scene",
                str(path),
                "-o",
                str(tmp_path / "o.png"),
                "--size",
                "160x120",
            ]
        )
    err = capsys.readouterr().err
    assert rc == 1 and words in err and str(path) in err, err


def test_empty_lesson_is_an_error_for_export(
    tmp_path: Path, tiny_atlas_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.talesson"
    path.write_text(json.dumps({"schema_version": 1, "title": "Empty", "steps": []}))
    rc = main(
        ["--atlas", str(tiny_atlas_dir), "export-lesson", str(path), "-o", str(tmp_path / "slides")]
    )
    err = capsys.readouterr().err
    assert rc == 1 and "no steps" in err


def test_html_in_files_is_shown_as_plain_text(
    tmp_path: Path, make_main_window: Any, qtbot: Any
) -> None:
    from PySide6.QtCore import Qt

    atlas = write_tiny_atlas(tmp_path / "atlas")
    data = damage.manifest(atlas)
    data["sources"][0]["note"] = '<img src="/etc/passwd">'
    data["structures"][1]["name"] = 7  # one bad entry: its problem echoes the value
    damage.write_manifest(atlas, data)
    window = make_main_window(atlas, show=True)
    assert "&lt;img" in window.about_text() and "<img" not in window.about_text()
    path = _scene(tmp_path, {"schema_version": 1, "selection": "<img src='/etc/passwd'>"})
    window.files.open_scene_from(path)
    box = window.scene_problems_box
    if box is not None:
        assert box.textFormat() == Qt.TextFormat.PlainText
        box.close()
    if window.problems_box is not None:
        assert window.problems_box.textFormat() == Qt.TextFormat.PlainText
        window.problems_box.close()


def test_exception_in_a_slot_is_reported_and_the_window_stays_usable(
    tiny_atlas_dir: Path, make_main_window: Any, qtbot: Any, monkeypatch: Any
) -> None:
    window = make_main_window(tiny_atlas_dir, show=True)

    def broken(*_args: object) -> None:
        raise RuntimeError("boom from a damaged file")

    monkeypatch.setattr(window, "show_all", broken)
    window.actions_by_id["structure.show_all"].trigger()
    assert "boom from a damaged file" in window.problem_list.text()
    monkeypatch.undo()
    window.actions_by_id["view.posterior"].trigger()  # still answers
    assert window.isVisible()


def test_stale_save_temporaries_are_cleaned(tmp_path: Path) -> None:
    from viewer.io.scenes import write_text_atomic

    target = tmp_path / "class.tascene"
    for n in range(3):
        (tmp_path / f".class.tascene.x{n}abc.tmp").write_text("half")
    (tmp_path / ".other.tascene.zz.tmp").write_text("not ours")
    started = time.monotonic()
    write_text_atomic(target, "{}")
    assert time.monotonic() - started < 5
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".other.tascene.zz.tmp", "class.tascene"]


def test_damaged_builtin_annotations_in_the_window(
    tmp_path: Path, make_main_window: Any, qtbot: Any, monkeypatch: Any
) -> None:
    from viewer.io.resources import builtin_annotations_dir

    folder = tmp_path / "annotations"
    expected = damage.damage_builtin_annotations(builtin_annotations_dir(), folder)
    monkeypatch.setenv("TRIGGER_ATLAS_ANNOTATIONS", str(folder))
    with bounded(120):
        window = make_main_window(show=True)
    listed = window.problem_list.text()
    for name, words in expected.items():
        assert any(name in line and words in line for line in listed.splitlines()), name
    assert window.features is not None and window.features.triggers is not None
    window.actions_by_id["lesson.present"].trigger()  # the 10,000-character step is skipped
    assert window.presenter is not None
    assert "steps/0/title" in window.problem_list.text()
    window.presenter.stop()
    assert not [p for p in window.problem_list.problems if p.place == "unexpected error"]


def test_future_annotation_version_is_named(
    tmp_path: Path, body_atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = annotation_data()
    data["sources.json"]["schema_version"] = 2
    folder = write_annotations(tmp_path / "ann", data)
    assert main(["--atlas", str(body_atlas), "validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "sources.json: schema_version: version 2 is not one this Trigger Atlas reads" in out
