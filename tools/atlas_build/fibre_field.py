"""Fibre direction on every muscle vertex, and a stripe phase the viewer draws striation from.

The muscle stage lays each muscle out as fascicles running from origin to insertion
(:mod:`muscle_fibres`: control polylines per fibre). This stage, run after the files are
written, gives every vertex of each shipped muscle mesh (full and light) two point arrays:

- ``FibreDirection`` (3 floats): the unit tangent of the nearest fascicles (inverse-distance
  blend of the closest samples), projected into the surface's tangent plane;
- ``FibrePhase`` (1 float, mm): a scalar whose level lines run along the fibres. Across the
  fibres it grows about like distance, so ``frac(phase / period)`` draws stripes that follow
  the fascicles (:func:`stripe_phase`: a least-squares fit of gradients across the fibres).

Both are plain per-vertex data: no extra triangles, one texture look-up in the viewer.

A muscle crossed by tendinous bands (rectus abdominis's intersections:
:func:`~tools.atlas_build.muscle_fibres.tendinous_bands`) or with a tendon or aponeurosis
drawn at its ends (:data:`~tools.atlas_build.tendons.TENDONS`: the last so many mm of every
fascicle before its insertion, or after its origin) also gets ``Tendon`` (1 float, 0-1): how
much of each vertex is tendon, which the viewer draws pale, as printed atlases draw tendon
against red muscle. Ends are measured along the fascicles (:func:`fascicle_distances`), so
they follow a muscle's shape when its attachments or bulk change.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import trimesh
from scipy.sparse import coo_matrix, identity
from scipy.sparse.linalg import spsolve
from scipy.spatial import cKDTree

from tools.atlas_build.tendons import TENDONS, TendonSpec
from tools.atlas_build.writer import mesh_to_polydata, read_vtp

if TYPE_CHECKING:
    from tools.atlas_build.skeleton import Skeleton

LOG = logging.getLogger("build_atlas.fibres")
DIRECTION_ARRAY = "FibreDirection"
PHASE_ARRAY = "FibrePhase"
TENDON_ARRAY = "Tendon"
#: fascicle samples blended per vertex, and the blend's length scale (mm)
NEIGHBOURS = 32
BLEND_MM = 8.0
#: rounds of neighbour averaging over the mesh (fascicles are smooth; surfaces are lumpy)
SMOOTH_ROUNDS = 12
#: sample spacing along each fascicle (mm)
SAMPLE_MM = 2.0
#: weight of the plain axis projection in the stripe-phase solve (only fixes the constant
#: and the null space of a mesh in pieces; small enough not to pull the level lines off the
#: fibres)
ANCHOR = 1e-4


def _samples(paths: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Points every ~SAMPLE_MM along each polyline and the unit tangent there."""
    pts, tan, _, _ = _arc_samples(paths)
    return pts, tan


def _arc_samples(
    paths: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points every ~SAMPLE_MM along each polyline, the unit tangent there, and each point's
    distance (mm along its polyline) from the polyline's first end and to its last end."""
    pts: list[np.ndarray] = []
    tan: list[np.ndarray] = []
    from_origin: list[np.ndarray] = []
    to_end: list[np.ndarray] = []
    for path in paths:
        p = np.asarray(path, dtype=np.float64)
        if len(p) < 2:
            continue
        lengths = [float(np.linalg.norm(b - a)) for a, b in itertools.pairwise(p)]
        total, start = sum(lengths), 0.0
        for (a, b), length in zip(itertools.pairwise(p), lengths, strict=True):
            if length < 1e-9:
                continue
            seg = b - a
            n = max(1, int(np.ceil(length / SAMPLE_MM)))
            t = (np.arange(n) + 0.5) / n
            pts.append(a + t[:, None] * seg)
            tan.append(np.repeat((seg / length)[None, :], n, axis=0))
            s = start + t * length
            from_origin.append(s)
            to_end.append(total - s)
            start += length
    if not pts:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), np.zeros(0)
    return np.vstack(pts), np.vstack(tan), np.concatenate(from_origin), np.concatenate(to_end)


