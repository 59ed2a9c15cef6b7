"""The debrief after a session, as slides: one chart a slide, in type a room can read.

Built from a session folder's tables (its run's ``timeseries``/``events``, the seats'
``decisions.parquet``, ``session.json``'s teams and who decided each week) and the
market's leaderboard, nothing re-simulated:

1. one slide per team: its decisions week by week against the agent's rule (a buyer's
   order quantities against what the rule would have ordered, ``rule_order_units``, or
   ordered where the rule stood; a sales team's forecast adjustment against the agent's
   own estimate, 0%, with its promotions);
2. the shocks, shaded over the company's stock and service (:mod:`sim.views.shocks`);
3. the conflicts between the departments, week by week, with the story's captions
   (:mod:`sim.views.captions`, which name a shock as the context, never a department);
4. the leaderboard: the market's companies by company score, each department's own beside;
5. the debrief's questions (:func:`sim.views.debrief.prompts`).

Charts are drawn at 1200×430 px with 16-point type (22 px on the slide) so that a
projector at 1280×720 shows them whole.
"""

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.output.events import CONFLICTS
from sim.output.runfolder import Run
from sim.views import captions, debrief, shocks, style

matplotlib.use("Agg")

SIZE = (12.0, 4.3)  # inches at 100 dpi: the slide's chart, 1200x430 px
SLIDE_RC: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 16,
    "axes.labelsize": 16,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 15,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
AGENT = style.NEUTRAL
CONFLICT_KINDS = (*CONFLICTS, "escalation")  # the typed conflicts, and sales taking a refusal higher
LEAD_IN_SHOWN = 28  # days of the agents' lead-in before the first week: what the teams took over
MAX_PROMPTS = 6
KNOWN_FIELDS = {"order_units", "rule_order_units", "forecast_adjustment", "promotion_sku", "promotion_weeks_ahead"}


@dataclass(frozen=True)
class TeamPlay:
    """A team as the debrief needs it: its seats and, per week played, who decided (team, agent, part)."""

    name: str
    department: str  # purchasing or sales
    seats: tuple[str, ...]
    decided: tuple[str, ...]


@dataclass(frozen=True)
class Standing:
    """A company's line on the market's leaderboard."""

    company: str
    week: str
    score: float
    teams: tuple[tuple[str, str, float], ...]  # (team, department, its department's own score)
    ours: bool  # the company these slides are about


@dataclass(frozen=True)
class Played:
    """What a session's debrief is built from."""

    company: str
    run: Run
    decisions: pd.DataFrame  # decisions.parquet: day, seat, sku, field, value
    teams: tuple[TeamPlay, ...]
    first_day: int
    period: int
    weeks: int  # weeks played
    standings: tuple[Standing, ...]


@dataclass(frozen=True)
class Slide:
    """One slide: a kind (team, shocks, conflicts, leaderboard, prompts), a title, a chart and a few lines."""

    kind: str
    title: str
    figure: Figure | None
    lines: tuple[str, ...]


@contextmanager
def _look() -> Iterator[None]:
    with matplotlib.rc_context(cast(Any, SLIDE_RC)):
        yield


def slides(played: Played) -> list[Slide]:
    """Every slide of the debrief, in the order they are shown."""
    with _look():
        found = shocks.bands(played.run.events, played.run.days)
        made = [_team_slide(played, team) for team in played.teams]
        made += [_shock_slide(played, found), _conflict_slide(played, found), _leaderboard_slide(played)]
        made.append(_prompt_slide(played))
    return made


def png(figure: Figure) -> bytes:
    """A slide's chart as PNG bytes (no CDN, no script: a room may be offline)."""
    with _look():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.15)
    return buffer.getvalue()


# -- the teams' decisions -------------------------------------------------------------------------


def week_of(played: Played, day: int | pd.Series) -> int | pd.Series:
    """The week (1-based) a day falls in; 0 or less: the lead-in."""
    return (day - played.first_day) // played.period + 1


def _team_rows(played: Played, team: TeamPlay) -> pd.DataFrame:
    rows = played.decisions[played.decisions["seat"].astype(str).isin(team.seats)].copy()
    rows["week"] = week_of(played, rows["day"])
    rows["field"] = rows["field"].astype(str)
    return rows[(rows["week"] >= 1) & (rows["week"] <= played.weeks)]


