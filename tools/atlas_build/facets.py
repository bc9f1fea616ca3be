"""Close the facet joints of the re-seated lumbar column.

The column is stacked body on body (spine.py): each vertebra's inferior endplate sits a disc
height above the one below. The generic myo-sim arches, once resized to published body size,
do not reach their neighbours there: the inferior articular process of one vertebra ends 4-15
mm short of the superior articular process of the next, so the arches float apart (issue 11
review: "gaps between the vertebral arches"). In a real spine the two processes form a
synovial joint, their cartilage-covered facets about 1-2 mm apart.

Each facet joint is closed by a smooth local deformation of the arches only: per side, the
nearest pair of points between the lower part of the upper vertebra's arch and the upper part
of the lower one is found (the two sides averaged and mirrored, so the column stays exactly
bilateral: the muscles are built on the right and mirrored), and both processes are drawn
toward each other (half each; the sacrum's superior articular processes, which are low on the
GIAS3 mean sacrum, take their half too) by a Gaussian displacement field centred on them,
until they are :data:`GAP_MM` apart. On a vertebra the field is faded out in front of the
posterior wall of its body, so bodies, endplates and discs do not move; on the sacrum the
field is narrow (:data:`SIGMA_MM`) and centred on the process, 15-20 mm behind the S1
endplate. Sites of a moved bone follow the same field, so muscle attachments on the arch move
with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from tools.atlas_build.spine import vertebra_frame

LOG = logging.getLogger("build_atlas.facets")

#: joint space left between the two facets (mm): articular cartilage ~1 mm on each side
GAP_MM = 1.5
#: smallest width (SD, mm) of the displacement field; wider for longer moves
SIGMA_MM = 7.0
#: deepest the closed processes may enter each other (mm)
MAX_OVERLAP_MM = 1.5
#: the arch regions searched: lateral distance from the midline (mm)
LATERAL = (5.0, 30.0)
#: upper and lower neighbours, caudal pair last (bone ids)
PAIRS = (
    ("vertebra_t12", "vertebra_l1"),
    ("vertebra_l1", "vertebra_l2"),
    ("vertebra_l2", "vertebra_l3"),
    ("vertebra_l3", "vertebra_l4"),
    ("vertebra_l4", "vertebra_l5"),
    ("vertebra_l5", "sacrum"),
)
#: myo-sim body whose sites each deformed bone carries
SITE_BODY = {
    "vertebra_t12": "torso",
    "vertebra_l1": "lumbar1",
    "vertebra_l2": "lumbar2",
    "vertebra_l3": "lumbar3",
    "vertebra_l4": "lumbar4",
    "vertebra_l5": "lumbar5",
    "sacrum": "sacrum",
}


@dataclass(frozen=True)
class ArchFrame:
    """Where a vertebra's arch begins: body centre, cranial and posterior axes, back wall."""

    centre: np.ndarray
    up: np.ndarray
    post: np.ndarray
    back: float

    def behind(self, points: np.ndarray) -> np.ndarray:
        """0 in front of the body's posterior wall, rising to 1 over 6 mm behind it."""
        a = (np.asarray(points) - self.centre) @ self.post - self.back
        t = np.clip(a / 6.0, 0.0, 1.0)
        return np.asarray(t * t * (3.0 - 2.0 * t))


def arch_frame(mesh: trimesh.Trimesh) -> ArchFrame:
    """Arch frame of a vertebra mesh (its body's frame and posterior wall)."""
    from tools.atlas_build.vertebra_size import measure

    fr = vertebra_frame(mesh)
    post = np.cross(fr.up, [1.0, 0.0, 0.0])
    post = post / np.linalg.norm(post)
    if post[1] < 0:
        post = -post
    return ArchFrame(fr.centre, fr.up, post, measure(mesh).body_back)


@dataclass(frozen=True)
class FacetGap:
    """Nearest approach of two neighbouring arches on one side (mm, points in atlas frame)."""

    upper: str
    lower: str
    side: int  # +1 left (+x), -1 right
    gap: float
    p_upper: np.ndarray
    p_lower: np.ndarray


def _region(
    mesh: trimesh.Trimesh, frame: ArchFrame | None, side: int, lower_half: bool
) -> np.ndarray:
    """Indices of the arch vertices on one side, in the half of the bone facing the joint."""
    v = np.asarray(mesh.vertices)
    sel = (side * v[:, 0] > LATERAL[0]) & (side * v[:, 0] < LATERAL[1])
    if frame is not None:
        sel &= frame.behind(v) > 0.99
        h = (v - frame.centre) @ frame.up
        sel &= (h < 0.0) if lower_half else (h > 0.0)
    return np.flatnonzero(sel)


def facet_gaps(bones: dict[str, trimesh.Trimesh]) -> list[FacetGap]:
    """Nearest approach of the arches at every facet joint T12-L1 ... L5-S1, per side.

    The arches are the vertices behind the body's posterior wall, 5-30 mm from the midline
    (the spinous process and the tips of the transverse processes are left out), in the half
    of each bone facing the joint; for the sacrum (no vertebral body frame) every vertex in
    that lateral band within 40 mm of the upper vertebra's arch.
    """
    out: list[FacetGap] = []
    for upper, lower in PAIRS:
        if upper not in bones or lower not in bones:
            continue
        fu = arch_frame(bones[upper])
        fl = arch_frame(bones[lower]) if lower != "sacrum" else None
        vu = np.asarray(bones[upper].vertices)
        vl = np.asarray(bones[lower].vertices)
        for side in (1, -1):
            iu = _region(bones[upper], fu, side, lower_half=True)
            il = _region(bones[lower], fl, side, lower_half=False)
            if fl is None:
                near = cKDTree(vu[iu]).query(vl[il])[0] < 40.0
                il = il[near]
            if len(iu) == 0 or len(il) == 0:
                continue
            d, j = cKDTree(vl[il]).query(vu[iu])
            k = int(np.argmin(d))
            out.append(FacetGap(upper, lower, side, float(d[k]), vu[iu[k]], vl[il[j[k]]]))
    return out


