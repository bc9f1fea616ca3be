"""The app's 3D view on the built-in atlas, opened the same way by every window benchmark."""

from __future__ import annotations

import sys
from typing import Any


def open_atlas_view(size: tuple[int, int], with_features: bool = True) -> tuple[Any, Any, Any]:
    """Open a shown :class:`View3D` of ``size`` on the built-in atlas; returns
    ``(app, context, view)``. With ``with_features`` the annotations are attached (trigger
    points, heat maps, pair views) and camera animation is off, as the app draws them."""
    from PySide6.QtWidgets import QApplication

    from viewer.context import load_context
    from viewer.qt.view3d import View3D
    from viewer.render.theme import LIGHT

    app = QApplication.instance() or QApplication(sys.argv)
    context = load_context()
    view = View3D(context.loaded, context.state, LIGHT)
    view.resize(*size)
    view.show()
    app.processEvents()
    if with_features:
        from viewer.features import load_features
        from viewer.state.pain import PainSpots

        view.animate = False
        view.attach_features(load_features(context), PainSpots())
        app.processEvents()
    return app, context, view
