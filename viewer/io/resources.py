"""Where the built-in atlas and annotations live, in a checkout and in an installed wheel.

In a checkout (or an editable install) they are the top-level ``meshes/`` and ``annotations/``
folders beside the package; a wheel carries them as ``viewer/_builtin/meshes`` and
``viewer/_builtin/annotations``. ``TRIGGER_ATLAS_MESHES`` overrides the atlas folder.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _builtin(name: str) -> Path:
    bundled = _PACKAGE_DIR / "_builtin" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent / name


def builtin_meshes_dir() -> Path:
    """Folder of the built-in atlas (holds ``manifest.json``)."""
    override = os.environ.get("TRIGGER_ATLAS_MESHES")
    return Path(override) if override else _builtin("meshes")


def builtin_annotations_dir() -> Path:
    """Folder of the built-in annotation data (trigger points, pair views, lessons)."""
    override = os.environ.get("TRIGGER_ATLAS_ANNOTATIONS")
    return Path(override) if override else _builtin("annotations")


def schema_path(name: str) -> Path:
    """Path of a JSON Schema shipped inside the package (``viewer/io/schemas``)."""
    return Path(__file__).resolve().parent / "schemas" / name
