"""Launch ``trigger-atlas`` as ``python -m viewer`` does and also print the process CPU time
at its first frame: ``first-frame-cpu <seconds>`` (all threads, llvmpipe's included).

Run as a script with ``PYTHONPATH`` set to a source tree (``benchmarks.startup_ab`` does), so
an older tree whose exit hook prints no CPU time is measured the same way.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> int:
    """Patch the first-frame hook to print the CPU time too, then run the app's CLI."""
    os.environ["TRIGGER_ATLAS_EXIT_AFTER_FIRST_FRAME"] = "1"
    import viewer.app as app_module

    original = app_module._exit_after_first_frame

    def hook(view: object, app: object, loaded: object) -> None:
        renderer = view.renderer  # type: ignore[attr-defined]

        def on_end(*_args: object) -> None:
            if renderer.GetNumberOfPropsRendered() == 0:
                return
            renderer.RemoveObserver(tag)
            print(f"first-frame-cpu {time.process_time():.4f}", flush=True)

        tag = renderer.AddObserver("EndEvent", on_end, 1.0)  # before the app's own hook
        original(view, app, loaded)

    app_module._exit_after_first_frame = hook  # type: ignore[assignment]
    from viewer.cli import main as cli_main

    sys.argv = ["trigger-atlas", *sys.argv[1:]]
    return int(cli_main())


if __name__ == "__main__":
    raise SystemExit(main())
