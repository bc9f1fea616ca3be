"""The main window: 3D view in the centre, structures panel docked, actions from the table."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from viewer import __version__
from viewer.context import AppContext
from viewer.domain.camera import DEFAULT_VIEW, STANDARD_VIEWS
from viewer.domain.structures import Kind
from viewer.features import Features
from viewer.io.problems import summarize
from viewer.logsetup import log_file
from viewer.qt.actions import ACTIONS, ActionSpec
from viewer.qt.file_actions import FileActions
from viewer.qt.settings import Preferences
from viewer.qt.structure_panel import StructurePanel
from viewer.render.theme import DARK, LIGHT, RenderTheme
from viewer.state.history import SceneHistory
from viewer.state.pain import PainSpots

log = logging.getLogger(__name__)

GHOST_OPACITY = 0.2
"""Opacity of a ghosted (x-ray) structure: outline still readable, what is behind visible."""

DISCLAIMER = (
    "Trigger Atlas is an educational tool, not a diagnosis. Pain has many possible causes: "
    "anyone in pain should see a medical professional for a full assessment."
)


def system_theme() -> RenderTheme:
    """The render theme matching the desktop's light or dark colour scheme."""
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


class MainWindow(QMainWindow):
    """Top-level window. Holds no anatomy logic: it wires widgets to the scene state."""

    def __init__(self, context: AppContext, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("Trigger Atlas")
        self.context = context
        self.state = context.state
        self.prefs = Preferences(settings)
        self.files = FileActions(self, self.prefs.settings)
        self.scene_problems_box: QMessageBox | None = None
        self.presenter: Any = None
        self.history: SceneHistory | None = None
        self.search_box: Any = None
        self.patient_mode = False
        self._before_patient: Any = None
        self.lesson_editor: Any = None
        self.info_panel: Any = None
        self.quiz_panel: Any = None
        self.actions_by_id: dict[str, QAction] = {}
        self.problems_box: QMessageBox | None = None
        self.view3d: Any = None
        self.panel: StructurePanel | None = None
        self.features: Features | None = None
        self.spots = PainSpots()
        self.feature_panels: list[Any] = []
        self.docks: dict[str, QDockWidget] = {}
        loaded = context.loaded

        if loaded.atlas.renderable:
            from viewer.qt.view3d import View3D

            self.view3d = View3D(loaded, self.state, self._theme())
            self.view3d.level_of_detail = self.prefs.level_of_detail
            self.view3d.animate = self.prefs.animate
            self.setCentralWidget(self.view3d)
            # Group every state change made within one event-loop turn (one user action: a
            # pair view, an opened scene, a group toggle) into one undo step. Connected before
            # the history so the transaction opens before the first change is recorded.
            for signal in (
                self.state.visibility_changed,
                self.state.opacity_changed,
                self.state.color_changed,
                self.state.selection_changed,
            ):
                signal.connect(self._open_undo_step)
            self.history = SceneHistory(self.state)
            self.history.changed.connect(self._update_undo_actions)
            self.panel = StructurePanel(self.state, self)
            self._add_dock(
                "structures", "Structures", self.panel, Qt.DockWidgetArea.LeftDockWidgetArea
            )
            from viewer.qt.section_panel import SectionPanel

            self.section_panel = SectionPanel(self.view3d.section, self)
            section_dock = self._add_dock(
                "section", "Section", self.section_panel, Qt.DockWidgetArea.LeftDockWidgetArea
            )
            section_dock.setMinimumWidth(0)
        else:
            self.setCentralWidget(self._no_atlas_label())

        self._build_actions()
        self._build_toolbar()
        self.state.selection_changed.connect(self._show_selection)
        self.statusBar().showMessage(self._idle_message())
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme)
        self._apply_color_scheme()
        self.resize(1280, 800)
        if self.prefs.geometry is not None:
            self.restoreGeometry(self.prefs.geometry)
        if self.prefs.window_state is not None:
            self.restoreState(self.prefs.window_state)
        if loaded.problems and loaded.installed:
            QTimer.singleShot(0, self._report_problems)
        if self.view3d is not None:
            # Trigger points, heat maps and pair views load once the atlas is on screen.
            self.view3d.first_frame.connect(self.finish_loading)

    # -- construction ----------------------------------------------------------------------------
    def _add_dock(
        self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{key}_dock")
        dock.setWidget(widget)
        dock.setMinimumWidth(260)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def finish_loading(self) -> None:
        """After the first frame: full-detail meshes (if deferred), then annotation features."""
        upgraded = self.context.loaded.load_full()
        if upgraded and self.view3d is not None:
            self.view3d.scene.upgrade_meshes(upgraded)
            self.view3d.request_render()
        self.load_features()

    def load_features(self) -> None:
        """Load trigger points, referral maps and pair views, then add their panels and menus."""
        if self.features is not None or self.view3d is None:
            return
        from PySide6.QtWidgets import QApplication, QProgressDialog

        from viewer.features import load_features

        dialog = QProgressDialog("Preparing referred-pain maps…", "", 0, 100, self)
        dialog.setWindowTitle("Trigger Atlas")
        dialog.setCancelButton(None)
        dialog.setMinimumDuration(400)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def progress(fraction: float, message: str) -> None:
            dialog.setLabelText(message)
            dialog.setValue(round(100 * fraction))
            QApplication.processEvents()

        features = load_features(self.context, progress=progress)
        dialog.reset()
        dialog.deleteLater()
        self.features = features
        self.view3d.attach_features(features, self.spots)
        self._build_feature_panels(features)
        if features.problems:
            self.statusBar().showMessage(
                f"{len(features.problems)} annotation problem(s) skipped; see "
                "`trigger-atlas validate` and the log."
            )

    def _build_feature_panels(self, features: Features) -> None:
        right = Qt.DockWidgetArea.RightDockWidgetArea
        docks = []
        if features.triggers is not None and features.referral is not None:
            from viewer.qt.pain_panel import PainPanel
            from viewer.qt.trigger_panel import TriggerPanel

            triggers = TriggerPanel(self.state, features, self)
            pain = PainPanel(self.state, features, self.spots, self)
            pain.handout.clicked.connect(self.write_handout)
            self.feature_panels += [triggers, pain]
            docks.append(self._add_dock("triggers", "Trigger points", triggers, right))
            docks.append(self._add_dock("pain", "Where does it hurt?", pain, right))
        from viewer.io.structure_info import load_structure_info
        from viewer.qt.info_panel import InfoPanel
        from viewer.qt.quiz_panel import QuizPanel

        info = load_structure_info(self.state.atlas)
        for problem in info.problems:
            log.warning("%s", problem)
        self.info_panel = InfoPanel(self, info.library)
        self.quiz_panel = QuizPanel(self)
        self.feature_panels += [self.info_panel, self.quiz_panel]
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        info_dock = self._add_dock("info", "Info", self.info_panel, left)
        self.tabifyDockWidget(self.docks["structures"], info_dock)
        self.docks["structures"].raise_()
        docks.append(self._add_dock("quiz", "Quiz", self.quiz_panel, right))

        from viewer.qt.lesson_editor import LessonEditor

        self.lesson_editor = LessonEditor(self)
        docks.append(self._add_dock("lessons", "Lesson", self.lesson_editor, right))
        if features.pairs is not None:
            from viewer.qt.pair_panel import PairPanel

            pairs = PairPanel(self.state, features, self)
            self.feature_panels.append(pairs)
            docks.append(self._add_dock("pairs", "Pair views", pairs, right))
            self._build_pair_actions(features)
        for dock in docks[1:]:
            self.tabifyDockWidget(docks[0], dock)
        if docks:
            docks[0].raise_()
        self.actions_by_id["pairs.other_side"].setEnabled(features.pairs is not None)
        self.actions_by_id["pairs.compare"].setEnabled(
            features.pairs is not None and features.referral is not None
        )

    def _build_pair_actions(self, features: Features) -> None:
        assert features.pairs is not None
        library = features.pairs.library
        menu = self.pairs_menu
        menu.addSeparator()
        for key, pid in sorted(library.keys.items()):
            action = QAction(f"{key}  {library.title(pid)}", self)
            action.setObjectName(f"pairs.{pid}")
            action.setShortcut(QKeySequence(str(key)))
            action.triggered.connect(lambda _=False, k=key: self.enter_pair_key(k))
            menu.addAction(action)
            self.addAction(action)
            self.actions_by_id[f"pairs.{pid}"] = action

    def _no_atlas_label(self) -> QWidget:
        folder = self.context.loaded.folder
        text = (
            "<h2>No atlas is installed</h2>"
            f"<p>Trigger Atlas found no usable atlas in <code>{folder}</code>.</p>"
            "<p>Build it with <code>python -m tools.build_atlas</code> from a checkout "
            "(see README.md), or start with <code>--atlas FOLDER</code>.</p>"
        )
        if self.context.loaded.problems:
            text += "<p>" + summarize(self.context.loaded.problems).replace("\n", "<br>") + "</p>"
        label = QLabel(text)
        label.setObjectName("no_atlas_label")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_actions(self) -> None:
        menus: dict[str, Any] = {}
        groups: dict[str, QActionGroup] = {}
        for spec in ACTIONS:
            menu = menus.get(spec.menu)
            if menu is None:
                menu = menus[spec.menu] = self.menuBar().addMenu(spec.menu)
            action = QAction(spec.title, self)
            action.setObjectName(spec.id)
            if spec.shortcut:
                action.setShortcut(QKeySequence(spec.shortcut))
            if spec.tip:
                action.setStatusTip(spec.tip)
            action.setCheckable(spec.checkable)
            if spec.checkable and spec.arg is not None:
                groups.setdefault(spec.handler, QActionGroup(self)).addAction(action)
            action.triggered.connect(self._handler(spec))
            needs_atlas = not spec.id.startswith(("file.", "help."))
            action.setEnabled(self.view3d is not None or not needs_atlas)
            menu.addAction(action)
            self.addAction(action)
            self.actions_by_id[spec.id] = action
        self.actions_by_id["view.lod"].setChecked(self.prefs.level_of_detail)
        self.actions_by_id["view.animate"].setChecked(self.prefs.animate)
        self.pairs_menu = menus["&Pairs"]
        self.actions_by_id["pairs.other_side"].setEnabled(False)
        self.actions_by_id["pairs.compare"].setEnabled(False)
        self.actions_by_id["view.skin"].setChecked(self._skin_visible())
        self._build_recent_menu(menus["&File"])
        self.actions_by_id["edit.undo"].setEnabled(False)
        self.actions_by_id["edit.redo"].setEnabled(False)
        self._build_screen_menu(menus["&Lesson"])
        self.actions_by_id[f"view.theme_{self.prefs.theme}"].setChecked(True)

    def _build_recent_menu(self, file_menu: Any) -> None:
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.setEnabled(self.view3d is not None)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.insertMenu(self.actions_by_id["file.save_scene"], self.recent_menu)

    def _build_screen_menu(self, lesson_menu: Any) -> None:
        self.screen_menu = lesson_menu.addMenu("Presenter &display")
        self.screen_menu.aboutToShow.connect(self._fill_screen_menu)

    def _fill_screen_menu(self) -> None:
        self.screen_menu.clear()
        group = QActionGroup(self.screen_menu)
        choices = [("", "Automatic (a second display if there is one)")]
        choices += [
            (s.name(), f"{s.name()} — {s.size().width()}×{s.size().height()}")
            for s in QGuiApplication.screens()
        ]
        for name, title in choices:
            action = self.screen_menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(name == self.prefs.presenter_screen)
            action.triggered.connect(lambda _=False, n=name: self.set_presenter_screen(n))
            group.addAction(action)

    def set_presenter_screen(self, name: str) -> None:
        """Choose the display presenter mode goes full screen on (persisted)."""
        self.prefs.presenter_screen = name

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.files.recent()
        for path in recent:
            self.recent_menu.addAction(path, lambda p=path: self.files.open_scene_from(Path(p)))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # -- presenter mode ----------------------------------------------------------------------
    def present(self, lesson: Any, source: str) -> None:
        """Start presenter mode on ``lesson`` (features are loaded first if needed)."""
        from viewer.qt.presenter import Presenter

        if self.view3d is None or lesson is None:
            return
        if self.features is None:
            self.finish_loading()
        self.presenter = Presenter(self, lesson, source)
        self.presenter.start(self.prefs.presenter_screen)

    def presenter_stopped(self) -> None:
        """Called by the presenter when it has restored the window."""
        self.presenter = None

    def present_builtin_lesson(self) -> None:
        """Present "What does the iliopsoas have to do with back pain?"."""
        from viewer.qt.presenter import load_builtin_lesson

        lesson, source, _problems = load_builtin_lesson()
        if lesson is None:
            self.statusBar().showMessage("No built-in lesson could be read; see the log.")
            return
        self.present(lesson, source)

    def present_lesson_file(self) -> None:
        """Choose a lesson file and present it."""
        from PySide6.QtWidgets import QFileDialog

        from viewer.io.lessons import load_lesson

        name, _ = QFileDialog.getOpenFileName(
            self, "Present lesson", "", "Lessons (*.talesson *.json)"
        )
        if not name:
            return
        lesson, problems = load_lesson(name)
        if lesson is None:
            QMessageBox.warning(self, "Lesson not opened", summarize(list(problems)))
            return
        self.present(lesson, name)

    # -- file handlers (named in the action table) -----------------------------------------
    def open_scene(self) -> None:
        """Open a saved scene."""
        self.files.ask_open()

    def save_scene(self) -> None:
        """Save the current scene to a file."""
        self.files.ask_save()

    def export_image(self) -> None:
        """Export the 3D view without UI as a PNG of a chosen size."""
        self.files.ask_export()

    def export_turntable(self) -> None:
        """Export a 360° orbit of the current scene as GIF or MP4."""
        self.files.ask_turntable()

    def copy_image(self) -> None:
        """Copy a 1920×1080 image of the 3D view to the clipboard."""
        self.files.copy_image()

    def _handler(self, spec: ActionSpec) -> Callable[..., None]:
        method = getattr(self, spec.handler)

        def run(checked: bool = False) -> None:
            if spec.arg is not None:
                method(spec.arg)
            elif spec.checkable:
                method(checked)
            else:
                method()

        return run

    def _build_toolbar(self) -> None:
        bar = QToolBar("Views", self)
        self.views_toolbar = bar
        bar.setObjectName("views_toolbar")
        short = {
            "anterior": "Front",
            "posterior": "Back",
            "left": "Left",
            "right": "Right",
            "superior": "Top",
            "inferior": "Bottom",
        }
        for preset in STANDARD_VIEWS:
            action = self.actions_by_id.get(f"view.{preset.name}")
            if action is not None:
                action.setIconText(short.get(preset.name, preset.title))
                bar.addAction(action)
        bar.addSeparator()
        for key in ("view.reset", "structure.isolate", "structure.show_all", "view.skin"):
            bar.addAction(self.actions_by_id[key])
        if self.view3d is not None:
            from viewer.domain.search import SearchIndex
            from viewer.io.synonyms import load_synonyms
            from viewer.qt.search_box import SearchBox

            synonyms, problems = load_synonyms(self.state.atlas)
            for problem in problems:
                log.warning("%s", problem)
            search_bar = QToolBar("Search", self)
            search_bar.setObjectName("search_toolbar")
            self.search_box = SearchBox(
                SearchIndex(self.state.atlas, synonyms), self.fly_to, search_bar
            )
            search_bar.addWidget(self.search_box)
            self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
            self.addToolBar(Qt.ToolBarArea.TopToolBarArea, search_bar)
            return
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    # -- theme -------------------------------------------------------------------------------------
    def _theme(self) -> RenderTheme:
        return {"dark": DARK, "light": LIGHT}.get(self.prefs.theme) or system_theme()

    def _on_color_scheme(self, *_args: object) -> None:
        if self.view3d is not None:
            self.view3d.apply_theme(self._theme())

    def _apply_color_scheme(self) -> None:
        """Ask Qt for the chosen scheme (Unknown = follow the desktop); widgets match the view."""
        scheme = {
            "light": Qt.ColorScheme.Light,
            "dark": Qt.ColorScheme.Dark,
        }.get(self.prefs.theme, Qt.ColorScheme.Unknown)
        QGuiApplication.styleHints().setColorScheme(scheme)

    def set_theme(self, choice: str) -> None:
        """Follow the system, or force a light or dark theme (persisted)."""
        self.prefs.theme = choice
        self._apply_color_scheme()
        if self.view3d is not None:
            self.view3d.apply_theme(self._theme())

    # -- handlers (named in the action table) -------------------------------------------------
    def show_view(self, name: str) -> None:
        """Move the camera to a standard view."""
        self.state.request_view(name)

    def reset_view(self) -> None:
        """Everything visible at default appearance, default camera."""
        self.state.reset()
        self.state.request_view(DEFAULT_VIEW)

    def _skin_ids(self) -> list[str]:
        return [s.id for s in self.state.atlas.renderable if s.kind is Kind.SKIN]

    def _skin_visible(self) -> bool:
        return any(self.state.is_visible(i) for i in self._skin_ids())

    def toggle_skin(self, checked: bool) -> None:
        """Show or hide the skin."""
        if self._skin_ids():
            self.state.set_visible(self._skin_ids(), checked)

    def set_level_of_detail(self, checked: bool) -> None:
        """Turn light meshes during rotation on or off (persisted)."""
        self.prefs.level_of_detail = checked
        if self.view3d is not None:
            self.view3d.level_of_detail = checked

    def toggle_fullscreen(self) -> None:
        """Full screen on and off."""
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def isolate_selection(self) -> None:
        """Show only the selected structure."""
        if self.state.selection is not None:
            self.state.isolate(self.state.selection)
            self.state.request_view(self.state.view)

    def hide_selection(self) -> None:
        """Hide the selected structure."""
        if self.state.selection is not None:
            self.state.set_visible(self.state.selection, False)
            self.state.select(None)

    def label_selection(self) -> None:
        """Add or remove the selected structure's label."""
        sid = self.state.selection
        if sid is None or self.view3d is None:
            return
        labels = self.view3d.labels
        ids = [i for i in labels.ids if i != sid] if sid in labels.ids else [*labels.ids, sid]
        labels.set_labels(ids)

    def label_all(self, checked: bool) -> None:
        """Label every visible structure (muscles by their muscle, not by their parts)."""
        if self.view3d is None:
            return
        if not checked:
            self.view3d.labels.set_labels(())
            return
        atlas = self.state.atlas
        ids = []
        for s in atlas.renderable:
            if not self.state.is_visible(s.id) or s.kind.value == "skin":
                continue
            parent = s.parent if s.parent and s.parent.startswith("psoas_major") else None
            ids.append(parent or s.id)
        self.view3d.labels.set_labels(ids)

    def ghost_selection(self) -> None:
        """Make the selection see-through (x-ray), or solid again if it already is."""
        sid = self.state.selection
        if sid is None:
            return
        solid = self.state.opacity(sid) >= GHOST_OPACITY + 0.01
        self.state.set_opacity(sid, GHOST_OPACITY if solid else 1.0)

    def show_all(self) -> None:
        """Show every structure again."""
        self.state.show_all()

    def deselect(self) -> None:
        """Clear the selection."""
        self.state.select(None)

    def fly_to(self, structure_id: str) -> None:
        """Show, select and frame a structure from the current viewing direction."""
        from viewer.domain.camera import CameraPreset

        if self.view3d is None or structure_id not in self.state.atlas:
            return
        with self._undo_step():
            self.state.set_visible(structure_id, True)
            self.state.select(structure_id)
        scene = self.view3d.scene
        pose = scene.current_pose()
        d = tuple(p - f for p, f in zip(pose.position, pose.focal_point, strict=True))
        n = sum(c * c for c in d) ** 0.5 or 1.0
        preset = CameraPreset(
            "search", "Search result", (d[0] / n, d[1] / n, d[2] / n), pose.view_up, zoom=1.0
        )
        self.view3d.move_camera(scene.pose_for(preset, frame=[structure_id]))

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        if self.search_box is not None:
            self.search_box.setFocus()
            self.search_box.selectAll()

    # -- undo / redo -------------------------------------------------------------------------
    def _open_undo_step(self, *_args: object) -> None:
        history = self.history
        if history is not None and not history.in_transaction and not history.applying:
            history.begin()
            QTimer.singleShot(0, history.end)

    def _undo_step(self) -> Any:
        from contextlib import nullcontext

        return self.history.transaction() if self.history is not None else nullcontext()

    def _update_undo_actions(self) -> None:
        if self.history is None:
            return
        self.actions_by_id["edit.undo"].setEnabled(self.history.can_undo)
        self.actions_by_id["edit.redo"].setEnabled(self.history.can_redo)

    def undo(self) -> None:
        """Undo the last scene change."""
        if self.history is not None:
            self.history.undo()

    def redo(self) -> None:
        """Redo the last undone scene change."""
        if self.history is not None:
            self.history.redo()

    def escape(self) -> None:
        """Step back: leave a pair view, else stop marking spots, else deselect."""
        pairs = self.features.pairs if self.features is not None else None
        if pairs is not None and pairs.active is not None:
            pairs.exit()
        elif self.spots.marking:
            self.spots.set_marking(False)
        else:
            self.deselect()

    def enter_pair_key(self, key: int) -> None:
        """Enter pair view ``key`` (1–6) on the side chosen in the pair panel (right by default)."""
        if self.features is None or self.features.pairs is None:
            return
        panel = next((p for p in self.feature_panels if p.objectName() == "pair_panel"), None)
        pid = self.features.pairs.library.keys.get(key)
        if pid is None:
            return
        if panel is not None:
            panel.enter(pid)
        else:
            self.features.pairs.enter(pid)

    def pair_other_side(self) -> None:
        """Show the active pair view on the other body side."""
        if self.features is not None and self.features.pairs is not None:
            self.features.pairs.toggle_side()

    def set_compare(self, checked: bool) -> None:
        """Split the 3D view: the pair's muscles left, their referral difference map right."""
        overlays = self.view3d.overlays if self.view3d is not None else None
        if overlays is not None:
            overlays.set_compare(checked)
        if checked and (
            self.features is None
            or self.features.pairs is None
            or self.features.pairs.active is None
        ):
            self.statusBar().showMessage("Compare mode shows once a pair view is chosen (1–6).")

    def set_animate(self, checked: bool) -> None:
        """Turn animated camera transitions on or off (persisted)."""
        self.prefs.animate = checked
        if self.view3d is not None:
            self.view3d.animate = checked

    def focus_filter(self) -> None:
        """Put the cursor in the structures filter box."""
        if self.panel is not None:
            self.panel.filter_edit.setFocus()
            self.panel.filter_edit.selectAll()

    def show_shortcuts(self) -> None:
        """List every keyboard shortcut (from the action table)."""
        native = QKeySequence.SequenceFormat.NativeText
        table_ids = {a.id for a in ACTIONS}
        rows = "".join(
            f"<tr><td><b>{QKeySequence(a.shortcut).toString(native)}</b></td>"
            f"<td>{a.title.replace('&', '')}</td></tr>"
            for a in ACTIONS
            if a.shortcut
        )
        for action_id, action in self.actions_by_id.items():
            if action_id not in table_ids and not action.shortcut().isEmpty():
                rows += (
                    f"<tr><td><b>{action.shortcut().toString(native)}</b></td>"
                    f"<td>Pair view: {action.text()[1:].strip()}</td></tr>"
                )
        rows += "<tr><td><b>Drag</b></td><td>Rotate (Shift: pan, Ctrl: spin, wheel: zoom)</td></tr>"
        rows += "<tr><td><b>Click</b></td><td>Select the structure under the mouse</td></tr>"
        box = QMessageBox(
            QMessageBox.Icon.NoIcon,
            "Keyboard shortcuts",
            f"<table>{rows}</table>",
            QMessageBox.StandardButton.Close,
            self,
        )
        box.setObjectName("shortcuts_box")
        box.show()
        self.shortcuts_box = box

    def about_text(self) -> str:
        """About box text: version, data sources and their licences, the disclaimer."""
        sources = "".join(
            f"<li><b>{s.name}</b> {s.version} — {s.licence}"
            + (f"<br><small>{s.note}</small>" if s.note else "")
            + "</li>"
            for s in self.context.loaded.atlas.sources
        )
        return (
            f"<h3>Trigger Atlas {__version__}</h3>"
            "<p>A 3D atlas of the low back, pelvis and hip with myofascial trigger points.</p>"
            f"<p><b>{DISCLAIMER}</b></p>"
            f"<p>Anatomy data:</p><ul>{sources or '<li>no atlas installed</li>'}</ul>"
            f"<p>Sources and licences per file: <code>{self.context.loaded.folder}/NOTICE</code>"
            "</p>"
            f"<p>Log file: <code>{log_file()}</code></p>"
        )

    def show_about(self) -> None:
        """Version, sources, licences and the educational-use note."""
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "About Trigger Atlas",
            self.about_text(),
            QMessageBox.StandardButton.Close,
            self,
        )
        box.setObjectName("about_box")
        box.show()

    # -- status -------------------------------------------------------------------------------
    def _idle_message(self) -> str:
        if not self.state.atlas.renderable:
            return "No atlas is installed."
        return "Drag to rotate, click a structure to select it. F1 lists the shortcuts."

    def _show_selection(self, selected: object) -> None:
        if selected is None:
            self.statusBar().showMessage(self._idle_message())
            return
        s = self.state.atlas.get(str(selected))
        if self.patient_mode:  # plain words, no Latin unless asked (the tooltip still has it)
            self.statusBar().showMessage(s.plain_name or s.name)
            return
        text = s.name + (f" — {s.latin}" if s.latin else "")
        if s.fma:
            text += f" (FMA {s.fma})"
        self.statusBar().showMessage(text)

    # -- patient mode --------------------------------------------------------------------------
    def set_patient_mode(self, on: bool) -> None:
        """A calm screen for patients: plain names, larger text, few controls, skin shown."""
        if on == self.patient_mode or self.view3d is None:
            return
        if self.features is None:
            self.finish_loading()
        skins = self._skin_ids()
        if on:
            self._before_patient = (
                self.font(),
                {k: d.isVisible() for k, d in self.docks.items()},
                {s: (self.state.is_visible(s), self.state.opacity(s)) for s in skins},
            )
            font = self.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            self.setFont(font)
            for key, dock in self.docks.items():
                dock.setVisible(key == "pain")
            if "pain" in self.docks:
                self.docks["pain"].raise_()
            self.state.set_visible(skins, True)
            for skin in skins:
                self.state.set_opacity(skin, max(self.state.opacity(skin), 0.6))
        else:
            font, docks, skin_looks = self._before_patient
            self.setFont(font)
            for key, dock in self.docks.items():
                dock.setVisible(docks.get(key, True))
            for skin, (visible, opacity) in skin_looks.items():
                self.state.set_visible(skin, visible)
                self.state.set_opacity(skin, opacity)
        self.patient_mode = on
        for panel in self.feature_panels:
            if hasattr(panel, "set_plain"):
                panel.set_plain(on)
        if self.panel is not None:
            self.panel.set_plain_names(on)
        action = self.actions_by_id["view.patient"]
        if action.isChecked() != on:
            action.setChecked(on)
        self._show_selection(self.state.selection)

    def write_handout(self) -> None:
        """Ask for paper size and self-care notes, then write the patient handout PDF."""
        from viewer.qt.handout import HandoutDialog

        if self.features is None or self.features.triggers is None:
            self.statusBar().showMessage("Trigger points are still loading.")
            return
        if not self.features.triggers.active:
            QMessageBox.information(
                self,
                "Patient handout",
                "Choose one or more trigger points "
                "first (in 'Where does it hurt?' or 'Trigger points').",
            )
            return
        try:
            out = HandoutDialog(self).run()
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Handout not written", str(exc))
            return
        if out is not None:
            self.statusBar().showMessage(f"Handout written: {out}")

    def _report_problems(self) -> None:
        problems = self.context.loaded.problems
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Some atlas files could not be loaded",
            f"{len(problems)} problem(s); Trigger Atlas shows everything else.\n\n"
            + summarize(problems)
            + f"\n\nDetails: {log_file()}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("problems_box")
        box.setModal(False)
        box.show()
        self.problems_box = box
        self.statusBar().showMessage(f"{len(problems)} atlas file problem(s); see the message.")

    # -- lifecycle -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  (Qt override)
        """Save window geometry, release the 3D view, then close."""
        if self.presenter is not None:
            self.presenter.stop()
        self.prefs.save_window(self.saveGeometry(), self.saveState())
        self.state.selection_changed.disconnect(self._show_selection)
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_color_scheme)
        if self.history is not None:
            self.history.changed.disconnect(self._update_undo_actions)
            self.history.disconnect()
            for signal in (
                self.state.visibility_changed,
                self.state.opacity_changed,
                self.state.color_changed,
                self.state.selection_changed,
            ):
                signal.disconnect(self._open_undo_step)
        if self.panel is not None:
            self.panel.detach()
        for panel in self.feature_panels:
            panel.detach()
        if self.view3d is not None:
            self.view3d.shutdown()
        super().closeEvent(event)
