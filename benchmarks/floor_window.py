"""The floor for start-up: a bare PySide6 window with a VTK view rendering one triangle.

Prints ``first-frame <seconds since process start> <peak RSS MiB>`` like the app's hook (and
``first-frame-cpu <process CPU seconds>``, read by :mod:`benchmarks.startup_ab`), so both
are timed the same way by :mod:`benchmarks.startup`.
"""

from __future__ import annotations

import resource
import sys
import time

import vtkmodules.vtkInteractionStyle
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkRenderer

from viewer.app import _process_start_time


def main() -> None:
    """Open the window, report the first frame, quit."""
    app = QApplication(sys.argv)
    window = QMainWindow()
    view = QVTKRenderWindowInteractor(window)
    window.setCentralWidget(view)
    window.resize(1280, 800)
    points = vtkPoints()
    for p in ((0, 0, 0), (1, 0, 0), (0, 1, 0)):
        points.InsertNextPoint(*p)
    cells = vtkCellArray()
    cells.InsertNextCell(3)
    for i in range(3):
        cells.InsertCellPoint(i)
    poly = vtkPolyData()
    poly.SetPoints(points)
    poly.SetPolys(cells)
    mapper = vtkPolyDataMapper()
    mapper.SetInputData(poly)
    actor = vtkActor()
    actor.SetMapper(mapper)
    renderer = vtkRenderer()
    renderer.AddActor(actor)
    view.GetRenderWindow().AddRenderer(renderer)
    started = _process_start_time()

    def on_end(*_args: object) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"first-frame {time.time() - started:.4f} {peak:.1f}", flush=True)
        print(f"first-frame-cpu {time.process_time():.4f}", flush=True)
        QTimer.singleShot(0, app.quit)

    renderer.AddObserver("EndEvent", on_end)
    window.show()
    view.Initialize()
    app.exec()


if __name__ == "__main__":
    main()
