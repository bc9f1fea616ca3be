"""One guarded way in for every file the app opens.

Everything the app reads (atlas manifest, landmarks, meshes, annotations, pair views, lessons,
scenes) goes through here, so the same limits hold everywhere:

* only regular files are opened (a named pipe or a device would block or never end), checked with
  ``stat`` before opening and again on the open descriptor, opened non-blocking;
* sizes are bounded before anything is parsed: file bytes, JSON nesting depth (checked on the raw
  text, so a 100,000-deep file never reaches the recursive parser), number length, string length
  and the number of values;
* duplicate keys in a JSON object are an error (JSON parsers silently keep the last one);
* lone surrogates (``"\\ud800"``) are replaced by U+FFFD with a warning, since they cannot be
  printed, drawn or saved as UTF-8;
* ``NaN`` and ``Infinity`` are parsed (so one bad entry can be skipped, not the whole file) but the
  schema validator of this module rejects them, and huge magnitudes, wherever a number is meant;
* a path named by a document is resolved (symlinks included) and must stay inside its folder.

Readers return :class:`~viewer.io.problems.Problem` lists or raise :class:`ReadError` (a
``ValueError``) with the place and the reason; nothing here evaluates or unpickles data.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from viewer.io.problems import Problem

MAX_MAGNITUDE = 1e9
"""Largest absolute value accepted where a schema asks for a number (mm, opacity, radii...)."""


@dataclass(frozen=True)
class Limits:
    """Bounds for one kind of JSON file; the defaults suit every annotation and document file."""

    max_bytes: int = 20_000_000
    max_depth: int = 64
    max_number_chars: int = 40
    max_string_chars: int = 100_000
    max_values: int = 2_000_000


DEFAULT_LIMITS = Limits()


class ReadError(ValueError):
    """A file cannot be read or parsed; ``place`` is where (line/column or field), may be ''."""

    def __init__(self, place: str, reason: str) -> None:
        super().__init__(f"{place}: {reason}" if place else reason)
        self.place = place
        self.reason = reason


# -- files -------------------------------------------------------------------------------------
def read_bytes(path: Path, max_bytes: int, head: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; :class:`ReadError` otherwise.

    With ``head`` only the first ``head`` bytes are returned (the size limit still applies).

    Never blocks on a FIFO or device: the type is checked before opening, the file is opened
    with ``O_NONBLOCK`` and checked again on the descriptor (the path may change in between).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ReadError("", "file not found") from None
    except OSError as exc:
        raise ReadError("", f"cannot be read ({exc.strerror or exc})") from None
    _check_regular(info, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReadError("", f"cannot be read ({exc.strerror or exc})") from None
    try:
        _check_regular(os.fstat(fd), max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1 if head is None else head)
    except OSError as exc:
        raise ReadError("", f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ReadError("", f"larger than the {max_bytes:,} bytes allowed for this file")
    return data


def _check_regular(info: os.stat_result, max_bytes: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ReadError("", "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError("", "not a regular file (a pipe, socket or device); not read")
    if info.st_size > max_bytes:
        raise ReadError(
            "", f"{info.st_size:,} bytes; larger than the {max_bytes:,} allowed for this file"
        )


def confined_path(folder: Path, name: str, what: str = "file") -> Path:
    """``folder/name`` resolved, refusing anything that would leave ``folder``.

    Absolute names, ``..`` parts, and symlinks pointing outside the folder are refused with a
    :class:`ReadError`; a document may only name files beside or below itself.
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ReadError("", f"{what} name is empty or not text")
    if len(name) > 1024:
        raise ReadError("", f"{what} name is {len(name):,} characters long (limit 1,024)")
    rel = Path(name)
    if rel.is_absolute() or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise ReadError(
            "",
            f"{what} {name[:80]!r} is an absolute path; only names inside the folder are allowed",
        )
    if ".." in rel.parts or ".." in name.replace("\\", "/").split("/"):
        raise ReadError("", f"{what} {name[:80]!r} climbs out of its folder ('..')")
    # os.path on strings, as Path.resolve does underneath: the Path objects and the walk over
    # ``target.parents`` cost ~0.3 ms a call, ~150 calls before the first frame.
    base = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(base, rel))
    if target != base and not target.startswith(os.path.join(base, "")):
        raise ReadError("", f"{what} {name[:80]!r} leads outside its folder (symbolic link)")
    return Path(target)


