"""Lesson slides with a pair view fill the projected frame: their key sits in a column beside a
tall pair, not in a band over it.

A lecturer found pair-view steps drawing a tall, narrow subject under a top-left key, the
muscles using about half the slide's height and a tenth of its width. The slides are rendered
exactly as ``render --lesson`` and ``export-lesson`` do (projector theme, 1280x720) and the
pair's two colours are found in the pixels (the key's swatches are too small to count).
"""

from __future__ import annotations

import colorsys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from viewer.commands.lessons import render_scene_document

MIN_HEIGHT_SHARE = 0.70
"""The pair's muscles span at least this share of the slide's height (0.53-0.56 under the
old band key, 0.66-0.71 beside the column with the app's 5 % margins, 0.71-0.80 with the
slide's 2 % margins; lesson 11, which framed both femurs to the knees, 0.34 -> 0.73)."""

ONE_SIDED_MUSCLE_SHARE = 0.45
"""Lesson 11 (one side tight) is about the two thighs as much as the muscles: a lecturer could
not see the asymmetry while the thighs were cut 90 mm below the hips to keep the muscles at
0.70 of the height. The step now keeps 250 mm of both thighs in the picture
(``THIGH_FRAMED_MM``); its muscles span at least this share of the height (0.52 drawn) and the
muscles with the thighs' bones at least :data:`MIN_HEIGHT_SHARE`, as a plain pair's muscles
do."""

MIN_AREA_SHARE = 0.063
"""Their bounding box covers at least this share of the slide (0.045-0.060 before,
0.067-0.091 after)."""

SIDE_ON_PAIRS = {"upper_vs_lower_psoas": (0.68, 0.058)}
"""(height, area) floors loosened from :data:`MIN_HEIGHT_SHARE` and :data:`MIN_AREA_SHARE`
for lesson step 3 only (session 17; said in the report). Its curved arrows turn the lumbar
joints about their side-to-side axes and read as odd C-shapes from pair 4's old camera, 51
degrees off the side; pair 4 is now seen from 22 degrees off it. From there psoas shows its
narrow edge: the muscles are drawn from 0.14 to 0.91 of the slide's height, but the rows
holding :data:`MIN_PIXELS` of their colours span 0.69 (the top of upper psoas and the common
tendon are narrower than that) and their box 0.061 of the slide. A camera 30-35 degrees off the
side passed or failed by 0.01 depending on the angle, with the lower ring round the
sacroiliac dot as well."""

SIDE_PAIRS = ("psoas_vs_piriformis", "iliopsoas_vs_gluteus_maximus")
"""Lesson steps 5 and 6: long muscle pairs seen from the side or behind. Fitted whole (T12 to
the femur) they were a strip a tenth to a seventh of the slide wide; the lesson now frames
each on the pelvis and hip it turns (``camera.frame``), the psoas running on under the title
band."""

MIN_SIDE_WIDTH = 0.21
"""Those two pairs' pictures (their muscles and bones, :func:`drawn_width`) span at least
this share of the slide's width: 0.18 and 0.17 before, 0.30 and 0.23 framed (the pairs'
colours alone: 0.105 -> 0.145 and 0.146 -> 0.244)."""

CAPTION_ROWS = 0.05
"""The top rows of a slide the title band covers (its caption's box ends at about 0.055)."""

MIN_PIXELS = 24
"""A row or column of the picture counts as the subject's when this many of its pixels are in
the pair's colours: the key's swatches (two bars of about 8 px) never reach it."""


def _hue(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)[0]


