"""Actors for every structure, kept in step with :class:`~viewer.state.SceneState`.

One ``SceneRenderer`` serves both the interactive window and off-screen export, so what a PNG shows
is what the window shows. Each structure gets a full-detail and a light actor sharing one property;
while the camera moves only the light actors are drawn (level of detail for software rendering).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from vtkmodules.vtkCommonCore import vtkCommand
from vtkmodules.vtkCommonDataModel import vtkPlane, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkCellPicker,
    vtkPolyDataMapper,
    vtkProperty,
    vtkRenderer,
)

from viewer.domain.camera import CameraPose, CameraPreset, fit_to_points, view_by_name
from viewer.domain.orientation import leaves_out_front_ghosts, looks_down
from viewer.domain.structures import Kind, hex_to_rgb
from viewer.io.atlas_loader import LoadedAtlas
from viewer.io.meshes import MeshArrays
from viewer.render.striation import add_striation
from viewer.render.tendons import paint_tendons
from viewer.render.theme import RenderTheme
from viewer.render.vtkmesh import to_polydata
from viewer.state.scene import STARTING_GHOST_OPACITY, STARTING_GHOSTS, SceneState

HIGHLIGHT_RGB = (1.0, 0.85, 0.2)

SKIN_CUT_ABOVE_MM = 40.0
"""In a view from above the skin is cut this far above the highest bone or muscle."""
"""Selection tint (warm yellow): unlike muscle reds and bone ivory in hue and lightness."""

FRAME_FILL = 0.88
"""Share of the view's half-height (or half-width) the framed anatomy fills: most of the frame,
with a margin for markers and labels at its edges."""

PAIR_FILL = 0.8
"""Pair views leave a wider margin: their joint labels and arrows sit around the muscles."""

FRAME_SAMPLE = 20000
"""Points used to fit a view (thinned evenly from the light meshes)."""

GHOST_PICK_OPACITY = 0.5
"""Structures fainter than this are ghosts: looked through when picking, drawn from light meshes."""


def nearest_layer_only(actor: vtkActor) -> None:
    """Let a translucent actor write depth, so only its surface nearest the camera is seen.

    Without depth peeling VTK draws translucent triangles in index order with depth writes off,
    so a farther part of the skin facing the camera (the other leg's inner side behind a leg
    seen from the side, the far flank) was blended over the near skin: a heat-map zone's fill
    vanished there while its outline (opaque lines) stayed. The skin is the last structure
    drawn, so what shows through it (muscles, bones, ghosts) is already in the frame.
    """
    from vtkmodules.vtkCommonCore import vtkInformation
    from vtkmodules.vtkRenderingOpenGL2 import vtkOpenGLActor

    keys = actor.GetPropertyKeys() or vtkInformation()
    keys.Set(vtkOpenGLActor.GLDepthMaskOverride(), 1)
    actor.SetPropertyKeys(keys)


@dataclass
class _StructureActors:
    full: vtkActor
    light: vtkActor
    prop: vtkProperty


class SceneRenderer:
    """Creates and updates the actors of one atlas in one ``vtkRenderer``."""

    def __init__(
        self, renderer: vtkRenderer, loaded: LoadedAtlas, state: SceneState, theme: RenderTheme
    ) -> None:
        self.renderer = renderer
        self.loaded = loaded
        self.state = state
        self.theme = theme
        self._actors: dict[str, _StructureActors] = {}
        self._actor_ids: dict[int, str] = {}
        self._interacting = False
        self._cull_solid = True
        self.on_render_needed: Callable[[], None] = lambda: None
        self.frame_extra: NDArray[np.float64] | None = None
        """More points a whole-scene view must frame (a heat map painted on the skin)."""
        self.geometry_version = 0
        """Bumped whenever actors' vertices move (posture, body outline), so whoever caches
        positions taken from the drawn meshes (label anchors) knows to take them again."""
        self._ghosts_left_out: frozenset[str] = frozenset()
        self._skin_cut: vtkPlane | None = None
        """The plane the skin is cut by in a view from above (``None`` in other views)."""
        self._skin_cut_z: float | None = None
        """Starting ghosts left undrawn while the camera looks from above, below or behind."""
        self._build()
        self.apply_theme(theme)
        # First of the frame's observers: the ghosts' actors are settled before anything else.
        self._ghost_view_tag = renderer.AddObserver(
            vtkCommand.StartEvent, self._check_ghost_views, 1.0
        )
        state.visibility_changed.connect(self._on_visibility)
        state.opacity_changed.connect(self._on_appearance)
        state.color_changed.connect(self._on_appearance)
        state.selection_changed.connect(self._on_selection)
        state.view_requested.connect(self._on_view)

    def upgrade_meshes(self, meshes: dict[str, MeshArrays]) -> None:
        """Swap in full-detail meshes for structures first drawn from their light meshes."""
        for sid, mesh in meshes.items():
            actors = self._actors.get(sid)
            if actors is None:
                continue
            if actors.light is actors.full:
                light = actors.full
                full = self._actor(to_polydata(mesh), actors.prop)
                if self.loaded.atlas.get(sid).kind is Kind.SKIN:
                    nearest_layer_only(full)
                self._actors[sid] = _StructureActors(full, light, actors.prop)
                self._actor_ids[id(full)] = sid
                self.renderer.AddActor(full)
            else:
                mapper = actors.full.GetMapper()
                assert isinstance(mapper, vtkPolyDataMapper)
                mapper.SetInputData(to_polydata(mesh))
            if self.loaded.atlas.get(sid).kind is Kind.MUSCLE:
                add_striation(self._actors[sid].full, mesh)
            self._apply_appearance(sid)  # the new mesh's tendon colours
        self._on_visibility(tuple(meshes))

    def _leaves_of(self, only: Iterable[str] | None) -> set[str] | None:
        """The drawn parts of ``only`` (groups expand to their parts); ``None`` means all."""
        if only is None:
            return None
        atlas = self.loaded.atlas
        return {leaf for sid in only if sid in atlas for leaf in atlas.leaves(sid)}

    def geometry_changed(self) -> None:
        """Actors' vertices moved (a posture or a body outline): cached positions are stale."""
        self.geometry_version += 1

    def drawn_points(self, structure_id: str, light: bool = False) -> NDArray[np.float64] | None:
        """Vertices as drawn now (posed), not as loaded; ``None`` for an unknown structure.

        Labels and framing must point at the bones and muscles where the posture put them: a
        sitting femur is no longer where the standing mesh file has it.
        """
        poly = self._drawn_poly(structure_id, light)
        if poly is None:
            return None
        from vtkmodules.util.numpy_support import vtk_to_numpy

        return np.asarray(vtk_to_numpy(poly.GetPoints().GetData()), dtype=np.float64)

    def _drawn_poly(self, structure_id: str, light: bool) -> vtkPolyData | None:
        """The polydata an actor draws now (its light or full mesh), ``None`` without points."""
        actors = self._actors.get(structure_id)
        if actors is None:
            return None
        actor = actors.light if light else actors.full
        mapper = actor.GetMapper()
        poly = mapper.GetInput() if mapper is not None else None
        if poly is None or poly.GetPoints() is None:
            return None
        return poly

    def drawn_mesh(
        self, structure_id: str, light: bool = True
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]] | None:
        """Vertices as drawn now and the triangles (the light mesh by default: the screen area a
        structure covers, for keeping labels off it, needs no more); ``None`` when unknown."""
        poly = self._drawn_poly(structure_id, light)
        if poly is None or poly.GetPolys() is None:
            return None
        from vtkmodules.util.numpy_support import vtk_to_numpy

        points = np.asarray(vtk_to_numpy(poly.GetPoints().GetData()), dtype=np.float64)
        polys = poly.GetPolys()
        offsets = vtk_to_numpy(polys.GetOffsetsArray())
        conn = np.asarray(vtk_to_numpy(polys.GetConnectivityArray()), dtype=np.int64)
        if len(offsets) < 2 or not np.all(np.diff(offsets) == 3):
            return None  # not a triangle mesh (every atlas mesh is one)
        return points, conn.reshape(-1, 3)

    def reshape(self, structure_id: str, full: MeshArrays, light: MeshArrays | None) -> None:
        """Move a structure's vertices (same triangles): another body outline for the skin.

        Points and normals of the existing poly data are replaced, so every actor, mapper,
        texture and painter bound to them stays valid.
        """
        actors = self._actors.get(structure_id)
        if actors is None:
            return
        pairs = [(actors.full, full)]
        if actors.light is not actors.full:
            pairs.append((actors.light, light if light is not None else full))
        for actor, mesh in pairs:
            mapper = actor.GetMapper()
            assert isinstance(mapper, vtkPolyDataMapper)
            poly = mapper.GetInput()
            if poly.GetNumberOfPoints() != len(mesh.points):
                mapper.SetInputData(to_polydata(mesh))  # a different tessellation: start over
                continue
            fresh = to_polydata(mesh)
            poly.SetPoints(fresh.GetPoints())
            if mesh.normals is not None:
                poly.GetPointData().SetNormals(fresh.GetPointData().GetNormals())
            poly.Modified()
        self.geometry_changed()
        self.on_render_needed()

    def detach(self) -> None:
        """Stop observing the state and remove every actor (the window is closing)."""
        self.state.visibility_changed.disconnect(self._on_visibility)
        self.state.opacity_changed.disconnect(self._on_appearance)
        self.state.color_changed.disconnect(self._on_appearance)
        self.state.selection_changed.disconnect(self._on_selection)
        self.state.view_requested.disconnect(self._on_view)
        self.renderer.RemoveObserver(self._ghost_view_tag)
        self.renderer.RemoveAllViewProps()
        self._actors.clear()
        self._actor_ids.clear()
        self.on_render_needed = lambda: None

    # -- construction ----------------------------------------------------------------------------
    def _build(self) -> None:
        for s in self.loaded.atlas.renderable:
            mesh = self.loaded.meshes[s.id]
            prop = vtkProperty()
            prop.SetInterpolationToPhong()
            if s.kind is Kind.BONE:
                prop.SetAmbient(0.12)
                prop.SetDiffuse(0.85)
                prop.SetSpecular(0.15)
                prop.SetSpecularPower(12)
            elif s.kind is Kind.SKIN:
                prop.SetAmbient(0.15)
                prop.SetDiffuse(0.8)
                prop.SetSpecular(0.05)
            else:
                prop.SetAmbient(0.1)
                prop.SetDiffuse(0.9)
                prop.SetSpecular(0.25)
                prop.SetSpecularPower(20)
            full = self._actor(to_polydata(mesh), prop)
            light_mesh = self.loaded.light.get(s.id)
            light = full if light_mesh is None else self._actor(to_polydata(light_mesh), prop)
            if s.kind is Kind.MUSCLE and s.id not in self.loaded.pending_full:
                # at rest only: the light meshes drawn while rotating stay plain (frame rate),
                # and so does a light mesh standing in for full detail still to be read (the
                # stripe shader would cost the first frame ~0.1 s of CPU; upgrade_meshes adds it)
                add_striation(full, mesh)
            light.SetVisibility(False)
            if s.kind is Kind.SKIN:
                nearest_layer_only(full)
                nearest_layer_only(light)
            self._actors[s.id] = _StructureActors(full, light, prop)
            self._actor_ids[id(full)] = s.id
            self._actor_ids[id(light)] = s.id
            self.renderer.AddActor(full)
            if light is not full:
                self.renderer.AddActor(light)
            self._apply_appearance(s.id)
        self._on_visibility(tuple(self._actors))

    @staticmethod
    def _actor(poly: object, prop: vtkProperty) -> vtkActor:
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(poly)
        mapper.ScalarVisibilityOff()
        actor = vtkActor()
        actor.SetMapper(mapper)
        actor.SetProperty(prop)
        return actor

    # -- state observers ---------------------------------------------------------------------
    def _on_visibility(self, ids: tuple[str, ...]) -> None:
        for sid in ids:
            actors = self._actors.get(sid)
            if actors is None:
                continue
            # Opacity 0 draws nothing, but VTK would still run the translucent pass for it.
            shown = self.state.is_visible(sid) and self.state.opacity(sid) > 0.0
            shown = shown and sid not in self._ghosts_left_out
            # Light meshes while the camera moves, and always for faint (ghosted) structures:
            # translucent full-detail context is costly and its detail cannot be seen anyway.
            light = self._interacting or self.state.opacity(sid) < GHOST_PICK_OPACITY
            has_light = actors.light is not actors.full
            actors.full.SetVisibility(shown and (not light or not has_light))
            if has_light:
                actors.light.SetVisibility(shown and light)
        self.on_render_needed()

    def _on_appearance(self, ids: tuple[str, ...]) -> None:
        for sid in ids:
            self._apply_appearance(sid)
        self._on_visibility(ids)  # opacity decides between full and light detail

    def _on_selection(self, _selected: object) -> None:
        for sid in self._actors:
            self._apply_appearance(sid)
        self.on_render_needed()

    def front_ghosts(self) -> tuple[str, ...]:
        """The starting ghosts (the abdominal wall) still shown as ghosts: left out of views
        from above, below and behind (:func:`~viewer.domain.orientation.leaves_out_front_ghosts`).

        They are there so a front view shows where the abdominal wall lies over the psoas. Seen
        end-on from above, the foreshortened rectus sheets spread like two wings over the cut
        tops of the lumbar muscles, and the picture was framed to fit them: a lecturer could
        not read it. A textbook view from above shows the pelvis and lumbar muscles; the
        orientation words say where the front is. A rectus abdominis made solid (or shown
        alone) is the user's subject and stays. From behind, the faint sheets on the far side
        of the trunk showed only as pale planks between the back and gluteal muscles.
        """
        return tuple(
            sid
            for sid in STARTING_GHOSTS
            if sid in self._actors
            and self.state.is_visible(sid)
            and self.state.opacity(sid) <= STARTING_GHOST_OPACITY + 1e-9
        )

    def _check_ghost_views(self, *_args: object) -> None:
        """Before each frame: hide the starting ghosts while the camera looks end-on or from
        behind."""
        direction = self.renderer.GetActiveCamera().GetDirectionOfProjection()
        hidden = (
            frozenset(self.front_ghosts()) if leaves_out_front_ghosts(direction) else frozenset()
        )
        if hidden != self._ghosts_left_out:
            changed = tuple(hidden ^ self._ghosts_left_out)
            self._ghosts_left_out = hidden
            self._on_visibility(changed)
        self._cut_skin_top(looks_down(direction))

    def skin_top_cut(self) -> float | None:
        """Height (atlas z, mm) above which the skin is left undrawn now, or ``None``."""
        return self._skin_cut_z if self._skin_cut is not None else None

    def _cut_skin_top(self, on: bool) -> None:
        """From above, leave out the skin above the atlas's anatomy (:data:`SKIN_CUT_ABOVE_MM`
        over its highest bone or muscle).

        Looking down on the pelvis, the camera sits inside the chest and neck of the body: the
        skin there was drawn as large pale sheets of cut body wall over the whole picture, and
        the ghosted abdominal wall's cut top as a wedge across it. Cut just above the drawn
        anatomy, the skin is a ring round the trunk at that height: the body's outline, as in
        an axial section.
        """
        if on == (self._skin_cut is not None):
            return
        skins = [
            a
            for sid, actors in self._actors.items()
            if self.loaded.atlas.get(sid).kind is Kind.SKIN
            for a in {id(actors.full): actors.full, id(actors.light): actors.light}.values()
        ]
        if on:
            if self._skin_cut_z is None:
                tops = [
                    float(np.asarray(self.loaded.meshes[s.id].points)[:, 2].max())
                    for s in self.loaded.atlas.renderable
                    if s.kind is not Kind.SKIN and s.id in self.loaded.meshes
                ]
                if not tops:
                    return
                self._skin_cut_z = max(tops) + SKIN_CUT_ABOVE_MM
            plane = vtkPlane()
            plane.SetOrigin(0.0, 0.0, self._skin_cut_z)
            plane.SetNormal(0.0, 0.0, -1.0)  # keeps what lies below
            self._skin_cut = plane
            for actor in skins:
                actor.GetMapper().AddClippingPlane(plane)
        else:
            for actor in skins:
                actor.GetMapper().RemoveClippingPlane(self._skin_cut)
            self._skin_cut = None

    def _on_view(self, name: str) -> None:
        self.move_camera(self.pose_for(view_by_name(name)))

    def move_camera(self, pose: CameraPose) -> None:
        """Go to a pose; the window replaces this with an animated transition."""
        self.apply_pose(pose)
        self.on_render_needed()

    def _is_highlighted(self, sid: str) -> bool:
        selected = self.state.selection
        if selected is None:
            return False
        return sid == selected or selected in self.loaded.atlas.ancestors(sid)

    def _apply_appearance(self, sid: str) -> None:
        actors = self._actors[sid]
        rgb = hex_to_rgb(self.state.color(sid))
        if self._is_highlighted(sid):
            r, g, b = (0.45 * c + 0.55 * h for c, h in zip(rgb, HIGHLIGHT_RGB, strict=True))
            rgb = (r, g, b)
            actors.prop.SetAmbient(0.35)
        else:
            structure = self.loaded.atlas.get(sid)
            actors.prop.SetAmbient(0.12 if structure.kind is not Kind.SKIN else 0.15)
        actors.prop.SetColor(*rgb)
        opacity = self.state.opacity(sid)
        paint_tendons(actors.full, rgb, shown=opacity >= GHOST_PICK_OPACITY)
        if actors.light is not actors.full:
            paint_tendons(actors.light, rgb, shown=opacity >= GHOST_PICK_OPACITY)
        actors.prop.SetOpacity(opacity)
        actors.prop.SetBackfaceCulling(
            self.loaded.atlas.get(sid).kind is Kind.SKIN or (self._cull_solid and opacity >= 1.0)
        )

    def set_back_face_culling(self, on: bool) -> None:
        """Skip the triangles facing away from the camera on opaque structures (default on).

        Every atlas mesh is closed and wound outward (the build checks it), so on an opaque
        structure a back face always lies behind a front face of the same mesh: culling it
        changes no pixel, and Mesa llvmpipe then neither bins nor rasterises about half the
        triangles (about a quarter of a frame; see ``benchmarks/README.md``). Translucent
        structures keep both faces (their far side shows through). A section plane opens the
        meshes, so it turns culling off while it cuts.
        """
        if on == self._cull_solid:
            return
        self._cull_solid = on
        for sid in self._actors:
            self._apply_appearance(sid)
        self.on_render_needed()

    @property
    def back_face_culling(self) -> bool:
        """True while opaque structures are drawn without their back faces."""
        return self._cull_solid

    # -- level of detail -----------------------------------------------------------------------
    def set_interacting(self, interacting: bool) -> None:
        """Swap to light meshes while the camera moves, back to full detail at rest."""
        if interacting == self._interacting:
            return
        self._interacting = interacting
        self._on_visibility(tuple(self._actors))

    @property
    def interacting(self) -> bool:
        """True while light meshes are shown."""
        return self._interacting

    # -- theme, camera, picking ------------------------------------------------------------------
    def apply_theme(self, theme: RenderTheme) -> None:
        """Set background colours (gradient) for a light, dark or projector theme."""
        self.theme = theme
        self.renderer.SetBackground(*theme.background_bottom)
        self.renderer.SetBackground2(*theme.background_top)
        self.renderer.SetGradientBackground(theme.background_top != theme.background_bottom)
        self.on_render_needed()

    def visible_bounds(
        self, only: Iterable[str] | None = None
    ) -> tuple[float, float, float, float, float, float] | None:
        """Bounds of what is shown (the skin only when it is alone), or ``None`` if nothing is.

        ``only`` restricts the bounds to these structures (groups expand to their parts).
        """
        wanted = self._leaves_of(only)
        bounds = [math.inf, -math.inf] * 3
        found = False
        for sid, actors in self._actors.items():
            if not self.state.is_visible(sid) or (wanted is not None and sid not in wanted):
                continue
            if self.loaded.atlas.get(sid).kind is Kind.SKIN and len(self.state.visible_ids) > 1:
                continue  # frame the anatomy, not the whole body, when there is anatomy to see
            b = actors.full.GetBounds()
            for axis in range(3):
                bounds[2 * axis] = min(bounds[2 * axis], b[2 * axis])
                bounds[2 * axis + 1] = max(bounds[2 * axis + 1], b[2 * axis + 1])
            found = True
        return tuple(bounds) if found else None  # type: ignore[return-value]

    def apply_view(self, preset: CameraPreset) -> None:
        """Point the camera along the preset's direction and frame the visible structures."""
        self.apply_pose(self.pose_for(preset))

    def current_pose(self) -> CameraPose:
        """Where the camera is now."""
        camera = self.renderer.GetActiveCamera()
        return CameraPose(camera.GetPosition(), camera.GetFocalPoint(), camera.GetViewUp())

    def apply_pose(self, pose: CameraPose) -> None:
        """Put the camera at a pose (e.g. one frame of a transition).

        A pose with a non-finite number is refused: it would blank the view for good.
        """
        import math

        values = (*pose.position, *pose.focal_point, *pose.view_up)
        if not all(math.isfinite(v) and abs(v) < 1e9 for v in values):
            return
        camera = self.renderer.GetActiveCamera()
        camera.SetFocalPoint(*pose.focal_point)
        camera.SetPosition(*pose.position)
        camera.SetViewUp(*pose.view_up)
        camera.OrthogonalizeViewUp()
        self.renderer.ResetCameraClippingRange()

    def pose_toward(self, ids: Iterable[str]) -> CameraPose:
        """Look at structures from the side of the body they lie on (horizontally), framed.

        For showing one structure without the user choosing a view (e.g. a quiz question): a
        lateral hip muscle is seen from that side, a back muscle from behind.
        """
        wanted = list(ids)
        bounds = self.visible_bounds(wanted)
        pose = self.current_pose()
        dx, dy = pose.position[0] - pose.focal_point[0], pose.position[1] - pose.focal_point[1]
        if bounds is not None:
            cx, cy = (bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2
            if math.hypot(cx, cy) > 20.0:  # off the body's axis: face that side
                dx, dy = cx, cy
        n = math.hypot(dx, dy) or 1.0
        preset = CameraPreset("toward", "Toward", (dx / n, dy / n, 0.25), (0.0, 0.0, 1.0))
        return self.pose_for(preset, frame=wanted)

    def visible_points(
        self, only: Iterable[str] | None = None, skip: Iterable[str] = ()
    ) -> NDArray[np.float64] | None:
        """Vertices of what is shown (as :meth:`visible_bounds` chooses), light meshes, thinned.

        For framing: fitting the actual points rather than a bounding sphere lets a view fill the
        frame. At most :data:`FRAME_SAMPLE` points, so it costs about a millisecond. ``skip``
        leaves structures out (ghosts a view does not draw).
        """
        wanted = self._leaves_of(only)
        skipped = set(skip)
        chunks = []
        for sid in self._actors:
            if not self.state.is_visible(sid) or (wanted is not None and sid not in wanted):
                continue
            if sid in skipped:
                continue
            if self.loaded.atlas.get(sid).kind is Kind.SKIN and len(self.state.visible_ids) > 1:
                continue
            drawn = self.drawn_points(sid, light=True)  # where the posture put it
            if drawn is not None and len(drawn):
                chunks.append(drawn)
        if only is None and self.frame_extra is not None and len(self.frame_extra):
            chunks.append(self.frame_extra)
        if not chunks:
            return None
        points = np.concatenate(chunks)
        step = max(1, len(points) // FRAME_SAMPLE)
        return points[::step]

    def pose_for(
        self,
        preset: CameraPreset,
        frame: Iterable[str] | None = None,
        tight: bool = True,
        fill: float = FRAME_FILL,
    ) -> CameraPose:
        """The pose framing the visible structures (or ``frame``) along the preset's direction.

        ``frame`` (or the preset's own ``frame``) names what to fit; ``tight`` fits the points
        seen from this direction so they fill :data:`FRAME_FILL` of the view, otherwise a
        bounding sphere that fits from every direction (turntables orbit with it). A smaller
        ``fill`` leaves room for context around what is framed (search results).
        """
        camera = self.renderer.GetActiveCamera()
        wanted = list(frame) if frame is not None else list(preset.frame) or None
        if wanted is not None and self.visible_bounds(wanted) is None:
            wanted = None
        # A preset's zoom is relative to the whole scene; framing named structures already fits
        # them tightly, so it would crop them.
        zoom = 1.0 if frame is not None else max(preset.zoom, 1e-3)
        aspect = self._aspect()
        if tight:
            # From above, below or behind the starting ghosts are not drawn: nor are they framed.
            skip = self.front_ghosts() if leaves_out_front_ghosts(preset.direction) else ()
            points = self.visible_points(wanted, skip=() if wanted is not None else skip)
            if points is not None:
                focal, distance = fit_to_points(
                    points,
                    preset.direction,
                    preset.view_up,
                    camera.GetViewAngle(),
                    aspect,
                    fill=fill,
                    center=preset.focus,
                )
                distance /= zoom
                d = _unit(preset.direction)
                position = tuple(c + distance * di for c, di in zip(focal, d, strict=True))
                return CameraPose(position, focal, preset.view_up)  # type: ignore[arg-type]
        bounds = self.visible_bounds(wanted)
        if bounds is None:
            center, radius = (0.0, 0.0, 0.0), 300.0
        else:
            cx, cy, cz = ((bounds[2 * i] + bounds[2 * i + 1]) / 2 for i in range(3))
            center = (cx, cy, cz)
            radius = 0.5 * math.sqrt(
                sum((bounds[2 * i + 1] - bounds[2 * i]) ** 2 for i in range(3))
            )
        if preset.focus is not None:
            # Pinned focus: grow the radius by the offset so everything framed stays in view.
            radius += math.dist(center, preset.focus)
            center = preset.focus
        angle = math.radians(camera.GetViewAngle())
        fit = min(angle, 2 * math.atan(math.tan(angle / 2) * aspect))
        distance = radius / math.sin(fit / 2) / zoom * 0.92
        d = _unit(preset.direction)
        px, py, pz = (c + distance * di for c, di in zip(center, d, strict=True))
        return CameraPose((px, py, pz), center, preset.view_up)

    def _aspect(self) -> float:
        w, h = self.renderer.GetSize()
        return w / h if w and h else 1.6

    def pick(self, x: int, y: int) -> str | None:
        """Structure id under display pixel (x, y) (VTK coordinates, origin bottom left)."""
        picker = vtkCellPicker()
        picker.SetTolerance(0.0005)
        picker.PickFromListOn()
        for sid, actors in self._actors.items():
            if not self.state.is_visible(sid) or self.state.opacity(sid) < GHOST_PICK_OPACITY:
                continue
            picker.AddPickList(self._shown_actor(actors))
        if not picker.Pick(x, y, 0, self.renderer):
            return None
        return self._actor_ids.get(id(picker.GetActor()))

    @staticmethod
    def _shown_actor(actors: _StructureActors) -> vtkActor:
        """The actor of a structure that is on screen now (full or light detail)."""
        return actors.light if actors.light.GetVisibility() else actors.full

    def pick_point(self, x: int, y: int, structure_id: str) -> tuple[float, float, float] | None:
        """Surface point of one structure under display pixel (x, y), even if it is a ghost."""
        actors = self._actors.get(structure_id)
        if actors is None or not self.state.is_visible(structure_id):
            return None
        picker = vtkCellPicker()
        picker.SetTolerance(0.0005)
        picker.PickFromListOn()
        picker.AddPickList(self._shown_actor(actors))
        if not picker.Pick(x, y, 0, self.renderer):
            return None
        px, py, pz = picker.GetPickPosition()
        return (px, py, pz)

    def actor_of(self, structure_id: str) -> vtkActor:
        """The full-detail actor of a structure (for tests and overlays)."""
        return self._actors[structure_id].full

    def light_actor_of(self, structure_id: str) -> vtkActor | None:
        """The light (level-of-detail) actor, or ``None`` when the structure has none."""
        actors = self._actors[structure_id]
        return None if actors.light is actors.full else actors.light


def _unit(v: tuple[float, float, float]) -> tuple[float, float, float]:
    n = math.sqrt(sum(c * c for c in v)) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)
