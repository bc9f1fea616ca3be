"""Structures panel: a tree by kind and region with visibility, opacity and colour per structure.

The panel never changes actors: it calls state actions and re-reads state when signals arrive.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSignalBlocker, Qt
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QHeaderView,
    QLineEdit,
    QMenu,
    QSlider,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.domain.structures import KIND_TITLES, REGION_TITLES, Atlas, Kind, Structure
from viewer.state.scene import SceneState

ID_ROLE = Qt.ItemDataRole.UserRole
"""Item data role holding the structure id (or a ``category:`` key for kind/region rows)."""

KIND_ORDER = (Kind.BONE, Kind.DISC, Kind.MUSCLE, Kind.LIGAMENT, Kind.REGION, Kind.SKIN)

SLIDER_WIDTH = 50
"""Opacity slider column (narrow: the names need the room)."""

INDENTATION = 11
"""Tree indentation per level (Qt's default 20 costs the deepest names 45 px)."""

TEXT_PADDING = 4
"""Padding around check box and swatch icon in a row."""

MAX_WIDTH = 380
"""The panel never asks for more than this; longer names elide and keep their tooltip."""


def swatch(color: str, size: int = 14) -> QIcon:
    """A small filled square in the structure's colour."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def tree_name(s: Structure, atlas: Atlas) -> str:
    """The name shown in the tree: without a side its parent row already states.

    "Psoas major, upper part (T12-L2) (right)" under "Psoas major (right)" reads as
    "Psoas major, upper part (T12-L2)"; the full name stays in the tooltip and status bar.
    """
    parent = atlas.get(s.parent) if s.parent and s.parent in atlas else None
    for side in ("(right)", "(left)"):
        if parent is not None and s.name.endswith(f" {side}") and parent.name.endswith(side):
            return s.name[: -len(side) - 1]
    return s.name


class StructurePanel(QWidget):
    """Tree of structures; categories and groups check/uncheck all their members."""

    def __init__(self, state: SceneState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("structure_panel")
        self.state = state
        self.atlas: Atlas = state.atlas
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter structures…")
        self.filter_edit.setAccessibleName("Filter structures")
        self.filter_edit.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("structure_tree")
        self.tree.setAccessibleName("Structures")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Structure", "Opacity"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.tree.header().resizeSection(1, SLIDER_WIDTH)
        self.tree.header().setStretchLastSection(False)
        self.tree.setIndentation(INDENTATION)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree)

        self.items: dict[str, QTreeWidgetItem] = {}
        self.sliders: dict[str, QSlider] = {}
        self._category_leaves: dict[str, tuple[str, ...]] = {}
        self._category_items: dict[str, QTreeWidgetItem] = {}
        self._populate()

        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self.filter_edit.textChanged.connect(self.apply_filter)
        state.visibility_changed.connect(self._refresh_checks)
        state.opacity_changed.connect(self._refresh_opacity)
        state.color_changed.connect(self._refresh_colors)
        state.selection_changed.connect(self._refresh_selection)

    # -- sizing --------------------------------------------------------------------------------
    def name_room(self, item: QTreeWidgetItem) -> int:
        """Pixels the name column leaves for this item's text (after indent and check box)."""
        depth = 0
        parent = item.parent()
        while parent is not None:
            depth += 1
            parent = parent.parent()
        style = self.tree.style()
        check = (
            style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
            + self.tree.iconSize().width()
            + 3 * TEXT_PADDING
        )
        # Top-level items are indented too (the branch arrow column).
        return self.tree.header().sectionSize(0) - (depth + 1) * self.tree.indentation() - check

    def preferred_width(self) -> int:
        """Width at which every name in the tree reads in full (capped at :data:`MAX_WIDTH`).

        Names are what the panel is for; "Gluteus …" six times tells nothing. Longer names
        than the cap still have their full text (and Latin name) in a tooltip.
        """
        metrics = self.tree.fontMetrics()
        style = self.tree.style()
        check = (
            style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
            + self.tree.iconSize().width()
            + 3 * TEXT_PADDING
        )
        need = 0
        stack = [(self.tree.topLevelItem(i), 1) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item, depth = stack.pop()
            if item is None:
                continue
            font_metrics = QFontMetrics(item.font(0)) if item.font(0).bold() else metrics
            text = font_metrics.horizontalAdvance(item.text(0))
            need = max(need, depth * self.tree.indentation() + check + text)
            stack += [(item.child(i), depth + 1) for i in range(item.childCount())]
        scrollbar = style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        frame = 2 * self.tree.frameWidth() + 8  # the panel's own margins
        return min(MAX_WIDTH, need + SLIDER_WIDTH + scrollbar + frame + 4)

    # -- building ------------------------------------------------------------------------------
    def _populate(self) -> None:
        atlas = self.atlas
        for kind in KIND_ORDER:
            top_level = [
                s
                for s in atlas.structures
                if self._display_kind(s) is kind and (s.parent is None or s.parent not in atlas)
            ]
            if not top_level:
                continue
            kind_item = self._category_item(
                self.tree.invisibleRootItem(), f"kind:{kind.value}", KIND_TITLES[kind]
            )
            regions = [r for r in REGION_TITLES if any(s.region == r for s in top_level)]
            regions += sorted({s.region for s in top_level} - set(regions))
            leaves_of_kind: list[str] = []
            for region in regions:
                members = [s for s in top_level if s.region == region]
                if len(regions) > 1:
                    parent = self._category_item(
                        kind_item,
                        f"region:{kind.value}:{region}",
                        REGION_TITLES.get(region, region),
                    )
                else:
                    parent = kind_item
                region_leaves: list[str] = []
                for s in members:
                    self._add_structure(parent, s)
                    region_leaves += atlas.leaves(s.id)
                if parent is not kind_item:
                    self._category_leaves[parent.data(0, ID_ROLE)] = tuple(region_leaves)
                leaves_of_kind += region_leaves
            self._category_leaves[kind_item.data(0, ID_ROLE)] = tuple(leaves_of_kind)
            kind_item.setExpanded(kind is not Kind.MUSCLE or len(leaves_of_kind) < 12)
        for s in atlas.structures:
            if s.has_geometry or s.kind is Kind.GROUP:
                self._install_slider(s.id)
        self._refresh_checks(())
        self._refresh_colors(tuple(self.items))

    def _display_kind(self, s: Structure) -> Kind:
        """Groups are listed under the kind of their first member (e.g. iliopsoas -> muscles)."""
        if s.kind is not Kind.GROUP:
            return s.kind
        leaves = self.atlas.leaves(s.id)
        return self.atlas.get(leaves[0]).kind if leaves else Kind.GROUP

    def _category_item(self, parent: QTreeWidgetItem, key: str, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [title])
        item.setData(0, ID_ROLE, key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        self._category_items[key] = item
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        return item

    def _add_structure(self, parent: QTreeWidgetItem, s: Structure) -> None:
        item = QTreeWidgetItem(parent, [tree_name(s, self.atlas)])
        item.setData(0, ID_ROLE, s.id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        tip = s.name if not s.latin else f"{s.name}\n{s.latin}"
        if s.fma:
            tip += f"\nFMA {s.fma}"
        item.setToolTip(0, tip)
        self.items[s.id] = item
        for child in self.atlas.children(s.id):
            self._add_structure(item, self.atlas.get(child))

    def _install_slider(self, sid: str) -> None:
        if sid not in self.items or not self.atlas.leaves(sid):
            return
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, 100)
        slider.setValue(round(self.state.opacity(sid) * 100))
        slider.setAccessibleName(f"Opacity of {self.atlas.get(sid).name}")
        slider.setToolTip("Opacity")
        slider.valueChanged.connect(lambda v, sid=sid: self.state.set_opacity(sid, v / 100.0))
        self.tree.setItemWidget(self.items[sid], 1, slider)
        self.sliders[sid] = slider

    # -- user intent -> state -----------------------------------------------------------------
    def _ids_of(self, item: QTreeWidgetItem) -> tuple[str, ...]:
        key = item.data(0, ID_ROLE)
        if key in self._category_leaves:
            return self._category_leaves[key]
        return (key,)

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 0:
            return
        checked = item.checkState(0) == Qt.CheckState.Checked
        self.state.set_visible(self._ids_of(item), checked)

    def _on_current_changed(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if current is None:
            return
        key = current.data(0, ID_ROLE)
        if key in self.atlas:
            self.state.select(key)

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        ids = self._ids_of(item)
        menu = QMenu(self)
        menu.addAction("Isolate", lambda: self.state.isolate(ids))
        menu.addAction("Hide", lambda: self.state.set_visible(ids, False))
        menu.addAction("Show all", self.state.show_all)
        key = item.data(0, ID_ROLE)
        if key in self.atlas:
            menu.addAction("Change colour…", lambda: self.choose_color(key))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def choose_color(self, sid: str) -> None:
        """Ask for a colour and apply it to the structure (or every member of a group)."""
        color = QColorDialog.getColor(QColor(self.state.color(sid)), self, "Structure colour")
        if color.isValid():
            self.state.set_color(sid, color.name())

    def apply_filter(self, text: str) -> None:
        """Show only rows whose name (or Latin name) contains ``text``, with their parents."""
        needle = text.strip().lower()

        def visit(item: QTreeWidgetItem) -> bool:
            key = item.data(0, ID_ROLE)
            own = not needle or needle in item.text(0).lower()
            if key in self.atlas:
                own = own or needle in self.atlas.get(key).latin.lower()
            any_child = False
            for i in range(item.childCount()):
                child = item.child(i)
                if child is not None:
                    any_child = visit(child) or any_child
            shown = own or any_child
            item.setHidden(not shown)
            if needle and any_child:
                item.setExpanded(True)
            return shown

        root = self.tree.invisibleRootItem()
        for i in range(root.childCount()):
            top = root.child(i)
            if top is not None:
                visit(top)

    # -- state -> widgets ----------------------------------------------------------------------
    def _check_state(self, leaves: tuple[str, ...]) -> Qt.CheckState:
        shown = sum(self.state.is_visible(i) for i in leaves)
        if shown == len(leaves):
            return Qt.CheckState.Checked
        return Qt.CheckState.Unchecked if shown == 0 else Qt.CheckState.PartiallyChecked

    def _refresh_checks(self, _ids: tuple[str, ...]) -> None:
        with QSignalBlocker(self.tree):
            for key, leaves in self._category_leaves.items():
                if leaves:
                    self._category_items[key].setCheckState(0, self._check_state(leaves))
            for sid, item in self.items.items():
                leaves = self.atlas.leaves(sid)
                if leaves:
                    item.setCheckState(0, self._check_state(leaves))

    def _refresh_opacity(self, _ids: tuple[str, ...]) -> None:
        for sid, slider in self.sliders.items():
            with QSignalBlocker(slider):
                slider.setValue(round(self.state.opacity(sid) * 100))

    def _refresh_colors(self, _ids: tuple[str, ...]) -> None:
        for sid, item in self.items.items():
            if self.atlas.leaves(sid):
                item.setIcon(0, swatch(self.state.color(sid)))

    def _refresh_selection(self, selected: object) -> None:
        with QSignalBlocker(self.tree):
            if selected is None:
                self.tree.clearSelection()
                self.tree.setCurrentIndex(self.tree.rootIndex())
                return
            item = self.items.get(str(selected))
            if item is not None:
                self.tree.setCurrentItem(item)
                self.tree.scrollToItem(item)

    def set_plain_names(self, plain: bool) -> None:
        """Everyday names ("big buttock muscle (gluteus maximus)") instead of anatomical ones."""
        for sid, item in self.items.items():
            s = self.atlas.get(sid)
            item.setText(0, (s.plain_name or s.name) if plain else tree_name(s, self.atlas))

    def detach(self) -> None:
        """Stop observing the state (the window is closing)."""
        self.state.visibility_changed.disconnect(self._refresh_checks)
        self.state.opacity_changed.disconnect(self._refresh_opacity)
        self.state.color_changed.disconnect(self._refresh_colors)
        self.state.selection_changed.disconnect(self._refresh_selection)
