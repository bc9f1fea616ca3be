"""Re-seat the lumbar column on the sacrum with a normal standing lordosis.

myo-sim's generic posture puts the lumbar column 40-60 mm too far posterior once its pelvis is
matched to a real (CT) pelvis. We keep each myo-sim vertebra's shape but place it anew: L5's
inferior endplate on the S1 endplate of the CT sacrum, then L4 ... T12 stacked endplate on
endplate, each disc opening a lordotic wedge so that the L1-S1 Cobb angle is about 50 degrees.

All angles are in the sagittal plane (x is left-right): ``tilt`` is the angle of a vertebra's
cranial axis from vertical, positive when its top leans anterior (-y).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from tools.atlas_build.meshutil import rigid, rotation_about

#: caudal -> cranial order of the re-seated vertebrae (myo-sim body names)
LEVELS = ("lumbar5", "lumbar4", "lumbar3", "lumbar2", "lumbar1", "thoracic12_s")
#: lordotic wedge of the disc *below* each vertebra, degrees (sum L5-S1..L1-L2 = 50)
DISC_WEDGE = {
    "lumbar5": 16.0,
    "lumbar4": 13.0,
    "lumbar3": 10.0,
    "lumbar2": 7.0,
    "lumbar1": 4.0,
    "thoracic12_s": 0.0,
}
#: disc height below each vertebra at the body centre (mean of its anterior and posterior
#: heights), mm: normal adult lumbar discs are about 8-13 mm, growing to L4-L5; T12-L1 is
#: lower, like the thoracic discs above it. Entered after Tibrewal & Pearcy 1985 (Spine 10:452)
#: from memory; checked since against central heights of Busscher et al. 2010 (CT, 6 men:
#: T12-L1 9.3, L1-L2 10.3, L2-L3 11.5, L3-L4 11.8, L4-L5 12.7, L5-S1 8.8) and Twomey & Taylor
#: 1985 (men 20-35 y: L1-L2 9.2 ... L4-L5 11.3, L5-S1 10.6): within 1.3 mm of Busscher except
#: L5-S1, where the sources spread from 8.8 to 13 mm (docs/MORPHOMETRY.md). The vertebrae
#: themselves are brought to published adult size (vertebra_size.py).
DISC_HEIGHT = {
    "lumbar5": 11.0,
    "lumbar4": 12.0,
    "lumbar3": 11.5,
    "lumbar2": 11.0,
    "lumbar1": 10.0,
    "thoracic12_s": 8.0,
}
SUPERIOR = np.array([0.0, 0.0, 1.0])
ANTERIOR = np.array([0.0, -1.0, 0.0])
LATERAL = np.array([1.0, 0.0, 0.0])


@dataclass(frozen=True)
class VertebraFrame:
    """Body centre, cranial axis and body height of a vertebra (from its body's vertices)."""

    centre: np.ndarray
    up: np.ndarray
    height: float

    @property
    def inferior(self) -> np.ndarray:
        """Centre of the inferior endplate."""
        return self.centre - 0.5 * self.height * self.up

    @property
    def superior(self) -> np.ndarray:
        """Centre of the superior endplate."""
        return self.centre + 0.5 * self.height * self.up


def sagittal_tilt(up: np.ndarray) -> float:
    """Angle (rad) of a cranial axis from vertical in the sagittal plane, + = top anterior."""
    return float(np.arctan2(up @ ANTERIOR, up @ SUPERIOR))


def vertebra_frame(mesh: trimesh.Trimesh, body_depth: float = 30.0) -> VertebraFrame:
    """Estimate a vertebra's body frame from its mesh (vertebra roughly upright, LPS).

    The body is the anterior ``body_depth`` mm of the vertebra. The cranial axis is the dominant
    eigenvector of the area-weighted normal tensor of the body's faces in a 30 mm midline strip:
    there the two endplates outweigh the anterior wall, and the lateral walls are excluded.
    """
    c = np.asarray(mesh.triangles_center)
    n = np.asarray(mesh.face_normals)
    a = np.asarray(mesh.area_faces)
    v = np.asarray(mesh.vertices, dtype=np.float64)
    x_mid = float(np.median(v[:, 0]))
    front_limit = float(c[:, 1].min()) + body_depth
    sel = (c[:, 1] < front_limit) & (np.abs(c[:, 0] - x_mid) < 15.0)
    tensor = (a[sel, None, None] * n[sel, :, None] * n[sel, None, :]).sum(axis=0)
    _, vecs = np.linalg.eigh(tensor)
    up = vecs[:, 2] * np.sign(vecs[2, 2])
    up = up - (up @ LATERAL) * LATERAL  # keep it in the sagittal plane (model is symmetric)
    up = up / np.linalg.norm(up)
    # endplate centres: area-weighted centroids of the strip faces facing up / down
    strip = (c[:, 1] < front_limit + 5.0) & (np.abs(c[:, 0] - x_mid) < 12.0)
    facing = n @ up
    sup_sel, inf_sel = strip & (facing > 0.8), strip & (facing < -0.8)
    sup = (a[sup_sel, None] * c[sup_sel]).sum(axis=0) / a[sup_sel].sum()
    inf = (a[inf_sel, None] * c[inf_sel]).sum(axis=0) / a[inf_sel].sum()
    height = float((sup - inf) @ up)
    return VertebraFrame(0.5 * (sup + inf), up, height)


def stack_column(
    vertebrae: dict[str, trimesh.Trimesh],
    s1_centre: np.ndarray,
    s1_normal: np.ndarray,
    scale: float = 1.0,
) -> dict[str, np.ndarray]:
    """Rigid 4x4 transform per vertebra that seats the column on S1 with the target lordosis.

    ``s1_normal`` is the S1 endplate normal (pointing cranially); ``scale`` multiplies the disc
    heights (1.0: the published heights, for vertebrae at published size).
    """
    transforms: dict[str, np.ndarray] = {}
    below_top = np.asarray(s1_centre, dtype=np.float64)
    below_up = np.asarray(s1_normal, dtype=np.float64)
    below_tilt = sagittal_tilt(below_up)
    for level in LEVELS:
        fr = vertebra_frame(vertebrae[level])
        tilt = below_tilt - np.radians(DISC_WEDGE[level])
        rot = rotation_about(LATERAL, tilt - sagittal_tilt(fr.up))
        new_up = rot @ fr.up
        disc_dir = below_up + new_up
        disc_dir = disc_dir / np.linalg.norm(disc_dir)
        target_inferior = below_top + DISC_HEIGHT[level] * scale * disc_dir
        target_inferior[0] = below_top[0]  # stay on the midline
        transforms[level] = rigid(rot, fr.inferior, target_inferior - fr.inferior)
        below_top = target_inferior + fr.height * new_up
        below_up, below_tilt = new_up, sagittal_tilt(new_up)
    return transforms


def s1_endplate(
    sacrum: trimesh.Trimesh, guess: np.ndarray, guess_normal: np.ndarray, rounds: int = 5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre, cranial normal and vertex mask of the S1 superior endplate of a sacrum mesh.

    Starts from a guess (myo-sim's L5 inferior endplate) and alternates: take midline vertices
    near the current centre whose normals lie within 30 degrees of the current normal, fit a
    plane (SVD), keep those within 2.5 mm of it.
    """
    v = np.asarray(sacrum.vertices, dtype=np.float64)
    n = np.asarray(sacrum.vertex_normals, dtype=np.float64)
    centre = np.asarray(guess, dtype=np.float64)
    normal = np.asarray(guess_normal, dtype=np.float64) / np.linalg.norm(guess_normal)
    mask = np.zeros(len(v), dtype=bool)
    radius = 30.0
    for i in range(rounds):
        cone = np.cos(np.radians(40.0 if i == 0 else 30.0))
        near = np.linalg.norm(v - centre, axis=1) < radius
        mask = near & (n @ normal > cone)
        if mask.sum() < 10:
            break
        pts = v[mask]
        c = pts.mean(axis=0)
        _, _, vt = np.linalg.svd(pts - c)
        nn = vt[2] if vt[2] @ normal > 0 else -vt[2]
        mask &= np.abs((v - c) @ nn) < 2.5
        centre = v[mask].mean(axis=0)
        normal = nn
        radius = 22.0
    return centre, normal, mask
