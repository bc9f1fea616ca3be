"""The active clipping section: on/off, which plane, where and which half is kept.

The section panel changes it, the renderer observes ``changed`` and applies
:attr:`SectionState.section` (origin and normal) as a clipping plane. No Qt, no VTK.
"""

from __future__ import annotations

from psygnal import Signal

from viewer.domain.sections import Section, section


class SectionState:
    """Observable section settings; ``changed(object)`` carries the section or ``None`` (off)."""

    changed = Signal(object)

    def __init__(self, initial: Section | None = None) -> None:
        self._section = initial or section("axial")
        self._enabled = False

    @property
    def enabled(self) -> bool:
        """True when the scene is clipped."""
        return self._enabled

    @property
    def section(self) -> Section:
        """The plane in use (kept while disabled, so turning it on again restores it)."""
        return self._section

    @property
    def active(self) -> Section | None:
        """The plane to apply now, or ``None`` when sections are off."""
        return self._section if self._enabled else None

    def set_enabled(self, enabled: bool) -> None:
        """Turn clipping on or off."""
        if enabled != self._enabled:
            self._enabled = enabled
            self.changed.emit(self.active)

    def set_section(self, value: Section) -> None:
        """Use another plane (a preset, a free plane or a moved/flipped copy)."""
        if value != self._section:
            self._section = value
            if self._enabled:
                self.changed.emit(self.active)

    def choose(self, name: str) -> None:
        """Switch to a standard plane through the same base point, offset back to zero."""
        self.set_section(section(name, self._section.base))

    def set_offset(self, offset: float) -> None:
        """Slide the plane along its normal (mm)."""
        self.set_section(self._section.with_offset(offset))

    def flip(self) -> None:
        """Keep the other half."""
        self.set_section(self._section.flipped())
