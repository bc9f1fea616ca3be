"""Attachment areas on the bone surfaces, found from landmarks (right side, atlas frame).

Fan-shaped muscles (iliacus, gluteus medius/minimus/maximus, piriformis) must be shaped from
their attachment *areas*, not from one to three myo-sim lines. Each function here selects a
patch of a bone surface with simple rules stated in anatomical terms (which face of the bone,
between which lines), and returns well-spread points of it. The rules use a wing coordinate
frame of the ilium: ``u`` runs from the PSIS toward the ASIS, ``t`` is the height between the
acetabular roof (0) and the iliac crest (1) at that ``u``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import trimesh

MEDIAL_RIGHT = np.array([1.0, 0.0, 0.0])  # right side: medial is +x in LPS


@dataclass(frozen=True)
class Patch:
    """Points (n, 3) and outward unit normals (n, 3) of a bone-surface patch."""

    points: np.ndarray
    normals: np.ndarray


def dense_surface(mesh: trimesh.Trimesh, spacing: float = 2.5) -> Patch:
    """Surface points about ``spacing`` apart with outward normals (area sampling, fixed seed).

    Cached per mesh and spacing: several muscles read the same bone surfaces.
    """
    key = (id(mesh), float(spacing))
    if key not in _DENSE:
        n = int(np.clip(mesh.area / spacing**2, 500, 1_000_000))
        pts, face = trimesh.sample.sample_surface(mesh, n, seed=4321)
        _DENSE[key] = (mesh, Patch(np.asarray(pts), np.asarray(mesh.face_normals)[face]))
    return _DENSE[key][1]


_DENSE: dict[tuple[int, float], tuple[trimesh.Trimesh, Patch]] = {}


def farthest_points(points: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` well-spread points (farthest-point sampling, deterministic start)."""
    if len(points) <= n:
        return np.arange(len(points))
    start = int(np.argmax(points @ np.array([0.31, -0.57, 0.76])))
    chosen = [start]
    d = np.linalg.norm(points - points[start], axis=1)
    for _ in range(n - 1):
        i = int(np.argmax(d))
        chosen.append(i)
        d = np.minimum(d, np.linalg.norm(points - points[i], axis=1))
    return np.array(chosen)


@dataclass(frozen=True)
class WingFrame:
    """Ilium wing coordinates: ``u`` (mm, posterior->anterior), ``t`` (0 acetabulum .. 1 crest)."""

    axis: np.ndarray
    psis_u: float
    asis_u: float
    z_low: float
    crest_u: np.ndarray  # bin centres
    crest_z: np.ndarray  # crest height per bin
    crest_pts: np.ndarray  # (k, 3) crest points ordered posterior -> anterior

    def u(self, p: np.ndarray) -> np.ndarray:
        return np.asarray(p) @ self.axis

    def t(self, p: np.ndarray) -> np.ndarray:
        zc = np.interp(self.u(p), self.crest_u, self.crest_z)
        return (np.asarray(p)[:, 2] - self.z_low) / np.maximum(zc - self.z_low, 1.0)

    def crest_point(self, frac: float) -> np.ndarray:
        """Point on the crest at fraction ``frac`` from PSIS (0) to ASIS (1)."""
        uu = self.psis_u + frac * (self.asis_u - self.psis_u)
        i = int(np.argmin(np.abs(self.crest_pts @ self.axis - uu)))
        return self.crest_pts[i]


def wing_frame(hip: Patch, lm: dict[str, np.ndarray], side: str = "right") -> WingFrame:
    """Build the wing frame of one hip bone from its surface and landmarks."""
    asis, psis = lm[f"asis_{side}"], lm[f"psis_{side}"]
    axis = asis - psis
    axis[2] = 0.0
    axis /= np.linalg.norm(axis)
    z_low = float(lm[f"hip_centre_{side}"][2] + 22.0)
    p = hip.points
    up = p[p[:, 2] > z_low + 20.0]
    uu = up @ axis
    psis_u, asis_u = float(psis @ axis), float(asis @ axis)
    edges = np.arange(psis_u - 10.0, asis_u + 10.0, 5.0)
    cu, cz, cp = [], [], []
    for a, b in itertools.pairwise(edges):
        sel = (uu >= a) & (uu < b)
        if not sel.any():
            continue
        k = int(np.argmax(up[sel, 2]))
        cu.append(0.5 * (a + b))
        cz.append(float(up[sel][k, 2]))
        cp.append(up[sel][k])
    return WingFrame(axis, psis_u, asis_u, z_low, np.array(cu), np.array(cz), np.array(cp))


