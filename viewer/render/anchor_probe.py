"""Exact line-of-sight checks for label anchors, against the meshes as drawn (posed).

"Label all" finds what the camera sees with a coarse depth grid of surface samples
(:func:`viewer.domain.labels.visible_parts`): cheap, but a grid cell can hold the edge of one
muscle and the middle of another, and a sample of a muscle lying under a see-through ghost (the
abdominal wall) can be taken for a point of that ghost's neighbour. A leader must end on its own
structure, so each candidate anchor is checked here by casting the ray from the camera to it:
it passes only when the first solid surface met is the structure's own. Solid means what hides
things on screen: shown, not a ghost (below :data:`GHOST_PICK_OPACITY`), not the skin (the body
outline is drawn see-through over the anatomy it is about). A skin drawn as the body (0.9 or
more opaque) does hide: a point more than 3 cm under it is not seen, the markers' rule
(:func:`viewer.domain.marker_depth.hidden_by_skin`), so a plate does not name the psoas,
iliacus or piriformis under an opaque skin with leaders ending on the skin.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from vtkmodules.vtkCommonCore import vtkIdList, vtkPoints

from viewer.domain.marker_depth import hidden_by_skin
from viewer.domain.structures import Kind
from viewer.render.depth_probe import SKIN_TOL, DrawnLocators, segment_meets_box
from viewer.render.scene_renderer import GHOST_PICK_OPACITY, SceneRenderer

Vec = tuple[float, float, float]

TOLERANCE_MM = 0.5
"""An own surface no further than this behind another one's counts as first (shared faces)."""

EDGE_MARGIN_PX = 3.0
"""How far inside its own outline on screen a label anchor must lie."""

RING_REACH_MM = 150.0
"""How far behind the anchor's depth the rays around it look for the first surface."""

PARALLEL_BACK_MM = 5000.0
"""Where rays of a parallel-projection camera start, behind the anchor along the view."""


class AnchorProbe:
    """Ray casts from the camera to candidate anchor points against the drawn meshes."""

    def __init__(self, scene: SceneRenderer) -> None:
        self.scene = scene
        self._drawn = DrawnLocators(scene)
        self._points = vtkPoints()
        self._cells = vtkIdList()

    def _first_hit(self, sid: str, start: Vec, end: Vec, tol: float = 0.0) -> float | None:
        """Distance from ``start`` to the first crossing of ``sid`` on the segment, if any.

        The bounding box is tested first, so locators are only built for structures some line
        of sight actually passes (a few of the forty, and again only after the meshes move).
        """
        found = self._drawn.get(sid)
        if found is None or not segment_meets_box(start, end, found[1]):
            return None
        locator = found[0]
        self._points.Reset()
        self._cells.Reset()
        locator.IntersectWithLine(start, end, tol, self._points, self._cells)
        n = self._points.GetNumberOfPoints()
        if n == 0:
            return None
        return min(math.dist(start, self._points.GetPoint(i)) for i in range(n))

    def blockers(self) -> list[str]:
        """Drawn structures that hide what lies behind them on screen."""
        state, atlas = self.scene.state, self.scene.loaded.atlas
        return [
            s.id
            for s in atlas.renderable
            if s.kind is not Kind.SKIN
            and state.is_visible(s.id)
            and state.opacity(s.id) >= GHOST_PICK_OPACITY
        ]

    def skin_cover(self) -> tuple[list[str], float]:
        """The skins drawn (shown, not fully clear) and the opacity of the most opaque."""
        state = self.scene.state
        skins = list(state.drawn_skins())
        return skins, max((state.opacity(s) for s in skins), default=0.0)

    def sees(
        self, own: Sequence[str], point: Vec, blockers: Iterable[str], past_mm: float = 2.0
    ) -> bool:
        """True when the camera's ray to ``point`` (and ``past_mm`` beyond) meets one of
        ``own`` first, and not deep under a skin drawn as the body (:func:`hidden_by_skin`)."""
        camera = self.scene.renderer.GetActiveCamera()
        if camera.GetParallelProjection():
            d = camera.GetDirectionOfProjection()
            start: Vec = (
                point[0] - PARALLEL_BACK_MM * d[0],
                point[1] - PARALLEL_BACK_MM * d[1],
                point[2] - PARALLEL_BACK_MM * d[2],
            )
        else:
            start = camera.GetPosition()
        length = math.dist(start, point)
        if length < 1e-6:
            return False
        # Run past the point so the point's own surface is met even with rounding.
        k = (length + past_mm) / length
        end: Vec = (
            start[0] + (point[0] - start[0]) * k,
            start[1] + (point[1] - start[1]) * k,
            start[2] + (point[2] - start[2]) * k,
        )
        mine = [h for sid in own if (h := self._first_hit(sid, start, end)) is not None]
        if not mine:
            return False
        first_own = min(mine)
        owned = set(own)
        for sid in blockers:
            if sid in owned:
                continue
            h = self._first_hit(sid, start, end)
            if h is not None and h < first_own - TOLERANCE_MM:
                return False
        skins, opacity = self.skin_cover()
        if skins:
            entry = [
                h for sid in skins if (h := self._first_hit(sid, start, end, SKIN_TOL)) is not None
            ]
            if entry and hidden_by_skin(first_own - min(entry), opacity):
                return False
        return True

    def first_seen(self, own: Sequence[str], candidates: Sequence[Vec]) -> Vec | None:
        """The first candidate the camera sees on ``own`` (a structure's drawn parts), away
        from its outline.

        A point on the very edge of a structure's silhouette passes the ray test and still
        lands on the neighbour's pixels once projected and rounded, so the leader would point
        at the wrong muscle; a candidate is kept only when the points :data:`EDGE_MARGIN_PX`
        pixels around it on screen are also seen on ``own``. Edge candidates are used only
        when a structure offers nothing better.
        """
        blockers = self.blockers()
        on_edge: Vec | None = None
        for point in candidates:
            if not self.sees(own, point, blockers):
                continue
            # The ring lies in the point's depth plane; a curved surface falls away behind it,
            # so those rays run on until they meet whatever is drawn at that pixel.
            if all(self.sees(own, q, blockers, RING_REACH_MM) for q in self._ring(point)):
                return point
            on_edge = on_edge or point
        return on_edge

    def _ring(self, point: Vec) -> list[Vec]:
        """Four points :data:`EDGE_MARGIN_PX` screen pixels around ``point``, in its depth."""
        renderer = self.scene.renderer
        camera = renderer.GetActiveCamera()
        height_px = max(1, renderer.GetSize()[1])
        if camera.GetParallelProjection():
            world_height = 2.0 * camera.GetParallelScale()
        else:
            depth = math.dist(camera.GetPosition(), point)
            world_height = 2.0 * depth * math.tan(math.radians(camera.GetViewAngle()) / 2.0)
        r = EDGE_MARGIN_PX * world_height / height_px
        up = camera.GetViewUp()
        d = camera.GetDirectionOfProjection()
        right = (
            d[1] * up[2] - d[2] * up[1],
            d[2] * up[0] - d[0] * up[2],
            d[0] * up[1] - d[1] * up[0],
        )
        ring: list[Vec] = []
        for axis in (up, right):
            for sign in (1.0, -1.0):
                ring.append(
                    (
                        point[0] + sign * r * axis[0],
                        point[1] + sign * r * axis[1],
                        point[2] + sign * r * axis[2],
                    )
                )
        return ring

