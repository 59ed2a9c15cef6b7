"""The workshop replay: storyboard, animation, side by side, debrief, run picking, bad input.

Runs are small companies made in-process (a fraction of a second each); the console
script is exercised once as a user types it.
"""

import base64
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from sim import cli
from sim.configure import load_config
from sim.output import runfolder as replay
from sim.output.sweepfolder import pick_run
from sim.runner import run_to_folder
from sim.views import animation, captions, debrief, debrief_pack, debrief_why, side_by_side, storyboard
from tests.helpers import company

PNG = b"\x89PNG\r\n\x1a\n"
MEETING_CADENCE = 20
SEED = 4


def _make(folder: Path, policy: dict | None = None, **overrides: object) -> Path:
    raw = company(horizon_days=70, warmup_days=14, seed=SEED) | {"policy": policy or {}} | overrides
    raw["output"] = {"charts": False, "print_summary": False}
    run_to_folder(load_config(raw), folder)
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A silo run and the same seed with meetings every 20 days (all attend): laid out as a sweep."""
    sweep = tmp_path_factory.mktemp("sweep")
    made = {
        "silo": _make(sweep / "0"),
        "meetings": _make(sweep / "1", {"regular_meetings": {"cadence_days": MEETING_CADENCE, "attendance": 1.0}}),
    }
    for folder, policy in ((made["silo"], "silo"), (made["meetings"], "regular_meetings")):
        (folder / ".hydra").mkdir()
        (folder / ".hydra" / "overrides.yaml").write_text(f"- policy={policy}\n- seed={SEED}\n")
    made["sweep"] = sweep
    return made


def _copy(run: Path, to: Path) -> Path:
    shutil.copytree(run, to, ignore=shutil.ignore_patterns("replay"))
    return to


def _replay(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        cli.replay(arguments)
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(stopped.value.code or 0), out.out, out.err


# -- storyboard ----------------------------------------------------------------------------


def test_storyboard_annotates_only_logged_events(runs: dict[str, Path]) -> None:
    run = replay.load_run(runs["silo"])
    board = storyboard.write(run, limit=10)
    png, markdown = board.paths
    assert png.read_bytes().startswith(PNG)
    assert board.annotations, "a run with promotions and expedites has key events"
    assert len(board.annotations) <= 10
    events = pd.read_parquet(runs["silo"] / "events.parquet")
    for caption in board.annotations:
        rows = events.loc[list(caption.rows)]
        assert (rows["day"] == caption.day).all(), caption
        assert caption.kind in set(rows["event"].astype(str)), caption
        assert caption.label.startswith(f"day {caption.day}: ")
    text = markdown.read_text()
    for caption in board.annotations:
        assert re.search(rf"\| {caption.day} \| ★ \| [a-z]+ \| {re.escape(caption.text)} \|", text), caption.text
    # Every captioned event of the log is in the full list, none more.
    listed = {r for c in board.captions for r in c.rows}
    kinds = events["event"].astype(str)
    assert listed == set(events.index[kinds.isin(captions.IMPORTANCE)])


def test_captions_fold_and_count_events() -> None:
    events = pd.DataFrame(
        {
            "time": [5.5, 5.5, 5.5, 5.5, 9.125, 9.125],
            "day": [5, 5, 5, 5, 9, 9],
            "event": [
                "expedite_refused",
                "escalation",
                "expedite_refused",
                "escalation",
                "promotion_started",
                "unannounced_promotion",
            ],
            "agent": ["buyer 1", "rep 0", "buyer 3", "rep 0", "rep 2", "buyer 1"],
            "sku": [3, 3, 4, 4, 7, 7],
            "account": [12, 12, 12, 12, -1, -1],
            "ref": [-1, -1, -1, -1, 8, 8],
            "quantity": [5, 5, 6, 6, 2, 2],
            "value": [0.0] * 6,
            "detail": ["", "", "", "", "purchasing not told", "rep 2's promotion started without notice"],
        }
    )
    story = captions.describe(events)
    assert [c.label for c in story] == [
        "day 5: 2 expedites refused (buyers 1 and 3), escalated by sales",
        "day 9: rep 2's promotion started, purchasing not told",
    ]
    assert [c.rows for c in story] == [(0, 1, 2, 3), (4, 5)]
    assert [c.department for c in story] == [captions.PURCHASING, captions.SALES]


# -- animation ------------------------------------------------------------------------------


def test_animation_gif_has_a_frame_per_week_and_a_focus(runs: dict[str, Path]) -> None:
    run = replay.load_run(runs["silo"])
    paths = animation.write(run, fps=2, days_per_frame=7, mp4=False)
    with Image.open(paths[0]) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == -(-run.days // 7) > 1
        assert gif.info["duration"] == 500
    window = animation.write(run, window=(20, 49), sku=1, days_per_frame=5, mp4=False)
    assert window[0].name == "replay_sku1_days20-49.gif"
    with Image.open(window[0]) as gif:
        assert gif.n_frames == 6
    assert not list(run.replay_dir.glob(".*partial*"))


def test_mp4_where_ffmpeg_exists(runs: dict[str, Path]) -> None:
    if not animation.ffmpeg_available():
        pytest.skip("no ffmpeg on this machine: the replay writes the GIF only")
    run = replay.load_run(runs["silo"])
    paths = animation.write(run, window=(0, 27), mp4=True)
    assert [p.suffix for p in paths] == [".gif", ".mp4"]
    assert paths[1].stat().st_size > 0


# -- side by side ---------------------------------------------------------------------------


def test_side_by_side_finds_the_first_meeting(runs: dict[str, Path]) -> None:
    silo, meetings = replay.load_run(runs["silo"]), replay.load_run(runs["meetings"])
    divergence = side_by_side.first_difference(silo, meetings)
    assert divergence.day == MEETING_CADENCE

    # Independently: the first day whose events differ, as multisets.
    def day_rows(run: replay.Run, day: int) -> Counter[tuple[object, ...]]:
        rows = run.events[run.events["day"] == day].astype(str)
        return Counter(map(tuple, rows.to_numpy()))

    first = next(d for d in range(silo.days) if day_rows(silo, d) != day_rows(meetings, d))
    assert first == MEETING_CADENCE
    assert any(c.kind == "meeting" for c in divergence.only_b)
    assert divergence.caption.startswith(f"day {MEETING_CADENCE}: runs part — regular meeting")
    assert "(B only)" in divergence.caption
    assert side_by_side.first_difference(silo, silo).day is None
    png, text = side_by_side.write(silo, meetings)
    assert png.read_bytes().startswith(PNG)
    assert f"day {MEETING_CADENCE}: runs part" in text.read_text()


# -- debrief ---------------------------------------------------------------------------------


def _embedded_pngs(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)]


@pytest.mark.slow
def test_debrief_of_two_runs_is_one_self_contained_page(runs: dict[str, Path]) -> None:
    silo, meetings = replay.load_run(runs["silo"]), replay.load_run(runs["meetings"])
    index = debrief_pack.write([silo, meetings], ["operating_profit", "fill_rate"])
    assert index == silo.path / "replay" / "debrief" / "index.html"
    page = index.read_text()
    images = _embedded_pngs(page)
    assert len(images) >= 5 and all(image.startswith(PNG) for image in images)
    assert not re.search(r"""src=['"](?!data:)""", page), "every image is embedded"
    for words in (
        "Headline KPIs",
        "Why did operating profit move?",
        "Why did fill rate move?",
        "For sales",
        "For purchasing",
        f"day {MEETING_CADENCE}: runs part",
    ):
        assert words in page
    profit = meetings.summary["operating_profit"] - silo.summary["operating_profit"]
    assert f"{profit:+,.0f}" in page  # the change the profit page explains, from the summaries
    assert (index.parent / "side_by_side.png").read_bytes().startswith(PNG)


def test_debrief_of_one_run_splits_profit_exactly(runs: dict[str, Path]) -> None:
    run = replay.load_run(runs["meetings"])
    first, second = debrief.periods([run])
    whole = sum(p.kpi("operating_profit") for p in (first, second))
    assert whole == pytest.approx(run.summary["operating_profit"], abs=0.01)
    assert first.measures["meetings"] + second.measures["meetings"] == run.summary["meetings_held"]
    why = debrief_why.explain("operating_profit", first, second)
    assert why.figure is not None
    parts = [
        float(m.group(1).replace(",", "")) for p in why.points[1:] if (m := re.match(r".*?: ([+-][\d,]+) to profit", p))
    ]
    change = second.kpi("operating_profit") - first.kpi("operating_profit")
    assert sum(parts) == pytest.approx(change, abs=len(parts) + 1)  # each part rounded to a unit
    index = debrief_pack.write([run], ["fill_rate", "lost_sales_units"])
    assert len(_embedded_pngs(index.read_text())) >= 2


# -- picking a run and bad input --------------------------------------------------------------


def test_pick_by_overrides_and_by_config(runs: dict[str, Path]) -> None:
    sweep = runs["sweep"]
    assert pick_run(sweep, ["policy=regular_meetings", f"seed={SEED}"]) == runs["meetings"]
    assert pick_run(sweep, ["policy=silo"]) == runs["silo"]
    assert pick_run(sweep, [f"policy.regular_meetings.cadence_days={MEETING_CADENCE}"]) == runs["meetings"]
    with pytest.raises(replay.RunFolderError, match=r"2 runs .* match"):
        pick_run(sweep, [f"seed={SEED}"])


@pytest.mark.slow
def test_console_script_writes_the_storyboard_and_gif(runs: dict[str, Path], tmp_path: Path) -> None:
    run = _copy(runs["silo"], tmp_path / "run")
    script = Path(sys.executable).with_name("spsim-replay")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sim.views.replay"]
    result = subprocess.run(
        [*command, str(run), "--days-per-frame", "14"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert (run / "replay" / "storyboard.png").read_bytes().startswith(PNG)
    with Image.open(run / "replay" / "replay.gif") as gif:
        assert gif.n_frames > 1
    assert "storyboard:" in result.stdout
    bad = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("spsim-replay: error:")


def _not_finished(run: Path) -> None:
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps(manifest | {"status": "running"}))


def _no_events(run: Path) -> None:
    (run / "events.parquet").unlink()


def _empty_events(run: Path) -> None:
    events = pd.read_parquet(run / "events.parquet")
    events.iloc[:0].to_parquet(run / "events.parquet")


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_not_finished, "not a finished run"),
        (_no_events, "no event log"),
        (_empty_events, "empty event log"),
    ],
)
def test_bad_run_folders_exit_2_with_one_line(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], spoil, message: str
) -> None:
    run = _copy(runs["silo"], tmp_path / "run")
    spoil(run)
    code, out, err = _replay([str(run)], capsys)
    assert code == 2
    assert not out
    assert err.count("\n") == 1 and message in err
    assert not (run / "replay").exists()


