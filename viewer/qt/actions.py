"""Menu and keyboard actions as data: id, menu, title, shortcut, handler name.

The main window turns this table into ``QAction`` objects in one place, and Help lists it, so a
shortcut is defined exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.domain.bodies import BODY_IDS, BODY_LABELS
from viewer.domain.camera import STANDARD_VIEWS


@dataclass(frozen=True)
class ActionSpec:
    """One user action. ``handler`` names a method of the main window, or of one of its
    controllers as ``controller.method`` (e.g. ``study.undo``); ``arg`` is passed to it.

    Checkable actions with an ``arg`` form an exclusive group per handler (e.g. the theme choice).
    """

    id: str
    menu: str
    title: str
    shortcut: str
    handler: str
    arg: str | None = None
    checkable: bool = False
    tip: str = ""


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.open_scene", "&File", "&Open scene…", "Ctrl+O", "files.ask_open"),
    ActionSpec("file.save_scene", "&File", "&Save scene as…", "Ctrl+S", "files.ask_save"),
    ActionSpec("file.export_image", "&File", "&Export image…", "Ctrl+E", "files.ask_export"),
    ActionSpec(
        "file.copy_image",
        "&File",
        "&Copy image",
        "Ctrl+Shift+C",
        "files.copy_image",
        tip="A 1920×1080 image of the 3D view, ready to paste into slides",
    ),
    ActionSpec(
        "file.turntable",
        "&File",
        "Export &turntable animation…",
        "",
        "files.ask_turntable",
        tip="A 360° orbit of the current scene as GIF or MP4",
    ),
    ActionSpec(
        "file.handout",
        "&File",
        "Patient &handout (PDF)…",
        "Ctrl+Shift+P",
        "patient.write_handout",
        tip="Front and back pain maps with plain words and self-care notes",
    ),
    ActionSpec(
        "file.import_meshes",
        "&File",
        "&Import meshes (folder)…",
        "",
        "meshio.ask_import",
        tip="BodyParts3D, Slicer or other meshes by FMA ID or name, saved as a user atlas",
    ),
    ActionSpec(
        "file.import_mesh_files",
        "&File",
        "Import mesh &files…",
        "",
        "meshio.ask_import_files",
        tip="Chosen OBJ, STL, PLY, OFF, glTF or VTK files, saved as a user atlas",
    ),
    ActionSpec(
        "file.export_3d",
        "&File",
        "Export &3D…",
        "",
        "meshio.ask_export_3d",
        tip="The visible scene as glTF (slides, web, Blender), OBJ, or one structure as STL",
    ),
    ActionSpec("file.quit", "&File", "&Quit", "Ctrl+Q", "close"),
    *(
        ActionSpec(f"view.{p.name}", "&View", f"{p.title} view", p.shortcut, "show_view", p.name)
        for p in STANDARD_VIEWS
        if p.shortcut
    ),
    ActionSpec(
        "view.reset",
        "&View",
        "&Reset view",
        "Home",
        "reset_view",
        tip="Default camera, every structure shown at default opacity",
    ),
    ActionSpec("view.skin", "&View", "Show &skin", "S", "toggle_skin", checkable=True),
    ActionSpec(
        "view.lod",
        "&View",
        "Fast drawing while &rotating",
        "",
        "set_level_of_detail",
        checkable=True,
        tip="Lighter meshes at half resolution while the view moves (labels stay sharp): "
        "smooth rotation without a graphics card",
    ),
    ActionSpec(
        "view.animate",
        "&View",
        "&Animate camera moves",
        "",
        "set_animate",
        checkable=True,
        tip="Smooth 0.5 s transitions between views and pair views",
    ),
    *(
        ActionSpec(
            f"view.body_{body}",
            "&View",
            f"Body: {BODY_LABELS[body].removesuffix(' body').lower()}",
            "",
            "bodies.choose",
            body,
            checkable=True,
            tip="Body outline over the one skeleton (the bones are not sex-specific)",
        )
        for body in BODY_IDS
    ),
    ActionSpec(
        "view.posture_guides",
        "&View",
        "Posture &references",
        "",
        "set_posture_guides",
        checkable=True,
        tip="On a posed body seen from the side: the ASIS-PSIS line with its angle, a plumb "
        "line, the lumbar curve with its lordosis, the standing pelvis as a ghost, a chair seat",
    ),
    ActionSpec(
        "view.orientation",
        "&View",
        "&Orientation words",
        "",
        "set_orientation_words",
        checkable=True,
        tip='"Front"/"Back" and the body\'s "Right"/"Left" at the edges of the view, where the '
        "camera leaves them unclear (from above, from a side, from the front)",
    ),
    ActionSpec("view.fullscreen", "&View", "&Full screen", "F11", "toggle_fullscreen"),
    ActionSpec(
        "view.patient",
        "&View",
        "&Patient mode",
        "Ctrl+P",
        "patient.set_patient_mode",
        checkable=True,
        tip="Plain words, larger text, fewer controls, skin shown",
    ),
    ActionSpec(
        "view.theme_system",
        "&View",
        "Theme: follow the system",
        "",
        "set_theme",
        "system",
        checkable=True,
    ),
    ActionSpec(
        "view.theme_light", "&View", "Theme: light", "", "set_theme", "light", checkable=True
    ),
    ActionSpec("view.theme_dark", "&View", "Theme: dark", "", "set_theme", "dark", checkable=True),
    ActionSpec("edit.undo", "&Edit", "&Undo", "Ctrl+Z", "study.undo"),
    ActionSpec("edit.redo", "&Edit", "&Redo", "Ctrl+Shift+Z", "study.redo"),
    ActionSpec("edit.search", "&Edit", "&Search structures…", "Ctrl+K", "study.focus_search"),
    ActionSpec("structure.isolate", "&Structures", "&Isolate selection", "I", "isolate_selection"),
    ActionSpec("structure.hide", "&Structures", "&Hide selection", "H", "hide_selection"),
    ActionSpec(
        "structure.ghost",
        "&Structures",
        "&Ghost selection (x-ray)",
        "G",
        "study.ghost_selection",
        tip="See through the selected structure; G again makes it solid",
    ),
    ActionSpec(
        "structure.label",
        "&Structures",
        "&Label selection",
        "T",
        "study.label_selection",
        tip="Name the selected structure with a leader line; T again removes it",
    ),
    ActionSpec(
        "structure.label_all",
        "&Structures",
        "Label all &visible",
        "Shift+T",
        "study.label_all",
        checkable=True,
        tip="Name what the camera sees: the selection and the story muscles first, a dozen or so",
    ),
    ActionSpec("structure.show_all", "&Structures", "Show &all", "Shift+H", "show_all"),
    ActionSpec(
        "structure.deselect",
        "&Structures",
        "&Back (leave pair view, stop marking, deselect)",
        "Esc",
        "escape",
    ),
    ActionSpec("pairs.other_side", "&Pairs", "&Other side", "L", "pair_other_side"),
    ActionSpec(
        "pairs.compare",
        "&Pairs",
        "&Compare side by side",
        "C",
        "set_compare",
        checkable=True,
        tip="Muscles on the left, where their referred pain reaches on the right",
    ),
    ActionSpec("structure.filter", "&Structures", "&Find structure…", "Ctrl+F", "focus_filter"),
    ActionSpec(
        "lesson.present",
        "&Lesson",
        "&Present the built-in lesson",
        "F5",
        "lessons.present_builtin_lesson",
        tip="Full screen; →/PgDn/Space next, ←/PgUp back, B blank, number+Enter, Esc ends",
    ),
    ActionSpec(
        "lesson.present_file",
        "&Lesson",
        "Present a lesson &file…",
        "Shift+F5",
        "lessons.present_lesson_file",
    ),
    ActionSpec("help.shortcuts", "&Help", "&Keyboard shortcuts", "F1", "show_shortcuts"),
    ActionSpec(
        "help.problems", "&Help", "&Problems found in files…", "", "problem_list.show_dialog"
    ),
    ActionSpec("help.about", "&Help", "&About Trigger Atlas", "", "show_about"),
)
"""Every action of the main window, in menu order."""
