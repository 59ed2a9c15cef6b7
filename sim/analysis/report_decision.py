"""The decision pages of a sweep report: the executive summary, then each question behind it.

A managing director asks: is it worth what it costs, how sure are we, would it hold for
us? A researcher adds: is a lever better, or does it only hold less stock, and how much of
the alignment gap does it close? Each section answers one of them from the sweep alone:

- worth: :mod:`sim.analysis.worth` (gross benefit = break-even cost, cost, net, paired);
- the alignment gap: :mod:`sim.analysis.gap` (the aligned reference arm, paired bootstrap);
- equal service: :mod:`sim.analysis.frontier` (the safety-factor grid, when the sweep ran one);
- interaction: :mod:`sim.analysis.interaction` (joint minus the sum of the singles);
- robustness: :mod:`sim.analysis.robustness` (situations, cost flips).
"""

import math
from functools import cached_property
from typing import Any

from sim.analysis import frontier as frontier_module
from sim.analysis import gap, interaction, robustness, worth, worth_chart
from sim.analysis.design import Design
from sim.analysis.drawing import Drawing
from sim.analysis.frontier_chart import draw_frontier
from sim.analysis.report_arms import Group, ReportData
from sim.output.runfolder import read_config

Block = tuple[str, Any]
MAX_FLIPS = 5  # the flips nearest the assumed costs; the rest need larger moves
SHIPPED_SCENARIOS = ("default", "stable", "seasonal", "promotion_heavy", "launch", "disruption", "cost_squeeze")


