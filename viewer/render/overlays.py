"""Bind annotation features to the 3D scene: trigger-point markers, heat map, pair-view arrows.

One instance per view (window or off-screen export). It observes the trigger-point state and the
pair-view controller and changes only VTK objects; the camera goes through
``SceneRenderer.move_camera`` so the window can animate it.
"""

from __future__ import annotations

from viewer.domain.camera import CameraPose
from viewer.domain.structures import Kind, hex_to_rgb
from viewer.features import Features, muscle_base
from viewer.render.compare import CompareView
from viewer.render.heatmap_painter import SkinHeatPainter
from viewer.render.legend import HeatLegend
from viewer.render.markers import Marker, MarkerLayer, SpotMarkers
from viewer.render.pair_overlay import PairOverlay
from viewer.render.scene_renderer import SceneRenderer

MARKER_MIN_OPACITY = 0.5
"""Muscles fainter than this are context; their trigger-point markers are not drawn."""


class AnnotationOverlays:
    """Markers, heat map and pair overlays of one view, kept in step with the feature states."""

    def __init__(self, scene: SceneRenderer, features: Features, marker_px: int = 30) -> None:
        self.scene = scene
        self.features = features
        self.marker_px = marker_px
        self.layer = MarkerLayer(scene.renderer)
        self.pairs_overlay = PairOverlay(self.layer.overlay)
        self.spots = SpotMarkers(self.layer.overlay, size_px=max(16, round(marker_px * 0.7)))
        self.legend = HeatLegend(scene.renderer, scale=marker_px / 30)  # 2D props: main layer
        self._saved_pose: CameraPose | None = None
        self.compare: CompareView | None = None
        self.compare_wanted = False
        atlas = scene.loaded.atlas
        self.skin_id = next((s.id for s in atlas.renderable if s.kind is Kind.SKIN), None)
        self.painter: SkinHeatPainter | None = None
        self.light_painter: SkinHeatPainter | None = None
        if self.skin_id is not None:
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
        scene.state.pose_changed.connect(self.refresh_markers)
        self.refresh_markers()
        self.refresh_heat()
        if features.pairs is not None and features.pairs.active is not None:
            self._on_pair(features.pairs.active)

    # -- trigger points ------------------------------------------------------------------------
    def marker_color(self, muscle_id: str) -> tuple[float, float, float]:
        """Marker colour of a muscle (same on both sides)."""
        color = self.features.marker_colors.get(muscle_base(muscle_id), "#0072B2")
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
            markers.append(Marker(tp.id, position, self.marker_color(tp.muscle), self.marker_px))
        self.layer.set_markers(markers)
        self.layer.highlight(triggers.active)
        self.scene.on_render_needed()

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
            self.legend.set_visible(False)
            self.scene.on_render_needed()
            return
        heat = referral.field_for(ids)
        skin_rgb = hex_to_rgb(self.scene.state.color(self.skin_id))
        self.painter.paint(skin_rgb, heat.intensity, heat.classes)
        if self.light_painter is not None:
            self.light_painter.paint(skin_rgb, heat.intensity, heat.classes)
        self.legend.set_visible(True)
        self.scene.on_render_needed()

    # -- painful spots -------------------------------------------------------------------------
    def show_spots(self, points: tuple[tuple[float, float, float], ...]) -> None:
        """Mark the patient's painful spots on the skin."""
        self.spots.set_points(points)
        self.scene.on_render_needed()

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
        self.scene.on_render_needed()

    @property
    def comparing(self) -> bool:
        """True while the window is split for compare mode."""
        return self.compare is not None and self.compare.shown

    def _on_pair(self, active: object) -> None:
        if self.compare_wanted:
            self.set_compare(True)
        if active is None:
            self.pairs_overlay.clear()
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
            return
        lines = [(line.points, line.color) for line in resolved.lines]
        joints = [(j.point, j.joint.title, j.joint.kind) for j in resolved.joints]
        self.pairs_overlay.show(lines, joints, label_size_px=max(16, int(self.marker_px * 0.7)))
        pair = resolved.pair
        self.scene.move_camera(self.scene.pose_for(resolved.camera, frame=pair.structures))

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
        self.scene.state.pose_changed.disconnect(self.refresh_markers)
        self.pairs_overlay.clear()
        self.spots.clear()
        if self.compare is not None:
            self.compare.detach()
        self.legend.detach()
        self.layer.detach()
