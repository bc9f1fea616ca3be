"""Load ``annotations/palpable_landmarks.json`` (see :mod:`viewer.domain.palpation`).

Each entry is checked by hand (id, name, landmark, side, felt_from words, cited source keys);
a broken entry is left out with a problem naming the file, entry and field, the rest is kept.
Right-side entries are mirrored to the left.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from viewer.domain.landmarks import AnchorError, direction_vector
from viewer.domain.palpation import PalpableLandmark, with_mirrors
from viewer.domain.structures import Side
from viewer.io.problems import Problem
from viewer.io.resources import builtin_annotations_dir

PALPABLE_NAME = "palpable_landmarks.json"


def load_palpable_landmarks(
    path: Path | None = None,
) -> tuple[list[PalpableLandmark], list[Problem]]:
    """The landmarks (both sides) and the problems met reading them."""
    from viewer.io.reading import ReadError, read_json_file

    path = Path(path) if path is not None else builtin_annotations_dir() / PALPABLE_NAME
    shown = str(path)
    try:
        data, problems = read_json_file(path)
    except (OSError, ReadError) as exc:
        return [], [Problem(shown, "", str(exc))]
    if data is None:
        return [], list(problems)
    if not isinstance(data, dict) or not isinstance(data.get("landmarks"), list):
        return [], [Problem(shown, "landmarks", "missing or not a list")]
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    out: list[PalpableLandmark] = []
    found: list[Problem] = []
    for k, entry in enumerate(data["landmarks"]):
        lm = _entry(entry, sources, shown, f"landmarks[{k}]", found)
        if lm is not None:
            out.append(lm)
    return with_mirrors(out), found


def _entry(
    entry: Any, sources: dict[str, Any], shown: str, place: str, problems: list[Problem]
) -> PalpableLandmark | None:
    if not isinstance(entry, dict):
        problems.append(Problem(shown, place, "not an object"))
        return None
    for key in ("id", "name", "landmark", "side"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            problems.append(Problem(shown, f"{place}/{key}", "missing or not a text"))
            return None
    try:
        side = Side(entry["side"])
    except ValueError:
        problems.append(Problem(shown, f"{place}/side", f"unknown side {entry['side']!r}"))
        return None
    felt = entry.get("felt_from")
    if not isinstance(felt, list) or not felt or not all(isinstance(w, str) for w in felt):
        problems.append(Problem(shown, f"{place}/felt_from", "needs a list of direction words"))
        return None
    try:
        for spec in felt:
            direction_vector(spec, side)
    except AnchorError as exc:
        problems.append(Problem(shown, f"{place}/felt_from", str(exc)))
        return None
    cited = entry.get("sources", [])
    unknown = [s for s in cited if s not in sources]
    if not cited or unknown:
        problems.append(Problem(shown, f"{place}/sources", f"no source or unknown: {unknown}"))
        return None
    return PalpableLandmark(
        entry["id"], entry["name"], entry["landmark"], side, tuple(felt), tuple(cited)
    )

