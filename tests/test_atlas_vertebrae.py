"""The shipped vertebrae have real adult size, the column its real length, and the erector
spinae columns end without loose strands (issue 11, item 2 and the erector bullet of item 3;
their flat cut at the top of the region: tests/test_atlas_back_muscles.py).

Dimensions are measured on the shipped meshes exactly as the cited table in
tools/atlas_build/vertebra_size.py defines them. docs/MORPHOMETRY.md says which targets were
checked against a published mean and which were entered from memory; the published means used
for that check are repeated in ``PUBLISHED`` below, so a target moved away from them fails.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pytest
import trimesh

from tools.atlas_build.spine import vertebra_frame
from tools.atlas_build.vertebra_size import (
    COLUMN_LENGTH,
    MORPHOMETRY,
    PROVENANCE,
    REFERENCES,
    measure,
    measure_arch,
)

REPO = Path(__file__).resolve().parents[1]
MESHES = Path(os.environ.get("TRIGGER_ATLAS_MESHES", REPO / "meshes"))
LEVELS = ("t12", "l1", "l2", "l3", "l4", "l5")

#: Published means (mm) each checked target was compared with; the first of each list is the
#: one the target must lie within 1 mm of (the rounding vertebra_size.py claims), every one
#: must lie inside the accepted range. Where read: docs/MORPHOMETRY.md.
PUBLISHED: dict[tuple[str, str], list[tuple[float, str]]] = {
    # body width: Bonczar 2024 pooled upper-endplate width (EPWu), Panjabi 1992 Table 2 EPWu
    ("l1", "body_width"): [(41.09, "Bonczar 2024"), (41.2, "Panjabi 1992")],
    ("l2", "body_width"): [(42.98, "Bonczar 2024"), (42.6, "Panjabi 1992")],
    ("l3", "body_width"): [(44.82, "Bonczar 2024"), (44.1, "Panjabi 1992")],
    ("l4", "body_width"): [(47.50, "Bonczar 2024"), (46.6, "Panjabi 1992")],
    ("l5", "body_width"): [(48.81, "Bonczar 2024"), (47.3, "Panjabi 1992")],
    # T12: Panjabi 1991 Fig. 4A, EPWu and EPWl (digitised values)
    ("t12", "body_width"): [(39.2, "Panjabi 1991 EPWu"), (42.3, "Panjabi 1991 EPWl")],
    # body height, mean of anterior and posterior: Bonczar 2024 pooled, Cook & Baker 2021 (L5)
    ("l1", "body_height"): [(25.56, "Bonczar 2024")],
    ("l2", "body_height"): [(26.39, "Bonczar 2024")],
    ("l3", "body_height"): [(26.75, "Bonczar 2024")],
    ("l4", "body_height"): [(26.31, "Bonczar 2024")],
    ("l5", "body_height"): [(25.78, "Bonczar 2024"), (28.3, "Cook & Baker 2021")],
    # T12: mean of Kunkel 2011 (22.0), Duman 2026 both sexes (22.9), Busscher 2010 (27.05)
    ("t12", "body_height"): [
        (23.98, "mean of three series"),
        (21.96, "Kunkel 2011"),
        (22.93, "Duman 2026"),
        (27.05, "Busscher 2010"),
    ],
    # L5 body depth: Cook & Baker 2021 Table 6, inferior body length; Bhat et al. 2025, superior
    # and inferior antero-posterior diameters of 50 dry L5
    ("l5", "body_depth"): [
        (35.3, "Cook & Baker 2021"),
        (33.5, "Bhat 2025 superior"),
        (33.3, "Bhat 2025 inferior"),
    ],
    # transverse-process span (tip to tip): medians of about 800 automated CT measurements
    # per level (CTSpinoPelvic1K level_gradients.csv, secondary), then the one-specimen table
    # of the Lumbar Model Generator toolbox of Lavecchia et al. 2018 (its
    # parameter_visual_human_gui gives the same widths as its author's measurements of one
    # reconstructed 'visual human' model), then at L5 the pooled
    # mean of Bonczar 2024 as quoted in the CTSpinoPelvic1K notes (docs/MORPHOMETRY.md)
    # T12: the same two kinds of value, neither a published mean, agree within 1 mm (the CT
    # project does not validate its thoracic spans)
    ("t12", "tp_span"): [(50.6, "CT median"), (51.6, "Lavecchia 2018 toolbox, one specimen")],
    ("l1", "tp_span"): [(72.7, "CT median"), (74.21, "Lavecchia 2018 toolbox, one specimen")],
    ("l2", "tp_span"): [(80.9, "CT median"), (88.84, "Lavecchia 2018 toolbox, one specimen")],
    ("l3", "tp_span"): [(89.8, "CT median"), (96.89, "Lavecchia 2018 toolbox, one specimen")],
    ("l4", "tp_span"): [(86.6, "CT median"), (96.79, "Lavecchia 2018 toolbox, one specimen")],
    ("l5", "tp_span"): [
        (92.5, "CT median"),
        (97.45, "Lavecchia 2018 toolbox, one specimen"),
        (85.91, "Bonczar 2024 pooled, in CTSpinoPelvic1K notes"),
    ],
    # pedicle width at the isthmus (PDW): Panjabi 1992 Table 4 (mean of right and left) and
    # Zindrick 1987, both read in the CTSpinoPelvic1K transcription
    # (morphometrics/panjabi1992_lumbar.csv, pedicle_width_references.csv); T12: Panjabi 1991
    # Table 5 (right 8.8, left 8.6, same transcription) and Kaur 2016 (CT of 50 patients,
    # abstract at http://pubmedcentralcanada.ca/pmcc/articles/PMC4857161/)
    ("t12", "pedicle_width"): [(8.7, "Panjabi 1991"), (8.31, "Kaur 2016")],
    ("l1", "pedicle_width"): [(8.6, "Panjabi 1992"), (8.7, "Zindrick 1987")],
    ("l2", "pedicle_width"): [(8.25, "Panjabi 1992"), (8.9, "Zindrick 1987")],
    ("l3", "pedicle_width"): [(10.15, "Panjabi 1992"), (10.3, "Zindrick 1987")],
    ("l4", "pedicle_width"): [(14.05, "Panjabi 1992"), (12.9, "Zindrick 1987")],
    ("l5", "pedicle_width"): [(18.6, "Panjabi 1992"), (18.0, "Zindrick 1987")],
    # spinal canal width between the pedicles (SCW): Panjabi 1992 Table 3, Panjabi 1991 Table 4
    # (T12), same transcription (morphometrics/panjabi_reference.csv)
    ("t12", "canal_width"): [(22.2, "Panjabi 1991")],
    ("l1", "canal_width"): [(23.7, "Panjabi 1992")],
    ("l2", "canal_width"): [(23.8, "Panjabi 1992")],
    ("l3", "canal_width"): [(24.3, "Panjabi 1992")],
    ("l4", "canal_width"): [(25.4, "Panjabi 1992")],
    ("l5", "canal_width"): [(27.1, "Panjabi 1992")],
}
#: Mean vertebral body depth across L2-L5 of 87 patients (mm): Clouthier et al. 2023, public
#: data of their morphable model (aclouthier/morphable-lumbar-model, SSM/meanVBdepth_y.csv,
#: [mean, min, max] = 35.043, 29.543, 41.952). It checks the average of the L2-L5 depth
#: targets only; the per-level depths T12-L4 stay unverified (docs/MORPHOMETRY.md).
CLOUTHIER_L2_L5_DEPTH = 35.043
#: the largest accepted ranges of values checked against a published mean (mm): about 1 SD of
#: the cited sources (spans: SD 8.2-9.3 mm of the automated CT spans L1-L5; T12 body height:
#: the spread of its three series; pedicle width: Zindrick's SDs 2.1-2.6 mm at L1-L4 and 4.1 at
#: L5, Kaur's 1.8 at T12; canal width: Panjabi's SEM x sqrt(12), 1.7-3.9 mm; docs/MORPHOMETRY.md)
CHECKED_HALF_RANGE = {
    "body_width": 3.0,
    "body_depth": 3.5,
    "body_height": 2.0,
    "tp_span": 10.0,
    "pedicle_width": 2.5,
    "canal_width": 3.0,
}
CHECKED_HALF_RANGE_AT = {("t12", "body_height"): 3.5, ("l5", "pedicle_width"): 4.0}
DIMENSIONS = (
    "body_width",
    "body_depth",
    "body_height",
    "tp_span",
    "ap_depth",
    "pedicle_width",
    "canal_width",
)


def _poly(path: Path):  # type: ignore[no-untyped-def]
    import pyvista as pv

    return pv.read(path)


def _mesh(sub: str, name: str) -> trimesh.Trimesh:
    poly = _poly(MESHES / sub / f"{name}.vtp")
    faces = np.asarray(poly.faces).reshape(-1, 4)[:, 1:]
    return trimesh.Trimesh(np.asarray(poly.points, dtype=np.float64), faces, process=False)


@pytest.mark.parametrize("level", LEVELS)
def test_pedicles_and_canal_in_published_ranges(level: str) -> None:
    """Pedicle width at the isthmus and the canal width between the pedicles lie within the
    cited ranges (Panjabi 1991/1992; measured as measure_arch defines them). The generic
    myo-sim arches, measured so, had pedicles 15.5-18.5 mm wide and a canal of 15.3-20.8 mm
    (published: 8.25-18.6 and 22.2-27.1 mm): the canal, 6.2-8.4 mm under the mean,
    failed at every level, the pedicles at T12-L4."""
    arch = measure_arch(_mesh("bones", f"vertebra_{level}"))
    size = MORPHOMETRY[level]
    for name in ("pedicle_width", "canal_width"):
        dim = getattr(size, name)
        got = getattr(arch, name)
        assert dim.low <= got <= dim.high, (
            f"{level} {name} {got:.1f} mm outside {dim.low}-{dim.high} ({dim.source})"
        )


@pytest.mark.parametrize("level", LEVELS)
def test_shipped_arches_measure_what_the_build_set(level: str) -> None:
    """The canals are opened after the facet joints are closed (assemble._open_canals), so
    the shipped pedicles and canal lie within 0.5 mm of their targets (the build converges to
    0.2 mm). Opened before the closure, the L5-S1 closure then also moved the arch: L5's canal
    measured 28.8 mm against 27.1 on the shipped mesh, and the sacrum under it changed."""
    arch = measure_arch(_mesh("bones", f"vertebra_{level}"))
    size = MORPHOMETRY[level]
    for name in ("pedicle_width", "canal_width"):
        target = getattr(size, name).target
        got = getattr(arch, name)
        assert abs(got - target) <= 0.5, f"{level} {name} {got:.2f} mm, built to {target}"


@pytest.mark.parametrize("level", LEVELS)
def test_vertebra_dimensions_in_published_ranges(level: str) -> None:
    m = measure(_mesh("bones", f"vertebra_{level}"))
    size = MORPHOMETRY[level]
    for name in ("body_width", "body_depth", "body_height", "tp_span", "ap_depth"):
        dim = getattr(size, name)
        got = getattr(m, name)
        assert dim.low <= got <= dim.high, (
            f"{level} {name} {got:.1f} mm outside {dim.low}-{dim.high} ({dim.source})"
        )


def test_l2_l5_body_depths_average_to_the_published_pooled_mean() -> None:
    """The L2-L5 depth targets (from memory per level) and the shipped bodies average within
    1 mm (targets) and 1.5 mm (meshes, which sit within 0.5 mm of their targets) of the mean
    L2-L5 body depth of Clouthier et al. 2023; each level's range contains that mean."""
    levels = ("l2", "l3", "l4", "l5")
    targets = [MORPHOMETRY[lv].body_depth.target for lv in levels]
    assert abs(float(np.mean(targets)) - CLOUTHIER_L2_L5_DEPTH) <= 1.0, targets
    for lv in levels:
        dim = MORPHOMETRY[lv].body_depth
        assert dim.low <= CLOUTHIER_L2_L5_DEPTH <= dim.high, (lv, dim)
    got = [measure(_mesh("bones", f"vertebra_{lv}")).body_depth for lv in levels]
    assert abs(float(np.mean(got)) - CLOUTHIER_L2_L5_DEPTH) <= 1.5, got


