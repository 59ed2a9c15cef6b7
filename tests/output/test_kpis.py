"""The KPI registry: every KPI a run reports is in it, and docs/KPIS.md states each one in its unit."""

import math

import pytest

from sim.output import kpis
from sim.policies import levers
from tests.helpers import ROOT, company, run

DOCS = ROOT / "docs" / "KPIS.md"


def documented_rows() -> dict[str, list[str]]:
    """Each KPI row of docs/KPIS.md's tables: the name in backticks -> the row's cells."""
    rows = {}
    for line in DOCS.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows.setdefault(cells[0].strip("`"), cells)
    return rows


def test_every_registry_kpi_is_in_the_docs_with_its_unit() -> None:
    rows = documented_rows()
    for kpi in kpis.KPIS:
        assert kpi.name in rows, f"{kpi.name} is in the registry but not in docs/KPIS.md"
        assert kpi.unit in rows[kpi.name], f"{kpi.name}: docs/KPIS.md does not give its unit {kpi.unit!r}"


def test_every_kpi_a_run_reports_is_in_the_registry() -> None:
    _, tables = run({**company(horizon_days=30), "policy": {name: {} for name in levers()}})
    for name in tables.summary:
        assert kpis.find(name) is not None, f"{name} is reported but not in the registry"
    assert set(kpis.names(tuple(levers()))) == set(tables.summary)


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("operating_profit", 3984932.4, "3,984,932"),
        ("fill_rate", 0.9617, "96.2%"),
        ("trust_sales_in_purchasing", 0.381, "0.38"),
        ("bullwhip_ratio", 1.348, "1.35"),
        ("inventory_turns", 7.26, "7.3"),
        ("policy_cost_rotation", 1234.0, "1,234"),
        ("conflict_count", math.nan, "n/a"),
    ],
)
def test_a_value_is_shown_in_its_unit(name: str, value: float, shown: str) -> None:
    assert kpis.format_value(name, value) == shown


def test_changes_and_verdicts_follow_the_direction() -> None:
    assert kpis.format_change("fill_rate", 0.95, 0.944) == "-0.6 pts"
    assert kpis.verdict("fill_rate", 0.95, 0.96) == "better"
    assert kpis.verdict("bullwhip_ratio", 1.2, 1.5) == "worse"
    assert kpis.verdict("policy_cost_rotation", 10.0, 5.0) == "better"
    assert kpis.verdict("avg_on_hand", 10.0, 20.0) == ""  # neither way is better
