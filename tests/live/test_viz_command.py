"""``spsim-viz`` as a command: a bad address or port is one line and exit 2 at once; SIGTERM stops it all."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.live.serve import serving

SCRIPT = Path(sys.executable).with_name("spsim-viz")


def _viz(*arguments: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run([str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60, check=False)
    return result, time.monotonic() - started


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--host", "999.999.0.1"], "--host = 999.999.0.1: not an IP address; use 127.0.0.1"),
        (["--host", "workshop.example"], "--host = workshop.example: not an IP address"),
        (["--host", ""], "--host = : not an IP address"),
        (["--host", "192.0.2.1"], "--host = 192.0.2.1: not an address of this machine; use 127.0.0.1"),
        (["--port", "0"], "--port = 0: must be between 1 and 65535"),
        (["--port", "70000"], "--port = 70000: must be between 1 and 65535"),
        (["--port", "many"], "--port"),
    ],
)
def test_a_bad_address_or_port_is_one_line_and_exit_2_at_once(arguments: list[str], message: str) -> None:
    result, took_s = _viz(*arguments)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not result.stdout, "no server was started"
    assert took_s < 10, f"refused after {took_s:.1f} s"  # uvicorn took twenty


def test_a_port_in_use_is_named() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result, _ = _viz("--port", str(port))
    assert result.returncode == 2
    assert f"--port = {port}: already in use on 127.0.0.1; choose another" in result.stderr


@pytest.mark.slow
@pytest.mark.xdist_group("browser")  # a real server: one at a time with the browser tests
def test_sigterm_stops_the_server_and_leaves_no_process(tmp_path: Path) -> None:
    with serving(tmp_path / "games") as served:
        port = served.address.rsplit(":", 1)[1]
        pattern = f"(solara run|sim.live.offline).*--port {port}( |$)"
        running = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
        assert running.stdout.split() == [str(served.process.pid)], "one process: the command is the server"
        served.process.terminate()
        assert served.process.wait(timeout=20) is not None
    left = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True, check=False)
    assert not left.stdout, f"still running after SIGTERM: {left.stdout}"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()
