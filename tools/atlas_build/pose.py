"""The atlas pose: hip joints in anatomical position and the standing spinopelvic parameters.

myo-sim's "neutral" model pose leaves the femurs, once the CT-shaped bones are registered onto
it, in a few degrees of hip flexion and external rotation relative to the pelvis. The atlas shows
the anatomical position, so each femur is turned about its hip-joint centre until

* its mechanical axis (hip centre -> knee centre) is parallel to the anterior pelvic plane in
  the pelvis's sagittal plane (0 deg flexion), and
* its knee flexion axis is parallel to the pelvis's left-right axis (inter-ASIS line) when both
  are seen along the mechanical axis (neutral rotation, patellae forward). The flexion axis
  passes through the centres of the posterior femoral condyles (Churchill et al. 1998, Clin
  Orthop 356:111-118: the optimal flexion axis of 15 cadaver knees ran through those centres,
  and the transepicondylar axis approximated it to ~3 deg). The extreme points of the GIAS3 mean
  femur's epicondyles do not: its medial face is broad and flat, its most medial point lies
  8 mm behind the medial condyle's centre, and a femur turned by those points stood ~9 deg
  externally rotated by its condyles (posterior condylar line 11 deg off, the wrong way round:
  in normal femurs the transepicondylar axis lies 0-12 deg, mean ~5 deg, externally rotated to
  the posterior condylar line; van der Linden-van der Zwaag et al. 2015, Adv Comput Tomogr 4:1).

Adduction is left as the registration gives it. Definitions (all measured on the bones, atlas
frame LPS mm):

* anterior pelvic plane (APP): both ASIS and the midpoint of the pubic tubercles;
* pelvis axes: X = right ASIS -> left ASIS; S = pubic-tubercle midpoint -> ASIS midpoint, made
  orthogonal to X; P = S x X (posterior);
* knee centre: midpoint of the two epicondyles (extreme points along the pelvis's X in the
  lowest 45 mm of the femur);
* flexion: angle of the mechanical axis from S towards the front in the S-P plane;
* condylar axis: medial -> lateral posterior-condyle centre (:func:`condylar_axis`);
* external rotation: angle by which the lateral end of the condylar axis has turned backwards.

The spinopelvic parameters follow Legaye et al. (1998): pelvic incidence (PI) is the angle
between the perpendicular to the S1 endplate at its centre and the line from that centre to the
hip axis (midpoint of the femoral-head centres); pelvic tilt (PT) is the angle of that line from
vertical; sacral slope (SS) is the angle of the S1 endplate from horizontal (PI = PT + SS). The
lumbar lordosis is the L1-S1 Cobb angle (L1 superior endplate to S1 endplate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from tools.atlas_build.meshutil import rotation_about

SIDE_SIGN = {"left": 1.0, "right": -1.0}
DISTAL_MM = 45.0
EXTREME_K = 12
#: the posterior condyles: the distal femur within this height of its lowest point ...
CONDYLE_MM = 40.0
#: ... more than this behind the knee centre and this far to either side of it (mm)
CONDYLE_BEHIND_MM = 5.0
CONDYLE_SPLIT_MM = 8.0
#: points further than this from a condyle's fitted sphere are left out of the refit (mm)
CONDYLE_TRIM_MM = 4.0


@dataclass(frozen=True)
class PelvisFrame:
    """Unit axes of the anterior-pelvic-plane frame (see module docstring)."""

    x: np.ndarray  # right -> left
    s: np.ndarray  # superior, in the APP
    p: np.ndarray  # posterior, normal to the APP


@dataclass(frozen=True)
class HipAngles:
    """Hip angles of one side, degrees (0 = anatomical position)."""

    flexion: float
    adduction: float
    external_rotation: float


def pelvis_frame(lm: dict[str, np.ndarray]) -> PelvisFrame:
    """Pelvis frame from the ASIS and pubic-tubercle landmarks."""
    asis_l, asis_r = np.asarray(lm["asis_left"]), np.asarray(lm["asis_right"])
    pub = 0.5 * (np.asarray(lm["pubic_tubercle_left"]) + np.asarray(lm["pubic_tubercle_right"]))
    x = asis_l - asis_r
    x = x / np.linalg.norm(x)
    s = 0.5 * (asis_l + asis_r) - pub
    s = s - (s @ x) * x
    s = s / np.linalg.norm(s)
    return PelvisFrame(x, s, np.cross(s, x))


def _sphere_centre(points: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted least-squares sphere through ``points``: centre and radius."""
    a = np.c_[2.0 * points, np.ones(len(points))] * weights[:, None]
    b = (points**2).sum(axis=1) * weights
    c = np.linalg.lstsq(a, b, rcond=None)[0]
    return c[:3], float(np.sqrt(max(c[3] + c[:3] @ c[:3], 0.0)))


