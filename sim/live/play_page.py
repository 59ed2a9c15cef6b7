"""Placeholder: replaced by the play page (work in progress)."""

from pathlib import Path

import solara


@solara.component
def PlayPage(games: Path) -> None:
    solara.Markdown(f"play: work in progress ({games})")
