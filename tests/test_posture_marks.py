"""What the posture guide lines join, and their words kept off them (a lecturer's review).

Seen from the side without skin, the ASIS-PSIS line and the lumbar curve ran over muscle and one
could not see what they joined: the ASIS, PSIS, L1 and S1 now carry dots with a light ring and
their names. On lesson step 7 "L4-S1 loaded at the back (facet joints)" lay across the tilt
line; the guides' words are now placed clear of the lines and of each other. Seated, the grey
standing ghost read as a spine inside the abdomen; it is drawn as outlines, its dashed curve
named "standing".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.gui_helpers import window_rgb
from viewer.domain.guide_layout import (
    best_box,
    boxes_overlap,
    grow,
    mark_candidates,
    segment_hits_box,
    text_candidates,
)
from viewer.domain.pose import PRESETS, STANDING

SIZE = (640, 400)


# -- pure geometry --------------------------------------------------------------------------------
def test_the_marks_are_the_ends_of_the_tilt_line_and_of_the_lordosis() -> None:
    from tests.test_posture_guides import _guides
    from viewer.domain.posture_guides import guide_marks

    g = _guides(PRESETS["anterior_tilt"])
    marks = {m.key: m for m in guide_marks(g)}
    assert [marks[k].label for k in ("asis", "psis", "l1", "s1")] == ["ASIS", "PSIS", "L1", "S1"]
    assert np.allclose(marks["asis"].point, g.asis) and np.allclose(marks["psis"].point, g.psis)
    assert np.allclose(marks["l1"].point, g.curve[1]) and np.allclose(
        marks["s1"].point, g.curve[-1]
    )
    assert marks["asis"].line == marks["psis"].line == "tilt"
    assert marks["asis"].outward > 0 > marks["psis"].outward  # ASIS named in front, PSIS behind


def test_a_box_crossed_by_a_line_is_found_and_avoided() -> None:
    box = (10.0, 10.0, 50.0, 20.0)
    assert segment_hits_box(((0.0, 0.0), (60.0, 30.0)), box)  # diagonal through it
    assert not segment_hits_box(((0.0, 30.0), (60.0, 30.0)), box)  # above it
    assert segment_hits_box(((20.0, 12.0), (25.0, 14.0)), box)  # inside it
    assert not segment_hits_box(((60.0, 0.0), (60.0, 40.0)), box)
    frame = (0.0, 0.0, 200.0, 200.0)
    line = [((0.0, 15.0), (100.0, 15.0))]
    # The first candidate crosses the line, the second is clear: the second is taken.
    assert best_box([box, (10.0, 30.0, 50.0, 40.0)], [line], [], [], frame) == 1
    # Clear of lines but over a text already placed: the next one.
    taken = [(0.0, 25.0, 60.0, 45.0)]
    assert (
        best_box(
            [box, (10.0, 30.0, 50.0, 40.0), (10.0, 60.0, 50.0, 70.0)], [line], [], taken, frame
        )
        == 2
    )
    # Equal costs keep the first (a text stays at its own side when that is free).
    assert (
        best_box([(10.0, 60.0, 50.0, 70.0), (10.0, 80.0, 50.0, 90.0)], [line], [], [], frame) == 0
    )
    assert boxes_overlap(grow(box, 3.0), (52.0, 10.0, 60.0, 20.0))


def test_candidates_try_the_other_side_and_keep_a_mark_name_off_its_dot() -> None:
    offsets = text_candidates((0.0, -10.0, 200.0, 10.0), 22.0)
    assert offsets[0] == (0.0, 0.0)
    assert (-200.0, 0.0) in offsets[:4]  # mirrored across the anchor, early
    dot = (-5.0, -5.0, 5.0, 5.0)
    for x, y in mark_candidates((30.0, 14.0), 5.0, 1.0):
        assert not boxes_overlap(grow((x, y, x + 30.0, y + 14.0), 3.0), dot), (x, y)
    assert mark_candidates((30.0, 14.0), 5.0, 1.0)[0][0] > 0  # outward first
    assert mark_candidates((30.0, 14.0), 5.0, -1.0)[0][0] < 0


# -- drawn -----------------------------------------------------------------------------------
def _display(renderer: Any, p: np.ndarray) -> np.ndarray:
    """Display pixels (x, y up) of a world point."""
    renderer.SetWorldPoint(*p, 1.0)
    renderer.WorldToDisplay()
    return np.array(renderer.GetDisplayPoint()[:2])


@pytest.mark.parametrize("theme", ["light", "projector"])
def test_the_asis_and_psis_are_dots_with_names_at_the_tilt_lines_ends(theme: str) -> None:
    """Standing from the right, as ``render --pose standing --view right --skin-opacity 0``:
    the tilt line runs from the PSIS dot to the ASIS dot, each dot coloured like the line with
    a light ring (seen over muscle and on both themes), each named beside it."""
    from viewer.context import load_context
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.posture_guides import CURVE_RGB, TILT_RGB
    from viewer.render.structure_framing import posture_camera
    from viewer.render.theme import THEMES

    context = load_context()
    context.state.set_pose(STANDING)
    for s in context.loaded.atlas.renderable:
        if s.kind.value == "skin":
            context.state.set_visible(s.id, False)
    with offscreen_scene(context.loaded, context.state, SIZE, THEMES[theme]) as off:
        guides = off.guides
        guides.set_always(True)
        off.window.Render()
        off.scene.apply_pose(posture_camera(off.scene, "right"))
        off.window.Render()
        parts = guides.visible_parts()
        marks = {"asis", "psis", "l1", "s1"}
        assert {f"mark:{k}" for k in marks} | {f"text:{k}" for k in marks} <= parts, parts
        assert guides.text("asis") == "ASIS" and guides.text("psis") == "PSIS"
        ((a, b),) = guides._lines["tilt"].segments
        assert np.allclose(a, guides.marks.centre("psis")) and np.allclose(
            b, guides.marks.centre("asis")
        )
        rgb = window_rgb(off.window).astype(int)
        height = SIZE[1]
        names = {}
        for box, key in zip(guides.text_boxes(), _text_keys(guides), strict=True):
            names[key] = box
        for key, colour in (("asis", TILT_RGB), ("psis", TILT_RGB), ("s1", CURVE_RGB)):
            x, y = _display(off.renderer, guides.marks.centre(key))
            col, row = x, height - 1 - y
            want = np.array([round(255 * c) for c in colour])
            # The dot: the guide's colour, centred on the landmark (within the pixel rounding).
            r0, c0 = round(row) - 8, round(col) - 8
            near = np.abs(rgb[r0 : r0 + 17, c0 : c0 + 17] - want).max(axis=-1) <= 30
            yy, xx = np.mgrid[r0 : r0 + 17, c0 : c0 + 17]
            inner = guides.marks.dots[key].sources[1].GetRadius()
            near &= np.hypot(yy - row, xx - col) <= inner + 1.0  # not the line leading in
            assert near.sum() >= 9, (key, "no dot")
            rows, cols = np.nonzero(near)
            cy, cx = r0 + rows.mean(), c0 + cols.mean()
            assert np.hypot(cy - row, cx - col) <= 1.5, (key, cy - row, cx - col)
            ring = guides.marks.dots[key].radius - 1.0
            for t in np.linspace(0.0, 2 * np.pi, 8, endpoint=False):
                px = rgb[round(cy - ring * np.sin(t)), round(cx + ring * np.cos(t))]
                assert px.min() >= 200, (key, "ring", px)  # light ring, over muscle or black
            x0, y0, x1, y1 = names[key]  # its name is beside it (y down)
            gap = max(x0 - cx, cx - x1, y0 - cy, cy - y1, 0.0)
            assert gap <= guides.marks.dots[key].radius + 12.0, (key, gap)
        guides.set_plain(True)  # patient mode: everyday words on the same marks
        assert guides.text("asis") == "front of pelvis" and guides.text("s1") == "base of low back"


def _text_keys(guides: Any) -> list[str]:
    """The keys of the texts :meth:`text_boxes` lists, in its order."""
    marks = guides.marks.texts if hasattr(guides, "marks") else {}
    keys = [*guides._texts, "thigh", *marks]
    texts = [*guides._texts.values(), guides._thigh_text, *marks.values()]
    return [k for k, t in zip(keys, texts, strict=True) if t.GetVisibility() and t.GetInput()]


def test_lesson_step_7_keeps_the_l4_s1_words_off_the_tilt_lines(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slide as exported (projector, 1280x720): "L4-S1 loaded at the back" crossed the
    ASIS-PSIS line. Its box, and every other guide text's, now crosses no guide line (tilt, its
    dashed horizontal, the lumbar curve, the L4-S1 stretch) and no other guide text."""
    from pathlib import Path

    from viewer.commands.lessons import render_scene_document
    from viewer.domain.guide_layout import segment_hits_box
    from viewer.io.lessons import load_lesson
    from viewer.render import posture_guides

    lesson, _ = load_lesson(
        Path(__file__).resolve().parents[1] / "annotations/lessons/iliopsoas_back_pain.json"
    )
    assert lesson is not None
    step = lesson.steps[6]
    seen: list[dict[str, Any]] = []
    detach = posture_guides.PostureGuideOverlay.detach

    def spy(self: Any) -> None:
        height = self.renderer.GetSize()[1]
        lines = {}
        for name in ("tilt", "horizontal", "ghost", "curve", "compressed"):
            drawn = self._lines[name]
            if drawn.actor.GetVisibility():
                lines[name] = [
                    tuple(
                        (p[0], height - p[1])
                        for p in (_display(self.renderer, a), _display(self.renderer, b))
                    )
                    for a, b in drawn.segments
                ]
        seen.append(
            {"lines": lines, "boxes": dict(zip(_text_keys(self), self.text_boxes(), strict=True))}
        )
        detach(self)

    monkeypatch.setattr(posture_guides.PostureGuideOverlay, "detach", spy)
    out = tmp_path / "step7.png"
    render_scene_document(step.scene, None, out, (1280, 720), "lesson", step.caption, "projector")
    assert seen
    lines, boxes = seen[-1]["lines"], seen[-1]["boxes"]
    assert {"tilt", "horizontal", "compressed"} <= set(lines), set(lines)
    assert {"compressed", "tilt", "lordosis"} <= set(boxes), set(boxes)
    for key, box in boxes.items():
        for name, segments in lines.items():
            if name == "ghost" and key != "compressed":
                continue  # the faint standing lines may pass under other words
            # A clear gap: the tilt line's half width (5 px wide at 720 px) and some.
            crossing = [s for s in segments if segment_hits_box(s, grow(box, 5.0))]
            assert not crossing, f"the {key!r} words cross the {name} line"
        for other, box2 in boxes.items():
            if other != key:
                assert not boxes_overlap(box, box2), (key, other)
    assert {"asis", "psis", "l1", "s1"} <= set(boxes), "the marks are named"


