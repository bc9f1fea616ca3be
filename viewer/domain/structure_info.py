"""Study and patient facts about a structure: attachments, nerve, action, a plain one-liner.

The data is kept per *base* structure ("piriformis", "hip_bone") so one entry serves both sides;
:meth:`StructureInfoLibrary.info_for` resolves whatever the user picked (``piriformis_left``, the
part ``psoas_major_upper_right``, the group ``iliopsoas_right``) to the most specific entry. Facts
no cited source gives read :data:`NOT_LISTED`; the app never guesses anatomy. No Qt, no VTK.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from viewer.domain.structures import Atlas

NOT_LISTED = "not listed"
"""Shown for a fact that no cited source gives."""

SIDE_SUFFIXES = ("_right", "_left")


def base_id(structure_id: str) -> str:
    """``piriformis_left`` -> ``piriformis``; ids without a side suffix are returned unchanged."""
    for suffix in SIDE_SUFFIXES:
        if structure_id.endswith(suffix):
            return structure_id[: -len(suffix)]
    return structure_id


@dataclass(frozen=True)
class StructureInfo:
    """Facts about one base muscle or bone; ``kind`` is ``"muscle"`` or ``"bone"``."""

    id: str
    kind: str
    title: str
    plain: str
    origin: str = NOT_LISTED
    insertion: str = NOT_LISTED
    innervation: str = NOT_LISTED
    action: str = NOT_LISTED
    blood_supply: str = NOT_LISTED
    attached_muscles: tuple[str, ...] = ()
    pair_views: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    note: str = ""

    def facts(self, titles: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
        """(label, text) rows in the order an info panel or handout shows them; ``titles`` turns
        attached-muscle ids into names (see :meth:`StructureInfoLibrary.titles`)."""
        if self.kind == "bone":
            names = [(titles or {}).get(m, m.replace("_", " ")) for m in self.attached_muscles]
            rows = [("Muscles attached", ", ".join(names) or NOT_LISTED)]
        else:
            rows = [
                ("Origin", self.origin),
                ("Insertion", self.insertion),
                ("Nerve supply", self.innervation),
                ("Action", self.action),
            ]
        rows.append(("Blood supply", self.blood_supply))
        return tuple(rows)


@dataclass(frozen=True)
class StructureInfoLibrary:
    """All entries by base id; ``atlas`` (optional) lets parts and groups find their entry."""

    entries: Mapping[str, StructureInfo] = field(default_factory=lambda: MappingProxyType({}))
    atlas: Atlas | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[StructureInfo]:
        return iter(self.entries.values())

    def titles(self) -> Mapping[str, str]:
        """Base id -> display title of every entry."""
        return MappingProxyType({k: v.title for k, v in self.entries.items()})

    def info_for(self, structure_id: str) -> StructureInfo | None:
        """The entry for a picked structure: itself, its side-free base, then its nearest
        ancestor that has one (a psoas part -> psoas major); ``None`` when nothing applies."""
        chain = [structure_id]
        if self.atlas is not None and structure_id in self.atlas:
            chain.extend(self.atlas.ancestors(structure_id))
        for sid in chain:
            for key in (sid, base_id(sid)):
                if key in self.entries:
                    return self.entries[key]
        return None

    def structure_ids(self, info_id: str) -> tuple[str, ...]:
        """Atlas ids an entry covers: the id itself or its ``_right``/``_left`` forms."""
        if self.atlas is None:
            return ()
        if info_id in self.atlas:
            return (info_id,)
        return tuple(info_id + s for s in SIDE_SUFFIXES if info_id + s in self.atlas)
