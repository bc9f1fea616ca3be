"""Trigger Atlas: a desktop 3D atlas of the low back, pelvis and hip.

The package is layered so that data flows one way: files -> domain model -> scene state ->
renderer/widgets. ``viewer.domain`` and ``viewer.state`` never import Qt or VTK.
"""

__version__ = "0.1.0"
