"""The silo baseline: the dashboard's market and seed run once with no lever, drawn behind the live lines.

Common random numbers make the comparison fair: the silo run faces the same demand and the
same suppliers as the live one (one seed, named streams), so the gap between the grey
dashed line and a live line is what the levers changed. The silo is simulated in one go
(the lean loop, ~1 s for a default year; stepping it day by day would take ~5 s) and its
measures are derived from its tables, which equal the live measures day for day
(tests/live/test_dashboard.py). Each silo is computed once and kept (a few kB a chart).
"""

import functools
from dataclasses import dataclass, field

import pandas as pd

from sim.config import RunConfig
from sim.live.charts import chart_specs
from sim.model import SalesPurchasingModel

CACHED_SILOS = 8  # markets × seeds × lengths a workshop switches between


@dataclass(frozen=True)
class _Silo:
    """A silo config as the cache's key: compared by its JSON (a RunConfig with levers is unhashable)."""

    key: str
    config: RunConfig = field(compare=False, hash=False)


def silo_config(config: RunConfig) -> RunConfig:
    """``config`` with no lever: the same market, seed, horizon and warm-up."""
    return config.model_copy(update={"policy": {}})


def silo_frames(config: RunConfig) -> dict[str, pd.DataFrame]:
    """Chart key -> the silo's day and :attr:`~sim.live.charts.ChartSpec.silo_series`, every day of the run.

    Computed once per silo config (see :func:`cache_info`), then a dictionary look-up.
    """
    silo = silo_config(config)
    return _frames(_Silo(silo.model_dump_json(), silo))


@functools.lru_cache(maxsize=CACHED_SILOS)
def _frames(silo: _Silo) -> dict[str, pd.DataFrame]:
    measured = silo_measures(silo.config)
    return {spec.key: spec.frame(measured)[["day", spec.silo_series]] for spec in chart_specs(silo.config.warmup_days)}


def cache_info() -> "functools._CacheInfo":
    """How often a silo was computed (misses) and reused (hits)."""
    return _frames.cache_info()


def silo_measures(config: RunConfig) -> pd.DataFrame:
    """The dashboard's measures (:data:`sim.live.measures.REPORTERS`) of ``config`` run to its end.

    From the run's daily table: levels as they are, the running totals as cumulative sums.
    """
    daily = SalesPurchasingModel(silo_config(config)).run().timeseries
    return pd.DataFrame(
        {
            "day": daily["day"],
            "on_hand": daily["on_hand"],
            "backordered": daily["backordered"],
            "on_order": daily["on_order"],
            "demand": daily["demand"],
            "purchased_total": daily["purchased"].cumsum(),
            "served_same_day": daily["served_same_day"],
            "trust_in_purchasing": daily["trust_in_purchasing"],
            "trust_in_sales": daily["trust_in_sales"],
            "operating_profit_total": daily["operating_profit"].cumsum(),
            "gross_margin_total": daily["gross_margin"].cumsum(),
        }
    )


def up_to(frame: pd.DataFrame, last_day: int) -> pd.DataFrame:
    """The silo's days up to ``last_day``: the room compares today with today, not with the silo's future."""
    return frame[frame["day"] <= last_day]
