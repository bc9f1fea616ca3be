"""Where the app keeps what it can rebuild: one folder per kind, in the user's cache folder.

``TRIGGER_ATLAS_CACHE_DIR`` moves all of them (tests point it at a temporary folder, so a test
run never reads or writes the user's caches).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder(kind: str) -> Path:
    """``TRIGGER_ATLAS_CACHE_DIR/kind``, else the user cache folder's ``kind`` sub-folder."""
    override = os.environ.get("TRIGGER_ATLAS_CACHE_DIR")
    if override:
        return Path(override) / kind
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("trigger-atlas", appauthor=False)) / kind
