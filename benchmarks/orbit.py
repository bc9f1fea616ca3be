"""Orbit frame rate of the full atlas at 1280x800 under software rendering, peak memory, and
the time from a pair-view switch or trigger-point toggle to its rendered frame.

Run in its own process (``python -m benchmarks.orbit``) so its memory peak is the app's alone;
prints one JSON line. The view is the app's: its annotation overlays (markers, labels, depth
probe) are attached before orbiting, so their per-frame observers are measured too.

Each orbit reports wall-clock FPS and the process CPU time per frame (all threads, Mesa's
rasteriser threads included). On a shared machine wall time swings with other load while CPU
time per frame stays comparable; ``--factors`` measures what each rendering choice costs by
toggling one at a time, interleaved, within one run (see ``benchmarks/README.md``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

FRAMES = 40
SIZE = (1280, 800)


def _orbit(view: object, frames: int) -> tuple[float, float]:
    """One full azimuth turn: (frames per second of wall time, process CPU ms per frame)."""
    camera = view.renderer.GetActiveCamera()  # type: ignore[attr-defined]
    view.render_now()  # type: ignore[attr-defined]
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(frames):
        camera.Azimuth(360.0 / frames)
        view.renderer.ResetCameraClippingRange()  # type: ignore[attr-defined]
        view.render_now()  # type: ignore[attr-defined]
    wall = time.perf_counter() - start
    return frames / wall, 1000 * (time.process_time() - cpu) / frames


FACTOR_FRAMES = 20
FACTOR_REPEATS = 3

Toggle = tuple[str, Callable[[], object], Callable[[], object]]


def _factors(view: Any, context: Any, moving: bool) -> list[Toggle]:
    """(name, switch on, switch off) for each rendering factor, first the app as it is."""
    from viewer.domain.structures import Kind

    state, scene, renderer = context.state, view.scene, view.renderer
    atlas = context.loaded.atlas

    def hiding(ids: list[str]) -> tuple[Callable[[], object], Callable[[], object]]:
        shown = [i for i in ids if state.is_visible(i)]
        return (
            lambda: [state.set_visible(i, False) for i in shown],
            lambda: [state.set_visible(i, True) for i in shown],
        )

    def of_kind(kind: Kind) -> list[str]:
        return [s.id for s in atlas.renderable if s.kind is kind]

    ghosts = [s.id for s in atlas.renderable if 0.0 < state.opacity(s.id) < 1.0]
    lights = list(renderer.GetLights())
    textured = [scene.actor_of(s.id) for s in atlas.renderable if scene.actor_of(s.id).GetTexture()]
    texture = textured[0].GetTexture() if textured else None
    toggles: list[Toggle] = [
        ("app as drawn", lambda: None, lambda: None),
        (
            "back faces drawn (no culling)",
            lambda: scene.set_back_face_culling(False),
            lambda: scene.set_back_face_culling(True),
        ),
        ("skin hidden", *hiding(of_kind(Kind.SKIN))),
        ("translucent ghosts hidden", *hiding(ghosts)),
        ("muscles hidden", *hiding(of_kind(Kind.MUSCLE))),
        ("bones hidden", *hiding(of_kind(Kind.BONE))),
        (
            "lighting off (flat colour)",
            lambda: [light.SetSwitch(False) for light in lights],
            lambda: [light.SetSwitch(True) for light in lights],
        ),
    ]
    if not moving:
        toggles += [
            ("no FXAA", lambda: renderer.SetUseFXAA(False), lambda: renderer.SetUseFXAA(True)),
            (
                "no fibre striation texture",
                lambda: [a.SetTexture(None) for a in textured],
                lambda: [a.SetTexture(texture) for a in textured],
            ),
        ]
    return toggles


def factor_table(view: Any, context: Any) -> list[str]:
    """CPU ms per frame with one factor changed at a time, interleaved to share the machine's
    load evenly, as the median of :data:`FACTOR_REPEATS` orbits, and its ratio to the app."""
    import statistics

    lines = []
    for moving in (True, False):
        view.set_moving(moving)
        toggles = _factors(view, context, moving)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in toggles}
        for _ in range(FACTOR_REPEATS):
            for name, on, off in toggles:
                on()
                runs[name].append(_orbit(view, FACTOR_FRAMES))
                off()
        base = statistics.median(cpu for _, cpu in runs[toggles[0][0]])
        lines.append(f"-- {'rotating (light meshes)' if moving else 'at rest (full detail)'}")
        for name, values in runs.items():
            cpu = statistics.median(c for _, c in values)
            fps = statistics.median(f for f, _ in values)
            lines.append(
                f"{name:34s} {cpu:7.1f} CPU ms/frame  x{cpu / base:4.2f}   {fps:5.1f} FPS wall"
            )
    view.set_moving(False)
    return lines


def _feature_timings(view: object) -> dict[str, float]:
    """Pair-view switches and trigger-point toggles, each from state change to rendered frame."""
    import statistics

    features = view.overlays.features  # type: ignore[attr-defined]
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
    from benchmarks.app_window import open_atlas_view

    _app, context, view = open_atlas_view(SIZE)
    actual = view.render_window.GetSize()
    if "--factors" in sys.argv:
        for line in factor_table(view, context):
            print(line, flush=True)
    view.set_moving(True)
    reduced_before = view.reduced.frames_drawn
    interacting, interacting_cpu = _orbit(view, FRAMES)
    reduced_frames = view.reduced.frames_drawn - reduced_before
    view.set_moving(False)
    at_rest, at_rest_cpu = _orbit(view, FRAMES)
    timings = _feature_timings(view)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                **timings,
                "size": list(actual),
                "triangles_full": context.loaded.n_triangles,
                "triangles_light": context.loaded.n_triangles_light,
                "fps_interacting": interacting,
                "reduced_resolution_frames": reduced_frames,
                "cpu_ms_interacting": interacting_cpu,
                "fps_at_rest": at_rest,
                "cpu_ms_at_rest": at_rest_cpu,
                "peak_mib": peak,
            }
        )
    )
    view.shutdown()
    view.close()


if __name__ == "__main__":
    main()
