"""The facilitator's comparison: several saved games on one chart and one table.

In a workshop each participant plays one seat (a buyer, or a sales lead) against the
agents; :mod:`sim.views.games` reads the saved games and their re-runs. This module
lines them up in one table -- the company score that ranks them, service and conflicts
beside it, and each department's own incentive score beside that -- and draws one chart
for the debrief. :func:`write` puts ``facilitator.png``, ``.csv`` and ``.md`` in a folder.

The scores are defined once, in :mod:`sim.views.scores` (and docs/KPIS.md): the company
score is operating profit less what the stock left beyond a normal cover would lose if
sold off, so a buyer cannot win by buying a year of stock for a price break. Every other
measure is read from the folder's ``summary.json``, which covers the measured days (after
the warm-up; for a game, the days actually played). The supply-chain cost of
:func:`supply_chain_cost` stays in the table as a breakdown of operating profit.
"""

import io
import math
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.output.atomic import write_atomically
from sim.output.kpis import format_value
from sim.views import style
from sim.views.games import (
    AGENTS,
    GAME,
    LEVER,
    RUN,
    Found,
    Game,
    base_label,
    find_games,
    label_games,
    load_game,
    load_games,
)
from sim.views.scores import scores

DEBRIEF_DIR = "debrief"
FILES = ("facilitator.png", "facilitator.csv", "facilitator.md")
__all__ = [
    "AGENTS",
    "COLUMNS",
    "COST_NOTE",
    "COST_PARTS",
    "COST_WORDS",
    "DEBRIEF_DIR",
    "DEPARTMENT_NOTE",
    "FILES",
    "FIXED_COST",
    "GAME",
    "LEVER",
    "MEASURES",
    "RUN",
    "SCORE_NOTE",
    "Found",
    "Game",
    "comparison_table",
    "figure",
    "find_games",
    "formatted",
    "label_games",
    "load_game",
    "load_games",
    "markdown",
    "supply_chain_cost",
    "write",
    "write_games",
]

COST_PARTS: dict[str, int] = {
    "holding_cost": 1,
    "expediting_cost": 1,
    "penalty_cost": 1,
    "purchase_price_variance": 1,
    "promotion_allowances": -1,
    "policy_cost_total": 1,
    "obsolescence_cost": 1,
    "closing_backlog_cost": 1,
    "revaluation": -1,
}
"""The summary KPIs whose signed sum is the debrief's supply-chain cost (a revaluation gain lowers it)."""
FIXED_COST = "operating_expenses"
"""The line of operating profit left out of the supply-chain cost: staff and overhead, a cost per day."""
COST_WORDS = (
    "holding + expediting + penalties + purchase price variance - campaign funding + lever costs "
    "+ obsolescence + backlog provision - revaluation"
)
"""The supply-chain cost in words, as the table's note and the chart's legend give it."""

MEASURES: tuple[tuple[str, str, str], ...] = (
    ("score", "Company score", "higher is better"),
    ("fill_rate", "Service: fill rate", "higher is better"),
    ("conflict_count", "Conflicts", "lower is better"),
    ("purchasing_savings", "Purchasing's\nown KPI:\nprice savings", "higher is better"),
    ("sales_bookings", "Sales' own KPI:\nbookings", "higher is better"),
)
"""The chart's panels: table column, title, direction (the first ranks the games)."""
RANKED = "score"
MONEY = ("score", "cost", "purchasing_savings", "sales_bookings")

COLUMNS = (
    "label",
    "kind",
    "player",
    "role",
    "seat",
    "weeks_played",
    "weeks_planned",
    "finished",
    "levers",
    "scenario",
    "seed",
    "days",
    "rank",
    "score",
    "excess_stock_charge",
    "excess_stock_units",
    "fill_rate",
    "on_time_in_full",
    "conflict_count",
    "purchasing_savings",
    "stock_weeks",
    "budget_weeks",
    "sales_bookings",
    "bullwhip_ratio",
    "operating_profit",
    "cost",
    "cost_per_week",
    *COST_PARTS,
    FIXED_COST,
    "folder",
)
"""The comparison table's columns, in order."""


