"""Muscles arise from their named bony attachment areas (issue 11), measured on meshes/.

The areas are the build's own named, rule-based patches (tools/atlas_build/muscle_regions.py,
``ATTACHMENT_AREAS``), recomputed here from the shipped bones and landmarks. For each muscle
(right side; the left is its mirror image, tested elsewhere):

* every named area is covered: most of its points lie within 5 mm of the muscle surface;
* where the muscle lies on one of its origin bones, it lies on its named areas there (no broad
  bony contact elsewhere, e.g. gluteus maximus pressed onto the sacrum and ilium).

Gluteus maximus is also checked as the sheet it is: thickness 2 * volume / area within
12-18 mm, and its femoral end 70-145 mm below the hip centre (iliotibial tract and gluteal
tuberosity), as far as real fibres reach.
"""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path

import numpy as np
import pytest
import trimesh
from scipy.spatial import cKDTree

from tests.atlas_files import landmarks, manifest, mesh
from tools.atlas_build import muscle_regions as reg

REPO = Path(__file__).resolve().parents[1]
MESHES = REPO / "meshes"
REACH_MM = 5.0
CONTACT_MM = 2.0
ON_AREA_MM = 8.0
#: exceptions to the 70 % rule (behind the hip joint gluteus maximus now lies on the room the
#: build keeps for the unmodelled short external rotators, not on the ischium). Iliacus lies on
#: the front of the hip bone between the anterior inferior iliac spine and the iliopubic
#: eminence on its way to the lesser trochanter (under the inguinal ligament): with the femurs
#: turned by their condyles (10 deg inwards, tools/atlas_build/pose.py) 31 % of its contact with
#: the hip bone lies there (27 % before), which is the muscle passing, not its origin.
ON_AREA_MIN: dict[tuple[str, str], float] = {("iliacus", "hip_bone_right"): 0.65}


_manifest = partial(manifest, MESHES)
_landmarks = partial(landmarks, MESHES)
_mesh = partial(mesh, MESHES)


@cache
def _bones() -> dict[str, trimesh.Trimesh]:
    ids = {b for named in reg.ATTACHMENT_AREAS.values() for b in named.values()}
    return {b: _mesh(b) for b in sorted(ids)}


@cache
def _areas() -> dict[str, reg.Patch]:
    return reg.named_areas(_bones(), _landmarks())


CASES = [(m, a) for m, named in reg.ATTACHMENT_AREAS.items() for a in named]


@pytest.mark.parametrize(("muscle", "area"), CASES)
def test_named_area_is_covered_by_its_muscle(muscle: str, area: str) -> None:
    pts = _areas()[area].points
    assert len(pts) >= 3, f"{area}: empty attachment area"
    d = cKDTree(np.asarray(_mesh(f"{muscle}_right").vertices)).query(pts)[0]
    frac = float((d < REACH_MM).mean())
    assert frac >= 0.6, f"{muscle}: only {frac:.0%} of {area} within {REACH_MM} mm of the muscle"


@pytest.mark.parametrize("muscle", sorted(reg.ATTACHMENT_AREAS))
def test_bony_contact_lies_on_the_named_areas(muscle: str) -> None:
    v = np.asarray(_mesh(f"{muscle}_right").vertices)
    named = reg.ATTACHMENT_AREAS[muscle]
    for bone in sorted(set(named.values())):
        surface = reg.dense_surface(_bones()[bone], 2.0).points
        contact = v[cKDTree(surface).query(v)[0] < CONTACT_MM]
        if len(contact) < 5:
            continue
        area = np.vstack([_areas()[a].points for a, b in named.items() if b == bone])
        frac = float((cKDTree(area).query(contact)[0] < ON_AREA_MM).mean())
        want = ON_AREA_MIN.get((muscle, bone), 0.7)
        assert frac >= want, f"{muscle}: only {frac:.0%} of its contact with {bone} is on its areas"


#: gluteus maximus: its mean thickness 2 * volume / area at most this (mm). Issue 11 asks for a
#: sheet 12-18 mm thick; at 17.8 mm (session 17) the 518 ml muscle, short of area, still read
#: as a tall thick pillow. Its upper fibres now arise from a wider strip of the aponeurosis over
#: the back of gluteus medius and its tract insertion starts higher over the greater
#: trochanter: 17.3 mm. The goal is 16.5; moving the insertion further forward reaches 16.3 but
#: breaks the hip-flexion length check, and lifting the aponeurotic origins further (17.0)
#: pushes the male skin out (tools/atlas_build/muscle_fibres.py, GMAX_ITT_TOP_OFFSET and
#: GMAX_APONEUROSIS_LIFT_MM).
GMAX_THICKNESS_MAX_MM = 17.5


def test_gluteus_maximus_is_a_sheet_reaching_the_thigh() -> None:
    m = _mesh("gluteus_maximus_right")
    thickness = 2.0 * m.volume / m.area
    assert 12.0 <= thickness <= GMAX_THICKNESS_MAX_MM, f"gluteus maximus {thickness:.1f} mm thick"
    below = _landmarks()["hip_centre_right"][2] - float(np.asarray(m.vertices)[:, 2].min())
    # real fibres reach 70-145 mm below the hip centre (issue 11); the mesh reached 155 mm
    assert 70.0 <= below <= 145.0, f"gluteus maximus ends {below:.0f} mm below the hip centre"


