"""Trigger-point state: one signal per real change, combine modes, marker visibility."""

from __future__ import annotations

from typing import Any

import pytest

from viewer.state.triggers import CombineMode, HeatRequest, TriggerPointState

MUSCLE_OF = {
    "a_right": "m1_right",
    "b_right": "m1_right",
    "c_right": "m2_right",
    "a_left": "m1_left",
}


def _record(state: TriggerPointState) -> list[tuple[str, Any]]:
    events: list[tuple[str, Any]] = []
    for name in (
        "active_changed",
        "mode_changed",
        "muscle_changed",
        "markers_changed",
        "heat_visible_changed",
        "heat_changed",
    ):
        getattr(state, name).connect(lambda value, n=name: events.append((n, value)))
    return events


def test_toggle_and_set_active_emit_once_per_change() -> None:
    state = TriggerPointState(MUSCLE_OF)
    events = _record(state)
    assert state.toggle("a_right") is True
    assert state.toggle("c_right") is True
    assert state.active == ("a_right", "c_right")
    assert state.toggle("a_right") is False
    assert state.active == ("c_right",)
    names = [n for n, _ in events]
    assert names.count("active_changed") == 3 and names.count("heat_changed") == 3
    events.clear()
    state.set_active(["c_right"])  # no change, no signal
    assert events == []
    state.clear()
    assert state.active == () and events[0] == ("active_changed", ())
    with pytest.raises(KeyError, match="zz"):
        state.toggle("zz")


def test_muscle_mode_and_heat_request() -> None:
    state = TriggerPointState(MUSCLE_OF)
    state.set_active(["c_right"])
    events = _record(state)
    state.show_muscle("m1_right")
    assert state.mode is CombineMode.MUSCLE
    assert state.heat_trigger_points() == ("a_right", "b_right")
    assert [n for n, _ in events] == ["muscle_changed", "mode_changed", "heat_changed"]
    events.clear()
    state.show_muscle("m1_right")
    assert events == []
    # choosing trigger points again goes back to SELECTED mode
    state.toggle("a_right")
    assert state.mode is CombineMode.SELECTED
    assert state.heat_trigger_points() == ("c_right", "a_right")
    state.set_heat_visible(False)
    assert state.heat_trigger_points() == ()
    req = state.heat_request()
    assert isinstance(req, HeatRequest) and req.visible is False
    with pytest.raises(KeyError):
        state.show_muscle("no_muscle")
    state.show_muscle(None)
    assert state.mode is CombineMode.SELECTED


def test_marker_visibility_per_muscle_and_side() -> None:
    state = TriggerPointState(MUSCLE_OF)
    events = _record(state)
    assert state.visible_markers() == tuple(MUSCLE_OF)
    state.set_side_markers_visible("left", False)
    assert events == [("markers_changed", ("m1_left",))]
    assert not state.markers_visible("m1_left")
    assert state.visible_markers() == ("a_right", "b_right", "c_right")
    events.clear()
    state.set_markers_visible(["m1_left"], False)
    assert events == []
    with pytest.raises(KeyError):
        state.set_markers_visible(["m9_right"], True)


def test_muscle_mode_can_show_a_whole_group() -> None:
    groups = {"g_right": ["m1_right", "m2_right", "m9_right"], "empty_right": ["m9_right"]}
    state = TriggerPointState(MUSCLE_OF, groups)
    assert state.groups == {"g_right": ("m1_right", "m2_right")}
    state.show_muscle("g_right")
    assert state.heat_trigger_points() == ("a_right", "b_right", "c_right")
    assert state.heat_request().members == ("m1_right", "m2_right")
    with pytest.raises(KeyError):
        state.show_muscle("empty_right")
