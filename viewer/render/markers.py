"""Trigger-point X markers: constant on-screen size at any zoom, styled by depth.

Markers live in an overlay renderer (layer 1) that shares the main camera, so the X itself is
never cut by the meshes; whether it *should* show at full strength is decided per still frame by
the depth rule (:mod:`viewer.domain.marker_depth`): visible X's are bold on a pale box, deep ones
(covered by other structures) are a thin outlined X, far-side ones are not drawn (a small grey
x when the point is a chosen one, or any point of a pair view). X's that land on one spot merge
into one X with a count. Every X is one ink (:data:`viewer.domain.palette.MARKER_INK`) and the
marker legend (:mod:`viewer.render.marker_legend`) explains the styles drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkBillboardTextActor3D,
    vtkPolyDataMapper,
    vtkRenderer,
)

from viewer.domain.marker_depth import Depth, MarkerSight, ScreenMarker, classify, merge_nearby
from viewer.domain.marker_nudge import Circle, nudge_clear

MARKER_GLYPH = "X"
"""The classic trigger-point chart mark (VTK's bundled font has no ✕ glyph)."""

MERGE_RADIUS = 0.8
"""Markers closer than this many marker sizes on screen are drawn as one X with a count."""

DEEP_SCALE = 0.8
"""Deep markers are a little smaller: they are there, but not on the surface you see."""

GHOST_SCALE = 0.7
"""Far-side markers of the chosen points are a small grey x; other far-side ones are hidden."""

GHOST_GLYPH = "x"
"""A far-side ghost is a small letter: "it is there, on the other side", not a point to press."""

GHOST_RGB = (0.38, 0.38, 0.38)
"""Far-side grey: unlike the black ink of points on this side, yet on a pale box so it reads on
the black projector background (a bare faint glyph vanished there)."""


def apply_marker_style(prop: Any, style: str, rgb: tuple[float, float, float]) -> None:
    """Give a text property one marker style; the marker legend draws its samples with it.

    ``visible``: bold X on a solid pale box (on the surface you see). ``deep``: thin X in an
    outlined, see-through box (in there, under other structures). ``far_side``: a small grey x
    on a faint box without outline (on the other side of the body).
    """
    prop.SetOpacity(1.0)
    prop.SetBackgroundColor(1.0, 1.0, 1.0)
    if style == "far_side":
        prop.SetColor(*GHOST_RGB)
        prop.BoldOff()
        prop.SetBackgroundOpacity(0.75)
        prop.SetFrame(False)
    elif style == "deep":
        prop.SetColor(*rgb)
        prop.BoldOff()
        prop.SetBackgroundOpacity(0.55)
        prop.SetFrame(True)
        prop.SetFrameColor(*rgb)
        prop.SetFrameWidth(2)
    else:
        # A pale backing box keeps the X legible on red heat maps and dark muscles alike.
        prop.SetColor(*rgb)
        prop.BoldOn()
        prop.SetBackgroundOpacity(0.8)
        prop.SetFrame(False)

HIGHLIGHT_SCALE = 1.45
"""Selected or hovered trigger points are drawn this much larger."""

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Marker:
    """One marker: id, atlas position (mm), colour (r, g, b in [0, 1]), on-screen size (px).

    ``structure`` is the muscle the point lies in: it never hides its own trigger point.
    """

    id: str
    position: tuple[float, float, float]
    rgb: tuple[float, float, float]
    size_px: int = 30
    structure: str = ""


SightFn = Callable[[tuple[float, float, float], Sequence[Marker]], Mapping[str, MarkerSight]]
"""Measures lines of sight from a camera position to markers (see ``DepthProbe``)."""

OnMuscle = Callable[[float, float], bool]
"""Whether a display point (VTK, y up) lies on a marker's muscle as drawn."""

LEADER_WIDTH = 1.5
"""Line width of the leader from a trigger point to its X moved off a joint dot."""


class MarkerLayer:
    """Owns the overlay renderer and one billboard actor per marker.

    With a ``sight`` function the layer re-classifies its markers before every still frame whose
    camera or markers changed (a render observer), so every caller (window, export, handout) gets
    the same depth styles without doing anything. ``is_moving`` tells it when to keep the last
    classification (orbiting draws light frames; classification waits for the camera to stop).
    """

    def __init__(
        self,
        main: vtkRenderer,
        sight: SightFn | None = None,
        is_moving: Callable[[], bool] = lambda: False,
    ) -> None:
        self.main = main
        self.overlay = vtkRenderer()
        self.overlay.SetLayer(1)
        # The X's are translucent props: with VTK's default order-independent transparency the
        # layer paid a full-window OIT pass (~10 ms a frame under llvmpipe) for a few quads.
        self.overlay.SetUseOIT(False)
        self.overlay.InteractiveOff()
        self.overlay.SetActiveCamera(main.GetActiveCamera())
        window = main.GetRenderWindow()
        if window is not None:
            self.attach(window)
        self._actors: dict[str, vtkBillboardTextActor3D] = {}
        self._markers: dict[str, Marker] = {}
        self._depth: dict[str, Depth] = {}
        self._counts: dict[str, int] = {}
        self._highlighted: set[str] = set()
        self.show_counts = True
        """Whether a merged X carries its count ("X×2"). Pair views leave it out: their X's
        only say where the muscles' trigger points lie, and a lecturer found pair 3's two
        "X×2" labels beside the arrows clutter."""
        self.ghost_all = False
        """Whether every far-side point gets its grey x, not only the chosen ones. A pair view's
        X's are its subject: from behind (pair 3) the iliacus and distal iliopsoas points lie
        behind the hip bone on the far side, and leaving them out hid half the muscle's points
        while the other half stood as X's on the back."""
        self._classified_for: object = None
        self.sight = sight
        self.is_moving = is_moving
        self.keep_clear: Callable[[], Sequence[Circle]] | None = None
        """Display discs (x, y up, radius) no X may touch: a pair view's joint dots. An X on
        one is moved aside on its muscle (:func:`viewer.domain.marker_nudge.nudge_clear`)."""
        self.footprint: Callable[[Marker], OnMuscle | None] | None = None
        """Where on the screen a marker's muscle is drawn (an X is moved only within it)."""
        self._drawn_at: dict[str, tuple[float, float, float]] = {}
        """World points the X's moved aside are drawn at (the others at their own points)."""
        self.leader_lines = vtkPolyData()
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(self.leader_lines)
        self.leader_actor = vtkActor()
        self.leader_actor.SetMapper(mapper)
        self.leader_actor.GetProperty().SetLineWidth(LEADER_WIDTH)
        self.leader_actor.GetProperty().SetLighting(False)
        self.overlay.AddActor(self.leader_actor)
        self._observer = main.AddObserver(vtkCommand.StartEvent, self._before_render)

    def attach(self, window: object) -> None:
        """Add the overlay layer to a render window (needs two layers)."""
        window.SetNumberOfLayers(max(2, window.GetNumberOfLayers()))  # type: ignore[attr-defined]
        window.AddRenderer(self.overlay)  # type: ignore[attr-defined]

    def set_markers(self, markers: Iterable[Marker]) -> None:
        """Replace all markers (cheap: at most a few dozen actors).

        Only this layer's own actors go: the overlay renderer is shared with pair-view arrows
        and painful spots. Depth is classified again before the next still frame.
        """
        for actor in self._actors.values():
            self.overlay.RemoveActor(actor)
        self._actors.clear()
        self._markers = {m.id: m for m in markers}
        self._drawn_at = {}
        self._set_leaders([])
        self._depth = {mid: Depth.VISIBLE for mid in self._markers}
        self._counts = {mid: 1 for mid in self._markers}
        self._classified_for = None
        for m in self._markers.values():
            actor = vtkBillboardTextActor3D()
            actor.SetPosition(*m.position)
            prop = actor.GetTextProperty()
            prop.SetJustificationToCentered()
            prop.SetVerticalJustificationToCentered()
            self.overlay.AddActor(actor)
            self._actors[m.id] = actor
        self._restyle()

    # -- depth ---------------------------------------------------------------------------------
    def _camera_key(self) -> object:
        camera = self.main.GetActiveCamera()
        return (
            tuple(round(c, 3) for c in camera.GetPosition()),
            tuple(round(c, 3) for c in camera.GetFocalPoint()),
            tuple(round(c, 4) for c in camera.GetViewUp()),
            round(camera.GetViewAngle(), 3),
            bool(camera.GetParallelProjection()),
            round(camera.GetParallelScale(), 3),
            tuple(self.main.GetSize()),
        )

    def _before_render(self, *_args: object) -> None:
        if self.sight is None or not self._markers or self.is_moving():
            return
        circles = tuple(self.keep_clear()) if self.keep_clear is not None else ()
        key = (self._camera_key(), tuple(tuple(round(v, 1) for v in c) for c in circles))
        if key == self._classified_for:
            return
        self._classified_for = key
        camera = self.main.GetActiveCamera().GetPosition()
        self.update_depth(self.sight(camera, list(self._markers.values())))

    def update_depth(self, sights: Mapping[str, MarkerSight]) -> None:
        """Classify markers from their line-of-sight measurements, merge close ones, restyle."""
        depth = {
            mid: classify(sights[mid]) if mid in sights else Depth.VISIBLE
            for mid in self._markers
        }
        self._drawn_at = {}  # merging and moving start from the points themselves
        screen = []
        for mid in self._markers:
            x, y = self.display_position(mid)
            screen.append(ScreenMarker(mid, x, y, depth[mid]))
        size = max((m.size_px for m in self._markers.values()), default=30)
        # Boxes as drawn (see screen_boxes), the largest (a chosen point's) for all: X's whose
        # boxes would overlap merge.
        box = size * (HIGHLIGHT_SCALE if self._highlighted & set(self._markers) else 1.0)
        groups = merge_nearby(screen, MERGE_RADIUS * size, box_px=(0.9 * box, 1.1 * box))
        counts = dict.fromkeys(self._markers, 0)
        for group in groups:
            counts[group.ids[0]] = group.count
        self._depth, self._counts = depth, counts
        self._move_off_dots()
        self._restyle()

    def _move_off_dots(self) -> None:
        """Move the X's that touch a :attr:`keep_clear` disc aside on their muscle (in the
        screen plane at the point's depth, so the X stays put while the camera moves), with a
        leader from the point to an X moved so far that its box leaves the point."""
        self._drawn_at = {}
        leaders: list[tuple[tuple[float, float, float], tuple[float, float, float]]] = []
        circles = list(self.keep_clear()) if self.keep_clear is not None else []
        ids = [mid for mid in self._markers if self._counts.get(mid, 0) > 0]
        if circles and ids:
            boxes = self.screen_boxes()  # same order as ids
            tests: dict[int, OnMuscle | None] = {}

            def on_muscle(i: int, x: float, y: float) -> bool:
                if i not in tests:
                    m = self._markers[ids[i]]
                    tests[i] = self.footprint(m) if self.footprint is not None else None
                test = tests[i]
                return test is not None and test(x, y)

            moves = nudge_clear(boxes, circles, on_muscle)
            for mid, box, (dx, dy) in zip(ids, boxes, moves, strict=True):
                if dx == 0.0 and dy == 0.0:
                    continue
                point = self._markers[mid].position
                px, py = self.display_position(mid)
                cx, cy = (box[0] + box[2]) / 2.0 + dx, (box[1] + box[3]) / 2.0 + dy
                self._drawn_at[mid] = self._at_depth_of(point, cx, cy)
                moved = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
                if not (moved[0] <= px <= moved[2] and moved[1] <= py <= moved[3]):
                    edge = (min(max(px, moved[0]), moved[2]), min(max(py, moved[1]), moved[3]))
                    leaders.append((point, self._at_depth_of(point, *edge)))
        for mid, actor in self._actors.items():
            actor.SetPosition(*self._drawn_at.get(mid, self._markers[mid].position))
        self._set_leaders(leaders)

    def _at_depth_of(
        self, point: tuple[float, float, float], x: float, y: float
    ) -> tuple[float, float, float]:
        """The world point drawn at display (x, y) as deep as ``point``."""
        self.main.SetWorldPoint(*point, 1.0)
        self.main.WorldToDisplay()
        z = self.main.GetDisplayPoint()[2]
        self.main.SetDisplayPoint(x, y, z)
        self.main.DisplayToWorld()
        w = self.main.GetWorldPoint()
        scale = w[3] if abs(w[3]) > 1e-12 else 1.0
        return (w[0] / scale, w[1] / scale, w[2] / scale)

    def _set_leaders(
        self, segments: Sequence[tuple[tuple[float, float, float], tuple[float, float, float]]]
    ) -> None:
        points, cells = vtkPoints(), vtkCellArray()
        for a, b in segments:
            i = points.InsertNextPoint(*a)
            j = points.InsertNextPoint(*b)
            cells.InsertNextCell(2)
            cells.InsertCellPoint(i)
            cells.InsertCellPoint(j)
        self.leader_lines.SetPoints(points)
        self.leader_lines.SetLines(cells)
        self.leader_lines.Modified()
        rgb = next(iter(self._markers.values())).rgb if self._markers else (0.0, 0.0, 0.0)
        self.leader_actor.GetProperty().SetColor(*rgb)
        self.leader_actor.SetVisibility(bool(segments))

    def moved(self) -> dict[str, tuple[float, float, float]]:
        """Markers whose X is drawn aside (off a joint dot) and where (tests, labels)."""
        return dict(self._drawn_at)

    def depth_of(self, marker_id: str) -> Depth:
        """The depth class of a marker for the current camera (visible before any still frame)."""
        return self._depth[marker_id]

    def drawn(self, marker_id: str) -> bool:
        """True if this marker's X is on screen (not far side, not merged into another)."""
        return self._counts.get(marker_id, 0) > 0

    def count_of(self, marker_id: str) -> int:
        """How many markers the X drawn for this id stands for (0 if not drawn itself)."""
        return self._counts.get(marker_id, 0)

    def has_counts(self) -> bool:
        """True while some drawn X stands for more than one marker (it carries "×n")."""
        return self.show_counts and any(c > 1 for c in self._counts.values())

    def drawn_styles(self) -> tuple[str, ...]:
        """Styles on screen now, in legend order: ``visible``, ``deep``, ``far_side``."""
        styles = set()
        for mid in self._markers:
            depth = self._depth.get(mid, Depth.VISIBLE)
            if depth is Depth.FAR_SIDE:
                if self._ghost_wanted(mid) and self._actors[mid].GetVisibility():
                    styles.add("far_side")
            elif self._counts.get(mid, 0) > 0:
                styles.add(depth.value)
        return tuple(s for s in ("visible", "deep", "far_side") if s in styles)

    def _ghost_wanted(self, marker_id: str) -> bool:
        """A far-side point drawn as a grey x: a chosen one, or any in a pair view."""
        return self.ghost_all or marker_id in self._highlighted

    def _ghosts(self) -> set[str]:
        """Far-side ghosts to draw: those of chosen points whose small box lands clear of every
        drawn X and earlier ghost (a ghost printed over an X read as "xX")."""
        boxes = self.screen_boxes()
        out: set[str] = set()
        for mid, m in self._markers.items():
            if self._depth.get(mid) is not Depth.FAR_SIDE or not self._ghost_wanted(mid):
                continue
            x, y = self.display_position(mid)
            size = m.size_px * GHOST_SCALE
            box = (x - 0.45 * size, y - 0.55 * size, x + 0.45 * size, y + 0.55 * size)
            if any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                for b in boxes
            ):
                continue
            out.add(mid)
            boxes.append(box)
        return out

    def _restyle(self) -> None:
        ghosts = self._ghosts()
        for mid, actor in self._actors.items():
            m = self._markers[mid]
            count = self._counts.get(mid, 0)
            depth = self._depth.get(mid, Depth.VISIBLE)
            ghost = depth is Depth.FAR_SIDE and mid in ghosts
            if count == 0 and not ghost:
                actor.SetVisibility(False)
                continue
            actor.SetVisibility(True)
            prop = actor.GetTextProperty()
            size = float(m.size_px)
            if ghost:
                style = "far_side"
                size *= GHOST_SCALE
                text = GHOST_GLYPH
            else:
                style = "deep" if depth is Depth.DEEP else "visible"
                size *= DEEP_SCALE if style == "deep" else 1.0
                if mid in self._highlighted:
                    size *= HIGHLIGHT_SCALE
                many = count > 1 and self.show_counts
                text = f"{MARKER_GLYPH}\u00d7{count}" if many else MARKER_GLYPH
            actor.SetInput(text)
            prop.SetFontSize(max(8, round(size)))
            apply_marker_style(prop, style, m.rgb)

    # -- screen queries ------------------------------------------------------------------------
    @property
    def marker_ids(self) -> tuple[str, ...]:
        """Ids of the markers currently placed."""
        return tuple(self._markers)

    def nearest(self, x: float, y: float, max_px: float = 14.0) -> str | None:
        """Drawn marker whose projected centre is within ``max_px`` of display point (x, y)."""
        best, best_d = None, max_px
        for mid in self._markers:
            if not self.drawn(mid):
                continue
            px, py = self.display_position(mid)
            d = ((px - x) ** 2 + (py - y) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = mid, d
        return best

    def display_position(self, marker_id: str) -> tuple[float, float]:
        """Display coordinates (VTK, origin bottom left) of a marker's X as drawn (moved aside
        off a joint dot, or at its point)."""
        m = self._markers[marker_id]
        self.main.SetWorldPoint(*self._drawn_at.get(marker_id, m.position), 1.0)
        self.main.WorldToDisplay()
        px, py, _ = self.main.GetDisplayPoint()
        return px, py

    def screen_boxes(self) -> list[Box]:
        """Display-pixel boxes ``(x0, y0, x1, y1)`` (VTK, origin bottom left) of drawn X's.

        For the label layout, which must keep labels off the markers. The box is the glyph's
        backing box: about 0.8 x 1.0 of the font size, wider when a count is appended.
        """
        boxes = []
        for mid, m in self._markers.items():
            count = self._counts.get(mid, 0)
            if count == 0:
                continue
            size = m.size_px * (DEEP_SCALE if self._depth.get(mid) is Depth.DEEP else 1.0)
            if mid in self._highlighted:
                size *= HIGHLIGHT_SCALE
            half_w = size * (0.45 if count == 1 else 0.9)
            half_h = size * 0.55
            x, y = self.display_position(mid)
            boxes.append((x - half_w, y - half_h, x + half_w, y + half_h))
        return boxes

    def layout_boxes(self) -> list[Box]:
        """:meth:`screen_boxes` in the main renderer's own pixels, y down: what the label
        layout keeps its boxes and leaders off (the X's exactly as drawn)."""
        _width, height = self.main.GetSize()
        window = self.main.GetRenderWindow()
        ox = oy = 0.0
        if window is not None:
            vx0, vy0, _vx1, _vy1 = self.main.GetViewport()
            win_w, win_h = window.GetSize()
            ox, oy = vx0 * win_w, vy0 * win_h
        return [
            (x0 - ox, height - (y1 - oy), x1 - ox, height - (y0 - oy))
            for x0, y0, x1, y1 in self.screen_boxes()
        ]

    def highlight(self, ids: Sequence[str]) -> None:
        """Draw these markers larger (the selected or hovered trigger points)."""
        self._highlighted = set(ids)
        self._restyle()

    def detach(self) -> None:
        """Remove the overlay from its window."""
        self.main.RemoveObserver(self._observer)
        self.overlay.RemoveActor(self.leader_actor)
        for actor in self._actors.values():
            self.overlay.RemoveActor(actor)
        window = self.overlay.GetRenderWindow()
        if window is not None:
            window.RemoveRenderer(self.overlay)
        self._actors.clear()
        self._markers.clear()


SPOT_RGB = (0.8, 0.0, 0.6)
"""Painful spots: magenta, unlike heat-map reds and the marker colours."""


class SpotMarkers:
    """Painful spots as filled squares of constant on-screen size, drawn over the anatomy."""

    def __init__(self, overlay: vtkRenderer, size_px: int = 22) -> None:
        self.overlay = overlay
        self.size_px = size_px
        self._actors: list[vtkBillboardTextActor3D] = []

    def set_points(self, points: Sequence[Sequence[float]]) -> None:
        """Show exactly these spots (atlas mm)."""
        self.clear()
        for point in points:
            actor = vtkBillboardTextActor3D()
            # VTK draws nothing for blank text, so the box holds a glyph in its own colour.
            actor.SetInput("o")
            actor.SetPosition(*(float(c) for c in point))
            prop = actor.GetTextProperty()
            prop.SetFontSize(self.size_px)
            prop.SetColor(*SPOT_RGB)
            prop.SetBackgroundColor(*SPOT_RGB)
            prop.SetBackgroundOpacity(1.0)
            prop.SetFrame(True)
            prop.SetFrameColor(1.0, 1.0, 1.0)
            prop.SetFrameWidth(2)
            prop.SetJustificationToCentered()
            prop.SetVerticalJustificationToCentered()
            self.overlay.AddActor(actor)
            self._actors.append(actor)

    @property
    def count(self) -> int:
        """Spots currently shown."""
        return len(self._actors)

    @property
    def positions(self) -> tuple[tuple[float, float, float], ...]:
        """Where the spots are drawn (atlas mm, posed)."""
        return tuple(tuple(float(c) for c in a.GetPosition()) for a in self._actors)  # type: ignore[misc]

    def clear(self) -> None:
        """Remove every spot."""
        for actor in self._actors:
            self.overlay.RemoveActor(actor)
        self._actors.clear()
