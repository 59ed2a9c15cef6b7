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
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def served_app(games: Path, timeout_s: float = 90.0) -> Iterator[str]:
    """``spsim-viz`` on a free port of 127.0.0.1, saving games in ``games``; yields its address."""
    port = free_port()
    script = Path(sys.executable).with_name("spsim-viz")
    log = games.parent / f"spsim-viz-{port}.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(script), "--port", str(port), "--games", str(games)], stdout=output, stderr=subprocess.STDOUT
        )
        address = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(address, server, timeout_s, log)
            yield address
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_until_up(address: str, server: subprocess.Popen[bytes], timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"spsim-viz exited with {server.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(address + "/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"spsim-viz did not answer within {timeout_s:.0f} s: {log.read_text()[-2000:]}")
