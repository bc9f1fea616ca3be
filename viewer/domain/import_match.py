"""Which atlas structure an imported file holds: by FMA ID, else by English or Latin name.

BodyParts3D names its files ``FJ33_BP4581_FMA22342_Right psoas major.obj`` and repeats the FMA
concept in the OBJ header; Z-Anatomy and Slicer exports carry only a name, often with a side
suffix (``Iliacus muscle.r``) or the Latin form. The FMA ID wins when the atlas knows it; names are
compared after the same normalisation on both sides (accents, case, punctuation, side words and
filler words such as "muscle" or "os" removed), so "Musculus iliacus dexter", "right iliacus" and
"Iliacus (right)" meet. No fuzzy matching: a wrong structure is worse than "not recognised",
which the user can fix by renaming the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from viewer.domain.search import SIDE_WORDS, normalize
from viewer.domain.structures import Atlas, Kind, Side

_SIDE_LETTERS: Mapping[str, Side] = {"l": Side.LEFT, "r": Side.RIGHT}
"""A trailing lone ``l``/``r`` (Z-Anatomy's ``.l``/``.r``, Slicer's ``_R``) is a side too."""

_FILLER = frozenset(
    {
        "muscle",
        "musculus",
        "musculi",
        "muscles",
        "m",
        "os",
        "ossa",
        "bone",
        "the",
        "of",
        "part",
        "segment",
        "model",
        "mesh",
    }
)

ALIASES: Mapping[str, str] = {
    "first lumbar vertebra": "vertebra_l1",
    "second lumbar vertebra": "vertebra_l2",
    "third lumbar vertebra": "vertebra_l3",
    "fourth lumbar vertebra": "vertebra_l4",
    "fifth lumbar vertebra": "vertebra_l5",
    "twelfth thoracic vertebra": "vertebra_t12",
    "twelfth rib": "rib_12",
    "coccyx": "sacrum",
    "sacrum": "sacrum",
    "coxal": "hip_bone",
    "innominate": "hip_bone",
    "pelvic": "hip_bone",
}
"""Names other atlases use for structures ours names differently (BodyParts3D spells vertebrae
as ordinals; our sacrum includes the coccyx, so a coccyx file is merged into it)."""

_FMA_IN_TEXT = re.compile(r"FMA[\s_:-]*(\d{1,7})", re.IGNORECASE)
_DATASET_TOKENS = re.compile(r"\b(?:FJ|BP|FMA)[\s_:-]*\d+\b", re.IGNORECASE)


@dataclass(frozen=True)
class Recognition:
    """What a file was recognised as.

    ``structure_id`` is the atlas id, or ``None`` with ``reason`` saying why not. ``base`` is
    the side-free id when the name gave no side for a paired structure (``side_from_position``
    then asks the caller to decide the side from where the registered mesh lies).
    """

    structure_id: str | None
    how: str = ""
    reason: str = ""
    base: str = ""
    side_from_position: bool = False


def fma_ids_in(text: str) -> list[int]:
    """Every ``FMA12345`` in a file name or header line."""
    return [int(m) for m in _FMA_IN_TEXT.findall(text)]


def name_of_file(stem: str) -> str:
    """The anatomical name in a file stem: BodyParts3D's ``FJ…``/``BP…``/``FMA…`` tokens and
    underscores removed (``FJ33_BP4581_FMA22342_Right psoas major`` -> ``Right psoas major``)."""
    text = _DATASET_TOKENS.sub(" ", stem.replace("_", " "))
    return " ".join(text.split())


def _variants(name: str) -> list[str]:
    """A name, then without its brackets, then each bracketed part with the outer side words
    (``left gluteus médius (Musculus gluteus medius sinister)``)."""
    inner = re.findall(r"\(([^)]*)\)", name)
    outer = re.sub(r"\([^)]*\)", " ", name).strip()
    _, side = _words_and_side(outer)
    side_word = f" {side.value}" if side is not None else ""
    return [name, outer, *(part + side_word for part in inner)]


def _words_and_side(text: str) -> tuple[tuple[str, ...], Side | None]:
    words = normalize(text).split()
    side: Side | None = None
    kept: list[str] = []
    for w in words:
        if w in SIDE_WORDS:
            side = SIDE_WORDS[w]
        elif w not in _FILLER:
            kept.append(w)
    if side is None and len(kept) > 1 and kept[-1] in _SIDE_LETTERS:
        side = _SIDE_LETTERS[kept[-1]]
        kept = kept[:-1]
    return tuple(kept), side


def _base_id(structure_id: str) -> str:
    for suffix in ("_left", "_right"):
        if structure_id.endswith(suffix):
            return structure_id[: -len(suffix)]
    return structure_id


class StructureMatcher:
    """Recognises imported files against one atlas (build once per import)."""

    def __init__(self, atlas: Atlas, synonyms: Mapping[str, Sequence[str]] | None = None) -> None:
        self.atlas = atlas
        self._fma: dict[int, str] = {s.fma: s.id for s in atlas if s.fma is not None}
        # Names and ids first; Latin and synonyms only fill keys names leave free (the upper and
        # lower psoas share the Latin name of the whole muscle, which names the group).
        keys: dict[str, set[str]] = {}
        latin: dict[str, set[str]] = {}

        def add(table: dict[str, set[str]], text: str, base: str) -> None:
            words, _ = _words_and_side(text)
            if words:
                table.setdefault(" ".join(words), set()).add(base)

        for s in atlas:
            if s.kind is Kind.REGION:
                continue
            base = _base_id(s.id)
            for text in (s.name, re.sub(r"\([^)]*\)", " ", s.name), s.id.replace("_", " ")):
                add(keys, text, base)
            if s.latin:
                add(latin, s.latin, base)
        for term, targets in (synonyms or {}).items():
            bases = {_base_id(t) for t in targets}
            if len(bases) == 1:  # "hip flexor" names four muscles: no file is "the" hip flexor
                add(latin, term, bases.pop())
        for key, bases in latin.items():
            keys.setdefault(key, bases)
        for text, base in ALIASES.items():
            if base in atlas or f"{base}_right" in atlas:
                keys[" ".join(_words_and_side(text)[0])] = {base}
        self._keys = keys

    def recognise(self, file_stem: str, header: Sequence[str] = ()) -> Recognition:
        """Recognise a file from its stem (no suffix) and its comment header lines."""
        for where, text in (("file name", file_stem), *(("header", h) for h in header)):
            for fma in fma_ids_in(text):
                sid = self._fma.get(fma)
                if sid is not None:
                    return Recognition(sid, f"FMA{fma} in the {where}")
        fmas = [f for t in (file_stem, *header) for f in fma_ids_in(t)]
        names = [name_of_file(file_stem)] + [
            h.split(":", 1)[1].strip()
            for h in header
            if ":" in h and re.search(r"english\s*name|^\W*name\b", h, re.IGNORECASE)
        ]
        for name in [v for n in names for v in _variants(n)]:
            hit = self.recognise_name(name)
            if hit.structure_id is not None or hit.base:
                return hit
        name = names[0] or file_stem
        if fmas:
            return Recognition(
                None,
                reason=f"FMA{fmas[0]} is not a structure of this atlas, and no structure is "
                f"called {name!r}",
            )
        return Recognition(None, reason=f"no structure of this atlas is called {name!r}")

    def recognise_name(self, name: str) -> Recognition:
        """Recognise an English or Latin name (with or without a side)."""
        words, side = _words_and_side(name)
        bases = self._keys.get(" ".join(words), set())
        if not bases:
            return Recognition(None, reason=f"no structure of this atlas is called {name!r}")
        if len(bases) > 1:
            return Recognition(None, reason=f"{name!r} could be any of {', '.join(sorted(bases))}")
        base = next(iter(bases))
        how = f"name {name!r}"
        if base in self.atlas:
            return Recognition(base, how)
        if side is None:
            return Recognition(None, how, base=base, side_from_position=True)
        sid = f"{base}_{side.value}"
        if sid in self.atlas:
            return Recognition(sid, how)
        return Recognition(None, reason=f"the atlas has no {side.value} {base.replace('_', ' ')}")

    def with_side(self, recognition: Recognition, centre_x: float) -> Recognition:
        """Decide the side of a side-less name from the registered mesh's centre (LPS: +x is
        the subject's left)."""
        side = Side.LEFT if centre_x > 0 else Side.RIGHT
        sid = f"{recognition.base}_{side.value}"
        if sid not in self.atlas:
            return Recognition(None, reason=f"the atlas has no {sid}")
        return Recognition(sid, recognition.how + f"; side {side.value} from its position")


def replaced_parts(atlas: Atlas, structure_id: str) -> tuple[str, ...]:
    """The structures with geometry an import of ``structure_id`` stands in for: itself, or the
    members of a group (an imported whole psoas major replaces its upper and lower parts)."""
    return atlas.leaves(structure_id)
