"""A pair view in a tight pose fills three corners: the pair's key top left, the pose's title
top right, the trigger-point key and the thigh sketch bottom right. Rendered at the default
size, lesson 11's long tight-side row ran under the pose's title, and the sketch was drawn over
the "X trigger point" key. They must not overlap."""

from __future__ import annotations

from typing import Any

import pytest
from vtkmodules.vtkRenderingCore import vtkTextActor

from tests.trigger_factory import builtin_model_or_skip

Box = tuple[float, float, float, float]


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text_boxes(actors: Any, renderer: Any) -> list[Box]:
    boxes = []
    for actor in actors:
        if isinstance(actor, vtkTextActor) and actor.GetInput():
            bb = [0.0] * 4
            actor.GetBoundingBox(renderer, bb)
            px, py = actor.GetPosition()
            boxes.append((px + bb[0], py + bb[2], px + bb[1], py + bb[3]))
    return boxes


def test_tight_pair_view_keys_title_and_sketch_keep_apart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    builtin_model_or_skip()
    from viewer import cli
    from viewer.render import overlays as overlays_module
    from viewer.render import posture_guides

    seen: dict[str, Any] = {}
    detach_guides = posture_guides.PostureGuideOverlay.detach
    detach_overlays = overlays_module.AnnotationOverlays.detach

    def spy_guides(self: Any) -> None:
        seen["inset"] = self.inset.box
        detach_guides(self)

    def spy_overlays(self: Any) -> None:
        renderer = self.scene.renderer
        seen["rows"] = _text_boxes(self.pair_legend.actors, renderer)
        seen["title"] = self.pair_legend.beside_box  # the pose title it was laid out beside
        seen["marker_key"] = self.marker_legend.box()
        detach_overlays(self)

    monkeypatch.setattr(posture_guides.PostureGuideOverlay, "detach", spy_guides)
    monkeypatch.setattr(overlays_module.AnnotationOverlays, "detach", spy_overlays)
    out = tmp_path / "pair.png"
    argv = ["render", "--pair", "5", "--muscle", "iliopsoas", "--tight-side", "right"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    assert seen["title"] is not None and seen["inset"] is not None
    assert seen["marker_key"] is not None and len(seen["rows"]) >= 3
    crossing = [r for r in seen["rows"] if _overlap(r, seen["title"])]
    assert not crossing, (crossing, seen["title"])
    assert not _overlap(seen["marker_key"], seen["inset"]), (seen["marker_key"], seen["inset"])
