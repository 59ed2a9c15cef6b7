"""Placeholder: replaced by the dashboard (work in progress)."""

import solara


@solara.component
def Dashboard() -> None:
    solara.Markdown("dashboard: work in progress")