def _team_slide(played: Played, team: TeamPlay) -> Slide:
    rows = _team_rows(played, team)
    if team.department == "purchasing":
        figure, lines = _buyer_chart(played, team, rows)
        title = f"{team.name}: what you ordered, week by week, against the agent's rule"
    else:
        figure, lines = _sales_chart(played, team, rows)
        title = f"{team.name}: your forecasts and promotions, week by week, against the agent's"
    others = rows[~rows["field"].isin(KNOWN_FIELDS) & ~rows["field"].str.startswith("promotion_notice_")]
    if len(others):
        counted = others.groupby("field").size()
        lines.append("Other decisions: " + ", ".join(f"{n} × {str(k).replace('_', ' ')}" for k, n in counted.items()))
    return Slide("team", title, figure, tuple(lines))


def _weeks(played: Played) -> np.ndarray:
    return np.arange(1, played.weeks + 1)


def _buyer_chart(played: Played, team: TeamPlay, rows: pd.DataFrame) -> tuple[Figure, list[str]]:
    weeks = _weeks(played)
    ordered = rows[rows["field"] == "order_units"].groupby("week")["value"].sum()
    rule = rows[rows["field"] == "rule_order_units"].groupby("week")["value"].sum()
    events = played.run.events
    orders = events[(events["event"].astype(str) == "purchase_order") & events["agent"].astype(str).isin(team.seats)]
    placed = orders.groupby(week_of(played, orders["day"]))["quantity"].sum()
    team_units = [float(ordered.get(w, math.nan)) for w in weeks]
    rule_units = [float(rule.get(w, placed.get(w, 0.0))) if w in ordered else float(placed.get(w, 0.0)) for w in weeks]
    figure = Figure(figsize=SIZE)
    axis = figure.add_subplot()
    axis.bar(weeks - 0.2, np.nan_to_num(team_units), 0.4, color=style.PURCHASING, label="your team")
    axis.bar(weeks + 0.2, rule_units, 0.4, color=AGENT, label="the agent's rule")
    _decided_marks(axis, team, weeks, [0 if math.isnan(u) else u for u in team_units], offset=-0.2)
    _week_axis(axis, weeks, "units ordered in the week")
    _legend_above(axis)
    lines = []
    for week, mine, theirs in zip(weeks, team_units, rule_units, strict=True):
        if math.isnan(mine):
            lines.append(f"Week {week}: the agent's rule ordered {theirs:,.0f} units (you did not submit)")
        else:
            lines.append(f"Week {week}: you ordered {mine:,.0f} units, the rule {theirs:,.0f}{_versus(mine, theirs)}")
    return figure, _few(lines)


def _sales_chart(played: Played, team: TeamPlay, rows: pd.DataFrame) -> tuple[Figure, list[str]]:
    weeks = _weeks(played)
    adjusted = rows[rows["field"] == "forecast_adjustment"].groupby("week")["value"].mean() * 100.0
    promoted = rows[rows["field"] == "promotion_sku"].groupby("week")["sku"].nunique()
    notice = rows[rows["field"].str.startswith("promotion_notice_")].groupby("week")["field"].first()
    mine = [float(adjusted.get(w, math.nan)) for w in weeks]
    figure = Figure(figsize=SIZE)
    axis = figure.add_subplot()
    axis.bar(weeks, np.nan_to_num(mine), 0.5, color=style.SALES, label="your forecast adjustment")
    axis.axhline(0.0, color=AGENT, linewidth=3, label="the agent's: its own estimate (0%)")
    low, high = min([0.0, *np.nan_to_num(mine)]), max([0.0, *np.nan_to_num(mine)])
    span = max(high - low, 10.0)
    axis.set_ylim(low - 0.25 * span, high + 0.45 * span)
    for week in weeks:
        if week in promoted:
            axis.annotate(
                f"promotion: {promoted[week]} SKU(s)",
                (week, np.nan_to_num(mine[week - 1])),
                xytext=(0, 12),
                textcoords="offset points",
                ha="center",
                fontsize=15,
            )
    _decided_marks(axis, team, weeks, [0.0] * len(weeks))
    _week_axis(axis, weeks, "forecast adjustment (%)")
    _legend_above(axis)
    lines = []
    for week, value in zip(weeks, mine, strict=True):
        if math.isnan(value):
            lines.append(f"Week {week}: the agent's rule stood (its own estimate; you did not submit)")
            continue
        promotion = ""
        if week in promoted:
            told = str(notice.get(week, "")).removeprefix("promotion_notice_")
            promotion = f"; a promotion on {promoted[week]} SKU(s)" + (f", purchasing told {told}" if told else "")
        lines.append(f"Week {week}: forecast {value:+.0f}% against your own estimate{promotion}")
    return figure, _few(lines)


