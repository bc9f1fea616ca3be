"""The muscle stage: every muscle surface of the atlas, both sides, from the skeleton.

Pipeline (right side, then mirrored about x = 0 to make the left side match exactly):
1. fibre layouts per muscle (muscle_fibres.py) from myo-sim sites, landmarks and bone areas;
2. fibres are draped: pushed out of the bones (and out of deeper muscles they lie on) and, where
   the muscle lies flat on a surface, pulled onto it;
3. an implicit field (union of fibre tubes) is smoothed, clamped outside bone and outside deeper
   muscles, and its radius scale is solved so the volume matches the published adult MRI volume
   (annotations/reference/muscle_volumes.json) where one exists;
4. marching cubes, Taubin smoothing and decimation give a closed surface per muscle (psoas is
   split into its upper T12-L2 and lower L2-L5 parts, the lumbar erector spinae into
   iliocostalis and longissimus, by nearest fascicle group); where decimation would pinch a
   handle the field is contoured more coarsely instead, so every surface stays closed. Muscles
   that ask for it have their clefts filled before the split and their strands (parts thinner
   than a given size) cut away after it (the erector spinae's lower ends).

Muscles are built in order from deep to superficial: each later one drapes over and keeps out of
the earlier ones it lies on (e.g. gluteus maximus over medius, minimus and piriformis).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import trimesh

from tools.atlas_build import muscle_fibres as mf
from tools.atlas_build.muscle_ends import attachment_centres, fibre_ends
from tools.atlas_build.muscle_field import (
    BIG,
    BoneField,
    Lattice,
    close_field,
    contour,
    open_field,
    resample_polyline,
    smooth_field,
    tube_field,
)
from tools.atlas_build.muscle_sheet import drape_sheet
from tools.atlas_build.skeleton import Skeleton

LOG = logging.getLogger("build_atlas.muscles")
REPO = Path(__file__).resolve().parents[2]
VOLUMES = REPO / "annotations" / "reference" / "muscle_volumes.json"

H = 1.5  # lattice spacing, mm
BONE_ALLOW = 0.5  # muscle may touch bone up to this depth (mm) at attachments
SHRINK = 1.04  # Taubin smoothing and decimation lose about 4 % of the voxel volume


@dataclass
class MuscleMesh:
    """One muscle surface (atlas frame) and the bones it attaches to."""

    id: str
    mesh: trimesh.Trimesh
    attachments: list[tuple[str, str]]
    #: bone id -> (centroid, count) of the fibre ends on it (muscle_ends.attachment_centres)
    centres: dict[str, tuple[np.ndarray, int]] = field(default_factory=dict)


@dataclass
class _Built:
    """Field of one built muscle on a lattice sub-block."""

    lo: np.ndarray
    field: np.ndarray


def reference_volumes() -> dict[str, float]:
    """Target volumes (ml, one side) from the cited reference file."""
    data = json.loads(VOLUMES.read_text(encoding="utf-8"))
    return {k: float(v["volume_ml"]) for k, v in data["muscles"].items()}


def _lattice(skel: Skeleton) -> Lattice:
    """Lattice over the right half of the region (hip to T12, femur to the ribs)."""
    right = [m for k, m in skel.bones.items() if not k.endswith("_left")]
    lo = np.min([m.bounds[0] for m in right], axis=0)
    hi = np.max([m.bounds[1] for m in right], axis=0)
    lm = skel.landmarks
    lo = np.array([lo[0] - 45.0, lo[1] - 70.0, lm["lesser_trochanter_right"][2] - 130.0])
    hi = np.array([12.0, hi[1] + 70.0, lm["vertebral_body_t12"][2] + 90.0])
    lo = np.floor(lo / H) * H
    shape = tuple(int(v) for v in np.ceil((hi - lo) / H).astype(int) + 1)
    return Lattice(lo, H, shape)  # type: ignore[arg-type]


def _right_context(skel: Skeleton) -> mf.Context:
    return mf.Context(skel.bones, skel.landmarks, skel.sites, skel.tendons, dict(skel.site_body))


def _embed(lat: Lattice, built: _Built, lo: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A built field resampled onto another sub-block (BIG where it was not computed)."""
    out = np.full(shape, BIG, dtype=np.float32)
    a0 = np.maximum(lo, built.lo)
    a1 = np.minimum(lo + np.array(shape), built.lo + np.array(built.field.shape))
    if np.any(a1 <= a0):
        return out
    dst = tuple(slice(int(a0[i] - lo[i]), int(a1[i] - lo[i])) for i in range(3))
    src = tuple(slice(int(a0[i] - built.lo[i]), int(a1[i] - built.lo[i])) for i in range(3))
    out[dst] = built.field[src]
    return out