# -- JSON --------------------------------------------------------------------------------------
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _line_col(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    return f"line {line}, column {index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def _check_depth(text: str, limit: int) -> None:
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                raise ReadError("", f"nested more than {limit} levels deep; not read")
        else:
            depth -= 1


class _Hooks:
    """Parser hooks enforcing number length and unique keys."""

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits

    def _too_long(self, token: str) -> ReadError:
        at = self.text.find(token[:40])
        place = _line_col(self.text, at) if at >= 0 else ""
        return ReadError(
            place,
            f"a number {len(token):,} characters long (limit {self.limits.max_number_chars})",
        )

    def parse_int(self, token: str) -> int:
        if len(token) > self.limits.max_number_chars:
            raise self._too_long(token)
        return int(token)

    def parse_float(self, token: str) -> float:
        if len(token) > self.limits.max_number_chars:
            raise self._too_long(token)
        return float(token)  # 1e999 -> inf: rejected by the schema validator, per entry

    @staticmethod
    def parse_constant(token: str) -> float:
        return float(token)  # NaN / Infinity: kept so the one entry holding it is skipped

    @staticmethod
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ReadError("", f"duplicate key {key[:80]!r} in one object; not read")
            out[key] = value
        return out


def parse_json_text(text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, list[str]]:
    """Parse JSON text under ``limits``: ``(data, warnings)`` or :class:`ReadError`."""
    import json

    _check_depth(text, limits.max_depth)
    hooks = _Hooks(text, limits)
    try:
        data = json.loads(
            text,
            object_pairs_hook=hooks.pairs,
            parse_int=hooks.parse_int,
            parse_float=hooks.parse_float,
            parse_constant=hooks.parse_constant,
        )
    except json.JSONDecodeError as exc:
        raise ReadError(f"line {exc.lineno}, column {exc.colno}", exc.msg) from None
    except RecursionError:
        raise ReadError("", "nested too deeply; not read") from None
    warnings: list[str] = []
    data = _walk(data, limits, warnings, [0], "")
    return data, warnings


def _walk(value: Any, limits: Limits, warnings: list[str], count: list[int], place: str) -> Any:
    count[0] += 1
    if count[0] > limits.max_values:
        raise ReadError("", f"more than {limits.max_values:,} values; not read")
    if isinstance(value, str):
        return _clean_string(value, limits, warnings, place)
    if isinstance(value, list):
        return [_walk(v, limits, warnings, count, f"{place}/{i}") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = _clean_string(k, limits, warnings, f"{place}/(key)")
            out[key] = _walk(v, limits, warnings, count, f"{place}/{key[:40]}")
        return out
    return value


def _clean_string(text: str, limits: Limits, warnings: list[str], place: str) -> str:
    if len(text) > limits.max_string_chars:
        raise ReadError(
            place.lstrip("/") or "(top level)",
            f"a text of {len(text):,} characters (limit {limits.max_string_chars:,}); not read",
        )
    if _SURROGATE.search(text):
        warnings.append(
            f"{place.lstrip('/') or '(top level)'}: a lone surrogate escape (not a character) "
            "was replaced by \ufffd"
        )
        return _SURROGATE.sub("\ufffd", text)
    return text


def read_json_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, list[Problem]]:
    """JSON data of a file and its warnings; raises :class:`ReadError` if it cannot be used."""
    raw = read_bytes(Path(path), limits.max_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"byte {exc.start}", "not UTF-8 text") from None
    data, warnings = parse_json_text(text, limits)
    shown = str(path)
    problems = []
    for w in warnings:
        place, _, message = w.partition(": ")
        problems.append(Problem(shown, place, message, severity="warning"))
    return data, problems


def load_json(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, list[Problem]]:
    """Like :func:`read_json_file` but never raises: ``(None, [problem])`` when unusable."""
    try:
        return read_json_file(path, limits)
    except ReadError as exc:
        return None, [Problem(str(path), exc.place, exc.reason)]


# -- schema validation -------------------------------------------------------------------------
def _bad_number(instance: Any) -> bool:
    return (
        isinstance(instance, float)
        and not (math.isfinite(instance) and abs(instance) <= MAX_MAGNITUDE)
    ) or (
        isinstance(instance, int)
        and not isinstance(instance, bool)
        and abs(instance) > MAX_MAGNITUDE
    )


def _number_message(instance: Any) -> str:
    shown = repr(instance) if not isinstance(instance, int) else f"{instance:.3g}"
    return f"{shown} is not a finite number within ±{MAX_MAGNITUDE:g}"


def _make_validator() -> Any:
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    base = Draft202012Validator.VALIDATORS

    def guarded(keyword: str) -> Any:
        original = base[keyword]

        def check(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
            if _bad_number(instance) and (
                keyword != "type" or {"number", "integer"} & set(_as_list(value))
            ):
                yield ValidationError(_number_message(instance))
                return
            yield from original(validator, value, instance, schema)

        return check

    checks = {
        k: guarded(k)
        for k in (
            "type",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        )
    }
    return validators.extend(Draft202012Validator, validators=checks)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


_VALIDATOR: Any = None


def schema_validator(schema: Any, **kwargs: Any) -> Any:
    """A Draft 2020-12 validator that also refuses NaN, infinities and huge numbers."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = _make_validator()
    return _VALIDATOR(schema, **kwargs)


def finite(values: Any, limit: float = MAX_MAGNITUDE) -> bool:
    """True if every number in ``values`` is finite and within ``±limit``."""
    try:
        return all(
            isinstance(v, int | float)
            and not isinstance(v, bool)
            and math.isfinite(v)
            and abs(v) <= limit
            for v in values
        )
    except TypeError:
        return False
