"""Marker encoding a room can read: one ink that never collides with pair colours or zone reds,
far-side x's legible on the projector, a key whenever an X is drawn; pair-view lever arcs.

The label layouts of every lesson step and pair view (with the key as an obstacle) are checked in
``test_label_views.py``; here are the rules themselves and the key on real renders.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from viewer.domain.palette import MARKER_INK, contrast_ratio, pair_contrast
from viewer.render.heatmap_painter import ESSENTIAL_RGB, SPILLOVER_RGB
from viewer.render.markers import GHOST_GLYPH, GHOST_RGB, apply_marker_style
from viewer.render.pair_overlay import LEVER_MAX_DEG, LEVER_MIN_MM, lever_arc

PAIR_FILE = Path(__file__).resolve().parents[1] / "annotations" / "pair_views.json"


def _hex(rgb: object) -> str:
    r, g, b = (round(float(c)) for c in np.asarray(rgb).reshape(3))
    return f"#{r:02x}{g:02x}{b:02x}"


def _pair_colours() -> set[str]:
    data = json.loads(PAIR_FILE.read_text(encoding="utf-8"))
    return {p[s]["color"] for p in data["pair_views"] for s in ("a", "b")}


def test_marker_ink_stays_apart_from_pair_colours_and_zone_reds() -> None:
    others = _pair_colours() | {_hex(ESSENTIAL_RGB), _hex(SPILLOVER_RGB)}
    assert len(others) >= 4
    for colour in others:
        contrast = pair_contrast(MARKER_INK, colour)
        assert contrast.ok, (colour, contrast)


def test_every_muscle_gets_the_one_marker_ink() -> None:
    from viewer.context import load_context
    from viewer.features import load_features

    features = load_features(load_context())
    if features.triggers is None:
        pytest.skip("no trigger points in the built-in atlas")
    assert features.marker_colors and set(features.marker_colors.values()) == {MARKER_INK}


class _Prop:
    """Records what a marker style sets (stands in for a vtkTextProperty)."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def __getattr__(self, name: str) -> object:
        def setter(*args: object) -> None:
            self.values[name] = args[0] if len(args) == 1 else args

        return setter


def _over(background: float, box: float) -> float:
    """Grey level of a white box with opacity ``box`` over a grey ``background``."""
    return box * 1.0 + (1 - box) * background


def _grey_hex(level: float) -> str:
    v = round(255 * level)
    return f"#{v:02x}{v:02x}{v:02x}"


@pytest.mark.parametrize("background", [0.0, 0.55, 1.0])  # projector black, mid muscle, white
def test_far_side_x_reads_on_every_background_yet_differs_from_a_visible_x(
    background: float,
) -> None:
    far, visible = _Prop(), _Prop()
    apply_marker_style(far, "far_side", (0.0, 0.0, 0.0))
    apply_marker_style(visible, "visible", (0.0, 0.0, 0.0))
    box = float(far.values["SetBackgroundOpacity"])  # type: ignore[arg-type]
    behind = _over(background, box)
    ratio = contrast_ratio(_grey_hex(GHOST_RGB[0]), _grey_hex(behind))
    assert ratio >= 3.0, (background, ratio)  # WCAG large-text minimum
    # Distinct from the point to press: grey not black, thin not bold.
    assert far.values["SetColor"] != visible.values["SetColor"]
    assert far.values["BoldOff"] == () and visible.values["BoldOn"] == ()


def test_lever_arc_starts_at_the_attachment_and_swings_by_the_right_hand_rule() -> None:
    center = np.zeros(3)
    axis = np.array([1.0, 0.0, 0.0])
    point = np.array([5.0, 0.0, 50.0])  # 50 mm above the axis
    arc = lever_arc(point, center, axis, +1, 40.0)
    assert arc is not None
    assert np.allclose(arc[0], point)
    radii = np.linalg.norm(arc[:, 1:], axis=1)
    assert np.allclose(radii, 50.0) and np.allclose(arc[:, 0], 5.0)
    # +x axis, right-hand rule: a point above the axis (+z) swings toward -y.
    assert arc[1, 1] < 0
    length = float(np.linalg.norm(np.diff(arc, axis=0), axis=1).sum())
    assert length == pytest.approx(40.0, rel=0.01)
    back = lever_arc(point, center, axis, -1, 40.0)
    assert back is not None and back[1, 1] > 0
    assert lever_arc(np.array([0.0, 0.0, LEVER_MIN_MM / 2]), center, axis, 1, 40.0) is None
    long = lever_arc(point, center, axis, 1, 1000.0)
    assert long is not None
    swing = abs(float(np.degrees(np.arctan2(-long[-1, 1], long[-1, 2]))))
    assert swing == pytest.approx(LEVER_MAX_DEG, abs=0.5)