def fibre_directions(mesh: trimesh.Trimesh, paths: list[np.ndarray]) -> np.ndarray:
    """Unit fibre direction per vertex (tangent to the surface); zeros without fascicles."""
    pts, tan = _samples(paths)
    verts = np.asarray(mesh.vertices, dtype=np.float64)
    if len(pts) == 0:
        return np.zeros_like(verts)
    k = min(NEIGHBOURS, len(pts))
    dist, idx = cKDTree(pts).query(verts, k=k)
    dist = np.asarray(dist).reshape(len(verts), k)
    idx = np.asarray(idx).reshape(len(verts), k)
    w = np.exp(-(((dist - dist[:, :1]) / BLEND_MM) ** 2))
    d = np.einsum("ij,ijk->ik", w, tan[idx])
    normals = np.asarray(mesh.vertex_normals, dtype=np.float64)
    edges = np.asarray(mesh.edges_unique, dtype=np.int64)
    n = len(verts)
    adj = coo_matrix(
        (
            np.ones(2 * len(edges)),
            (np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]]),
        ),
        shape=(n, n),
    ).tocsr()
    for _ in range(SMOOTH_ROUNDS):
        d = 0.5 * d + 0.5 * (adj @ d) / np.maximum(adj.sum(axis=1).A, 1.0)
    d -= np.einsum("ij,ij->i", d, normals)[:, None] * normals
    norm = np.linalg.norm(d, axis=1, keepdims=True)
    return np.where(norm > 1e-9, d / np.maximum(norm, 1e-12), 0.0)


def stripe_phase(
    mesh: trimesh.Trimesh, paths: list[np.ndarray], directions: np.ndarray
) -> np.ndarray:
    """Cross-fibre coordinate (mm) per vertex: its level lines run along the fibres.

    The muscle's main cross-fibre axis is the widest spread of its fascicles' midpoints across
    their mean direction. At every vertex the wanted gradient of the phase is that axis with
    its along-fibre part removed (``directions``, the :func:`fibre_directions` field), laid
    into the surface's tangent plane; the phase is the least-squares fit of those gradients
    over the mesh edges (a sparse Poisson solve, anchored faintly to the plain projection on
    the axis so the solution is unique). Straight parallel fibres give exactly the projection
    on the axis; fanned or converging fibres bend the level lines with them.

    Why not a blend of per-fascicle numbers (the first version): an inverse-distance blend
    makes rings round each fascicle and plateaus between them (gluteus minimus showed wood
    grain), and where fascicles converge their numbers are alike, so psoas had no stripes.
    """
    verts = np.asarray(mesh.vertices, dtype=np.float64)
    fas = [np.asarray(p, dtype=np.float64) for p in paths if len(p) >= 2]
    if not fas or len(verts) == 0:
        return np.zeros(len(verts))
    mean_dir = sum((p[-1] - p[0]) for p in fas)
    mean_dir = mean_dir / max(float(np.linalg.norm(mean_dir)), 1e-9)
    mids = np.array([p.mean(axis=0) for p in fas])
    flat = mids - mids.mean(axis=0)
    flat -= np.outer(flat @ mean_dir, mean_dir)
    if len(fas) > 1 and float(np.abs(flat).max()) > 1e-6:
        axis = np.linalg.svd(flat, full_matrices=False)[2][0]
    else:
        axis = np.cross(mean_dir, [0.0, 0.0, 1.0])
        axis = axis / max(float(np.linalg.norm(axis)), 1e-9)
    axis = axis if axis[np.argmax(np.abs(axis))] > 0 else -axis  # a fixed sign: determinism
    d = np.asarray(directions, dtype=np.float64)
    normals = np.asarray(mesh.vertex_normals, dtype=np.float64)
    want = axis[None, :] - (d @ axis)[:, None] * d
    want -= np.einsum("ij,ij->i", want, normals)[:, None] * normals
    edges = np.asarray(mesh.edges_unique, dtype=np.int64)
    i, j = edges[:, 0], edges[:, 1]
    rise = 0.5 * np.einsum("ij,ij->i", want[i] + want[j], verts[j] - verts[i])
    m, n = len(edges), len(verts)
    rows = np.r_[np.arange(m), np.arange(m)]
    incidence = coo_matrix((np.r_[-np.ones(m), np.ones(m)], (rows, np.r_[i, j])), shape=(m, n))
    incidence = incidence.tocsr()
    system = (incidence.T @ incidence + ANCHOR * identity(n, format="csr")).tocsc()
    phase = spsolve(system, incidence.T @ rise + ANCHOR * (verts @ axis))
    return np.asarray(phase, dtype=np.float64)


