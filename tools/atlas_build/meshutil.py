"""Small geometry helpers for the skeleton stage: deterministic sampling, similarity ICP,
sphere fits, mirroring and smoothing refinement.

Everything here is deterministic (no random sampling) so that the build is reproducible.
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.spatial import cKDTree


def dense_points(mesh: trimesh.Trimesh, max_edge: float) -> np.ndarray:
    """Vertices of ``mesh`` subdivided until no edge is longer than ``max_edge`` (deterministic).

    Used to turn a coarse target (myo-sim's 122-vertex pelvis) into an even point cloud for ICP.
    """
    v, _ = trimesh.remesh.subdivide_to_size(mesh.vertices, mesh.faces, max_edge=max_edge)
    return np.asarray(v, dtype=np.float64)


def umeyama(src: np.ndarray, dst: np.ndarray, with_scale: bool = True) -> np.ndarray:
    """Least-squares similarity (4x4) mapping ``src`` points onto ``dst`` (Umeyama 1991)."""
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    a, b = src - mu_s, dst - mu_d
    cov = b.T @ a / len(src)
    u, d, vt = np.linalg.svd(cov)
    sign = np.eye(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[2, 2] = -1.0
    rot = u @ sign @ vt
    scale = float(np.trace(np.diag(d) @ sign) / (a**2).sum(axis=1).mean()) if with_scale else 1.0
    out = np.eye(4)
    out[:3, :3] = scale * rot
    out[:3, 3] = mu_d - scale * rot @ mu_s
    return out


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a 4x4 transform to (n, 3) or (3,) points."""
    p = np.asarray(points, dtype=np.float64)
    return p @ matrix[:3, :3].T + matrix[:3, 3]


def icp(
    src: np.ndarray,
    dst: np.ndarray,
    init: np.ndarray,
    iterations: int = 60,
    with_scale: bool = True,
    fixed_scale: float | None = None,
) -> tuple[np.ndarray, float]:
    """Symmetric point-to-point ICP; returns (4x4 transform of ``src``, RMS distance).

    Correspondences go both ways (source->target and target->source) so that a dense source
    cannot collapse onto part of a sparse target. ``fixed_scale`` keeps a known scale and
    solves only for rotation and translation.
    """
    tree_dst = cKDTree(dst)
    mat = init.copy()
    rms = np.inf
    for _ in range(iterations):
        cur = transform_points(src, mat)
        _, i_sd = tree_dst.query(cur)
        _, i_ds = cKDTree(cur).query(dst)
        a = np.vstack([src, src[i_ds]])
        b = np.vstack([dst[i_sd], dst])
        step = umeyama(a, b, with_scale=with_scale and fixed_scale is None)
        if fixed_scale is not None:
            rot = step[:3, :3] / np.cbrt(np.linalg.det(step[:3, :3]))
            step[:3, :3] = fixed_scale * rot
            step[:3, 3] = b.mean(axis=0) - step[:3, :3] @ a.mean(axis=0)
        new_rms = float(np.sqrt(((transform_points(a, step) - b) ** 2).sum(axis=1).mean()))
        mat = step
        if abs(rms - new_rms) < 1e-6:
            rms = new_rms
            break
        rms = new_rms
    return mat, rms


def similarity_scale(matrix: np.ndarray) -> float:
    """Uniform scale of a similarity transform."""
    return float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))


def fit_sphere(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Algebraic least-squares sphere fit; returns (centre, radius)."""
    p = np.asarray(points, dtype=np.float64)
    a = np.hstack([2.0 * p, np.ones((len(p), 1))])
    b = (p**2).sum(axis=1)
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    centre = sol[:3]
    return centre, float(np.sqrt(sol[3] + centre @ centre))


def fit_cup_sphere(
    mesh: trimesh.Trimesh, guess: np.ndarray, radius: float, concave: bool, rounds: int = 6
) -> tuple[np.ndarray, float, np.ndarray]:
    """Sphere fit of a spherical patch (acetabulum: concave, femoral head: convex).

    Starting from ``guess``, keeps vertices within 1.25 radii whose normals point at (concave)
    or away from (convex) the current centre, refits, and repeats. Returns (centre, radius,
    vertex mask of the patch).
    """
    v = np.asarray(mesh.vertices)
    n = np.asarray(mesh.vertex_normals)
    centre, r = np.asarray(guess, dtype=np.float64), radius
    mask = np.zeros(len(v), dtype=bool)
    for _ in range(rounds):
        d = v - centre
        dist = np.linalg.norm(d, axis=1)
        radial = (d / np.maximum(dist[:, None], 1e-9) * n).sum(axis=1)
        facing = radial < -0.8 if concave else radial > 0.8
        mask = (dist < 1.25 * r) & (dist > 0.6 * r) & facing
        if mask.sum() < 20:
            break
        centre, r = fit_sphere(v[mask])
    return centre, r, mask


def mirror_x(mesh: trimesh.Trimesh, x0: float = 0.0) -> trimesh.Trimesh:
    """Mirror image about the plane x = x0 (faces re-wound so normals stay outward)."""
    v = np.asarray(mesh.vertices, dtype=np.float64).copy()
    v[:, 0] = 2.0 * x0 - v[:, 0]
    return trimesh.Trimesh(v, np.asarray(mesh.faces)[:, ::-1].copy(), process=False)


def refine_smooth(
    mesh: trimesh.Trimesh, subdivisions: int = 2, taubin: int = 20
) -> trimesh.Trimesh:
    """Loop-subdivide and Taubin-smooth a coarse mesh, then restore its volume.

    Removes the faceting of myo-sim's ~200-vertex vertebrae without shrinking them.
    """
    vol0 = abs(mesh.volume)
    v, f = trimesh.remesh.subdivide_loop(mesh.vertices, mesh.faces, iterations=subdivisions)
    out = trimesh.Trimesh(v, f, process=True)
    trimesh.smoothing.filter_taubin(out, lamb=0.5, nu=0.53, iterations=taubin)
    c = out.center_mass if out.is_watertight else out.vertices.mean(axis=0)
    vol = abs(out.volume)
    if vol > 0 and vol0 > 0:
        out.vertices = c + (out.vertices - c) * np.cbrt(vol0 / vol)
    trimesh.repair.fix_normals(out)
    return out


def rotation_about(axis: np.ndarray, angle: float) -> np.ndarray:
    """3x3 rotation by ``angle`` radians about unit ``axis`` (Rodrigues)."""
    a = np.asarray(axis, dtype=np.float64) / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def rigid(rot: np.ndarray, about: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """4x4 of: rotate by ``rot`` about point ``about``, then translate by ``shift``."""
    out = np.eye(4)
    out[:3, :3] = rot
    out[:3, 3] = about - rot @ about + shift
    return out
