"""On-image legend for referred-pain heat maps, with the educational-use note.

Drawn as VTK 2D props so exported PNGs and slides carry it too. The spillover swatch shows what
the skin shows: the painted spillover colour on this skin, with dark stripes of the same shade
and share, running the way the skin's stripes run as seen from the camera (they are diagonal
level lines on the body, so they lean one way from behind and the other from the front).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkRenderer,
    vtkTextActor,
)

from viewer.domain.camera import seen_from
from viewer.domain.lessons import TEXT_FRACTION
from viewer.domain.referral import DISCLAIMER, ZoneClass
from viewer.render.heatmap_painter import (
    ESSENTIAL_RGB,
    SPILLOVER_RGB,
    STRIPE_AXIS,
    spillover_swatch,
)

SWATCH_PX = 22
STRIPES_PER_SWATCH = 2.5
"""Dark + light stripe pairs across a swatch: about the 9 px period of the skin's stripes in a
whole-body view at 1280x800."""
FOLLOW_DEGREES = 5.0
"""The swatch's stripes are redrawn when the skin's stripes turn more than this on screen."""
FOOTER_PX = 14
"""Footer (disclaimer) font size at scale 1."""


def _footer_width(text: str) -> float:
    """Estimated width (px at scale 1) of the footer line."""
    return 0.56 * FOOTER_PX * len(text)


def _bold_width(text: str) -> float:
    """Estimated width (px at scale 1) of a bold title line."""
    return 0.62 * 17 * len(text)


def _rectangles(rects: list[tuple[float, float, float, float]]) -> vtkPolyData:
    points = vtkPoints()
    cells = vtkCellArray()
    for x0, y0, x1, y1 in rects:
        base = points.GetNumberOfPoints()
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            points.InsertNextPoint(x, y, 0.0)
        cells.InsertNextCell(4)
        for i in range(4):
            cells.InsertCellPoint(base + i)
    poly = vtkPolyData()
    poly.SetPoints(points)
    poly.SetPolys(cells)
    return poly


def _polygons(polys: list[list[tuple[float, float]]]) -> vtkPolyData:
    points = vtkPoints()
    cells = vtkCellArray()
    for poly in polys:
        base = points.GetNumberOfPoints()
        for x, y in poly:
            points.InsertNextPoint(x, y, 0.0)
        cells.InsertNextCell(len(poly))
        for i in range(len(poly)):
            cells.InsertCellPoint(base + i)
    data = vtkPolyData()
    data.SetPoints(points)
    data.SetPolys(cells)
    return data


def _clip(
    poly: list[tuple[float, float]], normal: tuple[float, float], at: float, keep_above: bool
) -> list[tuple[float, float]]:
    """A convex polygon cut by the line ``normal . p == at`` (Sutherland-Hodgman)."""
    sign = 1.0 if keep_above else -1.0
    out: list[tuple[float, float]] = []
    for i, p in enumerate(poly):
        q = poly[(i + 1) % len(poly)]
        dp = sign * (normal[0] * p[0] + normal[1] * p[1] - at)
        dq = sign * (normal[0] * q[0] + normal[1] * q[1] - at)
        if dp >= 0:
            out.append(p)
        if (dp >= 0) != (dq >= 0):
            t = dp / (dp - dq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def stripe_bands(
    x: float, y: float, size: float, normal: tuple[float, float], period: float
) -> list[list[tuple[float, float]]]:
    """The dark half of each stripe period across a square swatch, as polygons.

    ``normal`` is the unit direction across the stripes on screen (x right, y up); stripes
    are half dark, half light, as on the skin.
    """
    square = [(x, y), (x + size, y), (x + size, y + size), (x, y + size)]
    cx, cy = x + size / 2, y + size / 2
    centre = normal[0] * cx + normal[1] * cy
    reach = size * 0.75
    bands = []
    k = math.floor(-reach / period)
    while k * period < reach:
        lo = centre + k * period
        band = _clip(_clip(square, normal, lo, True), normal, lo + period / 2, False)
        if len(band) >= 3:
            bands.append(band)
        k += 1
    return bands


def _patch(rects: list[tuple[float, float, float, float]], rgb: tuple[float, ...]) -> vtkActor2D:
    return _shape(_rectangles(rects), rgb)


def _shape(data: vtkPolyData, rgb: tuple[float, ...]) -> vtkActor2D:
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(data)
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    actor.GetProperty().SetColor(*rgb)
    return actor


def _text(
    renderer: vtkRenderer, text: str, x: float, y: float, size: int, bold: bool = False
) -> vtkTextActor:
    actor = vtkTextActor()
    actor.SetInput(text)
    actor.SetPosition(x, y)
    prop = actor.GetTextProperty()
    prop.SetFontSize(size)
    prop.SetBold(bold)
    prop.SetColor(0.1, 0.1, 0.1)
    prop.SetBackgroundColor(1, 1, 1)
    prop.SetBackgroundOpacity(0.8)
    return actor


class SwatchLegend:
    """A titled list of colour swatches (plain or striped) in a renderer's lower-left corner.

    With ``min_text_fraction`` the legend grows with the frame before each frame so its
    smallest text (the footer) is at least that share of the frame height, as long as the
    footer still fits the width: a projector at 1080p gets a legend a room can read.
    """

    def __init__(
        self,
        renderer: vtkRenderer,
        title: str,
        rows: list[tuple[str, tuple[float, float, float], bool]],
        footer: str = "",
        scale: float = 1.0,
        min_text_fraction: float = 0.0,
    ) -> None:
        self.renderer = renderer
        self._title, self._rows, self._footer = title, rows, footer
        self.base_scale = scale
        self.scale = scale
        self.min_text_fraction = min_text_fraction
        self.stripe_rgb: tuple[float, ...] = (0.25, 0.2, 0.2)
        """Colour of the dark stripes of striped swatches."""
        self.stripe_normal: tuple[float, float] = (math.sqrt(0.5), -math.sqrt(0.5))
        """Direction across the stripes on screen (x right, y up)."""
        self._props: list[vtkActor2D] = []
        self._texts: list[vtkTextActor] = []
        self._shown = False
        self.subtitle = ""
        """A plain line between the title and the swatches ("" = none)."""
        self._build(scale)
        self._tag = renderer.AddObserver(vtkCommand.StartEvent, self._fit)

    def _build(self, scale: float) -> None:
        renderer = self.renderer
        for actor in self._props:
            renderer.RemoveViewProp(actor)
        self._props, self._texts = [], []
        self.scale = scale
        s = SWATCH_PX * scale
        x, y = 14 * scale, 14 * scale
        font = round(17 * scale)
        if self._footer:
            self._texts.append(_text(renderer, self._footer, x, y, round(FOOTER_PX * scale)))
            self._props.append(self._texts[-1])
            y += 2.2 * s
        self._swatches: list[tuple[float, float, float, float]] = []
        self._stripes: list[tuple[vtkPolyDataMapper2D, float, float, float]] = []
        for label, rgb, striped in reversed(self._rows):
            self._props.append(_patch([(x, y, x + s, y + s)], rgb))
            self._swatches.insert(0, (x, y, x + s, y + s))
            if striped:
                bands = stripe_bands(x, y, s, self.stripe_normal, s / STRIPES_PER_SWATCH)
                stripes = _shape(_polygons(bands), self.stripe_rgb)
                self._props.append(stripes)
                mapper = stripes.GetMapper()
                assert isinstance(mapper, vtkPolyDataMapper2D)
                self._stripes.append((mapper, x, y, s))
            self._texts.append(_text(renderer, label, x + s * 1.4, y + s * 0.1, font))
            self._props.append(self._texts[-1])
            y += 1.4 * s
        if self.subtitle:
            self._texts.append(_text(renderer, self.subtitle, x, y, round(FOOTER_PX * scale)))
            self._props.append(self._texts[-1])
            y += 1.1 * s
        self._texts.append(_text(renderer, self._title_text(), x, y, font, bold=True))
        self._props.append(self._texts[-1])
        for actor in self._props:
            actor.SetVisibility(self._shown)
            renderer.AddViewProp(actor)

    def _title_text(self) -> str:
        """The title, on two lines after its colon when one line would be wider than the
        footer (a heat map naming three muscles)."""
        if ": " in self._title and _bold_width(self._title) > _footer_width(self._footer):
            return self._title.replace(": ", ":\n", 1)
        return self._title

    def swatch_box(self, row: int) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of a row's swatch in display pixels (y up), rows counted from the
        top."""
        return self._swatches[row]

    def _fit(self, *_args: object) -> None:
        if not self._shown:
            return
        self._before_fit()
        if not self.min_text_fraction:
            return
        width, height = self.renderer.GetSize()
        if width <= 0 or height <= 0:
            return
        wanted = self.min_text_fraction * height / FOOTER_PX
        # The widest line (footer, or a long title in bold) must stay in the frame.
        lines = self._title_text().split("\n")
        widest = max(_footer_width(self._footer), *(_bold_width(t) for t in lines))
        wanted = min(wanted, 0.9 * width / widest)
        wanted = max(self.base_scale, wanted)  # never smaller than the view asked for
        if abs(wanted - self.scale) > 0.02 * self.scale:
            self._build(wanted)

    def _before_fit(self) -> None:
        """Hook run before each frame while the legend is shown (cheap checks only)."""

    @property
    def text_px(self) -> int:
        """Size of the legend's smallest text (the footer) in pixels."""
        return round((FOOTER_PX if self._footer else 17) * self.scale)

    def box(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the legend in display pixels (y up), ``None`` when hidden."""
        if not self._shown or not self._texts:
            return None
        x0 = y0 = float("inf")
        x1 = y1 = float("-inf")
        for actor in self._texts:
            bb = [0.0] * 4
            actor.GetBoundingBox(self.renderer, bb)
            px, py = actor.GetPosition()
            x0, x1 = min(x0, px + bb[0]), max(x1, px + bb[1])
            y0, y1 = min(y0, py + bb[2]), max(y1, py + bb[3])
        return (min(x0, 14 * self.scale), min(y0, 14 * self.scale), x1, y1)

    def line_boxes(self) -> list[tuple[float, float, float, float]]:
        """(x0, y0, x1, y1) of each text line (display pixels, y up), none when hidden: what
        another key in the bottom band must not cover (the disclaimer is wide, the rest not)."""
        if not self._shown:
            return []
        out = []
        for actor in self._texts:
            bb = [0.0] * 4
            actor.GetBoundingBox(self.renderer, bb)
            px, py = actor.GetPosition()
            out.append((px + bb[0], py + bb[2], px + bb[1], py + bb[3]))
        return out

    def set_title(self, title: str) -> None:
        """Change the bold first line (e.g. to name the muscle whose map is shown)."""
        if title != self._title:
            self._title = title
            # Only the title's text changes (it sits where it sat): rebuilding every swatch
            # and text actor cost a trigger-point toggle ~2 ms, and gave VTK new props.
            self._texts[-1].SetInput(self._title_text())
            self._fit()

    @property
    def title(self) -> str:
        """The legend's bold first line."""
        return self._title

    def set_visible(self, visible: bool) -> None:
        """Show or hide every part of the legend."""
        self._shown = visible
        for actor in self._props:
            actor.SetVisibility(visible)

    @property
    def visible(self) -> bool:
        """Whether the legend is shown."""
        return bool(self._props) and bool(self._props[0].GetVisibility())

    def detach(self) -> None:
        """Remove the legend's props."""
        self.renderer.RemoveObserver(self._tag)
        for actor in self._props:
            self.renderer.RemoveViewProp(actor)
        self._props.clear()
        self._texts.clear()


ESSENTIAL_ROW = "essential (usual)"
SPILLOVER_ROW = "spillover (sometimes)"
PLAIN_ROWS = {ZoneClass.ESSENTIAL: "usual pain area", ZoneClass.SPILLOVER: "sometimes (striped)"}
"""The rows in patient mode: the handout's words, not "essential" and "spillover"."""


class HeatLegend(SwatchLegend):
    """Legend of referred-pain heat maps: a title naming the muscles painted (see
    :meth:`set_title`), essential and spillover (striped) rows for the kinds the picture draws
    (see :meth:`set_kinds`), and the disclaimer."""

    def __init__(self, renderer: vtkRenderer, scale: float = 1.0) -> None:
        self._kind_rows: dict[ZoneClass, tuple[str, tuple[float, float, float], bool]] = {
            ZoneClass.ESSENTIAL: (ESSENTIAL_ROW, tuple(ESSENTIAL_RGB / 255.0), False),
            ZoneClass.SPILLOVER: (SPILLOVER_ROW, tuple(SPILLOVER_RGB / 255.0), True),
        }
        self.kinds: tuple[ZoneClass, ...] = (ZoneClass.ESSENTIAL, ZoneClass.SPILLOVER)
        super().__init__(
            renderer,
            "Referred pain",
            [self._kind_rows[k] for k in self.kinds],
            footer=DISCLAIMER,
            scale=scale,
            min_text_fraction=TEXT_FRACTION,
        )
        self.set_skin_color((0.87, 0.72, 0.6))

    def set_kinds(self, kinds: Sequence[ZoneClass]) -> None:
        """List only these zone kinds (legend order kept): a row says the picture shows that
        colour, so a map whose spillover is out of sight gets no spillover row."""
        kinds = tuple(k for k in (ZoneClass.ESSENTIAL, ZoneClass.SPILLOVER) if k in kinds)
        if kinds != self.kinds:
            self.kinds = kinds
            self._rows = [self._kind_rows[k] for k in kinds]
            self._build(self.scale)

    def set_plain(self, plain: bool) -> None:
        """Rows in a patient's words (:data:`PLAIN_ROWS`) or a therapist's."""
        words = {ZoneClass.ESSENTIAL: ESSENTIAL_ROW, ZoneClass.SPILLOVER: SPILLOVER_ROW}
        if plain:
            words = dict(PLAIN_ROWS)
        changed = False
        for kind, label in words.items():
            old, rgb, striped = self._kind_rows[kind]
            if old != label:
                self._kind_rows[kind] = (label, rgb, striped)
                changed = True
        if changed:
            self._rows = [self._kind_rows[k] for k in self.kinds]
            self._build(self.scale)

    away: str = ""
    """Where the map lies when the camera sees none of it (``on the back – turn to Back``),
    a line under the title; ``""`` otherwise."""

    def set_away(self, note: str) -> None:
        """Say (or stop saying) that the map lies on a face the camera does not see."""
        if note != self.away:
            self.away = note
            self._build(self.scale)
            self.set_visible(self._shown)

    def _title_text(self) -> str:
        text = super()._title_text()
        return f"{text}\n({self.away})" if self.away else text

    @property
    def row_labels(self) -> tuple[str, ...]:
        """The rows' texts, top first (tests, and what a reader sees)."""
        return tuple(label for label, _, _ in self._rows)

    def set_skin_color(self, skin_rgb: tuple[float, float, float]) -> None:
        """Show the spillover swatch as spillover is painted on this skin colour (0..1)."""
        light, dark = spillover_swatch(skin_rgb)
        rgb = (float(light[0]) / 255.0, float(light[1]) / 255.0, float(light[2]) / 255.0)
        shade = (float(dark[0]) / 255.0, float(dark[1]) / 255.0, float(dark[2]) / 255.0)
        label, old, striped = self._kind_rows[ZoneClass.SPILLOVER]
        if rgb != old or shade != self.stripe_rgb:
            self._kind_rows[ZoneClass.SPILLOVER] = (label, rgb, striped)
            self._rows = [self._kind_rows[k] for k in self.kinds]
            self.stripe_rgb = shade
            self._build(self.scale)

    def _before_fit(self) -> None:
        """Say where the reader stands (:func:`seen_from`: from the front the body's right is
        on the reader's left), and turn the swatch's stripes with the skin's: the screen
        direction across them is the stripe axis seen from the camera (dot products a frame;
        new text or stripe polygons only when they change)."""
        camera = self.renderer.GetActiveCamera()
        forward = np.asarray(camera.GetDirectionOfProjection())
        side = seen_from(forward)
        if side != self.subtitle:
            self.subtitle = side
            self._build(self.scale)
            self.set_visible(self._shown)
        right = np.cross(forward, np.asarray(camera.GetViewUp()))
        up = np.cross(right, forward)
        axis = np.asarray(STRIPE_AXIS)
        across = np.array([axis @ right, axis @ up])
        length = float(np.linalg.norm(across))
        if length < 1e-6:
            return
        nx, ny = across / length
        ox, oy = self.stripe_normal
        if abs(nx * ox + ny * oy) < math.cos(math.radians(FOLLOW_DEGREES)):
            self.stripe_normal = (float(nx), float(ny))
            for mapper, x, y, size in self._stripes:  # new polygons only, same actors
                bands = stripe_bands(x, y, size, self.stripe_normal, size / STRIPES_PER_SWATCH)
                mapper.SetInputData(_polygons(bands))
