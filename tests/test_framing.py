"""Camera presets frame what is shown so it fills the view; the opening view tells the story."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from viewer.domain.camera import STANDARD_VIEWS, fit_to_points, view_by_name
from viewer.domain.orientation import leaves_out_front_ghosts


def test_fit_to_points_fills_the_frame_exactly() -> None:
    rng = np.random.default_rng(3)
    # A long thin body (the trunk and legs) seen from above: a sphere fit would leave it tiny.
    points = rng.uniform((-150, -100, -800), (150, 100, 200), size=(2000, 3))
    direction, up, angle, aspect = (0.0, 0.0, 1.0), (0.0, -1.0, 0.0), 30.0, 1.6
    focal, distance = fit_to_points(points, direction, up, angle, aspect, fill=0.9)
    camera = np.asarray(focal) + distance * np.asarray(direction)
    rel = points - camera
    depth = -rel[:, 2]
    assert (depth > 0).all(), "every point is in front of the camera"
    tan_v = math.tan(math.radians(angle) / 2)
    ndc_y = np.abs(rel[:, 1]) / depth / tan_v  # 1.0 is the frame's edge
    ndc_x = np.abs(rel[:, 0]) / depth / (tan_v * aspect)
    assert max(ndc_x.max(), ndc_y.max()) == pytest.approx(0.9, abs=0.02)


def _extent(
    scene: Any, window: Any, ids: list[str] | None = None, skip: tuple[str, ...] = ()
) -> tuple[float, float, float]:
    """Largest share of the half-width/half-height the shown points reach (1.0 = frame edge)."""
    renderer = scene.renderer
    points = scene.visible_points(ids, skip=skip)
    camera = renderer.GetActiveCamera()
    w, h = window.GetSize()
    matrix = camera.GetCompositeProjectionTransformMatrix(w / h, -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    hom = np.c_[points, np.ones(len(points))] @ m.T
    ndc = hom[:, :2] / hom[:, 3:4]
    x, y = ndc[:, 0], ndc[:, 1]
    return float(max(x.max(), -x.min())), float(max(y.max(), -y.min())), float(np.ptp(y))


def _ghost_drawn(scene: Any, sid: str) -> bool:
    light = scene.light_actor_of(sid)
    return bool(scene.actor_of(sid).GetVisibility() or (light and light.GetVisibility()))


def test_views_from_above_below_and_behind_leave_out_the_ghosted_abdominal_wall(
    offscreen: Any,
) -> None:
    """Seen end-on the ghosted rectus abdominis spread like two wings over the cut muscle tops
    and set the superior view's scale; from behind, the sheets on the far side of the trunk
    showed as pale planks between the back and gluteal muscles. Front and side views keep it
    (it says where the abdominal wall lies), and a rectus made solid is drawn from above too."""
    context, scene, window = offscreen
    state = context.state
    state.reset()
    rectus = ("rectus_abdominis_right", "rectus_abdominis_left")
    for view, drawn in (
        ("superior", False),
        ("inferior", False),
        ("anterior", True),
        ("right", True),
        ("posterior", False),
        ("superior", False),
    ):
        scene.apply_view(view_by_name(view))
        window.Render()
        assert all(_ghost_drawn(scene, r) == drawn for r in rectus), view
        assert all(state.is_visible(r) for r in rectus), "the state is not changed"
    state.set_opacity(list(rectus), 1.0)
    window.Render()
    assert all(_ghost_drawn(scene, r) for r in rectus), "a solid rectus is the user's subject"
    state.reset()
    scene.apply_view(view_by_name("opening"))
    window.Render()
    assert all(_ghost_drawn(scene, r) for r in rectus), "the opening view keeps its ghosts"


@pytest.mark.parametrize("preset", [p.name for p in STANDARD_VIEWS])
def test_every_preset_fills_most_of_the_frame(offscreen: Any, preset: str) -> None:
    context, scene, window = offscreen
    context.state.reset()
    scene.apply_view(view_by_name(preset))
    ids = list(view_by_name(preset).frame) or None
    # from above, below and behind the ghosted abdominal wall is not drawn (nor framed)
    left_out = leaves_out_front_ghosts(view_by_name(preset).direction)
    skip = scene.front_ghosts() if left_out else ()
    ex, ey, _ = _extent(scene, window, ids, skip)
    assert max(ex, ey) <= 0.95, "nothing framed leaves the view"
    assert max(ex, ey) >= 0.8, f"{preset}: the anatomy fills only {max(ex, ey):.0%} of the view"


def test_opening_view_shows_the_iliopsoas_whole_with_the_abdominal_wall_ghosted(
    offscreen: Any,
) -> None:
    context, scene, window = offscreen
    state = context.state
    state.reset()
    assert state.view == "opening" == STANDARD_VIEWS[0].name
    assert state.opacity("rectus_abdominis_right") < 0.5, "the abdominal wall does not cover it"
    scene.apply_view(view_by_name(state.view))
    _, ey, span = _extent(scene, window, ["iliopsoas_right", "iliopsoas_left", "vertebra_t12"])
    assert ey <= 0.95 and span >= 1.5, "T12 to the lesser trochanters fill the height"


def test_search_view_prefers_the_near_side_and_reveals_what_is_covered() -> None:
    from viewer.domain.camera import SearchSight, SearchView, choose_search_view

    # Seen well from the right, a little from the front, through the body from the left.
    sights = {
        "anterior": SearchSight(300.0, 2000.0, {"pelvis": 1500.0}, 120.0, 150.0),
        "right": SearchSight(1800.0, 2100.0, {}, 40.0, 300.0),
        "left": SearchSight(2000.0, 2100.0, {}, 300.0, 40.0),  # far side: never chosen
    }
    assert choose_search_view(sights) == SearchView("right")
    # Covered from every near side: shown from the side it faces most, its cover ghosted.
    covered = {
        "posterior": SearchSight(0.0, 2300.0, {"gluteus_maximus": 2000.0, "skin": 10.0}, 80, 200),
        "right": SearchSight(0.0, 1500.0, {"gluteus_maximus": 900.0}, 120.0, 260.0),
        "anterior": SearchSight(1400.0, 2300.0, {}, 200.0, 80.0),  # through the pelvis
    }
    assert choose_search_view(covered) == SearchView("posterior", ("gluteus_maximus",))


def test_window_opening_view_still_fits_after_the_panels_load(
    make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(show=True, size=(1000, 700))  # panels leave a narrow view
    view = window.view3d
    qtbot.wait(100)  # the panels have settled; the start view re-framed to the narrower view
    view.render_now()
    ex, ey, _ = _extent(view.scene, view.render_window, list(STANDARD_VIEWS[0].frame))
    assert max(ex, ey) <= 0.95, "the opening view is not cropped by the panels"
    assert max(ex, ey) >= 0.8


CLOSEUP_BONES = ["hip_bone_right", "sacrum", "femur_right", "vertebra_l3", "vertebra_l4"]


@pytest.mark.parametrize(
    "muscle", ["gluteus_maximus_right", "piriformis_right", "psoas_major_right", "iliacus_right"]
)
def test_closeup_fills_the_view_with_the_muscle_not_its_bones(offscreen: Any, muscle: str) -> None:
    """``render --frame``: the muscle, not the femur or the spine, sets the scale (the atlas
    plates' close-ups showed each muscle at about a fifth of its tile)."""
    from viewer.render.offscreen import closeup_camera

    context, scene, window = offscreen
    state = context.state
    state.reset()
    state.isolate([muscle, *CLOSEUP_BONES])
    scene.apply_pose(closeup_camera(scene, [muscle], None))
    ex, ey, span = _extent(scene, window, [muscle])
    assert max(ex, ey) <= 0.95, f"{muscle}: the close-up crops its subject"
    # the larger of its on-screen width and height, as a share of the frame's
    x_span = _extent_x_span(scene, window, [muscle])
    assert max(span, x_span) / 2.0 >= 0.6, f"{muscle} fills only {max(span, x_span) / 2:.0%}"
    scene.apply_view(view_by_name("posterior"))  # the whole-scene framing the plates used
    _, _, old = _extent(scene, window, [muscle])
    assert max(span, x_span) > 1.4 * max(old, _extent_x_span(scene, window, [muscle]))


def test_closeup_from_the_best_side_ghosts_the_muscles_covering_it(offscreen: Any) -> None:
    from viewer.render.offscreen import CLOSEUP_GHOST_OPACITY, closeup_camera

    context, scene, _ = offscreen
    state = context.state
    state.reset()
    state.set_opacity("piriformis_right", 1.0)
    pose = closeup_camera(scene, ["piriformis_right"], None)
    back = np.subtract(pose.position, pose.focal_point)
    assert back[1] > 0.7 * np.linalg.norm(back), "the piriformis is shown from behind"
    assert state.opacity("gluteus_maximus_right") <= CLOSEUP_GHOST_OPACITY + 1e-6
    state.reset()


def _extent_x_span(scene: Any, window: Any, ids: list[str]) -> float:
    """On-screen width of the structures as a share of the half-width (2.0 = the whole width)."""
    points = scene.visible_points(ids)
    camera = scene.renderer.GetActiveCamera()
    w, h = window.GetSize()
    matrix = camera.GetCompositeProjectionTransformMatrix(w / h, -1, 1)
    m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
    hom = np.c_[points, np.ones(len(points))] @ m.T
    return float(np.ptp(hom[:, 0] / hom[:, 3]))


def _ndc(points: Any, pose: Any, angle: float, aspect: float) -> tuple[Any, Any]:
    """Normalised device x, y (the frame's edges at +-1) of ``points`` seen from ``pose``."""
    pos, focal, up = (
        np.asarray(v, dtype=float) for v in (pose.position, pose.focal_point, pose.view_up)
    )
    back = (pos - focal) / np.linalg.norm(pos - focal)
    right = np.cross(up, back)
    rel = points - pos
    depth = -(rel @ back)
    t = math.tan(math.radians(angle) / 2)
    return (rel @ right) / depth / (t * aspect), (rel @ up) / depth / t


def test_a_free_left_column_keeps_a_narrow_subject_in_the_middle_and_a_wide_one_beside_it() -> None:
    from viewer.domain.framing import fit_pose

    direction, up, angle, aspect = (0.0, -1.0, 0.0), (0.0, 0.0, 1.0), 30.0, 16 / 9
    tall = np.array([(x, 0.0, z) for x in (-40.0, 40.0) for z in (-200.0, 200.0)])
    pose = fit_pose(tall, direction, up, angle, aspect, top_free=0.1, left_free=0.3)
    x, y = _ndc(tall, pose, angle, aspect)
    assert y.max() == pytest.approx(0.9 * 0.9 - 0.1, abs=0.01), "the height below the band is used"
    assert abs(x.mean()) < 0.01, "a narrow subject stays in the middle of the frame"
    wide = np.array([(x, 0.0, z) for x in (-400.0, 400.0) for z in (-100.0, 100.0)])
    pose = fit_pose(wide, direction, up, angle, aspect, left_free=0.3)
    x, _ = _ndc(wide, pose, angle, aspect)
    assert x.min() >= -1.0 + 2 * 0.3 - 1e-6, "a wide subject keeps right of the column"
    assert x.max() == pytest.approx(0.9 * 0.7 + 0.3, abs=0.01)
