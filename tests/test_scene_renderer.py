"""SceneRenderer keeps actors in step with the scene state (no window needed)."""

from __future__ import annotations

import math
from pathlib import Path

import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (OpenGL factories)
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.context import load_context
from viewer.render.scene_renderer import SceneRenderer
from viewer.render.theme import LIGHT


def test_ghosts_use_light_meshes_and_invisible_opacity_draws_nothing(tiny_atlas_dir: Path) -> None:
    context = load_context(tiny_atlas_dir)
    scene = SceneRenderer(vtkRenderer(), context.loaded, context.state, LIGHT)
    full = scene.actor_of("muscle_b_right")
    light = scene.light_actor_of("muscle_b_right")
    assert light is not None
    assert full.GetVisibility() and not light.GetVisibility()
    context.state.set_opacity("muscle_b_right", 0.2)  # a ghost: detail cannot be seen
    assert light.GetVisibility() and not full.GetVisibility()
    context.state.set_opacity("muscle_b_right", 0.0)  # nothing to draw at all
    assert not light.GetVisibility() and not full.GetVisibility()
    context.state.set_opacity("muscle_b_right", 1.0)
    assert full.GetVisibility() and not light.GetVisibility()
    scene.detach()


def test_pair_framing_fits_named_structures(tiny_atlas_dir: Path) -> None:
    from viewer.domain.camera import view_by_name

    context = load_context(tiny_atlas_dir)
    renderer = vtkRenderer()
    scene = SceneRenderer(renderer, context.loaded, context.state, LIGHT)
    preset = view_by_name("anterior")
    whole = scene.pose_for(preset)
    part = scene.pose_for(preset, frame=["muscle_b_right"])
    def dist(pose: object) -> float:
        return float(math.dist(pose.position, pose.focal_point))  # type: ignore[attr-defined]

    assert dist(part) < dist(whole), "framing one muscle brings the camera closer"
    assert part.focal_point[0] > whole.focal_point[0], "and centres on it (+x is the left side)"
    scene.detach()


def test_pose_toward_faces_the_side_a_structure_lies_on(tiny_atlas_dir: Path) -> None:
    context = load_context(tiny_atlas_dir)
    scene = SceneRenderer(vtkRenderer(), context.loaded, context.state, LIGHT)
    pose = scene.pose_toward(["muscle_b_right"])  # tiny atlas: muscle B sits at +x
    direction = [p - f for p, f in zip(pose.position, pose.focal_point, strict=True)]
    assert direction[0] > 0 and abs(direction[0]) > abs(direction[1])
    assert pose.view_up[2] > 0.9
    scene.detach()


def test_opaque_structures_cull_back_faces_ghosts_and_sections_do_not(
    tiny_atlas_dir: Path,
) -> None:
    from viewer.domain.sections import Section
    from viewer.render.section import SectionView

    context = load_context(tiny_atlas_dir)
    scene = SceneRenderer(vtkRenderer(), context.loaded, context.state, LIGHT)
    prop = scene.actor_of("muscle_b_right").GetProperty()
    assert prop.GetBackfaceCulling(), "a closed opaque mesh never shows its back faces"
    context.state.set_opacity("muscle_b_right", 0.4)
    assert not prop.GetBackfaceCulling(), "a ghost's far side shows through it"
    context.state.set_opacity("muscle_b_right", 1.0)
    assert prop.GetBackfaceCulling()
    section = SectionView(scene)
    section.set_section(Section("sagittal", (0.0, 0.0, 0.0), (-1.0, 0.0, 0.0)))
    assert not prop.GetBackfaceCulling(), "a cut opens the mesh: its inside must draw"
    section.clear()
    assert prop.GetBackfaceCulling()
    scene.detach()
