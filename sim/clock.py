"""The phases of a simulated day.

One time unit is one day. Processes that act on the same day act in a fixed order,
set by the fraction of the day at which they wake. The fractions are binary
(exact in floating point), so ``day + phase`` never drifts, however long the run.
"""

RECEIVE = 0.0  # supplier deliveries arrive at the start of the day
FORECAST = 0.125  # sales reps submit forecasts
REVIEW = 0.25  # buyers review stock and place purchase orders
DISPATCH = 0.375  # suppliers ship what capacity allows
DEMAND = 0.5  # customer accounts order; stock is allocated
CLOSE = 0.875  # patience runs out: open lines past their last day are cancelled
YEAR_END = 0.9375  # after the close: stock ages out, standard costs are reset, the books are closed


def day_of(time: float) -> int:
    """The day a simulation time falls in."""
    return int(time)
