"""Muscle vertices that the voxel build leaves inside a bone are put back on its surface.

Muscles are lofted on a lattice and smoothed, then decimated (lod.py); where a muscle lies on
a thin edge of bone (the tip of a transverse process, the pelvic brim) a few of its vertices end
up 1-2.5 mm inside the bone. In any posture the viewer moves vertices it finds inside a bone
back out (``PostureModel.push_out``), so those vertices jumped ~2 mm in every pose but standing:
on the decimated mesh a sliver edge of 0.5 mm next to the L4 transverse-process tip was stretched
eight-fold in a 25-degree anterior pelvic tilt (the iliocostalis "tear" once the processes had
their population span). Clearing the meshes here makes the standing atlas what a pose starts
from: the viewer then only undoes penetration that a pose itself causes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import trimesh

#: how far outside the bone a cleared vertex is put (mm); the viewer's push-out margin
#: (viewer.domain.posture.PUSH_MARGIN_MM), so a vertex it would push stays where it is
CLEAR_MM = 0.5
#: rounds over all bones (a vertex put out of one bone may land in the next)
PASSES = 3


def _implicit(mesh: trimesh.Trimesh) -> Any:
    """VTK signed distance to a closed bone surface (negative inside)."""
    from vtkmodules.vtkFiltersCore import vtkImplicitPolyDataDistance

    from tools.atlas_build.writer import mesh_to_polydata

    f = vtkImplicitPolyDataDistance()
    f.SetInput(mesh_to_polydata(mesh))
    return f


class BoneClearance:
    """Signed distance to each bone, built once and shared by every muscle of the build."""

    def __init__(self, bones: Mapping[str, trimesh.Trimesh]) -> None:
        self._bones = {b: bones[b] for b in sorted(bones)}
        self._implicit: dict[str, Any] = {}

    def _distance(self, bone: str) -> Any:
        found = self._implicit.get(bone)
        if found is None:
            found = _implicit(self._bones[bone])
            self._implicit[bone] = found
        return found

    def clear(self, mesh: trimesh.Trimesh, margin: float = CLEAR_MM) -> tuple[trimesh.Trimesh, int]:
        """``mesh`` with every vertex inside a bone moved to ``margin`` mm outside it, along
        the line to its closest point on that bone (the face it entered by: the penetration is
        shallower than any bone is thick). Returns the mesh and the number of vertices moved;
        faces and vertex order are kept."""
        p = np.array(mesh.vertices, dtype=np.float64)
        moved = np.zeros(len(p), dtype=bool)
        # a second pass catches a vertex cleared of one bone into its neighbour (the closed
        # sacroiliac joint under piriformis)
        for _ in range(PASSES):
            if not self._pass(p, moved, margin):
                break
        if not moved.any():
            return mesh, 0
        return trimesh.Trimesh(p, np.asarray(mesh.faces), process=False), int(moved.sum())

    def _pass(self, p: np.ndarray, moved: np.ndarray, margin: float) -> bool:
        """Clear ``p`` (in place) of each bone once, in bone-id order; any vertex moved?"""
        from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy

        any_moved = False
        for bone, bm in self._bones.items():
            lo, hi = bm.bounds[0] - 1.0, bm.bounds[1] + 1.0
            sel = np.flatnonzero(np.all((p > lo) & (p < hi), axis=1))
            if not len(sel):
                continue
            f = self._distance(bone)
            out = numpy_to_vtk(np.zeros(len(sel)))
            f.FunctionValue(numpy_to_vtk(np.ascontiguousarray(p[sel])), out)
            d = np.asarray(vtk_to_numpy(out), dtype=np.float64)
            for i in sel[d < 0.0]:
                cp = [0.0, 0.0, 0.0]
                f.EvaluateFunctionAndGetClosestPoint(p[i], cp)
                c = np.asarray(cp, dtype=np.float64)
                out_dir = c - p[i]
                length = float(np.linalg.norm(out_dir))
                if length < 1e-9:
                    g = [0.0, 0.0, 0.0]
                    f.EvaluateGradient(p[i], g)
                    out_dir, length = np.asarray(g, dtype=np.float64), 1.0
                p[i] = c + margin * out_dir / max(length, 1e-12)
                moved[i] = True
                any_moved = True
        return any_moved
