"""Find atlas structures by what people type: names, Latin, FMA ids, plain words, nicknames.

Students type "glut med", clinicians type "QL" or an FMA number, patients type "hip flexor", and
everybody misspells "piriformis". The index normalises every name form of every structure once,
then ranks a query in tiers so that the most literal match always wins:

====================  =====  ==========================================================
tier                  score  example
====================  =====  ==========================================================
exact                 100    "gluteus medius", "Musculus piriformis dexter", "22342", "QL"
prefix                 80    "glut" -> Gluteus ...
word prefix            60    "glut med" (every query word starts a word of the name)
substring              40    "formis"
fuzzy (difflib)       <=30   "piriformus" (ratio >= ``FUZZY_THRESHOLD``)
====================  =====  ==========================================================

Within a tier the field breaks ties (name before Latin before synonym before id before plain
name), then atlas order. A side word in the query ("right piriformis", "psoas left") keeps only
structures of that side. No Qt, no VTK; lookups take well under a millisecond on the built-in atlas
except for the fuzzy pass, which is bounded by cheap upper-bound checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from viewer.domain.structures import Atlas, Side, Structure

EXACT = 100.0
PREFIX = 80.0
WORD_PREFIX = 60.0
SUBSTRING = 40.0
FUZZY_MAX = 30.0
FUZZY_THRESHOLD = 0.75
"""difflib ratio a typo must reach: "piriformus"/"piriformis" is 0.9, "psoas"/"pes" is 0.5."""

FIELD_BONUS: Mapping[str, float] = {
    "name": 5.0,
    "latin": 4.0,
    "fma": 4.0,
    "synonym": 3.0,
    "id": 2.0,
    "plain_name": 1.0,
}
"""Tie-breaks inside a tier: always smaller than the gap between two tiers."""

SIDE_WORDS: Mapping[str, Side] = {
    "left": Side.LEFT,
    "right": Side.RIGHT,
    "sinister": Side.LEFT,
    "sinistra": Side.LEFT,
    "sinistrum": Side.LEFT,
    "sinistri": Side.LEFT,
    "dexter": Side.RIGHT,
    "dextra": Side.RIGHT,
    "dextrum": Side.RIGHT,
    "dextri": Side.RIGHT,
}
"""Words that name a side, English and Latin (TA98 forms), for search and for imported names."""
_FMA = re.compile(r"^(?:fma\s*:?\s*)?(\d{3,7})$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SearchHit:
    """One ranked result: which structure, what to show, which field matched and how well."""

    structure_id: str
    label: str
    matched_field: str
    score: float
    matched_text: str = ""


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces ("Psoas major (T12-L2)" -> "psoas major
    t12 l2"), so punctuation, underscores and accents never decide a match."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(
        c if c.isascii() else ("" if unicodedata.combining(c) else " ") for c in decomposed
    )
    return _NON_WORD.sub(" ", ascii_text.lower()).strip()


def _strip_side(words: Sequence[str]) -> tuple[list[str], Side | None]:
    side: Side | None = None
    kept = []
    for w in words:
        if w in SIDE_WORDS:
            side = SIDE_WORDS[w]
        else:
            kept.append(w)
    return kept, side


@dataclass(frozen=True)
class _Term:
    structure_id: str
    field: str
    text: str  # normalised, side words removed
    words: tuple[str, ...]
    original: str


class SearchIndex:
    """A prepared index over one atlas; build once per loaded atlas, query on every keystroke.

    ``synonyms`` maps a term ("glute max") to structure ids; an id without a side suffix that is
    not itself in the atlas ("gluteus_maximus") stands for both sides.
    """

    def __init__(self, atlas: Atlas, synonyms: Mapping[str, Sequence[str]] | None = None) -> None:
        self.atlas = atlas
        self._order = {s.id: i for i, s in enumerate(atlas)}
        self._fma: dict[str, list[str]] = {}
        terms: list[_Term] = []
        for s in atlas:
            for fld, text in self._fields(s):
                terms.extend(self._terms(s.id, fld, text))
            if s.fma is not None:
                self._fma.setdefault(str(s.fma), []).append(s.id)
        for term, targets in (synonyms or {}).items():
            for sid in self.resolve_ids(targets):
                terms.extend(self._terms(sid, "synonym", term))
        self._terms_list = tuple(terms)

    # -- building ------------------------------------------------------------------------------
    @staticmethod
    def _fields(s: Structure) -> Iterable[tuple[str, str]]:
        yield "name", s.name
        if s.latin:
            yield "latin", s.latin
        yield "id", s.id.replace("_", " ")
        if s.plain_name:
            yield "plain_name", s.plain_name
            inner = re.search(r"\(([^)]*)\)", s.plain_name)
            if inner:  # "front side hip muscle (TFL)" -> "TFL" also matches exactly
                yield "plain_name", inner.group(1)

    @staticmethod
    def _terms(sid: str, fld: str, text: str) -> list[_Term]:
        words, _ = _strip_side(normalize(text).split())
        if not words:
            return []
        return [_Term(sid, fld, " ".join(words), tuple(words), text)]

    def resolve_ids(self, targets: Iterable[str]) -> list[str]:
        """Atlas ids named by synonym targets: exact ids, or side-free bases for both sides."""
        out: list[str] = []
        for target in targets:
            if target in self.atlas:
                out.append(target)
                continue
            for suffix in ("_right", "_left"):
                if target + suffix in self.atlas:
                    out.append(target + suffix)
        return out

    # -- querying ------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Ranked hits for ``query`` (best first, one per structure, at most ``limit``)."""
        words, side = _strip_side(normalize(query).split())
        q = " ".join(words)
        best: dict[str, tuple[float, str, str]] = {}

        def offer(sid: str, score: float, fld: str, text: str) -> None:
            if side is not None and self.atlas.get(sid).side not in (side,):
                return
            if sid not in best or score > best[sid][0]:
                best[sid] = (score, fld, text)

        if not q:
            if side is None:
                return []
            for s in self.atlas:  # "left" alone lists that side
                offer(s.id, SUBSTRING, "side", side.value)
        else:
            fma = _FMA.match(q)
            if fma:
                for sid in self._fma.get(fma.group(1), ()):
                    offer(sid, EXACT + FIELD_BONUS["fma"], "fma", fma.group(1))
            fuzzy_needed = True
            for t in self._terms_list:
                tier = self._tier(q, words, t)
                if tier is not None:
                    offer(t.structure_id, tier + FIELD_BONUS[t.field], t.field, t.original)
                    fuzzy_needed = fuzzy_needed and tier < SUBSTRING
            if len(q) >= 4 and (fuzzy_needed or len(best) < 3):
                cache: dict[str, float] = {}
                for t in self._terms_list:
                    ratio = self._fuzzy(q, words, t, cache)
                    if ratio >= FUZZY_THRESHOLD:
                        score = FUZZY_MAX * ratio + FIELD_BONUS[t.field] / 10.0
                        offer(t.structure_id, score, t.field, t.original)
        # Equal scores: a group ("Iliopsoas") before its parts, then atlas order.
        ranked = sorted(
            best.items(),
            key=lambda kv: (-kv[1][0], not self.atlas.children(kv[0]), self._order[kv[0]]),
        )
        return [
            SearchHit(sid, self.atlas.get(sid).name, fld, round(score, 3), text)
            for sid, (score, fld, text) in ranked[:limit]
        ]

    @staticmethod
    def _tier(q: str, words: Sequence[str], t: _Term) -> float | None:
        if t.text == q:
            return EXACT
        if t.text.startswith(q):
            return PREFIX
        if len(words) <= len(t.words) and all(
            any(tw.startswith(w) for tw in t.words) for w in words
        ):
            return WORD_PREFIX
        if q in t.text:
            return SUBSTRING
        return None

    @staticmethod
    def _fuzzy(q: str, words: Sequence[str], t: _Term, cache: dict[str, float]) -> float:
        """Best difflib ratio of the query against the whole term or, word by word, its words
        (``cache`` holds ratios already computed for this query: names share many words)."""
        best = 0.0
        candidates = [t.text] if len(words) > 1 else [t.text, *t.words]
        for cand in candidates:
            ratio = cache.get(cand)
            if ratio is None:
                m = SequenceMatcher(None, q, cand, autojunk=False)
                ratio = 0.0
                if m.real_quick_ratio() >= FUZZY_THRESHOLD and m.quick_ratio() >= FUZZY_THRESHOLD:
                    ratio = m.ratio()
                cache[cand] = ratio
            best = max(best, ratio)
        return best