@dataclass(frozen=True)
class Bump:
    """A Gaussian displacement: points near ``centre`` move by up to ``shift``."""

    centre: np.ndarray
    shift: np.ndarray
    sigma: float

    def at(self, points: np.ndarray) -> np.ndarray:
        d2 = np.sum((np.asarray(points) - self.centre) ** 2, axis=1)
        return np.exp(-0.5 * d2 / self.sigma**2)[:, None] * self.shift[None, :]


def _displace(points: np.ndarray, frame: ArchFrame | None, bumps: list[Bump]) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if not bumps:
        return p
    field = sum(b.at(p) for b in bumps)
    gate = np.ones(len(p)) if frame is None else frame.behind(p)
    return np.asarray(p + gate[:, None] * field)


def _overlap(upper: trimesh.Trimesh, lower: trimesh.Trimesh) -> float:
    """Deepest point of ``upper`` inside ``lower`` (mm; 0 when apart)."""
    import pyvista as pv

    cloud = pv.PolyData(np.asarray(upper.vertices))
    surf = pv.PolyData(
        np.asarray(lower.vertices),
        np.c_[np.full(len(lower.faces), 3), np.asarray(lower.faces)].ravel(),
    )
    d = np.asarray(cloud.compute_implicit_distance(surf)["implicit_distance"])
    return float(max(0.0, -d.min()))


def close_facets(
    bones: dict[str, trimesh.Trimesh],
    sites: dict[str, np.ndarray],
    site_root: dict[str, str],
    rounds: int = 6,
    fixed: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """Deform the arches in place so that each facet joint closes to ``GAP_MM``.

    ``sites``/``site_root``: atlas sites and the myo-sim body each is carried by; sites of a
    deformed vertebra move with its arch. Bones in ``fixed`` are not moved: their neighbour
    takes the whole move (the build closes the joints again after opening the canals, with
    the sacrum held where the first closure put it). Returns the largest remaining gap and
    overlap per joint (``"l4_l5"`` style keys; for the log and the tests' expectations).
    """
    frames: dict[str, ArchFrame | None] = {
        b: (arch_frame(bones[b]) if b != "sacrum" else None) for b in SITE_BODY if b in bones
    }
    mirror = np.array([-1.0, 1.0, 1.0])
    for _ in range(rounds):
        by_joint: dict[tuple[str, str], list[FacetGap]] = {}
        for g in facet_gaps(bones):
            by_joint.setdefault((g.upper, g.lower), []).append(g)
        bumps: dict[str, list[Bump]] = {b: [] for b in frames}
        for (upper, lower), pair in by_joint.items():
            # One move for both sides, mirrored: the muscles are built on the right side and
            # mirrored (muscles.py), so the vertebrae must stay bilaterally symmetric even
            # where the two sides of the CT sacrum differ a little.
            sides = [
                (g.p_upper, g.p_lower) if g.side > 0 else (g.p_upper * mirror, g.p_lower * mirror)
                for g in pair
            ]
            p_up = np.mean([a for a, _ in sides], axis=0)
            p_lo = np.mean([b for _, b in sides], axis=0)
            gap = float(np.linalg.norm(p_lo - p_up))
            if gap <= GAP_MM + 0.25:
                continue
            move = (p_lo - p_up) * (gap - GAP_MM) / gap
            sigma = max(SIGMA_MM, 0.8 * float(np.linalg.norm(move)))
            if lower == "sacrum":
                sigma = SIGMA_MM
            share_up = 0.0 if upper in fixed else (1.0 if lower in fixed else 0.5)
            share_lo = 0.0 if lower in fixed else 1.0 - share_up
            for m in (np.ones(3), mirror):
                if share_up:
                    bumps[upper].append(Bump(p_up * m, share_up * move * m, sigma))
                if share_lo:
                    bumps[lower].append(Bump(p_lo * m, -share_lo * move * m, sigma))
        if not any(bumps.values()):
            break
        for bone, bs in bumps.items():
            if not bs:
                continue
            mesh = bones[bone]
            mesh.vertices = _displace(mesh.vertices, frames[bone], bs)
            body = SITE_BODY[bone]
            for name in sorted(sites):
                if site_root.get(name) == body:
                    sites[name] = _displace(sites[name][None, :], frames[bone], bs)[0]
    report: dict[str, float] = {}
    for g in facet_gaps(bones):
        key = f"{g.upper.split('_')[1]}_{g.lower.split('_')[-1]}".replace("sacrum", "s1")
        report[f"gap_{key}"] = max(report.get(f"gap_{key}", 0.0), g.gap)
    for upper, lower in PAIRS:
        if upper in bones and lower in bones:
            key = f"{upper.split('_')[1]}_{lower.split('_')[-1]}".replace("sacrum", "s1")
            report[f"overlap_{key}"] = _overlap(bones[upper], bones[lower])
    LOG.info("facet joints: %s", {k: round(v, 1) for k, v in report.items()})
    return report
