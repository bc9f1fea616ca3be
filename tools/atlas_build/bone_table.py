"""Identity records of the bones (names, Terminologia Anatomica 2 Latin, FMA IDs, regions)."""

from __future__ import annotations

from dataclasses import dataclass

BONE_COLOR = "#e6dcc3"


@dataclass(frozen=True)
class BoneRecord:
    """One bone of the atlas as the manifest describes it.

    ``fma`` is None where the FMA ID could not be verified from the project's sources (12th
    ribs). T12 is FMA 10081, "Twelfth thoracic vertebra".
    """

    id: str
    name: str
    latin: str
    fma: int | None
    side: str
    region: str


_ROMAN = {"l1": "I", "l2": "II", "l3": "III", "l4": "IV", "l5": "V"}
_LUMBAR_FMA = {"l1": 13072, "l2": 13073, "l3": 13074, "l4": 13075, "l5": 13076}

BONES: list[BoneRecord] = [
    BoneRecord(
        "vertebra_t12",
        "Twelfth thoracic vertebra (T12)",
        "Vertebra thoracica XII",
        10081,
        "midline",
        "lumbar_spine",
    ),
    *[
        BoneRecord(
            f"vertebra_{lv}",
            f"Lumbar vertebra {lv.upper()}",
            f"Vertebra lumbalis {_ROMAN[lv]}",
            _LUMBAR_FMA[lv],
            "midline",
            "lumbar_spine",
        )
        for lv in ("l1", "l2", "l3", "l4", "l5")
    ],
    BoneRecord(
        "sacrum", "Sacrum and coccyx", "Os sacrum et os coccygis", 16202, "midline", "pelvis"
    ),
    BoneRecord("hip_bone_right", "Hip bone (right)", "Os coxae dextrum", 16586, "right", "pelvis"),
    BoneRecord("hip_bone_left", "Hip bone (left)", "Os coxae sinistrum", 16587, "left", "pelvis"),
    BoneRecord(
        "rib_12_right", "Twelfth rib (right)", "Costa XII dextra", None, "right", "lumbar_spine"
    ),
    BoneRecord(
        "rib_12_left", "Twelfth rib (left)", "Costa XII sinistra", None, "left", "lumbar_spine"
    ),
    BoneRecord("femur_right", "Femur (right)", "Femur dextrum", 24474, "right", "hip_thigh"),
    BoneRecord("femur_left", "Femur (left)", "Femur sinistrum", 24475, "left", "hip_thigh"),
]

BONE_BY_ID: dict[str, BoneRecord] = {b.id: b for b in BONES}