#: Mean vertebral body length (antero-posterior) of 90 control men, L1-L5 (mm): Abbas et al.
#: 2021, Biomed Res Int 2021:7093745, abstract (no SDs given).
ABBAS_CONTROL_MEN = {"l1": 29.9, "l2": 31.3, "l3": 32.6, "l4": 32.8, "l5": 32.9}
#: Cook & Baker 2021 Table 6, L5 inferior body length (mm): the per-level check's anchor.
COOK_L5_DEPTH = 35.3


def test_l1_l4_body_depths_step_as_a_published_series() -> None:
    """No per-level mean depth could be read for L1-L4 alone; their steps can be checked.
    Abbas 2021's series (one CT study, so its own level-to-level steps), moved up by the gap
    between its L5 and Cook & Baker's L5 (the checked level), lies within 1 mm of each L1-L4
    depth target; the targets grow from L1 to L4 as it does."""
    shift = COOK_L5_DEPTH - ABBAS_CONTROL_MEN["l5"]
    targets = [MORPHOMETRY[lv].body_depth.target for lv in ("l1", "l2", "l3", "l4")]
    for lv, target in zip(("l1", "l2", "l3", "l4"), targets, strict=True):
        assert abs(target - (ABBAS_CONTROL_MEN[lv] + shift)) <= 1.0, (lv, target)
    assert targets == sorted(targets)