def tendon_weight(points: np.ndarray, bands: list[tuple[float, float]]) -> np.ndarray:
    """Per-vertex tendon weight (0-1) for horizontal bands ``(height, half-height)`` in mm:
    1 across the band's middle, easing to 0 over its outer half (no hard edge on screen)."""
    z = np.asarray(points, dtype=np.float64)[:, 2]
    weight = np.zeros(len(z))
    for height, half in bands:
        t = np.clip((np.abs(z - height) / half - 0.5) / 0.5, 0.0, 1.0)
        weight = np.maximum(weight, 1.0 - t * t * (3.0 - 2.0 * t))
    return weight


#: rounds of neighbour averaging of the blended distances over the mesh (a clean edge, no
#: speckle where neighbouring vertices pick different nearest fascicles)
DISTANCE_SMOOTH_ROUNDS = 6


def fascicle_distances(
    mesh: trimesh.Trimesh, paths: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per vertex: distance (mm along the fascicles) from their origin end and from their
    insertion end, blended over the nearest fascicle samples as :func:`fibre_directions`
    blends their tangents, then smoothed over the mesh."""
    pts, _, from_origin, to_end = _arc_samples(paths)
    verts = np.asarray(mesh.vertices, dtype=np.float64)
    if len(pts) == 0:
        inf = np.full(len(verts), np.inf)
        return inf, inf.copy()
    k = min(NEIGHBOURS, len(pts))
    dist, idx = cKDTree(pts).query(verts, k=k)
    dist = np.asarray(dist).reshape(len(verts), k)
    idx = np.asarray(idx).reshape(len(verts), k)
    w = np.exp(-(((dist - dist[:, :1]) / BLEND_MM) ** 2))
    w /= w.sum(axis=1, keepdims=True)
    both = np.stack([(w * from_origin[idx]).sum(axis=1), (w * to_end[idx]).sum(axis=1)], axis=1)
    edges = np.asarray(mesh.edges_unique, dtype=np.int64)
    n = len(verts)
    if len(edges):
        adj = coo_matrix(
            (
                np.ones(2 * len(edges)),
                (np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]]),
            ),
            shape=(n, n),
        ).tocsr()
        deg = np.maximum(np.asarray(adj.sum(axis=1)), 1.0)
        for _ in range(DISTANCE_SMOOTH_ROUNDS):
            both = 0.5 * both + 0.5 * (adj @ both) / deg
    return both[:, 0], both[:, 1]


def end_weight(distance: np.ndarray, length: float, edge: float) -> np.ndarray:
    """Tendon weight (0-1) from the distance (mm along the fascicle) to a fascicle end: 1 up
    to ``length - edge / 2``, 0 from ``length + edge / 2``, a smoothstep between."""
    d = np.asarray(distance, dtype=np.float64)
    if length <= 0.0:
        return np.zeros(len(d))
    t = np.clip((d - (length - 0.5 * edge)) / max(edge, 1e-9), 0.0, 1.0)
    return np.asarray(1.0 - t * t * (3.0 - 2.0 * t))


def end_tendon_weight(
    mesh: trimesh.Trimesh, paths: list[np.ndarray], spec: TendonSpec
) -> np.ndarray:
    """Per-vertex tendon weight of a muscle's pale ends (:mod:`tools.atlas_build.tendons`)."""
    fas = [np.asarray(p, dtype=np.float64) for p in paths]
    if spec.lower_end_is_origin:
        fas = [p[::-1] if p[-1, 2] < p[0, 2] else p for p in fas]
    from_origin, to_end = fascicle_distances(mesh, fas)
    return np.maximum(
        end_weight(to_end, spec.insertion_mm, spec.edge_mm),
        end_weight(from_origin, spec.origin_mm, spec.edge_mm),
    )


def write_with_fibres(
    mesh: trimesh.Trimesh,
    path: Path,
    directions: np.ndarray,
    phase: np.ndarray,
    tendon: np.ndarray | None = None,
) -> None:
    """Write ``mesh`` as the writer does, plus the fibre arrays (rounded: deterministic bytes)
    and, for a muscle with tendon drawn pale (bands or ends), the tendon weight."""
    import vtk
    from vtk.util import numpy_support as ns

    poly: Any = mesh_to_polydata(mesh)
    d = np.round(np.asarray(directions, dtype=np.float64), 4).astype(np.float32)
    arr = ns.numpy_to_vtk(d, deep=True)
    arr.SetName(DIRECTION_ARRAY)
    poly.GetPointData().AddArray(arr)
    parr = ns.numpy_to_vtk(np.round(phase, 3).astype(np.float32), deep=True)
    parr.SetName(PHASE_ARRAY)
    poly.GetPointData().AddArray(parr)
    if tendon is not None:
        tarr = ns.numpy_to_vtk(np.round(tendon, 3).astype(np.float32), deep=True)
        tarr.SetName(TENDON_ARRAY)
        poly.GetPointData().AddArray(tarr)
    writer = vtk.vtkXMLPolyDataWriter()
    writer.SetFileName(str(path))
    writer.SetInputData(poly)
    writer.SetDataModeToBinary()
    writer.SetCompressorTypeToZLib()
    writer.SetHeaderTypeToUInt64()
    if writer.Write() != 1:
        raise OSError(f"VTK could not write {path}")


def fascicles(skeleton: Skeleton) -> dict[str, list[np.ndarray]]:
    """Fascicle polylines (origin -> insertion) per muscle mesh id, both sides."""
    from tools.atlas_build import muscle_fibres as mf
    from tools.atlas_build.muscles import _right_context

    ctx = _right_context(skeleton)
    right: dict[str, list[np.ndarray]] = {}
    for builder in mf.BUILDERS:
        md = builder(ctx)
        paths = [(f.group, mf.control_path(f)) for f in md.fibres]
        if md.parts:
            for part, grp in md.parts.items():
                right[part] = [p for g, p in paths if g == grp]
        else:
            right[md.base] = [p for _, p in paths]
    out: dict[str, list[np.ndarray]] = {}
    flip = np.array([-1.0, 1.0, 1.0])
    for base, paths in right.items():
        out[f"{base}_right"] = paths
        out[f"{base}_left"] = [np.asarray(p) * flip for p in paths]
    return out


def tendon_bands(skeleton: Skeleton) -> dict[str, list[tuple[float, float]]]:
    """Tendinous bands by muscle base name (both sides: the bands are horizontal)."""
    from tools.atlas_build import muscle_fibres as mf
    from tools.atlas_build.muscles import _right_context

    return mf.tendinous_bands(_right_context(skeleton))


def fibre_stage(skeleton: Skeleton, out: Path, muscle_files: dict[str, list[str]]) -> None:
    """Add fibre arrays to every written muscle file (``id -> [full, light]`` relative paths)."""
    try:
        paths = fascicles(skeleton)
        bands = tendon_bands(skeleton)
    except (ImportError, AttributeError) as exc:  # a muscle stage without fascicle layouts
        LOG.warning("fibre stage skipped: %s", exc)
        return
    for sid, files in sorted(muscle_files.items()):
        if sid not in paths:
            LOG.warning("no fascicles for %s: no fibre striation", sid)
            continue
        for rel in files:
            mesh = read_vtp(out / rel)
            directions = fibre_directions(mesh, paths[sid])
            phase = stripe_phase(mesh, paths[sid], directions)
            base = sid.rsplit("_", 1)[0]
            band = bands.get(base)
            tendon = None if band is None else tendon_weight(np.asarray(mesh.vertices), band)
            spec = TENDONS.get(base)
            if spec is not None:
                ends = end_tendon_weight(mesh, paths[sid], spec)
                tendon = ends if tendon is None else np.maximum(tendon, ends)
            write_with_fibres(mesh, out / rel, directions, phase, tendon)
    LOG.info("fibre directions and stripe phase written for %d muscles", len(muscle_files))
