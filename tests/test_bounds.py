"""Bounds that mean what they say: any config inside the declared bounds runs and balances.

The property test draws configs from the bounds the pydantic models declare (``ge``/``gt``/
``le``/``lt``, ``Literal`` choices, booleans), the bounds' extremes included, runs each one
a few days on a small company and checks that nothing crashes and every book balances. A
config the cross-key checks refuse (memory, money) must be refused at load, in one line.

Profiles (``HYPOTHESIS_PROFILE``): ``bounds`` (the default, in ``make test``: a fixed,
derandomised budget) and ``fuzz`` (``make fuzz``: 1,000 random examples).
"""

import math
import os
import re
import time
import types
import typing
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim import SalesPurchasingModel, load_config
from sim.config import (
    MAX_DAYS,
    MEMORY_BUDGET_BYTES,
    CompanyScenario,
    ConfigError,
    OrgConfig,
    RunConfig,
    TextbookScenario,
    memory_estimate_bytes,
)
from sim.configure import lever_params
from sim.model import RunTables
from tests.helpers import book_problems, company, describe, spsim, textbook

settings.register_profile(
    "bounds",
    max_examples=240,  # about 140 run, the rest refused at load by the memory and money checks
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=2000,  # over 1,000 run
    derandomize=False,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "bounds")
if PROFILE not in ("bounds", "fuzz"):
    PROFILE = "bounds"

# Sizes and run length are drawn from small ranges inside their bounds, so that an example
# takes well under a second; every other field is drawn from its whole declared range.
SMALL = {
    "skus": 6,
    "accounts": 20,
    "sales_reps": 3,
    "buyers": 3,
    "suppliers": 4,
    "launch_skus": 6,
    "promotion_skus": 6,
    "members": 12,
    "horizon_days": 21,
    "warmup_days": 7,
}
NOT_DRAWN = {"kind", "name", "currency", "demand_file", "scenario", "org", "policy", "output"}


def _constraints(info: FieldInfo | None, metadata: list[Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in metadata if info is None else info.metadata:
        for bound in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, bound.capitalize())):
                found[bound] = getattr(item, bound)
    return found


def _number(kind: type, bounds: dict[str, float], cap: int | None) -> st.SearchStrategy[Any]:
    """Every value in the bounds, with the extremes (the edges a user can type) drawn often."""
    if kind is int:
        lo = int(bounds["ge"]) if "ge" in bounds else int(bounds["gt"]) + 1
        hi = int(bounds["le"]) if "le" in bounds else int(bounds["lt"]) - 1
        if cap is not None:
            hi = min(hi, max(lo, cap))
        return st.one_of(st.sampled_from([lo, hi]), st.integers(lo, hi))
    lo_f = float(bounds.get("ge", bounds.get("gt", -math.inf)))
    hi_f = float(bounds.get("le", bounds.get("lt", math.inf)))
    assert math.isfinite(lo_f) and math.isfinite(hi_f), f"an unbounded float field: {bounds}"
    low_edge = math.nextafter(lo_f, math.inf) if "gt" in bounds else lo_f
    high_edge = math.nextafter(hi_f, -math.inf) if "lt" in bounds else hi_f
    return st.one_of(
        st.sampled_from([low_edge, high_edge]),
        st.floats(lo_f, hi_f, exclude_min="gt" in bounds, exclude_max="lt" in bounds, allow_nan=False),
    )


