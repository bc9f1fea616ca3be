"""Logging to a file in the platform's log directory: details for bug reports, not for users."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from platformdirs import user_log_dir

APP_NAME = "trigger-atlas"


def log_file() -> Path:
    """Where the log goes; ``TRIGGER_ATLAS_LOG_DIR`` overrides (tests use a temporary folder)."""
    folder = os.environ.get("TRIGGER_ATLAS_LOG_DIR") or user_log_dir(APP_NAME, appauthor=False)
    return Path(folder) / "trigger-atlas.log"


def setup_logging(verbose: bool = False) -> Path:
    """Send INFO and up to the log file (WARNING to stderr only with ``verbose``)."""
    path = log_file()
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for old in [h for h in root.handlers if getattr(h, "_trigger_atlas", False)]:
        # Re-target when the log folder changed (e.g. another test's temporary folder).
        if getattr(old, "baseFilename", None) != str(path):
            root.removeHandler(old)
            old.close()
    if not any(getattr(h, "_trigger_atlas", False) for h in root.handlers):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._trigger_atlas = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        if verbose:
            console = logging.StreamHandler()
            console.setLevel(logging.WARNING)
            console._trigger_atlas = True  # type: ignore[attr-defined]
            root.addHandler(console)
    return path
