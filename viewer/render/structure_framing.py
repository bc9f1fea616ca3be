"""A camera that frames named structures along a preset view (a lesson step's ``camera.frame``).

A lesson camera names a view so it follows atlas rebuilds, but a named view frames everything
shown: in the anterior-tilt step the femurs set the scale and the pelvis was a tenth of the
picture. With ``"camera": {"view": "right", "frame": [...]}`` the camera looks along the view
and fits just the named structures (as drawn, i.e. posed) with
:func:`viewer.domain.framing.fit_pose`; what else is shown stays visible, cropped by the frame.

When the named structures mix muscles with bones, the muscles are the step's subject and the
bones its context: only the parts of the bones near the muscles are fitted
(:func:`viewer.domain.framing.closeup_points`), as a close-up does. Lesson 11 named both femurs
beside the two iliopsoas muscles, and the femurs' shafts down to the knees set the scale: the
muscles took a third of the slide's height. The femur's lesser trochanter, where the iliopsoas
ends, stays whole in the frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from viewer.domain.camera import CameraPose, view_by_name
from viewer.domain.framing import closeup_points, fit_pose
from viewer.domain.structures import Kind
from viewer.render.scene_renderer import FRAME_FILL, FRAME_SAMPLE, SceneRenderer


def framed_view_pose(
    scene: SceneRenderer,
    view: str,
    ids: Iterable[str],
    fill: float = FRAME_FILL,
    extra: NDArray[np.float64] | None = None,
    top_free: float = 0.0,
    left_free: float = 0.0,
) -> CameraPose:
    """Look along preset ``view`` at the structures ``ids`` (groups expand to their parts).

    The shown ones are fitted; if none of them is shown, all of them (so a step can frame the
    bones behind a ghosted muscle); with nothing to fit, the plain view. ``extra`` points are
    fitted too (the chair seat under a seated body). ``top_free`` is the share of the frame
    height left free at the top (a pair view's key: joint names there printed over it),
    ``left_free`` the share of the width left free on the left (the key as a column).
    """
    preset = view_by_name(view)
    atlas = scene.loaded.atlas
    leaves = [leaf for sid in ids if sid in atlas for leaf in atlas.leaves(sid)]
    shown = [leaf for leaf in leaves if scene.state.is_visible(leaf)]
    subject: list[NDArray[np.float64]] = []
    context: list[NDArray[np.float64]] = []
    for leaf in shown or leaves:
        drawn = scene.drawn_points(leaf, light=True)
        if drawn is not None and len(drawn):
            muscle = atlas.get(leaf).kind is Kind.MUSCLE
            (subject if muscle else context).append(np.asarray(drawn, dtype=np.float64))
    if not subject and not context:
        return scene.pose_for(preset)
    points = subject_points(subject, context)
    extra = stacked(extra, trunk_points(scene, view))
    if extra is not None and len(extra):
        points = np.concatenate([points, np.asarray(extra, dtype=np.float64).reshape(-1, 3)])
    return _fit(scene, points, preset, fill, top_free, left_free)


def stacked(*parts: NDArray[np.float64] | None) -> NDArray[np.float64] | None:
    """The given point sets, (k, 3) each, as one (``None`` ones skipped; ``None`` if none):
    the ``extra`` points a framed step keeps in the picture come from several overlays."""
    chunks = [np.asarray(p, dtype=np.float64).reshape(-1, 3) for p in parts if p is not None]
    return np.vstack(chunks) if chunks else None


def step_extra(
    guides: Any, overlays: Any, active: Any, view: str | None = None
) -> NDArray[np.float64] | None:
    """What a framed lesson step keeps in the picture besides its own structures, in the
    window's presenter and in export alike: the posture references' points (a seat, the
    thigh lines, these only where preset ``view`` shows them) and the shown pair view's
    arrows and joint dots (a close-up on part of its muscles must not cut them). Any of the
    three may be ``None``."""
    resolved = getattr(active, "resolved", None)
    direction = view_by_name(view).direction if view else None
    return stacked(
        guides.framed_extra(direction) if guides is not None else None,
        overlays.framed_extra(resolved) if overlays is not None and resolved is not None else None,
    )


def subject_points(
    muscles: list[NDArray[np.float64]], others: list[NDArray[np.float64]]
) -> NDArray[np.float64]:
    """The points a framed step fits: its muscles and the parts of the other named structures
    (bones) within :data:`~viewer.domain.framing.CLOSEUP_REACH_MM` of them; without muscles,
    everything named (a step framing the pelvis and spine fits the bones whole)."""
    if not muscles:
        points = np.concatenate(others)
        return points[:: max(1, len(points) // FRAME_SAMPLE)]
    subject = np.concatenate(muscles)
    subject = subject[:: max(1, len(subject) // FRAME_SAMPLE)]
    if not others:
        return subject
    context = np.concatenate(others)
    context = context[:: max(1, len(context) // FRAME_SAMPLE)]
    # The near-test compares every bone point with the muscle's; a thinner muscle sample is
    # enough to find which bone points lie near it (the fit itself uses the full sample).
    near = closeup_points(subject[:: max(1, len(subject) // NEAR_SAMPLE)], context)
    return np.concatenate([subject, near])


NEAR_SAMPLE = 3000
"""Muscle points the near-bone test compares against (a 12 mm reach is far wider than the
spacing of 3000 points over a muscle)."""


POSTURE_SIDE_VIEWS = ("right", "left")
"""Views a posture picture frames on the pelvis and lumbar spine."""

POSTURE_FILL = 0.88
"""Share of the frame the pelvis and lumbar spine fill in a posture side view."""


def posture_camera(scene: SceneRenderer, view: str) -> CameraPose:
    """A side view framed on the pelvis and lumbar spine, T12 to the proximal femurs
    (:func:`viewer.domain.posture_guides.frame_points`), as drawn in the current pose: the
    tilt and the lumbar curve fill the picture instead of a strip of it. Falls back to the
    plain view when none of those bones is shown."""
    from viewer.domain.posture_guides import FRAME_BONES, frame_points
    from viewer.io.posture import shared_posture_model

    preset = view_by_name(view)
    state = scene.state
    bones: dict[str, Any] = {}
    for bone in (*FRAME_BONES, "femur_right", "femur_left"):
        if bone in state.atlas and state.is_visible(bone):
            drawn = scene.drawn_points(bone, light=True)
            if drawn is not None and len(drawn):
                bones[bone] = drawn
    try:
        hips = shared_posture_model(scene.loaded).skeleton.hip_centres
        points = frame_points(bones, hips)
    except Exception:  # no posture model or nothing to frame: the plain view
        return scene.pose_for(preset)
    if hips:
        points = np.concatenate([points, drawn_above_hips(scene, hips)])
    trunk = trunk_points(scene, view)
    if trunk is not None:
        points = np.concatenate([points, trunk])
    return _fit(scene, points, preset, POSTURE_FILL)


def drawn_above_hips(scene: SceneRenderer, hips: Any) -> NDArray[np.float64]:
    """The drawn points above the hip centres of every shown structure but the skin and the
    femurs (ghosts too), for a posture side view to keep whole: the erector spinae and the
    abdominal wall reach above T12, and slumped sitting without skin had their tops cut by the
    picture's top edge (gallery views-24), which read as an upper back left out of the frame.
    Below the hips the frame stays as it was (the gluteus maximus' insertion and the femurs'
    shafts are context there, :func:`viewer.domain.posture_guides.frame_points`)."""
    state = scene.state
    level = float(np.mean([np.asarray(c, dtype=np.float64)[2] for c in hips.values()]))
    chunks = [np.zeros((0, 3))]
    for s in state.atlas.renderable:
        if s.kind is Kind.SKIN or s.id.startswith("femur_"):
            continue
        if not state.is_visible(s.id) or state.opacity(s.id) <= 0.0:
            continue
        drawn = scene.drawn_points(s.id, light=True)
        if drawn is not None and len(drawn):
            pts = np.asarray(drawn, dtype=np.float64)[:: max(1, len(drawn) // 400)]
            chunks.append(pts[pts[:, 2] >= level])
    return np.concatenate(chunks)


def trunk_points(scene: SceneRenderer, view: str) -> NDArray[np.float64] | None:
    """In a side view of a seated pose with the upper back rounded
    (:func:`viewer.domain.posture_guides.frames_trunk`), the shown skin's upper trunk as drawn,
    up to the shoulders (:func:`~viewer.domain.posture_guides.trunk_frame_points`), for the
    camera to keep in the picture beside the pelvis and lumbar spine; else ``None`` (also
    without a shown skin: the atlas has no bones or muscles above T12 that round, the skin
    alone shows the upper back)."""
    from viewer.domain.posture_guides import frames_trunk, trunk_frame_points
    from viewer.io.posture import shared_posture_model

    state = scene.state
    if view not in POSTURE_SIDE_VIEWS or not frames_trunk(state.pose):
        return None
    skin = next(iter(state.drawn_skins()), None)
    if skin is None:
        return None
    posed = scene.drawn_points(skin, light=True)
    standing_mesh = scene.loaded.light.get(skin) or scene.loaded.meshes.get(skin)
    if posed is None or standing_mesh is None or len(standing_mesh.points) != len(posed):
        return None
    try:
        model = shared_posture_model(scene.loaded)
        full = scene.loaded.meshes.get(skin)
        binding = model.skin_binding(
            skin, standing_mesh.points, full.points if full is not None else None
        )
        shoulders = [
            model.skeleton.limb_joints[j] for j in ("shoulder_right", "shoulder_left")
            if j in model.skeleton.limb_joints
        ]
    except Exception:  # no posture model: nothing more to frame
        return None
    if binding is None or not shoulders:
        return None
    top = float(np.mean([s[2] for s in shoulders]))
    points = trunk_frame_points(posed, standing_mesh.points, binding.bones, binding.weights, top)
    if not len(points):
        return None
    return points[:: max(1, len(points) // FRAME_SAMPLE)]


def _fit(
    scene: SceneRenderer,
    points: Any,
    preset: Any,
    fill: float,
    top_free: float = 0.0,
    left_free: float = 0.0,
) -> CameraPose:
    """The preset's direction, zoomed and centred so ``points`` fill ``fill`` of the frame
    below ``top_free`` of it and right of ``left_free`` of it."""
    w, h = scene.renderer.GetSize()
    return fit_pose(
        points,
        preset.direction,
        preset.view_up,
        scene.renderer.GetActiveCamera().GetViewAngle(),
        w / h if w and h else 1.6,
        fill=fill,
        top_free=top_free,
        left_free=left_free,
    )
