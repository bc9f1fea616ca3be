"""Close-ups (``render --frame``): one structure fills most of the picture, its bone as context.

The atlas plates of issue 11 show each muscle "from the side where it is seen best"; framed
with every bone it touches, a muscle took a fifth of its tile because the femur set the scale.
"""

from __future__ import annotations

import json
import math
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.atlas_factory import MUSCLE_B
from tests.test_cli_render import _render_tiny
from viewer.domain.framing import (
    CLOSEUP_FILL,
    closeup_points,
    closeup_pose,
    whole_neighbours,
)


def _screen(points: np.ndarray, pose: object, angle: float, aspect: float) -> np.ndarray:
    """Normalised screen coordinates (x, y) of the points; +-1 is the frame's edge."""
    position = np.asarray(pose.position)  # type: ignore[attr-defined]
    back = position - np.asarray(pose.focal_point)  # type: ignore[attr-defined]
    back /= np.linalg.norm(back)
    up = np.asarray(pose.view_up, dtype=float)  # type: ignore[attr-defined]
    up -= (up @ back) * back
    up /= np.linalg.norm(up)
    right = np.cross(up, back)
    rel = points - position
    depth = -(rel @ back)
    assert (depth > 0).all(), "every framed point lies in front of the camera"
    t = math.tan(math.radians(angle) / 2)
    return np.column_stack([(rel @ right) / depth / (t * aspect), (rel @ up) / depth / t])


def _reach(points: np.ndarray, pose: object, angle: float, aspect: float) -> float:
    """How far toward the frame's edge the points reach (1.0 = the edge)."""
    return float(np.abs(_screen(points, pose, angle, aspect)).max())


def _span(points: np.ndarray, pose: object, angle: float, aspect: float) -> float:
    """Share of the frame's width or height (the larger) the points cover."""
    xy = _screen(points, pose, angle, aspect)
    return float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1])) / 2.0)


def _muscle_and_femur() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    muscle = rng.uniform((-30, -10, -20), (30, 10, 40), size=(800, 3))
    # a femur-like rod from the muscle's lower end 400 mm down, and a bony knob touching it
    rod = np.column_stack([np.zeros(400), np.zeros(400), np.linspace(-25, -420, 400)])
    knob = rng.uniform((28, -8, -5), (40, 8, 5), size=(60, 3))
    return muscle, np.vstack([rod, knob])


def test_closeup_keeps_the_neighbouring_bone_and_drops_the_far_one() -> None:
    muscle, bone = _muscle_and_femur()
    framed = closeup_points(muscle, bone, reach_mm=12.0)
    extra = framed[len(muscle) :]
    assert len(framed) > len(muscle), "bone touching the muscle is framed with it"
    assert extra[:, 2].min() > -20.0 - 12.0 - 1e-6, "the femur shaft far below is not"
    assert extra[:, 0].max() > 39.0, "the knob the muscle ends on stays whole"
    with pytest.raises(ValueError):
        closeup_points(np.empty((0, 3)), bone)


def test_closeup_fills_the_frame_with_the_muscle_not_the_femur() -> None:
    muscle, bone = _muscle_and_femur()
    angle, aspect = 30.0, 1.6
    pose = closeup_pose(muscle, bone, (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), angle, aspect)
    reach = _reach(closeup_points(muscle, bone), pose, angle, aspect)
    assert reach == pytest.approx(CLOSEUP_FILL, abs=0.02)
    assert _span(muscle, pose, angle, aspect) > 0.6, "the muscle itself fills most of it"
    # framing everything (the old plates) leaves the muscle a small part of the frame
    whole = np.vstack([muscle, bone])
    everything = closeup_pose(whole, muscle, (0, 1, 0), (0, 0, 1), angle, aspect)
    assert _span(muscle, everything, angle, aspect) < 0.3


def _share(path: Path, hex_color: str, tol: int = 60) -> float:
    rgb = np.asarray(Image.open(path))[..., :3].astype(int)
    target = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    return float(np.mean(np.all(np.abs(rgb - target) < tol, axis=-1)))


def _render(atlas: Path, out: Path, *extra: str) -> int:
    return _render_tiny(atlas, out, "--no-markers", *extra)


def test_render_frame_fills_the_picture_with_the_structure(
    tiny_atlas_dir: Path, tmp_path: Path
) -> None:
    whole, close, best = tmp_path / "whole.png", tmp_path / "close.png", tmp_path / "best.png"
    assert _render(tiny_atlas_dir, whole, "--view", "anterior") == 0
    assert _render(tiny_atlas_dir, close, "--view", "anterior", "--frame", "muscle_b_right") == 0
    assert _render(tiny_atlas_dir, best, "--frame", "muscle_b_right") == 0  # its best side
    before, after = _share(whole, MUSCLE_B), _share(close, MUSCLE_B)
    assert after > 3.0 * before and after > 0.3, (before, after)
    assert _share(best, MUSCLE_B) > 0.3


