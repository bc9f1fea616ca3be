"""Curved arrows sit on the joint their key names (a lecturer's review of lessons 3 and 5).

Lesson 3 and pair view 4 (upper vs lower psoas) say the upper psoas turns L2-L3 and the lower
psoas L5-S1, but the curved arrows were lever arcs swung from each part's attachment: round L1
(at T12-L1) and round L3-L4. Lesson 5 and pair view 1 drew the psoas' turning about the
sacroiliac joint as a nearly straight arc on the lumbar spine, far from that joint. Each
curved arrow is now centred on its joint on screen, keeps off every joint dot and takes no
other joint's dot inside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests import pair_fixtures
from tests.conftest import REPO
from tests.pair_slides import lesson_pair_slide
from tests.test_pair_overlay_route import display_points, framed_pair
from viewer.domain.overlay_route import inside_boxes, inside_polygon
from viewer.render.pair_overlay import JOINT_RADIUS_MM

LEVER_NEAR_MM = 60.0
"""Farthest an attachment may lie from the axis of the joint it turns for its turning to be
drawn as a lever arc swung from it: the trochanters lie 51-56 mm from the hip's axis (pair 2,
whose arcs circle the hip); the psoas' attachments 67-68 mm from the lumbar joints' axes
(pair 4) and 147 mm from the sacroiliac axis (pair 1) gave arcs round the attachment."""


def _turnings_on_screen(renderer: Any, overlays: Any) -> dict[str, dict[str, Any]]:
    """Per side: the curved arrow (display pixels), its joint's title and centre on screen,
    the other joint dots' centres and the dots' radius on screen."""
    pairs = overlays.pairs_overlay
    drawn = overlays.pair_drawn
    assert drawn is not None
    dots = [np.asarray(p, dtype=np.float64) for p, _title in pairs.joint_labels]
    camera = renderer.GetActiveCamera()
    height = renderer.GetSize()[1]
    labels = overlays.labels
    assert labels is not None and labels.shown, "the joints are named"
    boxes = [  # layout boxes (y down) as display boxes (y up)
        (b[0], height - b[3], b[2], height - b[1]) for b in (s.placed.box for s in labels.shown)
    ]
    out: dict[str, dict[str, Any]] = {}
    for turn in drawn.turnings:
        path = pairs.turn_paths.get(turn.side)
        assert path is not None, f"side {turn.side} draws no curved arrow"
        centre = np.asarray(turn.center, dtype=np.float64)
        own = [d for d in dots if np.linalg.norm(d - centre) < 1e-3]
        assert own, f"{turn.joint_title} has no dot"
        others = [d for d in dots if np.linalg.norm(d - centre) >= 1e-3]
        to_joint = float(np.linalg.norm(np.subtract(camera.GetPosition(), centre)))
        px_per_mm = height / (2.0 * to_joint * np.tan(np.radians(camera.GetViewAngle()) / 2))
        out[turn.side] = {
            "title": turn.joint_title,
            "path": display_points(renderer, path),
            "joint": display_points(renderer, centre[None, :])[0],
            "others": display_points(renderer, np.array(others)) if others else np.zeros((0, 2)),
            "dot_px": JOINT_RADIUS_MM * px_per_mm,
            "labels": boxes,
        }
    return out


def _assert_on_their_joints(turns: dict[str, dict[str, Any]], where: str) -> None:
    assert set(turns) == {"a", "b"}, (where, sorted(turns))
    for side, t in turns.items():
        path, joint = t["path"], t["joint"]
        lo, hi = path.min(axis=0), path.max(axis=0)
        centre, half = (lo + hi) / 2.0, float((hi - lo).max()) / 2.0
        off = float(np.hypot(*(centre - joint)))
        # Centred on its joint: the middle of the arrow's extent within half its size of the
        # joint (the old lever arcs lay 1.5-4 half-sizes away, round the attachment), and
        # tight round it (no farther than 70 px on average: not a wide sweep past it).
        assert off <= 0.5 * half, (where, side, t["title"], f"{off:.0f} px off, size {half:.0f}")
        spread = float(np.hypot(*(path - joint).T).mean())
        assert spread <= 70.0, (where, side, t["title"], f"{spread:.0f} px round it")
        # Readable there: its tube off the joint dots (its own and the others'), and no other
        # joint's dot inside it (a ring round L2-L3 taking in L3-L4 read as turning both).
        dots = np.vstack([joint[None, :], t["others"]])
        nearest = float(np.hypot(*(path[:, None, :] - dots[None, :, :]).transpose(2, 0, 1)).min())
        assert nearest >= t["dot_px"], (where, side, f"{nearest:.0f} px from a dot")
        inside = inside_polygon(t["others"], path)
        assert not inside.any(), (where, side, t["title"], t["others"][inside].round())
        # No label drawn over it (its tube and rim about 3 px either side of the centre line).
        covered = inside_boxes(path, t["labels"], 3.0)
        assert not covered.any(), (where, side, "under a label", path[covered][:3].round())


@pytest.mark.parametrize("key", [1, 4])
def test_the_curved_arrows_of_pair_views_sit_on_their_joints(key: int) -> None:
    """The app's pair views with their X's (a ring may only turn and resize round its joint
    to clear them, never leave it)."""
    with framed_pair(key, (1280, 800)) as (off, _context, _features, _active):
        _window, renderer, _scene, overlays = off
        turns = _turnings_on_screen(renderer, overlays)
        titles = {s: t["title"] for s, t in turns.items()}
    if key == 4:
        assert titles == {"a": "L2–L3 joint", "b": "Lumbosacral joint (L5–S1)"}
    _assert_on_their_joints(turns, f"pair {key}")


@pytest.mark.parametrize("step", [3, 5])
def test_the_curved_arrows_of_lesson_slides_sit_on_their_joints(lesson: Any, step: int) -> None:
    """Lesson 3 (upper vs lower psoas) and 5 (psoas vs piriformis) on the projector slide."""
    scene_of = lesson.steps[step - 1].scene
    assert scene_of.pair_view is not None
    with lesson_pair_slide(scene_of) as (renderer, overlays):
        turns = _turnings_on_screen(renderer, overlays)
    _assert_on_their_joints(turns, f"lesson step {step}")




def test_lever_arcs_are_swung_only_from_attachments_near_their_joint() -> None:
    """A lever arc is the attachment swinging about the joint's axis: from an attachment far
    from the joint it is drawn round the attachment (the psoas on the lumbar spine), so such a
    side's turning is a ring on the joint (``ring_levels_mm`` 0) in the shipped file."""
    from viewer.domain.pairviews import resolve_pair
    from viewer.io.annotations import load_bony_landmarks
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.pairviews import load_pair_views

    meshes_dir = REPO / "meshes"
    loaded = load_atlas(meshes_dir, with_light=False)
    lm, _problems = load_bony_landmarks(meshes_dir)
    library = load_pair_views(loaded.atlas, lm).library
    levers = 0
    for pid in library.ids:
        if library.is_template(pid):
            continue
        resolved = resolve_pair(library.get(pid, "right"), loaded.atlas, lm, loaded.meshes)
        arcs = {t.side: t for t in resolved.turnings if t.level_mm is None}
        for pull in resolved.pulls:
            turn = arcs.get(pull.side)
            if turn is None:
                continue
            axis = turn.axis / np.linalg.norm(turn.axis)
            r = pull.point - turn.center
            radial = float(np.linalg.norm(r - (r @ axis) * axis))
            assert radial <= LEVER_NEAR_MM, (pid, pull.label, f"{radial:.0f} mm from the axis")
            levers += 1
    assert levers, "some views still swing lever arcs (pairs 1 and 2)"


