"""The one label layout of every view: structure labels, "label all", and point labels.

Everything that writes a name next to the anatomy goes through :class:`LabelOverlay`: labels
the user switches on (T, Shift+T), labels a lesson step or saved scene defines, and point labels
other overlays hand over (pair-view joints through :meth:`LabelOverlay.set_point_labels`; marker
captions can use the same call). Trigger-point X markers are handed over as obstacles
(:meth:`LabelOverlay.set_obstacles`), so no label covers one. Before every frame the anchors
are projected with the live camera and laid out by the pure
:func:`viewer.domain.labels.layout_labels` (no overlaps, inside the viewport, leaders that do
not cross); VTK text actors and one line set follow. "Label all" labels only structures the
camera actually sees (a coarse depth test of surface samples), most important first, at most
:data:`LABEL_ALL_CAP`, never a ghost. Every leader ends on a point of its structure that the
camera sees: candidate anchors from the coarse test are confirmed by an exact line of sight
(:class:`viewer.render.anchor_probe.AnchorProbe`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import vtkmodules.vtkRenderingFreeType  # noqa: F401  (registers text rendering)
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkCommonCore import vtkCommand, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkRenderingCore import (
    vtkActor2D,
    vtkPolyDataMapper2D,
    vtkTextActor,
)

from viewer.domain.body_mask import BodyMask
from viewer.domain.labels import (
    LABEL_ALL_CAP,
    Box,
    PlacedLabel,
    Visibility,
    choose_labels,
    label_priority,
    layout_labels,
    project_points,
    sample_points,
    surface_anchor,
    visible_parts,
)
from viewer.domain.leader_regions import LeaderRegions
from viewer.domain.palpation import choose_landmark_labels, skin_hides_anatomy
from viewer.domain.plate_labels import (
    AUTO_LABEL_CAP,
    choose_auto_labels,
    near_enough,
    plate_priority,
)
from viewer.domain.structures import Kind
from viewer.render.anchor_probe import AnchorProbe
from viewer.render.scene_renderer import GHOST_PICK_OPACITY, SceneRenderer

CHAR_WIDTH = 0.58
"""Average glyph width as a fraction of the font size (only used before a text is measured)."""

FONT_FRACTION = 0.02
"""Label text height as a share of the frame height (2 %: readable on a projector)."""

MIN_FONT_PX = 14
OCCLUDER_OPACITY = 0.9
"""Structures at least this opaque hide what lies behind them (see-through skin does not)."""

PAD_PX = 4

REGION_SAMPLE = 12000
"""Vertices per muscle projected for its screen footprint (dense enough to leave no holes at
6 px cells on a 1280x800 view; costs a few milliseconds on still frames)."""


@dataclass(frozen=True)
class ShownLabel:
    """One label as last drawn: its key (structure id or ``group:index``), text, layout and the
    world point its leader ends on."""

    key: str
    text: str
    placed: PlacedLabel
    anchor: tuple[float, float, float] = (0.0, 0.0, 0.0)


class LabelOverlay:
    """Labels for chosen structures and handed-over points, re-laid out before every frame."""

    def __init__(self, scene: SceneRenderer, font_px: int = 16) -> None:
        self.scene = scene
        self.min_font_px = font_px
        self.font_px = font_px
        self.ids: tuple[str, ...] = ()
        self.label_all = False
        self.cap = LABEL_ALL_CAP
        self.label_auto = False
        """A plate's few labels (``render --labels auto``, :mod:`viewer.domain.plate_labels`)."""
        self.auto_cap = AUTO_LABEL_CAP
        self._masks: tuple[object, dict[str, BodyMask]] | None = None
        """The plate's body masks and the view they were made for (see :meth:`_body_masks`)."""
        self._palpable: tuple[list[Any], dict[str, Any], dict[str, str]] | None = None
        """Palpable landmarks, bony landmark points and their bones, read on first use."""
        self._points: dict[str, tuple[tuple[str, tuple[float, float, float]], ...]] = {}
        self._obstacles: dict[str, tuple[np.ndarray, float]] = {}
        self._obstacle_sources: dict[str, Callable[[], Sequence[Box]]] = {}
        self._reserved: dict[str, Callable[[], Box | None]] = {}
        self._anchors: dict[str, tuple[float, float, float]] = {}
        self._geometry_version = scene.geometry_version
        self._samples: dict[str, np.ndarray] = {}
        self._texts: dict[str, vtkTextActor] = {}
        self._seen: dict[str, Visibility] = {}
        self._seen_key: object = None
        self._probe = AnchorProbe(scene)
        self._checked: dict[str, tuple[float, float, float] | None] = {}
        self.lines = vtkPolyData()
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.lines)
        self.line_actor = vtkActor2D()
        self.line_actor.SetMapper(mapper)
        self.line_actor.GetProperty().SetColor(0.1, 0.1, 0.1)
        self.line_actor.GetProperty().SetLineWidth(1.5)
        scene.renderer.AddViewProp(self.line_actor)
        # Low priority: captions and legends size themselves first, then labels keep off them.
        self._tag = scene.renderer.AddObserver(vtkCommand.StartEvent, self._before_frame, -1.0)
        self.placed: dict[str, tuple[float, float, bool]] = {}
        self.shown: tuple[ShownLabel, ...] = ()
        self.obstacle_boxes: tuple[tuple[float, float, float, float], ...] = ()
        self.marker_boxes: tuple[tuple[float, float, float, float], ...] = ()
        """The X marker boxes among :attr:`obstacle_boxes` (y down), as last laid out."""
        self._state_version = 0
        scene.state.visibility_changed.connect(self._state_changed)
        scene.state.opacity_changed.connect(self._state_changed)
        scene.state.selection_changed.connect(self._state_changed)

    # -- what to label -------------------------------------------------------------------------
    def set_labels(self, ids: Iterable[str]) -> None:
        """Label exactly these structures (groups label their parts as one)."""
        atlas = self.scene.loaded.atlas
        self.ids = tuple(dict.fromkeys(i for i in ids if i in atlas and atlas.leaves(i)))
        self._changed()

    def set_label_all(self, on: bool, cap: int = LABEL_ALL_CAP) -> None:
        """Label the structures the camera sees (at most ``cap``, most important first)."""
        self.label_all, self.cap = on, cap
        self._changed()

    def set_label_auto(self, on: bool, cap: int = AUTO_LABEL_CAP) -> None:
        """Name the main structures the camera sees, a handful, one of each left/right pair
        (:func:`viewer.domain.plate_labels.choose_auto_labels`): an atlas plate's labels."""
        self.label_auto, self.auto_cap = on, cap
        self._changed()

    def set_point_labels(self, group: str, items: Sequence[tuple[str, Any]]) -> None:
        """Label world points (``(text, (x, y, z))``) under ``group``; an empty list clears it.

        The entry point for other overlays (pair-view joints, marker captions): their texts are
        laid out together with the structure labels, so nothing collides.
        """
        if items:
            self._points[group] = tuple(
                (str(text), (float(p[0]), float(p[1]), float(p[2]))) for text, p in items
            )
        else:
            self._points.pop(group, None)
        self._changed()

    def set_obstacles(self, group: str, points: Sequence[Sequence[float]], half_px: float) -> None:
        """Screen squares (``half_px`` around each projected point) no label may cover."""
        if len(points):
            self._obstacles[group] = (np.asarray(points, dtype=np.float64).reshape(-1, 3), half_px)
        else:
            self._obstacles.pop(group, None)
        self._changed()

    def set_obstacle_boxes(self, group: str, boxes: Callable[[], Sequence[Box]] | None) -> None:
        """Keep labels and leaders off boxes a drawing layer reports before each frame (y down,
        this renderer's pixels): the X markers as drawn, whose boxes are taller than wide, grow
        with a count and shrink when deep, so a square guessed from the marker size let
        leaders graze them. ``None`` removes the group."""
        if boxes is None:
            self._obstacle_sources.pop(group, None)
        else:
            self._obstacle_sources[group] = boxes
        self._changed()

    def reserve(self, key: str, box: Callable[[], Box | None] | None) -> None:
        """Keep labels off a screen area (caption band, legend, counter) asked for each frame.

        ``box`` returns (x0, y0, x1, y1) in display pixels with y up, as VTK reports 2D props,
        or ``None`` while the area is not shown; ``None`` instead of a callable drops the key.
        """
        if box is None:
            self._reserved.pop(key, None)
        else:
            self._reserved[key] = box
        self._changed()

    def reserved_areas(self, skip_prefix: str = "", markers: bool = False) -> list[Box]:
        """The reserved areas shown now and the drawing layers' text boxes, the X markers only
        with ``markers`` (display pixels, y up), leaving out keys starting with
        ``skip_prefix``: what other overlay text (the orientation words) must keep off too."""
        out: list[Box] = []
        for key, provider in self._reserved.items():
            if skip_prefix and key.startswith(skip_prefix):
                continue
            area = provider()
            if area is not None:
                out.append(tuple(float(v) for v in area))  # type: ignore[arg-type]
        height = float(self.scene.renderer.GetSize()[1])
        for group, source in self._obstacle_sources.items():
            if group == "markers" and not markers:
                continue
            for b in source():  # y down -> y up
                out.append((float(b[0]), height - float(b[3]), float(b[2]), height - float(b[1])))
        return out

    def label_texts(self) -> tuple[str, ...]:
        """Texts of the labels drawn in the last frame (tests, accessibility)."""
        return tuple(s.text for s in self.shown)

    # -- internals -----------------------------------------------------------------------------
    def _state_changed(self, *_args: object) -> None:
        self._state_version += 1
        if self.ids or self.label_all or self.label_auto or self._points:
            self.scene.on_render_needed()

    def _changed(self) -> None:
        self._seen_key = None
        self.scene.on_render_needed()

    def _text_actor(self, key: str, text: str) -> vtkTextActor:
        actor = self._texts.get(key)
        if actor is None:
            actor = vtkTextActor()
            prop = actor.GetTextProperty()
            prop.SetColor(0.08, 0.08, 0.08)
            prop.SetBackgroundColor(1.0, 1.0, 1.0)
            prop.SetBackgroundOpacity(0.85)
            prop.SetVerticalJustificationToCentered()
            self.scene.renderer.AddViewProp(actor)
            self._texts[key] = actor
        if actor.GetInput() != text:
            actor.SetInput(text)
        if actor.GetTextProperty().GetFontSize() != self.font_px:
            actor.GetTextProperty().SetFontSize(self.font_px)
        return actor

    def _structure_samples(self, sid: str) -> np.ndarray:
        if self._geometry_version != self.scene.geometry_version:
            # The posture (or body) moved the meshes: anchors follow the drawn vertices.
            self._samples.clear()
            self._anchors.clear()
            self._geometry_version = self.scene.geometry_version
        if sid not in self._samples:
            atlas, meshes = self.scene.loaded.atlas, self.scene.loaded.meshes
            leaves = [leaf for leaf in atlas.leaves(sid) if leaf in meshes]
            chunks = []
            for leaf in leaves:
                drawn = self.scene.drawn_points(leaf)
                chunks.append(drawn if drawn is not None else meshes[leaf].points)
            points = np.concatenate(chunks)
            self._samples[sid] = sample_points(points)
            self._anchors[sid] = surface_anchor(points)
        return self._samples[sid]

    def _skin_hides(self) -> bool:
        """True while a skin is drawn as the body (:func:`skin_hides_anatomy`)."""
        state = self.scene.state
        opacity = max((state.opacity(s) for s in state.drawn_skins()), default=0.0)
        return skin_hides_anatomy(opacity)

    def _felt_landmarks(self) -> list[tuple[str, tuple[float, float, float]]]:
        """Texts and points (posed) of the landmarks a plate under an opaque skin names
        (:func:`viewer.domain.palpation.choose_landmark_labels`)."""
        if self._palpable is None:
            from viewer.io.annotations import load_bony_landmarks_on_bones
            from viewer.io.palpation import load_palpable_landmarks

            found, _ = load_palpable_landmarks()
            points, bones, _ = load_bony_landmarks_on_bones(self.scene.loaded.folder)
            self._palpable = (found, points, bones)
        found, points, bones = self._palpable
        camera = self.scene.renderer.GetActiveCamera()
        toward = [-c for c in camera.GetDirectionOfProjection()]
        chosen = choose_landmark_labels(found, toward, points, cap=self.auto_cap)
        pose = self.scene.state.pose
        transforms = None
        if not pose.is_standing and chosen:
            from viewer.io.posture import shared_posture_model

            model = shared_posture_model(self.scene.loaded)
            transforms = model.transforms(pose)
        out = []
        for lm in chosen:
            point = np.asarray(points[lm.landmark], dtype=np.float64)
            bone = bones.get(lm.landmark)
            if transforms is not None and bone is not None:
                point = model.pose_bone(bone, point[None, :], transforms)[0]
            out.append((lm.label, (float(point[0]), float(point[1]), float(point[2]))))
        return out

    def _candidates(self) -> list[str]:
        """Structures "label all" may label: shown and not a ghost, no skin, psoas parts as one.

        A ghost (the see-through abdominal wall of the opening view) is context, not a subject:
        its label would point at whatever shows through it.
        """
        state = self.scene.state
        ids: list[str] = []
        for s in state.atlas.renderable:
            if s.kind.value == "skin" or not state.is_visible(s.id):
                continue
            if state.opacity(s.id) < GHOST_PICK_OPACITY:
                continue
            parent = s.parent if s.parent and s.parent.startswith("psoas_major") else None
            ids.append(parent or s.id)
        return list(dict.fromkeys(ids))

    def _visibility(self, matrix: np.ndarray, size: tuple[int, int]) -> dict[str, Visibility]:
        """Seen share and anchor of every visible structure (cached per camera and scene)."""
        key = (
            matrix.round(9).tobytes(),
            size,
            self._state_version,
            self.scene.geometry_version,
            self.ids,
            self.label_all,
            self.label_auto,
        )
        if key == self._seen_key:
            return self._seen
        if self.scene.interacting and self._seen_key is not None:
            # While the camera moves, keep what was seen at rest (anchors still follow the
            # camera); the depth test runs again on the first still frame.
            return self._seen
        state = self.scene.state
        choosing = self.label_all or self.label_auto
        wanted = set(self.ids) | (set(self._candidates()) if choosing else set())
        occluders: set[str] = set()
        samples: dict[str, np.ndarray] = {}
        for s in state.atlas.renderable:
            if not state.is_visible(s.id) or s.id not in self.scene.loaded.meshes:
                continue
            if state.opacity(s.id) >= OCCLUDER_OPACITY:
                occluders.add(s.id)
                samples[s.id] = self._structure_samples(s.id)
        for sid in wanted:
            if sid not in samples and any(
                leaf in self.scene.loaded.meshes for leaf in state.atlas.leaves(sid)
            ):
                samples[sid] = self._structure_samples(sid)
        camera = self.scene.renderer.GetActiveCamera()
        parts = {sid: tuple(state.atlas.leaves(sid)) for sid in wanted}
        seen = visible_parts(
            samples,
            occluders,
            matrix,
            size,
            camera.GetPosition(),
            camera.GetDirectionOfProjection(),
            parts=parts,
        )
        self._seen, self._seen_key = seen, key
        self._checked = {}
        return seen

    def _near_side(self, shares: dict[str, float]) -> dict[str, float]:
        """``shares`` without the structures on the far side of the body from the camera
        (:func:`viewer.domain.plate_labels.near_enough`, measured at their anchors)."""
        camera = self.scene.renderer.GetActiveCamera()
        eye = np.asarray(camera.GetPosition(), dtype=np.float64)
        look = np.asarray(camera.GetDirectionOfProjection(), dtype=np.float64)
        depths = {}
        for sid in shares:
            self._structure_samples(sid)
            anchor = self._anchors.get(sid)
            if anchor is not None:
                depths[sid] = float(np.dot(np.asarray(anchor) - eye, look))
        keep = near_enough(depths)
        return {s: v for s, v in shares.items() if s in keep}

    def _seen_anchor(self, sid: str) -> tuple[float, float, float] | None:
        """Where the leader of ``sid`` ends: the first of its candidate anchors the camera
        really sees, i.e. whose line of sight meets the structure itself before anything solid
        (exact ray casts on the drawn meshes; the coarse sample grid alone let leaders through
        the see-through abdominal wall land on the muscle behind). ``None`` when no candidate
        passes: "label all" then leaves the structure out rather than point at a neighbour.
        Checked lazily (only for labels that may be drawn) and kept until the view changes."""
        if sid in self._checked:
            return self._checked[sid]
        vis = self._seen.get(sid)
        point = None
        if vis is not None and vis.candidates and vis.share > 0.0:
            drawn = self.scene.loaded.meshes
            own = [leaf for leaf in self.scene.state.atlas.leaves(sid) if leaf in drawn]
            point = self._probe.first_seen(own, vis.candidates)
        self._checked[sid] = point
        return point

    def _before_frame(self, *_args: object) -> None:
        choosing = self.label_all or self.label_auto
        if not self.ids and not choosing and not self._points and not self.placed:
            return  # nothing labelled and nothing left to clear: no work on this frame
        renderer = self.scene.renderer
        state = self.scene.state
        # Leader lines in the theme's text colour: black lines vanish on the dark and projector
        # backgrounds.
        self.line_actor.GetProperty().SetColor(*self.scene.theme.text)
        width, height = renderer.GetSize()
        self.placed, self.shown = {}, ()
        for actor in self._texts.values():
            actor.SetVisibility(False)
        self.lines.Initialize()
        if width <= 0 or height <= 0:
            return
        self.font_px = max(self.min_font_px, MIN_FONT_PX, round(FONT_FRACTION * height))
        matrix = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
            renderer.GetTiledAspectRatio(), -1, 1
        )
        m = np.array([[matrix.GetElement(i, j) for j in range(4)] for i in range(4)])
        atlas = state.atlas

        # (key, text, world anchor, priority)
        wanted: list[tuple[str, str, tuple[float, float, float], float]] = []
        explicit = [s for s in self.ids if state.is_visible(s)]
        under_skin = self.label_auto and not self.label_all and self._skin_hides()
        structures = explicit or (choosing and not under_skin)
        seen = self._visibility(m, (width, height)) if structures else {}
        for sid in explicit:
            self._structure_samples(sid)
            anchor = self._anchors[sid]
            if sid in seen:
                anchor = self._seen_anchor(sid) or anchor  # the part the camera sees
            wanted.append((sid, atlas.get(sid).name, anchor, 0.0))
        felt = self._felt_landmarks() if under_skin else None
        if felt is not None:
            # An opaque skin: the plate names the landmarks one feels, not hidden structures.
            for k, (text, point) in enumerate(felt):
                wanted.append((f"felt:{k}", text, point, 1.0))
        elif choosing:
            shares = {s: seen[s].share for s in self._candidates() if s in seen}
            chosen: set[str] = set()
            sel = state.selection
            while sel is not None and sel in atlas and sel not in chosen:
                chosen.add(sel)  # the selection and every group it is part of
                sel = atlas.get(sel).parent
            if self.label_all:
                priorities = {s: label_priority(s, chosen) for s in shares}
                order = choose_labels(shares, priorities, cap=len(shares))
                cap = self.cap
            else:
                shares = self._near_side(shares)
                priorities = {
                    s: plate_priority(s, atlas.get(s).kind is Kind.MUSCLE, chosen) for s in shares
                }
                order = choose_auto_labels(shares, priorities, cap=len(shares))
                cap = self.auto_cap
            taken = 0
            for sid in order:
                if taken >= cap:
                    break
                seen_at = None if sid in self.ids else self._seen_anchor(sid)
                if seen_at is None:
                    continue  # labelled already, or no point of it is really in sight
                taken += 1
                wanted.append((sid, atlas.get(sid).name, seen_at, 1.0 + priorities[sid]))
        for group, items in self._points.items():
            for k, (text, point) in enumerate(items):
                wanted.append((f"{group}:{k}", text, point, 0.5))
        obstacles = self._obstacle_boxes(m, (width, height))
        self.marker_boxes = tuple(obstacles)
        for provider in self._reserved.values():
            area = provider()
            if area is not None:  # y up (VTK) -> y down (layout)
                obstacles.append((area[0], height - area[3], area[2], height - area[1]))
        self.obstacle_boxes = tuple(obstacles)
        if not wanted:
            return
        pixels, inside = project_points(np.array([w[2] for w in wanted]), m, (width, height))
        keep = [k for k, ok in enumerate(inside) if ok]
        entries = [wanted[k] for k in keep]
        anchors = [(float(pixels[k][0]), float(pixels[k][1])) for k in keep]
        sizes = []
        for key, text, _, _ in entries:
            actor = self._text_actor(key, text)
            sizes.append(self._measure(actor, text))
        layout = layout_labels(
            anchors,
            sizes,
            (width, height),
            priorities=[e[3] for e in entries],
            obstacles=obstacles,
            content=self._content_box(m, (width, height)),
            # Moving leaders off the X's searches heights: on still frames only, so orbiting
            # pays nothing for it (the first still frame puts them right).
            clear_leaders=not self.scene.interacting,
            regions=None if self.scene.interacting else self._subject_regions(m, (width, height)),
            **self._body_masks(m, (width, height)),
        )
        points, cells = vtkPoints(), vtkCellArray()
        shown: list[ShownLabel] = []
        for (key, text, world, _), label in zip(entries, layout, strict=True):
            if not label.visible:
                continue
            actor = self._texts[key]
            actor.SetVisibility(True)
            # Layout is y-down from the top; VTK display coordinates are y-up from the bottom.
            actor.SetPosition(label.x + PAD_PX, height - (label.y + label.h / 2))
            self.placed[key] = (label.x, label.y, True)
            shown.append(ShownLabel(key, text, label, world))
            start = points.InsertNextPoint(label.leader_start[0], height - label.leader_start[1], 0)
            end = points.InsertNextPoint(label.leader_end[0], height - label.leader_end[1], 0)
            cells.InsertNextCell(2)
            cells.InsertCellPoint(start)
            cells.InsertCellPoint(end)
        self.shown = tuple(shown)
        self.lines.SetPoints(points)
        self.lines.SetLines(cells)
        self.lines.Modified()

    def _measure(self, actor: vtkTextActor, text: str) -> tuple[float, float]:
        """Box size of a label: the rendered text extent plus padding (estimate as fallback)."""
        size = [0.0, 0.0]
        try:
            actor.GetSize(self.scene.renderer, size)
        except TypeError:  # pragma: no cover - older VTK signatures
            size = [0.0, 0.0]
        if size[0] <= 0 or size[1] <= 0:
            size = [CHAR_WIDTH * self.font_px * len(text), self.font_px * 1.2]
        return (float(size[0]) + 2 * PAD_PX, max(float(size[1]), self.font_px * 1.2) + PAD_PX)

    def _content_box(
        self, matrix: np.ndarray, size: tuple[int, int]
    ) -> tuple[float, float, float, float] | None:
        """On-screen box of the shown anatomy (its 3D bounds' corners projected), if in front.

        Ghosts (fainter than :data:`GHOST_PICK_OPACITY`: a pair view's bones at 0.3 and other
        muscles at 0.08) are context and do not count: the label columns then sit just outside
        the structures the picture is about, and the leaders are that much shorter (pair view
        5's joint names sat beyond the ghosted hip bones, 285 px from the spine)."""
        state = self.scene.state
        solid = [
            s.id
            for s in state.atlas.renderable
            if state.is_visible(s.id) and state.opacity(s.id) >= GHOST_PICK_OPACITY
        ]
        bounds = self.scene.visible_bounds(solid) if solid else None
        if bounds is None:
            bounds = self.scene.visible_bounds()
        if bounds is None:
            return None
        corners = np.array(
            [(x, y, z) for x in bounds[0:2] for y in bounds[2:4] for z in bounds[4:6]]
        )
        pixels, _ = project_points(corners, matrix, size)
        clip = corners @ matrix[3, :3] + matrix[3, 3]
        if (clip <= 0).any():
            return None  # camera inside the box: no meaningful outline
        return (
            float(pixels[:, 0].min()),
            float(pixels[:, 1].min()),
            float(pixels[:, 0].max()),
            float(pixels[:, 1].max()),
        )

    def _body_masks(self, matrix: np.ndarray, size: tuple[int, int]) -> dict[str, BodyMask]:
        """On a plate's still frames: where anything solid is drawn (``body``: an opaque skin,
        the shown muscles and bones) and where anything at all is (``faint``: a see-through
        skin and ghosts too), so its labels sit on clear background
        (:func:`viewer.domain.labels._clear_ground`); nothing off plates and while the camera
        moves. Kept until the camera, the size, the shown structures or the meshes change
        (rasterising a body costs a few tenths of a second)."""
        if not self.label_auto or self.scene.interacting:
            return {}
        key = (
            matrix.round(9).tobytes(),
            size,
            self._state_version,
            self.scene.geometry_version,
        )
        if self._masks is not None and self._masks[0] == key:
            return self._masks[1]
        state = self.scene.state
        solid, faint = [], []
        for s in state.atlas.renderable:
            opacity = state.opacity(s.id)
            if not state.is_visible(s.id) or opacity <= 0.0:
                continue
            drawn = self.scene.drawn_mesh(s.id)
            if drawn is None:
                continue
            pixels, _ = project_points(drawn[0], matrix, size)
            (solid if opacity >= GHOST_PICK_OPACITY else faint).append((pixels, drawn[1]))
        viewport = (float(size[0]), float(size[1]))
        body = BodyMask.from_triangles(solid, viewport)
        out = {"body": body}
        if faint:
            out["faint"] = body.union(BodyMask.from_triangles(faint, viewport))
        self._masks = (key, out)
        return out

    def _subject_regions(
        self, matrix: np.ndarray, size: tuple[int, int]
    ) -> LeaderRegions | None:
        """Screen footprints of the muscles the picture is about (shown, not ghosts), one per
        muscle as a reader sees it (the iliopsoas' three parts are one), for keeping moved
        leaders off them; ``None`` without X markers (no leader is moved then)."""
        if not self.marker_boxes:
            return None
        state = self.scene.state
        atlas = state.atlas
        groups: dict[str, list[np.ndarray]] = {}
        for s in atlas.renderable:
            if s.kind is not Kind.MUSCLE or not state.is_visible(s.id):
                continue
            if state.opacity(s.id) < GHOST_PICK_OPACITY:
                continue
            points = self.scene.drawn_points(s.id)
            if points is None or not len(points):
                continue
            root = s.id
            while atlas.get(root).parent is not None:
                root = atlas.get(root).parent  # type: ignore[assignment]
            groups.setdefault(root, []).append(points[:: max(1, len(points) // REGION_SAMPLE)])
        if not groups:
            return None
        regions = []
        for chunks in groups.values():
            pixels, inside = project_points(np.concatenate(chunks), matrix, size)
            regions.append(np.asarray(pixels, dtype=np.float64)[np.asarray(inside, dtype=bool)])
        return LeaderRegions.from_points(regions, (float(size[0]), float(size[1])))

    def _obstacle_boxes(
        self, matrix: np.ndarray, size: tuple[int, int]
    ) -> list[tuple[float, float, float, float]]:
        boxes: list[tuple[float, float, float, float]] = []
        for source in self._obstacle_sources.values():
            boxes.extend(tuple(float(v) for v in b) for b in source())  # type: ignore[misc]
        for points, half in self._obstacles.values():
            pixels, inside = project_points(points, matrix, size)
            for (x, y), ok in zip(pixels, inside, strict=True):
                if ok:
                    boxes.append((x - half, y - half, x + half, y + half))
        return boxes

    def leader_segments(self) -> np.ndarray:
        """(k, 2, 2) leader lines in display pixels as last drawn (tests use it)."""
        pts = self.lines.GetPoints()
        if pts is None or pts.GetNumberOfPoints() == 0:
            return np.zeros((0, 2, 2))
        return np.asarray(vtk_to_numpy(pts.GetData())[:, :2], dtype=float).reshape(-1, 2, 2)

    def detach(self) -> None:
        """Remove labels and stop following frames."""
        self.scene.renderer.RemoveObserver(self._tag)
        for signal in (
            self.scene.state.visibility_changed,
            self.scene.state.opacity_changed,
            self.scene.state.selection_changed,
        ):
            signal.disconnect(self._state_changed)
        for actor in self._texts.values():
            self.scene.renderer.RemoveViewProp(actor)
        self._texts.clear()
        self.scene.renderer.RemoveViewProp(self.line_actor)

