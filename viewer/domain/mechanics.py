"""The mechanics a pair view explains: one resultant pull per muscle and the turning it causes.

A pair view's lines of action (:mod:`viewer.domain.pairviews`) follow each muscle part from origin
to insertion. A lecturer wants one arrow per muscle, as long as the muscle is strong, and a curved
arrow saying which way that pull turns a joint. This module computes both from resolved lines:

- :func:`resultant_path`: the force-weighted mean course of a muscle's parts (psoas upper + lower,
  iliopsoas = psoas + iliacus), so a group reads as one line instead of a "broom";
- :func:`pull_at`: where the pull acts (the attachment on the bone that turns) and its direction;
- :func:`moment_about`: the moment of that pull about a joint axis, (r x F) . axis, in N m.

Force capacity is a muscle's maximum isometric force, proportional to its physiological
cross-sectional area (PCSA); the values and their sources live in ``annotations/pair_views.json``
(``force_capacity``). The moments are a teaching model, not a measurement: the sign says which
way a pull turns the joint in this atlas's standing pose; curved arrows show the sign only.

Pure Python + NumPy: no Qt, no VTK.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

AXES: Mapping[str, tuple[float, float, float]] = {
    "mediolateral": (1.0, 0.0, 0.0),
    "anteroposterior": (0.0, 1.0, 0.0),
    "vertical": (0.0, 0.0, 1.0),
}
"""Named joint axes in the atlas frame (LPS: +x left, +y posterior, +z superior).

About the mediolateral axis a positive moment turns what lies above the joint forward (anterior)
and what lies below it backward: flexion of the trunk, nutation of the sacrum, extension of the
thigh. A reflection through the midsagittal plane keeps moments about this axis unchanged, so a
left-side view has the same signs; the other two axes change sign under that reflection.
"""

ENDS = ("origin", "insertion")


def _swap(name: str) -> str:
    return "_".join({"left": "right", "right": "left"}.get(w, w) for w in name.split("_"))


@dataclass(frozen=True)
class Rotation:
    """Which joint a pair view turns, about which axis, and where each side's pull acts.

    ``joint`` is a joint id of the view; ``joints`` optionally gives side A and side B their own
    joint (upper psoas about an upper lumbar joint, lower psoas about a lower one). ``acts_on``
    names, per side, the end of the muscle on the bone that turns: ``"origin"`` for the sacrum
    or spine (the muscle pulls it toward the rest of the muscle), ``"insertion"`` for the femur.
    ``positive``/``negative`` name the two senses in plain words (e.g. nutation/counternutation).
    """

    joint: str
    axis: str = "mediolateral"
    acts_on: tuple[str, str] = ("insertion", "insertion")
    joints: tuple[str | None, str | None] = (None, None)
    positive: str = ""
    negative: str = ""
    proposed: bool = False
    """The turning is a proposed mechanism (e.g. psoas against piriformis at the sacroiliac
    joint), not an established one: the key says "proposed" rather than stating it as fact."""
    levels_mm: tuple[float | None, float | None] = (None, None)
    """Per side, a height along the axis from the joint centre where that side's turning is
    drawn as a ring round the axis instead of an arc swung from its attachment. Turning about
    an axis is the same at every height along it, so two sides that turn one joint from nearby
    attachments (both trochanters, about a vertical axis through the hip) get their own level
    and their arrows no longer knot together."""
    fallback_levels_mm: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())
    """Per side, further ring heights tried in order when the ring at :attr:`levels_mm` would
    cover a trigger-point X: the preferred height rings the joint itself (what a lecturer
    reads as "turning the hip"), the fallbacks lie further along the axis (round the thigh),
    where the X's clustered round the hip leave room."""
    turns: tuple[str, ...] = ("a", "b")
    """The sides whose turning is drawn. Pair 3 turns only the gluteals (the pelvis about the
    hip in the frontal plane, holding it level on the standing leg): iliopsoas's part in that
    plane is small and its rotation role disputed, so it keeps its straight flexion pull and
    no curved arrow that would teach a turning as fact."""

    arc_deg: float | None = None
    """How far round the axis a ring is drawn (degrees), or ``None`` for the overlay's
    default (an almost closed ring). Pair 3's ring about the hip's front-to-back axis, 260
    degrees round, read as a loop whose sense a lecturer could not tell; a shorter arc on the
    hip, one head at its end, says which way the pelvis turns."""

    def turns_side(self, side: str) -> bool:
        """Whether side ``"a"``/``"b"``'s turning is drawn."""
        return side in self.turns

    def joint_of(self, side: str) -> str:
        """The joint id side ``"a"`` or ``"b"`` turns."""
        own = self.joints[0 if side == "a" else 1]
        return own or self.joint

    def level_of(self, side: str) -> float | None:
        """Side ``"a"``/``"b"``'s ring height along the axis (mm), or ``None`` for an arc."""
        return self.levels_mm[0 if side == "a" else 1]

    def fallbacks_of(self, side: str) -> tuple[float, ...]:
        """Side ``"a"``/``"b"``'s further ring heights, in order of preference."""
        return self.fallback_levels_mm[0 if side == "a" else 1]

    def at(self, side: str) -> str:
        """``"origin"`` or ``"insertion"``: where side ``"a"``/``"b"`` pulls the turning bone."""
        return self.acts_on[0 if side == "a" else 1]

    def mirrored(self) -> Rotation:
        """The same rotation on the other body side (sense names swap except mediolateral)."""
        flip = self.axis != "mediolateral"
        return replace(
            self,
            joint=_swap(self.joint),
            joints=tuple(None if j is None else _swap(j) for j in self.joints),  # type: ignore[arg-type]
            positive=self.negative if flip else self.positive,
            negative=self.positive if flip else self.negative,
        )


