"""Lesson step 8 (iliopsoas vs the side gluteals) on the projector: a lecturer found rings,
arrows and labels piled on each other round the hip (the psoas and iliacus arrows side by
side from the lesser trochanter, their heads touching, the gluteal ring's head among the
gluteal arrows). Each element now reads on its own: no label over a ring or an arrow, the two
rings apart, each ring's head clear of every straight arrow, and each arrow's head clear of
every other arrow and of the rings.

Since the frontal-plane picture (``test_pair_3_frontal_plane``) only the gluteals turn: one
ring, no ring-to-ring gap left to check."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.pair_slides import lesson_pair_slide
from tests.test_pair_overlay_route import display_points
from viewer.domain.overlay_route import densify, inside_boxes
from viewer.render.pair_overlay import HEAD_SAMPLES

HEAD_GAP_MIN_PX = 10.0
HEAD_LENGTH_PX = 12
"""An arrow's last 12 samples (1 mm apart: its head, 16 mm long at most) must stay clear."""


def test_lesson_8_rings_arrows_and_labels_keep_apart(lesson: Any) -> None:
    step = lesson.steps[7].scene
    assert step.pair_view is not None and step.pair_view.id.endswith("minimus")
    with lesson_pair_slide(step) as (renderer, overlays):
        pairs = overlays.pairs_overlay
        height = renderer.GetSize()[1]
        rings = {s: display_points(renderer, p) for s, p in pairs.turn_paths.items()}
        arrows = [
            display_points(renderer, densify(path, 1.0))
            for _pull, path, is_arc in pairs.drawn_pulls()
            if not is_arc
        ]
        labels = overlays.labels
        assert labels is not None
        boxes = [(b[0], height - b[3], b[2], height - b[1]) for b in
                 (s.placed.box for s in labels.shown)]
    assert set(rings) == {"b"} and arrows, "one ring: the gluteals' (frontal plane)"
    for name, stroke in [*rings.items(), *((f"arrow {i}", a) for i, a in enumerate(arrows))]:
        covered = inside_boxes(stroke, boxes, 3.0)
        assert not covered.any(), (name, "under a label", stroke[covered][:3].round())
    shafts = np.vstack(arrows)
    for side, ring in rings.items():
        head = ring[-HEAD_SAMPLES:]
        near = float(np.linalg.norm(head[:, None] - shafts[None], axis=-1).min())
        assert near >= HEAD_GAP_MIN_PX, (side, f"ring head {near:.0f} px from an arrow")
    for i, arrow in enumerate(arrows):
        head = arrow[-HEAD_LENGTH_PX:]
        others = [a for j, a in enumerate(arrows) if j != i] + list(rings.values())
        near = float(np.linalg.norm(head[:, None] - np.vstack(others)[None], axis=-1).min())
        assert near >= HEAD_GAP_MIN_PX, (f"arrow {i}", f"head {near:.0f} px from another stroke")
