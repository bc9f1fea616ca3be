"""Muscle shapes a lecturer flagged (issue 11), measured as anatomy on the built meshes.

* **Quadratus lumborum** is a flat four-sided sheet, not a rod, wider below than above: at the
  L3/L4 disc its cross section is several times wider than thick, its areas at L1/L2-L3/L4 are
  those of MRI in healthy adults (Ivanac et al. 2026, ``QL_CSA_MM2`` in the build), and it
  reaches the tips of the L1-L4
  transverse processes, the medial half of the 12th rib's lower border and the posterior-medial
  iliac crest.
* **Gluteus medius** is a fan: its origin runs under the crest from behind the middle (the
  posterior gluteal line) to near the ASIS, and its cross-section narrows from the wing to the
  lateral facet of the greater trochanter.
* **Gluteus maximus** covers the ischial tuberosity from behind (standing posture) and its
  lower border runs obliquely down and out from there to the thigh, in a posterior view; at its
  lateral end the lower border turns down into the iliotibial tract (no square lower-lateral
  corner), and its deep lower fibres touch the gluteal tuberosity.

All checks use the right side (the left is its mirror image, tested elsewhere). Set
``TRIGGER_ATLAS_MESHES`` to check another build directory.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import trimesh
from scipy.spatial import cKDTree

from tests.atlas_files import landmarks, manifest, mesh
from tests.test_atlas_gmax_smooth import height_map
from tools.atlas_build import muscle_regions as reg
from tools.atlas_build.muscle_fibres import QL_CSA_MM2

REPO = Path(__file__).resolve().parents[1]
MESHES = Path(os.environ.get("TRIGGER_ATLAS_MESHES", REPO / "meshes"))
CONTACT_MM = 2.0
#: gluteus maximus from behind: least fall (degrees) of its lower border over the 25 mm medial
#: of its lowest point, and the largest interior angle of its lower-lateral corner. A border
#: running on into the iliotibial tract steepens there (built: about 36 and 62 degrees); the
#: square corner it replaced measured 22-24 and 77-78
LOWER_TIP_DEG = 33.0
CORNER_MAX_DEG = 66.0

needs_atlas = pytest.mark.skipif(
    not (MESHES / "manifest.json").exists(), reason=f"no built atlas at {MESHES}"
)


_manifest = partial(manifest, MESHES)
_lm = partial(landmarks, MESHES)
_mesh = partial(mesh, MESHES)


def _contact(muscle: str, bone: str) -> np.ndarray:
    """Vertices of the muscle within CONTACT_MM of the bone's surface."""
    v = np.asarray(_mesh(muscle).vertices)
    d = cKDTree(reg.dense_surface(_mesh(bone), 2.0).points).query(v)[0]
    return v[d < CONTACT_MM]


def _wing_rel(p: np.ndarray) -> np.ndarray:
    """Position of points along the ilium from the PSIS (0) to the ASIS (1)."""
    wf = reg.wing_frame(reg.dense_surface(_mesh("hip_bone_right"), 2.5), _lm())
    return (wf.u(p) - wf.psis_u) / (wf.asis_u - wf.psis_u)


def section(mesh: trimesh.Trimesh, origin: np.ndarray, normal: np.ndarray) -> tuple[float, float]:
    """Area (mm2) of the mesh's cross-section by a plane and its width (mm): the extent of the
    section along its own longest principal axis. Mean thickness is area / width."""
    s = mesh.section(plane_normal=normal, plane_origin=origin)
    if s is None:
        return 0.0, 0.0
    n = np.asarray(normal, dtype=np.float64) / np.linalg.norm(normal)
    a = np.cross(n, [0.0, 0.0, 1.0]) if abs(n[2]) < 0.9 else np.cross(n, [1.0, 0.0, 0.0])
    a /= np.linalg.norm(a)
    b = np.cross(n, a)
    area = 0.0
    for loop in s.discrete:  # shoelace per closed loop (no holes in a muscle's section)
        q = np.column_stack([loop @ a, loop @ b])
        area += abs(0.5 * float(np.sum(q[:-1, 0] * q[1:, 1] - q[1:, 0] * q[:-1, 1])))
    q = np.column_stack([s.vertices @ a, s.vertices @ b])
    q = q - q.mean(axis=0)
    axis = np.linalg.eigh(q.T @ q)[1][:, -1]
    return area, float(np.ptp(q @ axis))


