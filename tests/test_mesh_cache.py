"""The plain-array copies of the first frame's meshes (``viewer.io.mesh_cache``).

A copy must give exactly the arrays a fresh read gives, be used only for the very bytes that
read clean, and never make a damaged file or a damaged copy pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from viewer.io import mesh_cache
from viewer.io.meshes import MeshError, read_mesh

FIELDS = ("points", "triangles", "normals", "fibre_phase")


def _light_mesh(atlas: Path) -> Path:
    return next(iter(sorted(atlas.glob("*/*.light.vtp"))))


def _same(a: object, b: object) -> None:
    for field in FIELDS:
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            assert x.dtype == y.dtype and x.shape == y.shape, field
            assert np.array_equal(x, y), field
            assert y.flags.writeable and y.flags.c_contiguous, field


def test_a_cached_mesh_is_the_fresh_read_and_skips_the_vtk_reader(
    tiny_atlas_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _light_mesh(tiny_atlas_copy)
    fresh = read_mesh(path)
    first = read_mesh(path, cached=True)  # reads the file, leaves the copy
    _same(fresh, first)
    name = mesh_cache.cache_name(path.read_bytes())
    assert name is not None and (mesh_cache.cache_dir() / name).is_file()

    def no_vtk(_path: Path) -> None:
        raise AssertionError("the VTK reader ran for an unchanged file")

    monkeypatch.setattr("viewer.io.meshes._read_vtp", no_vtk)
    _same(fresh, read_mesh(path, cached=True))


def test_a_changed_file_is_read_again_and_a_damaged_copy_is_not_trusted(
    tiny_atlas_copy: Path,
) -> None:
    path = _light_mesh(tiny_atlas_copy)
    read_mesh(path, cached=True)
    name = mesh_cache.cache_name(path.read_bytes())
    assert name is not None
    copy = mesh_cache.cache_dir() / name
    # A copy whose arrays fail the checks (a triangle pointing past the points) is ignored.
    good = read_mesh(path)
    bad = type(good)(good.points[:3].copy(), good.triangles, good.normals, good.fibre_phase)
    mesh_cache.store(name, bad)
    _same(good, read_mesh(path, cached=True))
    # A truncated copy is ignored too.
    copy.write_bytes(copy.read_bytes()[:100])
    _same(good, read_mesh(path, cached=True))
    # A damaged file is refused even though a copy of its old bytes exists.
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(MeshError):
        read_mesh(path, cached=True)


def test_old_copies_are_pruned_least_recently_used_first(
    tiny_atlas_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each rebuilt atlas leaves new copies; the folder stays bounded, and a copy that was just
    used outlives older unused ones (they belong to atlases no longer launched)."""
    import os

    mesh = read_mesh(_light_mesh(tiny_atlas_copy))
    names = [f"{i:040x}.mesh" for i in range(4)]
    for age, name in enumerate(names):
        mesh_cache.store(name, mesh)
        then = 1_000_000 + 100 * age  # stored one after the other, oldest first
        os.utime(mesh_cache.cache_dir() / name, (then, then))
    size = (mesh_cache.cache_dir() / names[0]).stat().st_size
    assert mesh_cache.load(names[0]) is not None  # the oldest is used again: now the newest
    monkeypatch.setattr(mesh_cache, "MAX_CACHE_BYTES", int(2.5 * size))
    mesh_cache.store("f" * 40 + ".mesh", mesh)  # a write prunes down to two copies
    left = sorted(p.name for p in mesh_cache.cache_dir().glob("*.mesh"))
    assert left == sorted([names[0], "f" * 40 + ".mesh"]), left
