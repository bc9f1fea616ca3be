"""A one-sided pose shows its bent thigh: lesson step 11 (right iliopsoas tight) held the right
hip 17 degrees bent, but only the numbers in the title said so; seen from the front-right
(both sides in view) the bend was invisible. The bent thigh's axis is drawn against the
vertical through its hip, with its angle in words, in a side view; seen obliquely (lesson 11)
those straight lines swung sideways in projection and a lecturer read them as abduction, so
there the side-view sketch alone shows the bend (:mod:`viewer.render.thigh_inset`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.gui_helpers import window_rgb
from viewer.domain.pose import PRESETS, HipAngles, Pose
from viewer.domain.posture_guides import one_sided_thigh, thigh_angle, thigh_label


def test_only_a_one_sided_pose_has_a_bent_thigh() -> None:
    assert one_sided_thigh(PRESETS["standing"]) is None
    assert one_sided_thigh(PRESETS["sitting_upright"]) is None
    assert one_sided_thigh(PRESETS["anterior_tilt"]) is None
    tight = Pose("t", 2.0, 2.0, HipAngles(17.0), HipAngles(2.0))
    assert one_sided_thigh(tight) == "right"
    assert thigh_angle(tight, "right") == pytest.approx(15.0)
    assert thigh_label(tight, "right") == "right thigh 15° forward of standing (left 0°)"
    mirrored = Pose("t", 0.0, 0.0, HipAngles(0.0), HipAngles(12.0))
    assert one_sided_thigh(mirrored) == "left"


def _lesson_camera() -> Any:
    from viewer.io.lessons import builtin_lessons, load_lesson

    lesson, _ = load_lesson(builtin_lessons()[0])
    assert lesson is not None
    step = lesson.steps[10]
    assert step.scene.pair_view is not None and step.scene.pair_view.tight_side == "right"
    assert step.scene.camera is not None and step.scene.camera.view == "anterolateral_left"
    return step.scene.camera


def _display(renderer: Any, p: np.ndarray) -> np.ndarray:
    renderer.SetWorldPoint(*p, 1.0)
    renderer.WorldToDisplay()
    return np.array(renderer.GetDisplayPoint()[:2])


def test_lesson_step_11_draws_the_bent_right_thigh_where_both_sides_show() -> None:
    from viewer.context import load_context
    from viewer.domain.camera import view_by_name
    from viewer.features import load_features
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.structure_framing import framed_view_pose
    from viewer.render.theme import THEMES

    context = load_context()
    features = load_features(context)
    if features.pairs is None or context.state.tight_pose_source is None:
        pytest.skip("no pair views or posture for the built-in atlas")
    features.pairs.enter_key(5)
    context.state.set_pose(context.state.tight_pose_source("right"))
    if features.triggers is not None:  # the step shows no X's ("markers": [])
        every = sorted(set(features.triggers.muscle_of.values()))
        features.triggers.set_markers_visible(every, False)
    projector = THEMES["projector"]  # the lesson's slides: bigger labels, longer arrows wanted
    with offscreen_scene(context.loaded, context.state, (1280, 720), projector, features) as off:
        camera = _lesson_camera()  # as lesson step 11 looks
        off.window.Render()
        # Framed as slides and the presenter frame it: the start of the thigh lines is kept
        # in the picture (they end inside the frame).
        extra = off.guides.framed_extra()
        off.scene.apply_pose(framed_view_pose(off.scene, camera.view, camera.frame, extra=extra))
        off.window.Render()
        guides = off.guides
        parts = guides.visible_parts()
        # Seen from in front and to the left the straight thigh lines swung sideways on the
        # slide and read as abduction: only the side-view sketch shows the bend here.
        assert not {"thigh", "thigh_standing", "text:thigh"} & parts, parts
        assert guides.inset.box is not None, "the side-view sketch of the bent thigh"
        # The framed view still keeps the thighs in the picture: both femurs show well below
        # the hips (the frame keeps 250 mm of them, guides.thigh_frame_points).
        ends = guides.thigh_frame_points(view_by_name(camera.view).direction)
        assert ends is not None and len(ends) == 3
        hip, *downs = (_display(off.renderer, p) for p in ends)
        assert all(hip[1] - d[1] >= 125.0 for d in downs), (hip, downs)
        # Both sides show: the far (right, wine) iliopsoas is not hidden behind the left (teal).
        rgb = window_rgb(off.window).astype(int)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        wine = (r > g + 40) & (r > b + 10)
        teal = (g > r + 40) & (b > r + 30)
        assert wine.sum() > 1500 and teal.sum() > 1500, (int(wine.sum()), int(teal.sum()))
        # A lecturer found the tight (right) muscle half hidden behind the left one, seen from
        # the left: seen from in front and to the left it lies open, at least as large on the
        # slide as the other (it was about half of it).
        assert wine.sum() >= teal.sum(), (int(wine.sum()), int(teal.sum()))
        # And the key says which coloured muscle is the tight one.
        rows = off.overlays.pair_legend.text().splitlines()
        tight = [row for row in rows if "tight here" in row]
        assert len(tight) == 1 and "(right)" in tight[0], rows
        # The same muscle on both sides pulls the same way: every straight arrow is drawn at
        # the end the view names (the pelvis and spine), not flipped to the femur by a few
        # pixels of length (the right iliacus once pointed up at the hip, the left one down).
        straight = [(p, path) for p, path, arc in off.overlays.pairs_overlay.drawn_pulls()]
        assert {p.structure for p, _ in straight} >= {"iliacus_right", "iliacus_left"}
        for pull, path in straight:
            assert (path[-1] - path[0]) @ pull.direction > 0, f"{pull.structure} flipped"


def test_seen_from_the_front_the_bent_thigh_is_not_drawn_as_a_stub() -> None:
    from viewer.context import load_context
    from viewer.domain.camera import view_by_name
    from viewer.render.offscreen import offscreen_scene

    context = load_context()
    if context.state.tight_pose_source is None:
        pytest.skip("no posture for the built-in atlas")
    context.state.set_pose(context.state.tight_pose_source("right"))
    with offscreen_scene(context.loaded, context.state, (640, 400)) as off:
        off.scene.apply_view(view_by_name("anterior"))
        off.window.Render()
        assert not {"thigh", "text:thigh"} & off.guides.visible_parts()
        assert off.guides.inset.box is not None
        off.scene.apply_view(view_by_name("right"))
        off.window.Render()
        assert {"thigh", "thigh_standing", "text:thigh"} <= off.guides.visible_parts()
        assert off.guides.inset.box is None, "lines or sketch, never both"
        # Obliquely (lesson 11's camera) the lines read as abduction: the sketch alone.
        off.scene.apply_view(view_by_name("anterolateral_left"))
        off.window.Render()
        assert not {"thigh", "thigh_standing", "text:thigh"} & off.guides.visible_parts()
        assert off.guides.inset.box is not None


def test_lesson_step_11_seen_from_the_side_ends_the_thigh_lines_inside_the_frame(
    lesson: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slide (projector, 1280x720, framed on both iliopsoas muscles) drew the thigh lines
    hip to knee and they ran off its bottom edge; they were then ended at least 2 % of the
    frame inside every edge. The slide itself, seen obliquely, now draws no thigh lines (they
    read as abduction there; its sketch shows the bend), so the same step is checked seen from
    the right, where the lines are drawn: as exported, the lines read from the guides just
    before the offscreen scene is torn down."""
    from dataclasses import replace

    from viewer.commands.lessons import render_scene_document
    from viewer.render import posture_guides

    step = lesson.steps[10]
    assert step.scene.pair_view is not None and step.scene.pair_view.tight_side == "right"
    seen: list[dict[str, np.ndarray]] = []
    detach = posture_guides.PostureGuideOverlay.detach

    def spy(self: Any) -> None:
        lines = {}
        for name, drawn in self._thigh_lines.items():
            if drawn.actor.GetVisibility() and drawn.segments:
                ends = np.array([p for seg in drawn.segments for p in seg])
                lines[name] = np.array([_display(self.renderer, p) for p in ends])
        if self._thigh_text.GetVisibility():
            bbox = [0.0, 0.0, 0.0, 0.0]
            self._thigh_text.GetBoundingBox(self.renderer, bbox)
            ax, ay = self._thigh_text.GetPositionCoordinate().GetComputedDisplayValue(
                self.renderer
            )
            lines["words"] = np.array([[ax + bbox[0], ay + bbox[2]], [ax + bbox[1], ay + bbox[3]]])
        lines["inset"] = np.array([0.0 if self.inset.box is None else 1.0])
        seen.append(lines)
        detach(self)

    monkeypatch.setattr(posture_guides.PostureGuideOverlay, "detach", spy)
    out = tmp_path / "step11.png"
    render_scene_document(step.scene, None, out, (1280, 720), "lesson", step.caption, "projector")
    assert seen and set(seen[-1]) == {"inset"} and seen[-1]["inset"][0] == 1.0, (
        "the oblique slide draws the sketch, not the thigh lines"
    )
    assert step.scene.camera is not None
    side = replace(step.scene, camera=replace(step.scene.camera, view="right"))
    render_scene_document(side, None, out, (1280, 720), "lesson", step.caption, "projector")
    assert set(seen[-1]) == {"thigh", "thigh_standing", "words", "inset"}, "both lines drawn"
    assert seen[-1].pop("inset")[0] == 0.0, "lines or sketch, never both"
    words = seen[-1].pop("words")
    margin = 0.02 * 720
    for name, pixels in seen[-1].items():
        x, y = pixels[:, 0], pixels[:, 1]
        assert x.min() >= margin and x.max() <= 1280 - margin, (name, x.min(), x.max())
        assert y.min() >= margin and y.max() <= 720 - margin, (name, "cut by the frame", y.min())
        # Long enough to show the two thighs apart: 98 px when the frame kept 90 mm of them
        # (the bend 25 px at the lines' ends, unseen on a projected slide).
        assert float(np.ptp(y)) >= 200.0, (name, "a stub", float(np.ptp(y)))
    bent, upright = seen[-1]["thigh"][-1], seen[-1]["thigh_standing"][-1]
    apart = float(np.linalg.norm(bent - upright))
    assert apart >= 45.0, f"the thigh's bend is {apart:.0f} px at the lines' ends"
    # The words lie beside the thigh, in front of it (screen right, seen from the right), not
    # on the slide's bottom edge where they sat at the line's end.
    (x0, y0), (_x1, _y1) = words
    assert y0 >= 0.1 * 720, f"the thigh's words sit {y0:.0f} px above the slide's bottom"
    hip, end = seen[-1]["thigh"][0], seen[-1]["thigh"][-1]
    assert x0 >= max(hip[0], end[0]) - 5.0, "the words lie in front of the bent thigh"
