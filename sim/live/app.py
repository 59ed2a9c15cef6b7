"""The live app's pages: dashboard, play mode, facilitator view.

``spsim viz`` (:mod:`sim.commands.workshop`) serves :data:`routes` with Solara's server,
with everything that would call out switched off (:mod:`sim.live.offline`), on 127.0.0.1
(``--host`` to change it, e.g. ``--host 0.0.0.0`` for a workshop room's network). Where
games are saved and read: ``--games`` (default ``results/games``, or ``$SPSIM_GAMES``).
"""

import os
from pathlib import Path

import solara

from sim.live.dashboard import Dashboard
from sim.live.debrief_page import FacilitatorView
from sim.live.play_page import PlayPage

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
