"""Referral model: trigger points placed on the atlas, their heat maps, "where does it hurt?".

Built once per atlas (:func:`build_referral_model`); afterwards every call is array look-ups:
``field_for(ids)`` for the heat map of selected trigger points, ``field_for_muscle(id)`` for all
trigger points of a muscle, ``refer(points)`` for the ranked list of candidate sources, scored
against the maps as they are painted (closed and smoothed), so what is painted is what is found.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from viewer.domain.landmarks import Geometry, RayCaster, SkinLandmark, SurfaceLike
from viewer.domain.referral import (
    DISCLAIMER,
    FLAG_TEXT,
    Coverage,
    ReferralHit,
    ReferralPattern,
    Source,
    ZoneClass,
    rank_key,
    spot_coverage,
    spot_depth,
)
from viewer.domain.structures import Atlas, Kind, Side
from viewer.domain.triggerpoints import TriggerPoint
from viewer.heatmap.fields import (
    HeatField,
    PatternFields,
    cached_distance_fields,
    default_cache_dir,
    load_cast_memo,
    mesh_hash,
    save_cast_memo,
    zone_reach,
)
from viewer.heatmap.foldfill import FoldLift, cached_fold_filled
from viewer.heatmap.geodesic import ProgressFn
from viewer.io.annotations import (
    ResolvedAnnotations,
    load_annotations,
    load_bony_landmarks,
    resolve_annotations,
)
from viewer.io.atlas_loader import LoadedAtlas
from viewer.io.problems import Problem

log = logging.getLogger(__name__)

MIN_HIT_SCORE = 0.1
"""A candidate must reach the spots with at least this much zone strength to be listed.

