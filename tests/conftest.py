"""Shared fixtures: CLI runs that several tests read (one per worker, made once)."""

from pathlib import Path

import pytest

from tests.helpers import describe, spsim


@pytest.fixture(scope="session")
def debug_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``spsim debug=default hydra.run.dir=<tmp>``: the default scenario, shrunk."""
    base = tmp_path_factory.mktemp("debug_run")
    run_dir = base / "run"
    result = spsim(["debug=default", f"hydra.run.dir={run_dir}"], results=base / "results")
    assert result.returncode == 0, describe(result)
    return run_dir


@pytest.fixture
def results(tmp_path: Path) -> Path:
    """Where ``SPSIM_RESULTS`` points (not created beforehand)."""
    return tmp_path / "results"
