"""The live dashboard: a facilitator steps a run day by day and watches it unfold.

Built on Mesa's SolaraViz machinery: :func:`mesa.visualization.solara_viz.ModelController`
gives Reset, play/pause and Step; Reset re-instantiates ``type(model)(**settings)``, so
:class:`LiveModel` takes every control as a keyword argument and builds its
:class:`~sim.config.RunConfig` the way ``spsim`` does (:mod:`sim.live.controls`). The
charts are :mod:`sim.live.charts`; this module holds the model and the page's components.
"""

import functools
from collections.abc import Callable, Mapping
from typing import Any, cast

import pandas as pd
import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter
from solara.toestand import KernelStore

from sim.config import ConfigError, RunConfig
from sim.live import measures
from sim.live.charts import ChartSpec, bucketed, chart_specs, chart_svg
from sim.live.controls import (
    Control,
    Setting,
    default_settings,
    horizon_problem,
    lever_controls,
    run_config,
    scenario_names,
    words,
)
from sim.model import SalesPurchasingModel
from sim.views import style
from sim.views.captions import Caption

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


def session_model(settings: Mapping[str, Any]) -> solara.Reactive[LiveModel]:
    """A browser session's model, in a reactive variable that keeps no copy of its own.

    ``solara.reactive(model)`` would keep its first model as the variable's default for as
    long as anything holds the variable; a closed Solara session can stay referenced (by
    the worker thread that served it) until that thread serves another, pinning the model.
    Here the model lives only in the session's state, which :func:`release` empties.
    """
    model: solara.Reactive[LiveModel] = solara.reactive(cast(LiveModel, None))
    model.set(LiveModel(**settings))
    return model


def release(model: solara.Reactive[LiveModel]) -> None:
    """Let a session's model go: its value leaves the session's state, without a redraw.

    Runs as the page's effect clean-up, which Solara runs when it closes the session (a tab
    closed, or a browser gone for ``SOLARA_KERNEL_CULL_TIMEOUT``) or the page is left.
    Setting the variable instead would redraw a page that is being taken down.
    """
    storage = model._storage  # solara's per-session store; clear() drops this session's value
    if isinstance(storage, KernelStore):
        storage.clear()


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
    levers = ", ".join(words(name) for name in config.policy) or "no lever (silo)"
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
        solara.Checkbox(label=words(lever), value=bool(values[lever]), on_value=setter(lever))
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
    if (problem := horizon_problem(values["horizon_days"])) is not None:
        solara.Error(problem, dense=True, classes=["spsim-horizon-error"])
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
    # One model per browser session, made once: each participant drives their own. It is let
    # go when the page goes (the tab closed, the session culled, another page opened).
    model = solara.use_memo(lambda: session_model(settings.value), [])
    solara.use_effect(lambda: functools.partial(release, model), [])
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
