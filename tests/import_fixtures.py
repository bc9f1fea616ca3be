"""Test helper: a folder in BodyParts3D's naming and layout, made from the built-in atlas meshes.

The decimated (``.light.vtp``) atlas meshes stand in for another person's data: the same anatomy
sampled differently, moved into a data-set frame by a known similarity transform (a few degrees of
rotation, 7 % smaller, shifted), so a registration can be checked against the truth. The folder
holds what real downloads hold: spaces and non-ASCII characters in names, seam vertices duplicated
per face, a disconnected sliver and zero-area triangles, one file in RAS axes, one in metres, one
structure only named in the OBJ header, a whole psoas major (the atlas splits it), an unknown
structure and a corrupt file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from viewer.domain.registration import FRAMES, Similarity
from viewer.io.meshes import read_mesh
from viewer.io.resources import builtin_meshes_dir

BP3D_HEADER = (
    "# BodyParts3D, (C) The Database Center for Life Science licensed under "
    "CC Attribution-Share Alike 2.1 Japan\n"
)


def data_set_transform() -> Similarity:
    """Atlas frame -> the synthetic data set's frame (what the import must undo)."""
    from scipy.spatial.transform import Rotation

    rot = Rotation.from_euler("xyz", [4.0, -6.0, 3.0], degrees=True).as_matrix()
    return Similarity(rot, 0.93, np.array([12.0, -35.0, 940.0]))


@dataclass(frozen=True)
class SynthFile:
    """What the helper wrote: the file and the atlas structure it holds (``None``: unknown)."""

    path: Path
    structure: str | None


def _light(structure: str, atlas: Path) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    sub = (
        "bones"
        if any(b in structure for b in ("bone", "sacrum", "femur", "vertebra"))
        else "muscles"
    )
    mesh = read_mesh(atlas / sub / f"{structure}.light.vtp")
    return mesh.points.astype(np.float64), mesh.triangles


def _write_obj(
    path: Path,
    pts: NDArray[np.float64],
    tris: NDArray[np.int64],
    header: str = "",
    seams: bool = False,
) -> None:
    lines = [header] if header else []
    if seams:  # every face gets its own three vertices, as exporters do at normal/UV seams
        pts = pts[tris.ravel()]
        tris = np.arange(len(pts)).reshape(-1, 3)
    lines += [f"v {x:.5f} {y:.5f} {z:.5f}" for x, y, z in pts]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in tris]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _mesh(pts: NDArray[np.float64], tris: NDArray[np.int64]) -> object:
    import trimesh

    return trimesh.Trimesh(pts, tris, process=False)


