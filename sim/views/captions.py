"""Plain-words captions of a run's events, and which of them matter most.

A caption is one line a workshop can read aloud ("day 45: rep 0's promotion started,
purchasing told 2 days before"). Every caption is built from rows of the run's
``events.parquet`` and keeps their row numbers, so a chart never shows an event the
run did not log. Events of one kind on one day become one caption; events that are
part of another (the escalation that follows a refused expedite, the rejections and
arbitrations of a committee meeting) are folded into it.
"""

from dataclasses import dataclass, field

import pandas as pd

from sim.output.events import with_figures
from sim.views import shocks
from sim.views.shocks import Band

# What each kind of event means for the story: 0 = routine, 10 = the turning points.
IMPORTANCE: dict[str, float] = {
    "stockout_late_notice": 9.0,
    "churn": 8.5,
    "committee": 8.0,
    "promotion_started": 7.5,
    "unannounced_promotion": 7.0,
    "expedite_refused": 6.5,
    "arbitration": 6.5,
    "promotion_rejected": 6.5,
    "cancellation": 5.0,
    "expedite": 6.0,
    "escalation": 6.0,
    "meeting": 5.5,
    "rotation_started": 5.5,
    "excess_stock": 5.0,
    "promotion_checked": 5.0,
    "promotion_notice": 4.5,
    "rotation_ended": 4.0,
    "negotiation": 4.0,
    "promotion_planned": 4.0,
    "meeting_skipped": 3.5,
    "expedite_requested": 3.5,
    "account_won": 3.0,
    "write_off": 3.0,
}
"""Kinds captioned for the story, by importance (routine bookkeeping is left out)."""

ROUTINE: dict[str, str] = {
    "order": "customers ordered {units:,} units",
    "shipment": "{units:,} units shipped from stock",
    "backorder": "{units:,} units put on backorder",
    "backorder_shipment": "{units:,} backordered units shipped",
    "line_closed": "{n} order line(s) closed",
    "promise_broken": "{n} delivery promise(s) broken",
    "late_penalty": "{n} late penalty(ies), {money} in total",
    "purchase_order": "{n} purchase order(s) for {units:,} units",
    "receipt": "{n} receipt(s) of {units:,} units",
    "holding_cost": "holding cost booked",
    "opening_stock": "opening stock of {units:,} units",
    "policy_cost": "lever cost booked: {detail} ({money})",
    "operating_expenses": "operating expenses booked: {detail} ({money})",
    "stock_provision": "provision for {units:,} units of closing stock that will age out unsold ({money})",
    "backlog_provision": "provision for the margin of {units:,} units still owed to customers ({money})",
    "revaluation": "standard costs reset on {n} SKU(s): stock revalued by {money}",
}
"""Plain words for the routine kinds, used only where a comparison needs them."""

SALES, PURCHASING, COMPANY = "sales", "purchasing", "company"
LEVERS = ("shared_metrics", "regular_meetings", "systems_integration", "steering_committee", "rotation")


@dataclass(frozen=True)
class Caption:
    """One line of the story: what happened on a day, and the event rows that say so."""

    day: int
    kind: str
    text: str
    importance: float
    department: str
    rows: tuple[int, ...] = field(default=())

    @property
    def label(self) -> str:
        """The caption as shown: ``day 45: ...``."""
        return f"day {self.day}: {self.text}"


def department(agent: str) -> str:
    """The department an event's agent belongs to (its colour on every chart)."""
    if agent.startswith(("rep", "account")):
        return SALES
    if agent.startswith(("buyer", "supplier", "warehouse")):
        return PURCHASING
    return COMPANY


def describe(
    events: pd.DataFrame, *, include_routine: bool = False, context: list[Band] | None = None
) -> list[Caption]:
    """Every captioned event of ``events`` as plain-words captions, in time order.

    A caption of supply or service trouble inside an outside shock's span starts with the
    shock as its context ("during the supplier disruption, ..."): no department is blamed for it.

    Args:
        events: rows of a run's event log (its index is the row number in events.parquet).
        include_routine: also caption orders, shipments, costs... (for comparisons).
        context: the run's shock bands (default: those of the shock events among ``events``).
    """
    kinds = set(IMPORTANCE) | (set(ROUTINE) if include_routine else set())
    chosen = events[events["event"].astype(str).isin(kinds)]
    if chosen.empty:
        return []
    rows = _records(chosen)
    used: set[int] = set()
    captions: list[Caption] = []
    for merge in (_committees, _meetings, _promotions_started, _refusals, _expedites):
        captions += merge(rows, used)
    by_day_kind: dict[tuple[int, str], list[_Row]] = {}
    for row in rows:
        if row.row not in used:
            by_day_kind.setdefault((int(row.day), str(row.event)), []).append(row)
    for (day, kind), group in by_day_kind.items():
        captions.append(_caption(day, kind, _text(kind, group), group))
    found = context if context is not None else shocks.bands(events, int(events["day"].max()) + 1)
    captions = [_in_context(caption, found) for caption in captions]
    return sorted(captions, key=lambda c: (c.day, -c.importance, c.rows[0] if c.rows else 0))


