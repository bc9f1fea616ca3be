"""Gluteus maximus and medius as a lecturer judges them (issue 11, session 9).

* **Gluteus medius** is a fan: thick near its origin under the crest, tapering smoothly to a
  flat tendon on the lateral facet of the greater trochanter. The atlas showed a spindle that
  bulged mid-belly from the side: its cross-section across the line of action grew from 3080
  mm2 near the origin to 3760 mm2 a third of the way down (mean thickness 28 -> 35 mm) before
  it narrowed to the tendon.
* **Gluteus maximus** makes the buttock: thickest over its middle and lower part, thinner at
  its upper border. Evenly thick fibres made a slab whose sections across the fibres were as
  thick at the upper border as in the middle. Its lower border runs cleanly into the
  lower-lateral tip; a knee in the lowest fibres' course left a notch (4.5 mm deep from behind)
  just medial to the tip.

Right side only (the left is its mirror image, tested elsewhere). Set
``TRIGGER_ATLAS_MESHES`` to check another build directory.
"""

from __future__ import annotations

import numpy as np
import trimesh

from tests.test_atlas_muscle_shapes import (
    _contact,
    _lower_outline,
    _mesh,
    _posterior_map,
    lower_border_angle,
    needs_atlas,
    section,
)

#: gluteus medius: the largest section (and mean thickness) between a quarter and
#: three-quarters of the way to the trochanter, relative to the larger of the two sections
#: nearest the origin (0.05, 0.15): at most this (the spindle: 1.22 and 1.24)
GMED_BULGE_MAX = 1.05
#: gluteus maximus: mean thickness of the middle of its sections across the fibres over that
#: near its upper border, averaged over sections 45-65 % of the way along the fibres: at least
#: this (the slab: 1.06; built: about 1.23). Modelling target (unverified).
GMAX_MID_OVER_UPPER_MIN = 1.15
#: gluteus maximus from behind: how far (mm) its lower border may rise above its lower convex
#: hull within GMAX_TIP_WINDOW_MM medial of its lowest point (the notch: 4.5; built: 2.5)
GMAX_TIP_DIP_MAX_MM = 3.0
GMAX_TIP_WINDOW_MM = 45.0

#: the mean fibre direction of gluteus maximus seen from behind (atlas LPS: lateral is -x,
#: down is -z), and the direction across the sheet toward its upper border (lateral and up)
GMAX_ALONG = np.array([-1.0, 0.0, -1.0]) / np.sqrt(2.0)
GMAX_ACROSS = np.array([-1.0, 0.0, 1.0]) / np.sqrt(2.0)


def _gmed_sections() -> dict[float, tuple[float, float]]:
    """Gluteus medius sections across its line of action (origin-contact centre to
    insertion-contact centre) at 0.05 .. 0.85 of the way: fraction -> (area, width)."""
    m = _mesh("gluteus_medius_right")
    o = _contact("gluteus_medius_right", "hip_bone_right").mean(axis=0)
    i = _contact("gluteus_medius_right", "femur_right").mean(axis=0)
    axis = i - o
    return {round(t, 2): section(m, o + t * axis, axis) for t in np.arange(0.05, 0.9, 0.1)}


@needs_atlas
def test_gluteus_medius_tapers_from_its_origin_without_a_mid_belly_bulge() -> None:
    """Neither the section area nor the mean thickness (area / width) between a quarter and
    three-quarters of the way to the trochanter exceeds GMED_BULGE_MAX times its value near
    the origin: the fan is thickest under the crest and tapers to its tendon."""
    s = _gmed_sections()
    near = max(s[0.05][0], s[0.15][0])
    mid = max(a for t, (a, _) in s.items() if 0.25 <= t <= 0.75)
    assert mid <= GMED_BULGE_MAX * near, f"gluteus medius bulges: {mid:.0f} vs {near:.0f} mm2"
    th = {t: a / w for t, (a, w) in s.items() if w > 0}
    near_th = max(th[0.05], th[0.15])
    mid_th = max(v for t, v in th.items() if 0.25 <= t <= 0.75)
    assert mid_th <= GMED_BULGE_MAX * near_th, (
        f"gluteus medius {mid_th:.0f} mm thick mid-belly, {near_th:.0f} mm near its origin"
    )


