"""Customer accounts drawn from a scenario: the first book of business, and the accounts sales wins later.

Every account draws from streams keyed by who it is (an original account by its number,
a won account by its rep and lead number), so two runs on the same seed draw the same
accounts whatever else differs between them (common random numbers).
"""

import numpy as np

from sim.config import CompanyScenario, RunConfig
from sim.market import DemandLine, DrawnDemand, demand_profile
from sim.specs import AccountSpec, OrderAnnouncement
from sim.streams import RandomStreams

ANNOUNCED_SIZE_SIGMA = 0.5  # spread of announced orders' sizes around their mean (lognormal sigma)
KEY_ACCOUNT_VOLUME = 3.0  # key accounts buy three times as much: a few large customers, as in most B2B books


class AccountFactory:
    """Draws customer accounts of a scenario: at the start, and as sales wins new ones."""

    def __init__(
        self, scenario: CompanyScenario, config: RunConfig, streams: RandomStreams, launch_factor: np.ndarray
    ) -> None:
        self.scenario = scenario
        self.streams = streams
        self.days = config.total_days
        rng = streams.generator("catalogue")
        n_skus = scenario.skus
        popularity = 1.0 / np.arange(1, n_skus + 1) ** scenario.catalogue_skew  # a long tail, as catalogues have
        self.popularity = rng.permutation(popularity / popularity.sum())
        self.launch_factor = launch_factor  # realised / planned demand of launch SKUs (1 elsewhere)
        self.launch_day = np.zeros(n_skus, dtype=int)
        if scenario.launch_skus:
            self.launch_day[n_skus - min(scenario.launch_skus, n_skus) :] = scenario.launch_day
        self.profile = demand_profile(
            config.total_days,
            scenario.trend_per_year,
            scenario.seasonality_amplitude,
            scenario.seasonality_peak_day,
        )

    def lines(self, rng: np.random.Generator, key_account: bool) -> list[DemandLine]:
        """Which SKUs an account buys and at what planned base rate (key accounts buy more)."""
        scenario, n_skus = self.scenario, len(self.popularity)
        count = min(n_skus, 1 + int(rng.poisson(scenario.lines_per_account - 1.0)))
        skus = np.sort(rng.choice(n_skus, count, replace=False, p=self.popularity))
        sigma = scenario.demand_rate_dispersion
        rates = scenario.demand_rate_mean * rng.lognormal(-0.5 * sigma**2, sigma, count)
        if key_account:
            rates *= KEY_ACCOUNT_VOLUME
        return [DemandLine(int(k), float(r), int(self.launch_day[k])) for k, r in zip(skus, rates, strict=True)]

    def account(
        self,
        index: int,
        rep: int,
        key_account: bool,
        lines: list[DemandLine],
        first_day: int,
        patience: int,
        stream: tuple[str, int],
    ) -> AccountSpec:
        """An account ordering on its own cycle, with the realised launch demand and its announced orders.

        ``stream`` names the account's own random streams (its demand, requested dates,
        announcements and churn draws), so they depend only on who the account is.
        """
        family, number = stream
        realised = [
            DemandLine(line.sku, line.daily_rate * float(self.launch_factor[line.sku]), line.from_day) for line in lines
        ]
        interval = self.scenario.order_interval_days
        demand = DrawnDemand(
            realised,
            interval=interval,
            first_day=first_day,
            profile=self.profile,
            rng=self.streams.generator("demand" if family == "account" else f"{family}:demand", number),
            days=self.days,
            cv=self.scenario.demand_cv,
        )
        rng = self.streams.generator(f"{family}:terms", number)
        spread = self.scenario.requested_lead_spread_days
        asked = self.scenario.requested_lead_days
        requested = int(rng.integers(max(0, asked - spread), asked + spread + 1)) if spread else asked
        announced = self._announcements(rng, index, rep, realised, first_day, interval, key_account)
        return AccountSpec(index, rep, key_account, patience, requested, demand, announced, stream)

    def _announcements(
        self,
        rng: np.random.Generator,
        index: int,
        rep: int,
        lines: list[DemandLine],
        first_day: int,
        interval: int,
        key_account: bool,
    ) -> tuple[OrderAnnouncement, ...]:
        """Large orders told in advance: a Poisson number a year, on the account's SKUs by their volume."""
        scenario = self.scenario
        per_year = (
            scenario.announced_orders_per_key_account_per_year
            if key_account
            else scenario.announced_orders_per_account_per_year
        )
        days = self.days - first_day
        if per_year <= 0 or not lines or days <= 0:  # no announcement within the run (a short horizon)
            return ()
        count = int(rng.poisson(per_year * days / 365.0))
        announce = np.sort(first_day + rng.integers(0, max(1, days), count))
        rates = np.array([line.daily_rate for line in lines])
        which = rng.choice(len(lines), count, p=rates / rates.sum())
        sizes = rng.lognormal(-0.5 * ANNOUNCED_SIZE_SIGMA**2, ANNOUNCED_SIZE_SIGMA, count)
        found = []
        for day, line, size in zip(announce.tolist(), which.tolist(), sizes.tolist(), strict=True):
            earliest = day + scenario.announcement_days
            due = first_day + -(-(earliest - first_day) // interval) * interval  # its next order day
            units = round(lines[line].daily_rate * 7 * scenario.announced_order_weeks * size)
            if due < self.days and units > 0 and due >= lines[line].from_day:
                found.append(OrderAnnouncement(index, rep, lines[line].sku, units, day, due))
        return tuple(found)

    def new_account(self, index: int, rep: int, lead: int, today: int) -> AccountSpec:
        """An account sales has just won: drawn from the streams of its rep's lead number ``lead``."""
        key, patience, lines = self._lead(rep, lead)
        return self.account(index, rep, key, lines, today + 1, patience, (f"won:{rep}", lead))

    def lead_demand(self, rep: int, lead: int) -> dict[int, float]:
        """What the account of a rep's lead would buy per day, per SKU, as :meth:`new_account` would realise it."""
        _, _, lines = self._lead(rep, lead)
        return {line.sku: line.daily_rate * float(self.launch_factor[line.sku]) for line in lines}

    def _lead(self, rep: int, lead: int) -> tuple[bool, int, list[DemandLine]]:
        """A lead's first draws, in this order: whether it is a key account, its patience, its lines."""
        rng = self.streams.generator(f"won:{rep}", lead)
        key = bool(rng.random() < self.scenario.key_account_share)
        patience = max(0, round(self.scenario.patience_days * rng.uniform(0.5, 1.5)))
        return key, patience, self.lines(rng, key)