def test_other_bad_input_exits_2_with_one_line(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    shorter = _make(tmp_path / "shorter", horizon_days=50)
    other = _make(tmp_path / "other", scenario=company()["scenario"] | {"name": "client"})
    cases = [
        ([str(empty)], "is not a run folder"),
        ([str(runs["silo"]), str(shorter)], "different lengths"),
        ([str(runs["silo"]), str(other)], "different scenarios"),
        ([str(runs["sweep"]), "--pick", "policy=rotation"], "no run in"),
        ([str(runs["sweep"])], "--pick"),
        ([str(runs["silo"]), "--from", "50", "--to", "10"], "--to 10"),
        ([str(runs["silo"]), "--kpi", "happiness", "--debrief"], "--kpi happiness"),
        ([str(runs["silo"]), "--no-such-option"], "unrecognized arguments"),
    ]
    before = sorted(p for p in runs["silo"].rglob("*") if "replay" not in p.parts)
    for arguments, message in cases:
        code, out, err = _replay(arguments, capsys)
        assert code == 2, arguments
        assert err.count("\n") == 1 and message in err, (arguments, err)
        assert not out
    assert sorted(p for p in runs["silo"].rglob("*") if "replay" not in p.parts) == before
    assert not (shorter / "replay").exists() and not (other / "replay").exists()
