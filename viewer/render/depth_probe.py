"""Measure lines of sight to trigger-point markers by ray casting against the shown meshes.

The measurements feed the plain-Python rule in :mod:`viewer.domain.marker_depth`. Ray casting
(VTK static cell locators, built once per mesh and kept) rather than reading the depth buffer,
because the rule also needs where the line of sight leaves the body, which no depth buffer holds.
A few dozen markers against the visible meshes take about a millisecond, so it runs on every
still frame; while the camera moves the last classification stays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from vtkmodules.vtkCommonCore import vtkIdList, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkPolyData, vtkStaticCellLocator

from viewer.domain.camera import SearchView
from viewer.domain.marker_depth import MarkerSight, cover_length, hides_markers, own_parts
from viewer.domain.segments import segment_crosses_box
from viewer.domain.structures import Kind
from viewer.render.scene_renderer import GHOST_PICK_OPACITY, SceneRenderer
from viewer.render.vtkmesh import to_polydata

Vec = tuple[float, float, float]

VISIBILITY_SAMPLES = 96
"""Triangles tested per search result and direction (about 10 ms per direction)."""

SKIN_TOL = 1e-6
"""VTK's line-intersection tolerance for the skin (tiny: it only lets a ray through a shared
edge count as a crossing): the
skin is mirror-symmetric with a row of edges on the midline, and a line of sight in that plane
(to a lumbar vertebra seen from in front) slipped between the two triangles sharing them, so
a vertebra 7 cm under the belly was taken for one under no skin at all (labels) and a
midline point for one outside the body (markers)."""

BEYOND_MM = 3000.0
"""How far past a marker the line of sight is followed to find where it leaves the body."""


class DrawnLocators:
    """Cell locators over the structures' meshes as drawn now (posed, the body outline in use),
    rebuilt when the scene's geometry changes; the loaded (standing) mesh only for a structure
    without an actor. Shared by the marker depth rule and the label anchors."""

    def __init__(self, scene: SceneRenderer) -> None:
        self.scene = scene
        self._cache: dict[str, tuple[object, vtkStaticCellLocator, tuple[float, ...]]] = {}

    def poly(self, sid: str) -> vtkPolyData | None:
        """The structure's poly data as drawn, ``None`` when it has no actor or no cells."""
        try:
            mapper = self.scene.actor_of(sid).GetMapper()
        except KeyError:
            return None
        poly = mapper.GetInput() if mapper is not None else None
        return poly if isinstance(poly, vtkPolyData) and poly.GetNumberOfCells() else None

    def get(self, sid: str) -> tuple[vtkStaticCellLocator, tuple[float, ...]] | None:
        """A locator and the bounds of ``sid`` as drawn (``None``: nothing to cast against)."""
        poly = self.poly(sid)
        if poly is None:
            mesh = self.scene.loaded.meshes.get(sid)
            if mesh is None:
                return None
            key: object = (mesh, None)
        else:
            # The poly data itself is part of the key (held, so its Python wrapper stays the
            # same object): a new tessellation or moved vertices need a new locator.
            key = (poly, self.scene.geometry_version, poly.GetNumberOfPoints())
        cached = self._cache.get(sid)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        if poly is None:
            poly = to_polydata(self.scene.loaded.meshes[sid])
        locator = vtkStaticCellLocator()
        locator.SetDataSet(poly)
        locator.BuildLocator()
        bounds = tuple(poly.GetBounds())
        self._cache[sid] = (key, locator, bounds)
        return locator, bounds


