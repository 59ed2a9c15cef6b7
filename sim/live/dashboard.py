"""The live dashboard: a facilitator steps a run day by day and watches it unfold.

Built on Mesa's SolaraViz machinery: :func:`mesa.visualization.solara_viz.ModelController`
gives Reset, play/pause and Step; Reset re-instantiates ``type(model)(**settings)``, so
:class:`LiveModel` takes every control as a keyword argument and builds its
:class:`~sim.config.RunConfig` the way ``spsim`` does (Hydra composition, then
validation). The controls are generated from the scenario files and from each lever's
parameter schema; nothing here repeats a lever's parameters by hand.

Charts are small SVGs written on the server: a workshop room may have no internet, and
browser chart libraries (Vega) would come from a CDN. Each chart shows its
latest state as a line of text (class ``spsim-chart-state``, with ``data-chart``,
``data-day`` and ``data-value`` attributes) that a browser test can read.
"""

import math
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any, Literal

import annotated_types
import numpy as np
import pandas as pd
import solara
from matplotlib.ticker import MaxNLocator
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim import policies
from sim.cli import CONFIG_DIR, compose_config
from sim.config import ConfigError, RunConfig
from sim.configure import load_config
from sim.live import measures
from sim.model import SalesPurchasingModel
from sim.views import style
from sim.views.captions import Caption

Setting = bool | int | float | str
SEPARATOR = "__"  # a lever parameter's setting: "<lever>__<parameter>"
DAILY_UP_TO_DAYS = 140  # longer runs are charted per week, so a 455-day run stays readable


# -- the settings and the controls generated for them --------------------------------------------


@cache
def scenario_names() -> tuple[str, ...]:
    """Every scenario a run can use: the files of ``configs/scenario/``."""
    return tuple(sorted(path.stem for path in (CONFIG_DIR / "scenario").glob("*.yaml")))


@dataclass(frozen=True)
class Control:
    """One lever control, derived from a field of the lever's parameter schema."""

    key: str  # the setting's name, "<lever>__<parameter>"
    label: str  # the parameter's name in words
    kind: Literal["checkbox", "select", "int", "float", "text"]
    default: Setting
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 1.0
    choices: tuple[str, ...] = ()
    description: str = ""  # the schema's, shown under the control


def _words(name: str) -> str:
    return name.replace("_", " ")


def _nice_step(span: float) -> float:
    """A round slider step giving about a hundred positions over ``span``."""
    return float(10 ** math.floor(math.log10(span / 100))) if span > 0 else 1.0


def _control(lever: str, name: str, field: Any) -> Control:
    """The control for one field: checkbox, select, or a slider within the field's bounds.

    Sliders need an upper end; where the schema sets none, four times the default
    (at least ten) leaves room to explore without an absurd range.
    """
    key, annotation, default = f"{lever}{SEPARATOR}{name}", field.annotation, field.default
    label, description = _words(name), field.description or ""
    if annotation is bool:
        return Control(key, label, "checkbox", bool(default), description=description)
    if typing.get_origin(annotation) is Literal:
        choices = tuple(map(str, typing.get_args(annotation)))
        return Control(key, label, "select", str(default), choices=choices, description=description)
    bounds: dict[str, float] = {}
    for rule in field.metadata:
        for attribute in ("ge", "gt", "le", "lt"):
            if isinstance(rule, getattr(annotated_types, attribute.capitalize())):
                bounds[attribute] = float(getattr(rule, attribute))
    low = bounds.get("ge", bounds.get("gt", 0.0))
    high = bounds.get("le", bounds.get("lt", max(4 * float(default), low + 10)))
    if annotation not in (int, float):
        # A type no slider fits: typed in, and checked by the lever's schema at Reset.
        return Control(key, label, "text", str(default), description=description)
    step = 1.0 if annotation is int else _nice_step(high - low)
    if "gt" in bounds:
        low += step  # strictly above the bound
    if "lt" in bounds:
        high -= step
    kind: Literal["int", "float"] = "int" if annotation is int else "float"
    return Control(key, label, kind, default, low, high, step, description=description)


