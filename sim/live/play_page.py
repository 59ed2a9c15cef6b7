"""Play mode in the browser: take a seat, read the week's briefing, decide, and see the company respond.

The page only shows a :class:`~sim.play.game.Game` and passes the person's entries to
:mod:`sim.play.entries`; the game saves itself after every week. An entry that cannot
be taken is refused next to its field and every other entry stays as typed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import solara

from sim.live.prose import Prose
from sim.live.seat_charts import seat_charts
from sim.live.seat_choices import (
    Cells,
    ExpediteAnswers,
    SupplierChoice,
    choice_key,
    picked_suppliers,
    standing_choice,
)
from sim.model import SalesPurchasingModel
from sim.output import kpis
from sim.play import entries
from sim.play.briefing import Briefing, SkuLine
from sim.play.game import Game, PlayError, lever_names, list_games, rerun, scenario_names
from sim.play.seat import Decision, Seat

PLAY_CSS = """
:is(.spsim-play, .spsim-team) :is(.v-btn, .v-label, input, .v-select__selection, .v-messages, .v-alert,
    .v-list-item__title, .v-chip) {
    font-size: 16px !important;
}
:is(.spsim-play, .spsim-team) :is(span, p, li, td, th, strong, div) { font-size: max(16px, 1em); }
:is(.spsim-play, .spsim-team) .v-card__title { font-size: 20px; }
:is(.spsim-play, .spsim-team) .v-text-field .v-label--active { transform: translateY(-22px) scale(1); }
:is(.spsim-play, .spsim-team) .v-text-field { padding-top: 18px; }
:is(.spsim-play, .spsim-team) .v-btn { text-transform: none; letter-spacing: 0; }
.spsim-suppliers { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0 16px; }
"""
"""Type of 16 px and more on the play and team pages, as on the dashboard: Vuetify's field labels
shrink to 12 px above their value and its buttons are 14 px, too small for a room's projector."""

ROLE_LABELS = {"buyer": "Buyer of a product family", "sales": "Sales lead of a territory"}
COMPARED = ("operating_profit", "fill_rate", "avg_on_hand", "bullwhip_ratio", "conflict_count")


@dataclass(frozen=True)
class Setup:
    """What the person chose before the game starts."""

    player: str = ""
    role: str = "buyer"
    seat: str = "0"
    weeks: str = "8"
    scenario: str = "default"
    seed: str = "1"
    levers: tuple[str, ...] = ()


@solara.component
def PlayPage(games: Path) -> None:
    """The play page: set up or resume a game, then play it week by week."""
    game = solara.use_reactive(cast(Game | None, None))
    version = solara.use_reactive(0)  # bumped when the game moves on (the Game is changed in place)

    def moved_on() -> None:
        version.set(version.value + 1)

    solara.Title("Play · spsim")
    solara.Style(PLAY_CSS)
    with solara.Column(classes=["spsim-play"], style={"max-width": "1100px"}):
        if game.value is None:
            SetupForm(games, on_game=game.set)
        elif game.value.finished:
            GameOver(game.value, on_leave=lambda: game.set(None))
        else:
            WeekScreen(game.value, version.value, on_moved=moved_on, on_leave=lambda: game.set(None))


@solara.component
def SetupForm(games: Path, on_game: Callable[[Game], None]) -> None:
    setup = solara.use_reactive(Setup())
    error = solara.use_reactive("")
    busy = solara.use_reactive(False)
    value = setup.value

    def change(**changes: object) -> None:
        setup.set(Setup(**{**value.__dict__, **changes}))

    def start() -> None:
        try:
            seat, weeks, seed = _whole(value.seat, "seat"), _whole(value.weeks, "weeks"), _whole(value.seed, "seed")
            busy.set(True)
            on_game(
                Game.start(
                    games,
                    player=value.player,
                    role=value.role,
                    seat_index=seat,
                    weeks=weeks,
                    scenario=value.scenario,
                    seed=seed,
                    levers=value.levers,
                )
            )
        except PlayError as problem:
            error.set(str(problem))
        finally:
            busy.set(False)

    Prose("## Take a seat\nThe agents play every other role. Your game is saved after every week.")
    with solara.Card("New game"):
        solara.InputText("Your name", value=value.player, on_value=lambda v: change(player=v), continuous_update=True)
        solara.Select("Role", values=list(ROLE_LABELS), value=value.role, on_value=lambda v: change(role=v))
        solara.Text(ROLE_LABELS[value.role])
        with solara.Row():
            solara.InputText("Seat number", value=value.seat, on_value=lambda v: change(seat=v), continuous_update=True)
            solara.InputText("Weeks", value=value.weeks, on_value=lambda v: change(weeks=v), continuous_update=True)
            solara.InputText("Seed", value=value.seed, on_value=lambda v: change(seed=v), continuous_update=True)
        solara.Select("Market", values=scenario_names(), value=value.scenario, on_value=lambda v: change(scenario=v))
        solara.SelectMultiple(
            "Levers on", values=list(value.levers), all_values=lever_names(), on_value=lambda v: change(levers=tuple(v))
        )
        if error.value:
            solara.Error(error.value, classes=["spsim-play-error"])
        solara.Button("Start game", on_click=start, color="primary", disabled=busy.value)
    saved = [g for g in list_games(games) if not g["finished"]]
    if saved:
        with solara.Card("Resume a saved game"):
            for info in saved[:10]:
                folder = cast(Path, info["folder"])
                with solara.Row():
                    solara.Text(
                        f"{info['player']} · {info['seat']} · week {info['weeks_played'] + 1} of "
                        f"{info['weeks_planned']} · {folder.name}"
                    )
                    solara.Button("Resume", on_click=lambda folder=folder: _resume(folder, on_game, error), text=True)


