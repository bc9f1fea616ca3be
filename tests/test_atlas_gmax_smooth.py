"""Gluteus maximus seen from behind is a smooth sheet, not a bag of lumps (issue 11).

The picture a lecturer projects most is the posterior view with the skin off. The real muscle
there is a thick quadrilateral sheet whose fascia-covered outer surface is smooth and gently
convex. The atlas once showed a large bulge over the lower middle of each buttock and steps in
its upper-lateral part, where single fibres were lifted over what lies beneath them.

Measure: the outer surface as the camera sees it, as a height map (2 mm pixels) looking from
behind and from behind and to the side; its deviation from a Gaussian-smoothed copy of itself
(sigma 12 mm) away from the outline. A gently curved sheet deviates by well under its curvature
times sigma squared (about 1-2 mm); a bump 30-40 mm across and 8 mm high deviates by more than
5 mm. The shipped lumpy mesh measured 5.4 mm (posterior) and 7.1 mm (posterolateral) at the
95th percentile; the first smooth sheet 2.7 and 5.0 mm, with low ripples left next to the
sacrum, where each fibre kept its own drape for 30 mm from its origin (now 16 mm). The
posterior limit now sits below that sheet's value; the posterolateral one is unchanged (the
ridge along the lower sacrum, about 5 mm high, still dominates that view). Gluteus medius's
superoposterior bundle (1 Dec 2026) lifted the sheet above and medial to the hip again (2.76
mm); spreading the sheet's lift over 22 instead of 14 mm and smoothing its field over 3 instead
of 2.2 mm brought it to about 2.2 mm (posterolateral 4.4).
Fanning the fibres out from the tract in order (no second layer under the upper part) and
thinning the sheet toward its upper border (2 Dec 2026): 2.49 mm posterior (the shipped mesh
before measured 2.43, not 2.2), posterolateral 3.36 -> 2.87 mm. Merged with the new gluteus
minimus it measured 2.56 mm; the worst of it (up to 6.5 mm, beside the lower sacrum) was not a
bump in the sheet but the sheet's medial border standing 20-30 mm above a lobe of the muscle
that had passed through the thin lower sacrum into the pelvis, seen beside it. With the sacrum's
pelvic face kept clear (2 Dec 2026): 2.43 mm posterior (largest 3.8), posterolateral 2.87 mm.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

REPO = Path(__file__).resolve().parents[1]
MESHES = REPO / "meshes"
PIXEL_MM = 2.0
SIGMA_MM = 12.0
INSET_MM = 12.0
#: (view direction from the muscle to the camera, atlas LPS, right side; p95 limit in mm)
VIEWS = {"posterior": ((0.0, 1.0, 0.0), 2.5), "posterolateral": ((-0.7, 0.7, 0.0), 5.5)}


@cache
def _mesh(sid: str) -> tuple[np.ndarray, np.ndarray]:
    import pyvista as pv

    data = json.loads((MESHES / "manifest.json").read_text(encoding="utf-8"))
    entry = next(s for s in data["structures"] if s["id"] == sid)
    poly = pv.read(MESHES / entry["file"])
    faces = np.asarray(poly.faces).reshape(-1, 4)[:, 1:]
    return np.asarray(poly.points, dtype=np.float64), faces


def height_map(
    v: np.ndarray, faces: np.ndarray, view: np.ndarray, px: float = PIXEL_MM
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-surface height towards the camera per pixel (NaN: background) and the cosine
    between that surface's normal and the view direction.

    Each triangle is sampled densely (finer than a pixel) and the highest sample per pixel is
    kept: a small z-buffer without a renderer, so the test runs headless and exactly.
    """
    view = view / np.linalg.norm(view)
    right = np.cross([0.0, 0.0, 1.0], view)
    right /= np.linalg.norm(right)
    up = np.cross(view, right)
    tri = v[faces]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    cos = (n @ view) / np.maximum(np.linalg.norm(n, axis=1), 1e-12)
    k = 8  # barycentric subdivisions per edge
    ij = np.array([(i, j) for i in range(k + 1) for j in range(k + 1 - i)], dtype=np.float64) / k
    w = np.column_stack([1.0 - ij.sum(axis=1), ij])  # (m, 3)
    pts = np.einsum("mk,fkd->fmd", w, tri).reshape(-1, 3)
    owner = np.repeat(np.arange(len(faces)), len(w))
    a, b, d = pts @ right, pts @ up, pts @ view
    lo = np.array([a.min(), b.min()]) - px
    ia = ((a - lo[0]) / px).astype(int)
    ib = ((b - lo[1]) / px).astype(int)
    shape = (int(ia.max()) + 2, int(ib.max()) + 2)
    flat = ia * shape[1] + ib
    order = np.lexsort((d, flat))  # per pixel, the highest sample comes last
    last = np.r_[flat[order][1:] != flat[order][:-1], True]
    top = order[last]
    h = np.full(shape[0] * shape[1], np.nan)
    c = np.full(shape[0] * shape[1], np.nan)
    h[flat[top]] = d[top]
    c[flat[top]] = cos[owner[top]]
    return h.reshape(shape), c.reshape(shape)