@cache
def lever_controls() -> dict[str, tuple[Control, ...]]:
    """Each lever's parameter controls, in the schema's order."""
    return {
        name: tuple(_control(name, field_name, field) for field_name, field in lever.Params.model_fields.items())
        for name, lever in policies.levers().items()
    }


def default_settings() -> dict[str, Setting]:
    """The controls' starting values: RunConfig's and each lever's defaults, every lever off."""
    fields = RunConfig.model_fields
    settings: dict[str, Setting] = {
        "market": "default",
        "seed": int(fields["seed"].default),
        "horizon_days": int(fields["horizon_days"].default),
        "warmup_days": int(fields["warmup_days"].default),
    }
    for lever, controls in lever_controls().items():
        settings[lever] = False
        settings.update({control.key: control.default for control in controls})
    return settings


def _hydra_value(value: Setting) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def run_config(
    market: str, seed: Setting, horizon_days: Setting, warmup_days: Setting, levers: Mapping[str, Setting]
) -> RunConfig:
    """Compose and validate a run's config from the dashboard's settings, as ``spsim`` would.

    Raises:
        ConfigError: an unknown setting or an invalid value, in one line.
    """
    catalogue = policies.levers()
    chosen = sorted(name for name in catalogue if levers.get(name))
    overrides = [f"scenario={market}", f"seed={seed}", f"horizon_days={horizon_days}", f"warmup_days={warmup_days}"]
    if chosen:
        overrides.append(f"policy=[{','.join(chosen)}]")
    for key, value in levers.items():
        lever, _, parameter = key.partition(SEPARATOR)
        if lever not in catalogue:
            raise ConfigError(f"{key}: unknown setting; levers: {', '.join(catalogue)}")
        if parameter and lever in chosen:
            overrides.append(f"policy.{lever}.{parameter}={_hydra_value(value)}")
    return load_config(compose_config(overrides))


# -- the model the dashboard drives ---------------------------------------------------------------


class LiveModel(SalesPurchasingModel):
    """The model built from the dashboard's settings, measuring each day as it closes.

    Args:
        market: the scenario (a file of ``configs/scenario/``). Not ``scenario``: a Mesa
            model's ``scenario`` is its experiment object, which SolaraViz's Reset passes
            back in; it is accepted and ignored.
        seed, horizon_days, warmup_days: as in ``spsim``.
        fallback: the config to run instead when the settings are invalid; the problem
            is then kept in :attr:`config_error` (the page shows it, and stays up).
        **levers: ``<lever>=True`` switches a lever on; ``<lever>__<parameter>=value``
            sets one of its parameters (ignored while the lever is off).

    Raises:
        ConfigError: invalid settings and no fallback.
    """

    def __init__(
        self,
        *,
        market: str = "default",
        seed: Setting = 1,
        horizon_days: Setting = 365,
        warmup_days: Setting = 90,
        fallback: RunConfig | None = None,
        scenario: object = None,
        **levers: Setting,
    ) -> None:
        self.settings: dict[str, Setting] = {
            "market": market,
            "seed": seed,
            "horizon_days": horizon_days,
            "warmup_days": warmup_days,
            **levers,
        }
        self.config_error: str | None = None
        try:
            config = run_config(market, seed, horizon_days, warmup_days, levers)
        except ConfigError as error:
            if fallback is None:
                raise
            config, self.config_error = fallback, str(error)
        super().__init__(config)
        self.day_tally = measures.DayTally(self)
        self.datacollector = measures.collector()

    def step(self) -> None:
        """Simulate one day, then read its events and collect its measures."""
        if not self.running:
            return
        super().step()
        self.day_tally.read_day()
        self.datacollector.collect(self)

    def measured(self) -> pd.DataFrame:
        """The collected measures, one row per simulated day."""
        columns = self.datacollector.model_vars
        # Under play, steps run on another thread: never read a row collected halfway.
        rows = min((len(values) for values in columns.values()), default=0)
        return pd.DataFrame({name: values[:rows] for name, values in columns.items()})


# -- charts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartState:
    """A chart's latest state: the text line and the number a test reads."""

    text: str
    value: float


