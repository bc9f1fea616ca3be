"""Referral patterns (essential and spillover skin zones) and the "where does it hurt?" ranking.

A referral pattern is a list of zones, each a named skin landmark with a class: *essential*
(where the source says the pain usually is) or *spillover* (where it says it sometimes spreads).
Patterns are shared: the three iliopsoas trigger points use one composite map, because no source
separates them.

The ranking works on per-vertex weight arrays computed once per atlas (see
:mod:`viewer.heatmap.fields`), so a query is a few array look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np
from numpy.typing import NDArray

from viewer.domain.landmarks import mirror_name, mirror_side
from viewer.domain.structures import Side

DISCLAIMER = "Educational tool, not a diagnosis: anyone in pain should see a medical professional."
"""Shown wherever the app shows pain patterns or answers "where does it hurt?"."""

SPILLOVER_LEVEL = 0.45
"""Heat-map intensity of a spillover zone (essential zones reach 1.0)."""


class Confidence(str, Enum):
    """How well the sources support a fact (as graded in docs/TRIGGER_POINT_FACTS.md).

    H: Travell & Simons text or a close paraphrase was seen; M: consistent secondary sources;
    L: thin or low-quality sources, or read from figures not seen.
    """

    HIGH = "H"
    MEDIUM = "M"
    LOW = "L"

    @property
    def rank(self) -> int:
        """2 for high, 1 for medium, 0 for low (for sorting)."""
        return {"H": 2, "M": 1, "L": 0}[self.value]

    @property
    def label(self) -> str:
        """Plain words for the UI and the command line."""
        return {"H": "high", "M": "medium", "L": "low"}[self.value]

    @property
    def plain(self) -> str:
        """How well the sources support it, for a patient (no grades, no source codes)."""
        return {"H": "well", "M": "moderately", "L": "only weakly"}[self.value]


class ZoneClass(int, Enum):
    """Per-vertex class of a heat map: the renderer hatches spillover for greyscale output."""

    NONE = 0
    SPILLOVER = 1
    ESSENTIAL = 2


@dataclass(frozen=True)
class Source:
    """One reference: the key used in citations (``S7``), the full reference text, and its
    grade: ``"low"`` for the thin or low-quality sources docs/TRIGGER_POINT_FACTS.md marks
    (L), which a patient handout lists last and marks; ``""`` otherwise."""

    key: str
    reference: str
    grade: str = ""


@dataclass(frozen=True)
class Zone:
    """One skin landmark of a pattern, essential or spillover; ``radius_scale`` widens it."""

    landmark: str
    zone_class: ZoneClass
    radius_scale: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class ReferralPattern:
    """Where pain from a set of trigger points is felt, with its evidence.

    ``flags`` carries caveats the app must show (``split_unverified``, ``ee_inferred``...).
    """

    id: str
    title: str
    side: Side
    zones: tuple[Zone, ...]
    sources: tuple[str, ...]
    confidence: Confidence
    description: str = ""
    flags: tuple[str, ...] = ()

    def landmarks(self, zone_class: ZoneClass | None = None) -> tuple[str, ...]:
        """Skin landmark ids of the zones (of one class if given)."""
        return tuple(
            z.landmark for z in self.zones if zone_class is None or z.zone_class is zone_class
        )


def mirror_pattern(pattern: ReferralPattern) -> ReferralPattern:
    """The same pattern for the other side (zone landmarks swapped right <-> left)."""
    return replace(
        pattern,
        id=mirror_name(pattern.id),
        side=mirror_side(pattern.side),
        zones=tuple(replace(z, landmark=mirror_name(z.landmark)) for z in pattern.zones),
    )


FLAG_TEXT: dict[str, str] = {
    "position_unverified": "position not verified in the sources (approximate)",
    "split_unverified": "split between trigger points not verified (recollection of a figure)",
    "es_inferred": "essential/spillover split is our reading of the source's wording",
    "no_source_position": "no source gives landmarks for this spot; a default is shown",
    "pattern_shared": "the sources give one pattern for several trigger points",
}
"""Plain-language text for each caveat flag used in the annotation files."""


# -- where does it hurt? -----------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """How one candidate covers the queried spots.

    ``levels`` has one :class:`ZoneClass` per spot; ``score`` adds essential coverage (1.0) and
    spillover coverage (``SPILLOVER_LEVEL``) weighted by how deep inside the zone each spot is.
    ``score`` saturates: every spot anywhere inside a main zone counts 1.0, so many candidates
    tie. ``depth`` does not: it says how centrally the spots sit in the zones holding them
    (1 at a zone's centre, 0 at its rim, below 0 where only the painted map's smoothing
    reaches; mean over the covered spots), and breaks those ties (:func:`rank_key`).
    """

    score: float
    levels: tuple[ZoneClass, ...]
    zones: tuple[str, ...]
    depth: float = 0.0

    @property
    def n_essential(self) -> int:
        """Spots inside an essential zone."""
        return sum(1 for lv in self.levels if lv is ZoneClass.ESSENTIAL)

    @property
    def n_covered(self) -> int:
        """Spots inside any zone."""
        return sum(1 for lv in self.levels if lv is not ZoneClass.NONE)


@dataclass(frozen=True)
class ReferralHit:
    """One ranked answer: a trigger point or a muscle, why it is listed and how sure we are.

    ``confidence`` grades the referral pattern (is pain from here felt there?); for a trigger
    point, ``position_confidence`` grades where the spot itself is placed.
    """

    kind: str  # "trigger_point" or "muscle"
    id: str
    name: str
    muscle: str
    side: Side
    coverage: Coverage
    reason: str
    confidence: Confidence
    sources: tuple[str, ...]
    flags: tuple[str, ...] = ()
    position_confidence: Confidence | None = None
    plain_reason: str = ""
    """:attr:`reason` in a patient's words ("the spot is in its usual pain area ('…')"), for
    patient mode; ``""`` where none was made (then :attr:`reason` is shown)."""


def spot_coverage(
    essential: Mapping[str, NDArray[np.floating]],
    spillover: Mapping[str, NDArray[np.floating]],
) -> tuple[float, tuple[ZoneClass, ...], tuple[str, ...]]:
    """Score a candidate's zones at the queried spots.

    Parameters
    ----------
    essential, spillover : zone landmark id -> (k,) weights in [0, 1] of that zone at the k spots

    Returns
    -------
    score, per-spot class, landmark ids of the zones that cover at least one spot (>= 0.5)
    """
    k = len(next(iter({**essential, **spillover}.values()), ()))
    best_e = np.zeros(k)
    best_s = np.zeros(k)
    hit: list[str] = []
    for name, w in essential.items():
        v = np.asarray(w, dtype=np.float64)
        if (v >= 0.5).any():
            hit.append(name)
        best_e = np.maximum(best_e, v)
    for name, w in spillover.items():
        v = np.asarray(w, dtype=np.float64)
        if (v >= 0.5).any():
            hit.append(name)
        best_s = np.maximum(best_s, v)
    per_spot = np.maximum(best_e, SPILLOVER_LEVEL * best_s)
    levels = tuple(
        ZoneClass.ESSENTIAL if e >= 0.5 else ZoneClass.SPILLOVER if s >= 0.5 else ZoneClass.NONE
        for e, s in zip(best_e, best_s, strict=True)
    )
    return float(per_spot.sum()), levels, tuple(dict.fromkeys(hit))


def spot_depth(
    levels: Sequence[ZoneClass],
    essential: Mapping[str, NDArray[np.floating]],
    spillover: Mapping[str, NDArray[np.floating]],
) -> float:
    """How centrally the spots sit in the zones holding them (see :attr:`Coverage.depth`).

    Parameters
    ----------
    levels : each spot's class (from :func:`spot_coverage`)
    essential, spillover : zone landmark id -> (k,) ``1 - distance / radius`` at the k spots
    """
    values = []
    for k, level in enumerate(levels):
        zones = essential if level is ZoneClass.ESSENTIAL else spillover
        if level is ZoneClass.NONE or not zones:
            continue
        values.append(max(float(np.asarray(d, dtype=np.float64)[k]) for d in zones.values()))
    return float(np.clip(np.mean(values), -1.0, 1.0)) if values else 0.0


DEPTH_STEP = 0.1
"""Depths closer than this are treated as equal: a few millimetres on a hand-drawn chart zone
say nothing about which muscle is more likely."""


def tie_key(hit: ReferralHit) -> tuple[float, int, int, float, int]:
    """What ranks a candidate: higher score, more essential spots, more spots covered, spots
    more central in its zones, higher confidence. Equal keys fit equally well.

    The score is compared to 0.01: a spot painted 0.999 by the map's smoothing is not a worse
    fit than one painted 1.0."""
    c = hit.coverage
    depth = round(c.depth / DEPTH_STEP) * DEPTH_STEP
    return (
        -round(c.score, 2),
        -c.n_essential,
        -c.n_covered,
        -round(depth, 3),
        -hit.confidence.rank,
    )


def rank_key(hit: ReferralHit) -> tuple[float, int, int, float, int, str]:
    """Sort key: :func:`tie_key`, then the id only to keep the order stable among ties (which
    the list must then show as ties, :func:`shared_ranks`, not as an order)."""
    return (*tie_key(hit), hit.id)


def shared_ranks(hits: Sequence[ReferralHit]) -> list[int]:
    """Competition ranks of hits sorted by :func:`rank_key`: ties share a number (1, 1, 1, 4)."""
    ranks: list[int] = []
    for i, hit in enumerate(hits):
        if i and tie_key(hit) == tie_key(hits[i - 1]):
            ranks.append(ranks[-1])
        else:
            ranks.append(i + 1)
    return ranks
