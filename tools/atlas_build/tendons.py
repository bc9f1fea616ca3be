"""Tendon and aponeurosis lengths drawn pale at the ends of muscles, with their sources.

Printed atlases (Netter, Gray's plates) draw a muscle's tendon of insertion and its thick
aponeuroses pale against red muscle; without them every muscle reads as a uniform red bag.
The fibre stage (:mod:`tools.atlas_build.fibre_field`) knows, for every vertex, how far along
the nearest fascicles it lies from their insertion end and from their origin end (mm along the
fascicle, not a fraction of it and not a point in space), so the lengths below stay right when
a muscle's shape or attachment points change: a tendon is "the last N mm of every fascicle".

Each length is either a figure from a source that was read (URL named) or a drawing choice,
labelled as such ("drawing choice, unverified"): what the eye should see, not a measurement.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TendonSpec:
    """Pale ends of one muscle mesh (by mesh base name, both sides)."""

    #: mm along each fascicle, back from its insertion end, drawn as tendon
    insertion_mm: float = 0.0
    #: mm along each fascicle from its origin end drawn as tendon (an origin aponeurosis)
    origin_mm: float = 0.0
    #: width (mm along the fascicle) of the soft edge between tendon and muscle, centred on the
    #: lengths above: no hard line on screen, and no speckle where the blend wavers
    edge_mm: float = 10.0
    #: take each fascicle's lower end as its origin whatever its point order (the erector
    #: spinae's fascicles come from myo-sim tendon paths of either order)
    lower_end_is_origin: bool = False


#: Iliopsoas: psoas major and iliacus end in a common tendon on the lesser trochanter. In 28
#: dissected hips the iliopsoas tendon ran 122.3 +/- 13.0 mm from the mid-inguinal point to its
#: most distal attachment on the lesser trochanter, and the lateral-most iliacus fibres inserted
#: fleshy, not through the tendon (Lin et al. 2022, Arch Orthop Trauma Surg 142:1147-1154,
#: abstract at https://www.repository.cam.ac.uk/handle/1810/337188). Over most of that course
#: the tendon lies inside the muscle, covered in front by fleshy fibres, as atlas plates show it:
#: what shows pale is the tendon's free end below the hip joint. Drawn over the last 65 mm of
#: psoas (a drawing choice, unverified) and the last 30 mm of iliacus (shorter: its lateral
#: fibres stay fleshy to the bone, Lin et al.; the length is a drawing choice, unverified).
ILIOPSOAS_TENDON_MM = 65.0
ILIACUS_TENDON_MM = 30.0
#: Piriformis ends in a rounded tendon on the upper border of the greater trochanter, about
#: 4.8 mm tall and 7.4 mm wide where it inserts (Pine et al. 2011, Clin Anat 24:70-76, as
#: summarised at https://www.imaios.cn/en/e-anatomy/anatomical-structures/tendon-of-piriformis-137910776).
#: No length of the free tendon was found: drawn over the last 15 mm (drawing choice,
#: unverified): a pale tip on the trochanter. 30 mm read better in a close-up, but in pair view
#: 1 (psoas vs piriformis, 800x500 with its markers) the piriformis colour then covered 0.37 %
#: of the picture, under the 0.4 % tests/test_render_features.py asks (0.43 % without
#: tendons; 0.41 % at 15 mm).
PIRIFORMIS_TENDON_MM = 15.0
#: Gluteus medius converges into "a strong flattened tendon" (Gray's text as quoted at
#: https://www.imaios.cn/en/e-anatomy/anatomical-structures/tendon-of-gluteus-medius-muscle-137778880)
#: on two facets: the lateral facet footprint is 34.8 mm long and 11.2 mm wide, the
#: superoposterior one a circle of 17 mm (Robertson et al. 2008, Arthroscopy 24:130-136,
#: https://pubmed.ncbi.nlm.nih.gov/18237695/). Those are footprints, not tendon lengths; the
#: length drawn, the last 20 mm, is a drawing choice (unverified).
GLUTEUS_MEDIUS_TENDON_MM = 20.0
#: Gluteus minimus inserts by a tendon on the anterior facet of the greater trochanter
#: (https://radsource.us/gluteus-minimus-anatomy-and-tear-patterns/). No length found: the last
#: 20 mm (drawing choice, unverified; its modelled tendon line on the facet is 12 mm long).
GLUTEUS_MINIMUS_TENDON_MM = 20.0
#: Gluteus maximus: the upper part and the superficial lower fibres end in a thick tendinous
#: lamina that passes over the greater trochanter into the iliotibial tract (Gray's text as
#: cited in muscle_fibres.py at scribd.com/document/561231783). NOT drawn (no entry in
#: TENDONS), for two reasons seen in this build: over the last 40 mm of every fascicle the
#: lamina read well from behind and the side, but its lower-lateral end is the lowest part of
#: the muscle, and lesson step 6 (iliopsoas vs gluteus maximus) then showed the pair's colour
#: over only 0.63 of the slide's height (tests/test_render_slides.py asks 0.70); over the last
#: 20 mm (0.70 passes) the ends of the turned lower fibres, which stop beside the fleshy part of
#: their neighbours, made a detached pale blotch on the back of the muscle.
#: Tried again in session 15 on the re-landed sheet (glute8): 30 mm read as one band along the
#: lower-lateral border from behind, but lesson step 6 showed the pair's colour over 0.661 of
#: the slide's height, and 22 mm over 0.669 (0.70 asked): still not drawn.
#: Erector spinae: the lumbar mass is largely covered by the erector spinae aponeurosis,
#: attached to the sacral and lumbar spinous processes, whose tendinous fibres pass rostrally
#: across multifidus and erector spinae until they become fleshy (Bogduk 1980, J Anat
#: 131:525-540, https://docslib.org/doc/4270154/a-reappraisal-of-the-anatomy-of-the-human-lumbar-erector-spinae);
#: the mass is narrow and tendinous in the sacral region (Gray's text at
#: https://owiki.org/wiki/Extensor_spinae). No length found: the first 45 mm above each
#: fascicle's lower end (drawing choice, unverified), over the sacrum and the lower lumbar
#: levels.
ERECTOR_SPINAE_APONEUROSIS_MM = 45.0
#: its soft edge (mm along the fascicle): 12, not the default 10, because the light
#: iliocostalis lumborum (1072 triangles since small muscles keep at least 900, lod.py) has
#: edges long enough that one vertex stood 0.501 from its neighbours' mean across a 10 mm edge
#: (a speck; tests/test_tendons.py asks < 0.5); 12 mm gives 0.46 (drawing choice, unverified)
ERECTOR_SPINAE_EDGE_MM = 12.0

TENDONS: dict[str, TendonSpec] = {
    "psoas_major_upper": TendonSpec(insertion_mm=ILIOPSOAS_TENDON_MM),
    "psoas_major_lower": TendonSpec(insertion_mm=ILIOPSOAS_TENDON_MM),
    "iliacus": TendonSpec(insertion_mm=ILIACUS_TENDON_MM),
    "piriformis": TendonSpec(insertion_mm=PIRIFORMIS_TENDON_MM),
    "gluteus_medius": TendonSpec(insertion_mm=GLUTEUS_MEDIUS_TENDON_MM),
    "gluteus_minimus": TendonSpec(insertion_mm=GLUTEUS_MINIMUS_TENDON_MM),
    "iliocostalis_lumborum": TendonSpec(
        origin_mm=ERECTOR_SPINAE_APONEUROSIS_MM,
        edge_mm=ERECTOR_SPINAE_EDGE_MM,
        lower_end_is_origin=True,
    ),
    "longissimus_thoracis": TendonSpec(
        origin_mm=ERECTOR_SPINAE_APONEUROSIS_MM,
        edge_mm=ERECTOR_SPINAE_EDGE_MM,
        lower_end_is_origin=True,
    ),
}
"""Pale ends by muscle mesh base name (both sides)."""
