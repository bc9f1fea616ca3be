"""``trigger-atlas validate``: every problem with file, entry and field; exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tests.trigger_factory import annotation_data, write_annotations, write_body_atlas
from viewer.commands import validate


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_body_atlas(tmp_path_factory.mktemp("body"))


def _args(path: Path | None, atlas: Path | None, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    validate.add_arguments(parser)
    args = parser.parse_args([*([str(path)] if path else []), *extra])
    args.atlas = atlas
    return args


def test_clean_folder_prints_one_summary_line(
    tmp_path: Path, atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_annotations(tmp_path / "ann")
    assert validate.run(_args(folder, atlas)) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert out[0].startswith("OK: 4 trigger points (2 right + 2 left), 4 referral patterns")


def test_problems_name_file_entry_and_field(
    tmp_path: Path, atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = annotation_data()
    data["trigger_points.json"]["trigger_points"][0]["confidence"] = "maybe"
    data["trigger_points.json"]["trigger_points"][1]["muscle"] = "muscle_x_right"
    data["referral_zones.json"]["patterns"][0]["zones"][1]["landmark"] = "elbow_right"
    folder = write_annotations(tmp_path / "ann", data)
    assert validate.run(_args(folder, atlas)) == 1
    out = capsys.readouterr().out
    tp_file = str(folder / "trigger_points.json")
    rz_file = str(folder / "referral_zones.json")
    assert f"error: {tp_file}: trigger_points[0] (p_upper_right) confidence: 'maybe'" in out
    assert (
        f"error: {tp_file}: trigger_points[1] (q_front_right) muscle: "
        "unknown muscle 'muscle_x_right'" in out
    )
    assert f"error: {rz_file}: patterns[0] (pattern_p_right) zones[1].landmark:" in out
    assert out.strip().splitlines()[-1].startswith("FAILED: ")


def test_geometry_problems_are_errors_too(
    tmp_path: Path, atlas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    broken = tmp_path / "atlas"
    shutil.copytree(atlas, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["structures"] = [s for s in manifest["structures"] if s["id"] != "skin"]
    (broken / "manifest.json").write_text(json.dumps(manifest))
    folder = write_annotations(tmp_path / "ann")
    assert validate.run(_args(folder, broken)) == 1
    assert "the atlas has no skin" in capsys.readouterr().out


def test_files_only_mode_and_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate.run(_args(write_annotations(tmp_path / "ann"), None, "--files-only")) == 0
    assert "files only" in capsys.readouterr().out
    assert validate.run(_args(tmp_path / "nowhere", None)) == 1
    assert "not a folder" in capsys.readouterr().err


def test_builtin_annotations_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate.run(_args(None, None, "--files-only")) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_builtin_annotations_fit_the_builtin_atlas(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.trigger_factory import builtin_model_or_skip

    builtin_model_or_skip()
    code = validate.run(_args(None, None))
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("OK: ")
