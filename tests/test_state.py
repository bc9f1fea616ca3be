"""Scene state: actions change only what they should and say so exactly once."""

from __future__ import annotations

import pytest

from viewer.domain.structures import Atlas, Kind, Side, Structure
from viewer.state.scene import SceneState


def _state() -> SceneState:
    def s(sid: str, kind: Kind = Kind.MUSCLE, parent: str | None = None) -> Structure:
        file = None if kind is Kind.GROUP else f"{sid}.vtp"
        return Structure(id=sid, name=sid, kind=kind, side=Side.RIGHT, parent=parent, file=file)

    atlas = Atlas(
        structures=(
            s("psoas_major_right", Kind.GROUP),
            s("psoas_major_upper_right", parent="psoas_major_right"),
            s("psoas_major_lower_right", parent="psoas_major_right"),
            s("piriformis_right"),
            s("skin", Kind.SKIN),
        )
    )
    return SceneState(atlas)


def test_defaults_everything_visible_skin_ghosted() -> None:
    state = _state()
    assert state.visible_ids == (
        "psoas_major_upper_right",
        "psoas_major_lower_right",
        "piriformis_right",
        "skin",
    )
    assert state.opacity("skin") < 0.5
    assert state.opacity("piriformis_right") == 1.0


def test_hiding_a_group_hides_its_parts_with_one_event() -> None:
    state = _state()
    events: list[tuple[str, ...]] = []
    state.visibility_changed.connect(events.append)
    state.set_visible("psoas_major_right", False)
    assert events == [("psoas_major_upper_right", "psoas_major_lower_right")]
    assert not state.is_visible("psoas_major_right")
    state.set_visible("psoas_major_right", False)
    assert len(events) == 1, "no event without a real change"


def test_group_partly_visible_counts_as_visible_and_toggle_hides() -> None:
    state = _state()
    state.set_visible("psoas_major_lower_right", False)
    assert state.is_visible("psoas_major_right")
    state.toggle("psoas_major_right")
    assert not state.is_visible("psoas_major_upper_right")


def test_isolate_and_show_all() -> None:
    state = _state()
    state.isolate("piriformis_right")
    assert state.visible_ids == ("piriformis_right",)
    state.show_all()
    assert len(state.visible_ids) == 4


def test_opacity_is_clamped_and_applies_to_group() -> None:
    state = _state()
    state.set_opacity("psoas_major_right", 1.7)
    assert state.opacity("psoas_major_upper_right") == 1.0
    state.set_opacity("psoas_major_right", -1)
    assert state.opacity("psoas_major_lower_right") == 0.0


def test_select_validates_ids() -> None:
    state = _state()
    seen: list[object] = []
    state.selection_changed.connect(seen.append)
    state.select("psoas_major_right")
    state.select("psoas_major_right")
    state.select(None)
    assert seen == ["psoas_major_right", None]
    with pytest.raises(KeyError):
        state.select("no_such_muscle")


def test_snapshot_restore_round_trip() -> None:
    state = _state()
    before = state.snapshot()
    state.isolate("piriformis_right")
    state.set_color("piriformis_right", "#00ff00")
    state.set_opacity("skin", 0.9)
    state.select("piriformis_right")
    state.restore(before)
    assert state.snapshot() == before


def test_request_view_rejects_unknown_names() -> None:
    state = _state()
    with pytest.raises(KeyError):
        state.request_view("upside_down")
    state.request_view("posterior")
    assert state.view == "posterior"


def test_reset_returns_to_defaults() -> None:
    state = _state()
    fresh = state.snapshot()
    state.set_visible("skin", False)
    state.set_color("skin", "#123456")
    state.reset()
    assert state.snapshot() == fresh
