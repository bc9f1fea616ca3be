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
from viewer.domain.skin_envelope import SkinEnvelope
from viewer.domain.skinning import skin

POSES = ("sitting_upright", "sitting_slumped", "anterior_tilt")


@cache
def _body(body: str):  # type: ignore[no-untyped-def]
    from viewer.io.atlas_loader import load_atlas

    return loaded() if body == "neutral" else load_atlas(MESHES, body=body)


def winding_number(vertices: np.ndarray, triangles: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Generalised winding number of a closed triangle mesh around each point: the summed
    signed solid angles of its faces over 4 pi (1 inside, 0 outside, 2 in a double layer)."""
    out = np.zeros(len(q))
    corners = vertices[triangles]
    for i, p in enumerate(q):
        a, b, c = (corners[:, k] - p for k in range(3))
        la, lb, lc = (np.linalg.norm(x, axis=1) for x in (a, b, c))
        det = np.einsum("ij,ij->i", a, np.cross(b, c))
        div = (
            la * lb * lc
            + np.einsum("ij,ij->i", a, b) * lc
            + np.einsum("ij,ij->i", b, c) * la
            + np.einsum("ij,ij->i", c, a) * lb
        )
        out[i] = 2.0 * np.arctan2(det, div).sum() / (4.0 * np.pi)
    return out


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
#: the posed waist (five vertices a side). Muscles get no allowance either.
BONE_ALLOWANCE_MM = 0.0


@cache
def _posed_muscles(pose: str) -> tuple[np.ndarray, ...]:
    """Every muscle posed (the same for every body: only the skin differs)."""
    pm = model()
    t = pm.transforms(PRESETS[pose])
    return tuple(pm.pose_muscle(m, t) for m in pm.muscle_ids)


def _escapes(body: str, pose: str, keep: bool) -> dict[str, int]:
    """Vertices outside the posed skin, per muscle and bone (bones beyond the allowance)."""
    pm, la = model(), _body(body)
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


@pytest.mark.parametrize(
    ("body", "pose"),
    [(b, p) for b in ("neutral", "female") for p in POSES[:2]]
    + [("male", POSES[0]), ("female", POSES[2])],
)
def test_muscles_and_bones_stay_inside_each_body_in_each_posture(body: str, pose: str) -> None:
    """Both sitting poses in the neutral and female bodies, sitting upright in the male one
    (its slumped sitting pressed less), and the anterior tilt in the female body, the only one
    where a tilt pressed anything (the longissimus, 2 mm, under the waist)."""
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
