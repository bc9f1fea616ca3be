"""The shipped pair-view file: it loads, cross-references the atlas, and broken files are named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests import pair_fixtures
from tests.conftest import REPO
from viewer.domain.pairviews import resolve_pair
from viewer.domain.palette import (
    MIN_DELTA_LIGHTNESS,
    delta_e,
    is_safe_palette,
    lightness,
    pair_contrast,
)
from viewer.io.pairviews import PAIR_VIEWS_NAME, load_pair_views, parse_pair_views
from viewer.io.resources import builtin_annotations_dir

BUILTIN = builtin_annotations_dir() / PAIR_VIEWS_NAME
EXPECTED = {
    1: "psoas_vs_piriformis",
    2: "iliopsoas_vs_gluteus_maximus",
    3: "iliopsoas_vs_gluteus_medius_minimus",
    4: "upper_vs_lower_psoas",
    5: "bilateral",
    6: "iliopsoas_vs_quadratus_lumborum",
}


def raw() -> dict[str, Any]:
    return json.loads(BUILTIN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def synthetic() -> tuple:
    return pair_fixtures.build()


def test_builtin_file_loads_cleanly_on_the_synthetic_atlas(synthetic: tuple) -> None:
    atlas, lm, _ = synthetic
    result = load_pair_views(atlas, lm)
    assert result.problems == []
    assert dict(result.library.keys) == EXPECTED
    assert result.library.notice and "medical professional" in result.library.notice
    for pid in result.library.ids:
        for side in ("right", "left"):
            view = result.library.get(pid, side, atlas=atlas)
            for sid in view.structures:
                assert sid in atlas, (pid, side, sid)
            assert view.a.lines and view.b.lines, pid
            assert view.joints, pid
            for key in view.sources:
                assert key in result.library.sources or key.rstrip("abc") in result.library.sources


def test_keys_are_unique_one_to_six() -> None:
    data = raw()
    keys = [e["key"] for e in data["pair_views"] + data["templates"]]
    assert sorted(keys) == [1, 2, 3, 4, 5, 6]


def test_pair_colours_are_colour_blind_safe_and_differ_in_greyscale() -> None:
    data = raw()
    pairs = [(e["a"]["color"], e["b"]["color"]) for e in data["pair_views"]]
    pairs += [tuple(t["colors"]) for t in data["templates"]]
    for a, b in pairs:
        assert is_safe_palette(a) and is_safe_palette(b)
        contrast = pair_contrast(a, b)
        assert contrast.ok, (a, b, contrast)
        assert abs(lightness(a) - lightness(b)) >= MIN_DELTA_LIGHTNESS


def test_left_vs_right_is_not_painted_in_the_length_colours() -> None:
    """Blue and orange mean shortened and lengthened (lesson steps 4 and 7, posture views);
    the left-vs-right view of a tight side painted right blue and left orange, so a lecturer
    read its tight right side as "shorter" and the normal left as "longer"."""
    from viewer.domain.length_colours import LONG, SHORT

    data = raw()
    template = next(t for t in data["templates"] if t["id"] == "bilateral")
    used = {c.upper() for c in template["colors"]}
    assert not used & {SHORT.upper(), LONG.upper()}, used


def test_no_pair_view_is_painted_in_the_length_colours() -> None:
    """Blue and orange mean shorter and longer than standing in posture views; a patient found
    them meaning "side A / side B" in the other pair views too. Every pair view's sides now
    take colours the length colouring never uses, and the length scale's ends are none of them."""
    from viewer.domain.length_colours import LONG, NEUTRAL, SHORT

    data = raw()
    used = {e[side]["color"].upper() for e in data["pair_views"] for side in ("a", "b")}
    used |= {c.upper() for t in data["templates"] for c in t["colors"]}
    assert not used & {SHORT.upper(), LONG.upper(), NEUTRAL.upper()}, used
    for color in used:
        for end in (SHORT, LONG):
            assert delta_e(color, end) >= 40, (color, end)  # far apart for normal vision


