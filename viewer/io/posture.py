"""Build the posable atlas (:class:`~viewer.domain.posture.PostureModel`) from a loaded atlas."""

from __future__ import annotations

import logging
import weakref
from pathlib import Path

import numpy as np

from viewer.domain.pose import PoseError, Skeleton
from viewer.domain.posture import PostureModel
from viewer.domain.skinning import Binding
from viewer.domain.structures import Kind
from viewer.io.annotations import load_bony_landmarks
from viewer.io.atlas_loader import LoadedAtlas

log = logging.getLogger(__name__)


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
    centres = {
        m: {a.structure: (a.centre, a.fibres) for a in atlas.get(m).attachments if a.centre}
        for m in muscles
    }
    model = PostureModel(
        skeleton,
        bones,
        muscles,
        attachments,
        roles,
        normals,  # type: ignore[arg-type]
        {m: loaded.meshes[m].triangles for m in muscles},
        centres,
    )
    for s in atlas.renderable:
        if s.kind is Kind.DISC and s.id in loaded.meshes:
            model.add_disc(s.id, loaded.meshes[s.id].points)
    for s in atlas.renderable:
        if s.kind is Kind.SKIN and s.file and s.id in loaded.meshes:
            path = loaded.folder / Path(s.file).with_suffix(".weights.npz")
            binding = read_skin_weights(path, len(loaded.meshes[s.id].points))
            if binding is not None:
                model.add_skin(s.id, loaded.meshes[s.id].points, binding)
                joints = read_skin_joints(path)
                if joints:
                    model.skeleton = model.skeleton.with_limb_joints(joints)
    return model


def read_skin_joints(path: Path) -> dict[str, np.ndarray]:
    """The skin's limb joint centres (knees, shoulders, elbows, wrists) written beside its
    weights; empty for a weights file from before them (the limbs then ride on their carriers)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if "joint_names" not in data or "joint_centres" not in data:
                return {}
            names = [str(n) for n in data["joint_names"]]
            centres = np.asarray(data["joint_centres"], dtype=np.float64)
    except (OSError, KeyError, ValueError) as exc:
        log.warning("%s: unreadable limb joints (%s); the limbs ride on their carriers", path, exc)
        return {}
    if centres.shape != (len(names), 3) or not np.isfinite(centres).all():
        log.warning("%s: limb joints malformed; the limbs ride on their carriers", path)
        return {}
    return dict(zip(names, centres, strict=True))


def read_skin_weights(path: Path, n_vertices: int) -> Binding | None:
    """Skin weights written by the build (``tools.atlas_build.skin_weights``), or ``None``.

    A missing, unreadable or mismatched file leaves the skin standing (logged, not raised).
    """
    if not path.is_file():
        log.info("no skin weights at %s: the skin stays standing when posed", path)
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            bones = tuple(str(b) for b in data["bones"])
            weights = np.asarray(data["weights"], dtype=np.float64)
    except (OSError, KeyError, ValueError) as exc:
        log.warning("%s: unreadable skin weights (%s); the skin stays standing", path, exc)
        return None
    if weights.shape != (n_vertices, len(bones)) or not np.isfinite(weights).all():
        log.warning("%s: weights do not match the skin mesh; the skin stays standing", path)
        return None
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
    return Binding(bones=bones, weights=weights, fibre=np.zeros(n_vertices))


_CACHE: dict[int, tuple[weakref.ref[LoadedAtlas], PostureModel]] = {}


def shared_posture_model(loaded: LoadedAtlas) -> PostureModel:
    """One posture model per loaded atlas (bindings are computed once and shared by views)."""
    found = _CACHE.get(id(loaded))
    if found is not None and found[0]() is loaded:
        return found[1]
    model = posture_model(loaded)
    _CACHE[id(loaded)] = (weakref.ref(loaded), model)
    return model
