"""Attachment areas on the bone surfaces, found from landmarks (right side, atlas frame).

Fan-shaped muscles (iliacus, gluteus medius/minimus/maximus, piriformis) must be shaped from
their attachment *areas*, not from one to three myo-sim lines. Each function here selects a
patch of a bone surface with simple rules stated in anatomical terms (which face of the bone,
between which lines), and returns well-spread points of it. The rules use a wing coordinate
frame of the ilium: ``u`` runs from the PSIS toward the ASIS, ``t`` is the height between the
acetabular roof (0) and the iliac crest (1) at that ``u``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import trimesh

MEDIAL_RIGHT = np.array([1.0, 0.0, 0.0])  # right side: medial is +x in LPS


@dataclass(frozen=True)
class Patch:
    """Points (n, 3) and outward unit normals (n, 3) of a bone-surface patch."""

    points: np.ndarray
    normals: np.ndarray


def dense_surface(mesh: trimesh.Trimesh, spacing: float = 2.5) -> Patch:
    """Surface points about ``spacing`` apart with outward normals (area sampling, fixed seed).

    Cached per mesh and spacing: several muscles read the same bone surfaces.
    """
    key = (id(mesh), float(spacing))
    if key not in _DENSE:
        n = int(np.clip(mesh.area / spacing**2, 500, 1_000_000))
        pts, face = trimesh.sample.sample_surface(mesh, n, seed=4321)
        _DENSE[key] = (mesh, Patch(np.asarray(pts), np.asarray(mesh.face_normals)[face]))
    return _DENSE[key][1]


_DENSE: dict[tuple[int, float], tuple[trimesh.Trimesh, Patch]] = {}


def farthest_points(points: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` well-spread points (farthest-point sampling, deterministic start)."""
    if len(points) <= n:
        return np.arange(len(points))
    start = int(np.argmax(points @ np.array([0.31, -0.57, 0.76])))
    chosen = [start]
    d = np.linalg.norm(points - points[start], axis=1)
    for _ in range(n - 1):
        i = int(np.argmax(d))
        chosen.append(i)
        d = np.minimum(d, np.linalg.norm(points - points[i], axis=1))
    return np.array(chosen)


@dataclass(frozen=True)
class WingFrame:
    """Ilium wing coordinates: ``u`` (mm, posterior->anterior), ``t`` (0 acetabulum .. 1 crest)."""

    axis: np.ndarray
    psis_u: float
    asis_u: float
    z_low: float
    crest_u: np.ndarray  # bin centres
    crest_z: np.ndarray  # crest height per bin
    crest_pts: np.ndarray  # (k, 3) crest points ordered posterior -> anterior

    def u(self, p: np.ndarray) -> np.ndarray:
        return np.asarray(p) @ self.axis

    def t(self, p: np.ndarray) -> np.ndarray:
        zc = np.interp(self.u(p), self.crest_u, self.crest_z)
        return (np.asarray(p)[:, 2] - self.z_low) / np.maximum(zc - self.z_low, 1.0)

    def crest_point(self, frac: float) -> np.ndarray:
        """Point on the crest at fraction ``frac`` from PSIS (0) to ASIS (1)."""
        uu = self.psis_u + frac * (self.asis_u - self.psis_u)
        i = int(np.argmin(np.abs(self.crest_pts @ self.axis - uu)))
        return self.crest_pts[i]


def wing_frame(hip: Patch, lm: dict[str, np.ndarray], side: str = "right") -> WingFrame:
    """Build the wing frame of one hip bone from its surface and landmarks."""
    asis, psis = lm[f"asis_{side}"], lm[f"psis_{side}"]
    axis = asis - psis
    axis[2] = 0.0
    axis /= np.linalg.norm(axis)
    z_low = float(lm[f"hip_centre_{side}"][2] + 22.0)
    p = hip.points
    up = p[p[:, 2] > z_low + 20.0]
    uu = up @ axis
    psis_u, asis_u = float(psis @ axis), float(asis @ axis)
    edges = np.arange(psis_u - 10.0, asis_u + 10.0, 5.0)
    cu, cz, cp = [], [], []
    for a, b in itertools.pairwise(edges):
        sel = (uu >= a) & (uu < b)
        if not sel.any():
            continue
        k = int(np.argmax(up[sel, 2]))
        cu.append(0.5 * (a + b))
        cz.append(float(up[sel][k, 2]))
        cp.append(up[sel][k])
    return WingFrame(axis, psis_u, asis_u, z_low, np.array(cu), np.array(cz), np.array(cp))


def _select(patch: Patch, mask: np.ndarray) -> Patch:
    return Patch(patch.points[mask], patch.normals[mask])


def outer_ilium(hip: Patch, wf: WingFrame, lateral: np.ndarray) -> np.ndarray:
    """Mask of the gluteal (outer) surface of the ilium above the acetabulum."""
    n = hip.normals
    return (n @ lateral > 0.3) & (hip.points[:, 2] > wf.z_low - 6.0) & (wf.t(hip.points) < 0.95)


