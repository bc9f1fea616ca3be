"""Load ``annotations/synonyms.json``: the nicknames the search box understands ("QL", "glute max").

The file is validated against ``synonyms.schema.json``; with an atlas, every target must name a
structure (an id, or a side-free base that exists with ``_left``/``_right``). Problems name the
file, the entry and the field; bad targets are dropped and everything valid is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from viewer.domain.structures import Atlas
from viewer.io.problems import Problem
from viewer.io.resources import builtin_annotations_dir, schema_path

SYNONYMS_NAME = "synonyms.json"
SCHEMA_NAME = "synonyms.schema.json"


def _known(atlas: Atlas, target: str) -> bool:
    return target in atlas or any(target + s in atlas for s in ("_left", "_right"))


def load_synonyms(
    atlas: Atlas | None = None, path: Path | None = None
) -> tuple[Mapping[str, tuple[str, ...]], list[Problem]]:
    """Read the synonyms table (built-in one by default) -> ({term: targets}, problems)."""
    from viewer.io.reading import read_json_file, schema_validator

    path = path or builtin_annotations_dir() / SYNONYMS_NAME
    shown = path.name
    try:
        data: Any = read_json_file(path)[0]
    except (OSError, ValueError) as exc:
        return MappingProxyType({}), [Problem(shown, "(file)", f"cannot read: {exc}")]
    from viewer.io import validated

    schema = read_json_file(schema_path(SCHEMA_NAME))[0]
    stamp = validated.stamp_name("synonyms", data, schema)
    errors = []
    if not validated.known_clean(stamp):  # the same table passed before: no jsonschema import
        validator = schema_validator(schema)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if not errors:  # stamped once, when it first validates clean (no write per launch)
            validated.remember_clean(stamp)
    if errors:
        return MappingProxyType({}), [
            Problem(shown, "/".join(str(p) for p in e.absolute_path) or "(file)", e.message)
            for e in errors
        ]
    out: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for i, entry in enumerate(data["synonyms"]):
        term = entry["term"]
        targets = []
        for j, target in enumerate(entry["targets"]):
            if atlas is not None and len(atlas) and not _known(atlas, target):
                problems.append(
                    Problem(shown, f"synonyms/{i} ({term})", f"targets/{j}: unknown id {target!r}")
                )
            else:
                targets.append(target)
        if term in out:
            problems.append(Problem(shown, f"synonyms/{i} ({term})", "term: listed twice"))
        if targets:
            out[term] = tuple(targets)
    return MappingProxyType(out), problems
