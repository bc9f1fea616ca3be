"""A balanced fit centres the subject as seen (pair 3 seen from below: the near hip large, the
far psoas small, and a fifth of the slide empty above the subject when the box in space was
centred instead)."""

from __future__ import annotations

import math

import numpy as np

from viewer.domain.framing import fit_pose


def _seen_y(points: np.ndarray, pose: object) -> np.ndarray:
    """Normalised screen heights (frame half-height = 1) of ``points`` for ``pose``."""
    pos = np.asarray(pose.position, dtype=float)  # type: ignore[attr-defined]
    focus = np.asarray(pose.focal_point, dtype=float)  # type: ignore[attr-defined]
    up = np.asarray(pose.view_up, dtype=float)  # type: ignore[attr-defined]
    back = (pos - focus) / np.linalg.norm(pos - focus)
    up = up - (up @ back) * back
    up /= np.linalg.norm(up)
    rel = points - pos
    depth = -(rel @ back)
    return (rel @ up) / (depth * math.tan(math.radians(30.0) / 2))


def test_a_balanced_fit_centres_a_subject_with_depth_as_seen() -> None:
    # A column rising away from a camera below it: its top is far, its foot near.
    t = np.linspace(0.0, 1.0, 50)[:, None]
    points = np.hstack([np.zeros_like(t), np.zeros_like(t), 500.0 * t])
    direction, up = (0.0, -0.6, -0.8), (0.0, -0.8, 0.6)
    plain = _seen_y(points, fit_pose(points, direction, up, 30.0, 1.6))
    even = _seen_y(points, fit_pose(points, direction, up, 30.0, 1.6, balance=True))
    assert abs(plain.max() + plain.min()) > 0.1, "the plain fit leaves the subject off centre"
    assert abs(even.max() + even.min()) < 0.02, (even.min(), even.max())
    assert even.max() - even.min() > plain.max() - plain.min(), "and draws it larger"
    assert max(abs(even.max()), abs(even.min())) <= 0.9 + 1e-6, "inside the fill"
