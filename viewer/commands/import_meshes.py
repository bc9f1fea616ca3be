"""``trigger-atlas import PATH… -o ATLAS_DIR``: bring your own meshes into a user atlas.

Reads the files and folders given, recognises each structure (FMA ID, then English/Latin name),
registers the import onto the atlas pelvis, prints the report (what was recognised, the residual,
what was dropped and why) and saves a user atlas folder to open with ``--atlas ATLAS_DIR``.
Exit code 0 when something was imported, 1 when nothing could be.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "import meshes (BodyParts3D, Slicer, glTF…) by FMA ID or name into a user atlas folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the paths, ``-o``, ``--frame``, ``--beside``, ``--licence``, ``--name``."""
    parser.add_argument("paths", nargs="+", type=Path, help="mesh files and/or folders")
    parser.add_argument("-o", "--output", type=Path, required=True, help="user atlas folder")
    parser.add_argument(
        "--frame",
        choices=("auto", "LPS", "RAS", "Y-up"),
        default="auto",
        help="axis convention of the files (default: found from the pelvis)",
    )
    parser.add_argument(
        "--beside",
        default="",
        help="comma-separated structure ids to add beside the built-in ones instead of "
        "replacing them, or 'all'",
    )
    parser.add_argument(
        "--licence", default="", help="licence of files that state none (e.g. CC-BY-4.0)"
    )
    parser.add_argument("--name", default="Imported meshes", help="name of the data set")
    parser.add_argument("--force", action="store_true", help="replace an existing output folder")


def _ask_licence(args: argparse.Namespace, unknown: list[str]) -> str:
    if args.licence or not unknown:
        return str(args.licence)
    print(f"{len(unknown)} file(s) state no licence: {', '.join(unknown[:5])}", file=sys.stderr)
    if sys.stdin.isatty():
        answer = input("Licence of these files (e.g. CC-BY-4.0; empty = unknown): ").strip()
        return answer
    print("warning: recorded as 'unknown'; pass --licence to state it", file=sys.stderr)
    return ""


def _show_progress(done: int, total: int, what: str) -> bool:
    """One updating line on a terminal: a BodyParts3D folder has hundreds of files."""
    print(f"\r[{done + 1}/{total}] {what[:60]:<60}", end="", file=sys.stderr, flush=True)
    return True


def run(args: argparse.Namespace) -> int:
    """Import, print the report, save the user atlas."""
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.mesh_importer import import_meshes
    from viewer.io.resources import builtin_meshes_dir
    from viewer.io.synonyms import load_synonyms
    from viewer.io.user_atlas import SaveOptions, save_user_atlas

    base = load_atlas(args.atlas or builtin_meshes_dir())
    if not base.atlas.renderable:
        print(f"error: no atlas to import into at {base.folder}", file=sys.stderr)
        return 1
    synonyms, _ = load_synonyms(base.atlas)
    frame = None if args.frame == "auto" else args.frame
    progress = _show_progress if sys.stderr.isatty() else None
    result = import_meshes(args.paths, base, synonyms, frame=frame, progress=progress)
    if progress is not None:
        print(file=sys.stderr)
    for line in result.summary_lines():
        print(line)
    if not result.structures:
        print("error: nothing could be imported", file=sys.stderr)
        return 1
    beside = {s.strip() for s in args.beside.split(",") if s.strip()}
    if "all" in beside:
        beside = {s.structure_id for s in result.structures}
    unknown_ids = beside - {s.structure_id for s in result.structures}
    if unknown_ids:
        print(f"error: --beside names ids not imported: {sorted(unknown_ids)}", file=sys.stderr)
        return 2
    modes = {
        s.structure_id: ("beside" if s.structure_id in beside else "replace")
        for s in result.structures
    }
    unknown = [f.name for s in result.structures if not s.licence for f in s.files]
    licence = _ask_licence(args, unknown)
    options = SaveOptions(modes, licence, args.name, overwrite=args.force)
    try:
        lines = save_user_atlas(result, base, args.output, options)
    except (OSError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(f"saved {line}")
    print(f"user atlas: {args.output}  (open it with: trigger-atlas --atlas {args.output})")
    return 0
