"""The facilitator view: the saved games of a workshop on one chart and one table.

It lists the games in the games folder (and their re-runs: the agents in the seat, a
lever on), lets the facilitator tick the ones to compare (all by default), shows the
chart and the table of :mod:`sim.views.facilitator`, and writes the debrief pack
(``facilitator.png``, ``.csv``, ``.md``) into ``<games>/debrief/``.

CSS classes a browser test can read: ``spsim-debrief`` (the page), ``spsim-debrief-empty``
(no games yet), ``spsim-debrief-game`` (one tickable game), ``spsim-debrief-skipped``
and ``spsim-debrief-error`` (a folder left out, with why), ``spsim-debrief-chart``,
``spsim-debrief-table`` and its rows ``spsim-debrief-row`` (``data-kind`` = game, agents,
lever re-run or run), ``spsim-debrief-refresh``, ``spsim-debrief-write`` and
``spsim-debrief-written`` (the files written).
"""

import html
import math
from pathlib import Path

import pandas as pd
import solara
from matplotlib.figure import Figure

from sim.live.prose import Prose
from sim.output.runfolder import RunFolderError
from sim.views import facilitator
from sim.views.facilitator import Found, Game

PACK = facilitator.DEBRIEF_DIR
HEADLINE = (  # the numbers, right-aligned
    "Rank",
    "Company score",
    "Operating profit",
    "Excess stock charge",
    "Fill rate",
    "On time in full",
    "Conflicts",
    "Purchasing: price savings",
    "Purchasing: stock, weeks of budget",
    "Sales: bookings",
    "Bullwhip",
)


def _load(found: Found) -> tuple[list[Game], list[str]]:
    """Every game found that reads cleanly (labelled among themselves), and a line for each that does not."""
    games, errors = [], []
    for path in found.paths:
        try:
            games.append(facilitator.load_game(path))
        except RunFolderError as error:
            errors.append(str(error))
    return facilitator.label_games(games), errors


def _compare(games: list[Game]) -> tuple[pd.DataFrame | None, Figure | None]:
    """The comparison table and chart of the games ticked (none: nothing to show)."""
    if not games:
        return None, None
    table = facilitator.comparison_table(games)
    return table, facilitator.figure(table)


def table_html(table: pd.DataFrame) -> str:
    """The comparison table as HTML: one ``spsim-debrief-row`` per game."""
    shown = facilitator.formatted(table)
    head = "".join(f"<th>{html.escape(column)}</th>" for column in shown.columns)
    rows = []
    for (_, raw), values in zip(table.iterrows(), shown.itertuples(index=False), strict=True):
        cells = "".join(
            f"<td class='spsim-debrief-{column.lower().replace(' ', '-')}'"
            f"{' style="text-align:right"' if column in HEADLINE else ''}>{html.escape(str(value))}</td>"
            for column, value in zip(shown.columns, values, strict=True)
        )
        kind = html.escape(str(raw["kind"]), quote=True)
        label = html.escape(str(raw["label"]), quote=True)
        rows.append(f"<tr class='spsim-debrief-row' data-kind='{kind}' data-label='{label}'>{cells}</tr>")
    style = "<style>.spsim-debrief-table td, .spsim-debrief-table th {padding: 4px 10px;}</style>"
    return f"{style}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"


def _describe(game: Game) -> str:
    """What a tick box says: the label, the kind, the seat and the folder."""
    parts = [game.kind]
    if game.seat:
        parts.append(game.seat)
    days = game.summary.get("days", math.nan)
    if isinstance(days, int | float) and not math.isnan(days):
        parts.append(f"{days:.0f} days")
    return f"{game.label} ({', '.join(parts)}) · {game.path.name}"


@solara.component
def FacilitatorView(games: Path) -> None:
    """Compare the games saved in ``games`` and write the debrief pack."""
    refreshed, set_refreshed = solara.use_state(0)
    unticked, set_unticked = solara.use_state(frozenset[str]())
    written, set_written = solara.use_state("")
    failed, set_failed = solara.use_state("")
    found = solara.use_memo(lambda: facilitator.find_games(games), dependencies=[str(games), refreshed])
    loaded, errors = solara.use_memo(lambda: _load(found), dependencies=[found])
    chosen = [game for game in loaded if str(game.path) not in unticked]
    chosen_key = (refreshed, *(str(game.path) for game in chosen))
    table, chart = solara.use_memo(lambda: _compare(chosen), dependencies=[found, chosen_key])

    def tick(path: str, on: bool) -> None:
        set_unticked(unticked - {path} if on else unticked | {path})
        set_written("")

    def refresh() -> None:
        set_refreshed(refreshed + 1)
        set_written("")
        set_failed("")

    def write_pack() -> None:
        try:
            paths = facilitator.write_games(chosen, games / PACK)
        except (OSError, RunFolderError) as error:
            set_failed(f"could not write the pack into {games / PACK}: {error}")
            set_written("")
            return
        set_failed("")
        set_written("Written: " + ", ".join(str(path) for path in paths))

    with solara.Column(classes=["spsim-debrief"]):
        Prose("## Facilitator: compare the games")
        with solara.Row():
            solara.Text(f"Games folder: {games}")
            solara.Button("Look for new games", on_click=refresh, outlined=True, classes=["spsim-debrief-refresh"])
        for line in found.skipped:
            solara.Warning(f"left out: {line}", dense=True, classes=["spsim-debrief-skipped"])
        for line in errors:
            solara.Error(f"left out: {line}", dense=True, classes=["spsim-debrief-error"])
        if not loaded:
            solara.Info(
                f"No saved games yet in {games}. When participants finish a game in Play, it appears here; "
                "then press 'Look for new games'.",
                classes=["spsim-debrief-empty"],
            )
            return
        with solara.Column(gap="0px"):
            for game in loaded:
                with solara.Row(classes=["spsim-debrief-game"]):
                    solara.Checkbox(
                        label=_describe(game),
                        value=str(game.path) not in unticked,
                        on_value=lambda on, path=str(game.path): tick(path, on),
                    )
        if table is None or chart is None:
            solara.Info("Tick at least one game to compare.", classes=["spsim-debrief-none"])
            return
        with solara.Column(classes=["spsim-debrief-chart"]):
            solara.FigureMatplotlib(chart, format="png", dependencies=[chosen_key])
        solara.HTML(tag="table", unsafe_innerHTML=table_html(table), classes=["spsim-debrief-table"])
        Prose(f"*{facilitator.SCORE_NOTE}*\n\n*{facilitator.DEPARTMENT_NOTE}*")
        solara.Button(
            f"Write the debrief pack into {games / PACK}",
            on_click=write_pack,
            color="primary",
            classes=["spsim-debrief-write"],
        )
        if written:
            solara.Success(written, classes=["spsim-debrief-written"])
        if failed:
            solara.Error(failed, classes=["spsim-debrief-error"])
