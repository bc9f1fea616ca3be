"""Cross-sections: clip the anatomy with a plane and cap every cut so structures look solid.

Clipping is done by the mappers (cheap on every frame); caps are the outline of each closed mesh
on the plane, triangulated, in a slightly darker shade of the structure's colour. Caps are rebuilt
when the plane moves, not while the camera does.
"""

from __future__ import annotations

from vtkmodules.vtkCommonDataModel import vtkPlane, vtkPolyData
from vtkmodules.vtkFiltersCore import vtkCleanPolyData, vtkCutter
from vtkmodules.vtkFiltersGeneral import vtkContourTriangulator
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

from viewer.domain.sections import Section
from viewer.domain.structures import hex_to_rgb
from viewer.render.scene_renderer import SceneRenderer
from viewer.state.sections import SectionState

CAP_SHADE = 0.8
"""Caps are drawn this much darker than the structure, so the cut surface reads as a section."""


class SectionView:
    """One clipping plane applied to every structure of a scene, with caps."""

    def __init__(self, scene: SceneRenderer, state: SectionState | None = None) -> None:
        self.scene = scene
        self.state = state
        self.plane: vtkPlane | None = None
        self.caps: dict[str, vtkActor] = {}
        if state is not None:
            state.changed.connect(self._on_section)
        scene.state.visibility_changed.connect(self._on_scene_changed)
        scene.state.color_changed.connect(self._on_scene_changed)

    @property
    def active(self) -> bool:
        """True while a section plane is applied."""
        return self.plane is not None

    def _on_section(self, section: Section | None) -> None:
        if section is None:
            self.clear()
        else:
            self.set_section(section)

    def set_section(self, section: Section) -> None:
        """Clip with ``section`` (its normal points into the half that stays) and cap the cuts."""
        if self.plane is None:
            self.plane = vtkPlane()
            for actor in self._all_actors():
                actor.GetMapper().AddClippingPlane(self.plane)
            self.scene.set_back_face_culling(False)  # the cut opens the meshes
        self.plane.SetOrigin(*section.origin)
        self.plane.SetNormal(*section.normal)  # VTK keeps the side the normal points to
        self.rebuild_caps()

    def clear(self) -> None:
        """Remove the plane and the caps."""
        if self.plane is None:
            return
        for actor in self._all_actors():
            actor.GetMapper().RemoveClippingPlane(self.plane)
        self.plane = None
        self.scene.set_back_face_culling(True)
        self._drop_caps()
        self.scene.on_render_needed()

    def rebuild_caps(self) -> None:
        """Recompute the cap of every visible structure that the plane crosses."""
        self._drop_caps()
        if self.plane is None:
            return
        state = self.scene.state
        for sid in state.visible_ids:
            if state.opacity(sid) < 0.5:
                continue  # ghosts stay see-through; a solid cap would hide what is behind
            cap = cap_polydata(self.scene.actor_of(sid).GetMapper().GetInput(), self.plane)
            if cap.GetNumberOfPolys() == 0:
                continue
            mapper = vtkPolyDataMapper()
            mapper.SetInputData(cap)
            actor = vtkActor()
            actor.SetMapper(mapper)
            r, g, b = hex_to_rgb(state.color(sid))
            actor.GetProperty().SetColor(r * CAP_SHADE, g * CAP_SHADE, b * CAP_SHADE)
            actor.GetProperty().SetAmbient(0.45)
            actor.GetProperty().SetDiffuse(0.55)
            actor.PickableOff()
            self.scene.renderer.AddActor(actor)
            self.caps[sid] = actor
        self.scene.on_render_needed()

    def _on_scene_changed(self, _ids: object) -> None:
        if self.plane is not None:
            self.rebuild_caps()

    def _all_actors(self) -> list[vtkActor]:
        actors: list[vtkActor] = []
        for s in self.scene.loaded.atlas.renderable:
            actors.append(self.scene.actor_of(s.id))
            light = self.scene.light_actor_of(s.id)
            if light is not None:
                actors.append(light)
        return actors

    def _drop_caps(self) -> None:
        for actor in self.caps.values():
            self.scene.renderer.RemoveActor(actor)
        self.caps.clear()

    def detach(self) -> None:
        """Undo everything (the view is closing)."""
        if self.state is not None:
            self.state.changed.disconnect(self._on_section)
        self.clear()
        self.scene.state.visibility_changed.disconnect(self._on_scene_changed)
        self.scene.state.color_changed.disconnect(self._on_scene_changed)


def cap_polydata(surface: vtkPolyData, plane: vtkPlane) -> vtkPolyData:
    """The filled cross-section of a closed surface by a plane (empty if it does not cross)."""
    cutter = vtkCutter()
    cutter.SetInputData(surface)
    cutter.SetCutFunction(plane)
    # Merge coincident points so segments from faces that do not share vertices join into loops.
    clean = vtkCleanPolyData()
    clean.SetInputConnection(cutter.GetOutputPort())
    triangulator = vtkContourTriangulator()
    triangulator.SetInputConnection(clean.GetOutputPort())
    triangulator.Update()
    out = vtkPolyData()
    out.DeepCopy(triangulator.GetOutput())
    return out
