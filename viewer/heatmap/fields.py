"""Per-vertex referral fields on the skin, their cache, and how they combine.

Expensive part (once per skin and landmark set, cached on disk): the geodesic distance from
every skin landmark. Cheap part (at load): per pattern, the essential and spillover weights
(``max`` over its zones of a smooth falloff of distance). Toggling trigger points takes the
``max`` of a few arrays and smooths that one field on the few thousand vertices it reaches
(a few milliseconds), well under the 20 ms budget.

The cache lives in the user cache folder (``platformdirs``), one ``.npy`` per landmark, named by
a hash of the skin mesh, the landmark's seed vertices, its reach and the method, so an atlas
rebuild or an edited landmark never reuses a stale field. Only ``np.save``/``np.load`` with
``allow_pickle=False`` are used.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from viewer.domain.landmarks import SkinLandmark
from viewer.domain.referral import SPILLOVER_LEVEL, ReferralPattern, ZoneClass
from viewer.heatmap.foldfill import FoldLift
from viewer.heatmap.geodesic import ProgressFn, distance_fields, resolved_method

if TYPE_CHECKING:
    from viewer.heatmap.closing import ZoneCloser
    from viewer.heatmap.outline import ZoneSmoother

log = logging.getLogger(__name__)

CACHE_VERSION = 1
"""Bump when the meaning of cached arrays changes."""

RECENT_MAPS = 16
"""Combined heat maps kept in memory (each about 0.5 MB on the built-in skin)."""

MAX_CACHE_FILES = 600
"""Oldest unused cache files are deleted beyond this many (about 200 kB each)."""


def falloff(distance: NDArray[np.floating], radius: float, width: float) -> NDArray[np.float32]:
    """1 inside ``radius``, a smoothstep down to 0 at ``radius + width`` (``inf`` -> 0)."""
    d = np.asarray(distance, dtype=np.float32)
    x = np.clip((d - radius) / max(width, 1e-6), 0.0, 1.0)
    w = 1.0 - x * x * (3.0 - 2.0 * x)
    return np.asarray(np.where(np.isfinite(d), w, 0.0), dtype=np.float32)


def zone_reach(landmark: SkinLandmark, radius_scale: float = 1.0) -> float:
    """Distance beyond which a zone built on this landmark weighs nothing (mm)."""
    d = landmark.definition
    return d.radius_mm * radius_scale + d.falloff_mm


@dataclass(frozen=True, eq=False)
class HeatField:
    """What the renderer colours, one value per skin vertex.

    Attributes
    ----------
    intensity : (n,) float32 in [0, 1]: 1.0 in essential zones, about 0.45 in spillover zones
    classes : (n,) uint8 :class:`~viewer.domain.referral.ZoneClass` values (0 none, 1 spillover,
        2 essential) so spillover can be hatched or stippled for greyscale projectors
    """

    intensity: NDArray[np.float32]
    classes: NDArray[np.uint8]
    essential: NDArray[np.float32] | None = None
    """Essential-zone weight per vertex (its 0.5 level is the zone's outline), if known."""
    spillover: NDArray[np.float32] | None = None
    """Weight of the whole painted zone per vertex (spillover and the essential zones it
    joins; 0 when the map has no spillover zone), if known. Where it reaches 0.5 and
    ``essential`` does not is spillover."""
    surface: FoldLift | None = None
    """The fold-filled surface the zones were measured on (outlines are drawn on it), if
    known."""

    @classmethod
    def empty(cls, n: int) -> HeatField:
        """No zone anywhere."""
        return cls(np.zeros(n, dtype=np.float32), np.zeros(n, dtype=np.uint8))

    @property
    def is_empty(self) -> bool:
        """True when no vertex is in any zone."""
        return not bool(self.classes.any()) and not bool(self.intensity.any())

    def take(self, index: NDArray[np.int64]) -> HeatField:
        """The field at other points given their nearest vertex (e.g. the light skin)."""
        return HeatField(self.intensity[index], self.classes[index])


_Sparse = tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.float32]]
"""A heat map kept as its non-zero vertices and their essential and whole-zone weights."""


def combine_weights(
    essential: Iterable[NDArray[np.float32]],
    spillover: Iterable[NDArray[np.float32]],
    n: int,
) -> HeatField:
    """Combine zone weights: essential wins over spillover; overlapping zones take the max."""
    e = np.zeros(n, dtype=np.float32)
    s = np.zeros(n, dtype=np.float32)
    for w in essential:
        np.maximum(e, w, out=e)
    for w in spillover:
        np.maximum(s, w, out=s)
    intensity = np.maximum(e, np.float32(SPILLOVER_LEVEL) * s)
    classes = np.zeros(n, dtype=np.uint8)
    classes[s >= 0.5] = ZoneClass.SPILLOVER.value
    classes[e >= 0.5] = ZoneClass.ESSENTIAL.value
    return HeatField(intensity, classes, e, s)


