"""Remember documents that passed schema validation, so the next launch skips jsonschema.

Importing jsonschema and validating the built-in manifest and search synonyms took about
0.08 s of CPU before the first frame, on every launch, for files that had not changed. The
verdict depends only on the document, the schema and the code that validates, so a stamp file
named after a hash of all three records "validated, no problems": a later launch that finds its
stamp builds the atlas without validating again (same verdict), and any change to any of the
three gives a different name, so it is validated afresh. Only clean verdicts are stamped:
problems need their messages, and a damaged file is the rare case. A cache that cannot be read
or written just means validating every time.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.util import find_spec
from pathlib import Path
from typing import Any

_CODE = ("manifest.py", "synonyms.py", "reading.py")
"""Sources of the validating code (the schema keywords' number guard lives in reading.py)."""


def cache_dir() -> Path:
    """``TRIGGER_ATLAS_CACHE_DIR`` or the user cache folder, sub-folder ``validated``."""
    from viewer.io.cache_folder import cache_folder

    return cache_folder("validated")


def _jsonschema_release() -> bytes:
    """Where the installed jsonschema lives and when it was installed (an upgrade changes it),
    found without importing it."""
    spec = find_spec("jsonschema")
    if spec is None or spec.origin is None:
        return b"no jsonschema"
    info = os.stat(spec.origin)
    return f"{spec.origin} {info.st_size} {info.st_mtime_ns}".encode()


def stamp_name(kind: str, document: Any, schema: Any) -> str | None:
    """Name of the stamp for ``document`` validated against ``schema``; ``None`` when the
    validating code cannot be read (then nothing is remembered)."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    try:
        parts = [
            kind.encode(),
            json.dumps(document, sort_keys=True, ensure_ascii=False).encode(),
            json.dumps(schema, sort_keys=True, ensure_ascii=False).encode(),
            *((here / name).read_bytes() for name in _CODE),
            _jsonschema_release(),
        ]
    except (OSError, TypeError, ValueError):
        return None
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return f"{kind}-{digest.hexdigest()}"


def known_clean(name: str | None) -> bool:
    """True if the document of this stamp validated without problems before."""
    if name is None:
        return False
    try:
        return (cache_dir() / name).is_file()
    except OSError:
        return False


def remember_clean(name: str | None) -> None:
    """Record that the document of this stamp validated without problems (best effort)."""
    if name is None:
        return
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).touch()
    except OSError:
        pass
