"""The README's commands, as a user types them (shrunk with ``debug=default``)."""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sim.live.serve import free_port, wait_until_up
from sim.output.runfolder import is_complete, read_manifest
from tests.helpers import ROOT, describe, spsim

README = ROOT / "README.md"


def fenced_blocks(language: str) -> list[str]:
    if not README.is_file():
        return []
    return re.findall(rf"^```{language}[ \t]*\n(.*?)^```", README.read_text(), flags=re.MULTILINE | re.DOTALL)


def readme_commands() -> list[list[str]]:
    """Each ``spsim`` line of the bash blocks, as arguments; sweeps (-m) and placeholders (<...>) left out."""
    commands = []
    for block in fenced_blocks("bash"):
        for line in block.splitlines():
            line = line.strip()
            if not (line == "spsim" or line.startswith("spsim ")) or "<" in line:
                continue
            arguments = shlex.split(line, comments=True)[1:]
            if "-m" in arguments or "--multirun" in arguments:
                continue
            commands.append(arguments)
    return commands


COMMANDS = readme_commands()


def test_readme_exists_and_shows_spsim_commands() -> None:
    assert README.is_file(), f"{README} does not exist yet: the README's commands cannot be checked"
    assert COMMANDS, "README.md has no `spsim ...` line in a ```bash block"


@pytest.mark.slow
@pytest.mark.parametrize("arguments", COMMANDS, ids=[" ".join(["spsim", *c]) for c in COMMANDS])
def test_readme_command_runs(arguments: list[str], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    result = spsim([*arguments, "debug=default", f"hydra.run.dir={run_dir}"], results=tmp_path / "results")
    assert result.returncode == 0, describe(result)
    manifest = read_manifest(run_dir)
    assert manifest is not None and manifest["status"] == "complete", manifest
    assert is_complete(run_dir)


def error_examples() -> list[tuple[list[str], str]]:
    """```text blocks showing ``$ spsim ...`` and the line it prints."""
    examples = []
    for block in fenced_blocks("text"):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines[:-1]):
            if line.startswith("$ spsim"):
                examples.append((shlex.split(line[2:])[1:], lines[i + 1].strip()))
    return examples


EXAMPLES = error_examples()


@pytest.mark.parametrize(("arguments", "printed"), EXAMPLES, ids=[" ".join(a) for a, _ in EXAMPLES])
def test_readme_error_example_prints_what_it_shows(arguments: list[str], printed: str, tmp_path: Path) -> None:
    result = spsim([*arguments, f"hydra.run.dir={tmp_path / 'run'}"], results=tmp_path / "results")
    assert result.returncode == 2, describe(result)
    assert result.stderr.strip() == printed


def test_readme_python_example_runs() -> None:
    blocks = [b for b in fenced_blocks("python") if "SalesPurchasingModel" in b]
    assert blocks, "README.md shows no library example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert "tables" in namespace
    assert set(namespace["tables"].summary) >= {"operating_profit", "fill_rate", "bullwhip_ratio"}


# -- the facilitator's walkthrough, end to end --------------------------------------------------------

WALKTHROUGH = "### A facilitator: teams play each other (prepare, run, debrief)"


def walkthrough() -> str:
    """The walkthrough's section of the README, up to the next heading."""
    text = README.read_text()
    assert WALKTHROUGH in text, f"README.md has no section {WALKTHROUGH!r}"
    section = text.split(WALKTHROUGH, 1)[1]
    return re.split(r"^#{2,3} ", section, maxsplit=1, flags=re.MULTILINE)[0]


def walkthrough_commands() -> list[list[str]]:
    """The walkthrough's bash lines, as arguments (comments dropped)."""
    blocks = re.findall(r"^```bash[ \t]*\n(.*?)^```", walkthrough(), flags=re.MULTILINE | re.DOTALL)
    return [shlex.split(line, comments=True) for block in blocks for line in block.splitlines() if line.strip()]


def test_the_walkthrough_names_its_steps_and_commands() -> None:
    section = walkthrough()
    for step in ("*Prepare.*", "*Run.*", "*Debrief.*"):
        assert step in section, f"the walkthrough has no {step} step"
    programs = [arguments[0] for arguments in walkthrough_commands()]
    assert programs == ["spsim-viz", "spsim-replay", "spsim-replay"], programs
    for route in ("/console", "/team", "/slides"):
        assert f"`{route}" in section, f"the walkthrough never sends anyone to {route}"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("browser")  # a real server and chromium: one at a time with the browser tests
def test_the_facilitators_walkthrough_runs_end_to_end(tmp_path: Path) -> None:
    """The walkthrough as a facilitator follows it, in a fresh folder: its commands, every control it names.

    ``spsim-viz`` starts as the README's line says (on a free port instead of 8765, in a
    fresh working folder, so sessions land in ``results/sessions`` there); chromium plays the
    walkthrough's session (:func:`tests.workshop.play_four_weeks`: a dead laptop freed, a
    missed deadline, a shock, the leaderboard, every slide); every button and field the
    walkthrough names in bold is one the browsers used; the replay lines run on the session's
    folder; Ctrl-C (SIGINT) stops the server and nothing of it is left.
    """
    from tests.workshop import Room, launched_chromium, play_four_weeks

    viz, *replays = walkthrough_commands()
    port = free_port()
    script = Path(sys.executable).with_name(viz[0])
    environment = {k: v for k, v in os.environ.items() if k not in ("SPSIM_GAMES", "SPSIM_SESSIONS")}
    log = tmp_path / "spsim-viz.log"
    with log.open("w") as output, launched_chromium() as browser:
        server = subprocess.Popen(
            [str(script), *viz[1:], "--port", str(port)],
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        try:
            address = f"http://127.0.0.1:{port}"
            wait_until_up(address, server, 90.0, log, "/console")
            room = Room(browser, address)
            try:
                played = play_four_weeks(room, "Table 1", laptop_dies=True)
            finally:
                room.close()
            server.send_signal(signal.SIGINT)  # Ctrl-C, as the walkthrough says
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
                pytest.fail(f"spsim-viz did not stop on Ctrl-C: {log.read_text()[-2000:]}")

    bold = set(re.findall(r"\*\*(.+?)\*\*", walkthrough()))
    assert bold and bold <= room.named, f"named in the walkthrough, never used: {sorted(bold - room.named)}"
    assert played.seen["Sales"][2]["agent"].startswith("The agent's rule decided week 2 for you")
    assert "Table 1 · finished · company" in played.board and "Sales (sales):" in played.board
    assert [slide["kind"] for slide in played.slides][-4:] == ["shocks", "conflicts", "leaderboard", "prompts"]

    folder = tmp_path / "results" / "sessions" / played.folder
    assert (folder / "session.json").is_file(), "the session is saved where the walkthrough says"
    for arguments in replays:
        line = [arg.replace("results/sessions/<session>", f"results/sessions/{played.folder}") for arg in arguments]
        replayed = subprocess.run(
            [str(Path(sys.executable).with_name(line[0])), *line[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert replayed.returncode == 0, f"{' '.join(line)}: {replayed.stderr[-2000:]}"
    assert (folder / "replay" / "storyboard.png").is_file() and (folder / "replay" / "debrief" / "index.html").is_file()
    assert "during the supplier disruption" in (folder / "replay" / "events.md").read_text(), "the shock is the context"

    pattern = f"(spsim-viz|solara run|sim.live.offline).*--port {port}( |$)"
    left = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True, check=False)
    assert not left.stdout, f"still running after Ctrl-C: {left.stdout}"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
