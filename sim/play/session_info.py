"""``session.json``: the record of a session — its market, its teams and their seats, the clock, who decided.

A session is re-simulated from its config, this record and ``decisions.parquet``, so
the record is checked on reading (every key there, of its type) and a hand-edited or
damaged file is refused in one line before anything is simulated. The keys added since
the first sessions (``market``, ``company``, ``shocks``) may be missing: such a session is
a market of its own, with no shock injected. The claims on the
teams' screens (which browser holds a team) are in it too: they are written by the
same locked save as everything else, so two browsers can never both hold a team.
"""

import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sim.play.info import MAX_WEEKS, PlayError
from sim.play.session_shocks import shock_problem

SESSION = "session.json"
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed
CODE_LENGTH = 6
DEPARTMENTS = {"buyer": "purchasing", "rep": "sales"}
# What ``decided`` records for a team's week: it decided, the agent's rule stood, or part of each.
BY_TEAM, BY_AGENT, BY_BOTH = "team", "agent", "part"


@dataclass
class Team:
    """A team: its name, its join code, the seats it holds (agents' labels) and the browser holding it."""

    name: str
    code: str
    seats: list[str]
    holder: str = ""  # the browser's id; "" while nobody has joined

    @property
    def department(self) -> str:
        """Purchasing or sales (a team's seats are all of one department: checked on creation)."""
        return DEPARTMENTS[self.seats[0].split()[0]]


@dataclass
class SessionInfo:
    """What ``session.json`` holds."""

    name: str
    scenario: str
    seed: int
    policy: list[str]
    weeks_planned: int
    weeks_played: int
    first_decision_day: int
    day: int  # the model's day when saved
    finished: bool
    started: str
    deadline_s: int  # seconds a week may take (0: no timer; the facilitator advances)
    deadline: float  # when this week's time runs out (epoch seconds; 0: no deadline running)
    paused: bool
    remaining_s: float  # the time left on the clock when it was paused
    revision: int  # bumped by every save: a screen behind the saved session reloads before writing
    teams: list[Team] = field(default_factory=list)
    decided: list[dict[str, str]] = field(default_factory=list)  # per week played: team -> team/agent/part
    market: str = ""  # the id the companies created together share (""; a session of its own)
    company: int = 0  # the table's number in its market (1, 2, ...); 0: a session of its own
    shocks: list[dict[str, Any]] = field(default_factory=list)  # injected: sim.play.session_shocks records

    def team(self, name: str) -> Team:
        for team in self.teams:
            if team.name == name:
                return team
        raise PlayError(f"team {name!r}: not in this session")

    @classmethod
    def read(cls, folder: Path) -> "SessionInfo":
        path = folder / SESSION
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PlayError(f"{folder}: not a session (no {SESSION})") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise PlayError(f"{path}: unreadable ({' '.join(str(error).split())})") from None
        problem = _problem(data)
        if problem:
            raise PlayError(f"{path}: {problem}")
        data["teams"] = [Team(**team) for team in data["teams"]]
        return cls(**data)


def new_codes(count: int, taken: Collection[str] = ()) -> list[str]:
    """``count`` different join codes, none ``taken`` (random: a code is the only thing that lets a browser in)."""
    codes: set[str] = set()
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        if code not in taken:
            codes.add(code)
    return sorted(codes)


def parse_seat(label: str) -> tuple[str, int]:
    """``"buyer 0"`` -> ("buyer", 0); ``"rep 1"`` -> ("rep", 1)."""
    parts = label.split()
    if len(parts) != 2 or parts[0] not in DEPARTMENTS or not parts[1].isdigit():
        raise PlayError(f"seat {label!r}: write a seat as 'buyer N' or 'rep N'")
    return parts[0], int(parts[1])


def parse_teams(text: str) -> list[tuple[str, list[str]]]:
    """The console's team lines, ``Name: seat, seat`` one a line, e.g. ``Purchasing: buyer 0``."""
    teams = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, seats = line.partition(":")
        if not colon:
            raise PlayError(f"{line.strip()!r}: write a team as 'Name: seat, seat' (e.g. 'Sales: rep 0')")
        teams.append((" ".join(name.split()), [" ".join(s.split()) for s in seats.split(",") if s.strip()]))
    return teams


def check_teams(teams: list[tuple[str, list[str]]], counts: dict[str, int]) -> None:
    """A session's teams: named, each of one department, each seat in the market and in one team only."""
    if not teams:
        raise PlayError("teams: a session needs at least one team")
    names: set[str] = set()
    taken: set[str] = set()
    for name, seats in teams:
        if not name or len(name) > 40 or name in names:
            raise PlayError(f"team {name!r}: a team needs its own name of 1 to 40 characters")
        names.add(name)
        if not seats:
            raise PlayError(f"team {name!r}: give it at least one seat")
        kinds = {parse_seat(seat)[0] for seat in seats}
        if len(kinds) > 1:
            raise PlayError(f"team {name!r}: a team is one department (buyers or reps, not both)")
        for seat in seats:
            kind, index = parse_seat(seat)
            if index >= counts[kind]:
                raise PlayError(f"seat {seat!r}: this market has {kind} seats 0 to {counts[kind] - 1}")
            if seat in taken:
                raise PlayError(f"seat {seat!r}: in two teams; a seat belongs to one team")
            taken.add(seat)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "scenario": str,
    "seed": int,
    "policy": list,
    "weeks_planned": int,
    "weeks_played": int,
    "first_decision_day": int,
    "day": int,
    "finished": bool,
    "started": str,
    "deadline_s": int,
    "deadline": (int, float),
    "paused": bool,
    "remaining_s": (int, float),
    "revision": int,
    "teams": list,
    "decided": list,
    "market": str,
    "company": int,
    "shocks": list,
}
OPTIONAL = ("market", "company", "shocks")  # absent from the sessions saved before markets and shocks


def _problem(data: Any) -> str | None:
    """What is wrong with a ``session.json`` (the first thing found), or None."""
    keys = [f.name for f in fields(SessionInfo)]
    required = [key for key in keys if key not in OPTIONAL]
    if not isinstance(data, dict) or not set(required) <= set(data) or not set(data) <= set(keys):
        return f"expected an object of the keys {', '.join(required)} (and optionally {', '.join(OPTIONAL)})"
    for key, kind in _TYPES.items():
        if key not in data:
            continue
        if not isinstance(data[key], kind) or (kind is not bool and isinstance(data[key], bool)):
            return f"{key} = {data[key]!r}: the wrong type"
    if not 1 <= data["weeks_planned"] <= MAX_WEEKS or not 0 <= data["weeks_played"] <= data["weeks_planned"]:
        return f"weeks_played = {data['weeks_played']}: allowed 0 to weeks_planned (1 to {MAX_WEEKS})"
    if len(data["decided"]) != data["weeks_played"]:
        return f"decided: {len(data['decided'])} weeks recorded, {data['weeks_played']} played"
    team_keys = sorted(f.name for f in fields(Team))
    for team in data["teams"]:
        if not isinstance(team, dict) or sorted(team) != team_keys or not isinstance(team["seats"], list):
            return f"teams: each team has exactly the keys {', '.join(team_keys)}"
    for number, shock in enumerate(data.get("shocks", []), start=1):
        problem = shock_problem(shock)
        if problem:
            return f"shocks: the {_ordinal(number)} {problem}"
    return None


def _ordinal(number: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(number, f"{number}th")
