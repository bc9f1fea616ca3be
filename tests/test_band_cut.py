"""Cutting a surface along horizontal planes (rectus abdominis's tendinous bands drawn crisp):
the surface must stay closed, keep its shape and orientation, and gain vertices on each plane."""

from __future__ import annotations

import numpy as np
import trimesh

from tools.atlas_build.band_cut import ON_PLANE_MM, band_edge_heights, cut_at_heights


def _strap() -> trimesh.Trimesh:
    """A coarse box like a decimated strap: few, tall triangles."""
    return trimesh.creation.box(extents=(60.0, 10.0, 200.0))


def test_band_edges_are_where_the_weight_starts_and_reaches_full() -> None:
    assert band_edge_heights([(10.0, 4.0)]) == [6.0, 8.0, 12.0, 14.0]


def test_cut_keeps_the_surface_closed_oriented_and_unchanged_in_shape() -> None:
    box = _strap()
    heights = band_edge_heights([(30.0, 4.0), (-20.0, 4.0)])
    cut = cut_at_heights(box, heights)
    assert len(cut.faces) > len(box.faces)
    assert cut.is_watertight and cut.is_winding_consistent
    assert np.isclose(cut.volume, box.volume) and np.isclose(cut.area, box.area)
    for h in heights:
        on_plane = np.abs(cut.vertices[:, 2] - h) < 1e-9
        assert on_plane.sum() >= 4, h  # a ring of vertices around the strap
    # no triangle straddles any plane any more
    z = cut.vertices[cut.faces][:, :, 2]
    for h in heights:
        assert not ((z.max(axis=1) > h + ON_PLANE_MM) & (z.min(axis=1) < h - ON_PLANE_MM)).any()


def test_a_vertex_near_the_plane_is_not_split_off_into_slivers() -> None:
    box = _strap()
    near = float(box.vertices[:, 2].max()) - 0.1  # just under the top face's corners
    cut = cut_at_heights(box, [near])
    assert len(cut.faces) == len(box.faces)
