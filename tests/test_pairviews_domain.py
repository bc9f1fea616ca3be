"""Pair views as pure data: mirroring, placing arrows and joints, the scene, compare mode."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests import pair_fixtures
from viewer.domain.pairviews import (
    A_ONLY,
    B_ONLY,
    BOTH,
    NEITHER,
    PAIR_BONE_OPACITY,
    PairLibrary,
    PairView,
    bilateral_muscles,
    difference,
    difference_counts,
    mirror_pair,
    pair_scene,
    resolve_pair,
    side_leaves,
    swap_side,
    trigger_muscles,
)
from viewer.domain.structures import Kind
from viewer.io.pairviews import load_pair_views
from viewer.state.scene import SceneState


@pytest.fixture(scope="module")
def synthetic() -> tuple:
    return pair_fixtures.build()


@pytest.fixture(scope="module")
def library(synthetic: tuple) -> PairLibrary:
    atlas, lm, _ = synthetic
    result = load_pair_views(atlas, lm)
    assert [p for p in result.problems if p.severity == "error"] == []
    return result.library


def all_views(library: PairLibrary, atlas) -> list[PairView]:
    return [library.get(pid, "right", atlas=atlas) for pid in library.ids]


def test_swap_side_is_an_involution() -> None:
    for name in ("psoas_major_upper_right", "transverse_process_l1_left", "sacrum", "left_vs_x"):
        assert swap_side(swap_side(name)) == name
    assert swap_side("hip_right") == "hip_left"
    assert swap_side("coccyx_tip") == "coccyx_tip"


def test_mirror_twice_is_the_original(library: PairLibrary, synthetic: tuple) -> None:
    atlas = synthetic[0]
    for pair in all_views(library, atlas):
        assert mirror_pair(mirror_pair(pair)) == pair, pair.id


def test_mirror_flips_x_and_swaps_ids(library: PairLibrary, synthetic: tuple) -> None:
    atlas = synthetic[0]
    for pair in all_views(library, atlas):
        m = mirror_pair(pair)
        assert m.side == "left" and pair.side == "right"
        assert m.camera.direction == (-pair.camera.direction[0], *pair.camera.direction[1:])
        assert m.camera.view_up == (-pair.camera.view_up[0], *pair.camera.view_up[1:])
        assert m.camera.name == pair.camera.name.replace("_right", "_left")
        for right_id, left_id in zip(pair.structures, m.structures, strict=True):
            assert left_id == swap_side(right_id)
            if right_id.endswith("_right"):
                assert left_id.endswith("_left") and left_id in atlas
        for jr, jl in zip(pair.joints, m.joints, strict=True):
            assert jl.id == swap_side(jr.id)
            assert [n for n, _ in jl.landmarks] == [swap_side(n) for n, _ in jr.landmarks]
        if pair.focus is not None:
            assert m.focus is not None
            assert m.focus.landmark_names == tuple(swap_side(n) for n in pair.focus.landmark_names)


def test_resolved_left_view_is_the_mirror_image(library: PairLibrary, synthetic: tuple) -> None:
    """On a symmetric atlas the left view's arrows, joints, focus are the right ones x-flipped."""
    atlas, lm, meshes = synthetic
    flip = np.array([-1.0, 1.0, 1.0])
    for pid in library.ids:
        right = resolve_pair(library.get(pid, "right", atlas=atlas), atlas, lm, meshes)
        left = resolve_pair(library.get(pid, "left", atlas=atlas), atlas, lm, meshes)
        assert right.notes == () and left.notes == (), (pid, right.notes, left.notes)
        assert len(right.lines) == len(left.lines) > 0
        for r, le in zip(right.lines, left.lines, strict=True):
            np.testing.assert_allclose(le.points, r.points * flip, atol=1e-3)
        for r, le in zip(right.joints, left.joints, strict=True):
            np.testing.assert_allclose(le.point, r.point * flip, atol=1e-9)
        assert right.camera.focus is not None and left.camera.focus is not None
        np.testing.assert_allclose(np.array(left.camera.focus), np.array(right.camera.focus) * flip)


def test_arrows_run_along_the_muscle_from_origin_to_insertion(
    library: PairLibrary, synthetic: tuple
) -> None:
    atlas, lm, meshes = synthetic
    pair = library.get("psoas_vs_piriformis", atlas=atlas)
    resolved = resolve_pair(pair, atlas, lm, meshes)
    by_muscle = {r.line.muscle: r for r in resolved.lines}
    assert set(by_muscle) == {
        "psoas_major_upper_right",
        "psoas_major_lower_right",
        "piriformis_right",
    }
    psoas = by_muscle["psoas_major_upper_right"]
    assert psoas.side == "a" and psoas.color == pair.a.color
    assert by_muscle["piriformis_right"].side == "b"
    # origin high on the spine, insertion at the lesser trochanter, via point in front of the hip
    assert psoas.origin[2] > 200 and psoas.insertion[2] < -30
    assert psoas.points.shape == (3, 3) and psoas.points[1][1] < 0
    pts = meshes["psoas_major_upper_right"].points
    for p in psoas.points:  # every anchor was snapped onto (into) the muscle's point cloud
        assert np.min(np.linalg.norm(pts - p, axis=1)) < 15
    assert psoas.length > np.linalg.norm(psoas.insertion - psoas.origin)
    assert np.isclose(np.linalg.norm(psoas.direction), 1.0)
    # joint markers: the SI joint is crossed by both sides, the lumbar joints only by psoas
    joints = {j.joint.id: j for j in resolved.joints}
    assert joints["sacroiliac_right"].crossed_by == ("a", "b")
    assert joints["hip_right"].crossed_by == ("a", "b")
    assert joints["t12_l1"].crossed_by == ("a",)
    np.testing.assert_allclose(joints["hip_right"].point, lm["hip_centre_right"])


