"""KPIs computed from the run's tables: each KPI of the registry (``sim.output.kpis``), here once.

Every KPI is computed over the measured days (after the warm-up). What each one means,
its unit and which way is better are in the registry, which the docs and every view
print, so a reader never has to guess what a number means.
"""

import numpy as np
import pandas as pd

from sim.output.timeseries import agent_daily


def summarize(
    timeseries: pd.DataFrame,
    sku_table: pd.DataFrame,
    events: pd.DataFrame,
    signals: pd.DataFrame,
    *,
    warmup_days: int,
    bucket_days: int,
    initial_trust: float,
    levers: tuple[str, ...] = (),
) -> dict[str, float]:
    """Every KPI of the registry (``sim.output.kpis``) over the days after the warm-up."""
    measured, per_sku = _from_day(timeseries, warmup_days), _from_day(sku_table, warmup_days)
    days = len(measured)
    total = measured.sum(numeric_only=True)
    revenue = float(total["revenue"])
    gross_margin = float(total["gross_margin"])
    avg_value = float(measured["inventory_value"].mean()) if days else 0.0
    summary = {
        "days": float(days),
        "demand_units": float(total["demand"]),
        "shipped_units": float(total["shipped"]),
        "revenue": revenue,
        "cogs": float(total["cogs"]),
        "purchase_price_variance": float(total["ppv"]),
        "promotion_allowances": float(total.get("promotion_allowance", 0.0)),
        "gross_margin": gross_margin,
        "gross_margin_rate": _ratio(gross_margin, revenue),
        "holding_cost": float(total["holding_cost"]),
        "expediting_cost": float(total["expediting_cost"]),
        "penalty_cost": float(total["penalty_cost"]),
        "policy_cost_total": float(total["policy_cost"]),
        "operating_profit": float(total["operating_profit"]),
        "profit_before_levers": float(total["operating_profit"] + total["policy_cost"]),
        "operating_expenses": float(total.get("operating_expenses", 0.0)),
        "obsolescence_cost": float(total.get("obsolescence_cost", 0.0)),
        "closing_backlog_cost": float(total.get("backlog_provision", 0.0)),
        "revaluation": float(total.get("revaluation", 0.0)),
        "closing_stock_value": float(measured["inventory_value"].iloc[-1]) if days else 0.0,
        "fill_rate": _ratio(total["served_same_day"], total["demand"]),
        "cycle_service_level": float((per_sku["backordered"] == 0).mean()) if len(per_sku) else float("nan"),
        "on_time_in_full": 1.0 - _ratio(total["orders_failed"], total["orders"]) if total["orders"] else float("nan"),
        "line_fill_on_time": _ratio(total["lines_on_time_in_full"], total["lines_closed"]),
        "lost_sales_units": float(total["lost_by_order_day"]),
        "lost_sales_rate": _ratio(total["lost_by_order_day"], total["demand"]),
        "avg_on_hand": float(measured["on_hand"].mean()) if days else 0.0,
        "avg_backorders": float(measured["backordered"].mean()) if days else 0.0,
        "avg_orders_in_transit": float(measured["on_order"].mean()) if days else 0.0,
        "avg_inventory_value": avg_value,
        "inventory_turns": _ratio(float(total["cogs"]) * 365.0 / max(days, 1), avg_value),
        "bullwhip_ratio": bullwhip_ratio(per_sku, bucket_days),
        "bullwhip_ratio_monthly": company_bullwhip(measured, MONTH_DAYS),
        "promotion_uplift": promotion_uplift(per_sku),
    }
    for name, column in (("sales_forecast", "sales_forecast"), ("planned_forecast", "planned_forecast")):
        bias, error = forecast_bias_and_error(per_sku, column, bucket_days)
        summary[f"{name}_bias"] = bias
        summary[f"{name}_error"] = error
    measured_events = _from_day(events, warmup_days)
    summary |= _collisions(measured, total, measured_events, initial_trust)
    summary |= _levers(measured, total, events, measured_events, signals, warmup_days, len(timeseries), levers)
    return summary


