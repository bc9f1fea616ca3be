"""The app writes "Front"/"Back" and the body's "Right"/"Left" at the 3D view's edges."""

from __future__ import annotations

import os
from typing import Any

from viewer.domain.orientation import EdgeWords


def test_views_from_above_and_the_side_say_where_the_front_is(
    make_main_window: Any, qtbot: Any
) -> None:
    window = make_main_window(show=True, size=(1400, 800))
    view = window.view3d
    view.animate = False
    qtbot.waitUntil(lambda: view._extras is not None, timeout=10000)
    window.actions_by_id["view.superior"].trigger()
    view.render_now()
    assert view.orientation.shown == EdgeWords("Front", "Back", "Left", "Right")
    window.actions_by_id["view.right"].trigger()
    view.render_now()
    assert view.orientation.shown == EdgeWords(left="Back", right="Front")
    if os.environ.get("ORIENTATION_SHOT"):  # a picture of the window to look at by hand
        from viewer.render.offscreen import write_window_png

        write_window_png(view.render_window, os.environ["ORIENTATION_SHOT"])
    action = window.actions_by_id["view.orientation"]
    assert action.isChecked()
    action.trigger()  # off
    view.render_now()
    assert not view.orientation.shown
    action.trigger()  # on again
    view.render_now()
    assert view.orientation.shown.right == "Front"


def test_compare_mode_and_oblique_pair_views_are_captioned_not_edge_worded(
    make_main_window: Any, qtbot: Any
) -> None:
    """Beside compare mode's maps headed "Front" and "Back" the 3D half says where it is seen
    from instead of writing "Front" at its edge; an oblique pair view gets a caption, never a
    compound word such as "Back-left"."""
    from PySide6.QtCore import Qt

    window = make_main_window(show=True, size=(1400, 800))
    view = window.view3d
    view.animate = False
    qtbot.waitUntil(lambda: view._extras is not None, timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_1)  # pair 1: psoas vs piriformis, seen from the side
    view.render_now()
    assert view.orientation.shown == EdgeWords(left="Back", right="Front")
    window.actions_by_id["pairs.compare"].trigger()
    view.render_now()
    assert view.orientation.shown == EdgeWords(caption="Seen from the right side")
    window.actions_by_id["pairs.compare"].trigger()  # compare off: the edge words return
    view.render_now()
    assert view.orientation.shown == EdgeWords(left="Back", right="Front")
    # Pair 6 looks from behind and the right (pair 4, the oblique view this used, now looks
    # from 22 degrees off a true left side view and has edge words)
    qtbot.keyClick(window, Qt.Key.Key_6)
    view.render_now()
    shown = view.orientation.shown
    assert shown.caption == "Seen from behind and the right"
    assert all("-" not in word for _, word in shown.items())
    # The caption may lie over anatomy (close-ups fill the frame): it is boxed in the
    # background's colour so that it reads over red muscle; the edge words are not boxed.
    caption = view.orientation._actors["caption"].GetTextProperty()
    assert caption.GetBackgroundOpacity() > 0.5
    assert view.orientation._actors["left"].GetTextProperty().GetBackgroundOpacity() == 0.0
