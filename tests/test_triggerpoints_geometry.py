"""Anchors, mirroring, snapping onto muscles and projection onto the skin (synthetic geometry)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.trigger_factory import write_annotations, write_body_atlas
from viewer.domain.landmarks import (
    AnchorError,
    BetweenAnchor,
    ExtremeAnchor,
    Geometry,
    LandmarkAnchor,
    RayCaster,
    direction_vector,
    mirror_anchor,
    resolve_anchor,
)
from viewer.domain.structures import Side
from viewer.io.annotations import load_annotations, load_bony_landmarks, resolve_annotations
from viewer.io.atlas_loader import LoadedAtlas, load_atlas


@pytest.fixture(scope="module")
def body(tmp_path_factory: pytest.TempPathFactory) -> tuple[LoadedAtlas, Geometry, Path]:
    folder = write_body_atlas(tmp_path_factory.mktemp("body"))
    loaded = load_atlas(folder, with_light=False)
    landmarks, _ = load_bony_landmarks(folder)
    ann = write_annotations(tmp_path_factory.mktemp("ann"))
    return loaded, Geometry(landmarks=landmarks, surfaces=loaded.meshes), ann


def test_direction_words_follow_the_side() -> None:
    assert direction_vector("lateral", Side.RIGHT) == pytest.approx([-1, 0, 0])
    assert direction_vector("lateral", Side.LEFT) == pytest.approx([1, 0, 0])
    assert direction_vector("posterior+superior", Side.MIDLINE) == pytest.approx(
        [0, 2**-0.5, 2**-0.5]
    )
    with pytest.raises(AnchorError, match="midline"):
        direction_vector("medial", Side.MIDLINE)
    with pytest.raises(AnchorError, match="cancels"):
        direction_vector("left+right", Side.RIGHT)
    with pytest.raises(AnchorError, match="unknown direction word"):
        direction_vector("upward", Side.RIGHT)


def test_anchor_kinds_resolve(body: tuple[LoadedAtlas, Geometry, Path]) -> None:
    _, geo, _ = body
    a = LandmarkAnchor("psis_right", (1.0, 2.0, 3.0))
    assert resolve_anchor(a, geo, Side.RIGHT) == pytest.approx([-39, 62, 43])
    top = resolve_anchor(ExtremeAnchor("muscle_p_right", "superior"), geo, Side.RIGHT)
    assert top == pytest.approx([-60, 50, 55], abs=1.0)
    mid = BetweenAnchor(LandmarkAnchor("psis_right"), LandmarkAnchor("hip_centre_right"), 1.5)
    assert resolve_anchor(mid, geo, Side.RIGHT) == pytest.approx([-85, -30, -20])
    with pytest.raises(AnchorError) as info:
        resolve_anchor(LandmarkAnchor("nowhere"), geo, Side.RIGHT)
    assert info.value.field == "landmark"
    with pytest.raises(AnchorError) as info:
        resolve_anchor(ExtremeAnchor("skin_of_nothing", "superior"), geo, Side.RIGHT)
    assert info.value.field == "extreme_of"


def test_mirrored_anchor_lands_on_the_mirror_point(
    body: tuple[LoadedAtlas, Geometry, Path],
) -> None:
    _, geo, _ = body
    anchor = BetweenAnchor(
        LandmarkAnchor("greater_trochanter_right", (5.0, -3.0, 2.0)),
        ExtremeAnchor("muscle_q_right", "lateral+inferior"),
        0.3,
        (-4.0, 1.0, 0.0),
    )
    right = resolve_anchor(anchor, geo, Side.RIGHT)
    left = resolve_anchor(mirror_anchor(anchor), geo, Side.LEFT)
    assert left == pytest.approx(right * [-1, 1, 1], abs=1e-3)


def test_trigger_points_snap_onto_their_muscle_on_the_palpated_face(
    body: tuple[LoadedAtlas, Geometry, Path],
) -> None:
    loaded, geo, ann = body
    resolved = resolve_annotations(load_annotations(ann), geo, loaded.meshes["skin"])
    assert resolved.problems == []
    p = resolved.trigger_points["p_upper_right"]
    centre = np.array([-60.0, 50.0, 30.0])  # muscle_p_right sphere, radius 25
    assert np.linalg.norm(np.subtract(p.position, centre)) == pytest.approx(25.0, abs=0.5)
    assert p.normal[1] > 0.5  # palpated from behind: on the back of the muscle
    q = resolved.trigger_points["q_front_right"]
    assert q.position[1] == pytest.approx(-75.0, abs=1.5)  # front pole of muscle_q_right
    q_left = resolved.trigger_points["q_front_left"]
    assert q_left.position == pytest.approx((-q.position[0], q.position[1], q.position[2]))


def test_positions_follow_an_atlas_rebuild(body: tuple[LoadedAtlas, Geometry, Path]) -> None:
    loaded, geo, ann = body
    shift = np.array([12.0, -7.0, 30.0], dtype=np.float32)
    moved_meshes = {k: replace(m, points=m.points + shift) for k, m in loaded.meshes.items()}
    moved = Geometry(
        landmarks={k: v + shift for k, v in geo.landmarks.items()}, surfaces=moved_meshes
    )
    annotations = load_annotations(ann)
    before = resolve_annotations(annotations, geo, loaded.meshes["skin"])
    after = resolve_annotations(annotations, moved, moved_meshes["skin"])
    for tid, tp in before.trigger_points.items():
        assert np.subtract(after.trigger_points[tid].position, tp.position) == pytest.approx(
            shift, abs=1e-3
        )
    for lid, lm in before.skin_landmarks.items():
        moved_lm = after.skin_landmarks[lid]
        # the same skin points, shifted (up to a tie between two corners of one triangle)
        assert moved_lm.points - shift == pytest.approx(lm.points, abs=10.0)


def test_missing_muscle_mesh_is_reported_not_raised(
    body: tuple[LoadedAtlas, Geometry, Path],
) -> None:
    _, geo, ann = body
    partial = Geometry(
        geo.landmarks, {k: v for k, v in geo.surfaces.items() if k != "muscle_p_left"}
    )
    resolved = resolve_annotations(load_annotations(ann), partial, None)
    places = [p.place for p in resolved.problems]
    assert "p_upper_left muscle" in places
    assert any("no skin" in p.message for p in resolved.problems)
    assert "p_upper_right" in resolved.trigger_points


def test_skin_projection_finds_the_exit_point(body: tuple[LoadedAtlas, Geometry, Path]) -> None:
    loaded, _, _ = body
    skin = loaded.meshes["skin"]  # sphere of radius 150 at the origin
    caster = RayCaster(skin.points, skin.triangles)
    pts = skin.points.astype(float)
    for origin, direction in (
        ((-40.0, 60.0, 40.0), (0.0, 1.0, 0.0)),
        ((0.0, 0.0, 0.0), (-1.0, 0.0, 0.0)),
        ((0.0, 0.0, 200.0), (0.0, 0.0, 1.0)),  # outside the skin: the point just behind
    ):
        o = np.array(origin)
        d = np.array(direction)
        hit = pts[caster.cast(o, d)]
        assert np.linalg.norm(hit) == pytest.approx(150.0, abs=1.0)
        # on the ray: the exit point lies along the direction, not beside it
        rel = hit - o
        assert np.linalg.norm(rel - (rel @ d) * d) < 8.0
    top = pts[caster.cast(np.array([0.0, 0.0, 200.0]), np.array([0.0, 0.0, 1.0]))]
    assert top[2] > 145.0


def test_left_points_mirror_right_placement_through_the_midline() -> None:
    """Near-ties in snapping must not put left and right points in different spots."""
    from viewer.domain.triggerpoints import mirror_placed, sagittal_midline_x

    assert sagittal_midline_x({"a_right": [-40.0, 0, 0], "a_left": [44.0, 0, 0]}) == 2.0
    assert sagittal_midline_x({"coccyx_tip": [3.0, 0, 0]}) == 0.0
    right_pts = np.array([[-30.0, 10.0, 5.0], [-31.0, 10.0, 5.0], [-10.0, 0.0, 0.0]])
    left_pts = right_pts * [-1, 1, 1] + [4.0, 0.0, 0.0]  # the left side, 2 mm midline offset

    class _Def:
        id = "x_left"

    from viewer.domain.triggerpoints import TriggerPoint

    placed = TriggerPoint(_Def(), (-31.0, 10.0, 5.0), (0.0, 1.0, 0.0), (-30.0, 0.0, 0.0))  # type: ignore[arg-type]
    twin = TriggerPoint(_Def(), (38.0, 0.0, 0.0), (0.0, 1.0, 0.0), (30.0, 0.0, 0.0))  # type: ignore[arg-type]
    out = mirror_placed(placed, twin, left_pts, midline_x=2.0)
    assert out.position == pytest.approx((35.0, 10.0, 5.0))
    assert out.definition is twin.definition