Zones fade smoothly to zero, so without a floor every pattern touching the region by a
hundredth of a percent became a "likely" row with the same fading-edge reason. 0.1 keeps a
spot a little outside a main zone (or inside a spillover zone, 0.45) and drops the noise.
"""


@dataclass(frozen=True)
class Spot:
    """A queried point and the skin vertex it was matched to (``distance_mm`` away)."""

    query: tuple[float, float, float]
    vertex: int
    on_skin: tuple[float, float, float]
    distance_mm: float


@dataclass(frozen=True)
class ReferralReport:
    """Answer to "where does it hurt?": ranked trigger points and muscles, best first."""

    spots: tuple[Spot, ...]
    trigger_points: tuple[ReferralHit, ...]
    muscles: tuple[ReferralHit, ...]
    disclaimer: str = DISCLAIMER


@dataclass
class ReferralModel:
    """Trigger points, skin landmarks and patterns on one atlas, with precomputed fields.

    Attributes
    ----------
    atlas : the atlas the annotations were placed on
    skin : the skin surface the fields belong to (full detail)
    resolved : placed annotations (trigger points, skin landmarks, patterns)
    fields : per-pattern essential/spillover weights
    """

    atlas: Atlas
    skin: SurfaceLike
    resolved: ResolvedAnnotations
    fields: PatternFields
    _tree: object = field(default=None, repr=False)

    def adopt(self, other: ReferralModel) -> None:
        """Take over ``other``'s skin, placements and fields (another body), keeping identity.

        Panels and overlays hold this object; after a body change they read the new fields.
        """
        self.atlas, self.skin, self.resolved, self.fields = (
            other.atlas,
            other.skin,
            other.resolved,
            other.fields,
        )
        self._tree = None

    # -- look-ups ------------------------------------------------------------------------------
    @property
    def trigger_points(self) -> dict[str, TriggerPoint]:
        """Placed trigger points by id (both sides)."""
        return self.resolved.trigger_points

    @property
    def patterns(self) -> dict[str, ReferralPattern]:
        """Referral patterns by id (zones all placed)."""
        return self.resolved.patterns

    @property
    def skin_landmarks(self) -> dict[str, SkinLandmark]:
        """Placed skin landmarks by id."""
        return self.resolved.skin_landmarks

    @property
    def sources(self) -> dict[str, Source]:
        """Bibliography by key."""
        return self.resolved.annotations.sources

    @property
    def n_vertices(self) -> int:
        """Number of skin vertices the fields are defined on."""
        return len(self.skin.points)

    def trigger_points_of(self, structure_id: str) -> tuple[str, ...]:
        """Ids of the trigger points on a muscle or on any muscle of a group."""
        members = set(self.atlas.leaves(structure_id)) if structure_id in self.atlas else set()
        members.add(structure_id)
        return tuple(t.id for t in self.trigger_points.values() if t.muscle in members)

    def muscles(self, side: Side | None = None) -> tuple[str, ...]:
        """Muscle ids that carry at least one trigger point, in atlas order."""
        used = {t.muscle for t in self.trigger_points.values() if side in (None, t.side)}
        return tuple(s.id for s in self.atlas.structures if s.id in used)

    @property
    def muscle_of(self) -> dict[str, str]:
        """Trigger point id -> muscle id: what :class:`viewer.state.triggers.TriggerPointState`
        is built from."""
        return {t.id: t.muscle for t in self.trigger_points.values()}

    def muscle_groups(self) -> dict[str, tuple[str, ...]]:
        """Atlas groups (``iliopsoas_right``, ``psoas_major_right``...) -> their muscles that
        carry trigger points; the ``groups`` argument of ``TriggerPointState``."""
        used = set(self.muscle_of.values())
        out: dict[str, tuple[str, ...]] = {}
        for s in self.atlas.structures:
            if s.kind is Kind.GROUP:
                members = tuple(m for m in self.atlas.leaves(s.id) if m in used)
                if members:
                    out[s.id] = members
        return out

    def patient_entry(self, muscle_id: str) -> str:
        """What a patient is told about for this muscle: the muscle itself, or the largest
        atlas group above it whose trigger points all share its referral maps.

        Upper and lower psoas have one map in the sources, so a patient reads one entry,
        "psoas", not two identical ones; iliopsoas is not merged (iliacus has its own map)."""
        tps = self.trigger_points
        maps = {t.definition.referral for t in tps.values() if t.muscle == muscle_id}
        entry = muscle_id
        current = self.atlas.get(muscle_id) if muscle_id in self.atlas else None
        while current is not None and current.parent is not None and current.parent in self.atlas:
            group = current.parent
            if {tps[t].definition.referral for t in self.trigger_points_of(group)} != maps:
                break
            entry, current = group, self.atlas.get(group)
        return entry

    # -- heat maps -----------------------------------------------------------------------------
    def field_for(self, trigger_point_ids: Iterable[str]) -> HeatField:
        """Combined heat map of the selected trigger points (mode a); unknown ids ignored."""
        pats = [
            self.trigger_points[i].definition.referral
            for i in trigger_point_ids
            if i in self.trigger_points
        ]
        return self.fields.combine(pats)

    def title_for(self, trigger_point_ids: Iterable[str], plain: bool = False) -> str:
        """Title of the heat map of these trigger points, naming their muscles (atlas order).

        ``plain``: for patient mode, everyday names and the side in words ("Where it can send
        pain: big buttock muscle (gluteus maximus), right side"), as the handout says it; the
        atlas names ("Longissimus thoracis (lumbar part) (right)") are for the therapist."""
        tps = self.trigger_points
        ids = [i for i in trigger_point_ids if i in tps]
        muscles = {tps[i].muscle for i in ids}

        def name(sid: str) -> str:
            if sid not in self.atlas:
                return sid
            s = self.atlas.get(sid)
            return (s.plain_name or s.name) if plain else s.name

        # A whole group reads better than its parts: "Iliopsoas", not psoas halves + iliacus.
        named: dict[str, str] = {}
        groups = sorted(self.muscle_groups().items(), key=lambda g: -len(g[1]))
        for gid, members in groups:
            if len(members) > 1 and set(members) <= muscles:
                named[members[0]] = name(gid)
                muscles -= set(members)
        order = [s.id for s in self.atlas.structures]
        for mid in muscles:
            named[mid] = name(mid)
        names = [named[m] for m in sorted(named, key=order.index)]
        if not plain:
            return heat_title(names)
        return plain_heat_title(names, {tps[i].side for i in ids})

    def field_for_muscle(self, structure_id: str) -> HeatField:
        """Heat map of every trigger point of a muscle or group (mode b)."""
        return self.field_for(self.trigger_points_of(structure_id))

    def nearest_vertices(
        self, points: NDArray[np.floating]
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nearest skin vertex (and its distance, mm) of each point (k, 3)."""
        from scipy.spatial import cKDTree

        if self._tree is None:
            self._tree = cKDTree(np.asarray(self.skin.points, dtype=np.float64))
        tree: cKDTree = self._tree
        dist, idx = tree.query(np.asarray(points, dtype=np.float64).reshape(-1, 3))
        return np.asarray(idx, dtype=np.int64), np.asarray(dist, dtype=np.float64)

    # -- where does it hurt? -------------------------------------------------------------------
    def refer(
        self, points: Sequence[Sequence[float]] | NDArray[np.floating], side: Side | None = None
    ) -> ReferralReport:
        """Rank trigger points and muscles whose zones cover the given skin points.

        Parameters
        ----------
        points : (k, 3) atlas-frame points; each is matched to its nearest skin vertex
        side : only trigger points of this side (default: both)
        """
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        idx, dist = self.nearest_vertices(pts)
        skin_pts = np.asarray(self.skin.points, dtype=np.float64)
        spots = tuple(
            Spot(_vec(p), int(i), _vec(skin_pts[i]), float(d))
            for p, i, d in zip(pts, idx, dist, strict=True)
        )
        tp_hits: list[ReferralHit] = []
        per_muscle: dict[str, list[_Samples]] = {}
        painted: dict[str, tuple[NDArray[np.float32], NDArray[np.float32]] | None] = {}
        for tp in self.trigger_points.values():
            if side is not None and tp.side is not side:
                continue
            pattern = self.patterns.get(tp.definition.referral)
            if pattern is None:
                continue
            ess, spill, gaps, depth = self._zone_samples(pattern, idx)
            if pattern.id not in painted:
                painted[pattern.id] = self._painted_at([pattern.id], idx)
            ess, spill = as_painted(ess, spill, painted[pattern.id], gaps)
            per_muscle.setdefault(tp.muscle, []).append((tp, ess, spill, gaps, depth))
            hit = self._hit_for_trigger_point(tp, pattern, ess, spill, len(spots), depth)
            if hit is not None:
                tp_hits.append(hit)
        muscle_hits = []
        for m, items in per_muscle.items():
            whole = self._painted_at([tp.definition.referral for tp, *_ in items], idx)
            h = self._hit_for_muscle(m, items, len(spots), whole)
            if h is not None:
                muscle_hits.append(h)
        return ReferralReport(
            spots, tuple(sorted(tp_hits, key=rank_key)), tuple(sorted(muscle_hits, key=rank_key))
        )

    def _painted_at(
        self, pattern_ids: list[str], idx: NDArray[np.int64]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]] | None:
        """The painted map of these patterns at the spots, or None where it cannot reach them
        (then it is not combined at all: a look-up only builds the maps near its spots)."""
        if not any(self.fields.reaches(p, idx) for p in pattern_ids):
            return None
        return self.fields.painted_at(pattern_ids, idx)

    def _zone_samples(
        self, pattern: ReferralPattern, idx: NDArray[np.int64]
    ) -> tuple[_Zones, _Zones, _Zones, _Zones]:
        """The pattern's essential and spillover zone weights at the spots, each zone's gap to
        them (mm beyond its radius; ``inf`` out of reach) and its depth there (``1 - distance /
        radius``, see :attr:`Coverage.depth`). The gap names the nearest zone where the painted
        map fills a hole no zone reaches (see :func:`as_painted`); the depth breaks ties
        between candidates whose weights saturate at 1 (:func:`rank_key`)."""
        ess: dict[str, NDArray[np.float32]] = {}
        spill: dict[str, NDArray[np.float32]] = {}
        gaps: dict[str, NDArray[np.float32]] = {}
        depth: dict[str, NDArray[np.float32]] = {}
        for zone in pattern.zones:
            w = self.fields.zone_weights(zone.landmark, zone.radius_scale, idx)
            if w is None:
                continue
            target = ess if zone.zone_class is ZoneClass.ESSENTIAL else spill
            target[zone.landmark] = np.maximum(target.get(zone.landmark, w), w)
            d = self.fields.distances.get(zone.landmark)
            lm = self.fields.landmarks.get(zone.landmark)
            if d is not None and lm is not None:
                gap = self._zone_distance(d, lm.points, idx) - np.float32(
                    lm.definition.radius_mm * zone.radius_scale
                )
                gaps[zone.landmark] = np.minimum(gaps.get(zone.landmark, gap), gap)
                radius = np.float32(max(lm.definition.radius_mm * zone.radius_scale, 1e-3))
                inside = np.where(np.isfinite(gap), -gap / radius, -np.inf).astype(np.float32)
                depth[zone.landmark] = np.maximum(depth.get(zone.landmark, inside), inside)
        return ess, spill, gaps, depth

    def _zone_distance(
        self, d: NDArray[np.floating], axis: NDArray[np.floating], idx: NDArray[np.int64]
    ) -> NDArray[np.float32]:
        """Distance (mm) of the ``idx`` vertices from a zone: its geodesic field ``d`` where
        that was computed, else the straight line to the zone's projected points ``axis``.

        The geodesic field stops at the zone's reach (radius + falloff), but the painted map's
        closing fills gaps between zones beyond it: a spot so painted had no known distance,
        no zone took the painted value (:func:`as_painted`) and the lookup did not list the
        muscle whose map painted it (gluteus minimus's calf, once the skin was re-triangulated).
        The straight line is never longer than the path over the skin, so the nearest zone
        named is one the spot really lies close to."""
        out = np.asarray(d[idx], dtype=np.float32).copy()
        far = ~np.isfinite(out)
        if far.any() and len(axis):
            pts = np.asarray(self.skin.points, dtype=np.float64)[idx[far]]
            line = np.linalg.norm(pts[:, None, :] - np.asarray(axis)[None, :, :], axis=2)
            out[far] = line.min(axis=1).astype(np.float32)
        return np.asarray(out, dtype=np.float32)

    def _zone_names(self, ids: Iterable[str]) -> str:
        names = [self.skin_landmarks[i].definition.name for i in ids if i in self.skin_landmarks]
        return ", ".join(f"'{n}'" for n in names)

    def _reason(
        self,
        coverage: Coverage,
        ess: Mapping[str, NDArray[np.floating]],
        n_spots: int,
        spill: Mapping[str, NDArray[np.floating]] | None = None,
    ) -> str:
        """One line saying which of the candidate's zones hold the spots.

        When no zone covers a spot (only the fading edge reaches it), the line names the zone
        whose edge it is, so a list of weak candidates does not repeat one sentence.
        """
        e_zones, s_zones = _split_zones(coverage, ess)
        parts = []
        if e_zones:
            parts.append(f"main (essential) zone {self._zone_names(e_zones)}")
        if s_zones:
            parts.append(f"spillover zone {self._zone_names(s_zones)}")
        where = "its " + " and its ".join(parts) if parts else self._edge_of(ess, spill or {})
        if n_spots == 1:
            return f"the spot lies in {where}"
        return f"{coverage.n_covered} of {n_spots} spots lie in {where}"

    def _plain_reason(
        self,
        coverage: Coverage,
        ess: Mapping[str, NDArray[np.floating]],
        n_spots: int,
        spill: Mapping[str, NDArray[np.floating]] | None = None,
    ) -> str:
        """:meth:`_reason` in a patient's words: "its usual pain area" and "the area its pain
        sometimes reaches" (as the handout says it), never "essential", "spillover" or a
        percentage of a zone's strength."""
        e_zones, s_zones = _split_zones(coverage, ess)
        parts = []
        if e_zones:
            parts.append(f"its usual pain area ({self._zone_names(e_zones)})")
        if s_zones:
            parts.append(f"the area its pain sometimes reaches ({self._zone_names(s_zones)})")
        if parts:
            where = "in " + " and ".join(parts)
        else:
            where = "just outside " + self._edge_of(ess, spill or {}, plain=True)
        if n_spots == 1:
            return f"the spot is {where}"
        verb = "is" if coverage.n_covered == 1 else "are"
        return f"{coverage.n_covered} of {n_spots} spots {verb} {where}"

    def _edge_of(
        self,
        ess: Mapping[str, NDArray[np.floating]],
        spill: Mapping[str, NDArray[np.floating]],
        plain: bool = False,
    ) -> str:
        """``the fading edge of its main zone 'X' (30 %)``: the zone reaching the spots most.

        The percentage is that zone's strength at the spot (100 % inside it), so weak candidates
        sharing one zone still read differently and honestly rank themselves. ``plain``: the
        zone in a patient's words, without the percentage (``its usual pain area ('X')``).
        """
        best, best_w, best_kind = None, 0.0, ""
        for kind, zones in (("main", ess), ("spillover", spill)):
            for name, w in zones.items():
                peak = float(np.max(w)) if len(w) else 0.0
                if peak > best_w and name in self.skin_landmarks:
                    best, best_w, best_kind = name, peak, kind
        if best is None:
            return "its pain areas" if plain else "the fading edge of its zones"
        if plain:
            kind = "its usual pain area" if best_kind == "main" else "the area its pain sometimes"
            kind += "" if best_kind == "main" else " reaches"
            return f"{kind} ({self._zone_names([best])})"
        percent = max(5, 5 * round(20 * best_w))
        return f"the fading edge of its {best_kind} zone {self._zone_names([best])} ({percent} %)"

    def _flags(self, *groups: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for g in groups for f in g))

    def _hit_for_trigger_point(
        self,
        tp: TriggerPoint,
        pattern: ReferralPattern,
        ess: dict[str, NDArray[np.float32]],
        spill: dict[str, NDArray[np.float32]],
        n_spots: int,
        depth: Mapping[str, NDArray[np.float32]],
    ) -> ReferralHit | None:
        score, levels, zones = spot_coverage(ess, spill)
        if score < MIN_HIT_SCORE:
            return None
        cov = Coverage(score, levels, zones, _depth_of(levels, ess, spill, depth))
        d = tp.definition
        return ReferralHit(
            kind="trigger_point",
            id=tp.id,
            name=d.name,
            muscle=tp.muscle,
            side=tp.side,
            coverage=cov,
            reason=self._reason(cov, ess, n_spots, spill),
            plain_reason=self._plain_reason(cov, ess, n_spots, spill),
            confidence=pattern.confidence,
            sources=tuple(dict.fromkeys((*d.sources, *pattern.sources))),
            flags=self._flags(d.flags, pattern.flags),
            position_confidence=d.confidence,
        )

    def _hit_for_muscle(
        self,
        muscle: str,
        items: list[_Samples],
        n_spots: int,
        painted: tuple[NDArray[np.float32], NDArray[np.float32]] | None = None,
    ) -> ReferralHit | None:
        """The muscle's row: its trigger points' zones merged, scored as the muscle's map is
        painted (``painted``: its patterns combined, closed and smoothed as one field)."""
        ess: dict[str, NDArray[np.float32]] = {}
        spill: dict[str, NDArray[np.float32]] = {}
        sources: list[str] = []
        flags: list[str] = []
        confs = []
        # A trigger point whose zones miss the spots is not part of the answer, unless the
        # spots lie where only the muscle's combined map reaches (between its patterns).
        reaching = [it for it in items if spot_coverage(it[1], it[2])[0] > 1e-6]
        if not reaching and painted is not None and float(painted[0].max(initial=0.0)) > 0:
            reaching = items
        gaps: dict[str, NDArray[np.float32]] = {}
        depth: dict[str, NDArray[np.float32]] = {}
        for tp, e, s, g, dp in reaching:
            for k, w in e.items():
                ess[k] = np.maximum(ess.get(k, w), w)
            for k, w in s.items():
                spill[k] = np.maximum(spill.get(k, w), w)
            for k, w in g.items():
                gaps[k] = np.minimum(gaps.get(k, w), w)
            for k, w in dp.items():
                depth[k] = np.maximum(depth.get(k, w), w)
            pattern = self.patterns[tp.definition.referral]
            sources += [*tp.definition.sources, *pattern.sources]
            flags += pattern.flags  # where the pain is felt: the pattern's caveats only
            confs.append(pattern.confidence)
        if not confs:
            return None
        ess, spill = as_painted(ess, spill, painted, gaps)
        score, levels, zones = spot_coverage(ess, spill)
        if score < MIN_HIT_SCORE:
            return None
        cov = Coverage(score, levels, zones, _depth_of(levels, ess, spill, depth))
        name = self.atlas.get(muscle).name if muscle in self.atlas else muscle
        side = items[0][0].side
        return ReferralHit(
            kind="muscle",
            id=muscle,
            name=name,
            muscle=muscle,
            side=side,
            coverage=cov,
            reason=self._reason(cov, ess, n_spots, spill),
            plain_reason=self._plain_reason(cov, ess, n_spots, spill),
            confidence=max(confs, key=lambda c: c.rank),
            sources=tuple(dict.fromkeys(sources)),
            flags=tuple(dict.fromkeys(flags)),
        )


