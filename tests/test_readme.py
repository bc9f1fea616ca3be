"""README's commands and CI stay in step: CI runs exactly the test command the README shows."""

from __future__ import annotations

from tests.conftest import REPO

TEST_COMMAND = 'xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest -n 2'


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in readme
    last_command = [line for line in ci.splitlines() if line and not line.startswith("#")][-1]
    assert last_command == TEST_COMMAND


def test_readme_starts_with_launch_and_test_commands() -> None:
    head = (REPO / "README.md").read_text(encoding="utf-8")[:2500]
    assert ".venv/bin/trigger-atlas" in head
    assert TEST_COMMAND in head
