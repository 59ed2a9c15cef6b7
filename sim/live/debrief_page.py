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
``spsim-debrief-written`` (the files written); ``spsim-debrief-games`` (the tick boxes, in a
panel folded away at first) and ``spsim-debrief-details`` with its rows ``spsim-debrief-detail``
(what each row is and its folder, with the scores' notes, in a second folded panel).

On a projector (1280×720): the chart is as wide as the page, the headline table is shown once
and compact, and every text is 16 px or more (:data:`DEBRIEF_CSS`).
"""

import html
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import solara
from matplotlib.figure import Figure

from sim.live.prose import Prose
from sim.output.runfolder import RunFolderError
from sim.views import facilitator
from sim.views.facilitator import Found, Game

PACK = facilitator.DEBRIEF_DIR
HEADLINE = (
    "Rank",
    "Game",
    "Seat",
    "Weeks played",
    "Company score",
    "Operating profit",
    "Excess stock charge",
    "On time in full",
    "Purchasing: stock, weeks of budget",
    "Bullwhip",
)
"""The table under the chart: the ranking, the company score's two parts, and what the chart does not show
(the chart has the score, fill rate, conflicts and the departments' own KPIs for every game)."""
DETAILS = ("Game", "Kind", "Role", "Seat", "Folder")
"""The table folded away under the headline: what each row is and where it was read from."""
NUMBERS = frozenset(
    {
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
    }
)
"""Columns of numbers, right-aligned."""

DEBRIEF_CSS = """
.spsim-debrief :is(.v-btn, .v-label, .v-alert, .v-expansion-panel-header, .v-expansion-panel-content,
    p, em, li, td, th) {
    font-size: 16px !important;
}
.spsim-debrief span { font-size: max(16px, 1em); }
.spsim-debrief .v-btn { text-transform: none; letter-spacing: 0; }
.spsim-debrief .v-input--selection-controls { margin-top: 0; padding-top: 0; }
.spsim-debrief-chart img { width: 100%; height: auto; }
:is(.spsim-debrief-table, .spsim-debrief-details) { border-collapse: collapse; width: 100%; }
:is(.spsim-debrief-table, .spsim-debrief-details) :is(td, th) {
    padding: 3px 10px; border-bottom: 1px solid #e0e0e0; line-height: 1.3;
}
:is(.spsim-debrief-table, .spsim-debrief-details) th { vertical-align: bottom; text-align: left; }
:is(.spsim-debrief-table, .spsim-debrief-details) :is(td.spsim-debrief-game, td.spsim-debrief-seat) {
    white-space: nowrap;
}
"""
"""Type of 16 px and more, as on the play pages: Vuetify's tick-box labels, buttons and dense alerts
are 14 px; the chart is as wide as the page and the tables are compact, so a room reads it at 1280×720."""

CHART_DPI = 100
"""The chart drawn at 100 dpi is about as wide as the page shows it at 1280 px (:data:`facilitator.WIDTH_INCHES`):
its smallest text (:data:`facilitator.SMALLEST_PT`, 13 pt) is about 17.7 px on the screen."""


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


def _shown(table: pd.DataFrame, games: Path | None = None) -> pd.DataFrame:
    """The table as a person reads it (:func:`facilitator.formatted`), with each row's folder."""
    shown = facilitator.formatted(table)
    folders = [Path(folder) for folder in table["folder"]]
    if games is not None:
        folders = [folder.relative_to(games) if folder.is_relative_to(games) else folder for folder in folders]
    return shown.assign(Folder=[folder.as_posix() for folder in folders])


def table_html(
    table: pd.DataFrame,
    columns: Sequence[str] = HEADLINE,
    row_class: str = "spsim-debrief-row",
    games: Path | None = None,
) -> str:
    """The comparison table's ``columns`` as HTML: one ``row_class`` row per game (``data-kind``, ``data-label``)."""
    shown = _shown(table, games)[list(columns)]
    right = ' style="text-align:right"'
    head = "".join(f"<th{right if column in NUMBERS else ''}>{html.escape(column)}</th>" for column in columns)
    rows = []
    for (_, raw), values in zip(table.iterrows(), shown.itertuples(index=False), strict=True):
        cells = "".join(
            f"<td class='spsim-debrief-{column.lower().replace(' ', '-')}'"
            f"{right if column in NUMBERS else ''}>{html.escape(str(value))}</td>"
            for column, value in zip(columns, values, strict=True)
        )
        kind = html.escape(str(raw["kind"]), quote=True)
        label = html.escape(str(raw["label"]), quote=True)
        rows.append(f"<tr class='{row_class}' data-kind='{kind}' data-label='{label}'>{cells}</tr>")
    return f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"


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

    solara.Style(DEBRIEF_CSS)
    with solara.Column(classes=["spsim-debrief"], gap="12px"):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            Prose("## Facilitator: compare the games")
            solara.Button("Look for new games", on_click=refresh, outlined=True, classes=["spsim-debrief-refresh"])
        if not loaded:
            for line in found.skipped:
                solara.Warning(f"left out: {line}", dense=True, classes=["spsim-debrief-skipped"])
            for line in errors:
                solara.Error(f"left out: {line}", dense=True, classes=["spsim-debrief-error"])
            solara.Info(
                f"No saved games yet in {games}. When participants finish a game in Play, it appears here; "
                "then press 'Look for new games'.",
                classes=["spsim-debrief-empty"],
            )
            return
        left_out = len(found.skipped) + len(errors)
        summary = f"Games compared: {len(chosen)} of {len(loaded)} ticked"
        if left_out:
            summary += f" · {left_out} folder{'s' if left_out != 1 else ''} left out"
        # Choosing the games is the facilitator's, before the room looks: folded away, a line on the screen.
        with solara.Details(summary=summary, expand=False), solara.Column(gap="0px", classes=["spsim-debrief-games"]):
            solara.Text(f"Games folder: {games}")
            for line in found.skipped:
                solara.Warning(f"left out: {line}", dense=True, classes=["spsim-debrief-skipped"])
            for line in errors:
                solara.Error(f"left out: {line}", dense=True, classes=["spsim-debrief-error"])
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
            solara.FigureMatplotlib(chart, format="png", dependencies=[chosen_key], dpi=CHART_DPI)
        solara.HTML(tag="table", unsafe_innerHTML=table_html(table, games=games), classes=["spsim-debrief-table"])
        with solara.Details(summary="Details: what each row is, where it was read from, what the scores mean"):
            solara.HTML(
                tag="table",
                unsafe_innerHTML=table_html(table, DETAILS, "spsim-debrief-detail", games),
                classes=["spsim-debrief-details"],
            )
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
