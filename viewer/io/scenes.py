"""Read and write saved scenes (``*.tascene``): small, human-readable, versioned JSON.

Loading never raises for a bad file: it returns ``(document or None, problems)``, each problem
naming the file, the place (line/column for broken JSON, the field path for schema errors) and
what is wrong. Older files are migrated, with an ``info`` problem saying what they could not
carry. Writing is atomic (temporary file in the same folder, flushed and synced, then
``os.replace``), so a crash or a full disk never leaves a half-written scene or a stray file.
Only JSON is read: nothing is evaluated or unpickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from viewer.domain.camera import CameraPose
from viewer.domain.pose import PRESETS, pose_from_dict
from viewer.domain.scenedoc import (
    PairViewRef,
    SceneCamera,
    SceneDocument,
    StructureLook,
    TriggerSettings,
)
from viewer.io.problems import Problem
from viewer.io.resources import schema_path

__all__ = [
    "SCENE_KIND",
    "SCENE_SCHEMA_VERSION",
    "SCENE_SUFFIX",
    "PairViewRef",
    "SceneCamera",
    "SceneDocument",
    "StructureLook",
    "TriggerSettings",
    "load_scene",
    "parse_scene",
    "save_scene",
    "scene_from_dict",
    "scene_to_dict",
    "write_text_atomic",
]

SCENE_SUFFIX = ".tascene"
SCENE_KIND = "trigger-atlas-scene"
SCENE_SCHEMA_VERSION = 2
SCHEMA_NAME = "scene.schema.json"
MAX_FILE_BYTES = 5_000_000
"""A scene is a few kB; anything this large is not a scene and is not parsed."""


# -- schema ------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    with open(schema_path(SCHEMA_NAME), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def schema_errors(instance: Any, definition: str | None = None) -> list[tuple[str, str]]:
    """``(field path, message)`` for every schema error; ``definition`` picks a ``$defs`` entry
    (``"scene"`` validates a scene embedded in a lesson step)."""
    from viewer.io.reading import schema_validator

    schema = _schema()
    if definition is not None:
        schema = {"$defs": schema["$defs"], **schema["$defs"][definition]}
    validator = schema_validator(schema)
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        best = error
        if error.context:  # oneOf/anyOf: report the branch that got furthest
            best = max(error.context, key=lambda e: len(list(e.absolute_path)))
        parts = [str(p) for p in best.absolute_path]
        out.append(("/".join(parts) if parts else "(top level)", best.message))
    return out


# -- document <-> plain data -------------------------------------------------------------------
def _vector(values: Any) -> tuple[float, float, float]:
    return (float(values[0]), float(values[1]), float(values[2]))


def scene_to_dict(doc: SceneDocument, *, standalone: bool = True) -> dict[str, Any]:
    """Plain JSON data for a document; sections at their defaults are left out.

    ``standalone`` adds ``schema_version`` and ``kind`` (a file); lesson steps leave them out.
    """
    out: dict[str, Any] = {}
    if standalone:
        out["schema_version"] = SCENE_SCHEMA_VERSION
        out["kind"] = SCENE_KIND
    if doc.title:
        out["title"] = doc.title
    if doc.body is not None:
        out["body"] = doc.body
    if doc.camera is not None:
        if doc.camera.view is not None:
            out["camera"] = {"view": doc.camera.view}
            if doc.camera.frame:
                out["camera"]["frame"] = list(doc.camera.frame)
        elif doc.camera.pose is not None:
            pose = doc.camera.pose
            out["camera"] = {
                "position": list(pose.position),
                "focal_point": list(pose.focal_point),
                "view_up": list(pose.view_up),
            }
    if doc.pair_view is not None:
        pair: dict[str, Any] = {"id": doc.pair_view.id, "side": doc.pair_view.side}
        if doc.pair_view.muscle is not None:
            pair["muscle"] = doc.pair_view.muscle
        if doc.pair_view.tight_side is not None:
            pair["tight_side"] = doc.pair_view.tight_side
        out["pair_view"] = pair
    if doc.show_only is not None:
        out["show_only"] = list(doc.show_only)
    looks: dict[str, Any] = {}
    for sid, look in doc.structures:
        entry: dict[str, Any] = {}
        if look.visible is not None:
            entry["visible"] = look.visible
        if look.opacity is not None:
            entry["opacity"] = look.opacity
        if look.color is not None:
            entry["color"] = look.color
        if entry:
            looks[sid] = entry
    if looks:
        out["structures"] = looks
    if doc.selection is not None:
        out["selection"] = doc.selection
    t = doc.triggers
    if not t.is_default:
        trig: dict[str, Any] = {"active": list(t.active), "mode": t.mode}
        if t.muscle is not None:
            trig["muscle"] = t.muscle
        trig["heat_visible"] = t.heat_visible
        if t.markers is not None:
            trig["markers"] = list(t.markers)
        out["trigger_points"] = trig
    if doc.painful_spots:
        out["painful_spots"] = [list(p) for p in doc.painful_spots]
    if doc.labels:
        out["labels"] = list(doc.labels)
    if doc.posture is not None:
        named = PRESETS.get(doc.posture.name)
        out["posture"] = doc.posture.name if named == doc.posture else doc.posture.as_dict()
    if doc.length_colours:
        out["length_colours"] = True
    return out


def scene_from_dict(data: Mapping[str, Any]) -> SceneDocument:
    """Build a document from data that already passed the schema (``ValueError`` otherwise)."""
    camera = None
    cam = data.get("camera")
    if cam is not None:
        if "view" in cam:
            frame = tuple(str(f) for f in cam.get("frame", ()))
            camera = SceneCamera(view=str(cam["view"]), frame=frame)
        else:
            pose = CameraPose(
                _vector(cam["position"]), _vector(cam["focal_point"]), _vector(cam["view_up"])
            )
            _check_pose(pose)
            camera = SceneCamera(pose=pose)
    pair = None
    if "pair_view" in data:
        p = data["pair_view"]
        pair = PairViewRef(
            str(p["id"]), str(p.get("side", "right")), p.get("muscle"), p.get("tight_side")
        )
    show_only = data.get("show_only")
    looks = tuple(
        (
            str(sid),
            StructureLook(
                visible=look.get("visible"),
                opacity=None if look.get("opacity") is None else float(look["opacity"]),
                color=look.get("color"),
            ),
        )
        for sid, look in data.get("structures", {}).items()
    )
    trig = data.get("trigger_points", {})
    mode = str(trig.get("mode", "selected"))
    triggers = TriggerSettings(
        active=tuple(trig.get("active", ())),
        mode=mode,
        muscle=trig.get("muscle") if mode == "muscle" else None,
        heat_visible=bool(trig.get("heat_visible", True)),
        markers=None if trig.get("markers") is None else tuple(trig["markers"]),
    )
    return SceneDocument(
        camera=camera,
        show_only=None if show_only is None else tuple(show_only),
        structures=looks,
        selection=data.get("selection"),
        pair_view=pair,
        triggers=triggers,
        painful_spots=tuple(_vector(p) for p in data.get("painful_spots", ())),
        labels=tuple(data.get("labels", ())),
        title=str(data.get("title", "")),
        body=data.get("body"),
        posture=None if data.get("posture") is None else pose_from_dict(data["posture"]),
        length_colours=bool(data.get("length_colours", False)),
    )


def _check_pose(pose: CameraPose) -> None:
    """A pose must look somewhere and have an up direction, or the renderer divides by zero."""
    offset = [a - b for a, b in zip(pose.position, pose.focal_point, strict=True)]
    if sum(c * c for c in offset) < 1e-12:
        raise ValueError("camera position and focal_point are the same point")
    if sum(c * c for c in pose.view_up) < 1e-12:
        raise ValueError("camera view_up is a zero vector")


# -- migration ---------------------------------------------------------------------------------
def migrate_v0(data: Mapping[str, Any], file: str) -> tuple[dict[str, Any], list[Problem]]:
    """Turn a version-0 scene (visible ids + a view name) into version-1 data.

    Version 0 listed the visible structures only. It becomes ``show_only`` (everything else
    hidden), keeping the view and the selection; the info problem says what it could not hold.
    """
    out: dict[str, Any] = {"schema_version": SCENE_SCHEMA_VERSION, "kind": SCENE_KIND}
    out["show_only"] = list(dict.fromkeys(data["visible"]))
    if "view" in data:
        out["camera"] = {"view": data["view"]}
    if data.get("selection") is not None:
        out["selection"] = data["selection"]
    note = Problem(
        file,
        "schema_version",
        "version 0 scene migrated: it records only which structures were visible"
        + (", the view" if "view" in data else "")
        + (" and the selection" if "selection" in data else "")
        + "; opacity, colours, pair view, trigger points, painful spots and labels start at "
        "the atlas defaults. Save the scene again to update the file.",
        severity="info",
    )
    return out, [note]


def migrate_v1(data: Mapping[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2. Version 2 adds the optional ``body`` (female/male/neutral outline); a
    version-1 scene names none, so it keeps whatever body is on screen: nothing else changes."""
    out = dict(data)
    out["schema_version"] = SCENE_SCHEMA_VERSION
    return out


