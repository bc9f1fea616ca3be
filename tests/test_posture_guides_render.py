"""Posture side views as pictures: the pelvis and lumbar spine fill the frame, the ASIS-PSIS line
is drawn at the pose's angle, and lesson step 7 shows the tilt line and the L4-S1 stretch."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from viewer.render.posture_guides import COMPRESSED_RGB, TILT_RGB

REPO = Path(__file__).resolve().parents[1]
SIZE = (480, 300)


def _render(tmp: Path, name: str, *extra: str) -> NDArray[np.int16]:
    from PIL import Image

    from viewer.cli import main

    out = tmp / f"{name}.png"
    args = ["render", "-o", str(out), "--size", f"{SIZE[0]}x{SIZE[1]}", "--no-markers"]
    assert main([*args, *extra]) == 0
    mode = "RGBA" if "--transparent" in extra else "RGB"
    return np.asarray(Image.open(out).convert(mode), dtype=np.int16)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, NDArray[np.int16]]:
    """Standing and anterior tilt from the right, and anterior tilt without references."""
    side = ["--view", "right", "--skin-opacity", "0"]
    t = tmp_path_factory.mktemp("posture")
    return {
        "standing": _render(t, "standing", "--pose", "standing", *side),
        "anterior": _render(t, "anterior", "--pose", "anterior_tilt", *side),
        "bare": _render(
            t, "bare", "--pose", "anterior_tilt", *side, "--no-posture-guides", "--transparent"
        ),
        "standing_bare": _render(
            t, "standing_bare", "--pose", "standing", *side, "--no-posture-guides"
        ),
    }


def _near(image: NDArray[np.int16], rgb: tuple[float, float, float], tol: int) -> NDArray[np.bool_]:
    target = np.array([round(255 * c) for c in rgb])
    return np.all(np.abs(image[..., :3] - target) <= tol, axis=-1)


def _line_angle(mask: NDArray[np.bool_]) -> float:
    """Angle to the horizontal of the strongest straight line in ``mask`` (degrees, positive
    when it falls toward the right of the picture), by a small Hough search."""
    rows, cols = np.nonzero(mask)
    x, y = cols.astype(float), (mask.shape[0] - rows).astype(float)
    best, angle = -1, 0.0
    for deg in np.arange(-45.0, 45.01, 0.5):
        t = math.radians(deg)
        offset = -x * math.sin(t) + y * math.cos(t)
        peak = np.bincount(((offset - offset.min()) // 4).astype(int)).max()
        if peak > best:
            best, angle = peak, deg
    return -angle


def test_posture_side_views_frame_the_pelvis_and_spine(
    shots: dict[str, NDArray[np.int16]],
) -> None:
    alpha = shots["bare"][..., 3] > 0
    body = alpha[int(0.15 * SIZE[1]) :, :]  # below the title band
    cols = np.nonzero(body.any(axis=0))[0]
    width_share = (cols.max() - cols.min() + 1) / SIZE[0]
    rows = np.nonzero(alpha.any(axis=1))[0]
    height_share = (rows.max() - rows.min() + 1) / SIZE[1]
    assert height_share >= 0.9, height_share
    assert width_share >= 0.35, width_share  # was a strip of about 12 %
    assert height_share * width_share >= 0.33  # the subject's box covers a third of the frame
    assert body.mean() >= 0.12, body.mean()  # and it is not a thin outline
    assert _near(shots["bare"], TILT_RGB, 40).sum() == 0  # references switched off


def test_the_asis_psis_line_shows_the_tilt(shots: dict[str, NDArray[np.int16]]) -> None:
    from tests.test_posture_guides import _guides
    from viewer.domain.pose import PRESETS, STANDING

    standing = _near(shots["standing"], TILT_RGB, 40)
    anterior = _near(shots["anterior"], TILT_RGB, 40)
    assert standing.sum() > 300 and anterior.sum() > 300
    a_standing, a_anterior = _line_angle(standing), _line_angle(anterior)
    assert abs(a_standing - _guides(STANDING).tilt_deg) <= 3.0, a_standing
    assert abs(a_anterior - _guides(PRESETS["anterior_tilt"]).tilt_deg) <= 3.0, a_anterior
    assert 9.0 <= a_anterior - a_standing <= 15.0
    # L4-S1 flagged on the anterior tilt only. Lit muscle rims share the line's red, so the
    # standing picture is compared with itself drawn without references: they add no red.
    assert _near(shots["anterior"], COMPRESSED_RGB, 35).sum() > 100
    added = _near(shots["standing"], COMPRESSED_RGB, 35) & ~_near(
        shots["standing_bare"], COMPRESSED_RGB, 35
    )
    assert added.sum() < 20, added.sum()


def test_lesson_step_7_shows_the_tilt_and_the_compressed_stretch(tmp_path: Path) -> None:
    lesson = REPO / "annotations" / "lessons" / "iliopsoas_back_pain.json"
    step = ["--lesson", str(lesson), "--step", "7", "--theme", "projector"]
    shot = _render(tmp_path, "step7", *step)
    assert _near(shot, TILT_RGB, 40).sum() > 300
    assert _near(shot, COMPRESSED_RGB, 35).sum() > 150
    # The pelvis and lumbar spine fill the picture: lit pixels (bone, muscle) span most of it.
    lit = shot[..., :3].max(axis=-1) > 60
    band = lit[int(0.12 * SIZE[1]) :, :]
    rows = np.nonzero(band.any(axis=1))[0]
    assert (rows.max() - rows.min() + 1) / band.shape[0] >= 0.85
    assert band.mean() >= 0.2, band.mean()


def test_the_posture_title_says_what_the_grey_ghost_is() -> None:
    """A posed body seen from the side draws the standing pose as a grey ghost; the title
    says so (a lecturer and a patient took it for a second spine). Seen from the front there
    is no ghost, and the line goes."""
    from viewer.context import load_context
    from viewer.domain.camera import view_by_name
    from viewer.domain.pose import PRESETS
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.posture_key import GHOST_NOTE

    context = load_context()
    context.state.set_pose(PRESETS["sitting_upright"])

    def title(off: Any) -> str:
        return " ".join(str(t.GetInput()) for t in off.posture_key._title_texts)

    with offscreen_scene(context.loaded, context.state, (1280, 800)) as off:
        off.scene.apply_view(view_by_name("right"))
        off.window.Render()
        assert "ghost" in off.guides.visible_parts()
        assert GHOST_NOTE.split(":")[0] in title(off)
        off.scene.apply_view(view_by_name("anterior"))
        off.window.Render()
        assert "ghost" not in off.guides.visible_parts()
        assert GHOST_NOTE.split(":")[0] not in title(off)


def test_the_reference_texts_stay_inside_a_4_to_3_picture(tmp_path: Path) -> None:
    """At 1200 x 900 (4:3 projectors) the tilt text of the sitting side view, "ASIS-PSIS -2° to
    horizontal (standing 12°)", ran off the right edge ("standing 12" was the last thing on
    it); each reference text now slides back inside the picture, beside where it was."""
    from PIL import Image

    from viewer.cli import main

    out = tmp_path / "sitting_4_3.png"
    args = ["render", "-o", str(out), "--size", "1200x900", "--no-markers"]
    assert main([*args, "--pose", "sitting_upright", "--view", "right"]) == 0
    image = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    tilt = _near(image, TILT_RGB, 40)
    rows = np.flatnonzero(tilt.any(axis=1))
    assert tilt.sum() > 500, "the tilt line and its text are drawn"
    edge = max(4, round(0.005 * image.shape[1]))
    assert not tilt[:, -edge:].any(), (
        f"tilt colour at the right edge, rows {rows.min()}-{rows.max()}"
    )
    assert not tilt[:, :edge].any()


def test_the_standing_dashes_read_on_bone_and_background_and_are_named_near_them() -> None:
    """Lesson 7 on the projector: a lecturer could hardly see the dashed standing curve and
    standing ASIS-PSIS line (light grey-blue dashes vanished over the ivory hip bone), and the
    "standing curve" words stood at L1, a lumbar spine away from the S1 they name. The dashes
    now have a dark casing under a light core on dark themes (a white casing under a dark core
    on the light one), the curve's words sit nearer S1 than L1, and the standing ASIS-PSIS
    dashes have words of their own beside their front end."""
    from viewer.context import load_context
    from viewer.domain.camera import view_by_name
    from viewer.domain.pose import preset
    from viewer.render.guide_text_layout import project
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.posture_guides import (
        CASING_ON_DARK_RGB,
        CASING_RGB,
        GHOST_LINE_ON_DARK_RGB,
        GHOST_LINE_RGB,
    )
    from viewer.render.theme import LIGHT, PROJECTOR

    context = load_context()
    context.state.set_pose(preset("anterior_tilt"))
    for theme, core, casing in (
        (PROJECTOR, GHOST_LINE_ON_DARK_RGB, CASING_ON_DARK_RGB),
        (LIGHT, GHOST_LINE_RGB, CASING_RGB),
    ):
        with offscreen_scene(context.loaded, context.state, (1280, 720), theme) as off:
            off.scene.apply_view(view_by_name("right"))
            off.window.Render()
            guides = off.guides
            ghost = guides._lines["ghost"]
            assert ghost.segments and ghost.actor.GetVisibility(), "the standing dashes show"
            assert ghost.casing is not None and ghost.casing.GetVisibility()
            assert ghost.actor.GetProperty().GetColor() == pytest.approx(core)
            assert ghost.casing.GetProperty().GetColor() == pytest.approx(casing)
            wide = ghost.casing.GetProperty().GetLineWidth()
            assert wide >= ghost.actor.GetProperty().GetLineWidth() + 2.0
            curve = guides.standing_curve
            assert curve is not None
            l1, s1 = (np.array(project(off.renderer, p)) for p in (curve[0], curve[-1]))
            texts = guides._texts
            for key in ("standing", "standing_tilt"):
                assert texts[key].GetVisibility() and texts[key].GetInput(), key
            x, y = texts["standing"].GetPosition()
            assert np.hypot(*(s1 - (x, y))) < np.hypot(*(l1 - (x, y))), "named nearer S1"


def test_a_dashed_lines_name_laid_out_far_from_it_has_a_leader_to_it() -> None:
    """Slumped sitting seen from the right: the layout pushed "standing curve, from S1" past
    the tilt line's words onto the buttock under the PSIS, some 60 px below the dashed curve
    it names, and a lecturer read it as a label floating on nothing. A name laid out more than
    LEADER_FAR_SHARE of the height from its line now has a thin leader from its box to the
    line; a name beside its line has none."""
    from viewer.context import load_context
    from viewer.domain.camera import view_by_name
    from viewer.domain.pose import preset
    from viewer.render.guide_text_layout import project
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.posture_guides import LEADER_FAR_SHARE

    context = load_context()
    context.state.set_pose(preset("sitting_slumped"))
    with offscreen_scene(context.loaded, context.state, (1280, 800)) as off:
        off.scene.apply_view(view_by_name("right"))
        off.window.Render()
        guides = off.guides
        leaders = guides._leaders
        assert leaders.segments and leaders.actor.GetVisibility(), "no leader drawn"
        target = np.array(project(off.renderer, guides._leader_targets["standing"]))
        ends = [np.array(seg[1]) for seg in leaders.segments]
        assert min(np.hypot(*(e - target)) for e in ends) < 1.0, "no leader ends on the curve"
        text = guides._texts["standing"]
        bbox = [0.0, 0.0, 0.0, 0.0]
        text.GetBoundingBox(off.renderer, bbox)
        for (sx, sy), (tx, ty) in leaders.segments:
            assert np.hypot(tx - sx, ty - sy) > LEADER_FAR_SHARE * 800
        # Orbiting, the words ride on their anchors and the leaders go (they would point
        # astray); the still frame draws them again.
        guides.moving = lambda: True
        guides._texts_fitted = ("stale",)
        off.window.Render()
        assert not leaders.actor.GetVisibility()


def test_a_leader_joins_a_far_box_to_its_target_and_none_a_near_one() -> None:
    from viewer.domain.guide_layout import leader

    box = (100.0, 100.0, 200.0, 120.0)
    assert leader(box, (150.0, 130.0), 20.0) is None  # 10 px above the box
    seg = leader(box, (150.0, 200.0), 20.0)
    assert seg == ((150.0, 120.0), (150.0, 200.0))  # from the nearest edge point, straight up
    seg = leader(box, (300.0, 60.0), 20.0)
    assert seg == ((200.0, 100.0), (300.0, 60.0))  # from the nearest corner
