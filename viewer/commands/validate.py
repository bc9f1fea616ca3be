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
            print(f"warning (atlas): {p}", file=sys.stderr)
        landmarks, lm_problems = load_bony_landmarks(loaded.folder)
        problems += lm_problems
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
    if (base / STRUCTURE_INFO_NAME).is_file():
        problems += load_structure_info(atlas, base / STRUCTURE_INFO_NAME).problems
    if (base / SYNONYMS_NAME).is_file():
        problems += load_synonyms(atlas, base / SYNONYMS_NAME)[1]
    return problems
