"""Lessons: editing functions, the file format with per-step validation, the step navigator, and
the built-in iliopsoas lesson checked against the built-in atlas and annotations."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from viewer.domain.lessons import (
    CAPTION_MAX,
    Lesson,
    LessonStep,
    add_step,
    edit_lesson,
    edit_step,
    move_step,
    remove_step,
)
from viewer.domain.scenedoc import PairViewRef, SceneCamera, SceneDocument, TriggerSettings
from viewer.io.lessons import builtin_lessons, lesson_to_dict, load_lesson, save_lesson
from viewer.io.resources import builtin_annotations_dir
from viewer.state.lesson_player import LessonPlayer

BUILTIN = builtin_annotations_dir() / "lessons" / "iliopsoas_back_pain.json"
S_KEY = re.compile(r"\bS\d+[a-z]?\b")


def step(name: str, view: str = "anterior", caption: str = "") -> LessonStep:
    return LessonStep(name, SceneDocument(camera=SceneCamera(view=view)), f"notes {name}", caption)


def abc() -> Lesson:
    return Lesson("Demo", "three steps", (step("a"), step("b"), step("c")))


def titles(lesson: Lesson) -> list[str]:
    return [s.title for s in lesson.steps]


# -- editing -----------------------------------------------------------------------------------
def test_editing_returns_new_lessons_and_leaves_the_old_one() -> None:
    lesson = abc()
    assert titles(add_step(lesson, step("d"))) == ["a", "b", "c", "d"]
    assert titles(add_step(lesson, step("d"), 0)) == ["d", "a", "b", "c"]
    assert titles(add_step(lesson, step("d"), 3)) == ["a", "b", "c", "d"]
    assert titles(remove_step(lesson, 1)) == ["a", "c"]
    assert titles(remove_step(lesson, -1)) == ["a", "b"]
    assert titles(move_step(lesson, 0, 2)) == ["b", "c", "a"]
    assert titles(move_step(lesson, 2, 0)) == ["c", "a", "b"]
    edited = edit_step(lesson, 1, caption="Short caption", notes="new notes")
    assert edited.steps[1] == LessonStep("b", lesson.steps[1].scene, "new notes", "Short caption")
    assert edited.steps[0] is lesson.steps[0]
    assert edit_lesson(lesson, title="Other").title == "Other"
    assert titles(lesson) == ["a", "b", "c"], "the original lesson was changed"


def test_editing_rejects_bad_indexes_and_long_captions() -> None:
    lesson = abc()
    with pytest.raises(IndexError):
        remove_step(lesson, 3)
    with pytest.raises(IndexError):
        move_step(lesson, 0, 5)
    with pytest.raises(IndexError):
        add_step(lesson, step("x"), 5)
    with pytest.raises(ValueError, match="characters"):
        edit_step(lesson, 0, caption="x" * (CAPTION_MAX + 1))
    with pytest.raises(ValueError):
        add_step(lesson, step("x", caption="two\nlines"))
    assert edit_step(lesson, 0, caption="x" * CAPTION_MAX).steps[0].caption == "x" * CAPTION_MAX


# -- files -------------------------------------------------------------------------------------
def test_lesson_round_trip(tmp_path: Path) -> None:
    scene = SceneDocument(
        pair_view=PairViewRef("bilateral", "left", "iliopsoas"),
        triggers=TriggerSettings(active=("iliacus_right",), markers=("iliopsoas_right",)),
        labels=("sacrum",),
    )
    lesson = add_step(abc(), LessonStep("pair", scene, "n [S29]", "caption"))
    path = tmp_path / "demo.talesson"
    save_lesson(path, lesson)
    again, problems = load_lesson(path)
    assert problems == [] and again == lesson
    assert "schema_version" not in json.loads(path.read_text("utf-8"))["steps"][0]["scene"]


def test_a_broken_step_is_reported_and_skipped(tmp_path: Path) -> None:
    data = lesson_to_dict(abc())
    data["steps"][0]["scene"]["camera"] = {"view": "anterior", "zoom": 2}
    del data["steps"][2]["title"]
    data["steps"][1]["caption"] = "y" * 120
    path = tmp_path / "broken.talesson"
    path.write_text(json.dumps(data), encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is not None and titles(lesson) == ["b"]
    places = [p.place for p in problems]
    assert any(p.startswith("steps/0/scene/camera") for p in places)
    assert "steps/0" in places and "steps/2/(top level)" in places
    long = [p for p in problems if p.place == "steps/1/caption"]
    assert long and long[0].severity == "warning"
    assert all(p.file == str(path) for p in problems)


def test_broken_lesson_files_name_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.talesson"
    path.write_text('{"schema_version": 1,\n "title": "x",\n "steps": [}', encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is None and problems[0].place == "line 3, column 12"
    path.write_text(json.dumps({"schema_version": 1, "steps": []}), encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is None and "title" in problems[0].message
    path.write_text(json.dumps({"schema_version": 2, "title": "x", "steps": []}), "utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is None and "newer" in problems[0].message


def test_lesson_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "demo.talesson"
    save_lesson(path, abc())
    before = path.read_text("utf-8")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        save_lesson(path, add_step(abc(), step("d")))
    assert path.read_text("utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["demo.talesson"]


# -- navigator ---------------------------------------------------------------------------------
def test_player_navigates_with_clamping_and_signals_only_real_changes() -> None:
    player = LessonPlayer(abc())
    seen: list[int] = []
    player.step_changed.connect(seen.append)
    assert player.index == 0 and player.at_first and player.step.title == "a"
    assert player.previous() == 0 and seen == []
    assert player.next() == 1 and player.next() == 2 and player.next() == 2
    assert seen == [1, 2] and player.at_last and player.position_text() == "3 / 3"
    assert player.first() == 0 and player.last() == 2
    assert player.goto(-5) == 0 and player.goto(99) == 2 and player.goto(1) == 1
    assert seen == [1, 2, 0, 2, 0, 2, 1]
    assert LessonPlayer(abc(), start=10).index == 2


def test_player_blanking() -> None:
    player = LessonPlayer(abc())
    blanks: list[bool] = []
    player.blank_changed.connect(blanks.append)
    assert player.toggle_blank() is True and player.blank
    player.set_blank(True)
    assert blanks == [True]
    player.next()  # moving on ends the pause
    assert not player.blank and blanks == [True, False]
    player.toggle_blank()
    player.goto(1)  # same step: still blank
    assert player.blank


def test_player_takes_an_edited_lesson() -> None:
    player = LessonPlayer(abc(), start=2)
    seen: list[int] = []
    player.step_changed.connect(seen.append)
    player.set_lesson(remove_step(abc(), 2))
    assert player.index == 1 and seen == [1]
    player.set_lesson(abc(), start=0)
    assert player.index == 0
    with pytest.raises(ValueError):
        LessonPlayer(Lesson("empty"))


# -- the built-in lesson -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def builtin() -> Lesson:
    lesson, problems = load_lesson(BUILTIN)
    assert problems == [], problems
    assert lesson is not None
    return lesson


def test_builtin_lesson_is_listed_and_well_formed(builtin: Lesson) -> None:
    assert BUILTIN in builtin_lessons()
    assert builtin.title == "What does the iliopsoas have to do with back pain?"
    assert 8 <= len(builtin.steps) <= 12
    sources = json.loads((builtin_annotations_dir() / "sources.json").read_text("utf-8"))
    known = {entry["key"] for entry in sources["sources"]}
    for n, s in enumerate(builtin.steps):
        assert s.caption and len(s.caption) <= CAPTION_MAX, (n, s.caption)
        cited = set(S_KEY.findall(s.notes))
        assert cited, f"step {n} notes cite no source"
        assert cited <= known, f"step {n} cites unknown sources {cited - known}"
        camera = s.scene.camera
        assert camera is None or camera.pose is None, f"step {n} uses raw coordinates"
        assert not s.scene.painful_spots
        assert camera is not None or s.scene.pair_view is not None, f"step {n} has no camera"


def test_builtin_lesson_follows_the_story(builtin: Lesson) -> None:
    steps = builtin.steps
    first = steps[0].scene
    # from the front, framed on both iliopsoas and the pelvis: the whole femurs made the
    # muscles a thin figure in the middle of a projected slide
    assert first.camera is not None and first.camera.view == "anterior"
    assert {"iliopsoas_right", "iliopsoas_left", "vertebra_t12"} <= set(first.camera.frame)
    assert first.show_only is not None
    assert {"iliopsoas_right", "iliopsoas_left", "vertebra_t12", "femur_right"} <= set(
        first.show_only
    )
    pairs = [(s.scene.pair_view.id, s.scene.pair_view.muscle) for s in steps if s.scene.pair_view]
    assert pairs == [
        ("upper_vs_lower_psoas", None),
        ("psoas_vs_piriformis", None),
        ("iliopsoas_vs_gluteus_maximus", None),
        ("iliopsoas_vs_gluteus_medius_minimus", None),
        ("bilateral", "iliopsoas"),
    ]
    piriformis = next(
        s for s in steps if s.scene.pair_view and "piriformis" in s.scene.pair_view.id
    )
    assert "disagree" in piriformis.notes
    heat = [s for s in steps if s.scene.triggers.active]
    assert [s.scene.camera for s in heat] == [
        SceneCamera(view="posterior"),
        SceneCamera(view="posterior"),
        SceneCamera(view="anterior"),
    ]
    # Step 2 ("pain from the sacrum up to T12") shows that pain area on the back, before the
    # X's are introduced in step 8.
    assert heat[0] is steps[1] and heat[0].scene.triggers.markers == ()
    assert {"vertebra_t12", "sacrum"} <= set(steps[1].scene.labels)
    from viewer.features import HEAT_MIN_SKIN_OPACITY

    for s in heat:
        assert s.scene.triggers.heat_visible
        look = s.scene.look("skin")
        # at least as opaque as the renderer makes the skin for a heat map, so it does not
        # change it (step 10 draws it as the body, 0.9, so its deep points read as deep)
        assert look is not None and look.visible and look.opacity >= HEAT_MIN_SKIN_OPACITY
    assert "professional" in steps[-1].caption.lower()
    assert "not a diagnosis" in steps[-1].notes


def needed_structures(lesson: Lesson) -> set[str]:
    """Structures the lesson needs from the atlas: the ids it names, the muscles of the pair
    views it enters and of the trigger points it shows, and the skin for the heat map."""
    annotations = builtin_annotations_dir()
    needed = {"skin"}
    pairs = json.loads((annotations / "pair_views.json").read_text("utf-8"))
    used = {s.scene.pair_view.id for s in lesson.steps if s.scene.pair_view}
    for pair in pairs["pair_views"]:
        if pair["id"] in used:
            needed |= set(pair["a"]["structures"]) | set(pair["b"]["structures"])
    points = json.loads((annotations / "trigger_points.json").read_text("utf-8"))
    needed |= {t["muscle"] for t in points["trigger_points"]}
    for s in lesson.steps:
        needed |= set(s.scene.referenced_structures())
    return needed | {i.replace("_right", "_left") for i in needed}


@pytest.fixture(scope="module")
def builtin_features(builtin: Lesson) -> Any:
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context()
    atlas, meshes = context.loaded.atlas, context.loaded.meshes
    missing = sorted(
        i
        for i in needed_structures(builtin)
        if i not in atlas or not any(leaf in meshes for leaf in atlas.leaves(i))
    )
    if missing:
        pytest.skip(f"built-in atlas does not have these yet: {', '.join(missing)}")
    return context, load_features(context)


def test_every_builtin_step_applies_to_the_builtin_atlas(
    builtin: Lesson, builtin_features: Any
) -> None:
    from viewer.state.scene_io import FramedView, apply_scene, capture_scene

    context, features = builtin_features
    assert features.triggers is not None and features.pairs is not None
    for n, s in enumerate(builtin.steps):
        camera, problems = apply_scene(
            s.scene, context.state, features, file=str(BUILTIN), place=f"steps/{n}/scene"
        )
        assert problems == [], problems
        if s.scene.camera is not None and s.scene.camera.frame:
            assert camera == FramedView(s.scene.camera.view or "", s.scene.camera.frame)
        else:
            assert camera == (s.scene.camera.view if s.scene.camera else None)
        active = features.pairs.active
        assert (active.id if active else None) == (
            s.scene.pair_view.id if s.scene.pair_view else None
        )
        assert features.triggers.active == s.scene.triggers.active
        if s.scene.show_only is not None:
            shown = set(context.state.visible_ids)
            assert all(context.state.is_visible(i) for i in s.scene.show_only)
            assert "skin" not in shown or "skin" in s.scene.show_only
        # the step, captured again, re-applies to the same scene
        again = capture_scene(context.state, features)
        _, problems = apply_scene(again, context.state, features)
        assert problems == [] and capture_scene(context.state, features) == again


def test_the_closing_slide_names_the_muscles_under_its_xs() -> None:
    """A lecturer found the closing slide's eight X's unnamed: it taught nothing specific, and
    the lowest looked as if they sat on bone. It names the iliopsoas parts they mark."""
    lesson, _problems = load_lesson(BUILTIN)
    last = lesson.steps[-1]
    assert {"psoas_major_right", "iliacus_right"} <= set(last.scene.labels)
