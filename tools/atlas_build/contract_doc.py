"""Marked blocks the build writes into `docs/ATLAS_CONTRACT.md`.

Several build stages (the pose, the body heights) publish measured numbers in the contract
between their own BEGIN/END marker comments, so a rebuild rewrites just those lines and leaves
the hand-written text alone.
"""

from __future__ import annotations


def replace_marked_block(text: str, begin: str, end: str, block: str) -> str | None:
    """``text`` with the part from ``begin`` to ``end`` replaced by ``block`` (which carries
    its own markers), or None when the markers are not both there (the caller decides where a
    new block goes)."""
    if begin not in text or end not in text:
        return None
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + block + tail
