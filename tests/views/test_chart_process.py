"""The dashboard drawn in a second process (one ``spsim`` run): the same file, and no process left.

The parallel path runs in a fresh interpreter, as ``spsim`` does: a test worker may hold
threads of earlier tests, and with threads the chart is drawn in-process (``fork`` must not
copy them), which the last test checks.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sim.configure import load_config
from sim.output.runfolder import read_summary
from sim.views import chart_process, dashboard

SHORT = {"horizon_days": 60, "warmup_days": 14, "seed": 3}

_ONE_RUN = """
import json, multiprocessing, sys
from pathlib import Path
from sim import runner
from sim.configure import load_config
from sim.views import chart_process

folder, short = Path(sys.argv[1]), json.loads(sys.argv[2])
parallel = chart_process.forks_usefully()
runner.run_to_folder(load_config(short), folder / "run", chart_in_parallel=True)
left = len(multiprocessing.active_children())

def broken(config, **_):
    raise RuntimeError("the simulation broke")

runner.simulate = broken  # a run that fails after the chart's process started
try:
    runner.run_to_folder(load_config(short), folder / "failed", chart_in_parallel=True)
except RuntimeError:
    pass
print(json.dumps({"parallel": parallel, "left": left, "left_after_failure": len(multiprocessing.active_children())}))
"""


def test_the_chart_drawn_in_a_second_process_is_the_one_drawn_here_and_the_process_stops(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ONE_RUN, str(tmp_path), json.dumps(SHORT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"parallel": True, "left": 0, "left_after_failure": 0}, done.stderr[-2000:]
    run = tmp_path / "run"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert "charts/dashboard.png" in manifest["files"]
    assert json.loads((tmp_path / "failed" / "manifest.json").read_text())["status"] == "failed"
    drawn_there = (run / "charts" / "dashboard.png").read_bytes()
    config = load_config(SHORT)
    title = dashboard.title(config.scenario.name, config.seed)
    daily = pd.read_parquet(run / "timeseries.parquet")
    drawn_here = dashboard.write(tmp_path / "here", daily, read_summary(run), config.warmup_days, title)
    assert drawn_here.read_bytes() == drawn_there, "the same chart, byte for byte"


def test_without_a_second_process_the_chart_is_drawn_here(tmp_path: Path) -> None:
    config = load_config(SHORT)
    from sim.runner import simulate

    tables, _ = simulate(config)
    with chart_process.ChartProcess(parallel=False) as drawer:
        chart = drawer.write(tmp_path, tables.timeseries, tables.summary, config)
        assert chart.done(), "drawn before write returns"
    assert chart.result() == tmp_path / "charts" / "dashboard.png"
    assert chart.result().stat().st_size > 10_000
