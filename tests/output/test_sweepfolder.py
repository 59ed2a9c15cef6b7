"""A sweep folder's runs and what each was asked to be."""

from pathlib import Path

from sim.output.sweepfolder import find_runs, parse_overrides


def test_an_arm_is_what_changes_results_not_how_a_run_is_made_or_written() -> None:
    lines = [
        "policy=rotation",
        "+scenario.accounts=100",
        "seed=2",
        "output.charts=false",
        "output.print_summary=false",
        "hydra.launcher.n_jobs=2",
        "hydra/launcher=joblib",
        "~org.sandbagging",
    ]
    assert parse_overrides(lines) == {"policy": "rotation", "scenario.accounts": "100", "seed": "2"}


def test_runs_are_found_at_any_depth_in_natural_order(tmp_path: Path) -> None:
    for name in ("10", "2", "policy=silo/1", "report/ignored", ".hidden/3"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "manifest.json").write_text("{}")
    assert [run.relative_to(tmp_path).as_posix() for run in find_runs(tmp_path)] == ["2", "10", "policy=silo/1"]
