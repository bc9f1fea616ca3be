"""Trigger points and skin landmarks placed on the real built-in atlas (skips until it exists)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.trigger_factory import builtin_model_or_skip, builtin_state
from viewer.domain.referral import ZoneClass


@pytest.fixture(scope="module")
def model() -> Any:
    return builtin_model_or_skip()


def _pos(model: Any, tid: str) -> np.ndarray:
    return np.asarray(model.trigger_points[tid].position)


def test_everything_is_placed(model: Any) -> None:
    placement = [p for p in builtin_state()["problems"] if "not placed" in p.message]
    assert placement == []
    assert len(model.trigger_points) == len(model.resolved.annotations.trigger_points)
    assert set(model.skin_landmarks) == set(model.resolved.annotations.skin_landmarks)


def test_sides_and_mirror_symmetry(model: Any) -> None:
    for tid, tp in model.trigger_points.items():
        if not tid.endswith("_right"):
            continue
        right = np.asarray(tp.position)
        left = _pos(model, tid.replace("_right", "_left"))
        assert right[0] < 0 < left[0], tid
        assert left == pytest.approx(right * [-1, 1, 1], abs=6.0), tid


def test_trigger_points_sit_where_the_landmark_wording_puts_them(model: Any) -> None:
    from viewer.io.annotations import load_bony_landmarks

    bony, _ = load_bony_landmarks(builtin_state()["loaded"].folder)
    p = {t: _pos(model, f"{t}_right") for t in (
        "quadratus_lumborum_superficial_cranial",
        "quadratus_lumborum_superficial_caudal",
        "piriformis_lateral",
        "piriformis_medial",
        "gluteus_maximus_1",
        "gluteus_maximus_3",
        "iliopsoas_distal",
        "psoas_abdominal",
        "iliacus",
        "multifidus_lumbar",
        "tensor_fasciae_latae",
    )}  # fmt: skip
    assert (
        p["quadratus_lumborum_superficial_cranial"][2]
        > p["quadratus_lumborum_superficial_caudal"][2] + 50
    )
    assert abs(p["piriformis_lateral"][0]) > abs(p["piriformis_medial"][0]) + 10
    assert p["gluteus_maximus_3"][2] < p["gluteus_maximus_1"][2]
    # distal iliopsoas: below the ASIS, in front of the hip joint, lower than the abdominal spot
    assert p["iliopsoas_distal"][2] < bony["asis_right"][2]
    assert p["iliopsoas_distal"][1] < bony["hip_centre_right"][1] - 20
    assert p["iliopsoas_distal"][2] < p["psoas_abdominal"][2] - 80
    assert np.linalg.norm(p["iliacus"] - bony["asis_right"]) < 70
    assert abs(p["multifidus_lumbar"][0]) < 30
    tfl = p["tensor_fasciae_latae"]
    assert tfl[1] < bony["greater_trochanter_right"][1] and abs(tfl[0]) > 90


def test_skin_landmarks_face_the_right_way(model: Any) -> None:
    def centre(lid: str) -> np.ndarray:
        return np.asarray(model.skin_landmarks[lid].centre)

    for lid in ("sacroiliac_region_right", "mid_buttock_right", "posterior_thigh_right", "coccyx"):
        assert centre(lid)[1] > 40, lid
    for lid in ("groin_right", "anterior_thigh_upper_right", "lower_abdomen_lateral_right"):
        assert centre(lid)[1] < -40, lid
    for lid in ("greater_trochanter_right", "lateral_thigh_right", "lateral_knee_right"):
        assert centre(lid)[0] < -100, lid
    assert centre("calf_upper_right")[2] < centre("lateral_knee_right")[2] - 50


def test_every_pattern_draws_an_essential_zone(model: Any) -> None:
    for tid in model.trigger_points:
        heat = model.field_for([tid])
        assert (heat.classes == ZoneClass.ESSENTIAL).sum() > 50, tid
        assert heat.intensity.max() == pytest.approx(1.0)
