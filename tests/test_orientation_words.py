"""Orientation words for the picture's edges, for any camera (no VTK)."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.domain.camera import STANDARD_VIEWS, view_by_name
from viewer.domain.orientation import EdgeWords, orientation_words, screen_axes


def _words(view: str) -> EdgeWords:
    preset = view_by_name(view)
    looking = tuple(-c for c in preset.direction)  # presets store where the camera sits
    return orientation_words(looking, preset.view_up)


def test_from_above_front_at_the_top_and_the_bodys_right_on_the_right() -> None:
    assert _words("superior") == EdgeWords(top="Front", bottom="Back", left="Left", right="Right")


def test_from_below_the_sides_swap() -> None:
    assert _words("inferior") == EdgeWords(top="Front", bottom="Back", left="Right", right="Left")


def test_side_views_say_front_and_back_only() -> None:
    # from the body's right side the front is on the picture's right (views-03: the ghosted
    # rectus abdominis, in front, is on the right)
    assert _words("right") == EdgeWords(left="Back", right="Front")
    assert _words("left") == EdgeWords(left="Front", right="Back")


def test_front_and_back_views_say_the_bodys_right_and_left() -> None:
    assert _words("anterior") == EdgeWords(left="Right", right="Left")
    assert _words("opening") == EdgeWords(left="Right", right="Left")
    assert _words("posterior") == EdgeWords(left="Left", right="Right")


def test_diagonal_view_gets_a_caption_not_compound_edge_words() -> None:
    # a lecturer found "Front-left"/"Back-right" at the edges hard to use on a projector
    words = _words("anterolateral_right")
    assert words == EdgeWords(caption="Seen from the front and the right")
    assert not words.items()


def test_a_view_from_behind_and_the_right_is_captioned_so() -> None:
    # pair view cameras stand behind and to one side
    looking = np.array([1.0, -1.0, 0.0])  # camera behind (+y) and at the body's right (-x)
    words = orientation_words(looking, (0.0, 0.0, 1.0))
    assert words.caption == "Seen from behind and the right"
    assert not words.left and not words.right


def test_named_single_views_need_no_caption() -> None:
    for view in ("superior", "inferior", "right", "left", "anterior", "posterior"):
        assert not _words(view).caption, view


def test_caption_only_for_compare_mode_drops_the_edge_words() -> None:
    # beside the body maps headed "Front" and "Back", an edge word "Front" read as a heading
    right = view_by_name("right")
    looking = tuple(-c for c in right.direction)
    words = orientation_words(looking, right.view_up, caption_only=True)
    assert words == EdgeWords(caption="Seen from the right side")


def test_caption_names_at_most_two_directions() -> None:
    from viewer.domain.orientation import view_caption

    assert view_caption((0.0, 0.0, -1.0)) == "Seen from above"
    assert view_caption((0.0, -1.0, 0.0)) == "Seen from behind"
    assert view_caption((0.2, -1.0, -0.5)) == "Seen from behind and above"
    assert view_caption((0.0, 0.0, 0.0)) == ""


def test_a_view_turned_23_degrees_keeps_one_word_per_edge() -> None:
    words = _words("oblique_right")
    assert (words.left, words.right) == ("Back", "Front")


def test_rolled_camera_names_the_head_end() -> None:
    # from the front with the body lying along the picture (head to the right)
    words = orientation_words((0.0, 1.0, 0.0), (-1.0, 0.0, 0.0))
    assert words.right == "Head" and words.left == "Feet"
    assert words.top == "Right" and words.bottom == "Left"


def test_upside_down_names_the_feet_at_the_top() -> None:
    words = orientation_words((0.0, 1.0, 0.0), (0.0, 0.0, -1.0))
    assert words.top == "Feet" and words.bottom == "Head"


def test_view_up_need_not_be_perpendicular() -> None:
    tilted = orientation_words((0.0, 0.0, -1.0), (0.0, -1.0, 0.3))
    assert tilted == _words("superior")


def test_degenerate_camera_gives_no_words() -> None:
    assert not orientation_words((0.0, 0.0, -1.0), (0.0, 0.0, 1.0))
    assert not orientation_words((0.0, 0.0, 0.0), (0.0, 0.0, 1.0))


@pytest.mark.parametrize("seed", range(5))
def test_opposite_edges_name_opposite_directions_for_any_camera(seed: int) -> None:
    rng = np.random.default_rng(seed)
    opposite = {"Front": "Back", "Back": "Front", "Right": "Left", "Left": "Right",
                "Head": "Feet", "Feet": "Head"}
    for _ in range(200):
        d, up = rng.normal(size=3), rng.normal(size=3)
        w = orientation_words(d, up)
        for a, b in ((w.left, w.right), (w.top, w.bottom)):
            assert "-" not in a + b  # never a compound word
            if a and b and a not in ("Head", "Feet"):
                assert opposite[a] == b


def test_screen_axes_are_a_right_handed_screen() -> None:
    right, up = screen_axes((0.0, 0.0, -1.0), (0.0, 1.0, 0.0))
    assert np.allclose(right, (1.0, 0.0, 0.0)) and np.allclose(up, (0.0, 1.0, 0.0))


def test_every_named_view_has_words() -> None:
    for preset in STANDARD_VIEWS:
        looking = tuple(-c for c in preset.direction)
        assert orientation_words(looking, preset.view_up), preset.name