def subject_box(img: Any, colors: list[str]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) as shares of the frame of the pixels drawn in ``colors`` (any shade)."""
    mask = _pair_mask(img, colors)
    cols = np.flatnonzero(mask.sum(axis=0) >= MIN_PIXELS)
    rows = np.flatnonzero(mask.sum(axis=1) >= MIN_PIXELS)
    assert len(cols) and len(rows), "the pair's colours are not in the picture"
    h, w = mask.shape
    return (cols[0] / w, rows[0] / h, cols[-1] / w, rows[-1] / h)


def drawn_width(img: Any) -> float:
    """Share of the slide's width the picture's muscles and bones span, right of the key
    column: pixels bright and coloured enough to be paint or ivory bone (the ghosted skin,
    the grey label boxes and their black text are not), in columns holding at least
    :data:`MIN_PIXELS` of them."""
    rgb = img[..., :3].astype(float)
    mx, mn = rgb.max(-1), rgb.min(-1)
    mask = (mx > 90) & ((mx - mn) / np.maximum(mx, 1.0) > 0.08)
    w = mask.shape[1]
    mask[:, : round(0.3 * w)] = False  # the key's column (its swatches are coloured)
    cols = np.flatnonzero(mask.sum(axis=0) >= MIN_PIXELS)
    return float(cols[-1] - cols[0]) / w if len(cols) else 0.0


def drawn_rows(img: Any) -> tuple[float, float]:
    """(top, bottom) as shares of the slide's height of the rows holding at least
    :data:`MIN_PIXELS` pixels of paint or bone right of the key column (see
    :func:`drawn_width`), below the title band."""
    rgb = img[..., :3].astype(float)
    mx, mn = rgb.max(-1), rgb.min(-1)
    mask = (mx > 90) & ((mx - mn) / np.maximum(mx, 1.0) > 0.08)
    h, w = mask.shape
    mask[:, : round(0.3 * w)] = False
    mask[: round(CAPTION_ROWS * h)] = False
    rows = np.flatnonzero(mask.sum(axis=1) >= MIN_PIXELS)
    return (rows[0] / h, rows[-1] / h) if len(rows) else (0.0, 0.0)


def _pair_mask(img: Any, colors: list[str]) -> Any:
    """Pixels drawn in ``colors`` (any shade, saturated enough to be paint, not bone)."""
    rgb = img[..., :3].astype(float) / 255
    mx, mn = rgb.max(-1), rgb.min(-1)
    sat = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0)
    import matplotlib.colors as mcolors

    hue = mcolors.rgb_to_hsv(rgb)[..., 0]
    mask = np.zeros(img.shape[:2], dtype=bool)
    for c in colors:
        d = np.abs(hue - _hue(c))
        mask |= (np.minimum(d, 1 - d) < 0.04) & (sat > 0.45) & (mx > 0.15)
    return mask


def test_pair_view_slides_fill_the_frame(lesson: Any, tmp_path: Path) -> None:
    from viewer.context import load_context
    from viewer.features import load_features

    features = load_features(load_context())
    if features.pairs is None:
        pytest.skip("the built-in atlas has no pair views")
    atlases: dict[str, Any] = {}
    checked = 0
    for number, step in enumerate(lesson.steps, start=1):
        pair_view = step.scene.pair_view
        if pair_view is None:
            continue
        # A step framing its own structures (11) fits its muscles, with the bones it names
        # only near them: its subject fills the slide as a plain pair step's does.
        pair = features.pairs.enter(pair_view.id).pair
        out = tmp_path / f"step{number}.png"
        render_scene_document(
            step.scene, None, out, (1280, 720), "lesson", step.caption, "projector", atlases
        )
        img = np.asarray(Image.open(out))
        x0, y0, x1, y1 = subject_box(img, [pair.a.color, pair.b.color])
        where = f"step {number} ({pair_view.id}): box {x0:.2f},{y0:.2f}-{x1:.2f},{y1:.2f}"
        # One side tight, or a posed step (8 stands on the right leg, the left thigh lifted):
        # the muscles and the thighs.
        if pair_view.tight_side is not None or step.scene.posture is not None:
            top, bottom = drawn_rows(img)
            assert y1 - y0 >= ONE_SIDED_MUSCLE_SHARE, where
            assert bottom - min(top, y0) >= MIN_HEIGHT_SHARE, (where, top, bottom)
            assert drawn_width(img) * (bottom - top) >= MIN_AREA_SHARE, where
        else:
            tall, area = SIDE_ON_PAIRS.get(pair_view.id, (MIN_HEIGHT_SHARE, MIN_AREA_SHARE))
            assert y1 - y0 >= tall, where
            assert (x1 - x0) * (y1 - y0) >= area, where
        assert 0.2 < (x0 + x1) / 2 < 0.8, (where, "the subject is not pushed to an edge")
        if pair_view.id in SIDE_PAIRS:
            wide = drawn_width(img)
            assert wide >= MIN_SIDE_WIDTH, (where, f"a strip {wide:.2f} of the slide wide")
        # Nothing of the pair shows through the title: a muscle cropped by a close-up ends
        # at the band below the caption.
        top = _pair_mask(img, [pair.a.color, pair.b.color])[: round(CAPTION_ROWS * 720)]
        assert int(top.sum()) < MIN_PIXELS, (where, "pair drawn under the caption")
        checked += 1
    assert checked >= 5, "the built-in lesson has pair-view steps (3, 5, 6, 8, 11)"


def test_a_framed_step_fits_its_muscles_and_only_the_bone_near_them() -> None:
    """Lesson 11 named both femurs beside the two iliopsoas muscles and the femurs' shafts set
    the scale. Bones named with muscles are context: only their points near the muscles are
    fitted; a step naming only bones (the pelvis and spine of step 7) fits them whole."""
    from viewer.render.structure_framing import subject_points

    muscle = np.column_stack([np.zeros(50), np.zeros(50), np.linspace(0.0, 250.0, 50)])
    femur = np.column_stack([np.full(60, 8.0), np.zeros(60), np.linspace(-450.0, 10.0, 60)])
    points = subject_points([muscle], [femur])
    assert points[:, 2].min() > -20.0, "the femur's shaft below the muscle is not fitted"
    assert (points[:, 0] == 8.0).any(), "the bone where the muscle ends is"
    bones_only = subject_points([], [femur])
    assert bones_only[:, 2].min() == -450.0
