"""``trigger-atlas refer --at X Y Z``: which trigger points could refer pain to these spots?

Prints the ranked trigger points and muscles (essential zones outrank spillover; more spots
covered ranks higher), each with a one-line reason, its confidence and sources, always with the
medical disclaimer. ``--json`` prints the same as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

HELP = "where does it hurt? rank trigger points whose referral zones cover skin points"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``--at``, ``--landmark``, ``--side``, ``--json``, ``--limit``, ``--annotations``."""
    parser.add_argument(
        "--at",
        nargs=3,
        type=float,
        action="append",
        default=[],
        metavar=("X", "Y", "Z"),
        help="a skin point in atlas mm (LPS: +x left, +y back, +z up); repeat for several",
    )
    parser.add_argument(
        "--landmark",
        action="append",
        default=[],
        metavar="ID",
        help="a named skin landmark instead of coordinates (e.g. sacroiliac_region_right); "
        "repeat for several; an unknown id lists them all",
    )
    parser.add_argument(
        "--side", choices=("left", "right"), default=None, help="only trigger points of this side"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--limit", type=int, default=10, help="entries per list (default 10)")
    parser.add_argument("--annotations", default=None, help="annotation folder (default: built-in)")


def report_to_dict(report: Any, model: Any, limit: int | None = None) -> dict[str, Any]:
    """JSON-ready form of a :class:`~viewer.heatmap.model.ReferralReport`."""
    from viewer.domain.referral import shared_ranks
    from viewer.heatmap.model import flag_texts

    def hit(h: Any, rank: int) -> dict[str, Any]:
        return {
            "rank": rank,
            "kind": h.kind,
            "id": h.id,
            "name": h.name,
            "muscle": h.muscle,
            "side": h.side.value,
            "score": round(h.coverage.score, 4),
            "depth": round(h.coverage.depth, 3),
            "spots": [lv.name.lower() for lv in h.coverage.levels],
            "zones": list(h.coverage.zones),
            "reason": h.reason,
            "confidence": h.confidence.value,
            "position_confidence": (
                h.position_confidence.value if h.position_confidence is not None else None
            ),
            "caveats": list(flag_texts(h.flags)),
            "sources": [
                {"key": k, "reference": model.sources[k].reference}
                for k in h.sources
                if k in model.sources
            ],
        }

    def ranked(hits: Any) -> list[dict[str, Any]]:
        """Ties share a rank (1, 1, 1, 4): the order among them is not a likelihood."""
        return [hit(h, r) for h, r in zip(hits, shared_ranks(hits), strict=True)]

    return {
        "disclaimer": report.disclaimer,
        "spots": [
            {
                "query": list(s.query),
                "skin_vertex": s.vertex,
                "on_skin": list(s.on_skin),
                "distance_mm": round(s.distance_mm, 2),
            }
            for s in report.spots
        ],
        "trigger_points": ranked(report.trigger_points[:limit]),
        "muscles": ranked(report.muscles[:limit]),
    }


def format_report(data: dict[str, Any]) -> str:
    """Plain-text form of :func:`report_to_dict` output."""
    lines = [data["disclaimer"], ""]
    for i, s in enumerate(data["spots"], 1):
        note = f" (matched to skin {s['distance_mm']:.0f} mm away)" if s["distance_mm"] > 5 else ""
        q = ", ".join(f"{v:.0f}" for v in s["query"])
        lines.append(f"Spot {i}: ({q}) mm{note}")
    for title, key in (("Muscles", "muscles"), ("Trigger points", "trigger_points")):
        lines += ["", f"{title} (most likely first):"]
        if not data[key]:
            lines.append("  none of the built-in referral zones cover these spots")
        for rank, h in enumerate(data[key], 1):
            rank = h.get("rank", rank)
            cites = ", ".join(s["key"] for s in h["sources"])
            grade = f"confidence {h['confidence']}"
            if h.get("position_confidence"):
                grade += f", spot position {h['position_confidence']}"
            lines.append(f"  {rank}. {h['name']}: {h['reason']} [{grade}; {cites}]")
            for caveat in h["caveats"]:
                lines.append(f"       caveat: {caveat}")
    keys = {
        s["key"]: s["reference"]
        for k in ("muscles", "trigger_points")
        for h in data[k]
        for s in h["sources"]
    }
    if keys:
        lines += ["", "Sources:"]
        lines += [f"  {k}: {ref}" for k, ref in sorted(keys.items(), key=lambda kv: _skey(kv[0]))]
    lines += ["", data["disclaimer"]]
    return "\n".join(lines)


def _skey(key: str) -> tuple[int, str]:
    digits = "".join(c for c in key[1:] if c.isdigit())
    return (int(digits or 0), key)


def run(args: argparse.Namespace) -> int:
    """Load the atlas and model, rank, print; 1 when there is no skin or no model."""
    from pathlib import Path

    from viewer.domain.structures import Side
    from viewer.heatmap.model import build_referral_model
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.resources import builtin_meshes_dir

    loaded = load_atlas(getattr(args, "atlas", None) or builtin_meshes_dir(), with_light=False)

    def progress(fraction: float, message: str) -> None:
        if getattr(args, "verbose", False):
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    annotations = Path(args.annotations) if args.annotations else None
    model, problems = build_referral_model(loaded, annotations, progress=progress)
    if getattr(args, "verbose", False):
        for p in problems:
            print(f"{p.severity}: {p}", file=sys.stderr)
    if model is None:
        print(
            f"error: the atlas in {loaded.folder} has no skin to place referral zones on",
            file=sys.stderr,
        )
        from viewer.domain.referral import DISCLAIMER  # here: the window's start-up skips it

        print(DISCLAIMER, file=sys.stderr)
        return 1
    points = [list(p) for p in args.at]
    for name in args.landmark:
        if name not in model.skin_landmarks:
            known = ", ".join(sorted(model.skin_landmarks))
            print(f"error: unknown skin landmark {name!r}; known: {known}", file=sys.stderr)
            return 2
        points.append([float(v) for v in model.skin_landmarks[name].centre])
    if not points:
        print("error: give at least one --at X Y Z or --landmark ID", file=sys.stderr)
        return 2
    side = Side(args.side) if args.side else None
    report = model.refer(points, side=side)
    data = report_to_dict(report, model, args.limit)
    print(json.dumps(data, indent=2) if args.json else format_report(data))
    return 0
