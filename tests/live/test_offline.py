"""The app stays home: with every way out blocked, each page works and nothing leaves 127.0.0.1.

The server runs with ``server_probe/sitecustomize.py`` loaded (``PYTHONPATH``): it refuses
and writes down every connection and name look-up that is not this machine's, and counts
the dashboard models alive on SIGUSR1. The browser may reach 127.0.0.1 only; every request
a page makes is recorded.
"""

import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sim.live.serve import Served, serving
from tests.browser import BROWSER_MARKS, playwright_and_chromium

pytestmark = BROWSER_MARKS
playwright_and_chromium()  # skips the module where there is no playwright or chromium

PROBE = Path(__file__).with_name("server_probe")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CULL_S = 2  # how long a session outlives a browser gone without a word, here


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    folder = tmp_path_factory.mktemp("offline")
    probe_log = folder / "probe.log"
    environment = {
        "PYTHONPATH": str(PROBE),
        "SPSIM_TEST_PROBE": str(probe_log),
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{CULL_S}s",
    }
    with serving(folder / "games", environment=environment) as served:
        yield served, probe_log
    assert served.process.poll() is not None, "the server is stopped"
    assert not _servers_on(served.address), "no server process is left"


def _servers_on(address: str) -> list[str]:
    """The processes serving ``address``'s port (``spsim-viz``, or a ``solara run`` of any kind)."""
    port = urlsplit(address).port
    pattern = f"(solara run|sim.live.offline).*--port {port}( |$)"
    found = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True, check=False)
    return found.stdout.splitlines()


def _outbound(probe_log: Path) -> list[str]:
    return [line for line in probe_log.read_text().splitlines() if line.startswith("outbound")]


def _live_models(served: Served, probe_log: Path) -> int:
    """How many dashboard models the server holds now (the probe counts on SIGUSR1)."""
    counted = probe_log.read_text().count("models ")
    served.process.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answers = re.findall(r"^models (\d+)$", probe_log.read_text(), flags=re.MULTILINE)
        if len(answers) > counted:
            return int(answers[-1])
        time.sleep(0.1)
    raise AssertionError("the server's probe did not answer")


def _until_models(served: Served, probe_log: Path, expected: int, within_s: float = 30) -> int:
    deadline = time.monotonic() + within_s
    while (alive := _live_models(served, probe_log)) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return alive


def _offline_page(browser: Any, requested: list[str]) -> tuple[Any, Any]:
    """A page that records every request it makes and can reach nothing but this machine."""
    context = browser.new_context(viewport={"width": 1300, "height": 1400})

    def only_here(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", only_here)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("request", lambda request: requested.append(request.url))
    return context, page


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_every_page_loads_with_nothing_from_elsewhere(browser: Any, server: tuple[Served, Path]) -> None:
    served, probe_log = server
    requested: list[str] = []
    missing: list[str] = []
    context, page = _offline_page(browser, requested)
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))

    page.goto(served.address + "/")
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator('.spsim-day[data-day="0"]').wait_for()
    page.goto(served.address + "/play")
    page.get_by_label("Your name").fill("Oona")
    page.get_by_label("Weeks").fill("1")
    page.get_by_text("Start game").click()
    page.get_by_text("Week 1 of 1").wait_for()  # the week's screen: its tables and lists
    page.locator(".solara-markdown table").first.wait_for()
    page.goto(served.address + "/debrief")
    page.get_by_text("Facilitator: compare the games").wait_for()
    page.wait_for_load_state("networkidle")
    context.close()

    assert requested, "the pages were recorded"
    elsewhere = [url for url in requested if urlsplit(url).hostname not in LOCAL_HOSTS]
    assert not elsewhere, f"requests that leave 127.0.0.1: {elsewhere}"
    assert not [url for url in requested if "katex" in url or "mermaid" in url], "no page needs katex or mermaid"
    assert not missing, f"asked of the server and not found (an asset not installed): {missing}"
    assert not _outbound(probe_log)


def test_the_cdn_route_serves_installed_files_and_fetches_nothing(server: tuple[Served, Path]) -> None:
    served, probe_log = server
    cdn = served.address + "/_solara/cdn/"
    assert _status(cdn + "requirejs@2.3.6/require.js") == 200, "the installed assets are served"
    for path in ("left-pad@1.3.0/index.js", "katex@0.16.9/dist/katex.min.js", "..%2F..%2F..%2Fetc/passwd"):
        assert _status(cdn + path) == 404, path
    assert not _outbound(probe_log), "the server asked no CDN"


def test_a_closed_session_lets_its_model_go(browser: Any, server: tuple[Served, Path]) -> None:
    served, probe_log = server
    assert _until_models(served, probe_log, 0) == 0, "earlier sessions are gone (closed or culled)"
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(served.address + "/")
    page.locator(".spsim-day").wait_for()
    assert _live_models(served, probe_log) == 1
    page.close(run_before_unload=True)  # the tab closed: the page tells the server
    assert _until_models(served, probe_log, 0) == 0, "the closed tab's model is let go"

    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(served.address + "/")
    page.locator(".spsim-day").wait_for()
    assert _live_models(served, probe_log) == 1
    context.close()  # the browser gone without a word: the session is culled
    assert _until_models(served, probe_log, 0, within_s=CULL_S + 30) == 0, "the vanished browser's model is let go"


def test_the_server_itself_called_nobody(server: tuple[Served, Path]) -> None:
    # Last: telemetry and the version check run at start-up and on the first pages.
    served, probe_log = server
    assert "probe on" in probe_log.read_text(), "the probe ran in the server"
    assert not _outbound(probe_log), f"the server tried to reach: {_outbound(probe_log)}"
    assert "New version of Solara" not in served.log.read_text()
