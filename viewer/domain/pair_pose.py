"""A pair view's arrows in the current posture: lines, pulls, joints and turnings carried along.

A pair view is resolved once on the standing atlas (:func:`viewer.domain.pairviews.resolve_pair`).
When the body is posed (one side's iliopsoas tight, a sitting preset) the muscles and bones move,
and arrows left where standing put them point at empty space. Here every line of action is
carried with its muscle, every joint with its bones, and the resultant pulls and turnings are
computed again from the carried lines, so arrow, arc and joint dot sit on the posed body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from viewer.domain.pairviews import ResolvedPairView, joint_turnings, resultant_pulls
from viewer.domain.structures import Atlas

LineCarrier = Callable[[str, NDArray[np.float64]], NDArray[np.float64]]
"""Moves (k, 3) points of a muscle (its id) to where the posture puts them."""

JointCarrier = Callable[[NDArray[np.float64]], NDArray[np.float64]]
"""Moves (k, 3) points on the skeleton (joint centres) to where the posture puts them."""


def posed_pair(
    resolved: ResolvedPairView,
    atlas: Atlas,
    carry_line: LineCarrier,
    carry_joint: JointCarrier,
) -> ResolvedPairView:
    """``resolved`` with its lines and joints carried into a pose; pulls and turnings redone.

    The camera and notes stay as they are: the view's framing is computed by the renderer from
    what is drawn.
    """
    lines = tuple(
        replace(r, points=np.asarray(carry_line(r.line.muscle, r.points), dtype=np.float64))
        for r in resolved.lines
    )
    joints = tuple(
        replace(j, point=np.asarray(carry_joint(j.point[None, :])[0], dtype=np.float64))
        for j in resolved.joints
    )
    # A pull drawn where its muscle reaches another bone (psoas at L5) goes with that muscle.
    through = tuple(
        (side, muscle, np.asarray(carry_line(muscle, point[None, :])[0], dtype=np.float64))
        for side, muscle, point in resolved.through
    )
    pulls = resultant_pulls(resolved.pair, atlas, lines, {s: p for s, _m, p in through})
    turnings = joint_turnings(resolved.pair, pulls, joints)
    return replace(
        resolved, lines=lines, joints=joints, pulls=pulls, turnings=turnings, through=through
    )
