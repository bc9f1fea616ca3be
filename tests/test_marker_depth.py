"""Depth-aware trigger-point markers: the rule (plain Python) and what the renders show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.ray_cast import crossings
from viewer.domain.marker_depth import (
    FAR_SIDE_FRACTION,
    OCCLUDER_TOLERANCE_MM,
    SOLID_OPACITY,
    Depth,
    MarkerSight,
    ScreenMarker,
    classify,
    cover_length,
    hides_markers,
    merge_nearby,
    own_parts,
)


# -- the rule ----------------------------------------------------------------------------------
def test_uncovered_marker_is_visible_unless_on_the_far_side_of_the_body() -> None:
    assert classify(MarkerSight(430.0, 0.0, 400.0, 600.0)) is Depth.VISIBLE
    assert classify(MarkerSight(500.0, OCCLUDER_TOLERANCE_MM - 0.5)) is Depth.VISIBLE
    # No organs in the atlas: nothing modelled in front, yet behind the whole pelvis.
    assert classify(MarkerSight(570.0, 0.0, 400.0, 600.0)) is Depth.FAR_SIDE
    # Isolated anatomy without a shown skin: an uncovered point is what the user looks at...
    assert classify(MarkerSight(570.0, 0.0, 400.0, 600.0, body_shown=False)) is Depth.VISIBLE
    # ...but a covered one on the far half is still on the far side.
    assert classify(MarkerSight(570.0, 30.0, 400.0, 600.0, body_shown=False)) is Depth.FAR_SIDE
    assert classify(MarkerSight(570.0, 0.0)) is Depth.VISIBLE  # no skin at all


def test_covered_marker_is_deep_on_the_near_half_and_far_side_beyond() -> None:
    near = MarkerSight(450.0, 25.0, body_front=400.0, body_back=600.0)  # 25 % into the body
    far = MarkerSight(560.0, 60.0, body_front=400.0, body_back=600.0)  # 80 % into the body
    assert near.body_fraction == pytest.approx(0.25)
    assert classify(near) is Depth.DEEP
    assert classify(far) is Depth.FAR_SIDE
    edge = 400.0 + 200.0 * FAR_SIDE_FRACTION
    assert classify(MarkerSight(edge - 1.0, 30.0, 400.0, 600.0)) is Depth.DEEP
    assert classify(MarkerSight(edge + 1.0, 30.0, 400.0, 600.0)) is Depth.FAR_SIDE


def test_a_point_deep_under_a_nearly_opaque_skin_is_deep() -> None:
    from viewer.domain.marker_depth import DEEP_UNDER_SKIN_MM, SKIN_COVER_OPACITY

    # The psoas from the front: nothing modelled in front of it, 90 mm under the belly skin.
    psoas = dict(depth=490.0, cover_mm=0.0, body_front=400.0, body_back=650.0)
    assert classify(MarkerSight(**psoas, skin_opacity=0.9)) is Depth.DEEP
    # A see-through skin (opening view, patient mode, under a heat map) hides nothing.
    assert classify(MarkerSight(**psoas, skin_opacity=0.25)) is Depth.VISIBLE
    assert classify(MarkerSight(**psoas, skin_opacity=0.8)) is Depth.VISIBLE
    assert classify(MarkerSight(**psoas, skin_opacity=SKIN_COVER_OPACITY - 0.01)) is Depth.VISIBLE
    # A superficial point (gluteus maximus) under the same skin stays visible.
    shallow = 400.0 + DEEP_UNDER_SKIN_MM - 5.0
    assert classify(MarkerSight(shallow, 0.0, 400.0, 650.0, skin_opacity=1.0)) is Depth.VISIBLE


def test_without_a_skin_covered_markers_are_deep_not_hidden() -> None:
    assert classify(MarkerSight(500.0, 40.0)) is Depth.DEEP
    assert MarkerSight(500.0, 40.0, 400.0, 400.0).body_fraction is None


def test_cover_length_pairs_entries_and_exits() -> None:
    assert cover_length([10.0, 30.0, 50.0, 55.0, 200.0], depth=100.0) == pytest.approx(25.0)
    # An unpaired entry: the marker is inside that structure, covered from the entry on.
    assert cover_length([80.0], depth=100.0) == pytest.approx(20.0)
    assert cover_length([120.0, 130.0], depth=100.0) == 0.0


def test_near_coincident_markers_merge_with_a_count() -> None:
    markers = [
        ScreenMarker("a", 100.0, 100.0, Depth.VISIBLE),
        ScreenMarker("b", 110.0, 104.0, Depth.VISIBLE),
        ScreenMarker("c", 300.0, 100.0, Depth.VISIBLE),
        ScreenMarker("d", 305.0, 100.0, Depth.DEEP),  # on c's spot: drawn as c's X, counted
        ScreenMarker("e", 101.0, 100.0, Depth.FAR_SIDE),  # not drawn at all
        ScreenMarker("f", 500.0, 100.0, Depth.DEEP),
        ScreenMarker("g", 502.0, 100.0, Depth.VISIBLE),  # the visible one leads its group
    ]
    groups = merge_nearby(markers, radius_px=20.0)
    assert [(g.ids, g.depth) for g in groups] == [
        (("a", "b"), Depth.VISIBLE),
        (("c", "d"), Depth.VISIBLE),
        (("g", "f"), Depth.VISIBLE),
    ]
    assert groups[0].count == 2
    assert groups[0].x == pytest.approx(105.0)


def test_markers_whose_boxes_would_overlap_merge_though_farther_than_the_radius() -> None:
    # Two X's 27 px apart side by side at size 30: boxes 27 x 33 px touch ("XX" on the
    # handout's back figure), yet the centres are farther apart than 0.8 x 30 px.
    side = [
        ScreenMarker("a", 100.0, 100.0, Depth.DEEP),
        ScreenMarker("b", 126.0, 104.0, Depth.DEEP),
        ScreenMarker("c", 100.0, 140.0, Depth.DEEP),  # below: boxes clear (33 px high)
    ]
    assert len(merge_nearby(side, radius_px=24.0)) == 3
    groups = merge_nearby(side, radius_px=24.0, box_px=(27.0, 33.0))
    assert [g.ids for g in groups] == [("a", "b"), ("c",)]


# -- the built-in atlas, rendered -----------------------------------------------------------------
PSOAS_POINTS = ("psoas_upper_right", "psoas_abdominal_right", "iliopsoas_distal_right")


@pytest.fixture(scope="module")
def builtin() -> tuple[object, object]:
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context(None)
    features = load_features(context)
    assert features.triggers is not None
    return context, features


def _render_markers(
    builtin: tuple[object, object],
    view: str,
    depth_rule: bool,
    out: Path,
    points: tuple[str, ...] = PSOAS_POINTS,
) -> tuple[np.ndarray, dict[str, Depth], list[tuple[float, float, float]]]:
    """Render the built-in atlas with markers for ``points`` ticked; pixels, classes, colours."""
    from PIL import Image

    from viewer.domain.camera import view_by_name
    from viewer.render.offscreen import offscreen_scene, write_window_png

    context, features = builtin
    triggers = features.triggers  # type: ignore[attr-defined]
    muscles = set(triggers.muscle_of.values())
    shown = {triggers.muscle_of[t] for t in points}
    triggers.set_markers_visible(sorted(muscles - shown), False)
    triggers.set_markers_visible(sorted(shown), True)
    triggers.set_active(list(points))
    loaded, state = context.loaded, context.state  # type: ignore[attr-defined]
    with offscreen_scene(loaded, state, (640, 400), features=features, msaa=0) as (  # type: ignore[arg-type]
        window,
        _renderer,
        scene,
        overlays,
    ):
        if not depth_rule:
            overlays.layer.sight = None  # what every marker looked like before the rule
        window.Render()
        scene.apply_view(view_by_name(view))
        window.Render()
        write_window_png(window, out)
        depths = {mid: overlays.layer.depth_of(mid) for mid in overlays.layer.marker_ids}
        height = window.GetSize()[1]
        marks = []
        for t in points:
            x, y = overlays.layer.display_position(t)
            marks.append((overlays.marker_color(triggers.muscle_of[t]), x, height - y))
    return np.asarray(Image.open(out))[..., :3].astype(int), depths, marks


Mark = tuple[tuple[float, float, float], float, float]


def _full_strength_pixels(img: np.ndarray, marks: list[Mark], half: int = 24) -> int:
    """Pixels in a marker's ink at full strength (the bold X of a visible marker), counted
    around each marker's spot (every X is one ink, black: dark shading elsewhere is no X)."""
    total = 0
    for rgb, x, y in marks:
        target = np.array([round(255 * c) for c in rgb])
        y0, x0 = max(0, int(y) - half), max(0, int(x) - half)
        window = img[y0 : int(y) + half, x0 : int(x) + half]
        total += int((np.abs(window - target).max(axis=2) < 28).sum())
    return total


