"""Refine the MakeHuman skin so it carries a referral heat map well, within the vertex budget.

The hm08 base mesh is very uneven: head, hands and feet hold about three quarters of its
13.4 k vertices, while trunk and thighs (where referral zones live) have 20-30 mm quads. Two
Loop subdivisions give the trunk ~7 mm edges and a smooth limit-like surface, but would put
~214 k vertices mostly into fingers, toes and face. So we subdivide everything twice and then
decimate only those dense extremities back down, keeping their boundary loops fixed so the
pieces stitch back into one closed surface.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
import trimesh

#: default vertex target for the refined skin (contract allows 50-150 k; atlas <= 400 k tris)
TARGET_VERTICES = 80_000


def extremity_mask(centres: np.ndarray, joints: dict[str, np.ndarray]) -> np.ndarray:
    """Faces (by centre, MakeHuman body in atlas axes) of head, forearms/hands and feet.

    Regions are cut at MakeHuman's own joint markers: above the neck joint, lateral to the
    elbows, below the ankles (+1 cm, so the malleoli stay fine).
    """
    neck_z = joints["neck"][2]
    elbow_x = 0.5 * (abs(joints["l-elbow"][0]) + abs(joints["r-elbow"][0]))
    ankle_z = 0.5 * (joints["l-ankle"][2] + joints["r-ankle"][2]) - 10.0
    return (centres[:, 2] > neck_z) | (np.abs(centres[:, 0]) > elbow_x) | (centres[:, 2] < ankle_z)


def _decimate_keep_boundary(
    vertices: np.ndarray, faces: np.ndarray, reduction: float, feature_angle: float
) -> tuple[np.ndarray, np.ndarray]:
    """Decimate an open patch without touching its boundary vertices (vtkDecimatePro)."""
    patch = pv.PolyData.from_regular_faces(vertices, faces).clean()
    out = patch.decimate_pro(
        reduction,
        preserve_topology=True,
        boundary_vertex_deletion=False,
        feature_angle=feature_angle,
        splitting=False,
    )
    return np.asarray(out.points, dtype=np.float64), np.asarray(out.regular_faces)


def refine_skin(
    mesh: trimesh.Trimesh, joints: dict[str, np.ndarray], target: int = TARGET_VERTICES
) -> trimesh.Trimesh:
    """Loop-subdivide twice, then decimate the extremities so the total is about ``target``.

    Returns a closed, outward-oriented surface. Deterministic (no random sampling anywhere).
    """
    verts, faces = trimesh.remesh.subdivide_loop(mesh.vertices, mesh.faces, iterations=2)
    fine = trimesh.Trimesh(verts, faces, process=False)
    ext = extremity_mask(fine.triangles_center, joints)
    keep_ids = np.unique(faces[~ext])
    ext_ids = np.setdiff1d(np.unique(faces[ext]), keep_ids)
    room = max(target - len(keep_ids), 0.1 * len(ext_ids))
    reduction = float(np.clip(1.0 - room / max(len(ext_ids), 1), 0.0, 0.97))

    # vtkDecimatePro can, rarely, leave a non-manifold edge; try a few fixed feature angles
    for angle in (45.0, 30.0, 75.0):
        dv, df = _decimate_keep_boundary(verts, faces[ext], reduction, angle)
        stitched = pv.PolyData.from_regular_faces(
            np.vstack([verts, dv]), np.vstack([faces[~ext], df + len(verts)])
        ).clean(tolerance=0.0, absolute=True)
        out = trimesh.Trimesh(
            np.asarray(stitched.points, dtype=np.float64),
            np.asarray(stitched.regular_faces),
            process=True,
        )
        if out.is_watertight and out.is_winding_consistent:
            if out.volume < 0:
                out.invert()
            return out
    raise RuntimeError("refined skin is not a closed, consistently oriented surface")
