"""The live app's pages: dashboard, play mode, facilitator view, the session console, the teams' page, the slides.

``spsim viz`` (:mod:`sim.commands.workshop`) serves :data:`routes` with Solara's server,
with everything that would call out switched off (:mod:`sim.live.offline`), on 127.0.0.1
(``--host`` to change it, e.g. ``--host 0.0.0.0`` for a workshop room's network). Where
games are saved and read: ``--games`` (default ``results/games``, or ``$SPSIM_GAMES``).
"""

import os
from pathlib import Path
from typing import Any

import solara

from sim.live.console_page import ConsolePage
from sim.live.dashboard import Dashboard
from sim.live.debrief_page import FacilitatorView
from sim.live.play_page import PlayPage
from sim.live.slides_page import SlidesPage
from sim.live.team_page import TeamPage

PROJECTOR_CSS = """
.v-tabs .v-tab { font-size: 16px !important; }
.spsim-console :is(.v-btn, .v-label, input, textarea, .v-select__selection, .v-messages, .v-alert, .v-chip) {
    font-size: 16px !important;
}
.spsim-console :is(p, li, td, th, span, div) { font-size: max(16px, 1em); }
.spsim-console .v-card__title { font-size: 20px; }
.spsim-console .v-text-field .v-label--active { transform: translateY(-22px) scale(1); }
.spsim-console .v-text-field { padding-top: 18px; }
"""
GAMES_ENV = "SPSIM_GAMES"
SESSIONS_ENV = "SPSIM_SESSIONS"


def games_folder() -> Path:
    """Where play mode saves games and the facilitator view reads them."""
    return Path(os.environ.get(GAMES_ENV, "results/games"))


def sessions_folder() -> Path:
    """Where the console saves sessions (beside the games: ``<games>/../sessions``, or ``$SPSIM_SESSIONS``)."""
    return Path(os.environ.get(SESSIONS_ENV, games_folder().parent / "sessions"))


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 (the signature Solara calls a layout with)
    """Solara's app layout, with the page tabs and the console's fields at a size a room can read (16 px).

    Vuetify's tabs and buttons are 14 px and a field's label shrinks to 12 px above its value.
    """
    solara.Style(PROJECTOR_CSS)
    solara.AppLayout(children=children)


@solara.component
def Console() -> None:
    ConsolePage(sessions_folder())


@solara.component
def Team() -> None:
    TeamPage(sessions_folder())


@solara.component
def Slides() -> None:
    SlidesPage(sessions_folder())


@solara.component
def Play() -> None:
    PlayPage(games_folder())


@solara.component
def Debrief() -> None:
    FacilitatorView(games_folder())


routes = [
    # The layout of the "/" route is every page's (Solara's routing): the app bar and its tabs.
    solara.Route(path="/", component=Dashboard, label="Dashboard", layout=Layout),
    solara.Route(path="play", component=Play, label="Play"),
    solara.Route(path="debrief", component=Debrief, label="Facilitator"),
    solara.Route(path="console", component=Console, label="Console"),
    solara.Route(path="team", component=Team, label="Team"),
    solara.Route(path="slides", component=Slides, label="Slides"),
]
