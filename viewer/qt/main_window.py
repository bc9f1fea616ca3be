"""The main window: 3D view in the centre, structures panel docked, actions from the table."""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape as html_escape
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
from viewer.domain.bodies import SKELETON_NOTE
from viewer.domain.camera import DEFAULT_VIEW, STANDARD_VIEWS
from viewer.domain.structures import Kind
from viewer.features import Features
from viewer.io.problems import summarize
from viewer.logsetup import log_file
from viewer.qt.actions import ACTIONS, ActionSpec
from viewer.qt.body_controller import BodyController
from viewer.qt.file_actions import FileActions
from viewer.qt.lesson_controller import LessonController
from viewer.qt.mesh_io_actions import MeshIOActions
from viewer.qt.patient_controller import PatientMode
from viewer.qt.problem_list import ProblemList, discard, guarded
from viewer.qt.settings import Preferences
from viewer.qt.structure_panel import StructurePanel
from viewer.qt.study_controller import StudyTools
from viewer.render.theme import DARK, LIGHT, RenderTheme
from viewer.state.pain import PainSpots

log = logging.getLogger(__name__)

DISCLAIMER = (
    "Trigger Atlas is an educational tool, not a diagnosis. Pain has many possible causes: "
    "anyone in pain should see a medical professional for a full assessment."
)


def system_theme() -> RenderTheme:
    """The render theme matching the desktop's light or dark colour scheme."""
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


