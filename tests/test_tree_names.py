"""The Structures tree shows whole names at the window's default size (tooltips beyond that)."""

from __future__ import annotations

from typing import Any


def test_every_structure_name_reads_in_full_at_the_default_width(
    make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(show=True, size=None)  # the window's own default, 1280x800
    qtbot.waitUntil(lambda: window.panel.isVisible())
    panel = window.panel
    panel.tree.expandAll()
    qtbot.wait(50)
    metrics = panel.tree.fontMetrics()
    cut = []
    for sid, item in panel.items.items():
        assert item.toolTip(0).startswith(item.text(0)), f"{sid} has its name as tooltip"
        if metrics.horizontalAdvance(item.text(0)) > panel.name_room(item):
            cut.append(item.text(0))
    assert not cut, f"names elided at the default width: {cut}"
