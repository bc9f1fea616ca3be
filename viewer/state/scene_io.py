"""Capture the live scene into a :class:`SceneDocument` and apply a document back. No Qt/VTK.

Structure looks are stored relative to a *baseline*: the atlas defaults, or with a pair view
active, the scene that pair view builds on the defaults. So a document holds only what the user
changed, and lesson steps can name a pair view without listing forty structures.

Applying restores everything it can. Ids this atlas or its annotations do not know are reported
as problems (file ``"scene"`` unless given) and skipped; the rest of the scene still applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from viewer.domain.balance import tight_side_of
from viewer.domain.camera import CameraPose, view_by_name
from viewer.domain.length_colours import length_colour
from viewer.domain.pairviews import PairView, pair_scene
from viewer.domain.pose import STANDING
from viewer.domain.scenedoc import (
    MUSCLE_MODE,
    PairViewRef,
    Point,
    SceneCamera,
    SceneDocument,
    StructureLook,
    TriggerSettings,
)
from viewer.io.problems import Problem
from viewer.state.scene import SceneSnapshot, SceneState
from viewer.state.triggers import CombineMode, TriggerPointState

if TYPE_CHECKING:
    from viewer.features import Features
    from viewer.state.pain import PainSpots

@dataclass(frozen=True)
class FramedView:
    """A preset view (already requested on the state) that should fit ``frame`` (structure ids
    this atlas has) rather than everything shown: the renderer computes the pose."""

    view: str
    frame: tuple[str, ...]


CameraTarget = str | CameraPose | FramedView | None
"""What :func:`apply_scene` asks of the camera: a preset name (already requested on the state),
a preset framing named structures, a pose for the renderer to move to, or ``None`` (pair view
camera, or leave it)."""


_Report = Callable[..., None]


def _baseline(state: SceneState, pair: PairView | None) -> SceneSnapshot:
    """Defaults, or the scene the given (domain) pair view builds on the defaults."""
    defaults = SceneState(state.atlas).snapshot()
    if pair is None:
        return defaults
    return pair_scene(pair, state.atlas, defaults)


def capture_scene(
    state: SceneState,
    features: Features | None = None,
    pose: CameraPose | None = None,
    *,
    spots: PainSpots | None = None,
    labels: Iterable[str] = (),
    title: str = "",
) -> SceneDocument:
    """The current scene as a document.

    ``pose`` (the renderer's current camera) stores the exact camera; without it the document
    keeps the last named view, or with a pair view active, the pair view's own camera.
    """
    pairs = features.pairs if features is not None else None
    active = pairs.active if pairs is not None else None
    pair_ref = None
    if active is not None:
        pair_ref = PairViewRef(
            active.pair.id, active.side, active.pair.muscle, tight_side_of(state.pose)
        )
    base = _baseline(state, active.pair if active is not None else None)
    snap = state.snapshot()
    looks: list[tuple[str, StructureLook]] = []
    for sid in snap.visible:
        visible = snap.visible[sid]
        opacity = snap.opacity[sid]
        color = snap.color[sid]
        look = StructureLook(
            visible=None if visible == base.visible.get(sid) else visible,
            opacity=None if abs(opacity - base.opacity.get(sid, -1.0)) < 1e-9 else opacity,
            color=None if color.lower() == base.color.get(sid, "").lower() else color,
        )
        if not look.empty:
            looks.append((sid, look))
    if pose is not None:
        camera: SceneCamera | None = SceneCamera(pose=pose)
    elif active is not None:
        camera = None
    else:
        camera = SceneCamera(view=state.view)
    triggers = TriggerSettings()
    if features is not None and features.triggers is not None:
        t = features.triggers
        muscle_mode = t.mode is CombineMode.MUSCLE
        shown = {m for m in t.muscle_of.values() if t.markers_visible(m)}
        markers = None if shown == startup_markers(t) else tuple(sorted(shown))
        triggers = TriggerSettings(
            active=t.active,
            mode=t.mode.value,
            muscle=t.muscle if muscle_mode else None,
            heat_visible=t.heat_visible,
            markers=markers,
        )
    return SceneDocument(
        camera=camera,
        structures=tuple(looks),
        selection=state.selection,
        pair_view=pair_ref,
        triggers=triggers,
        painful_spots=spots.spots if spots is not None else (),
        labels=tuple(dict.fromkeys(labels)),
        title=title,
        body=state.body,
        posture=None if state.pose.is_standing else state.pose,
    )


def apply_scene(
    doc: SceneDocument,
    state: SceneState,
    features: Features | None = None,
    *,
    spots: PainSpots | None = None,
    file: str = "scene",
    place: str = "",
) -> tuple[CameraTarget, list[Problem]]:
    """Make the live state show ``doc``; returns the camera target and the problems met.

    A named view is requested on ``state`` (the renderer already follows ``view_requested``)
    and returned; a pose is returned for the caller to pass to the renderer's ``move_camera``.
    Entering the document's pair view makes the renderer move to that view's camera; leaving it
    later returns to the atlas defaults. Labels are not state: read ``doc.labels`` (known ids
    only, see :func:`known_labels`).
    """
    problems: list[Problem] = []

    def report(where: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(file, f"{place}/{where}" if place else where, message, severity))

    atlas = state.atlas
    pairs = features.pairs if features is not None else None

    # 1. Which pair view, checked before anything changes.
    pair = None
    ref = doc.pair_view
    if ref is not None:
        if pairs is None:
            report("pair_view", "pair views are not loaded; showing the scene without it")
            ref = None
        else:
            try:
                pair = pairs.library.get(ref.id, side=ref.side, muscle=ref.muscle, atlas=atlas)
            except (KeyError, ValueError) as exc:
                report("pair_view", f"{exc.args[0] if exc.args else exc}; skipped")
                ref = None

    # 2. The target display: baseline, then show_only, then structure looks (scratch state).
    scratch = SceneState(atlas)
    scratch.restore(_baseline(state, pair))
    if doc.show_only is not None:
        keep = []
        for sid in doc.show_only:
            if _has_geometry(scratch, sid):
                keep.append(sid)
            else:
                report(f"show_only/{sid}", "no such structure in this atlas; skipped")
        scratch.isolate(keep)
    for sid, look in doc.structures:
        if not _has_geometry(scratch, sid):
            report(f"structures/{sid}", "no such structure in this atlas; skipped")
            continue
        if look.visible is not None:
            scratch.set_visible(sid, look.visible)
        if look.opacity is not None:
            scratch.set_opacity(sid, look.opacity)
        if look.color is not None:
            scratch.set_color(sid, look.color)
    posture = doc.posture
    if posture is None and ref is not None and ref.tight_side is not None:
        if state.tight_pose_source is None:
            report("pair_view/tight_side", "posture is not available here; skipped", "warning")
        else:
            posture = state.tight_pose_source(ref.tight_side)
    if doc.length_colours:
        if state.length_source is None:
            report("length_colours", "muscle lengths are not available here; skipped", "warning")
        else:
            for m in state.length_source(posture or STANDING):
                if m.id in atlas:
                    scratch.set_color(m.id, length_colour(m.change_pct))
    if doc.selection is not None and doc.selection not in atlas:
        report("selection", f"no structure {doc.selection!r} in this atlas; nothing selected")
    selection = doc.selection if doc.selection in atlas else None
    built = scratch.snapshot()
    target = SceneSnapshot(
        built.visible, built.opacity, built.color, selection, state.view, posture or STANDING
    )

    # 3. Apply: the body outline first (heat maps are computed on it), leave any pair view,
    # enter the document's one, then the exact display.
    if doc.body is not None and doc.body != state.body:
        try:
            state.set_body(doc.body)
        except ValueError as exc:
            report("body", f"{exc}; the {state.body} body stays")
    if pairs is not None and pairs.active is not None:
        pairs.exit()
    if ref is not None and pairs is not None:
        state.restore(_baseline(state, None))
        try:
            pairs.enter(ref.id, ref.side, ref.muscle)
        except (KeyError, ValueError) as exc:  # e.g. the resolver cannot place it on this atlas
            report("pair_view", f"{exc}; skipped")
    state.restore(target)

    # 4. Trigger points, painful spots.
    _apply_triggers(doc.triggers, features, report)
    if spots is not None:
        _apply_spots(doc.painful_spots, spots)
    elif doc.painful_spots:
        report("painful_spots", "this view cannot show painful spots; skipped", "warning")

    for label in doc.labels:
        if label not in atlas:
            report(f"labels/{label}", "no such structure in this atlas; label skipped")

    # 5. Camera.
    camera: CameraTarget = None
    if doc.camera is not None and doc.camera.view is not None:
        try:
            view_by_name(doc.camera.view)
        except KeyError as exc:
            report("camera/view", f"{exc.args[0]}; camera left as it is")
        else:
            state.request_view(doc.camera.view)
            camera = doc.camera.view
            known = []
            for sid in doc.camera.frame:
                if sid in atlas:
                    known.append(sid)
                else:
                    report(f"camera/frame/{sid}", "no such structure in this atlas; not framed")
            if known:
                camera = FramedView(doc.camera.view, tuple(known))
            elif doc.camera.frame:
                report("camera/frame", "none of these structures is in this atlas; the whole "
                       f"{doc.camera.view} view is shown", "warning")
    elif doc.camera is not None:
        camera = doc.camera.pose
    return camera, problems


def known_labels(doc: SceneDocument, state: SceneState) -> tuple[str, ...]:
    """The document's label ids that exist in this atlas (what the renderer should label)."""
    return tuple(i for i in doc.labels if i in state.atlas)


def _has_geometry(state: SceneState, structure_id: str) -> bool:
    if structure_id not in state.atlas:
        return False
    try:
        state.is_visible(structure_id)
    except KeyError:
        return False
    return True


def _apply_triggers(settings: TriggerSettings, features: Features | None, report: _Report) -> None:
    t = features.triggers if features is not None else None
    if t is None:
        if not settings.is_default:
            report("trigger_points", "trigger points are not loaded; skipped")
        return
    muscles = set(t.muscle_of.values())
    if settings.markers is None:
        shown = startup_markers(t)
    else:
        shown = set()
        for m in settings.markers:
            members = set(t.groups.get(m, (m,))) & muscles
            if members:
                shown |= members
            else:
                report(f"trigger_points/markers/{m}", "no trigger points on this muscle")
    if muscles - shown:
        t.set_markers_visible(sorted(muscles - shown), False)
    if shown:
        t.set_markers_visible(sorted(shown), True)
    active = []
    for tp in settings.active:
        if tp in t.muscle_of:
            active.append(tp)
        else:
            report(f"trigger_points/active/{tp}", "no such trigger point; skipped")
    t.set_active(active)  # also returns to SELECTED mode
    if settings.mode == MUSCLE_MODE and settings.muscle is None:
        report("trigger_points/muscle", "muscle mode needs a muscle; showing the selected points")
    elif settings.mode == MUSCLE_MODE:
        try:
            t.show_muscle(settings.muscle)
        except KeyError as exc:
            report("trigger_points/muscle", f"{exc.args[0]}; showing the selected points")
    t.set_heat_visible(settings.heat_visible)


def startup_markers(triggers: TriggerPointState) -> set[str]:
    """Muscles whose markers the app shows at start (what ``markers=None`` stands for)."""
    from viewer.features import DEFAULT_MARKER_GROUPS  # the app's choice, kept in one place

    return {m for g in DEFAULT_MARKER_GROUPS for m in triggers.groups.get(g, ())}


def _apply_spots(points: tuple[Point, ...], spots: PainSpots) -> None:
    if spots.spots == points:
        return
    spots.clear()
    for p in points:
        spots.add(p)
