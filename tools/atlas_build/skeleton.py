"""The skeleton stage: bones, landmarks, myo-sim sites and tendon paths in the atlas frame.

Every later stage (muscles, skin) codes against :class:`Skeleton`, so its fields are the stable
interface: ids follow docs/ATLAS_CONTRACT.md, coordinates are LPS millimetres with the origin at
the midpoint of the two hip-joint centres, and every myo-sim site moves rigidly with its bone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import trimesh

from tools.atlas_build.frame import myosim_to_atlas
from tools.atlas_build.myosim import MYOSIM_BONE_MESHES, load_myosim


@dataclass
class Skeleton:
    """Bones and muscle paths of the atlas, all in the atlas frame (LPS, mm).

    Attributes
    ----------
    bones : bone id -> closed, outward-oriented triangle mesh.
    landmarks : contract landmark name (e.g. ``asis_left``) -> (3,) position.
    sites : every myo-sim site name -> (3,) position, after the bone it is fixed to was re-seated.
    site_body : site name -> myo-sim body name the site is fixed to.
    tendons : myo-sim tendon name -> ordered site names (via points in wrap-list order).
    pose : measured pose values (hip angles, spinopelvic parameters, degrees) for the docs.
    """

    bones: dict[str, trimesh.Trimesh]
    landmarks: dict[str, np.ndarray]
    sites: dict[str, np.ndarray]
    site_body: dict[str, str]
    tendons: dict[str, list[str]]
    pose: dict[str, float] = field(default_factory=dict)

    def tendon_path(self, tendon: str) -> np.ndarray:
        """Return the (n, 3) polyline through a tendon's sites, in atlas millimetres."""
        return np.array([self.sites[s] for s in self.tendons[tendon]], dtype=np.float64)


def myosim_hip_mid() -> np.ndarray:
    """Midpoint of myo-sim's two hip-joint centres (femur body origins), myo-sim metres."""
    myo = load_myosim()
    return 0.5 * (myo.body_pos["femur_r"] + myo.body_pos["femur_l"])


def build_skeleton() -> Skeleton:
    """Build the skeleton deterministically (see module docstring for the frame).

    CT-derived GIAS3 hip bones, sacrum and femurs registered onto the myo-sim skeleton, myo-sim
    vertebrae re-seated with a standing lordosis; see :mod:`tools.atlas_build.assemble`.
    """
    from tools.atlas_build.assemble import assemble_skeleton

    return assemble_skeleton()


def build_myosim_skeleton() -> Skeleton:
    """Skeleton from myo-sim alone (coarse bones, neutral pose); the fallback and the reference.

    Used as the registration target for the CT-derived shapes and when they are unavailable.
    """
    from tools.atlas_build.landmarks import compute_landmarks

    myo = load_myosim()
    origin = myosim_hip_mid()
    bones: dict[str, trimesh.Trimesh] = {}
    for base, bone_id in MYOSIM_BONE_MESHES.items():
        mesh = myo.meshes[base]
        out = trimesh.Trimesh(myosim_to_atlas(mesh.vertices, origin), mesh.faces.copy())
        trimesh.repair.fix_normals(out)
        bones[bone_id] = out
    sites = {k: myosim_to_atlas(v, origin) for k, v in myo.sites.items()}
    hips = {
        "hip_centre_right": myosim_to_atlas(myo.body_pos["femur_r"], origin),
        "hip_centre_left": myosim_to_atlas(myo.body_pos["femur_l"], origin),
    }
    landmarks = compute_landmarks(bones, hips)
    return Skeleton(bones, landmarks, sites, dict(myo.site_body), dict(myo.tendons))
