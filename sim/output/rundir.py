"""Writing a run folder: tables, summary, resolved config and a manifest, each file atomically.

Each file is written under a temporary name and renamed into place
(:mod:`sim.output.atomic`); the manifest is written first with status ``running`` and
last with ``complete`` (or ``failed``, with the error). A folder whose manifest does not
say ``complete`` is not a result, whatever else it holds (:mod:`sim.output.runfolder`
reads and checks folders). Writing into a folder that holds an earlier run first marks
it ``running``, then removes that run's results, so no mix of old and new looks whole.

A sweep re-run skips a job whose folder :func:`holds_result` for its config, and
:func:`confirm_result` then touches the manifest (content unchanged): a manifest's
modification time says when a sweep last ran or confirmed the result.
"""

import hashlib
import json
import os
import platform
import subprocess
import time
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.config import RunConfig
from sim.output.atomic import PARTIAL, write_atomically, write_json, write_text
from sim.output.runfolder import CONFIG, MANIFEST, SUMMARY, TABLES, is_complete, read_manifest

if TYPE_CHECKING:
    import pandas as pd

PACKAGES = ("sim", "mesa", "simpy", "numpy", "pandas", "pyarrow", "hydra-core", "pydantic", "matplotlib")
DISTRIBUTIONS = {"sim": "spsim"}  # the package ``sim`` is installed as the distribution ``spsim``


def config_hash(config: RunConfig) -> str:
    """A stable digest of everything that determines a run's results."""
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


WRITING_THREADS = 2  # pyarrow encodes and compresses without the GIL: two tables at once, beside the run's Python


def write_table(path: Path, table: "pd.DataFrame") -> None:
    """``table`` as zstd-compressed Parquet, written atomically."""
    write_atomically(path, lambda tmp: table.to_parquet(tmp, index=False, compression="zstd"))


class RunFolder:
    """Writes one run's results into ``path``.

    Tables are written in background threads, each as soon as it is handed over
    (:meth:`write_table`, e.g. as the model finishes it), so Parquet's encoding overlaps
    the summing of the next table; :meth:`write_results` waits for all of them, and the
    manifest is sealed only after every write has ended.
    """

    def __init__(self, path: str | Path, config: RunConfig) -> None:
        self.path = Path(path)
        self.config = config
        self.started = time.perf_counter()
        self.path.mkdir(parents=True, exist_ok=True)
        earlier = read_manifest(self.path)
        self.manifest: dict[str, Any] = {
            "status": "running",
            "seed": config.seed,
            "scenario": config.scenario.name,
            "config_hash": config_hash(config),
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "packages": package_versions(),
            "wall_time_s": None,
            "files": [],
        }
        write_json(self.path / MANIFEST, self.manifest)
        _remove_results(self.path, earlier)
        self._writing: ThreadPoolExecutor | None = None
        self._tables: dict[str, Future[None]] = {}

    def write_table(self, name: str, table: "pd.DataFrame") -> None:
        """Start writing ``<name>.parquet`` in the background; :meth:`write_results` waits for it."""
        if self._writing is None:
            self._writing = ThreadPoolExecutor(WRITING_THREADS, thread_name_prefix="spsim-tables")
        self._tables[name] = self._writing.submit(write_table, self.path / f"{name}.parquet", table)

    def write_results(self, summary: dict[str, float], tables: "dict[str, pd.DataFrame]") -> None:
        """The resolved config, the summary and every table (those not handed over yet are written now).

        Raises:
            Exception: the first file that could not be written (the tables under way are waited
                for, and those written are removed).
        """
        try:
            for name, table in tables.items():
                if name not in self._tables:
                    self.write_table(name, table)
            write_text(self.path / CONFIG, yaml.safe_dump(self.config.model_dump(mode="json"), sort_keys=False))
            write_json(self.path / SUMMARY, summary)
            self._wait_for_tables()
        except BaseException:
            self._drop_tables()  # no write outlives a failure: when this raises, nothing is being written
            raise
        self.manifest["files"] = [CONFIG, SUMMARY] + [f"{name}.parquet" for name in tables]

    def _wait_for_tables(self) -> None:
        """Wait for every table handed over; raise the first that could not be written (then finish drops them)."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.shutdown(wait=True)
        for future in self._tables.values():
            future.result()
        self._tables = {}

    def _drop_tables(self) -> None:
        """A failed run: stop its table writes and remove what they wrote (its manifest does not list them)."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.shutdown(wait=True, cancel_futures=True)
        for name in self._tables:
            (self.path / f"{name}.parquet").unlink(missing_ok=True)
        self._tables = {}

    def add_files(self, names: list[str]) -> None:
        self.manifest["files"].extend(names)

    def finish(self, status: str = "complete", error: str | None = None, details: str | None = None) -> None:
        """Seal the folder: the manifest is the last file written.

        Args:
            status: ``complete`` or ``failed``.
            error: for a failed run, the error in one line.
            details: for a failed run, the traceback.
        """
        self._drop_tables()  # a failed run's unlisted tables (none once write_results has waited for them)
        self.manifest["status"] = status
        self.manifest["wall_time_s"] = round(time.perf_counter() - self.started, 3)
        if error:
            self.manifest["error"] = error
        if details:
            self.manifest["traceback"] = details
        write_json(self.path / MANIFEST, self.manifest)


def holds_result(path: str | Path, config: RunConfig) -> bool:
    """Whether ``path`` is a complete run folder of exactly ``config`` (same config hash)."""
    manifest = read_manifest(path)
    return is_complete(path) and manifest is not None and manifest.get("config_hash") == config_hash(config)


def confirm_result(path: str | Path) -> None:
    """Touch the manifest of a result a sweep found complete (its content is unchanged)."""
    os.utime(Path(path) / MANIFEST)


def _remove_results(path: Path, manifest: dict[str, Any] | None) -> None:
    """The files an earlier run listed in its manifest, and temporary files left by any run."""
    listed = manifest.get("files", []) if manifest else []
    names = [name for name in listed if isinstance(name, str)] + [CONFIG, SUMMARY]
    names += [f"{table}.parquet" for table in TABLES]  # written before the manifest lists them
    for name in names:
        target = path / name
        if target.resolve().is_relative_to(path.resolve()) and target.is_file():
            target.unlink()
    for temporary in path.rglob(f".*{PARTIAL}*"):
        if temporary.is_file():
            temporary.unlink(missing_ok=True)


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed version of each package (or "not installed"), for a manifest."""
    return dict(_versions(packages))


@cache
def _versions(packages: tuple[str, ...]) -> dict[str, str]:
    # Read once per process: a sweep's worker writes hundreds of manifests, and the
    # packages it runs with cannot change under it.
    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(DISTRIBUTIONS.get(package, package))
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


@cache
def git_commit() -> str:
    """The checkout's commit, marked -dirty when tracked files have changes; "unknown" outside git.

    Asked once per process (two ``git`` calls): the code a process runs is the code it
    imported at its start, whatever the checkout holds later.
    """
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = result.stdout.strip()
    if result.returncode != 0 or not commit:
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=Path(__file__).resolve().parent,
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    ).stdout.strip()
    return commit + ("-dirty" if dirty else "")