# -- building the captions --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    """One event of the log, typed, with its row number in events.parquet."""

    row: int
    time: float
    day: int
    event: str
    agent: str
    sku: int
    account: int
    ref: int
    quantity: int
    value: float
    days: int
    share: float
    verdict: int
    detail: str


def _records(events: pd.DataFrame) -> list[_Row]:
    typed = with_figures(events)
    return [
        _Row(
            int(r.Index),
            float(r.time),
            int(r.day),
            str(r.event),
            str(r.agent),
            int(r.sku),
            int(r.account),
            int(r.ref),
            int(r.quantity),
            float(r.value),
            int(r.days),
            float(r.share),
            int(r.verdict),
            str(r.detail),
        )
        for r in typed.itertuples()
    ]


def _in_context(caption: Caption, found: list[Band]) -> Caption:
    """``caption`` with the shock it happened in as its context, where it is supply or service trouble."""
    words = shocks.context(caption.day, found) if caption.kind in shocks.CONTEXT_KINDS else ""
    if not words:
        return caption
    text = f"{words}, {caption.text}"
    return Caption(caption.day, caption.kind, text, caption.importance, caption.department, caption.rows)


def _caption(day: int, kind: str, text: str, group: list[_Row]) -> Caption:
    agents = [str(row.agent) for row in group if str(row.event) == kind] or [str(group[0].agent)]
    return Caption(
        day=day,
        kind=kind,
        text=text,
        importance=IMPORTANCE.get(kind, 1.0),
        department=department(agents[0]),
        rows=tuple(sorted(int(row.row) for row in group)),
    )


def _take(candidates: list[_Row], used: set[int]) -> list[_Row]:
    """The candidates no other caption has taken yet; they are now taken."""
    taken = [row for row in candidates if row.row not in used]
    used.update(row.row for row in taken)
    return taken


def _committees(rows: list[_Row], used: set[int]) -> list[Caption]:
    """A committee meeting with the promotions it ruled on and the conflicts it settled."""
    captions = []
    folded = {"committee", "promotion_rejected", "arbitration", "expedite", "promotion_planned", "promotion_notice"}
    for meeting in [row for row in rows if row.event == "committee"]:
        group = _take([r for r in rows if r.time == meeting.time and r.event in folded], used)
        counts = _count(group)
        approved = counts.get("promotion_planned", 0)  # a promotion it approves is planned at the meeting
        granted = sum(1 for r in group if r.event == "arbitration" and r.verdict == 1)
        upheld = counts.get("arbitration", 0) - granted
        parts = []
        if approved:
            parts.append(f"approved {_plural(approved, 'promotion')}")
        if counts.get("promotion_rejected"):
            parts.append(f"rejected {_plural(counts['promotion_rejected'], 'promotion')}")
        if granted:
            parts.append(f"granted {_plural(granted, 'expedite')}")
        if upheld:
            parts.append(f"upheld {_plural(upheld, 'refusal')}")
        what = ", ".join(parts) if parts else "set a consensus forecast"
        captions.append(_caption(int(meeting.day), "committee", f"steering committee {what}", group))
    return captions


def _meetings(rows: list[_Row], used: set[int]) -> list[Caption]:
    """A regular meeting and the campaigns it shared with purchasing."""
    captions = []
    for meeting in [row for row in rows if row.event == "meeting"]:
        group = _take(
            [
                r
                for r in rows
                if r.time == meeting.time
                and (r.event == "meeting" or (r.event == "promotion_notice" and r.agent == "regular_meetings"))
            ],
            used,
        )
        shared = sum(1 for r in group if r.event == "promotion_notice")
        text = (
            ("regular meeting: purchasing heard of " + _plural(shared, "campaign"))
            if shared
            else "regular meeting held, no campaign to share"
        )
        captions.append(_caption(int(meeting.day), "meeting", text, group))
    return captions