@dataclass(frozen=True)
class ChartSpec:
    """What one chart shows: its series (name -> column, colour) and its latest state."""

    key: str
    title: str
    unit: str
    series: dict[str, str]  # legend label -> colour
    frame: Callable[[pd.DataFrame], pd.DataFrame]  # day + one column per legend label
    state: Callable[[pd.Series, pd.DataFrame], ChartState]
    axis_format: str = "compact"  # the y axis's numbers (AXIS_FORMATS): 12k, 40%, 0.6


def _last_day(frame: pd.DataFrame) -> str:
    return f"day {int(frame['day'].iloc[-1])}"


def _fill_rate(served: float, demand: float) -> float:
    return served / demand if demand else float("nan")


def _percent(value: float) -> str:
    return "n/a" if value != value else f"{value:.1%}"


def _stock_frame(m: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"day": m["day"], "on hand": m["on_hand"], "owed to customers": m["backordered"], "on order": m["on_order"]}
    )


def _orders_frame(m: pd.DataFrame) -> pd.DataFrame:
    purchased = m["purchased_total"].diff().fillna(m["purchased_total"])
    return pd.DataFrame({"day": m["day"], "customers ordered": m["demand"], "purchasing ordered": purchased})


def _service_frame(m: pd.DataFrame) -> pd.DataFrame:
    week_served = m["served_same_day"].rolling(7, min_periods=1).sum()
    week_demand = m["demand"].rolling(7, min_periods=1).sum()
    return pd.DataFrame({"day": m["day"], "fill rate, last 7 days": week_served / week_demand.where(week_demand > 0)})


def _trust_frame(m: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": m["day"],
            "sales' trust in purchasing": m["trust_in_purchasing"],
            "purchasing's trust in sales": m["trust_in_sales"],
        }
    )


def _profit_frame(m: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"day": m["day"], "operating profit": m["operating_profit_total"], "gross margin": m["gross_margin_total"]}
    )


def _stock_state(last: pd.Series, m: pd.DataFrame) -> ChartState:
    return ChartState(
        f"{_last_day(m)} · on hand {last['on_hand']:,.0f} units · owed {last['backordered']:,.0f}"
        f" · on order {last['on_order']:,.0f}",
        float(last["on_hand"]),
    )


def _orders_state(last: pd.Series, m: pd.DataFrame) -> ChartState:
    purchased = float(last["purchased_total"] - (m["purchased_total"].iloc[-2] if len(m) > 1 else 0))
    return ChartState(
        f"{_last_day(m)} · customers ordered {last['demand']:,.0f} units · purchasing ordered {purchased:,.0f}",
        float(last["demand"]),
    )


def _service_state(last: pd.Series, m: pd.DataFrame, warmup_days: int) -> ChartState:
    today = _fill_rate(float(last["served_same_day"]), float(last["demand"]))
    measured = m[m["day"] >= warmup_days]
    if measured.empty:
        since = f"KPIs count from day {warmup_days}"
    else:
        kpi = _fill_rate(float(measured["served_same_day"].sum()), float(measured["demand"].sum()))
        since = f"{_percent(kpi)} since the warm-up"
    return ChartState(f"{_last_day(m)} · fill rate {_percent(today)} today · {since}", today)


def _trust_state(last: pd.Series, m: pd.DataFrame) -> ChartState:
    return ChartState(
        f"{_last_day(m)} · sales trust purchasing {last['trust_in_purchasing']:.2f}"
        f" · purchasing trusts sales {last['trust_in_sales']:.2f}",
        float(last["trust_in_purchasing"]),
    )


def _profit_state(last: pd.Series, m: pd.DataFrame) -> ChartState:
    return ChartState(
        f"{_last_day(m)} · operating profit since day 0 {last['operating_profit_total']:,.0f}"
        f" · gross margin {last['gross_margin_total']:,.0f}",
        float(last["operating_profit_total"]),
    )


