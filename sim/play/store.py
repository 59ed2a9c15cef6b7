"""The folder of saved games as a store: one writer per game, atomic names, saves that survive a kill.

A game is a folder ``<games>/<name>``; the store keeps three kinds of sibling beside it,
all hidden, so the game's own folder stays a normal run folder:

- ``.locks/<name>.lock``: the game's lock. Whoever writes the game (a week's save, a
  re-run into it, the recovery of a save that was cut short) holds it (``flock``: the
  kernel releases it when a process dies, so a killed server never leaves a game locked).
  Creating it with ``O_EXCL`` is also how a new game claims its name. Lock files are never
  removed: removing one while another process waits on it would let two writers in.
- ``.<name>.saving``: the next save being written (the staging folder);
- ``.<name>.old``: the previous save, renamed aside while the new one is put in place.

The protocol of a save (:func:`write`), with the game's lock held:

1. write the whole new save into ``.<name>.saving``; its manifest, written last, says complete;
2. move what was made from the game (``rerun/``, ``replay/``, …) into it, one folder at a time;
3. rename ``<name>`` to ``.<name>.old``;
4. rename ``.<name>.saving`` to ``<name>``;
5. remove ``.<name>.old``.

:func:`recover` puts back a save cut short at any point: with ``<name>`` missing (cut
between 3 and 4) a complete staging folder becomes the game (the new week), else the
old one comes back; the folders moved in step 2 go back to whichever is the game; then
the leftovers go. So a game is never invisible and is always a whole save, the last
acknowledged one or the one being written. Opening the store (:func:`recover_all`, used
by every listing and by resume) recovers every game first.
"""

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.output.atomic import PARTIAL
from sim.output.runfolder import is_complete, read_manifest
from sim.usage import InputError

LOCKS = ".locks"
SAVING = ".saving"
OLD = ".old"
LOCK_TIMEOUT_S = 60.0  # a save takes well under a second; a minute means something is stuck
MAX_SAME_NAME = 1000  # games started with one name in one second (a typo guard for a runaway loop)


class StoreError(InputError):
    """The store cannot do what was asked (the game is busy, or its folder cannot be written): one line."""


# -- names ---------------------------------------------------------------------------------------


def staging_of(folder: Path) -> Path:
    """Where the next save of ``folder`` is written."""
    return folder.with_name(f".{folder.name}{SAVING}")


def old_of(folder: Path) -> Path:
    """Where the previous save of ``folder`` waits while the next one is put in place."""
    return folder.with_name(f".{folder.name}{OLD}")


def lock_of(folder: Path) -> Path:
    """The lock file of the game ``folder`` (outside it: the folder itself is swapped)."""
    return folder.parent / LOCKS / f"{folder.name}.lock"


def leftovers(folder: Path) -> list[Path]:
    """What an interrupted save of ``folder`` left beside it (staging, old, temporaries)."""
    found = [path for path in (staging_of(folder), old_of(folder)) if path.exists()]
    # ``.<name>.<pid>-<hex>.partial.old``: what the earlier protocol (replace_folder) left
    found += sorted(folder.parent.glob(f".{folder.name}.*{PARTIAL}*"))
    return found


def game_of(hidden: str) -> str | None:
    """The game a hidden leftover's name belongs to, or None if it is no leftover of a save."""
    if not hidden.startswith(".") or hidden == LOCKS:
        return None
    name = hidden[1:]
    if PARTIAL in name:
        # ``<name>.<tag>.partial<suffix>``: the tag has no dot, the game's name may
        return name.split(PARTIAL)[0].rpartition(".")[0] or None
    for ending in (SAVING, OLD):
        if name.endswith(ending):
            return name.removesuffix(ending) or None
    return None


# -- the lock ------------------------------------------------------------------------------------


