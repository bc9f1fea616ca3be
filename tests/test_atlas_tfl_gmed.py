"""Tensor fasciae latae and gluteus medius as a lecturer sees them from the side (issue 11).

* **Tensor fasciae latae** arises as one flat belly from the outer lip of the anterior iliac
  crest and the lateral surface of the ASIS. The atlas once showed its top forked into two
  prongs: horizontal sections 20-30 mm below its top cut two separate pieces.
* **Gluteus medius** is a fan converging on the greater trochanter. Seen from the side it was
  a block: its front-to-back extent stayed at 81-97 mm from 16 mm above the trochanter's top
  up to the crest (84 % of its widest 16 mm above the trochanter, 91 % at 26 mm), then it
  dropped to the tendon. A fan narrows steadily from its origin to its apex.

Right side only (the left is its mirror image, tested elsewhere). Set
``TRIGGER_ATLAS_MESHES`` to check another build directory.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from tests.atlas_files import landmarks, manifest, mesh

REPO = Path(__file__).resolve().parents[1]
MESHES = Path(os.environ.get("TRIGGER_ATLAS_MESHES", REPO / "meshes"))

needs_atlas = pytest.mark.skipif(
    not (MESHES / "manifest.json").exists(), reason=f"no built atlas at {MESHES}"
)

_manifest = partial(manifest, MESHES)
_lm = partial(landmarks, MESHES)
_mesh = partial(mesh, MESHES)


@needs_atlas
def test_tensor_fasciae_latae_top_is_one_belly() -> None:
    """Every horizontal section through the upper 40 % of the muscle (3 mm apart, from 3 mm
    below its top) is one closed piece: no prongs at the origin."""
    m = _mesh("tensor_fasciae_latae_right")
    z = np.asarray(m.vertices)[:, 2]
    top, height = float(z.max()), float(np.ptp(z))
    for dz in np.arange(3.0, 0.4 * height, 3.0):
        s = m.section(plane_normal=[0.0, 0.0, 1.0], plane_origin=[0.0, 0.0, top - dz])
        assert s is not None, f"no section {dz:.0f} mm below the top"
        pieces = len(s.discrete)
        assert pieces == 1, f"tensor fasciae latae in {pieces} pieces {dz:.0f} mm below its top"


@needs_atlas
def test_tensor_fasciae_latae_arises_from_the_asis_and_the_crest_behind_it() -> None:
    """Its upper end reaches the ASIS (within 10 mm) and the crest behind it (its top lies
    above the ASIS): the origin runs from the spine back along the outer lip."""
    v = np.asarray(_mesh("tensor_fasciae_latae_right").vertices)
    asis = _lm()["asis_right"]
    assert float(np.linalg.norm(v - asis, axis=1).min()) <= 10.0
    assert float(v[:, 2].max()) > float(asis[2]) + 20.0


def _side_width(v: np.ndarray, z: float, band: float = 3.0) -> float:
    """Front-to-back extent (mm) of the vertices within ``band`` mm of height ``z``."""
    s = v[np.abs(v[:, 2] - z) < band]
    return float(np.ptp(s[:, 1])) if len(s) else 0.0


@needs_atlas
def test_gluteus_medius_narrows_steadily_toward_the_trochanter() -> None:
    """Seen from the side, its front-to-back extent 16 mm above the trochanter's top is at
    most 72 % of its widest, and 26 mm above at most 80 % (the block: 84 % and 91 %)."""
    v = np.asarray(_mesh("gluteus_medius_right").vertices)
    gt = float(_lm()["greater_trochanter_right"][2])
    widest = max(_side_width(v, z) for z in np.arange(gt, v[:, 2].max(), 5.0))
    for above, limit in ((16.0, 0.72), (26.0, 0.80)):
        w = _side_width(v, gt + above)
        assert w <= limit * widest, (
            f"gluteus medius {w:.0f} of {widest:.0f} mm wide {above:.0f} mm above the trochanter"
        )
