"""The live leaderboard: the companies of a market by their company score, each team's own score beside it.

The companies created together (one per table, :mod:`sim.play.market`) are ranked
together; a session saved before markets is a market of its own.

The scores are :mod:`sim.views.scores`' on the session's saved run folder (the weeks
played so far): the company score ranks, and each team sees its department's own
incentive score (purchasing's price savings, sales' bookings) — the debrief's lesson
that a team can win its own and lose the company's.
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.output.runfolder import RunFolderError, load_run
from sim.play import store
from sim.play.session_hub import list_sessions
from sim.play.session_info import Team
from sim.views.scores import scores

_cache: dict[tuple[Path, int], "Row"] = {}  # a save is re-scored once (the console asks every second)


@dataclass(frozen=True)
class Row:
    """A session's line on the leaderboard."""

    session: str
    folder: Path
    market: str  # the market id (a session of its own: its folder's name)
    week: str  # "week 3 of 4" or "finished"
    company: float
    teams: tuple[tuple[str, str, float], ...]  # (team, department, its department's own score)


def department_score(department: str, purchasing_savings: float, sales_bookings: float) -> float:
    """A team's own incentive score: what its department is rewarded for."""
    return purchasing_savings if department == "purchasing" else sales_bookings


def board(sessions: Path, market: str | None = None) -> list[Row]:
    """Every session with weeks played (of ``market``, if given), best company score first within each market.

    The markets follow each other newest first, as the sessions are listed.
    """
    rows = []
    for info in list_sessions(sessions):
        if info["weeks_played"] == 0:
            continue  # nothing played yet: the lead-in is the agents', not the teams'
        if market is not None and market_of(info) != market:
            continue
        key = (info["folder"], info["revision"])
        if key not in _cache:
            try:
                with store.reading(info["folder"]):  # never a run folder halfway through a swap
                    score = scores(load_run(info["folder"]))
            except (RunFolderError, OSError, KeyError, ValueError):
                continue
            week = "finished" if info["finished"] else f"week {info['weeks_played'] + 1} of {info['weeks_planned']}"
            teams = tuple(
                (
                    team.name,
                    team.department,
                    department_score(team.department, score.purchasing_savings, score.sales_bookings),
                )
                for team in (Team(**fields) for fields in info["teams"])
            )
            _cache[key] = Row(info["name"], info["folder"], market_of(info), week, score.company, teams)
        rows.append(_cache[key])
    order = {name: i for i, name in enumerate(dict.fromkeys(row.market for row in rows))}
    return sorted(rows, key=lambda row: (order[row.market], -row.company if math.isfinite(row.company) else math.inf))


def ranked(rows: list[Row]) -> list[tuple[int, Row]]:
    """Each row with its rank among the companies of its market (1: the best company score)."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        seen[row.market] = seen.get(row.market, 0) + 1
        out.append((seen[row.market], row))
    return out


def market_of(info: dict[str, Any]) -> str:
    """A listed session's market id (a session of its own: its folder's name)."""
    return str(info["market"] or Path(info["folder"]).name)