class DepthProbe:
    """Ray casts from the camera through markers against one scene's meshes as drawn.

    The meshes as drawn, not as loaded: a posed body (sitting, a tight side, standing on one
    leg) moves its muscles and the X's with them, and rays cast against the standing meshes met
    surfaces that were no longer there. Sitting, seen from in front, the distal iliopsoas X in
    the groin was drawn deep ("behind other structures") behind 12 mm of the standing upper
    psoas and 6 mm of the standing iliacus, and the lower psoas X taken for the far side."""

    def __init__(self, scene: SceneRenderer) -> None:
        self.scene = scene
        self._drawn = DrawnLocators(scene)
        self._points = vtkPoints()
        self._cells = vtkIdList()

    def _hits(self, sid: str, start: Vec, end: Vec, tol: float = 0.0) -> list[float]:
        """Distances from ``start`` of every crossing of structure ``sid`` on the segment."""
        found = self._drawn.get(sid)
        if found is None:
            return []
        locator, bounds = found
        if not segment_meets_box(start, end, bounds):
            return []
        self._points.Reset()
        self._cells.Reset()
        locator.IntersectWithLine(start, end, tol, self._points, self._cells)
        return [
            math.dist(start, self._points.GetPoint(i))
            for i in range(self._points.GetNumberOfPoints())
        ]

    def _shown_but_skin(self, keep: Callable[[bool, float], bool]) -> list[str]:
        """Shown structures with a mesh, the skin left out (it is the body, not a cover), that
        ``keep(is_bone, opacity)`` accepts."""
        state, atlas = self.scene.state, self.scene.loaded.atlas
        return [
            s.id
            for s in atlas.renderable
            if s.kind is not Kind.SKIN
            and s.id in self.scene.loaded.meshes
            and state.is_visible(s.id)
            and keep(s.kind is Kind.BONE, state.opacity(s.id))
        ]

    def occluders(self) -> list[str]:
        """Shown, solid structures that can hide a marker (the skin is the body, not a cover)."""
        return self._shown_but_skin(lambda _bone, opacity: opacity >= GHOST_PICK_OPACITY)

    def marker_covers(self) -> list[str]:
        """Shown structures that hide a trigger point behind them
        (:func:`viewer.domain.marker_depth.hides_markers`: bone however faint, other
        structures when solid; the skin is the body, not a cover)."""
        return self._shown_but_skin(hides_markers)

    def own_parts(self, muscle: str) -> set[str]:
        """What never hides a marker of ``muscle``: it and the other parts of its muscle
        (:func:`viewer.domain.marker_depth.own_parts`)."""
        atlas = self.scene.loaded.atlas
        if muscle not in atlas:
            return {muscle}
        parent = atlas.get(muscle).parent
        leaves = tuple(atlas.leaves(parent)) if parent and parent in atlas else ()
        return own_parts(muscle, parent, leaves)

    def skins(self, shown_only: bool = False) -> list[str]:
        """Skin meshes; with ``shown_only`` just those drawn (not hidden, not fully clear)."""
        atlas, state = self.scene.loaded.atlas, self.scene.state
        return [
            s.id
            for s in atlas.renderable
            if s.kind is Kind.SKIN
            and s.id in self.scene.loaded.meshes
            and (not shown_only or (state.is_visible(s.id) and state.opacity(s.id) > 0.0))
        ]

    def sights(
        self, camera: Vec, markers: Iterable[tuple[str, Vec, str]]
    ) -> dict[str, MarkerSight]:
        """Line-of-sight measurements for ``(marker id, position, own structure id)`` triples."""
        occluders = self.marker_covers()
        skins = self.skins()
        shown_skins = self.skins(shown_only=True)
        shown = bool(shown_skins)
        skin_opacity = max((self.scene.state.opacity(s) for s in shown_skins), default=0.0)
        out: dict[str, MarkerSight] = {}
        for mid, position, own in markers:
            depth = math.dist(camera, position)
            if depth < 1e-6:
                out[mid] = MarkerSight(0.0, 0.0)
                continue
            cover = 0.0
            mine = self.own_parts(own)
            for sid in occluders:
                if sid in mine:
                    continue
                hits = self._hits(sid, camera, position)
                if hits:
                    cover += cover_length(hits, depth)
            direction = tuple((p - c) / depth for p, c in zip(position, camera, strict=True))
            far = (
                camera[0] + direction[0] * (depth + BEYOND_MM),
                camera[1] + direction[1] * (depth + BEYOND_MM),
                camera[2] + direction[2] * (depth + BEYOND_MM),
            )
            skin_hits = [h for sid in skins for h in self._hits(sid, camera, far, SKIN_TOL)]
            before = [h for h in skin_hits if h < depth]
            after = [h for h in skin_hits if h > depth]
            out[mid] = MarkerSight(
                depth,
                cover,
                max(before) if before else None,
                min(after) if after else None,
                body_shown=shown,
                skin_opacity=skin_opacity,
            )
        return out


    def visibility(
        self, structure_ids: Iterable[str], direction: Vec, samples: int = VISIBILITY_SAMPLES
    ) -> Visibility:
        """How much of these structures is seen unobstructed from ``direction``, and what hides
        the rest.

        Evenly thinned triangles of their light meshes are tested: a triangle facing the
        direction counts with its projected area (mm²) when a ray from far out along
        ``direction`` to its centre meets nothing opaque on the way (its own structure included,
        so the far side of a muscle does not count); otherwise the first structures met are
        charged with that area. Search uses it to show a result from where it is seen best.
        """
        d = np.asarray(direction, dtype=np.float64)
        d /= np.linalg.norm(d) or 1.0
        occluders = self.occluders()
        ids = list(structure_ids)
        visible = facing_total = 0.0
        blockers: dict[str, float] = {}
        per = max(8, samples // max(1, len(ids)))
        for sid in ids:
            light = sid in self.scene.loaded.light
            mesh = self.scene.loaded.light.get(sid) or self.scene.loaded.meshes.get(sid)
            if mesh is None:
                continue
            # Where the posture put it (the occluders' rays are cast on the drawn meshes too).
            drawn = self.scene.drawn_points(sid, light=light)
            pts = np.asarray(
                drawn if drawn is not None and len(drawn) == len(mesh.points) else mesh.points,
                dtype=np.float64,
            )
            tri = pts[np.asarray(mesh.triangles)]
            cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
            projected = 0.5 * (cross @ d)  # signed: > 0 faces the direction
            facing = np.flatnonzero(projected > 0)
            if len(facing) == 0:
                continue
            step = max(1, len(facing) // per)
            chosen = facing[::step]
            weight = float(projected[facing].sum()) / float(projected[chosen].sum())
            facing_total += float(projected[facing].sum())
            centres = tri[chosen].mean(axis=1)
            for centre, area in zip(centres, projected[chosen], strict=True):
                start = (float(centre[0] + d[0] * BEYOND_MM), float(centre[1] + d[1] * BEYOND_MM),
                         float(centre[2] + d[2] * BEYOND_MM))
                # Stop 1 mm short of the triangle itself.
                end = (float(centre[0] + d[0]), float(centre[1] + d[1]), float(centre[2] + d[2]))
                hit = [o for o in occluders if self._hits(o, start, end)]
                if not hit:
                    visible += float(area) * weight
                for o in hit:
                    if o not in ids:
                        blockers[o] = blockers.get(o, 0.0) + float(area) * weight
        ahead, behind = self._skin_depths(ids, d)
        return Visibility(visible, facing_total, blockers, ahead, behind)

    def _skin_depths(self, ids: list[str], d: np.ndarray) -> tuple[float | None, float | None]:
        """Distances from the structures' centre to the skin toward ``d`` and away from it."""
        chunks = []
        for i in ids:
            if i not in self.scene.loaded.meshes:
                continue
            drawn = self.scene.drawn_points(i)
            points = drawn if drawn is not None else self.scene.loaded.meshes[i].points
            chunks.append(np.asarray(points, dtype=np.float64))
        skins = self.skins()
        if not chunks or not skins:
            return None, None
        centre = np.concatenate(chunks).mean(axis=0)
        out: list[float | None] = []
        for sign in (1.0, -1.0):
            far = centre + sign * d * BEYOND_MM
            start = (float(centre[0]), float(centre[1]), float(centre[2]))
            end = (float(far[0]), float(far[1]), float(far[2]))
            hits = [h for skin in skins for h in self._hits(skin, start, end)]
            out.append(min(hits) if hits else None)
        return out[0], out[1]


@dataclass(frozen=True)
class Visibility:
    """Seen from one direction: unobstructed projected area, all facing area, what hides it,
    and how deep it lies under the skin toward that direction and away from it (mm)."""

    visible: float
    facing: float
    blockers: dict[str, float]
    skin_ahead: float | None = None
    skin_behind: float | None = None


def segment_meets_box(start: Vec, end: Vec, bounds: tuple[float, ...]) -> bool:
    """Slab test: does the segment pass through the axis-aligned box (with 1 mm slack)?
    ``bounds`` is VTK's (xmin, xmax, ymin, ymax, zmin, zmax)."""
    lows = [bounds[2 * axis] - 1.0 for axis in range(3)]
    highs = [bounds[2 * axis + 1] + 1.0 for axis in range(3)]
    return segment_crosses_box(start, end, lows, highs)


def best_view(probe: DepthProbe, structure_ids: Iterable[str]) -> SearchView | None:
    """Where structures are seen best as the scene is now, and what covers them there.

    Search's rule (:func:`viewer.domain.camera.choose_search_view`) over the
    :data:`~viewer.domain.camera.SEARCH_DIRECTIONS`, measured with ``probe``: the near-side
    view with the largest unobstructed area, or, for a structure covered from every side, the
    one it faces most with its covers named. Used by search in the window and by
    ``render --frame`` for close-ups, so both show a structure from the same side.
    """
    from viewer.domain.camera import (
        SEARCH_DIRECTIONS,
        SearchSight,
        choose_search_view,
        view_by_name,
    )

    atlas = probe.scene.loaded.atlas
    leaves = [leaf for sid in structure_ids if sid in atlas for leaf in atlas.leaves(sid)]
    if not leaves:
        return None
    seen = {}
    for name in SEARCH_DIRECTIONS:
        v = probe.visibility(leaves, view_by_name(name).direction)
        seen[name] = SearchSight(v.visible, v.facing, v.blockers, v.skin_ahead, v.skin_behind)
    return choose_search_view(seen)
