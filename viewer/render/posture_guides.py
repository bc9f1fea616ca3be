"""Posture references drawn over a side view: ASIS-PSIS line, plumb line, lumbar curve, standing
ghost and a chair seat (the geometry is :mod:`viewer.domain.posture_guides`).

Lines and their labels are screen-space props placed at world coordinates (``vtkActor2D``
with a world-coordinate mapper, ``vtkTextActor`` with a world position): VTK projects their few
points each frame, they are drawn over the bones (a tilt line inside the pelvis would be hidden)
and the half-resolution moving frames draw them sharp with the other 2D props. Their points
change only when the pose changes (:meth:`PostureGuideOverlay._on_pose`); the standing ghost is
the standing light meshes, built once. Per frame there is one check of the camera direction:
the guides show in side views only (seen from the front the lines collapse onto the spine).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkFiltersCore import vtkAppendPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkActor2D,
    vtkCoordinate,
    vtkPolyDataMapper,
    vtkPolyDataMapper2D,
    vtkProperty,
    vtkRenderer,
    vtkTextActor,
)

from viewer.domain.guide_layout import Segment, leader
from viewer.domain.lessons import TEXT_FRACTION
from viewer.domain.pose import STANDING, Matrix, Pose
from viewer.domain.posture_guides import (
    COMPRESSED_FROM,
    Chair,
    PostureGuides,
    chair_for,
    guide_marks,
    guides_for,
    is_sitting,
    lifted_leg,
    one_sided_thigh,
    required_landmarks,
    standing_reference,
    thigh_angle,
    thigh_label,
)
from viewer.domain.posture_words import (
    curve_text,
    loaded_text,
    standing_text,
    standing_tilt_text,
    tilt_text,
)
from viewer.io.atlas_loader import LoadedAtlas
from viewer.render.dashes import dashed
from viewer.render.guide_text_layout import (
    MarkLabel,
    lay_out,
    lay_out_beside,
    project,
    screen_lines,
)
from viewer.render.posture_marks import GuideMarks
from viewer.render.thigh_inset import ThighInset
from viewer.render.vtkmesh import to_polydata
from viewer.state.scene import SceneState

log = logging.getLogger(__name__)

TILT_RGB = (0.80, 0.10, 0.45)
"""ASIS-PSIS line: magenta, apart from muscle reds/blues/oranges and bone ivory."""
CURVE_RGB = (0.05, 0.55, 0.55)
"""Lumbar curve: teal."""
COMPRESSED_RGB = (0.85, 0.12, 0.10)
"""The L4-S1 stretch of the curve when compressed: red, thicker."""
PLUMB_RGB = (0.25, 0.25, 0.30)
GHOST_RGB = (0.35, 0.40, 0.52)
"""Standing ghost (bones and lines): cool grey, faint."""
GHOST_OPACITY = 0.55
"""The standing ghost is drawn as outlines only (see :meth:`PostureGuideOverlay._update_ghost`)."""
GHOST_OUTLINE_PX = 1.5
"""Width of the standing ghost's outlines (pixels at 900 px height)."""
PLUMB_ON_DARK_RGB = (0.82, 0.82, 0.88)
GHOST_ON_DARK_RGB = (0.66, 0.74, 0.90)
"""On a dark background (dark and projector themes) the plumb line and ghost turn light."""
GHOST_LINE_RGB = (0.20, 0.26, 0.42)
GHOST_LINE_ON_DARK_RGB = (0.88, 0.92, 1.0)
"""The standing dashes (the curve from S1, the standing ASIS-PSIS line): darker and lighter
than the ghost outlines, solid, each with a casing of the opposite brightness. Light dashes on
the projector's black crossed the ivory hip bone and vanished there, and were thin beside the
posed lines (a lecturer could hardly see the standing curve or tilt line on lesson 7)."""
CASING_ON_DARK_RGB = (0.05, 0.05, 0.08)
CASING_RGB = (1.0, 1.0, 1.0)
GHOST_CASING_PX = 3.0
"""How much wider the casing under each standing dash is than the dash (pixels at 900 px)."""
THIGH_TEXT_RGB = (0.12, 0.12, 0.16)
"""The thigh angle's words: near-black on their pale box, on any background."""
CHAIR_RGB = (0.62, 0.58, 0.52)
"""The seat: a neutral warm grey, plainly furniture, no muscle or bone colour."""

LATERAL_MIN = 0.7
"""The guides show while the camera looks this much along the left-right axis (cosine)."""
THIGH_LATERAL_MIN = 0.5
"""A framed view keeps the thighs in the picture (:meth:`PostureGuides.thigh_frame_points`)
while the camera looks at least this much along the left-right axis: from there the two thighs
stand apart. The thigh lines themselves are drawn only in a true side view
(:data:`INSET_LATERAL_MAX`)."""
THIGH_MARGIN = 0.03
"""The thigh lines end at least this share of the frame height inside its edges."""
THIGH_FRAMED_MM = 250.0
"""Length of the thigh lines a framed view keeps in the picture: about 60 % of the thigh
(hip centre to knee about 395 mm), with both femurs' shafts beside them.

A one-sided pose is about the difference between the two thighs, and that difference is only
seen along the thighs: 15 degrees is 23 mm apart 90 mm below the hip but 65 mm at 250 mm. At
90 mm (framed for the slide tests' 0.70 muscle height) lesson 11 showed a tick of two lines
at the bottom edge and the tops of the femurs, and a lecturer could not see the asymmetry. The
muscles now span about half the slide's height, the muscles and thighs together most of it
(``tests/test_render_slides.py`` measures the one-sided step so)."""
THIGH_TEXT_AT = 0.65
"""Where down the bent thigh line its words are anchored (share of the drawn line)."""
THIGH_TEXT_FRONT_MM = 25.0
"""How far in front of the bent thigh line its words start."""
THIGH_MIN_SHARE = 0.15
"""Shortest share of the thigh the lines are cut to (a hip at the frame's edge)."""
INSET_LATERAL_MAX = 0.9
"""The side-view sketch of the bent thigh (:mod:`viewer.render.thigh_inset`) shows while the
camera looks less than this much along the left-right axis (cosine): seen from in front,
behind or obliquely, a thigh bent forward reads as swung out to the side. From this much on
the thigh lines (bent and dashed standing, with their words) are drawn instead, never both:
lesson 11, seen from the left and in front (0.5-0.9), drew them beside its sketch, and a
lecturer read the straight lines swinging sideways in projection as abduction, whatever the
sketch said."""

LEVEL_RGB = (0.95, 0.80, 0.10)
"""The pelvic level line: amber, apart from the muscle wine and teal, the ivory bone and the
thigh lines' grey, on the black projector background and on a light one (cased)."""
LEVEL_FRONTAL_MIN = 0.7
"""The level line shows while the camera looks at least this much along the front-to-back
axis (cosine): the frontal plane, where a pelvis held level or dropping is seen."""
LEVEL_LANDMARK = "iliac_crest_top"
"""The level line joins the tops of both iliac crests (right and left landmarks): the points
felt, or watched, for a pelvis held level on one leg, from in front or from behind."""
GUIDE_FAINT = 0.2
"""Structures drawn at least this opaque are anatomy a guide's words keep off (the pair views'
context bones at 0.25-0.3, a lumbar spine a word over which did not read); fainter ghosts and
the skin are background."""
GUIDE_ANATOMY_SAMPLE = 8000
"""Anatomy points projected for the guides' words (a word's box holds dozens at 720 px)."""

