"""The ``spsim-viz`` command and the app's pages: dashboard, play mode, facilitator view.

``spsim-viz`` serves :data:`routes` with Solara's server on 127.0.0.1 (``--host`` to
change it, e.g. ``--host 0.0.0.0`` for a workshop room's network). Where games are
saved and read: ``--games`` (default ``results/games``, or ``$SPSIM_GAMES``).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import solara

from sim.live.dashboard import Dashboard
from sim.live.debrief_page import FacilitatorView
from sim.live.play_page import PlayPage

PROG = "spsim-viz"
DEFAULT_PORT = 8765
GAMES_ENV = "SPSIM_GAMES"


def games_folder() -> Path:
    """Where play mode saves games and the facilitator view reads them."""
    return Path(os.environ.get(GAMES_ENV, "results/games"))


@solara.component
def Play() -> None:
    PlayPage(games_folder())


@solara.component
def Debrief() -> None:
    FacilitatorView(games_folder())


routes = [
    solara.Route(path="/", component=Dashboard, label="Dashboard"),
    solara.Route(path="play", component=Play, label="Play"),
    solara.Route(path="debrief", component=Debrief, label="Facilitator"),
]


def main(argv: list[str] | None = None) -> None:
    """Serve the app until interrupted."""
    parser = argparse.ArgumentParser(prog=PROG, description="The live workshop app in a browser.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    parser.add_argument("--games", type=Path, default=None, help="folder of saved games (default: results/games)")
    parser.add_argument("--open", action="store_true", help="open a browser on the app")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.exit(2, f"{PROG}: error: --port = {args.port}: must be between 1 and 65535\n")
    environment = dict(os.environ)
    if args.games is not None:
        if args.games.exists() and not args.games.is_dir():
            parser.exit(2, f"{PROG}: error: --games = {args.games}: not a folder\n")
        environment[GAMES_ENV] = str(args.games.resolve())
    command = [sys.executable, "-m", "solara", "run", "sim.live.app", "--production"]
    command += ["--host", args.host, "--port", str(args.port), "--open" if args.open else "--no-open"]
    print(f"{PROG}: http://{args.host}:{args.port}/  (play: /play, facilitator: /debrief; Ctrl-C stops)")
    try:
        sys.exit(subprocess.call(command, env=environment))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
