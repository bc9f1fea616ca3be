"""Pair-view overlays: lines of action as arrows and the joints they cross as labelled markers.

Drawn in the overlay layer (see :mod:`viewer.render.markers`), so an arrow running through the
middle of a muscle stays visible, like the arrows of a textbook diagram.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkCommonExecutionModel import vtkAlgorithmOutput
from vtkmodules.vtkFiltersCore import vtkTubeFilter
from vtkmodules.vtkFiltersSources import vtkConeSource, vtkSphereSource
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkPolyDataMapper,
    vtkRenderer,
)

from viewer.domain.mechanics import Pull, Turning, side_pull
from viewer.domain.overlay_route import (
    ROUTE_PAD_PX,
    along,
    clear_runs,
    densify,
    first_best,
    hits,
    inside_boxes,
    inside_polygon,
)
from viewer.domain.structures import hex_to_rgb

ARROW_RADIUS_MM = 2.2
HEAD_LENGTH_MM = 16.0
HEAD_RADIUS_MM = 6.5
JOINT_RADIUS_MM = 7.0
JOINT_RGB = (0.42, 0.42, 0.45)
"""Joint dots: mid grey, so they read on the light theme and on the black projector background
(a near-black dot vanished there) and on ivory bone."""
COURSE_RADIUS_MM = 1.0
"""The muscle's resultant course: a thin line under the force arrow."""
PULL_MIN_MM, PULL_MAX_MM = 30.0, 110.0
"""Force-arrow length for the weakest and the strongest pull of a view."""
CURL_RADIUS_MM, CURL_STEP_MM, CURL_TUBE_MM = 24.0, 13.0, 2.0
"""Curved arrows: radius of the first ring, extra radius per further ring at the same joint."""
CURL_ARC_DEG = 260.0
LEVEL_RING_RADIUS_MM = 30.0
"""Radius of a ring drawn at its preferred level on the axis (:attr:`Turning.level_mm`): two
such rings bracket the hip joint (pair 3), one above and one below its centre; at 42 mm the two
ellipses overlapped there, at 30 mm they stay about 30 px apart on a slide and still ring the
femoral neck."""
JOINT_RING_RADII_MM = (24.0, 18.0, 31.0, 38.0)
"""Radii tried for a ring round a joint without a ball (a lumbar disc, the sacroiliac joint),
in order of preference: the lumbar joints' dots lie 32-38 mm apart in the built-in atlas (L4-L5
to L5-S1, L2-L3 to L3-L4), so a ring of 18-24 mm circles its own dot without reaching or taking
in the next one (the hip's 30-56 mm rings round L2-L3 took in the L3-L4 dot on lesson 3); the
larger radii are for a joint with an arc already round it (pair 1's piriformis arc, 25 mm from
the sacroiliac axis)."""
LEVEL_NUDGES_MM = (12.0, 24.0)
"""How much farther from the joint than its preferred level a ring beside a ball may sit and
still count as on it (ranked as the preferred level): lesson 8's gluteal ring, boxed in at 45 mm
above the hip by the femoral head and the straight arrows, ran across the iliopsoas arrows with
its head on the gluteal ones; 12-24 mm higher it clears both."""
BALL_RING_RADII_MM = (40.0, 48.0, 56.0, 64.0, 72.0, 80.0)
"""Radii tried for a ring drawn at the level of a ball-and-socket joint's centre (level 0 at the
hip), smallest first. Both sides' rings are then concentric on the joint, the picture of two
muscles turning one joint opposite ways. The femoral head (24 mm in this atlas) must show
inside the ring on screen: pair 3 sees its rings at a minor/major axis ratio of about 0.73, so
the ring's short half-axis needs 24 / 0.73 = 33 mm of radius, plus the tube and a gap. Two
rings round one joint keep :data:`RING_GAP_PX` apart (16-24 mm of radius on a pair view, more
where X's leave only some radii clear), so the choice runs to 80 mm (the greater trochanter
lies about 45 mm from the hip's axis)."""
FALLBACK_RING_RADIUS_MM = 42.0
"""Radius of a ring drawn at a fallback level (:attr:`Turning.fallback_levels_mm`), round the
thigh below the hip where X's crowd the joint: round the proximal femur (the greater trochanter
lies about 45 mm from a vertical axis through the hip centre)."""
ARROW_SHADE = 0.55
HALO_MM = 1.5
"""Width of the pale rim around every arrow, arc, ring and attachment ball: a dark-blue arrow on
the blue muscle it belongs to (left vs right iliopsoas) and on the black projector background
vanished; with the rim it reads on its own muscle, on bone and on any theme."""
HALO_RGB = (0.97, 0.97, 0.94)
MIN_ARROW_SHARE = 0.085
"""Shortest an arrow (or arc) should look on screen, as a share of the frame height: a pull
pointing at the camera showed as a stub. A longer way to draw it is taken when one is clear of
the X's."""

PointLabels = Callable[[Sequence[tuple[str, NDArray[np.floating]]]], None]
"""Where joint names go: the view's one label layout (``LabelOverlay.set_point_labels``)."""


def _polyline(points: NDArray[np.floating]) -> vtkPolyData:
    vtk_points = vtkPoints()
    vtk_points.SetData(numpy_to_vtk(np.ascontiguousarray(points, dtype=np.float64), deep=True))
    lines = vtkCellArray()
    lines.InsertNextCell(len(points))
    for i in range(len(points)):
        lines.InsertCellPoint(i)
    poly = vtkPolyData()
    poly.SetPoints(vtk_points)
    poly.SetLines(lines)
    return poly


def _actor(source_output: vtkAlgorithmOutput, rgb: tuple[float, float, float]) -> vtkActor:
    mapper = vtkPolyDataMapper()
    mapper.SetInputConnection(source_output)
    actor = vtkActor()
    actor.SetMapper(mapper)
    prop = actor.GetProperty()
    prop.SetColor(*rgb)
    prop.SetAmbient(0.3)
    prop.SetDiffuse(0.7)
    prop.SetSpecular(0.3)
    return actor


def _cone(
    tip: NDArray[np.floating],
    direction: NDArray[np.floating],
    height: float,
    radius: float,
    rgb: tuple[float, float, float],
) -> vtkActor:
    """An arrow head: a cone with its point at ``tip``, pointing along unit ``direction``."""
    cone = vtkConeSource()
    cone.SetResolution(20)
    cone.SetHeight(height)
    cone.SetRadius(radius)
    cone.SetDirection(*direction)
    cone.SetCenter(*(np.asarray(tip) - np.asarray(direction) * height / 2))
    return _actor(cone.GetOutputPort(), rgb)


def arrow_rgb(color: str) -> tuple[float, float, float]:
    """An arrow's colour: its side's hue, darkened by :data:`ARROW_SHADE` so it stands out
    against the muscle painted in that same colour."""
    r, g, b = hex_to_rgb(color)
    return (r * ARROW_SHADE, g * ARROW_SHADE, b * ARROW_SHADE)


def curl_points(
    center: NDArray[np.floating],
    axis: NDArray[np.floating],
    radius: float,
    sign: int,
    n: int = 48,
    turn_deg: float = 0.0,
    arc_deg: float = CURL_ARC_DEG,
) -> NDArray[np.float64]:
    """Points of a curved arrow around ``axis`` (unit) at ``center``, in the sense of ``sign``.

    The arc spans :data:`CURL_ARC_DEG` centred on the direction of +z projected into the plane
    (for a vertical axis: on -y, the front), so its open gap faces down, away from the head;
    ``turn_deg`` turns the whole arc about the axis (its gap then faces elsewhere: see
    :data:`GAP_TURNS_DEG`).
    """
    _, e1, e2 = _curl_basis(axis)
    half = np.radians(arc_deg / 2)
    theta = np.linspace(-half, half, n) + np.radians(turn_deg)
    if sign < 0:
        theta = theta[::-1]
    c = np.asarray(center, dtype=np.float64)
    out: NDArray[np.float64] = c + radius * (
        np.cos(theta)[:, None] * e1 + np.sin(theta)[:, None] * e2
    )
    return out


