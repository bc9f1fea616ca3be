"""Compare mode as a lecturer projects it: both referral maps complete, the key in the frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tests.gui_helpers import window_rgb
from viewer.domain.structures import hex_to_rgb

SIZE = (1280, 720)


@pytest.fixture(scope="module")
def atlas_features() -> tuple[Any, Any]:
    """The built-in atlas and its features, loaded once for the module: each test enters its
    pair view and leaves it again (the controller restores the scene exactly), so every test
    starts from the scene a fresh load gives, without reading the atlas and building the
    referral model six times."""
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context()
    features = load_features(context)
    if features.pairs is None or features.referral is None:
        pytest.skip("the built-in atlas has no pair views or skin")
    return context, features


Rendered = tuple[np.ndarray, dict[str, Any], Any]


@pytest.fixture(scope="module")
def render_compare(atlas_features: tuple[Any, Any]) -> Callable[[str], Rendered]:
    """Render a pair view's compare mode, once per pair view for the module (two tests read
    the psoas vs piriformis picture; they only read it)."""
    done: dict[str, Rendered] = {}

    def render(pid: str) -> Rendered:
        if pid not in done:
            done[pid] = _render_compare(pid, atlas_features)
        return done[pid]

    return render


def _render_compare(
    pid: str, atlas_features: tuple[Any, Any]
) -> tuple[np.ndarray, dict[str, Any], Any]:
    """Image (h, w, 3), what compare mode drew (key text and boxes), and the pair."""
    context, features = atlas_features
    assert features.pairs.active is None and context.state.pose.is_standing
    try:
        return _render_entered(pid, context, features)
    finally:
        features.pairs.exit()


def _render_entered(
    pid: str, context: Any, features: Any
) -> tuple[np.ndarray, dict[str, Any], Any]:
    from vtkmodules.util.numpy_support import vtk_to_numpy

    from viewer.render.offscreen import offscreen_scene

    active = features.pairs.enter(pid)
    with offscreen_scene(context.loaded, context.state, SIZE, features=features) as (
        window,
        _renderer,
        scene,
        overlays,
    ):
        assert overlays is not None
        overlays.set_compare(True)
        window.Render()
        overlays.refresh_pair()
        scene.apply_pose(overlays.pair_pose(active.resolved))
        window.Render()
        img = window_rgb(window)
        compare = overlays.compare
        assert compare is not None and compare.shown
        boxes = compare.key_boxes()
        legend = [
            _box(a, overlays.scene.renderer)
            for a in overlays.pair_legend.actors
            if hasattr(a, "GetBoundingBox")
        ]
        hatched = 0
        uv = []
        for view in compare.views:
            painter = view.painter
            hatched += int(painter.actor.GetTexture() is painter._texture)  # the stripes
            tcoords = painter.poly.GetPointData().GetTCoords()
            uv.append(None if tcoords is None else vtk_to_numpy(tcoords).copy())
        texture = compare.views[0].painter.region_texture
        rows_px = [
            a.GetTextProperty().GetFontSize()
            for a in overlays.pair_legend.actors
            if hasattr(a, "GetTextProperty") and not a.GetTextProperty().GetBold()
        ]
        info = {"both": compare.both_color, "counts": compare.counts.copy(), "rows_px": rows_px,
                "text": compare.key_text, "key": boxes, "legend": legend, "hatched": hatched,
                "uv": uv, "texture": texture, "active": active, "features": features}
        return img, info, active.pair


def _box(actor: Any, renderer: Any) -> tuple[float, float, float, float]:
    x, y = actor.GetPosition()
    if hasattr(actor, "GetBoundingBox"):
        b = [0.0, 0.0, 0.0, 0.0]
        actor.GetBoundingBox(renderer, b)  # relative to the actor's position
        return (x + b[0], y + b[2], x + b[1], y + b[3])
    return (x, y, x, y)


def _near(img: np.ndarray, color: str, tol: float = 40.0) -> np.ndarray:
    """Pixels within ``tol`` (max channel difference) of a colour, any shading brighter than
    half of it (the skin is lit, so a painted colour appears a little darker or lighter)."""
    target = np.asarray(hex_to_rgb(color)) * 255
    rgb = img.astype(float)
    # Compare chromaticity-like: scale each pixel to the target's brightness first.
    scale = (target.sum() + 1) / (rgb.sum(-1, keepdims=True) + 1)
    scaled = np.clip(rgb * scale, 0, 255)
    bright = rgb.sum(-1) > 0.45 * target.sum()
    return (np.abs(scaled - target).max(-1) < tol) & bright


@pytest.mark.parametrize(
    "pid",
    [
        "psoas_vs_piriformis",
        "iliopsoas_vs_gluteus_maximus",
        "iliopsoas_vs_gluteus_medius_minimus",
        "upper_vs_lower_psoas",
        "bilateral",
        "iliopsoas_vs_quadratus_lumborum",
    ],
)
def test_compare_shows_both_referral_maps_and_a_key_inside_the_frame(
    pid: str, render_compare: Callable[[str], Rendered]
) -> None:
    img, info, pair = render_compare(pid)
    w, h = SIZE
    right = img[:, w // 2 :]
    both = _near(right, info["both"])
    reach_a = _near(right, pair.a.color) | both
    reach_b = _near(right, pair.b.color) | both
    for name, reach in (("A", reach_a), ("B", reach_b)):
        assert reach.mean() > 0.01, f"{pid}: side {name}'s referral hardly on screen"
    counts = info["counts"]
    assert counts[1] + counts[3] > 0 and counts[2] + counts[3] > 0
    text = info["text"]
    assert f"{pair.a.label} only" in text and f"{pair.b.label} only" in text and "both" in text
    assert "not a diagnosis" in text
    for x0, y0, x1, y1 in info["key"]:
        assert w // 2 - 3 <= x0 and x1 <= w and y0 >= -3 and y1 <= h, f"{pid}: key cut off"
        assert y1 - y0 >= 0.02 * h * 0.9, f"{pid}: key text too small for a projector"
    for x0, y0, x1, y1 in info["legend"]:
        assert x0 >= -3 and x1 <= w // 2 and y0 >= 0 and y1 <= h, f"{pid}: pair key cut off"


def test_both_style_is_a_solid_third_colour_apart_in_greyscale_too() -> None:
    from viewer.domain.pairviews import overlap_color
    from viewer.domain.palette import pair_contrast

    both = overlap_color("#0072B2", "#E69F00")
    for other in ("#0072B2", "#E69F00", "#e0b89a"):
        contrast = pair_contrast(both, other)
        assert contrast.ok, (other, contrast)  # colour, every dichromacy and greyscale


def test_the_pair_keys_rows_share_one_font_size(
    render_compare: Callable[[str], Rendered],
) -> None:
    """Pair 1's psoas row is long; shrunk on its own to fit the half-width column it read in a
    smaller font than the piriformis row under it. The rows now share one size (a row still
    too long wraps); only the source note under them may be smaller."""
    _img, info, _pair = render_compare("psoas_vs_piriformis")
    rows = info["rows_px"][:-1]  # the last unbolded text is the source note
    assert len(rows) >= 3 and len(set(rows)) == 1, info["rows_px"]


def test_both_on_the_pair_colours_is_a_deep_indigo_not_black() -> None:
    """With Tol wine and teal (every pair view's colours) "both" was black: on skin it read as
    a hole or a bruise. A deep indigo stays apart from both and from the skin just as well."""
    from viewer.domain.pairviews import overlap_color
    from viewer.domain.palette import pair_contrast
    from viewer.domain.structures import hex_to_rgb

    wine, teal, skin = "#882255", "#44AA99", "#e0b89a"
    both = overlap_color(wine, teal, skin)
    assert all(pair_contrast(both, other).ok for other in (wine, teal, skin))
    r, g, b = hex_to_rgb(both)
    assert b > r + 0.1 and b > g + 0.1, f"{both} should read as indigo, not black or grey"


def test_compare_hatches_nothing_because_hatching_means_spillover(
    render_compare: Callable[[str], Rendered],
) -> None:
    _img, info, _pair = render_compare("psoas_vs_piriformis")
    assert "spillover" in info["text"], "the key says spillover zones count too"
    assert "both" in info["text"]
    assert info["hatched"] == 0


@pytest.mark.parametrize("pid", ["psoas_vs_piriformis", "iliopsoas_vs_gluteus_maximus"])
def test_compare_zone_edges_are_the_smooth_zone_outlines_of_the_single_view(
    pid: str, render_compare: Callable[[str], Rendered]
) -> None:
    """Compare mode's colour edges are drawn per pixel at each side's zone level line (the line
    the single view outlines), and those lines pass the single view's smoothness measure.

    Per-vertex colours (as before) blended across every triangle an edge crossed and stepped
    along the mesh: ragged edges in the gallery's compare views. Here the sides' zone weights
    are the texture coordinates of a nearest-texel texture whose texel edge is the level."""
    from tests.test_zones import MAX_CUSPS_PER_M, MAX_P95_TURN
    from viewer.heatmap.outline import outline_roughness, zone_outlines
    from viewer.render.compare import REACH_LEVEL

    _img, info, _pair = render_compare(pid)
    texture = info["texture"]
    assert texture is not None and not texture.GetInterpolate(), "one colour per side of a line"
    referral, triggers = info["features"].referral, info["features"].triggers
    skin = referral.skin
    for k, muscles in enumerate(
        (info["active"].trigger_muscles_a, info["active"].trigger_muscles_b)
    ):
        heat = referral.field_for([t for t, m in triggers.muscle_of.items() if m in muscles])
        reach = np.maximum(heat.essential, heat.spillover)
        for uv in info["uv"]:
            assert uv is not None and len(uv) == len(reach)
            # The texel edge (0.5) is the zone's level line, away from the clamp.
            near = np.abs(reach - REACH_LEVEL) < 0.4
            assert np.allclose(uv[near, k], reach[near] - REACH_LEVEL + 0.5, atol=1e-5)
        loops = zone_outlines(skin.points, skin.triangles, reach, REACH_LEVEL)
        assert loops, (pid, k)
        cusps, p95 = outline_roughness(loops)
        assert cusps <= MAX_CUSPS_PER_M and p95 <= MAX_P95_TURN, (pid, k, cusps, p95)
