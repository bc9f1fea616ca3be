"""Shared fixtures: isolated settings and logs, synthetic atlases, a leak-checking window maker."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.atlas_factory import write_tiny_atlas

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One heat-map cache for the whole run: computed once, never the user's real cache."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _isolated_user_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any, _session_cache: Path
) -> None:
    """No test reads or writes the real user's logs, preferences or caches."""
    logs = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv("TRIGGER_ATLAS_LOG_DIR", str(logs))
    monkeypatch.setenv("TRIGGER_ATLAS_CACHE_DIR", str(_session_cache))
    monkeypatch.delenv("TRIGGER_ATLAS_MESHES", raising=False)


@pytest.fixture(scope="module")
def builtin_heat() -> tuple[Any, Any]:
    """The built-in atlas's context and features, for tests of its referral maps (skipped
    while the atlas has no skin)."""
    from viewer.context import load_context
    from viewer.features import load_features

    context = load_context(None)
    features = load_features(context)
    if features.referral is None:
        pytest.skip("the built-in atlas has no skin yet")
    return context, features


@pytest.fixture(scope="module")
def lesson() -> Any:
    """The first built-in lesson (skipped when the package ships none)."""
    from viewer.io.lessons import builtin_lessons, load_lesson

    paths = builtin_lessons()
    if not paths:
        pytest.skip("no built-in lesson")
    found, _ = load_lesson(paths[0])
    assert found is not None
    return found


@pytest.fixture(scope="session")
def tiny_atlas_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small valid atlas folder (shared, read-only)."""
    return write_tiny_atlas(tmp_path_factory.mktemp("tiny_atlas"))


@pytest.fixture
def tiny_atlas_copy(tmp_path: Path) -> Path:
    """A fresh tiny atlas a test may break."""
    return write_tiny_atlas(tmp_path / "atlas")


@pytest.fixture
def qsettings(tmp_path: Path) -> Any:
    """A QSettings object stored in the test's temporary folder."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


_WINDOWS = pytest.StashKey[list[Any]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Once a test's body is done, a window it left hidden does not go on to load its full
    detail and features: a hidden view counts a frame drawn on the next turn of the event loop
    as its first (see ``View3D``), and pytest-qt turns the loop after the body, so every test
    with a hidden window paid for the whole load (seconds) after its last assertion. Runs
    inside pytest-qt's wrapper, i.e. before its event processing."""
    try:
        return (yield)
    finally:
        for window in item.stash.get(_WINDOWS, []):
            view = getattr(window, "view3d", None)
            if view is not None and not window.isVisible():
                view._end_first_frame_watch()


@pytest.fixture
def make_main_window(
    qtbot: Any, qsettings: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Build main windows (hidden unless ``show=True``); fail if any outlives the test.

    After the test every window is closed, Qt's deferred deletes run and the garbage collector
    runs; then the window, its scene renderer and its VTK render window must all be gone.
    """
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from viewer.context import load_context
    from viewer.qt.main_window import MainWindow

    created: list[Any] = []
    request.node.stash[_WINDOWS] = created

    def factory(
        atlas_dir: Path | None = None,
        show: bool = False,
        settings: Any = None,
        size: tuple[int, int] | None = (1000, 700),
    ) -> Any:
        window = MainWindow(load_context(atlas_dir), settings=settings or qsettings)
        created.append(window)
        if show:
            if size is not None:
                window.resize(*size)
            window.show()
            qtbot.waitExposed(window)
            if window.view3d is not None:
                qtbot.waitUntil(lambda: window.features is not None, timeout=20000)
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow, timeout=3000)
            if window.view3d is not None:
                window.view3d.render_now()
        return window

    yield factory

    refs: list[tuple[str, weakref.ref[Any]]] = []
    while created:
        window = created.pop()
        refs.append(("MainWindow", weakref.ref(window)))
        if window.view3d is not None:
            refs.append(("SceneRenderer", weakref.ref(window.view3d.scene)))
            refs.append(("vtkRenderWindow", weakref.ref(window.view3d.render_window)))
        window.close()
        window.deleteLater()
        del window
    for _ in range(3):
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        # A full collection takes about a second with an atlas loaded: once everything is
        # gone, more rounds cannot bring it back (the verdict below is the same).
        if all(ref() is None for _name, ref in refs):
            break
    leaked = [name for name, ref in refs if ref() is not None]
    assert not leaked, f"objects outlived the test: {leaked}"
    stray = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    assert not stray, f"windows left open: {[w.objectName() or type(w).__name__ for w in stray]}"


@pytest.fixture(scope="module")
def offscreen() -> Any:
    """The built-in atlas in an offscreen 1280 x 800 window (context, scene, window), shared
    by a module's tests: loading it costs about a second."""
    import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
    from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow

    from viewer.context import load_context
    from viewer.render.scene_renderer import SceneRenderer
    from viewer.render.theme import LIGHT

    context = load_context(None)
    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(1280, 800)
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    scene = SceneRenderer(renderer, context.loaded, context.state, LIGHT)
    window.Render()
    yield context, scene, window
    scene.detach()
    window.Finalize()
