"""Refine the MakeHuman skin so it carries a referral heat map well, within the vertex budget.

The hm08 base mesh is very uneven: head, hands and feet hold about three quarters of its
13.4 k vertices, while trunk and thighs (where referral zones live) have 20-30 mm quads. Two
Loop subdivisions give the trunk ~5-7 mm edges and a smooth limit-like surface, but would put
~214 k vertices mostly into fingers, toes and face. So we subdivide everything twice and then
decimate only head, arms and feet back down (each to its share of the budget), keeping their
boundary loops fixed so the pieces stitch back into one closed surface.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
import trimesh

#: default vertex target for the refined skin (contract allows 50-150 k; atlas <= 400 k tris)
TARGET_VERTICES = 80_000


#: share of the extremities' vertex budget per region (the face matters most to a patient)
REGION_SHARE = {"head": 0.45, "arms": 0.30, "feet": 0.25}
#: faces centred within this distance of the mid-sagittal plane (mm) are not decimated: a
#: decimated half must not create edges lying in the midline, which its mirror would repeat
MIDLINE_BAND_MM = 4.0
#: windowed-sinc iterations that relax each decimated region
RELAX_ITERATIONS = 20


def extremity_regions(centres: np.ndarray, joints: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Face masks (by centre, MakeHuman body in atlas axes, mm) of head, arms and feet.

    Cut at MakeHuman's own joint markers: above the neck joint; lateral to the shoulder joints
    (20 mm out) above the waist, or lateral to the elbows anywhere; below the ankles (-10 mm,
    so the malleoli stay fine). Trunk, hips and legs, where referral zones lie, stay dense.
    """
    neck_z = joints["neck"][2]
    shoulder_x = 0.5 * (abs(joints["l-shoulder"][0]) + abs(joints["r-shoulder"][0]))
    elbow_x = 0.5 * (abs(joints["l-elbow"][0]) + abs(joints["r-elbow"][0]))
    waist_z = 0.5 * (joints["l-upper-leg"][2] + joints["r-upper-leg"][2]) + 120.0
    ankle_z = 0.5 * (joints["l-ankle"][2] + joints["r-ankle"][2]) - 10.0
    x, z = np.abs(centres[:, 0]), centres[:, 2]
    head = z > neck_z
    arms = ~head & (((x > shoulder_x + 20.0) & (z > waist_z)) | (x > elbow_x))
    feet = z < ankle_z
    return {"head": head, "arms": arms, "feet": feet}


def _decimate_keep_boundary(
    vertices: np.ndarray, faces: np.ndarray, reduction: float, feature_angle: float
) -> tuple[np.ndarray, np.ndarray]:
    """Decimate an open patch without touching its boundary vertices (vtkDecimatePro).

    A light windowed-sinc relaxation afterwards evens out the slivers decimation leaves (they
    shade as scratches on the face); boundary vertices are not moved, so the patch still fits.
    """
    patch = pv.PolyData.from_regular_faces(vertices, faces).clean()
    out = patch.decimate_pro(
        reduction,
        preserve_topology=True,
        boundary_vertex_deletion=False,
        feature_angle=feature_angle,
        splitting=False,
    )
    pts = np.asarray(out.points, dtype=np.float64)
    tri = np.asarray(out.regular_faces)
    relaxed = np.asarray(
        out.smooth_taubin(
            n_iter=RELAX_ITERATIONS,
            pass_band=0.1,
            boundary_smoothing=False,
            feature_smoothing=False,
            non_manifold_smoothing=False,
        ).points,
        dtype=np.float64,
    )
    # boundary vertices keep their exact positions (they must meet the rest of the skin)
    edges = np.sort(np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]]), axis=1)
    uniq, counts = np.unique(edges, axis=0, return_counts=True)
    border = np.unique(uniq[counts == 1])
    relaxed[border] = pts[border]
    return relaxed, tri


def refine_skin(
    mesh: trimesh.Trimesh, joints: dict[str, np.ndarray], target: int = TARGET_VERTICES
) -> trimesh.Trimesh:
    """Loop-subdivide twice, then decimate the extremities so the total is about ``target``.

    Returns a closed, outward-oriented surface. Deterministic (no random sampling anywhere).
    """
    verts, faces = trimesh.remesh.subdivide_loop(mesh.vertices, mesh.faces, iterations=2)
    centres = verts[faces].mean(axis=1)
    regions = extremity_regions(centres, joints)
    # decimate the left half of each region and mirror it, so the skin stays exactly
    # symmetric; a band of faces along the midline (head) stays at full resolution
    left = centres[:, 0] > MIDLINE_BAND_MM
    right = centres[:, 0] < -MIDLINE_BAND_MM
    ext = np.zeros(len(faces), dtype=bool)
    for mask in regions.values():
        ext |= mask & (left | right)
    keep_faces = faces[~ext]
    keep_ids = np.unique(keep_faces)
    room = max(target - len(keep_ids), 0)

    pieces_v = [verts]
    pieces_f = [keep_faces]
    offset = len(verts)
    for name, mask in regions.items():
        half = faces[mask & left]
        ids = np.setdiff1d(np.unique(half), keep_ids)
        budget = max(0.5 * REGION_SHARE[name] * room, 0.03 * len(ids))
        reduction = float(np.clip(1.0 - budget / max(len(ids), 1), 0.0, 0.97))
        dv, df = _decimate_region(verts, half, reduction)
        mirrored = dv * np.array([-1.0, 1.0, 1.0])
        pieces_v += [dv, mirrored]
        pieces_f += [df + offset, df[:, ::-1] + offset + len(dv)]
        offset += 2 * len(dv)
    # mirrored boundary vertices meet their originals to ~1e-13 mm; merge within 1e-6 mm
    stitched = pv.PolyData.from_regular_faces(np.vstack(pieces_v), np.vstack(pieces_f)).clean(
        tolerance=1e-6, absolute=True
    )
    out = trimesh.Trimesh(
        np.asarray(stitched.points, dtype=np.float64),
        np.asarray(stitched.regular_faces),
        process=True,
    )
    if out.volume < 0:
        out.invert()
    if not (out.is_watertight and out.is_winding_consistent):
        raise RuntimeError("refined skin is not a closed, consistently oriented surface")
    return out


def _decimate_region(
    verts: np.ndarray, faces: np.ndarray, reduction: float
) -> tuple[np.ndarray, np.ndarray]:
    """Decimate one region, retrying fixed feature angles if a non-manifold edge appears.

    vtkDecimatePro can, rarely, leave an edge shared by more than two triangles; a region is
    accepted only if every interior edge has exactly two triangles.
    """
    for angle in (45.0, 30.0, 75.0):
        dv, df = _decimate_keep_boundary(verts, faces, reduction, angle)
        edges = np.sort(np.concatenate([df[:, [0, 1]], df[:, [1, 2]], df[:, [2, 0]]]), axis=1)
        _, counts = np.unique(edges, axis=0, return_counts=True)
        if counts.max() <= 2:
            return dv, df
    raise RuntimeError("could not decimate a skin region without non-manifold edges")