def lumpiness(v: np.ndarray, faces: np.ndarray, view: np.ndarray) -> float:
    """95th percentile (mm) of the seen surface's deviation from its smoothed copy."""
    h, cos = height_map(v, faces, view)
    mask = ~np.isnan(h)
    mask = ndimage.binary_fill_holes(mask)
    h = np.where(mask & np.isnan(h), np.nanmean(h), h)
    core = ndimage.binary_erosion(mask, iterations=int(INSET_MM / PIXEL_MM)) & (cos > 0.5)
    s = SIGMA_MM / PIXEL_MM
    num = ndimage.gaussian_filter(np.where(mask, h, 0.0), s)
    den = ndimage.gaussian_filter(mask.astype(float), s)
    dev = np.abs(h - num / np.maximum(den, 1e-9))[core]
    assert core.sum() > 500, "too little of the sheet is seen to judge it"
    return float(np.percentile(dev, 95))


def test_a_bump_is_measured_and_a_smooth_dome_is_not() -> None:
    """The measure separates a gently curved sheet (radius 250 mm) from the same sheet with one
    10 mm bump (Gaussian, 10 mm) covering a small part of it: 0.6 against 2.5 mm."""
    import pyvista as pv

    for bump, lo, hi in ((0.0, 0.0, 1.0), (10.0, 2.0, 99.0)):
        grid = pv.Plane(i_size=120.0, j_size=120.0, i_resolution=60, j_resolution=60)
        grid = grid.triangulate()
        p = np.asarray(grid.points).copy()
        r2 = p[:, 0] ** 2 + p[:, 1] ** 2
        z = -r2 / (2.0 * 250.0) + bump * np.exp(-((p[:, 0] - 15) ** 2 + p[:, 1] ** 2) / 200.0)
        v = np.column_stack([p[:, 0], z, p[:, 1]])  # facing +y, like the back of the body
        faces = np.asarray(grid.faces).reshape(-1, 4)[:, 1:][:, ::-1]  # the swap mirrored it
        got = lumpiness(v, faces, np.array([0.0, 1.0, 0.0]))
        assert lo <= got <= hi, f"bump {bump} mm measured {got:.1f} mm"


#: view -> why it is expected to fail (strict xfail). Empty: both views hold their limits.
#: "posterior" was listed from 1 Dec 2026 (2.76 mm once gluteus medius got its superoposterior
#: bundle) until the build spread the sheet's lift over 22 mm and smoothed its field over 3 mm
#: (2.2 mm; muscle_fibres.GMAX_SHEET_MM, GMAX_SIGMA_MM).
KNOWN_LUMPY: dict[str, str] = {}


@pytest.mark.parametrize(
    "view",
    [
        pytest.param(v, marks=pytest.mark.xfail(reason=KNOWN_LUMPY[v], strict=True))
        if v in KNOWN_LUMPY
        else v
        for v in sorted(VIEWS)
    ],
)
def test_gluteus_maximus_outer_surface_is_smooth(view: str) -> None:
    direction, limit = VIEWS[view]
    v, faces = _mesh("gluteus_maximus_right")
    got = lumpiness(v, faces, np.asarray(direction))
    assert got <= limit, f"gluteus maximus seen {view}: lumps of {got:.1f} mm (limit {limit})"