def supply_chain_cost(summary: dict[str, float]) -> float:
    """What operating profit loses below the margin at standard cost, operating expenses aside.

    Holding + expediting + penalties + purchase price variance + lever costs + obsolescence
    + backlog provision - revaluation = ``revenue - cogs - operating_expenses -
    operating_profit``. Staff and overhead cost the same per day whatever the players
    decide, so counting them would only add the same amount to every game of a length.
    Price variance is negative when a buyer paid below standard cost, so savings lower the
    cost; a revaluation of the stock at a year end's new standard costs is a gain (or,
    negative, a loss) and lowers (raises) it. A line a summary lacks (a run saved before
    the line existed) counts as 0.
    """
    return float(sum(sign * float(summary.get(part, 0.0)) for part, sign in COST_PARTS.items()))


# -- the table ----------------------------------------------------------------------------


def _number(summary: dict[str, float], key: str) -> float:
    value = summary.get(key, math.nan)
    return float(value) if isinstance(value, int | float) else math.nan


def comparison_table(games: Sequence[Game]) -> pd.DataFrame:
    """One row per game (:data:`COLUMNS`), every measure straight from its summary.json."""
    rows = []
    for game in games:
        summary = game.summary
        days = _number(summary, "days")
        score = scores(game.run)
        rows.append(
            {
                "label": game.label or base_label(game),
                "kind": game.kind,
                "player": game.player,
                "role": game.role,
                "seat": game.seat,
                "weeks_played": game.weeks_played,
                "weeks_planned": game.weeks_planned,
                "finished": game.finished,
                "levers": " + ".join(game.levers),
                "scenario": game.run.scenario,
                "seed": game.run.seed,
                "days": days,
                "rank": pd.NA,
                "score": score.company,
                "excess_stock_charge": score.excess_stock_charge,
                "excess_stock_units": score.excess_stock_units,
                "fill_rate": _number(summary, "fill_rate"),
                "on_time_in_full": _number(summary, "on_time_in_full"),
                "conflict_count": _number(summary, "conflict_count"),
                "purchasing_savings": score.purchasing_savings,
                "stock_weeks": score.stock_weeks,
                "budget_weeks": score.budget_weeks,
                "sales_bookings": score.sales_bookings,
                "bullwhip_ratio": _number(summary, "bullwhip_ratio"),
                "operating_profit": _number(summary, "operating_profit"),
                "cost": supply_chain_cost(summary),
                "cost_per_week": supply_chain_cost(summary) * 7 / days if days > 0 else math.nan,
                **{part: _number(summary, part) for part in COST_PARTS},
                FIXED_COST: _number(summary, FIXED_COST),
                "folder": str(game.path),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("weeks_played", "weeks_planned"):
        table[column] = table[column].astype("Int64")
    table["finished"] = table["finished"].astype("boolean")
    # The ranking: 1 = the best company score; equal scores share a rank.
    table["rank"] = table["score"].rank(method="min", ascending=False).astype("Int64")
    return table


def _unfinished(finished: Any) -> bool:
    """A game whose ``game.json`` says it is not finished (unknown: not marked)."""
    return not pd.isna(finished) and not bool(finished)


def _money(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}"


def formatted(table: pd.DataFrame) -> pd.DataFrame:
    """The table's headline columns as a person reads them (money rounded, fill rate in %)."""

    def weeks(row: pd.Series) -> str:
        played, planned = row["weeks_played"], row["weeks_planned"]
        if pd.isna(played):
            return f"{row['days'] / 7:.0f} (run)" if not math.isnan(row["days"]) else ""
        text = f"{played} of {planned}" if not pd.isna(planned) else f"{played}"
        return f"{text}, unfinished" if _unfinished(row["finished"]) else text

    def ratio(value: float) -> str:
        return "n/a" if math.isnan(value) else f"{value:.2f}"

    def share(value: float) -> str:
        return "n/a" if math.isnan(value) else f"{value:.1%}"

    def stock(row: pd.Series) -> str:
        return "n/a" if math.isnan(row["stock_weeks"]) else f"{row['stock_weeks']:.1f} of {row['budget_weeks']:g}"

    starred = _best(table["score"].astype(float), [_money(v) for v in table["score"]], "higher is better")
    return pd.DataFrame(
        {
            "Rank": ["" if pd.isna(rank) else f"{rank}" for rank in table["rank"]],
            "Game": table["label"],
            "Kind": table["kind"],
            "Role": table["role"],
            "Seat": table["seat"],
            "Weeks played": [weeks(row) for _, row in table.iterrows()],
            "Company score": [_money(v) + (" ★" if i in starred else "") for i, v in enumerate(table["score"])],
            "Operating profit": [_money(v) for v in table["operating_profit"]],
            "Excess stock charge": [_money(v) for v in table["excess_stock_charge"]],
            "Fill rate": [share(v) for v in table["fill_rate"]],
            "On time in full": [share(v) for v in table["on_time_in_full"]],
            "Conflicts": ["n/a" if math.isnan(v) else f"{v:.0f}" for v in table["conflict_count"]],
            "Purchasing: price savings": [_money(v) for v in table["purchasing_savings"]],
            "Purchasing: stock, weeks of budget": [stock(row) for _, row in table.iterrows()],
            "Sales: bookings": [_money(v) for v in table["sales_bookings"]],
            "Bullwhip": [ratio(v) for v in table["bullwhip_ratio"]],
        }
    )


SCORE_NOTE = (
    "Company score = operating profit over the days played - excess stock charge. Operating profit already "
    "charges the open backlog (the provision for the margin it will lose) and stock that will age out unsold. "
    "Excess stock charge: stock on hand and on order (less what is owed to customers) beyond the company's "
    "inventory budget in weeks of recent demand plus a supply lead time's demand, valued as aged stock is: "
    "sold for its salvage share of standard cost, the rest lost. ★ = best company score; rank 1 = best."
)
"""What the ranking's score is, in words (the table's note, the debrief page's)."""
DEPARTMENT_NOTE = (
    "Each department's own KPI, as the silo rewards it: purchasing, price savings against standard cost "
    "(and stock on hand within its budget, in weeks of cost of goods); sales, bookings (customer orders "
    "taken, at their price), what quotas count. A team can win its own KPI and lose the company's."
)
"""What the department scores are, in words."""
COST_NOTE = (
    f"Cost = {COST_WORDS} (= revenue - cost of goods at standard - operating expenses - operating profit), "
    "over the days played after the warm-up. Operating expenses (staff and overhead, the same per day "
    "whatever is decided) are left out; facilitator.csv lists them."
)


def markdown(table: pd.DataFrame) -> str:
    """The debrief table as Markdown, with what each measure means."""
    shown = formatted(table)
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "|".join("---" if 0 < i < 6 else "---:" for i in range(len(shown.columns))) + "|"
    lines = ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in shown.itertuples(index=False)]
    notes = [
        f"- {SCORE_NOTE}",
        f"- {DEPARTMENT_NOTE}",
        "- On time in full: customer orders whose every line shipped in full by the requested day / orders.",
        f"- Supply-chain cost (facilitator.csv, a breakdown of operating profit): {COST_NOTE}",
        "- Fill rate: units shipped from stock on the day ordered / units ordered.",
        "- Bullwhip: variance of purchases / variance of demand per review period (1 = no amplification).",
        "- Conflicts: refused expedites, escalations, late promotion notices, padded forecasts, "
        "unannounced promotions.",
        "- Kind: *game* = a participant played the seat; *agents* = the same market with the agents "
        "in that seat; *lever re-run* = the same market with a lever on.",
    ]
    return "\n".join(["# Workshop debrief", "", header, rule, *lines, "", *notes, ""])


# -- the chart ----------------------------------------------------------------------------

WIDTH_INCHES = 12.8
"""The chart's width: at 100 dpi, as wide as a 1280 px screen (the debrief page shows it the page's width)."""
SMALLEST_PT = 13
"""The chart's smallest text: 13 pt is 18 px at 100 dpi, still 17.7 px shown 1256 px wide on a 1280 px screen."""
NOISE = 1e-6
ROLE_COLOURS = {"buyer": style.PURCHASING, "sales": style.SALES}
ROLE_WORDS = {"buyer": "buyer", "sales": "sales lead"}
HATCH = "///"


def _colour(row: pd.Series) -> str:
    if row["kind"] == AGENTS:
        return style.NEUTRAL
    return ROLE_COLOURS.get(str(row["role"]), style.COMPANY)


def _tick(row: pd.Series) -> str:
    detail = [str(row["seat"])] if row["seat"] else []
    if row["kind"] == GAME and not pd.isna(row["weeks_played"]):
        weeks = f"{row['weeks_played']}"
        weeks += f"/{row['weeks_planned']} wk" if not pd.isna(row["weeks_planned"]) else " wk"
        detail.append(f"{weeks}, unfinished" if _unfinished(row["finished"]) else weeks)
    return f"{row['label']}\n{' · '.join(detail)}" if detail else str(row["label"])


def _panel(ax: Axes, table: pd.DataFrame, column: str, title: str, direction: str) -> None:
    values = table[column].astype(float)
    values = values.where(values.abs() >= NOISE, 0.0)  # a sum's rounding noise (-1e-13) is no value: 0
    shown = values.fillna(0.0)
    for y, ((_, row), value) in enumerate(zip(table.iterrows(), shown, strict=True)):
        ax.barh(
            y,
            value,
            height=0.7,
            color=_colour(row),
            hatch=HATCH if row["kind"] == LEVER else None,
            edgecolor="white",
            linewidth=0,
        )
    texts = [_money(value) if column in MONEY else format_value(column, value) for value in values]
    best = _best(values, texts, direction)
    low, high = min(0.0, float(shown.min())), max(0.0, float(shown.max()))
    if column == "fill_rate":
        high = 1.0
    elif column == "conflict_count":
        high = max(high, 1.0)
    span = (high - low) or 1.0
    for y, text in enumerate(texts):  # right of the bar, or of the zero line for a negative bar
        end = max(float(shown.iloc[y]), 0.0)
        starred = y in best  # bold: the best of the panel; the star only where it ranks the games
        ax.text(
            end + 0.02 * span,
            y,
            text + (" ★" if starred and column == RANKED else ""),
            va="center",
            ha="left",
            fontsize=SMALLEST_PT,
            fontweight="bold" if starred else "normal",
        )
    ax.set_xlim(low - 0.02 * span if low < 0 else 0.0, high + 0.4 * span)
    if column == "fill_rate":
        ticks = [0.0, 0.5, 1.0]
    elif high == low:  # every bar 0
        ticks = [0.0]
    else:  # ticks only under the bars, not in the room kept for the values
        locator = MaxNLocator(nbins=3, integer=column == "conflict_count")
        ticks = [t for t in locator.tick_values(low, high) if low - 1e-9 <= t <= high + 1e-9]
        ticks = ticks if len(ticks) <= 2 else [ticks[0], ticks[-1]]  # two ticks fit at 13 pt in a narrow panel
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(lambda x, _pos: _tick_text(column, x))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_title(title, loc="left", fontsize=SMALLEST_PT)
    ax.set_xlabel(direction, fontsize=SMALLEST_PT, loc="left")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="x", labelsize=SMALLEST_PT)