def test_render_frame_names_an_unknown_structure(
    tiny_atlas_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _render(tiny_atlas_dir, tmp_path / "x.png", "--frame", "no_such_muscle") == 2
    err = capsys.readouterr().err
    assert "--frame" in err and "no_such_muscle" in err
    assert not (tmp_path / "x.png").exists()


PLATES = Path(__file__).resolve().parents[1] / "docs" / "gallery" / "atlas_plates.txt"
#: the framed muscle may reach this far toward the frame's edge (1.0): CLOSEUP_FILL plus a
#: little, as the camera fits the light mesh and a sample of it, the picture the full mesh
CLOSEUP_EDGE = 0.9


def _plate_line(muscle: str) -> list[str]:
    """The gallery's close-up command line for ``muscle`` (docs/gallery/atlas_plates.txt)."""
    for line in PLATES.read_text(encoding="utf-8").splitlines():
        if line.startswith("render ") and f"--frame {muscle} " in line:
            return shlex.split(line)
    raise AssertionError(f"no close-up of {muscle} in {PLATES.name}")


@pytest.mark.parametrize(
    "muscle", ["gluteus_maximus_right", "gluteus_medius_right", "psoas_major_right"]
)
def test_gallery_closeup_shows_the_whole_muscle(
    muscle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plate as the gallery renders it (built-in atlas, 800x500): every vertex of the
    muscle's full-detail meshes (a group's parts) projects inside the picture with a margin, in
    the camera the picture was taken with (read back from the window, so any later camera
    change counts). Posterior, lateral and anterior close-ups; psoas is a group of two parts."""
    ndc = _plate_ndc(muscle, [muscle], tmp_path, monkeypatch)[muscle]
    reach = float(np.abs(ndc[:, :2]).max())
    assert reach <= CLOSEUP_EDGE, f"{muscle} reaches {reach:.2f} of the way to the frame's edge"
    assert np.abs(ndc[:, 2]).max() < 1.0, f"{muscle} is cut by the near or far clipping plane"


def _plate_ndc(
    muscle: str, ids: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, np.ndarray]:
    """Where each of ``ids`` (full-detail meshes, a group's parts together) lies in the
    gallery's close-up of ``muscle``: normalised device coordinates (the frame's edges at
    +-1) in the camera the picture was taken with (read back from the window as it is
    written, so any later camera change counts)."""
    import pyvista as pv

    import viewer.render.offscreen as offscreen
    from tests.conftest import REPO
    from viewer.cli import main

    manifest = REPO / "meshes" / "manifest.json"
    if not manifest.exists():
        pytest.skip("no built-in atlas")
    structures = json.loads(manifest.read_text())["structures"]
    points = {}
    for sid in ids:
        files = [
            s["file"] for s in structures if s.get("file") and sid in (s["id"], s.get("parent"))
        ]
        assert files, f"no mesh for {sid}"
        points[sid] = np.vstack([np.asarray(pv.read(REPO / "meshes" / f).points) for f in files])
    ndc: dict[str, np.ndarray] = {}
    write = offscreen.write_window_png

    def spy(window: Any, out: Path | str, transparent: bool = False) -> Path:
        renderer = window.GetRenderers().GetFirstRenderer()
        w, h = renderer.GetSize()
        m = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(w / h, -1, 1)
        mat = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
        for sid, p in points.items():
            hom = np.column_stack([p, np.ones(len(p))]) @ mat.T
            ndc[sid] = hom[:, :3] / hom[:, 3:4]
        return write(window, out, transparent)

    monkeypatch.setattr(offscreen, "write_window_png", spy)
    assert main([*_plate_line(muscle), "--out", str(tmp_path / "plate.png")]) == 0
    return ndc


def _plate_reach(
    muscle: str, ids: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, float]:
    """How far toward the frame's edge (1.0) each of ``ids`` reaches in the gallery's
    close-up of ``muscle`` (:func:`_plate_ndc`)."""
    ndc = _plate_ndc(muscle, ids, tmp_path, monkeypatch)
    return {sid: float(np.abs(p[:, :2]).max()) for sid, p in ndc.items()}


def test_gallery_gluteus_maximus_closeup_keeps_its_iliac_crest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lecturer read the iliac crest cut by the top edge as the muscle's top cropped: the
    hip bone it arises from is framed whole, with the muscle's own margin."""
    reach = _plate_reach(
        "gluteus_maximus_right", ["gluteus_maximus_right", "hip_bone_right"], tmp_path, monkeypatch
    )
    crest = reach["hip_bone_right"]
    assert crest <= CLOSEUP_EDGE, f"the hip bone reaches {crest:.2f} of the way to the edge"
    assert reach["gluteus_maximus_right"] <= CLOSEUP_EDGE


def test_whole_neighbours_takes_a_small_touching_bone_not_a_long_or_far_one() -> None:
    muscle, femur = _muscle_and_femur()
    crest = np.column_stack([np.linspace(-35, 35, 50), np.full(50, 12.0), np.full(50, 50.0)])
    far = crest + np.array([0.0, 0.0, 100.0])
    framed = closeup_points(muscle, np.vstack([femur, crest, far]))
    picked = whole_neighbours(framed, muscle, [femur, crest, far], (0, 1, 0), (0, 0, 1))
    assert len(picked) == 1 and np.array_equal(picked[0], crest)
