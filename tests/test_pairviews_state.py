"""Entering, switching and leaving pair views restores the user's scene exactly."""

from __future__ import annotations

import pytest

from tests import pair_fixtures
from viewer.domain.pairviews import PairView, resolve_pair
from viewer.io.pairviews import load_pair_views
from viewer.state.pairs import ActivePair, PairViewController
from viewer.state.scene import SceneSnapshot, SceneState


def as_dicts(snap: SceneSnapshot) -> tuple:
    return dict(snap.visible), dict(snap.opacity), dict(snap.color), snap.selection, snap.view


@pytest.fixture(scope="module")
def loaded() -> tuple:
    atlas, lm, meshes = pair_fixtures.build()
    return atlas, lm, meshes, load_pair_views(atlas, lm).library


@pytest.fixture
def controller(loaded: tuple) -> PairViewController:
    atlas, lm, meshes, library = loaded
    scene = SceneState(atlas)
    return PairViewController(
        scene, library, resolve=lambda pair: resolve_pair(pair, atlas, lm, meshes)
    )


def customise(scene: SceneState) -> None:
    """A scene a user might have built before opening a pair view."""
    scene.set_visible("gluteus_maximus_left", False)
    scene.set_opacity("hip_bone_right", 0.42)
    scene.set_color("piriformis_right", "#123456")
    scene.select("sacrum")
    scene.request_view("posterior")


def test_enter_then_exit_restores_exactly(controller: PairViewController) -> None:
    scene = controller.scene
    customise(scene)
    before = as_dicts(scene.snapshot())
    active = controller.enter("psoas_vs_piriformis")
    assert isinstance(active, ActivePair) and controller.active is active
    during = as_dicts(scene.snapshot())
    assert during != before
    assert scene.color("piriformis_right") == active.pair.b.color
    assert not scene.is_visible("skin")
    controller.exit()
    assert as_dicts(scene.snapshot()) == before
    assert controller.active is None and controller.saved_snapshot is None


def test_switching_pairs_keeps_the_first_snapshot(controller: PairViewController) -> None:
    scene = controller.scene
    customise(scene)
    before = as_dicts(scene.snapshot())
    for key in (1, 2, 3, 4, 5, 6):
        controller.enter_key(key)
    controller.enter("upper_vs_lower_psoas", side="left")
    controller.toggle_side()
    assert controller.active is not None and controller.active.side == "right"
    controller.exit()
    assert as_dicts(scene.snapshot()) == before


def test_each_pair_scene_is_independent_of_the_previous_pair(
    controller: PairViewController,
) -> None:
    scene = controller.scene
    controller.enter("iliopsoas_vs_gluteus_maximus")
    direct = as_dicts(scene.snapshot())
    controller.enter("iliopsoas_vs_quadratus_lumborum")
    controller.enter("iliopsoas_vs_gluteus_maximus")
    assert as_dicts(scene.snapshot()) == direct


def test_signals_and_payload(controller: PairViewController, loaded: tuple) -> None:
    seen: list[object] = []
    controller.pair_changed.connect(seen.append)
    active = controller.enter("psoas_vs_piriformis", side="left")
    assert seen == [active]
    assert active.pair.side == "left" and active.pair.a.structures == ("psoas_major_left",)
    assert active.resolved is not None and active.resolved.camera.focus is not None
    assert active.resolved.camera.focus[0] > 0  # subject's left is +x
    assert "psoas_major_upper_left" in active.trigger_muscles_a
    assert active.trigger_muscles_b == {"piriformis_left"}
    assert controller.enter("psoas_vs_piriformis", side="left").resolved is active.resolved
    controller.exit()
    assert seen[-1] is None
    controller.exit()  # leaving twice is harmless and silent
    assert seen.count(None) == 1


def test_bilateral_view_by_muscle(controller: PairViewController) -> None:
    active = controller.enter("bilateral", muscle="quadratus_lumborum")
    scene = controller.scene
    assert scene.color("quadratus_lumborum_right") == active.pair.a.color
    assert scene.color("quadratus_lumborum_left") == active.pair.b.color
    assert active.pair.camera.direction[1] > 0.9


def test_bad_requests_leave_the_scene_alone(controller: PairViewController) -> None:
    scene = controller.scene
    before = as_dicts(scene.snapshot())
    with pytest.raises(KeyError):
        controller.enter("no_such_pair")
    with pytest.raises(ValueError):
        controller.enter("psoas_vs_piriformis", side="middle")
    with pytest.raises(KeyError):
        controller.enter_key(9)
    assert as_dicts(scene.snapshot()) == before and controller.active is None


def test_plain_pair_views_without_library(loaded: tuple) -> None:
    atlas, _, _, library = loaded
    pairs: list[PairView] = list(library.pairs)
    ctl = PairViewController(SceneState(atlas), pairs)
    before = as_dicts(ctl.scene.snapshot())
    assert ctl.enter("upper_vs_lower_psoas").resolved is None
    ctl.exit()
    assert as_dicts(ctl.scene.snapshot()) == before
