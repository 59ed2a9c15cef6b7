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
import os
import re
import shutil
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from sim.analysis import aggregate as agg
from sim.analysis import worth
from sim.analysis.report_arms import HEADLINE_KPIS, measure, short_labels
from sim.analysis.report_charts import ReportCharts
from sim.analysis.report_text import TABLE_NOTE, Block, ReportText
from sim.output.atomic import replace_folder, write_text
from sim.views import style

REPORT_DIR = "report"
__all__ = ["HEADLINE_KPIS", "REPORT_DIR", "short_labels", "write_report"]


# -- the entry point ---------------------------------------------------------------------------


def write_report(sweep_dir: Path, objective: str = "operating_profit") -> Path:
    """Write ``<sweep_dir>/report/`` (report.md, report.html, charts); return report.md's path.

    Raises:
        SweepError: no such folder, not a sweep, no complete run, or ``objective`` is not
            a KPI of the sweep. Nothing is written then.
    """
    sweep_dir = agg.check_sweep_dir(sweep_dir)
    result, fresh = _current_tables(sweep_dir)
    if objective not in result.kpis:
        close = [kpi for kpi in result.kpis if objective and objective in kpi]
        close = close or difflib.get_close_matches(objective, result.kpis, n=3)
        hint = f"did you mean {' or '.join(close[:3])}?" if close else f"e.g. {', '.join(HEADLINE_KPIS[:4])}"
        raise agg.SweepError(f"--objective {objective}: not a KPI of this sweep ({hint})")
    if fresh:
        agg.write(result)
    final = sweep_dir / REPORT_DIR
    staging = sweep_dir / f".{REPORT_DIR}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        blocks = Report(result, objective, staging).build()
        write_text(staging / "report.md", to_markdown(blocks))
        write_text(staging / "report.html", to_html(blocks, staging, title=f"Sweep report: {sweep_dir.name}"))
        replace_folder(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final / "report.md"


def _current_tables(sweep_dir: Path) -> tuple[agg.Aggregate, bool]:
    """The sweep's tables, and whether they were just computed (and still need writing)."""
    if not agg.is_stale(sweep_dir):
        try:
            return agg.load(sweep_dir), False
        except (OSError, ValueError, KeyError):
            pass  # unreadable tables: aggregate again
    requested = agg._read_record(sweep_dir).get("requested_baseline")
    return agg.collect(sweep_dir, requested), True


WORTH_NOTE = (
    "A year of each lever against the baseline on the same markets, in thousands of currency, with the 95% "
    "interval of the paired seeds. The benefit before the lever's own cost is also its break-even cost: the "
    "highest yearly cost (hours, licence, salaries) at which it still pays."
)


class Report(ReportText, ReportCharts):
    """Builds the report's blocks (text and charts) into ``folder``."""

    def build(self) -> list[Block]:
        style.apply()
        result = self.result
        seeds = sorted(int(seed) for seed in result.summary["seed"].unique())
        blocks: list[Block] = [
            ("h1", f"Sweep report: {result.sweep_dir.name}"),
            ("p", self.scope_sentence(seeds)),
            ("h2", f"Finding: {measure(self.objective).title.lower()}"),
        ]
        for group in self.groups:
            blocks += self.finding(group)
        header, rows = worth.table(result.comparison)
        if rows:
            blocks += [("h2", "Is each lever worth what it costs?"), ("p", WORTH_NOTE), ("table", (header, rows))]
        blocks += self.charts()
        blocks += [("h2", "Comparison table"), ("p", TABLE_NOTE), ("table", self.table())]
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


def to_html(blocks: list[Block], folder: Path, title: str) -> str:
    """The blocks as one HTML page with the charts embedded (base64 PNG)."""
    images = {
        content[0]: f"data:image/png;base64,{base64.b64encode((folder / content[0]).read_bytes()).decode('ascii')}"
        for kind, content in blocks
        if kind == "img"
    }
    return _TEMPLATES.get_template("report.html.j2").render(blocks=blocks, title=title, images=images)
