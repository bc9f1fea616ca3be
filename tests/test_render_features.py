"""Rendered pixels of pair views and heat maps on the built-in atlas (needs muscles and skin)."""

from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viewer.cli import main
from viewer.context import load_context
from viewer.features import load_features
from viewer.render.heatmap_painter import ESSENTIAL_RGB
from viewer.render.offscreen import render_to_png


@pytest.fixture(scope="module")
def pair_ids() -> list[tuple[str, str, str]]:
    context = load_context()
    features = load_features(context)
    if features.pairs is None:
        pytest.skip("the built-in atlas has no pair views yet")
    library = features.pairs.library
    out = []
    for pid in library.ids:
        pair = features.pairs.enter(pid).pair
        out.append((pid, pair.a.color, pair.b.color))
    features.pairs.exit()
    return out


def _hue(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)[0]


def _masks(img: np.ndarray, colors: list[str]) -> list[np.ndarray]:
    rgb = img[..., :3].astype(float) / 255
    mx, mn = rgb.max(-1), rgb.min(-1)
    sat = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0)
    hsv = np.vectorize(lambda r, g, b: colorsys.rgb_to_hsv(r, g, b)[0])
    hue = hsv(rgb[..., 0], rgb[..., 1], rgb[..., 2])
    out = []
    for c in colors:
        d = np.abs(hue - _hue(c))
        d = np.minimum(d, 1 - d)
        out.append((sat > 0.45) & (d < 0.04))
    return out


def test_every_pair_view_shows_both_colours_over_lighter_context(
    pair_ids: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    for pid, color_a, color_b in pair_ids:
        context = load_context()
        features = load_features(context)
        assert features.pairs is not None
        features.pairs.enter(pid)
        # 800x500, a small laptop window: markers keep their pixel size, so
        # on a thumbnail their label boxes cover a small muscle like piriformis
        out = render_to_png(context.loaded, context.state, tmp_path / f"{pid}.png",
                            size=(800, 500), features=features)
        img = np.asarray(Image.open(out))[..., :3]
        mask_a, mask_b = _masks(img, [color_a, color_b])
        assert mask_a.mean() > 0.004, f"{pid}: side A colour {color_a} hardly on screen"
        assert mask_b.mean() > 0.004, f"{pid}: side B colour {color_b} hardly on screen"
        lum = img.astype(float) @ np.array([0.299, 0.587, 0.114])
        background = lum > 0.97 * np.percentile(lum, 99)
        context_px = ~(mask_a | mask_b | background)
        pair_lum = max(lum[mask_a].mean(), lum[mask_b].mean())
        assert lum[context_px].mean() > pair_lum, f"{pid}: ghosted context is not lighter"


def test_render_trigger_point_paints_heat_map_and_legend(tmp_path: Path) -> None:
    context = load_context()
    features = load_features(context)
    if features.triggers is None:
        pytest.skip("the built-in atlas has no skin for heat maps yet")
    out = tmp_path / "piriformis.png"
    code = main(["render", "--trigger-points", "piriformis_lateral_right", "--view", "posterior",
                 "--size", "800x500", "-o", str(out)])
    assert code == 0
    img = np.asarray(Image.open(out))[..., :3].astype(int)
    red = np.all(np.abs(img - ESSENTIAL_RGB.astype(int)) < 45, axis=-1)
    assert red.mean() > 0.002, "essential zone painted on the skin"
    right_half = red[:, img.shape[1] // 2 :].sum()
    left_half = red[:, : img.shape[1] // 2].sum()
    # Posterior view: the subject's right side is on the image's right.
    assert right_half > 5 * max(left_half, 1), "a right-side trigger point refers to the right"
    legend = img[-140:, :320]
    assert (legend.sum(-1) < 150).sum() > 200, "legend and disclaimer text in the corner"


def test_unknown_trigger_point_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if load_features(load_context()).triggers is None:
        pytest.skip("the built-in atlas has no skin for trigger points yet")
    code = main(["render", "--trigger-points", "no_such_point", "-o", str(tmp_path / "x.png")])
    assert code == 2
    assert "no_such_point" in capsys.readouterr().err


def test_compare_mode_splits_muscles_and_referral_difference(
    pair_ids: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    pid, color_a, color_b = next(p for p in pair_ids if p[0] == "iliopsoas_vs_gluteus_maximus")
    out = tmp_path / "compare.png"
    assert main(["render", "--pair", pid, "--compare", "--size", "800x400", "-o", str(out)]) == 0
    img = np.asarray(Image.open(out))[..., :3]
    left, right = img[:, :400], img[:, 400:]
    for half, name in ((left, "muscles"), (right, "referral map")):
        mask_a, mask_b = _masks(half, [color_a, color_b])
        assert mask_a.mean() > 0.004 and mask_b.mean() > 0.004, f"{name}: both colours shown"
    skin = np.array([int("e0b89a"[i : i + 2], 16) for i in (0, 2, 4)])
    assert (np.abs(right.astype(int) - skin).sum(-1) < 90).mean() > (
        np.abs(left.astype(int) - skin).sum(-1) < 90
    ).mean(), "the right half shows the (opaque) skin"


def test_compare_needs_a_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--compare", "-o", str(tmp_path / "x.png")]) == 2
    assert "--compare needs --pair" in capsys.readouterr().err


def test_a_heat_map_brings_the_skin_up_without_any_renderer() -> None:
    """The skin rule is scene state: it holds for exports and lessons, not only the window."""
    from viewer.features import HEAT_MIN_SKIN_OPACITY

    context = load_context()
    features = load_features(context)
    if features.triggers is None:
        pytest.skip("the built-in atlas has no skin for heat maps yet")
    context.state.set_visible("skin", False)
    features.triggers.set_active(["piriformis_lateral_right"])
    assert context.state.is_visible("skin")
    assert context.state.opacity("skin") == HEAT_MIN_SKIN_OPACITY
