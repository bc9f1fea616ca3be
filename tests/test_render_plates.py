"""Atlas plates as they are rendered: orientation words at the edges, ``--labels auto``.

The built-in atlas, off screen, drawn exactly as ``render`` draws it (one window per module).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from viewer.cli import main
from viewer.context import load_context
from viewer.domain.camera import view_by_name
from viewer.domain.labels import boxes_overlap
from viewer.domain.orientation import EdgeWords
from viewer.domain.plate_labels import AUTO_LABEL_CAP, AUTO_MIN_SHARE
from viewer.render.offscreen import offscreen_scene, window_pixels
from viewer.render.theme import LIGHT

SIZE = (800, 500)


@pytest.fixture(scope="module")
def plate() -> Iterator[Any]:
    context = load_context()
    with offscreen_scene(context.loaded, context.state, SIZE, LIGHT, msaa=0) as off:
        off.window.Render()
        yield context, off


def _show(off: Any, view: str) -> None:
    off.scene.apply_view(view_by_name(view))
    off.window.Render()


def _y_down(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (box[0], SIZE[1] - box[3], box[2], SIZE[1] - box[1])


def test_the_superior_view_says_front_back_right_and_left(plate: Any) -> None:
    context, off = plate
    context.state.reset()
    off.labels.set_label_auto(False)
    off.orientation.set_enabled(False)
    _show(off, "superior")
    bare = window_pixels(off.window).astype(int)
    off.orientation.set_enabled(True)
    _show(off, "superior")
    words = window_pixels(off.window).astype(int)
    above = EdgeWords(top="Front", bottom="Back", left="Left", right="Right")
    assert off.orientation.shown == above
    for edge in ("top", "bottom", "left", "right"):
        box = off.orientation.box(edge)
        assert box is not None and box[0] >= 0 and box[2] <= SIZE[0], edge
        x0, y0, x1, y1 = (round(v) for v in _y_down(box))
        changed = np.abs(words[y0:y1, x0:x1] - bare[y0:y1, x0:x1]).sum(axis=-1) > 60
        assert changed.sum() > 20, f"no word drawn at the {edge} edge"
    _show(off, "right")
    assert off.orientation.shown == EdgeWords(left="Back", right="Front")


def test_auto_labels_name_a_handful_of_seen_structures_never_a_hidden_one(plate: Any) -> None:
    context, off = plate
    state = context.state
    state.reset()
    off.orientation.set_enabled(True)
    state.set_visible(["gluteus_medius_right", "gluteus_medius_left"], False)
    off.labels.set_label_auto(True)
    _show(off, "posterior")
    shown = off.labels.shown
    keys = [s.key for s in shown]
    assert 3 <= len(keys) <= AUTO_LABEL_CAP, keys
    assert not {"gluteus_medius_right", "gluteus_medius_left"} & set(keys), "hidden, yet named"
    assert not {"rectus_abdominis_right", "rectus_abdominis_left"} & set(keys), "a ghost named"
    assert not {"piriformis_right", "piriformis_left"} & set(keys), "covered from behind"
    assert len({k.removesuffix("_right").removesuffix("_left") for k in keys}) == len(keys)
    # every named structure is seen, by the same depth test the choice used
    seen = off.labels._seen
    for key in keys:
        assert seen[key].share >= AUTO_MIN_SHARE, key
    # no label over the orientation words, nor over another label
    words = [_y_down(b) for e in ("left", "right") if (b := off.orientation.box(e))]
    for s in shown:
        assert not any(boxes_overlap(s.placed.box, w) for w in words), s.text
    boxes = [s.placed.box for s in shown]
    assert not any(boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    off.labels.set_label_auto(False)
    state.reset()


@pytest.fixture
def render_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every ``render_to_png`` call the CLI makes (none drawn)."""
    import viewer.render.offscreen as offscreen

    calls: list[dict[str, Any]] = []

    def fake(loaded: Any, state: Any, out: Path, **kwargs: Any) -> Path:
        calls.append(kwargs)
        return out

    monkeypatch.setattr(offscreen, "render_to_png", fake)
    return calls


