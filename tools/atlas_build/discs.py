"""Intervertebral discs T12-L1 ... L5-S1, derived from the vertebrae around them (build step).

No open source the project uses ships disc surfaces, but the column already fixes everything a
disc's outer shape depends on: the two endplates it joins (their outlines and their placement,
set by the published disc heights and lordotic wedges in spine.py). Each disc is therefore the
solid that fills the space between the two facing endplates:

* sideways it is bounded by a surface lofted from the outline of the upper vertebra's body to
  that of the lower one (each the body's section below its pedicles, carried to the endplate),
  bulging :data:`BULGE_MM` outward at mid-height as a loaded disc does;
* above and below it stops :data:`CLEARANCE_MM` short of the bone, so it follows each endplate
  (concavity included) without entering it.

The solid is an implicit field on a lattice in the disc's own frame, contoured (VTK flying
edges) and lightly smoothed; everything is deterministic. The L5-S1 disc takes L5's outline at
both ends: L5's 49 mm body was sized to the GIAS3 S1 endplate it stands on, and the sacrum's
section near S1 runs into the alae.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import trimesh

from tools.atlas_build.spine import VertebraFrame, s1_endplate, vertebra_frame

LOG = logging.getLogger("build_atlas.discs")

#: outward bulge of the disc wall at mid-height beyond the lofted rims (mm)
BULGE_MM = 1.0
#: space kept between the disc and each endplate (mm): the disc touches, never enters
CLEARANCE_MM = 0.3
#: how far the disc may reach past each endplate's centre plane into its concavity (mm)
REACH_MM = 2.0
#: lattice spacing (mm)
STEP_MM = 0.5
DISC_COLOR = "#a7c4d8"
LATIN = "Discus intervertebralis"
#: FMA's class "Intervertebral disk" (FMA 10446, via the UBERON:0001066 mapping); the IDs of
#: the individual lumbar discs could not be verified from the project's sources, so each disc
#: carries no FMA ID of its own (the manifest's ``fma`` is null).
FMA_CLASS = 10446


@dataclass(frozen=True)
class DiscRecord:
    """Identity of one disc: id, display name and the bones above and below it."""

    id: str
    name: str
    upper: str
    lower: str


DISCS: tuple[DiscRecord, ...] = tuple(
    DiscRecord(f"disc_{a}_{b}", f"Intervertebral disc {a.upper()}-{b.upper()}", up, lo)
    for a, b, up, lo in (
        ("t12", "l1", "vertebra_t12", "vertebra_l1"),
        ("l1", "l2", "vertebra_l1", "vertebra_l2"),
        ("l2", "l3", "vertebra_l2", "vertebra_l3"),
        ("l3", "l4", "vertebra_l3", "vertebra_l4"),
        ("l4", "l5", "vertebra_l4", "vertebra_l5"),
        ("l5", "s1", "vertebra_l5", "sacrum"),
    )
)

PROVENANCE = (
    "Intervertebral discs T12-L1 to L5-S1: derived from the adjacent vertebrae (build step, "
    "tools/atlas_build/discs.py): each fills the space between the two facing endplates, its "
    "wall lofted from the two body outlines with a 1 mm bulge; disc heights are those of the "
    "column (Busscher et al. 2010; Twomey & Taylor 1985; docs/MORPHOMETRY.md). FMA class "
    "'Intervertebral disk' is FMA 10446; the IDs of the individual discs were not verified and "
    "are left empty."
)


def _rim(mesh: trimesh.Trimesh, at: np.ndarray) -> np.ndarray:
    """(n, 3) outline of a vertebral body, carried to the endplate centre ``at``.

    The outline is the body's own cross-section below the pedicles (the section
    vertebra_size.py measures body width and depth on): nearer the endplates the section runs
    into the pedicles and, at T12, the rib facets, and a disc lofted from it grew wings.
    """
    from tools.atlas_build.vertebra_size import _axes, _body_section

    fr = vertebra_frame(mesh)
    lat, post = _axes(fr.up)
    outline = _body_section(mesh, fr.centre, fr.up, fr.height)
    return np.asarray(at + outline[:, :1] * lat + outline[:, 1:2] * post, dtype=np.float64)


def _radius(loop2d: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Distance from the origin to a closed 2D loop along each direction (farthest crossing)."""
    a = loop2d
    b = np.roll(loop2d, -1, axis=0)
    e = b - a
    out = np.zeros(len(angles))
    for i, th in enumerate(angles):
        d = np.array([np.cos(th), np.sin(th)])
        den = d[0] * e[:, 1] - d[1] * e[:, 0]
        ok = np.abs(den) > 1e-12
        s = np.where(ok, (a[:, 0] * e[:, 1] - a[:, 1] * e[:, 0]) / np.where(ok, den, 1.0), -1.0)
        u = np.where(ok, (a[:, 0] * d[1] - a[:, 1] * d[0]) / np.where(ok, den, 1.0), -1.0)
        hit = ok & (s > 0) & (u >= 0) & (u <= 1)
        out[i] = float(s[hit].max()) if hit.any() else 0.0
    return out