def test_arrows_follow_a_moved_atlas(library: PairLibrary, synthetic: tuple) -> None:
    """Nothing is hard-coded: shift every landmark and mesh and the arrows shift with them."""
    atlas, lm, meshes = synthetic
    shift = np.array([3.0, -7.0, 11.0])
    lm2 = {k: v + shift for k, v in lm.items()}
    meshes2 = {
        k: pair_fixtures.Points(m.points + shift.astype(np.float32)) for k, m in meshes.items()
    }
    pair = library.get("iliopsoas_vs_quadratus_lumborum", atlas=atlas)
    a = resolve_pair(pair, atlas, lm, meshes)
    b = resolve_pair(pair, atlas, lm2, meshes2)
    for la, lb in zip(a.lines, b.lines, strict=True):
        # snapping picks among equidistant vertices, so float32 rounding may pick a neighbour:
        # on these tubes the next vertex lies 0.84 mm away (numpy 2.4 picks it, older ones did
        # not), so 1 mm; a hard-coded arrow would be off by the whole 13.4 mm shift
        np.testing.assert_allclose(lb.points, la.points + shift, atol=1.0)
    np.testing.assert_allclose(
        np.array(b.camera.focus), np.array(a.camera.focus) + shift, atol=1e-3
    )


def test_missing_geometry_is_reported_not_raised(library: PairLibrary, synthetic: tuple) -> None:
    atlas, lm, meshes = synthetic
    pair = library.get("psoas_vs_piriformis", atlas=atlas)
    lm2 = {k: v for k, v in lm.items() if k != "greater_trochanter_right"}
    resolved = resolve_pair(pair, atlas, lm2, meshes)
    assert [r.line.muscle for r in resolved.lines] == [
        "psoas_major_upper_right",
        "psoas_major_lower_right",
    ]
    assert any("Piriformis" in n and "greater_trochanter_right" in n for n in resolved.notes)
    # without meshes the arrows fall back to the landmark points themselves
    bare = resolve_pair(pair, atlas, lm, {})
    np.testing.assert_allclose(bare.lines[-1].insertion, lm["greater_trochanter_right"])


def test_attachment_fallback_line(library: PairLibrary, synthetic: tuple) -> None:
    """A muscle without a table entry but with manifest attachments still gets an arrow."""
    atlas, lm, meshes = synthetic
    view = library.get("bilateral", muscle="rectus_abdominis", atlas=atlas)
    assert [ln.origin.attachment for ln in view.a.lines] == ["origin"]
    resolved = resolve_pair(view, atlas, lm, meshes)
    assert resolved.notes == ()
    line = resolved.lines_of("a")[0]
    hip = meshes["hip_bone_right"].points
    femur = meshes["femur_right"].points
    d_origin = np.linalg.norm(hip - line.origin, axis=1).min()
    d_insert = np.linalg.norm(femur - line.insertion, axis=1).min()
    assert d_origin < np.linalg.norm(hip - line.insertion, axis=1).min()
    assert d_insert < np.linalg.norm(femur - line.origin, axis=1).min()


def test_bilateral_template(library: PairLibrary, synthetic: tuple) -> None:
    atlas = synthetic[0]
    view = library.get("bilateral", atlas=atlas)
    assert view.muscle == "iliopsoas"
    assert view.a.structures == ("iliopsoas_right",) and view.b.structures == ("iliopsoas_left",)
    assert "Iliopsoas" in view.title and "{muscle}" not in view.explanation
    assert view.display_title == view.title, "left vs right names no side"
    assert "((" not in view.a.label.replace(" ", "") and ") (" not in view.a.label
    glute = library.get("bilateral", muscle="gluteus_maximus", atlas=atlas)
    assert glute.camera.direction[1] > 0.9  # posterior muscle, posterior camera
    left_first = library.get("bilateral", side="left", muscle="gluteus_maximus", atlas=atlas)
    assert left_first.a.structures == ("gluteus_maximus_left",)
    with pytest.raises(KeyError, match="no_such_muscle"):
        library.get("bilateral", muscle="no_such_muscle", atlas=atlas)
    with pytest.raises(ValueError, match="needs the atlas"):
        library.get("bilateral")
    assert {"iliopsoas", "psoas_major", "gluteus_maximus"} <= set(bilateral_muscles(atlas))


