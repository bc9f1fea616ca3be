"""Plain-array copies of mesh files that read clean, so the first frame skips VTK's XML reader.

Reading the ~46 light meshes the first frame draws through ``vtkXMLPolyDataReader`` (base64 and
zlib inline data) and importing ``vtkIOXML`` cost about 0.1 s of CPU on every launch, for files
that had not changed. A mesh read from a file depends only on the file's bytes and the reading
code, so after a clean read its arrays are written, uncompressed, to a cache file named after a
hash of both; a later launch that finds that file reads the arrays directly (a few ms in all).
Any change to the file or to the reading code gives another name, so the file is read afresh;
a file that fails to read is never cached. The cached arrays go through the same plausibility
checks as a fresh read. A cache that cannot be read or written only means reading the ``.vtp``.

Every rebuilt atlas leaves a new set of copies (~5.5 MB) behind, so the folder is bounded: a
copy that is used has its modification time renewed, and after each write the least recently
used copies beyond :data:`MAX_CACHE_BYTES` are deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from viewer.io.meshes import MeshArrays

_MAGIC = b"TAMESH1\n"
_ALIGN = 16
_FIELDS = ("points", "triangles", "normals", "fibre_phase", "tendon")
_code_digest: bytes | None = None

MAX_CACHE_BYTES = 64 * 1024 * 1024
"""Copies kept in all: about eleven atlas versions' first frames (~5.5 MB each)."""


def cache_dir() -> Path:
    """``TRIGGER_ATLAS_CACHE_DIR`` or the user cache folder, sub-folder ``meshes``."""
    from viewer.io.cache_folder import cache_folder

    return cache_folder("meshes")


def _reading_code() -> bytes:
    """Hash of the code that turns a file into arrays (this module and ``meshes.py``)."""
    global _code_digest
    if _code_digest is None:
        here = Path(__file__).resolve().parent
        digest = hashlib.blake2b(digest_size=16)
        for name in ("meshes.py", "mesh_cache.py"):
            digest.update((here / name).read_bytes())
        _code_digest = digest.digest()
    return _code_digest


def cache_name(data: bytes) -> str | None:
    """Cache file name for a mesh file with these bytes; ``None`` if the code cannot be read."""
    try:
        code = _reading_code()
    except OSError:
        return None
    digest = hashlib.blake2b(code, digest_size=20)
    digest.update(data)
    return f"{digest.hexdigest()}.mesh"


def load(name: str | None) -> MeshArrays | None:
    """The arrays cached under ``name``, or ``None`` (not cached, unreadable or malformed)."""
    if name is None:
        return None
    from viewer.io.meshes import MAX_MESH_BYTES, MeshArrays

    try:
        with open(cache_dir() / name, "rb") as fh:
            # Bounded like a mesh file: a copy larger than any mesh we read is not ours.
            raw = bytearray(fh.read(MAX_MESH_BYTES + 1))  # writable, like a fresh read's
    except OSError:
        return None
    if len(raw) > MAX_MESH_BYTES:
        return None
    try:
        if not raw.startswith(_MAGIC):
            return None
        size = int.from_bytes(raw[len(_MAGIC) : len(_MAGIC) + 8], "little")
        start = len(_MAGIC) + 8
        header = json.loads(bytes(raw[start : start + size]))
        arrays: dict[str, np.ndarray | None] = dict.fromkeys(_FIELDS)
        for field, dtype, shape, offset in header:
            if field not in arrays or dtype not in ("float32", "int64"):
                return None
            count = int(np.prod(shape, dtype=np.int64))
            end = offset + count * np.dtype(dtype).itemsize
            if offset < start + size or end > len(raw):
                return None
            arrays[field] = np.frombuffer(raw, dtype=dtype, count=count, offset=offset).reshape(
                shape
            )
        mesh = MeshArrays(**arrays)  # type: ignore[arg-type]
    except (ValueError, TypeError, KeyError):
        return None
    with contextlib.suppress(OSError):
        os.utime(cache_dir() / name)  # used now: the last copy pruning would delete
    return mesh


def store(name: str | None, mesh: MeshArrays) -> None:
    """Write ``mesh`` under ``name`` (best effort; a write that fails leaves nothing behind)."""
    if name is None:
        return
    parts = []
    header = []
    offset = 0
    for field in _FIELDS:
        array = getattr(mesh, field)
        if array is None:
            continue
        data = np.ascontiguousarray(array)
        header.append([field, data.dtype.name, list(data.shape), offset])
        parts.append(data.tobytes())
        offset += -(-len(parts[-1]) // _ALIGN) * _ALIGN
    # Offsets are relative to the data section until the header's own length is known.
    text = json.dumps(header).encode()
    start = len(_MAGIC) + 8 + len(text) + 256  # room for the offsets growing in the text
    start = -(-start // _ALIGN) * _ALIGN
    for entry in header:
        entry[3] += start
    text = json.dumps(header).encode().ljust(start - len(_MAGIC) - 8)
    blob = bytearray(_MAGIC + len(text).to_bytes(8, "little") + text)
    for part in parts:
        blob += part
        blob += bytes(-len(blob) % _ALIGN)
    folder = cache_dir()
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(bytes(blob))
        os.replace(tmp, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return
    prune(keep=name)


def prune(keep: str | None = None, limit: int | None = None) -> None:
    """Delete the least recently used copies until all of them fit in ``limit`` bytes
    (default :data:`MAX_CACHE_BYTES`).

    ``keep`` (the copy just written) is never deleted. Only ``*.mesh`` files are touched, and
    a file that vanishes or cannot be deleted meanwhile (another launch pruning) is skipped.
    """
    copies = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(cache_dir()):
            if entry.name.endswith(".mesh") and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    copies.append((info.st_mtime, entry.name, info.st_size))
    limit = MAX_CACHE_BYTES if limit is None else limit
    total = sum(size for _, _, size in copies)
    for _, name, size in sorted(copies):
        if total <= limit:
            break
        if name == keep:
            continue
        with contextlib.suppress(OSError):
            (cache_dir() / name).unlink()
            total -= size
