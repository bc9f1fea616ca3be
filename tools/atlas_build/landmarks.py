"""Named bony landmarks of the contract, found from bone geometry in the atlas frame.

Each landmark is a rule on the bone surface in the standing atlas frame (LPS: -y anterior,
+z superior, +x left). The rules are simple extremal queries because the bones are already in
anatomical position; every rule is documented in :data:`LANDMARK_RULES` so that users of
landmarks.json know what a point means.
"""

from __future__ import annotations

import numpy as np
import trimesh

SIDES = {"left": 1.0, "right": -1.0}
LEVELS = ("t12", "l1", "l2", "l3", "l4", "l5")

#: landmark base name -> (bone id template, how it is found). ``{side}`` / ``{level}`` expand.
LANDMARK_RULES: dict[str, tuple[str, str]] = {
    "hip_centre": ("hip_bone_{side}", "centre of a least-squares sphere fitted to the acetabulum"),
    "asis": ("hip_bone_{side}", "most anterior point of the ilium above the acetabulum"),
    "aiis": (
        "hip_bone_{side}",
        "anterior border point standing farthest forward of the rim-to-ASIS chord",
    ),
    "psis": ("hip_bone_{side}", "most posterior point of the ilium"),
    "iliac_crest_top": ("hip_bone_{side}", "highest point of the iliac crest"),
    "iliac_tubercle": (
        "hip_bone_{side}",
        "most lateral point of the upper 25 mm of the iliac crest",
    ),
    "pubic_tubercle": (
        "hip_bone_{side}",
        "most anterior point of the superior pubic ramus 10-40 mm from the midline",
    ),
    "pubic_symphysis": ("hip_bone_left", "midpoint of the two most medial points of the pubes"),
    "ischial_tuberosity": ("hip_bone_{side}", "lowest point of the ischium"),
    "greater_sciatic_notch": (
        "hip_bone_{side}",
        "deepest (most anterior) point of the posterior border between ischial spine and PIIS",
    ),
    "sacral_promontory": ("sacrum", "most anterior point of the upper rim of the S1 body"),
    "s1_endplate_centre": ("sacrum", "centre of the upward-facing S1 endplate surface"),
    "coccyx_tip": ("sacrum", "lowest midline point of the sacrum-coccyx"),
    "greater_trochanter": ("femur_{side}", "highest point of the femur lateral to the neck"),
    "lesser_trochanter": (
        "femur_{side}",
        "most posteromedial point of the proximal shaft 35-75 mm below the hip centre",
    ),
    "vertebral_body": (
        "vertebra_{level}",
        "centre of the vertebral body: midpoint of the superior and inferior endplate centres",
    ),
    "spinous_process": (
        "vertebra_{level}",
        "farthest point of the vertebra along its own posterior axis (spinous process tip)",
    ),
    "transverse_process": ("vertebra_{level}", "most lateral point of the vertebra on that side"),
}


def landmark_structure(name: str) -> tuple[str, str]:
    """Return (bone id, description) of a landmark name such as ``transverse_process_l3_left``."""
    for base, (template, text) in LANDMARK_RULES.items():
        if not name.startswith(base):
            continue
        rest = name[len(base) :].lstrip("_").split("_")
        side = next((r for r in rest if r in SIDES), "")
        level = next((r for r in rest if r in LEVELS), "")
        if base == "pubic_symphysis" or rest == [""] or rest == []:
            return template.format(side=side, level=level), text
        return template.format(side=side, level=level), text
    raise KeyError(name)