class ReportDecision(ReportData):
    """Builds the executive summary and the decision sections (needs ``self.design``)."""

    design: Design
    target_fill_rate: float | None
    drawing: Drawing

    # -- what the sections are computed from (once) --

    @cached_property
    def worths(self) -> list[worth.LeverWorth]:
        return worth.lever_worth(self.result.comparison) if len(self.compared) == 1 else []

    @cached_property
    def compared(self) -> list[Group]:
        return [group for group in self.groups if group.baseline and group.arms]

    @cached_property
    def gaps(self) -> list[gap.Gap]:
        return gap.gaps(self.result, self.design.references)

    @cached_property
    def shares(self) -> dict[str, gap.GapShare]:
        return {share.arm: share for share in gap.shares(self.result, self.design.references)}

    @cached_property
    def situations(self) -> list[robustness.Situation]:
        return robustness.situations(self.result.comparison, self.groups)

    @cached_property
    def equal_service(self) -> Any:
        """The frontier at equal service, or None when the sweep ran no grid of the safety factor."""
        design = self.design
        if design.frontier_key is None or design.reference_value is None:
            return None
        summary = design.result.summary.copy()
        summary["lever"] = summary["arm"].map(self._lever_label)
        base = next((self._lever_label(group.baseline) for group in self.compared if group.baseline), None)
        if base is None:
            return None
        return frontier_module.frontier(
            summary,
            lever="lever",
            key=design.frontier_key,
            base=base,
            reference_value=design.reference_value,
            target_fill_rate=self.target_fill_rate,
        )

    def _lever_label(self, arm: str | None) -> str:
        return worth.plain_name(arm or "")

    # -- page 1 --

    def executive_summary(self) -> list[Block]:
        blocks: list[Block] = [("h2", "Summary")]
        blocks.append(("p", self.recommendation()))
        if self.worths:
            blocks.append(("ul", [self.lever_line(item) for item in self.worths]))
        blocks += [("p", text) for text in (self.gap_sentence(), self.equal_service_sentence()) if text]
        blocks.append(("p", self.holds_for_sentence()))
        if self.worths:
            name = "benefit_cost.png"
            worth_chart.draw(self.worths, self.folder / name, self.currency, self.drawing)
            blocks.append(("img", (name, "Benefit before its cost, its cost and the net of each lever")))
        return blocks

    def recommendation(self) -> str:
        if len(self.compared) > 1:
            return self.situations_recommendation()
        paying = [item for item in self.worths if item.net[1] > 0]
        if not self.worths:
            return "**No lever was compared with the silo in this sweep**, so no recommendation can be made."
        if not paying:
            best = self.worths[0]
            return (
                f"**No lever pays here.** The best is {best.name}: {self.money(best.net[0])} a year net of its "
                f"cost ({self.range(best.net)}); {best.verdict}."
            )
        first = paying[0]
        text = (
            f"**Recommendation: {first.name}.** It adds {self.money(first.net[0])} a year to operating profit "
            f"net of its own cost ({self.range(first.net)}, 95% interval over {first.seeds} paired markets)."
        )
        if len(paying) > 1:
            others = "; ".join(f"{item.name} ({self.money(item.net[0])})" for item in paying[1:])
            text += f" Also paying, with less: {others}."
        return text

    def situations_recommendation(self) -> str:
        tallies = robustness.tallies(self.situations)
        if not tallies or tallies[0].pays == 0:
            return f"**No lever pays with confidence in any of the {len(self.situations)} situations.**"
        top = tallies[0]
        return (
            f"**{top.name} pays in {top.pays} of {top.total} situations** with its interval above zero "
            f"(loses in {top.loses}); see *Would it hold?* for each situation."
        )

    def lever_line(self, item: worth.LeverWorth) -> str:
        share = self.shares.get(item.arm)
        closes = f"; closes {gap.percent(share.net)} of the alignment gap" if share and share.gap_established else ""
        return f"**{item.name}**: {self.money(item.net[0])} a year ({self.range(item.net)}): {item.verdict}{closes}."

    def gap_sentence(self) -> str:
        if len(self.gaps) != 1:
            return "" if not self.gaps else "The alignment gap differs by situation (see *The alignment gap*)."
        found = self.gaps[0]
        mean, low, _ = found.profit
        text = (
            f"**The alignment gap**: the aligned company (every misalignment removed by construction, at no cost) "
            f"earns {self.money(mean)} a year more than the silo ({self.range(found.profit)}, {found.seeds} seeds): "
            "the most any lever could recover."
        )
        if not low > 0:
            return text + " That gap is not distinguishable from zero here, so no share of it is given."
        best = [share for share in self.shares.values() if math.isfinite(share.net[0])][:3]
        if best:
            text += " Net of their costs, " + "; ".join(f"{s.name} closes {gap.percent(s.net)}" for s in best) + "."
        return text

    def equal_service_sentence(self) -> str:
        found = self.equal_service
        if found is None:
            return ""
        by_verdict: dict[str, list[str]] = {}
        for row in found.arms[1:]:
            name = f"{row.arm} (the reference)" if row.arm == worth.REFERENCE_NAMES["aligned"] else row.arm
            by_verdict.setdefault(row.verdict, []).append(name)
        fill = found.reference_fill_rate.mean
        parts = [f"{FRONTIER_WORDS.get(verdict, verdict)}: {', '.join(arms)}" for verdict, arms in by_verdict.items()]
        return f"**At equal service** (the silo's fill rate, {fill:.1%}): " + "; ".join(parts) + "."

    def holds_for_sentence(self) -> str:
        scenarios = sorted(set(self.result.summary["scenario_name"].dropna()))
        horizon = int(self.result.summary["horizon_days"].iloc[0]) if not self.result.summary.empty else 0
        where = ", ".join(scenario.replace("_", " ") for scenario in scenarios)
        text = f"This holds for the {where} scenario{'s' if len(scenarios) > 1 else ''}, over {horizon} days measured"
        shipped = [scenario for scenario in scenarios if scenario in SHIPPED_SCENARIOS]
        if shipped:
            text += (
                ", in a company calibrated to published benchmarks of distributors (lead times, turns, fill rate, "
                "forecast error, bullwhip: docs/CALIBRATION.md)"
            )
        client = [scenario for scenario in scenarios if scenario not in SHIPPED_SCENARIOS]
        if client:
            text += (
                f"; {', '.join(client)} is not shipped with spsim: its calibration is the one spsim-calibrate reported"
            )
        flips = robustness.cost_flips(self.worths)
        return (
            text
            + ". "
            + (flips[0] if flips else "No ranking or verdict changes within ±50% of the assumed lever costs.")
        )

    # -- the sections behind page 1 --

    def worth_section(self) -> list[Block]:
        header, rows = worth.table(self.result.comparison)
        if not rows or len(self.compared) != 1:
            return []
        return [
            ("h2", "Is each lever worth what it costs?"),
            ("p", WORTH_NOTE.format(currency=self.currency)),
            ("table", (header, rows)),
            ("h3", "The costs the client can change"),
            ("ul", self.cost_items()),
        ]

    def cost_items(self) -> list[str]:
        """Each lever's cost parameters as configured, and its cost a year."""
        items = []
        for item in self.worths:
            run = self.result.summary.loc[self.result.summary["arm"] == item.arm, "run"].iloc[0]
            policy = (read_config(self.result.sweep_dir / run) or {}).get("policy") or {}
            for lever, params in policy.items():
                priced = {key: value for key, value in (params or {}).items() if _is_cost_item(key)}
                listed = ", ".join(f"{key.replace('_', ' ')} {value:,}" for key, value in priced.items())
                yearly = self.value(item.arm, f"policy_cost_{lever}", "mean") if self._has(item.arm, lever) else None
                cost = f": {self.money(float(yearly), signed=False)} a year" if yearly is not None else ""
                items.append(f"{worth.plain_name('arm=' + lever)}{cost} ({listed or 'no priced item'})")
        return list(dict.fromkeys(items))

    def _has(self, arm: str, lever: str) -> bool:
        return (arm, f"policy_cost_{lever}") in self.comparison.index

    def gap_section(self) -> list[Block]:
        if not self.gaps:
            return []
        several = len(self.gaps) > 1
        header = ["Lever", "Share closed before its cost", "Share closed net of it", "Seeds"]
        header = ["Situation", *header] if several else header
        rows = []
        for share in self.shares.values():
            if share.gap_established:
                cells = [share.name, gap.percent(share.gross), gap.percent(share.net), str(share.seeds)]
                rows.append([robustness.situation_name(share.baseline), *cells] if several else cells)
        blocks: list[Block] = [("h2", "The alignment gap: how much of it each lever closes"), ("p", GAP_NOTE)]
        items = []
        for found in self.gaps:
            where = f"{robustness.situation_name(found.baseline)}: " if several else "The gap: "
            sure = "" if found.profit[1] > 0 else "; not distinguishable from zero, so no share of it is given"
            items.append(f"{where}{self.money(found.profit[0])} a year ({self.range(found.profit)}){sure}.")
        blocks.append(("ul", items))
        if rows:
            blocks.append(("table", (header, rows)))
        return blocks

    def frontier_section(self) -> list[Block]:
        found = self.equal_service
        if found is None:
            return [("h2", "Better, or only more stock?"), ("p", NO_FRONTIER_NOTE)]
        name = "frontier.png"
        draw_frontier(found, self.folder / name, currency=self.currency, drawing=self.drawing)
        return [
            ("h2", "Better, or only more stock? The arms at equal service"),
            ("p", FRONTIER_NOTE),
            ("img", (name, "Operating profit and inventory against fill rate, per arm")),
            ("table", self.frontier_table(found)),
        ]

    def frontier_table(self, found: Any) -> tuple[list[str], list[list[str]]]:
        profit, inventory = found.kpis[0], found.kpis[1]
        header = [
            "Arm",
            "Fill rate as run, Δ (pp)",
            f"Profit Δ as run (thousand {self.currency})",
            f"Profit Δ at equal service (thousand {self.currency})",
            f"Inventory Δ at equal service (thousand {self.currency})",
        ]
        if found.target_fill_rate is not None:
            header.append(f"Profit Δ at {found.target_fill_rate:.0%} fill rate")
        header.append("Verdict")
        rows = []
        for row in found.arms[1:]:
            cells = [
                row.arm,
                _difference(row.as_run.get("fill_rate"), 100, 1),
                _difference(row.as_run.get(profit), 1e-3, 0),
                _difference(row.equal_service.get(profit), 1e-3, 0),
                _difference(row.equal_service.get(inventory), 1e-3, 0),
            ]
            if found.target_fill_rate is not None:
                cells.append(_difference(row.at_target.get(profit), 1e-3, 0))
            extrapolated = f" ({row.extrapolated} of {row.seeds} seeds extrapolated)" if row.extrapolated else ""
            rows.append([*cells, row.verdict + extrapolated])
        return header, rows

    def interaction_section(self) -> list[Block]:
        joint = [arm for arm in self.result.arms if "," in self._levers_of(arm)]
        if not joint:
            return []
        found = interaction.interactions(self.result)
        blocks: list[Block] = [
            ("h2", "Why all levers together are not the sum of their parts"),
            ("p", INTERACTION_NOTE),
        ]
        if not found:
            return [
                *blocks,
                ("p", "Not every single lever of the joint arm ran in this sweep: no interaction to read."),
            ]
        several = len({item.baseline for item in found}) > 1
        return blocks + [
            ("p", (f"In {robustness.situation_name(item.baseline)}: " if several else "") + interaction.describe(item))
            for item in found
        ]

    def _levers_of(self, arm: str) -> str:
        rows = self.result.summary.loc[self.result.summary["arm"] == arm, "levers"]
        return str(rows.iloc[0]) if len(rows) else ""

    def robustness_section(self) -> list[Block]:
        blocks: list[Block] = [("h2", "Would it hold?")]
        if len(self.situations) > 1:
            tallies = robustness.tallies(self.situations)
            header = ["Lever", "Pays (interval above zero)", "Loses (below zero)", "Unclear"]
            rows = [[t.name, f"{t.pays} of {t.total}", str(t.loses), str(t.unclear)] for t in tallies]
            blocks += [("p", SITUATIONS_NOTE), ("table", (header, rows)), ("table", self.situation_table())]
            blocks += [("p", text) for text in robustness.ranking_flips(self.situations)]
            for situation in self.situations:
                flips = robustness.cost_flips(situation.worths)
                if flips:
                    blocks.append(("p", f"In {situation.name}: {' '.join(flips[:2])}"))
            return blocks
        flips = robustness.cost_flips(self.worths)
        blocks.append(("p", COST_FLIP_NOTE))
        blocks.append(
            ("ul", flips[:MAX_FLIPS]) if flips else ("p", "Nothing flips within ±50% of the assumed lever costs.")
        )
        return blocks

    def situation_table(self) -> tuple[list[str], list[list[str]]]:
        names = list(dict.fromkeys(item.name for situation in self.situations for item in situation.worths))
        header = [f"Situation (net a year, thousand {self.currency})", *names]
        rows = []
        for situation in self.situations:
            by_name = {item.name: item for item in situation.worths}
            cells = [_mark(by_name[name]) if name in by_name else "–" for name in names]
            rows.append([situation.name, *cells])
        return header, rows

    # -- money in words --

    def money(self, value: float, signed: bool = True) -> str:
        if not math.isfinite(value):
            return "n/a"
        sign = "+" if signed and value > 0 else "−" if value < 0 else ""
        return f"{sign}{abs(value) / 1000:,.0f} thousand {self.currency}"

    def range(self, values: tuple[float, float, float], signed: bool = True) -> str:
        _, low, high = values
        if not math.isfinite(low):
            return "no interval: too few seeds"
        short = (f"{value / 1000:{'+' if signed else ''},.0f}k".replace("-", "−") for value in (low, high))
        return " to ".join(short)


