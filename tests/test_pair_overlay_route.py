"""Pair-view arrows stay off the X markers and on the body (issue 12, pair views on the sheet).

Seen on the gallery's pair tiles: an X under the lower-psoas lever arc (pair 4), the psoas arc
running into empty space in front of the body (pair 1), arrows across X's elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

import numpy as np
import pytest

from tests.gui_helpers import window_rgb
from viewer.domain.overlay_route import (
    along,
    clear_runs,
    densify,
    hits,
    inside_boxes,
)

# -- the rule ----------------------------------------------------------------------------------


def test_densify_keeps_ends_and_spacing() -> None:
    line = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 7.0]])
    fine = densify(line, 3.0)
    assert np.allclose(fine[0], line[0]) and np.allclose(fine[-1], line[-1])
    assert np.linalg.norm(np.diff(fine, axis=0), axis=1).max() <= 3.0 + 1e-9


def test_the_pad_keeps_a_clearance_around_a_box() -> None:
    """What every route ranking counts first (pull arrows, rings): samples on a grown box.
    (``best_route``, the first-clear-else-fewest pick, went with the rings' own ranking,
    which counts these hits first; pair_overlay.PairOverlay._choose.)"""
    boxes = [(40.0, -5.0, 60.0, 5.0)]
    through = densify(np.array([[0.0, 0.0], [100.0, 0.0]]), 2.0)
    above = densify(np.array([[0.0, 20.0], [100.0, 20.0]]), 2.0)
    near = densify(np.array([[0.0, 8.0], [100.0, 8.0]]), 2.0)
    assert hits(through, boxes, 0.0) > 0 and hits(above, boxes, 4.0) == 0
    assert hits(near, boxes, 4.0) > 0, "the pad keeps a clearance around the box"
    corner = densify(np.array([[55.0, 8.0], [100.0, 8.0]]), 2.0)
    assert 0 < hits(corner, boxes, 4.0) < hits(through, boxes, 4.0)


def test_a_course_line_is_broken_only_under_the_box() -> None:
    line = densify(np.array([[0.0, 0.0], [100.0, 0.0]]), 2.0)
    inside = inside_boxes(line, [(40.0, -5.0, 60.0, 5.0)], 0.0)
    runs = clear_runs(inside)
    assert len(runs) == 2
    (a0, a1), (b0, b1) = runs
    assert a0 == 0 and b1 == len(line)
    assert line[a1 - 1, 0] < 40.0 and line[b0, 0] > 60.0
    assert clear_runs(np.ones(5, dtype=bool)) == []


def test_along_walks_the_polyline_and_clamps() -> None:
    path = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [10.0, 10.0, 0.0]])
    assert np.allclose(along(path, 15.0), [10.0, 5.0, 0.0])
    assert np.allclose(along(path, -3.0), path[0]) and np.allclose(along(path, 99.0), path[-1])


# -- the pictures ------------------------------------------------------------------------------


def _enter_pair(key: int) -> tuple[Any, Any, Any]:
    """The built-in context with pair view ``key`` entered and only its muscles' X's shown, as
    `render --pair` shows them: (context, features, active pair view)."""
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context()
    features = load_features(context)
    if features.pairs is None or features.triggers is None:
        pytest.skip("no pair views or trigger points for the built-in atlas")
    active = features.pairs.enter_key(key)
    triggers = features.triggers
    shown = set(active.trigger_muscles_a) | set(active.trigger_muscles_b)
    every = set(triggers.muscle_of.values())
    triggers.set_markers_visible(sorted(every - shown), False)
    triggers.set_markers_visible(sorted(shown & every), True)
    return context, features, active


def display_points(renderer: Any, points: np.ndarray) -> np.ndarray:
    """Display pixels (x, y up) of world points."""
    out = np.zeros((len(points), 2))
    for i, p in enumerate(points):
        renderer.SetWorldPoint(*p, 1.0)
        renderer.WorldToDisplay()
        out[i] = renderer.GetDisplayPoint()[:2]
    return out


@contextmanager
def framed_pair(key: int, size: tuple[int, int]) -> Iterator[tuple[Any, Any, Any, Any]]:
    """Pair view ``key`` drawn off screen at ``size`` with its own camera, as `render --pair`
    draws it: (offscreen scene, context, features, active pair view)."""
    from viewer.render.offscreen import offscreen_scene

    context, features, active = _enter_pair(key)
    with offscreen_scene(context.loaded, context.state, size, features=features) as off:
        window, _renderer, scene, overlays = off
        window.Render()
        overlays.refresh_pair()
        scene.apply_pose(overlays.pair_pose(active.resolved))
        window.Render()
        yield off, context, features, active


def _render_pair(key: int, size: tuple[int, int] = (1280, 800)) -> dict[str, Any]:
    with framed_pair(key, size) as (off, context, _features, active):
        _window, renderer, _scene, overlays = off
        display = display_points(renderer, overlays.pairs_overlay.arrow_points())
        body = overlays._body_distance()
        matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
            renderer.GetTiledAspectRatio(), -1, 1
        )
        m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
        return {
            "matrix": m,
            "size": size,
            "loaded": context.loaded,
            "display": display,
            "boxes": overlays.layer.screen_boxes(),
            "arcs": [a.copy() for a in overlays.pairs_overlay.arc_paths],
            "rings": len(overlays.pairs_overlay._ring_plans),
            "body": body,
            "markers": len(overlays.layer.marker_ids),
            "pulls": overlays.pairs_overlay.drawn_pulls(),
            "share": overlays.pairs_overlay.length_share,
            "note": overlays._arrow_note(active.resolved),
        }


@pytest.mark.parametrize("key", [1, 2, 3, 4, 5, 6])
def test_no_arrow_arc_or_course_line_covers_an_x(key: int) -> None:
    drawn = _render_pair(key)
    assert drawn["markers"] and len(drawn["display"])
    covered = inside_boxes(drawn["display"], drawn["boxes"], 0.0)
    assert not covered.any(), (
        f"pair {key}: {int(covered.sum())} arrow surface points on an X "
        f"at {drawn['display'][covered][:3].round()}"
    )


@pytest.mark.parametrize("key", [1, 2, 3, 4, 5, 6])
def test_straight_arrows_of_a_view_keep_one_scale_as_the_legend_says(key: int) -> None:
    """ "Arrow length ~ force capacity" failed where one arrow was shortened alone to clear an
    X (a weak pull then looked as long as a strong one). Every straight arrow of a view is now
    drawn at the same share of its force-scaled length, so lengths keep the order and ratios
    of that scale; the legend says exactly that (and that curved arrows are not to scale).

    Tolerance 1e-6 (relative): each drawn arrow is its start point plus a unit direction
    times the exact scaled length, so any larger spread means two different scales."""
    from viewer.render.pair_overlay import LENGTHS, PULL_MAX_MM, PULL_MIN_MM

    drawn = _render_pair(key)
    note = str(drawn["note"])
    straight = [(pull, path) for pull, path, is_arc in drawn["pulls"] if not is_arc]
    curved = bool(drawn["arcs"]) or bool(drawn["rings"])
    # the key explains exactly the kinds of arrow drawn (lessons 3, 5 and 6 explained straight
    # arrows on slides that had only curved ones)
    assert ("one scale per view" in note) == bool(straight), note
    assert ("not to scale" in note) == curved, note
    assert "Handsfield 2014" in note
    assert drawn["share"] in LENGTHS
    for pull, path in straight:
        share = float(np.clip(pull.relative, 0.05, 1.0))
        nominal = PULL_MIN_MM + (PULL_MAX_MM - PULL_MIN_MM) * share
        length = float(np.linalg.norm(path[-1] - path[0]))
        assert length == pytest.approx(drawn["share"] * nominal, rel=1e-6), (key, pull.muscle)
    for (a, pa), (b, pb) in pairwise(sorted(straight, key=lambda s: s[0].relative)):
        la, lb = (float(np.linalg.norm(p[-1] - p[0])) for p in (pa, pb))
        assert la <= lb + 1e-9, (key, "a weaker pull drawn longer", a.muscle, b.muscle)


def test_the_psoas_lever_arc_ends_at_the_body_not_in_empty_space() -> None:
    from viewer.render.pair_overlay import ARC_MIN_MM, ARC_REACH_MM

    drawn = _render_pair(1)
    assert drawn["arcs"], "piriformis swings about the sacroiliac joint (psoas: a ring on it)"
    for arc in drawn["arcs"]:
        s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(arc, axis=0), axis=1))])
        gap = drawn["body"](arc)
        past = s > ARC_MIN_MM
        assert (gap[past] <= ARC_REACH_MM + 1e-6).all(), gap.max()
        assert s[-1] >= min(ARC_MIN_MM, 30.0), "still long enough to show its sense"


def test_psoas_vs_piriformis_shows_the_piriformis_clear_of_its_x_boxes() -> None:
    """Pair 1 once looked at the piriformis obliquely from the front, and its two full-size X
    boxes hid a fifth of it: its footprint on screen is larger now, and at most 16 % of it lies
    under an X."""
    from PIL import Image, ImageDraw

    from viewer.domain.labels import project_points

    drawn = _render_pair(1)
    w, h = drawn["size"]
    boxes = Image.new("L", (w, h), 0)
    pen = ImageDraw.Draw(boxes)
    for x0, y0, x1, y1 in drawn["boxes"]:  # display pixels (y up) -> image rows (y down)
        pen.rectangle([x0, h - y1, x1, h - y0], fill=255)
    under = np.asarray(boxes) > 0
    mesh = drawn["loaded"].meshes["piriformis_right"]
    pixels, _ = project_points(np.asarray(mesh.points), drawn["matrix"], (w, h))
    shape = Image.new("L", (w, h), 0)
    pen = ImageDraw.Draw(shape)
    for tri in np.asarray(mesh.triangles):
        pen.polygon([tuple(pixels[k]) for k in tri], fill=255)
    footprint = np.asarray(shape) > 0
    share = float((footprint & under).sum() / footprint.sum())
    assert footprint.sum() > 6200, f"piriformis only {footprint.sum()} px on screen"
    assert share <= 0.16, f"{share:.0%} of the piriformis under its X boxes"


def _render_arrows(key: int, size: tuple[int, int] = (1280, 800)) -> tuple[Any, list[Any]]:
    """Pair view ``key`` on the projector theme: the picture (rows top down) and, per force
    arrow drawn, its centre line in image pixels."""
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.theme import PROJECTOR

    context, features, active = _enter_pair(key)
    h = size[1]
    with offscreen_scene(context.loaded, context.state, size, PROJECTOR, features) as off:
        window, renderer, scene, overlays = off
        window.Render()
        overlays.refresh_pair()
        scene.apply_pose(overlays.pair_pose(active.resolved))
        window.Render()
        img = window_rgb(window).astype(int)
        paths = []
        pairs = overlays.pairs_overlay
        choice = iter(pairs._drawn_choice)
        for plan in pairs._pull_plans:
            pick, _runs = next(choice), next(choice)
            path = plan[4][pick][0]
            px = np.zeros((len(path), 2))
            for i, p in enumerate(path):
                renderer.SetWorldPoint(*p, 1.0)
                renderer.WorldToDisplay()
                x, y = renderer.GetDisplayPoint()[:2]
                px[i] = (x, h - y)
            paths.append((plan[0].structure, px))
    return img, paths


@pytest.mark.parametrize("key", [1, 5])
def test_force_arrows_are_long_and_ringed_so_they_read_on_their_own_muscle(key: int) -> None:
    """Left vs right iliopsoas once showed its arrows as dark-blue stubs on the blue muscle
    (pulls at the lesser trochanters pointing at the camera), and pair 1's psoas arc was a stub:
    every force arrow is now at least MIN_ARROW_SHARE of the frame long on screen and carries a
    pale rim that shows along it on the black projector background and on the muscle.

    The layout aims at MIN_ARROW_SHARE of the frame height; where the X's leave no way that
    long (the iliacus between its two X's) it takes the longest clear one, and 6 % of the
    frame (48 px at 800) is the floor checked here."""
    from viewer.render.pair_overlay import HALO_RGB, MIN_ARROW_SHARE

    img, paths = _render_arrows(key)
    h = img.shape[0]
    assert paths
    pale = (np.abs(img - np.array(HALO_RGB) * 255).max(axis=2) < 14)
    for name, px in paths:
        seen = float(np.linalg.norm(np.diff(px, axis=0), axis=1).sum())
        floor = MIN_ARROW_SHARE * h if "psoas" in name else 0.06 * h
        assert seen >= floor - 1, (key, name, round(seen))
        # Rim pixels along the arrow: a band of a few pixels on either side of its line.
        ys, xs = np.nonzero(pale)
        pts = np.c_[xs, ys].astype(float)
        near = np.zeros(len(pts), dtype=bool)
        for a, b in pairwise(px):
            ab = b - a
            t = np.clip(((pts - a) @ ab) / max(float(ab @ ab), 1e-9), 0.0, 1.0)
            near |= np.linalg.norm(pts - (a + t[:, None] * ab), axis=1) < 14
        assert int(near.sum()) > seen * 0.8, (key, name, int(near.sum()), round(seen))


def _key_over_muscles(keep_clear: bool, styles: tuple[str, ...] | None = None) -> int:
    """Pair 1 in compare mode (its half of the window): how many vertices of psoas and
    piriformis project into the marker key's box; with ``styles``, the key shows those rows
    whatever the X's drawn."""
    from viewer.context import load_context
    from viewer.features import load_features
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.theme import PROJECTOR

    context = load_context()
    features = load_features(context)
    if features.pairs is None or features.triggers is None:
        pytest.skip("no pair views or trigger points for the built-in atlas")
    active = features.pairs.enter_key(1)
    with offscreen_scene(context.loaded, context.state, (1280, 800), PROJECTOR, features) as off:
        window, renderer, scene, overlays = off
        if not keep_clear:
            overlays.marker_legend.keep_clear = None  # the key as it was: always lower right
        if styles is not None:
            overlays.layer.drawn_styles = lambda: styles  # type: ignore[method-assign]
        overlays.set_compare(True)
        window.Render()
        overlays.refresh_pair()
        scene.apply_pose(overlays.pair_pose(active.resolved))
        window.Render()
        window.Render()
        box = overlays.marker_legend.box()
        assert box is not None, "pair 1 draws X's, so its key is shown"
        inside = 0
        for sid in ("psoas_major_upper_right", "psoas_major_lower_right", "piriformis_right"):
            pts = np.asarray(context.loaded.meshes[sid].points, dtype=np.float64)[::5]
            for p in pts:
                renderer.SetWorldPoint(*p, 1.0)
                renderer.WorldToDisplay()
                x, y = renderer.GetDisplayPoint()[:2]
                inside += box[0] <= x <= box[2] and box[1] <= y <= box[3]
    return inside


def test_the_marker_key_keeps_off_the_pair_muscles_in_compare_mode() -> None:
    """In pair 1's compare view the key in the lower right corner sat on the tip of the psoas;
    it now takes a corner (and two-line rows) where it covers no muscle of the pair."""
    assert _key_over_muscles(keep_clear=True) == 0
    # The key of then, two rows (the lower psoas X was drawn deep behind the upper psoas until
    # a muscle's own parts stopped counting as cover; now pair 1 draws plain X's only and its
    # one-row key would clear the psoas in either corner).
    two_rows = ("visible", "deep")
    assert _key_over_muscles(keep_clear=True, styles=two_rows) == 0
    assert _key_over_muscles(keep_clear=False, styles=two_rows) > 0, "the old corner covered it"


def _pick_between_ends(own_px: float, other_px: float, own_covered: bool = False) -> int:
    """Which end `_pick` draws an arrow at, for an own end whose every candidate looks
    ``own_px`` long on screen and an other end whose candidates look ``other_px`` (0 = the
    own end, 1 = the other end). Projection: x, y of the points are the display pixels."""
    from vtkmodules.vtkRenderingCore import vtkRenderer

    from viewer.render.pair_overlay import LENGTHS, SHIFTS_MM, PairOverlay, Route

    per_end = len(SHIFTS_MM) * len(LENGTHS)
    samples = [
        np.array([[500.0 + k, 300.0, 0.0], [500.0 + k, 300.0 + length, 0.0]])
        for length in (own_px, other_px)
        for k in range(per_end)
    ]
    boxes = ((400.0, 200.0, 700.0, 500.0),) if own_covered else ()
    if own_covered:  # the other end's arrows lie elsewhere, clear of the box
        shift = np.array([0.0, 400.0, 0.0])
        samples[per_end:] = [s + shift for s in samples[per_end:]]
    route = Route(lambda p: p[:, :2], boxes, px_per_mm=1.0, min_px=61.0)
    plan = (None, None, None, 1.0, [(s, False) for s in samples], samples)
    pick, covered = PairOverlay(vtkRenderer())._pick(plan, route, range(len(LENGTHS)))
    assert covered == 0
    return pick // per_end


def test_an_arrow_stays_at_its_own_end_unless_that_end_is_a_stub_or_covered() -> None:
    """Lesson step 11 drew the right iliacus at the femur pointing up and the left one at the
    pelvis pointing down: both ends looked a little short (56 vs 57 px, 61 wanted), and the
    longer won. The view's own end is kept while it looks long enough to read; the other end
    is for a stub seen end-on or an end hidden under X's."""
    assert _pick_between_ends(56.0, 57.0) == 0
    assert _pick_between_ends(70.0, 90.0) == 0
    assert _pick_between_ends(12.0, 70.0) == 1  # a stub pointing at the camera
    assert _pick_between_ends(70.0, 70.0, own_covered=True) == 1


# -- pair 3 on the gluteal atlas: arrows on their own muscle, routed by their drawn width ------


def test_an_arrow_is_as_wide_as_drawn_ball_shaft_and_head() -> None:
    """Routing kept every sample of an arrow a head's width off the X's; round the crowded hip
    (pair 3, nine X's) that left no long way along the gluteal courses. The widths follow the
    drawing: the ball at the start, the thin shaft, the head (and its rim) at the end."""
    from viewer.render.pair_overlay import (
        ARROW_RADIUS_MM,
        HALO_MM,
        HEAD_LENGTH_MM,
        HEAD_RADIUS_MM,
        arrow_widths,
    )

    radius = ARROW_RADIUS_MM
    line = densify(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 100.0]]), 3.0)
    w = arrow_widths(line, radius)
    s = line[:, 2]
    assert w[0] == pytest.approx(radius * 1.9 + HALO_MM)
    assert np.allclose(w[(s > 10.0) & (s < 100.0 - HEAD_LENGTH_MM - 6.0)], radius + HALO_MM)
    assert w[-1] == pytest.approx(HEAD_RADIUS_MM + HALO_MM * 1.6)
    ring = arrow_widths(line, 2.0, ball=False)
    assert ring[0] == pytest.approx(2.0 + HALO_MM), "a ring has no attachment ball"