@contextmanager
def locked(folder: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the game's lock for the block (waiting up to ``timeout_s`` for another writer)."""
    path = lock_of(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as error:
        raise StoreError(f"{folder}: cannot lock the game ({_one_line(error)})") from None
    try:
        _acquire(handle, folder, timeout_s)
        yield
    finally:
        os.close(handle)  # closing releases the lock


@contextmanager
def reading(folder: Path) -> Iterator[None]:
    """Hold the game's lock while a save is read (and recover first), without creating a lock file.

    A game with no lock file was never written by this store (it was copied in, or saved
    by an earlier version): nobody can be saving it, and reading it writes nothing.
    """
    if not lock_of(folder).exists() and not leftovers(folder):
        yield
        return
    with locked(folder):
        recover(folder)
        yield


def _acquire(handle: int, folder: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreError(f"{folder}: cannot lock the game ({_one_line(error)})") from None
        if time.monotonic() >= deadline:
            raise StoreError(f"{folder.name}: another screen has been saving this game for {timeout_s:g} s; try again")
        time.sleep(0.02)


def reserve(games: Path, name: str) -> Path:
    """A new game folder's path under ``games``, claimed for this caller alone.

    Two games started with the same name in the same second both start: the first
    gets ``name``, the next ``name_2``, and so on. The claim is the lock file, created
    with ``O_EXCL`` (atomic); a name with a folder or leftovers from earlier is skipped.
    """
    try:
        (games / LOCKS).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"{games}: cannot save games here ({_one_line(error)})") from None
    for number in range(1, MAX_SAME_NAME + 1):
        folder = games / (name if number == 1 else f"{name}_{number}")
        if folder.exists() or leftovers(folder):
            continue
        try:
            os.close(os.open(lock_of(folder), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue  # claimed by another start (or once by a game since removed)
        except OSError as error:
            raise StoreError(f"{games}: cannot save games here ({_one_line(error)})") from None
        return folder
    raise StoreError(f"{name}: {MAX_SAME_NAME} games of this name already; pick another name")


# -- a save --------------------------------------------------------------------------------------


def write(folder: Path, fill: Callable[[Path], None]) -> None:
    """Save a game whole (the protocol above); the caller holds the game's lock.

    ``fill`` writes the new save into the (empty) folder it is given and seals it with a
    complete manifest. If it raises, the staging folder goes and the game is untouched.
    """
    staging = staging_of(folder)
    recover(folder)  # a save cut short before: put it right before writing the next one
    try:
        fill(staging)
    except Exception:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _adopt_made(folder, staging)
    old = old_of(folder)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def recover(folder: Path) -> None:
    """Put right whatever an interrupted save of ``folder`` left; the caller holds the game's lock."""
    staging, old = staging_of(folder), old_of(folder)
    legacy = [path for path in leftovers(folder) if path not in (staging, old)]
    if not folder.exists():
        earlier = [old, *(path for path in legacy if path.is_dir())]
        if staging.is_dir() and _whole(staging):
            staging.rename(folder)  # cut between steps 3 and 4: the new save was whole
        else:
            for candidate in earlier:
                if candidate.is_dir() and _whole(candidate):
                    candidate.rename(folder)
                    break
    if folder.is_dir():
        for aside in (staging, old, *legacy):
            if aside.is_dir():
                _adopt_made(aside, folder)  # cut in step 2: the moved folders go back
    for aside in (staging, old, *legacy):
        if aside.is_dir() and not aside.is_symlink():
            shutil.rmtree(aside, ignore_errors=True)
        elif aside.exists() or aside.is_symlink():
            aside.unlink(missing_ok=True)
    if folder.is_dir():
        for temporary in folder.glob(f".*{PARTIAL}*"):  # a file write cut short inside the game
            if temporary.is_file():
                temporary.unlink(missing_ok=True)


def recover_all(games: Path) -> None:
    """Recover every game in ``games`` that an interrupted save left in pieces (opening the store).

    A game whose lock another process holds is being saved right now: it is left to it.
    """
    if not games.is_dir():
        return
    names = {game for path in games.iterdir() if (game := game_of(path.name))}
    for name in sorted(names):
        folder = games / name
        try:
            with locked(folder, timeout_s=LOCK_TIMEOUT_S / 6):
                recover(folder)
        except (StoreError, OSError):
            continue  # busy or read-only: the next opening tries again


def _whole(folder: Path) -> bool:
    """A save that can be resumed: a complete run folder (its manifest is written last)."""
    return is_complete(folder)


def _own_folders(folder: Path) -> set[str]:
    """The sub-folders a save wrote itself (``charts/``), by its manifest; the rest were made from the game."""
    files = (read_manifest(folder) or {}).get("files")
    return {str(name).split("/")[0] for name in (files if isinstance(files, list) else []) if "/" in str(name)}


def _adopt_made(source: Path, target: Path) -> None:
    """Move what was made from the game (re-runs, replays) from ``source`` into ``target``, where missing."""
    if not source.is_dir():
        return
    own = _own_folders(source)
    for made in sorted(source.iterdir()):
        if not made.is_dir() or made.name in own or made.name.startswith("."):
            continue
        if not (target / made.name).exists():
            made.rename(target / made.name)


def _one_line(error: OSError) -> str:
    return " ".join((error.strerror or str(error)).split())
