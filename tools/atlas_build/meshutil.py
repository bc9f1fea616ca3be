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


def make_manifold(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """Resolve non-manifold edges and vertices by splitting vertices (no geometry change).

    Decimating thin muscle strands can pinch two sheets onto one edge (4 faces on an edge).
    Around such an edge the faces are ordered by angle and paired with a neighbour of opposite
    winding so that each pair encloses solid (both normals point out of the wedge between them);
    then every vertex is duplicated once per fan of faces connected through paired edges. The
    result has exactly two faces per edge where the input was closed, so it is watertight in
    its own connectivity (coincident duplicate vertices must not be merged again).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    v = np.asarray(mesh.vertices, dtype=np.float64)
    f = np.asarray(mesh.faces, dtype=np.int64)
    nf = len(f)
    # directed edges: (face, corner k) runs from f[:, k] to f[:, (k+1) % 3]
    a = f.reshape(-1)
    b = f[:, [1, 2, 0]].reshape(-1)
    key = np.minimum(a, b) * (len(v) + 1) + np.maximum(a, b)
    order = np.argsort(key, kind="stable")
    ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    ends = np.r_[starts[1:], len(ks)]
    fn = np.asarray(mesh.face_normals, dtype=np.float64)
    pair_a: list[int] = []  # half-edge ids paired across an edge
    pair_b: list[int] = []
    for s, e in zip(starts, ends, strict=True):
        hs = order[s:e]
        if len(hs) == 2:
            pair_a.append(int(hs[0]))
            pair_b.append(int(hs[1]))
            continue
        if len(hs) < 2:
            continue
        # order the faces around the edge by angle
        h0 = int(hs[0])
        p, q = v[a[h0]], v[b[h0]]
        axis = (q - p) / max(np.linalg.norm(q - p), 1e-12)
        ref = None
        angles = []
        for h in hs:
            face = f[h // 3]
            third = v[face[(h % 3 + 2) % 3]]
            d = third - p
            d = d - (d @ axis) * axis
            d = d / max(np.linalg.norm(d), 1e-12)
            if ref is None:
                ref = d
            angles.append(np.arctan2(np.cross(ref, d) @ axis, ref @ d))
        ring = [int(h) for _, h in sorted(zip(angles, hs.tolist(), strict=True))]
        n = len(ring)
        best: list[tuple[int, int]] = []
        best_score = -np.inf
        for offset in (0, 1):
            pairs = [
                (ring[(offset + 2 * i) % n], ring[(offset + 2 * i + 1) % n]) for i in range(n // 2)
            ]
            ok = all(a[h1] == b[h2] for h1, h2 in pairs)
            if ok:
                # prefer the pairing whose wedges enclose solid (normals point away)
                score = 0.0
                for h1, h2 in pairs:
                    mid = 0.5 * (_third(v, f, a, b, h1) + _third(v, f, a, b, h2)) - p
                    score += float(-(fn[h1 // 3] @ mid) - (fn[h2 // 3] @ mid))
                if score > best_score:
                    best, best_score = pairs, score
        for h1, h2 in best:
            pair_a.append(h1)
            pair_b.append(h2)
    ha, hb = np.array(pair_a, dtype=np.int64), np.array(pair_b, dtype=np.int64)
    # corners: corner id = face * 3 + k; half-edge h starts at corner h and ends at corner next(h)
    nxt = (ha // 3) * 3 + (ha % 3 + 1) % 3
    nxt_b = (hb // 3) * 3 + (hb % 3 + 1) % 3
    rows = np.r_[ha, nxt]
    cols = np.r_[nxt_b, hb]  # start of ha meets end of hb and vice versa (opposite winding)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(3 * nf, 3 * nf))
    _, labels = connected_components(graph, directed=False)
    # new vertex per corner class; keep first-seen order for determinism
    _, first_idx, inverse = np.unique(labels, return_index=True, return_inverse=True)
    new_vertices = v[a[first_idx]]
    new_faces = inverse.reshape(nf, 3)
    return trimesh.Trimesh(new_vertices, new_faces, process=False)


def _third(v: np.ndarray, f: np.ndarray, a: np.ndarray, b: np.ndarray, h: int) -> np.ndarray:
    """The vertex of half-edge ``h``'s face that is not on the edge."""
    face = f[h // 3]
    return v[face[(h % 3 + 2) % 3]]
