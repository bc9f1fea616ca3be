"""Preferences in QSettings: theme choice, level of detail, window geometry.

Tests point QSettings at a temporary folder (``QSettings.setPath``), so a test run never reads or
writes a user's real preferences.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "TriggerAtlas"
APPLICATION = "Trigger Atlas"


class Preferences:
    """Typed access to the few persisted preferences."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._s = settings or QSettings(ORGANIZATION, APPLICATION)

    @property
    def settings(self) -> QSettings:
        """The underlying store (recent files live there too)."""
        return self._s

    def _bool(self, key: str, default: bool) -> bool:
        value = self._s.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    @property
    def theme(self) -> str:
        """``system`` (follow the desktop), ``light`` or ``dark``."""
        value = str(self._s.value("appearance/theme", "system"))
        return value if value in ("system", "light", "dark") else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self._s.setValue("appearance/theme", value)

    @property
    def level_of_detail(self) -> bool:
        """Draw light meshes at half resolution while the camera or a posture slider moves."""
        return self._bool("render/level_of_detail", True)

    @level_of_detail.setter
    def level_of_detail(self, value: bool) -> None:
        self._s.setValue("render/level_of_detail", bool(value))

    @property
    def animate(self) -> bool:
        """Animate camera transitions."""
        return self._bool("render/animate", True)

    @animate.setter
    def animate(self, value: bool) -> None:
        self._s.setValue("render/animate", bool(value))

    @property
    def presenter_screen(self) -> str:
        """Name of the display presenter mode uses ("" = a secondary display if there is one)."""
        return str(self._s.value("presenter/screen", ""))

    @presenter_screen.setter
    def presenter_screen(self, name: str) -> None:
        self._s.setValue("presenter/screen", name)

    @property
    def geometry(self) -> QByteArray | None:
        """Saved main-window geometry, if any."""
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @property
    def window_state(self) -> QByteArray | None:
        """Saved dock and toolbar layout, if any."""
        value = self._s.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        """Remember the window's geometry and layout for the next start."""
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)
        self._s.sync()