@dataclass(frozen=True, eq=False)
class Pull:
    """One muscle's resultant pull, placed in the atlas.

    ``path`` (k, 3) is the resultant course, origin first; ``point`` the attachment the pull acts
    on and ``direction`` the unit pull there (toward the rest of the muscle). ``force_n`` is the
    force capacity (``None`` when no value is known) and ``relative`` its share of the strongest
    pull in the view (1 when unknown), which sets the drawn arrow's length.
    """

    side: str
    structure: str
    label: str
    color: str
    path: NDArray[np.float64]
    at: str
    point: NDArray[np.float64]
    direction: NDArray[np.float64]
    force_n: float | None
    relative: float = 1.0
    end_named: bool = False
    """The view names the end this pull acts on (its ``rotation.acts_on``): only that end's
    arrow is drawn. Pair 3's iliopsoas pulls the thigh up and forward (flexion) without a
    turning of its own; left free, the renderer drew the equal and opposite pull on the spine
    instead (pointing down) because the thigh's arrow is foreshortened from the front."""
    pinned: bool = False
    """The view names this side's end itself (the side's ``pull_at``, or ``acts_through``):
    the arrow starts at that attachment and slides along the muscle only a little to clear an
    X (pair 6's quadratus lumborum on the 12th rib, pair 4's upper psoas at T12-L1, pair 1's
    psoas where it meets L5); past a ring it is drawn shorter, with every straight arrow of
    the view, instead of sliding (``PairOverlay._pinned_off_rings``)."""


@dataclass(frozen=True, eq=False)
class Turning:
    """The moment of one side's pull about a joint axis (N m; sign by :data:`AXES`)."""

    side: str
    label: str
    color: str
    joint_id: str
    joint_title: str
    center: NDArray[np.float64]
    axis: NDArray[np.float64]
    moment_nm: float
    sense: str
    level_mm: float | None = None
    """Height along the axis from ``center`` of the ring that draws this turning, or ``None``
    (drawn as an arc from the attachment; see :attr:`Rotation.levels_mm`)."""
    fallback_levels_mm: tuple[float, ...] = ()
    """Further ring heights, tried in order where the ring at ``level_mm`` would cover an X."""
    arc_deg: float | None = None
    """How far round the axis its ring runs (degrees; ``None``: the overlay's default)."""

    @property
    def sign(self) -> int:
        """+1, -1, or 0 for a pull through the axis."""
        return int(np.sign(self.moment_nm))


