"""Per-agent daily signals: the numpy grid is pandas' groupby definition, bit for bit, means included."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.output.timeseries import agent_daily


def by_groupby(signals: pd.DataFrame, name: str, days: int, initial: float | None) -> pd.DataFrame:
    """The definition: each day's last value per agent, carried forward, ``initial`` before the first."""
    rows = signals[(signals["signal"] == name) & (signals["day"] < days)]
    if rows.empty:
        return pd.DataFrame(index=range(days))
    last = rows.groupby(["day", "agent"], sort=True, observed=True)["value"].last().unstack("agent")
    grid = last.reindex(range(days)).ffill()
    return grid.fillna(initial) if initial is not None else grid


@st.composite
def signal_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    days = draw(st.integers(1, 60))
    agents = [f"rep {i}" for i in range(draw(st.integers(1, 20)))] + ["buyer 1"]
    size = draw(st.integers(1, 200))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    day = np.sort(rng.integers(0, days + 3, size))  # some after the last day: left out
    value = rng.normal(0.5, 0.3, size)
    value[rng.random(size) < 0.1] = np.nan  # a missing value is skipped, as GroupBy.last skips it
    table = pd.DataFrame(
        {
            "time": day + 0.5,
            "day": day.astype(np.int32),
            "signal": pd.Categorical(rng.choice(["trust", "bias"], size)),
            "agent": pd.Categorical(rng.choice(agents, size)),
            "sku": np.full(size, -1, dtype=np.int32),
            "value": value,
        }
    )
    return table, days


@settings(max_examples=150, deadline=None)
@given(signal_tables(), st.sampled_from([None, 0.0, 0.7]))
def test_agent_daily_is_the_groupby_definition_bit_for_bit(
    case: tuple[pd.DataFrame, int], initial: float | None
) -> None:
    signals, days = case
    expected, got = by_groupby(signals, "trust", days, initial), agent_daily(signals, "trust", days, initial)
    assert list(got.columns) == list(expected.columns)
    assert np.array_equal(got.to_numpy(), expected.to_numpy(), equal_nan=True)
    if len(expected.columns):  # the company's daily series is the mean over agents: the same floats
        assert np.array_equal(got.mean(axis=1).to_numpy(), expected.mean(axis=1).to_numpy(), equal_nan=True)