def test_lumbar_transverse_processes_reach_their_real_span() -> None:
    """The defect of issue 11: tips ~30 mm from the midline; real L1-L5 spans are 70-100 mm.
    The tip landmarks lie within the cited span range of their level (population medians
    72.7-92.5 mm, +/-10 mm), allowing 3 mm for a landmark a little inside the very tip."""
    lm = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))["landmarks"]
    for level in LEVELS:
        left = np.asarray(lm[f"transverse_process_{level}_left"]["xyz"])
        right = np.asarray(lm[f"transverse_process_{level}_right"]["xyz"])
        span = float(left[0] - right[0])
        dim = MORPHOMETRY[level].tp_span
        assert dim.low - 3.0 <= span <= dim.high, (
            f"{level} transverse-process landmarks {span:.1f} mm apart ({dim.low}-{dim.high})"
        )


def test_column_length_t12_to_s1_in_range() -> None:
    """Path through the endplate centres from S1 up to the top of T12 (bodies plus discs)."""
    lm = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))["landmarks"]
    points = [np.asarray(lm["s1_endplate_centre"]["xyz"], dtype=np.float64)]
    for level in reversed(LEVELS):
        fr = vertebra_frame(_mesh("bones", f"vertebra_{level}"))
        points += [fr.inferior, fr.superior]
    pts = np.array(points)
    length = float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum())
    lo, hi = COLUMN_LENGTH
    assert lo <= length <= hi, f"T12 top to S1 {length:.0f} mm outside {lo:.0f}-{hi:.0f}"
    discs = np.linalg.norm(pts[1::2] - pts[0:-1:2], axis=1)  # S1-L5, L5-L4, ..., L1-T12
    assert discs.min() >= 7.0 and discs.max() <= 14.0, f"disc heights {np.round(discs, 1)}"


