"""An in-memory synthetic atlas with the contract's structure ids, for pair-view tests.

Muscles are tubes of points between two synthetic landmarks, bones are small point clouds, all
mirror-symmetric (left = right with x negated), so tests can check mirroring exactly and never
depend on the built-in atlas build. Coordinates are made up for the test, in the atlas frame
(LPS mm: +x subject's left, +y posterior, +z superior).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from viewer.domain.structures import Atlas, Attachment, Kind, Side, Structure

LEVELS = ("t12", "l1", "l2", "l3", "l4", "l5")

_MIDLINE: dict[str, tuple[float, float, float]] = {
    "vertebral_body_t12": (0, 20, 300),
    "vertebral_body_l1": (0, 15, 270),
    "vertebral_body_l2": (0, 10, 240),
    "vertebral_body_l3": (0, 8, 210),
    "vertebral_body_l4": (0, 10, 180),
    "vertebral_body_l5": (0, 15, 150),
    "s1_endplate_centre": (0, 25, 125),
    "sacral_promontory": (0, 10, 118),
    "coccyx_tip": (0, 70, 10),
    "pubic_symphysis": (0, -30, -25),
}
_RIGHT: dict[str, tuple[float, float, float]] = {
    "hip_centre_right": (-80, 0, 0),
    "asis_right": (-115, -50, 75),
    "aiis_right": (-105, -35, 60),
    "pubic_tubercle_right": (-25, -55, 0),
    "psis_right": (-40, 80, 95),
    "iliac_crest_top_right": (-80, 20, 155),
    "iliac_tubercle_right": (-115, -5, 140),
    "greater_sciatic_notch_right": (-75, 35, 20),
    "greater_trochanter_right": (-115, 25, 0),
    "lesser_trochanter_right": (-85, 25, -55),
    "ischial_tuberosity_right": (-30, 10, -55),
}
for _lvl, _z in zip(LEVELS, (300, 270, 240, 210, 180, 150), strict=True):
    _RIGHT[f"transverse_process_{_lvl}_right"] = (-35.0, 45.0, float(_z))

# muscle leaf (right side) -> (from landmark, to landmark, tube radius mm, parent)
_MUSCLES: dict[str, tuple[str, str, float, str | None]] = {
    "psoas_major_upper_right": ("vertebral_body_l1", "lesser_trochanter_right", 12, "psoas"),
    "psoas_major_lower_right": ("vertebral_body_l4", "lesser_trochanter_right", 12, "psoas"),
    "iliacus_right": ("iliac_crest_top_right", "lesser_trochanter_right", 15, "iliopsoas"),
    "piriformis_right": ("sacral_promontory", "greater_trochanter_right", 8, None),
    "gluteus_maximus_right": ("psis_right", "greater_trochanter_right", 20, None),
    "gluteus_medius_right": ("iliac_tubercle_right", "greater_trochanter_right", 15, None),
    "gluteus_minimus_right": ("aiis_right", "greater_trochanter_right", 10, None),
    "quadratus_lumborum_right": ("iliac_crest_top_right", "transverse_process_t12_right", 10, None),
    "multifidus_right": ("psis_right", "transverse_process_l1_right", 6, None),
    "rectus_abdominis_right": ("pubic_tubercle_right", "asis_right", 8, None),
}


@dataclass(frozen=True)
class Points:
    """A mesh stand-in: only the vertex positions the pair-view code reads."""

    points: NDArray[np.float32]


def landmarks() -> dict[str, NDArray[np.float64]]:
    """Synthetic bony landmarks, both sides (name -> (3,) position)."""
    out = {k: np.array(v, dtype=np.float64) for k, v in _MIDLINE.items()}
    for name, xyz in _RIGHT.items():
        out[name] = np.array(xyz, dtype=np.float64)
        out[name.replace("_right", "_left")] = np.array((-xyz[0], xyz[1], xyz[2]), dtype=float)
    return out


def _tube(a: NDArray[np.float64], b: NDArray[np.float64], radius: float) -> NDArray[np.float32]:
    t = np.linspace(0.0, 1.0, 40)[:, None]
    axis = b - a
    axis_n = axis / np.linalg.norm(axis)
    helper = np.array([0.0, 0.0, 1.0]) if abs(axis_n[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(axis_n, helper)
    u /= np.linalg.norm(u)
    v = np.cross(axis_n, u)
    angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    ring = radius * (np.cos(angles)[:, None] * u + np.sin(angles)[:, None] * v)
    pts = (a + t * axis)[:, None, :] + ring[None, :, :]
    return pts.reshape(-1, 3).astype(np.float32)


def _blob(center: NDArray[np.float64], radius: float) -> NDArray[np.float32]:
    g = np.linspace(-radius, radius, 5)
    grid = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1).reshape(-1, 3)
    return (center + grid).astype(np.float32)


def _mirror_points(p: NDArray[np.float32]) -> NDArray[np.float32]:
    q = p.copy()
    q[:, 0] = -q[:, 0]
    return q


def build() -> tuple[Atlas, dict[str, NDArray[np.float64]], dict[str, Points]]:
    """(atlas, landmarks, meshes) of a symmetric synthetic atlas with the contract's ids."""
    lm = landmarks()
    structures: list[Structure] = []
    meshes: dict[str, Points] = {}

    def add(
        sid: str, kind: Kind, side: Side, pts: NDArray[np.float32] | None, **kw: object
    ) -> None:
        file = None if pts is None else f"{kind.value}s/{sid}.vtp"
        color = {"bone": "#e8dcc0", "muscle": "#b8423b", "skin": "#e0b89a"}.get(kind.value, "#888")
        structures.append(
            Structure(sid, sid.replace("_", " ").title(), kind, side, file=file, color=color, **kw)
        )
        if pts is not None:
            meshes[sid] = Points(pts)

    for lvl in LEVELS:
        add(f"vertebra_{lvl}", Kind.BONE, Side.MIDLINE, _blob(lm[f"vertebral_body_{lvl}"], 15))
    add("sacrum", Kind.BONE, Side.MIDLINE, _blob(lm["s1_endplate_centre"], 25))
    for side in ("right", "left"):
        s = Side(side)
        sign = 1.0 if side == "right" else -1.0
        hip = lm[f"hip_centre_{side}"]
        add(f"hip_bone_{side}", Kind.BONE, s, _blob(hip + np.array([sign * -10, 0, 60]), 40))
        add(f"femur_{side}", Kind.BONE, s, _blob(lm[f"lesser_trochanter_{side}"], 20))
        # The 12th rib just above and lateral to the T12 transverse process, where quadratus
        # lumborum's upper end meets it (pair 6 draws that muscle's line from the rib).
        rib = lm[f"transverse_process_t12_{side}"] + np.array([sign * -12.0, 0.0, 14.0])
        add(f"rib_12_{side}", Kind.BONE, s, _blob(rib, 8))
        add(f"iliopsoas_{side}", Kind.GROUP, s, None)
        add(f"psoas_major_{side}", Kind.GROUP, s, None, parent=f"iliopsoas_{side}")
        for leaf_right, (start, end, radius, parent) in _MUSCLES.items():
            leaf = leaf_right.replace("_right", f"_{side}")
            a = lm[start.replace("_right", f"_{side}")]
            b = lm[end.replace("_right", f"_{side}")]
            if start.startswith("vertebral_body"):
                a = a + np.array([-25.0 if side == "right" else 25.0, 0.0, 0.0])
            if leaf_right == "piriformis_right":
                a = a + np.array([-20.0 if side == "right" else 20.0, 20.0, -50.0])
            pts = None
            if side == "right" and parent is not None:  # iliopsoas bends over the pubic ramus
                via = 0.5 * (lm["aiis_right"] + lm["pubic_tubercle_right"])
                pts = np.vstack([_tube(a, via, radius), _tube(via, b, radius)])
            elif side == "right":
                pts = _tube(a, b, radius)
            if pts is None:  # left = exact mirror of right
                pts = _mirror_points(meshes[leaf_right].points)
            parent_id = {"psoas": f"psoas_major_{side}", "iliopsoas": f"iliopsoas_{side}"}.get(
                parent or ""
            )
            extra: dict[str, object] = {"parent": parent_id}
            if leaf_right == "rectus_abdominis_right":
                extra["attachments"] = (
                    Attachment(f"hip_bone_{side}", "origin"),
                    Attachment(f"femur_{side}", "insertion"),
                )
            add(leaf, Kind.MUSCLE, s, pts, **extra)
    skin = np.random.default_rng(0).normal(size=(500, 3))
    skin = (skin / np.linalg.norm(skin, axis=1, keepdims=True) * 250).astype(np.float32)
    skin[:, 0] = np.abs(skin[:, 0]) * np.sign(np.arange(500) % 2 - 0.5)
    add("skin", Kind.SKIN, Side.MIDLINE, skin, region="body_surface")
    return Atlas(tuple(structures)), lm, meshes


def load_edited_pair_views(
    tmp: Path, edit: Callable[[dict[str, Any]], None]
) -> tuple[Any, list[str]]:
    """Load the shipped pair views after ``edit`` changed a copy of their JSON (in ``tmp``),
    over the fixture atlas; returns the load result and its problems as "place :: message"."""
    import json

    from viewer.io.pairviews import PAIR_VIEWS_NAME, load_pair_views
    from viewer.io.resources import builtin_annotations_dir

    atlas, lm, _meshes = build()
    data = json.loads((builtin_annotations_dir() / PAIR_VIEWS_NAME).read_text(encoding="utf-8"))
    edit(data)
    path = tmp / PAIR_VIEWS_NAME
    path.write_text(json.dumps(data), encoding="utf-8")
    result = load_pair_views(atlas, lm, path)
    return result, [f"{p.place} :: {p.message}" for p in result.problems]
