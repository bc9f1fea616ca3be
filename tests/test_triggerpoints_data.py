"""The built-in annotation data: complete, sourced, honest about what is unverified."""

from __future__ import annotations

import pytest

from viewer.domain.referral import Confidence, ZoneClass
from viewer.domain.structures import Side
from viewer.io.annotations import AnnotationSet, load_annotations


@pytest.fixture(scope="module")
def builtin() -> AnnotationSet:
    return load_annotations()


def test_builtin_files_are_clean(builtin: AnnotationSet) -> None:
    assert builtin.problems == []
    assert builtin.skipped == []


def test_required_muscles_and_portions_have_trigger_points(builtin: AnnotationSet) -> None:
    right = [t for t in builtin.trigger_points.values() if t.side is Side.RIGHT]
    muscles = {t.muscle for t in right}
    assert {
        "psoas_major_upper_right",
        "psoas_major_lower_right",
        "iliacus_right",
        "piriformis_right",
        "gluteus_maximus_right",
        "gluteus_medius_right",
        "gluteus_minimus_right",
        "quadratus_lumborum_right",
        "tensor_fasciae_latae_right",
        "iliocostalis_lumborum_right",
        "longissimus_thoracis_right",
        "multifidus_right",
    } <= muscles
    ids = {t.id for t in right}
    assert {"gluteus_minimus_anterior_right", "gluteus_minimus_posterior_right"} <= ids
    ql = {t.id for t in right if t.muscle == "quadratus_lumborum_right"}
    assert any("superficial" in i for i in ql) and any("deep" in i for i in ql)


def test_every_right_entry_has_a_left_mirror(builtin: AnnotationSet) -> None:
    for tid, t in builtin.trigger_points.items():
        if t.side is Side.RIGHT:
            twin = builtin.trigger_points[tid.replace("_right", "_left")]
            assert twin.muscle == t.muscle.replace("_right", "_left")
            assert twin.referral == t.referral.replace("_right", "_left")
    assert len(builtin.trigger_points) % 2 == 0


def test_everything_is_sourced_and_graded(builtin: AnnotationSet) -> None:
    for t in builtin.trigger_points.values():
        assert t.sources and all(k in builtin.sources for k in t.sources), t.id
        assert t.how_to_find.strip() and t.perpetuating and t.differentials, t.id
    for p in builtin.patterns.values():
        assert p.sources and all(k in builtin.sources for k in p.sources), p.id
        assert any(z.zone_class is ZoneClass.ESSENTIAL for z in p.zones), p.id
        assert p.description.strip(), p.id
    assert all(len(s.reference) > 10 for s in builtin.sources.values())


def test_unverified_facts_carry_their_flags(builtin: AnnotationSet) -> None:
    tp = builtin.trigger_points
    pats = builtin.patterns
    # the psoas spot through the abdomen and the upper psoas are not verified positions
    for tid in ("psoas_abdominal_right", "psoas_upper_right"):
        assert "position_unverified" in tp[tid].flags
        assert tp[tid].confidence is Confidence.LOW
    # the gluteus medius per-spot split is a recollection of a figure: L and flagged
    for i in (1, 2, 3):
        pat = pats[f"gluteus_medius_{i}_right"]
        assert pat.confidence is Confidence.LOW and "split_unverified" in pat.flags
    # gluteus minimus spots have no landmark source
    for tid in ("gluteus_minimus_anterior_right", "gluteus_minimus_posterior_right"):
        assert "no_source_position" in tp[tid].flags
    # piriformis and gluteus maximus are well sourced
    assert pats["piriformis_right"].confidence is Confidence.HIGH
    assert pats["gluteus_maximus_1_right"].confidence is Confidence.HIGH


def test_psoas_parts_share_one_composite_map(builtin: AnnotationSet) -> None:
    tp = builtin.trigger_points
    assert tp["psoas_upper_right"].referral == tp["psoas_abdominal_right"].referral
    composite = builtin.patterns[tp["psoas_upper_right"].referral]
    assert "pattern_shared" in composite.flags
    ess = set(composite.landmarks(ZoneClass.ESSENTIAL))
    assert {"groin_right", "sacroiliac_region_right", "lumbar_paraspinal_strip_right"} <= ess
