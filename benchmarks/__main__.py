"""Run every benchmark in one process tree and print measured figures beside their targets.

Usage (needs a display; on a headless machine wrap it in xvfb-run):
    xvfb-run -a -s "-screen 0 1920x1080x24" python -m benchmarks
"""

from __future__ import annotations

import importlib

from benchmarks import startup
from benchmarks.child import child_figures
from benchmarks.orbit import SIZE

Row = tuple[str, str, str]


def _row(name: str, measured: str, target: str) -> Row:
    return (name, measured, target)


def core_rows() -> list[Row]:
    """Start-up ratio, orbit frame rates and peak memory (the foundation's targets)."""
    rows: list[Row] = []
    floor = startup.measure_floor()
    app = startup.measure_app()
    ratio = app.seconds / floor.seconds
    rows.append(_row("first frame: floor (bare Qt+VTK, 1 triangle)", f"{floor.seconds:.3f} s", ""))
    rows.append(_row("first frame: trigger-atlas (built-in atlas)", f"{app.seconds:.3f} s", ""))
    rows.append(_row("first frame ratio app/floor", f"{ratio:.2f}x", "<= 1.3x"))
    reference = startup.measure_pyvistaqt()
    if reference is not None:
        rows.append(
            _row(
                "  (reference: pyvistaqt 1-triangle window / floor)",
                f"{reference.seconds / floor.seconds:.2f}x",
                "not used by the app",
            )
        )
    orbit = child_figures("benchmarks.orbit", timeout=600, args=())
    size = "x".join(str(v) for v in orbit["size"])
    rows.append(
        _row(
            f"orbit while rotating (light LOD, {orbit['triangles_light']} tris, {size}, "
            f"{orbit['reduced_resolution_frames']} frames at half resolution)",
            f"{orbit['fps_interacting']:.1f} FPS",
            ">= 30 FPS",
        )
    )
    rows.append(
        _row(
            "  CPU per rotating frame (all threads; stable under other load)",
            f"{orbit['cpu_ms_interacting']:.0f} ms",
            "",
        )
    )
    rows.append(
        _row(
            f"orbit at rest (full detail + FXAA, {orbit['triangles_full']} tris, {size})",
            f"{orbit['fps_at_rest']:.1f} FPS",
            ">= 10 FPS",
        )
    )
    rows.append(
        _row(
            "  CPU per still frame (all threads)",
            f"{orbit['cpu_ms_at_rest']:.0f} ms",
            "",
        )
    )
    if "pair_switch_ms" in orbit:
        rows.append(
            _row(
                "pair view switch, state change to frame (median; animation off)",
                f"{orbit['pair_switch_ms']:.0f} ms",
                "<= 150 ms",
            )
        )
        rows.append(_row("  slowest pair view switch", f"{orbit['pair_switch_max_ms']:.0f} ms", ""))
    if "recolour_ms" in orbit:
        rows.append(
            _row(
                "skin recolour after a trigger-point toggle",
                f"{orbit['recolour_ms']:.1f} ms",
                "<= 20 ms",
            )
        )
        rows.append(
            _row(
                "  toggle to rendered frame (full detail)",
                f"{orbit['toggle_to_frame_ms']:.0f} ms",
                "",
            )
        )
    peak = max(orbit["peak_mib"], app.peak_mib)
    rows.append(_row("peak memory (RSS) with the full atlas", f"{peak:.0f} MiB", "<= 600 MB"))
    if tuple(orbit["size"]) != SIZE:
        rows.append(_row("  note: render window size differs from 1280x800", size, ""))
    return rows


def feature_rows() -> list[Row]:
    """Benchmarks contributed by feature modules (``benchmarks/bench_*.py`` with ``run()``)."""
    rows: list[Row] = []
    for name in ("bench_heatmap", "bench_pairviews", "bench_posture"):
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError:
            continue
        for label, measured, target in module.run():
            rows.append(
                _row(
                    label,
                    f"{measured:.2f}" if isinstance(measured, float) else str(measured),
                    target,
                )
            )
    return rows


def main() -> int:
    """Print the table; returns 0 (targets are reported, not asserted)."""
    rows = core_rows() + feature_rows()
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'measured':>14}  target")
    for name, measured, target in rows:
        print(f"{name:<{width}}  {measured:>14}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
