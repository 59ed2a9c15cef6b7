"""Hydra's command-line flags, by what they mean for ``spsim``: read before Hydra is imported."""

VALUE_FLAGS = frozenset({"--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd"})
"""Flags that take a value (the next word, or after ``=``)."""

MULTIRUN_FLAGS = frozenset({"--multirun", "-m"})
"""A sweep."""

NO_RUN_FLAGS = frozenset(
    {
        "--help",
        "-h",
        "--hydra-help",
        "--version",
        "--cfg",
        "-c",
        "--info",
        "-i",
        "--shell-completion",
        "-sc",
        "--resolve",
    }
)
"""Flags that show something instead of running."""

SHOW_FLAGS = frozenset({"--cfg", "-c", "--info", "-i"})
"""Flags that show one job's config: Hydra refuses them with ``--multirun``."""