# -- parsing -----------------------------------------------------------------------------------
def parse_scene(
    data: Any, file: str, place: str = "", *, embedded: bool = False
) -> tuple[SceneDocument | None, list[Problem]]:
    """Validate (and if needed migrate) scene data; never raises for bad data.

    ``embedded`` scenes (lesson steps) carry no version of their own. ``place`` prefixes the
    field paths in problems (e.g. ``steps/3/scene``).
    """

    def where(path: str) -> str:
        return f"{place}/{path}" if place else path

    problems: list[Problem] = []
    if not isinstance(data, dict):
        return None, [Problem(file, where("(top level)"), "a scene must be a JSON object")]
    if not embedded:
        version = data.get("schema_version")
        if version is None:
            return None, [Problem(file, where("schema_version"), "missing; is this a scene?")]
        if version == 0:
            errors = schema_errors(data, "scene_v0")
            if errors:
                return None, [Problem(file, where(p), m) for p, m in errors]
            data, problems = migrate_v0(data, file)
        elif version == 1:
            data = migrate_v1(data)
        elif isinstance(version, int) and version > SCENE_SCHEMA_VERSION:
            return None, [
                Problem(
                    file,
                    where("schema_version"),
                    f"written by a newer Trigger Atlas (version {version}; this one reads up "
                    f"to {SCENE_SCHEMA_VERSION}); please update the app",
                )
            ]
    cam = data.get("camera")
    if isinstance(cam, dict) and "frame" in cam and "view" not in cam:
        message = (
            'a camera frame needs a view to look along (e.g. "view": "right"), not an exact pose'
        )
        return None, [*problems, Problem(file, where("camera/frame"), message)]
    errors = schema_errors(data, "scene") if embedded else schema_errors(data)
    if errors:
        return None, problems + [Problem(file, where(p), m) for p, m in errors]
    try:
        doc = scene_from_dict(data)
    except ValueError as exc:
        return None, [*problems, Problem(file, where("camera"), str(exc))]
    return doc, problems