def _resume(folder: Path, on_game: Callable[[Game], None], error: solara.Reactive[str]) -> None:
    try:
        on_game(Game.load(folder))
    except PlayError as problem:
        error.set(str(problem))


@solara.component
def WeekScreen(
    game: Game,
    version: int,
    on_moved: Callable[[], None],
    on_leave: Callable[[], None],
) -> None:
    briefing = solara.use_memo(game.briefing, [game, version])
    info = game.info
    Prose(f"## Week {briefing.week} of {briefing.weeks}")
    solara.Text(
        f"day {briefing.day} · {info.player} in the seat of {briefing.seat} · {info.scenario} market, seed {info.seed}",
        classes=["spsim-play-week"],
    )
    with solara.Columns([1, 1]):
        with solara.Card("Your numbers"):
            Prose("\n".join(["| | |", "|---|---|"] + [f"| {k} | **{v}** |" for k, v in briefing.kpis.items()]))
        with solara.Card("What you are rewarded for"):
            Prose("\n".join(f"- {line}" for line in briefing.incentives))
    heard_from = "sales" if briefing.role == "buyer" else "purchasing"
    with solara.Card(f"From {heard_from} since last week"), solara.Column(gap="2px"):
        if not briefing.messages:
            solara.Text("Nothing new.", classes=["spsim-play-message"])
        for message in briefing.messages[-12:]:
            solara.Text(message, classes=["spsim-play-message"])
    with solara.Card("Your decision"):
        Prose("\n".join(f"- {note}" for note in briefing.notes))
        if briefing.role == "buyer":
            BuyerForm(game, briefing, on_moved)
        else:
            SalesForm(game, briefing, on_moved)
    SeatHistory(game.model, game.seat, info.first_decision_day, briefing.day)
    solara.Button("Leave (the game is saved)", on_click=on_leave, text=True)


@solara.component
def SeatHistory(model: SalesPurchasingModel, seat: Seat, first_day: int, day: int) -> None:
    """The seat's own charts over the weeks played (drawn again when the day moves on)."""
    charts = solara.use_memo(lambda: seat_charts(model, seat, first_day), [model, seat.label, day])
    with (
        solara.Card(f"Your history as {seat.label}", classes=["spsim-seat-history"]),
        solara.Row(style={"flex-wrap": "wrap"}),
    ):
        for chart in charts:
            solara.HTML(tag="div", unsafe_innerHTML=chart, classes=["spsim-seat-chart"])