def _select(patch: Patch, mask: np.ndarray) -> Patch:
    return Patch(patch.points[mask], patch.normals[mask])


def outer_ilium(hip: Patch, wf: WingFrame, lateral: np.ndarray) -> np.ndarray:
    """Mask of the gluteal (outer) surface of the ilium above the acetabulum."""
    n = hip.normals
    return (n @ lateral > 0.3) & (hip.points[:, 2] > wf.z_low - 6.0) & (wf.t(hip.points) < 0.95)


def posterior_gluteal_line(t: np.ndarray) -> np.ndarray:
    """Position ``rel`` (0 PSIS .. 1 ASIS) of the posterior gluteal line at wing height ``t``.

    It leaves the crest about a fifth of the way from the PSIS to the ASIS and runs down and
    slightly forward to end above the greater sciatic notch, near the posterior inferior iliac
    spine.
    """
    return np.asarray(np.interp(t, [0.2, 1.0], [0.30, 0.21]))


#: The anterior gluteal line, the longest of the three, leaves the crest about 4 cm behind the
#: ASIS (Gray's Anatomy, 20th ed., 1918) and arches gently backward and downward, convex upward,
#: to the apex of the greater sciatic notch (anatomyexpert.com "Anterior gluteal line"); its
#: front end meets the crest in front of the iliac tubercle (earthslab.com "Iliac Spine"),
#: about 5 cm behind the ASIS and a little short of the crest's outer lip (Frazer, "The Anatomy
#: of the Human Skeleton", as printed at bookdome.com "The Acetabular Region"). Knots: ``rel``
#: along the wing (after the notch's own ``rel``) and height ``t``. The heights are modelling
#: choices (unverified: no measured height of the line below the crest was found): 7-11 mm
#: below the crest in front of rel 0.75 (the model's iliac tubercle lies at rel 0.78), 18 mm at
#: rel 0.65, 30 at 0.55 and 42 at 0.45, then a steep fall to the notch. The line of earlier
#: builds (EARLY_AGL_KNOTS) ran 12-17 mm lower from rel 0.45 to 0.75 (21 mm below the crest at
#: the tubercle, 47 at rel 0.55), and an independent comparison with segmented anatomy (issue
#: 11) found gluteus minimus's origin stopping ~20 mm short of its upper limit and gluteus
#: medius's lower edge ~15 mm low.
AGL_KNOTS = ((0.45, 0.55, 0.65, 0.75, 1.0), (0.64, 0.74, 0.84, 0.89, 0.9))
#: the line of earlier builds: still the lower edge of the strip of gluteus maximus's
#: aponeurotic origin (muscle_fibres._gmax_aponeurosis, through gluteus_medius_area), which is
#: left for that muscle's own change so that the two can be merged separately
EARLY_AGL_KNOTS = ((0.45, 0.7, 1.0), (0.5, 0.74, 0.9))
#: height ``t`` of both lines at the greater sciatic notch
AGL_NOTCH_T = 0.2


def anterior_gluteal_line(
    rel: np.ndarray, notch_rel: float, knots: tuple[tuple[float, ...], ...] = AGL_KNOTS
) -> np.ndarray:
    """Height ``t`` of the anterior gluteal line along the wing (``rel`` 0 PSIS .. 1 ASIS).

    It begins at the upper border of the greater sciatic notch and runs forward and up, curving
    to end just below the crest a few cm behind the ASIS: low at the back, high in front
    (:data:`AGL_KNOTS`).
    """
    return np.asarray(np.interp(rel, [notch_rel, *knots[0]], [AGL_NOTCH_T, *knots[1]]))


