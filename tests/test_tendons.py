"""Tendon drawn pale: rectus abdominis shows its tendinous intersections as pale bands, and
the hip and back muscles their insertion tendons and the erector spinae aponeurosis.

A lecturer names the intersections first on a front view of rectus abdominis; they were 1.5 mm
grooves the lighting did not show. The build writes a ``Tendon`` weight on the muscle's
vertices (bands at the umbilicus and midway to the xiphoid) and the viewer blends the muscle's
colour toward tendon there. A slab carrying a band must show a pale stripe across it, in
whatever colour the muscle is given; a mesh without the weight is drawn as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.atlas_factory import write_slab_atlas

pv = pytest.importorskip("pyvista")

REPO = Path(__file__).resolve().parent.parent
MESHES = REPO / "meshes"
BAND_Z = 60.0


def test_colours_blend_toward_tendon_by_weight() -> None:
    from viewer.render.tendons import TENDON_MIX, TENDON_RGB, tendon_colours

    red = (0.8, 0.2, 0.15)
    colours = tendon_colours(red, np.array([0.0, 1.0, 2.0, -1.0])).astype(float) / 255.0
    assert np.allclose(colours[0], red, atol=1 / 255)
    expected = (1 - TENDON_MIX) * np.array(red) + TENDON_MIX * np.array(TENDON_RGB)
    assert np.allclose(colours[1], expected, atol=1 / 255)
    assert np.allclose(colours[2], colours[1]) and np.allclose(colours[3], colours[0])


def _slab_atlas(folder: Path, band: bool) -> Path:
    """Tiny atlas whose muscle_b_right is a 100 x 10 x 100 mm slab, a band across its middle."""
    if not band:
        return write_slab_atlas(folder, 12)
    return write_slab_atlas(folder, 12, lambda p: {"Tendon": np.abs(p[:, 2] - BAND_Z) < 6.0})


def _render(folder: Path, out: Path, colour: str | None = None) -> np.ndarray:
    from PIL import Image

    from viewer.context import load_context
    from viewer.render.offscreen import render_to_png

    context = load_context(folder)
    context.state.isolate(["muscle_b_right"])
    if colour is not None:
        context.state.set_color("muscle_b_right", colour)
    render_to_png(context.loaded, context.state, out, size=(500, 500), view="anterior")
    return np.asarray(Image.open(out).convert("RGB")).astype(np.float64)


def _saturation(rgb: np.ndarray) -> np.ndarray:
    return rgb.max(axis=-1) - rgb.min(axis=-1)


@pytest.mark.parametrize("colour", [None, "#44AA99"])
def test_a_band_reads_pale_across_the_muscle_in_any_colour(
    tmp_path: Path, colour: str | None
) -> None:
    img = _render(_slab_atlas(tmp_path / "a", band=True), tmp_path / "a.png", colour)
    rows = _saturation(img[150:350, 170:330]).mean(axis=1)  # slab middle, top to bottom
    middle, rest = rows[90:110].mean(), np.r_[rows[:60], rows[-60:]].mean()
    assert middle < 0.6 * rest, f"band saturation {middle:.0f} vs muscle {rest:.0f}"
    plain = _render(_slab_atlas(tmp_path / "b", band=False), tmp_path / "b.png", colour)
    flat = _saturation(plain[150:350, 170:330]).mean(axis=1)
    assert flat[90:110].mean() > 0.85 * np.r_[flat[:60], flat[-60:]].mean(), "no band, no pale"


def _rectus(name: str) -> tuple[np.ndarray, np.ndarray | None]:
    from viewer.io.meshes import read_mesh

    mesh = read_mesh(MESHES / "muscles" / name)
    return mesh.points.astype(np.float64), mesh.tendon


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("detail", ["", ".light"])
def test_built_rectus_carries_two_intersections_below_the_cut(side: str, detail: str) -> None:
    """Bands at the umbilicus (L3-L4 disc level) and midway up to the xiphoid; the rest of
    the strap is muscle."""
    from viewer.io.meshes import read_mesh

    points, tendon = _rectus(f"rectus_abdominis_{side}{detail}.vtp")
    assert tendon is not None and len(tendon) == len(points)
    l3 = read_mesh(MESHES / "bones/vertebra_l3.vtp").points[:, 2].mean()
    l4 = read_mesh(MESHES / "bones/vertebra_l4.vtp").points[:, 2].mean()
    navel = 0.5 * (l3 + l4)
    z = points[:, 2]
    at_navel = np.abs(z - navel) < 3.0
    assert at_navel.any() and tendon[at_navel].max() >= 0.9, "pale at the umbilicus"
    tendinous_heights = np.unique(np.round(z[tendon >= 0.9] / 20.0))
    assert len(tendinous_heights) >= 2, "a second band above the umbilicus"
    assert (tendon > 0.05).mean() < 0.25, "mostly muscle"
    low = z < navel - 40.0
    assert tendon[low].max() == 0.0, "no band below the umbilicus"


TENDON_MUSCLES = {
    "rectus_abdominis",
    "psoas_major_upper",
    "psoas_major_lower",
    "iliacus",
    "piriformis",
    "gluteus_medius",
    "gluteus_minimus",
    "iliocostalis_lumborum",
    "longissimus_thoracis",
}
"""Muscles drawn with pale tendons: rectus's intersections, the insertion tendons and the
erector spinae aponeurosis (tools/atlas_build/tendons.py)."""


def test_only_muscles_with_tendons_drawn_carry_a_tendon_weight() -> None:
    from viewer.io.meshes import read_mesh

    paths = sorted((MESHES / "muscles").glob("*.vtp"))
    bases = {p.name.split(".")[0].rsplit("_", 1)[0] for p in paths}
    assert bases >= TENDON_MUSCLES
    others = [p for p in paths if p.name.split(".")[0].rsplit("_", 1)[0] not in TENDON_MUSCLES]
    # multifidus, quadratus lumborum, tensor fasciae latae, gluteus maximus (its lamina into the
    # iliotibial tract is not drawn: tools/atlas_build/tendons.py says why)
    assert len(others) >= 16
    for path in others:
        assert read_mesh(path).tendon is None, path.name
    for path in paths:
        if path not in others:
            assert read_mesh(path).tendon is not None, path.name


# ------------------------------------------------------------ insertion tendons, aponeurosis


def _landmarks() -> dict[str, np.ndarray]:
    data = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))["landmarks"]
    return {k: np.asarray(v["xyz"], dtype=np.float64) for k, v in data.items()}


def _muscle(base: str, side: str, detail: str = "") -> tuple[np.ndarray, np.ndarray]:
    from viewer.io.meshes import read_mesh

    mesh = read_mesh(MESHES / "muscles" / f"{base}_{side}{detail}.vtp")
    assert mesh.tendon is not None, f"{base}_{side}{detail} has no tendon weight"
    return mesh.points.astype(np.float64), mesh.tendon.astype(np.float64)


SIDES = pytest.mark.parametrize("side", ["right", "left"])


@SIDES
@pytest.mark.parametrize("base", ["psoas_major_upper", "psoas_major_lower", "iliacus"])
def test_iliopsoas_is_tendon_at_the_lesser_trochanter_and_muscle_above(
    side: str, base: str
) -> None:
    """The common tendon onto the lesser trochanter is pale; the belly is red."""
    lm = _landmarks()
    points, tendon = _muscle(base, side)
    d = np.linalg.norm(points - lm[f"lesser_trochanter_{side}"], axis=1)
    near = d < d.min() + 8.0
    assert d.min() < 10.0 and tendon[near].min() >= 0.9, "pale at the lesser trochanter"
    above_hip = points[:, 2] > lm[f"hip_centre_{side}"][2] + 15.0
    assert above_hip.sum() > 0.5 * len(points) and tendon[above_hip].max() == 0.0, "red belly"


@SIDES
def test_piriformis_tendon_is_pale_at_the_trochanter_and_the_belly_red(side: str) -> None:
    lm = _landmarks()
    points, tendon = _muscle("piriformis", side)
    gt = lm[f"greater_trochanter_{side}"]
    d = np.linalg.norm(points - gt, axis=1)
    assert d.min() < 12.0 and tendon[d < d.min() + 3.0].min() >= 0.9, "pale at the trochanter"
    inner = np.abs(points[:, 0]) < abs(gt[0]) - 50.0  # in the pelvis and the notch
    assert inner.sum() > 0.4 * len(points) and tendon[inner].max() == 0.0


def _near_femur(points: np.ndarray, side: str, mm: float) -> np.ndarray:
    from scipy.spatial import cKDTree

    from viewer.io.meshes import read_mesh

    femur = read_mesh(MESHES / "bones" / f"femur_{side}.vtp").points.astype(np.float64)
    return np.asarray(cKDTree(femur).query(points)[0] < mm)


@SIDES
@pytest.mark.parametrize("base", ["gluteus_medius", "gluteus_minimus"])
def test_gluteal_tendons_are_pale_on_the_greater_trochanter(side: str, base: str) -> None:
    """Where gluteus medius and minimus lie on the trochanter's facets they are tendon; the fan
    over the ilium is muscle."""
    lm = _landmarks()
    points, tendon = _muscle(base, side)
    on_bone = _near_femur(points, side, 4.0)
    on_bone &= points[:, 2] < lm[f"greater_trochanter_{side}"][2] + 2.0
    assert on_bone.sum() >= 10 and np.median(tendon[on_bone]) >= 0.9, "pale on the facet"
    fan = points[:, 2] > lm[f"hip_centre_{side}"][2] + 45.0
    assert fan.sum() > 0.3 * len(points) and tendon[fan].max() == 0.0, "red fan"


@SIDES
@pytest.mark.parametrize("base", ["iliocostalis_lumborum", "longissimus_thoracis"])
def test_erector_spinae_aponeurosis_is_pale_low_down(side: str, base: str) -> None:
    """The aponeurosis over the sacrum and lower lumbar region is pale; the lumbar mass above
    is red."""
    lm = _landmarks()
    points, tendon = _muscle(base, side)
    low = points[:, 2] < np.quantile(points[:, 2], 0.05)
    assert tendon[low].mean() >= 0.9
    l2 = lm[f"transverse_process_l2_{side}"][2]
    assert tendon[points[:, 2] > l2].max() == 0.0, "red from L2 up"


@pytest.mark.parametrize("base", sorted(TENDON_MUSCLES - {"rectus_abdominis"}))
@pytest.mark.parametrize("detail", ["", ".light"])
def test_tendon_edges_are_soft_not_speckled(base: str, detail: str) -> None:
    """No vertex stands out from its neighbours (the mean of their weights) by half the
    range or more: no pale specks in red muscle, no red specks in tendon."""
    from viewer.io.meshes import read_mesh

    mesh = read_mesh(MESHES / "muscles" / f"{base}_right{detail}.vtp")
    assert mesh.tendon is not None
    weight = mesh.tendon.astype(np.float64)
    tri = np.asarray(mesh.triangles)
    edges = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    total, count = np.zeros(len(weight)), np.zeros(len(weight))
    np.add.at(total, edges[:, 0], weight[edges[:, 1]])
    np.add.at(count, edges[:, 0], 1.0)
    speck = np.abs(weight - total / np.maximum(count, 1.0))
    assert speck.max() < 0.5, f"a speck of {speck.max():.2f}"
    assert 0.02 < (weight > 0.5).mean() < 0.4, "some tendon, mostly muscle"


def test_end_weight_is_measured_along_the_fascicle() -> None:
    """The weight depends on the distance along each fascicle from its end, not on where the
    end lies: a bent fascicle gets the same tendon length as a straight one."""
    import trimesh

    from tools.atlas_build.fibre_field import end_tendon_weight
    from tools.atlas_build.tendons import TendonSpec

    spec = TendonSpec(insertion_mm=30.0, edge_mm=10.0)
    for bend in (0.0, 60.0):
        path = np.array([[0.0, 0.0, 200.0], [0.0, 0.0, 100.0], [bend, 0.0, 100.0 - 100.0]])
        # a chain of points along the fascicle, 1 mm to its side, stands in for a surface
        seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
        s = np.linspace(0.0, seg.sum(), 400)
        pts = np.stack([np.interp(s, np.r_[0, np.cumsum(seg)], path[:, k]) for k in range(3)], 1)
        pts[:, 1] += 1.0
        mesh = trimesh.Trimesh(pts, np.zeros((0, 3), dtype=np.int64), process=False)
        w = end_tendon_weight(mesh, [path], spec)
        to_end = seg.sum() - s
        assert w[to_end < 20.0].min() > 0.99 and w[to_end > 40.0].max() < 0.01
        mid = (to_end > 27.0) & (to_end < 33.0)
        assert 0.2 < w[mid].mean() < 0.8, "soft edge at the tendon's length"


def test_a_ghosted_muscle_is_drawn_without_its_bands(offscreen: Any) -> None:
    """The opening view's faint abdominal wall showed its bands as a white haze across the
    psoas behind it; a ghost stays a plain outline, and a solid rectus shows them."""
    context, scene, window = offscreen
    state = context.state
    state.reset()
    window.Render()
    actor = scene.actor_of("rectus_abdominis_right")
    assert state.opacity("rectus_abdominis_right") < 0.5
    assert not actor.GetMapper().GetScalarVisibility(), "the ghost is plain"
    state.set_opacity(["rectus_abdominis_right"], 1.0)
    window.Render()
    assert actor.GetMapper().GetScalarVisibility(), "solid, its bands show"
    state.reset()
