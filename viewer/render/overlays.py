"""Bind annotation features to the 3D scene: trigger-point markers, heat map, pair-view arrows.

Markers are styled by depth (visible, deep, far side) through one rule for every view; the
layer's ``screen_boxes()`` tells a label layout where the drawn X's are.

One instance per view (window or off-screen export). It observes the trigger-point state and the
pair-view controller and changes only VTK objects; the camera goes through
``SceneRenderer.move_camera`` so the window can animate it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkCommand

from viewer.domain.camera import CameraPose
from viewer.domain.framing import SLIDE_FILL, fit_pose
from viewer.domain.labels import project_points
from viewer.domain.leader_regions import LeaderRegions
from viewer.domain.pairviews import ResolvedPairView
from viewer.domain.palette import MARKER_INK
from viewer.domain.structures import Kind, hex_to_rgb
from viewer.domain.surface_points import SurfaceBinding, bind_points, carry
from viewer.domain.zone_legend import away_note, legend_classes, seen_vertices
from viewer.features import Features, muscle_base
from viewer.io.meshes import MeshArrays
from viewer.render.compare import CompareView
from viewer.render.depth_probe import DepthProbe
from viewer.render.heatmap_painter import CLASS_SPILLOVER, SkinHeatPainter, heat_colors
from viewer.render.labels import LabelOverlay
from viewer.render.legend import HeatLegend
from viewer.render.marker_legend import MarkerLegend
from viewer.render.markers import Marker, MarkerLayer, SpotMarkers
from viewer.render.pair_legend import NOTE_SHARE, ROW_SHARE, TITLE_SHARE, PairLegend
from viewer.render.pair_overlay import (
    BALL_RING_RADII_MM,
    FALLBACK_RING_RADIUS_MM,
    JOINT_RADIUS_MM,
    LEVEL_NUDGES_MM,
    LEVEL_RING_RADIUS_MM,
    MIN_ARROW_SHARE,
    PairOverlay,
    Route,
    ball_radius,
    curl_points,
    lever_arc,
)
from viewer.render.scene_renderer import SceneRenderer
from viewer.render.zone_outline import ZoneOutlines

LEGIBLE_SKIN = 0.5
"""A heat map on a skin fainter than this cannot be read: its legend and outlines hide too."""

BODY_MIN_OPACITY = 0.2
"""Structures at least this opaque are body a lever arc may run over; fainter ones are air."""

PAIR_MARKER_SCALE = 0.8
"""X size in a pair view against the view's usual size (24 px for the default 30): still
projector-readable (3 % of an 800-px frame), and the two piriformis X's no longer hide a
fifth of that small muscle."""

PAIR_VIEW_FILL = 0.9
"""Share of the frame a pair view in the app fits its muscles into (5 % margins)."""

PAIR_COLUMN_SHARE = 0.3
"""Width of the pair key's column layout as a share of the frame width (about 380 px of a
1280-px slide: some 35 characters a line at the column's text size)."""

PAIR_COLUMN_MIN_PX = 280
"""Narrowest column worth laying the key out in (a half-width compare view's 0.3 share would
wrap every row into a tower); the column must also end above the lowest quarter of the frame."""

PAIR_COLUMN_GAIN = 1.05
"""The key goes into the left column only when that draws the pair at least 5 % larger than
under a band across the top: a wide pair (both sides from behind) keeps the band."""

MARKER_MIN_OPACITY = 0.5
"""Muscles fainter than this are context; their trigger-point markers are not drawn."""


def shown_joints(resolved: ResolvedPairView) -> tuple[Any, ...]:
    """Joints worth a marker: those a curved arrow turns and those both sides cross.

    A joint only one side crosses (the lumbar levels in the psoas-piriformis view) would be a
    dark dot with nothing to compare.
    """
    turned = {t.joint_id for t in resolved.turnings}
    return tuple(
        j for j in resolved.joints if j.joint.id in turned or set(j.crossed_by) >= {"a", "b"}
    )


