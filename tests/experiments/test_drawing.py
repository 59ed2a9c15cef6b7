"""A report's charts written in forked children (sim.analysis.drawing): the same files, errors kept, no child left.

Each case runs in a fresh interpreter: forking needs a process with one thread, and a
pytest-xdist worker runs more.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import ROOT

CASE = textwrap.dedent(
    """
    import json, os, sys, threading
    from pathlib import Path
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sim.analysis.drawing import Drawing

    folder, case = Path(sys.argv[1]), sys.argv[2]
    forks = []
    real_fork = os.fork
    def counted_fork():
        forks.append(1)
        return real_fork()
    os.fork = counted_fork

    def chart(n):
        figure, axis = plt.subplots(figsize=(4, 3))
        axis.plot(range(n + 2), [i * i for i in range(n + 2)], label=f"chart {n}")
        axis.legend()
        return figure

    error = None
    try:
        if case == "parallel_and_in_turn":
            with Drawing(workers=2) as drawing:
                for n in range(3):
                    drawing.save(chart(n), folder / "forked" / f"{n}.png", dpi=80, bbox_inches="tight")
            with Drawing(workers=1) as drawing:
                for n in range(3):
                    drawing.save(chart(n), folder / "in_turn" / f"{n}.png", dpi=80, bbox_inches="tight")
        elif case == "a_child_fails":
            with Drawing(workers=2) as drawing:
                drawing.save(chart(0), folder / "good.png")
                drawing.save(chart(1), folder / "bad.png", dpi="not a number")
        elif case == "the_block_fails":
            with Drawing(workers=2) as drawing:
                drawing.save(chart(0), folder / "drawn.png")
                raise KeyError("the report broke")
        elif case == "fork_fails":
            def no_process(): raise BlockingIOError("Resource temporarily unavailable")
            os.fork = no_process
            with Drawing(workers=2) as drawing:
                drawing.save(chart(0), folder / "drawn.png")
        elif case == "another_thread_runs":
            stop = threading.Event()
            threading.Thread(target=stop.wait).start()
            with Drawing(workers=2) as drawing:
                drawing.save(chart(0), folder / "drawn.png")
            stop.set()
    except Exception as raised:
        error = type(raised).__name__
    try:
        os.waitpid(-1, os.WNOHANG)
        children_left = True
    except ChildProcessError:
        children_left = False
    print(json.dumps({"forks": len(forks), "error": error, "children_left": children_left,
                      "open_figures": len(plt.get_fignums())}))
    """
)


def _run(case: str, folder: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CASE, str(folder), case], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_charts_written_in_children_are_the_files_written_in_turn(tmp_path: Path) -> None:
    result = _run("parallel_and_in_turn", tmp_path)
    assert result == {"forks": 3, "error": None, "children_left": False, "open_figures": 0}
    for n in range(3):
        assert (tmp_path / "forked" / f"{n}.png").read_bytes() == (tmp_path / "in_turn" / f"{n}.png").read_bytes()
    assert not list(tmp_path.rglob("*.partial*"))


def test_a_childs_error_is_raised_by_the_report(tmp_path: Path) -> None:
    result = _run("a_child_fails", tmp_path)
    assert result["error"] in ("TypeError", "ValueError") and result["children_left"] is False
    assert (tmp_path / "good.png").exists() and not (tmp_path / "bad.png").exists()
    assert not list(tmp_path.rglob("*.partial*"))


def test_a_failing_report_waits_for_its_children_and_raises_its_own_error(tmp_path: Path) -> None:
    result = _run("the_block_fails", tmp_path)
    assert result == {"forks": 1, "error": "KeyError", "children_left": False, "open_figures": 0}


def test_a_chart_is_written_here_when_no_child_can_be_forked(tmp_path: Path) -> None:
    result = _run("fork_fails", tmp_path)
    assert result == {"forks": 0, "error": None, "children_left": False, "open_figures": 0}
    assert (tmp_path / "drawn.png").exists()


def test_no_child_is_forked_while_another_thread_runs(tmp_path: Path) -> None:
    result = _run("another_thread_runs", tmp_path)
    assert result == {"forks": 0, "error": None, "children_left": False, "open_figures": 0}
    assert (tmp_path / "drawn.png").exists()
