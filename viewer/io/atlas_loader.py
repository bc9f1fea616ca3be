"""Load an atlas folder: the manifest plus every mesh it names, full detail and light.

A structure whose mesh is missing or corrupt is reported and left out; the app starts with the
rest. Groups left without any member with geometry are dropped too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from viewer.domain.bodies import NEUTRAL, Body, check_body
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
    bodies: tuple[Body, ...] = ()
    """Body outlines offered by the manifest (skins with the skin structure's triangles)."""
    body: str = NEUTRAL
    """The body whose skin is in ``meshes`` / ``light`` now."""
    _neutral: MeshArrays | None = field(default=None, repr=False)

    @property
    def skin_id(self) -> str | None:
        """Id of the skin structure (the first of kind skin with a mesh), if any."""
        return next((s.id for s in self.atlas.renderable if s.kind is Kind.SKIN), None)

    @property
    def body_ids(self) -> tuple[str, ...]:
        """Bodies that can be shown: those listed in the manifest, else just the neutral one."""
        if self.skin_id is None:
            return ()
        ids = tuple(b.id for b in self.bodies)
        return ids if NEUTRAL in ids else (NEUTRAL, *ids)

    def neutral_skin(self) -> MeshArrays | None:
        """Full-detail neutral skin: where skin landmarks are placed, whatever body is shown."""
        if self.body == NEUTRAL or self.skin_id is None:
            return self.meshes.get(self.skin_id) if self.skin_id else None
        return self._neutral

    def use_body(self, body: str) -> dict[str, MeshArrays]:
        """Put ``body``'s skin in place of the current one; returns ``{skin_id: full mesh}``.

        Raises ValueError for a body this atlas does not offer and
        :class:`~viewer.io.meshes.MeshError` if its file cannot be read (nothing changes then).
        A missing or unreadable light file falls back to the full mesh.
        """
        check_body(body)
        sid = self.skin_id
        if sid is None or body not in self.body_ids:
            offered = ", ".join(self.body_ids) or "none"
            raise ValueError(f"this atlas has no {body} body (offered: {offered})")
        if body == self.body:
            return {}
        entry = next((b for b in self.bodies if b.id == body), None)
        if entry is None:  # neutral without a bodies list: the skin structure's own files
            structure = self.atlas.get(sid)
            entry = Body(NEUTRAL, "Neutral body", structure.file or "", structure.file_light)
        full = read_atlas_mesh(self.folder, entry.file)
        if sid in self.pending_full:  # progressive load: the neutral full mesh first
            self.meshes[sid] = read_atlas_mesh(self.folder, self.pending_full.pop(sid))
        current = self.meshes[sid]
        if len(full.points) != len(current.points):
            raise MeshError(
                f"{self.folder / entry.file}: {len(full.points)} vertices, the skin has "
                f"{len(current.points)}; a body must share the skin's triangles"
            )
        light = full
        if entry.file_light:
            try:
                light = read_atlas_mesh(self.folder, entry.file_light)
            except MeshError as exc:
                self.problems.append(
                    Problem(str(self.folder / entry.file_light), body, f"{exc}; full detail used")
                )
        if self.body == NEUTRAL:
            self._neutral = current
        self.pending_full.pop(sid, None)
        self.meshes[sid] = full
        self.light[sid] = light
        self.body = body
        return {sid: full}

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


def load_atlas(
    folder: Path, with_light: bool = True, light_first: bool = False, body: str = NEUTRAL
) -> LoadedAtlas:
    """Read ``folder/manifest.json`` and its meshes; problems are collected, never raised.

    With ``light_first`` only the light meshes are read where the atlas has them (they stand in
    for full detail until :meth:`LoadedAtlas.load_full`), so the window can show the atlas sooner.
    ``body`` picks the skin (:mod:`viewer.domain.bodies`); a body the atlas lacks is reported
    and the neutral skin is shown.
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
                # The first frame's meshes (here and below, where a structure has no light
                # file): from their plain copies when unchanged (``viewer.io.mesh_cache``).
                light[s.id] = meshes[s.id] = read_atlas_mesh(folder, s.file_light, cached=True)
                pending[s.id] = s.file
                kept.append(s)
                continue
            except MeshError:
                pass  # fall back to the full file now; its light file is reported below
        try:
            meshes[s.id] = read_atlas_mesh(folder, s.file, cached=light_first)
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
    loaded = LoadedAtlas(
        atlas,
        meshes,
        light,
        problems,
        installed=result.found,
        folder=folder,
        pending_full=pending,
        bodies=result.bodies,
    )
    if body != NEUTRAL:
        try:
            loaded.use_body(body)
        except (ValueError, MeshError) as exc:
            problem = Problem(str(folder), body, f"{exc}; neutral body shown")
            loaded.problems.append(problem)
            log.warning("%s", problem)
    return loaded


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