def test_the_seated_standing_ghost_is_outlines_named_standing() -> None:
    """Seated from the side: the standing pelvis is drawn as lines (its outline), no filled
    surface; the standing lumbar spine only as its dashed curve, which carries the word
    "standing"."""
    from viewer.context import load_context
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.structure_framing import posture_camera

    context = load_context()
    context.state.set_pose(PRESETS["sitting_upright"])
    with offscreen_scene(context.loaded, context.state, SIZE, msaa=0) as off:
        off.window.Render()
        off.scene.apply_pose(posture_camera(off.scene, "right"))
        off.window.Render()
        guides = off.guides
        assert {"ghost", "text:standing"} <= guides.visible_parts()
        assert guides.text("standing") == "standing curve, from S1"
        drawn = [a for a in guides._ghost if a.GetVisibility()]
        assert len(drawn) == 3  # the pelvis (seated, no femurs), no lumbar vertebrae
        for actor in drawn:
            poly = actor.GetMapper().GetInput()
            assert poly.GetNumberOfLines() > 20, "an outline"
            assert poly.GetNumberOfPolys() == 0, "no filled surface"


def test_patient_mode_names_the_marks_in_everyday_words() -> None:
    from viewer.domain.posture_words import JARGON, mark_text

    for key, label in (("asis", "ASIS"), ("psis", "PSIS"), ("l1", "L1"), ("s1", "S1")):
        assert mark_text(key, label) == label
        plain = mark_text(key, label, plain=True)
        assert label not in plain and not any(word in plain.lower() for word in JARGON), plain
    assert mark_text("asis", "ASIS", plain=True) == "front of pelvis"


def test_the_guide_words_are_laid_out_on_the_still_frame_not_while_orbiting() -> None:
    """The words' layout costs 4-5 ms; while the camera moves (reduced frames) they ride on
    their anchors, and the frame drawn when it stops lays them out again."""
    from viewer.context import load_context
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.structure_framing import posture_camera
    from viewer.render.theme import THEMES

    context = load_context()
    context.state.set_pose(STANDING)
    with offscreen_scene(context.loaded, context.state, SIZE, THEMES["light"]) as off:
        guides = off.guides
        guides.set_always(True)
        off.scene.apply_pose(posture_camera(off.scene, "right"))
        off.window.Render()
        laid_out = guides._texts_fitted
        assert laid_out is not None
        moving = True
        guides.moving = lambda: moving
        off.renderer.GetActiveCamera().Azimuth(3.0)
        off.window.Render()
        assert guides._texts_fitted is laid_out, "laid out again while the camera moved"
        moving = False
        off.window.Render()
        assert guides._texts_fitted is not laid_out, "the still frame keeps the old layout"