def test_spine_bones_do_not_intersect() -> None:
    """After resizing, no bone of the column enters a neighbour by more than 2 mm."""
    ids = [f"vertebra_{lv}" for lv in LEVELS] + [
        "sacrum",
        "hip_bone_left",
        "hip_bone_right",
        "rib_12_left",
        "rib_12_right",
    ]
    polys = {i: _poly(MESHES / "bones" / f"{i}.vtp") for i in ids}
    checked = 0
    for a, b in itertools.combinations(ids, 2):
        pa, pb = polys[a], polys[b]
        ba, bb = np.reshape(pa.bounds, (3, 2)), np.reshape(pb.bounds, (3, 2))
        if np.any(ba[:, 1] < bb[:, 0]) or np.any(bb[:, 1] < ba[:, 0]):
            continue
        depth = min(
            float(pa.compute_implicit_distance(pb)["implicit_distance"].min()),
            float(pb.compute_implicit_distance(pa)["implicit_distance"].min()),
        )
        checked += 1
        assert depth > -2.0, f"{a} and {b} intersect by {-depth:.1f} mm"
    assert checked >= 6  # the neighbours really were compared


#: bones the erector spinae lie on or attach to (their attachments are not strands)
ES_BONES = ("hip_bone_right", "sacrum", *(f"vertebra_{lv}" for lv in LEVELS))


