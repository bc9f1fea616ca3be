"""Resultant pulls and turning moments of pair views: the model, the shipped data, the picture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests import pair_fixtures
from viewer.domain.mechanics import (
    Rotation,
    moment_about,
    pull_at,
    relative_forces,
    resultant_path,
)
from viewer.domain.pairviews import resolve_pair
from viewer.io.pairviews import load_pair_views

REPO = Path(__file__).resolve().parent.parent


# -- the model ------------------------------------------------------------------------------


def test_moment_sign_follows_the_right_hand_rule_in_newton_metres() -> None:
    # 100 N pulling forward (-y) 50 mm above a mediolateral (+x) axis: top tips forward, +5 N m.
    m = moment_about(np.array([0, 0, 50.0]), np.array([0, -100.0, 0]), np.zeros(3), [1, 0, 0])
    assert m == pytest.approx(5.0)
    # The same pull below the axis turns the other way; through the axis it does nothing.
    assert moment_about([0, 0, -50.0], [0, -100.0, 0], np.zeros(3), [1, 0, 0]) == pytest.approx(-5)
    assert moment_about([0, 0, 0.0], [0, -100.0, 0], np.zeros(3), [1, 0, 0]) == 0.0


def test_resultant_path_is_the_force_weighted_mean_and_keeps_a_shared_kink() -> None:
    upper = np.array([[0, 0, 300.0], [-50, -40, 0], [-80, 20, -50]])
    lower = np.array([[0, 0, 160.0], [-50, -40, 0], [-80, 20, -50]])
    path = resultant_path([upper, lower], [1.0, 3.0])
    assert path[0] == pytest.approx([0, 0, 195.0])
    assert path[1] == pytest.approx([-50, -40, 0])
    two = resultant_path([np.array([[0, 0, 0.0], [0, 0, 100.0]]), upper], [1.0, 1.0])
    assert two.shape == (3, 3), "a 2-point path is resampled to the longer one"
    with pytest.raises(ValueError):
        resultant_path([], [])


def test_pull_acts_toward_the_rest_of_the_muscle() -> None:
    path = np.array([[0, 0, 100.0], [0, -10, 0], [0, 10, -50]])
    point, d = pull_at(path, "origin")
    assert point == pytest.approx(path[0]) and d[2] < -0.9
    point, d = pull_at(path, "insertion")
    assert point == pytest.approx(path[-1]) and d[2] > 0.9
    with pytest.raises(ValueError):
        pull_at(path, "middle")


def test_relative_forces_leave_unknown_forces_unscaled() -> None:
    assert relative_forces([1385.0, 819.0]) == pytest.approx([1.0, 819 / 1385])
    assert relative_forces([None, 500.0]) == [1.0, 1.0]


def test_rotation_mirror_keeps_sagittal_senses_and_swaps_the_others() -> None:
    r = Rotation("sacroiliac_right", "mediolateral", ("origin", "origin"), (None, None), "n", "c")
    m = r.mirrored()
    assert (m.joint, m.positive, m.negative) == ("sacroiliac_left", "n", "c")
    v = Rotation("hip_right", "vertical", positive="in", negative="out").mirrored()
    assert (v.positive, v.negative) == ("out", "in")
    assert m.mirrored() == r


# -- the shipped data on the built-in atlas -------------------------------------------------------


@pytest.fixture(scope="module")
def builtin() -> tuple[Any, Any, Any]:
    from viewer.io.atlas_loader import load_atlas

    meshes_dir = REPO / "meshes"
    manifest = json.loads((meshes_dir / "manifest.json").read_text(encoding="utf-8"))
    if "piriformis_right" not in {s["id"] for s in manifest["structures"]}:
        pytest.skip("built-in atlas has no muscles yet")
    loaded = load_atlas(meshes_dir, with_light=False)
    raw = json.loads((meshes_dir / "landmarks.json").read_text(encoding="utf-8"))["landmarks"]
    lm = {k: np.asarray(v["xyz"], dtype=float) for k, v in raw.items()}
    result = load_pair_views(loaded.atlas, lm)
    assert [str(p) for p in result.problems if p.severity == "error"] == []
    return loaded, lm, result.library


def _resolved(builtin: tuple[Any, Any, Any], pid: str, side: str) -> Any:
    loaded, lm, library = builtin
    view = library.get(pid, side, atlas=loaded.atlas)
    return resolve_pair(view, loaded.atlas, lm, loaded.meshes)


@pytest.mark.parametrize("side", ["right", "left"])
def test_psoas_and_piriformis_turn_the_sacroiliac_joint_in_opposite_senses(
    builtin: tuple[Any, Any, Any], side: str
) -> None:
    resolved = _resolved(builtin, "psoas_vs_piriformis", side)
    turn = {t.side: t for t in resolved.turnings}
    assert set(turn) == {"a", "b"}
    assert turn["a"].joint_id == f"sacroiliac_{side}" == turn["b"].joint_id
    assert turn["a"].moment_nm > 0 > turn["b"].moment_nm, "psoas: nutation, piriformis: counter"
    assert turn["a"].sense.startswith("nutation")
    assert turn["b"].sense.startswith("counternutation")


def test_iliopsoas_flexes_and_gluteus_maximus_extends_the_hip(
    builtin: tuple[Any, Any, Any],
) -> None:
    turn = {t.side: t for t in _resolved(builtin, "iliopsoas_vs_gluteus_maximus", "right").turnings}
    assert turn["a"].moment_nm < 0 < turn["b"].moment_nm
    assert turn["a"].sense.startswith("flexion") and turn["b"].sense.startswith("extension")


def test_upper_and_lower_psoas_turn_their_own_levels(builtin: tuple[Any, Any, Any]) -> None:
    turn = {t.side: t for t in _resolved(builtin, "upper_vs_lower_psoas", "right").turnings}
    assert (turn["a"].joint_id, turn["b"].joint_id) == ("l2_l3", "lumbosacral")
    assert turn["a"].moment_nm != 0 and turn["b"].moment_nm != 0


def test_one_resultant_pull_per_muscle_scaled_by_force_capacity(
    builtin: tuple[Any, Any, Any],
) -> None:
    expected = {
        "psoas_vs_piriformis": ["psoas_major", "piriformis"],
        "iliopsoas_vs_gluteus_maximus": ["iliacus", "psoas_major", "gluteus_maximus"],
        "upper_vs_lower_psoas": ["psoas_major_upper", "psoas_major_lower"],
    }
    for pid, muscles in expected.items():
        resolved = _resolved(builtin, pid, "right")
        got = [p.structure.removesuffix("_right") for p in resolved.pulls]
        assert sorted(got) == sorted(muscles), pid
        strongest = max(resolved.pulls, key=lambda p: p.force_n or 0)
        assert strongest.relative == 1.0
        assert all(0 < p.relative <= 1 for p in resolved.pulls)
    pulls = {p.structure: p for p in _resolved(builtin, "psoas_vs_piriformis", "right").pulls}
    assert pulls["psoas_major_right"].force_n == pytest.approx(1385)
    assert pulls["piriformis_right"].relative == pytest.approx(819 / 1385)


# -- file problems -------------------------------------------------------------------------------


def test_bad_rotation_and_capacity_are_named(tmp_path: Path) -> None:

    def spoil(data: dict[str, Any]) -> None:
        data["pair_views"][0]["rotation"]["joint"] = "no_such_joint"
        data["force_capacity"]["muscles"]["piriformis"]["force_n"] = -3

    result, text = pair_fixtures.load_edited_pair_views(tmp_path, spoil)
    assert any("rotation" in t and "no_such_joint" in t for t in text), text
    assert any(t.startswith("force_capacity") and "force_n" in t for t in text), text
    view = result.library.get("psoas_vs_piriformis")
    assert view.rotation is None, "the view stays, without curved arrows"
    assert result.library.force_capacity == ()


# -- the picture -----------------------------------------------------------------------------------


def test_pair_view_render_draws_opposite_curls_title_and_whole_muscles(tmp_path: Path) -> None:
    """Psoas vs piriformis at 1280x720: each curved arrow's head is where its sense puts it,
    the title and key are inside the frame, and T12 (the top of psoas) is in view."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

    from viewer.context import load_context
    from viewer.features import load_features
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.pair_overlay import (
        arrow_rgb,
    )

    context = load_context()
    features = load_features(context)
    if features.pairs is None:
        pytest.skip("no pair views for the built-in atlas")
    active = features.pairs.enter("psoas_vs_piriformis")
    resolved = active.resolved
    assert resolved is not None
    w, h = 1280, 720
    with offscreen_scene(context.loaded, context.state, (w, h), features=features) as (
        window,
        renderer,
        scene,
        overlays,
    ):
        assert overlays is not None
        window.Render()
        overlays.refresh_pair()
        scene.apply_pose(overlays.pair_pose(resolved))
        window.Render()
        grab = vtkWindowToImageFilter()
        grab.SetInput(window)
        grab.ReadFrontBufferOff()
        grab.Update()
        img = vtk_to_numpy(grab.GetOutput().GetPointData().GetScalars()).reshape(h, w, -1)[..., :3]

        def display(p: Any) -> np.ndarray:
            renderer.SetWorldPoint(float(p[0]), float(p[1]), float(p[2]), 1.0)
            renderer.WorldToDisplay()
            return np.asarray(renderer.GetDisplayPoint()[:2])

        def near(p: Any, rgb: Any, r: int = 5) -> int:
            x, y = display(p).round().astype(int)
            patch = img[max(0, y - r) : y + r + 1, max(0, x - r) : x + r + 1].astype(float)
            target = np.asarray(rgb) * 255
            return int((np.abs(patch - target).max(-1) < 60).sum())

        # A pull near the joint axis swings about it as a lever arc (the piriformis once
        # showed a straight arrow pointing down); psoas, on the lumbar spine far from the
        # sacroiliac joint, turns it as a ring on the joint (its lever arc lay on the spine).
        # Each curved arrow as drawn (an arc cut where it leaves the body, its start slid
        # along the course to clear an X; a ring turned round its joint) has its head at its
        # end.
        turns = overlays.pairs_overlay.turn_paths
        assert len(turns) == len(resolved.turnings) == 2
        for turn in resolved.turnings:
            pts = turns[turn.side]
            rgb = arrow_rgb(turn.color)
            # It swings in the sense of the turning (right-hand rule about the joint axis),
            # read at its middle: a full 180-degree swing ends exactly opposite its start...
            foot = turn.center + ((pts[0] - turn.center) @ turn.axis) * turn.axis
            swing = float(np.cross(pts[0] - foot, pts[len(pts) // 2] - foot) @ turn.axis)
            assert np.sign(swing) == turn.sign, f"side {turn.side}: arc turns the wrong way"
            # ...and its head is drawn at its end, in its colour.
            assert near(pts[-2], rgb, r=3) > 0, f"side {turn.side}: no head at its end"
        assert overlays.pairs_overlay.lever_arcs == 1, "piriformis turns the sacrum as a lever"
        for sid in ("psoas_major_upper_right", "piriformis_right"):
            pts = np.asarray(context.loaded.meshes[sid].points)
            for p in (pts[pts[:, 2].argmax()], pts[pts[:, 2].argmin()]):
                x, y = display(p)
                assert 0 < x < w and 0 < y < h, f"{sid} end out of frame"
        for actor in overlays.pair_legend.actors:
            x, y = actor.GetPosition()
            assert 0 <= x < w and 0 <= y < h
        assert "Psoas major vs piriformis" in overlays.pair_legend.text()
        assert "counternutation" in overlays.pair_legend.text()
        assert "proposed" in overlays.pair_legend.text()


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_key_says_psoas_turns_the_sacrum_only_through_l5(
    builtin: tuple[Any, Any, Any], side: str
) -> None:
    """Psoas has no attachment on the sacrum; it is said to act on it through L5 and the
    lumbosacral joint above [S21]. Lesson 5's key read "Psoas major (right), 1385 N; proposed:
    toward nutation" beside a ring round the sacroiliac joint, and its title "psoas and
    piriformis turn the sacrum opposite ways": a lecturer read both as psoas pulling on the
    sacrum. The psoas row now says how it gets there (pair side ``via``); piriformis, attached
    to the sacrum, says nothing more."""
    from viewer.render.pair_legend import legend_rows

    resolved = _resolved(builtin, "psoas_vs_piriformis", side)
    psoas, piriformis = (text for text, _colour in legend_rows(resolved)[:2])
    assert "proposed, through L5" in psoas and "not attached to the sacrum" in psoas, psoas
    assert psoas.endswith("toward nutation"), psoas
    assert "L5" not in piriformis and "proposed: toward counternutation" in piriformis
    assert "top of the sacrum" not in resolved.pair.a.role.split(";")[0], resolved.pair.a.role


def test_lesson_5_says_psoas_acts_on_the_sacrum_indirectly() -> None:
    from viewer.io.lessons import builtin_lessons, load_lesson

    lesson, _ = load_lesson(builtin_lessons()[0])
    assert lesson is not None
    step = lesson.steps[4]
    assert step.scene.pair_view is not None and step.scene.pair_view.id == "psoas_vs_piriformis"
    assert step.caption.startswith("Proposed:") and "through L5" in step.caption, step.caption
    assert "psoas and piriformis turn the sacrum" not in step.caption.lower()
    assert "no attachment on the sacrum" in step.notes and "indirectly" in step.notes
    assert "through L5" in step.title
