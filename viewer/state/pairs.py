"""The active muscle-pair view: entering, switching and leaving it without losing the user's scene.

Entering a pair view takes a snapshot of the scene, then applies the pair's scene (side colours,
ghosted context, hidden rest). Switching to another pair keeps that first snapshot, so leaving
always returns to exactly what the user had before the first pair view. No Qt, no VTK.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from psygnal import Signal

from viewer.domain.pairviews import (
    A_ONLY,
    B_ONLY,
    BOTH,
    NEITHER,
    PairLibrary,
    PairView,
    ResolvedPairView,
    difference,
    difference_counts,
    pair_scene,
    trigger_muscles,
)
from viewer.state.scene import SceneSnapshot, SceneState

__all__ = [
    "A_ONLY",
    "BOTH",
    "B_ONLY",
    "NEITHER",
    "ActivePair",
    "PairViewController",
    "difference",
    "difference_counts",
]

Resolver = Callable[[PairView], ResolvedPairView]
"""Places a pair view in the loaded atlas (usually ``resolve_pair`` bound to atlas and meshes)."""


@dataclass(frozen=True, eq=False)
class ActivePair:
    """What ``pair_changed`` carries: the pair view in force and, if a resolver was given, its
    arrows, joint markers and camera (``resolved``); ``trigger_muscles_a``/``_b`` are the muscle ids
    whose trigger points the app shows for each side."""

    pair: PairView
    side: str
    resolved: ResolvedPairView | None
    trigger_muscles_a: frozenset[str]
    trigger_muscles_b: frozenset[str]

    @property
    def id(self) -> str:
        """The pair view id."""
        return self.pair.id


class PairViewController:
    """Enters and leaves pair views on one :class:`SceneState`.

    Parameters
    ----------
    scene : the scene state to drive
    pairs : the loaded :class:`PairLibrary` (or plain pair views, for tests and scripts)
    resolve : optional callable placing a pair view in the atlas; results are cached per view

    Signals
    -------
    pair_changed(object)
        The new :class:`ActivePair`, or ``None`` after :meth:`exit`.
    """

    pair_changed = Signal(object)

    def __init__(
        self,
        scene: SceneState,
        pairs: PairLibrary | Iterable[PairView],
        resolve: Resolver | None = None,
    ) -> None:
        self.scene = scene
        self.library = pairs if isinstance(pairs, PairLibrary) else PairLibrary(tuple(pairs))
        self._resolve = resolve
        self._cache: dict[tuple[str, str, str | None], ResolvedPairView] = {}
        self._saved: SceneSnapshot | None = None
        self._active: ActivePair | None = None

    @property
    def active(self) -> ActivePair | None:
        """The pair view in force, or ``None``."""
        return self._active

    @property
    def saved_snapshot(self) -> SceneSnapshot | None:
        """The scene as it was before the first pair view was entered (``None`` when inactive)."""
        return self._saved

    def enter(self, pair_id: str, side: str = "right", muscle: str | None = None) -> ActivePair:
        """Show a pair view for ``side``; ``muscle`` picks the muscle of the left-vs-right view.

        Raises ``KeyError``/``ValueError`` for an unknown pair, side or muscle, leaving the scene
        untouched.
        """
        pair = self.library.get(pair_id, side=side, muscle=muscle, atlas=self.scene.atlas)
        resolved = None
        if self._resolve is not None:
            key = (pair.id, pair.side, pair.muscle)
            if key not in self._cache:
                self._cache[key] = self._resolve(pair)
            resolved = self._cache[key]
        if self._saved is None:
            self._saved = self.scene.snapshot()
        self.scene.restore(pair_scene(pair, self.scene.atlas, self._saved))
        atlas = self.scene.atlas
        self._active = ActivePair(
            pair, side, resolved, trigger_muscles(pair.a, atlas), trigger_muscles(pair.b, atlas)
        )
        self.pair_changed.emit(self._active)
        return self._active

    def enter_key(self, key: int, side: str = "right") -> ActivePair:
        """Enter the pair view bound to keyboard number ``key`` (1–6)."""
        try:
            pair_id = self.library.keys[key]
        except KeyError:
            raise KeyError(f"no pair view on key {key}") from None
        return self.enter(pair_id, side)

    def toggle_side(self) -> ActivePair | None:
        """Show the active pair view on the other body side (mirror image)."""
        if self._active is None:
            return None
        other = "left" if self._active.side == "right" else "right"
        return self.enter(self._active.pair.id, other, self._active.pair.muscle)

    def exit(self) -> None:
        """Leave the pair view and restore the scene exactly as it was before entering."""
        if self._saved is None:
            return
        saved, self._saved = self._saved, None
        self.scene.restore(saved)
        self._active = None
        self.pair_changed.emit(None)
