"""The psoas force arrows of lesson 3 (pair 4) and lesson 5 (pair 1) act where the slide says.

A physiotherapy lecturer's review (session 18):

- Lesson 3, "Psoas pulls its vertebrae down and forward; it tips L2-L3 slightly back and L5-S1
  forward": the upper psoas (T12-L2 part, wine) arrow was slid down its course past the ring
  round L2-L3 and started at L3-L4, on the lower psoas's vertebrae. Pinned at T12-L1 at full
  length its head ran into that ring. It now starts at T12-L1 and every straight arrow of the
  view is drawn at one shorter share (one scale per view, as the key says), so its head stops
  above the ring.
- Lesson 5, "Proposed: piriformis turns the sacrum one way, psoas the other, only through L5
  above it": the psoas arrow ran from about L2 to the pelvic brim and nothing drawn acted at
  L5. It now starts where psoas meets L5 and points along the muscle from there, down and
  forward toward the brim; its turning about the sacroiliac joint is that pull's moment.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests import pair_fixtures
from tests.pair_slides import lesson_pair_slide
from tests.test_pair_overlay_route import display_points, framed_pair
from viewer.domain.overlay_route import densify
from viewer.render.pair_overlay import (
    ARROW_RADIUS_MM,
    CURL_TUBE_MM,
    HALO_MM,
    HEAD_LENGTH_MM,
    HEAD_RADIUS_MM,
    PINNED_SHIFT_MM,
)

L5_GAP_MM = 10.0
"""How far from the L5 vertebra's surface the psoas arrow may start: psoas's contact with L5
lies within 5 mm of the bone (:func:`viewer.domain.pairviews.bone_contact`), and the point is
the centroid of the nearest muscle vertices; at about L2 it started 90 mm above L5."""


def _landmark_z(name: str) -> float:
    from viewer.context import load_context
    from viewer.io.annotations import load_bony_landmarks

    lm, _problems = load_bony_landmarks(load_context().loaded.folder)
    return float(lm[name][2])


def _px_per_mm(renderer: Any, at: np.ndarray) -> float:
    """Display pixels per mm near ``at``, measured along the vertical (in the picture's plane
    for these side views, whose view-up is +z)."""
    up = np.array([0.0, 0.0, 10.0])
    ends = display_points(renderer, np.array([at - up, at + up]))
    return float(np.linalg.norm(ends[1] - ends[0])) / 20.0


def _drawn(path: np.ndarray, radius: float, ball: bool) -> tuple[np.ndarray, np.ndarray]:
    """Centre-line samples (mm) of an arrow or ring as ``PairOverlay._arrow_path`` draws it,
    and its half-width with the pale rim at each: the attachment ball at the start (a pull's
    arrow), the tube, and the cone of the head, whose rim runs 2 rims past the tip."""
    pts = densify(np.asarray(path, dtype=np.float64), 1.0)
    direction = pts[-1] - pts[-2]
    direction /= np.linalg.norm(direction)
    pts = np.vstack([pts, pts[-1] + direction * HALO_MM * 2.0])
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    scale = radius / ARROW_RADIUS_MM
    head = min(HEAD_LENGTH_MM * scale, 0.45 * float(s[-2]))
    from_tip = s[-1] - s  # along the rim's cone, from its tip
    cone = (HEAD_RADIUS_MM * scale + HALO_MM * 1.6) * from_tip / (head + HALO_MM * 3.0)
    width = np.full(len(pts), radius + HALO_MM)
    on_cone = from_tip <= head + HALO_MM * 3.0
    width[on_cone] = np.maximum(width[on_cone], cone[on_cone])
    if ball:
        near = s <= radius * 1.9
        width[near] = np.maximum(width[near], radius * 1.9 + HALO_MM)
    return pts, width


def _overlap_px(renderer: Any, arrow: Any, ring: Any, px_per_mm: float) -> float:
    """How far (pixels) an arrow as drawn reaches onto a ring as drawn on screen: the largest
    shortfall of their centre lines' distance against their two half-widths (<= 0: apart)."""
    a, wa = arrow
    r, wr = ring
    da, dr = display_points(renderer, a), display_points(renderer, r)
    gap = np.linalg.norm(da[:, None, :] - dr[None, :, :], axis=2)
    need = (wa[:, None] + wr[None, :]) * px_per_mm
    return float(np.max(need - gap))


def _pull_radius(pull: Any) -> float:
    """The drawn arrow's radius (``PairOverlay._plan``)."""
    return ARROW_RADIUS_MM * (0.75 + 0.75 * float(np.clip(pull.relative, 0.05, 1.0)))


def _upper_psoas(overlays: Any) -> tuple[Any, np.ndarray]:
    drawn = [
        (pull, path)
        for pull, path, is_arc in overlays.pairs_overlay.drawn_pulls()
        if pull.side == "a" and not is_arc
    ]
    assert len(drawn) == 1, [p.structure for p, _path in drawn]
    pull, path = drawn[0]
    assert pull.structure == "psoas_major_upper_right", pull.structure
    return pull, np.asarray(path, dtype=np.float64)


