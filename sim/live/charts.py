"""The dashboard's charts: what each shows, its latest state in words, and the chart as an SVG.

Charts are SVGs written on the server: a workshop room may have no internet, and
browser chart libraries (Vega) would come from a CDN. Each chart shows its latest state
as a line of text (class ``spsim-chart-state``, with ``data-chart``, ``data-day`` and
``data-value`` attributes) that a browser test can read. A long run is charted per
week, each value the week's mean (levels as everywhere: :mod:`sim.views.weeks`).

Sized for a projector: two charts a row fill a 1280-pixel-wide screen beside the controls,
and the SVG's own units are about CSS pixels there, so its 16-unit type is read at 16 px
from the back of a room. Behind the live lines, one grey dashed line is the silo (the same
market and seed with no lever, :mod:`sim.live.baseline`): what the levers change.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.views import shocks, style
from sim.views.shocks import Band

ON_ORDER = "#7fc8b1"  # purchasing's green, paler: stock to come (grey is the silo's)
DAILY_UP_TO_DAYS = 140  # longer runs are charted per week, so a 455-day run stays readable


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
    baseline: str = ""  # the series drawn again for the silo run ("": the first)

    @property
    def silo_series(self) -> str:
        """The legend label of the series the silo baseline repeats."""
        return self.baseline or next(iter(self.series))


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
            {"on hand": style.PURCHASING, "owed to customers": style.SALES, "on order": ON_ORDER},
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
            baseline="purchasing ordered",  # the bullwhip a lever damps; customers order alike either way
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

# The SVG's own coordinates, a little under the CSS pixels of a chart card on a 1280-wide screen (so
# its type is drawn a little over its size): plot area and margins.
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 380, 240, 50, 12, 8, 44
FONT = 16  # px: the smallest type a projector's back row reads
CHAR_WIDTH = 0.56 * FONT  # a sans-serif character's mean width, to keep labels inside the chart
HALO = 'stroke="white" stroke-width="3" paint-order="stroke"'  # a name stays legible over a line
SILO = {"colour": "#8a8a8a", "dash": "7 5", "width": 1.5}  # the silo baseline: thin, grey, dashed


def shock_bands(events: pd.DataFrame, days: int) -> list[Band]:
    """The outside shocks of a run's event table so far, as :func:`chart_svg` shades them."""
    return shocks.bands(events, days)


SHORT = {
    "disruption": "supplier disruption",
    "price_rise": "price rise",
    "launch": "launch",
    "large_order": "large order",
}


def legend_html(spec: ChartSpec, silo: bool) -> str:
    """The chart's legend as HTML above it (it wraps where an SVG legend would run off)."""
    keys = [_key(label, f"background:{colour}; height:4px") for label, colour in spec.series.items()]
    if silo:
        dashes = f"border-top:{SILO['width']}px dashed {SILO['colour']}; height:0"
        keys.append(_key(f"{spec.silo_series} with no lever (silo)", dashes))
    return f'<div class="spsim-legend" style="display:flex; flex-wrap:wrap; gap:2px 16px">{"".join(keys)}</div>'


def _key(label: str, swatch: str) -> str:
    return (
        '<span class="spsim-legend-key" style="display:inline-flex; align-items:center; gap:6px;'
        f' font-size:{FONT}px"><span style="display:inline-block; width:22px; {swatch}"></span>{escape(label)}</span>'
    )