def _disc_z(level: str) -> float:
    up, down = level.split("/")
    lm = _lm()
    return 0.5 * float(lm[f"vertebral_body_{up}"][2] + lm[f"vertebral_body_{down}"][2])


# --------------------------------------------------------------------------- quadratus lumborum


def test_section_measures_a_known_box() -> None:
    """The section helper gives area and width of a 50 x 10 mm slab."""
    box = trimesh.creation.box(extents=(50.0, 10.0, 80.0))
    area, width = section(box, np.zeros(3), np.array([0.0, 0.0, 1.0]))
    assert abs(area - 500.0) < 1.0 and abs(width - 50.0) < 0.5


@needs_atlas
def test_quadratus_lumborum_is_a_flat_sheet_at_l3_l4() -> None:
    """At the L3/L4 disc the QL is a sheet at least three times as wide as it is thick (the rod
    it replaced measured 40 by 21 mm, so width alone never told rod from sheet) and at least
    3.5 cm wide. Its width is not set directly: it follows from the cited attachments, the
    transverse-process tips at their checked span (medial border) and the crest's 5 cm and the
    12th rib's medial half (lateral border); with the L3-L5 spans corrected to 97 mm the medial
    border moved out and the sheet measures about 40 mm here."""
    area, width = section(
        _mesh("quadratus_lumborum_right"), np.array([0.0, 0.0, _disc_z("l3/l4")]), np.eye(3)[2]
    )
    thick = area / max(width, 1e-6)
    assert width >= 35.0, f"QL only {width:.0f} mm wide at L3/L4"
    assert width / thick >= 3.0, f"QL {width:.0f} x {thick:.0f} mm at L3/L4: a rod, not a sheet"


@needs_atlas
def test_quadratus_lumborum_widens_toward_the_crest() -> None:
    """Seen from behind it is a quadrilateral wider below than above: from the transverse
    processes to its free lateral border it is at least 1.35 times as wide at the L4 body as at
    the L1 body (its crest attachment runs 5 cm out from the iliolumbar ligament, its rib
    attachment is the medial half of the 12th rib). The strap it replaced measured 40 and 31
    mm there (1.28), widest in the middle."""
    v = np.asarray(_mesh("quadratus_lumborum_right").vertices)
    lm = _lm()

    def width(level: str) -> float:
        z = float(lm[f"vertebral_body_{level}"][2])
        return float(np.ptp(v[np.abs(v[:, 2] - z) < 5.0, 0]))

    low, high = width("l4"), width("l1")
    assert low >= 1.35 * high, f"QL {low:.0f} mm wide at L4, {high:.0f} mm at L1: a strap"


def widths_across(v: np.ndarray, at: tuple[float, ...], band: float = 0.03) -> list[float]:
    """Widths (mm) of a flat muscle seen from in front or behind, measured across its fibres.

    The vertices are projected onto the coronal plane; the long axis of that outline (its
    principal axis, here the fibre direction) runs from 0 at its lower end to 1 at its upper
    end, and the width at ``f`` is the outline's extent across that axis among the vertices
    within ``band`` of ``f``."""
    q = v[:, [0, 2]] - v[:, [0, 2]].mean(axis=0)
    axis = np.linalg.eigh(q.T @ q)[1][:, -1]
    axis = axis if axis[1] > 0 else -axis
    u = q @ axis
    u = (u - u.min()) / np.ptp(u)
    across = q @ np.array([-axis[1], axis[0]])
    return [float(np.ptp(across[np.abs(u - f) < band])) for f in at]


def test_widths_across_measures_a_known_trapezoid() -> None:
    """A 200 mm tall slab, 30 mm wide below and 20 mm above, stood up in the coronal plane:
    10 %, 50 % and 90 % of the way up it is 29, 25 and 21 mm wide (within the band's spread)."""
    z = np.linspace(0.0, 200.0, 201)
    half = 15.0 - 5.0 * z / 200.0
    pts = [[s * h, y, zz] for zz, h in zip(z, half, strict=True) for s in (-1, 1) for y in (0, 8)]
    low, mid, high = widths_across(np.array(pts), (0.1, 0.5, 0.9))
    assert abs(low - 29.0) < 1.0 and abs(mid - 25.0) < 1.0 and abs(high - 21.0) < 1.0