def _difference(found: Any, scale: float, decimals: int) -> str:
    """A paired difference as "+12 [+3 to +21]" in the scale given; "–" where there is none."""
    if found is None or not math.isfinite(found.interval.mean):
        return "–"
    mean, low, high = (value * scale for value in (found.interval.mean, found.interval.low, found.interval.high))
    text = f"{mean:+,.{decimals}f}"
    if math.isfinite(low):
        text += f" [{low:+,.{decimals}f} to {high:+,.{decimals}f}]"
    return text.replace("-", "−")


def _is_cost_item(key: str) -> bool:
    return any(word in key for word in ("cost", "hours", "licence", "salary", "members", "cadence", "people"))


def _mark(item: worth.LeverWorth) -> str:
    symbol = "✔" if item.net[1] > 0 else "✘" if item.net[2] < 0 else "?"
    return f"{symbol} {worth.money(item.net[0])}"


FRONTIER_WORDS = {
    frontier_module.UP: "better at equal service (shifts the frontier up)",
    frontier_module.DOWN: "worse at equal service (shifts the frontier down)",
    frontier_module.ALONG: "only buys or sells service with stock (moves along the frontier)",
    frontier_module.UNCLEAR: "no clear difference",
    frontier_module.TOO_FEW: "too few seeds to tell",
}
FRONTIER_NOTE = (
    "More safety stock buys more service for more inventory. Every arm ran at a few safety factors on the same "
    "seeds; on each seed its profit and inventory are fitted against its fill rate (least squares) and read at "
    "the silo's fill rate, so the arms are compared at equal service. A lever that only holds more stock shows "
    "a difference as run but none at equal service: it moves along the frontier, as the silo could by raising "
    "its safety factor. Differences are paired over seeds, with 95% intervals."
)
INTERACTION_NOTE = (
    "On each seed, the joint arm's gain over the silo minus the sum of each single lever's gain over the silo on "
    "the same market; its mean with the 95% t interval over the seeds. Below zero the levers overlap (they fix "
    "the same misalignment twice), above zero they reinforce each other."
)
WORTH_NOTE = (
    "A year of each lever against the silo on the same markets, in thousands of {currency}, with the 95% "
    "interval of the paired seeds. The benefit before the lever's own cost is also its break-even cost: the "
    "highest yearly cost (hours, licence, salaries) at which it still pays."
)
GAP_NOTE = (
    "The gap is what the aligned company (configs/org/aligned.yaml: one objective, perfect shared data, no "
    "padding, full trust, at no cost) earns more than the silo on the same markets. A lever's share is "
    "(lever − silo) / (aligned − silo) in operating profit, before and after its own cost; the 95% interval is "
    "a paired bootstrap over the seeds. A share above 100% recovers more than the aligned design does."
)
NO_FRONTIER_NOTE = (
    "This sweep ran every arm at one safety factor only, so it cannot tell a lever that is better from one that "
    "holds more stock for more service. Run a grid (e.g. org.safety_z=1.2,1.8,2.4, as compare_policies does)."
)
SITUATIONS_NOTE = (
    "Each situation compares every lever with its own silo on the same seeds. ✔: the net's 95% interval lies "
    "above zero; ✘: below; ?: it includes zero (more seeds would tell)."
)
COST_FLIP_NOTE = (
    "Lever costs are the client's own (hours, rates, licences). A lever's net is its benefit minus its cost, "
    "so scaling the costs moves the nets apart or together; these are the rankings and verdicts that change "
    "when the costs are up to 50% off what was assumed:"
)
