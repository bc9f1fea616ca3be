"""What an atlas plate names when its skin is drawn opaque: the bony landmarks one feels.

Under an opaque skin the camera sees no muscle and no bone, so a plate that names the iliacus
(2 cm under the belly wall) or the femur names things the picture does not show, while the
landmarks a lecturer points at on a standing body (the ASIS, the iliac crest, the PSIS under its
dimple, the greater trochanter) go unnamed. This module picks those landmarks from
``annotations/palpable_landmarks.json``: the ones felt from the side the camera looks from, one
of each left/right pair, at most :data:`viewer.domain.plate_labels.AUTO_LABEL_CAP`. Pure Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from viewer.domain.landmarks import direction_vector, mirror_direction, mirror_name, mirror_side
from viewer.domain.marker_depth import SKIN_COVER_OPACITY
from viewer.domain.plate_labels import AUTO_LABEL_CAP, pair_key
from viewer.domain.structures import Side

FELT_CONE_DEG = 50.0
"""A landmark is named when the camera looks at the body from within this angle of a side it
is felt from: from straight in front the ASIS and the iliac crest at its tubercle (hands on the
waist: Hoppenfeld), not the PSIS (felt from behind) or the greater trochanter (from the side)."""


@dataclass(frozen=True)
class PalpableLandmark:
    """One landmark felt through the skin: ``landmark`` names its point in
    ``meshes/landmarks.json``; ``felt_from`` are direction words in the subject's frame."""

    id: str
    name: str
    landmark: str
    side: Side
    felt_from: tuple[str, ...]
    sources: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The text a plate prints: "ASIS (right)"."""
        return self.name if self.side is Side.MIDLINE else f"{self.name} ({self.side.value})"

    def felt_directions(self) -> list[np.ndarray]:
        """Unit vectors (atlas frame) of the sides this landmark is felt from."""
        return [direction_vector(spec, self.side) for spec in self.felt_from]


def mirrored(landmark: PalpableLandmark) -> PalpableLandmark:
    """The same landmark on the other side of the body."""
    return replace(
        landmark,
        id=mirror_name(landmark.id),
        landmark=mirror_name(landmark.landmark),
        side=mirror_side(landmark.side),
        felt_from=tuple(mirror_direction(d) for d in landmark.felt_from),
    )


def with_mirrors(landmarks: Sequence[PalpableLandmark]) -> list[PalpableLandmark]:
    """Right-side entries followed by their left twins (midline entries once)."""
    out: list[PalpableLandmark] = []
    for lm in landmarks:
        out.append(lm)
        if lm.side is Side.RIGHT:
            out.append(mirrored(lm))
    return out


def skin_hides_anatomy(skin_opacity: float) -> bool:
    """True when the skin is drawn as the body (:data:`SKIN_COVER_OPACITY` or more): a plate
    then names landmarks one feels, not structures it cannot show."""
    return skin_opacity >= SKIN_COVER_OPACITY


def felt_from_camera(
    landmark: PalpableLandmark, toward_camera: Sequence[float], cone_deg: float = FELT_CONE_DEG
) -> bool:
    """Whether the camera looks at the body from a side ``landmark`` is felt from.

    ``toward_camera`` points from the body to the camera (atlas frame)."""
    d = np.asarray(toward_camera, dtype=np.float64)
    d = d / (np.linalg.norm(d) or 1.0)
    limit = float(np.cos(np.radians(cone_deg)))
    return any(float(v @ d) >= limit for v in landmark.felt_directions())


def choose_landmark_labels(
    landmarks: Sequence[PalpableLandmark],
    toward_camera: Sequence[float],
    positions: Mapping[str, Sequence[float]],
    cap: int = AUTO_LABEL_CAP,
) -> list[PalpableLandmark]:
    """The landmarks a plate under an opaque skin names, in data order: felt from the camera's
    side, placed in this atlas (``positions`` has their bony landmark), one of each left/right
    pair (the pairs take turns, right first, so the labels spread over both columns when both
    sides face the camera), at most ``cap``."""
    pairs: dict[str, list[PalpableLandmark]] = {}
    for lm in landmarks:
        if lm.landmark in positions and felt_from_camera(lm, toward_camera):
            pairs.setdefault(pair_key(lm.id), []).append(lm)
    out: list[PalpableLandmark] = []
    turn = 0
    for group in pairs.values():
        if len(out) >= cap:
            break
        if len(group) == 1:
            out.append(group[0])
            continue
        wanted = Side.RIGHT if turn % 2 == 0 else Side.LEFT
        out.append(next((lm for lm in group if lm.side is wanted), group[0]))
        turn += 1
    return out
