"""Body outlines: the neutral, female and male skins over the one skeleton.

The atlas ships one skeleton (bones from mixed CT data, muscles built on them) and up to three
skins around it, all with the same triangles, so a skin landmark or referral zone - a set of
skin vertices - means the same place on each. Which body is shown is part of the scene (saved
in scenes and lessons); the choice changes the outline and the heat-map geometry, never the
bones, muscles or trigger points.
"""

from __future__ import annotations

from dataclasses import dataclass

NEUTRAL = "neutral"
BODY_IDS: tuple[str, ...] = (NEUTRAL, "female", "male")
"""Every body id the app knows, in menu order."""

BODY_LABELS: dict[str, str] = {
    NEUTRAL: "Neutral body",
    "female": "Female body",
    "male": "Male body",
}
"""Short names for menus and the patient view."""

SKELETON_NOTE = (
    "The female, male and neutral bodies differ only in their outline (skin). The bones are "
    "one skeleton built from mixed CT data, not sex-specific, and the muscles are built on it; "
    "each body is scaled to fit that skeleton."
)
"""Plain statement for the About text and the patient view."""


@dataclass(frozen=True)
class Body:
    """One body outline of the atlas: id, display name and its skin files (atlas-relative)."""

    id: str
    name: str
    file: str
    file_light: str | None = None
    note: str = ""


def check_body(body: str) -> str:
    """Return ``body`` if it is a known body id, else raise ValueError naming the choices."""
    if body not in BODY_IDS:
        raise ValueError(f"unknown body {body!r}; choose one of {', '.join(BODY_IDS)}")
    return body
