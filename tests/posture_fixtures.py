"""The built-in atlas and its posture model, loaded once per test process.

Both posture test modules pose the shipped meshes; sharing one cached load keeps the suite from
reading and binding the atlas twice.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from viewer.domain.posture import PostureModel

MESHES = Path(__file__).resolve().parents[1] / "meshes"


@cache
def loaded() -> Any:
    """The built-in atlas as the app loads it."""
    from viewer.io.atlas_loader import load_atlas

    return load_atlas(MESHES)


@cache
def model() -> PostureModel:
    """The posture model bound to the built-in atlas."""
    from viewer.io.posture import posture_model

    return posture_model(loaded())