def test_posterior_view_has_no_full_strength_psoas_x_on_the_back(
    builtin: tuple[object, object], tmp_path: Path
) -> None:
    before, _, colours = _render_markers(builtin, "posterior", False, tmp_path / "old.png")
    after, depths, _ = _render_markers(builtin, "posterior", True, tmp_path / "new.png")
    psoas = {mid: d for mid, d in depths.items() if mid in PSOAS_POINTS}
    assert psoas and all(d is not Depth.VISIBLE for d in psoas.values()), psoas
    old, new = _full_strength_pixels(before, colours), _full_strength_pixels(after, colours)
    assert old > 60, "the old, depth-blind markers drew full-strength X's on the back"
    assert new < old * 0.15, (old, new)


def test_right_view_hides_left_markers_behind_the_body(
    builtin: tuple[object, object], tmp_path: Path
) -> None:
    both = PSOAS_POINTS + tuple(p.replace("_right", "_left") for p in PSOAS_POINTS)
    _, depths, _ = _render_markers(builtin, "right", True, tmp_path / "right.png", both)
    left = [d for mid, d in depths.items() if mid.endswith("_left")]
    assert len(left) == len(PSOAS_POINTS) and all(d is Depth.FAR_SIDE for d in left), depths


def test_opening_view_shows_the_psoas_points_at_full_strength(
    builtin: tuple[object, object], tmp_path: Path
) -> None:
    # The abdominal wall starts ghosted, so nothing covers the story's points from the front.
    context = builtin[0]
    context.state.reset()  # type: ignore[attr-defined]
    _, depths, _ = _render_markers(builtin, "opening", True, tmp_path / "open.png")
    assert all(depths[p] is Depth.VISIBLE for p in PSOAS_POINTS), depths


