"""``game.json``: who played which seat of a game, and how far; read back only if every key is valid.

A saved game is re-simulated from this record, its config and its decisions, so a key
with a wrong type or out of its range (a hand edit, a disk error) is refused on reading,
naming the key and what is allowed, before anything is simulated or written.
"""

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sim.play.seat import ROLES, Role
from sim.usage import InputError

GAME = "game.json"
MAX_WEEKS = 52
MAX_DAY = 100_000  # far beyond a year of lead-in and 52 weeks of play


class PlayError(InputError):
    """A game that cannot be set up, loaded or continued: the message is one line for the person."""


@dataclass
class GameInfo:
    """What ``game.json`` holds: who played which seat, and how far."""

    player: str
    role: Role
    seat_index: int
    seat: str
    weeks_planned: int
    weeks_played: int
    first_decision_day: int
    day: int  # the model's day when saved
    finished: bool
    scenario: str
    seed: int
    policy: list[str]
    started: str

    @classmethod
    def read(cls, folder: Path) -> "GameInfo":
        path = folder / GAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PlayError(f"{folder}: not a saved game (no {GAME})") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise PlayError(f"{path}: unreadable ({' '.join(str(error).split())})") from None
        problem = _problem(data)
        if problem:
            raise PlayError(f"{path}: {problem}")
        return cls(**data)


def _problem(data: Any) -> str | None:
    """What is wrong with a ``game.json``'s content (the first thing found), or None."""
    if not isinstance(data, dict):
        return f"holds {type(data).__name__}; expected an object of keys {', '.join(_KEYS)}"
    missing = [key for key in _KEYS if key not in data]
    if missing:
        return f"{missing[0]} is missing (a saved game has {', '.join(_KEYS)})"
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        return f"unknown key {unknown[0]!r}; allowed: {', '.join(_KEYS)}"
    for key, (kind, allowed) in _CHECKS.items():
        value = data[key]
        if not _is(value, kind) or not allowed(value, data):
            return f"{key} = {value!r}: allowed {_ALLOWED[key]}"
    return None


def _is(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)  # True is not a seat number
    if kind is list:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, kind)


_KEYS = [field.name for field in fields(GameInfo)]
_CHECKS: dict[str, tuple[type, Any]] = {
    "player": (str, lambda v, _: 1 <= len(v.strip()) <= 40),
    "role": (str, lambda v, _: v in ROLES),
    "seat_index": (int, lambda v, _: 0 <= v < 1000),
    "seat": (str, lambda v, d: v == seat_label(d["role"], d["seat_index"])),
    "weeks_planned": (int, lambda v, _: 1 <= v <= MAX_WEEKS),
    "weeks_played": (int, lambda v, d: 0 <= v <= d["weeks_planned"]),
    "first_decision_day": (int, lambda v, _: 0 <= v <= MAX_DAY),
    "day": (int, lambda v, _: 0 <= v <= MAX_DAY),
    "finished": (bool, lambda v, d: v == (d["weeks_played"] >= d["weeks_planned"])),
    "scenario": (str, lambda v, _: bool(v)),
    "seed": (int, lambda v, _: v >= 0),
    "policy": (list, lambda v, _: True),
    "started": (str, lambda v, _: True),
}
_ALLOWED = {
    "player": "a name of 1 to 40 characters",
    "role": " or ".join(ROLES),
    "seat_index": "a whole number from 0 (the market's seats are checked on loading)",
    "seat": "the seat's label, e.g. 'buyer 0' or 'rep 1', matching role and seat_index",
    "weeks_planned": f"a whole number from 1 to {MAX_WEEKS}",
    "weeks_played": "a whole number from 0 to weeks_planned",
    "first_decision_day": f"a whole number from 0 to {MAX_DAY}",
    "day": f"a whole number from 0 to {MAX_DAY}",
    "finished": "true exactly when weeks_played reaches weeks_planned",
    "scenario": "a scenario's name",
    "seed": "a whole number from 0",
    "policy": "a list of lever names",
    "started": "a date and time as text",
}


def seat_label(role: str, seat_index: int) -> str:
    """The agent's label of a seat: ``buyer 0``, ``rep 1``."""
    return f"buyer {seat_index}" if role == "buyer" else f"rep {seat_index}"
