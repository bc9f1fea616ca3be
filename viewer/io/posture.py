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
                joints = read_body_joints(path)
                if joints:
                    model.set_body_joints(joints)
                    model.use_body(loaded.body)
    return model


def read_skin_joints(path: Path, body: str = "neutral") -> dict[str, np.ndarray]:
    """The skin's limb joint centres (knees, shoulders, elbows, wrists, the thorax's pivots) of
    ``body``, written beside its weights; empty for a weights file from before them (the limbs
    then ride on their carriers). A file from before the bodies had joints of their own gives
    its one set (the neutral body's) for every body."""
    sets = read_body_joints(path)
    return sets.get(body) or sets.get("neutral", {})


def read_body_joints(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """Every body's skin joint centres (body -> joint -> (3,)), placed by the build as that
    body's skin is placed; ``{"neutral": ...}`` alone for a file with one set, empty without."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if "joint_names" not in data or "joint_centres" not in data:
                return {}
            names = [str(n) for n in data["joint_names"]]
            sets = {"neutral": np.asarray(data["joint_centres"], dtype=np.float64)}
            if "body_names" in data and "body_joint_centres" in data:
                rows = np.asarray(data["body_joint_centres"], dtype=np.float64)
                bodies = [str(b) for b in data["body_names"]]
                if rows.shape != (len(bodies), len(names), 3):
                    log.warning("%s: body joints malformed; the neutral body's used", path)
                else:
                    sets.update(zip(bodies, rows, strict=True))
    except (OSError, KeyError, ValueError) as exc:
        log.warning("%s: unreadable limb joints (%s); the limbs ride on their carriers", path, exc)
        return {}
    out: dict[str, dict[str, np.ndarray]] = {}
    for body, centres in sets.items():
        if centres.shape != (len(names), 3) or not np.isfinite(centres).all():
            log.warning("%s: %s limb joints malformed; left out", path, body)
            continue
        out[body] = dict(zip(names, centres, strict=True))
    return out


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
    """One posture model per loaded atlas (bindings are computed once and shared by views), with
    the skin joints of the body the atlas shows now."""
    found = _CACHE.get(id(loaded))
    if found is not None and found[0]() is loaded:
        found[1].use_body(loaded.body)  # the body shown may have changed since
        return found[1]
    model = posture_model(loaded)
    _CACHE[id(loaded)] = (weakref.ref(loaded), model)
    return model
