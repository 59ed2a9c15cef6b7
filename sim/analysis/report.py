"""A sweep's report for management: which arm did best, how sure that is, and at what cost.

``write_report(sweep_dir)`` needs the sweep folder alone. It uses the tables of
``sim.analysis.aggregate`` (and aggregates again when they are missing or older than a
run), then writes ``<sweep>/report/``:

- ``report.md`` and ``report.html`` (the same content; the HTML embeds the charts, so it
  is one file to send): the finding in a few sentences, the charts, the comparison
  table, the definitions of the KPIs shown and the run folders skipped as incomplete.
- ``forest*.png``: the effect of each arm against its baseline on the headline KPIs,
  paired over seeds, with 95% intervals (one panel per KPI).
- ``tradeoff.png``: service (fill rate) against inventory cost, one point per arm.
- ``timeseries*.png``: weekly fill rate and stock on hand, and cumulative operating profit
  per arm over the days, mean over seeds with a 95% band (read from the runs'
  ``timeseries.parquet``).

The report is built in a hidden folder and renamed into place when whole, so a failed
report never replaces a good one or leaves one that looks finished.
"""

import base64
import difflib
import math
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from sim.analysis import aggregate as agg
from sim.analysis.design import Design, design
from sim.analysis.drawing import Drawing
from sim.analysis.report_arms import HEADLINE_KPIS, short_labels
from sim.analysis.report_charts import ReportCharts
from sim.analysis.report_decision import ReportDecision
from sim.analysis.report_text import TABLE_NOTE, Block, ReportText
from sim.output.atomic import replace_folder, tidy_folder, write_text
from sim.views import style

REPORT_DIR = "report"
SUMMARY_TEXT = "summary.txt"  # page 1 in plain text, for the terminal
__all__ = ["HEADLINE_KPIS", "REPORT_DIR", "short_labels", "write_report"]


# -- the entry point ---------------------------------------------------------------------------