def test_front_picture_has_no_buttock_point_in_the_groin(
    builtin: tuple[object, object], tmp_path: Path
) -> None:
    # The handout's front picture once showed the piriformis and gluteus minimus X's in the
    # groin. Same path as the handout (offscreen scene + annotation overlays), same rule.
    points = ("piriformis_lateral_right", "piriformis_medial_right")
    img, depths, colours = _render_markers(builtin, "anterior", True, tmp_path / "f.png", points)
    assert all(depths[p] is Depth.FAR_SIDE for p in points), depths
    before, _, _ = _render_markers(builtin, "anterior", False, tmp_path / "old.png", points)
    assert _full_strength_pixels(img, colours) < 0.15 * _full_strength_pixels(before, colours)


def _layer_seen_from_front() -> tuple[Any, Any]:
    """An off-screen 400x300 window looking along +y at the origin, with a marker layer."""
    from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow

    from viewer.render.markers import MarkerLayer

    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(400, 300)
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    camera = renderer.GetActiveCamera()
    camera.SetPosition(0.0, -500.0, 0.0)
    camera.SetFocalPoint(0.0, 0.0, 0.0)
    camera.SetViewUp(0.0, 0.0, 1.0)
    return window, MarkerLayer(renderer)


def test_a_far_side_ghost_is_not_printed_over_a_drawn_x() -> None:
    """The handout's front figure printed the piriformis ghosts (far side) over the iliopsoas
    X in the groin ("xX"): a ghost whose box would touch a drawn X is left out; one clear of
    every X is still drawn."""
    from viewer.domain.marker_depth import MarkerSight
    from viewer.render.markers import Marker

    window, layer = _layer_seen_from_front()
    ink = (0.1, 0.1, 0.1)
    layer.set_markers(
        [
            Marker("front", (0.0, 0.0, 0.0), ink, 30),
            Marker("behind", (3.0, 200.0, 2.0), ink, 30),  # right behind "front"
            Marker("away", (120.0, 200.0, 60.0), ink, 30),  # far side, clear of every X
        ]
    )
    near = MarkerSight(depth=500.0, cover_mm=0.0, body_front=480.0, body_back=720.0)
    far = MarkerSight(depth=700.0, cover_mm=0.0, body_front=480.0, body_back=720.0)
    layer.highlight(["behind", "away"])
    layer.update_depth({"front": near, "behind": far, "away": far})
    assert layer.depth_of("behind") is Depth.FAR_SIDE and layer.depth_of("away") is Depth.FAR_SIDE
    actors = layer._actors
    assert actors["front"].GetVisibility()
    assert not actors["behind"].GetVisibility(), "ghost printed over the X"
    assert actors["away"].GetVisibility()
    assert "far_side" in layer.drawn_styles()
    layer.detach()
    window.Finalize()


