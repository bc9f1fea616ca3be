"""Orbit frame rate of the full atlas at 1280x800 under software rendering, peak memory, and
the time from a pair-view switch or trigger-point toggle to its rendered frame.

Run in its own process (``python -m benchmarks.orbit``) so its memory peak is the app's alone;
prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time

FRAMES = 40
SIZE = (1280, 800)


def _fps(view: object, frames: int) -> float:
    camera = view.renderer.GetActiveCamera()  # type: ignore[attr-defined]
    view.render_now()  # type: ignore[attr-defined]
    start = time.perf_counter()
    for _ in range(frames):
        camera.Azimuth(360.0 / frames)
        view.renderer.ResetCameraClippingRange()  # type: ignore[attr-defined]
        view.render_now()  # type: ignore[attr-defined]
    return frames / (time.perf_counter() - start)


def _feature_timings(view: object, context: object) -> dict[str, float]:
    """Pair-view switches and trigger-point toggles, each from state change to rendered frame."""
    import statistics

    from viewer.features import load_features
    from viewer.state.pain import PainSpots

    features = load_features(context)  # type: ignore[arg-type]
    view.animate = False  # type: ignore[attr-defined]
    view.attach_features(features, PainSpots())  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    if features.pairs is not None:
        switches = []
        for _ in range(2):
            for key in sorted(features.pairs.library.keys):
                start = time.perf_counter()
                features.pairs.enter_key(key)
                view.render_now()  # type: ignore[attr-defined]
                switches.append(time.perf_counter() - start)
        features.pairs.exit()
        out["pair_switch_ms"] = 1000 * statistics.median(switches)
        out["pair_switch_max_ms"] = 1000 * max(switches)
    if features.triggers is not None and features.referral is not None:
        overlays = view.overlays  # type: ignore[attr-defined]
        ids = sorted(features.triggers.muscle_of)[:10]
        recolour, framed = [], []
        for tp in ids:
            start = time.perf_counter()
            features.triggers.set_active([tp])  # heat arrays combined and uploaded to the skin
            recolour.append(time.perf_counter() - start)
            view.render_now()  # type: ignore[attr-defined]
            framed.append(time.perf_counter() - start)
        assert overlays.painter is not None and overlays.painter.active
        out["recolour_ms"] = 1000 * statistics.median(recolour)
        out["toggle_to_frame_ms"] = 1000 * statistics.median(framed)
    return out


def main() -> None:
    """Open the 3D view on the built-in atlas at 1280x800 and orbit it once per mode."""
    from PySide6.QtWidgets import QApplication

    from viewer.context import load_context
    from viewer.qt.view3d import View3D
    from viewer.render.theme import LIGHT

    app = QApplication(sys.argv)
    context = load_context()
    view = View3D(context.loaded, context.state, LIGHT)
    view.resize(*SIZE)
    view.show()
    app.processEvents()
    actual = view.render_window.GetSize()
    view.set_moving(True)
    interacting = _fps(view, FRAMES)
    view.set_moving(False)
    at_rest = _fps(view, FRAMES)
    timings = _feature_timings(view, context)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                **timings,
                "size": list(actual),
                "triangles_full": context.loaded.n_triangles,
                "triangles_light": context.loaded.n_triangles_light,
                "fps_interacting": interacting,
                "fps_at_rest": at_rest,
                "peak_mib": peak,
            }
        )
    )
    view.shutdown()
    view.close()


if __name__ == "__main__":
    main()
