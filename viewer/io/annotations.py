"""Load and check the annotation files: sources, skin landmarks, referral patterns, trigger points.

Each file has a JSON Schema in ``viewer/io/schemas`` and a ``schema_version``. Loading is per
entry: a broken entry is reported as a :class:`~viewer.io.problems.Problem` naming the file, the
entry and the field, and skipped; everything valid is kept. Cross references are checked in the
order data depends on them (bony landmark -> skin landmark -> zone -> pattern -> trigger point),
so a skipped entry is reported once and everything that needed it says why it went too.

Right-side entries are mirrored to the left here (ids ``*_right`` -> ``*_left``, x -> -x);
an entry written explicitly for the left side replaces the mirrored one.

Geometry comes second: :func:`resolve_annotations` places trigger points and skin landmarks on a
loaded atlas and reports what cannot be placed (a muscle without a mesh, no skin).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from viewer.domain.landmarks import (
    Anchor,
    AnchorError,
    BetweenAnchor,
    ExtremeAnchor,
    Geometry,
    LandmarkAnchor,
    RayCaster,
    SkinLandmark,
    SkinLandmarkDef,
    SurfaceLike,
    anchor_references,
    mirror_skin_landmark,
    resolve_skin_landmark,
)
from viewer.domain.referral import (
    Confidence,
    ReferralPattern,
    Source,
    Zone,
    ZoneClass,
    mirror_pattern,
)
from viewer.domain.structures import Atlas, Kind, Side
from viewer.domain.triggerpoints import (
    TriggerPoint,
    TriggerPointDef,
    mirror_definition,
    mirror_placed,
    resolve_trigger_point,
    sagittal_midline_x,
)
from viewer.io.problems import Problem
from viewer.io.resources import builtin_annotations_dir, schema_path

SCHEMA_VERSION = 1

FILES: dict[str, tuple[str, str]] = {
    "sources": ("sources.json", "sources"),
    "skin_landmarks": ("skin_landmarks.json", "landmarks"),
    "referral_patterns": ("referral_zones.json", "patterns"),
    "trigger_points": ("trigger_points.json", "trigger_points"),
}
"""kind -> (file name in the annotations folder, key of its entry list)."""

SCHEMAS: dict[str, str] = {
    "sources": "sources.schema.json",
    "skin_landmarks": "skin_landmarks.schema.json",
    "referral_patterns": "referral_zones.schema.json",
    "trigger_points": "trigger_points.schema.json",
}
ENTRY_DEFS: dict[str, str] = {
    "sources": "source",
    "skin_landmarks": "skin_landmark",
    "referral_patterns": "pattern",
    "trigger_points": "trigger_point",
}
_SCHEMA_FILES = ("annotation_common.schema.json", *SCHEMAS.values())


@dataclass
class AnnotationSet:
    """Everything valid in an annotations folder (both sides), plus the problems met.

    ``skipped`` lists ``file: entry`` for every entry left out, in the order found.
    """

    folder: Path
    sources: dict[str, Source] = field(default_factory=dict)
    skin_landmarks: dict[str, SkinLandmarkDef] = field(default_factory=dict)
    patterns: dict[str, ReferralPattern] = field(default_factory=dict)
    trigger_points: dict[str, TriggerPointDef] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error`` (what makes ``validate`` fail)."""
        return [p for p in self.problems if p.severity == "error"]


# -- schema plumbing ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _registry() -> Any:
    from referencing import Registry, Resource

    resources = []
    for name in _SCHEMA_FILES:
        with open(schema_path(name), encoding="utf-8") as fh:
            contents = json.load(fh)
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=16)
def _validator(kind: str, entry: bool) -> Any:
    from viewer.io.reading import schema_validator

    base = f"trigger-atlas/{SCHEMAS[kind]}"
    if entry:
        schema: dict[str, Any] = {"$ref": f"{base}#/$defs/{ENTRY_DEFS[kind]}"}
    else:
        with open(schema_path(SCHEMAS[kind]), encoding="utf-8") as fh:
            schema = json.load(fh)
        schema = dict(schema)
        schema["properties"] = dict(schema["properties"])
        schema["properties"][FILES[kind][1]] = {"type": "array"}
    return schema_validator(schema, registry=_registry())