def test_chosen_x_boxes_that_would_overlap_merge() -> None:
    """Lesson step 10 drew two chosen psoas X's (1.45 x larger) whose boxes touched: the merge
    measures the boxes as drawn."""
    from viewer.domain.marker_depth import MarkerSight
    from viewer.render.markers import Marker

    window, layer = _layer_seen_from_front()
    ink = (0.1, 0.1, 0.1)
    layer.set_markers(
        [Marker("a", (0.0, 0.0, 0.0), ink, 30), Marker("b", (0.0, 0.0, 0.0), ink, 30)]
    )
    # 38 px apart on screen: clear at size 30 (33 px boxes), touching at 1.45 x (48 px).
    _, ya = layer.display_position("a")
    step = 38.0 / (ya - _probe_y(layer.main, (0.0, 0.0, 10.0))) * -10.0
    layer.set_markers(
        [Marker("a", (0.0, 0.0, 0.0), ink, 30), Marker("b", (0.0, 0.0, step), ink, 30)]
    )
    sight = MarkerSight(depth=500.0, cover_mm=0.0)
    layer.update_depth({"a": sight, "b": sight})
    assert layer.count_of("a") == 1 and layer.count_of("b") == 1
    layer.highlight(["a", "b"])
    layer.update_depth({"a": sight, "b": sight})
    assert layer.count_of("a") + layer.count_of("b") == 2 and not (
        layer.drawn("a") and layer.drawn("b")
    )
    # The key explains the "X\u00d72" (a patient read it as "twice as bad").
    from viewer.render.marker_legend import ROWS, MarkerLegend

    assert layer.has_counts()
    legend = MarkerLegend(layer.main, layer)
    legend._before_frame()
    assert ROWS["counted"] in legend.texts() and "trigger points at one spot" in ROWS["counted"]
    legend.detach()
    layer.detach()
    window.Finalize()


def _probe_y(renderer: object, point: tuple[float, float, float]) -> float:
    renderer.SetWorldPoint(*point, 1.0)  # type: ignore[attr-defined]
    renderer.WorldToDisplay()  # type: ignore[attr-defined]
    return float(renderer.GetDisplayPoint()[1])  # type: ignore[attr-defined]


def _ray_cover(tri: np.ndarray, eye: np.ndarray, target: np.ndarray) -> float:
    """Length of the closed surface ``tri`` (n, 3, 3) in front of ``target`` on the line of
    sight from ``eye``: crossings found by an independent cast (tests/ray_cast.py), paired as
    the rule pairs them (:func:`cover_length`)."""
    length = float(np.linalg.norm(target - eye))
    return cover_length([float(x) for x in crossings(tri, eye, target)], length)


def test_a_posed_body_is_probed_as_drawn_not_as_loaded() -> None:
    """Sitting, seen from in front (``render --heat-muscle psoas_major_lower_right --pose
    sitting_upright --view anterior``): the rays were cast against the standing meshes, so the
    lower psoas X (moved 3 cm back with the pelvis) was covered by the standing longissimus and
    not drawn (far side), and the distal iliopsoas X in the groin was drawn deep behind the
    standing upper psoas (12 mm) and iliacus (6 mm). Each marker's cover now matches an
    independent ray cast on the meshes as drawn, and the lower psoas X shows."""
    from viewer.context import load_context
    from viewer.domain.camera import view_by_name
    from viewer.domain.pose import PRESETS
    from viewer.features import load_features
    from viewer.render.offscreen import offscreen_scene

    context = load_context(None)
    features = load_features(context)
    triggers = features.triggers
    assert triggers is not None
    muscle = "psoas_major_lower_right"
    triggers.set_markers_visible(sorted(set(triggers.muscle_of.values()) - {muscle}), False)
    triggers.set_markers_visible([muscle], True)
    triggers.show_muscle(muscle)
    loaded, state = context.loaded, context.state
    state.set_pose(PRESETS["sitting_upright"])
    with offscreen_scene(loaded, state, (1280, 800), features=features, msaa=0) as off:
        off.window.Render()
        off.scene.apply_view(view_by_name("anterior"))
        off.window.Render()
        layer, scene = off.overlays.layer, off.scene
        eye = np.asarray(off.renderer.GetActiveCamera().GetPosition(), dtype=np.float64)
        sights = layer.sight(tuple(eye), list(layer._markers.values()))
        probe = off.overlays.probe
        depths = {mid: layer.depth_of(mid) for mid in layer.marker_ids}
        for mid, marker in layer._markers.items():
            target = np.asarray(marker.position, dtype=np.float64)
            cover = 0.0
            mine = probe.own_parts(marker.structure)
            for sid in probe.marker_covers():
                if sid in mine:
                    continue
                drawn = scene.drawn_points(sid)
                assert drawn is not None
                tri = drawn[np.asarray(loaded.meshes[sid].triangles)]
                cover += _ray_cover(tri, eye, target)
            assert sights[mid].cover_mm == pytest.approx(cover, abs=0.5), (mid, sights[mid])
    assert depths["psoas_abdominal_right"] is Depth.VISIBLE, depths