def gluteus_minimus_area(hip: Patch, wf: WingFrame, lm: dict[str, np.ndarray]) -> Patch:
    """Outer ilium between the inferior and anterior gluteal lines."""
    lateral = -MEDIAL_RIGHT
    p = hip.points
    u, t = wf.u(p), wf.t(p)
    length = wf.asis_u - wf.psis_u
    rel = (u - wf.psis_u) / length  # 0 at PSIS, 1 at ASIS
    notch_rel = float((lm["greater_sciatic_notch_right"] @ wf.axis - wf.psis_u) / length)
    # anterior gluteal line: high in front (near the crest), low at the back (toward the notch)
    t_ag = np.interp(rel, [notch_rel, 0.75, 1.0], [0.30, 0.62, 0.80])
    m = outer_ilium(hip, wf, lateral) & (t > 0.02) & (t < t_ag) & (rel > notch_rel + 0.02)
    m &= rel < 0.97
    return _select(hip, m)


def gluteus_medius_area(hip: Patch, wf: WingFrame, lm: dict[str, np.ndarray]) -> Patch:
    """Outer ilium between the crest, the anterior and the posterior gluteal lines."""
    lateral = -MEDIAL_RIGHT
    p = hip.points
    u, t = wf.u(p), wf.t(p)
    length = wf.asis_u - wf.psis_u
    rel = (u - wf.psis_u) / length
    notch_rel = float((lm["greater_sciatic_notch_right"] @ wf.axis - wf.psis_u) / length)
    t_ag = np.interp(rel, [notch_rel, 0.75, 1.0], [0.30, 0.62, 0.80])
    pgl = 0.27  # posterior gluteal line, fraction of PSIS->ASIS
    m = outer_ilium(hip, wf, lateral) & (t > t_ag - 0.06) & (rel > pgl) & (rel < 0.86)
    return _select(hip, m)


def gluteus_maximus_ilium_area(hip: Patch, wf: WingFrame) -> Patch:
    """Outer ilium behind the posterior gluteal line (near the PSIS and posterior crest)."""
    p = hip.points
    lateral = -MEDIAL_RIGHT
    posterior = np.array([0.0, 1.0, 0.0])
    rel = (wf.u(p) - wf.psis_u) / (wf.asis_u - wf.psis_u)
    n = hip.normals
    m = ((n @ lateral > 0.0) | (n @ posterior > 0.3)) & (rel < 0.24) & (wf.t(p) > 0.35)
    return _select(hip, m)


def iliac_fossa_area(hip: Patch, wf: WingFrame, sacrum: trimesh.Trimesh) -> Patch:
    """Upper two thirds of the iliac fossa and the inner lip of the crest (iliacus origin)."""
    p, n = hip.points, hip.normals
    inner = n @ MEDIAL_RIGHT > 0.3
    t = wf.t(p)
    rel = (wf.u(p) - wf.psis_u) / (wf.asis_u - wf.psis_u)
    from scipy.spatial import cKDTree

    sac = cKDTree(dense_surface(sacrum, 4.0).points)
    d_sac, _ = sac.query(p, k=1)
    auricular = d_sac < 12.0
    front_of_joint = rel > (float(rel[auricular].max()) + 0.03 if auricular.any() else 0.3)
    m = inner & (t > 0.33) & (t < 0.98) & front_of_joint & (rel < 0.97)
    return _select(hip, m)


def sacrum_anterior_area(
    sac: Patch, lm: dict[str, np.ndarray], t_range: tuple[float, float]
) -> Patch:
    """Pelvic (anterior) face of the sacrum, lateral part, between two sacral levels.

    ``t`` runs from the promontory (0) to the coccyx tip (1); S2-S4 is roughly 0.22-0.62.
    """
    prom, tip = lm["sacral_promontory"], lm["coccyx_tip"]
    axis = tip - prom
    t = (sac.points - prom) @ axis / (axis @ axis)
    x = -sac.points[:, 0]  # right side: distance from the midline
    m = (sac.normals[:, 1] < -0.25) & (x > 14.0) & (x < 40.0)
    m &= (t > t_range[0]) & (t < t_range[1])
    return _select(sac, m)


def sacrum_dorsal_area(sac: Patch, lm: dict[str, np.ndarray]) -> Patch:
    """Dorsal face of the sacrum and coccyx, lateral half (gluteus maximus origin)."""
    prom, tip = lm["sacral_promontory"], lm["coccyx_tip"]
    axis = tip - prom
    t = (sac.points - prom) @ axis / (axis @ axis)
    x = -sac.points[:, 0]
    m = (sac.normals[:, 1] > 0.2) & (x > 12.0) & (t > 0.25) & (t < 1.0)
    return _select(sac, m)


def femur_slice_extreme(
    femur: trimesh.Trimesh, z: float, direction: np.ndarray, band: float = 4.0
) -> np.ndarray:
    """Surface point of the femur at height ``z`` furthest along ``direction``."""
    p = dense_surface(femur, 3.0).points
    sel = np.abs(p[:, 2] - z) < band
    q = p[sel]
    return q[int(np.argmax(q @ direction))]
