"""Command line: ``trigger-atlas`` opens the window; sub-commands work headless.

Sub-commands are a table (name -> (help, add_arguments, run)), so later features (``validate``,
``refer``, ``export-lesson``) plug in without touching the dispatcher.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from viewer import __version__
from viewer.commands import export_3d, import_meshes, lessons, pairs, posture, refer, validate
from viewer.domain.bodies import BODY_IDS, NEUTRAL
from viewer.domain.camera import DEFAULT_VIEW, view_names

if TYPE_CHECKING:
    from viewer.features import Features


@dataclass(frozen=True)
class Command:
    """One sub-command: its help line, how it declares arguments, and what it runs."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``WIDTHxHEIGHT`` (e.g. ``1920x1080``) into integers, with a readable error."""
    try:
        w_text, h_text = text.lower().split("x")
        w, h = int(w_text), int(h_text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"size {text!r} is not WIDTHxHEIGHT, e.g. 1920x1080"
        ) from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {text!r}: each side must be 16 to 8192 pixels")
    return w, h


def _add_render_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", required=True, type=Path, help="PNG file to write")
    parser.add_argument(
        "--view",
        default=None,
        choices=view_names(),
        help=f"camera preset (default: {DEFAULT_VIEW}, or the pair view's own camera)",
    )
    parser.add_argument("--size", type=parse_size, default=(1600, 1000), help="WxH in pixels")
    parser.add_argument("--theme", default="light", choices=("light", "dark", "projector"))
    parser.add_argument("--transparent", action="store_true", help="transparent background")
    parser.add_argument("--hide", default="", help="comma-separated structure ids to hide")
    parser.add_argument("--only", default="", help="comma-separated structure ids to show alone")
    parser.add_argument(
        "--skin-opacity",
        type=float,
        default=None,
        help="skin opacity 0..1 (default: atlas default)",
    )
    parser.add_argument("--scene", type=Path, default=None, help="render a saved .tascene file")
    parser.add_argument("--lesson", type=Path, default=None, help="render a lesson step (--step)")
    parser.add_argument("--step", type=int, default=1, help="lesson step number, from 1")
    parser.add_argument("--pair", default="", help="pair view id or key 1-6 (see `pairs`)")
    parser.add_argument("--pair-side", default="right", choices=("right", "left"))
    parser.add_argument(
        "--compare", action="store_true", help="with --pair: muscles left, referral map right"
    )
    parser.add_argument("--muscle", default=None, help="muscle of the left-vs-right pair view")
    parser.add_argument(
        "--trigger-points", default="", help="comma-separated trigger point ids: markers + heat map"
    )
    parser.add_argument(
        "--heat-muscle", default="", help="heat map of all trigger points of this muscle id"
    )
    parser.add_argument("--no-markers", action="store_true", help="hide trigger-point markers")
    parser.add_argument(
        "--body",
        default=None,
        choices=BODY_IDS,
        help="body outline (default: neutral, or the one a --scene/--lesson records); the "
        "bones are one skeleton for all three",
    )
    parser.add_argument("--marker-size", type=int, default=30, help="marker size in pixels")
    parser.add_argument(
        "--frame",
        default="",
        help="comma-separated structure ids for a close-up: they fill most of the picture with "
        "the bone next to them as context, seen along --view or, without it, from where they are "
        "seen best (muscles covering them there are ghosted); they are shown solid",
    )
    parser.add_argument(
        "--labels",
        default=None,
        help="comma-separated structure ids to label, 'auto': the few main structures the "
        "camera sees, one of each left/right pair (an atlas plate's labels), or 'none'. "
        "Default: 'auto' for a plain --view (an atlas plate), none otherwise",
    )
    parser.add_argument(
        "--label-all", action="store_true", help="label what the camera sees (like Shift+T)"
    )
    parser.add_argument(
        "--no-orientation",
        action="store_true",
        help='leave out the orientation words ("Front"/"Back", the body\'s "Right"/"Left") '
        "at the picture's edges (lesson slides never show them)",
    )
    posture.add_pose_arguments(parser)
    parser.add_argument(
        "--tight-side",
        choices=("right", "left"),
        default=None,
        help="stand with this side's iliopsoas tight (balance model; for --pair 5 --muscle "
        "iliopsoas)",
    )
    parser.add_argument(
        "--no-posture-guides",
        action="store_true",
        help="leave out the posture references a posed side view draws (ASIS-PSIS line and "
        "angle, plumb line, lumbar curve and lordosis, standing ghost, chair seat)",
    )
    parser.add_argument(
        "--length-colours",
        action="store_true",
        help="colour muscles by length change against standing (blue shorter, orange longer)",
    )


