"""Atomic folder replacement: a kill between its renames loses nothing and leaves nothing hidden."""

import os
from pathlib import Path

from sim.output import atomic


def test_a_replacement_killed_between_its_renames_is_mended(tmp_path: Path) -> None:
    """Killed after the old folder went aside: no folder, the old one hidden; tidy_folder puts it back."""
    target = tmp_path / "report"
    target.mkdir()
    (target / "report.md").write_text("the old report")
    dead = 2**22 + 7  # above the usual pid_max: no such process
    aside = tmp_path / f".report.{dead}-abc123.partial.old"
    target.replace(aside)
    staging = tmp_path / f".report.{dead}-def456.partial"
    staging.mkdir()
    (staging / "report.md").write_text("half a report")
    atomic.tidy_folder(target)
    assert (target / "report.md").read_text() == "the old report"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report"]  # nothing hidden left


def test_leftovers_of_a_running_process_are_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "report"
    busy = tmp_path / f".report.{os.getppid()}-abc123.partial"
    busy.mkdir()
    atomic.tidy_folder(target)
    assert busy.is_dir()
