"""The posed skin lifted over the bones (viewer/domain/skin_over_bone.py), on a sphere whose
answers are known: a bone point through it lifts a smooth bulge, deep bones change nothing."""

from __future__ import annotations

import numpy as np
import trimesh

from viewer.domain.skin_envelope import PosedSkin
from viewer.domain.skin_over_bone import BONE_CLEARANCE_MM, FLAT_MM, REACH_MM, lift_over_bones

RADIUS = 100.0


def _sphere_skin() -> PosedSkin:
    sphere = trimesh.creation.icosphere(subdivisions=4, radius=RADIUS)
    return PosedSkin.of(np.asarray(sphere.vertices, dtype=np.float64), np.asarray(sphere.faces))


def test_a_bone_point_through_the_skin_lifts_it_to_the_clearance_in_a_smooth_bulge() -> None:
    skin = _sphere_skin()
    tip = np.array([[0.0, 0.0, RADIUS + 1.0]])  # 1 mm through the top of the sphere
    lifted = lift_over_bones(skin, tip)
    depth, _, _ = lifted.closest(tip)
    assert depth[0] >= BONE_CLEARANCE_MM - 0.05
    assert depth[0] <= BONE_CLEARANCE_MM + 1.0  # lifted by what is missing, not more
    rise = np.linalg.norm(lifted.points, axis=1) - np.linalg.norm(skin.points, axis=1)
    from_tip = np.linalg.norm(skin.points - tip, axis=1)
    assert np.all(rise >= -1e-9)  # only outward
    assert np.all(rise[from_tip > REACH_MM + 1.0] == 0.0)  # nothing moves beyond the reach
    near = from_tip < FLAT_MM
    assert rise[near].min() > 2.0  # the skin over the tip rises as one piece
    # no edge to the bulge: the rise falls off gradually with distance
    order = np.argsort(from_tip)
    ring = np.digitize(from_tip[order], np.arange(0.0, REACH_MM + 5.0, 5.0))
    means = [rise[order][ring == k].mean() for k in np.unique(ring)]
    assert np.all(np.diff(means) <= 1e-9)
    assert max(abs(np.diff(means))) < 0.5 * max(means)


def test_bones_deep_under_the_skin_leave_it_exactly_as_posed() -> None:
    skin = _sphere_skin()
    deep = np.array([[0.0, 0.0, RADIUS - 5.0], [30.0, 0.0, 0.0]])
    assert lift_over_bones(skin, deep) is skin
    assert lift_over_bones(skin, np.zeros((0, 3))) is skin


def test_only_the_sheet_over_the_bone_rises() -> None:
    """In a thin part (or across a crease) the other sheet of skin lies within reach, facing
    the other way: it stays where it was (the sitting thigh's skin pushed up into the belly's
    when it rose along its own normal)."""
    slab = trimesh.creation.box(extents=(200.0, 200.0, 12.0))
    slab = slab.subdivide().subdivide().subdivide().subdivide()
    skin = PosedSkin.of(np.asarray(slab.vertices, dtype=np.float64), np.asarray(slab.faces))
    tip = np.array([[0.0, 0.0, 6.5]])  # through the top face, 12 mm above the bottom one
    lifted = lift_over_bones(skin, tip)
    bottom = skin.points[:, 2] < -5.9
    top = skin.points[:, 2] > 5.9
    np.testing.assert_array_equal(lifted.points[bottom], skin.points[bottom])
    assert lifted.points[top, 2].max() > 6.5 + BONE_CLEARANCE_MM - 0.05
