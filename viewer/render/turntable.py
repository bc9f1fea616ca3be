"""Turntable animation: a 360° orbit of the current scene, written as GIF or MP4.

Frames are rendered off-screen with the same renderer as image export. A progress callback can
cancel; a cancelled or failed export leaves no half-written file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (registers the OpenGL factories)
from numpy.typing import NDArray

from viewer.domain.camera import CameraPose, CameraPreset
from viewer.features import Features
from viewer.io.atlas_loader import LoadedAtlas
from viewer.render.theme import LIGHT, RenderTheme
from viewer.state.scene import SceneState

Progress = Callable[[float], bool]
"""Called with the fraction done; returning False cancels."""


class CancelledError(Exception):
    """The user cancelled the export."""


def render_turntable_frames(
    loaded: LoadedAtlas,
    state: SceneState,
    pose: CameraPose,
    size: tuple[int, int] = (960, 540),
    frames: int = 72,
    theme: RenderTheme = LIGHT,
    features: Features | None = None,
    progress: Progress | None = None,
) -> list[NDArray[np.uint8]]:
    """RGB frames (h, w, 3) of one full turn around the pose's focal point (vertical axis)."""
    from viewer.render.offscreen import offscreen_scene, window_pixels

    out: list[NDArray[np.uint8]] = []
    marker_px = max(14, round(30 * size[1] / 1080))  # same share of the frame at any size
    with offscreen_scene(loaded, state, size, theme, features, marker_px, msaa=4) as (
        window,
        renderer,
        scene,
        _overlays,
    ):
        # Orbit the whole visible scene from the current direction: spinning a close-up around
        # its focal point would swing the camera through the body.
        d = [p - f for p, f in zip(pose.position, pose.focal_point, strict=True)]
        n = sum(c * c for c in d) ** 0.5 or 1.0
        window.Render()  # the first frame fixes the aspect ratio used for framing
        start = scene.pose_for(
            CameraPreset("turntable", "Turntable", (d[0] / n, d[1] / n, d[2] / n), pose.view_up),
            tight=False,  # one distance that fits from every side of the orbit
        )
        scene.apply_pose(start)
        camera = renderer.GetActiveCamera()
        for index in range(frames):
            if index:
                # Orbit about the body's long axis (+z), whatever the view's tilt.
                camera.SetViewUp(0.0, 0.0, 1.0)
                camera.Azimuth(360.0 / frames)
                camera.SetViewUp(*start.view_up)
                camera.OrthogonalizeViewUp()
                renderer.ResetCameraClippingRange()
            window.Render()
            out.append(window_pixels(window))
            if progress is not None and not progress((index + 1) / frames):
                raise CancelledError
    return out


def write_animation(frames: list[NDArray[np.uint8]], path: Path, fps: int = 24) -> Path:
    """Write frames as ``.gif`` (Pillow) or ``.mp4`` (imageio-ffmpeg), atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ValueError(f"unsupported animation format {path.suffix!r}: use .gif or .mp4")
    handle, temp = tempfile.mkstemp(suffix=suffix, dir=path.parent or None)
    os.close(handle)
    try:
        if suffix == ".gif":
            from PIL import Image

            images = [Image.fromarray(f) for f in frames]
            images[0].save(
                temp,
                save_all=True,
                append_images=images[1:],
                loop=0,
                duration=round(1000 / fps),
                optimize=False,
            )
        else:
            try:
                import imageio.v2 as imageio
            except ImportError as exc:
                raise ValueError("MP4 export needs the 'video' extra (imageio-ffmpeg)") from exc
            writer: Any = imageio.get_writer(
                temp, fps=fps, codec="libx264", quality=8, macro_block_size=8
            )
            with writer:
                for frame in frames:
                    writer.append_data(frame)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path
