"""A seat's own history, week by week over the weeks played: what its charts show.

A buyer sees what it ordered against what its rule would have ordered, its family's
stock, and the expedites it approved and refused; a rep sees its forecast against what
its accounts ordered, the weeks its promotions ran, and how its promises held. Read from
the model's record and the seat, never changing either (like a briefing), so showing a
history does not move a re-simulated game.
"""

from dataclasses import dataclass

from sim.model import SalesPurchasingModel
from sim.output.timeseries import SHIPMENTS
from sim.play.seat import BuyerDecision, SalesDecision, Seat


@dataclass(frozen=True)
class BuyerWeek:
    """One week of a buyer's seat, from its review day."""

    week: int  # 1-based
    day: int  # the review day
    decided: bool  # a person decided (False: the agent's rule)
    ordered: int  # units ordered at the review, over the family
    rule_ordered: int | None  # what the buyer's rule would have ordered (known where a person decided)
    on_hand: int  # the family's units on hand at the start of the review day
    approved: int  # expedites approved during the week
    refused: int  # expedites refused during the week


@dataclass(frozen=True)
class SalesWeek:
    """One week of a rep's seat, from its forecast day."""

    week: int
    day: int
    decided: bool
    forecast: float | None  # units a week the rep submitted (known where a person decided)
    demand: int  # units its accounts ordered during the week
    promoted: bool  # a campaign of the rep ran on some day of the week
    late_as_promised: int  # late lines delivered by the day promised
    promises_broken: int


def week_days(model: SalesPurchasingModel, first_day: int, offset: int = 0) -> list[int]:
    """The decision days of the weeks played so far (a seat reviewing ``offset`` days into each week)."""
    period = model.world.org.review_period_days
    now = int(model.env.now)
    return [day + offset for day in range(first_day, now, period) if day + offset < now]


def buyer_history(model: SalesPurchasingModel, index: int, seat: Seat, first_day: int) -> list[BuyerWeek]:
    """Buyer ``index``'s weeks played so far."""
    buyer = model.buyers[index]
    family = list(buyer.spec.skus)
    period = buyer.spec.review_period_days
    days = week_days(model, first_day, buyer.spec.first_review_day % period - first_day % period)
    events = model.recorder.event_table(start=model.recorder.first_event_at(first_day))
    mine = events[events["agent"] == buyer.label]
    rushed = set(mine.loc[mine["event"] == "expedite", "ref"])
    bought = mine[(mine["event"] == "purchase_order") & ~mine["ref"].isin(rushed)]  # the review's orders only
    stock = _on_hand(model, family, days)
    weeks = []
    for week, day in enumerate(days, start=1):
        decision = seat.decisions.get(day)
        rule = [seat.rule_units[(day, sku)] for sku in family if (day, sku) in seat.rule_units]
        during = mine[(mine["day"] >= day) & (mine["day"] < day + period)]
        weeks.append(
            BuyerWeek(
                week=week,
                day=day,
                decided=isinstance(decision, BuyerDecision),
                ordered=int(bought.loc[bought["day"] == day, "quantity"].sum()),
                rule_ordered=sum(rule) if rule else None,
                on_hand=stock[week - 1],
                approved=int((during["event"] == "expedite").sum()),
                refused=int((during["event"] == "expedite_refused").sum()),
            )
        )
    return weeks


def sales_history(model: SalesPurchasingModel, index: int, seat: Seat, first_day: int) -> list[SalesWeek]:
    """Rep ``index``'s weeks played so far."""
    rep = model.reps[index]
    period = model.world.org.review_period_days
    days = week_days(model, first_day)
    accounts = [account.spec.index for account in model.accounts if account.rep is rep]
    events = model.recorder.event_table(start=model.recorder.first_event_at(first_day))
    theirs = events[events["account"].isin(accounts)]
    campaigns = [(p.start_day, p.end_day) for p in model.promotions_run if index in p.reps]
    weeks = []
    for week, day in enumerate(days, start=1):
        during = theirs[(theirs["day"] >= day) & (theirs["day"] < day + period)]
        late = int(((during["event"] == "line_closed") & (during["verdict"] == 0)).sum())
        broken = int((during["event"] == "promise_broken").sum())
        submitted = seat.forecasts.get(day)
        weeks.append(
            SalesWeek(
                week=week,
                day=day,
                decided=isinstance(seat.decisions.get(day), SalesDecision),
                forecast=None if submitted is None else 7 * submitted,
                demand=int(during.loc[during["event"] == "order", "quantity"].sum()),
                promoted=any(start < day + period and end > day for start, end in campaigns),
                late_as_promised=max(0, late - broken),
                promises_broken=broken,
            )
        )
    return weeks


def _on_hand(model: SalesPurchasingModel, family: list[int], days: list[int]) -> list[int]:
    """The family's units on hand at the start of each of ``days``: opening stock plus receipts less issues."""
    if not days:
        return []
    events = model.recorder.event_table()
    events = events[events["sku"].isin(family) & (events["day"] < max(days))]
    kinds = events["event"].astype(str)
    sign = kinds.map(STOCK_MOVES).fillna(0).to_numpy()
    moved = sign * events["quantity"].to_numpy()
    before = events["day"].to_numpy()
    return [int(moved[before < day].sum()) for day in days]


STOCK_MOVES = {"opening_stock": 1, "receipt": 1, "write_off": -1} | dict.fromkeys(SHIPMENTS, -1)