@solara.component
def BuyerForm(game: Game, briefing: Briefing, on_moved: Callable[[], None]) -> None:
    typed = solara.use_reactive(cast(dict[int, str], {}))
    errors = solara.use_reactive(cast(dict[str, str], {}))
    hints = solara.use_reactive(True)
    asked = solara.use_reactive(cast(tuple[dict[int, str], dict[str, str]], ({}, {})))  # entries asked about
    picked = solara.use_reactive(cast(dict[int, str], {}))  # SKU -> the supplier chosen (its option's label)
    expedites = solara.use_reactive(entries.EXPEDITE_CHOICES[entries.RULE])
    max_premium = solara.use_reactive("")
    answers = solara.use_reactive(cast(dict[tuple[int, int], str], {}))  # (account, SKU) -> an ANSWERS key
    skus = [line.sku for line in briefing.lines]

    def submit() -> None:
        now = {sku: typed.value.get(sku, "") for sku in skus}
        weekly = {line.sku: line.demand_per_week for line in briefing.lines}
        # Submitting the very entries asked about confirms them; any change asks again.
        confirm = bool(asked.value[1]) and asked.value[0] == now
        decision = entries.buyer_decision(
            now,
            skus,
            weekly_demand=weekly,
            confirm=confirm,
            suppliers=picked_suppliers(picked.value, briefing.sources),
            sources={sku: [o.supplier for o in options] for sku, options in briefing.sources.items()},
            expedites=choice_key(entries.EXPEDITE_CHOICES, expedites.value),
            max_premium=max_premium.value,
            answers=answers.value,
        )
        if isinstance(decision, entries.Unconfirmed):
            errors.set({})
            asked.set((now, decision.questions))
            return
        asked.set(({}, {}))
        _submit(game, decision, errors, on_moved)

    solara.Checkbox(label="Show what the order-up-to rule would order", value=hints)
    columns = [*BUYER_COLUMNS, *(["rule says"] if hints.value else []), "promotion"]
    Cells(columns, bold=True)
    for line in briefing.lines:
        name = entries.order_field(line.sku)
        with solara.Row(style={"align-items": "center"}):
            Cells(_cells(line, hints.value), classes=("spsim-play-line",))
            solara.InputText(
                f"SKU {line.sku} order",
                value=typed.value.get(line.sku, ""),
                on_value=lambda text, sku=line.sku: typed.set({**typed.value, sku: text}),
                continuous_update=True,
                error=errors.value.get(name, False),
                classes=["spsim-order"],
                style={"max-width": "260px"},
                dense=True,
            )
    if briefing.sources:
        SupplierChoice(briefing.sources, picked)
    ExpediteAnswers(briefing.expedites, expedites, max_premium, answers, errors.value)
    for key in ("skus", "game", "answers", "expedites", *(k for k in errors.value if k.startswith("supplier"))):
        if errors.value.get(key):
            solara.Error(errors.value[key], classes=["spsim-play-error"])
    for question in asked.value[1].values():
        solara.Warning(f"{question} Submit again to confirm, or change the order.", classes=["spsim-play-confirm"])
    solara.Button(f"Submit week {briefing.week}", on_click=submit, color="primary", classes=["spsim-submit"])


@solara.component
def SalesForm(game: Game, briefing: Briefing, on_moved: Callable[[], None]) -> None:
    adjustment = solara.use_reactive("0")
    chosen = solara.use_reactive(cast(list[str], []))
    weeks_ahead = solara.use_reactive("3")
    notice = solara.use_reactive("early")
    discount = solara.use_reactive("")
    notice_days = solara.use_reactive("")
    promises = solara.use_reactive(entries.PROMISE_CHOICES[entries.RULE])
    buffer_days = solara.use_reactive("")
    requests = solara.use_reactive(entries.REQUEST_CHOICES[entries.RULE])
    min_units = solara.use_reactive("")
    errors = solara.use_reactive(cast(dict[str, str], {}))
    by_label = {f"SKU {line.sku}": line.sku for line in briefing.lines}

    def submit() -> None:
        decision = entries.sales_decision(
            adjustment.value,
            [by_label[label] for label in chosen.value if label in by_label],
            weeks_ahead.value,
            notice.value,
            portfolio=list(by_label.values()),
            max_skus=briefing.max_promotion_skus,
            promotion_allowed=briefing.promotion_allowed,
            discount_percent=discount.value,
            notice_days=notice_days.value,
            promises=choice_key(entries.PROMISE_CHOICES, promises.value),
            buffer_days=buffer_days.value,
            requests=choice_key(entries.REQUEST_CHOICES, requests.value),
            min_units=min_units.value,
        )
        if _submit(game, decision, errors, on_moved):
            chosen.set([])

    Cells([*SALES_COLUMNS, "promotion"], bold=True)
    for line in briefing.lines:
        Cells([c for i, c in enumerate(_cells(line, False)) if i != 5], classes=("spsim-play-line",))
    solara.InputText(
        "Forecast adjustment (%)",
        value=adjustment,
        continuous_update=True,
        error=errors.value.get("forecast adjustment", False),
        classes=["spsim-adjustment"],
    )
    if briefing.promotion_allowed:
        solara.SelectMultiple(
            "Promote SKUs (none = no promotion)", values=chosen.value, all_values=list(by_label), on_value=chosen.set
        )
        with solara.Row():
            solara.InputText(
                "Starts in weeks",
                value=weeks_ahead,
                continuous_update=True,
                error=errors.value.get("weeks ahead", False),
            )
            solara.InputText(
                f"Discount % (blank: {100 * briefing.promotion_discount:.0f})",
                value=discount,
                continuous_update=True,
                error=errors.value.get("discount", False),
                classes=["spsim-discount"],
            )
            solara.Select("Tell purchasing", values=list(entries.NOTICES), value=notice)
            if notice.value == "days":
                solara.InputText(
                    "Days before it starts",
                    value=notice_days,
                    continuous_update=True,
                    error=errors.value.get("notice days", False),
                )
        solara.Text("; ".join(f"{key}: {text}" for key, text in entries.NOTICES.items()))
    standing_choice(
        "Delivery promises this week", entries.PROMISE_CHOICES, promises, "buffer", "Buffer days", buffer_days, errors
    )
    if not briefing.sees_stock:
        solara.Text("You see no stock here: promising from stock means asking the warehouse each time.")
    standing_choice(
        "Expedites to request this week",
        entries.REQUEST_CHOICES,
        requests,
        "above",
        "Units short above",
        min_units,
        errors,
    )
    for key in ("promotion", "notice", "promises", "requests", "game"):
        if errors.value.get(key):
            solara.Error(errors.value[key], classes=["spsim-play-error"])
    solara.Button(f"Submit week {briefing.week}", on_click=submit, color="primary", classes=["spsim-submit"])