LEVEL_EXTEND_MM = 35.0
"""The level lines run this far past each crest, so the line reads across the whole pelvis."""
LEVEL_FRAME_BELOW_MM = 130.0
"""How far below the standing hip's centre a framed one-legged stance keeps in the picture:
the lesser trochanter, where the iliopsoas arrow starts, and some thigh below it (a picture
margin, not an anatomical measure)."""
DROP_MM = 20.0
"""How far the lifted side's ASIS sits lower on the dashed "dropping" line: a pelvis dropping
more than about 2 cm on the lifted side is read as a positive Trendelenburg sign (PhysioHub,
Trendelenburg sign, https://www.physiohub.io/assessment/hip/muscle-testing/trendelenburg)."""

GHOST_BONES: tuple[str, ...] = (
    "sacrum",
    "hip_bone_right",
    "hip_bone_left",
    "femur_right",
    "femur_left",
)
"""The standing bones drawn as outlines: the pelvis and thighs. The standing lumbar spine is
the dashed curve through its vertebral bodies, named "standing": drawn as bones (faint, then
outlined) it stood in front of a seated spine, a spine inside the abdomen, and its vertebrae's
outlines were a scribble of arches and processes."""
STANDING_TEXT_AT = 0.7
"""Where along the standing curve, L1 (0) to S1 (1), its words are anchored."""
EXTEND_MM = 45.0
"""The dashed horizontal runs this far past the ASIS, so the angle between it and the
ASIS-PSIS line reads. The ASIS-PSIS line itself ends at the two marked landmarks: drawn 45 mm
past each, over muscle, it joined nothing a lecturer could see."""
Box = tuple[float, float, float, float]


def _line_poly(segments: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]]) -> vtkPolyData:
    pts = np.array([p for seg in segments for p in seg], dtype=np.float64).reshape(-1, 3)
    poly = vtkPolyData()
    points = vtkPoints()
    points.SetData(numpy_to_vtk(pts, deep=True))
    poly.SetPoints(points)
    n = len(segments)
    lines = vtkCellArray()
    lines.SetData(
        numpy_to_vtkIdTypeArray(np.arange(0, 2 * n + 1, 2, dtype=np.int64), deep=True),
        numpy_to_vtkIdTypeArray(np.arange(2 * n, dtype=np.int64), deep=True),
    )
    poly.SetLines(lines)
    return poly


def _polyline(points: NDArray[np.float64]) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    return [(points[i], points[i + 1]) for i in range(len(points) - 1)]


LEADER_FAR_SHARE = 0.04
"""A dashed line's name further than this share of the picture's height from its line gets a
leader to it (about 1.5 text heights: beside its line it needs none)."""


class _ScreenLines:
    """Thin 2D lines in display pixels (the leaders of texts laid out each still frame)."""

    def __init__(self, renderer: vtkRenderer, rgb: tuple[float, float, float], width: float):
        self.mapper = vtkPolyDataMapper2D()
        self.mapper.SetInputData(vtkPolyData())
        self.actor = vtkActor2D()
        self.actor.SetMapper(self.mapper)
        self.actor.GetProperty().SetColor(*rgb)
        self.actor.GetProperty().SetLineWidth(width)
        self.actor.SetVisibility(False)
        self.segments: list[Segment] = []
        """The segments drawn (tests read them)."""
        renderer.AddViewProp(self.actor)

    def set(self, segments: Sequence[Segment]) -> None:
        """Draw ``segments`` (display pixels, y up); none hides the actor."""
        self.segments = list(segments)
        self.actor.SetVisibility(bool(self.segments))
        if not self.segments:
            return
        self.mapper.SetInputData(
            _line_poly([(np.array([*a, 0.0]), np.array([*b, 0.0])) for a, b in self.segments])
        )


class _Lines:
    """One world-anchored 2D line set (colour, width, opacity)."""

    def __init__(
        self,
        renderer: vtkRenderer,
        rgb: tuple[float, float, float],
        width: float,
        opacity: float = 1.0,
        casing_px: float = 0.0,
    ) -> None:
        coordinate = vtkCoordinate()
        coordinate.SetCoordinateSystemToWorld()
        self.mapper = vtkPolyDataMapper2D()
        self.mapper.SetTransformCoordinate(coordinate)
        self.mapper.SetInputData(vtkPolyData())
        self.casing_px = casing_px
        self.casing: vtkActor2D | None = None
        """A wider line of the opposite brightness under this one (added first, so drawn
        below): the line reads on bone and on the background alike."""
        if casing_px > 0.0:
            self.casing = vtkActor2D()
            self.casing.SetMapper(self.mapper)
            self.casing.GetProperty().SetColor(*CASING_RGB)
            self.casing.GetProperty().SetLineWidth(width + casing_px)
            self.casing.SetVisibility(False)
            renderer.AddViewProp(self.casing)
        self.actor = vtkActor2D()
        self.actor.SetMapper(self.mapper)
        prop = self.actor.GetProperty()
        prop.SetColor(*rgb)
        prop.SetLineWidth(width)
        prop.SetOpacity(opacity)
        self.width = width
        self._key = b"-"
        self.segments: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
        """The segments drawn (tests read them)."""
        self.actor.SetVisibility(False)
        renderer.AddViewProp(self.actor)

    def set(self, segments: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]]) -> None:
        """New segments; the same ones again cost nothing (the plumb line and the standing
        ghost do not move while a slider is dragged)."""
        key = np.asarray(segments, dtype=np.float64).tobytes()
        if key == self._key:
            return
        self._key = key
        self.segments = list(segments)
        self.mapper.SetInputData(_line_poly(segments) if segments else vtkPolyData())

    def sync_casing(self) -> None:
        """The casing shown with the line, as much wider as the line's scale says."""
        if self.casing is None:
            return
        self.casing.SetVisibility(self.actor.GetVisibility())
        width = float(self.actor.GetProperty().GetLineWidth())
        scale = width / self.width if self.width > 0 else 1.0
        self.casing.GetProperty().SetLineWidth(width + self.casing_px * scale)