def fit_sphere(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Algebraic least-squares sphere fit; returns (centre, radius)."""
    p = np.asarray(points, dtype=np.float64)
    a = np.hstack([2.0 * p, np.ones((len(p), 1))])
    b = (p**2).sum(axis=1)
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    centre = sol[:3]
    radius = float(np.sqrt(sol[3] + centre @ centre))
    return centre, radius


def _argbest(points: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Point with the highest score; ties broken by index so the result is deterministic."""
    return np.array(points[int(np.argmax(score))], dtype=np.float64)


def _anterior_profile(v: np.ndarray, hip: np.ndarray, z0: float, z1: float) -> np.ndarray:
    """Most anterior ilium point per 3 mm horizontal slice between heights z0 and z1."""
    rows = []
    for z in np.arange(z0, z1, 3.0):
        sl = (np.abs(v[:, 2] - z) < 1.5) & (np.abs(v[:, 0] - hip[0]) < 35.0) & (v[:, 1] < hip[1])
        if sl.any():
            rows.append(v[sl][int(np.argmin(v[sl, 1]))])
    return np.array(rows)


def _aiis(v: np.ndarray, hip: np.ndarray, asis: np.ndarray) -> np.ndarray:
    """AIIS: the anterior border point that stands farthest forward of the chord from the
    acetabular rim (hip centre + 20 mm) to the ASIS, between hip + 25 mm and ASIS - 12 mm.

    The GIAS3 mean shape smooths the ASIS-AIIS notch, so a chord offset is more robust than a
    local maximum.
    """
    prof = _anterior_profile(v, hip, hip[2] + 20.0, asis[2])
    a, b = prof[0], asis
    t = (prof[:, 2] - a[2]) / (b[2] - a[2])
    chord_y = a[1] + t * (b[1] - a[1])
    ok = (prof[:, 2] > hip[2] + 25.0) & (prof[:, 2] < asis[2] - 12.0)
    return np.array(prof[ok][int(np.argmax(chord_y[ok] - prof[ok, 1]))], dtype=np.float64)


def _crest_line(v: np.ndarray, hip: np.ndarray) -> np.ndarray:
    """Iliac crest as the highest ilium point per 3 mm antero-posterior slice."""
    rows = []
    ilium = v[v[:, 2] > hip[2] + 30.0]
    for y in np.arange(ilium[:, 1].min(), ilium[:, 1].max(), 3.0):
        sl = np.abs(ilium[:, 1] - y) < 1.5
        if sl.any():
            rows.append(ilium[sl][int(np.argmax(ilium[sl, 2]))])
    return np.array(rows)


def _hip_bone_landmarks(v: np.ndarray, s: float, hip: np.ndarray) -> dict[str, np.ndarray]:
    """Landmarks of one hip bone; ``s`` is +1 for left (+x), -1 for right."""
    lat = s * v[:, 0]  # lateral distance from the midline, positive outward
    out: dict[str, np.ndarray] = {}
    above = v[:, 2] > hip[2] + 20.0
    out["asis"] = _argbest(v[above], -v[above, 1])
    out["aiis"] = _aiis(v, hip, out["asis"])
    out["psis"] = _argbest(v[above], v[above, 1])
    out["iliac_crest_top"] = _argbest(v, v[:, 2])
    crest = _crest_line(v, hip)
    ahead = crest[:, 1] < out["iliac_crest_top"][1]  # anterior half of the crest
    out["iliac_tubercle"] = _argbest(crest[ahead], s * crest[ahead, 0])
    pubic = (lat > 10.0) & (lat < 40.0) & (v[:, 2] < hip[2])
    out["pubic_tubercle"] = _argbest(v[pubic], -v[pubic, 1])
    out["ischial_tuberosity"] = _argbest(v, -v[:, 2])
    band = (v[:, 2] > hip[2] - 5.0) & (v[:, 2] < hip[2] + 45.0) & (v[:, 1] > hip[1])
    zs = np.arange(hip[2] - 5.0, hip[2] + 45.0, 2.0)
    best_y, best_p = np.inf, out["psis"]
    for z in zs:
        sl = band & (np.abs(v[:, 2] - z) < 1.5)
        if sl.sum() < 3:
            continue
        i = int(np.argmax(v[sl, 1]))
        if v[sl][i, 1] < best_y:
            best_y, best_p = float(v[sl][i, 1]), v[sl][i]
    out["greater_sciatic_notch"] = np.array(best_p, dtype=np.float64)
    return out


def _femur_landmarks(v: np.ndarray, s: float, hip: np.ndarray) -> dict[str, np.ndarray]:
    """Greater/lesser trochanter of one femur."""
    lat = s * (v[:, 0] - hip[0])
    out: dict[str, np.ndarray] = {}
    lateral = lat > 30.0
    out["greater_trochanter"] = _argbest(v[lateral], v[lateral, 2])
    band = (v[:, 2] < hip[2] - 35.0) & (v[:, 2] > hip[2] - 75.0)
    centre = v[band].mean(axis=0)
    direction = np.array([-s, 1.0, 0.0]) / np.sqrt(2.0)  # posteromedial
    out["lesser_trochanter"] = _argbest(v[band], (v[band] - centre) @ direction)
    return out


def _sacrum_landmarks(mesh: trimesh.Trimesh) -> dict[str, np.ndarray]:
    """Promontory, S1 endplate centre and coccyx tip."""
    v = np.asarray(mesh.vertices)
    n = np.asarray(mesh.vertex_normals)
    mid = np.abs(v[:, 0]) < 6.0
    top = v[:, 2] > v[:, 2].max() - 45.0
    out: dict[str, np.ndarray] = {}
    sel = mid & top
    out["sacral_promontory"] = _argbest(v[sel], -v[sel, 1])
    near = np.linalg.norm(v - out["sacral_promontory"], axis=1) < 45.0
    face_up = (n[:, 2] > 0.5) & (np.abs(v[:, 0]) < 20.0) & near
    if face_up.sum() >= 3:
        c = v[face_up].mean(axis=0)
        # snap to the surface: nearest endplate vertex to the patch centroid
        cand = v[face_up]
        out["s1_endplate_centre"] = np.array(
            cand[int(np.argmin(np.linalg.norm(cand - c, axis=1)))], dtype=np.float64
        )
    else:
        out["s1_endplate_centre"] = out["sacral_promontory"].copy()
    out["coccyx_tip"] = _argbest(v[mid], -v[mid, 2])
    return out


def _vertebra_landmarks(
    v: np.ndarray, level: str, axis: tuple[np.ndarray, np.ndarray] | None
) -> dict[str, np.ndarray]:
    """Body centre, spinous and transverse process tips of one vertebra.

    ``axis`` is (body centre, cranial unit axis) when known (re-seated vertebrae); the spinous
    tip is then the farthest point along the vertebra's own posterior direction.
    """
    if axis is None:
        depth = 25.0 if level == "t12" else 30.0
        front = v[:, 1] < v[:, 1].min() + depth
        body = v[front & (np.abs(v[:, 0]) < 30.0)]
        centre = 0.5 * (body.min(axis=0) + body.max(axis=0))
        posterior = np.array([0.0, 1.0, 0.0])
    else:
        centre, up = axis
        posterior = np.cross(up, [1.0, 0.0, 0.0])
        posterior = posterior / np.linalg.norm(posterior)
        if posterior[1] < 0:
            posterior = -posterior
    return {
        f"vertebral_body_{level}": np.asarray(centre, dtype=np.float64),
        f"spinous_process_{level}": _argbest(v, v @ posterior),
        f"transverse_process_{level}_left": _argbest(v, v[:, 0]),
        f"transverse_process_{level}_right": _argbest(v, -v[:, 0]),
    }


def compute_landmarks(
    bones: dict[str, trimesh.Trimesh],
    hip_centres: dict[str, np.ndarray],
    vertebra_axes: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[str, np.ndarray]:
    """All contract landmarks from the bones (atlas frame) and the fitted hip centres.

    ``vertebra_axes`` maps a level (``l3``) to (body centre, cranial axis) if known.
    """
    out: dict[str, np.ndarray] = {
        k: np.asarray(v, dtype=np.float64) for k, v in hip_centres.items()
    }
    medial: list[np.ndarray] = []
    for side, s in SIDES.items():
        hip = hip_centres[f"hip_centre_{side}"]
        v = np.asarray(bones[f"hip_bone_{side}"].vertices)
        for k, p in _hip_bone_landmarks(v, s, hip).items():
            out[f"{k}_{side}"] = p
        pubic = v[(v[:, 2] < hip[2]) & (v[:, 1] < hip[1] + 10.0)]
        medial.append(_argbest(pubic, -s * pubic[:, 0]))
        fv = np.asarray(bones[f"femur_{side}"].vertices)
        for k, p in _femur_landmarks(fv, s, hip).items():
            out[f"{k}_{side}"] = p
    out["pubic_symphysis"] = 0.5 * (medial[0] + medial[1])
    out.update(_sacrum_landmarks(bones["sacrum"]))
    for level in LEVELS:
        axis = (vertebra_axes or {}).get(level)
        out.update(
            _vertebra_landmarks(np.asarray(bones[f"vertebra_{level}"].vertices), level, axis)
        )
    return out