def chart_specs(warmup_days: int) -> tuple[ChartSpec, ...]:
    """The five live charts: stock, orders, service, trust, profit."""
    return (
        ChartSpec(
            "stock",
            "Stock",
            "units at the close",
            {"on hand": style.PURCHASING, "owed to customers": style.SALES, "on order": style.NEUTRAL},
            _stock_frame,
            _stock_state,
        ),
        ChartSpec(
            "orders",
            "Orders",
            "units per day",
            {"customers ordered": style.SALES, "purchasing ordered": style.PURCHASING},
            _orders_frame,
            _orders_state,
        ),
        ChartSpec(
            "service",
            "Service",
            "share of units shipped on the day ordered",
            {"fill rate, last 7 days": style.COMPANY},
            _service_frame,
            lambda last, m: _service_state(last, m, warmup_days),
            axis_format="percent",
        ),
        ChartSpec(
            "trust",
            "Trust",
            "0 = none, 1 = full",
            {"sales' trust in purchasing": style.SALES, "purchasing's trust in sales": style.PURCHASING},
            _trust_frame,
            _trust_state,
            axis_format="score",
        ),
        ChartSpec(
            "profit",
            "Profit",
            "currency, since day 0",
            {"operating profit": style.COMPANY, "gross margin": style.NEUTRAL},
            _profit_frame,
            _profit_state,
        ),
    )