def field_strategy(name: str, annotation: Any, info: FieldInfo | None, metadata: list[Any]) -> st.SearchStrategy[Any]:
    """A strategy for one field, read from its type and its ``Field`` constraints."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        (inner,) = members
        return st.one_of(st.none(), field_strategy(name, inner, None, []))
    if origin is typing.Annotated:
        kind, *extra = get_args(annotation)
        nested = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        return field_strategy(name, kind, None, nested)
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if annotation is bool:
        return st.booleans()
    if annotation in (int, float):
        bounds = _constraints(info, metadata)
        assert "le" in bounds or "lt" in bounds, f"{name}: no upper bound"
        return _number(annotation, bounds, SMALL.get(name))
    raise AssertionError(f"{name}: no strategy for {annotation!r}")


def model_strategy(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """A raw mapping of every drawable field of ``model``, each from its declared bounds."""
    fields = {
        name: field_strategy(name, info.annotation, info, [])
        for name, info in model.model_fields.items()
        if name not in NOT_DRAWN
    }
    return st.fixed_dictionaries(fields)


def _numeric_fields(model: type[BaseModel]) -> Iterator[tuple[str, FieldInfo]]:
    for name, info in model.model_fields.items():
        args = get_args(info.annotation)
        kinds = {info.annotation, *args, *(get_args(a)[0] for a in args if get_origin(a) is typing.Annotated)}
        if kinds & {int, float} and name not in NOT_DRAWN:
            yield name, info


SCHEMAS: list[type[BaseModel]] = [CompanyScenario, TextbookScenario, OrgConfig, RunConfig, *lever_params().values()]


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    """A whole config: a company (or the textbook), the organisation, some levers, the run."""
    if draw(st.integers(0, 4)) == 0:
        scenario = {"kind": "textbook", **draw(model_strategy(TextbookScenario))}
    else:
        scenario = {"kind": "company", **draw(model_strategy(CompanyScenario))}
    chosen = draw(st.lists(st.sampled_from(sorted(lever_params())), unique=True, max_size=5))
    policy = {name: draw(model_strategy(lever_params()[name])) for name in chosen}
    return {
        **draw(model_strategy(RunConfig)),
        "scenario": scenario,
        "org": draw(model_strategy(OrgConfig)),
        "policy": policy,
    }


MISMATCH = re.compile(r"^(?P<column>[\w ]+): tables (?P<table>\S+) != ledger (?P<ledger>\S+)$")
FLOAT_PRECISION = 1e-9  # of the gross flows: the tables hold money as floats, the ledger as exact cents


def balance_problems(model: SalesPurchasingModel, tables: RunTables) -> list[str]:
    """:func:`book_problems`, reading the tables' money at float precision.

    The tables sum money as 64-bit floats (currency), the ledger as whole cents; at the
    bounds' extremes (unit costs of a million, lines of a million units) flows that cancel
    leave a float residue of ~1e-16 of their size. A table/ledger difference within
    ``FLOAT_PRECISION`` of the gross flows is that residue, not a break.
    """
    daily = tables.timeseries
    gross = float(daily.select_dtypes("number").drop(columns="day", errors="ignore").abs().to_numpy().sum())
    kept = []
    for problem in book_problems(model, tables):
        found = MISMATCH.match(problem)
        if found and abs(float(found["table"]) - float(found["ledger"])) <= FLOAT_PRECISION * gross:
            continue
        kept.append(problem)
    return kept


TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def tally() -> Iterator[None]:
    """Prints what the property test saw (``make fuzz`` shows it)."""
    started = time.perf_counter()
    yield
    if TALLY["examples"]:
        print(
            f"\nbounds property ({PROFILE}): {TALLY['examples']} configs, {TALLY['ran']} ran, "
            f"{TALLY['refused']} refused at load in one line, {TALLY['crashes']} crashes, "
            f"{TALLY['balance_breaks']} balance breaks, {time.perf_counter() - started:.0f} s"
        )


@pytest.mark.slow
@settings(settings.get_profile(PROFILE))
@given(configs())
def test_any_config_within_the_bounds_runs_and_balances(raw: dict[str, Any]) -> None:
    TALLY["examples"] += 1
    try:
        config = load_config(raw)
    except ConfigError as error:  # only the checks across keys may refuse a config of in-bounds values
        TALLY["refused"] += 1
        message = str(error)
        assert "\n" not in message
        assert message.startswith(("horizon_days", "scenario.unit_cost_mean", "scenario.unit_price")), message
        return
    try:
        model = SalesPurchasingModel(config)
        tables = model.run()
    except Exception:
        TALLY["crashes"] += 1
        raise
    problems = balance_problems(model, tables)
    if problems:
        TALLY["balance_breaks"] += 1
    assert not problems, "\n".join(problems)
    TALLY["ran"] += 1


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda schema: schema.__name__)
def test_every_number_has_an_upper_bound_and_must_be_finite(schema: type[BaseModel]) -> None:
    for name, info in _numeric_fields(schema):
        if name == "seed":
            continue
        strategy = field_strategy(name, info.annotation, info, [])  # asserts an upper bound
        assert strategy is not None
    assert schema.model_config.get("allow_inf_nan") is False, f"{schema.__name__} accepts inf and nan"


# -- the crash cases of issue 14, each now a one-line refusal or a clean run -----------------

REFUSED = [
    # (raw config, the key the message starts with, what the message says is allowed)
    (company(lead_time_mean_days=math.inf), "scenario.lead_time_mean_days", "finite"),
    (company(price_break_weeks=math.inf), "scenario.price_break_weeks", "finite"),
    (textbook(demand_mean=math.inf), "scenario.demand_mean", "finite"),
    (textbook(demand_mean=math.nan), "scenario.demand_mean", "finite"),
    ({"policy": {"regular_meetings": {"hourly_cost": math.inf}}}, "policy.regular_meetings.hourly_cost", "finite"),
    (company(unit_cost_mean=1e-9), "scenario.unit_cost_mean", "greater than or equal to 0.01"),
    (company(unit_cost_mean=1e300), "scenario.unit_cost_mean", "less than or equal to 1000000"),
    (
        {"policy": {"systems_integration": {"licence_per_month": 1e300}}},
        "policy.systems_integration.licence_per_month",
        "less than or equal to",
    ),
    ({"horizon_days": 100_000_000}, "horizon_days", f"less than or equal to {MAX_DAYS}"),
    ({"horizon_days": MAX_DAYS}, "horizon_days", "GB allowed"),  # the default company: the memory estimate
    (company(skus=2000, accounts=100_000, lines_per_account=100, horizon_days=3650), "horizon_days", "GB allowed"),
    (
        company(unit_cost_mean=1e6, demand_rate_mean=1000, accounts=2000, skus=40, horizon_days=365),
        "scenario.unit_cost_mean",
        "64-bit cents",
    ),
    (textbook(demand_mean=1e6, unit_price=1e6, horizon_days=100_000), "scenario.unit_price", "64-bit cents"),
    (company(patience_days=10_000), "scenario.patience_days", "less than or equal to 365"),
    ({"org": {"review_period_days": 1000}}, "org.review_period_days", "less than or equal to 365"),
    ({"policy": {"rotation": {"half_life_days": 1e-300}}}, "policy.rotation.half_life_days", "greater than"),
]


@pytest.mark.parametrize(("raw", "key", "allowed"), REFUSED, ids=[f"{k}-{i}" for i, (_, k, _a) in enumerate(REFUSED)])
def test_a_config_outside_the_bounds_is_one_line_naming_the_key(raw: dict[str, Any], key: str, allowed: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        load_config(raw)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(key), message
    assert allowed in message, message
    assert time.perf_counter() - started < 5  # refused at once, not after a run


def test_the_memory_message_states_the_estimate_and_the_budget() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"horizon_days": 200_000})
    message = str(caught.value)
    needed = memory_estimate_bytes(RunConfig.model_construct(horizon_days=200_000))
    assert needed > MEMORY_BUDGET_BYTES
    assert f"need ~{needed / 1e9:,.1f} GB of memory; at most {MEMORY_BUDGET_BYTES / 1e9:.0f} GB allowed" in message
    assert message.startswith("horizon_days = 200000: warmup_days + horizon_days = 200,090 days × "), message
    assert "accounts" in message and "× 40 skus" in message, message


def test_the_benchmarks_and_long_theory_runs_fit_the_budget() -> None:
    for config in (
        load_config(textbook(horizon_days=1_000_000, warmup_days=0)),  # 10x experiments/bench's textbook run
        load_config({"horizon_days": 3650}),  # ten years of the default company
    ):
        assert memory_estimate_bytes(config) <= MEMORY_BUDGET_BYTES


def test_a_catalogue_spanning_cents_runs_and_balances() -> None:
    """unit_cost_dispersion 3 drew unit prices that rounded to 0 cents (ZeroDivisionError): now at least a cent."""
    for seed in (1, 2, 3):
        model = SalesPurchasingModel(load_config(company(unit_cost_dispersion=3.0, unit_cost_mean=0.01, seed=seed)))
        tables = model.run()
        assert not book_problems(model, tables)
        assert min(sku.standard_cost_cents for sku in model.world.skus) >= 1


def test_a_demand_file_quantity_beyond_the_bound_is_one_line(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(f"day,sku,quantity\n0,0,5\n1,1,{2**63}\n")
    with pytest.raises(ConfigError) as caught:
        SalesPurchasingModel(load_config(company(demand_file=str(orders))))
    message = str(caught.value)
    assert "\n" not in message and "line 3" in message and "quantity" in message and "at most" in message, message


def test_a_demand_file_worth_more_than_the_books_hold_is_one_line(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("day,sku,quantity\n" + "".join(f"{day},0,900000000\n" for day in range(40)))
    with pytest.raises(ConfigError) as caught:
        SalesPurchasingModel(load_config(company(demand_file=str(orders), unit_cost_mean=1e6)))
    message = str(caught.value)
    assert "\n" not in message and message.startswith("scenario.demand_file") and "64-bit cents" in message, message


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        (["scenario.lead_time_mean_days=inf"], "scenario.lead_time_mean_days"),
        (["policy=regular_meetings", "policy.regular_meetings.hourly_cost=inf"], "policy.regular_meetings.hourly_cost"),
        (["horizon_days=100000000"], "horizon_days"),
        (["scenario.unit_cost_mean=1e300"], "scenario.unit_cost_mean"),
    ],
)
def test_the_command_refuses_in_one_line_with_exit_2(tmp_path: Path, arguments: list[str], key: str) -> None:
    result = spsim([*arguments, "debug=default", f"hydra.run.dir={tmp_path / 'run'}"], results=tmp_path)
    assert result.returncode == 2, describe(result)
    assert key in result.stderr and "Traceback" not in result.stderr, describe(result)
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").iterdir()), "a refused run wrote files"
