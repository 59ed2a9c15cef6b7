"""The sessions of one server: one shared :class:`~sim.play.session.Session` per folder, listed and found by code.

Every screen of a session on one server (the teams' and the console) works on the same
object, so a week submitted by one team is on the other's screen at its next look,
without re-simulating. Another process (a second server, a script) is no danger: every
change is made against the saved session (:meth:`Session._change` reloads if it moved on).
"""

import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sim.play import store
from sim.play.info import PlayError
from sim.play.session import Session
from sim.play.session_info import SESSION, SessionInfo, Team

_open: dict[Path, Session] = {}
_opening = threading.Lock()


def open_session(folder: Path) -> Session:
    """The server's session of ``folder`` (loaded, by re-simulating it, on first use)."""
    key = folder.resolve()
    with _opening:
        if key not in _open:
            _open[key] = Session.load(folder)
        return _open[key]


def adopt(session: Session) -> Session:
    """Make a session just created the server's one for its folder."""
    with _opening:
        _open[session.folder.resolve()] = session
    return session


def list_sessions(sessions: Path) -> list[dict[str, Any]]:
    """The saved sessions under ``sessions`` (newest first), as their ``session.json`` plus the folder."""
    store.recover_all(sessions)
    found = []
    for path in sorted(sessions.glob("*/" + SESSION), reverse=True):
        if path.parent.name.startswith("."):
            continue
        try:
            found.append({**asdict(SessionInfo.read(path.parent)), "folder": path.parent})
        except PlayError:
            continue
    return found


def find_team(sessions: Path, code: str) -> tuple[Path, Team]:
    """The session and team a join code belongs to (unfinished sessions only)."""
    wanted = "".join(code.split()).upper()
    if not wanted:
        raise PlayError("enter your team's code")
    for info in list_sessions(sessions):
        if info["finished"]:
            continue
        for team in info["teams"]:
            if team["code"] == wanted:
                return info["folder"], Team(**team)
    raise PlayError(f"{wanted}: no session being played has this code; check it with the facilitator")
