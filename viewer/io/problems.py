"""Problems found while loading user or atlas files.

Every problem names the file, the place in it and what is wrong, so that a person can fix it
without a traceback; loaders collect problems and carry on with what is valid.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: ``file: place: message``."""

    file: str
    place: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{where}: {self.message}"


def summarize(problems: list[Problem], limit: int = 8) -> str:
    """A short multi-line summary for a dialog or status message (the log has the full list)."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more (see the log file)")
    return "\n".join(lines)
