"""The one mutable, observable scene state and the user actions that change it. No Qt, no VTK."""

from viewer.state.scene import SceneSnapshot, SceneState

__all__ = ["SceneSnapshot", "SceneState"]
