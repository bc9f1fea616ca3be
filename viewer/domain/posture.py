"""The posable atlas: bones moved rigidly, muscles skinned to them, lengths along their paths.

Built from plain arrays (the atlas's standing meshes and bony landmarks), so it runs headless for
``trigger-atlas pose-report`` and in tests, and the renderer only asks it for vertex arrays.
Bindings are computed lazily, once per mesh, from the geometry in hand (see
:mod:`viewer.domain.skinning`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from viewer.domain.balance import PARTS, MomentArms, moment_about_hip_axis
from viewer.domain.disc_binding import bind_disc
from viewer.domain.muscle_volume import VolumeKeeper
from viewer.domain.pose import LORDOSIS_SHARES, Matrix, Pose, Skeleton, apply
from viewer.domain.skinning import Binding, bind_muscle, bind_to_column, skin, transfer

if TYPE_CHECKING:  # SciPy's spatial module costs ~0.16 s to import: not before the first frame
    from scipy.sparse import csr_matrix
    from scipy.spatial import cKDTree


def slice_centroids(points: NDArray[np.float64], bins: NDArray[np.int64]) -> NDArray[np.float64]:
    """(k, 3) centroids of the non-empty slices, in fibre order."""
    n_bins = int(bins.max()) + 1
    counts = np.bincount(bins, minlength=n_bins).astype(np.float64)
    sums = np.stack(
        [np.bincount(bins, weights=points[:, i], minlength=n_bins) for i in range(3)], 1
    )
    keep = counts > 0
    return np.asarray(sums[keep] / counts[keep, None])


COLUMN_CARRIED: tuple[str, ...] = ("rectus_abdominis",)
"""Muscles of the front abdominal wall whose upper end (on the ribs, not in the atlas) rides on
the lumbar column: bound by :func:`~viewer.domain.skinning.bind_to_column`."""

PUSH_MARGIN_MM = 0.5
"""How far outside a bone's surface a pushed-out muscle vertex is put."""

FACE_RINGS = 4
"""Rings of mesh neighbours over which points pushed out of bone agree on the face they leave by."""

FACE_DEPTH_MM = 2.0
"""Points deeper than this in bone may be nearer the far face of a thin plate than their own."""

FACE_CANDIDATES = 24
"""Nearest bone vertices searched for one on the face the neighbourhood leaves by."""

FACE_AGREEMENT = 0.5
"""Least cosine between a bone vertex's normal and the neighbourhood's way out to count as on
that face."""

SAMPLE_MM = 3.0
"""Spacing of the samples that check a shortcut of the path against bone."""


def taut_length(
    path: NDArray[np.float64], blocked: Callable[[NDArray[np.float64]], NDArray[np.bool_]]
) -> float:
    """Length of a polyline pulled taut (see :func:`taut_path`)."""
    taut = taut_path(path, blocked)
    return float(np.linalg.norm(np.diff(taut, axis=0), axis=1).sum())


def taut_path(
    path: NDArray[np.float64], blocked: Callable[[NDArray[np.float64]], NDArray[np.bool_]]
) -> NDArray[np.float64]:
    """A polyline pulled taut: from each kept point, jump to the farthest point the straight
    line reaches without ``blocked`` samples (greedy shortcutting); returns the kept points."""
    kept = [0]
    i = 0
    n = len(path)
    while i < n - 1:
        j = n - 1
        while j > i + 1:
            a, b = path[i], path[j]
            k = max(2, int(np.linalg.norm(b - a) / SAMPLE_MM))
            s = np.linspace(0.0, 1.0, k + 1)[1:-1, None]
            if not blocked(a + s * (b - a)).any():
                break
            j -= 1
        kept.append(j)
        i = j
    return np.asarray(path[kept])


def _kd_trees(bones: Mapping[str, NDArray[np.float64]]) -> dict[str, cKDTree]:
    """A k-d tree per bone (SciPy imported here, on first posture use, not at start-up)."""
    from scipy.spatial import cKDTree

    return {b: cKDTree(p) for b, p in bones.items()}


