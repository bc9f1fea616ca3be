"""Sitting with the skin shown opaque, no muscle shows through it: what a lecturer projects.

The posed skin follows MakeHuman's weights and the muscles their bones; in both sitting poses
the tensor fasciae latae used to break through the hip crease (a red patch below the ASIS from
the front, a red seam along the crease from the side). The app now presses posed muscles under
the posed skin (viewer/domain/skin_envelope.py). Counted here in the picture: pixels of muscle
red on a 1600 x 1000 render, from the front, the side and in between.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

#: Muscle-red pixels allowed per 1600 x 1000 picture. Where the crease is sharpest a sliver of
#: the tensor fasciae latae can show along it: the faces there are left slightly out on purpose
#: (pressed fully under, they fold, and through the default ghosted skin the fold showed as a
#: dark notch below the ASIS; skin_envelope._relax). Measured 1 / 97 / 50 / 9 px in the views
#: below since the skin is lifted over the iliac crest (viewer/domain/skin_over_bone.py; the
#: female side view showed 345-445 before). Without the envelope the same views show ~2000.
ALLOWED_PX = 200


def _muscle_red(path: Path) -> int:
    from PIL import Image

    a = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return int(((r > 130) & (r - g > 70) & (r - b > 70)).sum())


def _render(tmp: Path, body: str, pose: str, view: str) -> int:
    from viewer.cli import main

    out = tmp / f"{body}_{pose}_{view}.png"
    args = ["render", "-o", str(out), "--pose", pose, "--view", view, "--body", body]
    args += ["--skin-opacity", "1", "--no-markers", "--no-posture-guides"]
    assert main(args) == 0
    return _muscle_red(out)


#: The views where the crease showed most muscle before (front: the female patch below the
#: ASIS; side and in between: the seam along the crease). Slumped sitting showed less in
#: every view (tests/test_posture_skin_containment.py checks its vertices in every body).
SHOTS = [
    ("female", "sitting_upright", "anterior"),
    ("female", "sitting_upright", "right"),
    ("female", "sitting_upright", "anterolateral_right"),
    ("neutral", "sitting_upright", "right"),
]


@pytest.mark.parametrize(("body", "pose", "view"), SHOTS)
def test_no_muscle_shows_through_the_sitting_skin(
    body: str, pose: str, view: str, tmp_path: Path
) -> None:
    assert _render(tmp_path, body, pose, view) <= ALLOWED_PX


def test_without_the_envelope_the_hip_muscles_show_through(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The picture test can fail: posed muscles left where their bones put them."""
    from viewer.render.posture_painter import PosturePainter

    monkeypatch.setattr(PosturePainter, "_under_skin", lambda self, sid, mesh, posed, t: posed)
    assert _render(tmp_path, "female", "sitting_upright", "anterior") > 4 * ALLOWED_PX
    assert _render(tmp_path, "neutral", "sitting_upright", "right") > 4 * ALLOWED_PX