def test_pair_scene_paints_sides_and_ghosts_the_rest(
    library: PairLibrary, synthetic: tuple
) -> None:
    atlas = synthetic[0]
    base = SceneState(atlas).snapshot()
    pair = library.get("iliopsoas_vs_gluteus_medius_minimus", atlas=atlas)
    snap = pair_scene(pair, atlas, base)
    a, b = set(side_leaves(pair.a, atlas)), set(side_leaves(pair.b, atlas))
    assert a == {"psoas_major_upper_right", "psoas_major_lower_right", "iliacus_right"}
    assert b == {"gluteus_medius_right", "gluteus_minimus_right"}
    assert set(snap.visible) == set(base.visible)
    for leaf in snap.visible:
        kind = atlas.get(leaf).kind
        if leaf in a or leaf in b:
            assert snap.visible[leaf] and snap.opacity[leaf] == 1.0
            assert snap.color[leaf] == (pair.a.color if leaf in a else pair.b.color)
        elif kind is Kind.BONE:
            # Bones are drawn solid enough to hide the muscles behind them (PAIR_BONE_OPACITY;
            # pair 3's context asks 0.55 for the hip bones and femurs, 0.3 for the rest), and
            # stay see-through.
            assert snap.visible[leaf] and snap.opacity[leaf] == PAIR_BONE_OPACITY < 1.0
        elif kind is Kind.MUSCLE:
            assert snap.visible[leaf] and snap.opacity[leaf] <= 0.1
            assert snap.color[leaf] == "#a0a0a0"
        else:
            assert not snap.visible[leaf], leaf
    assert base.visible["skin"]  # the base snapshot itself is untouched


def test_context_rules_with_ids_come_first(library: PairLibrary, synthetic: tuple) -> None:
    atlas = synthetic[0]
    base = SceneState(atlas).snapshot()
    pair = library.get("psoas_vs_piriformis", atlas=atlas)
    snap = pair_scene(pair, atlas, base)
    assert snap.opacity["iliacus_right"] == 0.25 and snap.visible["iliacus_right"]
    assert snap.opacity["iliacus_left"] == 0.08
    # The context's bone opacities (sacrum 0.55, other bones 0.3) are raised to the floor.
    assert snap.opacity["sacrum"] == snap.opacity["hip_bone_right"] == PAIR_BONE_OPACITY
    left = pair_scene(mirror_pair(pair), atlas, base)
    assert left.opacity["iliacus_left"] == 0.25 and left.opacity["iliacus_right"] == 0.08


def test_a_see_through_rule_keeps_its_bones_faint(library: PairLibrary, synthetic: tuple) -> None:
    """Pair 4 looks at the right psoas's slips from the left, through the lumbar bodies: its
    vertebrae rule is marked see-through and keeps 0.35 (at the 0.7 floor the slips were hidden
    behind the bodies on lesson 3's slide); its other bones still take the floor."""
    atlas = synthetic[0]
    base = SceneState(atlas).snapshot()
    pair = library.get("upper_vs_lower_psoas", atlas=atlas)
    assert any(r.see_through for r in pair.context)
    snap = pair_scene(pair, atlas, base)
    vertebrae = [leaf for leaf in snap.visible if leaf.startswith("vertebra_l")]
    assert vertebrae and all(snap.opacity[v] == 0.35 for v in vertebrae)
    assert snap.opacity["hip_bone_right"] == 0.35
    assert snap.opacity["sacrum"] == snap.opacity["hip_bone_left"] == PAIR_BONE_OPACITY
    plain = replace(pair, context=tuple(replace(r, see_through=False) for r in pair.context))
    assert pair_scene(plain, atlas, base).opacity[vertebrae[0]] == PAIR_BONE_OPACITY


def test_selection_survives_only_when_visible(library: PairLibrary, synthetic: tuple) -> None:
    atlas = synthetic[0]
    base = replace(SceneState(atlas).snapshot(), selection="skin")
    pair = library.get("upper_vs_lower_psoas", atlas=atlas)
    assert pair_scene(pair, atlas, base).selection is None
    base = replace(base, selection="psoas_major_right")
    assert pair_scene(pair, atlas, base).selection == "psoas_major_right"


def test_trigger_muscles_cover_groups_and_parts(library: PairLibrary, synthetic: tuple) -> None:
    atlas = synthetic[0]
    pair = library.get("psoas_vs_piriformis", atlas=atlas)
    assert trigger_muscles(pair.a, atlas) == {
        "psoas_major_right",
        "psoas_major_upper_right",
        "psoas_major_lower_right",
    }
    assert trigger_muscles(pair.b, atlas) == {"piriformis_right"}


def test_difference_classifies_vertices() -> None:
    a = np.array([0.0, 0.5, 0.0, 0.9, 0.1, 0.11])
    b = np.array([0.0, 0.0, 0.7, 0.8, 0.1, 0.0])
    classes = difference(a, b, threshold=0.1)
    assert classes.dtype == np.int8
    assert classes.tolist() == [NEITHER, A_ONLY, B_ONLY, BOTH, NEITHER, A_ONLY]
    assert difference_counts(classes) == {"neither": 2, "A only": 2, "B only": 1, "both": 1}
    with pytest.raises(ValueError, match="equal in length"):
        difference(a, b[:3])
