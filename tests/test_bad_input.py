"""Bad input to every command: one line naming what is wrong, exit 2, no traceback, nothing written.

The cases are the hostile round's (:mod:`experiments.hostile`, which prints them as a table):
a wrong type, an unknown key, an out-of-range or non-finite value, a missing or broken
file, a file where a folder belongs, for ``spsim`` and each ``spsim-*`` command.
"""

from pathlib import Path

import pytest

from experiments.hostile import CASES, Case, check, make_run, prepare


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    prepare(folder, make_run)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[f"{case.command} {' '.join(case.arguments)}"[:80] for case in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(case: Case, workdir: Path) -> None:
    outcome = check(case, workdir)
    assert not outcome.traceback, outcome.stderr[-2000:]
    assert outcome.status == 2, (outcome.status, outcome.stderr[-2000:])
    assert outcome.one_line, outcome.stderr
    assert not outcome.left, f"{case.command} left {outcome.left[:5]}"
