"""Promotions: the campaigns sales plans, as documents every department can read.

A promotion is a document like an order: sales plans it, a check or a committee may
approve it, customers see it while it runs, purchasing learns of it (or not).
"""

from dataclasses import dataclass


@dataclass(slots=True)
class Promotion:
    """A rep's price cut on some SKUs for its accounts, over a window of days.

    ``told_day`` is when purchasing learned of it (None: never told).
    """

    promotion_id: int
    rep: int
    skus: tuple[int, ...]
    planned_day: int
    start_day: int
    end_day: int  # first day after the promotion
    discount: float
    uplift: float  # demand multiplier while it runs
    dip_days: int
    dip: float  # demand multiplier right after (customers bought ahead)
    extra_daily_units: dict[int, float]  # expected extra demand per SKU while it runs
    told_day: int | None = None
    stockout_blamed: bool = False

    def multiplier(self, day: int) -> float:
        """Demand multiplier on ``day``: uplift during, dip after, 1 otherwise."""
        if self.start_day <= day < self.end_day:
            return self.uplift
        if self.end_day <= day < self.end_day + self.dip_days:
            return self.dip
        return 1.0

    def notice_days(self) -> int | None:
        """Days between purchasing learning of it and its start (None if never told)."""
        return None if self.told_day is None else self.start_day - self.told_day