RIGHT_DOCK_WIDTH = 330
"""Width of the tabbed feature panels at start (a quarter of a narrower window at most)."""


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
        self.meshio = MeshIOActions(
            self, context.loaded, context.state, lambda: self.features, self.statusBar().showMessage
        )
        self.scene_problems_box: QMessageBox | None = None
        self.study: StudyTools | None = None
        self.lessons = LessonController(self)
        self.patient = PatientMode(self)
        self.bodies = BodyController(self)
        self.search_box: Any = None
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
        self.problem_list = ProblemList(self)
        loaded = context.loaded
        self.problem_list.add(loaded.problems)

        if loaded.atlas.renderable:
            from viewer.qt.view3d import View3D

            self.view3d = View3D(loaded, self.state, self._theme())
            self.view3d.level_of_detail = self.prefs.level_of_detail
            self.view3d.animate = self.prefs.animate
            self.setCentralWidget(self.view3d)
            self.study = StudyTools(self)
            self.panel = StructurePanel(self.state, self)
            self._add_dock(
                "structures", "Structures", self.panel, Qt.DockWidgetArea.LeftDockWidgetArea
            )
            from viewer.qt.section_panel import SectionPanel

            self.section_panel = SectionPanel(self.view3d.section_state, self.view3d.scene, self)
            section_dock = self._add_dock(
                "section", "Section", self.section_panel, Qt.DockWidgetArea.LeftDockWidgetArea
            )
            section_dock.setMinimumWidth(0)
            from viewer.qt.posture_panel import PosturePanel

            view = self.view3d  # its posture painter and key come after the first frame
            self.posture_panel = PosturePanel(
                self.state, lambda: view.posture, self.study.history, self
            )
            self.posture_panel.key = lambda: view.posture_key
            from PySide6.QtWidgets import QScrollArea

            scroll = QScrollArea(self)  # a tall panel must not set the window's minimum height
            scroll.setWidget(self.posture_panel)
            scroll.setWidgetResizable(True)
            posture_dock = self._add_dock(
                "posture", "Posture", scroll, Qt.DockWidgetArea.LeftDockWidgetArea
            )
            posture_dock.setMinimumWidth(0)
            self.tabifyDockWidget(section_dock, posture_dock)
            section_dock.raise_()
        else:
            self.setCentralWidget(self._no_atlas_label())

        self._build_actions()
        self._build_toolbar()
        self.bodies.build()
        self.state.selection_changed.connect(self._show_selection)
        self.statusBar().showMessage(self._idle_message())
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme)
        self._apply_color_scheme()
        self.resize(1280, 800)
        if self.panel is not None:
            # Wide enough for every structure name to read in full (saved layouts win below).
            width = min(self.panel.preferred_width(), round(self.width() * 0.28))
            self.resizeDocks([self.docks["structures"]], [width], Qt.Orientation.Horizontal)
        if self.prefs.geometry is not None:
            self.restoreGeometry(self.prefs.geometry)
        if self.prefs.window_state is not None:
            self.restoreState(self.prefs.window_state)
        if loaded.problems and loaded.installed:
            QTimer.singleShot(0, self._report_problems)
        if self.view3d is not None:
            # Trigger points, heat maps and pair views load once the atlas is on screen.
            self.view3d.first_frame.connect(self.finish_loading)

    @property
    def presenter(self) -> Any:
        """The running presenter, or ``None``."""
        return self.lessons.presenter

    @property
    def patient_mode(self) -> bool:
        """True while the window is in patient mode."""
        return self.patient.on

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
        self.problem_list.add(self.context.loaded.problems)
        if self.search_box is not None:
            self.search_box.index  # noqa: B018  (built now, not when the user first types)
        if self.view3d is not None:
            self.view3d.full_detail_loaded(upgraded)
        self.load_features()

    def load_features(self) -> None:
        """Load trigger points, referral maps and pair views, then add their panels and menus."""
        if self.features is not None or self.view3d is None:
            return

        from viewer.features import load_features
        from viewer.qt.progress import modal_progress

        dialog, progress = modal_progress("Preparing referred-pain maps…", self)

        features = load_features(self.context, progress=progress)
        dialog.reset()
        dialog.deleteLater()
        self.features = features
        self.view3d.attach_features(features, self.spots)
        self._build_feature_panels(features)
        if features.problems:
            self.problem_list.add(features.problems)
            self.statusBar().showMessage(
                f"{len(features.problems)} annotation problem(s); click the problem count "
                "(or Help → Problems found in files) for the list."
            )

    def _build_feature_panels(self, features: Features) -> None:
        right = Qt.DockWidgetArea.RightDockWidgetArea
        docks = []
        if features.triggers is not None and features.referral is not None:
            from viewer.qt.pain_panel import PainPanel
            from viewer.qt.trigger_panel import TriggerPanel

            triggers = TriggerPanel(self.state, features, self)
            pain = PainPanel(self.state, features, self.spots, self)
            pain.handout.clicked.connect(self.patient.write_handout)
            self.feature_panels += [triggers, pain]
            docks.append(self._add_dock("triggers", "Trigger points", triggers, right))
            docks.append(self._add_dock("pain", "Where does it hurt?", pain, right))
        from viewer.io.structure_info import load_structure_info
        from viewer.qt.info_panel import InfoPanel
        from viewer.qt.quiz_panel import QuizPanel

        info = load_structure_info(self.state.atlas)
        for problem in info.problems:
            log.warning("%s", problem)
        self.problem_list.add(info.problems)
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
            self._compact_dock_tabs()
            # The 3D view is the product: five tab titles side by side would take ~470 px.
            width = min(RIGHT_DOCK_WIDTH, self.width() // 4)
            self.resizeDocks([docks[0]], [width], Qt.Orientation.Horizontal)
        self.actions_by_id["pairs.other_side"].setEnabled(features.pairs is not None)
        self.actions_by_id["pairs.compare"].setEnabled(
            features.pairs is not None and features.referral is not None
        )

    def _compact_dock_tabs(self) -> None:
        """Tabified dock titles scroll instead of widening the dock area to fit them all."""
        from PySide6.QtWidgets import QTabBar

        for bar in self.findChildren(QTabBar):
            bar.setUsesScrollButtons(True)
            bar.setExpanding(False)

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
        folder = html_escape(str(self.context.loaded.folder))
        text = (
            "<h2>No atlas is installed</h2>"
            f"<p>Trigger Atlas found no usable atlas in <code>{folder}</code>.</p>"
            "<p>Build it with <code>python -m tools.build_atlas</code> from a checkout "
            "(see README.md), or start with <code>--atlas FOLDER</code>.</p>"
        )
        if self.context.loaded.problems:
            problems = html_escape(summarize(self.context.loaded.problems))
            text += "<p>" + problems.replace("\n", "<br>") + "</p>"
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
        self.actions_by_id["view.posture_guides"].setChecked(True)
        self.actions_by_id["view.orientation"].setChecked(True)
        self.pairs_menu = menus["&Pairs"]
        self.actions_by_id["pairs.other_side"].setEnabled(False)
        self.actions_by_id["pairs.compare"].setEnabled(False)
        self.actions_by_id["view.skin"].setChecked(self._skin_visible())
        self._build_recent_menu(menus["&File"])
        self.actions_by_id["edit.undo"].setEnabled(False)
        self.actions_by_id["edit.redo"].setEnabled(False)
        self.lessons.build_screen_menu(menus["&Lesson"])
        self.actions_by_id[f"view.theme_{self.prefs.theme}"].setChecked(True)

    def _build_recent_menu(self, file_menu: Any) -> None:
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.setEnabled(self.view3d is not None)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.insertMenu(self.actions_by_id["file.save_scene"], self.recent_menu)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.files.recent()
        for path in recent:
            self.recent_menu.addAction(path, lambda p=path: self.files.open_scene_from(Path(p)))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # -- presenter mode ----------------------------------------------------------------------

    def _handler(self, spec: ActionSpec) -> Callable[..., None]:
        # The slot keeps its own ``checked`` parameter (Qt passes signal arguments by the
        # slot's signature); its body runs guarded, so a failing action is reported, not fatal.
        def run(checked: bool = False) -> None:
            guarded(act)(checked)

        def act(checked: bool) -> None:
            # Resolved when triggered: "close", or "study.undo" on a controller that only
            # exists once an atlas is loaded (those actions are disabled until then).
            method: Any = self
            for part in spec.handler.split("."):
                method = getattr(method, part)
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
            from viewer.qt.search_box import SearchBox

            search_bar = QToolBar("Search", self)
            search_bar.setObjectName("search_toolbar")
            assert self.study is not None
            # The index is built after the first frame (finish_loading) or on first use.
            self.search_box = SearchBox(self._search_index, self.study.fly_to, search_bar)
            search_bar.addWidget(self.search_box)
            self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
            self.addToolBar(Qt.ToolBarArea.TopToolBarArea, search_bar)
            return
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _search_index(self) -> Any:
        """The search box's index: the atlas's names and its synonyms (problems reported)."""
        from viewer.domain.search import SearchIndex
        from viewer.io.synonyms import load_synonyms

        synonyms, problems = load_synonyms(self.state.atlas)
        for problem in problems:
            log.warning("%s", problem)
        self.problem_list.add(problems)
        return SearchIndex(self.state.atlas, synonyms)

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

    def show_all(self) -> None:
        """Show every structure again."""
        self.state.show_all()

    def deselect(self) -> None:
        """Clear the selection."""
        self.state.select(None)

    # -- undo / redo -------------------------------------------------------------------------

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

    def set_posture_guides(self, checked: bool) -> None:
        """Draw the posture references (tilt line, plumb, lumbar curve, ghost, chair) or not."""
        if self.view3d is not None:
            self.view3d.posture_guides.set_enabled(checked)
            self.view3d.request_render()

    def set_orientation_words(self, checked: bool) -> None:
        """Write "Front"/"Back" and the body's "Right"/"Left" at the view's edges or not."""
        if self.view3d is not None:
            self.view3d.set_orientation_words(checked)
            self.view3d.request_render()

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
                    f"<td>Pair view: {html_escape(action.text()[1:].strip())}</td></tr>"
                )
        rows += "<tr><td><b>Drag</b></td><td>Rotate (Shift: pan, Ctrl: spin, wheel: zoom)</td></tr>"
        rows += "<tr><td><b>Click</b></td><td>Select the structure under the mouse</td></tr>"
        box = getattr(self, "shortcuts_box", None)
        if box is None:  # one box, reused: a new one per F1 would pile up until exit
            box = QMessageBox(
                QMessageBox.Icon.NoIcon,
                "Keyboard shortcuts",
                "",
                QMessageBox.StandardButton.Close,
                self,
            )
            box.setObjectName("shortcuts_box")
            self.shortcuts_box = box
        box.setText(f"<table>{rows}</table>")
        box.show()
        box.raise_()

    def about_text(self) -> str:
        """About box text: version, data sources and their licences, the disclaimer."""
        sources = "".join(
            f"<li><b>{html_escape(s.name)}</b> {html_escape(s.version)} — {html_escape(s.licence)}"
            + (f"<br><small>{html_escape(s.note)}</small>" if s.note else "")
            + "</li>"
            for s in self.context.loaded.atlas.sources
        )
        return (
            f"<h3>Trigger Atlas {__version__}</h3>"
            "<p>A 3D atlas of the low back, pelvis and hip with myofascial trigger points.</p>"
            f"<p><b>{DISCLAIMER}</b></p>"
            f"<p>Anatomy data:</p><ul>{sources or '<li>no atlas installed</li>'}</ul>"
            f"<p>{SKELETON_NOTE}</p>"
            "<p>Sources and licences per file: "
            f"<code>{html_escape(str(self.context.loaded.folder))}/NOTICE</code>"
            "</p>"
            f"<p>Log file: <code>{html_escape(str(log_file()))}</code></p>"
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
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
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
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        discard(self.problems_box)
        box.show()
        self.problems_box = box
        self.statusBar().showMessage(
            f"{len(problems)} atlas file problem(s); click the problem count for the list."
        )

    # -- lifecycle -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  (Qt override)
        """Save window geometry, release the 3D view, then close."""
        if self.lessons.presenter is not None:
            self.lessons.presenter.stop()
        self.prefs.save_window(self.saveGeometry(), self.saveState())
        self.state.selection_changed.disconnect(self._show_selection)
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._on_color_scheme)
        if self.study is not None:
            self.study.detach()
        if self.panel is not None:
            self.panel.detach()
        if getattr(self, "posture_panel", None) is not None:
            self.posture_panel.detach()
        for panel in self.feature_panels:
            panel.detach()
        if self.view3d is not None:
            self.view3d.shutdown()
        super().closeEvent(event)
