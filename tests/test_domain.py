"""Domain model: atlas lookups and camera presets (no display needed)."""

from __future__ import annotations

import pytest

from viewer.domain.camera import STANDARD_VIEWS, mirror, view_by_name, view_names
from viewer.domain.structures import Atlas, Kind, Side, Structure, hex_to_rgb


def _atlas() -> Atlas:
    def s(sid: str, kind: Kind = Kind.MUSCLE, parent: str | None = None, **kw: object) -> Structure:
        file = None if kind is Kind.GROUP else f"{sid}.vtp"
        return Structure(
            id=sid, name=sid, kind=kind, side=Side.RIGHT, parent=parent, file=file, **kw
        )  # type: ignore[arg-type]

    return Atlas(
        structures=(
            s("iliopsoas_right", Kind.GROUP),
            s("psoas_major_right", Kind.GROUP, parent="iliopsoas_right"),
            s("psoas_major_upper_right", parent="psoas_major_right"),
            s("psoas_major_lower_right", parent="psoas_major_right"),
            s("iliacus_right", parent="iliopsoas_right"),
            s("iliacus_left"),
            s("femur_right", Kind.BONE),
        )
    )


def test_leaves_expand_nested_groups_in_order() -> None:
    atlas = _atlas()
    assert atlas.leaves("iliopsoas_right") == (
        "psoas_major_upper_right",
        "psoas_major_lower_right",
        "iliacus_right",
    )
    assert atlas.leaves("femur_right") == ("femur_right",)


def test_ancestors_and_children() -> None:
    atlas = _atlas()
    assert atlas.ancestors("psoas_major_upper_right") == ("psoas_major_right", "iliopsoas_right")
    assert atlas.children("psoas_major_right") == (
        "psoas_major_upper_right",
        "psoas_major_lower_right",
    )
    assert atlas.children("femur_right") == ()


def test_unknown_id_error_names_the_id() -> None:
    with pytest.raises(KeyError, match="gluteus_nonexistent"):
        _atlas().get("gluteus_nonexistent")


def test_mirror_id_only_when_other_side_exists() -> None:
    atlas = _atlas()
    assert atlas.mirror_id("iliacus_right") == "iliacus_left"
    assert atlas.mirror_id("femur_right") is None


def test_renderable_excludes_groups() -> None:
    assert all(s.kind is not Kind.GROUP for s in _atlas().renderable)


def test_hex_to_rgb() -> None:
    assert hex_to_rgb("#ff8000") == pytest.approx((1.0, 128 / 255, 0.0))
    with pytest.raises(ValueError, match="#rrggbb"):
        hex_to_rgb("#fff")


def test_standard_views_are_unit_and_orthogonal() -> None:
    for p in STANDARD_VIEWS:
        d, u = p.direction, p.view_up
        assert sum(c * c for c in d) == pytest.approx(1.0, abs=1e-3)
        assert abs(sum(a * b for a, b in zip(d, u, strict=True))) < 1e-6


def test_anterior_looks_from_the_front_in_lps() -> None:
    # LPS: anterior is -y, so the camera of the anterior view sits at -y.
    assert view_by_name("anterior").direction == (0.0, -1.0, 0.0)
    assert view_by_name("left").direction[0] > 0  # subject's left is +x


def test_mirror_is_a_true_mirror_and_involution() -> None:
    p = view_by_name("anterolateral_right")
    m = mirror(p)
    assert m.name == "anterolateral_left"
    assert m.title == "Anterolateral (left)"
    assert m.direction == (-p.direction[0], p.direction[1], p.direction[2])
    assert mirror(m).direction == p.direction
    assert view_by_name("anterolateral_left") == m


def test_unknown_view_lists_valid_names() -> None:
    with pytest.raises(KeyError, match="posterior"):
        view_by_name("sideways")
    assert "posterolateral_left" in view_names()


def test_seen_from_says_where_the_reader_stands() -> None:
    """From the front the body's right is on the reader's left: said in plain words for the
    four standard sides, nothing for oblique or top views (a patient read "right" as the
    wrong leg whenever the view turned)."""
    from viewer.domain.camera import seen_from, view_by_name

    def side(name: str) -> str:  # the camera sits along the preset's direction from the focus
        return seen_from(tuple(-c for c in view_by_name(name).direction))

    assert side("anterior").startswith("Seen from the front") and "on your left" in side(
        "anterior"
    )
    assert side("posterior").startswith("Seen from behind") and "on your right" in side(
        "posterior"
    )
    assert side("right") == "Seen from the body's right side"
    assert side("left") == "Seen from the body's left side"
    assert side("superior") == "" and seen_from((0.6, 0.6, 0.5)) == ""