@needs_atlas
def test_quadratus_lumborum_is_a_straight_sided_quadrilateral() -> None:
    """From behind and in front it is a four-sided sheet with straight borders, not a spindle:
    measured across its fibres, it is at least as wide near the crest (10 % of the way up) as at
    mid-height, its mid-height width is at most 3 mm more than the mean of its widths near the
    crest and just below the rib (92 %), i.e. its free lateral border does not bow out, and just
    below the rib it is still at least half as wide as near the crest (a sheet ending on half the
    rib, not a point). The spindle it replaced bowed out to 45 mm at mid-height and narrowed to
    28 mm just below the rib. (Until session 15 the rib end had to be three quarters of the
    mid-height width; a straight-sided quadrilateral about twice as broad at the crest as under
    the rib, as the real muscle is broader below than above, is about two thirds.)"""
    v = np.asarray(_mesh("quadratus_lumborum_right").vertices)
    low, mid, high = widths_across(v, (0.1, 0.5, 0.92))
    assert low >= mid, f"QL {low:.0f} mm wide near the crest, {mid:.0f} mm at mid-height"
    assert mid <= 0.5 * (low + high) + 3.0, (
        f"QL bows out: {low:.0f} / {mid:.0f} / {high:.0f} mm near the crest, mid-height, rib"
    )
    assert high >= 0.5 * low, f"QL {high:.0f} mm wide below the rib, {low:.0f} mm at the crest"


@needs_atlas
@pytest.mark.parametrize("level", sorted(QL_CSA_MM2))
def test_quadratus_lumborum_cross_sections_match_mri(level: str) -> None:
    """Cross-section areas within 40 % of the healthy-adult MRI means (Ivanac et al. 2026), so
    the sheet is neither a ribbon nor a bag, and it thickens downward as the real muscle does."""
    area, _ = section(
        _mesh("quadratus_lumborum_right"), np.array([0.0, 0.0, _disc_z(level)]), np.eye(3)[2]
    )
    want = QL_CSA_MM2[level]
    assert abs(area / want - 1.0) <= 0.4, f"QL at {level}: {area:.0f} mm2 (MRI mean {want:.0f})"


@needs_atlas
@pytest.mark.parametrize("level", ["l1", "l2", "l3", "l4"])
def test_quadratus_lumborum_reaches_each_transverse_process_tip(level: str) -> None:
    """Its medial border is attached to the tips of the L1-L4 transverse processes."""
    v = np.asarray(_mesh("quadratus_lumborum_right").vertices)
    tip = _lm()[f"transverse_process_{level}_right"]
    d = float(np.linalg.norm(v - tip, axis=1).min())
    assert d <= 4.0, f"QL {d:.1f} mm from the {level.upper()} transverse-process tip"


@needs_atlas
def test_quadratus_lumborum_inserts_on_the_medial_half_of_the_12th_rib() -> None:
    """It lies on the lower border of the 12th rib, mostly on its medial half."""
    c = _contact("quadratus_lumborum_right", "rib_12_right")
    assert len(c) >= 20, f"QL touches the 12th rib at only {len(c)} vertices"
    rib = np.asarray(_mesh("rib_12_right").vertices)
    head, tip = rib[int(np.argmin(np.abs(rib[:, 0])))], rib[int(np.argmax(-rib[:, 0]))]
    along = (c - head) @ (tip - head) / float((tip - head) @ (tip - head))
    assert float(np.median(along)) <= 0.5, f"QL on the rib at {np.median(along):.0%} of its length"
    low = rib[:, 2].min() + 0.5 * np.ptp(rib[:, 2])
    assert float(np.median(c[:, 2])) <= low + 10.0, "QL meets the rib above its lower border"


@needs_atlas
def test_quadratus_lumborum_arises_from_the_posterior_medial_crest() -> None:
    """Its iliac attachment lies on the posterior part of the crest (from the iliolumbar ligament
    to about 5 cm lateral to it, within the back half of the PSIS-ASIS distance), not at the
    PSIS and not forward on the crest."""
    c = _contact("quadratus_lumborum_right", "hip_bone_right")
    assert len(c) >= 20, f"QL touches the ilium at only {len(c)} vertices"
    rel = _wing_rel(c)
    lo, hi = np.percentile(rel, [5, 95])
    assert lo >= 0.07, f"QL reaches back to {lo:.0%} of the way from the PSIS (at the PSIS)"
    assert hi <= 0.5, f"QL reaches forward to {hi:.0%} of the way from the PSIS to the ASIS"
    assert hi - lo >= 0.2, f"QL's crest attachment spans only {hi - lo:.0%} of PSIS-ASIS"


# --------------------------------------------------------------------------- gluteus medius