#: Gluteus minimus arises from a crescent: between the anterior gluteal line above (which
#: "is convex upwards and backwards", its posterior end at the greater sciatic notch) and the
#: inferior gluteal line below (from just above the anterior inferior iliac spine to the
#: greater sciatic notch), and behind from the margin of the notch (earthslab.com "Iliac
#: Spine"; Gray's Anatomy 1918 as quoted at wiki.stringtranslate.com "Gluteus minimus
#: muscle"). Both lines arch round the acetabulum, so the area is modelled as a band between
#: two arcs about the hip centre (in the wing plane: ``axis`` and the vertical): its fibres
#: converge steadily on the trochanter below, a fan, instead of a block standing on a flat
#: lower border at the acetabular rim.
#: Radius (mm) of the inferior gluteal line about the hip centre at the top of its arch; at its
#: ends it passes just above the notch's apex and GMIN_ABOVE_AIIS_MM above the AIIS. Modelling
#: choices (unverified): no distance of the line from the acetabular rim was found in the
#: stored pages. At 42 mm the line's top lies about 20 mm above the acetabular roof (``t`` = 0,
#: 22 mm above the hip centre), the bare strip below it left to the reflected head of rectus
#: femoris and the capsule; the old lower border ran along the roof itself.
GMIN_IGL_TOP_MM = 42.0
GMIN_ABOVE_AIIS_MM = 6.0
#: behind, the origin follows the margin of the greater sciatic notch down below its apex
#: (Gray's Anatomy 1918, as quoted above): the lower arc ends this much nearer the hip centre
#: than the notch's apex. A modelling choice (unverified): at 2 mm the bare corner above the
#: back of the acetabulum let gluteus medius, draped over minimus, down onto the bone there (18
#: % of its vertices across the hip touched bone, so the posture model no longer let it go
#: taut across the flexed hip: skinning.FREE_FRACTION 0.1); 6 mm gives 4 % (the old block 8 %)
GMIN_NOTCH_MARGIN_MM = 6.0
#: how far (t units of the wing frame, ~1 mm per 0.01) the upper border of the origin reaches
#: above the anterior gluteal line that is also gluteus medius's lower border: none, the two
#: muscles meet on the line. An independent comparison with segmented anatomy (issue 11) found
#: the origin stopping ~20 mm short of its upper limit and medius's lower edge ~15 mm low; the
#: line itself was low (see :data:`AGL_KNOTS`) and was raised for both. Raising only minimus's
#: border (0.05, 0.1) lifted medius, draped over it, off the bone beside the iliac tubercle
#: (the male body's pelvis then needed 16.2-16.6 mm of push-out, limit 16).
GMIN_ABOVE_AGL = 0.0
#: Radius (mm) of the upper border's arc about the hip centre straight above it, and how far
#: beyond the notch's radius it reaches behind: modelling choices (unverified). In the middle
#: of the wing the arc lies above the anterior gluteal line, which bounds the area there; in
#: front it rounds off the peak that line's steep forward rise made (a lemon, pointed at the
#: top, seen from the side).
GMIN_AGL_TOP_MM = 125.0
GMIN_AGL_NOTCH_MM = 40.0
#: share of the angle up to the ASIS over which the arc stays at GMIN_AGL_TOP_MM before it falls
#: toward the ASIS: a rounded anterosuperior corner (the line reaches the crest in front of the
#: iliac tubercle, earthslab.com "Iliac Spine"); a modelling choice
GMIN_AGL_ROUND = 0.5
#: in front the origin stops this far (mm, radially about the hip centre) short of the ASIS:
#: the comparison found it running forward to the ASIS; its anterior horn ends on the anterior
#: border of the ilium between the two iliac spines. A modelling choice (unverified).
GMIN_BELOW_ASIS_MM = 22.0


