"""Anatomy quiz questions for students, drawn from one region or kind of the atlas.

Two question types:

* **find** - the app names a structure ("Find: Piriformis (right)") and the student clicks it in
  the 3D view; a click on the structure or any of its parts counts (a psoas part for "Psoas
  major").
* **name** - the app highlights a structure and offers four names from the same pool; the
  student picks one.

Questions are plain frozen records and generation is deterministic for a seed, so a teacher can
hand the same quiz to a whole class. No Qt, no VTK.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from viewer.domain.structure_info import base_id
from viewer.domain.structures import Atlas, Kind, Structure

OPTION_COUNT = 4
"""Choices offered by a "name the highlighted structure" question (fewer if the pool is small)."""


class QuestionType(str, Enum):
    """What the student is asked to do."""

    FIND = "find"
    NAME = "name"


@dataclass(frozen=True)
class Question:
    """One quiz question.

    ``target`` is the structure asked about; ``accepted`` the answers that count as right (for
    *find* the target and all its parts); ``options`` the structure ids offered by a *name*
    question (target included, shuffled); ``highlight`` the leaves to highlight for *name*.
    """

    kind: QuestionType
    target: str
    prompt: str
    accepted: frozenset[str]
    options: tuple[str, ...] = ()
    option_labels: tuple[str, ...] = ()
    highlight: tuple[str, ...] = ()

    def is_correct(self, answer: str | None) -> bool:
        """True when ``answer`` (a clicked or chosen structure id) counts as right."""
        return answer is not None and answer in self.accepted


def effective_kind(atlas: Atlas, structure: Structure) -> Kind:
    """A group's kind is that of its first leaf (``iliopsoas_right`` is a muscle)."""
    if structure.kind is not Kind.GROUP:
        return structure.kind
    leaves = atlas.leaves(structure.id)
    return atlas.get(leaves[0]).kind if leaves else Kind.GROUP


def descendants(atlas: Atlas, structure_id: str) -> frozenset[str]:
    """The structure and everything below it (groups and leaves)."""
    out = {structure_id}
    stack = [structure_id]
    while stack:
        for child in atlas.children(stack.pop()):
            if child not in out:
                out.add(child)
                stack.append(child)
    return frozenset(out)


def quiz_pool(
    atlas: Atlas,
    region: str | None = None,
    kinds: Iterable[Kind] = (Kind.MUSCLE, Kind.BONE),
    include_parts: bool = False,
) -> tuple[str, ...]:
    """Structures a quiz may ask about, in atlas order.

    By default only the topmost structures are asked, so a group such as iliopsoas is one
    question and its parts count as finding it; with a ``region``, "topmost" means no ancestor
    in that region (psoas major is asked in the lumbar spine although iliopsoas is filed under
    the pelvis). ``include_parts`` adds the members too. Structures without any geometry below
    them are never asked (nothing to click).
    """
    wanted = set(kinds)
    out = []
    for s in atlas:
        if region is not None and s.region != region:
            continue
        if not include_parts:
            ancestors = atlas.ancestors(s.id)
            if region is None and ancestors:
                continue
            if region is not None and any(
                a in atlas and atlas.get(a).region == region for a in ancestors
            ):
                continue
        if effective_kind(atlas, s) not in wanted or not atlas.leaves(s.id):
            continue
        out.append(s.id)
    return tuple(out)


def _find(atlas: Atlas, sid: str) -> Question:
    return Question(
        kind=QuestionType.FIND,
        target=sid,
        prompt=f"Find: {atlas.get(sid).name}",
        accepted=descendants(atlas, sid),
    )


def _name(atlas: Atlas, sid: str, pool: Sequence[str], rng: random.Random) -> Question | None:
    # Distractors never share the target's base (its other side would test sides, not anatomy),
    # and their names differ, so exactly one option is right.
    target_base = base_id(sid)
    seen_bases = {target_base}
    candidates = []
    for other in pool:
        b = base_id(other)
        if b not in seen_bases:
            seen_bases.add(b)
            candidates.append(other)
    if not candidates:
        return None
    distractors = rng.sample(candidates, min(OPTION_COUNT - 1, len(candidates)))
    options = [sid, *distractors]
    rng.shuffle(options)
    return Question(
        kind=QuestionType.NAME,
        target=sid,
        prompt="Name the highlighted structure",
        accepted=frozenset({sid}),
        options=tuple(options),
        option_labels=tuple(atlas.get(o).name for o in options),
        highlight=atlas.leaves(sid),
    )


def make_quiz(
    atlas: Atlas,
    count: int = 10,
    seed: int = 0,
    region: str | None = None,
    kinds: Iterable[Kind] = (Kind.MUSCLE, Kind.BONE),
    types: Sequence[QuestionType] = (QuestionType.FIND, QuestionType.NAME),
    include_parts: bool = False,
) -> tuple[Question, ...]:
    """``count`` questions over the pool, the same for the same seed and atlas.

    Targets are drawn without repetition until the pool is used up, then reshuffled. A *name*
    question needs at least one distractor; without one it becomes a *find* question.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if not types:
        raise ValueError("at least one question type is needed")
    pool = quiz_pool(atlas, region, kinds, include_parts)
    if not pool:
        raise ValueError(f"no structures to ask about (region={region!r})")
    rng = random.Random(seed)
    order: list[str] = []
    questions: list[Question] = []
    while len(questions) < count:
        if not order:
            order = list(pool)
            rng.shuffle(order)
        sid = order.pop()
        kind = rng.choice(list(types))
        question = _name(atlas, sid, pool, rng) if kind is QuestionType.NAME else None
        questions.append(question or _find(atlas, sid))
    return tuple(questions)