class PatternFields:
    """Essential and spillover weights of every pattern, ready to combine.

    Parameters
    ----------
    n_vertices : number of skin vertices
    patterns : pattern id -> pattern (zones name placed skin landmarks)
    landmarks : placed skin landmarks
    distances : landmark id -> (n,) geodesic distance
    """

    def __init__(
        self,
        n_vertices: int,
        patterns: Mapping[str, ReferralPattern],
        landmarks: Mapping[str, SkinLandmark],
        distances: Mapping[str, NDArray[np.float32]],
        mesh: tuple[NDArray[np.floating], NDArray[np.integer]] | None = None,
        fold_lift: FoldLift | None = None,
    ) -> None:
        self.n = n_vertices
        self.fold_lift = fold_lift
        """Where outlines are drawn: the fold-filled surface the distances were measured on."""
        self.landmarks = dict(landmarks)
        self.distances = dict(distances)
        self.essential: dict[str, NDArray[np.float32]] = {}
        self.spillover: dict[str, NDArray[np.float32]] = {}
        self.zones: dict[str, tuple[tuple[str, float, bool], ...]] = {}
        """Pattern id -> its placed zones: (landmark id, radius scale, essential?)."""
        for pid, pattern in patterns.items():
            self.zones[pid] = tuple(
                (z.landmark, z.radius_scale, z.zone_class is ZoneClass.ESSENTIAL)
                for z in pattern.zones
                if z.landmark in self.landmarks and z.landmark in self.distances
            )
            e = np.zeros(n_vertices, dtype=np.float32)
            s = np.zeros(n_vertices, dtype=np.float32)
            for zone in pattern.zones:
                w = self.zone_weights(zone.landmark, zone.radius_scale)
                if w is None:
                    continue
                target = e if zone.zone_class is ZoneClass.ESSENTIAL else s
                np.maximum(target, w, out=target)
            self.essential[pid] = e
            self.spillover[pid] = s
        self._smoother: ZoneSmoother | None = None
        self._closer: ZoneCloser | None = None
        self._hole_mm = 0.0
        self._regions: dict[str, NDArray[np.int64]] = {}
        self._recent: OrderedDict[frozenset[str], HeatField] = OrderedDict()
        self._painted: dict[frozenset[str], _Sparse] = {}
        """Maps as painted, for "where does it hurt?": non-zero vertices and their weights."""
        if mesh is not None and self.essential:
            self._prepare_smoothing(*mesh)

    def _prepare_smoothing(
        self, points: NDArray[np.floating], triangles: NDArray[np.integer]
    ) -> None:
        """Build the smoothing operator and, per pattern, the vertices smoothing can reach.

        Zones are smoothed when patterns are combined (see :meth:`combine`), not one pattern at a
        time: smoothing each pattern alone left a notch where two patterns' zones meet (the
        quadratus lumborum's flank and buttock zones). Here, once per skin, each pattern's reach
        (its zones plus the smoothing's few rings) is found, so a combination only smooths the
        union of its patterns' reaches.
        """
        from viewer.heatmap.closing import ZoneCloser
        from viewer.heatmap.outline import ZoneSmoother

        self._smoother = ZoneSmoother(points, triangles)
        self._closer = ZoneCloser(points, triangles)
        edges = [
            self.landmarks[lm].definition.radius_mm * scale
            + self.landmarks[lm].definition.falloff_mm / 2.0
            for zones in self.zones.values()
            for lm, scale, _ in zones
        ]
        self._hole_mm = min(edges) if edges else 0.0
        ids = list(self.essential)
        live = np.column_stack(
            [(self.essential[i] > 0) | (self.spillover[i] > 0) for i in ids]
        ).astype(np.float32)
        reached = self._smoother.region(live)
        self._regions = {pid: np.flatnonzero(reached[:, k]) for k, pid in enumerate(ids)}

    def _edge_distance(
        self, ids: list[str], essential_only: bool, idx: NDArray[np.int64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        """Signed distance (mm) on the ``idx`` vertices to the edge of the union of these
        patterns' zones, and the falloff width of the nearest zone; None without such zones.

        A zone's edge is where its weight is 0.5: half its falloff beyond its radius.
        """
        best: NDArray[np.float64] | None = None
        width = np.zeros(len(idx))
        for p in ids:
            for landmark, scale, essential in self.zones.get(p, ()):
                if essential_only and not essential:
                    continue
                d = self.landmarks[landmark].definition
                edge = d.radius_mm * scale + d.falloff_mm / 2.0
                signed = self.distances[landmark][idx].astype(np.float64) - edge
                if best is None:
                    best = signed
                    width[:] = d.falloff_mm
                else:
                    nearer = signed < best
                    best[nearer] = signed[nearer]
                    width[nearer] = d.falloff_mm
        return None if best is None else (best, width)

    def _closed(
        self, ids: list[str], idx: NDArray[np.int64], with_spillover: bool
    ) -> list[NDArray[np.float32] | None]:
        """Weights of the essential zones' union and (``with_spillover``) of all zones' union
        after a chart-scale closing (:mod:`viewer.heatmap.closing`), on the ``idx`` vertices:
        the same falloff as one zone, measured from the closed edge."""
        kinds = [True, False] if with_spillover else [True]
        found = [self._edge_distance(ids, essential_only, idx) for essential_only in kinds]
        present = [f for f in found if f is not None]
        if self._closer is None or not present:
            return [None for _ in kinds]
        reach = max(float(f[1].max()) for f in present) / 2.0
        closed = iter(self._closer.close([f[0] for f in present], idx, reach))
        out: list[NDArray[np.float32] | None] = []
        for f in found:
            if f is None:
                out.append(None)
                continue
            c, w = next(closed), np.maximum(f[1], 1e-6)
            x = np.clip((c + w / 2.0) / w, 0.0, 1.0)
            out.append(np.asarray(1.0 - x * x * (3.0 - 2.0 * x), dtype=np.float32))
        return out

    def _smoothed(self, ids: list[str], e: NDArray[np.float32], s: NDArray[np.float32]) -> tuple[
        NDArray[np.float32], NDArray[np.float32]
    ]:
        """The combined essential and whole-zone weights, closed and smoothed as one field each.

        The whole painted zone (spillover and the essential zones it touches) is closed as one
        region, so where a spillover strip meets an essential zone the outline has no pinch.
        """
        if self._smoother is None or not ids:
            return e, s
        region = np.zeros(self.n, dtype=bool)
        for p in ids:
            region[self._regions[p]] = True
        idx = np.flatnonzero(region)
        spill = bool(s.any())
        closed = self._closed(ids, idx, spill)
        if closed[0] is not None:
            e = e.copy()
            e[idx] = np.maximum(e[idx], closed[0])
        if spill:
            s = np.maximum(s, e)
            if closed[1] is not None:
                s[idx] = np.maximum(s[idx], closed[1])
        smooth = self._smoother(np.column_stack([e, s]), region)
        e, s = np.ascontiguousarray(smooth[:, 0]), np.ascontiguousarray(smooth[:, 1])
        return self._filled(e, idx), (self._filled(s, idx) if spill else s)

    def _filled(self, weights: NDArray[np.float32], idx: NDArray[np.int64]) -> NDArray[np.float32]:
        """Weights with every island of plain skin the zone encloses painted as zone.

        Zones are drawn from a few discs and strips; where two strips run side by side
        (gluteus minimus: its front portion's outer-thigh strip and its back portion's
        back-of-thigh strip, under the lower-buttock disc) they can enclose an island wider
        than the closing fills, which reads on a chart as a spot the pain spares. No source
        describes such an island, and none describes an area narrower than the smallest zone
        the annotations draw: islands that hold no disc of that zone's radius (to its
        outline, :attr:`_hole_mm`) are filled. Larger enclosed areas stay plain.
        """
        if self._closer is None or not self._hole_mm:
            return weights
        from viewer.heatmap.closing import enclosed_holes

        holes = enclosed_holes(weights, self._closer.graph, idx, self._hole_mm)
        if len(holes):
            weights = weights.copy()
            weights[holes] = 1.0
        return weights

    def zone_weights(
        self,
        landmark_id: str,
        radius_scale: float = 1.0,
        index: NDArray[np.int64] | None = None,
    ) -> NDArray[np.float32] | None:
        """Weights of one zone at every vertex (or at ``index`` only); None if not placed."""
        lm = self.landmarks.get(landmark_id)
        d = self.distances.get(landmark_id)
        if lm is None or d is None:
            return None
        if index is not None:
            d = d[index]
        return falloff(d, lm.definition.radius_mm * radius_scale, lm.definition.falloff_mm)

    def reaches(self, pattern_id: str, index: NDArray[np.int64]) -> bool:
        """Whether the painted map of this pattern can be non-zero at any of these vertices
        (they lie in its zones or within the closing and smoothing's reach of them)."""
        region = self._regions.get(pattern_id)
        if region is None:  # no smoothing (no mesh given): the zones' own reach
            e, s = self.essential.get(pattern_id), self.spillover.get(pattern_id)
            if e is None or s is None:
                return False
            return bool((e[index] > 0).any() or (s[index] > 0).any())
        pos = np.minimum(np.searchsorted(region, index), len(region) - 1)
        return bool(len(region)) and bool((region[pos] == index).any())

    def painted_at(
        self, pattern_ids: Iterable[str], index: NDArray[np.int64]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Essential and whole-zone weights of the map of these patterns, as painted (closed,
        smoothed, islands filled: :meth:`combine`), at the ``index`` vertices.

        "Where does it hurt?" scores spots with these, so a spot the map paints is a spot the
        lookup finds. Each map is combined once and kept as its non-zero vertices (a few
        thousand values), so later look-ups are array searches.
        """
        key = frozenset(p for p in pattern_ids if p in self.essential)
        cached = self._painted.get(key)
        if cached is None:
            heat = self._recent.get(key) or self.combine(key, remember=False)
            assert heat.essential is not None and heat.spillover is not None
            nz = np.flatnonzero((heat.essential > 0) | (heat.spillover > 0))
            cached = (nz, heat.essential[nz].copy(), heat.spillover[nz].copy())
            self._painted[key] = cached
        nz, e, s = cached
        idx = np.asarray(index, dtype=np.int64)
        if len(nz) == 0:
            zero = np.zeros(len(idx), dtype=np.float32)
            return zero, zero.copy()
        pos = np.minimum(np.searchsorted(nz, idx), len(nz) - 1)
        hit = nz[pos] == idx
        return (
            np.where(hit, e[pos], 0.0).astype(np.float32),
            np.where(hit, s[pos], 0.0).astype(np.float32),
        )

    def forget_recent(self) -> None:
        """Drop the combined maps kept in memory (benchmarks measure the first showing)."""
        self._recent.clear()

    def combine(self, pattern_ids: Iterable[str], remember: bool = True) -> HeatField:
        """The heat map of several patterns together (unknown ids are ignored).

        The patterns' raw zone weights are combined (``max``), then smoothed as one field, so
        the outline of their union is as smooth as that of one zone. The last few combinations
        are kept (unless ``remember`` is false), so toggling back and forth costs nothing.
        """
        ids = sorted(p for p in dict.fromkeys(pattern_ids) if p in self.essential)
        key = frozenset(ids)
        cached = self._recent.get(key)
        if cached is not None:
            self._recent.move_to_end(key)
            return cached
        e = np.zeros(self.n, dtype=np.float32)
        s = np.zeros(self.n, dtype=np.float32)
        for p in ids:
            np.maximum(e, self.essential[p], out=e)
            np.maximum(s, self.spillover[p], out=s)
        e, s = self._smoothed(ids, e, s)
        heat = combine_weights((e,), (s,), self.n)
        if self.fold_lift is not None:
            heat = replace(heat, surface=self.fold_lift)
        if not remember:
            return heat
        self._recent[key] = heat
        while len(self._recent) > RECENT_MAPS:
            self._recent.popitem(last=False)
        return heat


# -- cache -------------------------------------------------------------------------------------
def default_cache_dir() -> Path:
    """Where distance fields are kept: ``TRIGGER_ATLAS_CACHE_DIR`` or the user cache folder."""
    override = os.environ.get("TRIGGER_ATLAS_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("trigger-atlas", appauthor=False)) / "heatmap"


def mesh_hash(points: NDArray[np.floating], triangles: NDArray[np.integer]) -> str:
    """Content hash of a mesh (changes whenever the skin is rebuilt)."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(points, dtype=np.float32).tobytes())
    h.update(np.ascontiguousarray(triangles, dtype=np.int64).tobytes())
    return h.hexdigest()[:24]


def _field_key(skin_hash: str, seeds: NDArray[np.int64], reach: float, method: str) -> str:
    h = hashlib.sha256()
    h.update(f"v{CACHE_VERSION}|{skin_hash}|{method}|{reach:.3f}|".encode())
    h.update(np.ascontiguousarray(seeds, dtype=np.int64).tobytes())
    return h.hexdigest()[:32]


def cached_distance_fields(
    points: NDArray[np.floating],
    triangles: NDArray[np.integer],
    landmarks: Mapping[str, SkinLandmark],
    reach: Mapping[str, float],
    cache_dir: Path | None = None,
    method: str = "auto",
    progress: ProgressFn | None = None,
    fill_folds: bool = False,
) -> dict[str, NDArray[np.float32]]:
    """Distance fields of all landmarks, from the cache where possible.

    ``cache_dir=None`` uses :func:`default_cache_dir`; a cache that cannot be written is only
    logged (the fields are still returned). With ``fill_folds`` distances are measured on the
    skin with its narrow folds filled (:mod:`viewer.heatmap.foldfill`), the surface referral
    zones are drawn on; the filling is only computed when a field is missing from the cache.
    """
    folder = cache_dir if cache_dir is not None else default_cache_dir()
    method = resolved_method(method)
    skin_hash = mesh_hash(points, triangles)
    if fill_folds:
        from viewer.heatmap.foldfill import FOLD_FILL_VERSION

        skin_hash += f"-folds{FOLD_FILL_VERSION}"
    n = len(points)
    out: dict[str, NDArray[np.float32]] = {}
    missing: dict[str, NDArray[np.int64]] = {}
    keys: dict[str, str] = {}
    for lid, lm in landmarks.items():
        key = _field_key(skin_hash, lm.seeds, reach[lid], method)
        keys[lid] = key
        arr = read_cached(folder / f"{key}.npy", (n,), np.dtype(np.float32))
        if arr is not None:
            out[lid] = arr
            continue
        missing[lid] = lm.seeds
    if missing:
        if fill_folds:
            from viewer.heatmap.foldfill import cached_fold_filled

            if progress is not None:
                progress(0.0, "filling the skin's folds")
            points = cached_fold_filled(points, triangles, folder)
        computed = distance_fields(
            points, triangles, missing, {k: reach[k] for k in missing}, method, progress
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for lid, arr in computed.items():
                write_cached(folder / f"{keys[lid]}.npy", arr)
        except OSError as exc:
            log.warning("could not write the heat-map cache in %s: %s", folder, exc)
        prune_cache(folder)
        out.update(computed)
    elif progress is not None:
        progress(1.0, "distances loaded from the cache")
    return out


def read_cached(path: Path, shape: tuple[int, ...], dtype: np.dtype[Any]) -> NDArray[Any] | None:
    """A cached array if ``path`` holds one of this shape and type (its use is recorded for
    :func:`prune_cache`); ``None`` if it is missing, unreadable (logged) or of another shape."""
    if not path.is_file():
        return None
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable cache file %s: %s", path, exc)
        return None
    if arr.shape != shape or arr.dtype != dtype:
        return None
    _touch(path)
    return np.asarray(arr)


def write_cached(path: Path, arr: NDArray[Any]) -> None:
    """Save ``arr`` to ``path`` atomically (a reader never sees half a file); raises
    ``OSError`` for the caller to log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npy")
    np.save(tmp, arr, allow_pickle=False)
    os.replace(tmp, path)


def _touch(path: Path) -> None:
    """Mark a cache file as used (pruning removes the least recently used first)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune_cache(folder: Path, keep: int = MAX_CACHE_FILES) -> int:
    """Delete the least recently used ``.npy`` files beyond ``keep``; returns how many went.

    Old atlases (every rebuild changes the skin hash) would otherwise pile up forever.
    """
    try:
        files = sorted(folder.glob("*.npy"), key=lambda f: f.stat().st_mtime, reverse=True)
    except OSError:
        return 0
    removed = 0
    for f in files[keep:]:
        try:
            f.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def load_cast_memo(folder: Path, skin_hash: str) -> dict[tuple[float, ...], int]:
    """Remembered skin projections (ray -> skin vertex) for one skin, or ``{}``."""
    path = folder / f"casts-v{CACHE_VERSION}-{skin_hash}.npy"
    if not path.is_file():
        return {}
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable cache file %s: %s", path, exc)
        return {}
    if arr.ndim != 2 or arr.shape[1] != 7:
        return {}
    _touch(path)
    return {tuple(float(v) for v in row[:6]): int(row[6]) for row in arr}


def save_cast_memo(folder: Path, skin_hash: str, memo: Mapping[tuple[float, ...], int]) -> None:
    """Store skin projections so the next start skips the ray casting (errors only logged)."""
    rows = np.array([(*k, float(v)) for k, v in memo.items()], dtype=np.float64).reshape(-1, 7)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"casts-{skin_hash}.tmp.npy"
        np.save(tmp, rows, allow_pickle=False)
        os.replace(tmp, folder / f"casts-v{CACHE_VERSION}-{skin_hash}.npy")
    except OSError as exc:
        log.warning("could not write the heat-map cache in %s: %s", folder, exc)
