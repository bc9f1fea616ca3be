"""Every muscle and bone stays inside the skin of every body in every preset posture, as the
app draws them (muscles posed, then kept under the posed skin: viewer/domain/skin_envelope.py).

Standing, the build fits each body's skin around everything (tests/test_atlas_skin.py). Posed,
the skin follows MakeHuman's weights and the muscles their own bones, and before the envelope
the tensor fasciae latae came up to 4.4 mm (neutral) and 12.7 mm (female) through the sitting
hip crease. The judge here is independent of the code under test: VTK's signed distance finds
the suspects, and a vertex counts as outside only if the skin's winding number around it is
below one half (exact, also where the posed skin folds through itself at the crease)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from tests.posture_fixtures import MESHES, loaded, model
from viewer.domain.pose import PRESETS
from viewer.domain.posture import PostureModel
from viewer.domain.skin_envelope import SkinEnvelope
from viewer.domain.skinning import skin

POSES = ("sitting_upright", "sitting_slumped", "anterior_tilt", "posterior_tilt")
BODIES = ("neutral", "female", "male")


@cache
def _body(body: str):  # type: ignore[no-untyped-def]
    from viewer.io.atlas_loader import load_atlas

    return loaded() if body == "neutral" else load_atlas(MESHES, body=body)


RAY = np.array([0.5773, -0.3138, 0.7537])
"""The direction the judge's rays run: an irregular one, so no ray from a tested point runs
exactly through a mesh edge or vertex of the skin."""


def winding_number(
    vertices: np.ndarray, triangles: np.ndarray, q: np.ndarray, direction: np.ndarray = RAY
) -> np.ndarray:
    """Winding number of a closed triangle mesh around each point (1 inside, 0 outside, 2 in a
    double layer): the signed count of the faces a ray from the point crosses, +1 where it
    leaves through a face, -1 where it enters. For a closed mesh this is exact, also where the
    surface folds through itself. Faces are binned by their shadow on a plane across the ray,
    so each point tests only the faces in its cell. It replaced the summed solid angles of every
    face (the same numbers on all 3400 suspects of the first six cases, 140 times faster)."""
    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    u = np.cross(d, np.eye(3)[int(np.argmin(np.abs(d)))])
    u /= np.linalg.norm(u)
    v = np.cross(d, u)
    corners = np.asarray(vertices, dtype=np.float64)[np.asarray(triangles)]
    shadow = np.stack([corners @ u, corners @ v], axis=-1)  # (faces, 3, 2)
    lo, hi = shadow.min(axis=1), shadow.max(axis=1)
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    facing = normals @ d
    cell = max(float((hi - lo).max()), 1e-6)  # no face spans more than two cells a side
    origin = lo.min(axis=0)
    first = np.floor((lo - origin) / cell).astype(np.int64)
    last = np.floor((hi - origin) / cell).astype(np.int64)
    width = int(last[:, 1].max()) + 2
    keys, faces = [], []
    for dx in (0, 1):
        for dy in (0, 1):
            spans = (first[:, 0] + dx <= last[:, 0]) & (first[:, 1] + dy <= last[:, 1])
            idx = np.flatnonzero(spans)
            keys.append((first[idx, 0] + dx) * width + first[idx, 1] + dy)
            faces.append(idx)
    key, face = np.concatenate(keys), np.concatenate(faces)
    order = np.argsort(key, kind="stable")
    key, face = key[order], face[order]
    q = np.asarray(q, dtype=np.float64)
    flat = np.stack([q @ u, q @ v], axis=-1)
    cells = np.floor((flat - origin) / cell).astype(np.int64)
    query = cells[:, 0] * width + cells[:, 1]
    begin, end = np.searchsorted(key, query, "left"), np.searchsorted(key, query, "right")
    out = np.zeros(len(q))
    for i in range(len(q)):
        near = face[begin[i] : end[i]]
        if not len(near):
            continue
        a, b, c = (shadow[near, k] for k in range(3))
        s1, s2, s3 = _turn(a, b, flat[i]), _turn(b, c, flat[i]), _turn(c, a, flat[i])
        over = ((s1 >= 0) & (s2 >= 0) & (s3 >= 0)) | ((s1 <= 0) & (s2 <= 0) & (s3 <= 0))
        f = facing[near]
        with np.errstate(divide="ignore", invalid="ignore"):
            ahead = np.einsum("ij,ij->i", normals[near], corners[near, 0] - q[i]) / f
        out[i] = np.sign(f[over & (f != 0) & (ahead > 0)]).sum()
    return out


def _turn(x: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Which side of each 2D edge x -> y the point p lies on (sign of the cross product)."""
    return (y[:, 0] - x[:, 0]) * (p[1] - x[:, 1]) - (y[:, 1] - x[:, 1]) * (p[0] - x[:, 0])


def test_the_judge_counts_inside_outside_and_a_double_layer() -> None:
    """The judge itself can fail: a cube (outward faces) holds its centre once, not a point
    beside it; two nested cubes hold a point inside both twice, one between them once."""
    import pyvista as pv

    def cube(size: float) -> tuple[np.ndarray, np.ndarray]:
        box = pv.Cube(x_length=size, y_length=size, z_length=size).triangulate()
        box = box.compute_normals(auto_orient_normals=True)
        return np.asarray(box.points), np.asarray(box.faces).reshape(-1, 4)[:, 1:]

    small, big = cube(1.0), cube(3.0)
    q = np.array([[0.1, 0.2, 0.05], [2.0, 0.0, 0.0], [1.2, 0.3, -0.4]])
    assert winding_number(*small, q).tolist() == [1.0, 0.0, 0.0]
    both = (np.vstack([small[0], big[0]]), np.vstack([small[1], big[1] + len(small[0])]))
    assert winding_number(*both, q).tolist() == [2.0, 0.0, 1.0]


