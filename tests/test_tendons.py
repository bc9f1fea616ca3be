"""Tendon drawn pale: rectus abdominis shows its tendinous intersections as pale bands.

A lecturer names the intersections first on a front view of rectus abdominis; they were 1.5 mm
grooves the lighting did not show. The build writes a ``Tendon`` weight on the muscle's
vertices (bands at the umbilicus and midway to the xiphoid) and the viewer blends the muscle's
colour toward tendon there. A slab carrying a band must show a pale stripe across it, in
whatever colour the muscle is given; a mesh without the weight is drawn as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.atlas_factory import write_tiny_atlas

pv = pytest.importorskip("pyvista")

REPO = Path(__file__).resolve().parent.parent
MESHES = REPO / "meshes"
CENTRE = (60.0, 10.0, 60.0)
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
    write_tiny_atlas(folder)
    cx, cy, cz = CENTRE
    slab = pv.Box(bounds=(cx - 50, cx + 50, cy - 5, cy + 5, cz - 50, cz + 50), level=12)
    slab = slab.triangulate().compute_normals(split_vertices=False, auto_orient_normals=True)
    if band:
        z = np.asarray(slab.points)[:, 2]
        slab.point_data["Tendon"] = (np.abs(z - BAND_Z) < 6.0).astype(np.float32)
    slab.save(folder / "muscles/muscle_b_right.vtp")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    for s in manifest["structures"]:
        if s["id"] == "muscle_b_right":
            s.pop("file_light", None)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


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


def test_only_muscles_with_intersections_carry_a_tendon_weight() -> None:
    from viewer.io.meshes import read_mesh

    others = [p for p in (MESHES / "muscles").glob("*.vtp") if "rectus" not in p.name]
    assert len(others) > 20
    for path in others:
        assert read_mesh(path).tendon is None, path.name


def test_a_ghosted_muscle_is_drawn_without_its_bands() -> None:
    """The opening view's faint abdominal wall showed its bands as a white haze across the
    psoas behind it; a ghost stays a plain outline, and a solid rectus shows them."""
    import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
    from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow

    from viewer.context import load_context
    from viewer.render.scene_renderer import SceneRenderer
    from viewer.render.theme import LIGHT

    context = load_context(None)
    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(320, 200)
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    scene = SceneRenderer(renderer, context.loaded, context.state, LIGHT)
    state = context.state
    state.reset()
    window.Render()
    actor = scene.actor_of("rectus_abdominis_right")
    assert state.opacity("rectus_abdominis_right") < 0.5
    assert not actor.GetMapper().GetScalarVisibility(), "the ghost is plain"
    state.set_opacity(["rectus_abdominis_right"], 1.0)
    window.Render()
    assert actor.GetMapper().GetScalarVisibility(), "solid, its bands show"
    scene.detach()
    window.Finalize()
