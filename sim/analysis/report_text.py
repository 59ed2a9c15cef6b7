"""The words of a sweep report: the finding, its trade-offs, the comparison table, definitions, runs left out."""

import math
from typing import Any

from sim.analysis import aggregate as agg
from sim.analysis.report_arms import Group, ReportData, definition
from sim.output.sweepfolder import relative

MAX_LISTED_SKIPS = 20
Block = tuple[str, Any]
TABLE_NOTE = (
    "Mean over seeds; Δ is the mean of the paired differences (arm − baseline on the same seed) with its 95% "
    "t interval; n is the number of seeds (paired seeds for Δ); “better in” counts the seeds on which the "
    "arm beat its baseline."
)


class ReportText(ReportData):
    """The report's sentences and tables, written from its data."""

    def scope_sentence(self, seeds: list[int]) -> str:
        result = self.result
        seed_text = f"seeds {_ranges(seeds)}" if len(seeds) > 1 else f"seed {seeds[0]}"
        text = f"{len(result.summary)} complete runs in {len(result.arms)} arms, {seed_text}. "
        if result.baseline:
            own = f" of the same {' and '.join(_group_keys(self.groups))}" if len(self.groups) > 1 else ""
            text += (
                f"Each arm is compared with `{result.baseline}`{own} on the seeds both ran: the same seed "
                "means the same market and the same supply shocks (common random numbers), so the "
                "difference on each seed is one measurement of the effect, and the 95% interval of "
                "their mean follows the t distribution. "
            )
        else:
            text += "There is no baseline arm (such as `policy=silo`) in this sweep, so only means are shown. "
        skipped = len(result.incomplete)
        if skipped:
            text += f"{skipped} run folder{_s(skipped)} skipped as incomplete (listed at the end)."
        else:
            text += "No run folder was skipped."
        return text

    # -- the finding --

    def finding(self, group: Group) -> list[Block]:
        kpi, info = self.objective, self.measure(self.objective)
        heading: list[Block] = [("h3", group.name)] if group.name else []
        if group.baseline is None or not group.arms:
            return [*heading, ("p", self.best_mean_sentence(group))]
        direction = info.better or 1
        diffs = {arm: float(self.value(arm, kpi, "diff_mean")) for arm in group.arms}
        ranked = sorted(
            (arm for arm in group.arms if math.isfinite(diffs[arm])), key=lambda arm: -direction * diffs[arm]
        )
        base = self.baseline_name(group)
        if not ranked:
            return [*heading, ("p", f"No arm shares a seed with {base}: no paired comparison.")]
        paragraphs = [self.best_sentence(ranked[0], base, direction), self.tradeoff_sentence(ranked[0], base)]
        if len(ranked) > 1:
            listing = "; ".join(f"{self.label(arm)} {self.signed(kpi, diffs[arm])}" for arm in ranked)
            paragraphs.append(f"All arms, best first ({info.title.lower()} against {base}): {listing}.")
        if info.better == 0:
            paragraphs.append(f"(`{kpi}` has no better direction: the highest is called best.)")
        return [*heading, *(("p", text) for text in paragraphs)]

    def best_sentence(self, arm: str, base: str, direction: int) -> str:
        kpi, info = self.objective, self.measure(self.objective)
        diff = float(self.value(arm, kpi, "diff_mean"))
        n = int(self.value(arm, kpi, "n_paired"))
        wins = int(self.value(arm, kpi, "n_higher" if direction > 0 else "n_lower"))
        gained = direction * diff > 0
        name, title = f"**{self.label(arm)}**", info.title.lower()
        if int(self.value(arm, kpi, "n_higher")) == int(self.value(arm, kpi, "n_lower")) == 0:
            return (
                f"No arm beat {base} on {title}; the closest was {name}, identical to {base} on all {n} "
                f"paired seed{_s(n)}: it did not change {title} at all."
            )
        if gained:
            text = f"{name} did best on {title}: {self.signed(kpi, diff)} against {base}"
        else:
            text = f"No arm beat {base} on {title}; the closest was {name}: {self.signed(kpi, diff)}"
        low, high = float(self.value(arm, kpi, "diff_ci_low")), float(self.value(arm, kpi, "diff_ci_high"))
        if n < 2 or not math.isfinite(low):
            return text + f", on {n} paired seed: no interval can be given; run more seeds to know how sure it is."
        text += (
            f" (95% CI {self.interval(kpi, low, high)}, {n} paired seeds); better than {base} in {wins} of {n} seeds. "
        )
        if low > 0 or high < 0:
            verdict = "a gain" if gained else "a loss"
            return text + f"The interval excludes zero: {verdict} that holds across these seeds, not noise."
        return (
            text + f"The interval includes zero: not distinguishable from {base} with {n} seeds; more seeds would tell."
        )

    def tradeoff_sentence(self, arm: str, base: str) -> str:
        better, worse, unclear = [], [], []
        single = int(self.value(arm, self.objective, "n_paired")) < 2  # no interval: take every move as it is
        for kpi in self.headline:
            if kpi == self.objective:
                continue
            info = self.measure(kpi)
            diff, low, high = (float(self.value(arm, kpi, c)) for c in ("diff_mean", "diff_ci_low", "diff_ci_high"))
            if not math.isfinite(diff):
                continue
            if diff == 0 or info.better == 0 or not (single or low > 0 or high < 0):
                unclear.append(info.title.lower())
            elif info.better * diff > 0:
                better.append(f"{info.title.lower()} {self.signed(kpi, diff)}")
            else:
                worse.append(f"{info.title.lower()} {self.signed(kpi, diff)}")
        parts = [f"worse: {_join(worse)}"] if worse else []
        parts += [f"better: {_join(better)}"] if better else []
        which = "on one seed, so these may be noise" if single else "moves whose 95% interval excludes zero"
        text = f"Trade-offs of {self.label(arm)} against {base} ({which}): "
        text += "; ".join(parts) if parts else "no other headline KPI moved"
        if unclear:
            text += f". {'Unchanged' if single else 'Not distinguishable'} from {base}: {_join(unclear)}"
        return text + "."

    def best_mean_sentence(self, group: Group) -> str:
        kpi, info = self.objective, self.measure(self.objective)
        direction = info.better or 1
        means = {arm: float(self.value(arm, kpi, "mean")) for arm in group.members}
        ranked = sorted((a for a in means if math.isfinite(means[a])), key=lambda a: -direction * means[a])
        if not ranked:
            return f"No arm has a value of `{kpi}`."
        best = ranked[0]
        low, high = float(self.value(best, kpi, "mean_ci_low")), float(self.value(best, kpi, "mean_ci_high"))
        text = f"The best mean {info.title.lower()} is **{self.label(best)}**: {self.plain(kpi, means[best])}"
        if math.isfinite(low):
            unit = self.plain(kpi, high).removeprefix(self.plain(kpi, high).split(" ")[0])
            text += f" (95% CI {self.plain(kpi, low).removesuffix(unit)} to {self.plain(kpi, high)})"
        return text + f" over {int(self.value(best, kpi, 'n'))} seeds, with no baseline to pair it with."

    # -- numbers in text --

    def plain(self, kpi: str, value: float) -> str:
        info = self.measure(kpi)
        unit = {"%": "%"}.get(info.unit, f" {info.unit}" if info.unit else "")
        return _number(value * info.scale, info.decimals) + unit

    def signed(self, kpi: str, value: float) -> str:
        info = self.measure(kpi)
        return _number(value * info.scale, info.decimals, signed=True) + self.difference_unit(kpi)

    def interval(self, kpi: str, low: float, high: float) -> str:
        info = self.measure(kpi)
        shown = (_number(v * info.scale, info.decimals, signed=True) for v in (low, high))
        return " to ".join(shown) + self.difference_unit(kpi)

    def difference_unit(self, kpi: str) -> str:
        unit = self.measure(kpi).difference_unit
        if unit.startswith("thousand"):
            return f" {unit}"
        return {"percentage points": " pp", "events": " events"}.get(unit, "")

    # -- table, definitions, skipped --

    def table(self) -> tuple[list[str], list[list[str]]]:
        headers = ["KPI", "Arm", "n", "Mean", "Δ vs baseline", "95% CI of Δ", "Better in"]
        kpis = list(dict.fromkeys([self.objective, *self.headline]))
        wide = len(self.groups) > 1
        rows = []
        for kpi in kpis:
            info = self.measure(kpi)
            unit = f" ({info.unit})" if info.unit else ""
            for group in self.groups:
                for arm in group.members:
                    rows.append([f"{info.title}{unit}", arm if wide else self.label(arm), *self.cells(arm, kpi, group)])
        return headers, rows

    def cells(self, arm: str, kpi: str, group: Group) -> list[str]:
        info = self.measure(kpi)
        cells = [
            str(int(self.value(arm, kpi, "n"))),
            _number(float(self.value(arm, kpi, "mean")) * info.scale, info.decimals),
        ]
        n = int(self.value(arm, kpi, "n_paired"))
        if arm == group.baseline:
            return [*cells, "baseline", "", ""]
        if n == 0:
            return [*cells, "–", "", ""]
        diff, low, high = (
            float(self.value(arm, kpi, c)) * info.scale for c in ("diff_mean", "diff_ci_low", "diff_ci_high")
        )
        better = {1: "n_higher", -1: "n_lower"}.get(info.better)
        return [
            *cells,
            f"{_number(diff, info.decimals, signed=True)} (n={n})",
            f"{_number(low, info.decimals, True)} to {_number(high, info.decimals, True)}"
            if math.isfinite(low)
            else "–",
            f"{int(self.value(arm, kpi, better))} of {n}" if better else "",
        ]

    def definitions(self) -> list[str]:
        shown = list(dict.fromkeys([self.objective, *self.headline, self.inventory_cost or ""]))
        return [f"`{kpi}`: {definition(kpi) or 'no definition recorded'}" for kpi in shown if kpi]

    def skipped(self) -> list[Block]:
        incomplete = self.result.incomplete
        if not incomplete:
            return [("p", "None: every run folder under the sweep was complete.")]
        sweep = self.result.sweep_dir
        items = [f"`{relative(path, sweep)}`: {reason}" for path, reason in incomplete[:MAX_LISTED_SKIPS]]
        if len(incomplete) > MAX_LISTED_SKIPS:
            items.append(f"… and {len(incomplete) - MAX_LISTED_SKIPS} more (all in aggregate.json)")
        count = len(incomplete)
        verb = "s were" if count != 1 else " was"
        return [
            ("p", f"{count} run folder{verb} skipped as incomplete and counted nowhere in this report:"),
            ("ul", items),
        ]


def _number(value: float, decimals: int, signed: bool = False) -> str:
    """A number for a reader: thousands separators, a true minus sign, no "−0.0"."""
    if not math.isfinite(value):
        return "–"
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = f"{0.0:.{decimals}f}"
    return text.replace("-", "−")


def _group_keys(groups: list[Group]) -> list[str]:
    keys = {part.split("=", 1)[0] for group in groups for part in agg.split_overrides(group.name) if "=" in part}
    return sorted(keys) or ["setting"]


def _ranges(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(str(seed) for seed in seeds)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _s(count: int) -> str:
    return "" if count == 1 else "s"
