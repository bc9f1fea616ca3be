"""The drawn body's screen mask and the plate labels that keep off it (pure, no rendering)."""

from __future__ import annotations

import numpy as np

from viewer.domain.body_mask import BodyMask
from viewer.domain.labels import layout_labels

VIEW = (400.0, 200.0)


def _rect(x0: float, y0: float, x1: float, y1: float) -> tuple[np.ndarray, np.ndarray]:
    """Two triangles covering a rectangle (pixels)."""
    points = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float)
    return points, np.array([(0, 1, 2), (0, 2, 3)])


def test_large_triangles_are_filled_without_holes_and_grown_a_little() -> None:
    mask = BodyMask.from_triangles([_rect(100, 20, 300, 180)], VIEW)
    assert mask.covers((150, 50, 250, 150))
    inner = mask.grid[6:44, 26:74]  # cells well inside the rectangle
    assert inner.all()
    assert mask.covers((302, 60, 310, 70))  # the grown edge
    assert not mask.covers((320, 60, 390, 70))


def test_clear_x_finds_the_nearest_gap_that_is_wide_enough() -> None:
    # trunk 160..240, a hand 60..110 in rows 40..80
    mask = BodyMask.from_triangles([_rect(160, 0, 240, 200), _rect(60, 40, 110, 80)], VIEW)
    # beside the hand's rows: the gap between hand and trunk is too narrow for 45 px
    x = mask.clear_x(50, 70, 45, 150, True, 0, 400)
    assert x is not None and x + 45 <= 60 - 4  # left of the hand
    # a narrow label fits in the gap
    x = mask.clear_x(50, 70, 30, 156, True, 0, 400)
    assert x is not None and x > 110 and x + 30 < 160
    # below the hand the nearest place is next to the trunk
    x = mask.clear_x(120, 140, 60, 150, True, 0, 400)
    assert x is not None and x + 60 > 140
    # rightward from the back
    x = mask.clear_x(120, 140, 60, 250, False, 0, 400)
    assert x is not None and 245 <= x <= 256
    assert mask.clear_x(120, 140, 200, 250, False, 0, 400) is None


def test_a_leader_crossing_a_hand_enters_the_body_again() -> None:
    mask = BodyMask.from_triangles([_rect(160, 0, 240, 200), _rect(60, 40, 110, 80)], VIEW)
    assert mask.reentries((200, 60), (20, 60)) == 1
    assert mask.reentries((200, 60), (130, 120)) == 0


def test_a_label_on_the_hand_moves_to_clear_background_with_its_leader() -> None:
    """The side plate's "ASIS (left)": its column lay over the hand in front of the belly."""
    hand = _rect(60, 40, 150, 90)
    trunk = _rect(160, 0, 240, 200)
    mask = BodyMask.from_triangles([trunk, hand], VIEW)
    anchor = [(190.0, 60.0)]
    size = [(70.0, 16.0)]
    content = (150.0, 0.0, 250.0, 200.0)  # the anatomy's box: the column ends at 126
    before = layout_labels(anchor, size, VIEW, content=content)[0]
    assert mask.covers(before.box)  # the fault
    after = layout_labels(anchor, size, VIEW, content=content, body=mask)[0]
    assert after.visible and not mask.covers(after.box)
    assert after.leader_start == anchor[0]
    assert mask.reentries(after.leader_start, after.leader_end) == 0
