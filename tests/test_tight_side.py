"""Left vs right with one iliopsoas tight: that hip stays flexed and the pelvis tilts (balance
model), the tight side's iliopsoas is shorter than the other, the picture says so, scenes and
lessons record it, and the pair panel's control is one undo step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import pair_fixtures
from viewer.domain.balance import (
    TIGHT_HIP_FLEXION_DEG,
    MomentArms,
    iliopsoas_change_pct,
    one_side_tight_pose,
    tight_note,
    tight_side_of,
)
from viewer.domain.pose import STANDING, pose_caption
from viewer.domain.scenedoc import PairViewRef

MESHES = Path(__file__).resolve().parents[1] / "meshes"
ARMS = MomentArms(iliopsoas=390.0, gluteus_maximus=-1280.0)  # about the built atlas's


def test_one_side_tight_flexes_that_hip_and_tilts_the_pelvis_forward() -> None:
    right = one_side_tight_pose(ARMS, "right")
    left = one_side_tight_pose(ARMS, "left")
    assert tight_side_of(right) == "right" and tight_side_of(left) == "left"
    assert tight_side_of(STANDING) is None
    assert right.pelvic_tilt > 0 and right.lordosis == right.pelvic_tilt  # anterior, curve follows
    assert right.hip_right.flexion == pytest.approx(right.hip_left.flexion + TIGHT_HIP_FLEXION_DEG)
    assert left.hip_left.flexion > left.hip_right.flexion and left.knee_left > left.knee_right == 0
    assert pose_caption(right).startswith("Right iliopsoas tight \u2014 hip flexion right")
    with pytest.raises(ValueError, match="side"):
        one_side_tight_pose(ARMS, "middle")


def test_the_caption_gives_the_thigh_angles_the_picture_draws() -> None:
    """A one-sided pose with a tilted pelvis: the caption's hip flexion is on the pelvis, the
    drawn thigh angle is in space; the caption must also say the thighs' angles, the same
    numbers the thigh label prints, so that a lecturer need not explain the difference."""
    from viewer.domain.posture_guides import thigh_angle, thigh_label

    pose = one_side_tight_pose(ARMS, "right")
    assert round(pose.pelvic_tilt)  # the case this is about
    caption = pose_caption(pose)
    right, left = round(thigh_angle(pose, "right")), round(thigh_angle(pose, "left"))
    assert f"(thighs right {right}\u00b0, left {left}\u00b0 from vertical)" in caption, caption
    assert f"right thigh {right}\u00b0 forward of standing" in thigh_label(pose, "right")


def test_the_tight_side_is_shorter_on_the_built_atlas() -> None:
    from viewer.domain.balance import ILIOPSOAS_PARTS
    from viewer.domain.posture import moment_arms
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.posture import posture_model

    model = posture_model(load_atlas(MESHES, with_light=False))
    pose = one_side_tight_pose(moment_arms(model), "left")
    ids = [f"{p}_{s}" for p in ILIOPSOAS_PARTS for s in ("right", "left")]
    lengths = {m.id: (m.length_mm, m.standing_length_mm) for m in model.lengths(pose, ids)}
    tight, other = iliopsoas_change_pct(lengths, "left"), iliopsoas_change_pct(lengths, "right")
    assert tight is not None and other is not None
    assert tight < other - 2.0, (tight, other)  # visibly shorter than the free side
    note = tight_note(lengths, "left")
    # Says what is measured and that it is small ("left iliopsoas \u22122 % vs standing" under
    # a caption calling it tight read as a contradiction to a lecturer).
    assert note.startswith("left iliopsoas only 2 % shorter than standing, right unchanged"), note
    assert note.endswith("tight = more tension at rest"), note
    assert "\u2212" not in note and "vs standing" not in note


def test_the_tight_note_says_what_is_measured() -> None:
    def lengths(right: float, left: float) -> dict[str, tuple[float, float]]:
        parts = ("psoas_major_upper", "psoas_major_lower", "iliacus")
        out = {f"{p}_right": (100.0 + right, 100.0) for p in parts}
        out.update({f"{p}_left": (100.0 + left, 100.0) for p in parts})
        return out

    assert tight_note(lengths(-2.3, -0.2), "right") == (
        "right iliopsoas only 2 % shorter than standing, left unchanged: "
        "tight = more tension at rest"
    )
    assert tight_note(lengths(-0.2, -8.0), "left").startswith(
        "left iliopsoas 8 % shorter than standing, right unchanged"
    )
    assert "1 % longer than standing" in tight_note(lengths(-3.0, 1.2), "right")


def _make() -> tuple[Any, Any]:
    from viewer.features import Features
    from viewer.io.pairviews import load_pair_views
    from viewer.state.pairs import PairViewController
    from viewer.state.scene import SceneState

    atlas, lm, _meshes = pair_fixtures.build()
    state = SceneState(atlas)
    state.tight_pose_source = lambda side: one_side_tight_pose(ARMS, side)
    library = load_pair_views(atlas, lm).library
    return state, Features(pairs=PairViewController(state, library))


def test_scenes_record_the_tight_side_and_bring_it_back() -> None:
    from viewer.io.scenes import parse_scene, scene_to_dict
    from viewer.state.scene_io import apply_scene, capture_scene

    state, features = _make()
    features.pairs.enter("bilateral", "right", "iliopsoas")
    state.set_pose(one_side_tight_pose(ARMS, "right"))
    doc = capture_scene(state, features)
    assert doc.pair_view == PairViewRef("bilateral", "right", "iliopsoas", "right")
    data = scene_to_dict(doc)
    assert data["pair_view"]["tight_side"] == "right"
    again, problems = parse_scene(data, "mem")
    assert problems == [] and again == doc
    # A lesson step written by hand names only the side; the pose comes from the balance model.
    del data["posture"]
    bare, problems = parse_scene(data, "mem")
    assert problems == []
    state2, features2 = _make()
    _camera, problems = apply_scene(bare, state2, features2)
    assert problems == []
    assert state2.pose == one_side_tight_pose(ARMS, "right")
    assert features2.pairs.active.pair.muscle == "iliopsoas"
    wrong = {**data, "pair_view": {**data["pair_view"], "tight_side": "up"}}
    _doc, problems = parse_scene(wrong, "f")
    assert problems, "an unknown side is reported"


@pytest.mark.gui
def test_pair_panel_makes_one_side_tight_and_undo_restores(
    make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(show=True)
    if window.features is None or window.features.pairs is None:
        pytest.skip("no pair views")
    panel = next(p for p in window.feature_panels if p.objectName() == "pair_panel")
    key = window.view3d.posture_key
    window.features.pairs.enter("bilateral", "right", "iliopsoas")
    assert panel.tight.isEnabled()
    femur = window.view3d.scene.actor_of("femur_right")
    before = femur.GetBounds()
    panel.tight.setCurrentIndex(panel.tight.findData("right"))  # as a click on the list does
    assert tight_side_of(window.state.pose) == "right"
    assert window.state.pose.hip_right.flexion > window.state.pose.hip_left.flexion
    assert femur.GetBounds()[2] < before[2] - 20, "the right knee came forward"
    name, angles = key.title_lines
    assert name == "Right iliopsoas tight" and "hip flexion right" in angles
    assert key.note.startswith("right iliopsoas only 2 % shorter than standing")
    qtbot.wait(10)
    window.actions_by_id["edit.undo"].trigger()
    assert tight_side_of(window.state.pose) is None
    assert panel.tight.currentData() == ""
    window.features.pairs.enter("bilateral", "right", "gluteus_maximus")
    assert not panel.tight.isEnabled()  # only iliopsoas (or psoas) offers it


def test_the_key_says_what_tight_means_in_the_model_without_effort_words() -> None:
    """Lesson 11's key said "short and stiff, pulling harder at rest (model's teaching values
    80 % vs 30 % of strength)": a lecturer read it as a sustained contraction. The row now says
    what the model assumes, a shortened, stiff muscle with more tension at rest (passive); the
    numbers stay on the arrows' line, which names them resting tension."""
    from viewer.render.pair_legend import TIGHT_WORDS

    words = TIGHT_WORDS.lower()
    assert "shortened" in words and "tension at rest" in words and "not a contraction" in words
    for effort in ("of strength", "pulling harder", "holds", "%"):
        assert effort not in words, effort
