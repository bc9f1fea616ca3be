"""Load an atlas folder: the manifest plus every mesh it names, full detail and light.

A structure whose mesh is missing or corrupt is reported and left out; the app starts with the
rest. Groups left without any member with geometry are dropped too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from viewer.domain.structures import Atlas, Kind, Structure
from viewer.io.manifest import load_manifest
from viewer.io.meshes import MeshArrays, MeshError, read_mesh
from viewer.io.problems import Problem

log = logging.getLogger(__name__)


@dataclass
class LoadedAtlas:
    """An atlas with its meshes, ready for a renderer.

    ``light`` holds the decimated level of detail where the atlas ships one; structures without a
    light file use their full mesh during interaction.
    """

    atlas: Atlas
    meshes: dict[str, MeshArrays] = field(default_factory=dict)
    light: dict[str, MeshArrays] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    installed: bool = True
    folder: Path = field(default_factory=Path)

    @property
    def n_triangles(self) -> int:
        """Triangles of the full-detail scene."""
        return sum(m.n_triangles for m in self.meshes.values())

    @property
    def n_triangles_light(self) -> int:
        """Triangles drawn while the camera moves."""
        return sum(self.light.get(k, m).n_triangles for k, m in self.meshes.items())


def load_atlas(folder: Path, with_light: bool = True) -> LoadedAtlas:
    """Read ``folder/manifest.json`` and its meshes; problems are collected, never raised."""
    folder = Path(folder)
    result = load_manifest(folder)
    problems = list(result.problems)
    meshes: dict[str, MeshArrays] = {}
    light: dict[str, MeshArrays] = {}
    kept: list[Structure] = []
    for s in result.atlas.structures:
        if s.file is None:
            kept.append(s)
            continue
        try:
            meshes[s.id] = read_mesh(folder / s.file)
        except MeshError as exc:
            problems.append(Problem(str(folder / s.file), s.id, f"{exc}; structure not shown"))
            continue
        if with_light and s.file_light:
            try:
                light[s.id] = read_mesh(folder / s.file_light)
            except MeshError as exc:
                problems.append(
                    Problem(str(folder / s.file_light), s.id, f"{exc}; full detail used instead")
                )
        kept.append(s)
    kept = _prune_empty_groups(kept)
    atlas = Atlas(
        structures=tuple(kept),
        sources=result.atlas.sources,
        title=result.atlas.title,
        root=result.atlas.root,
    )
    for p in problems:
        log.warning("%s", p)
    return LoadedAtlas(atlas, meshes, light, problems, installed=result.found, folder=folder)


def _prune_empty_groups(structures: list[Structure]) -> list[Structure]:
    probe = Atlas(structures=tuple(structures))
    out = []
    ids = set()
    for s in structures:
        if s.kind is Kind.GROUP and not probe.leaves(s.id):
            continue
        out.append(s)
        ids.add(s.id)
    return [replace(s, parent=None) if s.parent and s.parent not in ids else s for s in out]