def bucketed(frame: pd.DataFrame, days: int) -> tuple[pd.DataFrame, str]:
    """Daily points while the run is short, weekly means after: a readable line at any length."""
    if days <= DAILY_UP_TO_DAYS:
        return frame, "daily"
    weekly = frame.groupby(frame["day"] // 7).mean()
    weekly["day"] = frame.groupby(frame["day"] // 7)["day"].min()
    return weekly, "weekly means"


def _compact(value: float) -> str:
    """An axis number as a person reads it at a glance: 12k, 1.5M, 40."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


AXIS_FORMATS: dict[str, Callable[[float], str]] = {
    "compact": _compact,
    "percent": lambda value: f"{value:.0%}",
    "score": lambda value: f"{value:g}",
}
UNIT_RANGE = {"percent", "score"}  # shares and trust: always drawn on 0..1

# The SVG's own coordinates (it scales to its card): plot area and margins.
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 420, 210, 44, 10, 26, 34


def chart_svg(spec: ChartSpec, frame: pd.DataFrame, warmup_days: int, bucket: str) -> str:
    """The chart as an SVG line chart, the end of the warm-up dashed.

    Drawn as plain SVG on the server: a workshop room may have no internet (browser
    chart libraries would come from a CDN), and matplotlib's PNGs cost about 0.1 s per
    chart per step, too slow for five charts a day. Ticks come from matplotlib's locator.
    """
    days = frame["day"].to_numpy(dtype=float)
    x_max = max(float(days[-1]), float(warmup_days)) + 1
    columns = [frame[label].to_numpy(dtype=float) for label in spec.series]
    finite = np.concatenate([column[np.isfinite(column)] for column in columns])
    if spec.axis_format in UNIT_RANGE:
        low, high = 0.0, 1.0
    else:
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
    y_ticks = MaxNLocator(nbins=4).tick_values(low, high if high > low else low + 1)
    low, high = float(y_ticks[0]), float(y_ticks[-1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: float) -> float:
        return LEFT + plot_w * day / x_max

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    fmt = AXIS_FORMATS[spec.axis_format]
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" xmlns="http://www.w3.org/2000/svg"'
        ' font-family="sans-serif" font-size="12" fill="#444">'
    ]
    for tick in y_ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{escape(fmt(tick))}</text>')
    for tick in MaxNLocator(nbins=6, integer=True).tick_values(0, x_max):
        if 0 <= tick <= x_max:
            parts.append(f'<text x="{x(tick):.1f}" y="{TOP + plot_h + 14}" text-anchor="middle">{tick:g}</text>')
    caption = f"day ({bucket}); dashed: end of warm-up"
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 4}" text-anchor="middle">{caption}</text>')
    end = x(warmup_days)
    parts.append(
        f'<line x1="{end:.1f}" x2="{end:.1f}" y1="{TOP}" y2="{TOP + plot_h}"'
        f' stroke="{style.NEUTRAL}" stroke-dasharray="4 4"/>'
    )
    legend_x = float(LEFT)
    for (label, colour), column in zip(spec.series.items(), columns, strict=True):
        parts.append(f'<path d="{_path(days, column, x, y)}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        parts.append(f'<rect x="{legend_x:.0f}" y="6" width="12" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 16:.0f}" y="12">{escape(label)}</text>')
        legend_x += 28 + 6.6 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def _path(days: np.ndarray, values: np.ndarray, x: Callable[[float], float], y: Callable[[float], float]) -> str:
    """An SVG path through the finite points; a missing value breaks the line."""
    commands, pen_down = [], False
    for day, value in zip(days.tolist(), values.tolist(), strict=True):
        if value != value:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{x(day):.1f} {y(value):.1f}")
        pen_down = True
    return " ".join(commands)


# -- components --------------------------------------------------------------------------------------


def _state_line(chart: str, day: str, value: float | str, text: str) -> None:
    solara.v.Html(
        tag="div",
        class_="spsim-chart-state",
        attributes={"data-chart": chart, "data-day": day, "data-value": "" if value != value else str(value)},
        children=[text],
    )


@solara.component
def Chart(spec: ChartSpec, measured: pd.DataFrame, warmup_days: int) -> None:
    """One chart in a card, its latest state in a line of text above it."""
    with solara.Card(spec.title, classes=["spsim-chart"], style={"min-width": "320px"}):
        if measured.empty:
            _state_line(spec.key, "", "", "not started: press Step or ▶")
            return
        state = spec.state(measured.iloc[-1], measured)
        _state_line(spec.key, str(int(measured["day"].iloc[-1])), state.value, state.text)
        frame, bucket = bucketed(spec.frame(measured), len(measured))
        solara.Text(spec.unit, classes=["text-caption"], style={"color": style.NEUTRAL})
        solara.HTML(
            tag="div", unsafe_innerHTML=chart_svg(spec, frame, warmup_days, bucket), classes=["spsim-chart-svg"]
        )


@solara.component
def EventFeed(feed: list[Caption]) -> None:
    """The latest business events in plain words, newest first."""
    colours = {"sales": style.SALES, "purchasing": style.PURCHASING, "company": style.COMPANY}
    with solara.Card("What happened", classes=["spsim-feed"]):
        if not feed:
            solara.Text("no business event yet", classes=["spsim-event-empty"])
        for caption in feed:
            solara.v.Html(
                tag="div",
                class_="spsim-event",
                attributes={"data-day": str(caption.day), "data-department": caption.department},
                style_=f"border-left: 4px solid {colours.get(caption.department, style.NEUTRAL)}; padding-left: 6px;"
                " margin-bottom: 4px",
                children=[f"day {caption.day} · {caption.department} · {caption.text}"],
            )


@solara.component
def LiveView(model: LiveModel) -> None:
    """The day, the charts and the event feed; redrawn after every step."""
    update_counter.get()  # Mesa's ModelController bumps it after each step
    config = model.config
    measured = model.measured()
    days_done = int(model.env.now)
    if measured.empty:
        day_text, day = f"Day – of {config.total_days}: not started", ""
    else:
        day = str(int(measured["day"].iloc[-1]))
        phase = "warm-up" if int(day) < config.warmup_days else "measured"
        day_text = f"Day {day} · {days_done} of {config.total_days} days simulated · {phase}"
    levers = ", ".join(_words(name) for name in config.policy) or "no lever (silo)"
    solara.v.Html(
        tag="div",
        class_="spsim-day",
        style_="font-size: 1.5rem; font-weight: 500; margin-bottom: 4px",
        attributes={"data-day": day, "data-days-simulated": str(days_done)},
        children=[day_text],
    )
    solara.Text(f"{config.scenario.name} · seed {config.seed} · {levers}", classes=["spsim-run"])
    if model.config_error:
        solara.Error(
            f"Settings not applied: {model.config_error}. Reset kept the previous settings.",
            classes=["spsim-config-error"],
        )
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap"}):
        with solara.Column(style={"flex": "3 1 640px"}), solara.ColumnsResponsive(12, large=6):
            for spec in chart_specs(config.warmup_days):
                Chart(spec, measured, config.warmup_days)
        with solara.Column(style={"flex": "1 1 280px"}):
            EventFeed(list(model.day_tally.feed))


@solara.component
def LeverControls(settings: solara.Reactive[dict[str, Setting]]) -> None:
    """A checkbox per lever and, while it is on, a control per parameter (from its schema)."""
    values = settings.value

    def setter(key: str) -> Callable[[Setting], None]:
        return lambda value: settings.set({**settings.value, key: value})

    for lever, controls in lever_controls().items():
        solara.Checkbox(label=_words(lever), value=bool(values[lever]), on_value=setter(lever))
        if not values[lever]:
            continue
        with solara.Column(style={"padding-left": "24px"}, classes=[f"spsim-lever-{lever}"]):
            for control in controls:
                _parameter_control(control, values[control.key], setter(control.key))


def _parameter_control(control: Control, value: Setting, on_value: Callable[[Setting], None]) -> None:
    """The widget of one lever parameter, its description under it."""
    if control.kind == "checkbox":
        solara.Checkbox(label=control.label, value=bool(value), on_value=on_value)
    elif control.kind == "select":
        solara.Select(control.label, values=list(control.choices), value=str(value), on_value=on_value)
    elif control.kind == "text":
        solara.InputText(control.label, value=str(value), on_value=on_value)
    elif control.kind == "int":
        solara.SliderInt(
            control.label,
            value=int(value),
            min=int(control.minimum),
            max=int(control.maximum),
            on_value=on_value,
        )
    else:
        solara.SliderFloat(
            control.label,
            value=float(value),
            min=control.minimum,
            max=control.maximum,
            step=control.step,
            on_value=on_value,
        )
    if control.description:
        solara.Text(control.description, classes=["text-caption"], style={"color": style.NEUTRAL})


@solara.component
def Settings(settings: solara.Reactive[dict[str, Setting]], model: LiveModel) -> None:
    """Scenario, seed, horizon and levers; they apply at the next Reset."""
    values = settings.value

    def setter(key: str) -> Callable[[Setting], None]:
        return lambda value: settings.set({**settings.value, key: value})

    solara.Select("Scenario", values=list(scenario_names()), value=str(values["market"]), on_value=setter("market"))
    solara.InputInt("Seed", value=int(values["seed"]), on_value=setter("seed"), continuous_update=True)
    solara.InputInt(
        "Horizon (days)", value=int(values["horizon_days"]), on_value=setter("horizon_days"), continuous_update=True
    )
    solara.InputInt(
        "Warm-up (days)", value=int(values["warmup_days"]), on_value=setter("warmup_days"), continuous_update=True
    )
    solara.Text("Levers", classes=["text-subtitle-2"])
    LeverControls(settings)
    if values != model.settings:
        solara.Info("Changed settings apply at the next Reset.", dense=True, classes=["spsim-pending"])


@solara.component
def Dashboard(start: Mapping[str, Setting] | None = None) -> None:
    """The facilitator's dashboard: controls on the left, the live run on the right.

    Args:
        start: settings to begin with instead of the defaults (tests start short runs).
    """
    settings = solara.use_reactive({**default_settings(), **(start or {})})
    # One model per browser session, made once: each participant drives their own.
    model = solara.use_memo(lambda: solara.reactive(LiveModel(**settings.value)), [])
    play_interval = solara.use_reactive(300)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    # Reset builds type(model)(**parameters): the settings, and the config to fall back
    # on if they are invalid (the one running now).
    parameters = {**settings.value, "fallback": model.value.config}

    solara.Title("spsim · live dashboard")
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap"}, classes=["spsim-dashboard"]):
        with solara.Column(style={"flex": "0 0 320px", "max-width": "360px"}):
            with solara.Card("Run", classes=["spsim-controls"]):
                ModelController(
                    model,
                    model_parameters=parameters,
                    play_interval=play_interval,
                    render_interval=render_interval,
                    use_threads=use_threads,
                )
                solara.SliderInt(
                    "Play interval (ms)", value=play_interval, min=50, max=2000, step=50, on_value=play_interval.set
                )
            with solara.Card("Settings"):
                Settings(settings, model.value)
        with solara.Column(style={"flex": "1 1 640px"}):
            LiveView(model.value)


__all__ = ["Dashboard", "LiveModel", "lever_controls", "run_config", "scenario_names"]
