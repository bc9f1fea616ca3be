"""Pair 3 and lesson 8 (iliopsoas and gluteus medius and minimus) tell the frontal-plane story.

A physiotherapy lecturer would not project the old pair: concentric rotation rings about a
vertical axis taught iliopsoas against the side gluteals as rotators, where iliopsoas's rotation
moment is small and disputed, the back fibres of gluteus medius turn the thigh outward, and the
gluteals' real job, keeping the pelvis level on the standing leg (hip abduction in the frontal
plane), was not shown. Now:

- only the gluteals turn, about the hip's front-to-back axis, in the sense that lifts the other
  side of the pelvis (their pull acts on the ilium, toward the standing leg's trochanter);
- iliopsoas has no curved arrow: one straight flexion pull on the thigh, up and forward;
- the key names abduction and no rotation; the lesson step stands on the right leg and names
  the left hip bone (its orientation cue), and its notes call the rotation claim disputed.

These replace ``test_pair_rotation_picture.py`` and ``test_pair_rings_open_on_the_hip.py``,
which asserted the two rotation rings on the hip.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tests.pair_slides import lesson_pair_slide
from tests.test_pair_overlay_route import display_points, framed_pair

PAIR_ID = "iliopsoas_vs_gluteus_medius_minimus"

RING_RATIO_MIN = 0.6
"""Smallest minor/major axis ratio of the gluteal ring's circle on screen: seen from in front
(and to the right) a ring about the front-to-back axis stays open."""


def _resolved(side: str = "right") -> Any:
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context()
    features = load_features(context)
    assert features.pairs is not None
    features.pairs.enter(PAIR_ID, side=side)
    active = features.pairs.active
    assert active is not None and active.resolved is not None
    return active.resolved


def test_only_the_gluteals_turn_the_pelvis_level_about_the_front_to_back_axis() -> None:
    for side in ("right", "left"):
        resolved = _resolved(side)
        rot = resolved.pair.rotation
        assert rot is not None and rot.axis == "anteroposterior", "the frontal plane"
        assert [t.side for t in resolved.turnings] == ["b"], "no rotation arrow for iliopsoas"
        turn = resolved.turnings[0]
        assert "abduction" in turn.sense and "other side of the pelvis up" in turn.sense
        # The gluteal pull on the ilium, toward the standing leg's trochanter: down.
        gluteal = [p for p in resolved.pulls if p.side == "b"]
        assert gluteal and all(p.at == "origin" and p.direction[2] < -0.8 for p in gluteal)
        # That pull lifts the far side of the pelvis: a point on the other hip rises.
        other = next(j for j in resolved.joints if j.joint.id.startswith("hip_"))
        far = other.point + np.array([190.0 if side == "right" else -190.0, 0.0, 0.0])
        omega = turn.axis * turn.moment_nm
        assert float(np.cross(omega, far - turn.center)[2]) > 0.0, side


def test_iliopsoas_pulls_the_thigh_up_and_forward() -> None:
    resolved = _resolved()
    psoas = [p for p in resolved.pulls if p.side == "a"]
    assert psoas and all(p.at == "insertion" and p.end_named for p in psoas)
    for p in psoas:
        assert p.direction[2] > 0.4 and p.direction[1] < -0.4, (p.structure, p.direction)


def test_the_key_names_abduction_and_flexion_not_rotation() -> None:
    from viewer.render.pair_legend import legend_rows

    rows = " ".join(text for text, _c in legend_rows(_resolved()))
    assert "abduction" in rows and "hip flexion" in rows
    assert "rotation" not in rows and "proposed" not in rows
    assert "curved arrow:" in rows, "one curved arrow, named in the singular"


def test_pair_3_draws_one_ring_open_on_the_hip_and_one_arrow_per_side() -> None:
    with framed_pair(3, (1280, 800)) as (off, _context, _features, _active):
        _window, renderer, _scene, overlays = off
        pairs = overlays.pairs_overlay
        assert set(pairs.turn_paths) == {"b"}
        _check_ring(renderer, overlays)
        straight = [pull.side for pull, _path, is_arc in pairs.drawn_pulls() if not is_arc]
    assert sorted(straight) == ["a", "b"], straight


def test_lesson_8_stands_on_the_right_leg_seen_from_the_front(lesson: Any) -> None:
    step = lesson.steps[7]
    scene = step.scene
    assert scene.pair_view is not None and scene.pair_view.id == PAIR_ID
    assert scene.posture is not None and scene.posture.hip_left.flexion > 20.0
    assert scene.posture.hip_right.flexion == 0.0, "the right leg is the standing leg"
    assert "hip_bone_left" in scene.labels, "which side is left: the orientation cue"
    assert "level" in step.caption and "right leg" in step.caption
    assert "disputed" in step.notes and "[S28" in step.notes
    with lesson_pair_slide(scene) as (renderer, overlays):
        pairs = overlays.pairs_overlay
        assert set(pairs.turn_paths) == {"b"}
        _check_ring(renderer, overlays)
        for pull, path, is_arc in pairs.drawn_pulls():
            assert not is_arc
            seen = display_points(renderer, path[[0, -1]])
            rise = float(seen[1][1] - seen[0][1])  # display y grows upward
            if pull.side == "a":
                assert rise > 20.0, ("iliopsoas arrow points up on the slide", seen)
            else:
                assert rise < -20.0, ("the gluteal arrow pulls the ilium down", seen)


def _check_ring(renderer: Any, overlays: Any) -> None:
    """The gluteal ring is open on screen and centred on the hip it turns."""
    drawn = overlays.pair_drawn
    assert drawn is not None
    (turn,) = drawn.turnings
    path = overlays.pairs_overlay.turn_paths["b"]
    axis = np.asarray(turn.axis, dtype=np.float64)
    radial = (path - turn.center) - np.outer((path - turn.center) @ axis, axis)
    radius = float(np.linalg.norm(radial, axis=1).mean())
    u = np.cross(axis, [0.0, 0.0, 1.0])
    u /= np.linalg.norm(u)
    w = np.cross(axis, u)
    t = np.linspace(0.0, 2.0 * np.pi, 180, endpoint=False)
    circle = display_points(
        renderer, turn.center + radius * (np.outer(np.cos(t), u) + np.outer(np.sin(t), w))
    )
    ev = np.linalg.eigvalsh(np.cov((circle - circle.mean(axis=0)).T))
    ratio = math.sqrt(ev[0] / ev[1])
    assert ratio >= RING_RATIO_MIN, f"the ring is seen at ratio {ratio:.2f}"
    joint = display_points(renderer, np.asarray(turn.center)[None, :])[0]
    off = float(np.hypot(*(circle.mean(axis=0) - joint))) / math.sqrt(2.0 * ev[1])
    assert off <= 0.15, f"ring centre {off:.2f} radii off the hip"