def test_a_pair_view_can_leave_a_crossed_joint_unmarked(tmp_path: Any) -> None:
    """Lesson 6 (iliopsoas vs gluteus maximus, turning the hip) labelled the sacroiliac joint,
    which its psoas and gluteus maximus both cross but nothing in its key names: pair 2 leaves
    it unmarked. Pair 1, whose story is that joint, keeps it; a bad entry is named."""
    from viewer.domain.pairviews import resolve_pair
    from viewer.io.pairviews import load_pair_views

    atlas, lm, meshes = pair_fixtures.build()
    library = load_pair_views(atlas, lm).library
    for side in ("right", "left"):
        two = resolve_pair(
            library.get("iliopsoas_vs_gluteus_maximus", side, atlas=atlas), atlas, lm, meshes
        )
        ids = {j.joint.id for j in two.joints}
        assert f"hip_{side}" in ids and f"sacroiliac_{side}" not in ids, ids
        one = library.get("psoas_vs_piriformis", side, atlas=atlas)
        assert f"sacroiliac_{side}" in {j.id for j in one.joints}

    def unmark(data: dict[str, Any]) -> None:
        two_raw = next(p for p in data["pair_views"] if p["key"] == 2)
        two_raw["unmarked_joints"] = ["hip_right", "knee_right"]

    result, found = pair_fixtures.load_edited_pair_views(tmp_path, unmark)
    assert any("unmarked_joints/0" in p and "turned" in p for p in found), found
    assert any("unmarked_joints/1" in p and "knee_right" in p for p in found), found
    kept = result.library.get("iliopsoas_vs_gluteus_maximus", "right", atlas=atlas)
    assert "hip_right" in {j.id for j in kept.joints}, "the turned joint stays marked"


