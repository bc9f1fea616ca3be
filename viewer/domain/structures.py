"""Anatomical structures and the atlas that groups them.

A structure is identified by a stable id (``psoas_major_right``) so that annotations, scenes and
lessons can refer to it across atlas rebuilds. Groups (``iliopsoas_right``) are structures without
geometry of their own; their members carry the meshes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """What a structure is; drives grouping in the structures panel and default styling."""

    BONE = "bone"
    DISC = "disc"
    MUSCLE = "muscle"
    SKIN = "skin"
    LIGAMENT = "ligament"
    REGION = "region"
    GROUP = "group"


class Side(str, Enum):
    """Body side of a structure, in the subject's frame (not the viewer's)."""

    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"


REGION_TITLES: dict[str, str] = {
    "lumbar_spine": "Lumbar spine",
    "pelvis": "Pelvis",
    "hip_thigh": "Hip and thigh",
    "abdominal_wall": "Abdominal wall",
    "body_surface": "Body surface",
}
"""Display titles of the atlas regions, in the order the structures panel lists them."""

KIND_TITLES: dict[Kind, str] = {
    Kind.BONE: "Bones",
    Kind.DISC: "Intervertebral discs",
    Kind.MUSCLE: "Muscles",
    Kind.LIGAMENT: "Ligaments",
    Kind.SKIN: "Skin",
    Kind.REGION: "Regions",
    Kind.GROUP: "Groups",
}


@dataclass(frozen=True)
class Attachment:
    """Where a muscle attaches: the bone's structure id and whether it is origin or insertion.

    ``centre`` (atlas mm, standing) is the centroid of the muscle's fibre ends on that bone and
    ``fibres`` how many ends that is, when the atlas build says (its attachment areas are not in
    the meshes): a muscle's length path ends there, carried by that bone.
    """

    structure: str
    role: str
    centre: tuple[float, float, float] | None = None
    fibres: int = 0


@dataclass(frozen=True)
class Structure:
    """One named anatomical structure of the atlas.

    ``file``/``file_light`` are paths relative to the atlas folder; both are ``None`` for groups.
    ``color`` is the default display colour as ``#rrggbb``.
    """

    id: str
    name: str
    kind: Kind
    side: Side
    latin: str = ""
    fma: int | None = None
    parent: str | None = None
    region: str = "pelvis"
    file: str | None = None
    file_light: str | None = None
    source: tuple[str, ...] = ()
    licence: str = ""
    color: str = "#c8c8c8"
    plain_name: str = ""
    description: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def has_geometry(self) -> bool:
        """True when the structure has its own mesh (groups do not)."""
        return self.file is not None

    @property
    def rgb(self) -> tuple[float, float, float]:
        """Default colour as floats in [0, 1], the form renderers want."""
        return hex_to_rgb(self.color)


def hex_to_rgb(value: str) -> tuple[float, float, float]:
    """Convert ``#rrggbb`` to an (r, g, b) tuple of floats in [0, 1]."""
    text = value.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {value!r} is not of the form #rrggbb")
    r, g, b = (int(text[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
    return (r, g, b)


@dataclass(frozen=True)
class SourceInfo:
    """Where atlas data came from and under which licence (shown in the About box)."""

    id: str
    name: str
    version: str
    licence: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Atlas:
    """All structures of one atlas, with lookups that the rest of the app relies on.

    The atlas is immutable; what is shown, hidden or selected lives in :mod:`viewer.state`.
    """

    structures: tuple[Structure, ...]
    sources: tuple[SourceInfo, ...] = ()
    title: str = "Trigger Atlas"
    root: str = ""
    _by_id: dict[str, Structure] = field(init=False, repr=False, compare=False)
    _children: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {s.id: s for s in self.structures}
        children: dict[str, list[str]] = {}
        for s in self.structures:
            if s.parent is not None:
                children.setdefault(s.parent, []).append(s.id)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def __contains__(self, structure_id: object) -> bool:
        return structure_id in self._by_id

    def __iter__(self) -> Iterator[Structure]:
        return iter(self.structures)

    def __len__(self) -> int:
        return len(self.structures)

    def get(self, structure_id: str) -> Structure:
        """Return the structure with this id; ``KeyError`` names the id when it is unknown."""
        try:
            return self._by_id[structure_id]
        except KeyError:
            raise KeyError(f"no structure {structure_id!r} in the atlas") from None

    def children(self, structure_id: str) -> tuple[str, ...]:
        """Direct members of a group (empty for a leaf)."""
        return self._children.get(structure_id, ())

    def leaves(self, structure_id: str) -> tuple[str, ...]:
        """The structures with geometry under ``structure_id`` (itself if it has geometry)."""
        out: list[str] = []
        stack = [structure_id]
        while stack:
            sid = stack.pop()
            s = self._by_id.get(sid)
            if s is not None and s.has_geometry:
                out.append(sid)
            stack.extend(reversed(self.children(sid)))
        return tuple(out)

    def ancestors(self, structure_id: str) -> tuple[str, ...]:
        """Parents from the nearest up to the root; used to label a picked part by its muscle."""
        out: list[str] = []
        current = self._by_id.get(structure_id)
        while current is not None and current.parent is not None and current.parent not in out:
            out.append(current.parent)
            current = self._by_id.get(current.parent)
        return tuple(out)

    @property
    def renderable(self) -> tuple[Structure, ...]:
        """Structures that own a mesh, in manifest order."""
        return tuple(s for s in self.structures if s.has_geometry)

    def of_kind(self, kinds: Iterable[Kind]) -> tuple[Structure, ...]:
        """Structures whose kind is in ``kinds``, in manifest order."""
        wanted = set(kinds)
        return tuple(s for s in self.structures if s.kind in wanted)

    def mirror_id(self, structure_id: str) -> str | None:
        """The id of the same structure on the other side, if the atlas has it."""
        for a, b in (("_left", "_right"), ("_right", "_left")):
            if structure_id.endswith(a):
                other = structure_id[: -len(a)] + b
                return other if other in self._by_id else None
        return None


EMPTY_ATLAS = Atlas(structures=())
"""The atlas the app runs on when none is installed: it says so instead of crashing."""