def _promotions_started(rows: list[_Row], used: set[int]) -> list[Caption]:
    """Promotions that started on a day, with whether purchasing knew (and minded)."""
    days = sorted({int(r.day) for r in rows if r.event == "promotion_started"})
    captions = []
    for day in days:
        started = _take([r for r in rows if r.day == day and r.event == "promotion_started"], used)
        refs = {r.ref for r in started}
        surprised = _take(
            [r for r in rows if r.day == day and r.event == "unannounced_promotion" and r.ref in refs], used
        )
        notices = [_notice(r) for r in started]
        if len(started) == 1:
            rep = started[0].agent
            told = notices[0]
            text = f"{rep}'s promotion started, " + (
                "purchasing not told" if told is None else f"purchasing told {_plural(told, 'day')} before"
            )
        else:
            never = sum(1 for n in notices if n is None)
            told_days = sorted(n for n in notices if n is not None)
            text = f"{len(started)} promotions started"
            if never == len(started):
                text += ", purchasing not told"
            elif never:
                text += f": {never} unannounced, {len(told_days)} told {_span(told_days)} days before"
            else:
                text += f", purchasing told {_span(told_days)} days before"
        caption = _caption(day, "promotion_started", text, started + surprised)
        if any(n is None for n in notices):  # a surprise for purchasing is a conflict
            caption = Caption(
                caption.day,
                caption.kind,
                caption.text,
                IMPORTANCE["unannounced_promotion"] + 1,
                caption.department,
                caption.rows,
            )
        captions.append(caption)
    return captions


def _refusals(rows: list[_Row], used: set[int]) -> list[Caption]:
    """Refused expedites of a day, with the escalations that followed them."""
    days = sorted({int(r.day) for r in rows if r.event == "expedite_refused"})
    captions = []
    for day in days:
        refused = _take([r for r in rows if r.day == day and r.event == "expedite_refused"], used)
        keys = {(r.time, r.sku, r.account) for r in refused}
        escalated = _take(
            [r for r in rows if r.day == day and r.event == "escalation" and (r.time, r.sku, r.account) in keys], used
        )
        asked = _take(
            [
                r
                for r in rows
                if r.day == day and r.event == "expedite_requested" and (r.time, r.sku, r.account) in keys
            ],
            used,
        )
        if len(refused) == 1:
            r = refused[0]
            text = f"{r.agent} refused to expedite SKU {r.sku} for key account {r.account}"
        else:
            buyers = sorted({str(r.agent) for r in refused})
            text = f"{len(refused)} expedites refused ({_names(buyers)})"
        if escalated:
            text += ", escalated by sales" if len(escalated) == len(refused) else f", {len(escalated)} escalated"
        captions.append(_caption(day, "expedite_refused", text, refused + escalated + asked))
    return captions


def _expedites(rows: list[_Row], used: set[int]) -> list[Caption]:
    """Expedites approved on a day, with the requests they answered."""
    days = sorted({r.day for r in rows if r.event == "expedite" and r.row not in used})
    captions = []
    for day in days:
        approved = _take([r for r in rows if r.day == day and r.event == "expedite"], used)
        keys = {(r.time, r.sku, r.account) for r in approved}
        asked = _take(
            [
                r
                for r in rows
                if r.day == day and r.event == "expedite_requested" and (r.time, r.sku, r.account) in keys
            ],
            used,
        )
        captions.append(_caption(day, "expedite", _text("expedite", approved), approved + asked))
    return captions


