"""A slumped sitting side view shows the rounded upper back. Framed on T12 to the proximal
femurs (the pelvis and lumbar spine), the posture pictures cut the trunk at T12, and the 20
degrees of upper-back rounding the caption names ("upper back rounded 20°"), which is what reads
as slumped (docs/POSTURE.md), lay above the picture. A seated side view with the upper back
rounded now frames the shown skin's upper trunk up to the shoulders as well; other poses and
views keep their framing."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.domain.pose import PRESETS, STANDING
from viewer.domain.posture_guides import frames_trunk, trunk_frame_points

SIZE = (1280, 800)


def test_only_seated_poses_with_a_rounded_upper_back_frame_the_trunk() -> None:
    assert frames_trunk(PRESETS["sitting_slumped"])
    assert not frames_trunk(PRESETS["sitting_upright"])  # no rounding: framed as before
    assert not frames_trunk(STANDING)
    assert not frames_trunk(PRESETS["anterior_tilt"])


def test_trunk_points_are_the_trunk_segments_up_to_the_shoulders() -> None:
    bones = ("arm_right", "thorax_lower", "thorax_upper", "vertebra_l3")
    weights = np.array(
        [
            [0.0, 1.0, 0.0, 0.0],  # chest: kept
            [0.0, 0.2, 0.6, 0.2],  # upper back: kept
            [0.9, 0.0, 0.1, 0.0],  # arm: left out
            [0.0, 0.3, 0.0, 0.7],  # waist, mostly lumbar: left out
            [0.0, 0.0, 1.0, 0.0],  # head, above the shoulders: left out
        ]
    )
    standing = np.array([[0, 0, 350.0], [0, 60, 450], [-300, 0, 300], [0, 0, 250], [0, 0, 600]])
    posed = standing + 1.0
    out = trunk_frame_points(posed, standing, bones, weights, top_z=494.0)
    assert np.allclose(out, posed[:2])
    assert trunk_frame_points(posed, standing, ("femur_right",), weights[:, :1], 494.0).shape == (
        0,
        3,
    )


def _inside(renderer: object, points: np.ndarray) -> np.ndarray:
    out = []
    for p in points:
        renderer.SetWorldPoint(*p, 1.0)  # type: ignore[attr-defined]
        renderer.WorldToDisplay()  # type: ignore[attr-defined]
        x, y, _z = renderer.GetDisplayPoint()  # type: ignore[attr-defined]
        out.append(0.0 <= x <= SIZE[0] and 0.0 <= y <= SIZE[1])
    return np.array(out)


@pytest.mark.parametrize("skin_opacity", [0.35, 0.0])
def test_the_slumped_side_view_keeps_the_rounded_back_in_the_picture(skin_opacity: float) -> None:
    from viewer.context import load_context
    from viewer.domain.structures import Kind
    from viewer.io.posture import shared_posture_model
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.structure_framing import posture_camera, trunk_points

    context = load_context()
    state = context.state
    state.set_pose(PRESETS["sitting_slumped"])
    skin = next(s.id for s in context.loaded.atlas.renderable if s.kind is Kind.SKIN)
    state.set_opacity(skin, skin_opacity)
    model = shared_posture_model(context.loaded)
    if "shoulder_right" not in model.skeleton.limb_joints:
        pytest.skip("an atlas without the skin's shoulder joints")
    with offscreen_scene(context.loaded, state, SIZE) as off:
        off.guides.set_always(True)
        off.window.Render()
        off.scene.apply_pose(posture_camera(off.scene, "right"))
        off.window.Render()
        trunk = trunk_points(off.scene, "right")
        if skin_opacity == 0.0:
            # No skin shown: nothing above T12 rounds (the atlas has no bones or muscles there
            # that take the thoracic flexion), so the framing stays on the pelvis and spine.
            assert trunk is None
            return
        assert trunk is not None and len(trunk) > 100
        # The upper back up to the shoulders is in the picture (it was above it: framed on T12
        # to the femurs, the frame's top lay about 110 mm below the shoulders).
        shown = _inside(off.renderer, trunk)
        assert shown.mean() >= 0.99, f"{100 * (1 - shown.mean()):.0f} % of the upper trunk cut"
        # The pelvis and lumbar spine stay the subject: still in the picture too.
        bones = [off.scene.drawn_points(b, light=True) for b in ("sacrum", "vertebra_l1")]
        assert all(_inside(off.renderer, b[:: max(1, len(b) // 200)]).all() for b in bones)


def test_slumped_sitting_without_skin_keeps_what_is_drawn_whole_and_says_what_is_not() -> None:
    """Gallery views-24 (slumped sitting, no skin): framed on T12 to the femurs, the erector
    spinae and the abdominal wall ran out at the top of the picture, which read as the upper
    back cut off; nothing above T12 is drawn, so the caption promised "upper back rounded 20°"
    over a picture without one. Everything drawn but the femurs' shafts is now in the frame,
    and the title says the upper back is not drawn."""
    from viewer.context import load_context
    from viewer.domain.posture_words import UNSHOWN_ROUNDING
    from viewer.domain.structures import Kind
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.structure_framing import posture_camera

    context = load_context()
    state = context.state
    state.set_pose(PRESETS["sitting_slumped"])
    skin = next(s.id for s in context.loaded.atlas.renderable if s.kind is Kind.SKIN)
    state.set_opacity(skin, 0.0)
    with offscreen_scene(context.loaded, state, SIZE) as off:
        off.guides.set_always(True)
        off.window.Render()
        off.scene.apply_pose(posture_camera(off.scene, "right"))
        off.window.Render()
        cut = {}
        for s in state.atlas.renderable:
            if s.kind is Kind.SKIN or s.id.startswith("femur_") or not state.is_visible(s.id):
                continue
            if state.opacity(s.id) <= 0.0:
                continue
            drawn = off.scene.drawn_points(s.id, light=True)
            if drawn is None or not len(drawn):
                continue
            shown = _inside(off.renderer, drawn[:: max(1, len(drawn) // 300)])
            if not shown.all():
                cut[s.id] = round(100 * (1 - shown.mean()), 1)
        assert not cut, f"cut by the frame (% of points): {cut}"
        rows = [a.GetInput() for a in off.posture_key._title_texts]
    assert UNSHOWN_ROUNDING in rows, rows
    state.set_opacity(skin, 0.35)
    from viewer.domain.posture_words import unshown_rounding_text

    assert unshown_rounding_text(state.pose, skin_shown=True) == ""
    assert unshown_rounding_text(PRESETS["sitting_upright"], skin_shown=False) == ""
