"""Camera framing in pure math: fit a camera to points, and leave the top band to a caption.

Framing by a bounding sphere crops long, thin subjects seen along a diagonal (psoas from T12 to
the femur) or leaves half the frame empty: :func:`fit_pose` projects every point for the chosen
viewing direction and places the camera at the smallest distance that keeps all of them inside
the frame, with a margin, optionally keeping a band at the top free for a title and key.

A preset or pair-view camera frames the anatomy into the whole view; on a slide the caption
covers the top band, which hid the T12 origin of the iliopsoas in lesson steps:
:func:`with_headroom` pulls the camera back and lifts it by the caption's share so the whole
picture stays below the caption.

A close-up (:func:`closeup_pose`, ``render --frame``) fits one structure and the bone right
next to it, so a muscle fills most of its picture instead of sharing it with a whole femur.

Pure NumPy on :class:`CameraPose`; the renderer turns the result into a VTK camera.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from viewer.domain.camera import CameraPose

CAPTION_HEADROOM = 0.11
"""Share of the frame height kept free for a caption (one or two lines and its margin)."""

SLIDE_FILL = 0.96
"""Share of the room below a slide's caption (and beside its key) that the step's subject may
use: a 2 % margin each side. A lesson slide's subject is usually a tall pair of muscles on a
wide frame, so its height sets the scale; under the on-screen margin (0.88-0.9) lesson 6's
side view drew the iliopsoas and gluteus maximus a fifth of the slide wide. Labels sit in
columns beside the subject and the key in the left column, so the slimmer margin costs them
nothing."""


def with_headroom(pose: CameraPose, view_angle_deg: float, top: float) -> CameraPose:
    """The same view pulled back and lifted so its picture fills only the lower ``1 - top``.

    Perspective camera with vertical view angle ``view_angle_deg``: moving back by
    ``1 / (1 - top)`` shrinks the picture to ``1 - top`` of the frame height; moving camera and
    focal point up (along ``view_up``) by ``top`` times the half-height seen at the focal plane
    lowers the picture by ``top / 2`` of the frame, so its top edge meets the caption band.
    """
    if not 0.0 <= top < 1.0:
        raise ValueError("the headroom is a share of the frame below 1")
    position, focal = pose.position, pose.focal_point
    back = [p - f for p, f in zip(position, focal, strict=True)]
    distance = math.sqrt(sum(c * c for c in back))
    if distance == 0.0 or top == 0.0:
        return pose
    scale = 1.0 / (1.0 - top)
    half_height = distance * scale * math.tan(math.radians(view_angle_deg) / 2)
    up = pose.view_up
    # Remove any part of view_up along the viewing direction before using it as "up".
    unit_back = [c / distance for c in back]
    along = sum(u * b for u, b in zip(up, unit_back, strict=True))
    up_ortho = [u - along * b for u, b in zip(up, unit_back, strict=True)]
    norm = math.sqrt(sum(c * c for c in up_ortho)) or 1.0
    lift = [top * half_height * c / norm for c in up_ortho]
    new_focal = tuple(f + dl for f, dl in zip(focal, lift, strict=True))
    new_position = tuple(
        f + b * scale for f, b in zip(new_focal, back, strict=True)
    )
    return CameraPose(new_position, new_focal, pose.view_up)  # type: ignore[arg-type]


def fit_pose(
    points: NDArray[np.floating],
    direction: Sequence[float],
    view_up: Sequence[float],
    view_angle_deg: float,
    aspect: float,
    fill: float = 0.9,
    top_free: float = 0.0,
    left_free: float = 0.0,
    balance: bool = False,
) -> CameraPose:
    """The pose looking along ``-direction`` (camera at focus + distance * direction) that fits.

    ``view_angle_deg`` is the vertical field of view, ``aspect`` width / height; ``fill`` is the
    share of the frame the points may use (0.9: 5 % margin each side); ``top_free`` is the share
    of the frame height kept empty at the top (for a title and key), ``left_free`` the share of
    the width kept empty on the left (a key laid out as a column beside a tall subject).
    With ``balance`` the picture is centred as seen, not as the points' box in space: pair 3
    seen from below has its near end (the hip) large and its far end (the psoas at T12)
    small, and centring the box left a fifth of the slide empty above the subject.
    """
    if not (0.0 <= top_free < 1.0 and 0.0 <= left_free < 1.0):
        raise ValueError("the free bands are shares of the frame below 1")
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    if not len(pts):
        raise ValueError("no points to frame")
    d = np.asarray(direction, dtype=np.float64)
    d = d / float(np.linalg.norm(d))
    up = np.asarray(view_up, dtype=np.float64)
    up = up - (up @ d) * d
    up = up / float(np.linalg.norm(up))
    right = np.cross(up, d)  # camera looks along -d: right = up x d (screen x)
    ty = math.tan(math.radians(view_angle_deg) / 2)
    tx = ty * aspect
    x, y, z = pts @ right, pts @ up, pts @ d
    cx, cy = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    cz = (z.min() + z.max()) / 2
    usable_y = fill * (1.0 - top_free)
    usable_x = fill * (1.0 - left_free)
    # A point at depth z (toward the camera) at lateral offset u needs distance >= z + u / t.
    need_x = (z - cz) + np.abs(x - cx) / (tx * usable_x)
    need_y = (z - cz) + np.abs(y - cy) / (ty * usable_y)
    distance = float(max(need_x.max(), need_y.max(), 1.0))
    for _ in range(BALANCE_STEPS if balance else 0):
        seen = (y - cy) / ((distance - (z - cz)) * ty)
        cy += (float(seen.max()) + float(seen.min())) / 2.0 * ty * distance
        need_y = (z - cz) + np.abs(y - cy) / (ty * usable_y)
        distance = float(max(need_x.max(), need_y.max(), 1.0))
    # Shift the picture down by half the free band: the focus moves up in the image's frame.
    shift = top_free * ty * distance
    shift_x = _column_offset(x - cx, z - cz, distance, tx, fill, left_free) * tx * distance
    center = cx * right + cy * up + cz * d + shift * up - shift_x * right
    position = center + distance * d
    return CameraPose(
        (float(position[0]), float(position[1]), float(position[2])),
        (float(center[0]), float(center[1]), float(center[2])),
        (float(up[0]), float(up[1]), float(up[2])),
    )


BALANCE_STEPS = 3
"""Rounds of re-centring a balanced fit (see :func:`fit_pose`): each halves what is left."""


def _column_offset(
    u: NDArray[np.float64],
    dz: NDArray[np.float64],
    distance: float,
    tx: float,
    fill: float,
    left_free: float,
) -> float:
    """How far right (in normalised device units, the frame's half-width = 1) the picture moves
    to clear a free column of ``left_free`` on the left.

    Only as far as the column asks: a subject narrower than the room right of the column stays
    in the middle of the frame (key left, subject centre, joint names right) instead of being
    pushed against the right edge with an empty strip beside the key.
    """
    if left_free <= 0.0:
        return 0.0
    ndc = u / ((distance - dz) * tx)
    margin = (1.0 - fill) * (1.0 - left_free)
    low = -1.0 + 2.0 * left_free + margin - float(ndc.min())
    high = 1.0 - margin - float(ndc.max())
    return min(max(0.0, low), max(high, low))


CLOSEUP_FILL = 0.8
"""Share of the frame a close-up's subject may use: a 10 % band each side shows its neighbours
(the bones it attaches to) and leaves room for its label's leader."""

CLOSEUP_REACH_MM = 12.0
"""Neighbouring points this close to the subject are framed with it, so an attachment that
only touches the subject's edge (a trochanter, a transverse-process tip) stays whole."""

WHOLE_GROWTH = 0.25
"""A bone touching a close-up's subject is framed whole when that widens or heightens the
framed picture by at most this share: the hip bone behind the gluteus maximus (its iliac crest
was cut by the top edge) adds about a tenth; the sacrum below the erector spinae or the femur
under a gluteal would add far more and set the scale, so they stay context."""

_NEAR_CHUNK = 2048


def closeup_points(
    subject: NDArray[np.floating],
    context: NDArray[np.floating],
    reach_mm: float = CLOSEUP_REACH_MM,
) -> NDArray[np.float64]:
    """The points a close-up of ``subject`` frames: all of it, plus the ``context`` points
    (the other structures shown) lying within ``reach_mm`` of it.

    Framing a muscle with every bone it touches makes the femur or the spine set the scale
    (the muscle then fills a fifth of the picture); framing the muscle alone can cut through
    the bony point it ends on. Taking only the neighbouring bone near the muscle keeps the
    muscle large with its attachments whole; the rest of each bone still shows, cropped by the
    frame, as context.
    """
    subj = np.asarray(subject, dtype=np.float64).reshape(-1, 3)
    ctx = np.asarray(context, dtype=np.float64).reshape(-1, 3)
    if not len(subj):
        raise ValueError("no subject points to frame")
    if not len(ctx) or reach_mm <= 0.0:
        return subj
    lo, hi = subj.min(axis=0) - reach_mm, subj.max(axis=0) + reach_mm
    ctx = ctx[np.all((ctx >= lo) & (ctx <= hi), axis=1)]  # cheap box test first
    near = np.zeros(len(ctx), dtype=bool)
    reach2 = reach_mm * reach_mm
    subj_sq = (subj * subj).sum(axis=1)
    for start in range(0, len(ctx), _NEAR_CHUNK):
        part = ctx[start : start + _NEAR_CHUNK]
        d2 = (part * part).sum(axis=1)[:, None] - 2.0 * part @ subj.T + subj_sq[None, :]
        near[start : start + _NEAR_CHUNK] = d2.min(axis=1) <= reach2
    return np.vstack([subj, ctx[near]])


def _screen_axes(
    direction: Sequence[float], view_up: Sequence[float]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    d = np.asarray(direction, dtype=np.float64)
    d = d / float(np.linalg.norm(d))
    up = np.asarray(view_up, dtype=np.float64)
    up = up - (up @ d) * d
    up = up / float(np.linalg.norm(up))
    return np.cross(up, d), up


def _extents(
    points: NDArray[np.float64], right: NDArray[np.float64], up: NDArray[np.float64]
) -> tuple[float, float]:
    x, y = points @ right, points @ up
    return float(np.ptp(x)), float(np.ptp(y))


def whole_neighbours(
    framed: NDArray[np.floating],
    subject: NDArray[np.floating],
    bones: Sequence[NDArray[np.floating]],
    direction: Sequence[float],
    view_up: Sequence[float],
    reach_mm: float = CLOSEUP_REACH_MM,
    growth: float = WHOLE_GROWTH,
) -> list[NDArray[np.float64]]:
    """The ``bones`` a close-up frames whole: each one touching ``subject`` (a point within
    ``reach_mm``) that widens or heightens the ``framed`` points, seen along ``-direction``,
    by at most ``growth``.

    The muscle's attachment then shows on a bone the reader recognises: behind the gluteus
    maximus the iliac crest was cut by the picture's top edge, and a lecturer read it as the
    muscle's top cropped. A bone reaching far beyond the muscle (the femur under a gluteal, the
    sacrum under the erector spinae) would set the scale instead, so it lends only its part
    near the muscle (:func:`closeup_points`).
    """
    subj = np.asarray(subject, dtype=np.float64).reshape(-1, 3)
    base = np.asarray(framed, dtype=np.float64).reshape(-1, 3)
    if not len(subj) or not len(base):
        return []
    right, up = _screen_axes(direction, view_up)
    width, height = _extents(base, right, up)
    out = []
    for bone in bones:
        b = np.asarray(bone, dtype=np.float64).reshape(-1, 3)
        if not len(b) or len(closeup_points(subj, b, reach_mm)) == len(subj):
            continue  # empty, or nowhere near the muscle
        w, h = _extents(np.vstack([base, b]), right, up)
        if w <= (1.0 + growth) * width and h <= (1.0 + growth) * height:
            out.append(b)
    return out


def closeup_pose(
    subject: NDArray[np.floating],
    context: NDArray[np.floating],
    direction: Sequence[float],
    view_up: Sequence[float],
    view_angle_deg: float,
    aspect: float,
    fill: float = CLOSEUP_FILL,
    reach_mm: float = CLOSEUP_REACH_MM,
    bones: Sequence[NDArray[np.floating]] = (),
) -> CameraPose:
    """A close-up of ``subject`` seen along ``-direction``: it and its nearby neighbours
    (:func:`closeup_points`) fill ``fill`` of the frame, whatever else is shown; of the
    ``bones`` shown, the ones :func:`whole_neighbours` picks are fitted whole."""
    points = closeup_points(subject, context, reach_mm)
    whole = whole_neighbours(points, subject, bones, direction, view_up, reach_mm)
    if whole:
        points = np.vstack([points, *whole])
    return fit_pose(points, direction, view_up, view_angle_deg, aspect, fill=fill)
