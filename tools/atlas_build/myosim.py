"""Read the composed myo-sim full-body model: bone meshes, sites and tendon via-point lists.

myo-sim (Apache-2.0) gives one consistent skeleton pose and every muscle's line of action in a
single frame (metres, LPS). We compile it once, run ``mj_forward`` at the neutral pose and read
world positions; nothing here depends on the atlas frame.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import trimesh

#: myo-sim mesh-geom mesh names -> contract bone ids (only the bones this atlas shows).
MYOSIM_BONE_MESHES: dict[str, str] = {
    "thoracic12_s": "vertebra_t12",
    "lumbar1": "vertebra_l1",
    "lumbar2": "vertebra_l2",
    "lumbar3": "vertebra_l3",
    "lumbar4": "vertebra_l4",
    "lumbar5": "vertebra_l5",
    "sacrum": "sacrum",
    "r_pelvis": "hip_bone_right",
    "l_pelvis": "hip_bone_left",
    "r_femur": "femur_right",
    "l_femur": "femur_left",
}

#: further myo-sim meshes read for the skeleton stage (not atlas bones themselves)
EXTRA_MESHES: tuple[str, ...] = ("ribcage_s",)

_WRAP_SITE = 3  # mujoco.mjtWrap.mjWRAP_SITE


@dataclass(frozen=True)
class MyoSkeleton:
    """Neutral-pose snapshot of the myo-sim model, in myo-sim world metres (LPS).

    ``meshes`` is keyed by the mesh's own base name (``lumbar1``, ``r_pelvis`` ...), ``mesh_body``
    gives the body each mesh geom hangs on, ``body_pos`` every body's world origin.
    """

    meshes: dict[str, trimesh.Trimesh]
    mesh_body: dict[str, str]
    sites: dict[str, np.ndarray]
    site_body: dict[str, str]
    tendons: dict[str, list[str]]
    body_pos: dict[str, np.ndarray]
    body_mat: dict[str, np.ndarray]
    body_parent: dict[str, str]


def _mesh_base_name(mesh_name: str) -> str:
    """Strip myo-sim's composition prefixes (``torso_geom_1_thoracic12_s`` -> ``thoracic12_s``)."""
    for base in (*MYOSIM_BONE_MESHES, *EXTRA_MESHES):
        if mesh_name == base or mesh_name.endswith("_" + base):
            return base
    return mesh_name


@lru_cache(maxsize=1)
def load_myosim() -> MyoSkeleton:
    """Compose ``myofullbody``, compile it, run forward kinematics and read the geometry.

    Cached because compiling takes about a second and several stages need the same snapshot.
    """
    import mujoco
    from myo_sim.build.compose import build_spec

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        spec = build_spec("myofullbody")
        model = spec.compile()
    data = mujoco.MjData(model)
    mujoco.mj_forward(model, data)

    def name(obj: int, i: int) -> str:
        return mujoco.mj_id2name(model, obj, i) or f"{obj}_{i}"

    body_name = [name(mujoco.mjtObj.mjOBJ_BODY, i) for i in range(model.nbody)]
    meshes: dict[str, trimesh.Trimesh] = {}
    mesh_body: dict[str, str] = {}
    for g in range(model.ngeom):
        if model.geom_type[g] != mujoco.mjtGeom.mjGEOM_MESH:
            continue
        mid = int(model.geom_dataid[g])
        base = _mesh_base_name(name(mujoco.mjtObj.mjOBJ_MESH, mid))
        if base not in MYOSIM_BONE_MESHES and base not in EXTRA_MESHES:
            continue
        va, vn = int(model.mesh_vertadr[mid]), int(model.mesh_vertnum[mid])
        fa, fn = int(model.mesh_faceadr[mid]), int(model.mesh_facenum[mid])
        local = np.asarray(model.mesh_vert[va : va + vn], dtype=np.float64)
        faces = np.asarray(model.mesh_face[fa : fa + fn], dtype=np.int64)
        rot = np.asarray(data.geom_xmat[g], dtype=np.float64).reshape(3, 3)
        world = local @ rot.T + np.asarray(data.geom_xpos[g], dtype=np.float64)
        meshes[base] = trimesh.Trimesh(world, faces, process=True)
        mesh_body[base] = body_name[int(model.geom_bodyid[g])]

    sites: dict[str, np.ndarray] = {}
    site_body: dict[str, str] = {}
    site_name = [name(mujoco.mjtObj.mjOBJ_SITE, i) for i in range(model.nsite)]
    for i, sname in enumerate(site_name):
        sites[sname] = np.array(data.site_xpos[i], dtype=np.float64)
        site_body[sname] = body_name[int(model.site_bodyid[i])]

    tendons: dict[str, list[str]] = {}
    for t in range(model.ntendon):
        adr, num = int(model.tendon_adr[t]), int(model.tendon_num[t])
        tendons[name(mujoco.mjtObj.mjOBJ_TENDON, t)] = [
            site_name[int(model.wrap_objid[k])]
            for k in range(adr, adr + num)
            if int(model.wrap_type[k]) == _WRAP_SITE
        ]

    body_pos = {body_name[i]: np.array(data.xpos[i], dtype=np.float64) for i in range(model.nbody)}
    body_mat = {
        body_name[i]: np.array(data.xmat[i], dtype=np.float64).reshape(3, 3)
        for i in range(model.nbody)
    }
    body_parent = {body_name[i]: body_name[int(model.body_parentid[i])] for i in range(model.nbody)}
    return MyoSkeleton(
        meshes, mesh_body, sites, site_body, tendons, body_pos, body_mat, body_parent
    )
