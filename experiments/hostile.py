"""The hostile round: bad input to every command, each expected to end in one line and exit 2.

    python -m experiments.hostile          # runs every case, prints the table per command

Each case is a command line as a careful user or an attacker would type it: a wrong type,
an unknown or misspelt key, a value out of range, a missing or broken file, a file where a
folder belongs. A case is *clean* when the command exits 2, prints exactly one line on
stderr (``<command>: error: ...``), no traceback anywhere, and leaves no file behind.
``tests/test_bad_input.py`` runs the same table; this script prints it for a closing note.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Case:
    """One bad command line; ``{w}`` stands for the case's working folder (made by ``prepare``)."""

    command: str  # the console script
    arguments: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Outcome:
    status: int
    stderr: str
    traceback: bool
    left: list[str]  # files the command wrote into the working folder

    @property
    def one_line(self) -> bool:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return len(lines) == 1 and ": error: " in lines[0]

    @property
    def clean(self) -> bool:
        return self.status == 2 and self.one_line and not self.traceback and not self.left


CASES: tuple[Case, ...] = (
    Case("spsim", ("seed=abc",), "a wrong type"),
    Case("spsim", ("scenario.nope=1",), "an unknown key"),
    Case("spsim", ("horizon_days=-5",), "out of range"),
    Case("spsim", ("scenario.unit_cost_mean=1e-9", "debug=default"), "a price that rounds to zero cents"),
    Case("spsim", ("scenario.unit_cost_mean=1e300", "debug=default"), "money the books cannot hold"),
    Case("spsim", ("horizon_days=100000000",), "more memory than the machine has"),
    Case("spsim", ("policy=regular_meetings", "policy.regular_meetings.hourly_cost=inf", "debug=default"), "inf"),
    Case("spsim", ("scenario.lead_time_mean_days=inf", "debug=default"), "not finite"),
    Case("spsim", ("--config-dir", "{w}/broken", "scenario=bad", "debug=default"), "broken YAML in a config dir"),
    Case("spsim", ("--config-dir", "{w}/nowhere", "debug=default"), "a missing config dir"),
    Case("spsim", ("scenario.demand_file={w}/missing.csv", "debug=default"), "a missing demand file"),
    Case("spsim", ("scenario.demand_file={w}/late.csv", "debug=default"), "a demand day after the horizon"),
    Case("spsim", ("-m", "+experiment=compare_policies", "arm=silo,nope"), "an unknown arm in a sweep"),
    Case("spsim", ("-m", "+experiment=nope"), "an unknown experiment"),
    Case("spsim-aggregate", ("{w}/nowhere",), "a missing sweep folder"),
    Case("spsim-aggregate", ("{w}/afile",), "a file, not a folder"),
    Case("spsim-aggregate", ("{w}/empty",), "not a sweep"),
    Case("spsim-report", ("{w}/nowhere",), "a missing sweep folder"),
    Case("spsim-report", ("{w}/empty", "--target-fill-rate", "nan"), "a fill rate that is no number"),
    Case("spsim-replay", ("{w}/nowhere",), "a missing run folder"),
    Case("spsim-replay", ("{w}/run", "--fps", "nan"), "frames per second that is no number"),
    Case("spsim-replay", ("{w}/run", "--sku", "999"), "an unknown SKU"),
    Case("spsim-viz", ("--port", "99999"), "a port out of range"),
    Case("spsim-viz", ("--host", "999.999.0.1"), "a host that is no address"),
    Case("spsim-play", ("rerun", "{w}/nowhere"), "a missing game"),
    Case("spsim-play", ("debrief", "{w}/empty", "--out", "{w}/afile"), "a file where the output folder goes"),
    Case("spsim-sensitivity", ("--config", "{w}/nowhere.yaml"), "a missing config"),
    Case(
        "spsim-sensitivity",
        ("--config", str(CONFIGS / "analysis" / "morris.yaml"), "--out", "{w}/afile"),
        "--out a file",
    ),
    Case("spsim-optimise", ("--config", "{w}/broken.yaml"), "broken YAML"),
    Case(
        "spsim-optimise",
        ("--config", str(CONFIGS / "analysis" / "optimise.yaml"), "--study-dir", "{w}/afile"),
        "a file",
    ),
    Case(
        "spsim-calibrate",
        ("--config", str(CONFIGS / "calibration" / "example_client.yaml"), "--out", "{w}/afile"),
        "a file",
    ),
    Case("spsim-calibrate", ("--config", "{w}/unknown_parameter.yaml"), "an unknown parameter"),
)


def prepare(folder: Path, run_folder: Callable[[Path], None] | None = None) -> None:
    """The files the cases point at: broken configs, a stray file, an empty folder, bad demand files, a run."""
    (folder / "broken" / "scenario").mkdir(parents=True)
    (folder / "broken" / "scenario" / "bad.yaml").write_text("name: x\nskus: [1,\n")
    (folder / "broken.yaml").write_text("parameters: {a: [1,\n")
    (folder / "afile").write_text("a file, not a folder\n")
    (folder / "empty").mkdir()
    (folder / "late.csv").write_text("day,sku,quantity\n0,0,5\n1e15,1,5\n")
    (folder / "unknown_parameter.yaml").write_text(
        (CONFIGS / "calibration" / "example_client.yaml")
        .read_text()
        .replace("org.safety_z:", "org.safety_zz:")
        .replace(
            "demand_file: example_client_orders.csv",
            f"demand_file: {CONFIGS / 'calibration' / 'example_client_orders.csv'}",
        )
    )
    if run_folder is not None:
        run_folder(folder / "run")


def make_run(folder: Path) -> None:
    """A short real run for the replay cases."""
    done = subprocess.run(
        [str(BIN / "spsim"), "debug=default", "output.charts=false", f"hydra.run.dir={folder}"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"the replay cases' run failed: {done.stderr[-500:]}")


def listing(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def check(case: Case, folder: Path) -> Outcome:
    """Run ``case`` in ``folder`` (prepared) and see what it did."""
    before = listing(folder)
    arguments = [argument.replace("{w}", str(folder)) for argument in case.arguments]
    environment = {**os.environ, "SPSIM_RESULTS": str(folder / "results"), "MPLBACKEND": "Agg"}
    environment.pop("HYDRA_FULL_ERROR", None)
    done = subprocess.run(
        [str(BIN / case.command), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=folder,
        timeout=120,
        check=False,
    )
    left = sorted(listing(folder) - before)
    return Outcome(done.returncode, done.stderr, "Traceback" in done.stdout + done.stderr, left)


def main() -> None:
    rows: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory(prefix="spsim-hostile-") as name:
        root = Path(name)
        prepare(root, make_run)
        for case in CASES:
            outcome = check(case, root)
            counts = rows.setdefault(case.command, [0, 0, 0, 0, 0])
            counts[0] += 1
            counts[1] += outcome.clean
            counts[2] += outcome.traceback
            counts[3] += outcome.status != 2
            counts[4] += bool(outcome.left)
            if not outcome.clean:
                print(
                    f"NOT CLEAN {case.command} {' '.join(case.arguments)}: exit {outcome.status}, "
                    f"{outcome.stderr.strip().splitlines()[-1:] or ['(no message)']}, left {outcome.left[:3]}"
                )
            shutil.rmtree(root / "results", ignore_errors=True)
    print("| command | cases | clean | traceback | wrong exit | output left |")
    print("|---|---|---|---|---|---|")
    for command, (cases, clean, traceback, wrong, left) in rows.items():
        print(f"| `{command}` | {cases} | {clean} | {traceback} | {wrong} | {left} |")


if __name__ == "__main__":
    main()