def _run_render(args: argparse.Namespace) -> int:
    if args.scene is not None or args.lesson is not None:
        return _run_render_document(args)
    from viewer.context import load_context
    from viewer.domain.plate_labels import AUTO_WORD
    from viewer.render.offscreen import render_to_png
    from viewer.render.theme import THEMES

    context = load_context(args.atlas, body=args.body or NEUTRAL)
    for problem in context.loaded.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if not context.loaded.atlas.renderable:
        print(f"error: no atlas to render in {context.loaded.folder}", file=sys.stderr)
        return 1
    if args.body and context.loaded.body != args.body:
        print(f"error: this atlas has no {args.body} body", file=sys.stderr)
        return 2
    state = context.state
    try:
        if args.only:
            state.isolate([s for s in args.only.split(",") if s])
        if args.hide:
            state.set_visible([s for s in args.hide.split(",") if s], False)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    frame = [s for s in args.frame.split(",") if s]
    unknown = [s for s in frame if s not in state.atlas]
    if unknown:
        print(f"error: --frame: no structure {', '.join(map(repr, unknown))} in this atlas",
              file=sys.stderr)
        return 2
    if frame:
        # The subject of a close-up is shown, and solid: a ghost (the rectus abdominis starts
        # as one so that it does not hide the psoas) would be a pale smear filling the picture.
        state.set_visible(frame, True)
        state.set_opacity(frame, 1.0)
    if args.compare and not args.pair:
        print("error: --compare needs --pair", file=sys.stderr)
        return 2
    features = None
    if args.pair or args.trigger_points or args.heat_muscle or not args.no_markers:
        from viewer.features import load_features

        features = load_features(context)
        for problem in features.problems:
            print(f"warning: {problem}", file=sys.stderr)
        try:
            _apply_feature_arguments(args, features)
        except KeyError as exc:
            print(f"error: {exc.args[0]}", file=sys.stderr)
            return 2
    try:
        pose = posture.pose_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.tight_side is not None and state.tight_pose_source is not None:
        pose = state.tight_pose_source(args.tight_side)
    state.set_pose(pose)
    if args.length_colours:
        from viewer.io.posture import shared_posture_model
        from viewer.state.posture import apply_length_colours

        apply_length_colours(state, shared_posture_model(context.loaded).lengths(pose))
    if args.skin_opacity is not None:
        skins = [s.id for s in context.loaded.atlas.renderable if s.kind.value == "skin"]
        if skins:
            state.set_opacity(skins, args.skin_opacity)
    label_words = _label_words(args)
    out = render_to_png(
        context.loaded,
        state,
        args.output,
        size=args.size,
        view=args.view,
        theme=THEMES[args.theme],
        transparent=args.transparent,
        features=features,
        marker_px=args.marker_size,
        compare=args.compare,
        labels=[s for s in label_words if s not in (AUTO_WORD, NO_LABELS)],
        label_all=args.label_all,
        label_auto=AUTO_WORD in label_words,
        lengths_shown=args.length_colours,
        pose_title=posture.pose_given(args) or args.tight_side is not None,
        frame=frame,
        posture_view=posture.pose_given(args),
        posture_guides=not args.no_posture_guides,
        orientation=not args.no_orientation,
    )
    print(out)
    return 0


NO_LABELS = "none"


def _label_words(args: argparse.Namespace) -> list[str]:
    """The ``--labels`` words, or the default: a plain named view (``--view superior`` and
    nothing else asked of the picture: no pair, heat map, posture, close-up or labels) is an
    atlas plate, and a lecturer would not project a plate with nothing named on it (the
    unlabelled side and top views of the gallery), so it gets the automatic names. The opening
    view stays as the app opens it; ``--labels none`` leaves any picture unnamed."""
    if args.labels is not None:
        return [s for s in args.labels.split(",") if s]
    plate = (
        args.view is not None
        and not (args.pair or args.heat_muscle or args.compare or args.frame or args.label_all)
        and not posture.pose_given(args)
        and args.tight_side is None
        and not args.length_colours
    )
    from viewer.domain.plate_labels import AUTO_WORD

    return [AUTO_WORD] if plate else []