@needs_atlas
def test_gluteus_medius_origin_runs_under_the_crest_from_back_to_front() -> None:
    """Its origin on the outer ilium spans the crest from the posterior gluteal line (about a
    quarter of the way from the PSIS) to near the ASIS: every crest point in between lies
    within 10 mm of the muscle."""
    c = _contact("gluteus_medius_right", "hip_bone_right")
    lo, hi = np.percentile(_wing_rel(c), [5, 95])
    assert lo <= 0.3 and hi >= 0.82, f"gluteus medius origin spans only {lo:.2f}-{hi:.2f}"
    wf = reg.wing_frame(reg.dense_surface(_mesh("hip_bone_right"), 2.5), _lm())
    v = np.asarray(_mesh("gluteus_medius_right").vertices)
    for f in np.arange(0.3, 0.86, 0.05):
        d = float(np.linalg.norm(v - wf.crest_point(float(f)), axis=1).min())
        assert d <= 10.0, f"gluteus medius {d:.0f} mm below the crest at {f:.0%} PSIS-ASIS"


@needs_atlas
def test_gluteus_medius_is_a_fan_converging_on_the_trochanter() -> None:
    """Sections across its line of action (origin-contact centre to insertion-contact centre):
    near the origin it is more than twice as wide as near the insertion (the block it was
    measured 1.8), and its end on the lateral facet is a narrow, thinner tendon."""
    m = _mesh("gluteus_medius_right")
    o = _contact("gluteus_medius_right", "hip_bone_right").mean(axis=0)
    i = _contact("gluteus_medius_right", "femur_right").mean(axis=0)
    axis = i - o
    _, w_near = section(m, o + 0.15 * axis, axis)
    a_mid, w_mid = section(m, o + 0.5 * axis, axis)
    a_far, w_far = section(m, o + 0.85 * axis, axis)
    assert w_near / w_far >= 2.0, f"gluteus medius {w_near:.0f} -> {w_far:.0f} mm: not a fan"
    assert w_far <= 56.0, f"gluteus medius still {w_far:.0f} mm wide near the trochanter"
    assert a_far / w_far < a_mid / w_mid, "gluteus medius does not thin toward its tendon"


# --------------------------------------------------------------------------- gluteus maximus


def _lower_outline(h: np.ndarray, a0: float, z0: float) -> tuple[np.ndarray, np.ndarray]:
    """The lowest point (z) of a posterior height map at each lateral distance (a) it covers."""
    seen = ~np.isnan(h)
    cols = np.where(seen.any(axis=1))[0]
    a = a0 + 2.0 * cols
    z = np.array([z0 + 2.0 * np.where(seen[c])[0].min() for c in cols])
    return a, z


def _posterior_map() -> tuple[np.ndarray, float, float]:
    """Gluteus maximus seen from behind: height map (rows: lateral, columns: up) and the
    coordinates (lateral distance -x, z) of pixel (0, 0)."""
    m = _mesh("gluteus_maximus_right")
    v, f = np.asarray(m.vertices), np.asarray(m.faces)
    h, _ = height_map(v, f, np.array([0.0, 1.0, 0.0]))
    return h, float((-v[:, 0]).min()) - 2.0, float(v[:, 2].min()) - 2.0


@needs_atlas
def test_gluteus_maximus_covers_the_ischial_tuberosity_from_behind() -> None:
    """Standing, the lower gluteus maximus covers the ischial tuberosity (it slides off only in
    sitting): every back-facing bone point within 20 mm of the tuberosity is hidden behind the
    muscle in a posterior view. The open midline gap left 8 % bare."""
    h, a0, z0 = _posterior_map()
    bone = reg.dense_surface(_mesh("hip_bone_right"), 2.0)
    tub = _lm()["ischial_tuberosity_right"]
    p = bone.points[(np.linalg.norm(bone.points - tub, axis=1) < 20.0) & (bone.normals[:, 1] > 0)]
    i = ((-p[:, 0] - a0) / 2.0).astype(int)
    j = ((p[:, 2] - z0) / 2.0).astype(int)
    inside = (i >= 0) & (i < h.shape[0]) & (j >= 0) & (j < h.shape[1])
    front = np.full(len(p), -np.inf)
    front[inside] = np.nan_to_num(h[i[inside], j[inside]], nan=-np.inf)
    covered = float((front > p[:, 1]).mean())
    assert covered >= 0.98, f"only {covered:.0%} of the ischial tuberosity covered from behind"