def _polar(p: np.ndarray, wf: WingFrame, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Radius (mm) and angle (degrees, 0 straight up, positive forward) of points about
    ``centre`` in the wing plane (the wing's posterior -> anterior axis and the vertical)."""
    du = (np.asarray(p) - centre) @ wf.axis
    dz = np.asarray(p)[:, 2] - centre[2]
    return np.hypot(du, dz), np.degrees(np.arctan2(du, dz))


def gluteus_minimus_area(hip: Patch, wf: WingFrame, lm: dict[str, np.ndarray]) -> Patch:
    """Outer ilium between the inferior and anterior gluteal lines: a crescent about the hip
    centre (see :data:`GMIN_IGL_TOP_MM`)."""
    lateral = -MEDIAL_RIGHT
    p = hip.points
    u, t = wf.u(p), wf.t(p)
    length = wf.asis_u - wf.psis_u
    rel = (u - wf.psis_u) / length  # 0 at PSIS, 1 at ASIS
    notch_rel = float((lm["greater_sciatic_notch_right"] @ wf.axis - wf.psis_u) / length)
    t_ag = anterior_gluteal_line(rel, notch_rel) + GMIN_ABOVE_AGL
    c = lm["hip_centre_right"]
    r, ang = _polar(p, wf, c)
    (r_n,), (a_n,) = _polar(lm["greater_sciatic_notch_right"][None], wf, c)
    (r_a,), (a_a,) = _polar(lm["aiis_right"][None], wf, c)
    (r_s,), (a_s,) = _polar(lm["asis_right"][None], wf, c)
    r_igl = np.interp(
        ang,
        [a_n, 0.0, a_a],
        [r_n - GMIN_NOTCH_MARGIN_MM, GMIN_IGL_TOP_MM, r_a + GMIN_ABOVE_AIIS_MM],
    )
    # upper border: an arc too, highest above the hip centre, falling to short of the ASIS in
    # front and to the notch behind (the anterior gluteal line runs into the notch)
    r_top = np.interp(
        ang,
        [a_n, 0.0, GMIN_AGL_ROUND * a_s, a_s],
        [r_n + GMIN_AGL_NOTCH_MM, GMIN_AGL_TOP_MM, GMIN_AGL_TOP_MM, r_s - GMIN_BELOW_ASIS_MM],
    )
    m = outer_ilium(hip, wf, lateral) & (r > r_igl) & (r < r_top) & (t < t_ag)
    m &= rel > notch_rel + 0.02
    return _select(hip, m)


def gluteus_medius_area(
    hip: Patch, wf: WingFrame, lm: dict[str, np.ndarray], early: bool = False
) -> Patch:
    """Outer ilium between the crest, the anterior and the posterior gluteal lines
    (:data:`AGL_KNOTS`).

    ``early``: the lower border on the line of earlier builds (:data:`EARLY_AGL_KNOTS`), which
    only gluteus maximus's aponeurotic strip still reads: kept when the line was raised so the
    two muscles' changes could be merged apart. Moving the strip to the raised line is untried
    (it would lose its lower part, and the sheet is at 17.8 of its 18 mm thickness limit)."""
    lateral = -MEDIAL_RIGHT
    p = hip.points
    u, t = wf.u(p), wf.t(p)
    length = wf.asis_u - wf.psis_u
    rel = (u - wf.psis_u) / length
    notch_rel = float((lm["greater_sciatic_notch_right"] @ wf.axis - wf.psis_u) / length)
    t_ag = anterior_gluteal_line(rel, notch_rel, EARLY_AGL_KNOTS if early else AGL_KNOTS)
    pgl = posterior_gluteal_line(t)
    m = outer_ilium(hip, wf, lateral) & (t > t_ag - 0.04) & (rel > pgl) & (rel < 0.88)
    return _select(hip, m)


#: how far above the PSIS the iliac origin of gluteus maximus reaches (mm): its upper border
#: leaves the posterior crest just above the PSIS and runs down and out over the greater
#: trochanter; the crest further up and forward belongs to gluteus medius and the fascia
GMAX_ABOVE_PSIS_MM = 18.0


def gluteus_maximus_ilium_area(hip: Patch, wf: WingFrame, psis: np.ndarray | None = None) -> Patch:
    """Outer ilium behind the posterior gluteal line (near the PSIS and posterior crest, down
    to the posterior inferior iliac spine), up to GMAX_ABOVE_PSIS_MM above the PSIS."""
    p = hip.points
    lateral = -MEDIAL_RIGHT
    posterior = np.array([0.0, 1.0, 0.0])
    rel = (wf.u(p) - wf.psis_u) / (wf.asis_u - wf.psis_u)
    n = hip.normals
    t = wf.t(p)
    m = ((n @ lateral > 0.0) | (n @ posterior > 0.3)) & (rel < posterior_gluteal_line(t))
    m &= t > 0.2
    if psis is not None:
        m &= p[:, 2] < float(psis[2]) + GMAX_ABOVE_PSIS_MM
    return _select(hip, m)


def pelvic_face(hip_bone: trimesh.Trimesh) -> np.ndarray:
    """Points of the hip bone's inner faces that gluteus maximus never touches (right side).

    The pelvic surface of the ilium and ischium, the medial face of the greater sciatic notch
    and the strip behind the sacroiliac joint face medially (into the pelvis or onto the
    sacrum); gluteus maximus lies wholly behind and outside the bony pelvis, on the
    sacrotuberous ligament and the short rotators where it bridges the sciatic foramina.
    Faces that look backwards as much as medially (posterior crest, PSIS) stay allowed: they
    are part of its origin.
    """
    hip = dense_surface(hip_bone, 2.5)
    n = hip.normals
    return np.asarray(hip.points[(n @ MEDIAL_RIGHT > 0.3) & (n[:, 1] < 0.3)])


#: how far (mm) in front of the sacrum's pelvic face gluteus maximus is kept out
#: (:func:`sacral_pelvic_face`): the lobe it must not form reached 25 mm in front of the bone
SACRAL_KEEP_OFF_MM = 27.0


def sacral_pelvic_face(sacrum: trimesh.Trimesh, depth_mm: float = SACRAL_KEEP_OFF_MM) -> np.ndarray:
    """Points filling the space just in front of the sacrum's pelvic (anterior) face on the
    right side, which gluteus maximus never enters: it arises from the back of the sacrum and
    the side of the coccyx and lies behind the sacrotuberous ligament.

    The fibres from beside the lower sacrum and the coccyx run forward as well as down and out
    to the femur; draped one by one they passed through the thin lower sacrum (about 15 mm
    thick at S4-S5) and left a lobe of the muscle in front of it, inside the pelvis beside
    piriformis (10-30 mm from the midline, reaching 25 mm in front of the bone). Seen from
    behind, that lobe's deep rim showed 20-30 mm below the sheet beside it, so the sheet's
    medial border measured as a ridge up to 6.5 mm high (tests/test_atlas_gmax_smooth.py).
    The face (normals pointing forward) is swept ``depth_mm`` straight forward, like the block
    that fills the greater sciatic foramen (muscle_fibres._sciatic_foramen).
    """
    sac = dense_surface(sacrum, 2.0)
    n = sac.normals
    face = sac.points[(n[:, 1] < -0.3) & (sac.points[:, 0] < -2.0)]
    steps = np.arange(0.0, depth_mm + 0.1, 3.0)
    return np.vstack([face - np.array([0.0, d, 0.0]) for d in steps])


def gluteus_maximus_areas(
    bones: dict[str, trimesh.Trimesh], lm: dict[str, np.ndarray]
) -> dict[str, Patch]:
    """Named bony origin areas of gluteus maximus (right side).

    * ``gmax_ilium``: outer ilium behind the posterior gluteal line and the crest above it;
    * ``gmax_sacrum``: lateral part of the dorsal sacrum (lateral sacral crest), S1-S5;
    * ``gmax_coccyx``: side of the coccyx.
    The sacrotuberous-ligament part of the origin has no bone.
    """
    hip = dense_surface(bones["hip_bone_right"], 2.5)
    wf = wing_frame(hip, lm)
    sac = dense_surface(bones["sacrum"], 2.0)
    prom, tip = lm["sacral_promontory"], lm["coccyx_tip"]
    axis = tip - prom
    t = (sac.points - prom) @ axis / (axis @ axis)
    x = -sac.points[:, 0]
    dorsal = sac.normals[:, 1] > 0.2
    return {
        "gmax_ilium": gluteus_maximus_ilium_area(hip, wf, lm["psis_right"]),
        "gmax_sacrum": _select(sac, dorsal & (x > 20.0) & (t > 0.3) & (t < 0.85)),
        "gmax_coccyx": _select(sac, (sac.normals[:, 0] < -0.2) & (x > 4.0) & (t > 0.85)),
    }


#: where the iliac attachment of quadratus lumborum runs along the crest, as fractions of the
#: way from the PSIS (0) to the ASIS (1): from the crest end of the iliolumbar ligament (in front
#: of the sacroiliac joint) laterally along the inner lip for about 5 cm ("the iliolumbar
#: ligament and the internal lip of the iliac crest for about 5 centimetres", Gray's text as
#: reproduced at https://acemap.info/field/2032828866; 57 mm straight, 61 mm along the binned
#: crest top here). It starts where the crest has turned lateral (0.16; at 0.12 it still climbed
#: from the PSIS, so the sheet's lower border ran backwards and read as a narrow strap from
#: behind) and ends just past the crest's highest point, 48 mm lateral to the L5 transverse
#: process (0.5; it was 0.46, 43 mm): with the ligament this lower border is the long side of
#: the quadrilateral, so the sheet is broadest at the crest and narrows up to the rib (a
#: lecturer found it narrowing toward the crest, issue 11 review).
QL_CREST_RANGE = (0.16, 0.5)
#: how far out along the 12th rib (head 0 .. tip 1) its attachment line runs: "the lower border
#: of the last rib for about half its length" (same source), the medial half ("medial half of
#: the 12th rib", issue 11), from beside the head. This skeleton's 12th rib is short (about 71 mm
#: from head to tip) and slopes down laterally, so the sheet, rising to it from below, meets it
#: further out than the line itself: with the line at 0.04-0.55 the rib contact reached 72 % of
#: the way to the tip (95th percentile) and the top edge was about 34 mm across, nearly as wide
#: as the sheet's middle, and a lecturer read the sheet as a parallel strap (issue 11 review).
#: The line at 0.0-0.42 keeps the contact on about the medial half and lets the free lateral
#: border run obliquely up and in from the crest, so the sheet is a quadrilateral about twice
#: as broad at the crest as under the rib (tests/test_atlas_gmin_ql_shapes.py).
QL_RIB_RANGE = (0.0, 0.42)


def quadratus_lumborum_areas(
    bones: dict[str, trimesh.Trimesh], lm: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Attachment lines of quadratus lumborum (right side), as ordered polylines.

    * ``ql_crest_line``: from the L5 transverse-process tip along the iliolumbar ligament to the
      inner lip of the posterior iliac crest, then laterally along the inner lip for about 5 cm
      (:data:`QL_CREST_RANGE` of the way from the PSIS to the ASIS);
    * ``ql_rib_line``: the lower border of the medial half of the 12th rib, head side first;
    * ``ql_tp_line``: the tips of the L1-L4 transverse processes, from below (the medial
      border of the sheet).
    """
    hip = dense_surface(bones["hip_bone_right"], 2.5)
    wf = wing_frame(hip, lm)
    inward = np.array([4.0, 0.0, -3.0])  # inner lip: just medial to and below the crest top
    lo, hi = QL_CREST_RANGE
    crest = [wf.crest_point(lo + f * (hi - lo)) + inward for f in np.linspace(0.0, 1.0, 6)]
    l5 = lm["transverse_process_l5_right"]
    ligament = [_lerp(l5, crest[0], t) for t in (0.0, 0.5)]
    out = {"ql_crest_line": np.array([*ligament, *crest])}
    out["ql_tp_line"] = np.array(
        [lm[f"transverse_process_{lev}_right"] for lev in ("l4", "l3", "l2", "l1")]
    )
    if "rib_12_right" in bones:
        v = np.asarray(bones["rib_12_right"].vertices)
        head = v[int(np.argmin(np.abs(v[:, 0])))]
        tip = v[int(np.argmax(-v[:, 0]))]
        pts = []
        for f in np.linspace(*QL_RIB_RANGE, 6):
            c = _lerp(head, tip, float(f))
            near = v[np.linalg.norm(v - c, axis=1) < 12.0]
            pts.append(near[int(np.argmin(near[:, 2]))] if len(near) else c)
        out["ql_rib_line"] = np.array(pts)
    else:  # no rib in the skeleton: the L1 transverse process level, further out
        l1 = lm["transverse_process_l1_right"]
        out["ql_rib_line"] = np.array(
            [l1 + np.array([0.0, 0.0, 25.0]), l1 + np.array([-40.0, 0.0, 20.0])]
        )
    return out


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return (1.0 - t) * np.asarray(a, dtype=np.float64) + t * np.asarray(b, dtype=np.float64)


def iliac_fossa_area(hip: Patch, wf: WingFrame, sacrum: trimesh.Trimesh) -> Patch:
    """Upper two thirds of the iliac fossa and the inner lip of the crest (iliacus origin)."""
    p, n = hip.points, hip.normals
    inner = n @ MEDIAL_RIGHT > 0.3
    t = wf.t(p)
    rel = (wf.u(p) - wf.psis_u) / (wf.asis_u - wf.psis_u)
    from scipy.spatial import cKDTree

    sac = cKDTree(dense_surface(sacrum, 4.0).points)
    d_sac, _ = sac.query(p, k=1)
    auricular = d_sac < 12.0
    front_of_joint = rel > (float(rel[auricular].max()) + 0.03 if auricular.any() else 0.3)
    m = inner & (t > 0.33) & (t < 0.98) & front_of_joint & (rel < 0.97)
    return _select(hip, m)


def sacrum_anterior_area(
    sac: Patch, lm: dict[str, np.ndarray], t_range: tuple[float, float]
) -> Patch:
    """Pelvic (anterior) face of the sacrum, lateral part, between two sacral levels.

    ``t`` runs from the promontory (0) to the coccyx tip (1); S2-S4 is roughly 0.22-0.62.
    """
    prom, tip = lm["sacral_promontory"], lm["coccyx_tip"]
    axis = tip - prom
    t = (sac.points - prom) @ axis / (axis @ axis)
    x = -sac.points[:, 0]  # right side: distance from the midline
    m = (sac.normals[:, 1] < -0.25) & (x > 20.0) & (x < 44.0)
    m &= (t > t_range[0]) & (t < t_range[1])
    return _select(sac, m)


def sacrum_dorsal_area(sac: Patch, lm: dict[str, np.ndarray]) -> Patch:
    """Dorsal face of the sacrum and coccyx, lateral half (gluteus maximus origin)."""
    prom, tip = lm["sacral_promontory"], lm["coccyx_tip"]
    axis = tip - prom
    t = (sac.points - prom) @ axis / (axis @ axis)
    x = -sac.points[:, 0]
    m = (sac.normals[:, 1] > 0.2) & (x > 12.0) & (t > 0.25) & (t < 1.0)
    return _select(sac, m)


def trochanter_point(
    femur: trimesh.Trimesh, lm: dict[str, np.ndarray], z: float, direction: np.ndarray
) -> np.ndarray:
    """Surface point of the greater trochanter (not the neck or head) at height ``z`` furthest
    along ``direction``: only points more than 30 mm lateral to the hip centre count."""
    p = dense_surface(femur, 3.0).points
    hip_x = float(lm["hip_centre_right"][0])
    sel = (np.abs(p[:, 2] - z) < 5.0) & (p[:, 0] < hip_x - 30.0)
    q = p[sel]
    return q[int(np.argmax(q @ direction))]


def femur_slice_extreme(
    femur: trimesh.Trimesh, z: float, direction: np.ndarray, band: float = 4.0
) -> np.ndarray:
    """Surface point of the femur at height ``z`` furthest along ``direction``."""
    p = dense_surface(femur, 3.0).points
    sel = np.abs(p[:, 2] - z) < band
    q = p[sel]
    return q[int(np.argmax(q @ direction))]


#: Named bony attachment areas of each muscle (right side): area name -> bone id. The areas
#: are built by :func:`named_areas`; the build lofts each muscle from them and the tests check
#: that the muscle's bony contact lies on them.
ATTACHMENT_AREAS: dict[str, dict[str, str]] = {
    "gluteus_maximus": {
        "gmax_ilium": "hip_bone_right",
        "gmax_sacrum": "sacrum",
        "gmax_coccyx": "sacrum",
    },
    "gluteus_medius": {"gmed_outer_ilium": "hip_bone_right"},
    "gluteus_minimus": {"gmin_outer_ilium": "hip_bone_right"},
    "piriformis": {"piriformis_pelvic_sacrum": "sacrum"},
    "iliacus": {"iliac_fossa": "hip_bone_right"},
    "quadratus_lumborum": {"ql_crest_line": "hip_bone_right", "ql_rib_line": "rib_12_right"},
}


def named_areas(bones: dict[str, trimesh.Trimesh], lm: dict[str, np.ndarray]) -> dict[str, Patch]:
    """Every named attachment area of :data:`ATTACHMENT_AREAS` (right side) as a point patch."""
    hip = dense_surface(bones["hip_bone_right"], 2.5)
    wf = wing_frame(hip, lm)
    sac = dense_surface(bones["sacrum"], 2.0)
    out: dict[str, Patch] = dict(gluteus_maximus_areas(bones, lm))
    out["gmed_outer_ilium"] = gluteus_medius_area(hip, wf, lm)
    out["gmin_outer_ilium"] = gluteus_minimus_area(hip, wf, lm)
    out["piriformis_pelvic_sacrum"] = sacrum_anterior_area(sac, lm, PIRIFORMIS_SACRAL_RANGE)
    out["iliac_fossa"] = iliac_fossa_area(hip, wf, bones["sacrum"])
    for name, line in quadratus_lumborum_areas(bones, lm).items():
        out[name] = Patch(line, np.zeros_like(line))
    return out


#: piriformis origin on the pelvic surface of the sacrum, lateral to the S2-S4 foramina, as
#: fractions of the way from the promontory (0) to the coccyx tip (1)
PIRIFORMIS_SACRAL_RANGE = (0.3, 0.7)