def across_profile(m: trimesh.Trimesh, where: float, n: int = 20) -> np.ndarray:
    """Thickness (mm, front to back) of gluteus maximus at ``n`` evenly spaced places across
    its section perpendicular to its fibres, ``where`` of the way along them: from its lower
    border (index 0) to its upper border (index n - 1)."""
    v = np.asarray(m.vertices)
    p = v @ GMAX_ALONG
    origin = GMAX_ALONG * (p.min() + where * np.ptp(p))
    cut = m.section(plane_normal=GMAX_ALONG, plane_origin=origin)
    assert cut is not None, f"no section {where:.0%} along the fibres"
    loops = [np.column_stack([loop @ GMAX_ACROSS, loop[:, 1]]) for loop in cut.discrete]
    q = np.vstack(loops)
    xs = q[:, 0].min() + (np.arange(n) + 0.5) / n * np.ptp(q[:, 0])
    out = np.zeros(n)
    for k, x in enumerate(xs):
        ys: list[float] = []
        for lp in loops:
            a, b = lp[:-1], lp[1:]
            hit = ((a[:, 0] - x) * (b[:, 0] - x) <= 0) & (a[:, 0] != b[:, 0])
            t = (x - a[hit, 0]) / (b[hit, 0] - a[hit, 0])
            ys += list(a[hit, 1] + t * (b[hit, 1] - a[hit, 1]))
        ys.sort()
        out[k] = sum(ys[j + 1] - ys[j] for j in range(0, len(ys) - 1, 2))
    return out


def test_across_profile_measures_a_wedge() -> None:
    """A slab 100 mm across, 10 mm thick at one edge and 30 mm at the other, cut across the
    fibre direction: the profile rises from about 10 to about 30 mm."""
    e = np.column_stack([GMAX_ACROSS, np.array([0.0, 1.0, 0.0]), GMAX_ALONG])
    box = trimesh.creation.box(extents=(100.0, 1.0, 80.0))
    v = np.asarray(box.vertices).copy()
    v[:, 1] = np.where(v[:, 1] > 0, 10.0 + 20.0 * (v[:, 0] + 50.0) / 100.0, 0.0)
    wedge = trimesh.Trimesh(v @ e.T, box.faces, process=False)
    th = across_profile(wedge, 0.5)
    assert abs(th[0] - 10.5) < 1.0 and abs(th[-1] - 29.5) < 1.0, th


@needs_atlas
def test_gluteus_maximus_is_thicker_in_the_middle_than_at_its_upper_border() -> None:
    """Across the fibres, 45-65 % of the way from origin to insertion, the middle of the sheet
    (30-60 % of the way from the lower to the upper border) is on average at least
    GMAX_MID_OVER_UPPER_MIN times as thick as the part next to the upper border (80-95 %)."""
    m = _mesh("gluteus_maximus_right")
    ratios = []
    for where in (0.45, 0.55, 0.65):
        th = across_profile(m, where)
        ratios.append(float(th[6:12].mean() / th[16:19].mean()))
    got = float(np.mean(ratios))
    assert got >= GMAX_MID_OVER_UPPER_MIN, (
        f"gluteus maximus middle / upper border thickness {got:.2f} ({np.round(ratios, 2)})"
    )


def _lower_hull_rise(a: np.ndarray, z: np.ndarray) -> float:
    """Largest height (mm) of an outline (a, z) above its lower convex hull."""
    hull: list[tuple[float, float]] = []
    for p in sorted(zip(a.tolist(), z.tolist(), strict=True)):
        while len(hull) >= 2:
            (x0, y0), (x1, y1) = hull[-2], hull[-1]
            if (x1 - x0) * (p[1] - y0) - (y1 - y0) * (p[0] - x0) > 0:
                break
            hull.pop()
        hull.append(p)
    h = np.array(hull)
    return float((z - np.interp(a, h[:, 0], h[:, 1])).max())


def test_lower_hull_rise_sees_a_notch() -> None:
    a = np.arange(0.0, 50.0, 2.0)
    straight = 0.7 * a
    notched = straight + 4.0 * np.exp(-(((a - 20.0) / 5.0) ** 2))
    assert _lower_hull_rise(a, straight) < 0.01
    assert 3.5 < _lower_hull_rise(a, notched) <= 4.0


@needs_atlas
def test_gluteus_maximus_lower_border_has_no_notch_medial_to_its_tip() -> None:
    """From behind, the lower border over the GMAX_TIP_WINDOW_MM medial of its lowest point
    rises at most GMAX_TIP_DIP_MAX_MM above a straight or convex line (its lower hull)."""
    a, z = _lower_outline(*_posterior_map())
    k = int(np.argmin(z))
    sel = (a >= a[k] - GMAX_TIP_WINDOW_MM) & (a <= a[k])
    rise = _lower_hull_rise(a[sel], z[sel])
    assert rise <= GMAX_TIP_DIP_MAX_MM, f"lower border dips {rise:.1f} mm medial of its tip"


