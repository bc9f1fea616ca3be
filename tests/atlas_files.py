"""A built atlas folder as the atlas tests read it: manifest entries, landmarks and meshes,
each read once per folder (several test modules measure the same meshes)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import trimesh


@cache
def manifest(meshes: Path) -> dict[str, dict]:
    """Structure id -> its manifest entry."""
    data = json.loads((meshes / "manifest.json").read_text(encoding="utf-8"))
    return {s["id"]: s for s in data["structures"]}


@cache
def landmarks(meshes: Path) -> dict[str, np.ndarray]:
    """Landmark name -> (3,) position."""
    data = json.loads((meshes / "landmarks.json").read_text(encoding="utf-8"))
    return {k: np.asarray(v["xyz"], dtype=np.float64) for k, v in data["landmarks"].items()}


@cache
def mesh(meshes: Path, sid: str) -> trimesh.Trimesh:
    """The full-detail mesh of structure ``sid``."""
    import pyvista as pv

    poly = pv.read(meshes / manifest(meshes)[sid]["file"])
    faces = np.asarray(poly.faces).reshape(-1, 4)[:, 1:]
    return trimesh.Trimesh(np.asarray(poly.points, dtype=np.float64), faces, process=False)