def test_inside_polygon_counts_the_area_a_ring_closes() -> None:
    theta = np.radians(np.linspace(-130.0, 130.0, 60))
    ring = np.c_[np.cos(theta), np.sin(theta)] * 30.0  # a 260° arc, its gap facing -x
    pts = np.array([[0.0, 0.0], [20.0, 0.0], [-27.0, 0.0], [40.0, 0.0], [0.0, -35.0]])
    assert inside_polygon(pts, ring).tolist() == [True, True, False, False, False]
    assert inside_polygon(pts, ring[:2]).tolist() == [False] * 5


HEAD_GAP_PX = 28.0
"""Least gap between a ring's head and a straight arrow on lesson 8's slide. Was 30 px, set
with pair 3's camera from the front and above; the slide here is framed by pair 3's own camera
(tests/pair_slides.py), since 2 Dec 2026 straight from behind at about 1 px per mm, where the
gluteal ring's head keeps 29 px from the iliopsoas arrow's head (distinct on the slide).
Loosened by 2 px for that smaller scale, not for a knot."""


def test_lesson_8_rings_cross_no_arrow_and_keep_their_heads_off_them(lesson: Any) -> None:
    """Lesson 8 (iliopsoas vs the side gluteals, from the front and above): a lecturer saw the
    rings and arrows knot round the hip. The gluteal ring, boxed in 45 mm above the hip by the
    femoral head, ran across the gluteus medius arrow (centre lines 0 px apart) and passed
    22 px from the iliopsoas arrows' heads. Now no ring crosses a straight arrow, and each
    ring's head keeps at least 30 px from every straight arrow (shafts included).

    Seen from below and in front since, with one arrow per side (iliopsoas; gluteus medius and
    minimus) and both rings concentric on the hip, the iliopsoas arrow rising from inside the
    rings is routed round them (slid up its course). Since the frontal-plane picture only the
    gluteals turn (one ring about the front-to-back axis, ``test_pair_3_frontal_plane``)."""
    step = lesson.steps[7]
    assert step.scene.pair_view is not None and step.scene.pair_view.id.endswith("minimus")
    with lesson_pair_slide(step.scene) as (renderer, overlays):
        pairs = overlays.pairs_overlay
        rings = {s: display_points(renderer, densify_path(p)) for s, p in pairs.turn_paths.items()}
        straight = [
            (pull.label, display_points(renderer, densify_path(path)))
            for pull, path, is_arc in pairs.drawn_pulls()
            if not is_arc
        ]
    assert set(rings) == {"b"} and len(straight) == 2, "one ring (gluteals), one arrow per side"
    for side, ring in rings.items():
        head = ring[-18:]  # its last 18 mm: the head
        for label, arrow in straight:
            gap = float(np.linalg.norm(ring[:, None, :] - arrow[None, :, :], axis=-1).min())
            assert gap >= 4.0, (side, label, f"ring crosses the arrow ({gap:.0f} px)")
            gap = float(np.linalg.norm(head[:, None, :] - arrow[None, :, :], axis=-1).min())
            assert gap >= HEAD_GAP_PX, (side, label, f"ring head {gap:.0f} px from the arrow")


def densify_path(path: Any) -> Any:
    """A polyline resampled every 1 mm (or px): distances between lines, not vertices."""
    from viewer.domain.overlay_route import densify

    return densify(np.asarray(path, dtype=np.float64), 1.0)


def test_first_best_picks_as_min_over_criteria_tuples() -> None:
    """Rings are ranked criterion by criterion, each worked out only for the candidates still
    tied (a pair view switch spent a fifth more CPU ranking every criterion of every ring):
    the pick is the one ``min`` over whole tuples gives, ties to the lowest index."""
    from viewer.domain.overlay_route import first_best

    rng = np.random.default_rng(3)
    table = rng.integers(0, 3, size=(200, 4))
    asked: list[int] = []

    def crit(j: int) -> Any:
        def f(k: int) -> int:
            asked.append(j)
            return int(table[k, j])

        return f

    pick = first_best(len(table), [crit(j) for j in range(4)])
    assert pick == min(range(len(table)), key=lambda k: (*table[k], k))
    assert asked.count(3) < asked.count(0) == len(table), "later criteria only for the tied"
    assert first_best(0, []) == 0 and first_best(3, []) == 0