class PostureGuideOverlay:
    """Draws the posture references of ``state``'s pose into ``renderer`` (see module doc).

    ``enabled`` is the user's switch (View menu); ``always`` shows the lines on the standing
    pose too (a ``render --pose standing`` picture, to compare with the others); the ghost is
    drawn only when the pose differs from standing, the chair only when seated.
    """

    def __init__(
        self,
        renderer: vtkRenderer,
        loaded: LoadedAtlas,
        state: SceneState,
        transforms: Callable[[Pose], Mapping[str, Matrix]],
        skin_points: Callable[[], NDArray[np.float64] | None] = lambda: None,
    ) -> None:
        self.renderer = renderer
        self.loaded = loaded
        self.state = state
        self._transforms = transforms
        self._skin_points = skin_points
        self.moving: Callable[[], bool] = lambda: False
        """True while the camera moves (the view's reduced frames): the words' layout (4-5 ms)
        waits for the still frame, as the labels' does."""
        self.enabled = True
        self.always = False
        self.plain = False
        """Everyday words on the references (patient mode)."""
        self.suppressed: Callable[[], bool] = lambda: False
        """True while another view owns the picture (a pair view draws its own arrows and
        joints): the references hide, checked once per frame."""
        self._landmarks: dict[str, NDArray[np.float64]] | None = None
        self._standing: PostureGuides | None = None
        self.guides: PostureGuides | None = None
        """The current pose's guides (``None`` when not shown or the atlas lacks landmarks)."""
        self.standing_curve: NDArray[np.float64] | None = None
        """The dashed standing L1-S1 curve as drawn (from the posed S1), or ``None``."""
        self.chair: Chair | None = None
        self._lines = {
            "ghost": _Lines(renderer, GHOST_LINE_RGB, 4.0, 1.0, casing_px=GHOST_CASING_PX),
            "plumb": _Lines(renderer, PLUMB_RGB, 2.0, 0.85),
            "horizontal": _Lines(renderer, TILT_RGB, 2.0, 0.9),
            "tilt": _Lines(renderer, TILT_RGB, 5.0),
            "curve": _Lines(renderer, CURVE_RGB, 5.0),
            "compressed": _Lines(renderer, COMPRESSED_RGB, 9.0),
        }
        self._thigh_lines = {
            "thigh": _Lines(renderer, PLUMB_RGB, 5.0),
            "thigh_standing": _Lines(renderer, PLUMB_RGB, 2.5, 0.9),
        }
        """A one-sided pose's bent thigh (hip centre to knee) against where it stood (dashed).
        Unlike the other references these show in every view, pair views included: a tight
        right iliopsoas holding the hip 17 degrees bent was only a number in the title,
        invisible in the front-to-side view that shows both sides."""
        self._texts = {
            "tilt": self._text(TILT_RGB),
            "lordosis": self._text(CURVE_RGB),
            "compressed": self._text(COMPRESSED_RGB),
            "standing": self._text(THIGH_TEXT_RGB),
            "standing_tilt": self._text(THIGH_TEXT_RGB),
        }
        """The words beside the lines; "standing" names the dashed standing curve (drawn from
        the posed S1, :func:`standing_reference`) at its top (the grey outline and dashes are
        also keyed in the posture title)."""
        self.marks = GuideMarks(renderer, {"tilt": TILT_RGB, "curve": CURVE_RGB}, self._text)
        """Dots and names on the ASIS, PSIS, L1 and S1 (the lines' ends)."""
        self.keep_off: Callable[[], list[Box | None]] = lambda: []
        """Boxes (display pixels, y up) the guides' words keep off: the posture title and key."""
        self.anatomy_on_screen: Callable[[], NDArray[np.float64] | None] | None = None
        """Display points (y up) of the anatomy drawn (:func:`viewer.render.posture_key.
        anatomy_on_screen`): the level line's words go beside the body where they read on a
        clear background. ``None``: they stay at the lifted side's end."""
        self._thigh_text = self._text(THIGH_TEXT_RGB)
        self._thigh_text.GetTextProperty().SetJustificationToLeft()
        self._thigh_wanted = False
        self._thigh_ends: tuple[NDArray[np.float64], ...] = ()
        """Hip centre, bent knee, standing knee (mm) of the thigh lines (see _fit_thigh)."""
        self._thigh_fitted: object = None
        self.inset = ThighInset(renderer)
        """The bent thigh seen from the side, in a corner (see :data:`INSET_LATERAL_MAX`)."""
        self._level_lines = {
            "level": _Lines(renderer, LEVEL_RGB, 5.0, casing_px=2.0),
            "level_drop": _Lines(renderer, LEVEL_RGB, 2.5, 0.95),
        }
        """A one-legged stance seen from in front or behind: the pelvis held level, a line
        through both iliac crests, against the same line with the lifted side dropped
        :data:`DROP_MM` (dashed). A lecturer found lesson 8 said "level" only in words."""
        self._level_texts = {
            "level": self._text(THIGH_TEXT_RGB),
            "level_drop": self._text(THIGH_TEXT_RGB),
        }
        self._level_wanted = False
        self._level_ends: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
        """Each level line's two ends (world, posed): the stance side's end first."""
        self._stance_hip: NDArray[np.float64] | None = None
        self._texts_fitted: object = None
        """What the texts were last kept in the frame for (see _keep_texts_in_frame)."""
        self._knees: dict[str, NDArray[np.float64]] = {}
        self._anchors: dict[str, tuple[NDArray[np.float64], float]] = {}
        self._leader_targets: dict[str, NDArray[np.float64]] = {}
        """Text key -> the world point on the dashed line it names: a leader joins the text to
        it when the layout put the text far away (:func:`viewer.domain.guide_layout.leader`)."""
        self._leaders = _ScreenLines(renderer, THIGH_TEXT_RGB, 1.5)
        """The leaders of those texts (display pixels, laid out with them)."""
        self._paths: dict[str, list[tuple[NDArray[np.float64], NDArray[np.float64]]]] = {}
        """The dashed line sets as undashed segments (see _screen_lines)."""
        """Text key -> (world anchor, horizontal direction toward the label: +1 anterior)."""
        self._ghost: list[vtkActor] = []
        self._ghost_femurs: list[vtkActor] = []
        self._ghost_wanted = False
        self._chair_actor: vtkActor | None = None
        self._chair_key = b""
        self._shown = False
        self._size: tuple[int, int] = (0, 0)
        self._facing = 0.0
        self._dark: bool | None = None
        self._ghost_prop = vtkProperty()
        self._ghost_prop.SetColor(*GHOST_RGB)
        self._ghost_prop.SetOpacity(GHOST_OPACITY)
        self._ghost_prop.SetAmbient(1.0)
        self._ghost_prop.SetDiffuse(0.0)
        self._ghost_prop.SetSpecular(0.0)
        self._ghost_prop.SetLineWidth(GHOST_OUTLINE_PX)
        self._silhouettes: list[Any] = []
        self._ghost_seated = False
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._before_frame)
        state.pose_changed.connect(self._on_pose)
        self._on_pose(state.pose)

    # -- switches --------------------------------------------------------------------------------
    def set_enabled(self, enabled: bool) -> None:
        """The user's switch: draw the references or not."""
        self.enabled = enabled
        self._on_pose(self.state.pose)

    def set_plain(self, plain: bool) -> None:
        """Patient mode: the references' texts in everyday words ("lower back curve 62°", not
        "Lordosis L1–S1 62°"; see :mod:`viewer.domain.posture_words`)."""
        self.plain = plain
        self._on_pose(self.state.pose)

    def set_always(self, always: bool) -> None:
        """Draw the lines on the standing pose too."""
        self.always = always
        self._on_pose(self.state.pose)

    @property
    def active(self) -> bool:
        """True when the references apply to the current pose (side views show them)."""
        pose = self.state.pose
        return self.enabled and (self.always or not pose.is_standing)

    # -- geometry (on pose change only) ----------------------------------------------------------
    def _landmarks_or_none(self) -> dict[str, NDArray[np.float64]] | None:
        if self._landmarks is None:
            from viewer.io.annotations import load_bony_landmarks

            found, _problems = load_bony_landmarks(self.loaded.folder)
            missing = [n for n in required_landmarks() if n not in found]
            if missing:  # a user atlas without them: no references, said once
                log.info("no posture references: landmarks.json lacks %s", ", ".join(missing))
                found = {}
            self._landmarks = found
        return self._landmarks or None

    def _on_pose(self, pose: Pose) -> None:
        try:
            self._update(pose)
        except Exception:  # references are a teaching aid: never break the view for them
            log.exception("could not place the posture references")
            self.guides = None
            self.chair = None
            self._hide_all()
        self.renderer.Modified()

    def _update(self, pose: Pose) -> None:
        landmarks = self._landmarks_or_none() if self.active else None
        if landmarks is None:
            self.guides = None
            self.chair = None
            self._hide_all()
            return
        transforms = self._transforms(pose)
        g = guides_for(landmarks, transforms, pose)
        if self._standing is None:
            self._standing = guides_for(landmarks, self._transforms(STANDING), STANDING)
        standing = None if pose.is_standing else self._standing
        self.guides = g
        forward = np.array([0.0, -1.0, 0.0])  # anterior (LPS)
        # ASIS-PSIS line, PSIS to ASIS (both marked); a horizontal from the PSIS to compare.
        a0, a1 = g.psis, g.asis
        self._lines["tilt"].set([(a0, a1)])
        span = abs(float(g.asis[1] - g.psis[1])) + EXTEND_MM
        self._lines["horizontal"].set(dashed(a0.copy(), a0 + forward * span, 8.0, 7.0))
        self._lines["plumb"].set(dashed(g.plumb[0], g.plumb[1], 14.0, 9.0))
        self._lines["curve"].set(_polyline(g.lordosis_line))
        loaded = g.facets if g.facets is not None else g.curve[COMPRESSED_FROM:]
        self._lines["compressed"].set(_polyline(loaded) if g.compressed else [])
        ghost: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
        reference = None if standing is None else standing_reference(standing, g)
        if standing is not None and reference is not None:
            ghost += dashed(standing.psis, standing.asis, 10.0, 6.0)
            for a, b in _polyline(reference):
                ghost += dashed(a, b, 10.0, 6.0)
        self._lines["ghost"].set(ghost)
        self.standing_curve = reference
        # The dashed lines as whole lines, for the words' layout (a few segments, not dashes).
        self._paths = {
            "horizontal": [(a0, a0 + forward * span)],
            "plumb": [(g.plumb[0], g.plumb[1])],
            "ghost": []
            if reference is None or standing is None
            else [(standing.psis, standing.asis), *_polyline(reference)],
        }
        self._texts["tilt"].SetInput(tilt_text(g, standing, self.plain))
        self._texts["lordosis"].SetInput(curve_text(g, standing, self.plain))
        self._texts["compressed"].SetInput(loaded_text(self.plain) if g.compressed else "")
        self._texts["standing"].SetInput(standing_text(self.plain) if standing is not None else "")
        self._texts["standing_tilt"].SetInput(
            standing_tilt_text(self.plain) if standing is not None else ""
        )
        # Each text's first place; the layout moves it off the lines (_keep_texts_in_frame).
        self._leader_targets = {}
        self._anchors = {
            "tilt": (a1 + forward * 10.0 + np.array([0.0, 0.0, -30.0]), 1.0),
            "lordosis": (g.curve[2] + forward * 45.0, 1.0),
            "compressed": (loaded[-2] - forward * 25.0, -1.0),
        }
        if reference is not None:
            # Beside the curve's lower part, near S1 where it starts from (at its top, by L1,
            # the words stood a whole lumbar spine away from the S1 they name).
            low = reference[round(STANDING_TEXT_AT * (len(reference) - 1))]
            self._anchors["standing"] = (low + forward * 12.0, 1.0)
            self._leader_targets["standing"] = low
        if standing is not None:
            # The standing ASIS-PSIS dashes, named below their front end (the posed line's
            # words sit below its ASIS too; the layout keeps the two apart).
            self._anchors["standing_tilt"] = (
                standing.asis + forward * 10.0 + np.array([0.0, 0.0, -12.0]),
                1.0,
            )
            self._leader_targets["standing_tilt"] = 0.75 * standing.asis + 0.25 * standing.psis
        self.marks.set(guide_marks(g), self.plain)
        self._update_ghost(standing is not None)
        self._update_chair(pose, landmarks, transforms)
        self._update_thigh(pose, landmarks, transforms)
        self._update_level(pose, landmarks, transforms)
        self._shown = False  # re-evaluated before the next frame
        self._facing = 0.0

    def _knee(self, side: str) -> NDArray[np.float64] | None:
        """The standing distal femur's centre (the middle of its lowest 25 mm): where the thigh
        line ends, moved with the femur."""
        if side not in self._knees:
            mesh = self.loaded.meshes.get(f"femur_{side}")
            if mesh is None or not len(mesh.points):
                return None
            pts = np.asarray(mesh.points, dtype=np.float64)
            self._knees[side] = pts[pts[:, 2] <= pts[:, 2].min() + 25.0].mean(axis=0)
        return self._knees[side]

    def _update_thigh(
        self,
        pose: Pose,
        landmarks: Mapping[str, NDArray[np.float64]],
        transforms: Mapping[str, Matrix],
    ) -> None:
        """The bent thigh of a one-sided pose: its axis, hip centre to knee, against the
        standing thigh (dashed), and its angle in words (see ``_thigh_lines``)."""
        side = one_sided_thigh(pose)
        knee = self._knee(side) if side is not None else None
        hip = landmarks.get(f"hip_centre_{side}") if side is not None else None
        if side is None or knee is None or hip is None:
            self._thigh_wanted = False
            for lines in self._thigh_lines.values():
                lines.set([])
            return
        m = transforms.get(f"femur_{side}", np.eye(4))
        posed = m[:3, :3] @ knee + m[:3, 3]
        hip_now = m[:3, :3] @ hip + m[:3, 3]  # the hip centre stays put; posed for exactness
        self._thigh_ends = (hip_now, posed, np.asarray(knee, dtype=np.float64))
        self._thigh_fitted = None
        self._set_thigh(1.0)
        self._thigh_text.SetInput(thigh_label(pose, side))
        self._thigh_wanted = True

    def _update_level(
        self,
        pose: Pose,
        landmarks: Mapping[str, NDArray[np.float64]],
        transforms: Mapping[str, Matrix],
    ) -> None:
        """The pelvic level line of a one-legged stance (see ``_level_lines``): through both
        posed iliac crest tops, and dashed, the same line with the lifted side's end :data:`DROP_MM`
        lower, as a pelvis drops when the standing side's gluteals fail. Its words sit at the
        lifted side's end, away from the standing hip's arrows."""
        lifted = lifted_leg(pose)
        names = [f"{LEVEL_LANDMARK}_{s}" for s in ("right", "left")]
        if lifted is None or any(n not in landmarks for n in names):
            self._level_wanted = False
            self._level_ends = {}
            for lines in self._level_lines.values():
                lines.set([])
            return
        stance = "left" if lifted == "right" else "right"
        hip = landmarks.get(f"hip_centre_{stance}")
        if hip is not None:
            m = transforms.get(f"femur_{stance}", np.eye(4))
            self._stance_hip = m[:3, :3] @ np.asarray(hip, dtype=np.float64) + m[:3, 3]
        posed = {}
        for side in ("right", "left"):
            m = transforms.get(f"hip_bone_{side}", np.eye(4))
            p = np.asarray(landmarks[f"{LEVEL_LANDMARK}_{side}"], dtype=np.float64)
            posed[side] = m[:3, :3] @ p + m[:3, 3]
        a, b = posed[stance], posed[lifted]
        unit = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
        level = (a - unit * LEVEL_EXTEND_MM, b + unit * LEVEL_EXTEND_MM)
        self._level_lines["level"].set([level])

        dropped = b - np.array([0.0, 0.0, DROP_MM])
        d_unit = (dropped - a) / max(float(np.linalg.norm(dropped - a)), 1e-9)
        self._level_lines["level_drop"].set(
            dashed(a, dropped + d_unit * LEVEL_EXTEND_MM, 10.0, 7.0)
        )
        self._paths["level_drop"] = [(a, dropped + d_unit * LEVEL_EXTEND_MM)]
        self._level_ends = {"level": level, "level_drop": self._paths["level_drop"][0]}
        self._level_texts["level"].SetInput(
            "pelvis held level (iliac crests)" if not self.plain else "pelvis held level"
        )
        self._level_texts["level_drop"].SetInput(f"dashed: {lifted} side dropping")
        _anchor_of(self._level_texts["level"]).SetValue(
            *(b + unit * LEVEL_EXTEND_MM + np.array([0.0, 0.0, 10.0]))
        )
        _anchor_of(self._level_texts["level_drop"]).SetValue(
            *(dropped + d_unit * LEVEL_EXTEND_MM - np.array([0.0, 0.0, 10.0]))
        )
        self._level_wanted = True

    def level_lines(self) -> dict[str, list[tuple[NDArray[np.float64], NDArray[np.float64]]]]:
        """The level lines shown now, by name (``level``, ``level_drop``; tests read them)."""
        return {
            name: list(lines.segments)
            for name, lines in self._level_lines.items()
            if lines.actor.GetVisibility() and lines.segments
        }

    def _show_level(self) -> None:
        """The level lines show while the pose is one-legged and the camera looks at the
        frontal plane (:data:`LEVEL_FRONTAL_MIN`), pair views included."""
        shown = self._level_wanted and self.enabled
        if shown:
            camera = self.renderer.GetActiveCamera()
            dist = camera.GetDistance() or 1.0
            facing = (camera.GetPosition()[1] - camera.GetFocalPoint()[1]) / dist
            shown = abs(facing) >= LEVEL_FRONTAL_MIN
        height = max(1, self.renderer.GetSize()[1])
        scale = max(1.0, height / 900.0)
        font = max(12, math.ceil(max(TEXT_FRACTION, 0.026) * height))
        for lines in self._level_lines.values():
            lines.actor.SetVisibility(shown)
            lines.actor.GetProperty().SetLineWidth(lines.width * scale)
        for text in self._level_texts.values():
            text.SetVisibility(shown and bool(text.GetInput()))
            text.GetTextProperty().SetFontSize(font)

    def _set_thigh(self, share: float) -> None:
        """Both thigh lines from the hip centre over ``share`` of the thigh, the angle's words
        in front of the bent line, two thirds of the way down it.

        At the line's end the words sat on the slide's bottom edge (lesson 11), where a class
        did not look; in front of the thigh they lie in the empty space the bend opens."""
        hip, bent, standing = self._thigh_ends
        end = hip + share * (bent - hip)
        self._thigh_lines["thigh"].set([(hip, end)])
        self._thigh_lines["thigh_standing"].set(
            dashed(hip, hip + share * (standing - hip), 12.0, 8.0)
        )
        beside = hip + THIGH_TEXT_AT * (end - hip) + np.array([0.0, -THIGH_TEXT_FRONT_MM, 0.0])
        _anchor_of(self._thigh_text).SetValue(*beside)

    def _fit_thigh(self) -> None:
        """End both thigh lines inside the frame, :data:`THIGH_MARGIN` off its edges.

        Drawn hip to knee, the lines ran off the bottom of lesson 11's slide (framed on the
        iliopsoas muscles, the knees far below): a guide cut by the slide's edge. Both lines
        are shortened by the same share, so they stay equally long and their angle, the bend,
        reads as before; the words move with the bent line."""
        if not self._thigh_ends:
            return
        camera = self.renderer.GetActiveCamera()
        size = tuple(self.renderer.GetSize())
        key = (
            camera.GetPosition(),
            camera.GetFocalPoint(),
            camera.GetViewUp(),
            camera.GetViewAngle(),
            size,
        )
        if key == self._thigh_fitted:
            return
        self._thigh_fitted = key
        width, height = size
        if width <= 0 or height <= 0:
            return
        margin = THIGH_MARGIN * height
        hip = self._thigh_ends[0]

        def inside(point: NDArray[np.float64]) -> bool:
            self.renderer.SetWorldPoint(float(point[0]), float(point[1]), float(point[2]), 1.0)
            self.renderer.WorldToDisplay()
            x, y, _z = self.renderer.GetDisplayPoint()
            return margin <= x <= width - margin and margin <= y <= height - margin

        share = 1.0
        if inside(hip):  # a hip out of the picture: nothing to end inside it
            for end in self._thigh_ends[1:]:
                steps = np.linspace(1.0, 0.0, 41)
                share = min(
                    share, next((float(t) for t in steps if inside(hip + t * (end - hip))), 0.0)
                )
        self._set_thigh(max(share, THIGH_MIN_SHARE))

    def _update_ghost(self, wanted: bool) -> None:
        """The standing bones as outlines (their silhouettes from the camera), built once.

        Drawn as faint filled bones, the standing lumbar vertebrae of a seated side view stood
        in front of the seated spine: a lecturer read them as a spine inside the abdomen. An
        outline reads as a drawing laid over the picture, and still shows where the standing
        pelvis and spine were."""
        if wanted and not self._ghost:
            from vtkmodules.vtkFiltersHybrid import vtkPolyDataSilhouette  # posed views only

            prop = self._ghost_prop
            camera = self.renderer.GetActiveCamera()
            for bone in GHOST_BONES:
                mesh = self.loaded.light.get(bone) or self.loaded.meshes.get(bone)
                if mesh is None:
                    continue
                outline = vtkPolyDataSilhouette()
                outline.SetInputData(to_polydata(mesh))  # standing: never moves
                outline.SetCamera(camera)
                outline.SetDirectionToCameraOrigin()
                outline.BorderEdgesOff()
                outline.SetEnableFeatureAngle(False)
                self._silhouettes.append(outline)
                mapper = vtkPolyDataMapper()
                mapper.SetInputConnection(outline.GetOutputPort())
                mapper.ScalarVisibilityOff()
                actor = vtkActor()
                actor.SetMapper(mapper)
                actor.SetProperty(prop)
                actor.PickableOff()
                actor.SetVisibility(False)
                self.renderer.AddActor(actor)
                self._ghost.append(actor)
                if bone.startswith("femur_"):
                    self._ghost_femurs.append(actor)
        self._ghost_wanted = wanted

    def _seat_ghost(self, seated: bool) -> None:
        """Seated, the standing ghost leaves out the femurs (``seated``).

        The standing thigh bones ran down through the chair seat: a grey bone through
        furniture. Cut at the seat top they still stood on it, and from the slightly raised side
        camera even the femoral heads lay over the seat's top face. What the ghost is for, the
        standing pelvis and lumbar spine against the seated ones, needs no femur: the hip
        centres do not move, and the thighs' turn from vertical to horizontal needs no ghost.
        """
        self._ghost_seated = seated
        self._shown = False  # visibility is re-applied before the next frame

    def _update_chair(
        self,
        pose: Pose,
        landmarks: Mapping[str, NDArray[np.float64]],
        transforms: Mapping[str, Matrix],
    ) -> None:
        self.chair = None
        if not is_sitting(pose):
            self._seat_ghost(False)
            if self._chair_actor is not None:
                self._chair_actor.SetVisibility(False)
            return

        def posed(name: str, bone: str) -> NDArray[np.float64]:
            m = transforms.get(bone, np.eye(4))
            p: NDArray[np.float64] = m[:3, :3] @ landmarks[name] + m[:3, 3]
            return p

        it = np.array(
            [posed(f"ischial_tuberosity_{s}", f"hip_bone_{s}") for s in ("right", "left")]
        )
        troch = [posed(f"greater_trochanter_{s}", f"femur_{s}")[0] for s in ("right", "left")]
        width = (min(troch) - 40.0, max(troch) + 40.0)
        skin = self._skin_points()
        floor = float(skin[:, 2].min()) if skin is not None and len(skin) else None
        chair = chair_for(it, width, floor)
        self.chair = chair
        self._seat_ghost(True)
        legs = [np.r_[a, b] for a, b in chair.legs]
        key = np.concatenate([chair.seat_min, chair.seat_max, *legs])
        if self._chair_actor is not None and key.tobytes() == self._chair_key:
            self._chair_actor.SetVisibility(True)
            return
        self._chair_key = key.tobytes()
        append = vtkAppendPolyData()
        for lo, hi in ((chair.seat_min, chair.seat_max), *chair.legs):
            from vtkmodules.vtkFiltersSources import vtkCubeSource  # posed views only

            cube = vtkCubeSource()
            cube.SetBounds(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2])
            cube.Update()
            append.AddInputData(cube.GetOutput())
        append.Update()
        if self._chair_actor is None:
            mapper = vtkPolyDataMapper()
            actor = vtkActor()
            actor.SetMapper(mapper)
            actor.GetProperty().SetColor(*CHAIR_RGB)
            actor.GetProperty().SetAmbient(0.25)
            actor.GetProperty().SetDiffuse(0.75)
            actor.PickableOff()
            self.renderer.AddActor(actor)
            self._chair_actor = actor
        chair_mapper = self._chair_actor.GetMapper()
        assert isinstance(chair_mapper, vtkPolyDataMapper)
        poly = vtkPolyData()
        poly.DeepCopy(append.GetOutput())
        chair_mapper.SetInputData(poly)
        self._chair_actor.SetVisibility(True)

    # -- per frame: one direction check, text sizes when the window size changes ----------------
    def _before_frame(self, *_args: object) -> None:
        self._place_texts()
        self._keep_texts_in_frame()
        for lines in (
            *self._lines.values(),
            *self._thigh_lines.values(),
            *self._level_lines.values(),
        ):
            lines.sync_casing()

    def _keep_texts_in_frame(self) -> None:
        """Place each shown text clear of the guide lines, the other texts and the posture
        title and key, inside the picture with a small margin (:mod:`guide_text_layout`).

        At 1200 x 900 the tilt line's "ASIS-PSIS ... (standing 12°)" ran off the right edge of
        a side view; on lesson step 7 "L4-S1 loaded at the back" lay across the tilt line."""
        width, height = self.renderer.GetSize()
        if width <= 0 or height <= 0:
            return
        marks = [self.marks.texts[m.key] for m in self.marks.marks]
        texts = (*self._texts.values(), self._thigh_text, *self._level_texts.values(), *marks)
        # Measured again only when the camera, the picture's size or a text changed (this
        # runs before every frame, an orbit's too). The title and key move only with those.
        camera = self.renderer.GetActiveCamera()
        key = (
            camera.GetPosition(),
            camera.GetFocalPoint(),
            camera.GetViewUp(),
            camera.GetViewAngle(),
            width,
            height,
            tuple(
                (
                    t.GetVisibility(),
                    t.GetInput(),
                    _anchor_of(t).GetValue(),
                    t.GetTextProperty().GetJustification(),
                    t.GetTextProperty().GetFontSize(),
                )
                for t in texts
            ),
        )
        if key == self._texts_fitted:
            return
        if self.moving() and self._texts_fitted is not None:
            self._leaders.set([])  # a leader drawn for the still frame would point astray
            return  # orbiting: the words ride on their anchors; the still frame lays them out
        self._texts_fitted = key
        keep_off = [b for b in self.keep_off() if b is not None]
        hard, soft = self._screen_lines()
        dots: list[Box] = []
        labels: list[MarkLabel] = []
        anterior_right = self._facing < 0
        for mark in self.marks.marks:
            dot = self.marks.dots[mark.key]
            if not dot.actors[0].GetVisibility():
                continue
            x, y = project(self.renderer, mark.point)
            r = dot.radius
            dots.append((x - r, y - r, x + r, y + r))
            outward = mark.outward if anterior_right else -mark.outward
            labels.append(MarkLabel(self.marks.texts[mark.key], r, outward))
        anatomy = self.anatomy_on_screen() if self.anatomy_on_screen is not None else None
        beside = anatomy is not None and self._level_ends
        margin = max(4.0, TEXT_MARGIN_FRACTION * width)
        placed = lay_out(
            self.renderer,
            [self._thigh_text],
            labels,
            [*self._texts.values(), *([] if beside else self._level_texts.values())],
            hard,
            soft,
            [*keep_off, *dots],
            margin,
        )
        if beside and anatomy is not None:
            self._lay_out_level(anatomy, hard, soft, [*keep_off, *dots, *placed], margin)
        self._draw_leaders(height)

    def _draw_leaders(self, height: int) -> None:
        """Join each dashed line's name to its line when the layout put it more than
        :data:`LEADER_FAR_SHARE` of the picture's height away."""
        segments = []
        for key, target in self._leader_targets.items():
            text = self._texts[key]
            if not text.GetVisibility() or not text.GetInput():
                continue
            bbox = [0.0, 0.0, 0.0, 0.0]
            text.GetBoundingBox(self.renderer, bbox)  # x0, x1, y0, y1 about the anchor
            ax, ay = _anchor_of(text).GetComputedDisplayValue(self.renderer)
            px, py = text.GetPositionCoordinate().GetValue()[:2]
            x0, y0 = ax + px + bbox[0], ay + py + bbox[2]
            box = (x0, y0, x0 + bbox[1] - bbox[0], y0 + bbox[3] - bbox[2])
            found = leader(box, project(self.renderer, target), LEADER_FAR_SHARE * height)
            if found is not None:
                segments.append(found)
        self._leaders.set(segments)

    def _lay_out_level(
        self,
        anatomy: NDArray[np.float64],
        hard: list[list[Segment]],
        soft: list[list[Segment]],
        taken: list[Box],
        margin: float,
    ) -> None:
        """The level line's words beside its ends on a clear background: the solid line's
        above it, the dashed line's below, each at the end where it lies clear of the anatomy
        drawn, the keys and the other words (the lifted side's end first). On lesson 8, seen
        from behind, the words ran from the lifted (left) end inward, over the lumbar spine and
        the sacrum; the key column fills the picture left of that end, so they now sit right of
        the standing side's end, past the gluteal fan."""
        points = [(float(x), float(y)) for x, y in anatomy.tolist()]
        for name, above in (("level", True), ("level_drop", False)):
            a, b = self._level_ends[name]
            pa, pb = project(self.renderer, a), project(self.renderer, b)
            ends = [
                (pb[0], pb[1], 1.0 if pb[0] >= pa[0] else -1.0),
                (pa[0], pa[1], 1.0 if pa[0] > pb[0] else -1.0),
            ]
            box = lay_out_beside(
                self.renderer, self._level_texts[name], ends, above, hard, soft, taken,
                margin, points,
            )
            if box is not None:
                taken.append(box)

    def _screen_lines(self) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """The shown guide lines in display pixels: those a text must not cross (the tilt
        line, the lumbar curve, the L4-S1 stretch, the thigh) and the faint ones it may
        cross at a small cost (the dashed horizontal, plumb line and standing lines)."""
        hard: list[list[tuple[NDArray[np.float64], NDArray[np.float64]]]] = []
        soft: list[list[tuple[NDArray[np.float64], NDArray[np.float64]]]] = []
        for name, lines in (
            *self._lines.items(),
            *self._thigh_lines.items(),
            *self._level_lines.items(),
        ):
            if not lines.actor.GetVisibility() or not lines.segments:
                continue
            faint = name in ("horizontal", "plumb", "ghost", "thigh_standing", "level_drop")
            (soft if faint else hard).append(self._paths.get(name, lines.segments))
        return screen_lines(self.renderer, hard), screen_lines(self.renderer, soft)

    def _place_texts(self) -> None:
        self._show_thigh()
        self._show_level()
        if self.guides is None:
            return
        camera = self.renderer.GetActiveCamera()
        for outline in self._silhouettes:  # the ghost's outlines follow the camera in use
            if outline.GetCamera() is not camera:
                outline.SetCamera(camera)
        px, _py, _pz = camera.GetPosition()
        fx, _fy, _fz = camera.GetFocalPoint()
        dist = camera.GetDistance() or 1.0
        facing = (px - fx) / dist  # +: camera on the left side (LPS +x)
        self._match_background()
        suppressed = self.suppressed()
        lateral = abs(facing) >= LATERAL_MIN and not suppressed
        if self._chair_actor is not None:
            self._chair_actor.SetVisibility(self.chair is not None and not suppressed)
        size = tuple(self.renderer.GetSize())
        side_changed = (facing > 0) != (self._facing > 0)
        if lateral == self._shown and size == self._size and not side_changed:
            return
        self._shown, self._facing = lateral, facing
        if size != self._size:
            self._size = size  # type: ignore[assignment]
            height = max(1, size[1])
            font = max(12, math.ceil(max(TEXT_FRACTION, 0.026) * height))
            for text in self._texts.values():
                text.GetTextProperty().SetFontSize(font)
            self.marks.resize(height, font)
            scale = max(1.0, height / 900.0)
            self._ghost_prop.SetLineWidth(GHOST_OUTLINE_PX * scale)
            for lines in self._lines.values():
                lines.actor.GetProperty().SetLineWidth(lines.width * scale)
        for lines in self._lines.values():
            lines.actor.SetVisibility(lateral)
        self.marks.show(lateral)
        # Seen from the right (camera at -x) anterior is screen right; from the left, screen left.
        anterior_right = facing < 0
        for key, text in self._texts.items():
            anchor, toward = self._anchors.get(key, (None, 1.0))
            shown = lateral and anchor is not None and bool(text.GetInput())
            text.SetVisibility(shown)
            if anchor is None:
                continue
            _anchor_of(text).SetValue(*anchor)
            right = (toward > 0) == anterior_right
            prop = text.GetTextProperty()
            prop.SetJustificationToLeft() if right else prop.SetJustificationToRight()
        for actor in self._ghost:
            left_out = self._ghost_seated and actor in self._ghost_femurs
            actor.SetVisibility(lateral and self._ghost_wanted and not left_out)

    def ghost_in_view(self) -> bool:
        """True when this frame draws the standing ghost: a posed body seen from the side, no
        pair view owning the picture. The posture key then says what the grey is (a lecturer
        and a patient both took the unlabelled grey spine beside the posed one for a second
        or displaced spine)."""
        if self.guides is None or not self._ghost_wanted or self.suppressed():
            return False
        camera = self.renderer.GetActiveCamera()
        dist = camera.GetDistance() or 1.0
        return abs((camera.GetPosition()[0] - camera.GetFocalPoint()[0]) / dist) >= LATERAL_MIN

    def text_boxes(self) -> list[tuple[float, float, float, float]]:
        """Screen boxes (x0, y0, x1, y1, y down, this renderer's pixels) of the reference texts
        on screen, for the label layout to keep structure labels and leaders off them (lesson
        step 7 printed "Iliopsoas (right)" over "L4-S1 loaded at the back"). The texts are
        placed first, so the boxes are this frame's whatever order the observers run in."""
        self._before_frame()
        height = self.renderer.GetSize()[1]
        texts = [
            *self._texts.values(),
            self._thigh_text,
            *self._level_texts.values(),
            *self.marks.texts.values(),
        ]
        boxes = []
        for text in texts:
            if not text.GetVisibility() or not text.GetInput():
                continue
            bbox = [0.0, 0.0, 0.0, 0.0]
            text.GetBoundingBox(self.renderer, bbox)  # about the text's anchor, y up
            ax, ay = text.GetPositionCoordinate().GetComputedDisplayValue(self.renderer)
            x0, x1, y0, y1 = bbox
            if x1 > x0 and y1 > y0:
                boxes.append((ax + x0, height - (ay + y1), ax + x1, height - (ay + y0)))
        inset = self.inset.screen_box()
        if inset is not None:
            boxes.append(inset)
        return boxes

    def _show_thigh(self) -> None:
        """The thigh angle shows while the pose is one-sided, in pair views too: as the thigh
        lines in a true side view (at least :data:`INSET_LATERAL_MAX` along the left-right
        axis), else as the side-view sketch (from the front the two lines coincide, a stub
        below the frame; obliquely the bend reads as abduction)."""
        shown = self._thigh_wanted and self.enabled
        facing = 1.0
        if shown:
            camera = self.renderer.GetActiveCamera()
            dist = camera.GetDistance() or 1.0
            facing = (camera.GetPosition()[0] - camera.GetFocalPoint()[0]) / dist
        side = one_sided_thigh(self.state.pose) if shown else None
        if side is not None and abs(facing) < INSET_LATERAL_MAX:
            other = "left" if side == "right" else "right"
            pose = self.state.pose
            self.inset.show(
                side, thigh_angle(pose, side), thigh_angle(pose, other), side == "right"
            )
        else:
            self.inset.hide()
        if shown:
            shown = abs(facing) >= INSET_LATERAL_MAX
        if shown:
            self._fit_thigh()
        for lines in self._thigh_lines.values():
            lines.actor.SetVisibility(shown)
        self._thigh_text.SetVisibility(shown)
        if shown:
            # The words go forward of the anchor: rightward when the front is on the right.
            camera = self.renderer.GetActiveCamera()
            front = np.array([0.0, -1.0, 0.0])
            right = np.cross(
                np.subtract(camera.GetFocalPoint(), camera.GetPosition()), camera.GetViewUp()
            )
            prop = self._thigh_text.GetTextProperty()
            if float(right @ front) >= 0.0:
                prop.SetJustificationToLeft()
            else:
                prop.SetJustificationToRight()
            height = max(1, self.renderer.GetSize()[1])
            font = max(12, math.ceil(max(TEXT_FRACTION, 0.026) * height))
            if self._thigh_text.GetTextProperty().GetFontSize() != font:
                self._thigh_text.GetTextProperty().SetFontSize(font)
                scale = max(1.0, height / 900.0)
                for lines in self._thigh_lines.values():
                    lines.actor.GetProperty().SetLineWidth(lines.width * scale)

    def _match_background(self) -> None:
        """Light plumb line and ghost on a dark background, dark ones on a light one."""
        r, g, b = self.renderer.GetBackground()
        dark = (r + g + b) / 3.0 < 0.4
        if dark == self._dark:
            return
        self._dark = dark
        plumb = PLUMB_ON_DARK_RGB if dark else PLUMB_RGB
        ghost = GHOST_ON_DARK_RGB if dark else GHOST_RGB
        self._lines["plumb"].actor.GetProperty().SetColor(*plumb)
        for lines in self._thigh_lines.values():
            lines.actor.GetProperty().SetColor(*plumb)
        ghost_line = self._lines["ghost"]
        core = GHOST_LINE_ON_DARK_RGB if dark else GHOST_LINE_RGB
        ghost_line.actor.GetProperty().SetColor(*core)
        if ghost_line.casing is not None:
            ghost_line.casing.GetProperty().SetColor(*(CASING_ON_DARK_RGB if dark else CASING_RGB))
        self._ghost_prop.SetColor(*ghost)
        self._ghost_prop.SetOpacity(0.7 if dark else GHOST_OPACITY)

    def framed_extra(
        self, direction: Sequence[float] | None = None
    ) -> NDArray[np.float64] | None:
        """Points of the references a framed step keeps in the picture besides its structures:
        the chair seat under a seated body (:meth:`seat_corners`), the start of a one-sided
        pose's thigh lines (:meth:`thigh_frame_points`; lesson 11's ran off the slide)."""
        thighs = self.thigh_frame_points(direction)
        level = self.level_frame_points(direction)
        chunks = [p for p in (self.seat_corners(), thighs, level) if p is not None]
        return np.vstack(chunks) if chunks else None

    def level_frame_points(
        self, direction: Sequence[float] | None = None
    ) -> NDArray[np.float64] | None:
        """While a one-legged stance draws its level lines, seen along ``direction`` (focus
        to camera) from in front or behind: their ends, and the stance hip's centre
        :data:`LEVEL_FRAME_BELOW_MM` lower, for a framed view to keep in the picture (lesson
        8 framed on its muscles cut the iliopsoas arrow at the slide's bottom edge and ran
        the level line into the key); else ``None``."""
        if not self._level_wanted or not self.enabled or self._stance_hip is None:
            return None
        if direction is not None:
            d = np.asarray(direction, dtype=np.float64)
            if abs(float(d[1])) < LEVEL_FRONTAL_MIN * float(np.linalg.norm(d)):
                return None
        ends = [p for segs in self._level_lines.values() for seg in segs.segments for p in seg]
        below = self._stance_hip - np.array([0.0, 0.0, LEVEL_FRAME_BELOW_MM])
        return np.vstack([*ends, below]) if ends else None

    def thigh_frame_points(
        self, direction: Sequence[float] | None = None
    ) -> NDArray[np.float64] | None:
        """While a one-sided pose is shown: the hip centre and the points
        :data:`THIGH_FRAMED_MM` down both thigh axes, for a framed view to keep in the picture
        (the thigh bones, and in a side view the thigh lines, ended inside the frame, long
        enough to show the bend), else
        ``None``; also ``None`` for a camera ``direction`` (focus to camera) that does not
        show the lines (:data:`THIGH_LATERAL_MIN`): lesson 8, seen from behind, kept 250 mm
        of thighs it does not draw, and its muscles shrank to 0.40 of the slide."""
        if not (self._thigh_wanted and self.enabled and self._thigh_ends):
            return None
        if direction is not None:
            d = np.asarray(direction, dtype=np.float64)
            if abs(float(d[0])) < THIGH_LATERAL_MIN * float(np.linalg.norm(d)):
                return None
        hip = self._thigh_ends[0]
        out = [hip]
        for end in self._thigh_ends[1:]:
            length = float(np.linalg.norm(end - hip))
            if length > 0.0:
                out.append(hip + (end - hip) * min(1.0, THIGH_FRAMED_MM / length))
        return np.array(out)

    def seat_corners(self) -> NDArray[np.float64] | None:
        """The seat's eight corners while a seat is drawn (a framed view keeps it in the
        picture), else ``None``."""
        if self.chair is None or self.suppressed():
            return None
        lo, hi = self.chair.seat_min, self.chair.seat_max
        return np.array(
            [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
        )

    def visible_parts(self) -> set[str]:
        """What is drawn now: line sets by name, ``text:<name>``, ``ghost``, ``chair``."""
        out = {k for k, lines in self._lines.items() if lines.actor.GetVisibility()}
        out |= {f"text:{k}" for k, t in self._texts.items() if t.GetVisibility()}
        out |= {k for k, lines in self._thigh_lines.items() if lines.actor.GetVisibility()}
        if self._thigh_text.GetVisibility():
            out.add("text:thigh")
        if any(a.GetVisibility() for a in self._ghost):
            out.add("ghost")
        out |= {f"mark:{k}" for k in self.marks.visible()}
        out |= {f"text:{k}" for k, t in self.marks.texts.items() if t.GetVisibility()}
        if self._chair_actor is not None and self._chair_actor.GetVisibility():
            out.add("chair")
        return out

    def text(self, name: str) -> str:
        """The text of label ``name`` (``tilt``, ``lordosis``, ``compressed``, ``thigh``, or a
        mark's: ``asis``, ``psis``, ``l1``, ``s1``)."""
        text = self._thigh_text if name == "thigh" else {**self._texts, **self.marks.texts}[name]
        return str(text.GetInput() or "")

    def _hide_all(self) -> None:
        self._thigh_wanted = False
        self.inset.hide()
        self._level_wanted = False
        for lines in self._level_lines.values():
            lines.actor.SetVisibility(False)
        for text in self._level_texts.values():
            text.SetVisibility(False)
        for lines in self._thigh_lines.values():
            lines.actor.SetVisibility(False)
        self._thigh_text.SetVisibility(False)
        for lines in self._lines.values():
            lines.actor.SetVisibility(False)
        for text in self._texts.values():
            text.SetVisibility(False)
        self._leaders.set([])
        self.marks.show(False)
        for actor in self._ghost:
            actor.SetVisibility(False)
        self._ghost_wanted = False
        if self._chair_actor is not None:
            self._chair_actor.SetVisibility(False)
        self._shown = False

    def _text(self, rgb: tuple[float, float, float]) -> vtkTextActor:
        actor = vtkTextActor()
        # Placed at a world point (its anchor) plus an offset in pixels, so that a text that
        # would run off the picture can slide back in (:meth:`_keep_texts_in_frame`).
        anchor = vtkCoordinate()
        anchor.SetCoordinateSystemToWorld()
        position = actor.GetPositionCoordinate()
        position.SetCoordinateSystemToDisplay()
        position.SetReferenceCoordinate(anchor)
        position.SetValue(0.0, 0.0)
        prop = actor.GetTextProperty()
        prop.SetColor(*rgb)
        prop.SetBold(True)
        prop.SetFontFamilyToArial()
        prop.SetVerticalJustificationToCentered()
        prop.SetBackgroundColor(1.0, 1.0, 1.0)
        prop.SetBackgroundOpacity(0.75)
        prop.SetFrame(False)
        actor.SetVisibility(False)
        self.renderer.AddViewProp(actor)
        return actor

    def detach(self) -> None:
        """Stop observing; remove the props."""
        self.state.pose_changed.disconnect(self._on_pose)
        self.renderer.RemoveObserver(self._tag)
        for lines in self._lines.values():
            self.renderer.RemoveViewProp(lines.actor)
        for text in self._texts.values():
            self.renderer.RemoveViewProp(text)
        for lines in self._thigh_lines.values():
            self.renderer.RemoveViewProp(lines.actor)
        self.renderer.RemoveViewProp(self._thigh_text)
        self.marks.detach()
        for actor in self._ghost:
            self.renderer.RemoveViewProp(actor)
        if self._chair_actor is not None:
            self.renderer.RemoveViewProp(self._chair_actor)


def guide_transforms(model: Callable[[], Any]) -> Callable[[Pose], Mapping[str, Matrix]]:
    """The pose's transforms of the pelvis, femurs and vertebrae only (what the references
    need): the skeleton without its limb joints, so knees and arms are not turned again for
    each slider step (the painter already did that for the skin)."""
    from dataclasses import replace

    cache: dict[int, Any] = {}

    def transforms(pose: Pose) -> Mapping[str, Matrix]:
        skeleton = model().skeleton
        bare = cache.get(id(skeleton))
        if bare is None:
            cache.clear()
            bare = cache[id(skeleton)] = (skeleton, replace(skeleton, limb_joints={}))
        out: Mapping[str, Matrix] = bare[1].transforms(pose)
        return out

    return transforms


def skin_points_of(scene: object) -> Callable[[], NDArray[np.float64] | None]:
    """The drawn (posed) skin's light points, when the skin is shown (for the seat height)."""
    from viewer.render.scene_renderer import SceneRenderer

    assert isinstance(scene, SceneRenderer)

    def points() -> NDArray[np.float64] | None:
        skins = scene.state.drawn_skins()
        return scene.drawn_points(skins[0], light=True) if skins else None

    return points


#: Smallest gap (share of the picture's width) between a guide's text and the picture's edge.
TEXT_MARGIN_FRACTION = 0.01


def _anchor_of(text: vtkTextActor) -> vtkCoordinate:
    """The world point a guide text is placed beside (its position's reference)."""
    anchor = text.GetPositionCoordinate().GetReferenceCoordinate()
    assert anchor is not None, "guide texts are made by PostureGuides._text"
    return anchor
