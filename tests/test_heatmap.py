"""Heat-map fields: falloff, combination, geodesic distances, the on-disk cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.trigger_factory import write_annotations, write_body_atlas
from viewer.domain.landmarks import LandmarkAnchor, SkinLandmark, SkinLandmarkDef
from viewer.domain.referral import SPILLOVER_LEVEL, ZoneClass
from viewer.domain.structures import Side
from viewer.heatmap import fields as fields_module
from viewer.heatmap.fields import HeatField, cached_distance_fields, combine_weights, falloff
from viewer.heatmap.geodesic import distance_fields, heat_available, make_solver
from viewer.heatmap.model import ReferralModel, build_referral_model
from viewer.io.atlas_loader import load_atlas


def _sphere_mesh(radius: float = 100.0, levels: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """An icosphere (pure NumPy): near-uniform triangles, exact geodesics known."""
    g = (1.0 + 5**0.5) / 2.0
    verts = [
        (-1, g, 0), (1, g, 0), (-1, -g, 0), (1, -g, 0), (0, -1, g), (0, 1, g),
        (0, -1, -g), (0, 1, -g), (g, 0, -1), (g, 0, 1), (-g, 0, -1), (-g, 0, 1),
    ]  # fmt: skip
    faces = [
        (0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4),
        (11, 10, 2), (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8),
        (3, 8, 9), (4, 9, 5), (2, 4, 11), (6, 2, 10), (8, 6, 7), (9, 8, 1),
    ]  # fmt: skip
    pts = [np.array(v, dtype=np.float64) / np.linalg.norm(v) for v in verts]

    def mid(a: int, b: int, cache: dict[tuple[int, int], int]) -> int:
        key = (min(a, b), max(a, b))
        if key not in cache:
            m = pts[a] + pts[b]
            pts.append(m / np.linalg.norm(m))
            cache[key] = len(pts) - 1
        return cache[key]

    for _ in range(levels):
        cache: dict[tuple[int, int], int] = {}
        new = []
        for a, b, c in faces:
            ab, bc, ca = mid(a, b, cache), mid(b, c, cache), mid(c, a, cache)
            new += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        faces = new
    return np.array(pts) * radius, np.array(faces, dtype=np.int64)


def _great_circle(pts: np.ndarray, src: int, radius: float) -> np.ndarray:
    unit = pts / np.linalg.norm(pts, axis=1, keepdims=True)
    return radius * np.arccos(np.clip(unit @ unit[src], -1.0, 1.0))


def test_falloff_is_one_inside_smooth_and_zero_outside() -> None:
    d = np.array([0.0, 10.0, 20.0, 25.0, 30.0, 40.0, np.inf])
    w = falloff(d, radius=20.0, width=10.0)
    assert w.dtype == np.float32
    assert w[:3] == pytest.approx([1.0, 1.0, 1.0])
    assert w[3] == pytest.approx(0.5)
    assert w[4:] == pytest.approx([0.0, 0.0, 0.0])
    dense = falloff(np.linspace(0, 40, 200), 20.0, 10.0)
    assert np.all(np.diff(dense) <= 1e-7)


def test_combination_essential_outranks_spillover() -> None:
    e1 = np.array([1.0, 0.6, 0.0, 0.0], dtype=np.float32)
    s1 = np.array([0.0, 1.0, 1.0, 0.2], dtype=np.float32)
    e2 = np.array([0.0, 0.9, 0.0, 0.0], dtype=np.float32)
    heat = combine_weights([e1, e2], [s1], 4)
    assert heat.classes.tolist() == [
        ZoneClass.ESSENTIAL,
        ZoneClass.ESSENTIAL,
        ZoneClass.SPILLOVER,
        ZoneClass.NONE,
    ]
    assert heat.intensity == pytest.approx([1.0, 0.9, SPILLOVER_LEVEL, SPILLOVER_LEVEL * 0.2])
    assert heat.intensity.dtype == np.float32 and heat.classes.dtype == np.uint8
    empty = combine_weights([], [], 4)
    assert empty.is_empty
    assert HeatField.empty(3).take(np.array([0, 0])).classes.tolist() == [0, 0]


@pytest.mark.parametrize("method", ["heat", "graph"])
def test_geodesic_distance_matches_the_great_circle(method: str) -> None:
    if method == "heat" and not heat_available():
        pytest.skip("potpourri3d is not installed")
    pts, faces = _sphere_mesh()
    src = int(np.argmax(pts[:, 2]))
    exact = _great_circle(pts, src, 100.0)
    d = make_solver(pts, faces, method)(np.array([src]))
    near = exact < 150.0
    err = d[near] - exact[near]
    if method == "heat":  # within 2 mm or 3 %
        assert np.all(np.abs(err) <= np.maximum(2.0, 0.03 * exact[near]))
    else:  # edge paths zig-zag: never shorter, at most about 17 % longer
        assert err.min() > -0.1 and np.all(err <= 0.17 * exact[near] + 0.1)
    # through-the-body distance to the opposite pole is 200; over the skin it is 314
    assert d[int(np.argmin(pts[:, 2]))] == pytest.approx(
        np.pi * 100.0, rel=0.06 if method == "heat" else 0.2
    )


def test_distance_fields_are_limited_to_reach_and_to_connected_skin() -> None:
    pts, faces = _sphere_mesh(levels=3)
    far = pts + np.array([400.0, 0.0, 0.0])  # a second, separate body nearby
    both_pts = np.vstack([pts, far])
    both_faces = np.vstack([faces, faces + len(pts)])
    top = int(np.argmax(pts[:, 2]))
    seeds = {"a": np.array([top]), "b": np.array([len(pts) + top])}
    progress: list[tuple[float, str]] = []
    out = distance_fields(
        both_pts,
        both_faces,
        seeds,
        {"a": 80.0, "b": 400.0},
        progress=lambda f, m: progress.append((f, m)),
    )
    a, b = out["a"], out["b"]
    assert a.dtype == np.float32 and a.shape == (len(both_pts),)
    assert np.isinf(a[len(pts) :]).all()  # nothing leaks onto the other body
    assert np.isinf(b[: len(pts)]).all()
    exact = _great_circle(pts, top, 100.0)
    inside = exact < 60.0
    assert np.isfinite(a[: len(pts)][inside]).all()
    assert np.isinf(a[: len(pts)][exact > 100.0]).all()
    fractions = [f for f, _ in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in progress)


def _landmark(lid: str, seeds: list[int]) -> SkinLandmark:
    d = SkinLandmarkDef(lid, lid, "", Side.MIDLINE, (LandmarkAnchor("x"),), "posterior", 20.0)
    return SkinLandmark(d, np.zeros((len(seeds), 3)), np.array(seeds, dtype=np.int64))


def test_cache_is_reused_and_keyed_by_content(tmp_path: Path, monkeypatch: Any) -> None:
    pts, faces = _sphere_mesh(levels=3)
    lms = {"a": _landmark("a", [0]), "b": _landmark("b", [5])}
    reach = {"a": 60.0, "b": 60.0}
    first = cached_distance_fields(pts, faces, lms, reach, cache_dir=tmp_path)
    files = sorted(tmp_path.glob("*.npy"))
    assert len(files) == 2
    assert np.load(files[0], allow_pickle=False).shape == (len(pts),)

    calls: list[set[str]] = []
    real = fields_module.distance_fields

    def counting(p: Any, t: Any, seeds: Any, *args: Any, **kw: Any) -> Any:
        calls.append(set(seeds))
        return real(p, t, seeds, *args, **kw)

    monkeypatch.setattr(fields_module, "distance_fields", counting)
    again = cached_distance_fields(pts, faces, lms, reach, cache_dir=tmp_path)
    assert calls == []
    assert np.array_equal(again["a"], first["a"])
    # an edited landmark is recomputed, the unchanged one is not
    lms["b"] = _landmark("b", [7])
    cached_distance_fields(pts, faces, lms, reach, cache_dir=tmp_path)
    assert calls == [{"b"}]
    # a rebuilt skin invalidates everything
    cached_distance_fields(pts * 1.01, faces, lms, reach, cache_dir=tmp_path)
    assert calls[-1] == {"a", "b"}
    # a corrupt cache file is ignored and replaced
    for f in tmp_path.glob("*.npy"):
        f.write_bytes(b"not an array")
    cached_distance_fields(pts, faces, lms, reach, cache_dir=tmp_path)
    assert calls[-1] == {"a", "b"}


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> ReferralModel:
    atlas = write_body_atlas(tmp_path_factory.mktemp("body"))
    ann = write_annotations(tmp_path_factory.mktemp("ann"))
    built, problems = build_referral_model(
        load_atlas(atlas), ann, cache_dir=tmp_path_factory.mktemp("cache")
    )
    assert problems == [] and built is not None
    return built


def test_selected_trigger_points_and_whole_muscle_modes(
    model: ReferralModel, monkeypatch: Any
) -> None:
    import viewer.heatmap.geodesic as geodesic

    def no_solving(*_a: Any, **_k: Any) -> None:
        raise AssertionError("toggling must only combine precomputed arrays")

    monkeypatch.setattr(geodesic, "make_solver", no_solving)
    monkeypatch.setattr(fields_module, "distance_fields", no_solving)
    n = model.n_vertices
    back = model.skin_landmarks["back_spot_right"].seeds[0]
    side = model.skin_landmarks["side_spot_right"].seeds[0]
    tail = model.skin_landmarks["tail_spot"].seeds[0]
    p = model.field_for(["p_upper_right"])
    assert p.intensity.shape == (n,) and p.classes.shape == (n,)
    assert p.classes[back] == ZoneClass.ESSENTIAL and p.intensity[back] == 1.0
    assert p.classes[side] == ZoneClass.SPILLOVER
    assert p.intensity[side] == pytest.approx(SPILLOVER_LEVEL)
    assert p.classes[tail] == ZoneClass.NONE
    both = model.field_for(["p_upper_right", "q_front_right", "not_a_trigger_point"])
    assert both.classes[tail] == ZoneClass.SPILLOVER and both.classes[back] == ZoneClass.ESSENTIAL
    assert model.field_for([]).is_empty
    left = model.field_for(["p_upper_left"])
    assert left.classes[back] == ZoneClass.NONE
    # mode b: every trigger point of a muscle, or of a group of muscles
    assert np.array_equal(model.field_for_muscle("muscle_p_right").classes, p.classes)
    group = model.field_for_muscle("group_pq_right")
    assert np.array_equal(group.classes, both.classes)
    assert model.trigger_points_of("group_pq_right") == ("p_upper_right", "q_front_right")
    assert model.muscle_groups()["group_pq_right"] == ("muscle_p_right", "muscle_q_right")
    assert model.muscle_of["q_front_left"] == "muscle_q_left"


def test_field_maps_onto_another_level_of_detail(model: ReferralModel) -> None:
    """The renderer colours the light skin through nearest full-detail vertices, found once."""
    heat = model.field_for(["p_upper_right"])
    back = model.skin_landmarks["back_spot_right"]
    light_points = np.vstack([back.points, [[0.0, 0.0, -150.0]]])
    take, _ = model.nearest_vertices(light_points)
    moved = heat.take(take)
    assert moved.classes.tolist() == [ZoneClass.ESSENTIAL, ZoneClass.NONE]


def test_no_skin_means_no_model(tmp_path: Path) -> None:
    atlas = write_body_atlas(tmp_path / "atlas", with_skin=False)
    built, problems = build_referral_model(
        load_atlas(atlas), write_annotations(tmp_path / "ann"), cache_dir=tmp_path / "c"
    )
    assert built is None
    assert any("no skin" in p.message for p in problems)


def test_model_build_reports_progress_in_order(tmp_path: Path) -> None:
    atlas = write_body_atlas(tmp_path / "atlas")
    seen: list[tuple[float, str]] = []
    for _ in range(2):  # first use, then from the cache
        seen.clear()
        built, _ = build_referral_model(
            load_atlas(atlas),
            write_annotations(tmp_path / "ann"),
            cache_dir=tmp_path / "cache",
            progress=lambda f, m: seen.append((f, m)),
        )
        assert built is not None
        fractions = [f for f, _ in seen]
        assert fractions == sorted(fractions)
        assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("cache" in m for _, m in seen)


def test_cache_pruning_drops_the_least_recently_used(tmp_path: Path) -> None:
    import os

    for i in range(8):
        path = tmp_path / f"f{i}.npy"
        np.save(path, np.zeros(3, dtype=np.float32))
        os.utime(path, (1000 + i, 1000 + i))
    os.utime(tmp_path / "f0.npy")  # used just now
    assert fields_module.prune_cache(tmp_path, keep=3) == 5
    assert sorted(p.name for p in tmp_path.glob("*.npy")) == ["f0.npy", "f6.npy", "f7.npy"]


def test_auto_method_falls_back_when_the_heat_method_fails(monkeypatch: Any) -> None:
    import viewer.heatmap.geodesic as geodesic

    def broken(*_a: Any) -> Any:
        raise RuntimeError("mesh is not manifold")

    monkeypatch.setattr(geodesic, "_heat_solver", broken)
    pts, faces = _sphere_mesh(levels=2)
    d = geodesic.make_solver(pts, faces, "auto")(np.array([0]))
    assert d[0] == 0.0 and np.isfinite(d).all()
    with pytest.raises(RuntimeError):
        geodesic.make_solver(pts, faces, "heat")
    with pytest.raises(ValueError, match="unknown geodesic method"):
        geodesic.make_solver(pts, faces, "exactish")