def test_a_shaft_across_an_x_shows_in_its_surface_points() -> None:
    """A straight shaft's tube had vertices only at its two ends, so the surface points checked
    against the X's (``arrow_points``) missed a shaft lying across an X with both ends clear
    (pair 3 seen from the side passed so). The tube now has rings of vertices all along it."""
    from vtkmodules.util.numpy_support import vtk_to_numpy

    from viewer.render.pair_overlay import PairOverlay

    actor = PairOverlay._tube_actor(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 120.0]]), 2.0, (1, 0, 0))
    mapper = actor.GetMapper()
    mapper.Update()
    z = vtk_to_numpy(mapper.GetInput().GetPoints().GetData())[:, 2]
    assert ((z > 55.0) & (z < 65.0)).any(), "no surface points in the middle of the shaft"
    assert np.diff(np.unique(np.round(z, 6))).max() <= 3.0 + 1e-6


def test_an_arrow_slid_along_its_course_stays_on_its_muscle() -> None:
    """Pair 3's gluteus medius arrow (a 110 mm pull on a 131 mm course) was slid 120 mm up its
    course to clear the X's on the fan: it stood above the muscle, over the iliac crest and the
    iliacus, and read as pulling the pelvis up. A slid arrow's tip now stays within its course;
    at its attachment (no slide) it is always allowed."""
    from vtkmodules.vtkRenderingCore import vtkRenderer

    from viewer.render.pair_overlay import LENGTHS, SHIFTS_MM, PairOverlay, Route

    course = np.array([[0.0, 0.0, 0.0], [0.0, 100.0, 0.0]])
    samples = []
    for shift in SHIFTS_MM:
        for share in LENGTHS:
            start = np.array([0.0, shift, 0.0])
            tip = start + np.array([0.0, 80.0 * share, 0.0])
            samples.append(densify(np.vstack([start, tip]), 3.0))
    # An X over the first 60 mm of the course: only arrows slid past it are clear.
    route = Route(lambda p: p[:, :2], ((-10.0, -10.0, 10.0, 60.0),), px_per_mm=1.0, min_px=40.0)
    plan = (None, course, None, 1.0, [(s[[0, -1]], False) for s in samples], samples)
    for j in range(len(LENGTHS)):
        pick, _covered = PairOverlay(vtkRenderer())._pick(plan, route, (j,))
        shift = SHIFTS_MM[pick // len(LENGTHS)]
        tip = samples[pick][-1, 1]
        assert shift == 0.0 or tip <= 100.0 + 1e-6, (LENGTHS[j], shift, tip)


def test_pair_3_draws_the_gluteal_pulls_long_on_their_own_fan() -> None:
    """Pair 3 on the gluteal atlas: gluteus medius seen as a sliver behind the iliacus from the
    front, its X's along its course, and its arrow slid past the muscle to clear them. Seen
    from below, in front and to the right, the fan shows beside the iliopsoas: every straight
    arrow at 0.75 of its force-scaled length or more, the gluteal arrow within its course, and
    no X covered (the test above). Each side draws one arrow, its muscles' summed pull
    (medius and minimus as one: ``test_pair_one_turning_per_side``).

    Since the frontal-plane picture (``test_pair_3_frontal_plane``) the gluteal pull acts on the
    ilium below the crest, where gluteus medius's X's lie along its course: the limit is 0.55
    (was 0.75, with the pull on the trochanter seen from below); the lesson slide has no X's
    and draws both arrows at full length."""
    from viewer.render.pair_overlay import ASIDE_MM

    drawn = _render_pair(3)
    assert drawn["share"] >= 0.55, drawn["share"]
    gluteal = 0
    for pull, path, is_arc in drawn["pulls"]:
        assert not is_arc
        course = np.asarray(pull.path, dtype=np.float64)
        attachment = course[-1] if pull.at == "insertion" else course[0]
        reach = float(np.linalg.norm(np.diff(course, axis=0), axis=1).sum())
        if "gluteus" in pull.structure:
            gluteal += 1
            # along its line of action (an arrow drawn aside, ASIDE_MM, sits a little off it)
            away = course[0] - course[-1] if pull.at == "insertion" else course[-1] - course[0]
            along = float(np.dot(path[-1] - attachment, away / np.linalg.norm(away)))
            # A slid arrow ends within its course (1 mm slack). One drawn from its attachment
            # (at most ASIDE_MM off it) is as long as the view's one force scale says, which the
            # overlay always allows: seen straight from behind (2 Dec 2026) nothing shortens
            # pair 3's gluteal arrow, 110 mm on a 108.6 mm course, its tip at the trochanter.
            # Loosened for that case only, to 3 % beyond the course end (was 1 mm).
            slid = float(np.linalg.norm(path[0] - attachment)) > max(ASIDE_MM) + 1.0
            limit = reach + 1.0 if slid else reach * 1.03
            assert along <= limit, (pull.structure, along, reach, slid)
    assert gluteal == 1, "one arrow for gluteus medius and minimus together"


def test_an_arrow_that_cannot_keep_its_clearance_passes_near_an_x_not_over_it() -> None:
    """Round pair 3's hip no way kept every gluteal arrow the full clearance off the X's, and the
    fallback (fewest samples within the clearance) took a head cutting an X's corner over a
    shaft running just beside one. An arrow drawn over an X now ranks below one only near it."""
    from vtkmodules.vtkRenderingCore import vtkRenderer

    from viewer.render.pair_overlay import LENGTHS, SHIFTS_MM, PairOverlay, Route

    def line(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
        return densify(np.array([[*a, 0.0], [*b, 0.0]]), 3.0)

    through = line((120.0, 60.0), (120.0, 180.0))  # across the middle of the X
    corner = line((95.0, 180.0), (180.0, 95.0))  # cuts the X's corner: over it, briefly
    beside = line((60.0, 145.0), (180.0, 145.0))  # 5 px above it: near, never over
    samples = [through] * (len(SHIFTS_MM) * len(LENGTHS))
    samples[0], samples[len(LENGTHS)] = corner, beside
    route = Route(lambda p: p[:, :2], ((100.0, 100.0, 140.0, 140.0),), px_per_mm=1.0)
    plan = (None, None, None, 1.0, [(s[[0, -1]], False) for s in samples], samples)
    overlay = PairOverlay(vtkRenderer())
    assert overlay._covers(plan, route, 0) > 0 and overlay._covers(plan, route, len(LENGTHS)) == 0
    pick, near = overlay._pick(plan, route, (0,))
    assert pick == len(LENGTHS), "the arrow beside the X, not the one over its corner"
    assert near > 0, "it is still counted as within the clearance"
