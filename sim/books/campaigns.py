"""Promotions: the campaigns sales plans, as documents every department can read.

A promotion is a company campaign: a rep behind its quota proposes it, every rep behind
its pace takes part, and it reaches all their accounts. Like an order, it is a document:
a check or a committee may approve it, customers see it while it runs, purchasing
learns of it (or not). Each SKU answers the discount in its own measure (``uplift``);
after the campaign, demand dips while customers use what they bought ahead (``dip``).
"""

from dataclasses import dataclass, field


@dataclass(slots=True)
class Promotion:
    """A price cut on some SKUs for the accounts of the reps taking part, over a window of days.

    ``told_day`` is when purchasing learned of it (None: never told).
    """

    promotion_id: int
    rep: int  # the rep who proposed it (and decides when purchasing is told)
    skus: tuple[int, ...]
    planned_day: int
    start_day: int
    end_day: int  # first day after the promotion
    discount: float
    uplift: dict[int, float]  # demand multiplier per SKU while it runs
    dip_days: int
    dip: dict[int, float]  # demand multiplier per SKU right after (customers bought ahead)
    base_daily_units: dict[int, float]  # what the reps taking part expect per SKU without it
    reps: tuple[int, ...] = ()  # every rep taking part (the proposer among them)
    told_day: int | None = None
    stockout_blamed: bool = False
    extra_daily_units: dict[int, float] = field(init=False)  # expected extra demand per SKU while it runs

    def __post_init__(self) -> None:
        self.reps = self.reps or (self.rep,)
        self.extra_daily_units = {k: base * (self.uplift[k] - 1.0) for k, base in self.base_daily_units.items()}

    def multiplier(self, sku: int, day: int) -> float:
        """Demand multiplier of ``sku`` on ``day``: uplift during, dip after, 1 otherwise."""
        if self.start_day <= day < self.end_day:
            return self.uplift[sku]
        if self.end_day <= day < self.end_day + self.dip_days:
            return self.dip[sku]
        return 1.0

    def running(self, day: int) -> bool:
        """Whether customers see the discount on ``day``."""
        return self.start_day <= day < self.end_day

    def notice_days(self) -> int | None:
        """Days between purchasing learning of it and its start (None if never told)."""
        return None if self.told_day is None else self.start_day - self.told_day