# -- one rule for what covers a point (a lecturer's review, session 16) ---------------------------
def test_bone_covers_however_faint_a_muscle_only_when_solid() -> None:
    # Pair 3 drew its vertebrae at 0.3, pair 6 at 0.6: the same psoas points seen from behind
    # were plain X's in one and boxed in the other.
    for opacity in (0.05, 0.3, 0.6, 1.0):
        assert hides_markers(True, opacity)
    assert not hides_markers(True, 0.0)
    assert not hides_markers(False, 0.08)  # a pair view's grey context muscle is looked through
    assert not hides_markers(False, SOLID_OPACITY - 0.01)
    assert hides_markers(False, SOLID_OPACITY) and hides_markers(False, 1.0)


def test_a_point_is_never_hidden_by_its_own_muscle_meshed_in_parts() -> None:
    parts = ("psoas_major_upper_right", "psoas_major_lower_right")
    assert own_parts("psoas_major_lower_right", "psoas_major_right", parts) == set(parts)
    # A group of different muscles is no one muscle: the iliacus still covers a psoas point.
    assert own_parts("iliacus_right", "iliopsoas_right", ("iliacus_right", *parts)) == {
        "iliacus_right"
    }
    assert own_parts("piriformis_right", None, ()) == {"piriformis_right"}


def _depths_with_bones_at(builtin: tuple[object, object], opacity: float) -> dict[str, Depth]:
    """Classes of the right iliopsoas points from behind, with only the bones (drawn at
    ``opacity``) and the iliopsoas shown."""
    from viewer.domain.camera import view_by_name
    from viewer.domain.structures import Kind
    from viewer.render.offscreen import offscreen_scene

    context, features = builtin
    points = (*PSOAS_POINTS, "iliacus_right")
    triggers = features.triggers  # type: ignore[attr-defined]
    shown = {triggers.muscle_of[t] for t in points}
    triggers.set_markers_visible(sorted(set(triggers.muscle_of.values()) - shown), False)
    triggers.set_markers_visible(sorted(shown), True)
    triggers.set_active(list(points))
    loaded, state = context.loaded, context.state  # type: ignore[attr-defined]
    state.reset()
    bones = [s.id for s in state.atlas.renderable if s.kind is Kind.BONE]
    state.isolate([*bones, *shown])  # the bones and the muscles, as a pair view draws them
    state.set_opacity(bones, opacity)
    with offscreen_scene(loaded, state, (640, 400), features=features, msaa=0) as off:
        off.window.Render()
        off.scene.apply_view(view_by_name("posterior"))
        off.window.Render()
        layer = off.overlays.layer
        return {mid: layer.depth_of(mid) for mid in points}


def test_a_point_behind_bone_keeps_its_style_however_the_bones_are_drawn(
    builtin: tuple[object, object],
) -> None:
    solid = _depths_with_bones_at(builtin, 1.0)
    ghosted = _depths_with_bones_at(builtin, 0.3)
    builtin[0].state.reset()  # type: ignore[attr-defined]
    assert ghosted == solid, (ghosted, solid)
    # From behind, the iliacus lies in front of the ilium: never a plain X on the back.
    assert solid["iliacus_right"] is not Depth.VISIBLE
