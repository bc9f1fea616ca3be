"""``render --labels auto``: a plate names a handful of the main structures it shows (no VTK)."""

from __future__ import annotations

import pytest

from viewer.domain.plate_labels import (
    AUTO_LABEL_CAP,
    AUTO_MIN_SHARE,
    choose_auto_labels,
    pair_key,
    plate_priority,
)


def test_pair_key_drops_the_side() -> None:
    assert pair_key("gluteus_maximus_right") == "gluteus_maximus"
    assert pair_key("gluteus_maximus_left") == "gluteus_maximus"
    assert pair_key("sacrum") == "sacrum"


def test_muscles_before_bones_and_story_muscles_first() -> None:
    assert plate_priority("psoas_major_right", True) == 1
    assert plate_priority("erector_spinae_right", True) == 2
    assert plate_priority("sacrum", False) == 3
    assert plate_priority("sacrum", False, {"sacrum"}) == 0


def test_hidden_and_barely_seen_structures_are_not_named() -> None:
    shares = {"psoas_major_right": 0.0, "iliacus_right": AUTO_MIN_SHARE / 2, "sacrum": 0.5}
    prios = {"psoas_major_right": 1, "iliacus_right": 1, "sacrum": 3}
    assert choose_auto_labels(shares, prios) == ("sacrum",)


def test_one_of_each_pair_the_side_seen_clearly_more() -> None:
    shares = {"gluteus_medius_right": 0.6, "gluteus_medius_left": 0.2}
    assert choose_auto_labels(shares, {}) == ("gluteus_medius_right",)
    shares = {"gluteus_medius_right": 0.2, "gluteus_medius_left": 0.6}
    assert choose_auto_labels(shares, {}) == ("gluteus_medius_left",)


def test_pairs_seen_alike_take_turns_so_both_columns_fill() -> None:
    shares = {
        "gluteus_maximus_right": 0.8, "gluteus_maximus_left": 0.8,
        "gluteus_medius_right": 0.5, "gluteus_medius_left": 0.5,
        "erector_spinae_right": 0.4, "erector_spinae_left": 0.4,
    }
    prios = {s: plate_priority(s, True) for s in shares}
    assert choose_auto_labels(shares, prios) == (
        "gluteus_maximus_right", "gluteus_medius_left", "erector_spinae_right"
    )


def test_a_handful_at_most_most_important_first() -> None:
    shares = {f"muscle_{i}": 0.2 + i / 100 for i in range(20)}
    shares["psoas_major_right"] = 0.15
    prios = {s: plate_priority(s, True) for s in shares}
    chosen = choose_auto_labels(shares, prios)
    assert len(chosen) == AUTO_LABEL_CAP
    assert chosen[0] == "psoas_major_right"
    assert chosen[1] == "muscle_19"  # then the one seen most


def test_room_for_labels_moves_back_only_as_far_as_needed() -> None:
    from viewer.domain.camera import CameraPose
    from viewer.domain.plate_labels import LABEL_ROOM, room_for_labels

    pose = CameraPose((0.0, 0.0, 500.0), (0.0, 0.0, 100.0), (0.0, 1.0, 0.0))
    assert room_for_labels(pose, LABEL_ROOM * 0.9) == pose
    back = room_for_labels(pose, 0.96)
    assert back.focal_point == pose.focal_point and back.view_up == pose.view_up
    assert back.position[2] - 100.0 == pytest.approx(400.0 * 0.96 / LABEL_ROOM)


def test_near_enough_drops_what_lies_on_the_far_side() -> None:
    from viewer.domain.plate_labels import near_enough

    depths = {"front": 100.0, "middle": 160.0, "back": 290.0}
    assert near_enough(depths) == {"front", "middle"}
    assert near_enough({"one": 5.0}) == {"one"}
    assert near_enough({}) == set()