def frame_points(
    resolved: ResolvedPairView, atlas: Any, meshes: Any, fallbacks: bool = True
) -> Any:
    """Points a pair view's camera must keep in frame: both sides' muscles, arrows, curls.

    A ring with fallback levels (:attr:`Turning.fallback_levels_mm`) may be drawn at any of
    them where X's are shown, so all are framed; ``fallbacks=False`` (no X's: a lesson slide)
    frames only the preferred level, the one then drawn."""
    chunks = []
    for sid in (*resolved.pair.structures, *resolved.pair.frame_also):
        for leaf in atlas.leaves(sid) if sid in atlas else ():
            mesh = meshes.get(leaf)
            if mesh is not None and len(mesh.points):
                pts = np.asarray(mesh.points, dtype=np.float64)
                chunks.append(pts[:: max(1, len(pts) // 2000)])
    chunks += [pull.path for pull in resolved.pulls]
    drawn = mechanics_points(resolved, fallbacks)
    if drawn is not None:
        chunks.append(drawn)
    return np.vstack(chunks) if chunks else None


def mechanics_points(resolved: ResolvedPairView, fallbacks: bool = True) -> Any:
    """Points of what a pair view draws over its muscles: the force arrows from their
    attachments, curls, rings and joint dots (see :func:`frame_points`, which adds the muscles
    and their courses); ``None`` when it draws none. A lesson step that frames its own
    structures (a close-up on the pelvis) keeps these in the picture too."""
    chunks = [np.asarray(j.point, dtype=np.float64).reshape(1, 3) for j in shown_joints(resolved)]
    levers = {t.side: t for t in resolved.turnings if t.level_mm is None and t.sign != 0}
    for pull in resolved.pulls:
        chunks.append(np.vstack([pull.point, pull.point + pull.direction * 110.0]))
        turn = levers.get(pull.side)
        arc = None if turn is None else lever_arc(
            pull.point, turn.center, turn.axis, turn.sign, 110.0
        )
        if arc is not None:  # drawn as the attachment swinging about the joint (PairOverlay)
            chunks.append(arc)
    kinds = {j.joint.id: j.joint.kind for j in resolved.joints}
    for turn in resolved.turnings:
        if turn.level_mm is None:
            chunks.append(curl_points(turn.center, turn.axis, 40.0, 1))
        else:  # a ring at its own level on the axis (see PairOverlay)
            center = turn.center + turn.axis * turn.level_mm
            # Round a ball (a hip: see _joint_balls) at its own level the ring may be as wide
            # as BALL_RING_RADII_MM allows.
            ball = turn.level_mm == 0.0 and kinds.get(turn.joint_id) == "hip"
            # (a ring round a ball: its tube at the widest radius, no margin; the slide's
            # muscles filled under 0.7 of its height with the margin)
            widest = max(BALL_RING_RADII_MM) if ball else LEVEL_RING_RADIUS_MM + 8.0
            chunks.append(curl_points(center, turn.axis, widest, 1))
            if turn.level_mm:  # it may sit a little farther out (LEVEL_NUDGES_MM)
                out = turn.level_mm + math.copysign(max(LEVEL_NUDGES_MM), turn.level_mm)
                chunks.append(
                    curl_points(turn.center + turn.axis * out, turn.axis, LEVEL_RING_RADIUS_MM, 1)
                )
            for level in turn.fallback_levels_mm if fallbacks else ():
                center = turn.center + turn.axis * level
                chunks.append(curl_points(center, turn.axis, FALLBACK_RING_RADIUS_MM + 8.0, 1))
    return np.vstack(chunks) if chunks else None


STEEP_VIEW = 0.5
"""A pair camera whose direction has at least this vertical component looks steeply from below
or above: its framing is centred as seen (``fit_pose(balance=True)``)."""


def _distance(pose: CameraPose) -> float:
    """Camera-to-focus distance: along one direction, the smaller it is the larger the picture."""
    return math.dist(pose.position, pose.focal_point)


def _view_key(renderer: Any) -> tuple[object, ...]:
    """What a still-frame layout depends on in the view (camera and window size), rounded so
    a camera that has not really moved does not lay the overlays out again."""
    camera = renderer.GetActiveCamera()
    return (
        tuple(round(c, 3) for c in camera.GetPosition()),
        tuple(round(c, 3) for c in camera.GetFocalPoint()),
        tuple(round(c, 4) for c in camera.GetViewUp()),
        round(camera.GetViewAngle(), 3),
        tuple(renderer.GetSize()),
    )


def _projection(renderer: Any) -> NDArray[np.float64]:
    """The renderer's world-to-clip matrix as a NumPy array, for projecting points in bulk."""
    matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
        renderer.GetTiledAspectRatio(), -1, 1
    )
    return np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])


def _nearest_d2(points: Any, p: NDArray[np.float64]) -> float:
    diff = np.asarray(points, dtype=np.float64) - p
    return float(np.einsum("ij,ij->i", diff, diff).min())


def _apply(matrix: Any, p: NDArray[np.float64]) -> NDArray[np.float64]:
    if matrix is None:
        return p
    m = np.asarray(matrix, dtype=np.float64)
    out: NDArray[np.float64] = m[:3, :3] @ p + m[:3, 3]
    return out


