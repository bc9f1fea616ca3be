"""Scene state: what is visible, how opaque, what colour, what is selected.

Widgets and renderers observe this object through its psygnal signals and never talk to each
other directly. Each signal fires once per real change, so observers do not need echo guards
for state they did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from psygnal import Signal

from viewer.domain.bodies import NEUTRAL, check_body
from viewer.domain.camera import DEFAULT_VIEW, view_by_name
from viewer.domain.pose import STANDING, Pose
from viewer.domain.structures import Atlas, Kind

DEFAULT_OPACITY: Mapping[Kind, float] = MappingProxyType(
    {Kind.BONE: 1.0, Kind.MUSCLE: 1.0, Kind.SKIN: 0.25, Kind.LIGAMENT: 1.0, Kind.REGION: 0.5}
)
"""Opacity a structure starts with: the skin is a ghost so the muscles read through it."""

STARTING_GHOSTS: tuple[str, ...] = ("rectus_abdominis_right", "rectus_abdominis_left")
"""Structures that start as ghosts: the abdominal wall would cover the psoas, the story's
subject, in every front view (two flat planks with the psoas X's seemingly painted on them)."""

STARTING_GHOST_OPACITY = 0.15
"""Opacity of the starting ghosts: an outline for orientation, nothing that hides the psoas."""


@dataclass(frozen=True)
class SceneSnapshot:
    """An immutable copy of the scene state, for undo, pair views and saved scenes."""

    visible: Mapping[str, bool] = field(default_factory=dict)
    opacity: Mapping[str, float] = field(default_factory=dict)
    color: Mapping[str, str] = field(default_factory=dict)
    selection: str | None = None
    view: str = DEFAULT_VIEW
    pose: Pose = STANDING


class SceneState:
    """Observable per-structure display state for one atlas.

    Only structures with geometry hold state; actions on a group apply to all its leaves.

    Signals
    -------
    visibility_changed(tuple[str, ...])
        Ids whose visibility changed.
    opacity_changed(tuple[str, ...])
        Ids whose opacity changed.
    color_changed(tuple[str, ...])
        Ids whose colour changed.
    selection_changed(object)
        The new selected id, or ``None``.
    view_requested(str)
        A camera preset name the renderer should move to.
    body_changed(str)
        The body outline to show (``neutral``/``female``/``male``); whoever owns the meshes
        swaps the skin (:func:`viewer.bodyswitch.switch_body`).
    pose_changed(Pose)
        The body's posture changed (bones, muscles and skin follow).
    """

    visibility_changed = Signal(tuple)
    opacity_changed = Signal(tuple)
    color_changed = Signal(tuple)
    selection_changed = Signal(object)
    view_requested = Signal(str)
    body_changed = Signal(str)
    pose_changed = Signal(object)

    def __init__(self, atlas: Atlas, body: str = NEUTRAL) -> None:
        self.atlas = atlas
        self._visible: dict[str, bool] = {}
        self._opacity: dict[str, float] = {}
        self._color: dict[str, str] = {}
        self._selection: str | None = None
        self._view = DEFAULT_VIEW
        self._body = check_body(body)
        self.available_bodies: tuple[str, ...] = (NEUTRAL,)
        """Bodies the loaded atlas offers (set by whoever loads it)."""
        self._pose = STANDING
        self.length_source: Callable[[Pose], Iterable[Any]] | None = None
        """Muscle lengths of a pose (``MuscleLength`` records), set by whoever holds the posture
        model (the 3D view, an export); scenes asking for length colours use it."""
        self.tight_pose_source: Callable[[str], Pose] | None = None
        """The standing pose with one side's iliopsoas tight (``"right"``/``"left"``), from
        the balance model on this atlas's moment arms; set by whoever holds the posture model
        (the left-vs-right pair view's control and scenes use it)."""
        for s in atlas.renderable:
            self._visible[s.id] = True
            self._opacity[s.id] = DEFAULT_OPACITY.get(s.kind, 1.0)
            self._color[s.id] = s.color
        for sid in STARTING_GHOSTS:
            if sid in self._opacity:
                self._opacity[sid] = STARTING_GHOST_OPACITY

    # -- queries -------------------------------------------------------------------------------
    @property
    def body(self) -> str:
        """The body outline shown (``neutral``, ``female`` or ``male``)."""
        return self._body

    def set_body(self, body: str) -> None:
        """Show another body outline; signals only on change.

        ValueError for an unknown id or a body this atlas does not offer.
        """
        check_body(body)
        if body not in self.available_bodies:
            offered = ", ".join(self.available_bodies)
            raise ValueError(f"this atlas has no {body} body (offered: {offered})")
        if body != self._body:
            self._body = body
            self.body_changed.emit(body)

    def drawn_skins(self) -> tuple[str, ...]:
        """The skins drawn now: visible and not fully transparent (what covers the body)."""
        return tuple(
            s.id
            for s in self.atlas.renderable
            if s.kind is Kind.SKIN and self.is_visible(s.id) and self.opacity(s.id) > 0.0
        )

    def is_visible(self, structure_id: str) -> bool:
        """Visibility of a leaf; a group counts as visible when any of its leaves is."""
        leaves = self._leaves(structure_id)
        return any(self._visible[i] for i in leaves)

    def opacity(self, structure_id: str) -> float:
        """Opacity in [0, 1]; for a group, that of its first leaf."""
        return self._opacity[self._leaves(structure_id)[0]]

    def color(self, structure_id: str) -> str:
        """Current display colour ``#rrggbb`` of a leaf (or a group's first leaf)."""
        return self._color[self._leaves(structure_id)[0]]

    @property
    def selection(self) -> str | None:
        """The selected structure id (a leaf or a group), or ``None``."""
        return self._selection

    @property
    def view(self) -> str:
        """Name of the last camera preset requested."""
        return self._view

    @property
    def pose(self) -> Pose:
        """The current posture (standing unless changed)."""
        return self._pose

    @property
    def visible_ids(self) -> tuple[str, ...]:
        """Leaves currently shown, in atlas order."""
        return tuple(i for i, v in self._visible.items() if v)

    # -- actions -------------------------------------------------------------------------------
    def set_visible(self, ids: str | Iterable[str], visible: bool) -> None:
        """Show or hide structures (groups expand to their leaves)."""
        changed = []
        for leaf in self._expand(ids):
            if self._visible[leaf] != visible:
                self._visible[leaf] = visible
                changed.append(leaf)
        if changed:
            self.visibility_changed.emit(tuple(changed))

    def toggle(self, structure_id: str) -> None:
        """Flip visibility of a structure or group (a partly visible group becomes hidden)."""
        self.set_visible(structure_id, not self.is_visible(structure_id))

    def isolate(self, ids: str | Iterable[str]) -> None:
        """Show only the given structures; everything else is hidden."""
        keep = set(self._expand(ids))
        changed = []
        for leaf, was in self._visible.items():
            now = leaf in keep
            if was != now:
                self._visible[leaf] = now
                changed.append(leaf)
        if changed:
            self.visibility_changed.emit(tuple(changed))

    def show_all(self) -> None:
        """Make every structure visible again."""
        self.set_visible(list(self._visible), True)

    def set_opacity(self, ids: str | Iterable[str], value: float) -> None:
        """Set opacity (clamped to [0, 1]) of structures or groups."""
        value = min(1.0, max(0.0, float(value)))
        changed = []
        for leaf in self._expand(ids):
            if abs(self._opacity[leaf] - value) > 1e-9:
                self._opacity[leaf] = value
                changed.append(leaf)
        if changed:
            self.opacity_changed.emit(tuple(changed))

    def set_color(self, ids: str | Iterable[str], color: str) -> None:
        """Override the display colour (``#rrggbb``) of structures or groups."""
        changed = []
        for leaf in self._expand(ids):
            if self._color[leaf].lower() != color.lower():
                self._color[leaf] = color
                changed.append(leaf)
        if changed:
            self.color_changed.emit(tuple(changed))

    def select(self, structure_id: str | None) -> None:
        """Select a structure (or clear the selection with ``None``)."""
        if structure_id is not None and structure_id not in self.atlas:
            raise KeyError(f"no structure {structure_id!r} in the atlas")
        if structure_id != self._selection:
            self._selection = structure_id
            self.selection_changed.emit(structure_id)

    def request_view(self, name: str) -> None:
        """Ask the renderer to move the camera to a named preset (validated here)."""
        view_by_name(name)
        self._view = name
        self.view_requested.emit(name)

    def set_pose(self, pose: Pose) -> None:
        """Change the posture (emits ``pose_changed`` only on a real change)."""
        if pose != self._pose:
            self._pose = pose
            self.pose_changed.emit(pose)

    def snapshot(self) -> SceneSnapshot:
        """Capture the whole state, e.g. before entering a pair view."""
        return SceneSnapshot(
            visible=MappingProxyType(dict(self._visible)),
            opacity=MappingProxyType(dict(self._opacity)),
            color=MappingProxyType(dict(self._color)),
            selection=self._selection,
            view=self._view,
            pose=self._pose,
        )

    def restore(self, snap: SceneSnapshot) -> None:
        """Return to a snapshot, emitting only the changes; unknown ids are ignored."""
        for target, source, signal in (
            (self._visible, snap.visible, self.visibility_changed),
            (self._opacity, snap.opacity, self.opacity_changed),
            (self._color, snap.color, self.color_changed),
        ):
            changed = []
            for key, value in source.items():
                if key in target and target[key] != value:
                    target[key] = value  # type: ignore[assignment]
                    changed.append(key)
            if changed:
                signal.emit(tuple(changed))
        if snap.selection is None or snap.selection in self.atlas:
            self.select(snap.selection)
        self._view = snap.view
        self.set_pose(snap.pose)

    def reset(self) -> None:
        """Back to the state a fresh atlas starts in (all visible, default opacity and colour,
        the abdominal wall ghosted)."""
        self.restore(SceneState(self.atlas).snapshot())

    # -- helpers -------------------------------------------------------------------------------
    def _leaves(self, structure_id: str) -> tuple[str, ...]:
        leaves = tuple(i for i in self.atlas.leaves(structure_id) if i in self._visible)
        if not leaves:
            raise KeyError(f"no structure with geometry under {structure_id!r}")
        return leaves

    def _expand(self, ids: str | Iterable[str]) -> list[str]:
        items = [ids] if isinstance(ids, str) else list(ids)
        out: list[str] = []
        seen: set[str] = set()
        for sid in items:
            for leaf in self._leaves(sid):
                if leaf not in seen:
                    seen.add(leaf)
                    out.append(leaf)
        return out
