"""Import a folder of meshes into the atlas frame: read, recognise, register, report.

The steps, each reported so the user can check them:

1. every file is read and cleaned (:mod:`viewer.io.mesh_import`); an unreadable or implausible
   file is listed with its reason and the rest carry on;
2. each file is recognised as an atlas structure (:mod:`viewer.domain.import_match`);
3. the imported pelvis (hip bones + sacrum) is registered onto the atlas pelvis by a similarity
   transform (:mod:`viewer.domain.registration`); without a pelvis, the other recognised bones,
   then muscles, are used, and the report says so; the transform is applied to every file;
4. a recognised file that still lies far from its atlas counterpart is tried in the other axis
   conventions (a lone RAS file in an LPS set) and turned if one fits clearly better;
5. side-less names get their side from where the registered mesh lies; several files of one
   structure (BodyParts3D's sacrum and coccyx) are merged.

Nothing here changes the loaded atlas: the result is plain data for
:mod:`viewer.io.user_atlas` to save and for the dialog to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from viewer.domain.import_match import (
    Recognition,
    StructureMatcher,
    fma_ids_in,
    replaced_parts,
)
from viewer.domain.registration import FRAMES, Registration, Similarity, register
from viewer.domain.structures import Atlas, Kind
from viewer.io.atlas_loader import LoadedAtlas
from viewer.io.mesh_import import ImportedMesh, ImportFileError, find_mesh_files, read_import_file

PELVIS = ("hip_bone_left", "hip_bone_right", "sacrum")
POOR_FIT_MM = 5.0
"""Residual (RMS, mm) above which the report warns: two adult pelves scaled to each other differ
by a few millimetres; centimetres mean a wrong frame, wrong files or a wrong recognition."""
FLIP_IF_FURTHER_THAN_MM = 10.0
"""A registered structure whose median distance to its atlas counterpart is under this is taken
as placed; above it, the other axis conventions are tried for that file alone."""

BODYPARTS3D = {
    "id": "bodyparts3d",
    "name": "BodyParts3D (Database Center for Life Science, DBCLS)",
    "licence": "CC-BY-SA-2.1-JP",
    "url": "https://dbarchive.biosciencedbc.jp/en/bodyparts3d/",
    "attribution": "BodyParts3D, (c) The Database Center for Life Science, licensed under "
    "CC Attribution-Share Alike 2.1 Japan",
}
"""DBCLS states BodyParts3D's licence and the attribution it asks for on its archive page."""

_BP3D_NAME = re.compile(r"^(?:FJ\d+|BP\d+)", re.IGNORECASE)

ProgressFn = Callable[[int, int, str], bool]
"""``progress(done, total, file name)``; returning False cancels the import."""


class ImportCancelledError(Exception):
    """The user cancelled; nothing was changed."""


@dataclass
class ImportedStructure:
    """One recognised structure, registered into the atlas frame (mm, LPS)."""

    structure_id: str
    files: list[Path]
    points: NDArray[np.float64]
    triangles: NDArray[np.int64]
    how: str
    notes: list[str] = field(default_factory=list)
    replaces: tuple[str, ...] = ()
    distance_mm: float | None = None
    """Median distance to the built-in structure it replaces (a check of the registration)."""
    licence: str = ""
    source: str = ""
    name: str = ""
    """The atlas's display name of the structure (``Iliacus (right)``)."""


@dataclass
class NotImported:
    """A file that was read but not recognised, or that could not be read at all."""

    path: Path
    reason: str