class AnnotationOverlays:
    """Markers, heat map and pair overlays of one view, kept in step with the feature states."""

    def __init__(
        self,
        scene: SceneRenderer,
        features: Features,
        marker_px: int = 30,
        labels: LabelOverlay | None = None,
    ) -> None:
        self.scene = scene
        self.features = features
        self.marker_px = marker_px
        self.probe = DepthProbe(scene)
        self.layer = MarkerLayer(
            scene.renderer,
            sight=lambda camera, markers: self.probe.sights(
                camera, [(m.id, m.position, m.structure) for m in markers]
            ),
            is_moving=lambda: scene.interacting,
        )
        # One label layout per view: joint names and X markers go to the view's label overlay.
        self._owns_labels = labels is None
        self.labels = labels if labels is not None else LabelOverlay(scene)
        self.pairs_overlay = PairOverlay(
            self.layer.overlay,
            point_labels=lambda items: self.labels.set_point_labels("pair", items),
        )
        self.pair_legend = PairLegend(scene.renderer)  # 2D props: main layer
        self.pair_legend.tight_side = self._tight_side
        window = scene.renderer.GetRenderWindow()
        self._resize_tag: int | None = None
        if window is not None:
            # The key's text sizes follow the frame height (projector-readable at any size).
            self._resize_tag = window.AddObserver(
                "WindowResizeEvent",  # type: ignore[arg-type]  # VTK accepts event names
                self._on_resize,
            )
        self.spots = SpotMarkers(self.layer.overlay, size_px=max(16, round(marker_px * 0.7)))
        self.spots_half_px = max(16, round(marker_px * 0.7)) * 0.5
        self._spot_points: tuple[tuple[float, float, float], ...] = ()
        """Painful spots on the standing skin (drawn where the posture puts them)."""
        self._spot_binding: tuple[object, SurfaceBinding] | None = None
        self.plain = False
        """Patient mode: the heat key in everyday words (:meth:`set_plain`)."""
        self.legend = HeatLegend(scene.renderer, scale=marker_px / 30)  # 2D props: main layer
        self.labels.reserve("legend", self.legend.box)
        self.marker_legend = MarkerLegend(scene.renderer, self.layer)  # explains drawn X's
        self.labels.reserve("marker_legend", self.marker_legend.box)
        # Joint names keep off the key, a column or a band (under a band the camera keeps the
        # anatomy below the key, but the orientation words keep off the reserved areas too:
        # pair 3 seen from below put "Front" over the band's title).
        self.labels.reserve("pair_legend", self.pair_legend.box)
        self.marker_legend.keep_clear = self._pair_pixels
        # X's keep off the pair view's joint dots, moved aside on their own muscle.
        self.layer.keep_clear = self._dot_circles
        self.layer.footprint = self._muscle_footprint
        self.marker_legend.avoid = self.legend.line_boxes  # the disclaimer runs under it
        self.marker_legend.spot_row = lambda: self.plain and self.spots.count > 0
        self._pair_points: tuple[object, NDArray[np.float64] | None] = (None, None)
        self._saved_pose: CameraPose | None = None
        self.compare: CompareView | None = None
        self.compare_wanted = False
        atlas = scene.loaded.atlas
        self.skin_id = next((s.id for s in atlas.renderable if s.kind is Kind.SKIN), None)
        self.painter: SkinHeatPainter | None = None
        self.light_painter: SkinHeatPainter | None = None
        self.outlines: ZoneOutlines | None = None
        if self.skin_id is not None:
            skin = scene.loaded.meshes[self.skin_id]
            self.outlines = ZoneOutlines(scene.renderer, skin.points, skin.triangles, skin.normals)
            self.painter = SkinHeatPainter(
                scene.actor_of(self.skin_id), scene.loaded.meshes[self.skin_id].points
            )
            light_actor = scene.light_actor_of(self.skin_id)
            light = scene.loaded.light.get(self.skin_id)
            if light_actor is not None and light is not None and features.referral is not None:
                # The heat map must stay on screen while the camera moves (light meshes).
                take, _ = features.referral.nearest_vertices(light.points)
                self.light_painter = SkinHeatPainter(light_actor, light.points, take=take)
        triggers = features.triggers
        if triggers is not None:
            # heat_changed follows every change of active points, mode, muscle or visibility.
            triggers.markers_changed.connect(self.refresh_markers)
            triggers.active_changed.connect(self._on_active)
            triggers.heat_changed.connect(self.refresh_heat)
        if features.pairs is not None:
            features.pairs.pair_changed.connect(self._on_pair)
        scene.state.visibility_changed.connect(self.refresh_markers)
        scene.state.opacity_changed.connect(self.refresh_markers)
        scene.state.visibility_changed.connect(self._sync_legend)
        scene.state.opacity_changed.connect(self._sync_legend)
        self._heat_shown = False
        self._painted: np.ndarray | None = None
        self._painted_ids: np.ndarray | None = None
        self._zone_ids: np.ndarray | None = None
        """Skin vertices the heat map paints (any class) and their classes: what the legend's
        rows are checked against."""
        self._zone_classes: np.ndarray | None = None
        self._kinds_for: object = None
        # Before the heat legend fits itself (priority 0): its rows follow what the camera sees.
        self._kinds_tag = scene.renderer.AddObserver(
            vtkCommand.StartEvent, self._legend_kinds, 0.5
        )
        scene.state.pose_changed.connect(self.refresh_markers)
        scene.state.pose_changed.connect(self._on_pose)
        self.pair_drawn: ResolvedPairView | None = None
        """The pair view geometry last drawn (posed), for tests and framing."""
        self._routed_for: object = None
        self._pose_stale = False
        # After the marker layer has classified and merged its X's (priority 0), before the
        # marker key (-0.5) and the label layout (-1): arrows are routed around the X's drawn.
        self._route_tag = scene.renderer.AddObserver(
            vtkCommand.StartEvent, self._route_arrows, -0.25
        )
        self.refresh_markers()
        self.refresh_heat()
        if features.pairs is not None and features.pairs.active is not None:
            self._on_pair(features.pairs.active)

    # -- trigger points ------------------------------------------------------------------------
    def marker_color(self, muscle_id: str) -> tuple[float, float, float]:
        """Marker colour of a muscle (same on both sides)."""
        color = self.features.marker_colors.get(muscle_base(muscle_id), MARKER_INK)
        return hex_to_rgb(color)

    def refresh_markers(self, *_args: object) -> None:
        """Place markers for visible trigger points of visible muscles; enlarge the active ones."""
        triggers, referral = self.features.triggers, self.features.referral
        if triggers is None or referral is None:
            return
        markers = []
        state = self.scene.state
        for tp_id in triggers.visible_markers():
            tp = referral.trigger_points.get(tp_id)
            if tp is None or tp.muscle not in state.atlas or not state.is_visible(tp.muscle):
                continue
            if state.opacity(tp.muscle) < MARKER_MIN_OPACITY:
                continue  # ghosted context (e.g. in a pair view): its markers would only clutter
            position = self._posed(tp.muscle, tp.position)
            rgb = self.marker_color(tp.muscle)
            markers.append(Marker(tp.id, position, rgb, self.shown_marker_px, tp.muscle))
        self.layer.set_markers(markers)
        self.layer.highlight(triggers.active)
        # The X's as drawn (depth style, count, highlight), not a square guessed from their size.
        self.labels.set_obstacle_boxes("markers", self.layer.layout_boxes if markers else None)
        self.scene.on_render_needed()

    @property
    def shown_marker_px(self) -> int:
        """The X size drawn now: smaller in a pair view, where a small muscle (piriformis)
        carries two or three X's beside arrows and joint dots and full-size boxes hid most of
        it."""
        pairs = self.features.pairs
        if pairs is not None and pairs.active is not None:
            return max(12, round(self.marker_px * PAIR_MARKER_SCALE))
        return self.marker_px

    def _posed(
        self, muscle_id: str, position: tuple[float, float, float]
    ) -> tuple[float, float, float]:
        """Where a trigger point sits in the current posture: it follows its muscle."""
        pose = self.scene.state.pose
        if pose.is_standing:
            return position
        from viewer.io.posture import shared_posture_model

        model = shared_posture_model(self.scene.loaded)
        if muscle_id not in model.muscle_ids:
            return position
        x, y, z = model.pose_muscle_points(muscle_id, [position], model.transforms(pose))[0]
        return (float(x), float(y), float(z))

    def _on_active(self, *_args: object) -> None:
        if self.features.triggers is not None:
            self.layer.highlight(self.features.triggers.active)

    def set_plain(self, plain: bool) -> None:
        """Patient mode: the heat key's title names muscles plainly, its rows say "usual pain
        area" and "sometimes (striped)" (the handout's words)."""
        self.plain = plain
        self.legend.set_plain(plain)
        self.refresh_heat()

    def refresh_heat(self, *_args: object) -> None:
        """Repaint the skin from the current heat request (only array combination, no geodesics)."""
        triggers, referral = self.features.triggers, self.features.referral
        if triggers is None or referral is None or self.painter is None or self.skin_id is None:
            return
        ids = tuple(i for i in triggers.heat_trigger_points() if i in referral.trigger_points)
        if not ids:
            self.painter.clear()
            if self.light_painter is not None:
                self.light_painter.clear()
            if self.outlines is not None:
                self.outlines.clear()
            self._painted = None
            self._heat_shown = False
            self._sync_legend()
            return
        heat = referral.field_for(ids)
        # Whose map it is, on the legend (which the label layout keeps clear).
        self.legend.set_title(referral.title_for(ids, plain=self.plain))
        drawn = self._skin_drawn()
        self._sync_surface(drawn)
        skin_rgb = hex_to_rgb(self.scene.state.color(self.skin_id))
        self.legend.set_skin_color(skin_rgb)
        # One colour array for both skins: the light one picks its vertices from it.
        colors = heat_colors(skin_rgb, heat.intensity, heat.classes)
        hatched = np.asarray(heat.classes) == CLASS_SPILLOVER
        self.painter.paint_rgb(colors, hatched)
        if self.light_painter is not None:
            self.light_painter.paint_rgb(colors, hatched)
        if self.outlines is not None:
            self.outlines.show(heat.essential, heat.spillover, heat.surface)
        # Views frame what is shown: the painted zones too (they run down to the ankle).
        self._zone_ids = np.flatnonzero(np.asarray(heat.classes) > 0)
        self._zone_classes = np.asarray(heat.classes)[self._zone_ids]
        self._kinds_for = None
        self._painted_ids = self._zone_ids[::4]
        self._painted = drawn[0][self._painted_ids]
        self._heat_shown = True
        self._sync_legend()

    def _legend_kinds(self, *_args: object) -> None:
        """On a still frame whose camera, size or map changed: list in the heat legend only the
        zone kinds the camera sees painted (see :mod:`viewer.domain.zone_legend`)."""
        if not self._heat_shown or self._zone_ids is None or self._zone_classes is None:
            return
        if self.scene.interacting or not self.legend.visible:
            return
        renderer = self.scene.renderer
        width, height = renderer.GetSize()
        if width <= 0 or height <= 0:
            return
        camera = renderer.GetActiveCamera()
        key = (
            _view_key(renderer),
            id(self._zone_ids),
            self.scene.geometry_version,
        )
        if key == self._kinds_for:
            return
        self._kinds_for = key
        m = _projection(renderer)
        points, normals = self._skin_drawn()
        ids = self._zone_ids
        if normals is not None and len(normals) != len(points):
            normals = None  # drawn at another detail level: the frame test alone
        seen = seen_vertices(
            points[ids],
            None if normals is None else normals[ids],
            camera.GetPosition(),
            m,
            (width, height),
        )
        kinds = legend_classes(self._zone_classes, seen)
        self.legend.set_kinds(kinds)
        # A map wholly on the far face: say where it is, not a title over an unpainted body.
        faces = None if normals is None else normals[ids]
        self.legend.set_away("" if kinds else away_note(faces, self._zone_classes))

    def _skin_drawn(self) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """The full skin's vertices and normals as drawn now (posed, body shown)."""
        assert self.skin_id is not None
        points = self.scene.drawn_points(self.skin_id)
        assert points is not None
        poly = self.scene.actor_of(self.skin_id).GetMapper().GetInput()
        normals = poly.GetPointData().GetNormals()
        return points, (None if normals is None else np.asarray(vtk_to_numpy(normals)))

    def _sync_surface(
        self, drawn: tuple[NDArray[np.float64], NDArray[np.float64] | None] | None = None
    ) -> None:
        """Zone outlines on the skin as drawn (they are lines of their own, not vertex colours);
        ``drawn``: the skin's :meth:`_skin_drawn`, if the caller has it already."""
        if self.outlines is not None and self.skin_id is not None:
            points, normals = drawn if drawn is not None else self._skin_drawn()
            if len(points) == len(self.outlines.points) and not np.array_equal(
                points, self.outlines.points
            ):
                self.outlines.set_surface(points, normals)

    def skin_moved(self) -> None:
        """The skin was posed or swapped for another body: outlines, framing and painful spots
        follow it. A pose applied after a pair view was chosen may have added a posture title
        in the top right: the pair's key is laid out again to keep left of it."""
        if self.pair_legend.beside_moved():
            self.refresh_pair()
        if self.skin_id is None:
            return
        if self._spot_points:
            self.show_spots(self._spot_points)
        self._sync_surface()
        if self._painted is not None and self._painted_ids is not None:
            self._painted = self._skin_drawn()[0][self._painted_ids]
        self._sync_legend()

    def heat_legible(self) -> bool:
        """True when a heat map is painted on a skin solid enough to read it."""
        if not self._heat_shown or self.skin_id is None:
            return False
        state = self.scene.state
        return state.is_visible(self.skin_id) and state.opacity(self.skin_id) >= LEGIBLE_SKIN

    def _sync_legend(self, *_args: object) -> None:
        """The legend (and zone outlines) show exactly when the map can be seen: hiding or
        ghosting the skin (S, Home) never leaves a legend without its map."""
        legible = self.heat_legible()
        self.legend.set_visible(legible)
        self.scene.frame_extra = self._painted if legible else None
        if self.outlines is not None:
            self.outlines.set_visible(legible)
        self.scene.on_render_needed()

    # -- painful spots -------------------------------------------------------------------------
    def show_spots(self, points: tuple[tuple[float, float, float], ...]) -> None:
        """Mark the patient's painful spots on the skin.

        Spots are kept on the standing skin (where the referral lookup matches them) and drawn
        where the posture puts that place of the skin: each is bound to its skin triangle by
        barycentric coordinates, evaluated on the skin as drawn.
        """
        self._spot_points = tuple(points)
        drawn = self._posed_spots()
        self.spots.set_points(drawn)
        self.labels.set_obstacles("spots", drawn, half_px=self.spots_half_px)
        self.scene.on_render_needed()

    def _skin_rest_and_drawn(
        self,
    ) -> tuple[MeshArrays, NDArray[np.float64]] | None:
        """The skin's standing mesh and its vertices as drawn, when they differ (posed)."""
        if self.skin_id is None:
            return None
        rest = self.scene.loaded.meshes[self.skin_id]
        drawn = self.scene.drawn_points(self.skin_id)
        if drawn is None or len(drawn) != len(rest.points):
            return None
        if np.allclose(drawn, rest.points, atol=1e-3):
            return None
        return rest, drawn

    def _posed_spots(self) -> tuple[tuple[float, float, float], ...]:
        points = self._spot_points
        found = self._skin_rest_and_drawn() if points else None
        if found is None:
            return points
        rest, drawn = found
        key = (points, id(rest))
        if self._spot_binding is None or self._spot_binding[0] != key:
            self._spot_binding = (key, bind_points(points, rest.points, rest.triangles))
        posed = self._spot_binding[1].evaluate(drawn, rest.triangles)
        return tuple((float(x), float(y), float(z)) for x, y, z in posed)

    def rest_point(self, point: tuple[float, float, float]) -> tuple[float, float, float]:
        """A point picked on the skin as drawn, moved to the same place on the standing skin
        (a spot marked on a sitting body is stored where the referral lookup expects it)."""
        found = self._skin_rest_and_drawn()
        if found is None:
            return point
        rest, drawn = found
        x, y, z = carry([point], drawn, rest.points, rest.triangles)[0]
        return (float(x), float(y), float(z))

    # -- pair views ----------------------------------------------------------------------------
    def set_compare(self, on: bool) -> None:
        """Split into muscles (left) and their referral difference map (right) for the pair."""
        self.compare_wanted = on
        active = self.features.pairs.active if self.features.pairs is not None else None
        if on and active is not None and self.features.referral is not None:
            if self.compare is None:
                self.compare = CompareView(self.scene, self.features, self.scene.theme)
            self.compare.show(active)
        elif self.compare is not None:
            self.compare.hide()
        resolved = getattr(active, "resolved", None)
        if resolved is not None:
            # The muscles' half changed shape: refit the key and the camera to it.
            self.refresh_pair()
            self.scene.move_camera(self.pair_pose(resolved))
        self.scene.on_render_needed()

    @property
    def saved_pose(self) -> CameraPose | None:
        """The camera from before the pair view, where leaving it returns (presenter restore)."""
        return self._saved_pose

    @saved_pose.setter
    def saved_pose(self, pose: CameraPose | None) -> None:
        self._saved_pose = pose

    @property
    def comparing(self) -> bool:
        """True while the window is split for compare mode."""
        return self.compare is not None and self.compare.shown

    def _on_pair(self, active: object) -> None:
        self.layer.show_counts = active is None  # a pair view's X's carry no "×2"
        self.layer.ghost_all = active is not None  # ...and its far-side points show as grey x
        self.refresh_markers()  # their size follows the pair view (see shown_marker_px)
        if self.compare_wanted:
            self.set_compare(True)
        if active is None:
            self.pair_drawn = None
            self.pairs_overlay.clear()
            self.pair_legend.clear()
            if self._saved_pose is not None:
                pose, self._saved_pose = self._saved_pose, None
                self.scene.move_camera(pose)
            self.scene.on_render_needed()
            return
        resolved = getattr(active, "resolved", None)
        if self._saved_pose is None:
            self._saved_pose = self.scene.current_pose()
        if resolved is None:
            self.pairs_overlay.clear()
            self.pair_legend.clear()
            return
        self._draw_pair(resolved)
        self.pair_legend.show(resolved, self._arrow_note(resolved), self._height(), self._width())
        self.scene.move_camera(self.pair_pose(resolved))

    def _draw_pair(self, resolved: ResolvedPairView) -> None:
        """Arrows, arcs and joint dots of a pair view, on the body as posed now."""
        self.pairs_overlay.joint_balls = self._joint_balls(resolved)
        resolved = self.posed(resolved)
        tight = self._tight_side()
        if tight is not None:
            # One side's iliopsoas tight: its arrows show the pull it holds (see held_pulls).
            from viewer.domain.balance import held_pulls

            resolved = replace(resolved, pulls=held_pulls(resolved.pulls, tight))
        self.pair_drawn = resolved
        self._routed_for = None
        solid = self._solid_body()
        self.pairs_overlay.body_distance = self._body_distance(solid)
        joints = [(j.point, j.joint.title, j.joint.kind) for j in shown_joints(resolved)]
        label_px = max(16, int(self.marker_px * 0.7))
        if resolved.pulls:
            # The arrows' candidates depend on the pulls and the body drawn as posed: planned
            # once per pair view, posture and solid set, then reused on every later visit.
            plan_key = (id(resolved), self.scene.geometry_version, self.scene.state.pose, solid)
            self.pairs_overlay.show_pulls(
                resolved.pulls, resolved.turnings, joints, label_px, plan_key=(resolved, plan_key)
            )
        else:
            lines = [(line.points, line.color) for line in resolved.lines]
            self.pairs_overlay.show(lines, joints, label_size_px=label_px)

    def _joint_balls(self, resolved: ResolvedPairView) -> dict[str, float]:
        """Joint id -> radius of the ball the pair's rings must go round, not across: the
        femoral head of a hip joint, measured on this atlas's femur
        (:func:`~viewer.render.pair_overlay.ball_radius`; it does not change with the pose)."""
        out: dict[str, float] = {}
        meshes = self.scene.loaded.meshes
        for j in resolved.joints:
            if j.joint.kind != "hip":
                continue
            side = "left" if j.joint.id.endswith("_left") else "right"
            femur = meshes.get(f"femur_{side}")
            if femur is not None and len(femur.points):
                out[j.joint.id] = ball_radius(femur.points, j.point)
        return out

    def _solid_body(self) -> tuple[str, ...]:
        """The muscles and bones drawn solid enough to see: where a lever arc may run. Faint
        context (muscles at 0.08) does not count."""
        state = self.scene.state
        return tuple(
            s.id
            for s in self.scene.loaded.atlas.renderable
            if s.kind in (Kind.MUSCLE, Kind.BONE)
            and state.is_visible(s.id)
            and state.opacity(s.id) >= BODY_MIN_OPACITY
        )

    def _body_distance(self, solid: tuple[str, ...] | None = None) -> Any:
        """Distance to the structures ``solid`` (as posed; default :meth:`_solid_body`). The
        search tree is built on the first question only: a pair view planned before needs none."""
        from scipy.spatial import cKDTree

        if solid is None:
            solid = self._solid_body()

        tree: list[Any] = []

        def distance(points: NDArray[np.float64]) -> NDArray[np.float64]:
            if not tree:
                chunks = []
                for sid in solid:
                    drawn = self.scene.drawn_points(sid)
                    if drawn is not None and len(drawn):
                        chunks.append(np.asarray(drawn)[:: max(1, len(drawn) // 1500)])
                tree.append(cKDTree(np.vstack(chunks)) if chunks else None)
            if tree[0] is None:  # nothing solid drawn: no arc is cut
                return np.zeros(len(points))
            d, _ = tree[0].query(points)
            out: NDArray[np.float64] = np.asarray(d, dtype=np.float64)
            return out

        return distance

    def posed(self, resolved: ResolvedPairView) -> ResolvedPairView:
        """A pair view's geometry carried into the current posture (itself when standing).

        Lines of action move with their muscles (as trigger points do), joint centres with the
        nearest bones, and pulls and turnings are computed again from the moved lines.
        """
        pose = self.scene.state.pose
        if pose.is_standing:
            return resolved
        from viewer.domain.pair_pose import posed_pair
        from viewer.io.posture import shared_posture_model

        model = shared_posture_model(self.scene.loaded)
        transforms = model.transforms(pose)
        atlas = self.scene.loaded.atlas
        meshes = self.scene.loaded.meshes
        muscles = set(model.muscle_ids)

        def carry_line(muscle: str, points: NDArray[np.float64]) -> NDArray[np.float64]:
            leaves = [m for m in (atlas.leaves(muscle) if muscle in atlas else ()) if m in muscles]
            if not leaves:
                return points
            out = np.array(points, dtype=np.float64)
            for i, p in enumerate(out):
                # Each point goes with the part of the muscle it lies in (psoas upper or lower,
                # iliacus): the leaf whose surface is nearest.
                leaf = min(leaves, key=lambda m: _nearest_d2(meshes[m].points, p))
                out[i] = model.pose_muscle_points(leaf, [p], transforms)[0]
            return out

        bones = [b for b in model.bone_ids if b in meshes]

        def carry_joint(points: NDArray[np.float64]) -> NDArray[np.float64]:
            out = np.array(points, dtype=np.float64)
            for i, p in enumerate(out):
                # A joint centre lies between two bones: it goes with both, weighted by nearness
                # (a hip centre is the same point on pelvis and femur; a disc between two
                # vertebrae turns by half of their difference).
                d = np.array([_nearest_d2(meshes[b].points, p) for b in bones]) ** 0.5
                two = np.argsort(d)[:2]
                w = 1.0 / (d[two] + 1.0)
                moved = [_apply(transforms.get(bones[k]), p) for k in two]
                out[i] = (w[0] * moved[0] + w[-1] * moved[-1]) / (w[0] + w[-1])
            return out

        return posed_pair(resolved, atlas, carry_line, carry_joint)

    def _display_offset(self) -> tuple[float, float]:
        """Where the main renderer's viewport starts in the window (display pixels)."""
        renderer = self.scene.renderer
        window = renderer.GetRenderWindow()
        if window is None:
            return 0.0, 0.0
        vx0, vy0, _vx1, _vy1 = renderer.GetViewport()
        win_w, win_h = window.GetSize()
        return vx0 * win_w, vy0 * win_h

    def _dot_circles(self) -> list[tuple[float, float, float]]:
        """The pair view's joint dots as display discs (x, y up, radius in pixels at each
        dot's depth): what the X's keep clear of."""
        dots = self.pairs_overlay._dots if self.pair_drawn is not None else []
        renderer = self.scene.renderer
        width, height = renderer.GetSize()
        if not dots or width <= 0 or height <= 0:
            return []
        world = np.vstack(dots)
        pixels, inside = project_points(world, _projection(renderer), (width, height))
        camera = renderer.GetActiveCamera()
        tan = math.tan(math.radians(camera.GetViewAngle()) / 2)
        if camera.GetParallelProjection():
            scale = np.full(len(world), height / (2.0 * camera.GetParallelScale()))
        else:
            eye = np.asarray(camera.GetPosition(), dtype=np.float64)
            ahead = np.asarray(camera.GetDirectionOfProjection(), dtype=np.float64)
            depth = np.maximum((world - eye) @ ahead, 1e-3)
            scale = height / (2.0 * depth * tan)
        ox, oy = self._display_offset()
        return [
            (float(x + ox), float(height - y + oy), float(JOINT_RADIUS_MM * k))
            for (x, y), ok, k in zip(pixels, inside, scale, strict=True)
            if ok
        ]

    def _muscle_footprint(self, marker: Marker) -> Callable[[float, float], bool] | None:
        """Whether a display point (y up) lies on ``marker``'s muscle as drawn now."""
        atlas = self.scene.loaded.atlas
        sid = marker.structure
        if not sid or sid not in atlas:
            return None
        chunks = []
        for leaf in atlas.leaves(sid):
            pts = self.scene.drawn_points(leaf, light=True)
            if pts is not None and len(pts):
                chunks.append(np.asarray(pts, dtype=np.float64))
        renderer = self.scene.renderer
        width, height = renderer.GetSize()
        if not chunks or width <= 0 or height <= 0:
            return None
        pixels, inside = project_points(np.vstack(chunks), _projection(renderer), (width, height))
        ox, oy = self._display_offset()
        shown = pixels[inside]
        display = np.c_[shown[:, 0] + ox, height - shown[:, 1] + oy]
        regions = LeaderRegions.from_points(
            [display], (float(width + ox), float(height + oy)), grow=0.0
        )
        return lambda x, y: regions.own((x, y), reach=regions.cell) != 0

    def _pair_pixels(self) -> NDArray[np.float64] | None:
        """Where the pair view's muscles and arrows are on screen (display pixels, y up), for
        the marker key to keep off; none outside pair views; ``None`` while the camera moves
        (the key keeps its place until the next still frame)."""
        drawn = self.pair_drawn
        if drawn is None:
            return np.zeros((0, 2))
        if self.scene.interacting:
            return None
        if self._pair_points[0] is not drawn:
            atlas, chunks = self.scene.loaded.atlas, []
            for sid in drawn.pair.structures:
                for leaf in atlas.leaves(sid) if sid in atlas else ():
                    pts: Any = self.scene.drawn_points(leaf)
                    if pts is None and leaf in self.scene.loaded.meshes:
                        pts = self.scene.loaded.meshes[leaf].points
                    if pts is not None and len(pts):
                        p = np.asarray(pts, dtype=np.float64)
                        chunks.append(p[:: max(1, len(p) // 2000)])
            self._pair_points = (drawn, np.vstack(chunks) if chunks else None)
        points = self._pair_points[1]
        renderer = self.scene.renderer
        width, height = renderer.GetSize()
        if points is None or width <= 0 or height <= 0:
            return np.zeros((0, 2))
        m = _projection(renderer)
        pixels, _inside = project_points(points, m, (width, height))
        out: NDArray[np.float64] = np.c_[pixels[:, 0], height - pixels[:, 1]]
        # The pair's own key (top left) is no place for the marker key either.
        if self.pair_legend.actors:
            right = self.pair_legend.right_px if self.pair_legend.column_px else width * 0.98
            xs = np.linspace(0.0, right, 40)
            ys = np.linspace(self.pair_legend.bottom_px, height, 12)
            out = np.vstack([out, np.array([(x, y) for x in xs for y in ys])])
        return out

    def _route_arrows(self, *_args: object) -> None:
        """Before a still frame: draw the pair arrows again if the camera or the X's moved,
        each the way that keeps it off every X (see :mod:`viewer.domain.overlay_route`)."""
        if self.pair_drawn is None or not self.pairs_overlay.n_props or self.scene.interacting:
            return
        if self._pose_stale:
            self._on_pose()
        renderer = self.scene.renderer
        width, height = renderer.GetSize()
        if width <= 0 or height <= 0:
            return
        boxes = tuple(tuple(round(v, 1) for v in b) for b in self.layer.screen_boxes())
        camera = renderer.GetActiveCamera()
        key = (
            _view_key(renderer),
            boxes,
        )
        if key == self._routed_for:
            return
        self._routed_for = key
        m = _projection(renderer)

        def project(points: NDArray[np.float64]) -> NDArray[np.float64]:
            pixels, _inside = project_points(points, m, (width, height))
            out: NDArray[np.float64] = np.c_[pixels[:, 0], height - pixels[:, 1]]
            return out  # y up, as the marker boxes

        distance = max(1e-6, camera.GetDistance())
        px_per_mm = height / (2.0 * distance * math.tan(math.radians(camera.GetViewAngle()) / 2))
        top = self.pair_legend.top_px  # a slide's caption band (set_pair_header)
        cut = ((0.0, float(height - top), float(width), float(height)),) if top > 0 else ()
        eye = np.asarray(camera.GetPosition(), dtype=np.float64)
        ahead = np.asarray(camera.GetDirectionOfProjection(), dtype=np.float64)

        def depth(points: NDArray[np.float64]) -> NDArray[np.float64]:
            out: NDArray[np.float64] = (np.asarray(points, dtype=np.float64) - eye) @ ahead
            return out

        perspective = not camera.GetParallelProjection()
        route = Route(
            project,
            boxes,  # type: ignore[arg-type]
            px_per_mm,
            MIN_ARROW_SHARE * height,
            cut,
            depth if perspective else None,
            distance if perspective else 0.0,
        )
        self.pairs_overlay.reroute(route)

    def _on_pose(self, *_args: object) -> None:
        """The body was posed: the pair view's arrows follow it."""
        active = self.features.pairs.active if self.features.pairs is not None else None
        resolved = getattr(active, "resolved", None)
        if resolved is None:
            return
        if self.scene.interacting:
            # A posture slider is being dragged: the arrows catch up on release (next still
            # frame), as the full meshes do.
            self._pose_stale = True
            return
        self._pose_stale = False
        self._draw_pair(resolved)
        self.scene.on_render_needed()

    def set_pair_header(self, show_title: bool, top_px: int = 0) -> None:
        """Whether the pair key shows the pair's title, and how many pixels at the top of the
        frame it leaves free (for a lesson caption or presenter header drawn by others)."""
        self.pair_legend.show_title = show_title
        self.pair_legend.top_px = int(top_px)
        if show_title:  # back in the app: the key is a band again (see fit_beside_key)
            self.pair_legend.column_px = 0
        self.refresh_pair()

    def _on_resize(self, *_args: object) -> None:
        if self.pair_legend.actors:
            self.refresh_pair()
        if self.compare is not None:
            self.compare.relayout()

    def refresh_pair(self) -> None:
        """Redraw the pair view's title and key for the current frame size (after a resize or
        the compare split)."""
        active = self.features.pairs.active if self.features.pairs is not None else None
        resolved = getattr(active, "resolved", None)
        if resolved is None:
            return
        self.pair_legend.show(resolved, self._arrow_note(resolved), self._height(), self._width())

    def _tight_side(self) -> str | None:
        """The side whose iliopsoas the pose holds tight (a balance-model pose), else None."""
        from viewer.domain.balance import tight_side_of

        return tight_side_of(self.scene.state.pose)

    def _arrow_note(self, resolved: ResolvedPairView) -> str:
        """The key's line on arrows for ``resolved``, with the force capacities' source."""
        from viewer.render.pair_legend import arrow_key

        library = self.features.pairs.library if self.features.pairs is not None else None
        note = library.capacity_note if library is not None else ""
        return arrow_key(resolved, note, held=self._tight_side() is not None)

    def _width(self) -> int:
        w, _ = self.scene.renderer.GetSize()
        if not w:
            window = self.scene.renderer.GetRenderWindow()
            w = window.GetSize()[0] if window is not None else 0
        return int(w)

    def _height(self) -> int:
        _, h = self.scene.renderer.GetSize()
        if not h:
            window = self.scene.renderer.GetRenderWindow()
            h = window.GetSize()[1] if window is not None else 0
        return int(h) or 800

    def key_room(self) -> tuple[float, float]:
        """(top, left): the shares of the frame height and width the pair key takes from the
        picture as laid out now (a band: the top; a column: the left; none: nothing)."""
        w, h = self.scene.renderer.GetSize()
        legend = self.pair_legend
        if not legend.actors or not w or not h:
            return 0.0, 0.0
        if legend.column_px:
            return min(0.45, legend.top_px / h + 0.01), min(0.45, legend.right_px / w + 0.015)
        return min(0.45, max(0.0, (h - legend.bottom_px) / h) + 0.01), 0.0

    def framed_extra(self, resolved: ResolvedPairView) -> Any:
        """What a framed lesson step showing this pair view keeps in the picture besides its
        own structures: the pair's arrows, curls, rings and joint dots as posed
        (:func:`mechanics_points`; a close-up on the pelvis must not cut the psoas arrow)."""
        return mechanics_points(self.posed(resolved), fallbacks=bool(self.layer.marker_ids))

    def fit_beside_key(
        self, resolved: ResolvedPairView, fit: Callable[[float, float], CameraPose]
    ) -> CameraPose:
        """The camera ``fit(top, left)`` gives with the key as a band across the top or as a
        column on the left, whichever draws the pair larger (by :data:`PAIR_COLUMN_GAIN`); the
        key is left laid out that way.

        A tall, narrow pair (psoas seen from the side) under a band kept only two thirds of
        the height and a fifth of a slide's width; beside a column it gets the whole height
        below the caption. A wide pair keeps the band, which costs it less. Only slides
        (a lesson caption titles the frame, the key has no title of its own) use the column:
        the app's pair views keep their band, where arrows and labels are routed round X's.
        """
        w, h = self.scene.renderer.GetSize()
        legend = self.pair_legend
        if not legend.actors or not w or not h:
            return fit(*self.key_room())
        note = self._arrow_note(resolved)
        width = round(PAIR_COLUMN_SHARE * w)
        legend.show(resolved, note, self._height(), self._width(), column_px=0)
        band = fit(*self.key_room())
        if legend.show_title or width < PAIR_COLUMN_MIN_PX:
            return band  # the app's own pair view, or too narrow a frame, keeps the band
        legend.show(resolved, note, self._height(), self._width(), column_px=width)
        beside = fit(*self.key_room())
        if legend.bottom_px >= 0.25 * h and _distance(beside) * PAIR_COLUMN_GAIN <= _distance(band):
            return beside
        legend.show(resolved, note, self._height(), self._width(), column_px=0)
        return band

    def pair_pose(self, resolved: ResolvedPairView) -> CameraPose:
        """The camera of a pair view framing both muscles origin to insertion, arrows included,
        with the frame's top band or left column left free for the title and key (see
        :meth:`fit_beside_key`; the key is laid out to match)."""
        loaded = self.scene.loaded
        # Without X's the rings are drawn at their preferred level: only that one is framed.
        points = frame_points(
            self.posed(resolved), loaded.atlas, loaded.meshes, fallbacks=bool(self.layer.marker_ids)
        )
        if points is None:
            return self.scene.pose_for(resolved.camera, frame=resolved.pair.structures)
        renderer = self.scene.renderer
        w, h = renderer.GetSize()
        aspect = w / h if w and h else 1.6
        angle = renderer.GetActiveCamera().GetViewAngle()

        # A slide (the caption titles it, the key has no title) gives its subject the room
        # below the caption almost to the edges; the app's view keeps its wider margin.
        fill = PAIR_VIEW_FILL if self.pair_legend.show_title else SLIDE_FILL

        def fit(top: float, left: float) -> CameraPose:
            return fit_pose(
                points,
                resolved.camera.direction,
                resolved.camera.view_up,
                angle,
                aspect,
                fill=fill,
                top_free=top,
                left_free=left,
                # Seen steeply from below or above (pair 3), the subject's near and far ends
                # differ most in size: centre it as seen (side views keep their framing).
                balance=abs(float(resolved.camera.direction[2])) >= STEEP_VIEW,
            )

        if self.pair_legend.actors and h:
            return self.fit_beside_key(resolved, fit)
        rows = 2 + (1 if resolved.joints or resolved.turnings else 0)
        top = min(0.45, (TITLE_SHARE * 1.6 + ROW_SHARE * 1.45 * rows + NOTE_SHARE * 2) * 1.05)
        return fit(top, 0.0)

    def detach(self) -> None:
        """Disconnect from the states and remove overlays (the view is closing)."""
        triggers = self.features.triggers
        if triggers is not None:
            for signal, slot in (
                (triggers.markers_changed, self.refresh_markers),
                (triggers.active_changed, self._on_active),
                (triggers.heat_changed, self.refresh_heat),
            ):
                signal.disconnect(slot)
        if self.features.pairs is not None:
            self.features.pairs.pair_changed.disconnect(self._on_pair)
        self.scene.state.visibility_changed.disconnect(self.refresh_markers)
        self.scene.state.opacity_changed.disconnect(self.refresh_markers)
        self.scene.state.visibility_changed.disconnect(self._sync_legend)
        self.scene.state.opacity_changed.disconnect(self._sync_legend)
        if self.outlines is not None:
            self.outlines.detach()
        self.scene.state.pose_changed.disconnect(self.refresh_markers)
        self.scene.state.pose_changed.disconnect(self._on_pose)
        self.scene.renderer.RemoveObserver(self._route_tag)
        self.scene.renderer.RemoveObserver(self._kinds_tag)
        self.pairs_overlay.clear()
        self.pair_legend.clear()
        window = self.scene.renderer.GetRenderWindow()
        if window is not None and self._resize_tag is not None:
            window.RemoveObserver(self._resize_tag)
        self.spots.clear()
        if self.compare is not None:
            self.compare.detach()
        self.legend.detach()
        self.marker_legend.detach()
        self.layer.detach()
        self.labels.reserve("legend", None)
        self.labels.reserve("marker_legend", None)
        if self._owns_labels:
            self.labels.detach()
