"""Build the posable atlas (:class:`~viewer.domain.posture.PostureModel`) from a loaded atlas."""

from __future__ import annotations

import weakref

from viewer.domain.pose import PoseError, Skeleton
from viewer.domain.posture import PostureModel
from viewer.domain.structures import Kind
from viewer.io.annotations import load_bony_landmarks
from viewer.io.atlas_loader import LoadedAtlas


def posture_model(loaded: LoadedAtlas) -> PostureModel:
    """The posture model of an atlas; raises :class:`PoseError` when its landmarks fall short.

    Muscles are bound from their full-detail meshes (the light ones borrow that binding).
    """
    landmarks, problems = load_bony_landmarks(loaded.folder)
    if not landmarks:
        where = "; ".join(str(p) for p in problems) or "landmarks.json is empty"
        raise PoseError(f"posture needs the atlas's bony landmarks: {where}")
    skeleton = Skeleton.from_landmarks(landmarks)
    atlas = loaded.atlas
    bones = {
        s.id: loaded.meshes[s.id].points
        for s in atlas.renderable
        if s.kind is Kind.BONE and s.id in loaded.meshes
    }
    muscles = {
        s.id: loaded.meshes[s.id].points
        for s in atlas.renderable
        if s.kind is Kind.MUSCLE and s.id in loaded.meshes
    }
    attachments = {m: [a.structure for a in atlas.get(m).attachments] for m in muscles}
    normals = {b: loaded.meshes[b].normals for b in bones if loaded.meshes[b].normals is not None}
    roles = {m: {a.structure: a.role for a in atlas.get(m).attachments} for m in muscles}
    return PostureModel(
        skeleton,
        bones,
        muscles,
        attachments,
        roles,
        normals,  # type: ignore[arg-type]
    )


_CACHE: dict[int, tuple[weakref.ref[LoadedAtlas], PostureModel]] = {}


def shared_posture_model(loaded: LoadedAtlas) -> PostureModel:
    """One posture model per loaded atlas (bindings are computed once and shared by views)."""
    found = _CACHE.get(id(loaded))
    if found is not None and found[0]() is loaded:
        return found[1]
    model = posture_model(loaded)
    _CACHE[id(loaded)] = (weakref.ref(loaded), model)
    return model
