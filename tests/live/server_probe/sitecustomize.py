"""What the live tests watch inside the server process; loaded only where a test puts this folder on PYTHONPATH.

Python imports ``sitecustomize`` at start-up from its path, so a server started with
``PYTHONPATH=<this folder>`` and ``SPSIM_TEST_PROBE=<log file>`` runs this before any of its
own code (``spsim-viz`` execs the server, which inherits both). It then

- refuses every connection, and every name look-up, that is not this machine's own
  (loopback or a local socket), writing each attempt to the log: ``outbound <where>``;
- on SIGUSR1, writes how many dashboard models (``LiveModel``) are alive: ``models <n>``.

Nothing else of the server changes: the tests see the app as a workshop room does.
"""

import gc
import ipaddress
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

LOG = os.environ.get("SPSIM_TEST_PROBE", "")
_write_lock = threading.Lock()


def _note(line: str) -> None:
    with _write_lock, Path(LOG).open("a", encoding="utf-8") as log:
        log.write(line + "\n")


def _is_local(host: Any) -> bool:
    if not isinstance(host, str):
        return True  # a local (AF_UNIX) socket's path as bytes
    if host in ("", "localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False  # a name: looking it up would ask a DNS server
    return address.is_loopback or address.is_unspecified


def _guarded_connect(original: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            _note(f"outbound {address!r}")
            raise OSError(101, f"outbound connection to {address!r} blocked by the test")
        return original(self, address)

    return connect


def _guarded_getaddrinfo(original: Any) -> Any:
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, bytes):
            host = host.decode()
        if host is not None and not _is_local(host):
            _note(f"outbound lookup {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"name look-up of {host!r} blocked by the test")
        return original(host, *args, **kwargs)

    return getaddrinfo


def _count_models(_signal: int, _frame: Any) -> None:
    gc.collect()
    alive = sum(1 for thing in gc.get_objects() if type(thing).__name__ == "LiveModel")
    _note(f"models {alive}")


if LOG:
    socket.socket.connect = _guarded_connect(socket.socket.connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect(socket.socket.connect_ex)  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo(socket.getaddrinfo)
    signal.signal(signal.SIGUSR1, _count_models)
    _note("probe on")
