"""The README's commands, as a user types them (shrunk with ``debug=default``)."""

import re
import shlex
from pathlib import Path

import pytest

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