def _largest_strand_mm3(
    mesh: trimesh.Trimesh, bones: list[trimesh.Trimesh], radius: float = 2.5, free: float = 8.0
) -> float:
    """Volume (mm^3) of the largest connected part of a closed mesh thinner than 2 * radius
    and hanging free, more than ``free`` mm from every bone: the voxels (1 mm) that no ball of
    that radius inside the mesh reaches. Thin footprints on bone are attachments, not strands."""
    from scipy import ndimage
    from scipy.spatial import cKDTree

    from tools.atlas_build.muscle_field import Lattice, _inside_mask

    lo = np.floor(mesh.bounds[0]) - 3.0
    shape = tuple(int(v) for v in np.ceil(mesh.bounds[1] - lo) + 4)
    solid = _inside_mask(mesh, Lattice(lo, 1.0, shape))  # type: ignore[arg-type]
    core = ndimage.distance_transform_edt(solid) > radius
    thin = solid & ~(ndimage.distance_transform_edt(~core) <= radius)
    idx = np.argwhere(thin)
    if len(idx):
        surface = np.vstack([b.sample(20000, seed=0) for b in bones])
        near = cKDTree(surface).query(idx + lo)[0] <= free
        thin[tuple(idx[near].T)] = False
    lab, n = ndimage.label(thin, structure=np.ones((3, 3, 3)))
    if n == 0:
        return 0.0
    return float(np.max(ndimage.sum(thin, lab, index=np.arange(1, n + 1))))


@pytest.mark.parametrize("column", ["iliocostalis_lumborum", "longissimus_thoracis"])
def test_erector_spinae_columns_end_without_strands(column: str) -> None:
    """No column ends in strands: no connected part of it thinner than 5 mm and more than 8 mm
    from bone holds more than 60 mm^3 (a thread 4 mm thick and 5 mm long). Where the fascicles
    diverged to the crest, the PSIS and the transverse processes, the columns used to end in
    free threads and slivers (largest 136 mm^3 in longissimus, 953 mm^3 in iliocostalis; now
    a few tens). Their thin footprints on bone are attachments and stay."""
    bones = [_mesh("bones", b) for b in ES_BONES]
    strand = _largest_strand_mm3(_mesh("muscles", f"{column}_right"), bones)
    assert strand <= 60.0, f"{column}: a free part thinner than 5 mm of {strand:.0f} mm^3"


def test_checked_targets_agree_with_the_published_means() -> None:
    """Every target marked checked sits within 1 mm of its published mean, every published
    mean lies inside the accepted range, and nothing unchecked claims a source it lacks."""
    for level, size in MORPHOMETRY.items():
        for name in DIMENSIONS:
            dim = getattr(size, name)
            means = PUBLISHED.get((level, name))
            if not dim.checked:
                assert means is None, f"{level} {name} has published means but is unchecked"
                assert dim.source.startswith("memory") or "segmented" in dim.source
                continue
            assert means, f"{level} {name} is marked checked but has no published mean"
            assert dim.source.startswith("checked")
            half = CHECKED_HALF_RANGE_AT.get((level, name), CHECKED_HALF_RANGE[name])
            assert dim.high - dim.target <= half and dim.target - dim.low <= half, (
                f"{level} {name}: range {dim.low}-{dim.high} wider than the cited spread"
            )
            first, who = means[0]
            assert abs(dim.target - first) <= 1.0, (
                f"{level} {name} target {dim.target} vs {who} {first}"
            )
            for mean, who in means:
                assert dim.low <= mean <= dim.high, (
                    f"{level} {name}: {who} mean {mean} outside {dim.low}-{dim.high}"
                )


def test_morphometry_sources_named_in_notice_and_manifest() -> None:
    notice = (MESHES / "NOTICE").read_text(encoding="utf-8")
    manifest = json.loads((MESHES / "manifest.json").read_text(encoding="utf-8"))
    notes = " ".join(s["note"] for s in manifest["sources"])
    for text in (notice, notes):
        assert PROVENANCE in text
        for ref in (
            "Panjabi et al. 1992",
            "Bonczar et al. 2024",
            "Cook & Baker 2021",
            "Lavecchia et al. 2018",
            "Bhat et al. 2025",
            "Clouthier et al. 2023",
        ):
            assert ref in text
        assert "From memory: body depth T12-L4" in text
        assert "Abbas et al. 2021" in text
        assert "one specimen" in text
    assert len(REFERENCES) == len(set(REFERENCES)) >= 4