# ------------------------------------------------ gluteus maximus: thin toward its upper border
#: gluteus maximus: median thickness (along the surface normal) of the back-facing surface
#: within GMAX_BORDER_BAND_MM of the upper border, over the 75th percentile of the thickness
#: more than GMAX_MIDDLE_MM from both borders, 35-75 % of the way along the fibres: at most
#: this. The blunt upper border measured 0.98 (29 against 30 mm: a rounded edge as thick as
#: the sheet); built: about 0.48 (12.5 against 26 mm). Modelling target (unverified).
GMAX_UPPER_BORDER_MAX = 0.85
#: and the lower border, which already thinned (0.47 on the plank; built about 0.57): at most
GMAX_LOWER_BORDER_MAX = 0.7
GMAX_BORDER_BAND_MM = 12.0
GMAX_MIDDLE_MM = 35.0


def normal_thickness(m: trimesh.Trimesh, pts: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Distance (mm) from each surface point along its inward normal to the opposite surface
    (NaN where the ray leaves nothing behind it): the local thickness of a sheet, whichever
    way it faces."""
    import pyvista as pv
    import vtk

    tree = vtk.vtkOBBTree()
    tree.SetDataSet(pv.wrap(m))
    tree.BuildLocator()
    hits = vtk.vtkPoints()
    out = np.full(len(pts), np.nan)
    for i, (p, n) in enumerate(zip(pts, normals, strict=True)):
        if tree.IntersectWithLine(p - 0.01 * n, p - 80.0 * n, hits, None):
            q = np.array([hits.GetPoint(k) for k in range(hits.GetNumberOfPoints())])
            d = np.linalg.norm(q - p, axis=1)
            d = d[d > 0.3]
            if len(d):
                out[i] = d.min()
    return out


def border_thickness(m: trimesh.Trimesh, lo: float = 0.35, hi: float = 0.75) -> dict[str, float]:
    """Thickness of gluteus maximus near its lower and upper borders and in its middle.

    The back-facing vertices ``lo``..``hi`` of the way along the fibres (GMAX_ALONG) are taken
    in slices of 5 %; in each slice a vertex's distance to the nearer border is measured along
    GMAX_ACROSS from the slice's extent (lower border: its low end, upper border: its high end).
    Returns the median thickness within GMAX_BORDER_BAND_MM of each border and the 75th
    percentile more than GMAX_MIDDLE_MM from both."""
    m = trimesh.Trimesh(np.asarray(m.vertices), np.asarray(m.faces), process=True)
    v, n = np.asarray(m.vertices), np.asarray(m.vertex_normals)
    a = v @ GMAX_ALONG
    a = (a - a.min()) / np.ptp(a)
    c = v @ GMAX_ACROSS
    back = (n[:, 1] > 0.5) & (a >= lo) & (a <= hi)
    to_lower = np.full(len(v), np.nan)
    to_upper = np.full(len(v), np.nan)
    for k in np.arange(lo, hi, 0.05):
        s = (a >= k) & (a < k + 0.05)
        to_lower[s] = c[s] - c[s].min()
        to_upper[s] = c[s].max() - c[s]
    th = normal_thickness(m, v[back], n[back])
    lower, upper = to_lower[back], to_upper[back]
    near_lower = (lower < GMAX_BORDER_BAND_MM) & (lower < upper)
    near_upper = (upper < GMAX_BORDER_BAND_MM) & (upper < lower)
    middle = (lower > GMAX_MIDDLE_MM) & (upper > GMAX_MIDDLE_MM)
    return {
        "lower": float(np.nanmedian(th[near_lower])),
        "upper": float(np.nanmedian(th[near_upper])),
        "middle": float(np.nanpercentile(th[middle], 75)),
    }


def _sheet(edge_mm: float) -> trimesh.Trimesh:
    """A sheet 160 mm across (GMAX_ACROSS) and 200 mm along, 30 mm thick in the middle and
    ``edge_mm`` thick at both borders, thinning linearly over its outer 40 mm (a convex
    solid); its back faces +y, like the back of the body."""
    x = np.array([-80.0, -40.0, 40.0, 80.0])
    half = np.array([edge_mm, 30.0, 30.0, edge_mm]) / 2.0
    pts = [
        (xi, sy * h, z)
        for xi, h in zip(x, half, strict=True)
        for sy in (1, -1)
        for z in (-100, 100)
    ]
    hull = trimesh.convex.convex_hull(np.array(pts, dtype=np.float64))
    v, f = trimesh.remesh.subdivide_to_size(hull.vertices, hull.faces, max_edge=4.0)
    e = np.column_stack([GMAX_ACROSS, np.array([0.0, 1.0, 0.0]), GMAX_ALONG])
    # a little jitter: rays cast straight through the vertices of the mirror-image face miss
    v = np.asarray(v) + np.random.default_rng(1).normal(0.0, 0.05, np.shape(v))
    return trimesh.Trimesh(v @ e.T, f, process=True)


def test_border_thickness_tells_a_tapered_sheet_from_a_slab() -> None:
    """A sheet 30 mm thick in the middle: with 6 mm borders both border ratios are below 0.6;
    as an even 30 mm slab they are about 1."""
    lens = border_thickness(_sheet(6.0))
    slab = border_thickness(_sheet(30.0))
    assert lens["upper"] / lens["middle"] < 0.6 and lens["lower"] / lens["middle"] < 0.6, lens
    assert slab["upper"] / slab["middle"] > 0.95 and slab["lower"] / slab["middle"] > 0.95, slab


@needs_atlas
def test_gluteus_maximus_thins_toward_its_free_borders() -> None:
    """The sheet is thinner next to its upper and lower borders than in its middle (the
    blunt upper border of the plank was as thick as the middle)."""
    th = border_thickness(_mesh("gluteus_maximus_right"))
    up, low = th["upper"] / th["middle"], th["lower"] / th["middle"]
    said = f"upper border {th['upper']:.1f}, lower {th['lower']:.1f}, middle {th['middle']:.1f} mm"
    assert up <= GMAX_UPPER_BORDER_MAX, said
    assert low <= GMAX_LOWER_BORDER_MAX, said


# ------------------------------------- gluteus maximus: a sheet with thin, oblique free borders
#: gluteus maximus: each free border's thickness (border_thickness: median within
#: GMAX_BORDER_BAND_MM of it) over the middle's, at most this. A lecturer still read the
#: muscle as a thick quadrilateral pillow (session 16): from below, and from behind and to the
#: side, its lower border was a rounded lip 17 mm thick against 30 mm in the middle (0.57), its
#: upper border 14 mm (0.48). Built: about 0.38 and 0.42. Modelling target (unverified): in
#: MRI the muscle is thickest, 2-3 cm, in its middle and thins toward its borders.
GMAX_EDGE_OVER_MIDDLE_MAX = 0.45
#: and seen from behind, the lower border falls at least this many degrees from the
#: tuberosity's line to the lowest point (lower_border_angle; the pillow's: 32.8; built about
#: 37.0). It cannot fall much more here: it must pass below the tuberosity (covering it in
#: standing) and end at most 145 mm below the hip centre, about 95 mm lateral of the tuberosity.
GMAX_LOWER_BORDER_MIN_DEG = 35.0


@needs_atlas
def test_gluteus_maximus_free_borders_are_thin_and_the_lower_one_oblique() -> None:
    """Not a pillow: both free borders are much thinner than the middle of the sheet, and the
    lower border runs obliquely down and out, not nearly flat."""
    th = border_thickness(_mesh("gluteus_maximus_right"))
    said = f"upper border {th['upper']:.1f}, lower {th['lower']:.1f}, middle {th['middle']:.1f} mm"
    assert th["lower"] / th["middle"] <= GMAX_EDGE_OVER_MIDDLE_MAX, said
    assert th["upper"] / th["middle"] <= GMAX_EDGE_OVER_MIDDLE_MAX, said
    angle, _ = lower_border_angle()
    assert angle >= GMAX_LOWER_BORDER_MIN_DEG, f"lower border falls only {angle:.1f} degrees"


# ------------------------------------------ gluteus maximus: nothing of it inside the pelvis
#: gluteus maximus: most vertices allowed in front of the sacrum (a ray from the vertex straight
#: backwards meets the sacrum more than GMAX_BEHIND_SACRUM_GAP_MM away). The fibres from beside
#: the lower sacrum passed through the thin bone and left a lobe in front of it, inside the
#: pelvis beside piriformis: 442 vertices with the sheet fanned in one layer (main before it:
#: 219); built with the sacrum's pelvic face kept clear (muscle_regions.sacral_pelvic_face): 0.
GMAX_IN_FRONT_OF_SACRUM_MAX = 5
GMAX_BEHIND_SACRUM_GAP_MM = 3.0


def _in_front_of(m: trimesh.Trimesh, bone: trimesh.Trimesh, gap: float) -> int:
    """Vertices of ``m`` from which a ray straight backwards (+y) meets ``bone`` more than
    ``gap`` mm away: parts of the muscle lying in front of that bone."""
    import pyvista as pv
    import vtk

    tree = vtk.vtkOBBTree()
    tree.SetDataSet(pv.wrap(bone))
    tree.BuildLocator()
    hits = vtk.vtkPoints()
    v = np.asarray(m.vertices)
    lo, hi = np.asarray(bone.bounds)
    near = (v[:, 0] >= lo[0]) & (v[:, 0] <= hi[0]) & (v[:, 2] >= lo[2]) & (v[:, 2] <= hi[2])
    count = 0
    back = np.array([0.0, 1.0, 0.0])
    for p in v[near & (v[:, 1] < hi[1])]:
        if tree.IntersectWithLine(p + gap * back, p + 300.0 * back, hits, None):
            count += 1
    return count


@needs_atlas
def test_gluteus_maximus_stays_behind_the_sacrum() -> None:
    """Gluteus maximus arises from the back of the sacrum and the side of the coccyx and lies
    behind the sacrotuberous ligament: none of it lies in front of the sacrum, in the pelvis."""
    n = _in_front_of(_mesh("gluteus_maximus_right"), _mesh("sacrum"), GMAX_BEHIND_SACRUM_GAP_MM)
    assert n <= GMAX_IN_FRONT_OF_SACRUM_MAX, f"{n} gluteus maximus vertices in front of the sacrum"


# -------------------------------- gluteus maximus: an oblique front border over the trochanter
#: gluteus maximus seen from the side: the lean (degrees from vertical, down and forward) of a
#: line fitted to its front border (the most anterior point of each 6 mm horizontal band) from
#: GMAX_FRONT_BAND_MM[0] above to GMAX_FRONT_BAND_MM[1] below the hip centre: at least this.
#: Its upper fibres pass over the greater trochanter as a tendinous lamina into the iliotibial
#: tract, so the border runs down and forward from the upper border onto the trochanter. With
#: the tract insertion behind the trochanter (session 17) the border stood nearly upright
#: beside the trochanter (about 17 degrees); built about 25 (with the insertion 18 mm further
#: forward, about 37, see GMAX_ITT_TOP_OFFSET in the build). Modelling target (unverified).
GMAX_FRONT_LEAN_MIN_DEG = 22.0
GMAX_FRONT_BAND_MM = (20.0, -40.0)


def front_border_lean(m: trimesh.Trimesh, hip_z: float) -> float:
    """Lean from vertical (degrees, positive: forward going down) of the front border of ``m``
    seen from the side, over GMAX_FRONT_BAND_MM about ``hip_z`` (atlas LPS: front is -y)."""
    v = np.asarray(m.vertices)
    zs = np.arange(GMAX_FRONT_BAND_MM[1], GMAX_FRONT_BAND_MM[0] + 0.1, 5.0)
    front = np.array([v[np.abs(v[:, 2] - hip_z - z) < 3.0, 1].min() for z in zs])
    slope = np.polyfit(zs, front, 1)[0]  # y per z: positive when the border runs forward down
    return float(np.degrees(np.arctan(slope)))


def test_front_border_lean_measures_a_slanted_box() -> None:
    """A box whose front face leans 30 degrees forward going down measures about 30."""
    box = trimesh.creation.box(extents=(40.0, 40.0, 120.0))
    v = np.asarray(box.vertices).copy()
    v[:, 1] -= np.tan(np.radians(30.0)) * (60.0 - v[:, 2]) * (v[:, 1] < 0)
    v, f = trimesh.remesh.subdivide_to_size(v, box.faces, max_edge=3.0)
    got = front_border_lean(trimesh.Trimesh(v, f), 0.0)
    assert abs(got - 30.0) < 2.0, got


@needs_atlas
def test_gluteus_maximus_front_border_runs_obliquely_onto_the_trochanter() -> None:
    """Seen from the side, the front border of gluteus maximus runs down and forward onto the
    greater trochanter (its insertion band is broad from front to back there), not upright
    behind it."""
    from tests.test_atlas_muscle_shapes import _lm

    hip = float(_lm()["hip_centre_right"][2])
    lean = front_border_lean(_mesh("gluteus_maximus_right"), hip)
    assert lean >= GMAX_FRONT_LEAN_MIN_DEG, f"front border leans only {lean:.1f} degrees"
