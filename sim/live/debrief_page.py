"""Placeholder: replaced by the facilitator view (work in progress)."""

from pathlib import Path

import solara


@solara.component
def FacilitatorView(games: Path) -> None:
    solara.Markdown(f"facilitator: work in progress ({games})")
