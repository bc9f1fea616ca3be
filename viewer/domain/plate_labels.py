"""Which structures a plain atlas plate names (``render --labels auto``): a handful, seen ones.

"Label all" (Shift+T) names up to a dozen structures for someone exploring; a plate projected
in a lecture needs the few main ones, each once. So: only structures the camera really sees
(:func:`viewer.domain.labels.visible_parts` gives the shares; a hidden or ghosted structure
never qualifies), one of each left/right pair (the side seen more; the other side's muscle
looks the same), muscles before bones, the story muscles first, and at most
:data:`AUTO_LABEL_CAP` of them. Pure Python.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from viewer.domain.camera import CameraPose
from viewer.domain.labels import label_priority

AUTO_LABEL_CAP = 6
"""Most labels a plate gets: a handful a reader takes in at a glance beside the picture."""

AUTO_MIN_SHARE = 0.12
"""Share of a structure's surface the camera must see for a plate to name it: a main
structure of the view, not a sliver showing between two others ("label all" takes 6 %)."""

SIDE_TIE = 0.75
"""Both sides of a pair count as seen alike when the lesser share is at least this much of the
greater (the two gluteus maximus from behind)."""

AUTO_WORD = "auto"
"""The ``render --labels`` value asking for these labels."""

LABEL_ROOM = 0.64
"""Share of the picture's width a labelled plate's anatomy may take: the rest holds the two
label columns (names of about a sixth of the width each) beside it, not over it. Seen from
above the lumbar muscles and pelvis fill the width, and the labels covered their outer edges."""

FAR_DEPTH = 0.7
"""A structure whose centre lies beyond this share of the shown anatomy's depth, seen from the
camera, is not named on a plate: it is seen only through or past what lies in front (gluteus
maximus from the front, through the pelvis), and its leader pointed at the groin."""

_SIDES = ("_right", "_left")


def near_enough(depths: Mapping[str, float], far: float = FAR_DEPTH) -> set[str]:
    """The ids whose centre's depth along the line of sight (any unit, larger = farther) lies
    within ``far`` of the range the given structures span: a plate names what lies on the
    camera's side of the body, never a muscle on the far side seen through it."""
    if not depths:
        return set()
    near, deep = min(depths.values()), max(depths.values())
    if deep - near <= 1e-9:
        return set(depths)
    return {s for s, d in depths.items() if (d - near) / (deep - near) <= far}


def pair_key(structure_id: str) -> str:
    """The id without its side (``gluteus_maximus_right`` -> ``gluteus_maximus``): left and
    right of one muscle share a key, so a plate names it once."""
    for side in _SIDES:
        if structure_id.endswith(side):
            return structure_id[: -len(side)]
    return structure_id


def plate_priority(structure_id: str, is_muscle: bool, selected: Collection[str] = ()) -> int:
    """Lower is named first: the selection, the story muscles (:func:`label_priority`), other
    muscles, then bones and everything else (a plate of the muscles names them before the
    bones they lie on)."""
    base = label_priority(structure_id, selected)
    if base < 2:
        return base
    return 2 if is_muscle else 3


def choose_auto_labels(
    shares: Mapping[str, float],
    priorities: Mapping[str, int],
    cap: int = AUTO_LABEL_CAP,
    min_share: float = AUTO_MIN_SHARE,
) -> tuple[str, ...]:
    """The ids a plate names, most important first: seen at least ``min_share``, one per
    left/right pair, at most ``cap``.

    ``shares`` holds the seen share of each candidate (shown, not a ghost); ``priorities``
    their :func:`plate_priority` (missing: 3). Within one priority the structure seen most
    comes first, then by id, so the choice is deterministic. Of a pair, the side seen clearly
    more is named; when both are seen about as well (:data:`SIDE_TIE`: a view from the front
    or back, from above) the pairs take turns, right first, so the labels spread over both
    columns instead of stacking beside one side of the body.
    """
    pairs: dict[str, list[str]] = {}
    for sid, share in shares.items():
        if share >= min_share:
            pairs.setdefault(pair_key(sid), []).append(sid)

    def rank(ids: list[str]) -> tuple[int, float, str]:
        top = max(ids, key=lambda i: (shares[i], i.endswith("_right")))
        return (min(priorities.get(i, 3) for i in ids), -shares[top], pair_key(top))

    ordered = sorted(pairs.values(), key=rank)[: max(0, cap)]
    chosen: list[str] = []
    turn = 0
    for ids in ordered:
        best = max(ids, key=lambda i: (shares[i], i.endswith("_right")))
        others = [i for i in ids if i != best]
        if others and shares[others[0]] >= SIDE_TIE * shares[best]:
            wanted = "_right" if turn % 2 == 0 else "_left"
            best = next((i for i in ids if i.endswith(wanted)), best)
            turn += 1
        chosen.append(best)
    return tuple(chosen)


def room_for_labels(pose: CameraPose, width_share: float, room: float = LABEL_ROOM) -> CameraPose:
    """``pose`` moved back along its line of sight so anatomy spanning ``width_share`` of the
    picture's width (0..1) spans at most ``room`` of it; unchanged when it already does.

    The focal point stays, so the picture shrinks about its centre (in perspective, by the
    ratio of the distances, near enough for a margin).
    """
    if width_share <= room or width_share <= 0.0 or room <= 0.0:
        return pose
    scale = width_share / room
    position = tuple(
        f + (p - f) * scale for p, f in zip(pose.position, pose.focal_point, strict=True)
    )
    return CameraPose(position, pose.focal_point, pose.view_up)  # type: ignore[arg-type]
