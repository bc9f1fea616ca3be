"""Posture slider drag: frames per second while the hip-flexion slider moves (light meshes,
bones and muscles re-posed every frame), and the time to full detail on release.

``python -m benchmarks.bench_posture`` prints the table rows; ``python -m benchmarks`` includes
them. Runs the window part in its own process (like the orbit benchmark).
"""

from __future__ import annotations

import time

FRAMES = 30
SIZE = (1280, 800)
TARGET_FPS = 15.0


def _measure() -> dict[str, float]:
    from benchmarks.app_window import open_atlas_view
    from viewer.domain.pose import STANDING

    _app, context, view = open_atlas_view(SIZE, with_features=False)
    state = context.state
    painter = view.posture
    start = time.perf_counter()
    _ = painter.model  # bindings are computed on first use: measured apart
    state.set_pose(STANDING.with_hip_flexion(1.0))
    view.render_now()
    first_use = time.perf_counter() - start
    state.set_pose(STANDING)
    painter.set_dragging(True)
    view.render_now()
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(FRAMES):
        state.set_pose(STANDING.with_hip_flexion(3.0 * (i + 1)).with_pelvic_tilt(-0.2 * i))
        view.render_now()
    drag_fps = FRAMES / (time.perf_counter() - start)
    drag_cpu_ms = 1000 * (time.process_time() - cpu) / FRAMES
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(FRAMES):
        view.render_now()
    render_fps = FRAMES / (time.perf_counter() - start)
    render_cpu_ms = 1000 * (time.process_time() - cpu) / FRAMES
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(FRAMES):
        state.set_pose(STANDING.with_hip_flexion(90.0 - 3.0 * i))
    pose_ms = 1000 * (time.perf_counter() - start) / FRAMES
    pose_cpu_ms = 1000 * (time.process_time() - cpu) / FRAMES
    start = time.perf_counter()
    painter.set_dragging(False)
    view.render_now()
    release = time.perf_counter() - start
    view.shutdown()
    view.close()
    return {
        "drag_fps": drag_fps,
        "drag_cpu_ms": drag_cpu_ms,
        "render_fps": render_fps,
        "render_cpu_ms": render_cpu_ms,
        "pose_ms": pose_ms,
        "pose_cpu_ms": pose_cpu_ms,
        "release_s": release,
        "first_use_s": first_use,
    }


def run() -> list[tuple[str, object, str]]:
    """Rows for the benchmark table (runs the measurement in a child process)."""
    from benchmarks.child import child_figures

    data = child_figures("benchmarks.bench_posture", timeout=600)
    return [
        (
            f"posture slider drag (light meshes re-posed, {SIZE[0]}x{SIZE[1]})",
            f"{data['drag_fps']:.1f} FPS",
            f">= {TARGET_FPS:.0f} FPS",
        ),
        ("  CPU per drag frame (all threads)", f"{data['drag_cpu_ms']:.0f} ms", ""),
        (
            "  same light frames without re-posing (the machine's render rate now)",
            f"{data['render_fps']:.1f} FPS",
            "",
        ),
        ("  CPU per light frame without re-posing", f"{data['render_cpu_ms']:.0f} ms", ""),
        (
            "  re-posing bones + light muscles + skin alone, per frame (CPU)",
            f"{data['pose_cpu_ms']:.0f} ms",
            "",
        ),
        (
            "  release to full detail (bones + muscles re-posed, muscles pushed out of bone)",
            f"{data['release_s']:.2f} s",
            "",
        ),
        ("  first posture change (bindings computed)", f"{data['first_use_s']:.2f} s", ""),
    ]


if __name__ == "__main__":
    from benchmarks.child import main_for

    main_for(_measure, run)