def condylar_axis(
    femur: trimesh.Trimesh, knee: np.ndarray, frame: PelvisFrame, side: str
) -> np.ndarray:
    """Medial -> lateral vector between the centres of the two posterior condyles.

    The knee flexes about the line through the centres of the circular posterior condyles (the
    "geometric centre axis"), so this line, not the epicondyles' extreme points, says how the
    femur is turned. Each condyle's articular surface behind the knee centre, in the distal
    :data:`CONDYLE_MM`, is fitted with a sphere (triangle centroids weighted by area; points
    more than :data:`CONDYLE_TRIM_MM` off the sphere dropped and the fit repeated).
    """
    v = np.asarray(femur.vertices, dtype=np.float64)
    tri = v[np.asarray(femur.faces)]
    cen = tri.mean(axis=1)
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    lateral = SIDE_SIGN[side] * frame.x
    rel = cen - knee
    back = (rel @ frame.p > CONDYLE_BEHIND_MM) & (cen[:, 2] < v[:, 2].min() + CONDYLE_MM)
    centres = {}
    for name, sel in (
        ("lat", rel @ lateral > CONDYLE_SPLIT_MM),
        ("med", rel @ lateral < -CONDYLE_SPLIT_MM),
    ):
        keep = back & sel
        c, r = _sphere_centre(cen[keep], area[keep])
        for _ in range(3):
            near = keep & (np.abs(np.linalg.norm(cen - c, axis=1) - r) < CONDYLE_TRIM_MM)
            c, r = _sphere_centre(cen[near], area[near])
        centres[name] = c
    return np.asarray(centres["lat"] - centres["med"])


