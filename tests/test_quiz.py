"""Quiz: deterministic questions from one region, right answers include parts, honest review."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from viewer.domain.quiz import QuestionType, descendants, make_quiz, quiz_pool
from viewer.domain.structure_info import base_id
from viewer.domain.structures import Atlas, Kind, Side, Structure
from viewer.io.manifest import load_manifest
from viewer.state.quiz import QuizSession


def _atlas() -> Atlas:
    def s(
        sid: str, kind: Kind = Kind.MUSCLE, parent: str | None = None, region: str = "pelvis"
    ) -> Structure:
        file = None if kind is Kind.GROUP else f"{sid}.vtp"
        return Structure(
            id=sid,
            name=sid.replace("_", " "),
            kind=kind,
            side=Side.RIGHT,
            parent=parent,
            file=file,
            region=region,
        )

    return Atlas(
        structures=(
            s("iliopsoas_right", Kind.GROUP),
            s("psoas_major_right", Kind.GROUP, parent="iliopsoas_right", region="lumbar_spine"),
            s("psoas_major_upper_right", parent="psoas_major_right", region="lumbar_spine"),
            s("psoas_major_lower_right", parent="psoas_major_right", region="lumbar_spine"),
            s("iliacus_right", parent="iliopsoas_right"),
            s("piriformis_right"),
            s("piriformis_left"),
            s("gluteus_maximus_right"),
            s("gluteus_medius_right"),
            s("gluteus_minimus_right"),
            s("hip_bone_right", Kind.BONE),
            s("quadratus_lumborum_right", region="lumbar_spine"),
            s("skin", Kind.SKIN, region="body_surface"),
        )
    )


def test_pool_by_region_kind_and_parts() -> None:
    atlas = _atlas()
    assert quiz_pool(atlas, "pelvis") == (
        "iliopsoas_right",
        "piriformis_right",
        "piriformis_left",
        "gluteus_maximus_right",
        "gluteus_medius_right",
        "gluteus_minimus_right",
        "hip_bone_right",
    )
    assert quiz_pool(atlas, kinds=[Kind.BONE]) == ("hip_bone_right",)
    # psoas major is filed under the lumbar spine although its group iliopsoas is pelvic
    assert quiz_pool(atlas, "lumbar_spine") == ("psoas_major_right", "quadratus_lumborum_right")
    assert "psoas_major_right" not in quiz_pool(atlas)
    assert "iliacus_right" in quiz_pool(atlas, "pelvis", include_parts=True)
    assert "skin" not in quiz_pool(atlas)
    assert descendants(atlas, "iliopsoas_right") >= {"psoas_major_upper_right", "iliacus_right"}


def test_same_seed_same_questions_and_name_options_from_the_region() -> None:
    atlas = _atlas()
    a = make_quiz(atlas, 12, seed=7, region="pelvis")
    assert a == make_quiz(atlas, 12, seed=7, region="pelvis")
    assert a != make_quiz(atlas, 12, seed=8, region="pelvis")
    pool = set(quiz_pool(atlas, "pelvis"))
    names = [q for q in a if q.kind is QuestionType.NAME]
    assert names and any(q.kind is QuestionType.FIND for q in a)
    for q in names:
        assert len(q.options) == 4 and q.target in q.options and set(q.options) <= pool
        assert len({base_id(o) for o in q.options}) == 4, "no other side as distractor"
        assert q.highlight == atlas.leaves(q.target)
    # the first len(pool) questions use every target once
    assert {q.target for q in a[: len(pool)]} == pool


def test_scripted_round_scores_and_reviews_exactly_the_mistakes() -> None:
    atlas = _atlas()
    questions = make_quiz(atlas, 6, seed=3, region="pelvis")
    session = QuizSession(questions)
    seen: list[object] = []
    done: list[tuple[int, int]] = []
    session.question_changed.connect(seen.append)
    session.finished.connect(lambda s, t: done.append((s, t)))
    wrong_idx = {1, 4}
    expected_mistakes = []
    for i, q in enumerate(questions):
        assert session.current == q and session.index == i
        if i in wrong_idx:
            given = next(o for o in quiz_pool(atlas, "pelvis") if o not in q.accepted)
            expected_mistakes.append((q, given, q.target))
        elif q.kind is QuestionType.FIND:
            given = atlas.leaves(q.target)[-1]  # a click on a part counts
        else:
            given = q.target
        assert session.answer(given).correct is (i not in wrong_idx)
    assert session.is_finished and session.current is None and seen[-1] is None
    assert session.score == 4 and done == [(4, 6)]
    assert [(a.question, a.given, a.expected) for a in session.review()] == expected_mistakes
    with pytest.raises(RuntimeError):
        session.answer("piriformis_right")
    session.restart()
    assert session.index == 0 and session.score == 0 and session.skip().correct is False
    assert len(session.review()) == 1


def test_find_accepts_parts_of_a_group_but_not_the_other_side() -> None:
    atlas = _atlas()
    q = next(
        q
        for q in make_quiz(atlas, 20, seed=1, types=[QuestionType.FIND])
        if q.target == "iliopsoas_right"
    )
    assert q.is_correct("psoas_major_lower_right") and q.is_correct("iliacus_right")
    assert not q.is_correct("piriformis_right") and not q.is_correct(None)
    p = next(
        q for q in make_quiz(atlas, 20, types=[QuestionType.FIND]) if q.target == "piriformis_right"
    )
    assert not p.is_correct("piriformis_left")


def test_small_pools_and_bad_arguments() -> None:
    atlas = _atlas()
    only_bone = make_quiz(atlas, 3, kinds=[Kind.BONE], types=[QuestionType.NAME])
    assert all(q.kind is QuestionType.FIND for q in only_bone), "no distractor -> find question"
    with pytest.raises(ValueError):
        make_quiz(atlas, 3, region="nowhere")
    with pytest.raises(ValueError):
        make_quiz(atlas, 3, types=[])


def test_builtin_atlas_quiz() -> None:
    atlas = load_manifest(REPO / "meshes").atlas
    if "piriformis_right" not in atlas:
        pytest.skip("built-in atlas has no muscles yet (being rebuilt)")
    quiz = make_quiz(atlas, 20, seed=0, region="pelvis")
    assert len(quiz) == 20
    assert all(atlas.leaves(q.target) for q in quiz)