def test_the_colour_check_can_fail() -> None:
    """The margins are real: look-alike pairs are rejected."""
    assert not pair_contrast("#0072B2", "#D55E00").ok  # both mid-dark: merge in greyscale
    red_green = pair_contrast("#D62728", "#2CA02C")
    assert not red_green.ok and red_green.worst_vision in {"protanopia", "deuteranopia"}


def test_explanations_cite_sources_and_state_disagreements() -> None:
    data = raw()
    by_id = {e["id"]: e for e in data["pair_views"]}
    assert "counternutation" in by_id["psoas_vs_piriformis"]["explanation"]
    assert "[S24]" in by_id["psoas_vs_piriformis"]["disagreement"]
    assert "disputed" in by_id["iliopsoas_vs_gluteus_medius_minimus"]["disagreement"]
    for entry in data["pair_views"] + data["templates"]:
        assert "[S" in entry["explanation"], entry["id"]


def test_builtin_atlas_pair_views_resolve() -> None:
    """Against the real built-in atlas: every id exists and every arrow and joint is placed."""
    from viewer.io.atlas_loader import load_atlas

    meshes_dir = REPO / "meshes"
    manifest = json.loads((meshes_dir / "manifest.json").read_text(encoding="utf-8"))
    ids = {s["id"] for s in manifest["structures"]}
    needed = {
        "psoas_major_upper_right",
        "piriformis_right",
        "gluteus_maximus_right",
        "gluteus_medius_right",
        "gluteus_minimus_right",
        "quadratus_lumborum_right",
        "iliacus_right",
        "iliopsoas_right",
    }
    if not needed <= ids:
        pytest.skip(f"built-in atlas lacks {sorted(needed - ids)} (muscles not built yet)")
    loaded = load_atlas(meshes_dir, with_light=False)
    lm = {
        k: np.asarray(v["xyz"], dtype=float)
        for k, v in json.loads((meshes_dir / "landmarks.json").read_text(encoding="utf-8"))[
            "landmarks"
        ].items()
    }
    result = load_pair_views(loaded.atlas, lm)
    assert [str(p) for p in result.problems if p.severity == "error"] == []
    assert dict(result.library.keys) == EXPECTED
    for pid in result.library.ids:
        for side in ("right", "left"):
            view = result.library.get(pid, side, atlas=loaded.atlas)
            resolved = resolve_pair(view, loaded.atlas, lm, loaded.meshes)
            assert resolved.notes == (), (pid, side, resolved.notes)
            for line in resolved.lines:
                assert line.length > 30, (pid, line.line.label)
                sign = -1 if line.line.muscle.endswith("_right") else 1  # right is -x
                assert sign * line.insertion[0] > 0, (pid, side, line.line.label)
            assert resolved.camera.focus is not None
            for joint in resolved.joints:
                if joint.joint.kind == "sacroiliac":
                    joint_side = joint.joint.id.rsplit("_", 1)[1]
                    _assert_on_the_joint_line(joint, loaded.meshes, joint_side)


def _assert_on_the_joint_line(joint: Any, meshes: Any, side: str) -> None:
    """The sacroiliac dot sits on the joint line: within a few mm of both the sacrum and the
    ilium, lateral of the sacral midline by about the sacrum's half-width (it once sat 11 mm
    medial, inside the sacrum, where it read as a spinal joint in the upper vs lower psoas view).
    """
    from scipy.spatial import cKDTree

    point = joint.point
    for bone in ("sacrum", f"hip_bone_{side}"):
        gap, _ = cKDTree(np.asarray(meshes[bone].points)).query(point)
        assert gap < 4.0, (joint.joint.title, bone, gap)
    assert abs(point[0]) > 40.0, (joint.joint.title, point)


# -- broken files -----------------------------------------------------------------------------


def load_variant(tmp_path: Path, synthetic: tuple, data: Any) -> Any:
    atlas, lm, _ = synthetic
    path = tmp_path / PAIR_VIEWS_NAME
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_pair_views(atlas, lm, path)


def places(result: Any) -> list[str]:
    return [f"{p.place} :: {p.message}" for p in result.problems if p.severity == "error"]