def resultant_path(
    paths: Sequence[NDArray[np.floating]], weights: Sequence[float]
) -> NDArray[np.float64]:
    """Force-weighted mean of polylines (origin first), resampled to a common point count.

    Paths with the same number of points (origin, via, insertion) are averaged point by point, so
    a shared via point (the pelvic brim for psoas and iliacus) stays a kink of the result. Others
    are first resampled by arc length to the largest point count.
    """
    if not paths:
        raise ValueError("no paths to combine")
    arrays = [np.asarray(p, dtype=np.float64) for p in paths]
    k = max(len(a) for a in arrays)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (len(arrays),) or float(w.sum()) <= 0.0:
        w = np.ones(len(arrays))
    resampled = [a if len(a) == k else _resample(a, k) for a in arrays]
    out: NDArray[np.float64] = np.tensordot(w / w.sum(), np.stack(resampled), axes=1)
    return out


def _resample(points: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] <= 0.0:
        return np.repeat(points[:1], k, axis=0)
    t = np.linspace(0.0, s[-1], k)
    return np.column_stack([np.interp(t, s, points[:, i]) for i in range(3)])


def pull_at(path: NDArray[np.floating], at: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Point of application and unit direction of a muscle's pull on the bone at ``at``.

    A muscle pulls each attachment toward its next point along the muscle: the origin toward the
    first via point (or the insertion), the insertion back toward the last via point.
    """
    pts = np.asarray(path, dtype=np.float64)
    if at not in ENDS:
        raise ValueError(f"pull must act at 'origin' or 'insertion', not {at!r}")
    point, toward = (pts[0], pts[1]) if at == "origin" else (pts[-1], pts[-2])
    d = toward - point
    n = float(np.linalg.norm(d))
    if n < 1e-9:
        raise ValueError("the muscle's course has zero length at its attachment")
    return point.copy(), d / n


def moment_about(
    point: NDArray[np.floating],
    force: NDArray[np.floating],
    center: NDArray[np.floating],
    axis: NDArray[np.floating],
) -> float:
    """Moment (N m) of ``force`` (N) applied at ``point`` (mm) about the axis through ``center``.

    ((point - center) x force) . axis, with millimetres turned into metres.
    """
    r = (np.asarray(point, dtype=np.float64) - np.asarray(center, dtype=np.float64)) / 1000.0
    a = np.asarray(axis, dtype=np.float64)
    a = a / float(np.linalg.norm(a))
    return float(np.cross(r, np.asarray(force, dtype=np.float64)) @ a)


def base_muscle(structure_id: str) -> str:
    """``psoas_major_upper_right`` -> ``psoas_major_upper``: the key of force capacities."""
    for suffix in ("_right", "_left"):
        if structure_id.endswith(suffix):
            return structure_id[: -len(suffix)]
    return structure_id


def relative_forces(forces: Sequence[float | None]) -> list[float]:
    """Each known force as a share of the largest; unknown forces count as 1 (not scaled)."""
    known = [f for f in forces if f is not None and f > 0]
    top = max(known) if known else 0.0
    return [1.0 if f is None or top <= 0 else float(f) / top for f in forces]


def side_pull(pulls: Sequence[Pull]) -> Pull:
    """One side's pulls as one: the force-weighted mean course (:func:`resultant_path`), acting
    at the same end, with the side's total force.

    A side whose turning is drawn as its attachment swinging about the joint (a lever arc)
    shows one turning, not one per muscle: pair 2 swung one arc from the psoas and one from the
    iliacus, both at the lesser trochanter, and a lecturer read two iliopsoas turnings.
    """
    if not pulls:
        raise ValueError("no pulls to combine")
    if len(pulls) == 1:
        return pulls[0]
    forces = [p.force_n for p in pulls]
    known = all(f is not None and f > 0 for f in forces)
    weights = [float(f) for f in forces if f is not None] if known else [1.0] * len(pulls)
    path = resultant_path([p.path for p in pulls], weights)
    first = pulls[0]
    point, direction = pull_at(path, first.at)
    return replace(
        first,
        structure="+".join(p.structure for p in pulls),
        label=" + ".join(p.label for p in pulls),
        path=path,
        point=point,
        direction=direction,
        force_n=float(sum(weights)) if known else None,
        relative=max(p.relative for p in pulls),
    )
