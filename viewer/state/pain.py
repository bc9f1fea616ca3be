"""Painful spots marked on the skin for the "where does it hurt?" lookup. No Qt, no VTK.

Nothing here is saved: a patient's spots live only as long as the window unless the therapist
saves a scene.
"""

from __future__ import annotations

from psygnal import Signal

Point = tuple[float, float, float]


class PainSpots:
    """Observable list of marked skin points (atlas mm) and whether clicks add new ones.

    Signals
    -------
    spots_changed(tuple)
        The new tuple of points.
    marking_changed(bool)
        Whether clicks on the body add spots (instead of selecting structures).
    """

    spots_changed = Signal(tuple)
    marking_changed = Signal(bool)

    def __init__(self) -> None:
        self._spots: tuple[Point, ...] = ()
        self._marking = False

    @property
    def spots(self) -> tuple[Point, ...]:
        """Marked points, oldest first."""
        return self._spots

    @property
    def marking(self) -> bool:
        """True while clicks on the skin add spots."""
        return self._marking

    def set_marking(self, on: bool) -> None:
        """Start or stop marking spots by clicking."""
        if on != self._marking:
            self._marking = on
            self.marking_changed.emit(on)

    def add(self, point: Point) -> None:
        """Mark one more painful spot."""
        self._spots = (*self._spots, (float(point[0]), float(point[1]), float(point[2])))
        self.spots_changed.emit(self._spots)

    def undo(self) -> None:
        """Remove the last spot."""
        if self._spots:
            self._spots = self._spots[:-1]
            self.spots_changed.emit(self._spots)

    def clear(self) -> None:
        """Remove every spot."""
        if self._spots:
            self._spots = ()
            self.spots_changed.emit(self._spots)