def test_unknown_structure_is_named_and_only_that_view_dropped(
    tmp_path: Path, synthetic: tuple
) -> None:
    data = raw()
    data["pair_views"][1]["b"]["structures"] = ["gluteus_maximum_right"]
    result = load_variant(tmp_path, synthetic, data)
    assert any(
        "pair_views[1] (iliopsoas_vs_gluteus_maximus) b/structures/0" in p
        and "gluteus_maximum_right" in p
        for p in places(result)
    )
    assert "iliopsoas_vs_gluteus_maximus" not in result.library.ids
    assert len(result.library.ids) == 5
    assert all(p.file.endswith(PAIR_VIEWS_NAME) for p in result.problems)


def test_unknown_landmark_and_joint(tmp_path: Path, synthetic: tuple) -> None:
    data = raw()
    data["lines"]["piriformis_right"]["origin"]["landmarks"] = {"sacral_promontorium": 1}
    data["lines"]["gluteus_medius_right"]["crosses"] = ["hip_right", "knee_right"]
    data["joints"]["hip_right"]["landmarks"] = {"hip_center_right": 1}
    result = load_variant(tmp_path, synthetic, data)
    found = places(result)
    assert any(
        "lines/piriformis_right origin/landmarks" in p and "sacral_promontorium" in p for p in found
    )
    assert any("lines/gluteus_medius_right crosses/1" in p and "knee_right" in p for p in found)
    assert any("joints/hip_right landmarks" in p and "hip_center_right" in p for p in found)


def test_duplicate_key_and_id(tmp_path: Path, synthetic: tuple) -> None:
    data = raw()
    data["pair_views"][2]["key"] = 1
    extra = copy.deepcopy(data["pair_views"][3])
    extra["key"] = 7
    data["pair_views"].append(extra)
    result = load_variant(tmp_path, synthetic, data)
    found = places(result)
    assert any(
        p.startswith("iliopsoas_vs_gluteus_medius_minimus key") and "key 1" in p for p in found
    )
    assert any(p.startswith("upper_vs_lower_psoas id") and "duplicate" in p for p in found)
    assert sorted(result.library.keys) == [1, 2, 4, 5, 6]


def test_unsafe_colours_missing_source_and_schema_errors(tmp_path: Path, synthetic: tuple) -> None:
    data = raw()
    data["pair_views"][0]["b"]["color"] = "#AA4499"  # purple beside side A's wine
    data["pair_views"][3]["sources"] = ["S99"]
    del data["pair_views"][4]["camera"]
    data["templates"][0]["colors"] = ["#0072B2", "blue"]
    result = load_variant(tmp_path, synthetic, data)
    found = places(result)
    assert any(
        "pair_views[0] (psoas_vs_piriformis) b/color" in p and "too close" in p for p in found
    )
    assert any("pair_views[3] (upper_vs_lower_psoas) sources" in p and "S99" in p for p in found)
    assert any(
        "pair_views[4] (iliopsoas_vs_quadratus_lumborum)" in p and "camera" in p for p in found
    )
    assert any("templates[0] (bilateral) colors/1" in p for p in found)
    assert set(result.library.ids) == {
        "iliopsoas_vs_gluteus_maximus",
        "iliopsoas_vs_gluteus_medius_minimus",
    }


def test_unreadable_and_wrong_version_files(tmp_path: Path, synthetic: tuple) -> None:
    atlas, lm, _ = synthetic
    bad = tmp_path / "broken.json"
    bad.write_text('{"schema_version": 1,\n "notice": ', encoding="utf-8")
    result = load_pair_views(atlas, lm, bad)
    assert result.library.ids == () and "line 2" in result.problems[0].place
    result = parse_pair_views({**raw(), "schema_version": 2}, atlas, lm, "x.json")
    assert result.library.ids == () and result.problems[0].place == "schema_version"
    missing = load_pair_views(atlas, lm, tmp_path / "nope.json")
    assert missing.problems and "not found" in missing.problems[0].message


