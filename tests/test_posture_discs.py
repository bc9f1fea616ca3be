"""Posed discs stay between the vertebrae they join (anterior tilt, slumped sitting).

Each disc is skinned to the bone above and the bone below it (viewer/domain/disc_binding.py);
as the lumbar curve changes with the pose, the disc must follow both endplates: it stays
between them, touches both and enters neither by more than 2 mm.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
import trimesh

from tests.posture_fixtures import MESHES, loaded, model
from tools.atlas_build.discs import DISCS
from tools.atlas_build.spine import vertebra_frame
from viewer.domain.pose import apply, preset
from viewer.domain.skinning import skin


@cache
def _frame(bone: str):  # type: ignore[no-untyped-def]
    mesh = loaded().meshes[bone]
    pts = np.asarray(mesh.points, dtype=np.float64)
    return vertebra_frame(trimesh.Trimesh(pts, mesh.triangles, process=False))


def _s1_centre() -> np.ndarray:
    data = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))
    return np.asarray(data["landmarks"]["s1_endplate_centre"]["xyz"], dtype=np.float64)


def _signed(points: np.ndarray, vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    import pyvista as pv

    surf = pv.PolyData(
        np.asarray(vertices, dtype=np.float64), np.c_[np.full(len(faces), 3), faces].ravel()
    )
    cloud = pv.PolyData(np.asarray(points, dtype=np.float64))
    return np.asarray(cloud.compute_implicit_distance(surf)["implicit_distance"])


@pytest.mark.parametrize("pose_name", ["anterior_tilt", "sitting_slumped", "sitting_upright"])
def test_posed_discs_stay_between_their_vertebrae(pose_name: str) -> None:
    atlas, m = loaded(), model()
    transforms = m.transforms(preset(pose_name))
    moved = 0
    for rec in DISCS:
        mesh = atlas.meshes[rec.id]
        points = np.asarray(mesh.points, dtype=np.float64)
        binding = m.disc_binding(rec.id, points)
        assert set(binding.bones) == {rec.upper, rec.lower}
        posed = skin(points, binding, transforms)
        moved += int(np.abs(posed - points).max() > 1.0)
        up_fr = _frame(rec.upper)
        eye = np.eye(4)
        top = apply(transforms.get(rec.upper, eye), up_fr.inferior[None, :])[0]
        base = _s1_centre() if rec.lower == "sacrum" else _frame(rec.lower).superior
        bottom = apply(transforms.get(rec.lower, eye), base[None, :])[0]
        # height of the disc's centre of volume in its disc space, along the column axis
        n = transforms.get(rec.upper, eye)[:3, :3] @ up_fr.up
        solid = trimesh.Trimesh(posed, mesh.triangles, process=False)
        t = float((solid.center_mass - bottom) @ n / ((top - bottom) @ n))
        assert 0.25 < t < 0.75, f"{pose_name}: {rec.id} centre at {t:.2f} of its disc space"
        for bone in (rec.upper, rec.lower):
            b = atlas.meshes[bone]
            bv = apply(transforms.get(bone, eye), np.asarray(b.points, dtype=np.float64))
            d = _signed(posed, bv, b.triangles)
            assert d.min() > -2.0, f"{pose_name}: {rec.id} enters {bone} by {-d.min():.1f} mm"
            assert (d < 1.5).mean() > 0.1, f"{pose_name}: {rec.id} lifted off {bone}"
    assert moved >= 3  # the pose really bent the lumbar column
