"""Fibre striation: muscles show faint stripes that run the way their fibres run.

A flat muscle slab faces the camera; its ``FibrePhase`` grows along x (fibres run up-down) or
along z (fibres run left-right). The rendered stripes must vary across the fibres and stay
constant along them, and vanish when the mesh carries no fibre field. The built atlas's
muscles must carry the field, with directions that follow their fascicles.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.atlas_factory import write_slab_atlas, write_tiny_atlas

pv = pytest.importorskip("pyvista")

REPO = Path(__file__).resolve().parent.parent
MESHES = REPO / "meshes"


def _slab_atlas(folder: Path, phase_axis: int | None) -> Path:
    """Tiny atlas whose muscle_b_right is a 100 x 10 x 100 mm slab with a fibre phase."""
    if phase_axis is None:
        return write_slab_atlas(folder, 6)
    return write_slab_atlas(folder, 6, lambda p: {"FibrePhase": p[:, phase_axis]})


def _render_slab(folder: Path, out: Path) -> np.ndarray:
    from PIL import Image

    from viewer.context import load_context
    from viewer.render.offscreen import render_to_png

    context = load_context(folder)
    context.state.isolate(["muscle_b_right"])
    render_to_png(context.loaded, context.state, out, size=(500, 500), view="anterior")
    img = np.asarray(Image.open(out).convert("L")).astype(np.float64)
    return img[170:330, 170:330]  # the middle of the slab (it fills the frame)


def _variation(img: np.ndarray) -> tuple[float, float]:
    """Mean |difference| between neighbouring pixels across columns (x) and rows (y)."""
    return float(np.abs(np.diff(img, axis=1)).mean()), float(np.abs(np.diff(img, axis=0)).mean())


def test_stripes_run_along_the_fibres(tmp_path: Path) -> None:
    # phase along x: fibres run up-down on screen, stripes are vertical lines
    along_z = _render_slab(_slab_atlas(tmp_path / "a", phase_axis=0), tmp_path / "a.png")
    dx, dz = _variation(along_z)
    assert dx > 3.0 * dz and dx > 1.0, (dx, dz)
    # phase along z: fibres run left-right, stripes are horizontal lines
    along_x = _render_slab(_slab_atlas(tmp_path / "b", phase_axis=2), tmp_path / "b.png")
    dx, dz = _variation(along_x)
    assert dz > 3.0 * dx and dz > 1.0, (dx, dz)
    # periodic: many stripes across the slab (a column profile's strongest frequency)
    profile = along_z.mean(axis=0) - along_z.mean()
    cycles = int(np.argmax(np.abs(np.fft.rfft(profile))[1:]) + 1)
    assert cycles >= 5, cycles


def test_no_fibre_field_no_stripes_and_stripes_stay_subtle(tmp_path: Path) -> None:
    plain = _render_slab(_slab_atlas(tmp_path / "p", phase_axis=None), tmp_path / "p.png")
    striped = _render_slab(_slab_atlas(tmp_path / "s", phase_axis=0), tmp_path / "s.png")
    assert max(_variation(plain)) < 1.0
    # subtle: the stripes darken the muscle by a fraction of its brightness, never to black
    assert striped.min() > 0.6 * plain.mean()
    assert abs(striped.mean() - plain.mean()) < 0.1 * plain.mean()


@pytest.mark.skipif(not (MESHES / "manifest.json").exists(), reason="no built atlas")
def test_built_muscles_carry_fibre_directions_along_their_fascicles() -> None:
    manifest = json.loads((MESHES / "manifest.json").read_text("utf-8"))
    muscles = [s for s in manifest["structures"] if s["kind"] == "muscle" and s.get("file")]
    assert muscles
    for s in muscles:
        mesh = pv.read(MESHES / s["file"])
        assert "FibrePhase" in mesh.point_data and "FibreDirection" in mesh.point_data, s["id"]
        d = np.asarray(mesh.point_data["FibreDirection"])
        assert np.allclose(np.linalg.norm(d, axis=1), 1.0, atol=1e-2), s["id"]
    # longissimus fibres run head-to-tail; gluteus maximus fibres down and outwards
    es = np.asarray(pv.read(MESHES / "muscles/longissimus_thoracis_right.vtp")["FibreDirection"])
    assert np.median(np.abs(es[:, 2])) > 0.8
    gm = np.asarray(pv.read(MESHES / "muscles/gluteus_maximus_right.vtp")["FibreDirection"])
    gm = -gm * np.sign(gm[:, 2:3] + 1e-9)  # orient downwards: compare axes, not senses
    lateral = -gm[:, 0]  # right side: lateral is -x; going down, the fibres go outwards
    assert np.median(lateral) > 0.3, np.median(lateral)


def test_stripes_only_on_still_frames(tmp_path: Path) -> None:
    """Frames drawn while the camera moves (light meshes) carry no texture; at rest the
    striated full-detail mesh is drawn again."""
    import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (OpenGL factories)
    from vtkmodules.vtkRenderingCore import vtkRenderer

    from viewer.context import load_context
    from viewer.render.scene_renderer import SceneRenderer
    from viewer.render.theme import LIGHT

    folder = write_tiny_atlas(tmp_path / "atlas")
    path = folder / "muscles/muscle_b_right.vtp"
    mesh = pv.read(path)
    mesh.point_data["FibrePhase"] = np.asarray(mesh.points)[:, 2].astype(np.float32)
    mesh.save(path)
    context = load_context(folder)
    scene = SceneRenderer(vtkRenderer(), context.loaded, context.state, LIGHT)
    full, light = scene.actor_of("muscle_b_right"), scene.light_actor_of("muscle_b_right")
    assert light is not None

    def drawn() -> object:
        (actor,) = [a for a in (full, light) if a.GetVisibility()]
        return actor

    assert drawn() is full and full.GetTexture() is not None, "striated at rest"
    scene.set_interacting(True)
    assert drawn() is light and light.GetTexture() is None, "plain while moving"
    scene.set_interacting(False)
    assert drawn() is full and full.GetTexture() is not None, "striated again at rest"
    scene.detach()


def _phase_against_fibres(mesh: pv.PolyData) -> tuple[float, float, int]:
    """(area share where the stripes cross the fibres at over 60 degrees, median stripe
    density (|grad phase|, 1 = one period per PERIOD_MM across the fibres), how many vertices
    are a phase extremum among their neighbours: the centres of ring-shaped stripes)."""
    pts = np.asarray(mesh.points, dtype=np.float64)
    tri = np.asarray(mesh.faces).reshape(-1, 4)[:, 1:]
    phase = np.asarray(mesh.point_data["FibrePhase"], dtype=np.float64)
    a, b, c = pts[tri[:, 0]], pts[tri[:, 1]], pts[tri[:, 2]]
    normal = np.cross(b - a, c - a)
    twice_area = np.linalg.norm(normal, axis=1)
    normal /= np.maximum(twice_area, 1e-12)[:, None]
    grad = sum(
        np.cross(normal, q - p) * phase[tri[:, k], None]
        for k, (p, q) in enumerate(((b, c), (c, a), (a, b)))
    ) / np.maximum(twice_area, 1e-12)[:, None]
    fibre = np.asarray(mesh.point_data["FibreDirection"], dtype=np.float64)[tri].mean(axis=1)
    fibre /= np.maximum(np.linalg.norm(fibre, axis=1), 1e-9)[:, None]
    size = np.linalg.norm(grad, axis=1)
    along = np.abs(np.einsum("ij,ij->i", grad, fibre)) / np.maximum(size, 1e-9)
    crossing = float(twice_area[along > 0.5].sum() / twice_area.sum())
    edges = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    high = np.full(len(pts), -np.inf)
    low = np.full(len(pts), np.inf)
    for u, v in ((0, 1), (1, 0)):
        np.maximum.at(high, edges[:, u], phase[edges[:, v]])
        np.minimum.at(low, edges[:, u], phase[edges[:, v]])
    return crossing, float(np.median(size)), int(((phase > high) | (phase < low)).sum())


def test_built_stripes_follow_the_fibres_on_every_muscle() -> None:
    """Every muscle shows stripes, and they run with its fibres: gluteus minimus once showed
    wood grain (rings round single fascicles; 35 % of its surface striped across the fibres)
    and psoas no stripes at all (its phase was flat: median density 0.00)."""
    manifest = json.loads((MESHES / "manifest.json").read_text("utf-8"))
    for s in manifest["structures"]:
        if s["kind"] != "muscle" or not s.get("file") or not s["id"].endswith("_right"):
            continue
        crossing, density, rings = _phase_against_fibres(pv.read(MESHES / s["file"]))
        assert crossing <= 0.25, f"{s['id']}: {crossing:.0%} of it striped across its fibres"
        assert density >= 0.4, f"{s['id']}: stripes too sparse ({density:.2f})"
        assert rings <= 25, f"{s['id']}: {rings} ring centres in its stripes"
