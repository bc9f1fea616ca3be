"""Camera framing that leaves the top of the frame to a caption (lesson slides, presenter).

A preset or pair-view camera frames the anatomy into the whole view; on a slide the caption
covers the top band, which hid the T12 origin of the iliopsoas in lesson steps. Pulling the
camera back and lifting it by the caption's share keeps the whole picture below the caption.
Pure math on :class:`CameraPose`; no Qt, no VTK.
"""

from __future__ import annotations

import math

from viewer.domain.camera import CameraPose

CAPTION_HEADROOM = 0.11
"""Share of the frame height kept free for a caption (one or two lines and its margin)."""


def with_headroom(pose: CameraPose, view_angle_deg: float, top: float) -> CameraPose:
    """The same view pulled back and lifted so its picture fills only the lower ``1 - top``.

    Perspective camera with vertical view angle ``view_angle_deg``: moving back by
    ``1 / (1 - top)`` shrinks the picture to ``1 - top`` of the frame height; moving camera and
    focal point up (along ``view_up``) by ``top`` times the half-height seen at the focal plane
    lowers the picture by ``top / 2`` of the frame, so its top edge meets the caption band.
    """
    if not 0.0 <= top < 1.0:
        raise ValueError("the headroom is a share of the frame below 1")
    position, focal = pose.position, pose.focal_point
    back = [p - f for p, f in zip(position, focal, strict=True)]
    distance = math.sqrt(sum(c * c for c in back))
    if distance == 0.0 or top == 0.0:
        return pose
    scale = 1.0 / (1.0 - top)
    half_height = distance * scale * math.tan(math.radians(view_angle_deg) / 2)
    up = pose.view_up
    # Remove any part of view_up along the viewing direction before using it as "up".
    unit_back = [c / distance for c in back]
    along = sum(u * b for u, b in zip(up, unit_back, strict=True))
    up_ortho = [u - along * b for u, b in zip(up, unit_back, strict=True)]
    norm = math.sqrt(sum(c * c for c in up_ortho)) or 1.0
    lift = [top * half_height * c / norm for c in up_ortho]
    new_focal = tuple(f + dl for f, dl in zip(focal, lift, strict=True))
    new_position = tuple(
        f + b * scale for f, b in zip(new_focal, back, strict=True)
    )
    return CameraPose(new_position, new_focal, pose.view_up)  # type: ignore[arg-type]
