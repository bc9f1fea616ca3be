"""Identity of every muscle structure of the atlas: ids, names, Latin, FMA, groups, colours.

The manifest, the viewer's structure tree and the trigger-point annotations all key on these
records, so this table is the single place where a muscle's identity is written down. Geometry
lives in muscles.py; nothing here depends on it.

FMA IDs are given only where they were checked (the list in /work/shared/DATA_SOURCES.md; tensor
fasciae latae 22425/22426 from two public BodyParts3D concept tables that agree); the others are
``None`` rather than a guess. Latin names follow Terminologia Anatomica 2 with the side
adjective used by the atlas contract (``dexter`` / ``sinister``).
"""

from __future__ import annotations

from dataclasses import dataclass

SIDES: tuple[str, ...] = ("right", "left")
_LAT_SIDE = {"right": ("dexter", "dextri"), "left": ("sinister", "sinistri")}


@dataclass(frozen=True)
class MuscleRecord:
    """One muscle or muscle group of the atlas (one side)."""

    id: str
    name: str
    latin: str
    fma: int | None
    kind: str  # "muscle" or "group"
    side: str
    parent: str | None
    region: str
    color: str | None
    plain_name: str
    description: str


@dataclass(frozen=True)
class _Spec:
    """Side-independent description from which the two side records are made."""

    base: str
    name: str
    latin: str  # with "{s}" for the singular side adjective, "{p}" for the plural
    fma: tuple[int, int] | None  # (right, left)
    kind: str
    parent: str | None
    region: str
    color: str | None
    plain_name: str
    description: str


