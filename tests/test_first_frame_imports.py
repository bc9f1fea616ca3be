"""What the app does before its first frame: nothing a user does not need to see the atlas.

Launched as a user launches it (``python -m viewer``, stopped at the first frame), the process
must not have imported the heavy libraries that only features after the first frame use, and a
second launch on unchanged files must not import jsonschema: the manifest and the search
synonyms that validated clean before are not validated again (``viewer.io.validated``), and
the light meshes that read clean before come from their plain-array copies, without VTK's XML
reader (``viewer.io.mesh_cache``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gui_helpers import launch_to_first_frame
from viewer.io.manifest import load_manifest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.gui

LATER = ("scipy", "trimesh", "PIL", "potpourri3d", "pyvista", "matplotlib", "jsonschema")
"""Libraries the first frame does not need (heat maps, posture model, imports, validation)."""

XML_READER = "vtkmodules.vtkIOXML"
"""VTK's XML reader: only for meshes that changed since their last clean read."""

AFTER_FIRST_FRAME = (
    "viewer.io.posture",
    "viewer.domain.posture",
    "viewer.render.posture_painter",
    "viewer.render.labels",
    "viewer.render.posture_key",
    "viewer.render.posture_guides",
    "vtkmodules.vtkFiltersSources",
    "viewer.domain.search",
    "viewer.io.synonyms",
    "viewer.domain.referral",
    "viewer.domain.posture_guides",
)
"""What nothing in the standing opening view shows: the view's posture parts and labels
(``View3D._extras``), the search box's index, the referral domain (the CLI's sub-commands
name its disclaimer) and the posture references' geometry (the posture panel's words)."""

_PROBE = """
import json, os, sys
os.environ["TRIGGER_ATLAS_EXIT_AFTER_FIRST_FRAME"] = "1"
import viewer.app as app_module
original = app_module._exit_after_first_frame
def hook(view, app, loaded):
    renderer = view.renderer
    def on_end(*_args):
        if renderer.GetNumberOfPropsRendered():
            renderer.RemoveObserver(tag)
            print("modules-at-first-frame " + json.dumps(sorted(sys.modules)), flush=True)
    tag = renderer.AddObserver("EndEvent", on_end, 1.0)
    original(view, app, loaded)
app_module._exit_after_first_frame = hook
from viewer.cli import main
sys.argv = ["trigger-atlas", "--atlas", sys.argv[1]]
raise SystemExit(main())
"""


def _modules_at_first_frame(atlas: Path, home: Path, cache: Path) -> tuple[set[str], set[str]]:
    """(top-level packages, full module names) imported when the first frame was drawn."""
    env = {"TRIGGER_ATLAS_CACHE_DIR": str(cache)}
    out = launch_to_first_frame(["-c", _PROBE, str(atlas)], home, env)
    line = next(x for x in out.stdout.splitlines() if x.startswith("modules-at-first-frame "))
    names = set(json.loads(line.split(" ", 1)[1]))
    return {m.split(".")[0] for m in names}, names


def test_the_first_frame_imports_no_library_it_does_not_need(
    tiny_atlas_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, first_full = _modules_at_first_frame(tiny_atlas_dir, tmp_path, cache)
    assert not first & set(LATER[:-1]), sorted(first & set(LATER))
    assert "jsonschema" in first  # never validated: validated now
    assert XML_READER in first_full  # never read: read with VTK now, copies left
    assert not first_full & set(AFTER_FIRST_FRAME), sorted(first_full & set(AFTER_FIRST_FRAME))
    again, again_full = _modules_at_first_frame(tiny_atlas_dir, tmp_path, cache)
    assert not again & set(LATER), sorted(again & set(LATER))
    assert XML_READER not in again_full


def test_a_manifest_that_changed_since_it_validated_is_validated_again(
    tiny_atlas_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIGGER_ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    clean = load_manifest(tiny_atlas_copy)
    assert clean.problems == [] and list((tmp_path / "cache" / "validated").iterdir())
    again = load_manifest(tiny_atlas_copy)  # from the stamp: the same atlas
    assert again.atlas == clean.atlas and again.problems == []
    path = tiny_atlas_copy / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    data["structures"][0]["kind"] = "robot"
    path.write_text(json.dumps(data), encoding="utf-8")
    damaged = load_manifest(tiny_atlas_copy)
    assert any("robot" in p.message for p in damaged.problems), damaged.problems
    assert len(damaged.atlas.structures) == len(clean.atlas.structures) - 1
