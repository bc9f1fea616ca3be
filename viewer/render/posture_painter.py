"""Moves the actors' vertices when the scene's posture changes (bones rigid, muscles skinned).

Observes :class:`~viewer.state.scene.SceneState` ``pose_changed`` and writes new point (and
normal) arrays into the full and light meshes that :class:`SceneRenderer` already draws. While a
posture slider is dragged only the light meshes are updated (the scene shows light meshes while
interacting); the full meshes catch up on release (:meth:`PosturePainter.set_dragging`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkDataArray
from vtkmodules.vtkCommonDataModel import vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor

from viewer.domain.pose import Matrix, Pose
from viewer.domain.posture import PostureModel
from viewer.domain.skin_envelope import SkinEnvelope
from viewer.domain.skinning import Binding, skin_normals, skin_with_normals
from viewer.domain.structures import Kind
from viewer.io.atlas_loader import LoadedAtlas
from viewer.io.meshes import MeshArrays
from viewer.render.scene_renderer import SceneRenderer
from viewer.state.scene import SceneState


def _poly(actor: vtkActor) -> vtkPolyData:
    data = actor.GetMapper().GetInput()
    assert isinstance(data, vtkPolyData)
    return data


Owned = dict[tuple[int, str], vtkDataArray]
"""The float arrays a painter made, by (actor, "points" / "normals"): only these are overwritten
in place. An actor's first arrays may share their memory with the loaded standing mesh
(``to_polydata`` wraps the NumPy buffers), which must never change."""


def _write(
    actor: vtkActor,
    points: NDArray[np.float64],
    normals: NDArray[np.floating] | None,
    owned: Owned,
) -> None:
    poly = _poly(actor)
    vtk_points = poly.GetPoints()
    _fill(owned, (id(actor), "points"), vtk_points.GetData(), points, vtk_points.SetData)
    if normals is not None:
        data = poly.GetPointData()

        def install(array: vtkDataArray) -> None:
            array.SetName("Normals")
            data.SetNormals(array)

        _fill(owned, (id(actor), "normals"), data.GetNormals(), normals, install)
    poly.Modified()


def _fill(
    owned: Owned,
    key: tuple[int, str],
    current: vtkDataArray | None,
    values: NDArray[np.floating],
    install: Callable[[vtkDataArray], object],
) -> None:
    """Write ``values`` (n, 3) into ``current`` when the painter made it and it has the same
    shape (a posture drag writes every light mesh each frame: allocating and wrapping new
    arrays cost a third as much as the skinning), else install a new array of its own."""
    if (
        current is not None
        and owned.get(key) is current
        and current.GetNumberOfTuples() == len(values)
        and current.GetNumberOfComponents() == 3
    ):
        np.copyto(vtk_to_numpy(current), values, casting="same_kind")
        current.Modified()
        return
    array = numpy_to_vtk(np.ascontiguousarray(values, dtype=np.float32), deep=True)
    owned[key] = array
    install(array)


class PosturePainter:
    """Keeps one scene's bone and muscle actors in the state's posture."""

    def __init__(
        self,
        scene: SceneRenderer,
        loaded: LoadedAtlas,
        state: SceneState,
        model: PostureModel | Callable[[], PostureModel],
    ) -> None:
        self.scene = scene
        self.loaded = loaded
        self.state = state
        self._model_or_factory = model
        self._model: PostureModel | None = model if isinstance(model, PostureModel) else None
        self._light_bindings: dict[tuple[str, bool], Binding] = {}
        self._drawn: dict[tuple[str, bool], tuple[bytes, ...]] = {}
        """Per actor (id, light): the bone transforms it was last posed with (skip if same)."""
        self._owned: Owned = {}
        self._envelope: SkinEnvelope | None = None
        """The skin of the body shown as muscles are kept under it (built on first use)."""
        self._dragging = False
        self._full_stale = False
        self.on_dragging: Callable[[bool], None] = scene.set_interacting
        """Switches the view to its moving-frame mode (light meshes, no anti-aliasing)."""
        self.on_posed: Callable[[], None] = lambda: None
        """Called once the full meshes are in the posture (the skin's zone outlines follow)."""
        self._skin_was_shown = self._skin_shown()
        state.pose_changed.connect(self._on_pose)
        state.visibility_changed.connect(self._on_skin_shown)
        state.opacity_changed.connect(self._on_skin_shown)
        if not state.pose.is_standing:
            self._on_pose(state.pose)

    @property
    def model(self) -> PostureModel:
        """The posture model (built on first use), turning the skin about the joints of the body
        shown now (a body switch swaps the skin in place, after the model was built)."""
        if self._model is None:
            factory = self._model_or_factory
            assert callable(factory)
            self._model = factory()
        self._model.use_body(getattr(self.loaded, "body", "neutral"))
        return self._model

    def detach(self) -> None:
        """Stop observing the state."""
        self.state.pose_changed.disconnect(self._on_pose)
        self.state.visibility_changed.disconnect(self._on_skin_shown)
        self.state.opacity_changed.disconnect(self._on_skin_shown)

    def _skin_shown(self) -> bool:
        """Whether the body's skin is drawn at all (visible and not fully transparent)."""
        return self.loaded.skin_id in self.state.drawn_skins()

    def _on_skin_shown(self, changed: tuple[str, ...]) -> None:
        """The skin was shown or hidden: muscles kept under it (or left as posed) follow."""
        if self.loaded.skin_id not in changed:
            return
        shown = self._skin_shown()
        if shown == self._skin_was_shown:
            return
        self._skin_was_shown = shown
        if not self.state.pose.is_standing:
            self._on_pose(self.state.pose)

    @property
    def dragging(self) -> bool:
        """True while a posture slider is held."""
        return self._dragging

    def refresh(self) -> None:
        """Re-pose every actor (after full-detail meshes replaced the light stand-ins)."""
        self._drawn.clear()
        self._light_bindings = {k: v for k, v in self._light_bindings.items() if k[1]}
        if not self.state.pose.is_standing:
            self._on_pose(self.state.pose)

    def body_changed(self) -> None:
        """Another body's standing skin was put in the actors: pose it (same weights, since
        every body shares the skin's vertex order)."""
        self._envelope = None
        # Every muscle is re-posed too: the new body's skin may press on other vertices.
        self._drawn.clear()
        if not self.state.pose.is_standing:
            self._on_pose(self.state.pose)

    def set_dragging(self, dragging: bool) -> None:
        """While dragging only light meshes move; on release the full meshes catch up."""
        self._dragging = dragging
        self.on_dragging(dragging)
        if not dragging and self._full_stale:
            self._on_pose(self.state.pose)

    def _on_pose(self, pose: Pose) -> None:
        model = self.model
        transforms = model.transforms(pose)
        bones = set(model.bone_ids)
        muscles = set(model.muscle_ids) | set(model.disc_ids)
        for s in self.loaded.atlas.renderable:
            if s.id not in bones and s.id not in muscles and s.kind is not Kind.SKIN:
                continue
            full = self.scene.actor_of(s.id)
            light = self.scene.light_actor_of(s.id)
            if light is not None:
                self._pose_actor(s.id, s.kind, light, self.loaded.light[s.id], transforms, True)
            if not self._dragging or light is None:
                self._pose_actor(s.id, s.kind, full, self.loaded.meshes[s.id], transforms, False)
        self._full_stale = self._dragging
        self.scene.geometry_changed()
        if not self._dragging:
            self.on_posed()
        self.scene.on_render_needed()

    def _pose_actor(
        self,
        sid: str,
        kind: Kind,
        actor: vtkActor,
        mesh: MeshArrays,
        transforms: dict[str, Matrix],
        light: bool,
    ) -> None:
        model = self.model
        if kind is Kind.SKIN:
            self._pose_skin(sid, actor, mesh, transforms, light)
            return
        if kind is Kind.DISC:
            self._pose_disc(sid, actor, mesh, transforms, light)
            return
        bones = (sid,) if kind is Kind.BONE else model.binding(sid).bones
        eye = np.eye(4)
        key = tuple(np.asarray(transforms.get(b, eye)).tobytes() for b in bones)
        if kind is not Kind.BONE and not light:
            # A full muscle is kept under the skin, which other bones move as well.
            key += self._skin_key(transforms)
        if self._drawn.get((sid, light)) == key:
            return
        self._drawn[(sid, light)] = key
        if kind is Kind.BONE:
            m = transforms.get(sid, np.eye(4))
            points = mesh.points @ m[:3, :3].T + m[:3, 3]
            normals = None if mesh.normals is None else mesh.normals @ m[:3, :3].T
        else:
            binding = model.binding(sid)
            if light or len(binding.fibre) != len(mesh.points):
                binding = self._light_bindings.get((sid, light)) or model.bind_other(
                    sid, mesh.points
                )
                self._light_bindings[(sid, light)] = binding
            if light:
                # Frames while dragging: skinning and the slices' volume (no push-out and no
                # measured fold correction: both are done on release, at full detail).
                points, normals = skin_with_normals(mesh.points, mesh.normals, binding, transforms)
                points = model.volume_keeper(sid, mesh.points, binding).apply(points)
            else:
                points = model.pose_muscle(sid, transforms, mesh.points, binding, mesh.triangles)
                points = self._under_skin(sid, mesh, points, transforms)
                normals = None
                if mesh.normals is not None:
                    normals = skin_normals(mesh.normals, binding, transforms)
        _write(actor, points, normals, self._owned)

    def _envelope_now(self) -> SkinEnvelope | None:
        """The skin of the body shown as muscles are kept under it (``None`` without skin
        weights)."""
        if self._envelope is None:
            skin_id = self.loaded.skin_id
            if skin_id is None:
                return None
            mesh = self.loaded.meshes[skin_id]
            binding = self.model.skin_binding(skin_id, mesh.points)
            if binding is None:
                return None
            bones = {b: self.loaded.meshes[b].points for b in self.model.bone_ids}
            self._envelope = SkinEnvelope(mesh.points, mesh.triangles, binding, bones)
        return self._envelope

    def _skin_key(self, transforms: dict[str, Matrix]) -> tuple[bytes, ...]:
        """What the posed skin depends on (empty without skin weights)."""
        envelope = self._envelope_now() if self._skin_shown() else None
        return () if envelope is None else envelope.key(transforms)

    def _under_skin(
        self,
        sid: str,
        standing: MeshArrays,
        posed: NDArray[np.float64],
        transforms: dict[str, Matrix],
    ) -> NDArray[np.float64]:
        """A posed full muscle pressed under the posed skin of the body shown
        (:mod:`viewer.domain.skin_envelope`; standing is left as the atlas built it).

        With the skin hidden the muscle is left as posed: pressing it under a skin nobody sees
        only dents it where the skin creases (the sitting tensor fasciae latae showed a dark
        notch below the ASIS)."""
        envelope = self._envelope_now() if self._skin_shown() else None
        if envelope is None or self.state.pose.is_standing:
            return posed
        return envelope.keep(sid, standing.points, posed, transforms, standing.triangles)

    def _pose_disc(
        self,
        sid: str,
        actor: vtkActor,
        mesh: MeshArrays,
        transforms: dict[str, Matrix],
        light: bool,
    ) -> None:
        """A disc, blended between the two vertebrae it joins (viewer/domain/disc_binding.py)."""
        binding = self.model.disc_binding(sid, mesh.points)
        self._skin_if_moved(sid, actor, mesh, binding, transforms, light)

    def _pose_skin(
        self,
        sid: str,
        actor: vtkActor,
        mesh: MeshArrays,
        transforms: dict[str, Matrix],
        light: bool,
    ) -> None:
        """The skin, by the MakeHuman weights the build wrote (left standing without them)."""
        binding = self._light_bindings.get((sid, light))
        if binding is None:
            binding = self.model.skin_binding(sid, mesh.points, self.loaded.meshes[sid].points)
            if binding is None:
                return
            self._light_bindings[(sid, light)] = binding
        if light or self.state.pose.is_standing or sid != self.loaded.skin_id:
            self._skin_if_moved(sid, actor, mesh, binding, transforms, light)
            return
        envelope = self._envelope_now()
        if envelope is None:
            self._skin_if_moved(sid, actor, mesh, binding, transforms, light)
            return
        # Held poses: the skin lifted over the bones (viewer/domain/skin_over_bone.py), the
        # same skin the muscles are kept under.
        key = envelope.key(transforms)
        if self._drawn.get((sid, light)) == key:
            return
        self._drawn[(sid, light)] = key
        normals = None if mesh.normals is None else skin_normals(mesh.normals, binding, transforms)
        _write(actor, envelope.posed(transforms).points, normals, self._owned)

    def _skin_if_moved(
        self,
        sid: str,
        actor: vtkActor,
        mesh: MeshArrays,
        binding: Binding,
        transforms: dict[str, Matrix],
        light: bool,
    ) -> None:
        """Skin ``mesh`` by ``binding`` unless none of its bones moved since it was last drawn
        at this detail (a slider drag that moves only the hip leaves discs and most of the skin
        alone)."""
        eye = np.eye(4)
        key = tuple(np.asarray(transforms.get(b, eye)).tobytes() for b in binding.bones)
        if self._drawn.get((sid, light)) == key:
            return
        self._drawn[(sid, light)] = key
        points, normals = skin_with_normals(mesh.points, mesh.normals, binding, transforms)
        _write(actor, points, normals, self._owned)