def read_json(path: Path) -> tuple[Any, list[Problem]]:
    """JSON from a file, or ``None`` and a problem naming the place (never raises).

    Goes through :mod:`viewer.io.reading`: regular files only, bounded size, depth and numbers,
    no duplicate keys.
    """
    from viewer.io.reading import Limits, load_json

    return load_json(path, Limits(max_bytes=MAX_FILE_BYTES))


def load_scene(path: str | os.PathLike[str]) -> tuple[SceneDocument | None, list[Problem]]:
    """Read a ``*.tascene`` file: the document (``None`` if unusable) and every problem."""
    path = Path(path)
    data, problems = read_json(path)
    if data is None:
        return None, problems
    doc, more = parse_scene(data, str(path))
    return doc, problems + more


# -- writing -----------------------------------------------------------------------------------
def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Replace ``path`` with ``text`` all at once, or not at all.

    The text goes to a temporary file in the same folder (same file system, so the rename is
    atomic), is flushed and synced to disk, then moved over the target. On any error the
    temporary file is removed, the previous file is untouched, and the error propagates.
    """
    path = Path(path)
    data = text.encode("utf-8")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    remove_stale_temporaries(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _lock(fd)  # tells a later save that this temporary file is still being written
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.chmod(tmp_name, mode)
            os.replace(tmp_name, path)  # still open, so still locked until it has its name
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX only)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _lock(fd: int) -> bool:
    """Take an exclusive non-blocking lock on ``fd``; False if another process holds one."""
    try:
        import fcntl
    except ImportError:  # not POSIX: stale files are recognised by age instead
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_stale_temporaries(path: Path, min_age_s: float = 0.0) -> int:
    """Delete ``.NAME.XXXX.tmp`` files left beside ``path`` by saves that were killed.

    A save in progress holds a lock on its temporary file, so only files nobody is writing
    are removed (a process killed mid-save releases its lock). Returns how many were removed.
    """
    import glob
    import time

    removed = 0
    pattern = os.path.join(glob.escape(str(path.parent)), f".{glob.escape(path.name)}.*.tmp")
    for name in glob.glob(pattern):
        try:
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if time.time() - os.fstat(fd).st_mtime < min_age_s or not _lock(fd):
                continue
            os.unlink(name)
            removed += 1
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def dumps(data: Mapping[str, Any]) -> str:
    """The project's JSON layout for scenes and lessons: indented, UTF-8, no NaN."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_scene(path: str | os.PathLike[str], doc: SceneDocument) -> None:
    """Write a scene file atomically; the previous file is kept on any error.

    The data is checked against the schema first, so the app never writes a file it would
    refuse to open (``ValueError`` naming the field); disk errors raise ``OSError``.
    """
    data = scene_to_dict(doc)
    errors = schema_errors(data)
    if errors:
        raise ValueError("; ".join(f"{place}: {message}" for place, message in errors))
    write_text_atomic(path, dumps(data))
