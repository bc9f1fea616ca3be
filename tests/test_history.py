"""Scene history: every change is undoable, bursts coalesce, undo/redo restore states exactly."""

from __future__ import annotations

import pytest

from viewer.domain.structures import Atlas, Kind, Side, Structure
from viewer.state.history import SceneHistory
from viewer.state.scene import SceneSnapshot, SceneState


def _state() -> SceneState:
    def s(sid: str, kind: Kind = Kind.MUSCLE, parent: str | None = None) -> Structure:
        file = None if kind is Kind.GROUP else f"{sid}.vtp"
        return Structure(id=sid, name=sid, kind=kind, side=Side.RIGHT, parent=parent, file=file)

    return SceneState(
        Atlas(
            structures=(
                s("psoas_major_right", Kind.GROUP),
                s("psoas_major_upper_right", parent="psoas_major_right"),
                s("psoas_major_lower_right", parent="psoas_major_right"),
                s("piriformis_right"),
                s("skin", Kind.SKIN),
            )
        )
    )


def _plain(snap: SceneSnapshot) -> tuple[object, ...]:
    return (dict(snap.visible), dict(snap.opacity), dict(snap.color), snap.selection)


def test_every_kind_of_change_is_undone_and_redone_exactly() -> None:
    state = _state()
    history = SceneHistory(state)
    assert not history.can_undo and not history.can_redo
    states = [_plain(state.snapshot())]
    state.set_visible("psoas_major_right", False)
    states.append(_plain(state.snapshot()))
    state.set_opacity("skin", 0.6)
    states.append(_plain(state.snapshot()))
    state.set_color("piriformis_right", "#00ff00")
    states.append(_plain(state.snapshot()))
    state.select("piriformis_right")
    states.append(_plain(state.snapshot()))
    assert history.undo_depth == 4
    for expected in reversed(states[:-1]):
        assert history.undo()
        assert _plain(state.snapshot()) == expected
    assert not history.can_undo and not history.undo()
    for expected in states[1:]:
        assert history.redo()
        assert _plain(state.snapshot()) == expected
    assert not history.can_redo and not history.redo()


def test_new_change_clears_redo() -> None:
    state = _state()
    history = SceneHistory(state)
    state.toggle("piriformis_right")
    history.undo()
    assert history.can_redo
    state.set_opacity("skin", 0.9)
    assert not history.can_redo and history.undo_depth == 1
    history.undo()
    assert state.opacity("skin") == pytest.approx(0.25)
    assert state.is_visible("piriformis_right")


def test_changes_made_while_undoing_are_not_recorded() -> None:
    state = _state()
    history = SceneHistory(state)
    state.isolate("piriformis_right")
    history.undo()
    assert history.undo_depth == 0 and history.redo_depth == 1


def test_a_slider_drag_is_one_step() -> None:
    state = _state()
    history = SceneHistory(state)
    with history.transaction("Opacity"):
        for value in (0.9, 0.7, 0.5, 0.3):
            state.set_opacity("piriformis_right", value)
        assert history.in_transaction and not history.can_undo
    assert history.undo_depth == 1 and history.undo_label == "Opacity"
    history.undo()
    assert state.opacity("piriformis_right") == 1.0


def test_nested_begin_end_records_once_and_empty_action_records_nothing() -> None:
    state = _state()
    history = SceneHistory(state)
    history.begin("Pair view")
    state.set_visible("skin", False)
    history.begin("inner")
    state.set_color("piriformis_right", "#123456")
    history.end()
    state.select("piriformis_right")
    history.end()
    assert history.undo_depth == 1 and history.undo_label == "Pair view"
    with history.transaction("nothing"):
        state.set_visible("skin", False)  # already hidden: no change
    assert history.undo_depth == 1
    with pytest.raises(RuntimeError):
        history.end()


def test_undo_inside_an_action_is_refused() -> None:
    state = _state()
    history = SceneHistory(state)
    state.toggle("skin")
    with history.transaction(), pytest.raises(RuntimeError):
        history.undo()


def test_max_depth_drops_oldest_and_changed_fires() -> None:
    state = _state()
    history = SceneHistory(state, max_depth=3)
    fired: list[int] = []
    history.changed.connect(lambda: fired.append(1))
    for i in range(5):
        state.set_opacity("skin", 0.1 * (i + 1))
    assert history.undo_depth == 3 and len(fired) == 5
    while history.undo():
        pass
    assert state.opacity("skin") == pytest.approx(0.2)


def test_undo_keeps_the_camera_view() -> None:
    state = _state()
    history = SceneHistory(state)
    state.toggle("skin")
    state.request_view("posterior")
    history.undo()
    assert state.view == "posterior" and state.is_visible("skin")


def test_begin_from_a_handler_of_the_first_change_keeps_that_change_in_the_step() -> None:
    # The window opens an action on the first change it sees (its handler is connected before
    # the history's) and closes it later; the first change must still be undone.
    state = _state()
    holder: list[SceneHistory] = []
    opened: list[bool] = []

    def open_step(*_: object) -> None:
        h = holder[0]
        if not h.in_transaction and not h.applying:
            h.begin("drag")
            opened.append(True)

    state.opacity_changed.connect(open_step)
    state.visibility_changed.connect(open_step)
    history = SceneHistory(state)
    holder.append(history)
    state.set_opacity("skin", 0.5)
    state.set_opacity("skin", 0.7)
    history.end()
    assert history.undo_depth == 1 and opened == [True]
    history.undo()
    assert state.opacity("skin") == pytest.approx(0.25), "the first change belongs to the step"
    assert opened == [True], "undo does not open a new action"
    history.redo()
    assert state.opacity("skin") == pytest.approx(0.7)