def _levers(
    measured: pd.DataFrame,
    total: pd.Series,
    events: pd.DataFrame,
    measured_events: pd.DataFrame,
    signals: pd.DataFrame,
    warmup_days: int,
    days: int,
    levers: tuple[str, ...],
) -> dict[str, float]:
    """What each lever cost and the mechanism measures it moves (``measured_events``: those after the warm-up)."""
    kinds = measured_events["event"]
    returns = events[events["event"] == "rotation_ended"].groupby("agent", observed=True)["day"].min()
    rotated = set(events.loc[events["event"] == "rotation_started", "agent"].astype(str))
    bias = agent_daily(signals, "forecast_bias", days, 0.0)
    after_return = [
        bias[agent].loc[max(int(day), warmup_days) :].to_numpy()
        for agent, day in returns.items()
        if agent in bias.columns
    ]
    after_return = [values for values in after_return if len(values)]
    others = [a for a in bias.columns if a not in rotated]
    others_bias = bias.loc[warmup_days:, others].to_numpy()
    kpis = {
        "rotated_staff_bias": float(np.concatenate(after_return).mean()) if after_return else float("nan"),
        "other_staff_bias": float(others_bias.mean()) if others_bias.size else float("nan"),
        "staff_productivity": float(measured["productivity"].mean()) if len(measured) else float("nan"),
        "meetings_held": float((kinds == "meeting").sum()),
        "committee_approval_share": _share(kinds, "promotion_approved", "promotion_rejected"),
        "promotion_check_approval_share": _verdicts(measured_events, "promotion_checked"),
        "committee_meetings": float((kinds == "committee").sum()),
        "rotations": float((kinds == "rotation_started").sum()),
    }
    for lever in levers:
        kpis[f"policy_cost_{lever}"] = float(total.get(f"policy_cost_{lever}", 0.0))
    return kpis


def _collisions(
    measured: pd.DataFrame, total: pd.Series, events: pd.DataFrame, initial_trust: float
) -> dict[str, float]:
    """KPIs of the departments' collisions and the trust between them."""
    last = measured.iloc[-1] if len(measured) else None
    received_at_standard = float(total["received_value"] - total["ppv"])
    started = events[events["event"] == "promotion_started"]
    told = (started["verdict"] == 1) & (started["days"] >= 0)
    notice = started["days"].where(told, 0).astype(float)
    trust_sales = float(last["trust_in_purchasing"]) if last is not None else initial_trust
    trust_purchasing = float(last["trust_in_sales"]) if last is not None else initial_trust
    return {
        "purchase_price_variance_rate": _ratio(total["ppv"], received_at_standard),
        "promise_reliability": 1.0 - _ratio(total["promise_broken"], total["lines_closed"])
        if total["lines_closed"]
        else float("nan"),
        "expedite_count": float(total["expedites"]),
        "expedite_requests": float(total["expedite_requests"]),
        "expedites_refused": float(total["expedites_refused"]),
        "customer_churn": float(total["churned_accounts"]),
        "accounts_won": float(total["won_accounts"]),
        "conflict_count": float(total["conflicts"]),
        "promotions_run": float(len(started)),
        "promotion_notice_days": float(notice.mean()) if len(started) else float("nan"),
        "trust_sales_in_purchasing": trust_sales,
        "trust_purchasing_in_sales": trust_purchasing,
        "trust_change_sales": trust_sales - initial_trust,
        "trust_change_purchasing": trust_purchasing - initial_trust,
        "supplier_relationship": float(last["supplier_relationship"]) if last is not None else float("nan"),
        "sales_forecast_inflation": float(measured["forecast_bias"].mean()) if len(measured) else float("nan"),
    }


MONTH_DAYS = 28  # a "month" of the company bullwhip: four weeks, so buckets hold the same weekdays


def company_bullwhip(daily: pd.DataFrame, bucket_days: int) -> float:
    """Var(units purchased) / Var(units demanded), company totals in whole buckets of ``bucket_days``."""
    buckets = len(daily) // bucket_days
    if buckets < 2:
        return float("nan")
    kept = daily.iloc[: buckets * bucket_days]
    purchased = kept["purchased"].to_numpy(np.float64).reshape(buckets, bucket_days).sum(axis=1)
    demanded = kept["demand"].to_numpy(np.float64).reshape(buckets, bucket_days).sum(axis=1)
    demand_variance = float(np.var(demanded, ddof=1))
    return float(np.var(purchased, ddof=1)) / demand_variance if demand_variance > 0 else float("nan")


