"""Synthetic atlas and annotation files for the trigger-point, heat-map and refer tests.

The body is a sphere of skin around two "muscles" (spheres) and a "bone" (box) with a handful of
named bony landmarks; the annotation files use them the way the real ones use the real atlas.
Nothing here depends on the built-in atlas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.atlas_factory import _write, box, sphere

SKIN_RADIUS = 150.0

LANDMARKS: dict[str, tuple[float, float, float]] = {
    # right side is -x (LPS)
    "psis_right": (-40.0, 60.0, 40.0),
    "psis_left": (40.0, 60.0, 40.0),
    "hip_centre_right": (-70.0, 0.0, 0.0),
    "hip_centre_left": (70.0, 0.0, 0.0),
    "greater_trochanter_right": (-100.0, 10.0, -10.0),
    "greater_trochanter_left": (100.0, 10.0, -10.0),
    "coccyx_tip": (0.0, 70.0, -20.0),
    "pubic_symphysis": (0.0, -60.0, -20.0),
}


def write_body_atlas(folder: Path, with_skin: bool = True) -> Path:
    """An atlas with a bone, muscles ``muscle_p_<side>``/``muscle_q_<side>`` and a skin sphere."""
    meshes: dict[str, Any] = {"bones/pelvis.vtp": box((0, 20, 10), (160, 80, 80))}
    for side, sx in (("right", -1.0), ("left", 1.0)):
        meshes[f"muscles/muscle_p_{side}.vtp"] = sphere((sx * 60.0, 50.0, 30.0), 25.0)
        meshes[f"muscles/muscle_q_{side}.vtp"] = sphere((sx * 60.0, -50.0, 0.0), 25.0)
    if with_skin:
        meshes["skin/skin.vtp"] = sphere((0.0, 0.0, 0.0), SKIN_RADIUS, res=90)
    for rel, source in meshes.items():
        _write(source, folder / rel)

    def entry(sid: str, kind: str, side: str, file: str | None, **extra: Any) -> dict[str, Any]:
        return {
            "id": sid,
            "name": sid.replace("_", " ").capitalize(),
            "kind": kind,
            "side": side,
            "region": "pelvis",
            "file": file,
            "color": "#b8423b",
            "source": ["synthetic"],
            "licence": "CC0-1.0",
            **extra,
        }

    structures = [entry("pelvis", "bone", "midline", "bones/pelvis.vtp")]
    for side in ("right", "left"):
        structures.append(entry(f"group_pq_{side}", "group", side, None))
        for m in ("p", "q"):
            structures.append(
                entry(
                    f"muscle_{m}_{side}",
                    "muscle",
                    side,
                    f"muscles/muscle_{m}_{side}.vtp",
                    parent=f"group_pq_{side}",
                )
            )
    if with_skin:
        structures.append(entry("skin", "skin", "midline", "skin/skin.vtp", region="body_surface"))
    manifest = {
        "schema_version": 1,
        "title": "Body test atlas",
        "frame": "LPS",
        "units": "mm",
        "origin": "test",
        "structures": structures,
        "sources": [{"id": "synthetic", "name": "Synthetic", "version": "1", "licence": "CC0-1.0"}],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    lm = {
        "schema_version": 1,
        "frame": "LPS",
        "units": "mm",
        "landmarks": {
            k: {"xyz": list(v), "structure": "pelvis", "description": k}
            for k, v in LANDMARKS.items()
        },
    }
    (folder / "landmarks.json").write_text(json.dumps(lm, indent=1), encoding="utf-8")
    return folder


def annotation_data() -> dict[str, dict[str, Any]]:
    """The four annotation files (as dicts) for :func:`write_body_atlas`, right side only."""
    sources = {
        "schema_version": 1,
        "kind": "sources",
        "sources": [
            {"key": "S1", "reference": "Test reference one, a book about test muscles."},
            {"key": "S2", "reference": "Test reference two, a web page about test pain."},
        ],
    }
    skin = {
        "schema_version": 1,
        "kind": "skin_landmarks",
        "landmarks": [
            {
                "id": "back_spot_right",
                "name": "Back spot",
                "side": "right",
                "anchors": [{"landmark": "psis_right"}],
                "direction": "posterior",
                "radius_mm": 20,
                "falloff_mm": 20,
            },
            {
                "id": "side_spot_right",
                "name": "Side spot",
                "side": "right",
                "anchors": [{"landmark": "greater_trochanter_right"}],
                "direction": "lateral",
                "radius_mm": 25,
                "falloff_mm": 20,
            },
            {
                "id": "front_strip_right",
                "name": "Front strip",
                "side": "right",
                "anchors": [
                    {"landmark": "hip_centre_right"},
                    {
                        "between": [
                            {"landmark": "hip_centre_right"},
                            {"landmark": "pubic_symphysis"},
                        ],
                        "t": 0.5,
                        "offset_mm": [0, 0, -60],
                    },
                ],
                "direction": "anterior",
                "radius_mm": 15,
                "falloff_mm": 15,
            },
            {
                "id": "tail_spot",
                "name": "Tail spot",
                "side": "midline",
                "anchors": [{"landmark": "coccyx_tip"}],
                "direction": "posterior+inferior",
                "radius_mm": 20,
            },
        ],
    }
    zones = {
        "schema_version": 1,
        "kind": "referral_patterns",
        "patterns": [
            {
                "id": "pattern_p_right",
                "title": "Muscle P pattern",
                "side": "right",
                "zones": [
                    {"landmark": "back_spot_right", "class": "essential"},
                    {"landmark": "side_spot_right", "class": "spillover"},
                ],
                "sources": ["S1"],
                "confidence": "H",
            },
            {
                "id": "pattern_q_right",
                "title": "Muscle Q pattern",
                "side": "right",
                "zones": [
                    {"landmark": "front_strip_right", "class": "essential"},
                    {"landmark": "tail_spot", "class": "spillover"},
                ],
                "sources": ["S2"],
                "confidence": "L",
                "flags": ["es_inferred"],
            },
        ],
    }
    tps = {
        "schema_version": 1,
        "kind": "trigger_points",
        "trigger_points": [
            {
                "id": "p_upper_right",
                "muscle": "muscle_p_right",
                "side": "right",
                "name": "Muscle P, upper",
                "fraction": 0.8,
                "face": "posterior",
                "axis": {
                    "from": {"landmark": "hip_centre_right"},
                    "to": {"landmark": "psis_right"},
                },
                "how_to_find": "Press on the back spot.",
                "referral": "pattern_p_right",
                "sources": ["S1"],
                "confidence": "H",
                "perpetuating": ["sitting"],
                "differentials": ["something else"],
            },
            {
                "id": "q_front_right",
                "muscle": "muscle_q_right",
                "side": "right",
                "name": "Muscle Q, front",
                "fraction": 0.5,
                "face": "anterior",
                "axis": {
                    "from": {"extreme_of": "muscle_q_right", "direction": "superior"},
                    "to": {"extreme_of": "muscle_q_right", "direction": "inferior"},
                },
                "how_to_find": "Press on the front.",
                "referral": "pattern_q_right",
                "sources": ["S2"],
                "confidence": "L",
                "flags": ["position_unverified"],
            },
        ],
    }
    return {
        "sources.json": sources,
        "skin_landmarks.json": skin,
        "referral_zones.json": zones,
        "trigger_points.json": tps,
    }


def write_annotations(folder: Path, data: dict[str, dict[str, Any]] | None = None) -> Path:
    """Write annotation files (default :func:`annotation_data`) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (data or annotation_data()).items():
        (folder / name).write_text(json.dumps(content, indent=1), encoding="utf-8")
    return folder