def _run_render_document(args: argparse.Namespace) -> int:
    """``render --scene FILE`` or ``render --lesson FILE --step N``."""
    from viewer.commands.lessons import render_scene_document

    caption = ""
    if args.scene is not None:
        from viewer.io.scenes import load_scene

        doc, problems = load_scene(args.scene)
        where = str(args.scene)
    else:
        from viewer.io.lessons import load_lesson

        lesson, problems = load_lesson(args.lesson)
        doc = None
        where = f"{args.lesson} step {args.step}"
        if lesson is not None:
            if not 1 <= args.step <= len(lesson.steps):
                print(f"error: {args.lesson} has steps 1 to {len(lesson.steps)}", file=sys.stderr)
                return 2
            step = lesson.steps[args.step - 1]
            doc, caption = step.scene, step.caption
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if doc is None:
        print(f"error: nothing to render from {where}", file=sys.stderr)
        return 1
    if args.body:
        from dataclasses import replace

        doc = replace(doc, body=args.body)
    for problem in render_scene_document(
        doc,
        args.atlas,
        args.output,
        args.size,
        where,
        caption,
        args.theme,
        orientation=args.scene is not None and not args.no_orientation,
    ):
        print(f"warning: {problem}", file=sys.stderr)
    print(args.output)
    return 0


def _apply_feature_arguments(args: argparse.Namespace, features: Features) -> None:
    """Pair view, active trigger points, heat-map muscle and marker visibility from the CLI."""
    triggers = features.triggers
    if args.pair:
        if features.pairs is None:
            raise KeyError("no pair views are available for this atlas")
        if args.pair.isdigit():
            features.pairs.enter_key(int(args.pair), side=args.pair_side)
        else:
            features.pairs.enter(args.pair, side=args.pair_side, muscle=args.muscle)
    wanted = [t for t in args.trigger_points.split(",") if t]
    if (wanted or args.heat_muscle) and triggers is None:
        raise KeyError("no trigger points are available for this atlas (is there a skin?)")
    if triggers is None:
        return
    if args.no_markers:
        triggers.set_markers_visible(list(triggers.muscle_of.values()), False)
    elif wanted or args.heat_muscle or args.pair:
        # Show only the markers that matter for this image.
        shown = {triggers.muscle_of[t] for t in wanted if t in triggers.muscle_of}
        if args.heat_muscle:
            shown.add(args.heat_muscle)
        active = features.pairs.active if features.pairs is not None else None
        if active is not None:
            shown |= set(active.trigger_muscles_a) | set(active.trigger_muscles_b)
        every = set(triggers.muscle_of.values())
        triggers.set_markers_visible(sorted(every - shown), False)
        triggers.set_markers_visible(sorted(shown & every), True)
    if wanted:
        triggers.set_active(wanted)
    if args.heat_muscle:
        triggers.show_muscle(args.heat_muscle)


COMMANDS: tuple[Command, ...] = (
    Command(
        "render",
        "render a view to a PNG without opening a window",
        _add_render_arguments,
        _run_render,
    ),
    Command("validate", validate.HELP, validate.add_arguments, validate.run),
    Command("refer", refer.HELP, refer.add_arguments, refer.run),
    Command("pairs", pairs.HELP, pairs.add_arguments, pairs.run),
    Command("export-lesson", lessons.HELP, lessons.add_arguments, lessons.run),
    Command("import", import_meshes.HELP, import_meshes.add_arguments, import_meshes.run),
    Command("export-3d", export_3d.HELP, export_3d.add_arguments, export_3d.run),
    Command("pose-report", posture.HELP, posture.add_arguments, posture.run),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="trigger-atlas",
        description="Trigger Atlas: 3D atlas of the low back, pelvis and hip with trigger points.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--atlas", type=Path, default=None, help="atlas folder (default: built-in)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print warnings")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        sp = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``trigger-atlas`` and ``python -m viewer``."""
    from viewer.logsetup import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(verbose=args.verbose)
    if args.command is None:
        from viewer.app import run_gui

        return run_gui(args.atlas)
    for command in COMMANDS:
        if command.name == args.command:
            return _run_reporting_errors(command, args)
    parser.error(f"unknown command {args.command!r}")
    return 2


def _run_reporting_errors(command: Command, args: argparse.Namespace) -> int:
    """Run a sub-command; an unexpected error becomes one line on stderr plus the log entry."""
    import logging

    from viewer.logsetup import log_file

    try:
        return command.run(args)
    except Exception as exc:  # last resort: the user gets one line, the log the traceback
        logging.getLogger("viewer").exception("%s failed", command.name)
        print(f"error: {command.name} failed: {exc} (details: {log_file()})", file=sys.stderr)
        return 1