def _explain(error: Any) -> Any:
    """The most useful error under a ``oneOf`` (an anchor that matches none of its forms).

    The branch whose required keys the entry has is the one the author meant; its own errors
    say what is wrong. Without such a branch the ``oneOf`` error itself is kept and reworded.
    """
    if error.validator != "oneOf" or not error.context or not isinstance(error.instance, dict):
        return error
    branches = error.schema.get("oneOf", [])
    meant = [
        i
        for i, b in enumerate(branches)
        if isinstance(b, dict) and set(b.get("required", ())) <= set(error.instance)
    ]
    if len(meant) == 1:
        from jsonschema.exceptions import best_match

        inner = [e for e in error.context if e.relative_schema_path[0] == meant[0]]
        if inner:
            return _explain(best_match(inner))
    forms = " / ".join(
        "{" + ", ".join(b.get("required", ())) + "}" for b in branches if isinstance(b, dict)
    )
    error.message = f"matches none of the allowed forms; use one of {forms}"
    return error


def _schema_errors(instance: Any, kind: str, entry: bool) -> list[tuple[str, str]]:
    out = []
    validator = _validator(kind, entry)
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        best = _explain(error)
        parts = [str(p) for p in best.absolute_path]
        out.append(("/".join(parts) if parts else "(top level)", best.message))
    return out


def _read_json(path: Path) -> tuple[Any, list[Problem]]:
    from viewer.io.reading import load_json

    return load_json(path)


def _label(list_key: str, index: int, entry: Any) -> str:
    label = f"{list_key}[{index}]"
    if isinstance(entry, dict) and isinstance(entry.get("id", entry.get("key")), str):
        label += f" ({entry.get('id', entry.get('key'))})"
    return label


def _read_entries(
    folder: Path, kind: str, problems: list[Problem], skipped: list[str]
) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """Schema-valid entries of one file as (label, entry); problems for the rest."""
    name, list_key = FILES[kind]
    path = folder / name
    shown = str(path)
    data, read_problems = _read_json(path)
    problems += read_problems
    if data is None:
        return shown, []
    if not isinstance(data, dict):
        problems.append(Problem(shown, "(top level)", "is not a JSON object"))
        return shown, []
    version = data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version != SCHEMA_VERSION:
        problems.append(
            Problem(
                shown,
                "schema_version",
                f"version {version} is not one this Trigger Atlas reads (it reads "
                f"{SCHEMA_VERSION}); the whole file is skipped",
            )
        )
        return shown, []
    fatal = _schema_errors(data, kind, entry=False)
    if fatal:
        problems += [Problem(shown, place, msg) for place, msg in fatal]
        return shown, []
    out = []
    seen: set[str] = set()
    for i, entry in enumerate(data[list_key]):
        label = _label(list_key, i, entry)
        errors = _schema_errors(entry, kind, entry=True)
        if errors:
            problems += [
                Problem(shown, f"{label} {place}", f"{msg}; entry skipped") for place, msg in errors
            ]
            skipped.append(f"{name}: {label}")
            continue
        key = entry.get("id", entry.get("key"))
        if key in seen:
            problems.append(Problem(shown, f"{label} id", f"duplicate id {key!r}; entry skipped"))
            skipped.append(f"{name}: {label}")
            continue
        seen.add(key)
        out.append((label, entry))
    return shown, out


# -- JSON -> domain ----------------------------------------------------------------------------
def _offset(d: Mapping[str, Any]) -> tuple[float, float, float]:
    o = d.get("offset_mm", (0.0, 0.0, 0.0))
    return (float(o[0]), float(o[1]), float(o[2]))


def parse_anchor(d: Mapping[str, Any]) -> Anchor:
    """Turn a schema-valid anchor object into an :data:`~viewer.domain.landmarks.Anchor`."""
    if "landmark" in d:
        return LandmarkAnchor(str(d["landmark"]), _offset(d))
    if "extreme_of" in d:
        return ExtremeAnchor(str(d["extreme_of"]), str(d["direction"]), _offset(d))
    a, b = d["between"]
    return BetweenAnchor(parse_anchor(a), parse_anchor(b), float(d["t"]), _offset(d))


