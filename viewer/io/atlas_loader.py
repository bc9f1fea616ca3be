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
from viewer.io.meshes import MeshArrays, MeshError, read_atlas_mesh
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
    pending_full: dict[str, str] = field(default_factory=dict)
    """Structures still drawn from their light mesh: id -> full-detail file (progressive load)."""

    def load_full(self) -> dict[str, MeshArrays]:
        """Read the full-detail meshes deferred by ``load_atlas(..., light_first=True)``.

        Returns the meshes that changed; a full file that fails keeps its light mesh and is
        reported in ``problems``.
        """
        upgraded: dict[str, MeshArrays] = {}
        for sid, rel in self.pending_full.items():
            try:
                upgraded[sid] = read_atlas_mesh(self.folder, rel)
            except MeshError as exc:
                problem = Problem(str(self.folder / rel), sid, f"{exc}; light mesh used instead")
                self.problems.append(problem)
                log.warning("%s", problem)
        self.pending_full.clear()
        self.meshes.update(upgraded)
        return upgraded

    @property
    def n_triangles(self) -> int:
        """Triangles of the full-detail scene."""
        return sum(m.n_triangles for m in self.meshes.values())

    @property
    def n_triangles_light(self) -> int:
        """Triangles drawn while the camera moves."""
        return sum(self.light.get(k, m).n_triangles for k, m in self.meshes.items())


def load_atlas(folder: Path, with_light: bool = True, light_first: bool = False) -> LoadedAtlas:
    """Read ``folder/manifest.json`` and its meshes; problems are collected, never raised.

    With ``light_first`` only the light meshes are read where the atlas has them (they stand in
    for full detail until :meth:`LoadedAtlas.load_full`), so the window can show the atlas sooner.
    """
    folder = Path(folder)
    result = load_manifest(folder)
    problems = list(result.problems)
    meshes: dict[str, MeshArrays] = {}
    light: dict[str, MeshArrays] = {}
    kept: list[Structure] = []
    pending: dict[str, str] = {}
    for s in result.atlas.structures:
        if s.file is None:
            kept.append(s)
            continue
        if light_first and s.file_light:
            try:
                light[s.id] = meshes[s.id] = read_atlas_mesh(folder, s.file_light)
                pending[s.id] = s.file
                kept.append(s)
                continue
            except MeshError:
                pass  # fall back to the full file now; its light file is reported below
        try:
            meshes[s.id] = read_atlas_mesh(folder, s.file)
        except MeshError as exc:
            problems.append(Problem(str(folder / s.file), s.id, f"{exc}; structure not shown"))
            continue
        if with_light and s.file_light:
            try:
                light[s.id] = read_atlas_mesh(folder, s.file_light)
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
    pending = {k: v for k, v in pending.items() if k in atlas}
    return LoadedAtlas(
        atlas, meshes, light, problems, installed=result.found, folder=folder, pending_full=pending
    )


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
