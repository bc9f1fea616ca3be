"""Referral patterns (essential and spillover skin zones) and the "where does it hurt?" ranking.

A referral pattern is a list of zones, each a named skin landmark with a class: *essential*
(where the source says the pain usually is) or *spillover* (where it says it sometimes spreads).
Patterns are shared: the three iliopsoas trigger points use one composite map, because no source
separates them.

The ranking works on per-vertex weight arrays computed once per atlas (see
:mod:`viewer.heatmap.fields`), so a query is a few array look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
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


class ZoneClass(int, Enum):
    """Per-vertex class of a heat map: the renderer hatches spillover for greyscale output."""

    NONE = 0
    SPILLOVER = 1
    ESSENTIAL = 2


@dataclass(frozen=True)
class Source:
    """One reference: the key used in citations (``S7``) and the full reference text."""

    key: str
    reference: str


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
    """

    score: float
    levels: tuple[ZoneClass, ...]
    zones: tuple[str, ...]

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


def rank_key(hit: ReferralHit) -> tuple[float, int, int, int, str]:
    """Sort key: higher score, more essential spots, more spots covered, higher confidence, id."""
    c = hit.coverage
    return (-round(c.score, 6), -c.n_essential, -c.n_covered, -hit.confidence.rank, hit.id)