def _skin_landmark(d: Mapping[str, Any]) -> SkinLandmarkDef:
    return SkinLandmarkDef(
        id=d["id"],
        name=d["name"],
        description=d.get("description", ""),
        side=Side(d["side"]),
        anchors=tuple(parse_anchor(a) for a in d["anchors"]),
        direction=d["direction"],
        radius_mm=float(d["radius_mm"]),
        falloff_mm=float(d.get("falloff_mm", 25.0)),
    )


def _pattern(d: Mapping[str, Any]) -> ReferralPattern:
    return ReferralPattern(
        id=d["id"],
        title=d["title"],
        side=Side(d["side"]),
        zones=tuple(
            Zone(
                landmark=z["landmark"],
                zone_class=ZoneClass.ESSENTIAL
                if z["class"] == "essential"
                else ZoneClass.SPILLOVER,
                radius_scale=float(z.get("radius_scale", 1.0)),
                note=z.get("note", ""),
            )
            for z in d["zones"]
        ),
        sources=tuple(d["sources"]),
        confidence=Confidence(d["confidence"]),
        description=d.get("description", ""),
        flags=tuple(d.get("flags", ())),
    )


def _trigger_point(d: Mapping[str, Any]) -> TriggerPointDef:
    return TriggerPointDef(
        id=d["id"],
        muscle=d["muscle"],
        side=Side(d["side"]),
        name=d["name"],
        axis=(parse_anchor(d["axis"]["from"]), parse_anchor(d["axis"]["to"])),
        fraction=float(d["fraction"]),
        face=d["face"],
        how_to_find=d["how_to_find"],
        referral=d["referral"],
        sources=tuple(d["sources"]),
        confidence=Confidence(d["confidence"]),
        perpetuating=tuple(d.get("perpetuating", ())),
        differentials=tuple(d.get("differentials", ())),
        flags=tuple(d.get("flags", ())),
        notes=d.get("notes", ""),
    )


def _with_mirrors(
    items: list[tuple[str, Any]],
    mirror: Callable[[Any], Any],
) -> list[tuple[str, Any]]:
    """Add the mirrored copy of every right-side item unless the left one is written out."""
    written = {item.id for _, item in items}
    out = list(items)
    for label, item in items:
        if item.side is Side.RIGHT:
            twin = mirror(item)
            if twin.id not in written:
                out.append((f"{label} mirrored as {twin.id}", twin))
    return out


# -- cross references --------------------------------------------------------------------------
def _anchor_problems(
    anchors: list[tuple[str, Anchor]],
    landmarks: Mapping[str, Any] | None,
    atlas: Atlas | None,
) -> list[tuple[str, str]]:
    """(field, message) for every landmark or structure an anchor names that does not exist."""
    out = []
    for place, anchor in anchors:
        for kind, name in anchor_references(anchor):
            if kind == "landmark" and landmarks is not None and name not in landmarks:
                out.append((place, f"unknown bony landmark {name!r} (not in landmarks.json)"))
            if kind == "structure" and atlas is not None:
                if name not in atlas:
                    out.append((place, f"unknown structure {name!r} (not in the atlas)"))
                elif atlas.get(name).kind not in (Kind.BONE, Kind.MUSCLE):
                    out.append((place, f"structure {name!r} is not a bone or muscle"))
    return out


