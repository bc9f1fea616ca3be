"""Section planes: presets in the LPS frame, offset along the normal, flip keeps the other half."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.domain.sections import (
    SECTION_PRESETS,
    free_section,
    preset_by_name,
    section,
    section_from_dict,
)

POINTS = np.array(
    [
        (0.0, 0.0, 50.0),  # superior
        (0.0, 0.0, -50.0),  # inferior
        (40.0, 0.0, 0.0),  # subject's left
        (-40.0, 0.0, 0.0),  # subject's right
        (0.0, 30.0, 0.0),  # posterior
        (0.0, -30.0, 0.0),  # anterior
    ]
)


def test_presets_are_the_three_anatomical_planes() -> None:
    assert [p.name for p in SECTION_PRESETS] == ["axial", "sagittal", "coronal"]
    for p in SECTION_PRESETS:
        assert np.isclose(np.linalg.norm(p.normal), 1.0)
    axis = {p.name: int(np.argmax(np.abs(p.normal))) for p in SECTION_PRESETS}
    assert axis == {"axial": 2, "sagittal": 0, "coronal": 1}
    with pytest.raises(KeyError, match="axial, sagittal, coronal"):
        preset_by_name("oblique")


def test_default_planes_keep_the_documented_halves() -> None:
    assert section("axial").keeps(POINTS).tolist() == [False, True, True, True, True, True]
    assert section("sagittal").keeps(POINTS).tolist() == [True, True, False, True, True, True]
    assert section("coronal").keeps(POINTS).tolist() == [True, True, True, True, True, False]


def test_offset_slides_along_the_normal_and_flip_keeps_the_other_half() -> None:
    axial = section("axial", offset=-60.0)  # normal points down: -60 mm moves the cut up
    assert axial.origin == (0.0, 0.0, 60.0)
    assert axial.keeps(POINTS).all()
    moved = axial.with_offset(40.0)
    assert moved.origin == (0.0, 0.0, -40.0) and moved.normal == (0.0, 0.0, -1.0)
    assert moved.keeps(POINTS).tolist() == [False, True, False, False, False, False]
    flipped = moved.flipped()
    assert flipped.origin == moved.origin and flipped.normal == (0.0, 0.0, 1.0)
    assert (flipped.keeps(POINTS) != moved.keeps(POINTS)).all()
    assert np.allclose(flipped.signed_distance(POINTS[:2]), [90.0, -10.0])


def test_free_plane_normalises_and_rejects_zero_normal() -> None:
    s = free_section((0, 0, 10), (0, 3, 4), offset=5.0)
    assert np.allclose(s.normal, (0.0, 0.6, 0.8)) and np.allclose(s.origin, (0, 3, 14))
    with pytest.raises(ValueError):
        free_section((0, 0, 0), (0, 0, 0))
    with pytest.raises(ValueError):
        section("axial", origin=(1, 2))


def test_offset_range_sweeps_the_bounds_and_dict_round_trip() -> None:
    bounds = (-150.0, 150.0, -100.0, 120.0, -300.0, 250.0)
    lo, hi = section("axial").offset_range(bounds)
    assert (lo, hi) == (-250.0, 300.0)
    lo, hi = section("coronal", origin=(0, 20, 0)).offset_range(bounds)
    assert (lo, hi) == (-120.0, 100.0)
    for s in (section("sagittal", (1, 2, 3), 7.5, True), free_section((1, 1, 1), (1, 1, 0))):
        assert section_from_dict(s.to_dict()) == s


def test_section_state_signals_only_real_changes() -> None:
    from viewer.state.sections import SectionState

    state = SectionState()
    seen: list[object] = []
    state.changed.connect(seen.append)
    state.set_offset(10.0)
    assert seen == [] and state.active is None, "no signal while off"
    state.set_enabled(True)
    assert seen == [state.section] and state.section.offset == 10.0
    state.set_enabled(True)
    state.set_offset(10.0)
    assert len(seen) == 1
    state.flip()
    state.choose("coronal")
    assert state.section.kind == "coronal" and state.section.offset == 0.0 and len(seen) == 3
    state.set_enabled(False)
    assert seen[-1] is None
