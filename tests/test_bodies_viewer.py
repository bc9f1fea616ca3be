"""Choosing the female, male or neutral body: loader, state, scenes, CLI, window, heat maps.

A synthetic atlas gets two extra skins (the tiny atlas's skin sphere stretched), so the loader,
state, scene and window tests run in a blink; the heat-map and CLI tests use the built atlas.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.atlas_factory import write_tiny_atlas

REPO = Path(__file__).resolve().parent.parent
MESHES = REPO / "meshes"
STRETCH = {"female": (1.25, 1.0, 1.0), "male": (0.9, 1.0, 1.0)}


def _has_bodies(folder: Path) -> bool:
    manifest = folder / "manifest.json"
    return manifest.exists() and "bodies" in json.loads(manifest.read_text("utf-8"))


def add_bodies(folder: Path) -> Path:
    """Give an atlas folder female and male skins: its skin sphere stretched in x."""
    import pyvista as pv

    skin = pv.read(folder / "skin/skin.vtp")
    bodies = [{"id": "neutral", "name": "Neutral body", "file": "skin/skin.vtp"}]
    for body, scale in STRETCH.items():
        other = skin.copy()
        other.points = np.asarray(skin.points) * np.array(scale)
        other.save(folder / f"skin/skin_{body}.vtp")
        bodies.append({"id": body, "name": f"{body} body", "file": f"skin/skin_{body}.vtp"})
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["bodies"] = bodies
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def bodies_atlas(tmp_path: Path) -> Path:
    return add_bodies(write_tiny_atlas(tmp_path / "atlas"))


def _skin_width(points: Any) -> float:
    return float(np.ptp(np.asarray(points)[:, 0]))


# -- loader and state ------------------------------------------------------------------------
def test_loader_offers_and_swaps_the_bodies(bodies_atlas: Path) -> None:
    from viewer.io.atlas_loader import load_atlas

    loaded = load_atlas(bodies_atlas)
    assert loaded.body_ids == ("neutral", "female", "male")
    neutral = _skin_width(loaded.meshes["skin"].points)
    assert loaded.use_body("female") == {"skin": loaded.meshes["skin"]}
    assert loaded.body == "female"
    assert _skin_width(loaded.meshes["skin"].points) == pytest.approx(1.25 * neutral, rel=1e-3)
    # the neutral skin stays at hand: skin landmarks are placed on it
    neutral_skin = loaded.neutral_skin()
    assert neutral_skin is not None
    assert _skin_width(neutral_skin.points) == pytest.approx(neutral)
    assert loaded.use_body("female") == {}  # no change, nothing to redraw
    loaded.use_body("neutral")
    assert _skin_width(loaded.meshes["skin"].points) == pytest.approx(neutral)
    with pytest.raises(ValueError, match="unknown body"):
        loaded.use_body("robot")


def test_missing_body_file_is_reported_and_neutral_shown(bodies_atlas: Path) -> None:
    from viewer.io.atlas_loader import load_atlas

    (bodies_atlas / "skin/skin_male.vtp").unlink()
    loaded = load_atlas(bodies_atlas, body="male")
    assert loaded.body == "neutral"
    assert any("male" in p.place and "neutral body shown" in p.message for p in loaded.problems)


def test_atlas_without_bodies_offers_only_neutral(tiny_atlas_dir: Path) -> None:
    from viewer.context import load_context

    context = load_context(tiny_atlas_dir, body="female")
    assert context.loaded.body == "neutral" and context.state.body == "neutral"
    assert context.state.available_bodies == ("neutral",)
    with pytest.raises(ValueError, match="no female body"):
        context.state.set_body("female")


def test_bad_bodies_entry_is_reported_and_the_atlas_loads(bodies_atlas: Path) -> None:
    from viewer.io.manifest import load_manifest

    path = bodies_atlas / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    manifest["bodies"][2]["id"] = "giant"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    result = load_manifest(bodies_atlas)
    assert result.atlas.renderable and [b.id for b in result.bodies] == ["neutral", "female"]
    assert any(p.place.startswith("bodies[2]") for p in result.problems)


# -- scenes ----------------------------------------------------------------------------------
def test_scene_records_the_body_and_brings_it_back(bodies_atlas: Path, tmp_path: Path) -> None:
    from viewer.bodyswitch import switch_body
    from viewer.context import load_context
    from viewer.io.scenes import load_scene, save_scene
    from viewer.state.scene_io import apply_scene, capture_scene

    context = load_context(bodies_atlas)
    context.state.set_body("male")
    save_scene(tmp_path / "m.tascene", capture_scene(context.state))
    assert json.loads((tmp_path / "m.tascene").read_text("utf-8"))["body"] == "male"

    fresh = load_context(bodies_atlas)
    seen: list[str] = []
    fresh.state.body_changed.connect(lambda b: seen.append(switch_body(fresh, b)[0] and b))
    doc, problems = load_scene(tmp_path / "m.tascene")
    assert doc is not None and not problems
    apply_scene(doc, fresh.state)
    assert fresh.state.body == "male" and fresh.loaded.body == "male" and seen == ["male"]


def test_version_1_scene_keeps_the_body_on_screen(bodies_atlas: Path, tmp_path: Path) -> None:
    from viewer.context import load_context
    from viewer.io.scenes import load_scene
    from viewer.state.scene_io import apply_scene

    path = tmp_path / "old.tascene"
    path.write_text(json.dumps({"schema_version": 1, "camera": {"view": "posterior"}}), "utf-8")
    doc, problems = load_scene(path)
    assert doc is not None and doc.body is None and not problems
    context = load_context(bodies_atlas, body="female")
    apply_scene(doc, context.state)
    assert context.state.body == "female"


def test_scene_naming_a_body_the_atlas_lacks_is_a_problem(tiny_atlas_dir: Path) -> None:
    from viewer.context import load_context
    from viewer.domain.scenedoc import SceneDocument
    from viewer.state.scene_io import apply_scene

    context = load_context(tiny_atlas_dir)
    _, problems = apply_scene(SceneDocument(body="female"), context.state, file="s.tascene")
    assert [p.place for p in problems] == ["body"] and context.state.body == "neutral"


# -- window ----------------------------------------------------------------------------------
def test_view_menu_and_toolbar_switch_the_body(
    make_main_window: Any, bodies_atlas: Path, qtbot: Any
) -> None:
    window = make_main_window(bodies_atlas, show=True)
    actor = window.view3d.scene.actor_of("skin")
    neutral = actor.GetBounds()[1] - actor.GetBounds()[0]
    action = window.actions_by_id["view.body_female"]
    assert action.isEnabled() and window.actions_by_id["view.body_neutral"].isChecked()
    assert action in window.bodies.toolbar.actions()
    action.trigger()
    assert window.state.body == "female" and action.isChecked()
    assert window.context.loaded.body == "female"
    assert actor.GetBounds()[1] - actor.GetBounds()[0] == pytest.approx(1.25 * neutral, rel=1e-2)
    # patient mode hides the docks; the body choice stays on screen
    window.patient.set_patient_mode(True)
    assert window.bodies.toolbar.isVisible()
    window.actions_by_id["view.body_male"].trigger()
    assert window.state.body == "male"
    assert actor.GetBounds()[1] - actor.GetBounds()[0] == pytest.approx(0.9 * neutral, rel=1e-2)
    window.patient.set_patient_mode(False)


def test_about_says_the_bones_are_one_skeleton(make_main_window: Any, bodies_atlas: Path) -> None:
    window = make_main_window(bodies_atlas)
    text = window.about_text()
    assert "one skeleton" in text and "not sex-specific" in text


# -- the built atlas: heat maps per body, CLI ------------------------------------------------
needs_built = pytest.mark.skipif(not _has_bodies(MESHES), reason="atlas without bodies")


@needs_built
def test_heat_maps_on_each_body_share_zones_but_follow_the_body() -> None:
    from viewer.heatmap.model import build_referral_model
    from viewer.io.atlas_loader import load_atlas

    fields = {}
    seeds = {}
    for body in ("neutral", "female", "male"):
        loaded = load_atlas(MESHES, with_light=False, body=body)
        assert loaded.body == body
        model, _ = build_referral_model(loaded)
        assert model is not None
        heat = model.field_for_muscle("gluteus_medius_right")
        fields[body] = heat.intensity
        seeds[body] = {k: lm.seeds for k, lm in model.skin_landmarks.items()}
        skin = np.asarray(model.skin.points)
        # the hot area lies on this body's skin (around the buttock and the back of the thigh)
        hot = skin[heat.intensity > 0.5]
        assert len(hot) > 200 and np.median(hot[:, 1]) > 0.0, body  # posterior (+y)
    for body in ("female", "male"):
        assert seeds[body].keys() == seeds["neutral"].keys()
        assert all(np.array_equal(seeds[body][k], seeds["neutral"][k]) for k in seeds[body])
        # distances are measured on each body, so the fading edges differ somewhat
        diff = np.abs(fields[body] - fields["neutral"])
        assert float(diff.max()) > 0.05 and float(np.mean(diff > 0.01)) < 0.2


def _render(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "viewer", "render", "-o", str(tmp_path / name), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=REPO)


@needs_built
def test_cli_renders_each_body_and_refuses_unknown_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    common = ("--view", "anterior", "--size", "240x320", "--no-markers", "--skin-opacity", "1")
    masks = {}
    for body in ("female", "male"):
        done = _render(tmp_path, f"{body}.png", "--body", body, *common)
        assert done.returncode == 0, done.stderr
        img = np.asarray(Image.open(tmp_path / f"{body}.png").convert("RGB")).astype(int)
        # skin pixels: warm (red clearly above blue); the background is a cool grey gradient
        masks[body] = (img[..., 0] - img[..., 2]) > 25
    # the two outlines differ (one row's width could match by chance: the hip row once did)
    differ = float(np.mean(masks["female"] != masks["male"]))
    assert differ > 0.01, f"female and male outlines differ in only {differ:.1%} of the pixels"
    # The refusal is argparse's, before anything loads: the same parser in this process (a
    # third interpreter launch cost more than the check).
    from viewer.cli import build_parser

    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["render", "-o", str(tmp_path / "x.png"), "--body", "robot"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
