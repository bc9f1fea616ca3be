"""The atlas seen from above with its skin: the pelvis and lumbar muscles, not cut body wall.

Looking down on the pelvis, the camera sits inside the body's chest and neck. The ghosted skin
there was drawn as large pale sheets over the whole upper half of the picture (the gallery's
superior plates, all three bodies). The skin is now cut just above the atlas's anatomy in views
from above (viewer/render/scene_renderer.py, ``_cut_skin_top``) and whole in every other view.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def _warm_share_above_the_anatomy(path: Path) -> float:
    """Share of skin-toned (warm) pixels in the band between the "Front" word and the
    anatomy (5-22 % down the picture): background there is a cool grey-blue gradient."""
    from PIL import Image

    a = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    h = a.shape[0]
    band = a[int(0.05 * h) : int(0.22 * h)]
    return float((band[..., 0] - band[..., 2] > 8).mean())


@pytest.mark.parametrize("body", ["neutral", "female", "male"])
def test_the_view_from_above_shows_no_sheets_of_cut_skin(body: str, tmp_path: Path) -> None:
    from viewer.cli import main

    out = tmp_path / f"{body}.png"
    args = ["render", "-o", str(out), "--body", body, "--view", "superior", "--no-markers"]
    assert main([*args, "--labels", "auto"]) == 0  # the gallery's superior plate
    assert _warm_share_above_the_anatomy(out) < 0.05  # was 0.92 on the neutral body


def test_the_skin_is_cut_only_while_the_camera_looks_down() -> None:
    from viewer.context import load_context
    from viewer.domain.camera import view_by_name
    from viewer.render.offscreen import offscreen_scene

    context = load_context(None)
    with offscreen_scene(context.loaded, context.state, (640, 400)) as (window, _r, scene, _o):
        skin = context.loaded.skin_id
        assert skin is not None
        mapper = scene.actor_of(skin).GetMapper()
        scene.apply_pose(scene.pose_for(view_by_name("superior")))
        window.Render()
        cut = scene.skin_top_cut()
        assert cut is not None and mapper.GetClippingPlanes().GetNumberOfItems() == 1
        bones = [
            np.asarray(context.loaded.meshes[s.id].points)[:, 2].max()
            for s in context.loaded.atlas.renderable
            if s.kind.name == "BONE"
        ]
        assert cut > max(bones), "the cut lies above the anatomy"
        scene.apply_pose(scene.pose_for(view_by_name("anterior")))
        window.Render()
        assert scene.skin_top_cut() is None
        planes = mapper.GetClippingPlanes()
        assert planes is None or planes.GetNumberOfItems() == 0