def _submit(
    game: Game,
    decision: Decision | entries.Refused,
    errors: solara.Reactive[dict[str, str]],
    on_moved: Callable[[], None],
) -> bool:
    """Hand a decision to the game (it saves itself); a refusal stays on screen, entries untouched."""
    if isinstance(decision, entries.Refused):
        errors.set(decision.errors)
        return False
    errors.set({})
    try:
        game.submit(decision)
    except PlayError as problem:  # e.g. another screen submitted this week first: one line, no traceback
        errors.set({"game": str(problem)})
        return False
    on_moved()
    return True


@solara.component
def GameOver(game: Game, on_leave: Callable[[], None]) -> None:
    compared = solara.use_reactive(cast(dict[str, dict[str, float]], {}))
    error = solara.use_reactive("")
    lever = solara.use_reactive("")
    summary = game.model.tables().summary

    def replay(seat: str, levers: tuple[str, ...]) -> None:
        try:
            folder = rerun(game.folder, seat=seat, levers=levers)
        except PlayError as problem:
            error.set(str(problem))
            return
        from sim.output.runfolder import read_summary

        compared.set({**compared.value, folder.name: read_summary(folder)})

    Prose(f"## Game over: {game.info.weeks_played} weeks played")
    solara.Text(f"Saved in {game.folder}", classes=["spsim-play-saved"])
    rows = {"you": summary, **{_rerun_label(name): values for name, values in compared.value.items()}}
    with solara.Card("Your game against the same market (the weeks you played)"):
        Cells(["", *(kpis.label(key).lower() for key in COMPARED)], bold=True)
        for name, summary_of in rows.items():
            values = [kpis.format_value(key, summary_of.get(key, float("nan"))) for key in COMPARED]
            Cells([name, *values], classes=("spsim-play-result",))
    with solara.Row():
        solara.Button("Replay with the agent in my seat", on_click=lambda: replay("agent", ()))
        solara.Select("Lever", values=["", *lever_names()], value=lever)
        solara.Button(
            "Replay with the agent and this lever",
            on_click=lambda: replay("agent", (lever.value,)),
            disabled=not lever.value,
        )
    if error.value:
        solara.Error(error.value)
    solara.Button("New game", on_click=on_leave, color="primary")


BUYER_COLUMNS = ("SKU", "demand / week", "sales says / week", "on hand", "owed", "on order")
SALES_COLUMNS = ("SKU", "you expect / week", "you said / week", "on hand", "owed")


def _cells(line: SkuLine, hints: bool) -> list[str]:
    def shown(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}"

    cells = [
        f"SKU {line.sku}",
        shown(line.demand_per_week),
        shown(line.sales_forecast_per_week),
        shown(line.on_hand),
        shown(line.backordered),
        shown(line.on_order),
    ]
    return [*cells, *([shown(line.rule_units)] if hints else []), line.promotion]


def _rerun_label(name: str) -> str:
    seat, *levers = name.split("+")
    who = "the agent in your seat" if seat == "agent" else "your decisions"
    return who + "".join(f" + {lever.replace('_', ' ')}" for lever in levers)


def _whole(text: str, name: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise PlayError(f"{name}: {text!r} is not a whole number") from None
