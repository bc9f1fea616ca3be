"""Load and check ``annotations/pair_views.json`` into a :class:`PairLibrary`.

The file is validated against ``pair_views.schema.json`` entry by entry, then every cross-reference
is checked against the loaded atlas: structure ids, landmark names, joint ids, cited sources, key
numbers and the colour-blind safety of each pair's two colours. Each problem names the file, the
entry and the field; broken entries are left out and everything valid is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from viewer.domain.camera import CameraPreset
from viewer.domain.mechanics import Rotation
from viewer.domain.pairviews import (
    DEFAULT_CONTEXT,
    ActionLine,
    GhostRule,
    Joint,
    Landmarks,
    LineAnchor,
    PairLibrary,
    PairSide,
    PairTemplate,
    PairView,
    lines_for,
    swap_side,
)
from viewer.domain.palette import pair_contrast
from viewer.domain.structures import Atlas, Kind
from viewer.io.problems import Problem
from viewer.io.resources import builtin_annotations_dir, schema_path

PAIR_VIEWS_NAME = "pair_views.json"
SCHEMA_NAME = "pair_views.schema.json"
_CITATION = re.compile(r"\[([^\]]*)\]")
_KEY = re.compile(r"S\d+[a-z]?")


@dataclass
class PairViewsResult:
    """The pair views that could be loaded and every problem met on the way."""

    library: PairLibrary = field(default_factory=PairLibrary)
    problems: list[Problem] = field(default_factory=list)


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    with open(schema_path(SCHEMA_NAME), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def _errors(instance: Any, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    from viewer.io.reading import schema_validator

    validator = schema_validator(dict(schema))
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        parts = [str(p) for p in error.absolute_path]
        out.append(("/".join(parts) if parts else "(entry)", error.message))
    return out


def _sub_schema(name: str) -> dict[str, Any]:
    schema = _schema()
    return {"$defs": schema["$defs"], **schema["$defs"][name]}


def load_pair_views(
    atlas: Atlas, landmarks: Landmarks, path: Path | None = None
) -> PairViewsResult:
    """Read pair views (default: the built-in ``annotations/pair_views.json``) for ``atlas``.

    ``landmarks`` are the atlas's bony landmarks (name -> (3,) position). When the atlas has
    none, landmark names are not checked (arrows and joint markers will simply be missing).
    Never raises for bad content.
    """
    path = Path(path) if path is not None else builtin_annotations_dir() / PAIR_VIEWS_NAME
    shown = str(path)
    if not path.exists():
        return PairViewsResult(problems=[Problem(shown, "", "pair-view file not found")])
    from viewer.io.reading import load_json

    data, read_problems = load_json(path)
    if data is None:
        return PairViewsResult(problems=read_problems)
    result = parse_pair_views(data, atlas, landmarks, shown)
    result.problems[:0] = read_problems
    return result


def parse_pair_views(data: Any, atlas: Atlas, landmarks: Landmarks, shown: str) -> PairViewsResult:
    """Validate already-parsed pair-view JSON against the schema and the atlas."""
    return _Parser(atlas, landmarks, shown).run(data)


class _Parser:
    """One pass over one file; collects problems as it goes."""

    def __init__(self, atlas: Atlas, landmarks: Landmarks, shown: str) -> None:
        self.atlas = atlas
        self.landmarks = landmarks
        self.shown = shown
        self.problems: list[Problem] = []
        self.sources: Mapping[str, str] = MappingProxyType({})

    def problem(self, entry: str, fld: str, message: str, severity: str = "error") -> None:
        place = f"{entry} {fld}".strip() if fld else entry
        self.problems.append(Problem(self.shown, place, message, severity))

    # -- driver --------------------------------------------------------------------------------
    def run(self, data: Any) -> PairViewsResult:
        schema = _schema()
        top = dict(schema)
        top["properties"] = dict(schema["properties"])
        # Tables and entries are checked one by one below, so one bad entry costs only itself.
        for key, kind in (
            ("joints", "object"),
            ("lines", "object"),
            ("force_capacity", "object"),
            ("default_context", "array"),
            ("pair_views", "array"),
            ("templates", "array"),
        ):
            top["properties"][key] = {"type": kind}
        fatal = _errors(data, top)
        if fatal:
            for place, msg in fatal:
                self.problem(place, "", msg)
            return PairViewsResult(problems=self.problems)

        sources = MappingProxyType({str(k): str(v) for k, v in data["sources"].items()})
        self.sources = sources
        joints = self._joints(data["joints"])
        lines = self._lines(data["lines"], joints)
        default_context = self._context(
            data.get("default_context"), "default_context", DEFAULT_CONTEXT
        )
        capacity, capacity_note = self._capacity(data.get("force_capacity"))
        library = PairLibrary(
            lines=MappingProxyType(lines),
            joints=MappingProxyType(joints),
            sources=sources,
            notice=str(data["notice"]),
            force_capacity=capacity,
            capacity_note=capacity_note,
        )
        pairs = []
        for index, entry in enumerate(data["pair_views"]):
            pair = self._pair(index, entry, library, default_context)
            if pair is not None:
                pairs.append(pair)
        templates = []
        for index, entry in enumerate(data.get("templates", [])):
            template = self._template(index, entry, default_context)
            if template is not None:
                templates.append(template)
        pairs, templates = self._unique(pairs, templates)
        library = PairLibrary(
            pairs=tuple(pairs),
            templates=tuple(templates),
            lines=library.lines,
            joints=library.joints,
            sources=sources,
            notice=library.notice,
            force_capacity=library.force_capacity,
            capacity_note=library.capacity_note,
        )
        return PairViewsResult(library, self.problems)

    def _capacity(self, raw: Any) -> tuple[tuple[tuple[str, float], ...], str]:
        """Force capacities by base muscle id; without the table arrows are not scaled."""
        if raw is None:
            return (), ""
        schema = {"$defs": _schema()["$defs"], **_schema()["properties"]["force_capacity"]}
        errs = _errors(raw, schema)
        for place, msg in errs:
            self.problem("force_capacity", place, msg)
        if errs:
            return (), ""
        table = tuple(sorted((str(k), float(v["force_n"])) for k, v in raw["muscles"].items()))
        return table, str(raw["note"])

    # -- tables --------------------------------------------------------------------------------
    def _landmark_problems(self, entry: str, fld: str, names: tuple[str, ...]) -> bool:
        """Report unknown landmark names (and their left mirrors); True when all exist."""
        if not self.landmarks:
            return True
        ok = True
        for name in names:
            if name not in self.landmarks:
                self.problem(entry, fld, f"unknown bony landmark {name!r} (not in landmarks.json)")
                ok = False
            elif swap_side(name) not in self.landmarks:
                self.problem(
                    entry,
                    fld,
                    f"landmark {name!r} has no mirror {swap_side(name)!r}; left side unavailable",
                    "warning",
                )
        return ok

    def _joints(self, raw: Mapping[str, Any]) -> dict[str, Joint]:
        out: dict[str, Joint] = {}
        schema = _sub_schema("joint")
        for jid, entry in raw.items():
            label = f"joints/{jid}"
            errs = _errors(entry, schema)
            for place, msg in errs:
                self.problem(label, place, msg)
            if errs:
                continue
            joint = Joint(
                jid,
                entry["title"],
                entry["kind"],
                _weights(entry["landmarks"]),
                tuple(entry.get("between", ())),
            )
            if not self._landmark_problems(label, "landmarks", tuple(entry["landmarks"])):
                continue
            out[jid] = joint
        for jid, joint in list(out.items()):
            out.setdefault(swap_side(jid), joint.mirrored())
        return out

    def _lines(
        self, raw: Mapping[str, Any], joints: Mapping[str, Joint]
    ) -> dict[str, tuple[ActionLine, ...]]:
        out: dict[str, tuple[ActionLine, ...]] = {}
        schema = _sub_schema("line")
        for sid, entry in raw.items():
            label = f"lines/{sid}"
            errs = _errors(entry, schema)
            for place, msg in errs:
                self.problem(label, place, msg)
            if errs:
                continue
            if sid not in self.atlas:
                self.problem(label, "", f"unknown structure {sid!r} (not in the atlas)")
                continue
            if swap_side(sid) != sid and swap_side(sid) not in self.atlas:
                self.problem(
                    label,
                    "",
                    f"no mirror {swap_side(sid)!r} in the atlas; left side unavailable",
                    "warning",
                )
            origin, insertion = _anchor(entry["origin"]), _anchor(entry["insertion"])
            for fld in ("origin", "insertion"):
                anchor = origin if fld == "origin" else insertion
                if anchor.bone is not None and anchor.bone not in self.atlas:
                    # An atlas without that bone (an older or a test atlas): the muscle's
                    # attachment of that role stands in, as for a line without landmarks.
                    self.problem(
                        label,
                        f"{fld}/bone",
                        f"no bone {anchor.bone!r} in the atlas; the {fld} attachment is used",
                        "warning",
                    )
                    anchor = LineAnchor(attachment=fld)
                    origin, insertion = (
                        (anchor, insertion) if fld == "origin" else (origin, anchor)
                    )
            line = ActionLine(
                id=sid,
                muscle=sid,
                label=entry["label"],
                origin=origin,
                insertion=insertion,
                via=tuple(_anchor(v) for v in entry.get("via", ())),
                crosses=tuple(entry["crosses"]),
            )
            ok = True
            for fld, anchor in (
                ("origin", line.origin),
                *((f"via/{i}", a) for i, a in enumerate(line.via)),
                ("insertion", line.insertion),
            ):
                ok &= self._landmark_problems(label, f"{fld}/landmarks", anchor.landmark_names)
            for i, jid in enumerate(line.crosses):
                if jid not in joints:
                    self.problem(label, f"crosses/{i}", f"unknown joint {jid!r}")
                    ok = False
            if ok:
                out[sid] = (line,)
        for sid, lines in list(out.items()):
            out.setdefault(swap_side(sid), tuple(line.mirrored() for line in lines))
        return out

    def _context(
        self, raw: Any, label: str, default: tuple[GhostRule, ...]
    ) -> tuple[GhostRule, ...]:
        if raw is None:
            return default
        errs = _errors(raw, {"$defs": _schema()["$defs"], "$ref": "#/$defs/context"})
        for place, msg in errs:
            self.problem(label, place, msg)
        if errs:
            return default
        rules = []
        for i, rule in enumerate(raw):
            ids = tuple(rule.get("ids", ()))
            for j, sid in enumerate(ids):
                if sid not in self.atlas:
                    self.problem(
                        label,
                        f"{i}/ids/{j}",
                        f"unknown structure {sid!r}; rule ignores it",
                        "warning",
                    )
            kind = Kind(rule["kind"]) if "kind" in rule else None
            known = tuple(s for s in ids if s in self.atlas)
            if ids and not known:
                continue
            rules.append(
                GhostRule(
                    kind,
                    float(rule["opacity"]),
                    known,
                    rule.get("color"),
                    bool(rule.get("see_through", False)),
                )
            )
        return tuple(rules)

    # -- entries -------------------------------------------------------------------------------
    def _text_problems(self, label: str, entry: Mapping[str, Any]) -> bool:
        ok = True
        cited = list(entry["sources"])
        for text_field in ("explanation", "disagreement"):
            for group in _CITATION.findall(entry.get(text_field, "")):
                cited += _KEY.findall(group)
        for key in cited:
            if key not in self.sources and key.rstrip("abcdefghij") not in self.sources:
                self.problem(label, "sources", f"cites {key!r}, which is not in the sources table")
                ok = False
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", entry["explanation"].strip()) if s]
        if not 3 <= len(sentences) <= 6:
            self.problem(
                label, "explanation", f"has {len(sentences)} sentences; 3–6 read best", "warning"
            )
        return ok

    def _colours_ok(self, label: str, fld: str, color_a: str, color_b: str) -> bool:
        contrast = pair_contrast(color_a, color_b)
        if contrast.ok:
            return True
        self.problem(
            label,
            fld,
            f"colours {color_a} and {color_b} are too close (ΔE {contrast.min_delta_e:.0f} with "
            f"{contrast.worst_vision}, greyscale ΔL* {contrast.delta_lightness:.0f}); "
            "choose a colour-blind-safe pair that differs in lightness",
        )
        return False

    def _camera(self, raw: Mapping[str, Any], name: str, title: str) -> CameraPreset | None:
        direction = np.asarray(raw["direction"], dtype=np.float64)
        up = np.asarray(raw["view_up"], dtype=np.float64)
        nd, nu = float(np.linalg.norm(direction)), float(np.linalg.norm(up))
        if nd < 1e-9 or nu < 1e-9:
            return None
        direction, up = direction / nd, up / nu
        if abs(float(direction @ up)) > 0.99:
            return None
        return CameraPreset(
            name=name,
            title=title,
            direction=_vec(direction),
            view_up=_vec(up),
            zoom=float(raw.get("zoom", 1.0)),
        )

    def _checked_entry(self, list_key: str, schema: str, index: int, entry: Any) -> str | None:
        """The entry's label for problems (``pair_views[2] (id)``), or ``None`` after reporting
        every schema error of an entry that cannot be used."""
        label = f"{list_key}[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({entry['id']})"
        errs = _errors(entry, _sub_schema(schema))
        for place, msg in errs:
            self.problem(label, place, msg)
        return None if errs else label

    def _pair(
        self,
        index: int,
        entry: Any,
        library: PairLibrary,
        default_context: tuple[GhostRule, ...],
    ) -> PairView | None:
        label = self._checked_entry("pair_views", "pair_view", index, entry)
        if label is None:
            return None
        ok = self._text_problems(label, entry)
        ok &= self._colours_ok(label, "b/color", entry["a"]["color"], entry["b"]["color"])
        sides: list[PairSide] = []
        for key in ("a", "b"):
            raw = entry[key]
            for i, sid in enumerate(raw["structures"]):
                if sid not in self.atlas:
                    self.problem(label, f"{key}/structures/{i}", f"unknown structure {sid!r}")
                    ok = False
                elif swap_side(sid) not in self.atlas:
                    self.problem(
                        label,
                        f"{key}/structures/{i}",
                        f"no mirror {swap_side(sid)!r} in the atlas; left side unavailable",
                        "warning",
                    )
            if not ok:
                continue
            through = _anchor(raw["acts_through"]) if "acts_through" in raw else None
            if through is not None and not self._landmark_problems(
                label, f"{key}/acts_through/landmarks", through.landmark_names
            ):
                through = None
            if through is not None and through.bone and through.bone not in self.atlas:
                self.problem(
                    label, f"{key}/acts_through/bone", f"unknown bone {through.bone!r}", "warning"
                )
                through = None
            lines: list[ActionLine] = []
            for sid in raw["structures"]:
                lines += [ln for ln in lines_for(sid, self.atlas, library.lines) if ln not in lines]
            sides.append(
                PairSide(
                    raw["label"],
                    tuple(raw["structures"]),
                    raw["color"],
                    tuple(lines),
                    raw.get("role", ""),
                    raw.get("pull", ""),
                    pull_at=raw.get("pull_at", ""),
                    via=raw.get("via", ""),
                    acts_through=through,
                )
            )
        if not ok:
            return None
        a, b = sides
        leaves_a = {leaf for s in a.structures for leaf in self.atlas.leaves(s)}
        leaves_b = {leaf for s in b.structures for leaf in self.atlas.leaves(s)}
        if leaves_a & leaves_b:
            self.problem(label, "b/structures", f"shares {sorted(leaves_a & leaves_b)} with side a")
            return None
        focus = None
        if "focus" in entry:
            focus = _anchor(entry["focus"])
            if not self._landmark_problems(label, "focus/landmarks", focus.landmark_names):
                return None
        side = entry["side"]
        camera = self._camera(
            entry["camera"], f"pair_{entry['id']}_{side}", f"{entry['title']} ({side})"
        )
        if camera is None:
            self.problem(label, "camera", "direction and view_up must be non-zero, not parallel")
            return None
        joint_ids: list[str] = []
        for s in (a, b):
            joint_ids += [j for j in s.crosses if j not in joint_ids]
        rotation = None
        if "rotation" in entry:
            rotation = _rotation(entry["rotation"])
            for side_key in ("a", "b"):
                jid = rotation.joint_of(side_key)
                if jid not in library.joints:
                    self.problem(label, "rotation", f"unknown joint {jid!r}; no curved arrows")
                    rotation = None
                    break
                if jid not in joint_ids:
                    joint_ids.append(jid)
        for side_key, s in (("a", a), ("b", b)):
            if rotation is not None and s.pull_at and s.pull_at != rotation.at(side_key):
                # With a rotation, pull_at only pins the arrow at the end the rotation names.
                self.problem(
                    label,
                    f"{side_key}/pull_at",
                    f"{s.pull_at!r} is not the end the rotation acts on "
                    f"({rotation.at(side_key)!r}); the rotation's end is used",
                    "warning",
                )
        turned = {rotation.joint_of(k) for k in ("a", "b")} if rotation is not None else set()
        for i, jid in enumerate(entry.get("unmarked_joints", ())):
            # A joint both sides cross that the view's story leaves out (pair 2 turns the hip;
            # the sacroiliac dot its psoas and gluteus maximus also cross read as part of it).
            if jid in turned:
                self.problem(
                    label, f"unmarked_joints/{i}", f"{jid!r} is the joint turned", "warning"
                )
            elif jid not in joint_ids:
                self.problem(
                    label, f"unmarked_joints/{i}", f"no side crosses {jid!r}", "warning"
                )
            else:
                joint_ids.remove(jid)
        return PairView(
            id=entry["id"],
            title=entry["title"],
            key=entry["key"],
            a=a,
            b=b,
            camera=camera,
            joints=tuple(library.joints[j] for j in joint_ids),
            context=self._context(entry.get("context"), f"{label} context", default_context),
            explanation=entry["explanation"],
            disagreement=entry.get("disagreement", ""),
            sources=tuple(entry["sources"]),
            focus=focus,
            side=side,
            rotation=rotation,
            capacity=library.force_capacity,
            frame_also=tuple(str(f) for f in entry.get("frame_also", ())),
        )

    def _template(
        self, index: int, entry: Any, default_context: tuple[GhostRule, ...]
    ) -> PairTemplate | None:
        label = self._checked_entry("templates", "template", index, entry)
        if label is None:
            return None
        ok = self._text_problems(label, entry)
        color_a, color_b = entry["colors"]
        ok &= self._colours_ok(label, "colors", color_a, color_b)
        default = entry["default_muscle"]
        if f"{default}_right" not in self.atlas or f"{default}_left" not in self.atlas:
            self.problem(
                label, "default_muscle", f"the atlas lacks {default}_right or {default}_left"
            )
            ok = False
        cameras: dict[str, CameraPreset] = {}
        for muscle, raw in entry.get("camera_by_muscle", {}).items():
            cam = self._camera(raw, f"pair_{entry['id']}_{muscle}_right", entry["title"])
            if cam is None:
                self.problem(label, f"camera_by_muscle/{muscle}", "degenerate direction/view_up")
                ok = False
            else:
                cameras[muscle] = cam
        camera = self._camera(entry["camera"], f"pair_{entry['id']}_right", entry["title"])
        if camera is None:
            self.problem(label, "camera", "direction and view_up must be non-zero, not parallel")
            ok = False
        if not ok or camera is None:
            return None
        return PairTemplate(
            id=entry["id"],
            title=entry["title"],
            key=entry["key"],
            color_a=color_a,
            color_b=color_b,
            camera=camera,
            context=self._context(entry.get("context"), f"{label} context", default_context),
            explanation=entry["explanation"],
            disagreement=entry.get("disagreement", ""),
            sources=tuple(entry["sources"]),
            default_muscle=default,
            cameras=MappingProxyType(cameras),
            pulls_at=entry.get("pulls_at", "insertion"),
        )

    def _unique(
        self, pairs: list[PairView], templates: list[PairTemplate]
    ) -> tuple[list[PairView], list[PairTemplate]]:
        seen_ids: set[str] = set()
        seen_keys: dict[int, str] = {}
        keep_pairs: list[PairView] = []
        keep_templates: list[PairTemplate] = []
        items: list[PairView | PairTemplate] = [*pairs, *templates]
        for item in items:
            if item.id in seen_ids:
                self.problem(item.id, "id", "duplicate pair-view id; later entry skipped")
                continue
            if item.key in seen_keys:
                self.problem(
                    item.id, "key", f"key {item.key} already used by {seen_keys[item.key]!r}"
                )
                continue
            seen_ids.add(item.id)
            seen_keys[item.key] = item.id
            if isinstance(item, PairView):
                keep_pairs.append(item)
            else:
                keep_templates.append(item)
        return keep_pairs, keep_templates


def _weights(raw: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple((str(k), float(v)) for k, v in raw.items())


def _anchor(raw: Mapping[str, Any]) -> LineAnchor:
    return LineAnchor(
        landmarks=_weights(raw.get("landmarks", {})),
        attachment=raw.get("attachment"),
        snap=bool(raw.get("snap", True)),
        bone=raw.get("bone"),
    )


def _rotation(raw: Mapping[str, Any]) -> Rotation:
    joints = raw.get("joints", {})
    levels = raw.get("ring_levels_mm", {})
    return Rotation(
        joint=str(raw["joint"]),
        axis=str(raw["axis"]),
        acts_on=(str(raw["acts_on"]["a"]), str(raw["acts_on"]["b"])),
        joints=(joints.get("a"), joints.get("b")),
        positive=str(raw["positive"]),
        negative=str(raw["negative"]),
        proposed=bool(raw.get("proposed", False)),
        levels_mm=(_level(levels, "a"), _level(levels, "b")),
        fallback_levels_mm=(_fallbacks(levels, "a"), _fallbacks(levels, "b")),
        turns=tuple(str(t) for t in raw.get("turns", ("a", "b"))),
        arc_deg=None if raw.get("arc_deg") is None else float(raw["arc_deg"]),
    )


def _level(levels: Mapping[str, Any], side: str) -> float | None:
    """The preferred ring height: a number, or the first of a list of heights."""
    value = levels.get(side)
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else float(value)


def _fallbacks(levels: Mapping[str, Any], side: str) -> tuple[float, ...]:
    """The further ring heights of a list (``[preferred, fallback, ...]``); none for a number."""
    value = levels.get(side)
    return tuple(float(v) for v in value[1:]) if isinstance(value, list) else ()


def _vec(values: Any) -> tuple[float, float, float]:
    return (float(values[0]), float(values[1]), float(values[2]))


def load_for_atlas(loaded: Any, path: Path | None = None) -> tuple[PairViewsResult, Landmarks]:
    """Pair views for a :class:`~viewer.io.atlas_loader.LoadedAtlas`, with its bony landmarks.

    What the app calls at start-up; returns the library (with problems, landmark problems
    included) and the landmarks that :func:`resolver_for` needs.
    """
    from viewer.io.annotations import load_bony_landmarks

    landmarks, problems = load_bony_landmarks(loaded.folder) if loaded.installed else ({}, [])
    result = load_pair_views(loaded.atlas, landmarks, path)
    result.problems[:0] = problems
    return result, landmarks


def resolver_for(loaded: Any, landmarks: Landmarks) -> Any:
    """``PairView -> ResolvedPairView`` bound to one loaded atlas, for ``PairViewController``."""
    from viewer.domain.pairviews import ResolvedPairView, resolve_pair

    def resolve(pair: PairView) -> ResolvedPairView:
        return resolve_pair(pair, loaded.atlas, landmarks, loaded.meshes)

    return resolve
