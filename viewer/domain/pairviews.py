"""Muscle-pair views: two muscles (or groups) shown against each other, as data.

A pair view says which structures form side A and side B, their colours, what stays visible as
ghosted context, where the camera looks from, which joints the muscles cross and along which lines
they pull. Everything anatomical is named (structure ids, landmark names), never given as
coordinates, and turned into points only when an atlas is loaded (:func:`resolve_pair`). Views are
authored for the right side; :func:`mirror_pair` gives the exact left-side mirror image.

Pure Python + NumPy: no Qt, no VTK. The scene a pair asks for is a
:class:`~viewer.state.scene.SceneSnapshot`, applied by :mod:`viewer.state.pairs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from viewer.domain.camera import CameraPreset, mirror
from viewer.domain.mechanics import (
    AXES,
    ENDS,
    Pull,
    Rotation,
    Turning,
    base_muscle,
    moment_about,
    pull_at,
    relative_forces,
    resultant_path,
)
from viewer.domain.structures import Atlas, Kind

if TYPE_CHECKING:  # type-only: the domain never imports the state layer at run time
    from viewer.state.scene import SceneSnapshot

Weights = tuple[tuple[str, float], ...]
"""Landmark names with weights; the point is their weighted mean."""

Landmarks = Mapping[str, Any]
"""Bony landmarks: name -> (3,) atlas-frame position (array-like), as ``landmarks.json`` holds them
(``viewer.io.annotations.load_bony_landmarks`` returns exactly this)."""

SIDES = ("right", "left")


class HasPoints(Protocol):
    """Anything with an (n, 3) array of vertex positions (e.g. ``MeshArrays``)."""

    @property
    def points(self) -> NDArray[Any]:
        """Vertex positions, atlas mm."""
        ...


def swap_side(name: str) -> str:
    """Swap the words ``left`` and ``right`` in an underscore-separated id or landmark name.

    ``psoas_major_upper_right`` -> ``psoas_major_upper_left``; midline names are unchanged, so a
    name swapped twice is the original.
    """
    return "_".join({"left": "right", "right": "left"}.get(w, w) for w in name.split("_"))


def weighted_point(
    landmarks: Landmarks, weights: Sequence[tuple[str, float]]
) -> NDArray[np.float64]:
    """The weighted mean of named landmarks, shape (3,).

    Raises ``KeyError`` naming the first missing landmark, ``ValueError`` if the weights sum to 0.
    """
    total = 0.0
    acc = np.zeros(3)
    for name, weight in weights:
        if name not in landmarks:
            raise KeyError(f"no landmark {name!r}")
        value = landmarks[name]
        acc += weight * np.asarray(getattr(value, "xyz", value), dtype=np.float64).reshape(3)
        total += weight
    if abs(total) < 1e-12:
        raise ValueError("landmark weights sum to zero")
    out: NDArray[np.float64] = acc / total
    return out


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineAnchor:
    """A point of a line of action, resolved against the loaded atlas.

    ``landmarks`` (weighted mean of named landmarks) is the primary definition. With ``snap`` the
    point moves onto the muscle: the centroid of the muscle vertices nearest to it, so the arrow
    starts where the muscle really is in this build. ``attachment`` (``"origin"`` or
    ``"insertion"``) is used when no landmarks are given: the muscle vertices closest to the bone
    the manifest names for that role.
    """

    landmarks: Weights = ()
    attachment: str | None = None
    snap: bool = True
    bone: str | None = None
    """Where the muscle meets this one bone (its vertices at their closest approach to it,
    :func:`near_bone`), for a muscle whose ``attachment`` role spans several bones; with
    ``landmarks`` too, the part of that contact nearest their weighted point. Quadratus
    lumborum inserts on the 12th rib and the L1-L4 transverse processes; the fibres from the
    iliac crest to the rib (its lateral part) are drawn from the rib contact nearest the crest
    to the crest contact nearest the crest top."""

    def mirrored(self) -> LineAnchor:
        """The same anchor on the other body side."""
        return replace(
            self,
            landmarks=tuple((swap_side(n), w) for n, w in self.landmarks),
            bone=swap_side(self.bone) if self.bone else None,
        )

    @property
    def landmark_names(self) -> tuple[str, ...]:
        """Names of the landmarks this anchor needs."""
        return tuple(n for n, _ in self.landmarks)


@dataclass(frozen=True)
class Joint:
    """A joint a muscle crosses, located as a weighted mean of landmarks.

    ``between`` names two bones whose facing surfaces form the joint (the sacroiliac joint:
    sacrum and hip bone): the joint dot then sits on the joint line itself, where the two
    meshes meet (:func:`joint_contact`), and the landmarks are only the fallback. A weighted
    mean of PSIS, S1 and the sciatic notch put the sacroiliac dot 11 mm medial of the joint,
    inside the sacrum, where it read as a spinal joint.
    """

    id: str
    title: str
    kind: str
    landmarks: Weights
    between: tuple[str, ...] = ()

    def mirrored(self) -> Joint:
        """The same joint on the other side (a midline joint maps to itself)."""
        return replace(
            self,
            id=swap_side(self.id),
            title=_swap_title(self.title),
            landmarks=tuple((swap_side(n), w) for n, w in self.landmarks),
            between=tuple(swap_side(b) for b in self.between),
        )


@dataclass(frozen=True)
class ActionLine:
    """The line along which one muscle (or muscle part) pulls: origin → via points → insertion.

    ``muscle`` is the structure whose geometry the anchors snap to; ``crosses`` are joint ids.
    """

    id: str
    muscle: str
    label: str
    origin: LineAnchor
    insertion: LineAnchor
    via: tuple[LineAnchor, ...] = ()
    crosses: tuple[str, ...] = ()

    def mirrored(self) -> ActionLine:
        """The same line on the other side."""
        return replace(
            self,
            id=swap_side(self.id),
            muscle=swap_side(self.muscle),
            label=_swap_title(self.label),
            origin=self.origin.mirrored(),
            insertion=self.insertion.mirrored(),
            via=tuple(a.mirrored() for a in self.via),
            crosses=tuple(swap_side(j) for j in self.crosses),
        )

    @property
    def anchors(self) -> tuple[LineAnchor, ...]:
        """Origin, via points and insertion, in order along the muscle."""
        return (self.origin, *self.via, self.insertion)


@dataclass(frozen=True)
class PairSide:
    """One side of a pair: structures painted in one colour, with their lines of action.

    ``muscles`` are the structure ids whose trigger points belong to this side (see
    :func:`trigger_muscles`); ``role`` is one plain sentence on what this side does here.
    """

    label: str
    structures: tuple[str, ...]
    color: str
    lines: tuple[ActionLine, ...] = ()
    role: str = ""
    pull: str = ""
    """What this side's straight arrow shows, in a few words for the key (``pulls the thigh up
    and forward: hip flexion``), when the view draws no turning for it."""
    pull_at: str = ""
    """``"origin"``/``"insertion"``: the end this side's straight arrow acts on, pinned there
    (:attr:`viewer.domain.mechanics.Pull.pinned`); with a ``rotation`` it must be the end the
    rotation's ``acts_on`` names, and only pins the arrow to it. Empty: the view's
    ``pulls_at`` (or the rotation's end), and the arrow may slide along its course or be drawn
    at either end. Pair 6's quadratus lumborum pulls the 12th rib down; left free, its arrow
    slid down the muscle's medial edge to L3, clear of the X's, and said nothing about the rib.
    Pair 4's upper psoas pulls its vertebrae from T12-L1; slid down past the ring round L2-L3
    it started at L3-L4, on the lower psoas's vertebrae."""
    via: str = ""
    """How this side reaches the bone its turning is drawn on when it does not attach to it, in
    a few words for the key (``through L5 and the pelvis; not attached to the sacrum``): psoas
    turns the sacrum only through the spine above it, and a key reading "psoas ...: toward
    nutation" beside a ring round the sacroiliac joint told a lecturer it pulled on the sacrum."""

    acts_through: LineAnchor | None = None
    """Where on this side's muscle its pull reaches the bone its turning is drawn on, when the
    muscle does not attach to that bone (see :attr:`via`): the arrow is drawn there, pinned,
    along the muscle's course from that point on (to its next point), and the turning is the
    moment of that pull. Psoas turns the sacrum only through L5 [S21]: pair 1 drew its arrow
    at its resultant origin (about L2), down to the pelvic brim, and nothing drawn acted at L5.
    Anchored where psoas meets L5 (``{"bone": "vertebra_l5", ...}``), the arrow shows the pull
    of its slips from L5 toward the brim: down and forward on L5, which sits on the sacrum.
    The whole muscle's force is drawn there: all its pull on the lumbar spine reaches the
    sacrum through the L5-S1 joint."""

    @property
    def crosses(self) -> tuple[str, ...]:
        """Joint ids crossed by this side's muscles, first mention first."""
        out: list[str] = []
        for line in self.lines:
            out += [j for j in line.crosses if j not in out]
        return tuple(out)

    def mirrored(self) -> PairSide:
        """The same side on the other body side."""
        return replace(
            self,
            label=_swap_title(self.label),
            structures=tuple(swap_side(s) for s in self.structures),
            lines=tuple(line.mirrored() for line in self.lines),
            acts_through=None if self.acts_through is None else self.acts_through.mirrored(),
        )


@dataclass(frozen=True)
class GhostRule:
    """How context structures look: those of ``kind`` (and, if given, among ``ids``).

    ``opacity`` 0 hides them; ``color`` ``None`` keeps each structure's current colour.
    ``see_through`` keeps a bone rule's own opacity below :data:`PAIR_BONE_OPACITY`: for a
    view whose subject lies behind those bones from its camera and is meant to be seen through
    them (pair 4 looks at the right psoas's slips from the left, through the lumbar bodies and
    the right hip bone).
    """

    kind: Kind | None
    opacity: float
    ids: tuple[str, ...] = ()
    color: str | None = None
    see_through: bool = False

    def mirrored(self) -> GhostRule:
        """The same rule with left/right ids swapped."""
        return replace(self, ids=tuple(swap_side(i) for i in self.ids))


DEFAULT_CONTEXT: tuple[GhostRule, ...] = (
    GhostRule(Kind.BONE, 0.3),
    GhostRule(Kind.MUSCLE, 0.08, color="#a0a0a0"),
    GhostRule(Kind.SKIN, 0.0),
)
"""Translucent bones, faint grey other muscles, no skin: what a pair view shows around A and B."""


@dataclass(frozen=True)
class PairView:
    """One muscle-pair view for one body side.

    ``side`` is the body side the view is authored for (``"right"`` or ``"left"``); ``key`` (1–6)
    is its keyboard number. ``explanation`` is 3–6 plain sentences citing ``sources`` (S-keys of
    the project's trigger-point notes); ``disagreement`` states where sources differ.
    ``focus`` pins the camera on named landmarks; without it the camera centres on A and B.
    ``rotation`` says which joint the two pulls turn (drawn as curved arrows); ``capacity`` holds
    force capacities in newtons by base muscle id (``psoas_major_upper``), which set arrow sizes.
    """

    id: str
    title: str
    key: int
    a: PairSide
    b: PairSide
    camera: CameraPreset
    joints: tuple[Joint, ...] = ()
    context: tuple[GhostRule, ...] = DEFAULT_CONTEXT
    explanation: str = ""
    disagreement: str = ""
    sources: tuple[str, ...] = ()
    focus: LineAnchor | None = None
    side: str = "right"
    muscle: str | None = None
    rotation: Rotation | None = None
    capacity: tuple[tuple[str, float], ...] = ()
    pulls_at: str = "insertion"
    """Where the force arrows act when no ``rotation`` says (``"origin"`` or ``"insertion"``)."""
    frame_also: tuple[str, ...] = ()
    """Structures the camera keeps in the picture besides both sides' muscles: pair 3 holds
    the pelvis level on the standing leg, so both hip bones must show, not only the right
    side's muscles."""

    @property
    def display_title(self) -> str:
        """Title with the side, for menus and the info panel; a view of both sides (left vs
        right) has no side to name."""
        sides = {sid.rsplit("_", 1)[-1] for sid in self.structures}
        if {"left", "right"} <= sides:
            return self.title
        return f"{self.title} ({self.side})"

    @property
    def structures(self) -> tuple[str, ...]:
        """All structure ids named by either side."""
        return self.a.structures + self.b.structures

    def joint(self, joint_id: str) -> Joint:
        """A joint of this view by id."""
        for j in self.joints:
            if j.id == joint_id:
                return j
        raise KeyError(f"pair view {self.id!r} has no joint {joint_id!r}")


@dataclass(frozen=True)
class PairTemplate:
    """A pair view parametrised by a muscle: its right side (A) against its left side (B).

    ``title`` and ``explanation`` may contain ``{muscle}`` (the muscle's plain name).
    """

    id: str
    title: str
    key: int
    color_a: str
    color_b: str
    camera: CameraPreset
    context: tuple[GhostRule, ...] = DEFAULT_CONTEXT
    explanation: str = ""
    disagreement: str = ""
    sources: tuple[str, ...] = ()
    default_muscle: str = "iliopsoas"
    cameras: Mapping[str, CameraPreset] = field(default_factory=lambda: MappingProxyType({}))
    pulls_at: str = "insertion"
    """Where the force arrows act: left vs right iliopsoas seen from the front pulls its
    origins (spine and pelvis) down in the picture's plane, where arrows at the lesser
    trochanters pointed at the camera and showed as stubs."""

    def camera_for(self, muscle: str) -> CameraPreset:
        """The camera for one muscle: a per-muscle override (posterior muscles) or the default."""
        return self.cameras.get(muscle, self.camera)


@dataclass(frozen=True)
class PairLibrary:
    """Everything read from ``pair_views.json``: views, templates and the tables they share.

    ``lines`` (by structure id) and ``joints`` (by joint id) hold both body sides.
    ``sources`` maps S-keys to full references; ``notice`` is the medical caution to show
    wherever pair views show pain patterns. ``force_capacity`` is (base muscle id, newtons) and
    ``capacity_note`` the one-line source of those numbers, for legends.
    """

    pairs: tuple[PairView, ...] = ()
    templates: tuple[PairTemplate, ...] = ()
    lines: Mapping[str, tuple[ActionLine, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    joints: Mapping[str, Joint] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    notice: str = ""
    force_capacity: tuple[tuple[str, float], ...] = ()
    capacity_note: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Pair view and template ids in key order."""
        entries = [(p.key, p.id) for p in self.pairs] + [(t.key, t.id) for t in self.templates]
        return tuple(i for _, i in sorted(entries))

    @property
    def keys(self) -> Mapping[int, str]:
        """Keyboard number → pair id."""
        out = {p.key: p.id for p in self.pairs}
        out.update({t.key: t.id for t in self.templates})
        return MappingProxyType(dict(sorted(out.items())))

    def title(self, pair_id: str) -> str:
        """Menu title of a pair view or template."""
        for p in self.pairs:
            if p.id == pair_id:
                return p.title
        return self.template(pair_id).title.replace("{muscle}", "one muscle")

    def is_template(self, pair_id: str) -> bool:
        """True when ``pair_id`` needs a muscle (the left-versus-right view)."""
        return any(t.id == pair_id for t in self.templates)

    def template(self, pair_id: str) -> PairTemplate:
        """A template by id."""
        for t in self.templates:
            if t.id == pair_id:
                return t
        raise KeyError(f"no pair view {pair_id!r}; choose one of: {', '.join(self.ids)}")

    def get(
        self,
        pair_id: str,
        side: str = "right",
        muscle: str | None = None,
        atlas: Atlas | None = None,
    ) -> PairView:
        """The pair view for ``side``; templates need ``atlas`` and take ``muscle``.

        For the left-versus-right template, ``side`` says which side is A.
        """
        if side not in SIDES:
            raise ValueError(f"side must be 'right' or 'left', not {side!r}")
        for p in self.pairs:
            if p.id == pair_id:
                return p if side == p.side else mirror_pair(p)
        template = self.template(pair_id)
        if atlas is None:
            raise ValueError(f"pair view {pair_id!r} is per muscle and needs the atlas")
        view = instantiate(template, muscle or template.default_muscle, atlas, self)
        return view if side == "right" else mirror_pair(view)


# -- resolved (geometry) -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ResolvedLine:
    """A line of action in atlas mm: ``points`` (k, 3), origin first, insertion last."""

    line: ActionLine
    side: str
    color: str
    points: NDArray[np.float64]

    @property
    def origin(self) -> NDArray[np.float64]:
        """Start of the arrow (3,)."""
        out: NDArray[np.float64] = self.points[0]
        return out

    @property
    def insertion(self) -> NDArray[np.float64]:
        """Tip of the arrow (3,)."""
        out: NDArray[np.float64] = self.points[-1]
        return out

    @property
    def direction(self) -> NDArray[np.float64]:
        """Unit vector of the last segment: the direction of pull at the insertion."""
        d = self.points[-1] - self.points[-2]
        n = float(np.linalg.norm(d))
        out: NDArray[np.float64] = d / n if n > 0 else d
        return out

    @property
    def length(self) -> float:
        """Path length along the polyline, mm."""
        return float(np.linalg.norm(np.diff(self.points, axis=0), axis=1).sum())


@dataclass(frozen=True, eq=False)
class ResolvedJoint:
    """A joint marker: position (3,) in atlas mm and which sides cross it (``"a"``, ``"b"``)."""

    joint: Joint
    point: NDArray[np.float64]
    crossed_by: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ResolvedPairView:
    """A pair view placed in one loaded atlas: arrows, joint markers and the camera with focus.

    ``notes`` lists what could not be placed (e.g. a muscle not in this atlas), in plain words.
    """

    pair: PairView
    lines: tuple[ResolvedLine, ...]
    joints: tuple[ResolvedJoint, ...]
    camera: CameraPreset
    notes: tuple[str, ...] = ()
    pulls: tuple[Pull, ...] = ()
    turnings: tuple[Turning, ...] = ()
    through: tuple[tuple[str, str, NDArray[np.float64]], ...] = ()
    """Per side with an :attr:`PairSide.acts_through` anchor: (side, the muscle it lies on,
    the point in atlas mm), where that side's pull is drawn and its moment taken."""

    def lines_of(self, side: str) -> tuple[ResolvedLine, ...]:
        """The arrows of side ``"a"`` or ``"b"``."""
        return tuple(r for r in self.lines if r.side == side)


# -- functions ---------------------------------------------------------------------------------


def _swap_title(text: str) -> str:
    return text.replace("(right)", "(\0)").replace("(left)", "(right)").replace("\0", "left")


def mirror_pair(pair: PairView) -> PairView:
    """Mirror a pair view through the midsagittal plane.

    Every structure, landmark and joint id swaps ``_left``/``_right``; the camera is mirrored
    with :func:`viewer.domain.camera.mirror` (x flipped). Applying it twice gives the original.
    """
    return replace(
        pair,
        a=pair.a.mirrored(),
        b=pair.b.mirrored(),
        camera=mirror(pair.camera),
        joints=tuple(j.mirrored() for j in pair.joints),
        context=tuple(r.mirrored() for r in pair.context),
        focus=None if pair.focus is None else pair.focus.mirrored(),
        frame_also=tuple(swap_side(s) for s in pair.frame_also),
        rotation=None if pair.rotation is None else pair.rotation.mirrored(),
        side={"right": "left", "left": "right"}.get(pair.side, pair.side),
    )


def lines_for(
    structure_id: str, atlas: Atlas, table: Mapping[str, tuple[ActionLine, ...]]
) -> tuple[ActionLine, ...]:
    """Lines of action of a structure: its own table entry, else its members' entries.

    A muscle with neither but with an origin and an insertion in the manifest gets one line
    between those attachments, so any muscle of an imported atlas can show an arrow.
    """
    if structure_id in table:
        return table[structure_id]
    out: list[ActionLine] = []
    for child in atlas.children(structure_id):
        out += lines_for(child, atlas, table)
    if out or structure_id not in atlas:
        return tuple(out)
    s = atlas.get(structure_id)
    roles = {a.role for a in s.attachments}
    if s.has_geometry and {"origin", "insertion"} <= roles:
        return (
            ActionLine(
                id=structure_id,
                muscle=structure_id,
                label=s.plain_name or s.name,
                origin=LineAnchor(attachment="origin"),
                insertion=LineAnchor(attachment="insertion"),
            ),
        )
    return ()


def instantiate(
    template: PairTemplate, muscle: str, atlas: Atlas, library: PairLibrary
) -> PairView:
    """The left-versus-right view of ``muscle`` (a base id such as ``iliopsoas``), right side A.

    Raises ``KeyError`` when the atlas lacks ``<muscle>_right`` or ``<muscle>_left``.
    """
    right, left = f"{muscle}_right", f"{muscle}_left"
    for sid in (right, left):
        if sid not in atlas:
            raise KeyError(f"the atlas has no {sid!r} for the left-versus-right view")
    # The anatomical name: pair views are lecture material, and a patient-style name such as
    # "hip flexor (iliopsoas)" doubled its brackets once the side was added.
    plain = atlas.get(right).name.replace(" (right)", "")
    lines_a = lines_for(right, atlas, library.lines)
    lines_b = lines_for(left, atlas, library.lines)
    joint_ids: list[str] = []
    for line in (*lines_a, *lines_b):
        joint_ids += [j for j in line.crosses if j not in joint_ids]
    return PairView(
        id=template.id,
        title=template.title.replace("{muscle}", plain),
        key=template.key,
        a=PairSide(f"{plain} (right)", (right,), template.color_a, lines_a),
        b=PairSide(f"{plain} (left)", (left,), template.color_b, lines_b),
        camera=template.camera_for(muscle),
        joints=tuple(library.joints[j] for j in joint_ids if j in library.joints),
        context=template.context,
        explanation=template.explanation.replace("{muscle}", plain),
        disagreement=template.disagreement,
        sources=template.sources,
        side="right",
        muscle=muscle,
        capacity=library.force_capacity,
        pulls_at=template.pulls_at,
    )


def bilateral_muscles(atlas: Atlas) -> tuple[str, ...]:
    """Base ids (``iliopsoas``) of muscles and muscle groups present on both sides."""
    out: list[str] = []
    for s in atlas.structures:
        if s.kind not in (Kind.MUSCLE, Kind.GROUP) or not s.id.endswith("_right"):
            continue
        leaves = atlas.leaves(s.id)
        if not leaves or not all(atlas.get(i).kind is Kind.MUSCLE for i in leaves):
            continue
        if atlas.mirror_id(s.id) is not None:
            out.append(s.id[: -len("_right")])
    return tuple(out)


def side_leaves(side: PairSide, atlas: Atlas) -> tuple[str, ...]:
    """Structures with geometry painted in this side's colour."""
    out: list[str] = []
    for sid in side.structures:
        out += [leaf for leaf in atlas.leaves(sid) if leaf not in out]
    return tuple(out)


def trigger_muscles(side: PairSide, atlas: Atlas) -> frozenset[str]:
    """Structure ids whose trigger points belong to ``side``: its structures and all members.

    The app keeps a trigger point when its muscle id is in this set, so pair views do not depend
    on trigger-point ids.
    """
    out: set[str] = set()
    stack = list(side.structures)
    while stack:
        sid = stack.pop()
        if sid in out:
            continue
        out.add(sid)
        stack.extend(atlas.children(sid))
    return frozenset(out)


def _match(rule: GhostRule, kind: Kind, leaf: str, atlas: Atlas) -> bool:
    if rule.kind is not None and rule.kind is not kind:
        return False
    if not rule.ids:
        return True
    return any(leaf == i or leaf in atlas.leaves(i) for i in rule.ids)


PAIR_BONE_OPACITY = 0.7
"""Least opacity of a pair view's bones, whatever its context asks: solid enough that a muscle
lying behind bone from the camera reads as behind it (bone colour, the muscle a faint tint:
two bone faces at 0.7 let 9 % through), while the muscle keeps its own colour wherever no bone
covers it. At 0.3 a lecturer saw pair 3's psoas, seen from behind, painted over the transverse
processes "like a muscle of the back" (37 % of its pixels behind bone were visibly wine, see
tests/test_pair_deep_muscles.py); an atlas draws the bones in front of a deep muscle. A rule
marked ``see_through`` opts out, for a view meant as an x-ray through named bones; its
trigger points behind them still draw in the deep style (marker_depth: bone however faint)."""


def pair_scene(pair: PairView, atlas: Atlas, base: SceneSnapshot) -> SceneSnapshot:
    """The scene a pair view asks for, as a new ``SceneSnapshot`` built on ``base``.

    Side A leaves: visible, opaque, colour A. Side B: visible, opaque, colour B. Other leaves:
    the first matching context rule gives opacity (0 = hidden) and colour, a shown bone at
    least :data:`PAIR_BONE_OPACITY`; unmatched leaves are hidden. Hidden leaves keep their base
    opacity and colour. Selection survives only if visible; the view name is kept (the pair's
    camera travels with the resolved pair view).
    """
    a = set(side_leaves(pair.a, atlas))
    b = set(side_leaves(pair.b, atlas))
    visible: dict[str, bool] = {}
    opacity: dict[str, float] = {}
    color: dict[str, str] = {}
    for leaf in base.visible:
        opacity[leaf] = base.opacity.get(leaf, 1.0)
        color[leaf] = base.color.get(leaf, "#c8c8c8")
        if leaf in a or leaf in b:
            visible[leaf] = True
            opacity[leaf] = 1.0
            color[leaf] = pair.a.color if leaf in a else pair.b.color
            continue
        kind = atlas.get(leaf).kind if leaf in atlas else Kind.REGION
        rule = next((r for r in pair.context if _match(r, kind, leaf, atlas)), None)
        if rule is None or rule.opacity <= 0.0:
            visible[leaf] = False
            continue
        visible[leaf] = True
        opacity[leaf] = rule.opacity
        if kind is Kind.BONE and not rule.see_through:
            opacity[leaf] = max(rule.opacity, PAIR_BONE_OPACITY)
        if rule.color is not None:
            color[leaf] = rule.color
    selection = base.selection
    if selection is not None and not any(visible.get(i, False) for i in atlas.leaves(selection)):
        selection = None
    return replace(
        base,
        visible=MappingProxyType(visible),
        opacity=MappingProxyType(opacity),
        color=MappingProxyType(color),
        selection=selection,
    )


def _points_of(ids: Iterable[str], atlas: Atlas, meshes: Mapping[str, HasPoints]) -> Any:
    arrays = []
    for sid in ids:
        for leaf in atlas.leaves(sid) if sid in atlas else ():
            mesh = meshes.get(leaf)
            if mesh is not None and len(mesh.points):
                arrays.append(np.asarray(mesh.points, dtype=np.float64))
    return np.concatenate(arrays) if arrays else None


def snap_to_points(point: NDArray[np.float64], points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Centroid of the vertices nearest ``point`` (2 % of them, at least 8).

    Using a small neighbourhood instead of the single nearest vertex keeps the anchor inside the
    muscle's end rather than on one surface facet, and stable under remeshing.
    """
    d2 = np.einsum("ij,ij->i", points - point, points - point)
    k = int(min(len(points), max(8, len(points) // 50)))
    idx = np.argpartition(d2, k - 1)[:k]
    out: NDArray[np.float64] = points[idx].mean(axis=0)
    return out


def bone_contact(
    muscle_points: NDArray[np.float64], bone_points: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The muscle vertices within 5 mm of their closest approach to a bone."""
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(bone_points).query(muscle_points)
    close = dist <= float(dist.min()) + 5.0
    out: NDArray[np.float64] = muscle_points[close]
    return out


def near_bone(muscle_points: NDArray[np.float64], bone_points: NDArray[np.float64]) -> Any:
    """Centroid of the muscle vertices within 5 mm of their closest approach to a bone."""
    return bone_contact(muscle_points, bone_points).mean(axis=0)


CONTACT_BAND_MM = 4.0
"""Vertices within this of two bones' closest approach make up their joint surface."""


def joint_contact(
    first: NDArray[np.float64], second: NDArray[np.float64], band_mm: float = CONTACT_BAND_MM
) -> NDArray[np.float64]:
    """Middle of the joint line between two bones (vertex arrays): the centroid of the vertices
    of each bone lying within ``band_mm`` of the other's closest approach, averaged over both."""
    from scipy.spatial import cKDTree

    sides = []
    for mine, other in ((first, second), (second, first)):
        tree = cKDTree(other)
        # Only vertices near the closest approach matter, so most of ``mine`` need no exact
        # distance: a sample's nearest distance bounds the closest approach from above, and
        # the query stops at that bound plus the band (the same vertices are selected as
        # with every distance computed; a pair view resolves in a third of the time).
        sample, _ = tree.query(mine[:: max(1, len(mine) // 256)])
        bound = float(sample.min()) + band_mm
        dist, _ = tree.query(mine, distance_upper_bound=bound * (1.0 + 1e-9) + 1e-9)
        sides.append(mine[dist <= float(dist.min()) + band_mm].mean(axis=0))
    out: NDArray[np.float64] = (sides[0] + sides[1]) / 2.0
    return out


def resolve_anchor(
    anchor: LineAnchor,
    muscle: str,
    atlas: Atlas,
    landmarks: Landmarks,
    meshes: Mapping[str, HasPoints],
) -> NDArray[np.float64]:
    """Place one anchor of ``muscle``'s line; raises ``KeyError``/``ValueError`` with a reason."""
    muscle_points = _points_of((muscle,), atlas, meshes)
    if anchor.bone is not None:
        if muscle_points is None:
            raise ValueError(f"{muscle!r} has no geometry to find where it meets {anchor.bone}")
        bone_points = _points_of((anchor.bone,), atlas, meshes)
        if bone_points is None:
            raise ValueError(f"no bone geometry for {anchor.bone!r}")
        contact = bone_contact(muscle_points, bone_points)
        if anchor.landmarks:
            return snap_to_points(weighted_point(landmarks, anchor.landmarks), contact)
        found: NDArray[np.float64] = contact.mean(axis=0)
        return found
    if anchor.landmarks:
        point = weighted_point(landmarks, anchor.landmarks)
        if anchor.snap and muscle_points is not None:
            point = snap_to_points(point, muscle_points)
        return point
    if anchor.attachment is None:
        raise ValueError("anchor has neither landmarks nor an attachment role")
    if muscle_points is None:
        raise ValueError(f"{muscle!r} has no geometry to find its {anchor.attachment} on")
    bones = [
        a.structure
        for sid in (muscle, *atlas.ancestors(muscle))
        if sid in atlas
        for a in atlas.get(sid).attachments
        if a.role == anchor.attachment
    ]
    bone_points = _points_of(bones, atlas, meshes)
    if bone_points is None:
        raise ValueError(f"no bone geometry for the {anchor.attachment} of {muscle!r}")
    out: NDArray[np.float64] = near_bone(muscle_points, bone_points)
    return out


def resolve_pair(
    pair: PairView,
    atlas: Atlas,
    landmarks: Landmarks,
    meshes: Mapping[str, HasPoints],
) -> ResolvedPairView:
    """Turn a pair view into geometry for one loaded atlas (pure NumPy; the renderer draws it).

    Lines that cannot be placed (muscle or landmark missing) are left out and explained in
    ``notes``; a joint whose landmarks are missing likewise. The camera gets a focus: the view's
    ``focus`` landmarks, else the centre of the bounding box of A and B, else of the arrows.
    """
    notes: list[str] = []
    lines: list[ResolvedLine] = []
    for side_name, side in (("a", pair.a), ("b", pair.b)):
        for line in side.lines:
            try:
                pts = [
                    resolve_anchor(anchor, line.muscle, atlas, landmarks, meshes)
                    for anchor in line.anchors
                ]
            except (KeyError, ValueError) as exc:
                notes.append(f"line {line.label!r} not shown: {exc.args[0]}")
                continue
            lines.append(ResolvedLine(line, side_name, side.color, np.vstack(pts)))
    joints: list[ResolvedJoint] = []
    for joint in pair.joints:
        try:
            point = weighted_point(landmarks, joint.landmarks)
        except (KeyError, ValueError) as exc:
            notes.append(f"joint {joint.title!r} not shown: {exc.args[0]}")
            continue
        bones = [_points_of((b,), atlas, meshes) for b in joint.between]
        if len(bones) == 2 and bones[0] is not None and bones[1] is not None:
            point = joint_contact(bones[0], bones[1])
        crossed = tuple(n for n, s in (("a", pair.a), ("b", pair.b)) if joint.id in s.crosses)
        joints.append(ResolvedJoint(joint, point, crossed))
    focus = _focus(pair, atlas, landmarks, meshes, lines)
    camera = replace(
        pair.camera,
        focus=None if focus is None else (float(focus[0]), float(focus[1]), float(focus[2])),
    )
    through: list[tuple[str, str, NDArray[np.float64]]] = []
    for side_name, side in (("a", pair.a), ("b", pair.b)):
        if side.acts_through is None or not side.structures:
            continue
        try:
            point = resolve_anchor(side.acts_through, side.structures[0], atlas, landmarks, meshes)
        except (KeyError, ValueError) as exc:
            notes.append(f"{side.label!r} drawn at its attachment: {exc.args[0]}")
            continue
        through.append((side_name, side.structures[0], point))
    pulls = resultant_pulls(pair, atlas, lines, {s: p for s, _m, p in through})
    turnings = joint_turnings(pair, pulls, joints, notes)
    return ResolvedPairView(
        pair, tuple(lines), tuple(joints), camera, tuple(notes), pulls, turnings, tuple(through)
    )


def path_through(path: NDArray[np.floating], point: NDArray[np.floating], at: str) -> NDArray[
    np.float64
]:
    """A muscle's course (origin first) acting at ``point`` instead of its ``at`` end: from
    ``point`` on along the course, starting at the course point after the segment ``point``
    lies nearest (origin side) or ending at the one before it (insertion side). Psoas's
    resultant course runs from about L2 to the pelvic brim; acting through L5 it runs from
    where psoas meets L5 to the brim and on to the femur."""
    pts = np.asarray(path, dtype=np.float64)
    p = np.asarray(point, dtype=np.float64)
    if at not in ENDS:
        raise ValueError(f"pull must act at 'origin' or 'insertion', not {at!r}")
    if at == "insertion":
        return path_through(pts[::-1], p, "origin")[::-1].copy()
    a, b = pts[:-1], pts[1:]
    ab = b - a
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab),
                                                               1e-12), 0.0, 1.0)
    nearest = int(np.argmin(np.linalg.norm(a + t[:, None] * ab - p, axis=1)))
    out: NDArray[np.float64] = np.vstack([p, pts[nearest + 1 :]])
    return out


def resultant_pulls(
    pair: PairView,
    atlas: Atlas,
    lines: Sequence[ResolvedLine],
    through: Mapping[str, NDArray[np.float64]] | None = None,
) -> tuple[Pull, ...]:
    """One resultant pull per structure a side names (psoas, iliopsoas, gluteus medius, ...).

    The parts' courses are averaged weighted by force capacity (:func:`resultant_path`); the
    pull acts at the end named by the view's rotation (default: the insertion), or, for a side
    in ``through`` (side -> point, see :attr:`PairSide.acts_through`), at that point, along
    the course from there (:func:`path_through`). Lengths are relative to the strongest pull
    of the view.
    """
    capacity = dict(pair.capacity)
    found: list[tuple[str, str, str, str, NDArray[np.float64], float | None]] = []
    for side_name, side in (("a", pair.a), ("b", pair.b)):
        for sid in side.structures:
            units: dict[str, list[ResolvedLine]] = {}
            for r in lines:
                if r.side != side_name:
                    continue
                chain = (r.line.muscle, *atlas.ancestors(r.line.muscle))
                if sid not in chain:
                    continue
                below = chain[: chain.index(sid) + 1]
                # The muscle is the largest structure (up to this side's) with a known capacity:
                # psoas for its two parts, iliacus apart from psoas within iliopsoas.
                named = [c for c in below if base_muscle(c) in capacity]
                units.setdefault(named[-1] if named else sid, []).append(r)
            for unit, members in units.items():
                forces = [capacity.get(base_muscle(r.line.muscle)) for r in members]
                weights = [float(f) if f is not None else 1.0 for f in forces]
                path = resultant_path([r.points for r in members], weights)
                total = capacity.get(base_muscle(unit))
                if total is None and all(f is not None for f in forces):
                    total = float(sum(weights))
                label = _structure_label(unit, atlas, members)
                found.append((side_name, unit, label, side.color, path, total))
    rel = relative_forces([f[5] for f in found])
    out: list[Pull] = []
    for (side_name, sid, label, color, path, force), share in zip(found, rel, strict=True):
        side = pair.a if side_name == "a" else pair.b
        if pair.rotation is not None:
            at = pair.rotation.at(side_name)
        else:
            at = side.pull_at or pair.pulls_at
        acts_through = through is not None and side_name in through
        if acts_through and through is not None:
            path = path_through(path, through[side_name], at)
        try:
            point, direction = pull_at(path, at)
        except ValueError:
            continue
        end_named = pair.rotation is not None or bool(side.pull_at)
        out.append(
            Pull(
                side_name,
                sid,
                label,
                color,
                path,
                at,
                point,
                direction,
                force,
                share,
                end_named,
                pinned=bool(side.pull_at) or acts_through,
            )
        )
    return tuple(out)


def _structure_label(sid: str, atlas: Atlas, members: Sequence[ResolvedLine]) -> str:
    if len(members) == 1 and members[0].line.muscle == sid:
        return members[0].line.label
    if sid in atlas:
        s = atlas.get(sid)
        return s.name or s.plain_name
    return sid


def joint_turnings(
    pair: PairView,
    pulls: Sequence[Pull],
    joints: Sequence[ResolvedJoint],
    notes: list[str] | None = None,
) -> tuple[Turning, ...]:
    """The moment of each side's total pull about the view's joint axis (none without one).

    A side with several muscles (gluteus medius and minimus) adds their moments. Strength in
    newtons when known; otherwise each pull counts as 1 N and only the sign means anything.
    """
    rot = pair.rotation
    if rot is None:
        return ()
    axis = np.asarray(AXES.get(rot.axis, AXES["mediolateral"]), dtype=np.float64)
    placed = {j.joint.id: j for j in joints}
    out: list[Turning] = []
    for side_name, side in (("a", pair.a), ("b", pair.b)):
        if not rot.turns_side(side_name):
            continue
        mine = [p for p in pulls if p.side == side_name]
        joint = placed.get(rot.joint_of(side_name))
        if not mine or joint is None:
            if notes is not None and mine:
                notes.append(f"joint {rot.joint_of(side_name)!r} not placed; no turning shown")
            continue
        moment = sum(
            moment_about(p.point, p.direction * (p.force_n or 1.0), joint.point, axis)
            for p in mine
        )
        sense = rot.positive if moment > 0 else rot.negative if moment < 0 else "none"
        out.append(
            Turning(
                side_name,
                side.label,
                side.color,
                joint.joint.id,
                joint.joint.title,
                joint.point,
                axis,
                float(moment),
                sense,
                rot.level_of(side_name),
                rot.fallbacks_of(side_name),
                rot.arc_deg,
            )
        )
    return tuple(out)


def _focus(
    pair: PairView,
    atlas: Atlas,
    landmarks: Landmarks,
    meshes: Mapping[str, HasPoints],
    lines: Sequence[ResolvedLine],
) -> NDArray[np.float64] | None:
    if pair.focus is not None and pair.focus.landmarks:
        try:
            return weighted_point(landmarks, pair.focus.landmarks)
        except (KeyError, ValueError):
            pass
    pts = _points_of(pair.structures, atlas, meshes)
    if pts is None and lines:
        pts = np.vstack([r.points for r in lines])
    if pts is None:
        return None
    out: NDArray[np.float64] = (pts.min(axis=0) + pts.max(axis=0)) / 2.0
    return out


# -- compare mode ------------------------------------------------------------------------------

NEITHER = 0
A_ONLY = 1
B_ONLY = 2
BOTH = 3
DIFFERENCE_LABELS: Mapping[int, str] = MappingProxyType(
    {NEITHER: "neither", A_ONLY: "A only", B_ONLY: "B only", BOTH: "both"}
)


def difference(
    heat_a: NDArray[Any], heat_b: NDArray[Any], threshold: float = 0.1
) -> NDArray[np.int8]:
    """Classify skin vertices by which side's referral reaches them.

    Parameters
    ----------
    heat_a, heat_b : (n,) arrays of per-vertex referral weights in [0, 1] for sides A and B
    threshold : weight above which a vertex counts as reached

    Returns
    -------
    (n,) int8 array of ``NEITHER`` (0), ``A_ONLY`` (1), ``B_ONLY`` (2) or ``BOTH`` (3).
    """
    a = np.asarray(heat_a)
    b = np.asarray(heat_b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"heat arrays must be 1-D and equal in length, got {a.shape}, {b.shape}")
    out: NDArray[np.int8] = (a > threshold).astype(np.int8) + 2 * (b > threshold).astype(np.int8)
    return out


def difference_counts(classes: NDArray[np.int8]) -> dict[str, int]:
    """Vertex count per class label, for the compare-mode legend."""
    counts = np.bincount(np.asarray(classes, dtype=np.int64), minlength=4)
    return {DIFFERENCE_LABELS[i]: int(counts[i]) for i in range(4)}


OVERLAP_CANDIDATES: tuple[str, ...] = ("#332288", "#222255", "#4B0055", "#160F55", "#000000")
"""Colours compare mode may use for skin both sides' pain reaches, in order of preference:
Paul Tol's indigo first, then other dark, saturated colours. "Both" is a solid colour of its
own: hatching means spillover in every other view, so it must not mean "both" here. Between
the pair colours (Tol wine L* 32, teal L* 64; formerly Okabe–Ito blue L* 46, orange L* 72) and
the skin (L* 78) a dark colour stays apart best in a greyscale print. Against Tol wine only a
very dark one does (L* about 10): a deep indigo, ahead of black, which on skin read as a hole
or a bruise to a lecturer thinking of patients."""


def overlap_color(color_a: str, color_b: str, skin: str = "#e0b89a") -> str:
    """The colour for "both": the first candidate that stays apart from A, B and the skin.

    Apart means what :func:`viewer.domain.palette.pair_contrast` asks of paired colours: a CIE76
    ΔE of at least 20 under normal vision and each simulated dichromacy, and at least 20 L*
    (greyscale). If none qualifies, the candidate with the largest worst-case distance is used.
    """
    from viewer.domain.palette import pair_contrast

    def score(c: str) -> float:
        return min(
            min(pc.min_delta_e, pc.delta_lightness)
            for pc in (pair_contrast(c, other) for other in (color_a, color_b, skin))
        )

    pool = [c for c in OVERLAP_CANDIDATES if c.upper() not in {color_a.upper(), color_b.upper()}]
    for c in pool:
        if all(pair_contrast(c, other).ok for other in (color_a, color_b, skin)):
            return c
    return max(pool, key=score)


def compare_frame(
    skin_points: NDArray[np.floating], classes: NDArray[np.integer], margin_mm: float = 60.0
) -> NDArray[np.float64]:
    """Skin points a front or back view must show so that every reached zone is complete.

    The height band runs from the lowest to the highest reached vertex, widened by
    ``margin_mm``; the skin in that band is kept so the body's outline frames the zones, but
    only as far sideways as the zones reach plus the margin (hanging arms would otherwise
    shrink the picture). Without any reached vertex the band is the pelvis and low back
    (z from -250 to 350 mm, the trunk's width).
    """
    pts = np.asarray(skin_points, dtype=np.float64)
    reached = pts[np.asarray(classes) != NEITHER]
    if len(reached):
        lo, hi = float(reached[:, 2].min()) - margin_mm, float(reached[:, 2].max()) + margin_mm
        side = float(np.abs(reached[:, 0]).max()) + margin_mm
    else:
        lo, hi, side = -250.0, 350.0, 220.0
    side = max(side, 200.0)  # at least the hips, so a one-sided zone keeps the body's midline
    band = pts[(pts[:, 2] >= lo) & (pts[:, 2] <= hi) & (np.abs(pts[:, 0]) <= side)]
    out: NDArray[np.float64] = band if len(band) else pts
    return out
