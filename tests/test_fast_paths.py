"""The fast paths of the posture drag and the pair views give what the plain code gave.

Each optimisation here replaced a simple computation (kept below as the reference) by a
quicker one that must return the same numbers; the posture title must keep its text actors
while a slider is dragged, and the painter must never write into the loaded standing meshes.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest


def _densify_reference(points: np.ndarray, step: float) -> np.ndarray:
    out = [points[:1]]
    for a, b in pairwise(points):
        n = max(1, int(np.ceil(float(np.linalg.norm(b - a)) / step)))
        t = np.linspace(0.0, 1.0, n + 1)[1:, None]
        out.append(a + t * (b - a))
    return np.vstack(out)


@pytest.mark.parametrize("dims", [2, 3])
def test_densify_matches_the_per_segment_loop_to_the_bit(dims: int) -> None:
    from viewer.domain.overlay_route import densify

    rng = np.random.default_rng(7)
    for k in (2, 3, 5, 24):
        for step in (0.7, 2.0, 3.0):
            pts = rng.normal(size=(k, dims)) * rng.uniform(0.5, 60.0)
            pts[1] = pts[0]  # a zero-length segment still gives one sample
            np.testing.assert_array_equal(densify(pts, step), _densify_reference(pts, step))
    assert densify(np.zeros((1, 3)), 1.0).shape == (1, 3)


def test_joint_contact_matches_every_distance_computed() -> None:
    from scipy.spatial import cKDTree

    from viewer.domain.pairviews import CONTACT_BAND_MM, joint_contact

    rng = np.random.default_rng(3)
    first = rng.normal(size=(4000, 3)) * [30.0, 20.0, 20.0]
    second = rng.normal(size=(3000, 3)) * [25.0, 25.0, 15.0] + [70.0, 5.0, 0.0]
    sides = []
    for mine, other in ((first, second), (second, first)):
        dist, _ = cKDTree(other).query(mine)
        sides.append(mine[dist <= dist.min() + CONTACT_BAND_MM].mean(axis=0))
    np.testing.assert_array_equal(joint_contact(first, second), (sides[0] + sides[1]) / 2.0)


def test_written_out_cross_product_is_numpys() -> None:
    from viewer.domain.skinning import _cross

    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(500, 3)), rng.normal(size=(500, 3)).astype(np.float32)
    np.testing.assert_array_equal(_cross(a, b), np.cross(a, b.astype(np.float64)))


def test_painter_writes_its_own_arrays_in_place_never_the_loaded_mesh() -> None:
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonCore import vtkPoints
    from vtkmodules.vtkCommonDataModel import vtkPolyData
    from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

    from viewer.render.posture_painter import Owned, _write

    standing = np.arange(30, dtype=np.float32).reshape(10, 3)
    poly = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(standing))  # shares the loaded mesh's memory, as the scene does
    poly.SetPoints(points)
    mapper = vtkPolyDataMapper()
    mapper.SetInputData(poly)
    actor = vtkActor()
    actor.SetMapper(mapper)
    owned: Owned = {}
    before = standing.copy()
    _write(actor, standing + 1.0, None, owned)
    np.testing.assert_array_equal(standing, before)  # the loaded mesh is untouched
    first = poly.GetPoints().GetData()
    _write(actor, standing + 2.0, None, owned)
    assert poly.GetPoints().GetData() is first  # the painter's own array, overwritten
    from vtkmodules.util.numpy_support import vtk_to_numpy

    np.testing.assert_array_equal(vtk_to_numpy(first), standing + 2.0)
    np.testing.assert_array_equal(standing, before)


def test_posture_title_keeps_its_actors_while_only_the_angles_change(tiny_atlas_dir: Path) -> None:
    from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow

    from viewer.domain.pose import STANDING
    from viewer.io.atlas_loader import load_atlas
    from viewer.render.posture_key import PostureKey
    from viewer.state.scene import SceneState

    window = vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetSize(800, 500)
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    state = SceneState(load_atlas(tiny_atlas_dir, with_light=False).atlas)
    key = PostureKey(renderer, state)
    state.set_pose(STANDING.with_hip_flexion(31.0))
    window.Render()
    actors = list(key._title_texts)
    texts = [a.GetInput() for a in actors]
    assert actors and key.title_box() is not None
    state.set_pose(STANDING.with_hip_flexion(38.0))
    window.Render()
    assert key._title_texts == actors  # the same actors ...
    assert [a.GetInput() for a in actors] != texts  # ... with the new angles
    assert "38" in " ".join(a.GetInput() for a in actors)
    state.set_pose(STANDING)  # no title for the standing pose: the actors go
    window.Render()
    assert key.title_box() is None
    key.detach()
    window.Finalize()
