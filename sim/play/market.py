"""A market of a workshop: several companies (one per table) playing the same market side by side.

The facilitator creates them in one go: the same scenario, seed, levers, weeks and clock,
each company a :class:`~sim.play.session.Session` of its own (its own folder, model,
teams and codes), all sharing one market id in their ``session.json``. The leaderboard
ranks the companies of a market together (:mod:`sim.play.session_board`).

What the facilitator does to the market, it does to every company alike, so the
comparison stays fair: pause and resume; inject a shock (the same shock, from the same day,
in every company: the latest week's first day of those still playing, a company behind
takes it scheduled ahead); advance the week of the companies furthest behind (a company
whose teams all submitted has moved on by itself and is not pushed on again). Each
company keeps its own clock; the console's clock expires each.

A session saved before markets (no market id) is a market of one.
"""

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.agents.shocks import Shock
from sim.play.game import DEFAULT_LEAD_IN_DAYS
from sim.play.info import PlayError
from sim.play.session import Session
from sim.play.session_hub import adopt, list_sessions, open_session
from sim.play.session_info import SessionInfo, new_codes
from sim.play.session_shocks import make_shock

MAX_COMPANIES = 12
TABLE = " · table "  # a company's name: the market's name, then its table number


@dataclass(frozen=True)
class Market:
    """The companies of one market, in table order (one, for a session of its own)."""

    companies: tuple[Session, ...]

    @classmethod
    def create(
        cls,
        sessions: Path,
        *,
        companies: int = 1,
        name: str,
        teams: Sequence[tuple[str, Sequence[str]]],
        weeks: int = 4,
        scenario: str = "default",
        seed: int = 1,
        levers: Sequence[str] = (),
        lead_in_days: int = DEFAULT_LEAD_IN_DAYS,
        deadline_s: int = 0,
    ) -> "Market":
        """``companies`` sessions of the same market, each with the same teams and codes of its own.

        One company is named ``name``; several are ``name · table 1``, ``name · table 2``...
        """
        if not 1 <= companies <= MAX_COMPANIES:
            raise PlayError(f"companies = {companies}: allowed 1 to {MAX_COMPANIES}")
        title = " ".join(name.split())
        room = 40 - len(f"{TABLE}{companies}")
        if companies > 1 and len(title) > room:
            raise PlayError(f"session: enter a name of 1 to {room} characters (the table number is added)")
        taken = {team["code"] for info in list_sessions(sessions) for team in info["teams"]}
        codes = new_codes(companies * len(teams), taken)  # distinct across the market and the folder
        market = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        made = []
        for company in range(1, companies + 1):
            made.append(
                Session.create(
                    sessions,
                    name=title if companies == 1 else f"{title}{TABLE}{company}",
                    teams=teams,
                    weeks=weeks,
                    scenario=scenario,
                    seed=seed,
                    levers=levers,
                    lead_in_days=lead_in_days,
                    deadline_s=deadline_s,
                    market=market,
                    company=company,
                    codes=codes[(company - 1) * len(teams) : company * len(teams)],
                )
            )
        return cls(tuple(adopt(session) for session in made))

    @classmethod
    def of(cls, folder: Path) -> "Market":
        """The market of a saved session: it and the other companies sharing its market id (the server's copies)."""
        info = SessionInfo.read(folder)
        if not info.market:
            return cls((open_session(folder),))
        return cls(tuple(open_session(path) for path in market_folders(folder.parent, info.market)))

    # -- what the console shows -------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The market's name (the companies' without their table number)."""
        first = self.companies[0].info
        return first.name.rpartition(TABLE)[0] if len(self.companies) > 1 and TABLE in first.name else first.name

    @property
    def finished(self) -> bool:
        return all(company.finished for company in self.companies)

    @property
    def paused(self) -> bool:
        return all(company.info.paused for company in self.playing())

    @property
    def revision(self) -> int:
        """Moves on with every save of every company (the console's memo key)."""
        return sum(company.info.revision for company in self.companies)

    def playing(self) -> list[Session]:
        """The companies with weeks left to play."""
        return [company for company in self.companies if not company.finished]

    def shocks(self) -> list[Shock]:
        """The shocks injected into the market (into its first company: every company takes the same)."""
        return self.companies[0].injected()

    # -- what the facilitator does ------------------------------------------------------------------

    def advance(self, now: float | None = None) -> list[Session]:
        """Advance the companies furthest behind by a week (the agents' rule for every seat not submitted)."""
        playing = self.playing()
        if not playing:
            raise PlayError("the session is over: every week is played")
        behind = min(company.week for company in playing)
        moved = [company for company in playing if company.week == behind]
        for company in moved:
            company.advance(now)
        return moved

    def pause(self, paused: bool, now: float | None = None) -> None:
        """Stop (or restart) every company's clock."""
        for company in self.playing():
            company.pause(paused, now)

    def expire(self, now: float | None = None) -> bool:
        """Advance every company whose week's deadline has passed; True if any did."""
        expired = [company.expire(now) for company in self.companies]  # every one: not any(), which stops early
        return any(expired)

    def inject(self, kind: str, /, **figures: Any) -> Shock:
        """The same shock into every company still playing, from the latest week's first day of them.

        Checked against every company before any takes it, so a bad value applies nowhere.

        Raises:
            PlayError: nothing left to play, or a value is wrong (one line).
        """
        playing = self.playing()
        if not playing:
            raise PlayError("the session is over: a shock cannot be injected")
        day = max(company.week_day for company in playing)
        for company in playing:
            make_shock(kind, day, figures, company.limits())
        shocks = [company.inject(kind, day=day, **figures) for company in playing]
        return shocks[0]


def market_folders(sessions: Path, market: str) -> list[Path]:
    """The folders of a market's companies, in table order."""
    found = [info for info in list_sessions(sessions) if info["market"] == market]
    return [info["folder"] for info in sorted(found, key=lambda info: (info["company"], str(info["folder"])))]


def markets(sessions: Path) -> list[list[dict[str, Any]]]:
    """The saved sessions grouped by market (newest first), each group in table order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for info in list_sessions(sessions):
        groups.setdefault(info["market"] or str(info["folder"]), []).append(info)
    return [sorted(group, key=lambda info: (info["company"], str(info["folder"]))) for group in groups.values()]