# Colours: anatomy-plate muscle reds, varied in hue/lightness so that neighbours differ
# (psoas parts vs iliacus, medius vs minimus vs maximus, the three back columns).
_SPECS: tuple[_Spec, ...] = (
    _Spec(
        "iliopsoas",
        "Iliopsoas",
        "Musculus iliopsoas {s}",
        None,
        "group",
        None,
        "pelvis",
        None,
        "hip flexor (iliopsoas)",
        "Psoas major and iliacus, joining in one tendon to the lesser trochanter of the femur.",
    ),
    _Spec(
        "psoas_major",
        "Psoas major",
        "Musculus psoas major {s}",
        (22342, 22343),
        "group",
        "iliopsoas",
        "lumbar_spine",
        None,
        "deep hip flexor along the spine (psoas)",
        "From the sides of the T12-L5 vertebrae and discs, over the pelvic brim, to the lesser "
        "trochanter.",
    ),
    _Spec(
        "psoas_major_upper",
        "Psoas major, upper part (T12-L2)",
        "Musculus psoas major {s}",
        None,
        "muscle",
        "psoas_major",
        "lumbar_spine",
        "#c0473f",
        "upper psoas (from T12-L2)",
        "Fibres from the T12-L2 vertebral bodies, discs and transverse processes, down to the "
        "lesser trochanter.",
    ),
    _Spec(
        "psoas_major_lower",
        "Psoas major, lower part (L2-L5)",
        "Musculus psoas major {s}",
        None,
        "muscle",
        "psoas_major",
        "lumbar_spine",
        "#a8322e",
        "lower psoas (from L2-L5)",
        "Fibres from the L2-L5 vertebral bodies, discs and transverse processes, down to the "
        "lesser trochanter.",
    ),
    _Spec(
        "iliacus",
        "Iliacus",
        "Musculus iliacus {s}",
        (22322, 22323),
        "muscle",
        "iliopsoas",
        "pelvis",
        "#b8423b",
        "hip flexor inside the pelvis (iliacus)",
        "From the inner bowl of the hip bone (iliac fossa) and inner crest, with the psoas "
        "tendon to the lesser trochanter.",
    ),
    _Spec(
        "piriformis",
        "Piriformis",
        "Musculus piriformis {s}",
        (22340, 22341),
        "muscle",
        None,
        "pelvis",
        "#d0605a",
        "deep buttock muscle (piriformis)",
        "From the front of the sacrum (S2-S4), out through the greater sciatic notch, to the top "
        "of the greater trochanter.",
    ),
    _Spec(
        "gluteus_maximus",
        "Gluteus maximus",
        "Musculus gluteus maximus {s}",
        (22328, 22329),
        "muscle",
        None,
        "pelvis",
        "#9e3b33",
        "big buttock muscle (gluteus maximus)",
        "From the back of the ilium, sacrum, coccyx and sacrotuberous ligament to the iliotibial "
        "tract and the gluteal tuberosity.",
    ),
    _Spec(
        "gluteus_medius",
        "Gluteus medius",
        "Musculus gluteus medius {s}",
        (22330, 22331),
        "muscle",
        None,
        "pelvis",
        "#c4574a",
        "side hip muscle (gluteus medius)",
        "From the outer ilium between the crest and the gluteal lines to the side of the greater "
        "trochanter.",
    ),
    _Spec(
        "gluteus_minimus",
        "Gluteus minimus",
        "Musculus gluteus minimus {s}",
        (22332, 22333),
        "muscle",
        None,
        "pelvis",
        "#dc7a66",
        "deep side hip muscle (gluteus minimus)",
        "From the outer ilium below gluteus medius to the front of the greater trochanter.",
    ),
    _Spec(
        "quadratus_lumborum",
        "Quadratus lumborum",
        "Musculus quadratus lumborum {s}",
        (22348, 22349),
        "muscle",
        None,
        "lumbar_spine",
        "#b5493f",
        "deep side-of-the-waist muscle (quadratus lumborum)",
        "From the back of the iliac crest and iliolumbar ligament to the 12th rib and the L1-L4 "
        "transverse processes.",
    ),
    _Spec(
        "erector_spinae",
        "Erector spinae",
        "Musculus erector spinae {s}",
        None,
        "group",
        None,
        "lumbar_spine",
        None,
        "long back muscles (erector spinae)",
        "The long muscle columns beside the spine: iliocostalis laterally, longissimus medially.",
    ),
    _Spec(
        "iliocostalis_lumborum",
        "Iliocostalis lumborum",
        "Musculus iliocostalis lumborum {s}",
        None,
        "muscle",
        "erector_spinae",
        "lumbar_spine",
        "#a5443c",
        "outer long back muscle (iliocostalis)",
        "From the iliac crest and sacrum up to the lumbar transverse processes and the lower ribs.",
    ),
    _Spec(
        "longissimus_thoracis",
        "Longissimus thoracis (lumbar part)",
        "Musculus longissimus thoracis {s}",
        None,
        "muscle",
        "erector_spinae",
        "lumbar_spine",
        "#c65a4e",
        "middle long back muscle (longissimus)",
        "From the sacrum and the back of the iliac crest up to the lumbar transverse processes "
        "and on toward the thoracic spine.",
    ),
    _Spec(
        "multifidus",
        "Multifidus (lumbar)",
        "Musculi multifidi lumborum {p}",
        None,
        "muscle",
        None,
        "lumbar_spine",
        "#8f3530",
        "deep spine stabiliser (multifidus)",
        "From the back of the sacrum and the lumbar mammillary processes to spinous processes "
        "two to four levels higher.",
    ),
    _Spec(
        "tensor_fasciae_latae",
        "Tensor fasciae latae",
        "Musculus tensor fasciae latae {s}",
        (22425, 22426),
        "muscle",
        None,
        "hip_thigh",
        "#d4685c",
        "front side hip muscle (TFL)",
        "From the front of the iliac crest next to the ASIS down into the iliotibial tract on "
        "the side of the thigh.",
    ),
    _Spec(
        "rectus_abdominis",
        "Rectus abdominis",
        "Musculus rectus abdominis {s}",
        None,
        "muscle",
        None,
        "abdominal_wall",
        "#cf6b5f",
        "front belly muscle (six-pack)",
        "From the pubic crest and symphysis up the front of the belly to the costal margin, "
        "with three tendinous intersections (shown up to the top of the atlas region, 30 mm "
        "above the T12 body and below its costal insertion).",
    ),
)


def _record(spec: _Spec, side: str) -> MuscleRecord:
    """The record of one spec on one side."""
    sing, plur = _LAT_SIDE[side]
    fma = None if spec.fma is None else spec.fma[0 if side == "right" else 1]
    return MuscleRecord(
        id=f"{spec.base}_{side}",
        name=f"{spec.name} ({side})",
        latin=spec.latin.format(s=sing, p=plur),
        fma=fma,
        kind=spec.kind,
        side=side,
        parent=None if spec.parent is None else f"{spec.parent}_{side}",
        region=spec.region,
        color=spec.color,
        plain_name=spec.plain_name,
        description=spec.description,
    )


#: Every muscle and group record, both sides (right first), in a stable order.
MUSCLES: list[MuscleRecord] = [_record(s, side) for side in SIDES for s in _SPECS]

#: Muscle ids that carry geometry (kind == "muscle").
MUSCLE_IDS: list[str] = [m.id for m in MUSCLES if m.kind == "muscle"]

#: Group ids (kind == "group"): no file of their own.
GROUP_IDS: list[str] = [m.id for m in MUSCLES if m.kind == "group"]


def record(structure_id: str) -> MuscleRecord:
    """Look a record up by id (KeyError if unknown)."""
    for m in MUSCLES:
        if m.id == structure_id:
            return m
    raise KeyError(structure_id)