def test_trigger_points_sit_on_the_shipped_muscle_surfaces() -> None:
    """Trigger points are snapped at load time, so after a muscle is rebuilt they lie on its new
    surface (a vertex of the shipped full-detail mesh), not where the old muscle was."""
    from tests.trigger_factory import builtin_model_or_skip

    model = builtin_model_or_skip()
    for tid, tp in model.trigger_points.items():
        muscle = tp.definition.muscle
        v = np.asarray(_mesh(muscle).vertices)
        d = float(np.linalg.norm(v - np.asarray(tp.position), axis=1).min())
        assert d < 0.01, f"{tid}: {d:.2f} mm off the surface of {muscle}"


def test_rectus_abdominis_is_a_curved_strap_wide_above_with_a_linea_alba() -> None:
    """Rectus abdominis (issue 11): about 1 cm thick, narrow at the pubic crest and about three
    times as broad at the top, convex forward, curving back toward its lateral border, with a
    linea alba gap that is widest above the umbilicus (Beer et al. 2009) and narrower below."""
    m = _mesh("rectus_abdominis_right")
    v = np.asarray(m.vertices)
    lm = _landmarks()
    thickness = 2.0 * m.volume / m.area
    assert 7.0 <= thickness <= 13.0, f"rectus abdominis {thickness:.1f} mm thick"
    navel = 0.5 * (lm["vertebral_body_l3"][2] + lm["vertebral_body_l4"][2])
    z0, z1 = float(v[:, 2].min()), float(v[:, 2].max())

    def band(z: float) -> np.ndarray:
        return v[np.abs(v[:, 2] - z) < 4.0]

    low, high = band(z0 + 12.0), band(z1 - 25.0)
    width_low, width_high = float(np.ptp(low[:, 0])), float(np.ptp(high[:, 0]))
    assert 60.0 <= width_high <= 90.0 and width_high > 2.5 * width_low, (width_low, width_high)
    gap_above = 2.0 * float(np.abs(band(navel + 30.0)[:, 0]).min())
    gap_below = 2.0 * float(np.abs(band(navel - 25.0)[:, 0]).min())
    assert 10.0 <= gap_above <= 25.0 and gap_below < gap_above, (gap_above, gap_below)
    # convex forward: the middle of the strap lies in front of its two ends (the upper end by
    # less: the strap is cut about 30 mm below the xiphoid, where the wall has only begun to
    # recede toward the costal margin)
    front = {z: float(band(z)[:, 1].min()) for z in (z0 + 12.0, navel, z1 - 25.0)}
    assert front[navel] < front[z0 + 12.0] - 5.0, front
    assert front[navel] < front[z1 - 25.0] - 2.0, front
    # curving back laterally: at the umbilicus the lateral border lies behind the medial one
    mid = band(navel)
    medial = mid[np.abs(mid[:, 0]) < np.abs(mid[:, 0]).min() + 8.0]
    lateral = mid[np.abs(mid[:, 0]) > np.abs(mid[:, 0]).max() - 8.0]
    assert lateral[:, 1].min() > medial[:, 1].min() + 5.0


def _section_area(m: trimesh.Trimesh, z: float) -> float:
    """Area (mm^2) of the horizontal cross-section of a closed mesh at height ``z``."""
    sec = m.section(plane_origin=[0.0, 0.0, z], plane_normal=[0.0, 0.0, 1.0])
    if sec is None:
        return 0.0
    total = 0.0
    for loop in sec.discrete:
        x, y = loop[:, 0], loop[:, 1]
        total += abs(0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))
    return total


@pytest.mark.parametrize("side", ["left", "right"])
def test_rectus_abdominis_ends_at_the_top_of_the_atlas_region(side: str) -> None:
    """The real rectus inserts on the 5th-7th costal cartilages and the xiphoid, which the
    skeleton does not contain, so the strap is cut where the atlas region ends: no higher than
    the erector spinae (cut at the same height) and at most 65 mm above the L1 body centre
    (it stood 117 mm above it, a pale plank over everything else in side views). The cut is
    flat and sharp-edged (tests/test_atlas_back_muscles.py): a rounded top read as an origin.
    The limit was 60 mm while the top tapered and so ended about 7 mm below the cut plane;
    the flat cut lies on the plane itself, 30 mm above the T12 body (63 mm above L1)."""
    m = _mesh(f"rectus_abdominis_{side}")
    top = float(np.asarray(m.vertices)[:, 2].max())
    l1 = float(_landmarks()["vertebral_body_l1"][2])
    erector = max(
        float(np.asarray(_mesh(f"{part}_{side}").vertices)[:, 2].max())
        for part in ("iliocostalis_lumborum", "longissimus_thoracis")
    )
    assert top - l1 <= 65.0, f"rectus top {top - l1:.0f} mm above the L1 body"
    assert top <= erector + 2.0, f"rectus top {top:.0f} mm above the erector spinae's {erector:.0f}"
    below = _section_area(m, top - 40.0)
    assert below > 400.0, f"rectus section 4 cm below its top only {below:.0f} mm^2"
