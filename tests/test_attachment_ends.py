"""A muscle's length path ends at its named attachment areas, carried by the bones they lie on.

The build writes, per attachment in the manifest, where the muscle's fibres end on that bone
(``centre``, ``fibres``; tools/atlas_build/muscle_ends.py). Here: the binding takes its path
ends from them (and falls back on the muscle's bony contact without them), each part of an end
moves with its own bone, and on the built-in atlas piriformis's line ends on the greater
trochanter's upper border, where its tendon inserts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree

from viewer.domain.skinning import Binding, bind_muscle


def _cloud(lo: tuple[float, float, float], hi: tuple[float, float, float]) -> np.ndarray:
    g = [np.linspace(a, b, 6) for a, b in zip(lo, hi, strict=True)]
    return np.stack([a.ravel() for a in np.meshgrid(*g, indexing="ij")], axis=1)


def _shift(dx: float, dy: float, dz: float) -> np.ndarray:
    m = np.eye(4)
    m[:3, 3] = (dx, dy, dz)
    return m


# A strap from an "ilium" and a "sacrum" block below to a "femur" block above.
BONES = {
    "ilium": _cloud((-20, -10, -10), (0, 10, 0)),
    "sacrum": _cloud((2, -10, -10), (20, 10, 0)),
    "femur": _cloud((-10, -10, 100), (10, 10, 110)),
}
MUSCLE = _cloud((-8, -6, 1), (8, 6, 99))
ROLES = {"ilium": "origin", "sacrum": "origin", "femur": "insertion"}
CENTRES = {
    "ilium": ((-10.0, 0.0, 0.0), 3),
    "sacrum": ((10.0, 0.0, 0.0), 1),
    "femur": ((0.0, 4.0, 100.0), 5),
}


def _bind(
    centres: dict[str, tuple[tuple[float, float, float], int]] | None,
    roles: dict[str, str] | None = None,
) -> Binding:
    trees = {b: cKDTree(p) for b, p in BONES.items()}
    return bind_muscle(MUSCLE, trees, list(BONES), roles or ROLES, centres)


def test_path_ends_are_the_fibre_weighted_attachment_centres() -> None:
    b = _bind(CENTRES)
    assert b.ends is not None
    low, high = b.ends if b.bones[0] != "femur" else b.ends[::-1]
    assert low.bones == ("ilium", "sacrum")
    np.testing.assert_allclose(low.weights, [0.75, 0.25])
    np.testing.assert_allclose(low.standing, [-5.0, 0.0, 0.0])
    assert high.bones == ("femur",)
    np.testing.assert_allclose(high.standing, [0.0, 4.0, 100.0])


def test_each_part_of_an_end_moves_rigidly_with_its_own_bone() -> None:
    b = _bind(CENTRES)
    assert b.ends is not None
    low, high = b.ends if b.bones[0] != "femur" else b.ends[::-1]
    moved = {"sacrum": _shift(8.0, 0.0, 0.0), "femur": _shift(0.0, -30.0, 5.0)}
    np.testing.assert_allclose(low.posed(moved), [-5.0 + 0.25 * 8.0, 0.0, 0.0])
    np.testing.assert_allclose(high.posed(moved), [0.0, -26.0, 105.0])
    turn = np.eye(4)
    turn[:3, :3] = [[1, 0, 0], [0, 0, -1], [0, 1, 0]]  # 90 degrees about x
    np.testing.assert_allclose(high.posed({"femur": turn}), [0.0, -100.0, 4.0], atol=1e-9)


def test_without_centres_the_ends_are_the_bony_contact() -> None:
    """An atlas from before the centres, or ends the roles cannot tell apart, keep the contact."""
    same = {"ilium": "origin", "sacrum": "origin", "femur": "origin"}
    for b in (_bind(None), _bind(CENTRES, same)):
        assert b.ends is not None and b.anchors is not None
        first, last = b.ends
        assert len(first.bones) == 1 and len(last.bones) == 1
        assert abs(first.standing[2] - last.standing[2]) > 80.0


def test_the_manifest_carries_attachment_centres(tmp_path: Path) -> None:
    from tests.atlas_factory import write_tiny_atlas
    from viewer.io.manifest import load_manifest

    folder = write_tiny_atlas(tmp_path)
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = next(s for s in data["structures"] if s["id"] == "muscle_b_right")
    entry["attachments"][0].update(centre=[60.0, 10.0, 30.0], fibres=4)
    path.write_text(json.dumps(data), encoding="utf-8")
    result = load_manifest(folder)
    att = result.atlas.get("muscle_b_right").attachments[0]
    assert att.centre == (60.0, 10.0, 30.0) and att.fibres == 4
    entry["attachments"][0]["centre"] = [60.0, 10.0]
    path.write_text(json.dumps(data), encoding="utf-8")
    result = load_manifest(folder)
    assert any("muscle_b_right" in str(p) and "centre" in str(p) for p in result.problems)


# -- the built-in atlas ----------------------------------------------------------------------
def _landmarks() -> dict[str, np.ndarray]:
    from tests.posture_fixtures import MESHES

    data = json.loads((MESHES / "landmarks.json").read_text(encoding="utf-8"))["landmarks"]
    return {k: np.asarray(v["xyz"], dtype=np.float64) for k, v in data.items()}


FIVE = ("psoas_major_upper", "psoas_major_lower", "iliacus", "gluteus_maximus", "gluteus_medius")


@pytest.mark.parametrize("base", [*FIVE, "piriformis"])
def test_the_built_atlas_ships_both_ends_of_the_hip_muscles(base: str) -> None:
    from tests.posture_fixtures import loaded

    atlas = loaded().atlas
    for side in ("right", "left"):
        atts = atlas.get(f"{base}_{side}").attachments
        for role in ("origin", "insertion"):
            assert any(a.role == role and a.centre is not None for a in atts), (base, side, role)
    right = {a.structure: a.centre for a in atlas.get(f"{base}_right").attachments}
    left = {a.structure: a.centre for a in atlas.get(f"{base}_left").attachments}
    for bone, c in right.items():
        mirror = left[bone.replace("_right", "_left")]
        assert c is not None and mirror is not None
        np.testing.assert_allclose([-c[0], c[1], c[2]], mirror, atol=0.01)


def test_piriformis_line_ends_on_the_trochanters_upper_border_and_follows_the_femur() -> None:
    """Its femoral end is on the bone (not 2.5 mm behind, in the muscle lying on the back of the
    neck), within a few mm of the greater trochanter's top, in the middle of its front-to-back
    length (cadaver footprint 37-57 %, Pine et al. 2011), and turns with the femur."""
    from tests.posture_fixtures import loaded, model
    from viewer.domain.pose import HipAngles, Pose, apply

    la, pm = loaded(), model()
    lm = _landmarks()
    femur = np.asarray(la.meshes["femur_right"].points, dtype=np.float64)
    b = pm.binding("piriformis_right")
    k = 0 if b.bones[0].startswith("femur") else 1
    assert b.ends is not None and b.ends[k].bones == ("femur_right",)
    end = b.ends[k].standing
    # on the bone's surface: among its vertices (~2-3 mm apart), not under them
    assert float(cKDTree(femur).query(end)[0]) < 2.5
    assert not pm.inside_bone(end[None], {}, depth_mm=0.5).any()
    top = float(lm["greater_trochanter_right"][2])
    assert top - 8.0 < end[2] <= top + 1.0
    trochanter = femur[(femur[:, 0] < lm["hip_centre_right"][0] - 30.0) & (femur[:, 2] > top - 15)]
    front, back = trochanter[:, 1].min(), trochanter[:, 1].max()
    assert 0.37 <= (end[1] - front) / (back - front) <= 0.57
    t = pm.transforms(Pose(hip_right=HipAngles(90.0)))
    path = pm.path("piriformis_right", t)
    np.testing.assert_allclose(path[-1 if k == 1 else 0], apply(t["femur_right"], end[None])[0])