def _tick_text(column: str, x: float) -> str:
    if column == "fill_rate":
        return f"{x:.0%}"
    if column in MONEY and abs(x) >= 1_000_000:  # compact: four ticks must fit under a third of the panel
        return f"{x / 1_000_000:,.1f}M"
    if column in MONEY and abs(x) >= 1000:
        return f"{x / 1000:,.0f}k"
    return f"{x:g}"


def _best(values: pd.Series, texts: list[str], direction: str) -> set[int]:
    """Rows showing the best value (ties as displayed all count); none if every row shows the same."""
    finite = [(value, text) for value, text in zip(values, texts, strict=True) if not math.isnan(value)]
    if len({text for _, text in finite}) < 2:
        return set()
    pick = min if "lower is better" in direction else max
    best_text = pick(finite)[1]
    return {i for i, text in enumerate(texts) if text == best_text}


def _legend(table: pd.DataFrame) -> list[Patch]:
    handles = []
    for role in dict.fromkeys(table.loc[table["kind"] == GAME, "role"]):
        words = ROLE_WORDS.get(str(role), str(role) or "seat")
        handles.append(Patch(color=ROLE_COLOURS.get(str(role), style.COMPANY), label=f"participant as {words}"))
    if (table["kind"] == AGENTS).any():
        handles.append(Patch(color=style.NEUTRAL, label="agents in the same seat"))
    if (table["kind"] == LEVER).any():
        handles.append(Patch(facecolor="white", edgecolor=style.COMPANY, hatch=HATCH, label="same game, lever on"))
    if (table["kind"] == RUN).any():
        handles.append(Patch(color=style.COMPANY, label="run"))
    return handles