def _check_upper_psoas(renderer: Any, overlays: Any, where: str) -> None:
    pull, path = _upper_psoas(overlays)
    top, low = _landmark_z("vertebral_body_t12"), _landmark_z("vertebral_body_l2")
    start = path[0]
    # Its tail within the T12-L2 span of the column (it started at L3-L4, z 177, below L2).
    assert low <= start[2] <= top, (where, round(float(start[2])), round(low), round(top))
    # Within the pinned slide of the part's own origin (T12, L1 and L1's transverse process).
    assert float(np.linalg.norm(start - pull.point)) <= PINNED_SHIFT_MM + 1e-6, where
    # And pointing down (and forward) from there.
    d = (path[-1] - start) / np.linalg.norm(path[-1] - start)
    assert d[2] <= -0.9 and d[1] < 0.0, (where, d.round(2))
    ring = overlays.pairs_overlay.turn_paths.get("a")
    assert ring is not None, f"{where}: no ring for the upper psoas"
    turn = next(t for t in overlays.pairs_overlay._pulls[1] if t.side == "a")
    assert turn.joint_id == "l2_l3", turn.joint_id
    scale = _px_per_mm(renderer, np.asarray(turn.center, dtype=float))
    over = _overlap_px(
        renderer, _drawn(path, _pull_radius(pull), True), _drawn(ring, CURL_TUBE_MM, False), scale
    )
    assert over <= 0.0, f"{where}: the head runs {over:.1f} px onto the L2-L3 ring"
    # Held there by the view (``pull_at``), not left where the router happened to put it.
    assert pull.pinned and pull.at == "origin", (where, pull.pinned, pull.at)


def test_lesson_3_upper_psoas_arrow_starts_at_t12_l1_and_stops_before_the_l2_l3_ring(
    lesson: Any,
) -> None:
    step = lesson.steps[2]
    assert step.scene.pair_view is not None and step.scene.pair_view.id == "upper_vs_lower_psoas"
    with lesson_pair_slide(step.scene) as (renderer, overlays):
        _check_upper_psoas(renderer, overlays, "lesson 3")
        # The lower psoas keeps its own place: from its origin (L3-L4) down along its course.
        lower = [
            (p, path) for p, path, arc in overlays.pairs_overlay.drawn_pulls() if p.side == "b"
        ]
        assert len(lower) == 1
        pull, path = lower[0]
        assert float(np.linalg.norm(path[0] - pull.point)) <= 1e-6, "lower psoas slid"
        assert overlays.pairs_overlay.length_share < 1.0, "shortened together, not alone"


def test_pair_4_upper_psoas_arrow_starts_at_t12_l1_and_stops_before_the_l2_l3_ring() -> None:
    with framed_pair(4, (1280, 800)) as (off, _context, _features, _active):
        _window, renderer, _scene, overlays = off
        _check_upper_psoas(renderer, overlays, "pair 4")


def _l5_gap(point: np.ndarray) -> float:
    from viewer.context import load_context

    loaded = load_context().loaded
    if "vertebra_l5" not in loaded.meshes:
        pytest.skip("the built-in atlas has no L5 vertebra")
    bone = np.asarray(loaded.meshes["vertebra_l5"].points, dtype=np.float64)
    return float(np.min(np.linalg.norm(bone - point, axis=1)))


def _check_psoas_at_l5(renderer: Any, overlays: Any, where: str) -> None:
    drawn = [
        (pull, np.asarray(path, dtype=np.float64))
        for pull, path, is_arc in overlays.pairs_overlay.drawn_pulls()
        if pull.side == "a"
    ]
    assert len(drawn) == 1, [p.structure for p, _path in drawn]
    pull, path = drawn[0]
    assert pull.structure == "psoas_major_right", pull.structure
    start = path[0]
    gap = _l5_gap(start)
    assert gap <= L5_GAP_MM, f"{where}: the psoas arrow starts {gap:.0f} mm from L5"
    # Between the L4-L5 and L5-S1 joints, not at L2 or at the pelvic brim.
    assert _landmark_z("s1_endplate_centre") <= start[2] <= _landmark_z("vertebral_body_l4")
    # Pointing the way psoas pulls L5: down and forward (y is posterior).
    d = (path[-1] - start) / np.linalg.norm(path[-1] - start)
    assert d[2] <= -0.7 and d[1] <= -0.15, (where, d.round(2))
    # The curved arrows about the sacroiliac joint stay clear of it.
    # (piriformis's turning is a lever arc: its own pull's arrow, ball and all)
    arcs = {p.side: p for p, _path, is_arc in overlays.pairs_overlay.drawn_pulls() if is_arc}
    for side, ring in overlays.pairs_overlay.turn_paths.items():
        turn = next(t for t in overlays.pairs_overlay._pulls[1] if t.side == side)
        scale = _px_per_mm(renderer, np.asarray(turn.center, dtype=float))
        curve = (
            _drawn(ring, _pull_radius(arcs[side]), True)
            if side in arcs
            else _drawn(ring, CURL_TUBE_MM, False)
        )
        over = _overlap_px(renderer, _drawn(path, _pull_radius(pull), True), curve, scale)
        assert over <= 0.0, f"{where}: the psoas arrow runs {over:.1f} px onto side {side}'s curve"
    assert pull.pinned, f"{where}: the pull at L5 may not slide off it"


