"""Load ``annotations/structure_info.json`` into a :class:`StructureInfoLibrary`.

Each entry is validated against ``structure_info.schema.json``; with an atlas, every id must name
a structure (itself or its ``_right``/``_left`` forms), attached muscles must be muscle entries,
pair views must exist in ``pair_views.json`` and cited S-keys in ``sources.json``. Problems name
the file, the entry and the field; a broken entry is left out and the rest is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from viewer.domain.structure_info import StructureInfo, StructureInfoLibrary
from viewer.domain.structures import Atlas
from viewer.io.problems import Problem
from viewer.io.resources import builtin_annotations_dir, schema_path

STRUCTURE_INFO_NAME = "structure_info.json"
SCHEMA_NAME = "structure_info.schema.json"


@dataclass
class StructureInfoResult:
    """The entries that could be loaded and every problem met on the way."""

    library: StructureInfoLibrary = field(default_factory=StructureInfoLibrary)
    problems: list[Problem] = field(default_factory=list)


def _json(path: Path) -> Any:
    from viewer.io.reading import read_json_file

    return read_json_file(path)[0]


def _known_ids(folder: Path, name: str, list_key: str, id_key: str) -> set[str] | None:
    """Ids listed in a sibling annotation file, or ``None`` when it cannot be read."""
    try:
        data = _json(folder / name)
        return {str(e[id_key]) for e in data.get(list_key, []) if isinstance(e, dict)}
    except (OSError, ValueError, AttributeError, KeyError):
        return None


def load_structure_info(
    atlas: Atlas | None = None, path: Path | None = None
) -> StructureInfoResult:
    """Read and cross-check the structure facts (the built-in file by default)."""
    from viewer.io.reading import schema_validator

    path = path or builtin_annotations_dir() / STRUCTURE_INFO_NAME
    shown = path.name
    result = StructureInfoResult(library=StructureInfoLibrary(atlas=atlas))
    try:
        data = _json(path)
    except (OSError, ValueError) as exc:
        result.problems.append(Problem(shown, "(file)", f"cannot read: {exc}"))
        return result
    schema = _json(schema_path(SCHEMA_NAME))
    # The top level first (entries are checked one by one below, so one bad entry is dropped
    # instead of failing the file): lists of entries are replaced by empty lists here.
    top_level = (
        {
            k: ([] if k in ("muscles", "bones") and isinstance(v, list) else v)
            for k, v in data.items()
        }
        if isinstance(data, dict)
        else data
    )
    for error in schema_validator(schema).iter_errors(top_level):
        where = "/".join(str(p) for p in error.absolute_path) or "(file)"
        result.problems.append(Problem(shown, where, error.message))
    if result.problems or not isinstance(data, dict):
        return result

    folder = path.parent
    pair_ids = _known_ids(folder, "pair_views.json", "pair_views", "id")
    templates = _known_ids(folder, "pair_views.json", "templates", "id") or set()
    source_keys = _known_ids(folder, "sources.json", "sources", "key")
    check_atlas = atlas is not None and len(atlas) > 0
    entries: dict[str, StructureInfo] = {}
    raw_bones: list[tuple[str, dict[str, Any]]] = []

    for list_key, kind in (("muscles", "muscle"), ("bones", "bone")):
        sub = {"$defs": schema["$defs"], **schema["$defs"][kind]}
        validator = schema_validator(sub)
        for i, entry in enumerate(data.get(list_key, [])):
            label = entry.get("id", "?") if isinstance(entry, dict) else "?"
            place = f"{list_key}/{i} ({label})"
            errors = list(validator.iter_errors(entry))
            bad: list[str] = []
            for error in errors:
                where = "/".join(str(p) for p in error.absolute_path) or "(entry)"
                bad.append(f"{where}: {error.message}")
            if not errors:
                sid = entry["id"]
                if sid in entries:
                    bad.append(f"id: {sid!r} listed twice")
                if (
                    check_atlas
                    and atlas is not None
                    and not (sid in atlas or any(sid + s in atlas for s in ("_right", "_left")))
                ):
                    bad.append(f"id: no structure {sid!r} (or {sid}_right/_left) in the atlas")
                for j, pid in enumerate(entry.get("pair_views", [])):
                    if pair_ids is not None and pid not in pair_ids | templates:
                        bad.append(f"pair_views/{j}: unknown pair view {pid!r}")
                for j, key in enumerate(entry["sources"]):
                    if source_keys is not None and key not in source_keys:
                        bad.append(f"sources/{j}: {key!r} is not in sources.json")
            if bad:
                result.problems.extend(Problem(shown, place, msg) for msg in bad)
                continue
            info = StructureInfo(
                id=entry["id"],
                kind=kind,
                title=entry["title"],
                plain=entry["plain"],
                origin=entry.get("origin", StructureInfo.origin),
                insertion=entry.get("insertion", StructureInfo.insertion),
                innervation=entry.get("innervation", StructureInfo.innervation),
                action=entry.get("action", StructureInfo.action),
                blood_supply=entry["blood_supply"],
                attached_muscles=tuple(entry.get("attached_muscles", ())),
                pair_views=tuple(entry.get("pair_views", ())),
                sources=tuple(entry["sources"]),
                note=entry.get("note", ""),
            )
            entries[info.id] = info
            if kind == "bone":
                raw_bones.append((place, entry))

    # Against every muscle the file lists, so one broken muscle entry does not cascade.
    muscle_ids = {e.get("id") for e in data.get("muscles", []) if isinstance(e, dict)}
    for place, entry in raw_bones:
        for j, muscle in enumerate(entry["attached_muscles"]):
            if muscle not in muscle_ids:
                result.problems.append(
                    Problem(shown, place, f"attached_muscles/{j}: {muscle!r} is no muscle entry")
                )
    result.library = StructureInfoLibrary(MappingProxyType(entries), atlas)
    return result
