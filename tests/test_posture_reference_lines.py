"""Where the lordosis line and the standing curve are drawn (a lecturer's review of the posture
views, lessons 4 and 7).

The teal lordosis line ran from T12 on past its L1 dot, so the measured curve ended nowhere a
class could see; it now joins the L1 and S1 dots, as the tilt line joins the PSIS and ASIS.
Seated, the dashed standing curve stood where the standing spine had been, 2.5-5 cm in front
of the seated column (over the iliopsoas: a spine inside the abdomen); it is now drawn from the
posed S1, along the real column, and named "standing curve, from S1".
"""

from __future__ import annotations

import numpy as np
import pytest

from viewer.domain.pose import PRESETS, STANDING
from viewer.domain.posture_guides import guide_marks, standing_reference

POSED = ("sitting_upright", "sitting_slumped", "anterior_tilt", "posterior_tilt")

BODY_HALF_DEPTH_MM = 15.0
"""A lumbar body's centre to its front or back surface is about 15-17 mm (see
``FACET_SHARE`` in :mod:`viewer.domain.posture_guides`): a standing curve kept this close to the
posed one runs inside the vertebral bodies, not in front of them."""


def test_the_lordosis_line_is_l1_to_s1_and_its_ends_are_the_marks() -> None:
    from tests.test_posture_guides import _guides

    for name in ("standing", *POSED):
        g = _guides(PRESETS[name])
        marks = {m.key: m.point for m in guide_marks(g)}
        line = g.lordosis_line
        assert np.allclose(line[0], marks["l1"]), name
        assert np.allclose(line[-1], marks["s1"]), name
        assert len(line) == 6  # L1, L2, L3, L4, L5, S1: no T12 above the L1 dot


@pytest.mark.parametrize("name", POSED)
def test_the_standing_curve_starts_at_the_posed_s1_and_runs_along_the_column(name: str) -> None:
    from tests.test_posture_guides import _guides

    standing, posed = _guides(STANDING), _guides(PRESETS[name])
    ref = standing_reference(standing, posed)
    assert np.allclose(ref[-1], posed.curve[-1])
    # Its shape is the standing curve's: moved, not turned or bent.
    assert np.allclose(np.diff(ref, axis=0), np.diff(standing.lordosis_line, axis=0))
    # Front to back (y) it stays within a vertebral body of the posed curve at every level
    # (where it stood: 17-52 mm off; from S1: at most 12 mm).
    off = np.abs(ref[:, 1] - posed.lordosis_line[:, 1])
    assert off.max() <= BODY_HALF_DEPTH_MM, (name, off.round(1))


def test_a_seated_side_view_draws_both_lines_between_their_dots() -> None:
    """As drawn: the teal line's first and last points are the L1 and S1 dots; the dashed
    standing curve ends on the S1 dot and carries its name."""
    from viewer.context import load_context
    from viewer.render.offscreen import offscreen_scene
    from viewer.render.structure_framing import posture_camera

    context = load_context()
    context.state.set_pose(PRESETS["sitting_upright"])
    with offscreen_scene(context.loaded, context.state, (480, 300), msaa=0) as off:
        off.window.Render()
        off.scene.apply_pose(posture_camera(off.scene, "right"))
        off.window.Render()
        guides = off.guides
        segments = guides._lines["curve"].segments
        assert np.allclose(segments[0][0], guides.marks.centre("l1"))
        assert np.allclose(segments[-1][1], guides.marks.centre("s1"))
        ref = guides.standing_curve
        assert ref is not None and np.allclose(ref[-1], guides.marks.centre("s1"))
        dashes = np.array([p for seg in guides._lines["ghost"].segments for p in seg])
        # The dashes of the curve (above the tilt line's ends) lie along the posed column.
        curve_dashes = dashes[dashes[:, 2] > guides.marks.centre("s1")[2] + 5.0]
        assert len(curve_dashes)
        posed = guides.guides
        assert posed is not None
        front = posed.lordosis_line[:, 1].min() - BODY_HALF_DEPTH_MM
        assert curve_dashes[:, 1].min() >= front, "a standing curve in front of the spine"
        assert guides.text("standing") == "standing curve, from S1"


def test_the_standing_curve_is_named_in_everyday_words_for_patients() -> None:
    from viewer.domain.posture_words import JARGON, standing_text

    plain = standing_text(plain=True)
    assert "standing" in plain and not any(word.lower() in plain.lower() for word in JARGON)
    assert "S1" in standing_text()
