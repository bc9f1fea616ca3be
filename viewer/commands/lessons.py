"""Headless scenes and lessons: ``render --scene``/``--lesson``, and ``export-lesson`` for slides.

Each image is rendered from a fresh context (scene state and features) so one step's state
cannot leak into the next; the loaded atlas (read-only meshes) is shared between the steps.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.domain.bodies import BODY_IDS, NEUTRAL
from viewer.domain.camera import CameraPose
from viewer.io.problems import Problem

if TYPE_CHECKING:
    from viewer.io.atlas_loader import LoadedAtlas

HELP = "render every step of a lesson to PNG (for slides), with a notes file"


def render_scene_document(
    doc: object,
    atlas_dir: Path | None,
    out: Path,
    size: tuple[int, int],
    file: str,
    caption: str = "",
    theme: str = "light",
    atlases: dict[str, LoadedAtlas] | None = None,
    orientation: bool = False,
) -> list[Problem]:
    """Apply a scene document to a fresh context and render it; returns what could not apply.

    ``atlases`` (body id -> loaded atlas) lets several documents share one loaded atlas per
    body; each still gets a fresh scene state and features. ``orientation`` writes the
    orientation words at the edges (a saved scene, as the window shows it; lesson slides
    leave them out: their caption, keys and labels hold those places)."""
    from viewer.context import context_for, load_context
    from viewer.features import load_features
    from viewer.render.offscreen import render_to_png
    from viewer.render.theme import THEMES
    from viewer.state.scene_io import FramedView, apply_scene, known_labels

    body = getattr(doc, "body", None) or NEUTRAL
    body = body if body in BODY_IDS else NEUTRAL
    if atlases is not None and body in atlases:
        context = context_for(atlases[body])
    else:
        context = load_context(atlas_dir, body=body)
        if atlases is not None:
            atlases[body] = context.loaded
    features = load_features(context)
    target, applied = apply_scene(doc, context.state, features, file=file)  # type: ignore[arg-type]
    problems = [*context.loaded.problems, *features.problems, *applied]
    pose = target if isinstance(target, CameraPose) else None
    view = target if isinstance(target, str) else None
    framed: tuple[str, ...] = ()
    if isinstance(target, FramedView):
        view, framed = target.view, target.frame
    render_to_png(
        context.loaded,
        context.state,
        out,
        size=size,
        view=view,
        pose=pose,
        features=features,
        caption=caption,
        theme=THEMES[theme],
        labels=known_labels(doc, context.state),  # type: ignore[arg-type]
        lengths_shown=bool(getattr(doc, "length_colours", False)),
        frame_view=framed,
        orientation=orientation,
    )
    return problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``export-lesson FILE -o DIR [--size WxH] [--no-captions] [--theme NAME]``."""
    from viewer.cli import parse_size

    parser.add_argument("lesson", type=Path, help="lesson file (.talesson / .json)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--size", type=parse_size, default=(1920, 1080), help="WxH per slide")
    parser.add_argument("--no-captions", action="store_true", help="leave captions off the images")
    parser.add_argument("--theme", default="light", choices=("light", "dark", "projector"))


def run(args: argparse.Namespace) -> int:
    """Write ``step_01.png`` … and ``notes.md`` (titles, presenter notes, sources)."""
    from viewer.io.lessons import load_lesson

    lesson, problems = load_lesson(args.lesson)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    if lesson is None:
        print(f"error: {args.lesson} could not be read as a lesson", file=sys.stderr)
        return 1
    if not lesson.steps:
        print(f"error: {args.lesson}: the lesson has no steps to export", file=sys.stderr)
        return 1
    args.output.mkdir(parents=True, exist_ok=True)
    seen: set[Problem] = set(problems)
    atlases: dict[str, LoadedAtlas] = {}  # read once per body, shared by the steps
    notes = [f"# {lesson.title}", "", lesson.description, ""]
    for number, step in enumerate(lesson.steps, start=1):
        out = args.output / f"step_{number:02d}.png"
        caption = "" if args.no_captions else step.caption
        for p in render_scene_document(
            step.scene,
            args.atlas,
            out,
            args.size,
            f"{args.lesson} step {number}",
            caption,
            args.theme,
            atlases,
        ):
            if p not in seen:
                seen.add(p)
                print(f"warning: {p}", file=sys.stderr)
        notes += [f"## {number}. {step.title}", "", f"![]({out.name})", "", step.notes, ""]
        print(out)
    from viewer.domain.referral import DISCLAIMER  # here: the window's start-up skips it

    notes += ["---", "", DISCLAIMER, ""]
    (args.output / "notes.md").write_text("\n".join(notes), encoding="utf-8")
    print(args.output / "notes.md")
    return 0