def test_atlas_without_landmarks_keeps_views(synthetic: tuple) -> None:
    """Landmarks only place arrows: without any, the scenes still work (arrows are just missing)."""
    atlas, _, meshes = synthetic
    result = load_pair_views(atlas, {})
    assert [p for p in result.problems if p.severity == "error"] == []
    view = result.library.get("psoas_vs_piriformis", atlas=atlas)
    resolved = resolve_pair(view, atlas, {}, meshes)
    assert resolved.lines == () and resolved.notes
    assert resolved.camera.focus is not None  # falls back to the centre of A and B


def test_every_pair_side_has_trigger_points_in_the_shipped_file(synthetic: tuple) -> None:
    """Pair views reference trigger points by muscle: each side must find some."""
    from viewer.domain.pairviews import trigger_muscles

    path = builtin_annotations_dir() / "trigger_points.json"
    if not path.is_file():
        pytest.skip("annotations/trigger_points.json not written yet")
    muscles = {t["muscle"] for t in json.loads(path.read_text("utf-8"))["trigger_points"]}
    muscles |= {m.replace("_right", "_left") for m in muscles}
    atlas, lm, _ = synthetic
    library = load_pair_views(atlas, lm).library
    for pid in library.ids:
        for side in ("right", "left"):
            view = library.get(pid, side, atlas=atlas)
            for s in (view.a, view.b):
                assert trigger_muscles(s, atlas) & muscles, (pid, side, s.label)


def test_pairs_command(capsys: pytest.CaptureFixture[str], tiny_atlas_dir: Path) -> None:
    import argparse

    from viewer.commands import pairs

    parser = argparse.ArgumentParser()
    parser.add_argument("--atlas", type=Path, default=None)
    pairs.add_arguments(parser)
    # the tiny test atlas has none of these muscles: every view is reported, exit code 1
    assert pairs.run(parser.parse_args(["--atlas", str(tiny_atlas_dir)])) == 1
    out = capsys.readouterr().out
    assert "error:" in out and "unknown structure 'psoas_major_right'" in out
    manifest = json.loads((REPO / "meshes" / "manifest.json").read_text(encoding="utf-8"))
    if "piriformis_left" not in {s["id"] for s in manifest["structures"]}:
        pytest.skip("built-in atlas lacks the muscles (not built yet)")
    assert pairs.run(parser.parse_args([])) == 0
    listing = capsys.readouterr().out
    assert all(f"{k}  {pid}" in listing for k, pid in EXPECTED.items())
    assert pairs.run(parser.parse_args(["1", "--side", "left"])) == 0
    shown = capsys.readouterr().out
    assert "arrow B Piriformis (left)" in shown and "Sacroiliac joint (left)" in shown
    assert "[S23]" in shown and "medical professional" in shown
    assert pairs.run(parser.parse_args(["nope"])) == 1


def test_ring_levels_give_a_preferred_height_and_fallbacks() -> None:
    """Pair 3's rings ring the hip where they can (the lesson slide shows no X's) and fall back
    to the thigh where X's crowd the joint: ``ring_levels_mm`` takes a number or a list, the
    preferred height first."""
    from viewer.io.pairviews import _rotation

    raw = {
        "joint": "hip_right", "axis": "vertical",
        "acts_on": {"a": "insertion", "b": "insertion"},
        "positive": "inward", "negative": "outward",
        "ring_levels_mm": {"a": [-40, -165], "b": 30},
    }
    rot = _rotation(raw)
    assert rot.level_of("a") == -40.0 and rot.fallbacks_of("a") == (-165.0,)
    assert rot.level_of("b") == 30.0 and rot.fallbacks_of("b") == ()
    assert rot.mirrored().fallbacks_of("a") == (-165.0,)
    data = json.loads((REPO / "annotations" / "pair_views.json").read_text(encoding="utf-8"))
    pair3 = next(p for p in data["pair_views"] if p["key"] == 3)
    levels = pair3["rotation"]["ring_levels_mm"]
    assert set(levels) == set(pair3["rotation"]["turns"]) == {"b"}, "only the gluteals turn"
    assert all(abs(levels[s][0]) <= 45 for s in levels), "the preferred ring is on the hip"
