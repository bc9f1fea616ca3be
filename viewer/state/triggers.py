"""Trigger-point display state: which trigger points are active, how heat maps combine, markers.

Observed by the renderer (markers, skin colours) and the panels; no Qt, no VTK. Each signal
fires once per real change. The state holds ids only; the heat map itself comes from
:class:`viewer.heatmap.model.ReferralModel` using :meth:`TriggerPointState.heat_request`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from psygnal import Signal


class CombineMode(str, Enum):
    """How the heat map is chosen.

    SELECTED: the patterns of the active trigger points; MUSCLE: every trigger point of one
    muscle (or group) at once.
    """

    SELECTED = "selected"
    MUSCLE = "muscle"


@dataclass(frozen=True)
class HeatRequest:
    """What the heat map should show now: the renderer passes this to the referral model."""

    mode: CombineMode
    trigger_points: tuple[str, ...]
    muscle: str | None
    visible: bool
    members: tuple[str, ...] = ()
    """The muscle ids ``muscle`` stands for (itself, or the members of a group)."""

    def trigger_point_ids(self, of_muscle: Mapping[str, str]) -> tuple[str, ...]:
        """The trigger points to combine, given ``trigger point id -> muscle id``."""
        if not self.visible:
            return ()
        if self.mode is CombineMode.MUSCLE:
            wanted = set(self.members) or ({self.muscle} if self.muscle else set())
            return tuple(t for t, m in of_muscle.items() if m in wanted)
        return self.trigger_points


@dataclass(frozen=True)
class TriggerSnapshot:
    """Everything :class:`TriggerPointState` holds, to put back exactly (presenter mode)."""

    active: tuple[str, ...]
    mode: CombineMode
    muscle: str | None
    heat_visible: bool
    markers: tuple[tuple[str, bool], ...]


class TriggerPointState:
    """Observable trigger-point state for one set of trigger points.

    Parameters
    ----------
    muscle_of : trigger point id -> muscle id (both sides), e.g. from
        ``{t.id: t.muscle for t in model.trigger_points.values()}``
    groups : optional group id -> member muscle ids (``iliopsoas_right`` -> psoas parts and
        iliacus), so MUSCLE mode can show a whole group, e.g. from ``Atlas.leaves``

    Signals
    -------
    active_changed(tuple[str, ...])
        The new active trigger point ids (in activation order).
    mode_changed(str)
        The new :class:`CombineMode` value.
    muscle_changed(object)
        The muscle whose trigger points are combined in MUSCLE mode, or ``None``.
    markers_changed(tuple[str, ...])
        Muscle ids whose marker visibility changed.
    heat_visible_changed(bool)
        Whether the heat map is shown at all.
    heat_changed(object)
        A new :class:`HeatRequest`, after any change that alters the heat map.
    """

    active_changed = Signal(tuple)
    mode_changed = Signal(str)
    muscle_changed = Signal(object)
    markers_changed = Signal(tuple)
    heat_visible_changed = Signal(bool)
    heat_changed = Signal(object)

    def __init__(
        self, muscle_of: Mapping[str, str], groups: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self.muscle_of: dict[str, str] = dict(muscle_of)
        used = set(self.muscle_of.values())
        self.groups: dict[str, tuple[str, ...]] = {
            g: tuple(m for m in members if m in used) for g, members in (groups or {}).items()
        }
        self.groups = {g: ms for g, ms in self.groups.items() if ms}
        self._active: tuple[str, ...] = ()
        self._mode = CombineMode.SELECTED
        self._muscle: str | None = None
        self._heat_visible = True
        self._markers: dict[str, bool] = {m: True for m in self.muscle_of.values()}

    # -- queries -------------------------------------------------------------------------------
    @property
    def active(self) -> tuple[str, ...]:
        """Active trigger point ids, in the order they were switched on."""
        return self._active

    @property
    def mode(self) -> CombineMode:
        """Current combination mode."""
        return self._mode

    @property
    def muscle(self) -> str | None:
        """Muscle shown in MUSCLE mode."""
        return self._muscle

    @property
    def heat_visible(self) -> bool:
        """Whether the heat map is drawn."""
        return self._heat_visible

    def markers_visible(self, muscle_id: str) -> bool:
        """Whether the markers of a muscle's trigger points are drawn."""
        return self._markers.get(muscle_id, False)

    def visible_markers(self) -> tuple[str, ...]:
        """Trigger point ids whose markers are drawn."""
        return tuple(t for t, m in self.muscle_of.items() if self._markers.get(m, False))

    def heat_request(self) -> HeatRequest:
        """What the heat map should show now."""
        members: tuple[str, ...] = ()
        if self._muscle is not None:
            members = self.groups.get(self._muscle, (self._muscle,))
        return HeatRequest(self._mode, self._active, self._muscle, self._heat_visible, members)

    def heat_trigger_points(self) -> tuple[str, ...]:
        """The trigger point ids whose patterns make up the current heat map."""
        return self.heat_request().trigger_point_ids(self.muscle_of)

    def snapshot(self) -> TriggerSnapshot:
        """The whole state, to hand back to :meth:`restore`."""
        return TriggerSnapshot(
            self._active,
            self._mode,
            self._muscle,
            self._heat_visible,
            tuple(sorted(self._markers.items())),
        )

    # -- actions -------------------------------------------------------------------------------
    def restore(self, snap: TriggerSnapshot) -> None:
        """Put back a :meth:`snapshot` exactly; signals fire for what changes."""
        markers = dict(snap.markers)
        for visible in (False, True):
            self.set_markers_visible([m for m, v in markers.items() if v is visible], visible)
        self.set_active(snap.active)  # also SELECTED mode
        if snap.muscle != self._muscle:
            if snap.muscle is None:
                self._muscle = None
                self.muscle_changed.emit(None)
            else:
                self.show_muscle(snap.muscle)  # sets the muscle (and MUSCLE mode, fixed below)
        self.set_mode(snap.mode)
        self.set_heat_visible(snap.heat_visible)

    def _check(self, ids: Iterable[str]) -> tuple[str, ...]:
        out = tuple(dict.fromkeys(ids))
        unknown = [i for i in out if i not in self.muscle_of]
        if unknown:
            raise KeyError(f"unknown trigger point(s): {', '.join(unknown)}")
        return out

    def set_active(self, ids: Iterable[str]) -> None:
        """Make exactly these trigger points active (``KeyError`` for unknown ids)."""
        new = self._check(ids)
        if new == self._active and self._mode is CombineMode.SELECTED:
            return
        changed = new != self._active
        self._active = new
        mode_changed = self._mode is not CombineMode.SELECTED
        self._mode = CombineMode.SELECTED
        if changed:
            self.active_changed.emit(new)
        if mode_changed:
            self.mode_changed.emit(self._mode.value)
        self.heat_changed.emit(self.heat_request())

    def toggle(self, trigger_point_id: str) -> bool:
        """Switch one trigger point on or off; returns whether it is now active."""
        self._check([trigger_point_id])
        if trigger_point_id in self._active:
            self.set_active(t for t in self._active if t != trigger_point_id)
            return False
        self.set_active((*self._active, trigger_point_id))
        return True

    def clear(self) -> None:
        """No active trigger points."""
        self.set_active(())

    def show_muscle(self, muscle_id: str | None) -> None:
        """MUSCLE mode for a muscle or group (``None`` goes back to SELECTED mode)."""
        if muscle_id is None:
            self.set_mode(CombineMode.SELECTED)
            return
        if muscle_id not in self._markers and muscle_id not in self.groups:
            raise KeyError(f"no trigger points on {muscle_id!r}")
        changed = muscle_id != self._muscle
        self._muscle = muscle_id
        if changed:
            self.muscle_changed.emit(muscle_id)
        if self._mode is not CombineMode.MUSCLE:
            self._mode = CombineMode.MUSCLE
            self.mode_changed.emit(self._mode.value)
        elif not changed:
            return
        self.heat_changed.emit(self.heat_request())

    def set_mode(self, mode: CombineMode | str) -> None:
        """Choose the combination mode."""
        mode = CombineMode(mode)
        if mode is self._mode:
            return
        self._mode = mode
        self.mode_changed.emit(mode.value)
        self.heat_changed.emit(self.heat_request())

    def set_heat_visible(self, visible: bool) -> None:
        """Show or hide the heat map (markers are unaffected)."""
        if visible == self._heat_visible:
            return
        self._heat_visible = visible
        self.heat_visible_changed.emit(visible)
        self.heat_changed.emit(self.heat_request())

    def set_markers_visible(self, muscle_ids: Iterable[str], visible: bool) -> None:
        """Show or hide the markers of some muscles (``KeyError`` for muscles without any)."""
        ids = tuple(dict.fromkeys(muscle_ids))
        unknown = [m for m in ids if m not in self._markers]
        if unknown:
            raise KeyError(f"no trigger points on: {', '.join(unknown)}")
        changed = tuple(m for m in ids if self._markers[m] != visible)
        for m in changed:
            self._markers[m] = visible
        if changed:
            self.markers_changed.emit(changed)

    def set_side_markers_visible(self, side: str, visible: bool) -> None:
        """Show or hide the markers of every muscle of one side (``left``/``right``)."""
        suffix = f"_{side}"
        self.set_markers_visible([m for m in self._markers if m.endswith(suffix)], visible)