def _outside(
    surface_points: np.ndarray,
    triangles: np.ndarray,
    points: np.ndarray,
    allowance: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Indices of the points more than ``allowance`` (mm, per point or one) outside."""
    import pyvista as pv

    from tests.test_atlas_skin import depth_below

    faces = np.hstack([np.full((len(triangles), 1), 3), triangles]).ravel()
    depth = depth_below(pv.PolyData(surface_points, faces), points)
    suspects = np.flatnonzero(depth < -np.broadcast_to(allowance, depth.shape))
    if not len(suspects):
        return suspects
    w = winding_number(surface_points, np.asarray(triangles), points[suspects])
    return suspects[w < 0.5]


#: How far (mm) a bone may lie outside the posed skin: none. Bones are rigid; the skin is lifted
#: over them (viewer/domain/skin_over_bone.py). Without the lift, in the female body sitting
#: upright the front of the iliac crest, 8 mm under the standing skin, came 0.7-1.5 mm through
#: the posed waist (five vertices a side). Muscles get no allowance.
#: Back to 0 in session 16 (loosened to 0.5 mm in session 15: one vertex of the right anterior
#: iliac crest stayed 0.4 mm out in the female body sitting slumped, under skin folding every
#: way). The cause was the skin weights, transferred from a MakeHuman mesh placed with a fit of
#: their own (hip-height scale, 6 degrees, 20 mm) rather than the skin's (BODY_SCALE, 4 degrees,
#: 24 mm, leg warp, posture shift): transferred from the mesh placed as the skin is, that vertex
#: lies 0.36 mm inside, 0.20 mm with the deeper slump of session 16 (the rebuilt atlas with
#: the old weights still lets it out).
BONE_ALLOWANCE_MM = 0.0


@cache
def _posed_muscles(pose: str) -> tuple[np.ndarray, ...]:
    """Every muscle posed (the same for every body: only the skin differs)."""
    pm = model()
    t = pm.transforms(PRESETS[pose])
    return tuple(pm.pose_muscle(m, t) for m in pm.muscle_ids)


def _escapes(body: str, pose: str, keep: bool) -> dict[str, int]:
    """Vertices outside the posed skin, per muscle and bone (bones beyond the allowance); the
    skin turns about the body's own joints (tests/test_skin_joints.py)."""
    pm = model()
    pm.use_body(body)
    try:
        return _escapes_in(pm, body, pose, keep)
    finally:
        pm.use_body("neutral")


def _escapes_in(pm: PostureModel, body: str, pose: str, keep: bool) -> dict[str, int]:
    la = _body(body)
    mesh = la.meshes["skin"]
    binding = pm.skin_binding("skin", mesh.points)
    assert binding is not None
    bones = {b: la.meshes[b].points for b in pm.bone_ids}
    envelope = SkinEnvelope(mesh.points, mesh.triangles, binding, bones if keep else None)
    t = pm.transforms(PRESETS[pose])
    posed_skin = envelope.posed(t).points if keep else skin(mesh.points, binding, t)
    names: list[str] = []
    parts: list[np.ndarray] = []
    for m, p in zip(pm.muscle_ids, _posed_muscles(pose), strict=True):
        standing = la.meshes[m]
        parts.append(envelope.keep(m, standing.points, p, t, standing.triangles) if keep else p)
        names.append(m)
    n_muscles = sum(len(p) for p in parts)
    for b in pm.bone_ids:
        parts.append(pm.pose_bone(b, la.meshes[b].points, t))
        names.append(b)
    owner = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    allowance = np.where(np.arange(len(owner)) < n_muscles, 0.0, BONE_ALLOWANCE_MM)
    out = _outside(posed_skin, mesh.triangles, np.vstack(parts), allowance)
    counts = np.bincount(owner[out], minlength=len(parts))
    return {names[i]: int(n) for i, n in enumerate(counts) if n}


@pytest.mark.parametrize(("body", "pose"), [(b, p) for b in BODIES for p in POSES])
def test_muscles_and_bones_stay_inside_each_body_in_each_posture(body: str, pose: str) -> None:
    """Every body in every preset posture (until session 16 only the cases that had pressed
    anything were run: both sittings in the neutral and female bodies, sitting upright in the
    male one and the anterior tilt in the female one)."""
    assert _escapes(body, pose, keep=True) == {}


def test_without_the_envelope_the_sitting_hip_muscles_come_through_the_skin() -> None:
    """The judge can fail: the muscles posed alone break the sitting skin at the hip crease."""
    escapes = _escapes("neutral", "sitting_upright", keep=False)
    assert escapes.get("tensor_fasciae_latae_right", 0) > 40, escapes
    assert escapes.get("tensor_fasciae_latae_left", 0) > 40, escapes


def test_without_the_lift_the_female_iliac_crest_comes_through_the_sitting_waist() -> None:
    """The judge can fail for bones too: the skin as MakeHuman's weights pose it, without the
    lift over the bones, lets the front of the female iliac crest through sitting upright."""
    escapes = _escapes("female", "sitting_upright", keep=False)
    assert escapes.get("hip_bone_left", 0) > 0 and escapes.get("hip_bone_right", 0) > 0, escapes
