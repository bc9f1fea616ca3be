"""Measure lines of sight to trigger-point markers by ray casting against the shown meshes.

The measurements feed the plain-Python rule in :mod:`viewer.domain.marker_depth`. Ray casting
(VTK static cell locators, built once per mesh and kept) rather than reading the depth buffer,
because the rule also needs where the line of sight leaves the body, which no depth buffer holds.
A few dozen markers against the visible meshes take about a millisecond, so it runs on every
still frame; while the camera moves the last classification stays.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from vtkmodules.vtkCommonCore import vtkIdList, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

from viewer.domain.marker_depth import MarkerSight, cover_length
from viewer.domain.structures import Kind
from viewer.render.scene_renderer import GHOST_PICK_OPACITY, SceneRenderer
from viewer.render.vtkmesh import to_polydata

Vec = tuple[float, float, float]

BEYOND_MM = 3000.0
"""How far past a marker the line of sight is followed to find where it leaves the body."""


class DepthProbe:
    """Ray casts from the camera through markers against one scene's meshes."""

    def __init__(self, scene: SceneRenderer) -> None:
        self.scene = scene
        self._locators: dict[str, tuple[int, vtkStaticCellLocator, tuple[float, ...]]] = {}
        self._points = vtkPoints()
        self._cells = vtkIdList()

    def _locator(self, sid: str) -> tuple[vtkStaticCellLocator, tuple[float, ...]]:
        mesh = self.scene.loaded.meshes[sid]
        cached = self._locators.get(sid)
        if cached is not None and cached[0] == id(mesh):
            return cached[1], cached[2]
        poly = to_polydata(mesh)
        locator = vtkStaticCellLocator()
        locator.SetDataSet(poly)
        locator.BuildLocator()
        bounds = tuple(poly.GetBounds())
        self._locators[sid] = (id(mesh), locator, bounds)
        return locator, bounds

    def _hits(self, sid: str, start: Vec, end: Vec) -> list[float]:
        """Distances from ``start`` of every crossing of structure ``sid`` on the segment."""
        locator, bounds = self._locator(sid)
        if not _segment_meets_box(start, end, bounds):
            return []
        self._points.Reset()
        self._cells.Reset()
        locator.IntersectWithLine(start, end, 0.0, self._points, self._cells)
        return [
            math.dist(start, self._points.GetPoint(i))
            for i in range(self._points.GetNumberOfPoints())
        ]

    def occluders(self) -> list[str]:
        """Shown, solid structures that can hide a marker (the skin is the body, not a cover)."""
        state, atlas = self.scene.state, self.scene.loaded.atlas
        return [
            s.id
            for s in atlas.renderable
            if s.kind is not Kind.SKIN
            and s.id in self.scene.loaded.meshes
            and state.is_visible(s.id)
            and state.opacity(s.id) >= GHOST_PICK_OPACITY
        ]

    def skins(self) -> list[str]:
        """Skin meshes (shown or not: the body's thickness does not depend on drawing it)."""
        atlas = self.scene.loaded.atlas
        return [
            s.id
            for s in atlas.renderable
            if s.kind is Kind.SKIN and s.id in self.scene.loaded.meshes
        ]

    def sights(
        self, camera: Vec, markers: Iterable[tuple[str, Vec, str]]
    ) -> dict[str, MarkerSight]:
        """Line-of-sight measurements for ``(marker id, position, own structure id)`` triples."""
        occluders = self.occluders()
        skins = self.skins()
        out: dict[str, MarkerSight] = {}
        for mid, position, own in markers:
            depth = math.dist(camera, position)
            if depth < 1e-6:
                out[mid] = MarkerSight(0.0, 0.0)
                continue
            cover = 0.0
            for sid in occluders:
                if sid == own:
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
            skin_hits = [h for sid in skins for h in self._hits(sid, camera, far)]
            before = [h for h in skin_hits if h < depth]
            after = [h for h in skin_hits if h > depth]
            out[mid] = MarkerSight(
                depth,
                cover,
                max(before) if before else None,
                min(after) if after else None,
            )
        return out


def _segment_meets_box(start: Vec, end: Vec, bounds: tuple[float, ...]) -> bool:
    """Slab test: does the segment pass through the axis-aligned box (with 1 mm slack)?"""
    t0, t1 = 0.0, 1.0
    for axis in range(3):
        lo, hi = bounds[2 * axis] - 1.0, bounds[2 * axis + 1] + 1.0
        s, d = start[axis], end[axis] - start[axis]
        if abs(d) < 1e-12:
            if s < lo or s > hi:
                return False
            continue
        a, b = (lo - s) / d, (hi - s) / d
        if a > b:
            a, b = b, a
        t0, t1 = max(t0, a), min(t1, b)
        if t0 > t1:
            return False
    return True