def test_render_passes_auto_and_orientation_on(
    render_calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    calls = render_calls
    out = str(tmp_path / "x.png")
    argv = ["render", "--view", "superior", "--no-markers", "--labels", "auto", "-o", out]
    assert main(argv) == 0
    assert calls[-1]["label_auto"] and calls[-1]["labels"] == [] and calls[-1]["orientation"]
    argv = ["render", "--labels", "auto,sacrum", "--no-orientation", "--no-markers", "-o", out]
    assert main(argv) == 0
    assert calls[-1]["labels"] == ["sacrum"] and not calls[-1]["orientation"]


def test_a_plain_named_view_is_a_named_plate_by_default(
    render_calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    """The lecturer would not project the gallery's side and top views: nothing was named."""
    calls = render_calls
    out = str(tmp_path / "x.png")
    assert main(["render", "--view", "right", "--skin-opacity", "0", "-o", out]) == 0
    assert calls[-1]["label_auto"] and calls[-1]["labels"] == []
    assert main(["render", "--view", "right", "--labels", "none", "-o", out]) == 0
    assert not calls[-1]["label_auto"] and calls[-1]["labels"] == []
    # the opening view stays as the app opens; pair views and heat maps have their own keys
    for argv in (["render"], ["render", "--pair", "1"],
                 ["render", "--view", "posterior", "--heat-muscle", "piriformis_right"],
                 ["render", "--view", "right", "--pose", "sitting_upright"]):
        assert main([*argv, "-o", out]) == 0
        assert not calls[-1]["label_auto"], argv


def test_a_labelled_superior_plate_leaves_room_beside_the_anatomy(plate: Any) -> None:
    """From above the anatomy filled the width and the label columns covered its edges."""
    from viewer.domain.labels import project_points
    from viewer.domain.plate_labels import LABEL_ROOM
    from viewer.render.offscreen import _room_for_labels

    context, off = plate
    context.state.reset()
    _show(off, "superior")

    def width_share() -> float:
        camera = off.renderer.GetActiveCamera()
        m = camera.GetCompositeProjectionTransformMatrix(SIZE[0] / SIZE[1], -1, 1)
        mat = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
        points = off.scene.visible_points(skip=off.scene.front_ghosts())
        pixels, _ = project_points(points, mat, SIZE)
        return float(np.ptp(pixels[:, 0]) / SIZE[0])

    assert width_share() > LABEL_ROOM + 0.1, "seen from above the anatomy fills the width"
    off.scene.apply_pose(_room_for_labels(off.scene))
    off.window.Render()
    assert width_share() <= LABEL_ROOM + 0.03


def test_a_front_plate_never_names_a_muscle_on_the_far_side(plate: Any) -> None:
    """A lecturer found "Gluteus maximus (right)" on the front plates, its leader ending by the
    groin: seen through the pelvis, it lies on the far side of the body. Only muscles on the
    camera's side are named; the iliopsoas in front of the pelvis is."""
    context, off = plate
    state = context.state
    state.reset()
    skins = [s.id for s in state.atlas.structures if s.kind.name == "SKIN"]
    state.set_visible(skins, False)
    off.labels.set_label_auto(True)
    _show(off, "anterior")
    keys = {s.key for s in off.labels.shown}
    far = {"gluteus_maximus_right", "gluteus_maximus_left", "piriformis_right", "piriformis_left"}
    assert not far & keys, keys
    assert keys & {"psoas_major_right", "psoas_major_left", "iliacus_right", "iliacus_left"}, keys
    off.labels.set_label_auto(False)
    state.reset()


def test_labels_keep_a_line_clear_of_the_orientation_words(plate: Any) -> None:
    """On a close-up the word "Left" sat right above "Gluteus maximus (right)" and read as one
    line with it: the labels keep off each word's box grown by its own height."""
    context, off = plate
    context.state.reset()
    off.orientation.set_enabled(True)
    _show(off, "posterior")
    reserved = dict(off.labels._reserved)
    for edge in ("left", "right"):
        word = off.orientation.box(edge)
        assert word is not None, edge
        kept = reserved["orientation_" + edge]()
        height = word[3] - word[1]
        assert kept[1] <= word[1] - height + 0.5 and kept[3] >= word[3] + height - 0.5, edge


def test_orientation_words_are_not_laid_out_again_while_the_camera_moves(plate: Any) -> None:
    """The words keep off the X markers, which move every orbit frame: while the camera moves
    the words keep their place (no layout), and the still frame lays them out again."""
    context, off = plate
    context.state.reset()
    off.orientation.set_enabled(True)
    _show(off, "right")
    calls: list[int] = []
    avoid = off.orientation.avoid
    off.orientation.avoid = lambda: (calls.append(1), avoid())[1]
    try:
        off.scene.set_interacting(True)
        off.scene.renderer.GetActiveCamera().Azimuth(3.0)
        off.window.Render()
        assert not calls and off.orientation.shown == EdgeWords(left="Back", right="Front")
        off.scene.set_interacting(False)
        off.window.Render()
        assert calls
    finally:
        off.orientation.avoid = avoid
        off.scene.set_interacting(False)


@pytest.mark.parametrize(
    ("body_view", "expected", "never"),
    [
        ("anterior", {"ASIS", "Iliac crest"}, {"PSIS", "Greater trochanter"}),
        ("posterior", {"PSIS", "Iliac crest"}, {"ASIS", "Greater trochanter"}),
        ("left", {"ASIS", "Iliac crest", "Greater trochanter"}, {"PSIS"}),
    ],
)
def test_an_opaque_skin_plate_names_the_landmarks_one_feels(
    plate: Any, body_view: str, expected: set[str], never: set[str]
) -> None:
    """A lecturer found the opaque-skin plates naming the iliacus (2 cm under the belly wall)
    and the femur, and none of the bony points one points at on a standing body. Under a skin
    drawn as the body a plate names the palpable landmarks felt from the camera's side
    (annotations/palpable_landmarks.json), one of each pair, and no structure."""
    context, off = plate
    state = context.state
    state.reset()
    skins = [s.id for s in state.atlas.structures if s.kind.name == "SKIN"]
    state.set_opacity(skins, 1.0)
    off.labels.set_label_auto(True)
    _show(off, body_view)
    texts = off.labels.label_texts()
    keys = {s.key for s in off.labels.shown}
    names = {t.rsplit(" (", 1)[0] for t in texts}
    off.labels.set_label_auto(False)
    state.reset()
    assert names == expected, texts
    assert not names & never
    assert all(k.startswith("felt:") for k in keys), keys  # no muscle, no bone
    sides = {t.rsplit(" (", 1)[1].rstrip(")") for t in texts}
    assert sides == ({"left"} if body_view == "left" else {"left", "right"}), texts


def test_a_see_through_skin_plate_still_names_structures(plate: Any) -> None:
    context, off = plate
    state = context.state
    state.reset()  # the opening view's see-through skin
    off.labels.set_label_auto(True)
    _show(off, "anterior")
    keys = {s.key for s in off.labels.shown}
    off.labels.set_label_auto(False)
    assert keys and not any(k.startswith("felt:") for k in keys), keys


@pytest.mark.parametrize("body_view", ["left", "anterior", "posterior"])
def test_an_opaque_skin_plates_labels_sit_beside_the_body_not_on_a_hand(
    plate: Any, body_view: str
) -> None:
    """A lecturer found the side plate with an opaque skin writing "Iliac crest (left)" and
    "ASIS (left)" over the hand hanging in front of the belly: the label columns kept clear of
    the anatomy's box, not of the skin's arms and hands. No label box may cover a pixel of
    the drawn body (the rendered silhouette: the plate drawn without labels against the
    same plate with nothing shown)."""
    context, off = plate
    state = context.state
    state.reset()
    off.orientation.set_enabled(False)
    skins = [s.id for s in state.atlas.structures if s.kind.name == "SKIN"]
    state.set_opacity(skins, 1.0)
    off.labels.set_label_auto(True)
    _show(off, body_view)
    boxes = [(s.text, s.placed.box) for s in off.labels.shown]
    off.labels.set_label_auto(False)
    off.window.Render()
    body = window_pixels(off.window).astype(int)
    state.set_visible([s.id for s in state.atlas.renderable], False)
    off.window.Render()
    background = window_pixels(off.window).astype(int)
    off.orientation.set_enabled(True)
    state.reset()
    silhouette = np.abs(body - background).sum(axis=-1) > 30
    assert silhouette.sum() > 0.05 * silhouette.size, "no body drawn"
    assert boxes
    for text, (x0, y0, x1, y1) in boxes:
        under = silhouette[
            max(0, round(y0) + 1) : round(y1) - 1, max(0, round(x0) + 1) : round(x1) - 1
        ]
        assert under.sum() == 0, f"{text!r} covers {under.sum()} px of the body"