@dataclass
class ImportResult:
    """Everything an import produced; ``summary_lines`` says it in words."""

    structures: list[ImportedStructure] = field(default_factory=list)
    not_recognised: list[NotImported] = field(default_factory=list)
    failed: list[NotImported] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    registration: Registration | None = None
    registered_on: str = ""
    notes: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """The report, one fact per line (CLI output and the dialog's text)."""
        lines = list(self.notes)
        if self.registration is not None:
            r = self.registration
            lines.append(
                f"registered on {self.registered_on}: frame {r.frame}, "
                f"scale {r.transform.scale:.4f}, residual {r.residual_mm:.2f} mm RMS "
                f"(median {r.median_mm:.2f} mm)"
            )
            if r.residual_mm > POOR_FIT_MM:
                lines.append(
                    f"warning: the fit is poor ({r.residual_mm:.0f} mm): check that the files "
                    "are what their names say, or pick their axes (--frame / Axes of the files)"
                )
        for s in self.structures:
            extra = f"; replaces {', '.join(s.replaces)}" if s.replaces != (s.structure_id,) else ""
            dist = (
                f"; {s.distance_mm:.1f} mm from the built-in" if s.distance_mm is not None else ""
            )
            names = ", ".join(f.name for f in s.files)
            lines.append(f"{s.structure_id}: {names} ({s.how}{extra}{dist})")
            lines += [f"    {n}" for n in s.notes]
        for n in self.not_recognised:
            lines.append(f"not recognised: {n.path.name}: {n.reason}")
        for n in self.failed:
            lines.append(f"not imported: {n.path}: {n.reason}")
        return lines


@dataclass
class _Item:
    mesh: ImportedMesh
    recognition: Recognition


def licence_of(mesh: ImportedMesh) -> tuple[str, str]:
    """``(source id, licence)`` a file states, or ``("", "")`` when it says nothing."""
    text = " ".join(mesh.header)
    if _BP3D_NAME.match(mesh.path.name) or "bodyparts3d" in text.lower():
        return BODYPARTS3D["id"], BODYPARTS3D["licence"]
    m = re.search(r"licen[cs]e[d]?\s*(?:under)?\s*:?\s*(.+)", text, re.IGNORECASE)
    if m:
        return "", m.group(1).strip()[:120]
    return "", ""


