"""Posture captions in everyday words, for patient mode.

The lecturer's captions name the posture in anatomical terms ("anterior pelvic tilt 25°, hip
flexion right 17°, lumbar curve 12° deeper"); a patient read those as jargon. Patient mode swaps
each caption for the plain one here, as it swaps muscle names for their everyday names
(``Structure.plain_name``): "pelvis tipped forward", "hip bent", "lower back arched more than
standing". The bent thigh's label ("right thigh 15° forward of standing") is plain already and
serves both. The numbers are the same ones the anatomical captions print, from the same pose, so
the two modes never disagree; only the words change. Pure text, no Qt or VTK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from viewer.domain.pose import Pose, lumbar_change, pose_angles_text, pose_title

if TYPE_CHECKING:  # the guides' geometry is imported when a label is made, not at start-up
    from viewer.domain.posture_guides import PostureGuides

PLAIN_TITLES = {
    "Anterior pelvic tilt": "Pelvis tipped forward",
    "Posterior pelvic tilt": "Pelvis tipped back",
    "Custom posture": "Your posture",
    "Right iliopsoas tight": "Right hip flexor tight",
    "Left iliopsoas tight": "Left hip flexor tight",
}
"""Titles that differ in plain words; the others ("Standing", "Sitting upright", "Slumped
sitting") are plain already."""

JARGON = (
    "flexion",
    "anterior",
    "posterior",
    "lordosis",
    "lumbar",
    "iliopsoas",
    "ASIS",
    "PSIS",
    "L1",
    "S1",
    "facet",
    "pelvic tilt",
)
"""Words no plain caption may use (the tests check every posture against them)."""


def _deg(value: float) -> str:
    return f"{abs(round(value))}\u00b0"


def _hip(flexion: float) -> str:
    v = round(flexion)
    if v > 0:
        return f"bent {_deg(v)}"
    return f"stretched back {_deg(v)}" if v < 0 else "straight"


def _thigh(from_vertical: float) -> str:
    v = round(from_vertical)
    if v > 0:
        return f"{_deg(v)} forward"
    return f"{_deg(v)} back" if v < 0 else "straight down"


def plain_title(pose: Pose) -> str:
    """The posture's name in everyday words ("Pelvis tipped forward")."""
    title = pose_title(pose)
    return PLAIN_TITLES.get(title, title)


def plain_angles(pose: Pose) -> str:
    """The key angles in everyday words: how far the hips are bent, which way the pelvis is
    tipped, how much more or less the lower back is arched than when standing, bent knees and a
    rounded upper back. Every angle is a change from standing, as in
    :func:`~viewer.domain.pose.pose_angles_text`."""
    if pose.is_standing:
        return "how you stand: the other postures are compared with this one"
    hr, hl = pose.hip_right.flexion, pose.hip_left.flexion
    if round(hr) == round(hl):
        hips = f"hips {_hip(hr)}"
    else:
        hips = f"right hip {_hip(hr)}, left {_hip(hl)}"
    if round(pose.pelvic_tilt):
        # A tipped pelvis carries the thighs with it (sitting upright is "hips bent 76°" with
        # the thighs level): say where the thighs point, as the anatomical caption does.
        tr, tl = hr - pose.pelvic_tilt, hl - pose.pelvic_tilt
        if round(tr) != round(tl):
            hips += f" (thighs {_thigh(tr)} right, {_thigh(tl)} left)"
        else:
            hips += f" (thighs {_thigh(tr)})"
    tilt = round(pose.pelvic_tilt)
    if tilt > 0:
        pelvis = f"pelvis tipped forward {_deg(tilt)}"
    elif tilt < 0:
        pelvis = f"pelvis tipped back {_deg(tilt)}"
    else:
        pelvis = "pelvis as when standing"
    parts = [hips, pelvis]
    change = lumbar_change(pose)
    if round(change) > 0:
        parts.append(f"lower back arched {_deg(change)} more than standing")
    elif round(change) < 0:
        parts.append(f"lower back {_deg(change)} flatter than standing")
    else:
        parts.append("lower back curved as when standing")
    kr, kl = pose.knee_right, pose.knee_left
    if round(kr) or round(kl):
        parts.append(
            f"knees bent {_deg(kr)}"
            if round(kr) == round(kl)
            else f"knees bent {_deg(kr)} (right), {_deg(kl)} (left)"
        )
    if round(pose.thoracic_flexion):
        way = "rounded forward" if pose.thoracic_flexion > 0 else "leaning back"
        parts.append(f"upper back {way} {_deg(pose.thoracic_flexion)}")
    return ", ".join(parts)


def posture_title(pose: Pose, plain: bool = False) -> tuple[str, str]:
    """(name, angles) of a posture picture's title: anatomical for the lecturer (default),
    everyday words in patient mode."""
    if plain:
        return plain_title(pose), plain_angles(pose)
    return pose_title(pose), pose_angles_text(pose)


UNSHOWN_ROUNDING = "upper back not drawn: no bones above T12"
"""The title's line for a rounded upper back with no skin shown: the atlas has no bones above
T12 and its muscles stay where the lumbar pose puts them (docs/POSTURE.md), so the picture
shows the pelvis rolled back and the lumbar curve flattened, not the rounding the angles name."""

PLAIN_UNSHOWN_ROUNDING = "upper back not shown without the skin"


def unshown_rounding_text(pose: Pose, skin_shown: bool, plain: bool = False) -> str:
    """The line a posture title adds when the pose rounds (or arches) the upper back and no
    skin is shown, so nothing in the picture does; "" otherwise. A lecturer saw slumped
    sitting without skin (gallery views-24) name "upper back rounded 20°" over a picture that
    ends at T12."""
    if skin_shown or not round(pose.thoracic_flexion):
        return ""
    return PLAIN_UNSHOWN_ROUNDING if plain else UNSHOWN_ROUNDING


def tilt_text(guides: PostureGuides, standing: PostureGuides | None, plain: bool = False) -> str:
    """The pelvis line's label: ``ASIS–PSIS 24° to horizontal (standing 12°)``, or in patient
    mode ``pelvis angle 24° (standing 12°)`` (the same line and angles; not "tipped 24°",
    which would clash with the title's "tipped forward 12°", a change from standing)."""
    if not plain:
        from viewer.domain.posture_guides import tilt_label

        return tilt_label(guides, standing)
    return _beside_standing(
        "pelvis angle", guides.tilt_deg, None if standing is None else standing.tilt_deg
    )


def curve_text(guides: PostureGuides, standing: PostureGuides | None, plain: bool = False) -> str:
    """The lumbar curve's label: ``Lordosis L1–S1 62° (standing 50°)``, or in patient mode
    ``lower back curve 62° (standing 50°)``."""
    if not plain:
        from viewer.domain.posture_guides import lordosis_label

        return lordosis_label(guides, standing)
    return _beside_standing(
        "lower back curve",
        guides.lordosis_deg,
        None if standing is None else standing.lordosis_deg,
    )


def _beside_standing(name: str, now_deg: float, standing_deg: float | None) -> str:
    """``name 24° (standing 12°)``; the standing value only where it differs (by 0.5° or
    more), so a standing picture does not compare itself with itself."""
    text = f"{name} {round(now_deg)}\u00b0"
    if standing_deg is not None and abs(standing_deg - now_deg) >= 0.5:
        text += f" (standing {round(standing_deg)}\u00b0)"
    return text


def loaded_text(plain: bool = False) -> str:
    """What the red stretch of the lumbar curve means, when the low back is loaded."""
    if plain:
        return "lowest back joints pressed together at the back"
    return "L4\u2013S1 loaded at the back (facet joints)"


def standing_text(plain: bool = False) -> str:
    """The dashed standing curve's name. It is drawn from the posed S1, not where the standing
    spine stood (:func:`viewer.domain.posture_guides.standing_reference`), and says so: a grey
    curve beside the spine named only "standing" was read as a second spine."""
    return "curve when standing, same base" if plain else "standing curve, from S1"


def standing_tilt_text(plain: bool = False) -> str:
    """The dashed standing ASIS-PSIS line's name: the tilt it is compared with (lesson 7's
    dashes were keyed only in the posture title, far from the line)."""
    return "pelvis when standing" if plain else "standing ASIS\u2013PSIS"


PLAIN_MARKS = {
    "asis": "front of pelvis",
    "psis": "back of pelvis",
    "l1": "top of low back",
    "s1": "base of low back",
}
"""The guide lines' marked ends (ASIS, PSIS, L1, S1) in patient mode."""


def mark_text(key: str, label: str, plain: bool = False) -> str:
    """A marked end's name: its anatomical short name (``ASIS``), or in patient mode the
    everyday one (``front of pelvis``)."""
    return PLAIN_MARKS.get(key, label) if plain else label


def plain_note(note: str) -> str:
    """The tight-side note (``right iliopsoas only 2 % shorter than standing, left unchanged:
    ...``) with the muscle's everyday name."""
    return note.replace("iliopsoas", "hip flexor")


SLIDER_WORDS: dict[str, tuple[str, str]] = {
    "hip": ("Hip flexion", "How far the hips bend"),
    "tilt": ("Pelvic tilt", "Pelvis tipped forward or back"),
    "iliopsoas": ("Iliopsoas", "Hip flexor pull"),
    "glmax": ("Gluteus max.", "Buttock muscle pull"),
}
"""The posture panel's slider names: (lecturer, patient). A patient met "Hip flexion" and
"Pelvic tilt" beside captions that already said "hips bent" and "pelvis tipped forward"; the
plain names use the captions' words (and "hip flexor", the everyday name the tight-side note
uses for the iliopsoas)."""

SLIDER_HINTS: dict[str, tuple[str, str]] = {
    "hip": ("Hip flexion (degrees)", "How far the hips bend (degrees)"),
    "tilt": (
        "Pelvic tilt (degrees, + = forward)",
        "Pelvis tipped forward (+) or back (-), degrees",
    ),
    "iliopsoas": ("Iliopsoas tension (percent)", "How hard the hip flexor pulls (percent)"),
    "glmax": ("Gluteus maximus tension (percent)", "How hard the buttock muscle pulls (percent)"),
}
"""The sliders' accessible names (read by screen readers), lecturer and patient."""


def slider_name(key: str, plain: bool = False) -> str:
    """The posture slider's row name (``hip``, ``tilt``, ``iliopsoas``, ``glmax``)."""
    return SLIDER_WORDS[key][1 if plain else 0]


def slider_hint(key: str, plain: bool = False) -> str:
    """The posture slider's accessible name, with its unit."""
    return SLIDER_HINTS[key][1 if plain else 0]


def preset_button_title(title: str, plain: bool = False) -> str:
    """A preset posture button's text: its anatomical title, or the plain one in patient mode."""
    return PLAIN_TITLES.get(title, title) if plain else title
