"""Assemble the atlas skeleton from GIAS3 (pelvis, sacrum, femur) and myo-sim (vertebrae, sites).

Steps (all first in "myo-sim millimetres", i.e. myo-sim world x 1000, then shifted to the atlas
origin):

1. Evaluate the GIAS3 mean pelvis, split it into left/right hip bone and sacrum (three closed
   components), register the two hip bones onto myo-sim's hip bones (similarity ICP).
2. Make it exactly bilateral: find the pelvis's own mirror plane, move it onto myo-sim's
   midline, and replace the right hip bone by the mirror image of the left one.
3. Hip-joint centres: sphere fit of the left acetabulum (right by mirroring); the atlas origin
   is their midpoint.
4. Femur: GIAS3 left mean femur, rigid ICP onto myo-sim's left femur at the pelvis's scale,
   head (sphere fit) moved into the acetabulum centre; right femur by mirroring.
5. Sacrum: GIAS3's own; myo-sim's sacrum is rigidly registered onto it to move sacral sites.
6. Vertebrae L5..T12: myo-sim shapes, refined (subdivision + Taubin smoothing), brought to
   published adult size (vertebra_size.py), re-seated on the S1 endplate with a standing
   lordosis (spine.py).
7. Facet joints closed by a local deformation of the arches (facets.py).
8. Every myo-sim site moves with the transform of its body (or nearest ancestor body with
   one): pelvis - none, sacrum, lumbar1..5, torso (follows T12), femur_l/r; sites of a
   vertebra's body (of ``torso``: only those near T12) first follow its resizing.
"""

from __future__ import annotations

import logging

import numpy as np
import trimesh

from tools.atlas_build import gias
from tools.atlas_build.facets import close_facets
from tools.atlas_build.landmarks import compute_landmarks
from tools.atlas_build.meshutil import (
    dense_points,
    fit_cup_sphere,
    icp,
    mirror_x,
    refine_smooth,
    rigid,
    rotation_about,
    similarity_scale,
    transform_points,
)
from tools.atlas_build.myosim import MyoSkeleton, load_myosim
from tools.atlas_build.pose import hip_angles, neutral_rotation, pelvis_frame, spinopelvic
from tools.atlas_build.skeleton import Skeleton
from tools.atlas_build.spine import (
    LEVELS,
    s1_endplate,
    sagittal_tilt,
    stack_column,
    vertebra_frame,
)
from tools.atlas_build.vertebra_size import MORPHOMETRY, open_canal, resize

LOG = logging.getLogger("build_atlas.skeleton")
MM = 1000.0
GRID_PELVIS = 10
GRID_FEMUR = 14
VERTEBRA_IDS = {
    "thoracic12_s": "vertebra_t12",
    "lumbar1": "vertebra_l1",
    "lumbar2": "vertebra_l2",
    "lumbar3": "vertebra_l3",
    "lumbar4": "vertebra_l4",
    "lumbar5": "vertebra_l5",
}
#: myo-sim body that carries each re-seated vertebra mesh
VERTEBRA_BODY = {
    "thoracic12_s": "torso",
    "lumbar1": "lumbar1",
    "lumbar2": "lumbar2",
    "lumbar3": "lumbar3",
    "lumbar4": "lumbar4",
    "lumbar5": "lumbar5",
}


