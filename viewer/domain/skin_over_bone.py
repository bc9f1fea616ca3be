"""Keep the posed skin clear of the bones: it drapes over them, they never show through.

Bones are rigid and follow their own transforms; the skin follows MakeHuman's weights. Sitting
upright, the female waist folds in over the front of the iliac crest (8 mm under the standing
skin) further than the pelvis moves, and the crest came 0.7-1.5 mm through the posed skin. Real
skin is lifted by the bone under it, so the posed skin is lifted here: around each bone vertex
closer to the skin than :data:`BONE_CLEARANCE_MM`, the skin moves outward by what is missing,
fully within :data:`FLAT_MM` of the spot and fading smoothly to nothing at :data:`REACH_MM` (a
gentle bulge over the crest, not a spike). The muscles are then kept under this skin
(:mod:`viewer.domain.skin_envelope`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from viewer.domain.skin_envelope import PosedSkin

#: How far (mm) under the posed skin every bone vertex is kept: the drawn skin's flat faces cut
#: a little inside their vertices, and bone has a thin layer of soft tissue over it everywhere.
BONE_CLEARANCE_MM = 1.5

#: Skin within this distance (mm) of a spot that must be lifted is lifted by the full amount:
#: wider than a skin triangle of the full mesh, so the face over the spot rises with it.
FLAT_MM = 8.0

#: Beyond this distance (mm) the skin is not moved; between FLAT_MM and here the lift fades
#: smoothly (a smoothstep), so the bulge has no edge. Short enough to stay out of the sitting
#: hip crease below the ASIS: reaching 35 mm, the lift folded the crease's skin so that the
#: nearest face and the rays disagreed about a tensor fasciae latae vertex 3 mm from it.
REACH_MM = 25.0

#: Rounds of measuring and lifting (a lifted face can leave a neighbouring spot short).
ROUNDS = 2

#: Cosines between a skin vertex's normal and the normal over the spot: at or below the first
#: the vertex is not lifted (another sheet of skin, e.g. the thigh's in the hip crease), at or
#: above the second it is lifted fully, smoothly in between.
SAME_SHEET_COS = (0.3, 0.7)

#: Bone vertices whose rough depth is more than this (mm) are not measured exactly.
DEEP_MM = 8.0


def lift_over_bones(
    skin: PosedSkin,
    bone_points: NDArray[np.floating],
    clearance: float = BONE_CLEARANCE_MM,
) -> PosedSkin:
    """The posed skin lifted so every bone point is ``clearance`` under it (``skin`` itself,
    untouched, where no bone point comes that near).

    A bone point the nearest face calls outside but that lies between the sheets of a fold of
    the skin (the sitting hip crease) is inside the body: the ray test decides, as for muscles.
    """
    from viewer.domain.skin_envelope import PosedSkin

    bones = np.asarray(bone_points, dtype=np.float64).reshape(-1, 3)
    bones = bones[skin.rough_depth(bones) < DEEP_MM]
    current = skin
    if not len(bones):
        return current
    # Which points the skin must rise over is decided once, on the skin as posed: those short
    # of the clearance, less those between the sheets of a fold (the ray grids are the costly
    # part). Later rounds only finish lifting over these: re-deciding on the lifted skin let
    # the crease's partly lifted sheets call more points outside, each round more (female
    # body sitting: 16 points, then 66 up to 13 mm "outside").
    depth, _, _ = current.closest(bones)
    bones = bones[depth < clearance]
    out = np.flatnonzero(depth[depth < clearance] < 0.0)
    if len(out):
        bones = np.delete(bones, out[current.inside(bones[out])], axis=0)
    if not len(bones):
        return current
    for _ in range(ROUNDS):
        depth, spot, normal = current.closest(bones)
        short = np.flatnonzero(depth < clearance)
        if not len(short):
            break
        lift = _lift(current, spot[short], normal[short], clearance - depth[short])
        lifted = current.points + lift[:, None] * current.vertex_normals
        current = PosedSkin.of(lifted, current.triangles, current.faces_of_vertex)
    return current


def _lift(
    skin: PosedSkin,
    spots: NDArray[np.float64],
    normals: NDArray[np.float64],
    missing: NDArray[np.float64],
) -> NDArray[np.float64]:
    """How far each skin vertex moves outward: the largest of the lifts the spots ask for
    (overlapping bulges do not add up), each full within FLAT_MM and fading to REACH_MM.

    Only the sheet of skin over the spot rises: a vertex whose normal turns away from the
    spot's (:data:`SAME_SHEET_COS`) is lifted less, and not at all when it faces across. In the
    sitting hip crease the thigh's skin lies within reach of the front of the iliac crest, facing
    up into the belly's; lifted along its own normal it would be pushed through the belly skin.
    """
    out = np.zeros(len(skin.points))
    lo, hi = SAME_SHEET_COS
    for spot, normal, amount in zip(spots, normals, missing, strict=True):
        rows = np.asarray(skin.tree.query_ball_point(spot, REACH_MM), dtype=np.int64)
        if not len(rows):
            continue
        r = np.linalg.norm(skin.points[rows] - spot, axis=1)
        t = np.clip((r - FLAT_MM) / (REACH_MM - FLAT_MM), 0.0, 1.0)
        weight = 1.0 - t * t * (3.0 - 2.0 * t)
        facing = np.clip((skin.vertex_normals[rows] @ normal - lo) / (hi - lo), 0.0, 1.0)
        out[rows] = np.maximum(out[rows], amount * weight * facing)
    return out