# -- the built-in atlas ------------------------------------------------------------------------
_BUILTIN: dict[str, Any] = {}


def builtin_model_or_skip() -> Any:
    """The referral model on the built-in atlas and annotations (built once per test session).

    Skips the calling test, naming what is missing, while the atlas build has not yet produced
    the skin or a muscle the annotations need. The distance cache goes to a temporary folder.
    """
    import tempfile

    import pytest

    from viewer.heatmap.model import build_referral_model
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.resources import builtin_annotations_dir, builtin_meshes_dir

    if "skip" in _BUILTIN:
        pytest.skip(_BUILTIN["skip"])
    if "model" in _BUILTIN:
        return _BUILTIN["model"]
    loaded = load_atlas(builtin_meshes_dir(), with_light=False)
    data = json.loads((builtin_annotations_dir() / "trigger_points.json").read_text("utf-8"))
    needed = {t["muscle"] for t in data["trigger_points"]}
    needed |= {m.replace("_right", "_left") for m in needed}
    missing = sorted(m for m in needed if m not in loaded.meshes)
    if "skin" not in loaded.meshes:
        missing.append("skin")
    if missing:
        _BUILTIN["skip"] = f"built-in atlas does not have these yet: {', '.join(missing)}"
        pytest.skip(_BUILTIN["skip"])
    cache = Path(tempfile.mkdtemp(prefix="trigger-atlas-test-cache-"))
    model, problems = build_referral_model(loaded, cache_dir=cache)
    _BUILTIN.update(model=model, problems=problems, loaded=loaded, cache=cache)
    return model


def builtin_state() -> dict[str, Any]:
    """Everything :func:`builtin_model_or_skip` built (model, problems, loaded atlas, cache)."""
    builtin_model_or_skip()
    return _BUILTIN
