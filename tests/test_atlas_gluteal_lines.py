"""Gluteus minimus and gluteus medius meet on the anterior gluteal line (issue 11), measured on
the built meshes.

The anterior gluteal line leaves the iliac crest a few cm behind the ASIS, in front of the
iliac tubercle, and arches backward and downward, convex upward, to the upper part of the
greater sciatic notch (Gray's Anatomy 1918; anatomyexpert.com; earthslab.com "Iliac Spine").
Gluteus medius arises between it and the crest, gluteus minimus below it (down to the inferior
gluteal line), so in the front half of the wing minimus's origin reaches up close under the
crest and medius's lower edge is there too. An independent comparison with segmented anatomy
found minimus's origin stopping ~20 mm short of its upper limit and medius's lower edge ~15 mm
low: on the old meshes minimus's highest bony contact lay 37, 31, 26 and 22 mm below the crest
at 60, 65, 70 and 75 % of the way from the PSIS to the ASIS, and medius's lowest 35, 29, 25 and
21 mm. The built line (muscle_regions.AGL_KNOTS) is a modelling choice: these tests pin where it
is, not a measured distance.

Right side only (the left is its mirror image, tested elsewhere). Set ``TRIGGER_ATLAS_MESHES``
to check another build directory.
"""

from __future__ import annotations

import numpy as np

from tests.test_atlas_muscle_shapes import _contact, _lm, _mesh, needs_atlas
from tools.atlas_build import muscle_regions as reg

#: where along the wing (0 PSIS .. 1 ASIS) the borders are measured: the front half, behind the
#: iliac tubercle (the model's lies at 0.78), where the line runs close under the crest
ALONG = (0.6, 0.65, 0.7, 0.75)
#: half-width of each band along the wing
BAND = 0.025
#: minimus's highest and medius's lowest bony contact: at most this far (mm) below the crest in
#: each band (built: about 8-22 mm for both; the old meshes 22-37, failing in the back bands)
BELOW_CREST_MM = 25.0
#: and the two borders lie on one line: minimus's top and medius's bottom within this (mm) of
#: each other in each band (built: within 3 mm; a guard, the old meshes met too)
SHARED_BORDER_MM = 6.0
#: contacts lower than this above the hip centre belong to the acetabular end, not the wing
ABOVE_HIP_MM = 25.0


def _wing() -> tuple[reg.WingFrame, float]:
    wf = reg.wing_frame(reg.dense_surface(_mesh("hip_bone_right"), 2.5), _lm())
    return wf, wf.asis_u - wf.psis_u


def _borders() -> list[tuple[float, float, float, float]]:
    """(rel, crest height, minimus's highest contact, medius's lowest contact) per band, in mm
    (z, atlas frame)."""
    wf, length = _wing()
    hip_z = float(_lm()["hip_centre_right"][2])

    def on_wing(muscle: str) -> tuple[np.ndarray, np.ndarray]:
        c = _contact(muscle, "hip_bone_right")
        c = c[c[:, 2] > hip_z + ABOVE_HIP_MM]
        return c, (wf.u(c) - wf.psis_u) / length

    gmin, r_min = on_wing("gluteus_minimus_right")
    gmed, r_med = on_wing("gluteus_medius_right")
    out = []
    for r in ALONG:
        crest = float(np.interp(wf.psis_u + r * length, wf.crest_u, wf.crest_z))
        a, b = np.abs(r_min - r) < BAND, np.abs(r_med - r) < BAND
        assert a.any() and b.any(), f"no gluteus minimus or medius contact at {r:.0%} PSIS-ASIS"
        out.append((r, crest, float(gmin[a, 2].max()), float(gmed[b, 2].min())))
    return out


@needs_atlas
def test_gluteus_minimus_reaches_up_to_the_anterior_gluteal_line() -> None:
    """In the front half of the wing minimus's origin reaches within 25 mm of the crest."""
    for r, crest, top, _ in _borders():
        assert crest - top <= BELOW_CREST_MM, (
            f"gluteus minimus's origin stops {crest - top:.0f} mm below the crest at {r:.0%} "
            "PSIS-ASIS: short of the anterior gluteal line"
        )


@needs_atlas
def test_gluteus_medius_lower_edge_lies_on_the_anterior_gluteal_line() -> None:
    """There medius's lowest bony contact is within 25 mm of the crest (not draped down over
    minimus's area), and it meets minimus's upper border."""
    for r, crest, top, low in _borders():
        assert crest - low <= BELOW_CREST_MM, (
            f"gluteus medius's origin reaches {crest - low:.0f} mm below the crest at {r:.0%} "
            "PSIS-ASIS: below the anterior gluteal line"
        )
        assert abs(low - top) <= SHARED_BORDER_MM, (
            f"at {r:.0%} PSIS-ASIS medius's lower border and minimus's upper border lie "
            f"{low - top:+.0f} mm apart: not one line"
        )