@pytest.fixture(scope="module")
def builtin() -> tuple[object, object]:
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context()
    features = load_features(context)
    if features.triggers is None or features.pairs is None:
        pytest.skip("no trigger points or pair views in the built-in atlas")
    return context, features


def test_psoas_piriformis_key_calls_the_turning_proposed(builtin: tuple[object, object]) -> None:
    from viewer.render.pair_legend import legend_rows

    _context, features = builtin
    pairs = features.pairs  # type: ignore[attr-defined]
    rows = legend_rows(pairs.enter("psoas_vs_piriformis", "right").resolved)
    text = " ".join(r[0] for r in rows)
    assert "proposed" in text and "turns: nutation" not in text, text
    hip = " ".join(r[0] for r in legend_rows(pairs.enter("iliopsoas_vs_gluteus_maximus").resolved))
    assert "proposed" not in hip and "turns: flexion" in hip, hip
    pairs.exit()


def test_marker_key_shows_exactly_when_markers_are_drawn(builtin: tuple[object, object]) -> None:
    from viewer.domain.camera import view_by_name
    from viewer.render.marker_legend import ROWS
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.theme import PROJECTOR

    context, features = builtin
    triggers = features.triggers  # type: ignore[attr-defined]
    state = context.state  # type: ignore[attr-defined]
    width, height = 1280, 720
    with offscreen_scene(
        context.loaded, state, (width, height), PROJECTOR, features, msaa=0  # type: ignore[attr-defined]
    ) as off:
        key = off.overlays.marker_legend
        off.labels.set_labels(["psoas_major_right", "iliacus_right", "hip_bone_right"])
        off.window.Render()
        off.scene.apply_view(view_by_name("anterior"))
        off.window.Render()
        assert off.overlays.layer.drawn_styles(), "the opening view marks the iliopsoas points"
        assert key.visible and key.texts()[0] == ROWS["visible"]
        box = key.box()
        assert box is not None and box[0] >= 0 and box[1] >= 0
        assert box[2] <= width and box[3] <= height
        assert key.row_px >= 0.021 * height
        # Its box is one the label layout keeps clear (y down there).
        assert off.labels.shown
        assert any(
            abs(o[0] - box[0]) < 1 and abs(o[2] - box[2]) < 1 for o in off.labels.obstacle_boxes
        )
        # From behind with the psoas points chosen: they lie on the far side, drawn as grey x's.
        points = [t for t, m in triggers.muscle_of.items() if m.startswith("psoas_major")]
        points = [p for p in points if p.endswith("_right")]
        triggers.set_active(points)
        off.scene.apply_view(view_by_name("posterior"))
        off.window.Render()
        assert "far_side" in off.overlays.layer.drawn_styles()
        assert ROWS["far_side"] in key.texts()
        # The key's far-side sample is as large as the ghost x's it explains (a lecturer saw a
        # speck in the key and "white boxes" on the body, and could not match the two).
        layer = off.overlays.layer
        ghost_px = max(
            a.GetTextProperty().GetFontSize()
            for a in layer._actors.values()
            if a.GetVisibility() and a.GetInput() == GHOST_GLYPH
        )
        sample_px = max(
            p.GetTextProperty().GetFontSize()
            for p in key._props
            if p.GetInput() == GHOST_GLYPH
        )
        assert sample_px >= 0.9 * ghost_px, (sample_px, ghost_px)
        # No markers drawn: no key.
        triggers.set_active([])
        triggers.set_markers_visible(sorted(set(triggers.muscle_of.values())), False)
        off.window.Render()
        assert not off.overlays.layer.drawn_styles()
        assert not key.visible and key.box() is None


def test_marker_key_stacks_above_the_length_key(builtin: tuple[object, object]) -> None:
    """Both keys live in the lower-right corner; with a posed body in length colours and
    markers drawn, the marker key sits above the length key instead of printing over it."""
    from viewer.domain.camera import view_by_name
    from viewer.domain.pose import PRESETS
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.theme import THEMES

    context, features = builtin
    state = context.state  # type: ignore[attr-defined]
    triggers = features.triggers  # type: ignore[attr-defined]
    triggers.set_markers_visible(sorted(set(triggers.muscle_of.values())), True)
    with offscreen_scene(
        context.loaded, state, (1280, 800), THEMES["light"], features, msaa=0  # type: ignore[attr-defined]
    ) as off:
        state.set_pose(PRESETS["sitting_upright"])
        off.posture_key.set_lengths_shown(True)
        off.window.Render()
        off.scene.apply_view(view_by_name("anterior"))
        off.window.Render()
        marker_box = off.overlays.marker_legend.box()
        length_box = off.posture_key.key_box()
        assert marker_box is not None and length_box is not None
        assert marker_box[1] >= length_box[3], (marker_box, length_box)
        state.set_pose(PRESETS["standing"])