def _text(kind: str, group: list[_Row]) -> str:
    """Plain words for ``group``: the events of one kind on one day."""
    n = len(group)
    first = group[0]
    agent = str(first.agent)
    units = sum(int(r.quantity) for r in group)
    money = sum(float(r.value) for r in group)
    agents = _names(sorted({str(r.agent) for r in group}))
    if kind == "stockout_late_notice":
        skus = _names([f"SKU {r.sku}" for r in group])
        told = "never told" if first.days < 0 else f"told only {first.days} days before"
        return (
            f"stock-out on {skus} in a promotion; purchasing {told}"
            if n == 1
            else f"stock-outs on {skus} in late-announced promotions"
        )
    if kind == "churn":
        return (
            f"{agent} left (satisfaction {first.share:.2f})" if n == 1 else f"{n} accounts left, unhappy with service"
        )
    if kind == "unannounced_promotion":
        return f"{agents} found out about a promotion only when it started"
    if kind == "escalation":
        return f"{agents} escalated {_plural(n, 'refused expedite')}"
    if kind == "arbitration":
        granted = sum(1 for r in group if r.verdict == 1)
        return f"committee granted {granted} of {_plural(n, 'escalated expedite')}"
    if kind == "promotion_rejected":
        return f"committee rejected {_plural(n, 'promotion')} (expected margin negative)"
    if kind == "cancellation":
        return f"{_plural(n, 'order line')} cancelled after waiting too long ({_plural(units, 'unit')} lost)"
    if kind == "expedite":
        return f"{_plural(n, 'expedite')} approved ({_plural(units, 'unit')}, premium {money:,.0f})"
    if kind == "rotation_started":
        where = "sales" if department(agent) == PURCHASING else "purchasing"
        return (
            f"{agents} began a rotation in {where}"
            if n == 1
            else f"rotation: {agents} began spells in the other department"
        )
    if kind == "rotation_ended":
        return f"{agents} back from rotation"
    if kind == "excess_stock":
        if n == 1:
            return f"excess stock on SKU {first.sku}; sales forecast {100 * first.share:+.0f}% above demand"
        return f"excess stock on {n} SKUs, blamed on padded sales forecasts"
    if kind == "promotion_checked":
        rejected = sum(1 for r in group if r.verdict == 0)
        if n == 1:
            return f"joint cost-benefit check {'rejected' if rejected else 'approved'} a promotion"
        return f"joint check: {n - rejected} promotion(s) approved, {rejected} rejected"
    if kind == "promotion_notice":
        ahead = first.days
        source = {
            "regular_meetings": "at a regular meeting",
            "steering_committee": "by the committee",
            "systems_integration": "through the CRM",
        }.get(agent, f"by {agent}")
        return (
            f"purchasing told of a promotion {_plural(ahead, 'day')} ahead, {source}"
            if n == 1
            else f"purchasing told of {n} promotions ({agents})"
        )
    if kind == "promotion_planned":
        what = f"{100 * first.share:.0f}% off {_plural(first.quantity, 'SKU')} from day {first.days}"
        return f"{agent} planned a promotion ({what})" if n == 1 else f"{agents} planned {n} promotions"
    if kind == "negotiation":
        return (
            f"{agent} pressed a supplier on price; relationship now {first.share:.2f}"
            if n == 1
            else f"{agents} pressed suppliers on price"
        )
    if kind == "expedite_requested":
        return (
            f"{agent} asked to expedite SKU {first.sku} for key account {first.account}"
            if n == 1
            else f"{_plural(n, 'expedite')} asked for by sales ({agents})"
        )
    if kind == "meeting_skipped":
        return "regular meeting skipped (not enough attendance)"
    if kind == "account_won":
        return f"{agent} won a new account" if n == 1 else f"{n} new accounts won ({agents})"
    if kind == "write_off":
        skus = _names([f"SKU {r.sku}" for r in group])
        return f"{_plural(units, 'unit')} of {skus} written off past their shelf life ({money:,.0f})"
    if kind in ROUTINE:
        details = sorted({str(r.detail) for r in group if str(r.detail)})
        shown = f"{money:+,.0f}" if kind == "revaluation" else f"{money:,.0f}"  # a revaluation has either sign
        text = ROUTINE[kind].format(n=n, units=units, money=shown, detail="; ".join(details[:2]))
        return f"{text} ({agents})" if kind == "policy_cost" and agents else text
    return f"{_plural(n, kind.replace('_', ' '))}"


# -- small helpers ------------------------------------------------------------------------


def _count(group: list[_Row]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in group:
        counts[str(row.event)] = counts.get(str(row.event), 0) + 1
    return counts


def _notice(started: _Row) -> int | None:
    """Days purchasing knew of a promotion before it started, None if never told."""
    return started.days if started.verdict == 1 and started.days >= 0 else None


def _span(days: list[int]) -> str:
    """``3`` or ``3 to 21``."""
    return str(days[0]) if days[0] == days[-1] else f"{days[0]} to {days[-1]}"


def _plural(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{n:,} {noun[:-1]}ies"
    return f"{n:,} {noun}s"


def _names(names: list[str], limit: int = 3) -> str:
    """``rep 0``, ``buyers 0, 1 and 3``, ``SKUs 4, 9, 12 and 2 more``."""
    unique = list(dict.fromkeys(names))
    words = [name.rsplit(" ", 1) for name in unique]
    if len(unique) > 1 and all(len(w) == 2 and w[0] == words[0][0] for w in words):
        noun = words[0][0]
        return f"{noun}s " + _names([w[1] for w in words], limit + 1)
    if len(unique) <= limit:
        return ", ".join(unique[:-1]) + (" and " if len(unique) > 1 else "") + unique[-1]
    return ", ".join(unique[:limit]) + f" and {len(unique) - limit} more"