def _decided_marks(axis: Axes, team: TeamPlay, weeks: np.ndarray, heights: list[float], offset: float = 0.0) -> None:
    """Write "rule stood" over the weeks the team did not decide (and "part" where it decided some seats)."""
    for week, height in zip(weeks, heights, strict=True):
        how = team.decided[week - 1] if week - 1 < len(team.decided) else ""
        words = {"agent": "rule stood", "part": "part yours"}.get(how)
        if words:
            axis.annotate(words, (week + offset, height), xytext=(0, 6), textcoords="offset points", ha="center")


def _week_axis(axis: Axes, weeks: np.ndarray, ylabel: str) -> None:
    axis.set_xticks(weeks, [f"week {w}" for w in weeks])
    axis.set_ylabel(ylabel)
    axis.grid(axis="x", visible=False)
    axis.margins(y=0.2)


def _legend_above(axis: Axes, handles: list[Any] | None = None) -> None:
    """The legend in a row above the plot: never over a bar or a line."""
    shown = handles if handles is not None else axis.get_legend_handles_labels()[0]
    axis.legend(handles=shown, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(shown), borderaxespad=0.2)


def _versus(mine: float, theirs: float) -> str:
    if theirs <= 0:
        return ""
    return f" ({(mine - theirs) / theirs:+.0%})"


def _few(lines: list[str], n: int = 4) -> list[str]:
    """At most ``n`` lines on a slide: the first and the last weeks when there are more."""
    if len(lines) <= n:
        return lines
    return [*lines[: n - 2], f"… {len(lines) - (n - 1)} weeks more …", lines[-1]]


# -- the shocks, the conflicts --------------------------------------------------------------------


def _days(played: Played) -> tuple[int, int]:
    """The days the slides show: a little of the lead-in, then the weeks played."""
    last = min(played.first_day + played.weeks * played.period, played.run.days) - 1
    return max(0, played.first_day - LEAD_IN_SHOWN), max(last, played.first_day)