def load_annotations(
    folder: Path | None = None,
    atlas: Atlas | None = None,
    landmarks: Mapping[str, Any] | None = None,
) -> AnnotationSet:
    """Read and cross-check an annotations folder (default: the built-in one).

    Parameters
    ----------
    folder : folder holding the four annotation files
    atlas : when given, muscle and structure ids are checked against it
    landmarks : names of the atlas's bony landmarks; when given, anchors are checked against them

    Never raises for bad content: every problem is in ``result.problems``.
    """
    folder = Path(folder) if folder is not None else builtin_annotations_dir()
    out = AnnotationSet(folder=folder)
    problems, skipped = out.problems, out.skipped

    def drop(shown: str, label: str, place: str, message: str) -> None:
        problems.append(Problem(shown, f"{label} {place}".strip(), f"{message}; entry skipped"))
        skipped.append(f"{Path(shown).name}: {label}")

    # sources
    shown, entries = _read_entries(folder, "sources", problems, skipped)
    for _, e in entries:
        out.sources[e["key"]] = Source(e["key"], e["reference"], e.get("grade", ""))

    # skin landmarks
    shown, entries = _read_entries(folder, "skin_landmarks", problems, skipped)
    defs = _with_mirrors([(lb, _skin_landmark(e)) for lb, e in entries], mirror_skin_landmark)
    for label, sl in defs:
        anchors = [(f"anchors[{i}]", a) for i, a in enumerate(sl.anchors)]
        bad = _anchor_problems(anchors, landmarks, atlas)
        if sl.side is Side.MIDLINE and any(
            w in sl.direction.split("+") for w in ("lateral", "medial")
        ):
            bad.append(("direction", "lateral/medial has no meaning on the midline"))
        if bad:
            for place, msg in bad:
                drop(shown, label, place, msg)
            continue
        out.skin_landmarks[sl.id] = sl

    # referral patterns
    shown, entries = _read_entries(folder, "referral_patterns", problems, skipped)
    patterns = _with_mirrors([(lb, _pattern(e)) for lb, e in entries], mirror_pattern)
    for label, pat in patterns:
        missing_src = [k for k in pat.sources if k not in out.sources]
        if missing_src:
            drop(shown, label, "sources", f"unknown source key(s) {', '.join(missing_src)}")
            continue
        zones = []
        for i, z in enumerate(pat.zones):
            if z.landmark in out.skin_landmarks:
                zones.append(z)
            else:
                problems.append(
                    Problem(
                        shown,
                        f"{label} zones[{i}].landmark",
                        f"unknown or skipped skin landmark {z.landmark!r}; zone left out",
                    )
                )
        if not zones:
            drop(shown, label, "zones", "no usable zone left")
            continue
        out.patterns[pat.id] = replace(pat, zones=tuple(zones))

    # trigger points
    shown, entries = _read_entries(folder, "trigger_points", problems, skipped)
    tps = _with_mirrors([(lb, _trigger_point(e)) for lb, e in entries], mirror_definition)
    for label, tp in tps:
        bad = _anchor_problems(
            [("axis.from", tp.axis[0]), ("axis.to", tp.axis[1])], landmarks, atlas
        )
        if atlas is not None:
            if tp.muscle not in atlas:
                bad.append(("muscle", f"unknown muscle {tp.muscle!r} (not in the atlas)"))
            elif atlas.get(tp.muscle).kind is not Kind.MUSCLE:
                bad.append(("muscle", f"structure {tp.muscle!r} is not a muscle"))
        if tp.referral not in out.patterns:
            bad.append(("referral", f"unknown or skipped referral pattern {tp.referral!r}"))
        missing_src = [k for k in tp.sources if k not in out.sources]
        if missing_src:
            bad.append(("sources", f"unknown source key(s) {', '.join(missing_src)}"))
        if bad:
            for place, msg in bad:
                drop(shown, label, place, msg)
            continue
        out.trigger_points[tp.id] = tp
    return out


# -- bony landmarks ----------------------------------------------------------------------------
def load_bony_landmarks(
    atlas_dir: Path,
) -> tuple[dict[str, NDArray[np.float64]], list[Problem]]:
    """Read ``atlas_dir/landmarks.json``: name -> (3,) atlas-frame position, plus problems."""
    points, _bones, problems = load_bony_landmarks_on_bones(atlas_dir)
    return points, problems