def femur_axes(
    femur: trimesh.Trimesh, hip: np.ndarray, frame: PelvisFrame, side: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Knee centre (midpoint of the epicondyles), unit mechanical axis (knee -> hip) and the
    medial -> lateral condylar axis (:func:`condylar_axis`) that sets the femur's rotation."""
    v = np.asarray(femur.vertices, dtype=np.float64)
    lateral = SIDE_SIGN[side] * frame.x
    distal = v[v[:, 2] < v[:, 2].min() + DISTAL_MM]
    order = np.argsort(distal @ lateral)
    # mean of the most extreme vertices: a single extreme vertex jumps as the bone turns
    e_lat = distal[order[-EXTREME_K:]].mean(axis=0)
    e_med = distal[order[:EXTREME_K]].mean(axis=0)
    knee = 0.5 * (e_lat + e_med)
    axis = np.asarray(hip, dtype=np.float64) - knee
    return knee, axis / np.linalg.norm(axis), condylar_axis(femur, knee, frame, side)


def hip_angles(femur: trimesh.Trimesh, hip: np.ndarray, frame: PelvisFrame, side: str) -> HipAngles:
    """Flexion, adduction and external rotation of one hip (degrees)."""
    _, d, e = femur_axes(femur, hip, frame, side)
    lateral = SIDE_SIGN[side] * frame.x
    flex = np.degrees(np.arctan2(d @ frame.p, d @ frame.s))
    add = np.degrees(np.arctan2(d @ lateral, d @ frame.s))
    e = e - (e @ d) * d
    ant = -frame.p - (-frame.p @ d) * d
    lat = lateral - (lateral @ d) * d
    ext = -np.degrees(np.arctan2(e @ ant, e @ lat))
    return HipAngles(float(flex), float(add), float(ext))


def neutral_rotation(
    femur: trimesh.Trimesh, hip: np.ndarray, frame: PelvisFrame, side: str
) -> np.ndarray:
    """3x3 rotation about the hip centre that zeroes flexion and rotation (adduction kept).

    Two small corrections applied in turn: about the pelvis's X axis (flexion), then about the
    corrected mechanical axis (rotation); a second pass removes the small coupling between them.
    """
    rot = np.eye(3)
    hip = np.asarray(hip, dtype=np.float64)
    for _ in range(3):
        moved = trimesh.Trimesh(
            (np.asarray(femur.vertices) - hip) @ rot.T + hip, femur.faces, process=False
        )
        ang = hip_angles(moved, hip, frame, side)
        r1 = rotation_about(frame.x, np.radians(ang.flexion))
        moved.vertices = (np.asarray(moved.vertices) - hip) @ r1.T + hip
        _, d, _ = femur_axes(moved, hip, frame, side)
        ang2 = hip_angles(moved, hip, frame, side)
        # undo the external rotation about the axis: a positive turn about the upward axis takes
        # the left femur's lateral side backwards (external) and the right one's forwards (the
        # sign was the other way round, which only the old extreme-point measure, jumping as
        # the bone turned, hid)
        r2 = rotation_about(d, -SIDE_SIGN[side] * np.radians(ang2.external_rotation))
        rot = r2 @ r1 @ rot
    return rot


@dataclass(frozen=True)
class Spinopelvic:
    """Standing sagittal parameters, degrees."""

    pelvic_incidence: float
    pelvic_tilt: float
    sacral_slope: float
    lumbar_lordosis_l1_s1: float


def _sagittal(v: np.ndarray) -> np.ndarray:
    """(anterior, superior) components of a vector (LPS: anterior = -y)."""
    return np.array([-v[1], v[2]], dtype=np.float64)


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    """Unsigned angle between two 2-D vectors, degrees."""
    c = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def spinopelvic(
    s1_centre: np.ndarray,
    s1_normal: np.ndarray,
    hip_left: np.ndarray,
    hip_right: np.ndarray,
    l1_up: np.ndarray,
) -> Spinopelvic:
    """PI, PT, SS and the L1-S1 lordosis in the sagittal plane (atlas frame, +z vertical)."""
    hip_axis = 0.5 * (np.asarray(hip_left) + np.asarray(hip_right))
    n = _sagittal(np.asarray(s1_normal))
    to_hip = _sagittal(hip_axis - np.asarray(s1_centre))
    pi = _angle(-n, to_hip)  # perpendicular pointing into the pelvis vs line to the hip axis
    up = _sagittal(np.asarray(s1_centre) - hip_axis)
    pt = float(np.degrees(np.arctan2(-up[0], up[1])))  # + when S1 lies behind the hip axis
    ss = _angle(n, np.array([0.0, 1.0]))
    ll = _angle(n, _sagittal(np.asarray(l1_up)))
    return Spinopelvic(pi, pt, ss, ll)


#: Published adult standing ranges used to check the atlas (degrees): mean +- 2 SD where given.
#: PI 32-74, PT 0-27, SS 24-55: Mac-Thiong et al. 2011 (709 asymptomatic adults, Eur Spine J
#: 20 Suppl 5:572-7); PI mean 51.7 (SD 11, range 33-85), lordosis mean 46.5: Vaz, Roussouly et
#: al. 2002 (Eur Spine J 11:80-87); L1-S1 lordosis 50.5 +- 11.4 (n = 324, Sci Rep 2022,
#: doi:10.1038/s41598-022-21840-x), so 28-73 at +- 2 SD.
PUBLISHED_RANGES: dict[str, tuple[float, float]] = {
    "pelvic_incidence": (32.0, 74.0),
    "pelvic_tilt": (0.0, 27.0),
    "sacral_slope": (24.0, 55.0),
    "lumbar_lordosis_l1_s1": (28.0, 73.0),
}