def make_bodyparts3d_folder(folder: Path, atlas: Path | None = None) -> list[SynthFile]:
    """Write the synthetic data set into ``folder``; returns every file with its truth."""
    atlas = atlas or builtin_meshes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    to_data = data_set_transform()
    out: list[SynthFile] = []

    def data(structure: str) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        pts, tris = _light(structure, atlas)
        return to_data.apply(pts), tris

    plain = {
        "hip_bone_right": "FJ3259_BP8414_FMA16586_Right hip bone.obj",
        "hip_bone_left": "FJ3260_BP8415_FMA16587_Left hip bone.obj",
        "femur_right": "FJ3262_BP8417_FMA24474_Right femur.obj",
        "gluteus_maximus_right": "FJ2810_BP7460_FMA22328_Right gluteus maximus.obj",
        "quadratus_lumborum_left": "FJ2915_BP7585_FMA22349_Left quadratus lumborum.obj",
    }
    for structure, name in plain.items():
        pts, tris = data(structure)
        _write_obj(folder / name, pts, tris, BP3D_HEADER)
        out.append(SynthFile(folder / name, structure))

    # Seams: duplicated vertices per face.
    pts, tris = data("sacrum")
    name = "FJ3165_BP8109_FMA16202_Sacrum.obj"
    _write_obj(folder / name, pts, tris, BP3D_HEADER, seams=True)
    out.append(SynthFile(folder / name, "sacrum"))

    # A sliver: a far-off tiny piece plus zero-area triangles.
    pts, tris = data("iliacus_right")
    n = len(pts)
    far = pts[:3] + np.array([200.0, 0.0, 0.0])
    zero = np.array([[0, 0, 1], [2, 2, 2]])
    pts2 = np.vstack([pts, far])
    tris2 = np.vstack([tris, [[n, n + 1, n + 2]], zero])
    name = "FJ2797_BP7433_FMA22322_Right iliacus.obj"
    _write_obj(folder / name, pts2, tris2, BP3D_HEADER)
    out.append(SynthFile(folder / name, "iliacus_right"))

    # Named only in the header (Concept ID line), file name without anything useful.
    pts, tris = data("vertebra_l5")
    name = "part 0042.obj"
    header = BP3D_HEADER + "# Concept ID : FMA13076\n# English name : fifth lumbar vertebra\n"
    _write_obj(folder / name, pts, tris, header)
    out.append(SynthFile(folder / name, "vertebra_l5"))

    # The whole right psoas major (the atlas has it as upper + lower parts).
    up, tu = data("psoas_major_upper_right")
    lo, tl = data("psoas_major_lower_right")
    name = "FJ2799_BP7437_FMA22342_Right psoas major.obj"
    _write_obj(folder / name, np.vstack([up, lo]), np.vstack([tu, tl + len(up)]), BP3D_HEADER)
    out.append(SynthFile(folder / name, "psoas_major_right"))

    # Non-ASCII name, PLY.
    pts, tris = data("gluteus_medius_left")
    name = "left gluteus médius (Musculus gluteus medius sinister).ply"
    _mesh(pts, tris).export(folder / name)  # type: ignore[attr-defined]
    out.append(SynthFile(folder / name, "gluteus_medius_left"))

    # RAS axes (a Slicer export), legacy VTK.
    pts, tris = data("iliacus_left")
    name = "Segment_Iliacus muscle.l.vtk"
    _write_legacy_vtk(folder / name, pts @ FRAMES["RAS"].T, tris)
    out.append(SynthFile(folder / name, "iliacus_left"))

    # Metres, binary STL, in a sub-folder.
    (folder / "extra parts").mkdir(exist_ok=True)
    pts, tris = data("piriformis_left")
    name = "extra parts/Piriformis (left).stl"
    _mesh(pts / 1000.0, tris).export(folder / name)  # type: ignore[attr-defined]
    out.append(SynthFile(folder / name, "piriformis_left"))

    # Unknown structure: a heart-sized ball.
    import trimesh

    ball = trimesh.creation.icosphere(subdivisions=2, radius=50.0)
    name = "FJ1234_BP9999_FMA7088_Heart.obj"
    centre = np.array([0.0, 0.0, 1200.0])
    _write_obj(folder / name, np.asarray(ball.vertices) + centre, ball.faces, BP3D_HEADER)
    out.append(SynthFile(folder / name, None))

    # Corrupt: a truncated binary STL that claims more triangles than it holds.
    name = "FJ2811_BP7461_FMA22330_Right gluteus medius.stl"
    (folder / name).write_bytes(b"\0" * 80 + (5000).to_bytes(4, "little") + b"\x01\x02" * 100)
    out.append(SynthFile(folder / name, None))
    (folder / "README.txt").write_text("BodyParts3D-style test folder\n", encoding="utf-8")
    return out


def _write_legacy_vtk(path: Path, pts: NDArray[np.float64], tris: NDArray[np.int64]) -> None:
    lines = ["# vtk DataFile Version 3.0", "Slicer segment", "ASCII", "DATASET POLYDATA"]
    lines.append(f"POINTS {len(pts)} float")
    lines += [f"{x:.5f} {y:.5f} {z:.5f}" for x, y, z in pts]
    lines.append(f"POLYGONS {len(tris)} {4 * len(tris)}")
    lines += [f"3 {a} {b} {c}" for a, b, c in tris]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