def chart_svg(
    spec: ChartSpec,
    frame: pd.DataFrame,
    warmup_days: int,
    bucket: str,
    bands: Sequence[Band] = (),
    silo: pd.DataFrame | None = None,
) -> str:
    """The chart as an SVG line chart: the warm-up shaded, outside shocks shaded, the silo dashed behind.

    Each shock in ``bands`` (:func:`shock_bands`) is a shaded span named in a few words at its
    top (the full label is its tooltip and the ``data-shock`` attribute). ``silo`` (day and
    :attr:`ChartSpec.silo_series`, bucketed as ``frame``) is drawn as a thin grey dashed line
    under the live series (class ``spsim-baseline``).

    Drawn as plain SVG on the server: a workshop room may have no internet (browser
    chart libraries would come from a CDN), and matplotlib's PNGs cost about 0.1 s per
    chart per step, too slow for five charts a day. Ticks come from matplotlib's locator.
    """
    days = frame["day"].to_numpy(dtype=float)
    x_max = max(float(days[-1]), float(warmup_days)) + 1
    columns = [frame[label].to_numpy(dtype=float) for label in spec.series]
    silo_days = silo_values = np.empty(0)
    if silo is not None and len(silo):
        silo_days, silo_values = silo["day"].to_numpy(dtype=float), silo[spec.silo_series].to_numpy(dtype=float)
    low, high = _y_range(spec, [*columns, silo_values])
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
        f' font-family="sans-serif" font-size="{FONT}" fill="#333">'
    ]
    end = x(warmup_days)
    if warmup_days:
        parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{end - LEFT:.1f}" height="{plot_h}" fill="{style.WARMUP}"/>')
    for tick in y_ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e0e0e0"/>')
        parts.append(f'<text x="{LEFT - 5}" y="{y(tick) + 5:.1f}" text-anchor="end">{escape(fmt(tick))}</text>')
    for tick in MaxNLocator(nbins=5, integer=True).tick_values(0, x_max):
        if 0 <= tick <= x_max:
            parts.append(f'<text x="{x(tick):.1f}" y="{TOP + plot_h + 19}" text-anchor="middle">{tick:g}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 4}" text-anchor="middle">day ({bucket})</text>')
    shades, names = _band_marks(bands, x, x_max, plot_h)
    parts += shades
    parts.append(
        f'<line x1="{end:.1f}" x2="{end:.1f}" y1="{TOP}" y2="{TOP + plot_h}"'
        f' stroke="{style.NEUTRAL}" stroke-dasharray="4 4"/>'
    )
    if silo_days.size:
        parts.append(
            f'<path class="spsim-baseline" d="{_path(silo_days, silo_values, x, y)}" fill="none"'
            f' stroke="{SILO["colour"]}" stroke-width="{SILO["width"]}" stroke-dasharray="{SILO["dash"]}"/>'
        )
    for colour, column in zip(spec.series.values(), columns, strict=True):
        parts.append(f'<path d="{_path(days, column, x, y)}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
    # Names last, haloed in white: read over the lines, not hidden under them.
    if end - LEFT >= CHAR_WIDTH * len("warm-up") + 6:  # named where it fits (a short warm-up is just shaded)
        parts.append(
            f'<text x="{(LEFT + end) / 2:.1f}" y="{TOP + plot_h - 6}" text-anchor="middle" fill="{style.NEUTRAL}"'
            f" {HALO}>warm-up</text>"
        )
    parts += names
    parts.append("</svg>")
    return "".join(parts)


def _y_range(spec: ChartSpec, columns: list[np.ndarray]) -> tuple[float, float]:
    """The values' range (shares and trust: always 0..1), from 0 unless below it."""
    if spec.axis_format in UNIT_RANGE:
        return 0.0, 1.0
    finite = np.concatenate([column[np.isfinite(column)] for column in columns])
    if not finite.size:
        return 0.0, 1.0
    return min(0.0, float(finite.min())), float(finite.max())


def _band_marks(
    bands: Sequence[Band], x: Callable[[float], float], x_max: float, plot_h: float
) -> tuple[list[str], list[str]]:
    """Each shock's shaded span (drawn under the lines) and its short name at the top (drawn over them).

    A name that would overlap the one before takes the next row; near the right edge it ends there.
    """
    shades: list[str] = []
    names: list[str] = []
    rows: list[float] = []  # the right end of the last name in each row
    for band in bands:
        left, right = x(min(band.start, x_max)), x(min(band.end, x_max))
        if right <= left:
            continue
        label, name = escape(band.label), SHORT.get(band.kind, band.kind)
        width = CHAR_WIDTH * len(name)
        at = min(left + 3, WIDTH - RIGHT - width)
        row = next((i for i, taken in enumerate(rows) if at >= taken), len(rows))
        if row == len(rows):
            rows.append(0.0)
        rows[row] = at + width + 8
        shades.append(
            f'<g class="spsim-shock" data-shock="{label}"><title>{label}</title>'
            f'<rect x="{left:.1f}" y="{TOP}" width="{right - left:.1f}" height="{plot_h}"'
            f' fill="{shocks.COLOUR}" fill-opacity="{shocks.ALPHA}"/></g>'
        )
        names.append(
            f'<g class="spsim-shock-name" data-shock="{label}"><title>{label}</title>'
            f'<text x="{at:.1f}" y="{TOP + FONT + row * (FONT + 4)}" fill="{shocks.COLOUR}" {HALO}>'
            f"{escape(name)}</text></g>"
        )
    return shades, names


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
