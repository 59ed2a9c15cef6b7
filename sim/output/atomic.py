"""Writing results whole or not at all: one file, a set of files, a folder.

Every writer here writes into a temporary sibling of its target (a hidden name with
``.partial`` in it) and renames it into place only once it is whole; if writing fails,
the temporary goes and the old target, if any, stays. A rename within one folder is
atomic on POSIX, so a reader sees the old file or the new one, never half of one.

Temporary names keep the target's extension at their end (``.report.1234-ab12.partial.png``):
some writers (Pillow, ffmpeg, matplotlib without ``format=``) choose the format by it.
They are created with the process's normal permissions (not ``tempfile``'s private
ones), so a result renamed into a shared folder stays readable by its group.
"""

import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PARTIAL = ".partial"
"""Part of every temporary name: ``path.rglob(f"*{PARTIAL}*")`` finds what an interrupted writer left."""


def temporary_sibling(path: Path, suffix: str | None = None) -> Path:
    """A fresh hidden name next to ``path``, unique to this process and call."""
    tag = f"{os.getpid()}-{secrets.token_hex(3)}"
    ending = path.suffix if suffix is None else suffix
    return path.with_name(f".{path.name}.{tag}{PARTIAL}{ending}")


@contextmanager
def files_atomically(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield a temporary sibling for each of ``paths``; when the block ends well, rename each into place.

    Folders are created as needed. If the block raises, every temporary is removed and
    no target changes.
    """
    temporaries = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporaries.append(temporary_sibling(path))
        yield temporaries
        for temporary, path in zip(temporaries, paths, strict=True):
            temporary.replace(path)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)


def write_atomically(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write`` on a temporary sibling of ``path``, then rename it into place; returns ``path``."""
    with files_atomically([path]) as (temporary,):
        write(temporary)
    return path


def write_text(path: Path, text: str) -> Path:
    """``text`` (UTF-8) into ``path``, atomically."""
    return write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_bytes(path: Path, data: bytes) -> Path:
    """``data`` into ``path``, atomically."""
    return write_atomically(path, lambda temporary: temporary.write_bytes(data))


def write_json(path: Path, data: Any) -> Path:
    """``data`` as indented JSON (NaN written as ``NaN``, as Python reads it back), atomically."""
    return write_text(path, json.dumps(data, indent=2, sort_keys=False, allow_nan=True) + "\n")


@contextmanager
def folder_atomically(path: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path``; when the block ends well, it replaces ``path`` whole.

    The old folder is moved aside first and removed only once the new one is in place.
    If the block raises, the temporary folder goes and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tidy_folder(path)
    staging = temporary_sibling(path, suffix="")
    staging.mkdir()
    try:
        yield staging
        replace_folder(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def tidy_folder(path: Path) -> None:
    """Mend what an interrupted :func:`replace_folder` next to ``path`` left behind (by a process now gone).

    Killed between its two renames, it leaves no ``path`` and the old folder aside: the old
    one is put back (a report is never lost). Staging folders and old copies of finished
    replacements are removed. Leftovers of a process still running are left alone.
    """
    leftovers = sorted(path.parent.glob(f".{path.name}.*"), key=lambda item: item.stat().st_mtime, reverse=True)
    for item in leftovers:
        pid = _pid_in(item.name.removeprefix(f".{path.name}."))
        if pid is not None and pid != os.getpid() and _running(pid):
            continue
        if item.name.endswith(".old") and item.is_dir() and not path.exists():
            item.replace(path)  # the newest old copy: what was there before the interruption
        elif item.is_dir():
            shutil.rmtree(item, ignore_errors=True)
        else:
            item.unlink(missing_ok=True)


def _pid_in(tag: str) -> int | None:
    digits = tag.split("-", 1)[0].split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def replace_folder(staging: Path, path: Path) -> None:
    """Put the finished folder ``staging`` where ``path`` is; the old one is removed only afterwards."""
    old = temporary_sibling(path, suffix=".old") if path.exists() else None
    if old is not None:
        path.replace(old)
    staging.replace(path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