def _market(table: pd.DataFrame) -> str:
    markets = {(str(s), str(seed)) for s, seed in zip(table["scenario"], table["seed"], strict=True)}
    if len(markets) == 1:
        scenario, seed = markets.pop()
        return f"{scenario} market, seed {seed}"
    return f"{len(markets)} different markets"


def figure(table: pd.DataFrame) -> Figure:
    """The debrief chart: a panel per measure, one bar per game, the best of each starred."""
    style.apply()
    rows = len(table)
    fig = Figure(figsize=(WIDTH_INCHES, 2.9 + 0.5 * rows), layout="constrained")
    axes = fig.subplots(1, len(MEASURES), sharey=True)
    for ax, (column, title, direction) in zip(axes, MEASURES, strict=True):
        _panel(ax, table, column, title, direction)
    axes[0].set_yticks(range(rows), [_tick(row) for _, row in table.iterrows()], fontsize=SMALLEST_PT)
    axes[0].set_ylim(rows - 0.5, -0.5)
    games = int((table["kind"] == GAME).sum())
    fig.suptitle(
        f"Workshop debrief: {games} game{'s' if games != 1 else ''} · {_market(table)}",
        fontsize=18,
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    fig.legend(
        handles=_legend(table),
        loc="outside lower left",
        ncols=4,
        fontsize=SMALLEST_PT,
        title="Company score = operating profit over the days played - stock left beyond a normal cover "
        "at what it would fetch.\n★ = best company score (the ranking); bold = best of its panel. "
        "The department KPIs are what each silo is rewarded on.",
        title_fontsize=SMALLEST_PT,
        alignment="left",
    )
    return fig


# -- the files ----------------------------------------------------------------------------


def write(paths: Iterable[str | Path], out_dir: str | Path) -> list[Path]:
    """Compare the games in ``paths``; write facilitator.png, .csv and .md into ``out_dir``.

    Raises:
        RunFolderError: a folder cannot be read (see :func:`load_games`).
    """
    return write_games(load_games(paths), out_dir)


def write_games(games: Sequence[Game], out_dir: str | Path) -> list[Path]:
    """Write the comparison of games already read (:func:`write`); return the files written.

    Everything is rendered before the first file is written, and each file is written
    to a temporary name and renamed.
    """
    table = comparison_table(games)
    picture = io.BytesIO()
    figure(table).savefig(picture, format="png")
    contents = {
        "facilitator.png": picture.getvalue(),
        "facilitator.csv": table.to_csv(index=False).encode(),
        "facilitator.md": markdown(table).encode(),
    }
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        write_atomically(target / name, partial(Path.write_bytes, data=contents[name]))
        written.append(target / name)
    return written