@dataclass(frozen=True)
class MuscleLength:
    """One muscle's path length in a pose against standing."""

    id: str
    length_mm: float
    standing_length_mm: float

    @property
    def change_pct(self) -> float:
        """Change against standing, in percent (negative = shortened)."""
        return 100.0 * (self.length_mm - self.standing_length_mm) / self.standing_length_mm

    def as_dict(self) -> dict[str, object]:
        """The JSON entry of ``pose-report``."""
        return {
            "id": self.id,
            "length_mm": round(self.length_mm, 1),
            "standing_length_mm": round(self.standing_length_mm, 1),
            "change_pct": round(self.change_pct, 1),
        }


class PostureModel:
    """Poses one atlas.

    Parameters
    ----------
    skeleton : joint centres of the atlas
    bones : bone id -> (n, 3) standing vertices (the posable bones)
    muscles : muscle id -> (n, 3) standing vertices (full detail)
    attachments : muscle id -> bone ids of its origins and insertions
    muscle_triangles : muscle id -> triangles of its full mesh (to measure and keep its volume)
    attachment_centres : muscle id -> bone id -> (standing centre, fibre count) of where the
        muscle's fibres end on that bone (from the manifest): where its length path ends
    """

    def __init__(
        self,
        skeleton: Skeleton,
        bones: Mapping[str, NDArray[np.floating]],
        muscles: Mapping[str, NDArray[np.floating]],
        attachments: Mapping[str, Sequence[str]],
        roles: Mapping[str, Mapping[str, str]] | None = None,
        bone_normals: Mapping[str, NDArray[np.floating]] | None = None,
        muscle_triangles: Mapping[str, NDArray[np.integer]] | None = None,
        attachment_centres: Mapping[str, Mapping[str, tuple[Sequence[float], int]]] | None = None,
    ) -> None:
        self.skeleton = skeleton
        self._normals = {
            k: np.asarray(v, dtype=np.float64) for k, v in (bone_normals or {}).items()
        }
        self._bones = {k: np.asarray(v, dtype=np.float64) for k, v in bones.items()}
        self._muscles = {k: np.asarray(v, dtype=np.float64) for k, v in muscles.items()}
        self._attachments = {k: tuple(v) for k, v in attachments.items()}
        self._roles = {k: dict(v) for k, v in (roles or {}).items()}
        self._centres = {k: dict(v) for k, v in (attachment_centres or {}).items()}
        self._trees: dict[str, cKDTree] | None = None
        self._bindings: dict[str, Binding] = {}
        self._standing: dict[str, float] = {}
        self._skins: dict[str, tuple[NDArray[np.float64], Binding]] = {}
        self._skin_lods: dict[tuple[str, int], Binding] = {}
        self._volume: dict[tuple[str, int, bool], VolumeKeeper] = {}
        self._triangles = {k: np.asarray(v) for k, v in (muscle_triangles or {}).items()}
        self._adjacency: dict[tuple[str, int], csr_matrix] = {}
        self._discs: dict[str, tuple[NDArray[np.float64], Binding]] = {}
        self._disc_lods: dict[tuple[str, int], Binding] = {}
        self._body_joints: dict[str, dict[str, NDArray[np.float64]]] = {}
        self._body = ""

    def set_body_joints(self, joints: Mapping[str, Mapping[str, NDArray[np.floating]]]) -> None:
        """The skin's joint centres of each body outline (body -> joint -> (3,)), as the build
        placed them with that body's skin; :meth:`use_body` picks one set."""
        self._body_joints = {
            b: {k: np.asarray(v, dtype=np.float64) for k, v in j.items()}
            for b, j in joints.items()
        }
        self._body = ""

    def use_body(self, body: str) -> None:
        """Turn the skin's limbs and thorax about ``body``'s own joints (its skin is MakeHuman's
        mesh morphed and placed for that body: the female shoulders sit ~28 mm, the male wrists
        ~100 mm from the neutral body's). Bones and muscles do not depend on it; a body without
        joints of its own takes the neutral ones."""
        if body == self._body or not self._body_joints:
            return
        joints = self._body_joints.get(body) or self._body_joints.get("neutral")
        if joints:
            self.skeleton = self.skeleton.with_limb_joints(joints)
        self._body = body

    @property
    def body(self) -> str:
        """The body whose skin joints the transforms use now (empty before any is set)."""
        return self._body

    def add_skin(self, skin_id: str, points: NDArray[np.floating], binding: Binding) -> None:
        """Register a skin mesh with its (build-time) skinning weights."""
        self._skins[skin_id] = (np.asarray(points, dtype=np.float64), binding)

    def skin_binding(
        self,
        skin_id: str,
        points: NDArray[np.floating],
        full_points: NDArray[np.floating] | None = None,
    ) -> Binding | None:
        """The skin's binding for these vertices; ``None`` when the atlas ships no skin weights.

        Every body outline (neutral, female, male) shares the skin's vertex order and triangles,
        so a mesh with the weighted mesh's vertex count takes the weights as they are, whatever
        body it is. Another level of detail borrows them by nearest vertex from ``full_points``
        (the full mesh of the same body, so a female light skin is matched to the female full
        skin, not to the neutral one) or else from the weighted mesh; one transfer per vertex
        count is kept, since the bodies' light meshes share their triangles too.
        """
        found = self._skins.get(skin_id)
        if found is None:
            return None
        base, binding = found
        if len(points) == len(base):
            return binding
        key = (skin_id, len(points))
        cached = self._skin_lods.get(key)
        if cached is None:
            source = base
            if full_points is not None and len(full_points) == len(base):
                source = np.asarray(full_points, dtype=np.float64)
            cached = transfer(binding, source, points)
            self._skin_lods[key] = cached
        return cached

    def add_disc(self, disc_id: str, points: NDArray[np.floating]) -> None:
        """Register an intervertebral disc: it follows the two vertebrae it joins."""
        p = np.asarray(points, dtype=np.float64)
        self._discs[disc_id] = (p, bind_disc(p, self._bone_trees()))

    @property
    def disc_ids(self) -> tuple[str, ...]:
        """Discs the model poses."""
        return tuple(self._discs)

    def disc_binding(self, disc_id: str, points: NDArray[np.floating]) -> Binding:
        """The binding of one mesh of a disc (its light mesh borrows the full one's)."""
        base, binding = self._discs[disc_id]
        if len(points) == len(base):
            return binding
        key = (disc_id, len(points))
        found = self._disc_lods.get(key)
        if found is None:
            found = transfer(binding, base, points)
            self._disc_lods[key] = found
        return found

    @property
    def muscle_ids(self) -> tuple[str, ...]:
        """Muscles the model poses, in atlas order."""
        return tuple(self._muscles)

    @property
    def bone_ids(self) -> tuple[str, ...]:
        """Bones the model moves."""
        return tuple(self._bones)

    def transforms(self, pose: Pose) -> dict[str, Matrix]:
        """Rigid 4x4 transform of each bone."""
        return self.skeleton.transforms(pose)

    def binding(self, muscle_id: str) -> Binding:
        """The binding of a muscle's full mesh (computed on first use)."""
        found = self._bindings.get(muscle_id)
        if found is None:
            if self._trees is None:
                self._trees = _kd_trees(self._bones)
            attached = [b for b in self._attachments.get(muscle_id, ()) if b in self._bones]
            found = self._column_binding(muscle_id, attached) or bind_muscle(
                self._muscles[muscle_id],
                self._trees,
                attached,
                self._roles.get(muscle_id),
                self._centres.get(muscle_id),
            )
            self._bindings[muscle_id] = found
        return found

    def _column_binding(self, muscle_id: str, attached: Sequence[str]) -> Binding | None:
        """The binding of a muscle in :data:`COLUMN_CARRIED` (else ``None``): its pelvic
        attachment below, each lumbar vertebra (T12-L5) carrying the wall in front of it."""
        base = muscle_id.rsplit("_", 1)[0]
        pelvis = [b for b in attached if b.startswith("hip_bone")]
        levels = [u for u, _, _ in LORDOSIS_SHARES if u in self._bones]
        if base not in COLUMN_CARRIED or not pelvis or not levels or self._trees is None:
            return None
        return bind_to_column(
            self._muscles[muscle_id],
            self._trees[pelvis[0]],
            pelvis[0],
            [(v, self._bones[v].mean(axis=0)) for v in levels],
        )

    def bind_other(self, muscle_id: str, points: NDArray[np.floating]) -> Binding:
        """Binding for another mesh of the same muscle (its light mesh)."""
        return transfer(self.binding(muscle_id), self._muscles[muscle_id], points)

    def pose_muscle_points(
        self, muscle_id: str, points: Sequence[Sequence[float]], transforms: Mapping[str, Matrix]
    ) -> NDArray[np.float64]:
        """Points on a muscle (e.g. its trigger points) carried as its nearest vertices are."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        return skin(p, self.bind_other(muscle_id, p), transforms)

    def volume_keeper(
        self,
        muscle_id: str,
        points: NDArray[np.floating],
        binding: Binding,
        triangles: NDArray[np.integer] | None = None,
    ) -> VolumeKeeper:
        """What keeps the volume of this mesh of a muscle (one per level of detail, cached).

        ``triangles`` default to the model's triangles of the muscle's full mesh when ``points``
        is that mesh (a mesh with the same vertex count).
        """
        if triangles is None and len(points) == len(self._muscles[muscle_id]):
            triangles = self._triangles.get(muscle_id)
        key = (muscle_id, len(points), triangles is not None)
        found = self._volume.get(key)
        if found is None:
            found = VolumeKeeper(points, binding.fibre, triangles)
            self._volume[key] = found
        return found

    def pose_bone(
        self, bone_id: str, points: NDArray[np.floating], transforms: Mapping[str, Matrix]
    ) -> NDArray[np.float64]:
        """A bone's vertices in the pose (unmoved when the bone is not posable)."""
        m = transforms.get(bone_id)
        return np.asarray(points, dtype=np.float64) if m is None else apply(m, points)

    def pose_muscle(
        self,
        muscle_id: str,
        transforms: Mapping[str, Matrix],
        points: NDArray[np.floating] | None = None,
        binding: Binding | None = None,
        triangles: NDArray[np.integer] | None = None,
        push_out: bool = True,
    ) -> NDArray[np.float64]:
        """A muscle's vertices in the pose (its full mesh unless ``points``/``binding`` given;
        pass the ``triangles`` of other points so that their volume is measured and kept).

        Each cross-section is then scaled about the centre line to keep the muscle's volume
        (:mod:`viewer.domain.muscle_volume`). With ``push_out`` vertices that the
        blend carried into one of the muscle's bones are moved back to that bone's surface (plus
        :data:`PUSH_MARGIN_MM`): the muscle then slides over the pelvic brim and the front of the
        hip instead of cutting through them.
        """
        b = binding or self.binding(muscle_id)
        p = self._muscles[muscle_id] if points is None else np.asarray(points, dtype=np.float64)
        posed = skin(p, b, transforms)
        eye = np.eye(4)
        moved = any(not np.allclose(transforms.get(x, eye), eye) for x in b.bones)
        if moved:
            posed = self.volume_keeper(muscle_id, p, b, triangles).apply(posed)
        if push_out and moved:
            if triangles is None and len(p) == len(self._muscles[muscle_id]):
                triangles = self._triangles.get(muscle_id)
            ring = None if triangles is None else self._ring(muscle_id, len(p), triangles)
            posed = self.push_out(posed, transforms, b.bones, ring)
        return posed

    def _ring(self, muscle_id: str, n: int, triangles: NDArray[np.integer]) -> csr_matrix:
        """Which vertices of a muscle's mesh share an edge (n x n, cached per level of detail)."""
        key = (muscle_id, n)
        found = self._adjacency.get(key)
        if found is None:
            from scipy.sparse import csr_matrix

            tri = np.asarray(triangles, dtype=np.int64)
            i = np.concatenate([tri[:, 0], tri[:, 1], tri[:, 2]])
            j = np.concatenate([tri[:, 1], tri[:, 2], tri[:, 0]])
            found = csr_matrix(
                (np.ones(2 * len(i)), (np.concatenate([i, j]), np.concatenate([j, i]))),
                shape=(n, n),
            )
            found.data[:] = 1.0
            self._adjacency[key] = found
        return found

    def push_out(
        self,
        points: NDArray[np.float64],
        transforms: Mapping[str, Matrix],
        bones: Sequence[str],
        ring: csr_matrix | None = None,
    ) -> NDArray[np.float64]:
        """Move points found inside the given (posed) bones out along the bone's normal.

        With ``ring`` (the mesh's vertex adjacency, see :meth:`_ring`) the points leave by the
        face their neighbourhood leaves by (:meth:`_shared_face`): the nearest bone vertex
        alone picks either face of a thin plate of bone, and neighbours carried mid-way into it
        (the psoas in the rim above the acetabulum at 120 degrees of flexion, ~8 mm deep) were
        put out on opposite faces, tearing the muscle across the plate.
        """
        if not self._normals:
            return points
        trees = self._bone_trees()
        out: NDArray[np.float64] = np.array(points, dtype=np.float64)
        for bone in bones:
            normals = self._normals.get(bone)
            if normals is None:
                continue
            m = transforms.get(bone, np.eye(4))
            local = (out - m[:3, 3]) @ m[:3, :3]  # inverse of a rigid transform
            lo, hi = self._bounds(bone)
            near = np.flatnonzero(np.all((local > lo) & (local < hi), axis=1))
            if not len(near):
                continue
            d, idx = trees[bone].query(local[near], k=1, distance_upper_bound=40.0)
            hit = np.isfinite(d)
            if not hit.any():
                continue
            rows = near[hit]
            i = idx[hit]
            n = normals[i]
            signed = np.einsum("ij,ij->i", local[rows] - self._bones[bone][i], n)
            inside = signed < 0.0
            if not inside.any():
                continue
            rows, n, signed = rows[inside], n[inside], signed[inside]
            if ring is not None:
                n, signed = self._shared_face(bone, local[rows], rows, n, signed, ring)
            local[rows] += np.maximum(PUSH_MARGIN_MM - signed, 0.0)[:, None] * n
            out[rows] = local[rows] @ m[:3, :3].T + m[:3, 3]
        return out

    def _shared_face(
        self,
        bone: str,
        local: NDArray[np.float64],
        rows: NDArray[np.int64],
        n: NDArray[np.float64],
        signed: NDArray[np.float64],
        ring: csr_matrix,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Normal and signed depth of the face each point inside ``bone`` leaves by.

        The nearest-vertex normals, weighted by depth, are spread over :data:`FACE_RINGS` rings
        of the mesh; each point deeper than :data:`FACE_DEPTH_MM` (a shallow one is beside its
        face) then takes the nearest of its :data:`FACE_CANDIDATES` nearest
        bone vertices whose normal agrees with that shared direction (its own nearest if none).
        """
        deep = np.flatnonzero(signed < -FACE_DEPTH_MM)
        if not len(deep):
            return n, signed
        n, signed = n.copy(), signed.copy()
        field = np.zeros((ring.shape[0], 3))
        field[rows] = n * (-signed)[:, None]
        for _ in range(FACE_RINGS):
            field = field + ring @ field
        shared = field[rows[deep]]
        shared /= np.maximum(np.linalg.norm(shared, axis=1, keepdims=True), 1e-12)
        k = min(FACE_CANDIDATES, len(self._bones[bone]))
        _, idx = self._bone_trees()[bone].query(local[deep], k=k)
        normals = self._normals[bone]
        agree = np.einsum("rkj,rj->rk", normals[idx], shared) > FACE_AGREEMENT
        first = np.argmax(agree, axis=1)
        r = np.arange(len(deep))
        ok = agree[r, first]
        pick = idx[r, first][ok]
        n[deep[ok]] = normals[pick]
        signed[deep[ok]] = np.einsum(
            "ij,ij->i", local[deep[ok]] - self._bones[bone][pick], normals[pick]
        )
        return n, signed

    def _bounds(self, bone: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        p = self._bones[bone]
        return p.min(axis=0) - 1.0, p.max(axis=0) + 1.0

    def _bone_trees(self) -> dict[str, cKDTree]:
        if self._trees is None:
            self._trees = _kd_trees(self._bones)
        return self._trees

    def length(self, muscle_id: str, transforms: Mapping[str, Matrix]) -> float:
        """Length (mm) of a muscle's line of action in the pose.

        The path runs through the centroids of the muscle's slices along its fibre, pulled taut
        like a string: a stretch is cut short wherever the straight line stays clear of bone
        (so a muscle bent round a flexed joint is measured along its chord, as a muscle-tendon
        path is, while one wrapped over a bony edge keeps the wrap).
        """
        path = self.path(muscle_id, transforms)
        return float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())

    def path(self, muscle_id: str, transforms: Mapping[str, Matrix]) -> NDArray[np.float64]:
        """(k, 3) taut line of action, from the first station's end to the last's (see
        :meth:`length`)."""
        b = self.binding(muscle_id)
        points = self.pose_muscle(muscle_id, transforms)
        bins = b.path_bins()
        centroids = slice_centroids(points, bins)
        if b.anchors is not None:
            # From the origin's contact area to the insertion's, through the slices between.
            n_bins = int(bins.max()) + 1
            present = np.flatnonzero(np.bincount(bins, minlength=n_bins) > 0)
            mid_t = (present + 0.5) / n_bins
            t0, t1 = b.anchor_fibre
            between = centroids[(mid_t > t0) & (mid_t < t1)]
            eye = np.eye(4)
            if b.ends is not None:
                ends = [e.posed(transforms) for e in b.ends]
            else:
                ends = [
                    apply(transforms.get(bone, eye), b.anchors[i][None])[0]
                    for i, bone in ((0, b.bones[0]), (1, b.bones[-1]))
                ]
            centroids = np.vstack([ends[0][None], between, ends[1][None]])
        # A line of action wraps round bone, never through it: a slice centroid of a muscle
        # curved over a bony edge (gluteus maximus over the ischium and sacrum in sitting) can
        # lie under the bone's surface, so the stations between the ends go onto the surface.
        if len(centroids) > 2:
            inner = centroids[1:-1]
            for _ in range(3):
                inner = self.push_out(inner, transforms, self.bone_ids)
            centroids = np.vstack([centroids[:1], inner, centroids[-1:]])
        return taut_path(centroids, lambda q: self.inside_bone(q, transforms))

    def standing_length(self, muscle_id: str) -> float:
        """Length of the line of action in the atlas's standing pose."""
        if muscle_id not in self._standing:
            self._standing[muscle_id] = self.length(muscle_id, {})
        return self._standing[muscle_id]

    def inside_bone(
        self, points: NDArray[np.float64], transforms: Mapping[str, Matrix], depth_mm: float = 2.0
    ) -> NDArray[np.bool_]:
        """(n,) True where a point lies deeper than ``depth_mm`` inside a (posed) bone.

        Each point is taken back into the bone's standing frame and compared with the nearest
        bone vertex and its outward normal; needs the bone normals, else nothing is inside.
        """
        out = np.zeros(len(points), dtype=bool)
        if not self._normals:
            return out
        if self._trees is None:
            self._trees = _kd_trees(self._bones)
        for bone, tree in self._trees.items():
            normals = self._normals.get(bone)
            if normals is None:
                continue
            m = transforms.get(bone)
            local = (
                points
                if m is None
                else apply(np.asarray(np.linalg.inv(m), dtype=np.float64), points)
            )
            d, idx = tree.query(local, k=1, distance_upper_bound=60.0)
            hit = np.isfinite(d)
            if not hit.any():
                continue
            i = idx[hit]
            signed = np.einsum("ij,ij->i", local[hit] - self._bones[bone][i], normals[i])
            out[np.flatnonzero(hit)[signed < -depth_mm]] = True
        return out

    def lengths(self, pose: Pose, ids: Sequence[str] | None = None) -> list[MuscleLength]:
        """Length of each muscle in the pose against standing."""
        transforms = self.transforms(pose)
        return [
            MuscleLength(m, self.length(m, transforms), self.standing_length(m))
            for m in (ids if ids is not None else self.muscle_ids)
        ]


def moment_arms(model: PostureModel, side: str = "right") -> MomentArms:
    """Moment arms of iliopsoas and gluteus maximus about the hip axis, from the atlas paths.

    Each is the PCSA-weighted sum over the group's parts (see :mod:`viewer.domain.balance`).
    """
    centre = model.skeleton.hip_axis_centre
    sums: dict[str, float] = {}
    for group, parts in PARTS.items():
        total = 0.0
        for base, pcsa in parts:
            mid = f"{base}_{side}"
            if mid not in model.muscle_ids:
                continue
            binding = model.binding(mid)
            path = model.path(mid, {})
            femur_end = 0 if binding.bones[0].startswith("femur") else -1
            total += pcsa * moment_about_hip_axis(path, femur_end, centre)
        sums[group] = total
    return MomentArms(sums["iliopsoas"], sums["gluteus_maximus"])
