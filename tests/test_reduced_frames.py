"""Frames drawn while the camera moves are drawn at half resolution and scaled up, with the
trigger-point markers, labels and keys at full resolution on top (``viewer.render.reduced_frames``).

Checked on the pixels a user sees: the moving frame shows the same picture as a full-resolution
moving frame (anatomy over the whole window, not in a corner), the X markers keep their size,
a drag in the window takes the reduced path, and compare mode's split window falls back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

from viewer.render.reduced_frames import ReducedResolutionFrames

pytestmark = pytest.mark.gui


def _shown(view: Any) -> np.ndarray:
    """What the window shows now (no re-render: a re-render would draw a normal frame)."""
    grab = vtkWindowToImageFilter()
    grab.SetInput(view.render_window)
    grab.ShouldRerenderOff()
    grab.ReadFrontBufferOff()
    grab.Update()
    image = grab.GetOutput()
    w, h, _ = image.GetDimensions()
    return vtk_to_numpy(image.GetPointData().GetScalars()).reshape(h, w, -1)[..., :3].astype(int)


def _moving_frames(window: Any) -> tuple[np.ndarray, np.ndarray]:
    """(reduced, full-resolution) frames of the same moving camera."""
    view = window.view3d
    view.set_moving(True)
    before = view.reduced.frames_drawn
    view.render_now()
    assert view.reduced.frames_drawn == before + 1, "a moving frame takes the reduced path"
    reduced = _shown(view)
    view.reduced_resolution = False
    view.render_now()
    full = _shown(view)
    view.reduced_resolution = True
    view.set_moving(False)
    return reduced, full


def _dark(image: np.ndarray) -> np.ndarray:
    """The X glyphs' near-black strokes (nothing else in the opening view is that dark)."""
    return np.all(image < 40, axis=-1)


def _opening(make_main_window: Any) -> Any:
    """The app on its opening view (a plain helper: a fixture's value would outlive the test
    and trip the window-leak check)."""
    window = make_main_window(show=True, size=(1500, 950))
    if window.features is None or window.features.triggers is None:
        pytest.skip("the built-in atlas has no trigger points")
    window.actions_by_id["view.animate"].trigger()
    return window


def test_moving_frame_is_the_same_picture_scaled_up(make_main_window: Any) -> None:
    reduced, full = _moving_frames(_opening(make_main_window))
    h, w, _ = full.shape
    background = full[2, 2]
    for rows in (slice(0, h // 2), slice(h // 2, h)):
        for cols in (slice(0, w // 2), slice(w // 2, w)):
            drawn_full = np.any(np.abs(full[rows, cols] - background) > 12, axis=-1).mean()
            drawn_reduced = np.any(np.abs(reduced[rows, cols] - background) > 12, axis=-1).mean()
            assert abs(drawn_full - drawn_reduced) < 0.03, "anatomy fills the same quarters"
    assert np.abs(reduced - full).mean() < 8.0, "the same picture, only softer"


def test_markers_keep_their_size_and_place_while_moving(make_main_window: Any) -> None:
    reduced, full = _moving_frames(_opening(make_main_window))
    dark_full, dark_reduced = _dark(full), _dark(reduced)
    assert dark_full.sum() > 200, "the opening view shows X markers"
    ratio = dark_reduced.sum() / dark_full.sum()
    assert 0.8 < ratio < 1.25, "X's are not scaled up with the anatomy"
    both = (dark_full & dark_reduced).sum()
    assert both / dark_full.sum() > 0.7, "X's are drawn where they are at full resolution"


def test_a_drag_in_the_window_draws_reduced_frames(make_main_window: Any, qtbot: Any) -> None:
    view = _opening(make_main_window).view3d
    widget = view.vtk_widget
    before = view.reduced.frames_drawn
    centre = QPoint(widget.width() // 2, widget.height() // 2)
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=centre)
    for step in range(1, 6):
        qtbot.mouseMove(widget, centre + QPoint(12 * step, 0))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=centre + QPoint(60, 0))
    assert view.reduced.frames_drawn > before, "orbiting with the mouse draws reduced frames"
    qtbot.waitUntil(lambda: not view.scene.interacting, timeout=3000)  # full detail on release


def test_split_window_falls_back_to_full_frames(make_main_window: Any) -> None:
    view = _opening(make_main_window).view3d
    renderer = view.renderer
    renderer.SetViewport(0.0, 0.0, 0.5, 1.0)  # as compare mode splits the window
    try:
        assert not view.reduced.render()
    finally:
        renderer.SetViewport(0.0, 0.0, 1.0, 1.0)


def test_scale_is_bounded() -> None:
    from vtkmodules.vtkRenderingCore import vtkRenderer

    with pytest.raises(ValueError, match="scale"):
        ReducedResolutionFrames(vtkRenderer(), scale=0.0)


def test_private_renderers_follow_the_main_renderers_props() -> None:
    """3D props go to the anatomy pass, 2D props to the full-resolution pass, in drawing order;
    replaced props (the posture title's text, every drag frame) are swapped one by one."""
    from vtkmodules.vtkRenderingCore import vtkActor, vtkRenderer, vtkTextActor

    main = vtkRenderer()
    frames = ReducedResolutionFrames(main)
    body, bone, title, key = vtkActor(), vtkActor(), vtkTextActor(), vtkTextActor()
    for prop in (body, title, bone, key):
        main.AddViewProp(prop)

    def listed(renderer: vtkRenderer) -> list[object]:
        props = renderer.GetViewProps()
        return [props.GetItemAsObject(i) for i in range(props.GetNumberOfItems())]

    frames._sync()
    assert listed(frames.anatomy) == [body, bone]
    assert listed(frames.ui) == [title, key]
    new_title = vtkTextActor()
    main.RemoveViewProp(title)
    main.AddViewProp(new_title)
    frames._sync()
    assert listed(frames.ui) == [key, new_title], "the replaced title is swapped, order kept"
    main.RemoveViewProp(body)
    main.AddViewProp(body)  # moved to the end: drawn last
    frames._sync()
    assert listed(frames.anatomy) == [bone, body]


def test_a_failing_reduced_frame_falls_back_to_full_frames(
    make_main_window: Any, monkeypatch: Any
) -> None:
    """A VTK or OpenGL build without the framebuffer calls must not break rotating: the view
    logs it once and draws full-resolution frames from then on."""
    view = _opening(make_main_window).view3d

    def broken() -> bool:
        raise AttributeError("no GetDisplayFramebuffer in this VTK")

    monkeypatch.setattr(view.reduced, "render", broken)
    view.set_moving(True)
    view.render_now()  # no exception escapes (it runs from Qt timers and paint events)
    assert not view.reduced_resolution
    assert _shown(view).std() > 5, "a full frame was drawn instead"
    view.set_moving(False)