PROMOTION_BASELINE_DAYS = 28  # a campaign's baseline: its SKU's demand in the four weeks before it


def promotion_uplift(per_sku: pd.DataFrame) -> float:
    """Demand on promoted SKU-days over the same SKUs' demand in the four weeks before, minus 1.

    Each campaign's baseline is its SKU's mean daily demand over the 28 days before it
    started (days of other campaigns left out), so a campaign run in a seasonal trough is
    measured against the trough, as promotion analyses measure a bump (Van Heerde et al. 2004).
    """
    if "promoted" not in per_sku or not per_sku["promoted"].any():
        return float("nan")
    promoted_units = expected_units = 0.0
    for _, rows in per_sku.groupby("sku", sort=True):
        flags = rows["promoted"].to_numpy()
        demand = rows["demand"].to_numpy(np.float64)
        starts = np.flatnonzero(np.diff(np.concatenate([[0], flags])) == 1)
        ends = np.flatnonzero(np.diff(np.concatenate([flags, [0]])) == -1) + 1
        for start, end in zip(starts, ends, strict=True):
            before = slice(max(0, start - PROMOTION_BASELINE_DAYS), start)
            quiet = flags[before] == 0
            if start < PROMOTION_BASELINE_DAYS or not quiet.any():
                continue  # no full baseline (in the first weeks, or right after another campaign)
            promoted_units += float(demand[start:end].sum())
            expected_units += float(demand[before][quiet].mean()) * (end - start)
    return promoted_units / expected_units - 1.0 if expected_units > 0 else float("nan")


def bullwhip_ratio(per_sku: pd.DataFrame, bucket_days: int) -> float:
    """Mean over SKUs of Var(purchased) / Var(demand), both summed into the same buckets."""
    buckets = _bucketed(per_sku, ["purchased", "demand"], bucket_days)
    variances = buckets.groupby("sku")[["purchased", "demand"]].var(ddof=1)
    variances = variances[variances["demand"] > 0]
    if variances.empty:
        return float("nan")
    return float((variances["purchased"] / variances["demand"]).mean())


def forecast_bias_and_error(per_sku: pd.DataFrame, column: str, bucket_days: int) -> tuple[float, float]:
    """Bias and absolute error of a daily-rate forecast against the demand that followed."""
    buckets = _bucketed(per_sku, [column, "demand"], bucket_days)
    actual = float(buckets["demand"].sum())
    if actual <= 0:
        return float("nan"), float("nan")
    difference = buckets[column] - buckets["demand"]
    return float(difference.sum()) / actual, float(difference.abs().sum()) / actual


def _bucketed(per_sku: pd.DataFrame, columns: list[str], bucket_days: int) -> pd.DataFrame:
    """Sums per SKU and whole bucket of ``bucket_days`` (a trailing partial bucket is dropped)."""
    first = int(per_sku["day"].min()) if len(per_sku) else 0
    bucket = (per_sku["day"] - first) // bucket_days
    frame = per_sku[["sku", *columns]].assign(bucket=bucket)
    sums = frame.groupby(["sku", "bucket"], sort=True)[columns].sum()
    counts = frame.groupby(["sku", "bucket"], sort=True).size()
    complete: pd.DataFrame = sums[counts.to_numpy() == bucket_days].reset_index()
    return complete


def _share(kinds: pd.Series, yes: str, no: str) -> float:
    """Events ``yes`` / (``yes`` + ``no``): NaN where there are none."""
    approved, rejected = int((kinds == yes).sum()), int((kinds == no).sum())
    return approved / (approved + rejected) if approved + rejected else float("nan")


def _verdicts(events: pd.DataFrame, kind: str) -> float:
    """Share of ``kind`` events whose verdict is yes: NaN where there are none."""
    verdicts = events.loc[events["event"] == kind, "verdict"]
    return float((verdicts == 1).mean()) if len(verdicts) else float("nan")


def _from_day(table: pd.DataFrame, day: int) -> pd.DataFrame:
    """The rows from ``day`` on: a slice of the table, which is in day order, not a copy of its rows."""
    return table.iloc[int(np.searchsorted(table["day"].to_numpy(), day, side="left")) :]


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")