_Zones = dict[str, NDArray[np.float32]]
"""Per-zone values at the spots, by skin landmark id."""

_Samples = tuple[
    TriggerPoint,
    dict[str, NDArray[np.float32]],
    dict[str, NDArray[np.float32]],
    dict[str, NDArray[np.float32]],
    dict[str, NDArray[np.float32]],
]
"""A trigger point, its essential and spillover zones' weights at the spots, the zones' gaps
to them and their depths there (by landmark; see :meth:`ReferralModel._zone_samples`)."""


def _depth_of(
    levels: Sequence[ZoneClass],
    ess: Mapping[str, NDArray[np.floating]],
    spill: Mapping[str, NDArray[np.floating]],
    depth: Mapping[str, NDArray[np.floating]],
) -> float:
    """:func:`spot_depth` of the zones of each class (depths looked up by landmark)."""
    return spot_depth(
        levels,
        {k: depth[k] for k in ess if k in depth},
        {k: depth[k] for k in spill if k in depth},
    )


def _split_zones(coverage: Coverage, ess: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """The zones holding the spots, split into the pattern's essential and spillover ones (a
    reason names them apart)."""
    return (
        [z for z in coverage.zones if z in ess],
        [z for z in coverage.zones if z not in ess],
    )


def as_painted(
    ess: dict[str, NDArray[np.float32]],
    spill: dict[str, NDArray[np.float32]],
    painted: tuple[NDArray[np.float32], NDArray[np.float32]] | None,
    gaps: Mapping[str, NDArray[np.float32]] | None = None,
) -> tuple[dict[str, NDArray[np.float32]], dict[str, NDArray[np.float32]]]:
    """Zone weights at the spots raised to the map as painted.

    The painted map closes the gaps between a pattern's zones and smooths their edges, so a
    spot can be painted while no single zone reaches it. At each spot the zone reaching it
    most takes the painted value (never lower than its own: a closing only adds), so scores
    and classes follow the painting and the reason still names a zone of the pattern. Where no
    zone of a class reaches the spot, the nearest one (smallest ``gaps``) takes it; with no
    gap known, none does (the reason must never name a zone the spot lies far from).

    The painted whole map (``painted[1]``) includes the essential zones, so it raises the
    spillover zones only where it exceeds the painted essential map: a spot inside the main
    zone is not also "in" a spillover zone across the body (a patient read "its spillover
    zone 'Groin'" for a spot beside the spine).
    """
    if painted is None:
        return ess, spill
    essential, whole = painted
    spill_part = np.where(whole > essential, whole, 0.0).astype(np.float32)
    return _raise(ess, essential, gaps), _raise(spill, spill_part, gaps)


def _raise(
    zones: dict[str, NDArray[np.float32]],
    painted: NDArray[np.float32],
    gaps: Mapping[str, NDArray[np.float32]] | None = None,
) -> dict[str, NDArray[np.float32]]:
    if not zones:
        return zones
    names = list(zones)
    stack = np.vstack([zones[n] for n in names])
    best = np.argmax(stack, axis=0)
    reached = stack.max(axis=0) > 0
    inf = np.full(stack.shape[1], np.inf, dtype=np.float32)
    gap = np.vstack([np.asarray((gaps or {}).get(n, inf), dtype=np.float32) for n in names])
    nearest = np.argmin(gap, axis=0)
    known = np.isfinite(gap.min(axis=0))
    out = {n: np.array(zones[n], dtype=np.float32, copy=True) for n in names}
    for k, b in enumerate(best.tolist()):
        if painted[k] <= 0:
            continue
        if not reached[k]:
            if not known[k]:
                continue
            b = int(nearest[k])
        out[names[b]][k] = max(out[names[b]][k], painted[k])
    return out


def _vec(a: NDArray[np.floating]) -> tuple[float, float, float]:
    return (float(a[0]), float(a[1]), float(a[2]))


HEAT_TITLE = "Referred pain"
TITLE_NAMES = 3
"""At most this many muscles are named in a heat map's title; the rest are counted."""


def heat_title(names: Sequence[str]) -> str:
    """The heat map's title naming the muscles painted: ``Referred pain: Piriformis (right)``.

    A lecturer (or a printed slide) must be able to tell whose map it is. A side shared by
    every muscle is said once at the end; more than :data:`TITLE_NAMES` muscles are counted.
    """
    names = list(dict.fromkeys(n for n in names if n))
    if not names:
        return HEAT_TITLE
    sides = {n[n.rfind(" (") :] for n in names if n.endswith(")") and " (" in n}
    suffix = ""
    if len(sides) == 1 and all(n.endswith(next(iter(sides))) for n in names):
        suffix = next(iter(sides))
        names = [n[: -len(suffix)] for n in names]
    shown = names if len(names) <= TITLE_NAMES else names[: TITLE_NAMES - 1]
    # Names with commas of their own ("Psoas major, upper part") are kept apart by semicolons.
    sep = "; " if any("," in n for n in shown) else ", "
    text = sep.join(shown[:1] + [n[:1].lower() + n[1:] for n in shown[1:]])
    if len(shown) < len(names):
        text += f" and {len(names) - len(shown)} more"
    return f"{HEAT_TITLE}: {text}{suffix}"


PLAIN_HEAT_TITLE = "Where it can send pain"


def plain_heat_title(names: Sequence[str], sides: set[Side]) -> str:
    """:func:`heat_title` for patients: ``Where it can send pain: deep buttock muscle
    (piriformis), right side`` (plain names carry no side, so it is said once in words)."""
    names = list(dict.fromkeys(n for n in names if n))
    if not names:
        return PLAIN_HEAT_TITLE
    shown = names if len(names) <= TITLE_NAMES else names[: TITLE_NAMES - 1]
    text = "; ".join(shown)
    if len(shown) < len(names):
        text += f" and {len(names) - len(shown)} more"
    real = {s for s in sides if s is not Side.MIDLINE}
    side = (
        f", {next(iter(real)).value} side" if len(real) == 1 else ", both sides" if real else ""
    )
    return f"{PLAIN_HEAT_TITLE}: {text}{side}"


def flag_texts(flags: Iterable[str]) -> tuple[str, ...]:
    """Plain-language caveats for flag names (unknown flags are shown as they are)."""
    return tuple(FLAG_TEXT.get(f, f) for f in flags)


def skin_structure(atlas: Atlas) -> str | None:
    """Id of the atlas's skin (the first structure of kind skin with a mesh)."""
    for s in atlas.renderable:
        if s.kind is Kind.SKIN:
            return s.id
    return None


def carry_skin_landmarks(
    resolved: ResolvedAnnotations, anchor: SurfaceLike, skin: SurfaceLike
) -> ResolvedAnnotations:
    """Skin landmarks placed on ``anchor`` moved to ``skin`` (same triangles), vertex for vertex.

    Seeds (vertex indices) stay; each projected point moves with its nearest anchor vertex.
    """
    from dataclasses import replace

    from scipy.spatial import cKDTree

    if len(anchor.points) != len(skin.points):
        raise ValueError("a body skin must have the neutral skin's vertices")
    tree = cKDTree(np.asarray(anchor.points, dtype=np.float64))
    target = np.asarray(skin.points, dtype=np.float64)
    anchor_pts = np.asarray(anchor.points, dtype=np.float64)
    moved: dict[str, SkinLandmark] = {}
    for lid, lm in resolved.skin_landmarks.items():
        pts = np.asarray(lm.points, dtype=np.float64).reshape(-1, 3)
        _, near = tree.query(pts)
        moved[lid] = replace(lm, points=pts + target[near] - anchor_pts[near])
    return replace(resolved, skin_landmarks=moved)


def build_referral_model(
    loaded: LoadedAtlas,
    annotations_dir: Path | None = None,
    *,
    progress: ProgressFn | None = None,
    cache_dir: Path | None = None,
    method: str = "auto",
) -> tuple[ReferralModel | None, list[Problem]]:
    """Load the annotations, place them on ``loaded`` and precompute the heat-map fields.

    Returns ``(None, problems)`` when the atlas has no skin (nothing to draw zones on); the
    problems list names every entry that was skipped or could not be placed.

    Parameters
    ----------
    loaded : the atlas with its full-detail meshes
    annotations_dir : annotation folder (default: built-in)
    progress : ``callable(fraction, message)`` during the first-use precompute
    cache_dir : distance-field cache (default: user cache folder)
    method : geodesic method, ``auto``/``heat``/``graph``
    """
    report = progress or (lambda _f, _m: None)
    report(0.0, "reading trigger points and referral zones")
    landmarks, problems = load_bony_landmarks(loaded.folder)
    annotations = load_annotations(annotations_dir, loaded.atlas, landmarks)
    problems += annotations.problems
    skin_id = skin_structure(loaded.atlas)
    skin = loaded.meshes.get(skin_id) if skin_id else None
    geometry = Geometry(landmarks=landmarks, surfaces=loaded.meshes)
    if skin is None:
        resolved = resolve_annotations(annotations, geometry, None)
        return None, problems + resolved.problems
    # Skin landmarks are placed on the neutral body and kept as vertex indices: every body has
    # the neutral skin's triangles, so a zone covers the same patch of skin on each of them.
    anchor_skin = loaded.neutral_skin() or skin
    folder = cache_dir if cache_dir is not None else default_cache_dir()
    anchor_hash = mesh_hash(anchor_skin.points, anchor_skin.triangles)
    caster = RayCaster(
        anchor_skin.points, anchor_skin.triangles, known=load_cast_memo(folder, anchor_hash)
    )
    n_known = len(caster.memo)
    report(0.05, "placing trigger points and skin landmarks on the atlas")
    resolved = resolve_annotations(annotations, geometry, anchor_skin, caster)
    problems += resolved.problems
    if len(caster.memo) > n_known:
        save_cast_memo(folder, anchor_hash, caster.memo)
    if anchor_skin is not skin:
        resolved = carry_skin_landmarks(resolved, anchor_skin, skin)
    reach: dict[str, float] = {}
    for pattern in resolved.patterns.values():
        for zone in pattern.zones:
            lm = resolved.skin_landmarks[zone.landmark]
            reach[lm.id] = max(reach.get(lm.id, 0.0), zone_reach(lm, zone.radius_scale))
    used = {k: v for k, v in resolved.skin_landmarks.items() if k in reach}
    # Zones are measured, and outlined, on the skin with its narrow folds filled (a chart's
    # disc crosses the gluteal cleft; it does not run down into it): viewer.heatmap.foldfill.
    filled = cached_fold_filled(skin.points, skin.triangles, folder)
    distances = cached_distance_fields(
        skin.points,
        skin.triangles,
        used,
        reach,
        folder,
        method,
        lambda f, m: report(0.2 + 0.75 * f, m),
        fill_folds=True,
    )
    report(0.95, "combining zones into referral patterns")
    fields = PatternFields(
        len(skin.points),
        resolved.patterns,
        used,
        distances,
        mesh=(skin.points, skin.triangles),
        fold_lift=FoldLift.between(skin.points, filled, skin.triangles, skin.normals),
    )
    report(1.0, "heat maps ready")
    return ReferralModel(loaded.atlas, skin, resolved, fields), problems
