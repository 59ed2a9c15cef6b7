"""Solara's server, staying home: no telemetry, no version check, no asset fetched from the internet.

``spsim viz`` runs ``python -m sim.live.offline <solara run options>`` in its own place
(exec: one process, so stopping the command stops the server). Out of the box Solara's
server calls out three ways, and a workshop room often has no internet (or must not use it):

- telemetry: at start-up and daily it asks api.ipify.org for the server's address and posts
  events to api.mixpanel.com (``solara.server.telemetry``). Off through its documented
  setting ``SOLARA_TELEMETRY_MIXPANEL_ENABLE`` (``solara.server.settings.telemetry.mixpanel_enable``).
- the version check: ``solara run`` asks pypi.org for the newest Solara (``_check_version``
  in ``solara.__main__``). Off through its option ``--no-check-version``.
- the CDN proxy: the page loads its scripts, styles and fonts from ``/_solara/cdn/<package>``,
  which serves the files of ``solara-assets`` and downloads from cdn.jsdelivr.net anything
  it lacks (``solara.server.cdn_helper.get_path``), for any path a client asks. Here the
  route serves the installed files only; anything else is a 404. (What our pages would have
  lacked: katex and its fonts, which ``solara.Markdown`` loads; the pages use
  :func:`sim.live.prose.Prose` instead.)

The proxy itself stays on: with it off, the page would ask cdn.jsdelivr.net directly.
"""

import os
import sys
from pathlib import Path

# Read by Solara's settings when they are first imported: set before importing solara.
FORCED_SETTINGS = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_ASSETS_PROXY": "true",  # assets from this server, not from the CDN (see above)
    "SOLARA_THEME_SHOW_BANNER": "false",  # its corner badge covers a projector's charts and fields
}
# A browser that went away without saying so (a laptop shut, the wifi lost) keeps its session,
# its model and memory, for this long; Solara's default is 24 h. A facilitator may change it.
DEFAULT_SETTINGS = {"SOLARA_KERNEL_CULL_TIMEOUT": "10m"}
NO_VERSION_CHECK = "--no-check-version"


def local_asset(base_cache_dir: Path, path: str) -> Path:
    """Solara's ``cdn_helper.get_path`` without the download: the installed file, or an error (a 404).

    Raises:
        FileNotFoundError: no such installed asset (or a path outside the assets folder).
    """
    parts = path.replace("\\", "/").split("/")
    stored = Path(path) if len(parts) != 1 else Path(path) / "__main.js"  # Solara's layout for a bare package
    base = Path(base_cache_dir).resolve()
    found = (base / stored).resolve()
    if not found.is_relative_to(base) or not found.is_file():
        raise FileNotFoundError(f"{path}: not an installed asset (nothing is fetched from a CDN)")
    return found


def stay_home() -> None:
    """Switch off, in this process, everything of Solara's server that would call out."""
    os.environ.update(FORCED_SETTINGS)
    for name, value in DEFAULT_SETTINGS.items():
        os.environ.setdefault(name, value)
    import solara.server.cdn_helper as cdn_helper
    import solara.server.settings as server_settings
    import solara.settings

    # Also in place, should a .env file or an earlier import have set them otherwise.
    server_settings.telemetry.mixpanel_enable = False
    # Solara's server module imports get_path by name when uvicorn loads it, after this; it
    # must not be imported here (it reads the app to serve from what `solara run` sets).
    cdn_helper.get_path = local_asset
    if (starlette := sys.modules.get("solara.server.starlette")) is not None:
        starlette.get_path = local_asset  # type: ignore[attr-defined]
    if not solara.settings.assets.proxy:
        # Solara switches the proxy off when it cannot create its assets folder, and the page
        # would then load everything from cdn.jsdelivr.net: better not to start.
        sys.exit(f"spsim viz: error: Solara's assets folder {server_settings.assets.proxy_cache_dir} is unusable")


def main() -> None:
    """``solara <arguments>``, staying home (``spsim viz`` passes ``run sim.live.app ...``)."""
    stay_home()
    from solara.__main__ import main as solara_main

    arguments = sys.argv[1:]
    if arguments[:1] == ["run"] and NO_VERSION_CHECK not in arguments:
        arguments.append(NO_VERSION_CHECK)
    sys.argv = ["solara", *arguments]
    solara_main()


if __name__ == "__main__":
    main()