def test_lesson_5_psoas_arrow_acts_at_l5(lesson: Any) -> None:
    step = lesson.steps[4]
    assert step.scene.pair_view is not None and step.scene.pair_view.id == "psoas_vs_piriformis"
    with lesson_pair_slide(step.scene) as (renderer, overlays):
        _check_psoas_at_l5(renderer, overlays, "lesson 5")


def test_pair_1_psoas_arrow_acts_at_l5() -> None:
    with framed_pair(1, (1280, 800)) as (off, _context, _features, _active):
        _window, renderer, _scene, overlays = off
        _check_psoas_at_l5(renderer, overlays, "pair 1")


# -- the domain ----------------------------------------------------------------------------------


def _fixture_pair_1(side: str) -> Any:
    from viewer.domain.pairviews import resolve_pair
    from viewer.io.pairviews import load_pair_views

    atlas, lm, meshes = pair_fixtures.build()
    library = load_pair_views(atlas, lm).library
    return resolve_pair(library.get("psoas_vs_piriformis", side, atlas=atlas), atlas, lm, meshes)


def test_psoas_through_l5_turns_the_sacrum_toward_nutation_on_both_sides() -> None:
    """The pull drawn at L5 is the one whose moment the ring shows: toward nutation, the sense
    the key names, and the left view is the exact mirror of the right."""
    views = {side: _fixture_pair_1(side) for side in ("right", "left")}
    points = {}
    for side, resolved in views.items():
        assert [s for s, _m, _p in resolved.through] == ["a"], resolved.notes
        pull = next(p for p in resolved.pulls if p.side == "a")
        assert pull.pinned and np.allclose(pull.point, resolved.through[0][2])
        assert np.allclose(pull.path[0], pull.point)
        turn = next(t for t in resolved.turnings if t.side == "a")
        assert turn.moment_nm > 0 and turn.sense.startswith("nutation"), turn.moment_nm
        points[side] = pull.point
    assert np.allclose(points["left"], points["right"] * [-1.0, 1.0, 1.0])


def test_the_pull_at_l5_goes_with_the_body_when_posed() -> None:
    from viewer.domain.pair_pose import posed_pair

    atlas, _lm, _meshes = pair_fixtures.build()
    resolved = _fixture_pair_1("right")
    lift = np.array([0.0, 0.0, 10.0])
    moved = posed_pair(resolved, atlas, lambda _m, p: p + lift, lambda p: p + lift)
    before = next(p for p in resolved.pulls if p.side == "a")
    after = next(p for p in moved.pulls if p.side == "a")
    assert np.allclose(after.point, before.point + lift)
    assert np.allclose(after.direction, before.direction)


def test_path_through_starts_at_the_point_and_follows_the_course() -> None:
    from viewer.domain.pairviews import path_through

    course = np.array([[0.0, 0.0, 100.0], [0.0, -40.0, 0.0], [-20.0, 30.0, -50.0]])
    at_l5 = np.array([5.0, -15.0, 60.0])
    out = path_through(course, at_l5, "origin")
    assert np.allclose(out, [at_l5, course[1], course[2]])
    near_end = np.array([0.0, 0.0, -40.0])
    out = path_through(course, near_end, "insertion")
    assert np.allclose(out, [course[0], course[1], near_end])


def test_bad_acts_through_and_pull_at_entries_are_named(tmp_path: Any) -> None:
    atlas, _lm, _meshes = pair_fixtures.build()

    def spoil(data: dict[str, Any]) -> None:
        one = next(p for p in data["pair_views"] if p["key"] == 1)
        one["a"]["acts_through"] = {"bone": "vertebra_l9", "landmarks": {"vertebral_body_l5": 1}}
        four = next(p for p in data["pair_views"] if p["key"] == 4)
        four["a"]["pull_at"] = "insertion"  # its rotation acts on the origin (the vertebrae)

    result, found = pair_fixtures.load_edited_pair_views(tmp_path, spoil)
    assert any("a/acts_through/bone" in p and "vertebra_l9" in p for p in found), found
    assert any("a/pull_at" in p and "rotation" in p for p in found), found
    kept = result.library.get("psoas_vs_piriformis", "right", atlas=atlas)
    assert kept.a.acts_through is None, "an unknown bone falls back to the attachment"