def _curl_basis(
    axis: NDArray[np.floating],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The unit ``axis`` and the plane about it in which :func:`curl_points` sweeps: ``e1``
    toward +z projected into the plane (-y for an axis near vertical), ``e2 = axis x e1``."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / float(np.linalg.norm(a))
    up = np.array([0.0, 0.0, 1.0]) if abs(a[2]) < 0.9 else np.array([0.0, -1.0, 0.0])
    e1 = up - (up @ a) * a
    e1 /= float(np.linalg.norm(e1))
    return a, e1, np.cross(a, e1)


def medial_turn_deg(center: NDArray[np.floating], axis: NDArray[np.floating]) -> float:
    """The ``turn_deg`` of :func:`curl_points` that centres an arc about ``axis`` on the side
    of ``center`` facing the body's midline (x = 0, the atlas's sagittal plane), or 0 where
    that side is along the axis."""
    a, e1, e2 = _curl_basis(axis)
    medial = np.array([-float(np.sign(np.asarray(center, dtype=np.float64)[0])), 0.0, 0.0])
    if not medial.any() or abs(float(medial @ a)) > 0.9:
        return 0.0
    return float(np.degrees(np.arctan2(float(medial @ e2), float(medial @ e1))))


SHORT_ARC_TURNS_DEG = (0.0, 30.0, -30.0, 180.0)
"""Turns of a short arc (pair 3, lesson 8) tried: on the midline side of the hip (the pelvis
beside it rising) or on the outer side (the ilium pulled down toward the trochanter), never
under the hip: turned there to clear pair 3's X's, its sense ran medially over the femur and
read as the thigh adducting."""

SHORT_ARC_RADII_MM = (32.0, 40.0, 48.0)
"""Radii of a short arc round the hip's ball (a femoral head of about 24 mm): tighter than
:data:`BALL_RING_RADII_MM`."""

GAP_TURNS_DEG = (0.0, 30.0, -30.0, 60.0, -60.0, 90.0, -90.0, 120.0, -120.0, 150.0, -150.0, 180.0)
"""Turns of a ring about its axis tried, in order, to keep it off a joint's ball: turning the
ring's gap to where it would pass in front of the ball lets the ring run round behind the
joint instead of across it. Lesson 8's gluteal ring, 30 mm above the hip seen from above and
in front, crossed the femoral head's disc over some 75 degrees of its course."""

BALL_CLEAR_PX = 2.0
"""Gap kept between a ring (its head and rim included) and a joint's ball on screen."""

RING_GAP_PX = 25.0
"""Gap kept between two rings on screen: pair 3 seen from behind and to the right put the
gluteal ring's fallback (70 mm below the hip) 2 px from the iliopsoas ring (40 mm below), the
two curves knotted into one; a further fallback level is taken instead (pair 3's gluteal
ring: 45 mm above the hip, else 70 mm below, else 135 mm below)."""

RING_HEAD_GAP_PX = 12.0
"""Extra gap kept between a ring's head and any arrow (its shaft too, not only its head and
ball): lesson 8's gluteal ring ended with its head on the gluteal arrows' shafts, one knot."""

HEAD_SAMPLES = 6

RING_REROUTES = 2
"""How many times the straight arrows are routed again round rings they cross (see
:meth:`PairOverlay._choose`)."""
"""A ring's last samples (3 mm apart) that its arrow head covers (about 15 mm long)."""


HEAD_SIDE_ON = 0.5
"""A ring's head reads when its last stretch shows at least this share of its length on screen;
shorter, the head points at the camera and shows as a blob."""


def _end_on(
    pixels: NDArray[np.floating], points: NDArray[np.floating], n: int, px_per_mm: float
) -> int:
    """1 when the last ``n`` samples of a ring (``points`` in mm, ``pixels`` on screen) are
    seen too end-on for its head to read (see :data:`HEAD_SIDE_ON`), else 0."""
    length = float(np.linalg.norm(np.asarray(points)[-1] - np.asarray(points)[-n]))
    seen = float(np.linalg.norm(np.asarray(pixels)[-1] - np.asarray(pixels)[-n]))
    return int(seen < HEAD_SIDE_ON * length * px_per_mm)


def _near(pixels: NDArray[np.floating], others: NDArray[np.floating], pad: float) -> int:
    """How many pixel points (k, 2) lie within ``pad`` of any of ``others`` (m, 2)."""
    p = np.asarray(pixels, dtype=np.float64).reshape(-1, 2)
    o = np.asarray(others, dtype=np.float64).reshape(-1, 2)
    if not len(p) or not len(o):
        return 0
    d2 = ((p[:, None, :] - o[None, :, :]) ** 2).sum(axis=-1)
    return int((d2.min(axis=1) < pad * pad).sum())


def ball_radius(bone_points: NDArray[np.floating], centre: NDArray[np.floating]) -> float:
    """Radius (mm) of the ball of a ball-and-socket joint as the atlas draws it: the 5th
    percentile of the distances of the ball's bone (the femur) from the joint centre (the
    centre of the sphere fitted to the socket). The head's surface is the part of the bone
    nearest that centre; the percentile skips the few vertices pressed inward."""
    pts = np.asarray(bone_points, dtype=np.float64).reshape(-1, 3)
    if not len(pts):
        raise ValueError("no bone points")
    d = np.linalg.norm(pts - np.asarray(centre, dtype=np.float64), axis=1)
    return float(np.percentile(d, 5.0))


def ball_hits(
    pixels: NDArray[np.floating], balls: Sequence[tuple[float, float, float]], pad: float
) -> int:
    """How many pixel points (k, 2) lie on a ball's disc ``(x, y, radius)`` grown by ``pad``."""
    p = np.asarray(pixels, dtype=np.float64).reshape(-1, 2)
    n = 0
    for x, y, r in balls:
        n += int((np.hypot(p[:, 0] - x, p[:, 1] - y) < r + pad).sum())
    return n


LEVER_MIN_MM = 15.0
"""An attachment closer than this to the joint axis gets a straight arrow (no visible arc)."""

LEVER_MAX_DEG = 150.0
"""Longest swing a lever arc draws, however strong the pull (longer arcs read as circles, and
a half turn does not say which way it went)."""


def lever_arc(
    point: NDArray[np.floating],
    center: NDArray[np.floating],
    axis: NDArray[np.floating],
    sign: int,
    length: float,
    n: int = 24,
) -> NDArray[np.float64] | None:
    """Points of an arc that starts at ``point`` and swings about the axis through ``center``.

    The swing follows the right-hand rule about ``axis`` for ``sign`` > 0 (as the moment's sign
    and :func:`curl_points` do) and is ``length`` mm long along the arc, at most
    :data:`LEVER_MAX_DEG`; ``None`` when the point lies within :data:`LEVER_MIN_MM` of the axis.
    """
    if sign == 0:
        return None
    a = np.asarray(axis, dtype=np.float64)
    a = a / float(np.linalg.norm(a))
    p = np.asarray(point, dtype=np.float64)
    c = np.asarray(center, dtype=np.float64)
    foot = c + float((p - c) @ a) * a
    r = p - foot
    radius = float(np.linalg.norm(r))
    if radius < LEVER_MIN_MM:
        return None
    sweep = min(length / radius, np.radians(LEVER_MAX_DEG)) * (1 if sign > 0 else -1)
    theta = np.linspace(0.0, sweep, n)
    # a x r written out (np.cross's axis handling cost more than the arc on 3-vectors; a pair
    # view plans some 700 arcs).
    a_x_r = np.array(
        [a[1] * r[2] - a[2] * r[1], a[2] * r[0] - a[0] * r[2], a[0] * r[1] - a[1] * r[0]]
    )
    out: NDArray[np.float64] = foot + (
        np.cos(theta)[:, None] * r + np.sin(theta)[:, None] * a_x_r
    )
    return out


ARC_REACH_MM = 25.0
"""A lever arc is cut where it strays farther than this from the body drawn (muscles and
bones): a long swing of a far attachment (psoas on the lumbar spine, about the sacroiliac axis)
ran off into empty space in front of the body."""

ARC_MIN_MM = 70.0
"""Shortest a cut lever arc is drawn, so its head still shows the sense of turning (at 45 mm the
psoas arc of the psoas vs piriformis view was a stub)."""

Distance = Callable[[NDArray[np.float64]], NDArray[np.float64]]
"""World points (k, 3) -> distance (k,) in mm to the nearest structure drawn."""


def within_reach(
    arc: NDArray[np.floating], distance: Distance, reach: float, keep_mm: float
) -> NDArray[np.float64]:
    """The start of ``arc`` while it stays within ``reach`` mm of what is drawn (``distance``),
    but at least ``keep_mm`` long (or the whole arc when shorter)."""
    pts = np.asarray(arc, dtype=np.float64)
    d = np.asarray(distance(pts), dtype=np.float64)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    far = np.flatnonzero((d > reach) & (s > keep_mm))
    end = int(far[0]) if len(far) else len(pts)
    out: NDArray[np.float64] = pts[: max(2, end)]
    return out


def _within_reach_all(
    candidates: list[tuple[NDArray[np.float64], bool]], distance: Distance
) -> list[tuple[NDArray[np.float64], bool]]:
    """Every lever arc among ``candidates`` cut where it leaves the body (:func:`within_reach`),
    so it never runs off into empty space; the distances of all arcs' points are looked up in
    one query (one query per arc was a third of a pair view's planning)."""
    arcs = [c for c, is_arc in candidates if is_arc]
    if not arcs:
        return candidates
    d_all = np.asarray(distance(np.vstack(arcs)), dtype=np.float64)
    out, start = [], 0
    for path, is_arc in candidates:
        if is_arc:
            d = d_all[start : start + len(path)]
            start += len(path)
            path = within_reach(path, _known(d), ARC_REACH_MM, ARC_MIN_MM)
        out.append((path, is_arc))
    return out


def _known(d: NDArray[np.float64]) -> Distance:
    """A :data:`Distance` that answers with distances already looked up."""

    def distance(_points: NDArray[np.float64]) -> NDArray[np.float64]:
        return d

    return distance


Project = Callable[[NDArray[np.float64]], NDArray[np.float64]]
"""World points (k, 3) -> display pixels (k, 2), for the camera the arrows are routed for."""

SHIFTS_MM = tuple(float(s) for s in range(0, 121, 8))
"""How far along its course an arrow's start may slide to clear an X (its line of action is
the same, so the moment it shows is too)."""
PINNED_SHIFT_MM = 16.0
"""How far a pinned pull's start (:attr:`viewer.domain.mechanics.Pull.pinned`) may slide: it
shows what the muscle does to that attachment (pair 6: quadratus lumborum pulls the 12th rib
down), and slid 90 mm down the muscle to L3 it said nothing about the rib; past an X it is
drawn shorter or beside its course instead."""

PLANS_KEPT = 12
"""Pair views whose planned arrow candidates are kept (each about a megabyte: both sides of
the six built-in views in one posture)."""

LENGTHS = (1.0, 0.75, 0.55, 0.4)
"""Shares of its full length an arrow may be shortened to clear an X."""

ASIDE_MM = (4.0, 8.0, 12.0, 16.0, 20.0)
"""How far sideways (mm, square to its line of action) a straight arrow at the view's own end
may be drawn when no way along its course is clear of the X's, least first, each tried in
:data:`ASIDE_TURNS` directions round the arrow. Pair 3's merged gluteus medius and minimus
course runs past two of their own X's (the rebuilt atlas snapped them onto it, 4 px from the
line): every arrow along it, slid or shortened, crossed one. Drawn a few mm beside its course
the arrow still lies on its muscle and points the same way. With gluteus maximus's sheet and
minimus's crescent rebuilt, the X's re-snapped 12 mm aside was not enough: 16 and 20 mm keep
the arrow on the broad gluteal fan."""

ASIDE_TURNS = 8
"""Directions round a straight arrow tried for a sideways offset (:data:`ASIDE_MM`)."""

OWN_END_FLOOR = 0.6
"""A clear arrow at the end the view names is kept while it looks at least this share of the
wanted on-screen length; only a shorter one (a stub pointing at the camera) gives way to the
equal and opposite pull at the muscle's other end. Without it a few pixels decided the end, and
the right and left iliacus of one view pulled opposite ways (one at the pelvis, pointing down,
one at the femur, pointing up)."""


@dataclass(frozen=True)
class Route:
    """Where arrows must not go: marker boxes in display pixels, the camera's projection and
    its scale (pixels per mm at the arrows)."""

    project: Project
    boxes: tuple[tuple[float, float, float, float], ...]
    px_per_mm: float
    min_px: float = 0.0
    """Shortest on-screen length an arrow should have (see :data:`MIN_ARROW_SHARE`)."""
    cut: tuple[tuple[float, float, float, float], ...] = ()
    """Display boxes where the courses' thin lines are cut as under an X: a slide's title
    band (the overlay layer is drawn over it; a close-up's psoas course ran through the
    caption up to T12)."""
    depth: Callable[[NDArray[np.float64]], NDArray[np.float64]] | None = None
    """World points (k, 3) -> their depth along the view direction (mm), with ``focal_mm`` the
    depth at which ``px_per_mm`` holds; ``None``: one scale everywhere (a parallel view).
    Under a perspective camera a point nearer than the focal point is drawn larger: pair 3
    looks from below at the hip, whose gluteal arrow lies 530-590 mm from the camera against
    a focal distance of 615 mm, so its head was drawn up to 16 % wider than it was routed
    and its rim touched an X it was ranked clear of."""
    focal_mm: float = 0.0

    def scale(self, points: NDArray[np.floating]) -> NDArray[np.float64]:
        """Display pixels per mm at each of ``points`` (k, 3): :attr:`px_per_mm` scaled by
        perspective (see :attr:`depth`), for the widths of arrows routed off the X's."""
        pts = np.asarray(points, dtype=np.float64)
        out = np.full(len(pts), self.px_per_mm)
        if self.depth is None or self.focal_mm <= 0.0 or not len(pts):
            return out
        depth = np.maximum(self.depth(pts), 1e-3)
        result: NDArray[np.float64] = out * (self.focal_mm / depth)
        return result


def _screen_length(pixels: NDArray[np.float64]) -> float:
    """Length in pixels of a projected polyline."""
    return float(np.linalg.norm(np.diff(pixels, axis=0), axis=1).sum())


def _pinned(plan: tuple[Any, ...]) -> bool:
    """Whether a pull plan's pull is pinned to its attachment (test plans may carry none)."""
    return bool(getattr(plan[0], "pinned", False))


def _shift_of(k: int) -> float:
    """How far straight candidate ``k`` (SHIFTS x LENGTHS per end) is slid along its course."""
    return SHIFTS_MM[(k % (len(SHIFTS_MM) * len(LENGTHS))) // len(LENGTHS)]


def _on_course(k: int, path: NDArray[np.float64], reach: float) -> bool:
    """Whether straight candidate ``k`` (see :meth:`PairOverlay._plan`: SHIFTS x LENGTHS per
    end), drawn as ``path``, ends within its muscle's course ``reach`` mm long: at its
    attachment (no slide) always; slid along the course, only while its tip stays short of
    the course's far end. Pair 3's gluteus medius (a 131 mm course, a 110 mm arrow) was slid
    120 mm, so its arrow stood above the muscle, over the iliac crest and the iliacus, and
    read as a pull on the pelvis upward."""
    shift = _shift_of(k)
    length = float(np.linalg.norm(path[-1] - path[0]))
    return shift == 0.0 or shift + length <= reach + 1e-6


def _aside(
    candidates: Sequence[tuple[NDArray[np.float64], bool]],
    samples: Sequence[NDArray[np.float64]],
    course: NDArray[np.float64],
    direction: NDArray[np.floating],
) -> list[tuple[tuple[NDArray[np.float64], bool], NDArray[np.float64], tuple[int, float]]]:
    """The view's own end's straight candidates that stay on their course (:func:`_on_course`)
    drawn :data:`ASIDE_MM` sideways, in :data:`ASIDE_TURNS` directions square to the pull:
    each as (candidate, its samples, (the candidate it offsets, the offset in mm)). Tried only
    where no way along the course is clear (:meth:`PairOverlay._pick`)."""
    per_end = len(SHIFTS_MM) * len(LENGTHS)
    d = np.asarray(direction, dtype=np.float64)
    d = d / max(float(np.linalg.norm(d)), 1e-9)
    helper = np.eye(3)[int(np.argmin(np.abs(d)))]
    u = np.cross(d, helper)
    u /= max(float(np.linalg.norm(u)), 1e-9)
    v = np.cross(d, u)
    reach = float(np.linalg.norm(np.diff(np.asarray(course, float), axis=0), axis=1).sum())
    out = []
    for offset in ASIDE_MM:
        for t in range(ASIDE_TURNS):
            angle = 2.0 * np.pi * t / ASIDE_TURNS
            shift = offset * (np.cos(angle) * u + np.sin(angle) * v)
            for k in range(min(per_end, len(candidates))):
                path, is_arc = candidates[k]
                if is_arc or not _on_course(k, path, reach):
                    continue
                out.append(((path + shift, False), samples[k] + shift, (k, offset)))
    return out


def _is_aside(plan: tuple[Any, ...], k: int) -> bool:
    """Whether candidate ``k`` of a pull's ``plan`` is drawn beside its course (:func:`_aside`)."""
    return len(plan) > 6 and k >= len(plan[5]) - len(plan[6])


def arrow_widths(
    samples: NDArray[np.floating], radius: float, ball: bool = True, taper: bool = False
) -> NDArray[np.float64]:
    """Half-width (mm) of a force arrow as drawn, rim included, at each of its ``samples``
    (its centre line, start first, at most a few mm apart): the attachment ball at the start
    (``ball``: a pull's arrow; a ring has none), the shaft along the middle, the head (and its
    rim, a little wider and longer) at the end.

    Routing kept every sample of an arrow as far from an X as its head is wide: round the
    crowded hip of pair 3 (nine X's) that ruled out every long way along the gluteal courses,
    though only the head and the ball are that wide; the shaft is less than half as wide.

    ``taper``: the head narrows to its point as drawn (and its rim reaches two rims past the
    tip), instead of its full width from its base on, with a sample to spare: what a pinned
    arrow's head must keep off a ring it points at (lesson 3's upper psoas above the L2-L3
    ring), where the full width ruled out every share.
    """
    pts = np.asarray(samples, dtype=np.float64)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    total = float(s[-1])
    scale = radius / ARROW_RADIUS_MM
    head = min(HEAD_LENGTH_MM * scale, 0.45 * total)
    out = np.full(len(pts), radius + HALO_MM)
    ball_mm = radius * 1.9 + HALO_MM if ball else 0.0
    # The ball covers the samples within its radius of the start; the head (drawn from
    # ``head`` before the tip, its rim 1.5 rims longer) those past the shaft, with one
    # sample spacing (3 mm) to spare.
    out[s <= ball_mm] = np.maximum(out[s <= ball_mm], ball_mm)
    if taper:
        # The head as drawn: its rim's cone runs from its base (``head`` plus a rim before the
        # tip) to a point two rims past the tip (see :meth:`PairOverlay._arrow_path`).
        from_point = total - s + HALO_MM * 2.0
        cone = (HEAD_RADIUS_MM * scale + HALO_MM * 1.6) * from_point / (head + HALO_MM * 3.0)
        on = from_point <= head + HALO_MM * 3.0
        out[on] = np.maximum(out[on], cone[on])
        return out
    tip = s >= total - head - HALO_MM * 1.5 - 3.0
    out[tip] = np.maximum(out[tip], HEAD_RADIUS_MM * scale + HALO_MM * 1.6)
    return out


def _one_pull_per_side(
    pulls: Sequence[Pull], turning_of: dict[str, Turning]
) -> tuple[Pull, ...]:
    """``pulls`` with each side that shows a turning merged into one pull
    (:func:`viewer.domain.mechanics.side_pull`), its length share taken again against the
    strongest pull drawn.

    The key names one turning per side, so one arc or one arrow per side is drawn, not one per
    muscle: pair 2 and lesson 6 swung two iliopsoas arcs (psoas and iliacus) from the lesser
    trochanter, and pair 3 and lesson 8 drew the psoas and iliacus arrows side by side from
    there and the two gluteal arrows from the greater trochanter, four heads in a knot round
    the hip. The key's row still gives each muscle's force and the arrow their sum. A side
    whose end the view names (:attr:`Pull.end_named`: pair 3's iliopsoas, a flexion pull
    without a turning) is one arrow too."""
    out: list[Pull] = []
    done: set[str] = set()
    for pull in pulls:
        if pull.side not in turning_of and not pull.end_named:
            out.append(pull)
        elif pull.side not in done:
            done.add(pull.side)
            out.append(side_pull([p for p in pulls if p.side == pull.side]))
    forces = [p.force_n for p in out]
    if len(out) != len(pulls) and all(f is not None and f > 0 for f in forces):
        top = max(float(f) for f in forces if f is not None)
        out = [replace(p, relative=float(p.force_n or 0.0) / top) for p in out]
    return tuple(out)


class PairOverlay:
    """Arrows and joint markers of one pair view in an overlay renderer.

    :meth:`show_pulls` is what pair views draw: one force arrow per muscle from the attachment it
    pulls (length and thickness by force capacity), its course as a thin line, and a curved
    arrow per side around the joint axis it turns. :meth:`show` draws raw lines of action.
    """

    def __init__(self, overlay: vtkRenderer, point_labels: PointLabels | None = None) -> None:
        self.overlay = overlay
        self._props: list[object] = []
        self._arrow_props: list[object] = []
        self._pulls: tuple[tuple[Pull, ...], tuple[Turning, ...]] = ((), ())
        self._pull_plans: list[tuple[Any, ...]] = []
        self._ring_plans: list[tuple[Any, ...]] = []
        self._plans: dict[object, tuple[object, list[tuple[Any, ...]], list[tuple[Any, ...]]]]
        self._plans = {}
        """Planned candidates by plan key (see :meth:`show_pulls`), oldest first."""
        self._drawn_choice: tuple[object, ...] = ()
        self.covered = 0
        """Arrow samples still on a marker box after routing (0 when every X is clear)."""
        self.arc_paths: list[NDArray[np.float64]] = []
        """Centre lines of the lever arcs drawn (tests use them)."""
        self.turn_paths: dict[str, NDArray[np.float64]] = {}
        """Side -> centre line of the arc or ring that shows its turning (tests use them)."""
        self.body_distance: Distance | None = None
        """Distance to the structures drawn, where lever arcs must stay (set by the view)."""
        self.point_labels = point_labels
        self.joint_labels: list[tuple[NDArray[np.float64], str]] = []
        self.length_share = 1.0
        """Share of their full length all arrows of the view are drawn at (one for all)."""
        self.lever_arcs = 0
        """Pulls drawn as arcs about their joint axis in the last :meth:`show_pulls`."""
        self.joint_balls: dict[str, float] = {}
        """Joint id -> radius (mm) of its ball (the femoral head at a hip), set by the view:
        rings are drawn round it, not across it (see :data:`GAP_TURNS_DEG`)."""
        self.ball_covered = 0
        """Ring samples still on a joint's ball after routing (0 when every ring is clear)."""
        self.dot_covered = 0
        """Ring samples on a joint dot plus other joints' dots inside a ring, after routing."""
        self._dots: list[NDArray[np.float64]] = []
        """Centres of the joint dots shown (world mm): rings keep off them."""

    def show_pulls(
        self,
        pulls: Sequence[Pull],
        turnings: Sequence[Turning],
        joints: Sequence[tuple[NDArray[np.floating], str, str]],
        label_size_px: int = 20,
        route: Route | None = None,
        plan_key: tuple[object, object] | None = None,
    ) -> None:
        """Draw resultant pulls, their turning about a joint, and the joint markers.

        With a ``route`` every arrow, arc and ring is drawn the way that keeps it off the
        marker boxes (see :meth:`reroute`). ``plan_key`` (an object kept alive, and a hashable
        key that changes whenever the pulls or the body drawn change) lets a later call with
        the same key reuse the planned candidates (switching back to a pair view).
        """
        self.clear()
        self._pulls = (tuple(pulls), tuple(turnings))
        self._dots = [np.asarray(point, dtype=np.float64) for point, _title, _kind in joints]
        cached = self._plans.get(plan_key[1]) if plan_key is not None else None
        if cached is not None and plan_key is not None and cached[0] is plan_key[0]:
            self._pull_plans, self._ring_plans = cached[1], cached[2]
        else:
            self._plan()
            if plan_key is not None:
                if len(self._plans) >= PLANS_KEPT:
                    self._plans.pop(next(iter(self._plans)))
                self._plans[plan_key[1]] = (plan_key[0], self._pull_plans, self._ring_plans)
        self._draw_arrows(route)
        self._joints(joints, label_size_px)

    def reroute(self, route: Route | None) -> None:
        """Draw the arrows again for ``route`` (the camera or the X's moved); joints stay.

        Only projects the planned candidates; the actors are rebuilt only when a choice
        changed, so it is cheap enough before every still frame."""
        self._draw_arrows(route)

    def _plan(self) -> None:
        """Every way each arrow and ring may be drawn, in order of preference (3D, so computed
        once per pair view and pose; routing for a camera only projects them)."""
        pulls, turnings = self._pulls
        turning_of = {t.side: t for t in turnings if t.sign != 0}
        pulls = _one_pull_per_side(pulls, turning_of)
        self._pull_plans = []
        arcs: set[str] = set()
        for pull in pulls:
            course = np.asarray(pull.path, dtype=np.float64)
            share = float(np.clip(pull.relative, 0.05, 1.0))
            length = PULL_MIN_MM + (PULL_MAX_MM - PULL_MIN_MM) * share
            radius = ARROW_RADIUS_MM * (0.75 + 0.75 * share)
            turn = turning_of.get(pull.side)
            # A turning drawn as a ring at its own level: the pull is a straight arrow.
            lever = turn if turn is not None and turn.level_mm is None else None
            # From the attachment inward along the muscle's course: where the start may slide.
            inward = course if pull.at == "origin" else course[::-1]
            ends = [(inward, pull.direction)]
            if turn is None and not pull.end_named:
                # Nothing says which end turns: the equal and opposite pull on the other
                # attachment is drawn when the first end's arrow points at the camera (the
                # iliopsoas on the lesser trochanter seen from the front showed as a stub).
                other = inward[::-1]
                step = other[1] - other[0]
                ends.append((other, step / max(float(np.linalg.norm(step)), 1e-9)))
            candidates: list[tuple[NDArray[np.float64], bool]] = []
            for (inward, direction), shift in ((end, s) for end in ends for s in SHIFTS_MM):
                point = along(inward, shift)
                for share_len in LENGTHS:
                    arc = None
                    if lever is not None:
                        arc = lever_arc(
                            point, lever.center, lever.axis, lever.sign, length * share_len
                        )
                    if arc is not None:
                        # The pull's attachment swinging about the joint axis: which way this
                        # muscle turns the joint, where a straight arrow seen end-on
                        # (piriformis in a side view) only pointed down.
                        candidates.append((arc, True))
                    else:
                        tip = point + direction * length * share_len
                        candidates.append((np.vstack([point, tip]), False))
            if self.body_distance is not None:
                candidates = _within_reach_all(candidates, self.body_distance)
            if candidates[0][1]:
                arcs.add(pull.side)
            samples = [densify(c, 3.0) for c, _ in candidates]
            aside = _aside(candidates, samples, course, pull.direction)
            self._pull_plans.append(
                (
                    pull,
                    course,
                    densify(course, 2.0),
                    radius,
                    candidates + [c for c, _s, _m in aside],
                    samples + [s for _c, s, _m in aside],
                    [m for _c, _s, m in aside],
                )
            )
        self._ring_plans = []
        seen: dict[str, int] = {}
        for turn in turnings:
            if turn.side in arcs:
                continue  # its lever arc already shows the turning about this joint
            if turn.level_mm is not None:  # its own level on the axis: no ring to stack round
                # The preferred level (on the joint) first, then the fallbacks further along
                # the axis, each at three radii: the first clear of the X's is drawn.
                levels = [turn.level_mm, *turn.fallback_levels_mm]
                ranks = list(range(len(levels)))
                firsts = [LEVEL_RING_RADIUS_MM] + [FALLBACK_RING_RADIUS_MM] * (len(levels) - 1)
                radii = [tuple(first + k * CURL_STEP_MM for k in range(3)) for first in firsts]
                if turn.joint_id not in self.joint_balls:
                    # Round a joint without a ball (a lumbar disc), tight round its own dot.
                    radii = [JOINT_RING_RADII_MM] * len(levels)
                elif turn.level_mm == 0.0:
                    # Round the ball itself (both sides' rings concentric on the joint): wide
                    # enough to clear the ball on screen, apart from each other.
                    # A short arc (pair 3, lesson 8) stays the hip's size: grown to clear
                    # pair 3's X's it ran to the frame's edge.
                    radii[0] = BALL_RING_RADII_MM if turn.arc_deg is None else SHORT_ARC_RADII_MM
                else:
                    # Beside a ball: a little farther from the joint ranks as the same level
                    # (see LEVEL_NUDGES_MM).
                    away = float(np.sign(turn.level_mm))
                    for nudge in LEVEL_NUDGES_MM:
                        levels.append(turn.level_mm + away * nudge)
                        ranks.append(0)
                        radii.append(radii[0])
                centers = [turn.center + turn.axis * level for level in levels]
            else:
                ring = seen.get(turn.joint_id, 0)
                seen[turn.joint_id] = ring + 1
                centers, ranks = [turn.center], [0]
                radii = [tuple(CURL_RADIUS_MM + (ring + k) * CURL_STEP_MM for k in range(3))]
            # A short arc (pair 3) faces the body's midline first: seen from in front, the
            # pelvis beside the standing hip rising reads "the other side held up".
            base = 0.0 if turn.arc_deg is None else medial_turn_deg(turn.center, turn.axis)
            turns = GAP_TURNS_DEG if turn.arc_deg is None else SHORT_ARC_TURNS_DEG
            rings = [
                curl_points(
                    center,
                    turn.axis,
                    radius,
                    turn.sign,
                    turn_deg=base + g,
                    arc_deg=CURL_ARC_DEG if turn.arc_deg is None else turn.arc_deg,
                )
                for center, per_level in zip(centers, radii, strict=True)
                for radius in per_level
                for g in turns
            ]
            # Each candidate's level rank: 0 on the joint (the preferred level and its
            # nudges), then the fallbacks in order.
            level_rank = [
                rank
                for rank, per_level in zip(ranks, radii, strict=True)
                for _ in range(len(per_level) * len(turns))
            ]
            self._ring_plans.append((turn, rings, [densify(r, 3.0) for r in rings], level_rank))

    def _choose(self, route: Route | None) -> tuple[object, ...]:
        """Which candidate each arrow and ring takes, and the course lines' clear runs.

        Rings are placed after the straight arrows; where a ring then runs across a straight
        arrow, the arrows are routed again keeping off that ring as off an X (an arrow slides
        along its course past it) and the rings placed again. Lesson 8's concentric rings
        round the hip crossed the iliopsoas arrow, which rose from inside them."""
        choice = self._choose_once(route)
        if route is None or not self._ring_plans or not self._pull_plans:
            return choice
        if route.boxes:
            # Where X's are shown, keeping every arrow off them and long comes first (routed
            # round the rings too, pair 3's arrows shrank to 0.4 of their length among nine
            # X's): the rings may cross an arrow there, except a pinned one (below).
            return self._pinned_off_rings(route, choice, ())
        best, best_cross = choice, self._ring_crossings(route, choice)
        extra: tuple[tuple[float, float, float, float], ...] = ()
        best_extra = extra
        for _ in range(RING_REROUTES):
            if not best_cross:
                break
            extra += self._ring_boxes(route, choice)
            choice = self._choose_once(route, extra)
            cross = self._ring_crossings(route, choice)
            if cross < best_cross:
                best, best_cross, best_extra = choice, cross, extra
        if best is not choice:  # the counts and length share of the placement kept
            best = self._choose_once(route, best_extra)
        return self._pinned_off_rings(route, best, best_extra)

    def _pinned_off_rings(
        self,
        route: Route,
        choice: tuple[object, ...],
        extra: tuple[tuple[float, float, float, float], ...],
    ) -> tuple[object, ...]:
        """``choice``, or where a pinned arrow (:attr:`Pull.pinned`) runs into a ring, the
        longest shorter share of every straight arrow at which none does.

        A pinned arrow may not slide along its course past a ring as the others do: lesson 3's
        upper psoas pulls its vertebrae from T12-L1, and slid down past the ring round L2-L3 it
        started at L3-L4, on the lower psoas's vertebrae; pinned at T12-L1 at full length its
        head ran into that ring. Shortened, with every other straight arrow of the view at the
        same share (one scale per view, as the key says), its head stops above the ring. A
        shorter share is taken only if it leaves no more of the arrows on the X's and no more
        arrows on the rings than ``choice``."""
        if not self._ring_crossings(route, choice, pinned_only=True):
            return choice
        covered, crossings = self.covered, self._ring_crossings(route, choice)
        counts = (self.covered, self.ball_covered, self.dot_covered, self.length_share)
        start = LENGTHS.index(self.length_share)
        for share in range(start + 1, len(LENGTHS)):
            shorter = self._choose_once(route, (), shares=(share,))
            if (
                not self._ring_crossings(route, shorter, pinned_only=True)
                and self.covered <= covered
                and self._ring_crossings(route, shorter) <= crossings
            ):
                return shorter
        self.covered, self.ball_covered, self.dot_covered, self.length_share = counts
        return choice

    def _ring_boxes(
        self, route: Route, choice: tuple[object, ...]
    ) -> tuple[tuple[float, float, float, float], ...]:
        """Small display boxes along the rings of ``choice``: obstacles for straight arrows."""
        half = (CURL_TUBE_MM + HALO_MM) * route.px_per_mm
        out = []
        for (_turn, _rings, samples, _rank), pick in zip(
            self._ring_plans, choice[2 * len(self._pull_plans) :], strict=True
        ):
            for x, y in route.project(samples[int(pick)])[::2]:  # type: ignore[call-overload]
                out.append((float(x - half), float(y - half), float(x + half), float(y + half)))
        return tuple(out)

    def _ring_crossings(
        self, route: Route, choice: tuple[object, ...], pinned_only: bool = False
    ) -> int:
        """Straight-arrow samples on the rings of ``choice`` (their tubes and rims touching);
        ``pinned_only``: those of pinned arrows only, each sample's reach its own width as
        drawn (:func:`arrow_widths` with ``taper``: the head and ball are wider than the
        shaft) and each ring's its own (its head too; see :meth:`_pinned_off_rings`). Pair
        4's upper psoas head, 5 mm wider than its shaft, touched the L2-L3 ring the shaft's
        width cleared."""
        picked = [
            (samples[int(pick)], route.project(samples[int(pick)]))  # type: ignore[call-overload]
            for (_turn, _rings, samples, _rank), pick in zip(
                self._ring_plans, choice[2 * len(self._pull_plans) :], strict=True
            )
        ]
        if not picked:
            return 0
        ring_px = np.vstack([px for _s, px in picked])
        ring_reach = np.concatenate(
            [
                arrow_widths(s, CURL_TUBE_MM, ball=False, taper=True) * route.scale(s)
                for s, _px in picked
            ]
        )
        pad = (CURL_TUBE_MM + ARROW_RADIUS_MM + 2.0 * HALO_MM) * route.px_per_mm
        n = 0
        picks = choice[0 : 2 * len(self._pull_plans) : 2]
        for plan, pick in zip(self._pull_plans, picks, strict=True):
            _path, is_arc = plan[4][int(pick)]  # type: ignore[call-overload]
            if is_arc or (pinned_only and not _pinned(plan)):
                continue
            samples = plan[5][int(pick)]  # type: ignore[call-overload]
            seen = route.project(samples)
            if not pinned_only:
                n += _near(seen, ring_px, pad)
                continue
            reach = arrow_widths(samples, plan[3], taper=True) * route.scale(samples)
            # Samples 3 mm apart on both lines: half a spacing to spare.
            spare = 1.5 * route.px_per_mm
            gap = np.linalg.norm(seen[:, None, :] - ring_px[None, :, :], axis=2)
            n += int((gap < reach[:, None] + ring_reach[None, :] + spare).any(axis=1).sum())
        return n

    def _choose_once(
        self,
        route: Route | None,
        ring_boxes: tuple[tuple[float, float, float, float], ...] = (),
        shares: Sequence[int] = (),
    ) -> tuple[object, ...]:
        """One placement (see :meth:`_choose`): the straight arrows keep off the X's and off
        ``ring_boxes``; the rings keep off the X's and the arrows. ``shares`` (indices into
        :data:`LENGTHS`; default all) are the length shares tried for the straight arrows."""
        choice: list[object] = []
        self.covered = 0
        pull_route = route if route is None or not ring_boxes else replace(
            route, boxes=route.boxes + ring_boxes
        )
        # One length share for every straight arrow of the view: an arrow shortened alone to
        # clear an X made a weak pull look as strong as a strong one ("arrow length ~ force
        # capacity" did not hold). Each slides along its course freely; all shorten together.
        # Lever arcs are cut to stay on the body and are not to scale: each finds its own way.
        every = tuple(shares) or tuple(range(len(LENGTHS)))
        scaled = [not any(is_arc for _, is_arc in plan[4]) for plan in self._pull_plans]
        # Ranked by arrows drawn over an X, then by arrows still too near one (within the
        # clearance), then by the worst arrow's on-screen length (up to
        # the length every arrow should look), then longest: one arrow that can only clear
        # its X's short (the iliacus between two X's) must not turn into a stub pointing at
        # the camera while the others stay long.
        per_share: list[tuple[tuple[float, ...], dict[int, tuple[int, int]]]] = []
        if pull_route is not None:
            for share in every:
                picks = {
                    k: self._pick(plan, pull_route, (share,))
                    for k, plan in enumerate(self._pull_plans)
                    if scaled[k]
                }
                misses = sum(1 for _pick, n in picks.values() if n)
                covers = sum(
                    1
                    for k, (pick, n) in picks.items()
                    if n and self._covers(self._pull_plans[k], pull_route, pick)
                )
                looks = min(
                    (
                        min(1.0, _screen_length(pull_route.project(self._pull_plans[k][5][pick]))
                            / max(pull_route.min_px, 1e-9))
                        for k, (pick, _n) in picks.items()
                    ),
                    default=1.0,
                )
                # Arrows drawn beside their course (see :func:`_aside`) only where no share
                # keeps them on it: pair 3 drew both arrows aside at full length where at 0.75
                # only the gluteal one needed to be.
                # A pinned pull (pair 6's quadratus lumborum on the 12th rib) drawn a few mm
                # beside its course is still at its attachment: it does not shorten every
                # arrow of the view to stay on its course.
                aside = sum(
                    1
                    for k, (pick, _n) in picks.items()
                    if _is_aside(self._pull_plans[k], pick) and not _pinned(self._pull_plans[k])
                )
                per_share.append(((covers, misses, aside, -looks, share), picks))
                if misses == 0 and aside == 0 and looks >= 1.0:
                    break
        best = min(range(len(per_share)), key=lambda j: per_share[j][0], default=0)
        self.length_share = LENGTHS[int(per_share[best][0][-1]) if per_share else every[0]]
        for k, plan in enumerate(self._pull_plans):
            fine = plan[2]
            if route is None or pull_route is None:
                choice += [0, ((0, len(fine)),)]
                continue
            screen = route.project(fine)
            inside = inside_boxes(screen, route.boxes, ROUTE_PAD_PX)
            runs = clear_runs(inside | inside_boxes(screen, route.cut, 0.0))
            if scaled[k]:
                pick, least = per_share[best][1][k]
            else:
                pick, least = self._pick(plan, pull_route, every)
            self.covered += least
            choice += [pick, tuple(runs)]
        self.ball_covered = self.dot_covered = 0
        balls = self._balls(route) if route is not None else []
        # The pull arrows as chosen: a ring's head lying on its own side's arrows (the
        # gluteal ring's head on the gluteal pulls' attachment balls) read as one knot.
        arrows = ends = np.zeros((0, 2))
        if route is not None and self._pull_plans:
            chosen = choice[0::2]
            drawn_pulls = [
                route.project(plan[5][k]) for plan, k in zip(self._pull_plans, chosen, strict=True)
            ]
            arrows = np.vstack(drawn_pulls)
                # Their heads and attachment balls: where a ring's head must not sit.
            ends = np.vstack([np.vstack([p[:2], p[-HEAD_SAMPLES:]]) for p in drawn_pulls])
        placed = np.zeros((0, 2))  # the rings already placed, on screen
        # Each side's muscle courses on screen (see others_course below).
        courses: dict[str, NDArray[np.float64]] = {}
        if route is not None:
            for plan in self._pull_plans:
                side = plan[0].side
                seen_course = route.project(plan[2])
                courses[side] = np.vstack([courses.get(side, np.zeros((0, 2))), seen_course])
        for turn, _rings, samples, level_rank in self._ring_plans:
            pick = 0
            if route is not None:
                pick, drawn = self._pick_ring(
                    route, turn, samples, level_rank, balls, (placed, arrows, ends), courses
                )
                arrows = np.vstack([arrows, drawn])
                ends = np.vstack([ends, drawn[-HEAD_SAMPLES:]])
                placed = np.vstack([placed, drawn])
            choice.append(pick)
        return tuple(choice)

    def _pick_ring(
        self,
        route: Route,
        turn: Turning,
        samples: Sequence[NDArray[np.float64]],
        level_rank: Sequence[int],
        balls: Sequence[tuple[float, float, float]],
        drawn_so_far: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]],
        courses: dict[str, NDArray[np.float64]],
    ) -> tuple[int, NDArray[np.float64]]:
        """Which of a ring's candidates (``samples``, world mm) is drawn, and it on screen.

        ``drawn_so_far`` holds, on screen, the rings placed before it, every arrow and ring
        drawn, and their heads and balls; ``courses`` each side's muscle courses."""
        placed, arrows, ends = drawn_so_far
        # The ring's tube and rim keep a gap off the ball, its head (the last samples) its
        # own width.
        ball_pad = BALL_CLEAR_PX + (CURL_TUBE_MM + HALO_MM) * route.px_per_mm
        head_pad = BALL_CLEAR_PX + (
            HEAD_RADIUS_MM * CURL_TUBE_MM / ARROW_RADIUS_MM + HALO_MM
        ) * route.px_per_mm
        head_n = HEAD_SAMPLES
        # All candidates projected at once (one call per candidate cost more than the ranking).
        bounds = np.cumsum([len(r) for r in samples])[:-1]
        drawn = np.split(route.project(np.vstack(samples)), bounds)
        arrow_pad = ball_pad + ARROW_RADIUS_MM * 1.9 * route.px_per_mm
        head_gap = arrow_pad + head_pad - ball_pad + RING_HEAD_GAP_PX
        near_ends = np.vstack([ends, arrows])
        dots, others = self._dots_on_screen(route, turn)
        # A ring on a small joint (no ball) turns its gap to the other side's muscle: piriformis
        # arises beside the sacroiliac joint, and the psoas ring across its root hid a fifth of
        # it on an 800x500 pair view. Beside a ball (the hip) the rings must cross the muscles
        # in front of the joint; there it is not ranked.
        theirs = [c for side, c in courses.items() if side != turn.side]
        others_course = np.zeros((0, 2))
        if theirs and turn.joint_id not in self.joint_balls:
            others_course = np.vstack(theirs)
        widths: dict[int, NDArray[np.float64]] = {}

        def width(k: int) -> NDArray[np.float64]:
            if k not in widths:
                widths[k] = arrow_widths(samples[k], CURL_TUBE_MM, ball=False) * route.scale(
                    samples[k]
                )
            return widths[k]

        def on_balls(k: int) -> int:
            d = drawn[k]
            return ball_hits(d[:-head_n], balls, ball_pad) + ball_hits(
                d[-head_n:], balls, head_pad
            )

        def on_dots(k: int) -> int:
            # Off every joint dot shown, and no other joint's dot inside it: a ring round
            # L2-L3 that took in the L3-L4 dot read as turning both.
            d = drawn[k]
            return (
                ball_hits(d[:-head_n], dots, ball_pad)
                + ball_hits(d[-head_n:], dots, head_pad)
                + int(inside_polygon(others, d).sum())
            )

        def padded(k: int) -> int:
            return hits(drawn[k], route.boxes, ROUTE_PAD_PX + width(k))

        # Ranked: not over an X, then off the X's by the clearance; off the joint's ball; off
        # the joint dots, with no other joint's dot inside it; apart from the other side's
        # ring; at the preferred level (on the joint, not beside it); its head seen side-on,
        # not as a blob; off the other side's muscle (a small joint only); its head off the
        # arrows and rings already placed; the rest of it off them; then first in order
        # (preferred radius, gap facing down).
        criteria: list[Callable[[int], float]] = [
            lambda k: hits(drawn[k], route.boxes, width(k)),
            padded,
            on_balls,
            on_dots,
            lambda k: _near(drawn[k], placed, RING_GAP_PX),
            lambda k: level_rank[k],
            lambda k: _end_on(drawn[k], samples[k], head_n, route.px_per_mm),
            lambda k: _near(drawn[k], others_course, arrow_pad),
            lambda k: _near(drawn[k][-head_n:], near_ends, head_gap),
            lambda k: _near(drawn[k], arrows, arrow_pad),
        ]
        pick = first_best(len(drawn), criteria)
        self.covered += padded(pick)
        self.ball_covered += on_balls(pick)
        self.dot_covered += on_dots(pick)
        out: NDArray[np.float64] = drawn[pick]
        return pick, out

    def _dots_on_screen(
        self, route: Route, turn: Turning
    ) -> tuple[list[tuple[float, float, float]], NDArray[np.float64]]:
        """The joint dots shown, as discs ``(x, y, radius)`` in display pixels, and the centres
        of those other than ``turn``'s own joint (what its ring must not take in)."""
        if not self._dots:
            return [], np.zeros((0, 2))
        world = np.vstack(self._dots)
        centres = route.project(world)
        radius = JOINT_RADIUS_MM * route.px_per_mm
        discs = [(float(x), float(y), radius) for x, y in centres]
        own = np.linalg.norm(world - np.asarray(turn.center, dtype=np.float64), axis=1) < 1e-3
        return discs, centres[~own]

    def _balls(self, route: Route) -> list[tuple[float, float, float]]:
        """The joints' balls on screen, ``(x, y, radius)`` in display pixels, y up."""
        out = []
        seen: set[str] = set()
        for turn in self._pulls[1]:
            radius = self.joint_balls.get(turn.joint_id)
            if radius is None or turn.joint_id in seen:
                continue
            seen.add(turn.joint_id)
            x, y = route.project(np.asarray(turn.center, dtype=np.float64)[None, :])[0]
            out.append((float(x), float(y), radius * route.px_per_mm))
        return out

    def _pick(
        self, plan: tuple[Any, ...], route: Route, shares: Sequence[int]
    ) -> tuple[int, int]:
        """One arrow's candidate among those at lengths ``LENGTHS[shares]``, in order of
        preference, and how many of its samples touch a marker box (grown by the clearance):
        the first clear one that looks long enough, else the longest clear one, else the one
        least drawn over an X, then least near one. Each sample keeps the clearance plus the
        arrow's own width there (:func:`arrow_widths`); a straight arrow slid along its course
        must end within it (:func:`_on_course`)."""
        _pull, course, _fine, radius, candidates, samples = plan[:6]
        # Candidates run end by end (the view's own end first), each end over SHIFTS x LENGTHS;
        # then the own end's arrows drawn beside their course (``plan[6]``, see :func:`_aside`).
        aside: Sequence[tuple[int, float]] = plan[6] if len(plan) > 6 else ()
        base = len(samples) - len(aside)
        per_end = len(SHIFTS_MM) * len(LENGTHS)
        reach = None  # the course's length (mm): how far a slid arrow may reach
        if course is not None:
            reach = float(np.linalg.norm(np.diff(np.asarray(course, float), axis=0), axis=1).sum())
        pick, least = None, None
        best: dict[int, tuple[int, float]] = {}  # end -> (first long enough, else longest) clear
        for k in range(base):
            if k % len(LENGTHS) not in shares:
                continue
            path, is_arc = candidates[k]
            if reach is not None and not is_arc and not _on_course(k, path, reach):
                continue  # slid past its muscle's far end
            if _pinned(plan) and _shift_of(k) > PINNED_SHIFT_MM:
                continue  # a pinned pull stays at its attachment
            screen = route.project(samples[k])
            width = arrow_widths(samples[k], radius) * route.scale(samples[k])
            n = hits(screen, route.boxes, ROUTE_PAD_PX + width)
            # Where no way keeps the clearance, one that only comes near an X beats one
            # drawn over it.
            rank = (hits(screen, route.boxes, width) if n else 0, n)
            if least is None or rank < least:
                pick, least = k, rank
            if n == 0:
                end, seen = k // per_end, _screen_length(screen)
                known = best.get(end)
                if known is None or (known[1] < route.min_px and seen > known[1]):
                    best[end] = (k, seen)
        own, other = best.get(0), best.get(1)
        if own is not None and (
            own[1] >= OWN_END_FLOOR * route.min_px or other is None or other[1] <= own[1]
        ):
            return own[0], 0
        if other is not None:
            return other[0], 0
        # No way along the course is clear: the least offset beside it that is, long enough
        # if one is (else the longest), before one drawn near or over an X.
        side_best: tuple[float, bool, float, int] | None = None
        for j, (k0, offset) in enumerate(aside):
            if k0 % len(LENGTHS) not in shares:
                continue
            if _pinned(plan) and _shift_of(k0) > PINNED_SHIFT_MM:
                continue
            k = base + j
            screen = route.project(samples[k])
            width = arrow_widths(samples[k], radius) * route.scale(samples[k])
            if hits(screen, route.boxes, ROUTE_PAD_PX + width):
                continue
            seen = _screen_length(screen)
            side_rank = (offset, seen < OWN_END_FLOOR * route.min_px, -seen, k)
            if side_best is None or side_rank < side_best:
                side_best = side_rank
        if side_best is not None:
            return side_best[3], 0
        return (pick or 0), (least[1] if least is not None else 0)

    def _covers(self, plan: tuple[Any, ...], route: Route, k: int) -> int:
        """How many samples of candidate ``k`` of ``plan`` lie on an X itself (no clearance):
        an arrow drawn over the X, not only near it."""
        samples = plan[5][k]
        width = arrow_widths(samples, plan[3]) * route.scale(samples)
        return hits(route.project(samples), route.boxes, width)

    def drawn_pulls(self) -> list[tuple[Pull, NDArray[np.float64], bool]]:
        """Each pull as last drawn: the pull, its arrow's centre line (mm) and whether it is a
        lever arc (tests check the arrows' lengths against the legend's claim)."""
        out: list[tuple[Pull, NDArray[np.float64], bool]] = []
        if not self._drawn_choice:
            return out
        it = iter(self._drawn_choice)
        for pull, _course, _fine, _radius, candidates, *_rest in self._pull_plans:
            pick = next(it)
            next(it)
            path, is_arc = candidates[pick]
            out.append((pull, path, is_arc))
        return out

    def _draw_arrows(self, route: Route | None) -> None:
        choice = self._choose(route)
        if choice == self._drawn_choice and self._arrow_props:
            return  # the same drawing: nothing to rebuild
        for prop in self._arrow_props:
            self.overlay.RemoveViewProp(prop)  # type: ignore[arg-type]
            self._props.remove(prop)
        self._drawn_choice = choice
        start = len(self._props)
        self.arc_paths = []
        self.turn_paths = {}
        arcs = 0
        it = iter(choice)
        for pull, _course, fine, radius, candidates, *_rest in self._pull_plans:
            rgb = arrow_rgb(pull.color)
            pick, runs = next(it), next(it)
            for a, b in runs:  # type: ignore[attr-defined]
                # The muscle's course as a thin line, with a gap wherever it would pass
                # under an X.
                self._tube(fine[a:b], COURSE_RADIUS_MM, rgb, opacity=0.55)
            path, is_arc = candidates[pick]
            self._arrow_path(path, radius, rgb, halo=True)
            if is_arc:
                arcs += 1
                self.arc_paths.append(path)
                self.turn_paths[pull.side] = path
            self._sphere(path[0], radius * 1.9, rgb, halo=True)
        for turn, rings, _samples, _level_rank in self._ring_plans:
            ring = rings[next(it)]
            self._arrow_path(ring, CURL_TUBE_MM, arrow_rgb(turn.color), halo=True)
            self.turn_paths[turn.side] = ring
        self.lever_arcs = arcs
        self._arrow_props = list(self._props[start:])

    def show(
        self,
        lines: Sequence[tuple[NDArray[np.floating], str]],
        joints: Sequence[tuple[NDArray[np.floating], str, str]],
        label_size_px: int = 20,
    ) -> None:
        """Draw ``lines`` ((k, 3) points origin→insertion, colour) and ``joints``.

        ``joints`` are (point, title, kind); every joint drawn gets its name.
        """
        self.clear()
        for points, color in lines:
            pts = np.asarray(points, dtype=np.float64)
            if len(pts) < 2 or float(np.linalg.norm(pts[-1] - pts[-2])) < 1e-6:
                continue
            rgb = hex_to_rgb(color)
            self._arrow_path(pts, ARROW_RADIUS_MM, rgb)
            self._sphere(pts[0], ARROW_RADIUS_MM * 1.8, rgb)
        self._joints(joints, label_size_px)

    # -- pieces ------------------------------------------------------------------------------
    def _joints(
        self,
        joints: Sequence[tuple[NDArray[np.floating], str, str]],
        label_size_px: int,
    ) -> None:
        # Every dot drawn is named: unnamed lumbar dots in the upper vs lower psoas view read as
        # "some joint", and the sacroiliac dot among them as a spinal one.
        self.joint_labels = []
        for point, title, _kind in joints:
            marker = self._sphere(np.asarray(point, dtype=np.float64), JOINT_RADIUS_MM, JOINT_RGB)
            marker.GetProperty().SetOpacity(0.85)
            self.joint_labels.append((np.asarray(point, dtype=np.float64), title))
        # Joint names go through the view's one label layout, so they never overprint each
        # other, structure labels or X markers.
        if self.point_labels is not None:
            self.point_labels([(title, point) for point, title in self.joint_labels])

    def _sphere(
        self,
        center: NDArray[np.floating],
        radius: float,
        rgb: tuple[float, float, float],
        halo: bool = False,
    ) -> vtkActor:
        actor = self._sphere_actor(center, radius, rgb)
        if halo:
            self._add_halo(self._sphere_actor(center, radius + HALO_MM, HALO_RGB))
        self._add(actor)
        return actor

    @staticmethod
    def _sphere_actor(
        center: NDArray[np.floating], radius: float, rgb: tuple[float, float, float]
    ) -> vtkActor:
        sphere = vtkSphereSource()
        sphere.SetRadius(radius)
        sphere.SetCenter(*np.asarray(center, dtype=np.float64))
        sphere.SetThetaResolution(20)
        sphere.SetPhiResolution(20)
        return _actor(sphere.GetOutputPort(), rgb)

    def _add_halo(self, actor: vtkActor) -> None:
        """A rim around a shape: a slightly larger copy drawn by its back faces only, in flat
        pale colour. Its front faces are culled, so the shape itself (in front of the copy's
        back faces) is drawn over it and only the edge shows, on any background."""
        prop = actor.GetProperty()
        prop.FrontfaceCullingOn()
        prop.SetAmbient(1.0)
        prop.SetDiffuse(0.0)
        prop.SetSpecular(0.0)
        self._add(actor)

    def _tube(
        self,
        points: NDArray[np.floating],
        radius: float,
        rgb: tuple[float, float, float],
        opacity: float = 1.0,
        halo: bool = False,
    ) -> None:
        if halo:
            self._add_halo(self._tube_actor(points, radius + HALO_MM, HALO_RGB))
        actor = self._tube_actor(points, radius, rgb)
        actor.GetProperty().SetOpacity(opacity)
        self._add(actor)

    @staticmethod
    def _tube_actor(
        points: NDArray[np.floating], radius: float, rgb: tuple[float, float, float]
    ) -> vtkActor:
        tube = vtkTubeFilter()
        # Rings of vertices every few mm, not only at the ends: a straight shaft's surface
        # points (what tests check against the X's, :meth:`arrow_points`) then lie all along
        # it; a shaft across an X with both ends clear of it passed as clear.
        tube.SetInputData(_polyline(densify(np.asarray(points, dtype=np.float64), 3.0)))
        tube.SetRadius(radius)
        tube.SetNumberOfSides(14)
        tube.CappingOn()
        return _actor(tube.GetOutputPort(), rgb)

    def _arrow(
        self,
        start: NDArray[np.floating],
        tip: NDArray[np.floating],
        radius: float,
        rgb: tuple[float, float, float],
    ) -> None:
        self._arrow_path(np.vstack([start, tip]), radius, rgb)

    def _arrow_path(
        self,
        pts: NDArray[np.float64],
        radius: float,
        rgb: tuple[float, float, float],
        halo: bool = False,
    ) -> None:
        """A tube along ``pts`` with a cone at the last point, pointing along the last segment;
        with ``halo`` a pale rim around both (see :meth:`_add_halo`)."""
        tip = pts[-1]
        direction = tip - pts[-2]
        direction = direction / float(np.linalg.norm(direction))
        scale = radius / ARROW_RADIUS_MM
        total = float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())
        head = min(HEAD_LENGTH_MM * scale, 0.45 * total)
        shaft = pts.copy()
        shaft[-1] = tip - direction * head * 0.9
        self._tube(shaft, radius, rgb, halo=halo)
        cone_radius = HEAD_RADIUS_MM * scale
        if halo:
            # The rim runs round the head too, a little past its tip.
            self._add_halo(
                _cone(
                    tip + direction * HALO_MM * 2.0,
                    direction,
                    head + HALO_MM * 3.0,
                    cone_radius + HALO_MM * 1.6,
                    HALO_RGB,
                )
            )
        self._add(_cone(tip, direction, head, cone_radius, rgb))

    def _curl(
        self,
        center: NDArray[np.floating],
        axis: NDArray[np.floating],
        radius: float,
        sign: int,
        rgb: tuple[float, float, float],
    ) -> None:
        """A 260° arc around ``axis`` at ``center``, its head in the sense of ``sign``.

        Positive follows the right-hand rule about the axis (see :func:`curl_points`).
        """
        if sign == 0:
            return
        pts = curl_points(center, axis, radius, sign)
        self._arrow_path(pts, CURL_TUBE_MM, rgb)

    def arrow_points(self) -> NDArray[np.float64]:
        """Surface points (k, 3) of every arrow, arc, ring, attachment ball and course line
        drawn (not the joint dots): what must stay off the X markers (tests use it)."""
        chunks = []
        for prop in self._arrow_props:
            mapper = prop.GetMapper()  # type: ignore[attr-defined]
            mapper.Update()
            poly = mapper.GetInput()
            if poly is not None and poly.GetNumberOfPoints():
                chunks.append(vtk_to_numpy(poly.GetPoints().GetData()).astype(np.float64))
        return np.vstack(chunks) if chunks else np.zeros((0, 3))

    def _add(self, prop: object) -> None:
        self.overlay.AddViewProp(prop)  # type: ignore[arg-type]
        self._props.append(prop)

    @property
    def n_props(self) -> int:
        """How many VTK props the overlay currently shows (tests use it)."""
        return len(self._props)

    def clear(self) -> None:
        """Remove every arrow and joint marker (and their labels)."""
        for prop in self._props:
            self.overlay.RemoveViewProp(prop)  # type: ignore[arg-type]
        self._props.clear()
        self._arrow_props = []
        self._pulls = ((), ())
        self._pull_plans, self._ring_plans, self._drawn_choice = [], [], ()
        self._dots = []
        self.joint_labels = []
        if self.point_labels is not None:
            self.point_labels([])
