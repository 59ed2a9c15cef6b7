"""The app served on a free local port, and the chromium to look at it with (browser tests and ``make bench``).

No browser is downloaded: Playwright drives the chromium found on the machine
(``$SPSIM_CHROMIUM``, else ``chromium`` on the PATH); ``make test`` installs Debian's
where it can. Where none can be had, the browser tests skip and say why.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Offline and quiet: no first-run pages, no update checks, no calls home (the network is closed).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    """The chromium executable to drive, or None."""
    for candidate in (os.environ.get("SPSIM_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Served:
    """A running ``spsim-viz``: its address, its process and its log."""

    address: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def serving(games: Path, timeout_s: float = 90.0, environment: Mapping[str, str] | None = None) -> Iterator[Served]:
    """``spsim-viz`` on a free port of 127.0.0.1, saving games in ``games``, stopped (SIGTERM) on leaving.

    Args:
        games: the folder of saved games (``--games``).
        timeout_s: how long the server may take to answer before this gives up.
        environment: variables added to this process's for the server (the tests' probe).
    """
    port = free_port()
    script = Path(sys.executable).with_name("spsim-viz")
    log = games.parent / f"spsim-viz-{port}.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(script), "--port", str(port), "--games", str(games)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(environment or {})},
        )
        address = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(address, server, timeout_s, log)
            yield Served(address, server, log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def served_app(games: Path, timeout_s: float = 90.0) -> Iterator[str]:
    """``spsim-viz`` on a free port of 127.0.0.1, saving games in ``games``; yields its address."""
    with serving(games, timeout_s) as served:
        yield served.address


def wait_until_up(address: str, server: subprocess.Popen[bytes], timeout_s: float, log: Path, path: str = "/") -> None:
    """Until ``path`` of the app answers 200; RuntimeError (with the log's end) if the server died or never answered."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"spsim-viz exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(address + path, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"spsim-viz did not answer within {timeout_s:.0f} s: {log.read_text()[-2000:]}")
