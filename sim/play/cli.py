"""The ``spsim-play`` command: saved games from the terminal (the games themselves are played in ``spsim-viz``).

    spsim-play list [GAMES]                         the saved games, and how far each got
    spsim-play rerun GAME [--seat agent|player] [--lever NAME ...]
                                                    the same market to the same day, another way
    spsim-play debrief GAME_OR_FOLDER ... [--out DIR]
                                                    the facilitator's chart and table

Bad input ends with one line on stderr naming what is wrong and exit status 2.
"""

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from sim.play.game import PlayError, lever_names, list_games, rerun
from sim.views import facilitator
from sim.views.replay import ReplayError

PROG = "spsim-play"
USAGE_ERROR = 2
DEFAULT_GAMES = Path("results/games")


def main(argv: list[str] | None = None) -> None:
    """Run one sub-command."""
    parser = argparse.ArgumentParser(prog=PROG, description="Saved workshop games: list, re-run, debrief.")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the saved games in a folder")
    listing.add_argument("games", nargs="?", type=Path, default=None, help=f"default: {DEFAULT_GAMES}")
    again = commands.add_parser("rerun", help="the same market as a game, the agent (or the person) in the seat")
    again.add_argument("game", type=Path)
    again.add_argument("--seat", choices=("agent", "player"), default="agent")
    again.add_argument(
        "--lever", action="append", default=[], metavar="NAME", help=f"one of: {', '.join(lever_names())}"
    )
    debrief = commands.add_parser("debrief", help="several games on one chart and one table")
    debrief.add_argument("games", nargs="+", type=Path, help="game folders, or a folder of games")
    debrief.add_argument("--out", type=Path, default=None, help="where to write (default: <first folder>/debrief)")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            _list(args.games)
        elif args.command == "rerun":
            print(rerun(args.game, seat=args.seat, levers=args.lever))
        else:
            _debrief(args.games, args.out)
    except (PlayError, ReplayError) as error:
        _fail(str(error))


def _list(named: Path | None) -> None:
    games = named if named is not None else DEFAULT_GAMES
    if named is not None and not named.is_dir():
        _fail(f"{named}: no such folder of games")
    found = list_games(games)
    if not found:
        print(f"no saved games in {games}")
    for info in found:
        status = "finished" if info["finished"] else f"week {info['weeks_played'] + 1} of {info['weeks_planned']}"
        print(f"{info['folder']}  {info['player']}  {info['seat']}  {status}")


def _debrief(paths: list[Path], out: Path | None) -> None:
    games: list[Path] = []
    for path in paths:
        if path.is_dir() and not (path / "game.json").is_file() and not (path / "manifest.json").is_file():
            found = facilitator.find_games(path)
            for line in found.skipped:
                print(f"skipped: {line}", file=sys.stderr)
            games.extend(found.paths)
        else:
            games.append(path)
    if not games:
        _fail(f"{', '.join(map(str, paths))}: no finished or started games to compare")
    target = out if out is not None else (paths[0] if len(paths) == 1 else paths[0].parent) / "debrief"
    for written in facilitator.write(games, target):
        print(written)


def _fail(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)


if __name__ == "__main__":
    main()