def _mm(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """myo-sim mesh in millimetres."""
    return trimesh.Trimesh(np.asarray(mesh.vertices) * MM, np.asarray(mesh.faces), process=False)


def _apply(mesh: trimesh.Trimesh, mat: np.ndarray) -> trimesh.Trimesh:
    """Transformed copy (faces re-wound if the transform mirrors)."""
    faces = np.asarray(mesh.faces)
    if np.linalg.det(mat[:3, :3]) < 0:
        faces = faces[:, ::-1]
    return trimesh.Trimesh(transform_points(mesh.vertices, mat), faces.copy(), process=False)


def _outward(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """Ensure consistent outward winding."""
    trimesh.repair.fix_normals(mesh)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def _mirror_plane(points: np.ndarray, x_mid: float) -> tuple[np.ndarray, float]:
    """Mirror plane (unit normal n, offset d: n.x = d) of a nearly bilateral point set."""
    refl = np.diag([-1.0, 1.0, 1.0, 1.0])
    refl[0, 3] = 2.0 * x_mid
    t, _ = icp(transform_points(points, refl), points, np.eye(4), with_scale=False)
    lin = (t @ refl)[:3, :3]
    w, vec = np.linalg.eig(lin)
    n = np.real(vec[:, int(np.argmin(np.real(w)))])
    n = n / np.linalg.norm(n)
    if n[0] < 0:
        n = -n
    return n, float((t @ refl)[:3, 3] @ n / 2.0)


def _register_pelvis(myo: MyoSkeleton) -> tuple[dict[str, trimesh.Trimesh], float, float]:
    """GIAS3 hip bones + sacrum registered and symmetrised in myo-sim mm.

    Returns the bones, the registration scale and the mirror plane's x (myo-sim midline).
    """
    nodes, elements = gias.load_model(*gias.PELVIS)
    pelvis, _ = gias.evaluate(nodes, elements, GRID_PELVIS)
    comps = sorted(
        pelvis.split(only_watertight=False), key=lambda c: float(c.vertices[:, 0].mean())
    )
    if len(comps) != 3:
        raise RuntimeError(f"GIAS3 pelvis: expected 3 closed parts, got {len(comps)}")
    low_x, sacrum, high_x = comps
    targets = [_mm(myo.meshes["l_pelvis"]), _mm(myo.meshes["r_pelvis"])]
    dst = np.vstack([dense_points(t, 4.0) for t in targets])
    src = np.vstack([high_x.vertices, low_x.vertices])
    init = np.eye(4)
    s0 = np.sqrt(
        ((dst - dst.mean(0)) ** 2).sum(1).mean() / ((src - src.mean(0)) ** 2).sum(1).mean()
    )
    init[:3, :3] *= s0
    init[:3, 3] = dst.mean(0) - s0 * src.mean(0)
    mat, rms = icp(src, dst, init)
    LOG.info("pelvis ICP: rms %.2f mm, scale %.3f", rms, similarity_scale(mat))
    left = _apply(high_x, mat)
    if left.vertices[:, 0].mean() < _apply(low_x, mat).vertices[:, 0].mean():
        raise RuntimeError("GIAS3 pelvis: left/right identification failed")
    right = _apply(low_x, mat)
    sac = _apply(sacrum, mat)
    # symmetrise: rotate the pelvis's own mirror plane onto x = x_mid
    x_mid = float(0.5 * (myo.body_pos["femur_l"][0] + myo.body_pos["femur_r"][0]) * MM)
    n, d = _mirror_plane(np.vstack([left.vertices, right.vertices]), x_mid)
    axis = np.cross(n, [1.0, 0.0, 0.0])
    angle = float(np.arcsin(min(1.0, float(np.linalg.norm(axis)))))
    rot = rotation_about(axis, angle) if angle > 1e-9 else np.eye(3)
    centre = np.vstack([left.vertices, right.vertices]).mean(axis=0)
    on_plane = centre - (centre @ n - d) * n
    align = rigid(rot, on_plane, np.array([x_mid - on_plane[0], 0.0, 0.0]))
    left, right, sac = _apply(left, align), _apply(right, align), _apply(sac, align)
    mirrored = mirror_x(left, x_mid)
    from scipy.spatial import cKDTree

    asym = cKDTree(mirrored.vertices).query(right.vertices)[0]
    LOG.info(
        "pelvis mirror plane tilt %.2f deg, offset %.1f mm; right vs mirrored left: mean %.2f, "
        "max %.2f mm (right replaced by mirrored left)",
        np.degrees(angle),
        on_plane[0] - x_mid,
        asym.mean(),
        asym.max(),
    )
    # the mean sacrum is slightly off the hip bones' mirror plane: put its own plane on it
    sn, sd = _mirror_plane(np.asarray(sac.vertices), x_mid)
    s_axis = np.cross(sn, [1.0, 0.0, 0.0])
    s_angle = float(np.arcsin(min(1.0, float(np.linalg.norm(s_axis)))))
    s_rot = rotation_about(s_axis, s_angle) if s_angle > 1e-9 else np.eye(3)
    s_centre = np.asarray(sac.vertices).mean(axis=0)
    s_on = s_centre - (s_centre @ sn - sd) * sn
    sac = _apply(sac, rigid(s_rot, s_on, np.array([x_mid - s_on[0], 0.0, 0.0])))
    LOG.info(
        "sacrum centred: mirror plane tilt %.2f deg, offset %.1f mm",
        np.degrees(s_angle),
        s_on[0] - x_mid,
    )
    bones = {
        "hip_bone_left": _outward(left),
        "hip_bone_right": _outward(mirrored),
        "sacrum": _outward(sac),
    }
    return bones, similarity_scale(mat), x_mid


def _twelfth_rib(myo: MyoSkeleton, x_mid: float) -> trimesh.Trimesh | None:
    """Left 12th rib cut out of myo-sim's rib cage (myo-sim mm), or None if not separable.

    The rib cage mesh is a set of closed pieces; the ribs are the small bilateral pieces, and
    the 12th pair is the one whose highest point is lowest. Quadratus lumborum inserts on it.
    """
    if "ribcage_s" not in myo.meshes:
        return None
    cage = _mm(myo.meshes["ribcage_s"])
    pieces = [
        p
        for p in cage.split(only_watertight=False)
        if p.is_watertight
        and 30 <= len(p.vertices) <= 150
        and np.ptp(p.vertices[:, 0]) > 30.0
        and p.vertices[:, 0].mean() > x_mid
    ]
    if not pieces:
        return None
    return min(pieces, key=lambda p: float(p.vertices[:, 2].max()))


def _seat_rib(rib: trimesh.Trimesh, t12: trimesh.Trimesh, gap: float = 1.0) -> np.ndarray:
    """Translation that brings the rib's medial end (head) onto T12, ``gap`` mm away.

    In myo-sim the 12th rib's head floats about 12 mm above T12's costal facet, and the
    quadratus lumborum insertion sites lie about as far below the rib; seating the head closes
    both gaps.
    """
    v = np.asarray(rib.vertices)
    head = v[int(np.argmin(np.abs(v[:, 0])))]
    tv = np.asarray(t12.vertices)
    target = tv[int(np.argmin(np.linalg.norm(tv - head, axis=1)))]
    away = head - target
    return np.asarray(target - head + gap * away / max(float(np.linalg.norm(away)), 1e-9))


def _move_sites_near(
    sites: dict[str, np.ndarray],
    site_body: dict[str, str],
    mesh: trimesh.Trimesh,
    shift: np.ndarray,
    body: str,
    radius: float = 15.0,
) -> None:
    """Translate the sites of ``body`` lying within ``radius`` mm of ``mesh`` by ``shift``."""
    from scipy.spatial import cKDTree

    tree = cKDTree(np.asarray(mesh.vertices))
    for name in sorted(sites):
        if site_body[name] == body and tree.query(sites[name])[0] < radius:
            sites[name] = sites[name] + shift


def _promontory(sacrum: trimesh.Trimesh, s1_c: np.ndarray, s1_n: np.ndarray) -> np.ndarray:
    """Anterior rim of the S1 endplate in the midline: the sacral promontory."""
    v = np.asarray(sacrum.vertices)
    ant = np.array([0.0, -1.0, 0.0])
    ant = ant - (ant @ s1_n) * s1_n
    ant = ant / np.linalg.norm(ant)
    d = v - s1_c
    sel = (np.abs(d[:, 0]) < 4.0) & (np.abs(d @ s1_n) < 6.0) & (np.linalg.norm(d, axis=1) < 35.0)
    return np.array(v[sel][int(np.argmax(d[sel] @ ant))], dtype=np.float64)


def _neutral_hips(
    bones: dict[str, trimesh.Trimesh],
    sites: dict[str, np.ndarray],
    site_root: dict[str, str],
    landmarks: dict[str, np.ndarray],
) -> dict[str, float]:
    """Turn both femurs (and every site carried by them) into anatomical position (pose.py).

    The left femur is turned about its hip centre; the right one is its mirror image, so the
    right rotation is the mirrored left one. Sites fixed to the femur or the leg below it turn
    with it (they used to be only translated, so they could not follow a rotation).
    """
    frame = pelvis_frame(landmarks)
    hip_l = np.asarray(landmarks["hip_centre_left"], dtype=np.float64)
    before = hip_angles(bones["femur_left"], hip_l, frame, "left")
    rot_l = neutral_rotation(bones["femur_left"], hip_l, frame, "left")
    mir = np.diag([-1.0, 1.0, 1.0])
    rot_r = mir @ rot_l @ mir
    hip_r = hip_l * [-1.0, 1.0, 1.0]
    for side, rot, hip, root in (
        ("left", rot_l, hip_l, "femur_l"),
        ("right", rot_r, hip_r, "femur_r"),
    ):
        mesh = bones[f"femur_{side}"]
        mesh.vertices = (np.asarray(mesh.vertices) - hip) @ rot.T + hip
        for name in sorted(sites):
            if site_root[name] == root:
                sites[name] = (sites[name] - hip) @ rot.T + hip
    after = hip_angles(bones["femur_left"], hip_l, frame, "left")
    LOG.info(
        "hip pose: flexion %.1f -> %.1f, adduction %.1f -> %.1f, "
        "external rotation %.1f -> %.1f deg",
        before.flexion,
        after.flexion,
        before.adduction,
        after.adduction,
        before.external_rotation,
        after.external_rotation,
    )
    return {
        "hip_flexion": after.flexion,
        "hip_adduction": after.adduction,
        "hip_external_rotation": after.external_rotation,
        "hip_flexion_before": before.flexion,
        "hip_external_rotation_before": before.external_rotation,
    }


def _open_canals(
    bones: dict[str, trimesh.Trimesh],
    sites: dict[str, np.ndarray],
    on_vertebra: dict[str, str],
    placed: dict[str, np.ndarray],
) -> None:
    """Open each vertebra's canal to its published width (vertebra_size.open_canal), in place.

    Done after the facet joints are closed on the arches as resized, so the sacrum's share of
    the L5-S1 closure does not depend on the pedicles: moving L5's pedicles (and the arch just
    behind them, where its inferior articular processes begin) changed that share, reshaped
    the sacrum's superior articular processes by up to 2.7 mm and rebuilt every muscle on the
    sacrum (piriformis then ended 0.37 mm inside the ilium). Each vertebra is opened in its
    own (myo-sim) place, where it is upright, and its sites follow the same map; the caller
    closes the joints again with the sacrum held fixed.
    """
    for lv, mat in placed.items():
        bone_id = VERTEBRA_IDS[lv]
        inv = np.linalg.inv(mat)
        local, step = open_canal(_apply(bones[bone_id], inv), MORPHOMETRY[bone_id.split("_")[1]])
        out = _apply(local, mat)
        out.metadata["source"] = bones[bone_id].metadata.get("source", "myo-sim")
        bones[bone_id] = out
        for name in sorted(n for n, level in on_vertebra.items() if level == lv):
            sites[name] = transform_points(step(transform_points(sites[name], inv)), mat)


def assemble_skeleton() -> Skeleton:
    """Build the full skeleton (see module docstring)."""
    myo = load_myosim()
    pel, scale, x_mid = _register_pelvis(myo)
    # --- hip centres (acetabulum sphere fit on the left, mirrored to the right)
    guess = myo.body_pos["femur_l"] * MM
    hip_l, r_acet, mask = fit_cup_sphere(pel["hip_bone_left"], guess, 25.0, concave=True)
    hip_r = hip_l * [-1.0, 1.0, 1.0] + [2.0 * x_mid, 0.0, 0.0]
    LOG.info(
        "acetabulum: r %.1f mm from %d vertices; moved %.1f mm from myo-sim hip centre",
        r_acet,
        int(mask.sum()),
        float(np.linalg.norm(hip_l - guess)),
    )
    origin = 0.5 * (hip_l + hip_r)
    # --- femur
    nodes, elements = gias.load_model(*gias.FEMUR_LEFT)
    femur, _ = gias.evaluate(nodes, elements, GRID_FEMUR)
    f_dst = dense_points(_mm(myo.meshes["l_femur"]), 4.0)
    f_src = np.asarray(femur.vertices)
    init = np.eye(4)
    init[:3, :3] *= scale
    init[:3, 3] = f_dst.mean(0) - scale * f_src.mean(0)
    f_mat, f_rms = icp(f_src, f_dst, init, fixed_scale=scale)
    femur_l = _apply(femur, f_mat)
    head, r_head, _ = fit_cup_sphere(femur_l, guess, 22.0, concave=False)
    shift_l = hip_l - head
    femur_l.vertices = femur_l.vertices + shift_l
    LOG.info(
        "femur ICP rms %.2f mm; head r %.1f mm, seated by %s mm",
        f_rms,
        r_head,
        np.round(shift_l, 1),
    )
    femur_r = mirror_x(femur_l, x_mid)
    shift_r = shift_l * [-1.0, 1.0, 1.0]
    # --- sacrum: move myo-sim's sacrum (and its sites) onto GIAS3's
    s_src = dense_points(_mm(myo.meshes["sacrum"]), 4.0)
    s_mat, s_rms = icp(s_src, np.asarray(pel["sacrum"].vertices), np.eye(4), with_scale=False)
    s_centre = s_src.mean(axis=0)
    LOG.info(
        "sacrum rigid ICP rms %.2f mm, myo-sim sacrum centre moved by %s mm",
        s_rms,
        np.round(transform_points(s_centre, s_mat) - s_centre, 1),
    )
    # --- vertebrae
    verts_mm = {lv: _mm(myo.meshes[lv]) for lv in LEVELS}
    l5 = vertebra_frame(_apply(verts_mm["lumbar5"], s_mat))
    s1_c, s1_n, _ = s1_endplate(pel["sacrum"], l5.inferior, l5.up)
    s1_c[0] = x_mid  # exactly midline (the sacrum was centred on the mirror plane)
    # refine, then resize each vertebra to published size in its own (myo-sim) place
    from scipy.spatial import cKDTree

    t12_tree = cKDTree(np.asarray(verts_mm["thoracic12_s"].vertices))  # before resizing
    resize_map = {}
    for lv in LEVELS:
        level = VERTEBRA_IDS[lv].split("_")[1]
        before = vertebra_frame(verts_mm[lv])
        verts_mm[lv], resize_map[lv] = resize(refine_smooth(verts_mm[lv]), MORPHOMETRY[level])
        LOG.info(
            "%s resized: body height %.1f -> %.1f mm",
            level,
            before.height,
            vertebra_frame(verts_mm[lv]).height,
        )
    col = stack_column(verts_mm, s1_c, s1_n)
    LOG.info("S1 endplate: sacral slope %.1f deg", np.degrees(sagittal_tilt(s1_n)))
    # --- per-body site transforms
    body_tf: dict[str, np.ndarray] = {"sacrum": s_mat}
    for lv in LEVELS:
        body_tf[VERTEBRA_BODY[lv]] = col[lv]
    tl, tr = np.eye(4), np.eye(4)
    tl[:3, 3], tr[:3, 3] = shift_l, shift_r
    body_tf["femur_l"], body_tf["femur_r"] = tl, tr
    to_atlas = np.eye(4)
    to_atlas[:3, 3] = -origin

    def body_root(body: str) -> str:
        b = body
        while b not in body_tf and b in myo.body_parent and myo.body_parent[b] != b:
            b = myo.body_parent[b]
        return b

    def body_transform(body: str) -> np.ndarray:
        return body_tf.get(body_root(body), np.eye(4))

    on_vertebra: dict[str, str] = {}  # site -> level, for sites that follow a vertebra

    def resized(name: str, p: np.ndarray) -> np.ndarray:
        """A site of a vertebra's body follows the vertebra's resizing (torso: near T12 only)."""
        root = body_root(myo.site_body[name])
        for lv in LEVELS:
            if VERTEBRA_BODY[lv] != root:
                continue
            if root == "torso" and t12_tree.query(p)[0] > 20.0:
                return p
            on_vertebra[name] = lv
            return np.asarray(resize_map[lv](p), dtype=np.float64)
        return p

    sites = {
        name: transform_points(
            resized(name, p * MM), to_atlas @ body_transform(myo.site_body[name])
        )
        for name, p in myo.sites.items()
    }
    site_root = {name: body_root(myo.site_body[name]) for name in myo.sites}
    bones: dict[str, trimesh.Trimesh] = {}
    for bone_id, mesh in (*pel.items(), ("femur_left", femur_l), ("femur_right", femur_r)):
        out = _outward(_apply(mesh, to_atlas))
        out.metadata["source"] = "gias3"
        bones[bone_id] = out
    axes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for lv in LEVELS:
        placed = to_atlas @ col[lv]
        out = _outward(_apply(verts_mm[lv], placed))
        out.metadata["source"] = "myo-sim"
        bones[VERTEBRA_IDS[lv]] = out
        fr = vertebra_frame(verts_mm[lv])
        axes[VERTEBRA_IDS[lv].split("_")[1]] = (
            transform_points(fr.centre, placed),
            placed[:3, :3] @ fr.up,
        )
    facet_report = close_facets(bones, sites, site_root)
    _open_canals(bones, sites, on_vertebra, {lv: to_atlas @ col[lv] for lv in LEVELS})
    facet_report = close_facets(bones, sites, site_root, fixed=frozenset({"sacrum"}))
    rib = _twelfth_rib(myo, x_mid)
    if rib is not None:
        rib_l = _outward(_apply(refine_smooth(rib), to_atlas @ col["thoracic12_s"]))
        shift = _seat_rib(rib_l, bones["vertebra_t12"])
        _move_sites_near(sites, myo.site_body, rib_l, shift, "torso")
        _move_sites_near(sites, myo.site_body, mirror_x(rib_l), shift * [-1.0, 1.0, 1.0], "torso")
        rib_l.vertices = rib_l.vertices + shift
        LOG.info("12th rib head seated on T12: moved by %s mm", np.round(shift, 1))
        for rid, mesh in (("rib_12_left", rib_l), ("rib_12_right", _outward(mirror_x(rib_l)))):
            mesh.metadata["source"] = "myo-sim"
            bones[rid] = mesh
    hips = {
        "hip_centre_left": transform_points(hip_l, to_atlas),
        "hip_centre_right": transform_points(hip_r, to_atlas),
    }
    landmarks = compute_landmarks(bones, hips, axes)
    hip_pose = _neutral_hips(bones, sites, site_root, landmarks)
    landmarks = compute_landmarks(bones, hips, axes)
    s1_n_atlas = np.asarray(s1_n, dtype=np.float64)
    sp = spinopelvic(
        transform_points(s1_c, to_atlas),
        s1_n_atlas,
        hips["hip_centre_left"],
        hips["hip_centre_right"],
        axes["l1"][1],
    )
    LOG.info(
        "spinopelvic: PI %.1f, PT %.1f, SS %.1f, L1-S1 lordosis %.1f deg",
        sp.pelvic_incidence,
        sp.pelvic_tilt,
        sp.sacral_slope,
        sp.lumbar_lordosis_l1_s1,
    )
    landmarks["s1_endplate_centre"] = transform_points(s1_c, to_atlas)
    landmarks["sacral_promontory"] = transform_points(
        _promontory(pel["sacrum"], s1_c, s1_n), to_atlas
    )
    pose = {
        "pelvic_incidence": sp.pelvic_incidence,
        "pelvic_tilt": sp.pelvic_tilt,
        "sacral_slope": sp.sacral_slope,
        "lumbar_lordosis_l1_s1": sp.lumbar_lordosis_l1_s1,
        **hip_pose,
        **facet_report,
    }
    return Skeleton(bones, landmarks, sites, dict(myo.site_body), dict(myo.tendons), pose)
