"""VTK-only rendering: binds scene state to actors, camera, picking and image export.

The app uses VTK directly rather than PyVista's plotting layer: PyVista's plotting import alone
(matplotlib.pyplot, qtpy) doubled the time to first frame in our measurements (see
``benchmarks/README.md``).
"""
