"""Where the shipped configs are, and what each config group offers: read from the files, without Hydra.

The configs ship inside the package as ``sim.configs``: in a checkout that package *is*
the top-level ``configs/`` folder (setuptools maps it there), so users keep editing
``configs/`` while a wheel carries them along. A user's own folder is added with
``--config-dir``. Listing options needs no Hydra: ``spsim --help`` and the live app's
menus read the folder directly.
"""

from importlib import resources
from pathlib import Path


def config_dir() -> Path:
    """The folder of the shipped configs (``configs/`` of a checkout; inside the package in a wheel)."""
    return Path(str(resources.files("sim.configs")))


def option_names(group: str) -> list[str]:
    """The options of a config group (``scenario`` -> cost_squeeze, default, ...)."""
    return sorted(path.stem for path in (config_dir() / group).glob("*.yaml"))


NOT_RUN_GROUPS = frozenset({"hydra", "analysis", "calibration"})  # Hydra's own settings; the analysis commands' configs


def groups() -> dict[str, list[str]]:
    """Every config group a run's command line can choose from, with its options."""
    found: dict[str, list[str]] = {}
    for folder in sorted(p for p in config_dir().iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        options = option_names(folder.name)
        if options and folder.name not in NOT_RUN_GROUPS:
            found[folder.name] = options
    return found