def _implicit(mesh: trimesh.Trimesh, points: np.ndarray) -> np.ndarray:
    """Signed distance of points to a closed mesh (positive outside), VTK."""
    import pyvista as pv

    surf = pv.PolyData(
        np.asarray(mesh.vertices, dtype=np.float64),
        np.c_[np.full(len(mesh.faces), 3), np.asarray(mesh.faces)].ravel(),
    )
    cloud = pv.PolyData(np.asarray(points, dtype=np.float64))
    return np.asarray(cloud.compute_implicit_distance(surf)["implicit_distance"])


def build_disc(
    upper: trimesh.Trimesh,
    lower: trimesh.Trimesh,
    fr_up: VertebraFrame,
    lo_centre: np.ndarray,
    lo_up: np.ndarray,
    lower_rim_mesh: trimesh.Trimesh | None = None,
) -> trimesh.Trimesh:
    """The disc between ``upper`` (its inferior endplate) and ``lower`` (endplate at
    ``lo_centre`` with cranial normal ``lo_up``), as a closed outward mesh in the atlas frame.

    ``lower_rim_mesh``: the body whose outline bounds the disc from below (default ``lower``);
    for L5-S1 it is L5 itself, its outline carried down to S1.
    """
    import pyvista as pv

    hi_centre = fr_up.inferior
    hi_up = fr_up.up
    axis = lo_up + hi_up
    axis = axis / np.linalg.norm(axis)
    e1 = np.array([1.0, 0.0, 0.0]) - axis[0] * axis
    e1 = e1 / np.linalg.norm(e1)
    e2 = np.cross(axis, e1)
    basis = np.vstack([e1, e2, axis])
    height = float((hi_centre - lo_centre) @ axis)
    # rim outlines (2D in the disc frame, about the disc axis through lo_centre)
    rim_hi = _rim(upper, hi_centre)
    # L5-S1: L5's outline carried down to S1 (see the module docstring)
    carried = rim_hi - (hi_centre - lo_centre)
    rim_lo = _rim(lower, lo_centre) if lower_rim_mesh is None else carried
    axis_xy_hi = ((hi_centre - lo_centre) @ basis.T)[:2]
    angles = np.linspace(0.0, 2.0 * np.pi, 361)[:-1]
    r_hi = _radius(((rim_hi - lo_centre) @ basis.T)[:, :2] - axis_xy_hi, angles)
    r_lo = _radius(((rim_lo - lo_centre) @ basis.T)[:, :2], angles)
    # lattice in the disc frame
    rmax = float(max(r_hi.max(), r_lo.max())) + BULGE_MM + 2.0 * STEP_MM
    sh = np.abs(axis_xy_hi).max()
    lo = np.array([-rmax - sh, -rmax - sh, -REACH_MM - 2.0])
    hi = np.array([rmax + sh, rmax + sh, height + REACH_MM + 2.0])
    n = np.ceil((hi - lo) / STEP_MM).astype(int) + 1
    gx, gy, gz = (lo[i] + STEP_MM * np.arange(n[i]) for i in range(3))
    mx, my, mz = np.meshgrid(gx, gy, gz, indexing="ij")
    q = np.c_[mx.ravel(), my.ravel(), mz.ravel()]
    t = np.clip(q[:, 2] / max(height, 1e-6), 0.0, 1.0)
    cx = t * axis_xy_hi[0]
    cy = t * axis_xy_hi[1]
    rho = np.hypot(q[:, 0] - cx, q[:, 1] - cy)
    th = np.mod(np.arctan2(q[:, 1] - cy, q[:, 0] - cx), 2.0 * np.pi)
    ring = np.concatenate([angles, [2.0 * np.pi]])
    rl = np.interp(th, ring, np.concatenate([r_lo, r_lo[:1]]))
    rh = np.interp(th, ring, np.concatenate([r_hi, r_hi[:1]]))
    wall = (1.0 - t) * rl + t * rh + BULGE_MM * np.sin(np.pi * t) - rho
    world = lo_centre + q @ basis
    below = (world - lo_centre) @ lo_up + REACH_MM
    above = (hi_centre - world) @ hi_up + REACH_MM
    field = np.minimum(np.minimum(wall, below), above)
    inside = field > -2.0 * STEP_MM
    for bone in (upper, lower):
        d = np.full(len(q), np.inf)
        d[inside] = _implicit(bone, world[inside]) - CLEARANCE_MM
        field = np.minimum(field, d)
    grid = pv.ImageData(dimensions=tuple(int(v) for v in n), spacing=(STEP_MM,) * 3, origin=lo)
    grid.point_data["f"] = field.reshape(tuple(int(v) for v in n)).ravel(order="F")
    surf = grid.contour([0.0], scalars="f", method="flying_edges").triangulate().clean()
    surf = surf.connectivity("largest").extract_surface(algorithm="dataset_surface")
    surf = surf.triangulate().clean()
    faces = np.asarray(surf.faces).reshape(-1, 4)[:, 1:]
    mesh = trimesh.Trimesh(lo_centre + np.asarray(surf.points) @ basis, faces, process=True)
    trimesh.smoothing.filter_taubin(mesh, lamb=0.5, nu=0.53, iterations=10)
    trimesh.repair.fix_normals(mesh)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def build_discs(
    bones: dict[str, trimesh.Trimesh], s1_centre: np.ndarray
) -> dict[str, trimesh.Trimesh]:
    """Every disc of :data:`DISCS` whose two bones exist, keyed by disc id (atlas frame)."""
    out: dict[str, trimesh.Trimesh] = {}
    for rec in DISCS:
        if rec.upper not in bones or rec.lower not in bones:
            continue
        upper, lower = bones[rec.upper], bones[rec.lower]
        fr_up = vertebra_frame(upper)
        if rec.lower == "sacrum":
            centre, normal, _ = s1_endplate(lower, np.asarray(s1_centre), fr_up.up)
            centre = np.asarray(s1_centre, dtype=np.float64)
            mesh = build_disc(upper, lower, fr_up, centre, normal, lower_rim_mesh=upper)
        else:
            fr_lo = vertebra_frame(lower)
            mesh = build_disc(upper, lower, fr_up, fr_lo.superior, fr_lo.up)
        LOG.info(
            "%s: %d triangles, %.1f ml, %s",
            rec.id,
            len(mesh.faces),
            mesh.volume / 1000.0,
            "closed" if mesh.is_watertight else "NOT closed",
        )
        out[rec.id] = mesh
    return out
