"""Read and write lessons (``*.talesson`` files and the built-in ``annotations/lessons/``).

Validation is per step: a broken step is reported (file, ``steps/<n>/<field>``, message) and
left out, and every other step still loads, so a typo in one slide never costs a whole lecture.
Saving is atomic, through the same writer as scenes.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from viewer.domain.lessons import CAPTION_MAX, Lesson, LessonStep
from viewer.io.problems import Problem
from viewer.io.resources import builtin_annotations_dir, schema_path
from viewer.io.scenes import dumps, parse_scene, read_json, scene_to_dict, write_text_atomic

LESSON_SUFFIX = ".talesson"
LESSON_KIND = "trigger-atlas-lesson"
LESSON_SCHEMA_VERSION = 1
SCHEMA_NAME = "lesson.schema.json"
BUILTIN_LESSONS = "lessons"


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    with open(schema_path(SCHEMA_NAME), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def _errors(instance: Any, definition: str | None = None) -> list[tuple[str, str]]:
    from viewer.io.reading import schema_validator

    schema = _schema()
    if definition is not None:
        schema = {"$defs": schema["$defs"], **schema["$defs"][definition]}
    out = []
    for error in sorted(
        schema_validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path)
    ):
        parts = [str(p) for p in error.absolute_path]
        out.append(("/".join(parts) if parts else "(top level)", error.message))
    return out


def parse_lesson(data: Any, file: str) -> tuple[Lesson | None, list[Problem]]:
    """A lesson from JSON data: ``None`` only if the lesson itself (not a step) is unusable."""
    if not isinstance(data, dict):
        return None, [Problem(file, "(top level)", "a lesson must be a JSON object")]
    version = data.get("schema_version")
    if isinstance(version, int) and version > LESSON_SCHEMA_VERSION:
        message = (
            f"written by a newer Trigger Atlas (version {version}; this one reads up to "
            f"{LESSON_SCHEMA_VERSION}); please update the app"
        )
        return None, [Problem(file, "schema_version", message)]
    errors = _errors(data)
    if errors:
        return None, [Problem(file, place, message) for place, message in errors]
    problems: list[Problem] = []
    steps: list[LessonStep] = []
    for n, entry in enumerate(data["steps"]):
        place = f"steps/{n}"
        step_errors = _errors(entry, "step")
        if step_errors:
            problems += [
                Problem(file, f"{place}/{p}", f"{m}; step skipped") for p, m in step_errors
            ]
            continue
        scene, scene_problems = parse_scene(entry["scene"], file, f"{place}/scene", embedded=True)
        problems += scene_problems
        if scene is None:
            problems.append(Problem(file, place, "step skipped: its scene is not valid"))
            continue
        caption = str(entry.get("caption", ""))
        if len(caption) > CAPTION_MAX or "\n" in caption:
            problems.append(
                Problem(
                    file,
                    f"{place}/caption",
                    f"{len(caption)} characters; a projector caption should be one line of at "
                    f"most {CAPTION_MAX}",
                    severity="warning",
                )
            )
        steps.append(
            LessonStep(
                title=str(entry["title"]),
                scene=scene,
                notes=str(entry.get("notes", "")),
                caption=caption,
            )
        )
    if not steps and data["steps"]:
        problems.append(Problem(file, "steps", "no step could be loaded"))
    elif not data["steps"]:
        problems.append(Problem(file, "steps", "the lesson has no steps", severity="warning"))
    lesson = Lesson(str(data["title"]), str(data.get("description", "")), tuple(steps))
    return lesson, problems


def load_lesson(path: str | os.PathLike[str]) -> tuple[Lesson | None, list[Problem]]:
    """Read a lesson file; the lesson (``None`` if unusable) and every problem."""
    path = Path(path)
    data, problems = read_json(path)
    if data is None:
        return None, problems
    lesson, more = parse_lesson(data, str(path))
    return lesson, problems + more


def lesson_to_dict(lesson: Lesson) -> dict[str, Any]:
    """Plain JSON data for a lesson (scenes embedded without their own version)."""
    return {
        "schema_version": LESSON_SCHEMA_VERSION,
        "kind": LESSON_KIND,
        "title": lesson.title,
        "description": lesson.description,
        "steps": [
            {
                "title": step.title,
                "caption": step.caption,
                "notes": step.notes,
                "scene": scene_to_dict(step.scene, standalone=False),
            }
            for step in lesson.steps
        ],
    }


def save_lesson(path: str | os.PathLike[str], lesson: Lesson) -> None:
    """Write a lesson atomically (errors propagate; the previous file is kept)."""
    write_text_atomic(path, dumps(lesson_to_dict(lesson)))


def builtin_lessons(folder: Path | None = None) -> tuple[Path, ...]:
    """Lesson files shipped with the app (``annotations/lessons/*.json``), sorted by name."""
    folder = folder or builtin_annotations_dir() / BUILTIN_LESSONS
    return tuple(sorted(folder.glob("*.json"))) if folder.is_dir() else ()
