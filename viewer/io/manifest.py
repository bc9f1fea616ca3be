"""Read and validate ``manifest.json`` into a :class:`~viewer.domain.structures.Atlas`.

Validation is per entry: a broken structure entry is reported (file, entry, field) and skipped, and
the rest of the atlas still loads. Only a manifest that cannot be read at all, or that is in a
different frame or unit, yields an empty atlas.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from viewer.domain.bodies import Body
from viewer.domain.structures import (
    EMPTY_ATLAS,
    Atlas,
    Attachment,
    Kind,
    Side,
    SourceInfo,
    Structure,
)
from viewer.io.problems import Problem
from viewer.io.reading import load_json
from viewer.io.resources import schema_path

MANIFEST_NAME = "manifest.json"


@dataclass
class ManifestResult:
    """The atlas that could be built from a manifest and every problem met on the way."""

    atlas: Atlas
    problems: list[Problem] = field(default_factory=list)
    found: bool = True
    bodies: tuple[Body, ...] = ()
    """Body outlines the atlas offers besides its skin structure (neutral first, if any)."""


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    with open(schema_path("manifest.schema.json"), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def _error_place(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    return "/".join(parts) if parts else "(top level)"


def _validate(instance: Any, schema: dict[str, Any]) -> list[tuple[str, str]]:
    from viewer.io.reading import schema_validator

    validator = schema_validator(schema)
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        out.append((_error_place(error), error.message))
    return out


class _Checks:
    """Schema validation of one manifest's parts, skipped when a stamp says the same manifest
    validated clean before (:mod:`viewer.io.validated`); notes whether anything failed."""

    def __init__(self, skip: bool) -> None:
        self.skip = skip
        self.failed = False

    def __call__(self, instance: Any, schema: dict[str, Any]) -> list[tuple[str, str]]:
        if self.skip:
            return []
        errors = _validate(instance, schema)
        self.failed = self.failed or bool(errors)
        return errors


def load_manifest(atlas_dir: Path) -> ManifestResult:
    """Load ``atlas_dir/manifest.json``; never raises for bad content, reports instead."""
    path = Path(atlas_dir) / MANIFEST_NAME
    shown = str(path)
    if not path.exists():
        return ManifestResult(
            EMPTY_ATLAS,
            [Problem(shown, "", "no atlas is installed here (manifest.json not found)")],
            found=False,
        )
    data, read_problems = load_json(path)
    if data is None:
        return ManifestResult(EMPTY_ATLAS, read_problems)
    if not isinstance(data, dict):
        return ManifestResult(EMPTY_ATLAS, [Problem(shown, "", "is not a JSON object")])

    from viewer.io import validated

    schema = _schema()
    stamp = validated.stamp_name("manifest", data, schema)
    checks = _Checks(skip=validated.known_clean(stamp))
    top_schema = dict(schema)
    top_schema["properties"] = dict(schema["properties"])
    top_schema["properties"]["structures"] = {"type": "array"}
    top_schema["properties"]["bodies"] = {"type": "array"}
    fatal = [Problem(shown, place, msg) for place, msg in checks(data, top_schema)]
    if fatal:
        return ManifestResult(EMPTY_ATLAS, fatal)

    problems: list[Problem] = []
    entry_schema = {"$defs": schema["$defs"], **schema["$defs"]["structure"]}
    structures: list[Structure] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["structures"]):
        label = f"structures[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({entry['id']})"
        errors = checks(entry, entry_schema)
        if errors:
            problems += [Problem(shown, f"{label} {place}", msg) for place, msg in errors]
            continue
        if entry["id"] in seen:
            problems.append(Problem(shown, label, f"duplicate id {entry['id']!r}; entry skipped"))
            continue
        seen.add(entry["id"])
        structures.append(_structure(entry))

    structures = _drop_dangling(structures, shown, problems)
    structures = _break_parent_cycles(structures, shown, problems)
    structures = _confine_files(structures, Path(atlas_dir), shown, problems)
    sources = tuple(
        SourceInfo(
            id=s["id"],
            name=s["name"],
            version=s["version"],
            licence=s["licence"],
            url=s.get("url", ""),
            note=s.get("note", ""),
        )
        for s in data["sources"]
    )
    atlas = Atlas(
        structures=tuple(structures),
        sources=sources,
        title=str(data.get("title", "Trigger Atlas")),
        root=str(Path(atlas_dir)),
    )
    bodies = _bodies(data.get("bodies", []), schema, shown, problems, checks)
    if not checks.skip and not checks.failed:
        validated.remember_clean(stamp)
    return ManifestResult(atlas, problems, bodies=bodies)


def _bodies(
    entries: list[Any],
    schema: dict[str, Any],
    shown: str,
    problems: list[Problem],
    checks: _Checks,
) -> tuple[Body, ...]:
    """Body entries that validate; a bad one is reported and left out (the atlas still loads)."""
    body_schema = schema["properties"]["bodies"]["items"]
    out: list[Body] = []
    for index, entry in enumerate(entries):
        errors = checks(entry, body_schema)
        if errors:
            problems += [Problem(shown, f"bodies[{index}] {p}", m) for p, m in errors]
            continue
        if any(b.id == entry["id"] for b in out):
            problems.append(Problem(shown, f"bodies[{index}]", f"duplicate body {entry['id']!r}"))
            continue
        out.append(
            Body(
                id=entry["id"],
                name=entry["name"],
                file=entry["file"],
                file_light=entry.get("file_light"),
                note=entry.get("note", ""),
            )
        )
    return tuple(out)


def _structure(entry: dict[str, Any]) -> Structure:
    return Structure(
        id=entry["id"],
        name=entry["name"],
        kind=Kind(entry["kind"]),
        side=Side(entry["side"]),
        latin=entry.get("latin", ""),
        fma=entry.get("fma"),
        parent=entry.get("parent"),
        region=entry.get("region", "pelvis"),
        file=entry.get("file"),
        file_light=entry.get("file_light"),
        source=tuple(entry.get("source", ())),
        licence=entry.get("licence", ""),
        color=entry.get("color", "#c8c8c8"),
        plain_name=entry.get("plain_name", ""),
        description=entry.get("description", ""),
        attachments=tuple(_attachment(a) for a in entry.get("attachments", ())),
    )


def _attachment(a: dict[str, Any]) -> Attachment:
    """An attachment entry (validated by the schema); a centre must be finite to be used."""
    centre = a.get("centre")
    if centre is not None and not all(math.isfinite(float(v)) for v in centre):
        centre = None
    return Attachment(
        a["structure"],
        a["role"],
        None if centre is None else (float(centre[0]), float(centre[1]), float(centre[2])),
        int(a.get("fibres", 1 if centre is not None else 0)),
    )


def _drop_dangling(
    structures: list[Structure], shown: str, problems: list[Problem]
) -> list[Structure]:
    """Report cross references to unknown structures; a bad parent becomes no parent."""
    from dataclasses import replace

    ids = {s.id for s in structures}
    out = []
    for s in structures:
        if s.parent is not None and s.parent not in ids:
            problems.append(
                Problem(shown, f"{s.id} parent", f"refers to unknown structure {s.parent!r}")
            )
            s = replace(s, parent=None)
        bad = [a.structure for a in s.attachments if a.structure not in ids]
        for target in bad:
            problems.append(
                Problem(shown, f"{s.id} attachments", f"refers to unknown structure {target!r}")
            )
        if s.kind is Kind.GROUP and s.file is not None:
            problems.append(Problem(shown, f"{s.id} file", "a group has no mesh; file ignored"))
            s = replace(s, file=None, file_light=None)
        if s.kind is not Kind.GROUP and s.file is None:
            problems.append(Problem(shown, f"{s.id} file", "missing: a structure needs a mesh"))
            continue
        out.append(s)
    return out


def _break_parent_cycles(
    structures: list[Structure], shown: str, problems: list[Problem]
) -> list[Structure]:
    """A structure that is its own ancestor loses its parent (else every tree walk would hang)."""
    from dataclasses import replace

    parent = {s.id: s.parent for s in structures}
    out = []
    for s in structures:
        seen = {s.id}
        up = parent.get(s.id)
        while up is not None and up not in seen:
            seen.add(up)
            up = parent.get(up)
        if up is not None:
            problems.append(
                Problem(
                    shown, f"{s.id} parent", f"{s.parent!r} makes a parent cycle; parent ignored"
                )
            )
            parent[s.id] = None
            s = replace(s, parent=None)
        out.append(s)
    return out


def _confine_files(
    structures: list[Structure], folder: Path, shown: str, problems: list[Problem]
) -> list[Structure]:
    """Mesh names must stay inside the atlas folder (no absolute path, ``..`` or outside link)."""
    from dataclasses import replace

    from viewer.io.reading import ReadError, confined_path

    out = []
    for s in structures:
        try:
            if s.file is not None:
                confined_path(folder, s.file, "mesh")
        except ReadError as exc:
            problems.append(Problem(shown, f"{s.id} file", f"{exc.reason}; structure not shown"))
            continue
        if s.file_light is not None:
            try:
                confined_path(folder, s.file_light, "mesh")
            except ReadError as exc:
                problems.append(
                    Problem(shown, f"{s.id} file_light", f"{exc.reason}; full detail used instead")
                )
                s = replace(s, file_light=None)
        out.append(s)
    return out
