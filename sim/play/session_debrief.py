"""A saved session as its debrief slides read it: the run, the seats' decisions, the teams, the market's board.

Read under the session's lock for readers (never a folder halfway through a swap); the
slides themselves are :mod:`sim.views.debrief_slides`' pure functions of what is read here.
"""

from pathlib import Path

import pandas as pd

from sim.output.runfolder import RunFolderError, load_run
from sim.play import store
from sim.play.info import PlayError
from sim.play.session import DECISIONS
from sim.play.session_board import board
from sim.play.session_info import SessionInfo
from sim.views.debrief_slides import Played, Slide, Standing, TeamPlay, slides


def played(folder: Path) -> Played:
    """What the debrief of the session in ``folder`` is built from.

    Raises:
        PlayError: not a session, or no week played yet (one line).
    """
    with store.reading(folder):
        info = SessionInfo.read(folder)
        if info.weeks_played == 0:
            raise PlayError(f"{info.name}: no week played yet, nothing to debrief")
        try:
            run = load_run(folder)
            decisions = pd.read_parquet(folder / DECISIONS)
            period = int(run.config["org"]["review_period_days"])
        except (RunFolderError, OSError, ValueError, KeyError, TypeError) as error:
            raise PlayError(f"{folder}: cannot read the session ({' '.join(str(error).split())})") from None
    teams = tuple(
        TeamPlay(team.name, team.department, tuple(team.seats), tuple(week.get(team.name, "") for week in info.decided))
        for team in info.teams
    )
    market = info.market or folder.name
    standings = tuple(
        Standing(row.session, row.week, row.company, row.teams, row.folder.resolve() == folder.resolve())
        for row in board(folder.parent, market)
    )
    return Played(info.name, run, decisions, teams, info.first_decision_day, period, info.weeks_played, standings)


def session_slides(folder: Path) -> list[Slide]:
    """The debrief slides of the session in ``folder``."""
    return slides(played(folder))
