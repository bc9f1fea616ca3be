"""Pair-view arrows follow the posed body (issue 14 item 7: one iliopsoas tight).

The arrows were resolved once on the standing atlas and stayed there when the tight side's hip
flexed, so the iliopsoas arrow ended in front of a femur that had moved.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests import pair_fixtures
from viewer.domain.pair_pose import posed_pair
from viewer.domain.pairviews import resolve_pair


def test_posed_pair_carries_lines_joints_and_pulls_and_redoes_turnings() -> None:
    from viewer.io.pairviews import load_pair_views

    atlas, lm, meshes = pair_fixtures.build()
    library = load_pair_views(atlas, lm).library
    resolved = resolve_pair(library.get("psoas_vs_piriformis"), atlas, lm, meshes)
    assert resolved.pulls and resolved.turnings
    shift = np.array([5.0, -40.0, 12.0])
    moved = posed_pair(resolved, atlas, lambda _m, p: p + shift, lambda p: p + shift)
    for before, after in zip(resolved.lines, moved.lines, strict=True):
        assert np.allclose(after.points, before.points + shift)
    for before, after in zip(resolved.joints, moved.joints, strict=True):
        assert np.allclose(after.point, before.point + shift)
    for before, after in zip(resolved.pulls, moved.pulls, strict=True):
        assert np.allclose(after.point, before.point + shift)
        assert np.allclose(after.direction, before.direction)
    # Turnings are computed again about the moved joints: a rigid shift keeps every moment.
    for before, after in zip(resolved.turnings, moved.turnings, strict=True):
        assert np.allclose(after.center, before.center + shift)
        assert after.moment_nm == pytest.approx(before.moment_nm)
    # Carrying one muscle only (the other standing still) changes its moment.
    lever = posed_pair(
        resolved,
        atlas,
        lambda m, p: p + (shift if "piriformis" in m else 0.0),
        lambda p: p,
    )
    piri = next(t for t in lever.turnings if t.side == "b")
    assert piri.moment_nm != pytest.approx(
        next(t for t in resolved.turnings if t.side == "b").moment_nm
    )


def test_tight_side_arrows_end_on_the_posed_femur() -> None:
    """Left vs right of iliopsoas with the right side tight: the right pull's insertion end
    (where its course meets the femur; the view's arrows pull the origins) moves with the
    flexed right femur (same place on the bone as standing), the left one stays."""
    from scipy.spatial import cKDTree

    from viewer.context import load_context
    from viewer.features import load_features
    from viewer.io.posture import shared_posture_model
    from viewer.render.offscreen import offscreen_scene

    context = load_context()
    features = load_features(context)
    state = context.state
    if features.pairs is None or state.tight_pose_source is None:
        pytest.skip("no pair views or posture for the built-in atlas")
    pose = state.tight_pose_source("right")
    state.set_pose(pose)
    try:
        active = features.pairs.enter("bilateral", "right", "iliopsoas")
        standing = active.resolved
        assert standing is not None
        model = shared_posture_model(context.loaded)
        femur = np.asarray(context.loaded.meshes["femur_right"].points, dtype=np.float64)
        posed_femur = model.pose_bone("femur_right", femur, model.transforms(pose))
        with offscreen_scene(context.loaded, state, (640, 400), features=features) as off:
            overlays: Any = off.overlays
            drawn = overlays.pair_drawn
            assert drawn is not None
            for side in ("a", "b"):
                before = next(p for p in standing.pulls if p.side == side)
                after = next(
                    p for p in drawn.pulls if p.side == side and p.structure == before.structure
                )
                step = float(np.linalg.norm(after.path[-1] - before.path[-1]))
                if side == "a":  # the right side: its hip flexed by the tight muscle
                    assert step > 5.0, f"the right insertion stayed put ({step:.1f} mm)"
                    gap_before = cKDTree(femur).query(before.path[-1])[0]
                    gap_after = cKDTree(posed_femur).query(after.path[-1])[0]
                    assert abs(gap_after - gap_before) < 4.0, (gap_before, gap_after)
            # While a posture slider is dragged the arrows wait; the next still frame catches up.
            step = next(p for p in drawn.pulls if p.side == "a")
            off.scene.set_interacting(True)
            state.set_pose(state.tight_pose_source("left"))
            assert overlays.pair_drawn is drawn, "re-posed while dragging"
            off.scene.set_interacting(False)
            off.window.Render()
            moved = next(p for p in overlays.pair_drawn.pulls if p.side == "a")
            assert float(np.linalg.norm(moved.path[-1] - step.path[-1])) > 5.0
            # Leaving the pose brings the arrows back to where standing put them.
            from viewer.domain.pose import STANDING

            state.set_pose(STANDING)
            again = overlays.pair_drawn
            for a, b in zip(standing.pulls, again.pulls, strict=True):
                assert np.allclose(a.point, b.point)
    finally:
        from viewer.domain.pose import STANDING

        state.set_pose(STANDING)
