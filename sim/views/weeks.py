"""One definition of a week for every chart: flows summed over its days, levels averaged over them.

A level (stock on hand, backorders, units on order, inventory value, trust) is shown per
week as the mean of the week's end-of-day values, as ``avg_on_hand`` is the mean over
the measured days (docs/KPIS.md). A week-end snapshot would show where the buyers'
weekly review cycle happens to stand on that one day, not the stock the week held.
"""

from collections.abc import Sequence

import pandas as pd


def weekly(daily: pd.DataFrame, flows: Sequence[str], levels: Sequence[str]) -> pd.DataFrame:
    """One row per week of ``daily`` (weeks start on day 0, 7, 14, ...).

    Columns: each of ``flows`` summed over the week's days, each of ``levels`` averaged
    over them, ``start`` (the week's first day in ``daily``) and ``days`` (how many of its
    days ``daily`` has: fewer in a window's first or last week).
    """
    groups = daily.groupby(daily["day"] // 7)
    table = groups[list(flows)].sum()
    if levels:
        table[list(levels)] = groups[list(levels)].mean()
    table["start"] = groups["day"].min()
    table["days"] = groups["day"].count()
    return table