def write_report(sweep_dir: Path, objective: str = "operating_profit", target_fill_rate: float | None = None) -> Path:
    """Write ``<sweep_dir>/report/`` (report.md, report.html, charts); return report.md's path.

    Raises:
        SweepError: no such folder, not a sweep, no complete run, or ``objective`` is not
            a KPI of the sweep. Nothing is written then.
    """
    sweep_dir = agg.check_sweep_dir(sweep_dir)
    if target_fill_rate is not None and not 0.0 < target_fill_rate <= 1.0:  # nan fails too
        raise agg.SweepError(f"--target-fill-rate {target_fill_rate}: a fill rate is a share in (0, 1], e.g. 0.97")
    result, fresh = agg.current(sweep_dir)
    if objective not in result.kpis:
        close = [kpi for kpi in result.kpis if objective and objective in kpi]
        close = close or difflib.get_close_matches(objective, result.kpis, n=3)
        hint = f"did you mean {' or '.join(close[:3])}?" if close else f"e.g. {', '.join(HEADLINE_KPIS[:4])}"
        raise agg.SweepError(f"--objective {objective}: not a KPI of this sweep ({hint})")
    if fresh:
        agg.write(result)
    final = sweep_dir / REPORT_DIR
    tidy_folder(final)  # a report cut short by a kill: the previous one is put back, leftovers go
    staging = sweep_dir / f".{REPORT_DIR}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        with Drawing() as drawing:  # the charts' files are whole when the block ends
            report = Report(design(result), objective, staging, drawing, target_fill_rate)
            blocks = report.build()
        write_text(staging / "report.md", to_markdown(blocks))
        write_text(staging / "report.html", to_html(blocks, staging, title=report.title()))
        write_text(staging / SUMMARY_TEXT, to_text(report.summary))
        replace_folder(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final / "report.md"


class Report(ReportDecision, ReportText, ReportCharts):
    """Builds the report's blocks (text and charts) into ``folder``: page 1 for a decision, then the evidence."""

    def __init__(
        self, design: Design, objective: str, folder: Path, drawing: Drawing, target_fill_rate: float | None = None
    ) -> None:
        super().__init__(design.main, objective, folder)
        self.design = design
        self.drawing = drawing
        self.target_fill_rate = target_fill_rate

    def build(self) -> list[Block]:
        style.apply()
        result = self.result
        seeds = sorted(int(seed) for seed in result.summary["seed"].unique())
        self.summary = self.executive_summary()
        blocks: list[Block] = [("h1", self.title()), *self.summary, ("page", "")]
        blocks += self.worth_section()
        blocks += self.gap_section()
        blocks += self.frontier_section()
        blocks += self.interaction_section()
        blocks += self.robustness_section()
        blocks += [
            ("h2", f"Finding in detail: {self.measure(self.objective).title.lower()}"),
            ("p", self.scope_sentence(seeds)),
        ]
        for group in self.groups:
            blocks += self.finding(group)
        blocks += self.charts()
        blocks += [("page", ""), ("h2", "Appendix A: every arm and its KPIs"), ("p", WIDE_NOTE), *self.wide_tables()]
        blocks += [("h2", "Appendix B: for researchers"), ("p", TABLE_NOTE), ("table", self.table())]
        blocks += [("ul", self.provenance())]
        blocks += [("h2", "What the KPIs mean"), ("ul", self.definitions())]
        blocks += [("h2", "Runs left out"), *self.skipped()]
        blocks.append(
            (
                "p",
                f"Generated by spsim-report on {datetime.now():%Y-%m-%d %H:%M} from `{result.sweep_dir}`. "
                "Every KPI of every arm is in `comparison.csv`, one row per run in `summary.parquet`.",
            )
        )
        return blocks

    def title(self) -> str:
        scenarios = sorted(set(self.result.summary["scenario_name"].dropna()))
        if len(scenarios) == 1:
            return f"Which alignment levers pay? The {scenarios[0].replace('_', ' ')} company"
        return f"Which alignment levers pay? {len(scenarios)} business situations"

    def wide_tables(self) -> list[Block]:
        """Arms as rows, the headline KPIs as columns: the mean over seeds of each, one table per group."""
        kpis = list(dict.fromkeys([self.objective, *self.headline]))
        header = ["Arm", "Seeds", *(_column_title(self.measure(kpi)) for kpi in kpis)]
        blocks: list[Block] = []
        for group in self.groups:
            rows = []
            for arm in group.members:
                means = (float(self.value(arm, kpi, "mean")) * self.measure(kpi).scale for kpi in kpis)
                decimals = (self.measure(kpi).decimals for kpi in kpis)
                cells = [_figure(value, places) for value, places in zip(means, decimals, strict=True)]
                rows.append([self.label(arm), str(int(self.value(arm, self.objective, "n"))), *cells])
            if group.name:
                blocks.append(("h3", group.name))
            blocks.append(("table", (header, rows)))
        return blocks

    def provenance(self) -> list[str]:
        """What a reader needs to reproduce the numbers: seeds, configs, code versions."""
        summary = self.design.result.summary
        seeds = sorted(int(seed) for seed in summary["seed"].unique())
        commits = sorted({str(commit)[:10] for commit in summary["git_commit"].dropna()}) or ["not recorded"]
        hashes = summary["config_hash"].dropna().nunique()
        items = [
            f"Runs: {len(summary)} complete, seeds {seeds[0]}–{seeds[-1]} ({len(seeds)}), {hashes} distinct configs "
            "(config hashes in `summary.parquet`).",
            f"Code: git commit {', '.join(commits)}; spsim {_version('spsim')}, Mesa {_version('mesa')}, "
            f"SimPy {_version('simpy')}, SciPy {_version('scipy')}.",
            "Intervals: paired t (`scipy.stats.ttest_rel`) for differences; paired bootstrap for the gap shares; "
            "one-sample t for the interaction.",
        ]
        if self.design.frontier_key:
            values = ", ".join(f"{value:g}" for value in self.design.frontier_values)
            items.append(
                f"Frontier grid: `{self.design.frontier_key}` = {values}; the main comparison is read at "
                f"{self.design.reference_value:g}."
            )
        return items


def _column_title(shown: Any) -> str:
    return f"{shown.title} ({shown.unit})" if shown.unit else shown.title


def _figure(value: float, decimals: int) -> str:
    return "–" if not math.isfinite(value) else f"{value:,.{decimals}f}".replace("-", "−")


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


WIDE_NOTE = (
    "The mean over seeds of each arm, at the company's own safety factor. The differences from the silo with "
    "their intervals are in Appendix B."
)


# -- rendering (templates/report.md.j2 and report.html.j2) --------------------------------------


def _inline(text: str) -> Markup:
    """``**bold**`` and ```code``` of the report's sentences as HTML, everything else escaped."""
    escaped = str(escape(text))
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return Markup(re.sub(r"`(.+?)`", r"<code>\1</code>", escaped))


_TEMPLATES = Environment(
    loader=PackageLoader("sim.analysis", "templates"),
    autoescape=select_autoescape(["html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_TEMPLATES.filters["inline"] = _inline


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown (images by file name, next to report.md)."""
    return _TEMPLATES.get_template("report.md.j2").render(blocks=blocks)


def to_text(blocks: list[Block]) -> str:
    """The executive summary's sentences as plain text (no markup, no charts), one paragraph a line."""
    lines = []
    for kind, content in blocks:
        if kind == "p":
            lines.append(_plain(content))
        elif kind == "ul":
            lines += [f"  - {_plain(item)}" for item in content]
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*|`(.+?)`|\*(.+?)\*", lambda m: next(g for g in m.groups() if g), text)


def to_html(blocks: list[Block], folder: Path, title: str) -> str:
    """The blocks as one HTML page with the charts embedded (base64 PNG)."""
    images = {
        content[0]: f"data:image/png;base64,{base64.b64encode((folder / content[0]).read_bytes()).decode('ascii')}"
        for kind, content in blocks
        if kind == "img"
    }
    return _TEMPLATES.get_template("report.html.j2").render(blocks=blocks, title=title, images=images)
