"""Plain-Python domain model: structures, atlas, camera presets. No Qt, no VTK."""
