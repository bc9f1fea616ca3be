"""Lesson 3's curved arrows are turnings about the lumbar joints' side-to-side axes (sagittal
plane). Seen from 50 degrees off the side (pair 4's old camera) each ring projected to an
ellipse squashed to 0.63 of its width and read on the slide as an odd C-shape; a lecturer asked
for them where they read. The pair's camera now looks about 20 degrees off a true side view:
the rings are near-round on the slide, and both psoas slips stay in sight."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.gui_helpers import window_rgb
from tests.pair_slides import lesson_pair_slide


def _roundness(screen: np.ndarray) -> float:
    """Minor over major axis of a ring's projected points (1 = a circle seen face on)."""
    centred = screen - screen.mean(axis=0)
    s = np.linalg.svd(centred, compute_uv=False)
    return float(s[1] / s[0])


def test_lesson_3_rings_read_as_turnings_seen_from_nearly_the_side(lesson: Any) -> None:
    step = lesson.steps[2]
    assert step.scene.pair_view is not None and step.scene.pair_view.id == "upper_vs_lower_psoas"
    with lesson_pair_slide(step.scene) as (renderer, overlays):
        camera = renderer.GetActiveCamera()
        look = np.subtract(camera.GetPosition(), camera.GetFocalPoint())
        look /= np.linalg.norm(look)
        # The rings turn about the mediolateral (x) axis: seen along it they are circles.
        off_side = float(np.degrees(np.arccos(min(1.0, abs(look[0])))))
        assert off_side <= 30.0, f"camera {off_side:.0f} degrees off the side"
        rings = overlays.pairs_overlay.turn_paths
        assert set(rings) == {"a", "b"}, set(rings)
        for side, ring in rings.items():
            pts = np.asarray(ring, dtype=np.float64)
            # The ring's plane: its normal is the points' least-spread direction.
            normal = np.linalg.svd(pts - pts.mean(axis=0))[2][-1]
            facing = abs(float(normal @ look))
            # Seen face on (1) a ring is a circle; at the old camera (0.63) an ellipse squashed
            # to 0.63 of its width, a C-shape on the slide.
            assert facing >= 0.85, (side, round(facing, 2))
            screen = []
            for p in pts:
                renderer.SetWorldPoint(*p, 1.0)
                renderer.WorldToDisplay()
                screen.append(renderer.GetDisplayPoint()[:2])
            # And the ring keeps its shape on the slide: in-plane spread kept both ways.
            flat = _roundness(np.array(screen)) / _roundness(pts @ np.linalg.svd(
                pts - pts.mean(axis=0))[2][:2].T)
            assert flat >= 0.85, (side, round(flat, 2))
        renderer.GetRenderWindow().Render()
        rgb = window_rgb(renderer.GetRenderWindow()).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    wine = (r > g + 40) & (r > b + 10)
    teal = (g > r + 40) & (b > r + 30)
    # Both slips in sight (upper wine, lower teal), not one hidden behind the other.
    assert wine.sum() > 4000 and teal.sum() > 4000, (int(wine.sum()), int(teal.sum()))
