"""The live dashboard: a facilitator steps a run day by day and watches it unfold.

Built on Mesa's SolaraViz machinery: :func:`mesa.visualization.solara_viz.ModelController`
gives Reset, play/pause and Step; Reset re-instantiates ``type(model)(**settings)``, so
:class:`LiveModel` takes every control as a keyword argument and builds its
:class:`~sim.config.RunConfig` the way ``spsim`` does (:mod:`sim.live.controls`). The
charts are :mod:`sim.live.charts`; this module holds the model and the page's components.

Projector mode: the page is laid out for a 1280×720 screen with no text under 16 px (the
charts two a row beside the controls), every slider shows its value in words, the charts
draw the silo baseline (:mod:`sim.live.baseline`) and the run's outside shocks as bands,
and the facilitator can skip the warm-up, jump to a day and play up to a month a second
(:mod:`sim.live.pace`).
"""

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any, cast

import pandas as pd
import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import force_update, update_counter
from solara.toestand import KernelStore

from sim.config import ConfigError, RunConfig
from sim.live import baseline, measures, pace
from sim.live.charts import FONT, ChartSpec, bucketed, chart_specs, chart_svg, legend_html
from sim.live.controls import (
    Control,
    Setting,
    default_settings,
    horizon_problem,
    lever_controls,
    run_config,
    scenario_names,
    slider_value,
    words,
)
from sim.live.speed_controls import PaceKeeper, RunSpeed
from sim.model import SalesPurchasingModel
from sim.views import style
from sim.views.captions import Caption
from sim.views.shocks import Band

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
        self._read_rows = 0  # collected days whose events the tally has read
        # Play steps on Mesa's thread while a jump or a redraw may run on another: one at a time.
        self._lock = threading.RLock()

    def step(self) -> None:
        """Simulate one day and collect its measures (its events are read at the next look)."""
        with self._lock:
            if not self.running:
                return
            super().step()
            self.datacollector.collect(self)

    def run_to(self, days: int) -> None:
        """Simulate until ``days`` days have closed, or the run ends."""
        with self._lock:
            while self.running and self.env.now < days:
                self.step()

    def measured(self) -> pd.DataFrame:
        """The collected measures, one row per simulated day."""
        with self._lock:
            self._read_events()
            columns = self.datacollector.model_vars
            rows = min((len(values) for values in columns.values()), default=0)
            return pd.DataFrame({name: values[:rows] for name, values in columns.items()})

    def shock_bands(self) -> list[Band]:
        """The outside shocks so far (scenario's and injected), as the charts shade them."""
        with self._lock:
            self._read_events()
            return self.day_tally.bands(self.config.total_days)

    def _read_events(self) -> None:
        """Read the events of the days collected since the last look; fill in their same-day shipments.

        A step collects ``served_same_day`` before its events are read (reading them costs more
        than the day): the rows collected since are corrected here, from the events by day.
        """
        served = self.datacollector.model_vars["served_same_day"]
        first, days = self._read_rows, len(served) - self._read_rows
        if days <= 0:
            return
        served[first:] = self.day_tally.read_days(first, days).tolist()
        self._read_rows = len(served)


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
def Chart(
    spec: ChartSpec,
    measured: pd.DataFrame,
    warmup_days: int,
    bands: list[Band] | None = None,
    silo: pd.DataFrame | None = None,
) -> None:
    """One chart in a card: its latest state in a line of text, its legend, the chart.

    ``bands`` are the run's outside shocks so far, shaded; ``silo`` is the silo run's day and
    this chart's :attr:`~ChartSpec.silo_series` over all its days (drawn up to today).
    """
    with solara.Card(spec.title, classes=["spsim-chart"]):
        if measured.empty:
            _state_line(spec.key, "", "", "not started: press Step or ▶")
            return
        state = spec.state(measured.iloc[-1], measured)
        last_day = int(measured["day"].iloc[-1])
        _state_line(spec.key, str(last_day), state.value, state.text)
        frame, bucket = bucketed(spec.frame(measured), len(measured))
        shown_silo = None if silo is None else bucketed(baseline.up_to(silo, last_day), len(measured))[0]
        solara.Text(spec.unit, classes=["spsim-unit"], style={"color": style.NEUTRAL})
        solara.HTML(
            tag="div", unsafe_innerHTML=legend_html(spec, shown_silo is not None), classes=["spsim-chart-legend"]
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=chart_svg(spec, frame, warmup_days, bucket, bands or (), shown_silo),
            classes=["spsim-chart-svg"],
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


def _silo_frames(config: RunConfig) -> dict[str, pd.DataFrame] | None:
    """The silo baseline of a run; None without a lever (the live lines are the silo)."""
    return baseline.silo_frames(config) if config.policy else None


@solara.component
def LiveView(model: LiveModel) -> None:
    """The day, the charts and the event feed; redrawn after every step."""
    update_counter.get()  # Mesa's ModelController bumps it after each step
    # The silo is simulated once per market, seed and length (cached), on a thread: the page
    # stays live meanwhile, and draws the baseline when it is ready.
    config = model.config
    silo = solara.use_thread(lambda: _silo_frames(config), dependencies=[config])
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
    if silo.state == solara.ResultState.ERROR:
        solara.Error(f"No silo baseline: {silo.error}", dense=True, classes=["spsim-silo-error"])
    elif config.policy and silo.state != solara.ResultState.FINISHED:
        solara.Text("Simulating the silo baseline…", classes=["spsim-silo-pending"], style={"color": style.NEUTRAL})
    if model.config_error:
        solara.Error(
            f"Settings not applied: {model.config_error}. Reset kept the previous settings.",
            classes=["spsim-config-error"],
        )
    frames = silo.value if silo.state == solara.ResultState.FINISHED else None
    bands = model.shock_bands()
    with solara.v.Html(tag="div", class_="spsim-charts"):
        for spec in chart_specs(config.warmup_days):
            Chart(spec, measured, config.warmup_days, bands, None if frames is None else frames[spec.key])
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
    else:
        with solara.Row(style={"align-items": "center"}, classes=["spsim-slider"]):
            with solara.Column(style={"flex": "1 1 auto", "min-width": "0"}):
                if control.kind == "int":
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
            _slider_value(control.key, slider_value(control, value))
    if control.description:
        solara.Text(control.description, classes=["spsim-description"], style={"color": style.NEUTRAL})


def _slider_value(key: str, text: str) -> None:
    """A slider's value beside it: the room reads the number, not the knob's position."""
    solara.v.Html(
        tag="div",
        class_="spsim-slider-value",
        attributes={"data-setting": key},
        style_="min-width: 4em; text-align: right; font-weight: 500",
        children=[text],
    )


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


PROJECTOR_CSS = f"""
.spsim-dashboard .v-btn, .spsim-dashboard .v-label, .spsim-dashboard input, .spsim-dashboard .v-select__selection,
.spsim-dashboard .v-messages, .spsim-dashboard .v-alert, .spsim-dashboard .spsim-unit,
.spsim-dashboard .spsim-description, .spsim-dashboard .spsim-chart-state, .spsim-dashboard .spsim-event,
.spsim-dashboard .spsim-run, .spsim-dashboard .spsim-event-empty, .spsim-dashboard .text-subtitle-2,
.spsim-dashboard .spsim-slider-value {{
    font-size: {FONT}px !important;
}}
.spsim-dashboard .v-text-field .v-label--active {{ transform: translateY(-22px) scale(1); }}
.spsim-dashboard .v-text-field {{ padding-top: 18px; }}
.spsim-dashboard .v-card__title {{ font-size: 22px; padding: 8px 12px 4px; }}
.spsim-dashboard .v-card__text, .spsim-dashboard .v-card > div {{ padding-left: 12px; padding-right: 12px; }}
.spsim-dashboard .v-btn {{ text-transform: none; letter-spacing: 0; }}
.spsim-charts {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; }}
.spsim-charts .spsim-feed {{ max-height: 420px; overflow-y: auto; }}
.spsim-chart-state {{ min-height: 3em; }}
"""
"""Type of 16 px and more everywhere on the page (Vuetify's buttons, captions and hints are 12-14 px,
and a field's label shrinks to 12 px above its value), and the charts two a row: at 1280×720
beside the 340-px controls each chart is ~400 px wide."""


@solara.component
def JumpControls(model: solara.Reactive[LiveModel]) -> None:
    """Skip the warm-up, or jump to a day; a day that cannot be reached is one line, nothing else.

    The buttons read the session's model when clicked (a Reset replaces it), and keep no
    model of their own: a closed page lets its model go.
    """
    update_counter.get()  # the day moves under play: the warm-up button follows it
    target = solara.use_reactive(cast(int | None, None))
    problem = solara.use_reactive(cast(str | None, None))
    warmup_days, days_done = model.value.config.warmup_days, int(model.value.env.now)

    def skip_warmup() -> None:
        problem.set(None)
        model.value.run_to(model.value.config.warmup_days)
        force_update()

    def jump() -> None:
        live = model.value
        problem.set(pace.jump_problem(target.value, int(live.env.now), live.config.total_days))
        if problem.value is None and target.value is not None:
            live.run_to(target.value + 1)  # day N is the last closed day: N + 1 days simulated
            force_update()

    solara.Button(
        f"Skip the warm-up ({warmup_days} days)",
        on_click=skip_warmup,
        disabled=days_done >= warmup_days,
        classes=["spsim-skip-warmup"],
        outlined=True,
    )
    with solara.Row(style={"align-items": "center"}):
        solara.InputInt("Jump to day", value=target, optional=True, continuous_update=True, classes=["spsim-jump-day"])
        solara.Button("Jump", on_click=jump, classes=["spsim-jump"], outlined=True)
    if problem.value:
        solara.Error(problem.value, dense=True, classes=["spsim-jump-problem"])


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
    speed = solara.use_reactive(pace.DEFAULT_SPEED)
    play_interval = solara.use_reactive(pace.SPEEDS[pace.DEFAULT_SPEED].interval_ms)
    render_interval = solara.use_reactive(pace.SPEEDS[pace.DEFAULT_SPEED].days_per_tick)
    use_threads = solara.use_reactive(False)
    # Reset builds type(model)(**parameters): the settings, and the config to fall back
    # on if they are invalid (the one running now).
    parameters = {**settings.value, "fallback": model.value.config}

    solara.Title("spsim · live dashboard")
    solara.Style(PROJECTOR_CSS)
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap"}, classes=["spsim-dashboard"]):
        with solara.Column(style={"flex": "0 0 340px", "max-width": "340px"}):
            with solara.Card("Run", classes=["spsim-controls"]):
                ModelController(
                    model,
                    model_parameters=parameters,
                    play_interval=play_interval,
                    render_interval=render_interval,
                    use_threads=use_threads,
                )
                RunSpeed(speed, play_interval, render_interval)
                PaceKeeper(lambda: int(model.value.env.now), speed, play_interval)
                JumpControls(model)
            with solara.Card("Settings"):
                Settings(settings, model.value)
        with solara.Column(style={"flex": "1 1 640px", "min-width": "0"}):
            LiveView(model.value)


__all__ = ["Dashboard", "LiveModel", "lever_controls", "run_config", "scenario_names"]
