"""The one slab test behind leaders-vs-X-boxes (2D) and depth-probe rays (3D)."""

from __future__ import annotations

from viewer.domain.segments import segment_crosses_box


def test_a_segment_crossing_misses_and_touching_in_two_and_three_dimensions() -> None:
    box_lo, box_hi = (0.0, 0.0), (10.0, 10.0)
    assert segment_crosses_box((-5.0, 5.0), (15.0, 5.0), box_lo, box_hi)  # straight through
    assert not segment_crosses_box((-5.0, 12.0), (15.0, 12.0), box_lo, box_hi)  # passes above
    assert not segment_crosses_box((-5.0, 5.0), (-1.0, 5.0), box_lo, box_hi)  # stops short
    assert segment_crosses_box((5.0, 5.0), (5.0, 5.0), box_lo, box_hi)  # a point inside
    assert not segment_crosses_box((11.0, -1.0), (11.0, 20.0), box_lo, box_hi)  # vertical, beside
    assert segment_crosses_box((-1.0, 9.0), (2.0, 12.0), box_lo, box_hi)  # clips the corner
    lo3, hi3 = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    assert segment_crosses_box((-1.0, -1.0, -1.0), (2.0, 2.0, 2.0), lo3, hi3)
    assert not segment_crosses_box((-1.0, -1.0, 2.0), (2.0, 2.0, 2.0), lo3, hi3)