def _takeover(axis: Axes, played: Played) -> None:
    axis.axvline(played.first_day, color="black", linewidth=1.5, linestyle="--")
    axis.annotate(
        "the teams take over",
        (played.first_day, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(6, -4),
        textcoords="offset points",
        va="top",
        fontsize=15,
    )


def _shock_slide(played: Played, found: list[shocks.Band]) -> Slide:
    start, end = _days(played)
    daily = played.run.daily
    shown = daily[(daily["day"] >= start) & (daily["day"] <= end)]
    figure = Figure(figsize=SIZE)
    axis = figure.add_subplot()
    axis.plot(shown["day"], shown["on_hand"], color=style.PURCHASING, linewidth=3, label="stock on hand (units)")
    axis.set_ylabel("units on hand")
    axis.set_xlabel("day")
    service = axis.twinx()
    demand = shown["demand"].rolling(7, min_periods=1).sum()
    fill = shown["served_same_day"].rolling(7, min_periods=1).sum() / demand.where(demand > 0)
    service.plot(shown["day"], fill * 100.0, color=style.COMPANY, linewidth=3, label="served from stock, 7 days (%)")
    service.set_ylim(0, 105)
    service.set_ylabel("served from stock (%)")
    service.grid(False)
    shocks.shade(axis, found, start, end)
    _takeover(axis, played)
    axis.set_xlim(start, end + 1)
    handles = axis.get_legend_handles_labels()[0] + service.get_legend_handles_labels()[0]
    _legend_above(axis, handles)
    inside = shocks.visible(found, start, end)
    if inside:
        lines = [band.label for band in inside[:3]]
        lines.append("Shaded: outside shocks, no department's decision: they are the context of what follows.")
    else:
        lines = ["No outside shock in the weeks played."]
    return Slide("shocks", "The shocks: what came from outside the company", figure, tuple(lines))


def _conflict_slide(played: Played, found: list[shocks.Band]) -> Slide:
    end = _days(played)[1]
    events = played.run.events
    kinds = events["event"].astype(str)
    rows = events[kinds.isin(CONFLICT_KINDS) & (events["day"] >= played.first_day) & (events["day"] <= end)]
    figure = Figure(figsize=SIZE)
    axis = figure.add_subplot()
    starts = played.first_day + (_weeks(played) - 1) * played.period
    week = week_of(played, rows["day"])
    counts = rows.groupby([week, rows["event"].astype(str)]).size().unstack(fill_value=0)
    bottom = np.zeros(len(starts))
    colours = [style.SALES, style.PURCHASING, style.COMPANY, "#a6761d", "#666666"]
    for colour, kind in zip(colours, [k for k in CONFLICT_KINDS if k in counts.columns], strict=False):
        heights = np.array([float(counts[kind].get(w, 0)) for w in _weeks(played)])
        axis.bar(
            starts + played.period / 2,
            heights,
            played.period * 0.7,
            bottom=bottom,
            color=colour,
            label=kind.replace("_", " "),
        )
        bottom += heights
    shocks.shade(axis, found, played.first_day, end)
    axis.set_xticks(starts + played.period / 2, [f"week {w}" for w in _weeks(played)])
    axis.set_xlim(played.first_day, end + 1)
    axis.set_ylabel("conflicts in the week")
    axis.set_ylim(0, max(float(bottom.max()) if len(bottom) else 0.0, 1.0) * 1.35)
    axis.grid(axis="x", visible=False)
    if len(rows):
        _legend_above(axis)
        told = [c.label for c in captions.describe(rows, context=found)]
        shaded = " (shaded: an outside shock's span, no department's decision)" if found else ""
        lines = [f"{len(rows):,} conflicts in the weeks played{shaded}.", *told[:3]]
    else:
        lines = ["No conflict between the departments in the weeks played."]
    return Slide("conflicts", "Where sales and purchasing collided", figure, tuple(lines))


# -- the leaderboard, the questions ---------------------------------------------------------------


def _leaderboard_slide(played: Played) -> Slide:
    standings = [s for s in played.standings if math.isfinite(s.score)]
    figure = Figure(figsize=(SIZE[0], max(2.2, 0.75 * len(standings) + 1.3)))
    axis = figure.add_subplot()
    ranks = np.arange(len(standings))[::-1]
    scores = [s.score for s in standings]
    colours = [style.COMPANY if s.ours else "#b3b3d6" for s in standings]
    axis.barh(ranks, scores, color=colours, height=0.6)
    axis.set_yticks(ranks, [f"{i}. {s.company}" for i, s in enumerate(standings, start=1)])
    axis.axvline(0, color="black", linewidth=1)
    axis.set_xlabel("company score: operating profit less excess stock at salvage")
    axis.grid(axis="y", visible=False)
    lines = [
        f"{i}. {s.company}: company {s.score:,.0f} · "
        + " · ".join(f"{name} ({department}) own score {own:,.0f}" for name, department, own in s.teams)
        for i, s in enumerate(standings, start=1)
    ]
    lines.append(
        "Own scores: purchasing's price savings, sales' bookings. Which team won its own and lost the company's?"
    )
    return Slide("leaderboard", "The leaderboard: the company's score, and each department's own", figure, tuple(lines))


def _prompt_slide(played: Played) -> Slide:
    runs = [played.run]
    asked = debrief.prompts(runs, *debrief.periods(runs))
    lines = []
    for who, words in (("together", "Together"), ("purchasing", "Purchasing"), ("sales", "Sales")):
        lines += [f"{words}: {prompt}" for prompt in asked.get(who, [])[:2]]
    if not lines:
        lines = ["What did each team decide on its own that the other needed to know?"]
    return Slide("prompts", "Questions for the room", None, tuple(lines[:MAX_PROMPTS]))