class _Support:
    """Distance to what a muscle lies on: bone, optionally with deeper muscles."""

    def __init__(self, bone: BoneField, extra: list[_Built]) -> None:
        self.bone = bone
        if not extra:
            self.sdf, self.grad = bone.sdf, bone.grad
            return
        sdf = bone.sdf.copy()
        for b in extra:
            sl = tuple(slice(int(b.lo[i]), int(b.lo[i] + b.field.shape[i])) for i in range(3))
            sdf[sl] = np.minimum(sdf[sl], b.field)
        self.sdf = sdf
        self.grad = [g.astype(np.float32) for g in np.gradient(sdf, bone.lat.h)]

    def dist(self, p: np.ndarray) -> np.ndarray:
        return self.bone.sample(p, self.sdf)

    def normal(self, p: np.ndarray) -> np.ndarray:
        g = np.stack([self.bone.sample(p, gi) for gi in self.grad], axis=1)
        return g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-9)


def _drape(
    fibre: mf.Fibre, scale: float, sup: _Support, clearance: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Fibre centre line lifted out of what lies beneath it (and pulled onto it where flat).

    ``clearance`` keeps that many mm between the fibre and its support where the fibre does
    not hug it (none at hugged attachments). Returns points every 2 mm and their arc-length
    fraction.
    """
    p, s = resample_polyline(mf.control_path(fibre), 2.0)
    r = np.interp(s, *fibre.radius) * scale
    w = np.interp(s, *fibre.hug)
    for _ in range(30):
        d = sup.dist(p)
        n = sup.normal(p)
        want = r * 0.85 + clearance * (1.0 - w)
        delta = np.where(d < want, want - d, w * (want - d))
        delta[0] = delta[-1] = 0.0
        p = p + 0.6 * delta[:, None] * n
        p[1:-1] = 0.5 * p[1:-1] + 0.25 * (p[:-2] + p[2:])
    return p, s


def _tubes(
    fibres: list[mf.Fibre],
    scale: float,
    sup: _Support,
    step: float,
    clearance: float = 0.0,
    sheet: float = 0.0,
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Dense sphere centres and radii of every fibre: (centres, radii, group).

    With ``sheet`` > 0 the fibres are draped as one sheet whose lift varies smoothly across
    it over that many mm (muscle_sheet.py) instead of each on its own.
    """
    lines = [_drape(f, scale, sup, clearance) for f in fibres]
    if sheet > 0.0:
        straight, want, hug = [], [], []
        for f, (_, s) in zip(fibres, lines, strict=True):
            straight.append(resample_polyline(mf.control_path(f), 2.0)[0])
            w = np.interp(s, *f.hug)
            want.append(np.interp(s, *f.radius) * scale * 0.85 + clearance * (1.0 - w))
            hug.append(w)
        paths = drape_sheet(straight, [p for p, _ in lines], want, hug, sup.dist, sup.normal, sheet)
        lines = [(p, s) for p, (_, s) in zip(paths, lines, strict=True)]
    out = []
    for f, (p, _) in zip(fibres, lines, strict=True):
        q, s = resample_polyline(p, step)
        out.append((q, np.interp(s, *f.radius) * scale, f.group))
    return out


def _field(
    lat: Lattice,
    bone: BoneField,
    tubes: list[tuple[np.ndarray, np.ndarray, int]],
    sigma: float,
    excl: list[_Built],
    z_cut: float | None = None,
    fill_tunnels: bool = False,
    keep_off: tuple[np.ndarray, float] | None = None,
    midline_gap: float | None = None,
) -> tuple[np.ndarray, tuple[int, ...], np.ndarray]:
    """Clamped, smoothed field of a muscle on its own sub-block.

    ``keep_off`` (surface points, distance in mm) keeps the muscle that far from a bone
    surface it must never touch (e.g. gluteus maximus from the pelvic face of the hip bone).

    With ``z_cut`` the field is cut :data:`CUT_OVERSHOOT_MM` above it; the surface is then cut
    flat at ``z_cut`` itself after smoothing (:func:`_flat_cut`), so smoothing cannot round
    the cut's edge.
    """
    c = np.vstack([t[0] for t in tubes])
    r = np.concatenate([t[1] for t in tubes])
    pad = float(r.max()) + 6.0
    lo, shape = lat.box_for(c.min(axis=0) - pad, c.max(axis=0) + pad)
    f = smooth_field(tube_field(lat, lo, shape, c, r), sigma)
    sl = tuple(slice(int(lo[i]), int(lo[i] + shape[i])) for i in range(3))
    f = np.maximum(f, -(bone.sdf[sl] + BONE_ALLOW))
    for e in excl:
        f = np.maximum(f, -_embed(lat, e, lo, shape) + 0.3)
    if fill_tunnels:
        f = _fill_tunnels(f, bone.sdf[sl], [_embed(lat, e, lo, shape) for e in excl])
    if keep_off is not None:
        f = _keep_off(f, lat, lo, *keep_off)
    if midline_gap is not None:  # right side only: x <= -midline_gap
        x = lat.origin[0] + lat.h * (lo[0] + np.arange(shape[0]))
        f = np.maximum(f, (x + midline_gap)[:, None, None].astype(np.float32))
    if z_cut is not None:
        z = lat.origin[2] + lat.h * (lo[2] + np.arange(shape[2]))
        top = z_cut + CUT_OVERSHOOT_MM
        f = np.maximum(f, (z - top)[None, None, :].astype(np.float32))
    return lo, shape, f


#: A cut muscle's field ends this far (mm) above its cut plane; Taubin smoothing rounds the
#: field's top edge over a few mm (and opening, muscle_field.open_field, by its radius), and
#: the part above the plane is flattened onto it.
CUT_OVERSHOOT_MM = 6.0


def _flat_cut(mesh: trimesh.Trimesh, z_cut: float) -> trimesh.Trimesh:
    """The mesh with everything above ``z_cut`` pressed down onto that plane.

    Where the atlas region ends (the erector spinae and rectus abdominis continue up to the
    ribs, the skeleton stops at T12) the muscle must read as cut: a flat face across its axis
    with a sharp edge. A rounded top reads as a real origin. The field runs
    :data:`CUT_OVERSHOOT_MM` past the plane, so after smoothing its walls still cross the
    plane at full width; the rounded shoulder above is flattened into the cut face (its
    faces become degenerate slivers that decimation removes). The topology is unchanged, so
    the surface stays closed.
    """
    v = np.asarray(mesh.vertices).copy()
    v[:, 2] = np.minimum(v[:, 2], z_cut)
    return trimesh.Trimesh(v, np.asarray(mesh.faces).copy(), process=False)


def _keep_off(
    f: np.ndarray, lat: Lattice, lo: np.ndarray, surface: np.ndarray, dist: float
) -> np.ndarray:
    """The field with everything closer than ``dist`` to the ``surface`` points cut away."""
    from scipy.spatial import cKDTree

    near = (f < 2.0).ravel()
    if not near.any() or not len(surface):
        return f
    pts = lat.points(lo, f.shape)[near]
    d = cKDTree(surface).query(pts, k=1)[0]
    flat = f.ravel().copy()
    flat[near] = np.maximum(flat[near], (dist - d).astype(np.float32))
    return flat.reshape(f.shape)


def _fill_tunnels(f: np.ndarray, bone: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """Close the holes that thin bony processes (transverse, spinous) punch through a muscle.

    A process thinner than about 5 mm passing through a back muscle would give its surface a
    handle; the muscle is closed over it, letting it overlap such thin bone by at most 1 mm.
    """
    from scipy import ndimage

    solid = f < 0
    closed = ndimage.binary_closing(solid, iterations=3)
    g = np.where(closed & ~solid, np.float32(-0.2), f)
    g = np.maximum(g, -(bone + 1.0))
    for o in others:
        g = np.maximum(g, -o + 0.3)
    return g.astype(np.float32)


def _closed(
    f: np.ndarray, lat: Lattice, lo: np.ndarray, bone: BoneField, excl: list[_Built], radius: float
) -> np.ndarray:
    """The field with its clefts narrower than ``2 * radius`` filled, kept out of bone and out
    of the muscles it must not enter (muscle_field.close_field)."""
    if radius <= 0.0:
        return f
    sl = tuple(slice(int(lo[i]), int(lo[i] + f.shape[i])) for i in range(3))
    g = np.maximum(close_field(f, lat.h, radius), -(bone.sdf[sl] + BONE_ALLOW))
    for e in excl:
        g = np.maximum(g, -_embed(lat, e, lo, f.shape) + 0.3)
    return g.astype(np.float32)


#: Opening spares what lies this close to bone (mm) and fades in over as many mm again: a
#: muscle's attachment is a thin footprint on the bone and must stay; strands hanging free
#: beyond it are what the opening removes.
OPEN_KEEP_MM = 6.0


def _opened(
    f: np.ndarray, lat: Lattice, lo: np.ndarray, bone: BoneField, radius: float
) -> np.ndarray:
    """The field with its free strands thinner than ``2 * radius`` cut away, its attachments
    on bone kept (muscle_field.open_field, blended out within :data:`OPEN_KEEP_MM` of bone)."""
    if radius <= 0.0:
        return f
    g = open_field(f, lat.h, radius)
    sl = tuple(slice(int(lo[i]), int(lo[i] + f.shape[i])) for i in range(3))
    w = np.clip((bone.sdf[sl] - OPEN_KEEP_MM) / OPEN_KEEP_MM, 0.0, 1.0)
    return (f + w * (g - f)).astype(np.float32)


def _volume_ml(f: np.ndarray, h: float) -> float:
    return float((f < 0).sum()) * h**3 / 1000.0


def _solve_scale(
    md: mf.MuscleDef,
    lat: Lattice,
    bone: BoneField,
    sup: _Support,
    excl: list[_Built],
    target: float | None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Radius scale giving the target volume (secant on log-log); returns scale, lo, field."""
    scale = 1.0
    lo, _, f = _field(
        lat,
        bone,
        _tubes(md.fibres, scale, sup, 0.5 * lat.h, md.clearance, md.sheet),
        md.sigma,
        excl,
        md.z_cut,
        md.fill_tunnels,
        md.keep_off,
        md.midline_gap,
    )
    if target is None:
        return scale, lo, f
    v = _volume_ml(f, lat.h)
    expo = md.exponent
    for _ in range(4):
        if abs(v / target - 1.0) < md.volume_tol:
            break
        new = scale * (target / v) ** (1.0 / expo)
        new = float(np.clip(new, 0.4, 2.5))
        lo, _, f2 = _field(
            lat,
            bone,
            _tubes(md.fibres, new, sup, 0.5 * lat.h, md.clearance, md.sheet),
            md.sigma,
            excl,
            md.z_cut,
            md.fill_tunnels,
            md.keep_off,
            md.midline_gap,
        )
        v2 = _volume_ml(f2, lat.h)
        if v2 > 0 and v > 0 and abs(np.log(new / scale)) > 1e-3:
            expo = float(np.clip(np.log(v2 / v) / np.log(new / scale), 0.5, 3.0))
        scale, v, f = new, v2, f2
    LOG.info("%s: scale %.2f volume %.0f ml (target %.0f)", md.base, scale, v, target)
    return scale, lo, f


def _partition(
    lat: Lattice,
    lo: np.ndarray,
    f: np.ndarray,
    tubes: list[tuple[np.ndarray, np.ndarray, int]],
    group: int,
    smooth_mm: float = 0.0,
) -> np.ndarray:
    """The part of a field nearer to one fibre group than to the others (psoas parts).

    With ``smooth_mm`` > 0 the signed difference of the two distances is Gaussian-smoothed over
    that many mm before the split, so the boundary between the parts is a smooth surface:
    where fascicles of one group cross those of the other, the union would otherwise be cut
    into interleaved prongs of each part (loose strands at the erector spinae's lower end).
    """
    from scipy.spatial import cKDTree

    pts = lat.points(lo, f.shape)
    mine = np.vstack([t[0] for t in tubes if t[2] == group])
    other = np.vstack([t[0] for t in tubes if t[2] >= 0 and t[2] != group])
    inside = (f < 1.5).ravel()
    d_m = np.full(len(pts), BIG)
    d_o = np.full(len(pts), BIG)
    d_m[inside] = cKDTree(mine).query(pts[inside], k=1)[0]
    d_o[inside] = cKDTree(other).query(pts[inside], k=1)[0]
    split = (d_m - d_o).reshape(f.shape) * 0.5
    if smooth_mm > 0.0:
        from scipy import ndimage

        split = ndimage.gaussian_filter(split, smooth_mm / lat.h, mode="nearest")
    return np.maximum(f, split.astype(np.float32))


def _decimate(mesh: trimesh.Trimesh, max_faces: int) -> trimesh.Trimesh | None:
    """Quadric decimation to about ``max_faces``; None if the result is not a closed manifold."""
    import fast_simplification

    v, fc = fast_simplification.simplify(
        np.asarray(mesh.vertices, dtype=np.float32),
        np.asarray(mesh.faces, dtype=np.int32),
        target_reduction=1.0 - max_faces / len(mesh.faces),
    )
    out = trimesh.Trimesh(np.asarray(v, dtype=np.float64), np.asarray(fc), process=True)
    out.remove_unreferenced_vertices()
    return out if out.is_watertight and out.is_winding_consistent else None


def _finish(
    mesh: trimesh.Trimesh, max_faces: int, z_cut: float | None = None
) -> trimesh.Trimesh | None:
    """Smooth (then cut flat at ``z_cut``, :func:`_flat_cut`) and decimate to a closed,
    outward surface; None if decimation cannot keep it closed (thin handles)."""
    trimesh.smoothing.filter_taubin(mesh, lamb=0.5, nu=-0.53, iterations=12)
    if z_cut is not None:
        mesh = _flat_cut(mesh, z_cut)
    if len(mesh.faces) > max_faces:
        for factor in (1.0, 1.15, 1.35, 1.7):
            dec = _decimate(mesh, int(max_faces * factor))
            if dec is not None:
                mesh = dec
                break
        else:
            return None
    trimesh.repair.fix_normals(mesh)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def _surface(
    f: np.ndarray,
    lat: Lattice,
    lo: np.ndarray,
    max_faces: int,
    open_thin: bool,
    z_cut: float | None = None,
) -> trimesh.Trimesh:
    """Contour, smooth and decimate a field; if decimation breaks the surface (handles), fall
    back to contouring a coarser sampling of the field, which needs no decimation. A muscle
    cut at ``z_cut`` ends there in a flat face (:func:`_flat_cut`)."""
    mesh = _finish(contour(f, lat, lo, open_thin), max_faces, z_cut)
    step = 2
    while mesh is None and step <= 4:
        coarse = Lattice(lat.origin + lat.h * np.asarray(lo), lat.h * step, lat.shape)
        raw = contour(f[::step, ::step, ::step], coarse, np.zeros(3, dtype=int), open_thin)
        mesh = _finish(raw, max_faces, z_cut)
        if mesh is None and step == 4:
            trimesh.smoothing.filter_taubin(raw, lamb=0.5, nu=-0.53, iterations=12)
            mesh = raw if z_cut is None else _flat_cut(raw, z_cut)
        step += 1
    assert mesh is not None
    return mesh


def mirror(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """Mirror a right-side mesh about x = 0 (the atlas mid-sagittal plane)."""
    v = np.asarray(mesh.vertices).copy()
    v[:, 0] *= -1.0
    return trimesh.Trimesh(v, np.asarray(mesh.faces)[:, ::-1].copy(), process=False)


def _faces_for(base: str) -> int:
    """Triangle budget per mesh: about 58 k a side, 116 k for all muscles at full detail."""
    big = {"gluteus_maximus": 9000, "gluteus_medius": 6500, "iliacus": 5000}
    return big.get(base, 3800)


def build_right(
    skel: Skeleton,
) -> tuple[dict[str, trimesh.Trimesh], dict[str, list], dict, dict[str, dict]]:
    """Right-side muscle meshes, their attachments, diagnostics (volumes, scales) and where
    their fibres end on their bones (:func:`~tools.atlas_build.muscle_ends.attachment_centres`)."""
    lat = _lattice(skel)
    LOG.info("muscle lattice %s at %.1f mm", lat.shape, lat.h)
    bone = BoneField(skel.bones, lat)
    ctx = _right_context(skel)
    targets = reference_volumes()
    built: dict[str, _Built] = {}
    meshes: dict[str, trimesh.Trimesh] = {}
    atts: dict[str, list] = {}
    info: dict[str, dict] = {}
    centres: dict[str, dict] = {}
    right_bones = {k: m for k, m in skel.bones.items() if not k.endswith("_left")}

    def ends_on_bones(name: str, fibres: list[mf.Fibre]) -> None:
        on = [(b.format(side="right"), r) for b, r in atts[name]]
        centres[name] = attachment_centres(fibre_ends(f.path for f in fibres), on, right_bones)

    for builder in mf.BUILDERS:
        md = builder(ctx)
        sup = _Support(bone, [built[b] for b in md.support if b in built])
        excl = [built[b] for b in md.exclude if b in built]
        target = targets.get(md.base)
        target = None if target is None else target * (md.shrink or SHRINK)
        scale, lo, f = _solve_scale(md, lat, bone, sup, excl, target)
        f = _closed(f, lat, lo, bone, excl, md.close_radius)
        built[md.base] = _Built(lo, f)
        if md.hidden:  # room for unmodelled muscles: shapes later ones, never shipped
            continue
        info[md.base] = {
            "scale": scale,
            "volume_ml": _volume_ml(f, lat.h),
            "target_ml": targets.get(md.base),
        }
        if md.parts:
            tubes = _tubes(md.fibres, scale, sup, 0.5 * lat.h, md.clearance, md.sheet)
            for part, grp in md.parts.items():
                fp = _partition(lat, lo, f, tubes, grp, md.part_smooth)
                fp = _opened(fp, lat, lo, bone, md.open_radius)
                meshes[part] = _surface(fp, lat, lo, _faces_for(part), md.open_thin, md.z_cut)
                atts[part] = _part_attachments(md, part)
                info[part] = {"volume_ml": _volume_ml(fp, lat.h)}
                ends_on_bones(part, [fb for fb in md.fibres if fb.group == grp])
        else:
            f = _opened(f, lat, lo, bone, md.open_radius)
            meshes[md.base] = _surface(f, lat, lo, _faces_for(md.base), md.open_thin, md.z_cut)
            atts[md.base] = list(md.attachments)
            ends_on_bones(md.base, [fb for fb in md.fibres if fb.group >= 0])
    return meshes, atts, info, centres


def _part_attachments(md: mf.MuscleDef, part: str) -> list[tuple[str, str]]:
    """Attachments of a part: as listed by the muscle, else (psoas) its own vertebrae + femur."""
    if part in md.part_attachments:
        return list(md.part_attachments[part])
    levels = ("t12", "l1", "l2") if part.endswith("upper") else ("l2", "l3", "l4", "l5")
    keep = {f"vertebra_{lev}" for lev in levels}
    return [(b, r) for b, r in md.attachments if b in keep or not b.startswith("vertebra_")]


def build_muscles(skeleton: Skeleton) -> dict[str, MuscleMesh]:
    """Every muscle surface of the contract, both sides (atlas frame, LPS mm)."""
    right, atts, info, ends = build_right(skeleton)
    out: dict[str, MuscleMesh] = {}
    flip = np.array([-1.0, 1.0, 1.0])
    for base in sorted(right):
        mesh = right[base]
        for side, m in (("right", mesh), ("left", mirror(mesh))):
            att = [(b.format(side=side), r) for b, r in atts[base]]
            centres = {
                (b[: -len("_right")] + "_left" if side == "left" and b.endswith("_right") else b): (
                    c * flip if side == "left" else c,
                    n,
                )
                for b, (c, n) in ends.get(base, {}).items()
            }
            out[f"{base}_{side}"] = MuscleMesh(f"{base}_{side}", m, att, centres)
    for k, v in info.items():
        LOG.info("muscle %s: %s", k, {a: round(b, 2) for a, b in v.items() if b is not None})
    return out
