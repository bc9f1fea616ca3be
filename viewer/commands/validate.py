"""``trigger-atlas validate [PATH]``: check a folder of annotation files against the atlas.

Prints every problem as ``file: entry field: message``; exit code 1 if any is an error, else 0
with a one-line summary. With ``--files-only`` the atlas is not read (only the files and their
references to each other are checked).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HELP = (
    "check annotation files (trigger points, skin landmarks, referral zones, sources, "
    "structure facts, search synonyms)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``PATH`` and ``--files-only``."""
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="folder of annotation files (default: the built-in annotations)",
    )
    parser.add_argument(
        "--files-only",
        action="store_true",
        help="do not read the atlas: check only the files and their references to each other",
    )


def run(args: argparse.Namespace) -> int:
    """Validate and report; 1 on any error, 0 when clean."""
    from viewer.io.annotations import (
        load_annotations,
        load_bony_landmarks,
        resolve_annotations,
    )
    from viewer.io.problems import Problem
    from viewer.io.resources import builtin_meshes_dir

    folder = args.path
    if folder is not None and not Path(folder).is_dir():
        print(f"error: {folder}: not a folder", file=sys.stderr)
        return 1
    problems: list[Problem] = []
    if args.files_only:
        annotations = load_annotations(folder)
        problems += annotations.problems
        atlas_note = "files only, atlas not checked"
    else:
        from viewer.domain.landmarks import Geometry
        from viewer.heatmap.model import skin_structure
        from viewer.io.atlas_loader import load_atlas

        loaded = load_atlas(getattr(args, "atlas", None) or builtin_meshes_dir(), with_light=False)
        for p in loaded.problems:
            if p.severity != "error":
                print(f"warning (atlas): {p}", file=sys.stderr)
        landmarks, lm_problems = load_bony_landmarks(loaded.folder)
        problems += lm_problems
        if not landmarks and not lm_problems:
            problems.append(
                Problem(str(loaded.folder / "landmarks.json"), "landmarks", "no landmark listed")
            )
        annotations = load_annotations(folder, loaded.atlas, landmarks)
        problems += annotations.problems
        skin_id = skin_structure(loaded.atlas)
        skin = loaded.meshes.get(skin_id) if skin_id else None
        resolved = resolve_annotations(
            annotations, Geometry(landmarks=landmarks, surfaces=loaded.meshes), skin
        )
        problems += resolved.problems
        atlas_note = f"checked against the atlas in {loaded.folder}"
    problems += _study_files(folder, None if args.files_only else loaded.atlas)
    if not args.files_only:
        problems += [p for p in loaded.problems if p.severity == "error"]
        problems += _pairs_and_lessons(folder, loaded.atlas, landmarks, annotations)
    for p in problems:
        print(f"{p.severity}: {p}")
    errors = [p for p in problems if p.severity == "error"]
    n_right = sum(1 for t in annotations.trigger_points.values() if t.side.value == "right")
    summary = (
        f"{len(annotations.trigger_points)} trigger points ({n_right} right + "
        f"{len(annotations.trigger_points) - n_right} left), "
        f"{len(annotations.patterns)} referral patterns, "
        f"{len(annotations.skin_landmarks)} skin landmarks, {len(annotations.sources)} sources "
        f"in {annotations.folder} ({atlas_note})"
    )
    if errors:
        print(
            f"FAILED: {len(errors)} error(s), {len(annotations.skipped)} entries skipped; "
            f"kept {summary}"
        )
        return 1
    print(f"OK: {summary}")
    return 0


def _study_files(folder: Path | None, atlas: Any) -> list[Any]:
    """Problems of ``structure_info.json`` and ``synonyms.json`` when the folder has them."""
    from viewer.io.resources import builtin_annotations_dir
    from viewer.io.structure_info import STRUCTURE_INFO_NAME, load_structure_info
    from viewer.io.synonyms import SYNONYMS_NAME, load_synonyms

    base = Path(folder) if folder is not None else builtin_annotations_dir()
    problems: list[Any] = []
    if (base / STRUCTURE_INFO_NAME).exists():
        problems += load_structure_info(atlas, base / STRUCTURE_INFO_NAME).problems
    if (base / SYNONYMS_NAME).exists():
        problems += load_synonyms(atlas, base / SYNONYMS_NAME)[1]
    return problems


def _pairs_and_lessons(
    folder: Path | None, atlas: Any, landmarks: Any, annotations: Any
) -> list[Any]:
    """Problems of ``pair_views.json`` and of every lesson in ``lessons/`` (built-in included).

    Lessons are checked the way the app opens them, then every structure, pair view and trigger
    point their steps name is looked up, so a lesson that would show less than it says is
    reported here and not only when someone presents it.
    """
    from viewer.io.lessons import BUILTIN_LESSONS, builtin_lessons, load_lesson
    from viewer.io.pairviews import PAIR_VIEWS_NAME, load_pair_views
    from viewer.io.problems import Problem
    from viewer.io.resources import builtin_annotations_dir

    base = Path(folder) if folder is not None else builtin_annotations_dir()
    problems: list[Any] = []
    pair_ids: set[str] | None = None
    if (base / PAIR_VIEWS_NAME).exists():
        result = load_pair_views(atlas, landmarks, base / PAIR_VIEWS_NAME)
        problems += result.problems
        pair_ids = set(result.library.ids)
    trigger_ids = set(annotations.trigger_points)
    for path in builtin_lessons(base / BUILTIN_LESSONS):
        lesson, lesson_problems = load_lesson(path)
        problems += lesson_problems
        if lesson is None:
            continue
        if not lesson.steps:
            problems.append(Problem(str(path), "steps", "the lesson has no steps"))
        for n, step in enumerate(lesson.steps):
            for place, message in scene_references(step.scene, atlas, pair_ids, trigger_ids):
                problems.append(Problem(str(path), f"steps/{n}/scene/{place}", message))
    return problems


def scene_references(
    doc: Any, atlas: Any, pair_ids: set[str] | None, trigger_ids: set[str] | None
) -> list[tuple[str, str]]:
    """``(field, message)`` for every id a scene names that this atlas or data does not have."""
    out: list[tuple[str, str]] = []

    def structure(place: str, sid: str | None) -> None:
        if sid is not None and atlas is not None and len(atlas) and sid not in atlas:
            out.append((place, f"unknown structure {sid!r}"))

    for sid in doc.show_only or ():
        structure("show_only", sid)
    for sid, _look in doc.structures:
        structure("structures", sid)
    structure("selection", doc.selection)
    for sid in doc.labels:
        structure("labels", sid)
    structure("triggers/muscle", doc.triggers.muscle)
    for sid in doc.triggers.markers or ():
        structure("triggers/markers", sid)
    if trigger_ids is not None:
        for tid in doc.triggers.active:
            if tid not in trigger_ids:
                out.append(("triggers/active", f"unknown trigger point {tid!r}"))
    if doc.pair_view is not None and pair_ids is not None and doc.pair_view.id not in pair_ids:
        out.append(("pair_view/id", f"unknown pair view {doc.pair_view.id!r}"))
    return out
