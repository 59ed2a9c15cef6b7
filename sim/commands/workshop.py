"""The workshop's commands: ``spsim replay`` (a run's story), ``spsim viz`` (the live app), ``spsim play`` (games)."""

import errno
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sim.commands.common import program
from sim.usage import InputError

DEFAULT_GAMES = Path("results/games")
GAMES_ENV = "SPSIM_GAMES"
DEFAULT_PORT = 8765


# -- replay --------------------------------------------------------------------------------------


def replay(context: typer.Context) -> None:
    """Replay finished runs for a workshop: storyboard, animation, side by side, debrief (spsim replay --help)."""
    from sim.views import replay as replaying

    options = replaying.parse(context.args, prog=program(context))
    replaying.run(options)


# -- viz -------------------------------------------------------------------------------------------


def viz(
    context: typer.Context,
    host: Annotated[str, typer.Option(help="address to listen on (0.0.0.0: a room's laptops)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = DEFAULT_PORT,
    games: Annotated[Path | None, typer.Option(help="folder of saved games (default: results/games)")] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="open a browser on the app")] = False,
) -> None:
    """The live workshop app: dashboard (/), play (/play), debrief, console (/console), teams (/team), slides."""
    if not 0 < port < 65536:
        raise InputError(f"--port = {port}: must be between 1 and 65535")
    environment = dict(os.environ)
    if games is not None:
        if games.exists() and not games.is_dir():
            raise InputError(f"--games = {games}: not a folder")
        environment[GAMES_ENV] = str(games.resolve())
    _check_listen(host, port)
    # Solara's server with its telemetry, version check and CDN downloads off (sim.live.offline).
    command = [sys.executable, "-m", "sim.live.offline", "run", "sim.live.app", "--production"]
    command += ["--host", host, "--port", str(port), "--open" if open_browser else "--no-open"]
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    pages = "play: /play, debrief: /debrief, console: /console, teams: /team, slides: /slides"
    print(f"{program(context)}: http://{shown}:{port}/  ({pages}; Ctrl-C stops)", flush=True)
    # Solara's server takes this process over: stopping the command stops the server (a
    # child process would outlive a terminated parent, still serving).
    os.execve(sys.executable, command, environment)


HOSTS_ALLOWED = "127.0.0.1 (this machine only), 0.0.0.0 (every network of this machine) or one of its IP addresses"


def _check_listen(host: str, port: int) -> None:
    """Refuse at once, in one line, an address or port the server could not listen on.

    Left to uvicorn, a bad one costs the whole start-up (twenty seconds here) and ends in its
    own message and exit status. Only addresses are taken (and ``localhost``): a name would
    need a DNS look-up, and the app makes no outbound call. The port is tried the way
    uvicorn binds it (SO_REUSEADDR), then let go: a port taken in between still fails later.

    Raises:
        InputError: the option, what is wrong, and what is allowed.
    """
    import ipaddress
    import socket

    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        if host != "localhost":
            raise InputError(f"--host = {host}: not an IP address; use {HOSTS_ALLOWED}") from None
        family = socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except PermissionError:
            raise InputError(f"--port = {port}: not allowed for this user; use a port from 1024 to 65535") from None
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                taken = f"--port = {port}: already in use on {host}; choose another, e.g. --port {port + 1}"
                raise InputError(taken) from None
            raise InputError(f"--host = {host}: not an address of this machine; use {HOSTS_ALLOWED}") from None


# -- play ------------------------------------------------------------------------------------------

play = typer.Typer(
    help="Saved workshop games: list, re-run, debrief (the games are played in spsim viz).",
    rich_markup_mode=None,
)


@play.command(name="list")
def list_games(
    games: Annotated[Path | None, typer.Argument(help=f"folder of games (default: {DEFAULT_GAMES})")] = None,
) -> None:
    """The saved games in a folder, and how far each got."""
    folder = games if games is not None else DEFAULT_GAMES
    if games is not None and not games.is_dir():
        raise InputError(f"{games}: no such folder of games")
    from sim.play.game import list_games as saved_games  # the model: only to read real games

    found = saved_games(folder)
    if not found:
        print(f"no saved games in {folder}")
    for info in found:
        status = "finished" if info["finished"] else f"week {info['weeks_played'] + 1} of {info['weeks_planned']}"
        print(f"{info['folder']}  {info['player']}  {info['seat']}  {status}")


class SeatChoice(StrEnum):
    """Who sits in the game's seat in a re-run."""

    agent = "agent"
    player = "player"


@play.command()
def rerun(
    game: Annotated[Path, typer.Argument(help="a saved game's folder", show_default=False)],
    seat: Annotated[SeatChoice, typer.Option(help="who sits in the seat")] = SeatChoice.agent,
    lever: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="a lever to switch on (repeat for several), e.g. rotation")
    ] = None,
) -> None:
    """The same market as a game, to the same day: the agent (or the person's decisions) in the seat."""
    from sim.play.game import rerun as rerun_game

    print(rerun_game(game, seat=seat.value, levers=lever or []))


@play.command()
def debrief(
    games: Annotated[list[Path], typer.Argument(help="game folders, or a folder of games", show_default=False)],
    out: Annotated[Path | None, typer.Option(help="where to write (default: <first folder>/debrief)")] = None,
) -> None:
    """Several games on one chart and one table (facilitator.png, .csv, .md)."""
    if out is not None:
        _check_out_folder(out, "--out")
    from sim.play.store import recover_all
    from sim.views import facilitator

    chosen: list[Path] = []
    for path in games:
        if path.is_dir() and not (path / "game.json").is_file() and not (path / "manifest.json").is_file():
            recover_all(path)  # a save cut short is put right first, so no game is left out
            found = facilitator.find_games(path)
            for line in found.skipped:
                print(f"skipped: {line}", file=sys.stderr)
            chosen.extend(found.paths)
        else:
            chosen.append(path)
    if not chosen:
        raise InputError(f"{', '.join(map(str, games))}: no finished or started games to compare")
    target = out if out is not None else (games[0] if len(games) == 1 else games[0].parent) / "debrief"
    _check_out_folder(target, "--out" if out is not None else "the debrief folder")
    for written in facilitator.write(chosen, target):
        print(written)


def _check_out_folder(out: Path, name: str) -> None:
    """Refuse an output folder that is a file, or lies under one, before anything is read or written."""
    for path in (out, *out.parents):
        if path.exists() and not path.is_dir():
            where = "is a file" if path == out else f"is under {path}, a file"
            raise InputError(f"{name} = {out}: {where}; give a folder (it is created if missing)")
        if path.is_dir():
            return