def load_bony_landmarks_on_bones(
    atlas_dir: Path,
) -> tuple[dict[str, NDArray[np.float64]], dict[str, str], list[Problem]]:
    """:func:`load_bony_landmarks` and each landmark's bone (its ``structure``), for posing
    it with that bone; one read of the file."""
    path = Path(atlas_dir) / "landmarks.json"
    shown = str(path)
    data, problems = _read_json(path)
    if data is None:
        return {}, {}, problems
    if not isinstance(data, dict) or not isinstance(data.get("landmarks"), dict):
        return {}, {}, [Problem(shown, "landmarks", "missing or not an object")]
    if data.get("frame", "LPS") != "LPS" or data.get("units", "mm") != "mm":
        return {}, {}, [Problem(shown, "frame/units", "landmarks must be in the LPS frame, mm")]
    out: dict[str, NDArray[np.float64]] = {}
    bones: dict[str, str] = {}
    for name, entry in data["landmarks"].items():
        xyz = entry.get("xyz") if isinstance(entry, dict) else None
        try:
            arr = np.asarray(xyz, dtype=np.float64)
        except (TypeError, ValueError):
            arr = np.zeros(0)
        if arr.shape != (3,) or not np.isfinite(arr).all():
            problems.append(Problem(shown, f"landmarks/{name}/xyz", "not three finite numbers"))
            continue
        out[str(name)] = arr
        if isinstance(entry.get("structure"), str):
            bones[str(name)] = entry["structure"]
    return out, bones, problems


# -- geometry ----------------------------------------------------------------------------------
@dataclass
class ResolvedAnnotations:
    """Annotations placed on one atlas: trigger points on muscles, skin landmarks on the skin."""

    annotations: AnnotationSet
    trigger_points: dict[str, TriggerPoint] = field(default_factory=dict)
    skin_landmarks: dict[str, SkinLandmark] = field(default_factory=dict)
    patterns: dict[str, ReferralPattern] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _mirror_left_placements(out: ResolvedAnnotations, geometry: Geometry) -> None:
    """Left trigger points authored as mirrors of right ones take the mirrored placement."""
    midline = sagittal_midline_x(geometry.landmarks)
    for tp_id, placed in list(out.trigger_points.items()):
        if not tp_id.endswith("_right"):
            continue
        twin = out.trigger_points.get(tp_id[: -len("_right")] + "_left")
        surface = geometry.surfaces.get(twin.muscle) if twin is not None else None
        if twin is None or surface is None:
            continue
        normals = getattr(surface, "normals", None)
        out.trigger_points[twin.id] = mirror_placed(
            placed, twin, surface.points, normals, midline_x=midline
        )


def resolve_annotations(
    annotations: AnnotationSet,
    geometry: Geometry,
    skin: SurfaceLike | None,
    caster: RayCaster | None = None,
) -> ResolvedAnnotations:
    """Place trigger points and skin landmarks; what cannot be placed is reported and left out.

    Patterns lose zones whose landmark could not be placed; a trigger point whose muscle has no
    mesh is left out (its pattern still exists for the muscle's other trigger points).
    ``caster`` may carry remembered casts for this skin (see :class:`RayCaster`).
    """
    out = ResolvedAnnotations(annotations)
    tp_file = str(annotations.folder / FILES["trigger_points"][0])
    sl_file = str(annotations.folder / FILES["skin_landmarks"][0])
    rz_file = str(annotations.folder / FILES["referral_patterns"][0])
    for tp in annotations.trigger_points.values():
        try:
            out.trigger_points[tp.id] = resolve_trigger_point(tp, geometry)
        except AnchorError as exc:
            out.problems.append(Problem(tp_file, f"{tp.id} {exc.field}", f"{exc}; not placed"))
    _mirror_left_placements(out, geometry)
    if skin is None:
        out.problems.append(
            Problem(sl_file, "", "the atlas has no skin: referral zones cannot be placed")
        )
        return out
    if caster is None:
        caster = RayCaster(skin.points, skin.triangles)
    for sl in annotations.skin_landmarks.values():
        try:
            out.skin_landmarks[sl.id] = resolve_skin_landmark(sl, geometry, caster)
        except AnchorError as exc:
            out.problems.append(Problem(sl_file, f"{sl.id} {exc.field}", f"{exc}; not placed"))
    for pat in annotations.patterns.values():
        zones = tuple(z for z in pat.zones if z.landmark in out.skin_landmarks)
        if len(zones) < len(pat.zones):
            out.problems.append(
                Problem(rz_file, f"{pat.id} zones", "some zones could not be placed; left out")
            )
        if zones:
            out.patterns[pat.id] = replace(pat, zones=zones)
    return out
