"""Reference only: the same one-triangle window built on pyvistaqt, to show what it costs.

The app uses VTK's own Qt widget instead; this line in the report explains why.
"""

from __future__ import annotations

import resource
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from viewer.app import _process_start_time


def main() -> None:
    """Open a pyvistaqt window with one triangle, report the first frame, quit."""
    import pyvista as pv
    from pyvistaqt import QtInteractor

    app = QApplication(sys.argv)
    window = QMainWindow()
    plotter = QtInteractor(window)
    window.setCentralWidget(plotter)
    window.resize(1280, 800)
    plotter.add_mesh(pv.Triangle())
    started = _process_start_time()

    def on_end(*_args: object) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"first-frame {time.time() - started:.4f} {peak:.1f}", flush=True)
        QTimer.singleShot(0, app.quit)

    plotter.renderer.AddObserver("EndEvent", on_end)
    window.show()
    app.exec()


if __name__ == "__main__":
    main()