@needs_atlas
def test_gluteus_maximus_lower_border_runs_down_and_out() -> None:
    """In a posterior view the lower border runs obliquely down and laterally from below the
    ischial tuberosity to the thigh (about 35 degrees; the upper border runs about 55 degrees
    from the PSIS over the trochanter): a line fitted to the lowest outline from the
    tuberosity's line out to the lowest point falls at 28-60 degrees, and it starts below the
    tuberosity (the muscle's lower-medial corner covers it)."""
    angle, start_z = lower_border_angle()
    tub = _lm()["ischial_tuberosity_right"]
    assert 28.0 <= angle <= 60.0, f"lower border {angle:.0f} degrees below horizontal"
    assert start_z <= float(tub[2]) - 10.0, "the lower border passes above the tuberosity"


def lower_border_angle() -> tuple[float, float]:
    """Gluteus maximus from behind: the fall (degrees below horizontal) of a line fitted to its
    lowest outline from the ischial tuberosity's line out to its lowest point, and the height
    (z) of that outline at the tuberosity's line."""
    a, z = _lower_outline(*_posterior_map())
    tub = _lm()["ischial_tuberosity_right"]
    start, end = -float(tub[0]), float(a[int(np.argmin(z))])
    sel = (a >= start) & (a <= end)
    slope = np.polyfit(a[sel], z[sel], 1)[0]
    return float(np.degrees(np.arctan(-slope))), float(z[sel][0])


def _lower_lateral_corner() -> tuple[float, float]:
    """Gluteus maximus from behind: the angle (degrees below horizontal) of its lower border
    over the 25 mm medial of its lowest point, and the interior angle of its lower-lateral
    corner there (between that border and the lateral border over the 40 mm above the lowest
    point)."""
    h, a0, z0 = _posterior_map()
    seen = ~np.isnan(h)
    a, z = _lower_outline(h, a0, z0)
    k = int(np.argmin(z))
    sel = (a >= a[k] - 25.0) & (a <= a[k])
    lower = float(np.degrees(np.arctan(-np.polyfit(a[sel], z[sel], 1)[0])))
    rows = np.where(seen.any(axis=0))[0]
    zr = z0 + 2.0 * rows
    lateral = np.array([a0 + 2.0 * np.where(seen[:, r])[0].max() for r in rows])
    up = (zr >= z[k]) & (zr <= z[k] + 40.0)
    lean = float(np.degrees(np.arctan(np.polyfit(zr[up], lateral[up], 1)[0])))
    return lower, 90.0 - lower + lean


@needs_atlas
def test_gluteus_maximus_lower_lateral_corner_turns_into_the_iliotibial_tract() -> None:
    """Its superficial lower fibres run on into the iliotibial tract (the deep ones into the
    gluteal tuberosity), so from behind the lower border does not flatten out at its lateral
    end and meet the lateral border in a square corner: over the 25 mm medial of the lowest
    point it still falls at least LOWER_TIP_DEG, and the corner is acute (at most
    CORNER_MAX_DEG). The square corner measured 22-24 and 77-78 degrees."""
    lower, corner = _lower_lateral_corner()
    assert lower >= LOWER_TIP_DEG, f"lower border flattens to {lower:.0f} degrees at its end"
    assert corner <= CORNER_MAX_DEG, f"lower-lateral corner {corner:.0f} degrees"


@needs_atlas
def test_gluteus_maximus_deep_fibres_reach_the_gluteal_tuberosity() -> None:
    """The deep lower fibres end on the gluteal tuberosity, on the back of the shaft 70-110 mm
    below the hip centre: the muscle comes within CONTACT_MM of the femur there. Ending in
    mid-air, their thin ends were smoothed away and stayed 2.9-3.2 mm off the bone (the
    fidelity limit for reaching a bone is 3 mm), more or less depending on how the sheet above
    them was lifted."""
    hip = float(_lm()["hip_centre_right"][2])
    v = np.asarray(_mesh("gluteus_maximus_right").vertices)
    band = v[(hip - v[:, 2] >= 65.0) & (hip - v[:, 2] <= 115.0)]
    import pyvista as pv

    femur = _mesh("femur_right")
    surface = pv.make_tri_mesh(np.asarray(femur.vertices), np.asarray(femur.faces))
    signed = pv.PolyData(band).compute_implicit_distance(surface)["implicit_distance"]
    gap = float(np.min(signed))  # negative: inside the bone surface
    assert gap <= CONTACT_MM, f"gluteus maximus stays {gap:.1f} mm off the gluteal tuberosity"