def import_meshes(
    paths: Sequence[Path],
    base: LoadedAtlas,
    synonyms: Mapping[str, Sequence[str]] | None = None,
    frame: str | None = None,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Read, recognise and register the meshes under ``paths`` against ``base`` (full detail).

    ``frame`` names the import's axis convention (a key of
    :data:`~viewer.domain.registration.FRAMES`) when the user knows it; ``None`` finds it.
    Raises :class:`ImportCancelledError` when ``progress`` returns False.
    """
    result = ImportResult()
    files, result.skipped = find_mesh_files([Path(p) for p in paths])
    if not files:
        result.notes.append("no mesh files (OBJ, STL, PLY, OFF, glTF/GLB, VTK) were found")
        return result
    matcher = StructureMatcher(base.atlas, synonyms)
    items: list[_Item] = []
    for index, (path, root) in enumerate(files):
        if progress is not None and not progress(index, len(files) + 1, path.name):
            raise ImportCancelledError()
        by_name = matcher.recognise(path.stem)
        if by_name.structure_id is None and fma_ids_in(path.stem) and not by_name.base:
            # BodyParts3D names every file by FMA ID: a folder of 2,000 organs need not be read
            # to know that the heart is not part of this atlas.
            result.not_recognised.append(NotImported(path, by_name.reason + " (not read)"))
            continue
        try:
            mesh = read_import_file(path, root)
        except ImportFileError as exc:
            result.failed.append(NotImported(path, str(exc)))
            continue
        except Exception as exc:  # one odd file must not stop the import of the others
            result.failed.append(NotImported(path, f"cannot be read ({type(exc).__name__}: {exc})"))
            continue
        rec = matcher.recognise(path.stem, mesh.header)
        if rec.structure_id is None and not rec.side_from_position:
            result.not_recognised.append(NotImported(path, rec.reason))
        items.append(_Item(mesh, rec))
    if progress is not None and not progress(len(files), len(files) + 1, "registering"):
        raise ImportCancelledError()
    if sum(i.mesh.was_metres for i in items) and not all(i.mesh.was_metres for i in items):
        result.notes.append("some files were in metres and some in millimetres; all are mm now")
    elif items and all(i.mesh.was_metres for i in items):
        result.notes.append("the files are in metres; converted to millimetres")
    transform = _register(items, base, frame, result)
    _place(items, transform, base, matcher, result)
    return result


def _built_in_points(base: LoadedAtlas, ids: Sequence[str]) -> NDArray[np.float64]:
    pts = [base.meshes[i].points for i in ids if i in base.meshes]
    return np.vstack(pts).astype(np.float64) if pts else np.zeros((0, 3))


def _register(
    items: list[_Item], base: LoadedAtlas, frame: str | None, result: ImportResult
) -> Similarity:
    rotations = [FRAMES[frame]] if frame is not None else None
    known = [i for i in items if i.recognition.structure_id is not None]
    pelvis = [i for i in known if i.recognition.structure_id in PELVIS]
    atlas: Atlas = base.atlas
    bones = [i for i in known if atlas.get(str(i.recognition.structure_id)).kind is Kind.BONE]
    for chosen, label in (
        (
            pelvis,
            "the pelvis ("
            + ", ".join(sorted({str(i.recognition.structure_id) for i in pelvis}))
            + ")",
        ),
        (bones, "the recognised bones (no pelvis in the import)"),
        (known, "the recognised structures (no bones in the import)"),
    ):
        if not chosen:
            continue
        ids = sorted({str(i.recognition.structure_id) for i in chosen})
        fixed = _built_in_points(base, [leaf for sid in ids for leaf in replaced_parts(atlas, sid)])
        if len(fixed) == 0:
            continue
        moving = np.vstack([i.mesh.points for i in chosen])
        reg = register(moving, fixed, rotations=rotations)
        result.registration = reg
        result.registered_on = label
        if chosen is not pelvis:
            result.notes.append(
                "no hip bones or sacrum were recognised, so the import was registered on "
                f"{', '.join(ids)} instead; check its placement"
            )
        return reg.transform
    rot = FRAMES[frame] if frame is not None else np.eye(3)
    result.notes.append(
        "nothing was recognised to register on: the files are kept in their own coordinates"
        f" ({frame or 'LPS'} assumed, millimetres); place them yourself"
    )
    return Similarity(rot, 1.0, np.zeros(3))


def _median_distance(points: NDArray[np.float64], target: NDArray[np.float64]) -> float:
    from viewer.domain.registration import surface_distance

    return float(np.median(surface_distance(points, target)))


def _place(
    items: list[_Item],
    transform: Similarity,
    base: LoadedAtlas,
    matcher: StructureMatcher,
    result: ImportResult,
) -> None:
    atlas = base.atlas
    relative = {
        "RAS": FRAMES["RAS"],
        "Y-up": FRAMES["Y-up"],
        "Y-up (inverse)": FRAMES["Y-up"].T,
    }
    merged: dict[str, ImportedStructure] = {}
    for item in items:
        rec = item.recognition
        pts = transform.apply(item.mesh.points)
        notes = list(item.mesh.notes)
        if rec.side_from_position:
            rec = matcher.with_side(rec, float(pts[:, 0].mean()))
            if rec.structure_id is None:
                result.not_recognised.append(NotImported(item.mesh.path, rec.reason))
                continue
        sid = rec.structure_id
        if sid is None:
            continue
        parts = replaced_parts(atlas, sid)
        target = _built_in_points(base, parts)
        distance = None
        if len(target):
            distance = _median_distance(pts, target)
            if distance > FLIP_IF_FURTHER_THAN_MM:
                best = (distance, "", pts)
                for name, rot in relative.items():
                    trial = transform.apply(item.mesh.points @ rot.T)
                    d = _median_distance(trial, target)
                    if d < best[0]:
                        best = (d, name, trial)
                if best[1] and best[0] < 0.5 * distance:
                    notes.append(
                        f"its axes differ from the other files ({best[1]} relative to them): "
                        f"turned ({distance:.0f} mm -> {best[0]:.1f} mm from the built-in)"
                    )
                    distance, pts = best[0], best[2]
        source, licence = licence_of(item.mesh)
        if sid in merged:
            entry = merged[sid]
            offset = len(entry.points)
            entry.points = np.vstack([entry.points, pts])
            entry.triangles = np.vstack([entry.triangles, item.mesh.triangles + offset])
            entry.files.append(item.mesh.path)
            entry.notes += [*notes, f"merged with {item.mesh.path.name} ({rec.how})"]
            if len(target):
                entry.distance_mm = _median_distance(entry.points, target)
            continue
        merged[sid] = ImportedStructure(
            sid,
            [item.mesh.path],
            pts,
            item.mesh.triangles.copy(),
            rec.how,
            notes,
            parts,
            distance,
            licence,
            source,
            atlas.get(sid).name,
        )
    result.structures = list(merged.values())
