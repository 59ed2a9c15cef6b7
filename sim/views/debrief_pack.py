"""The debrief pack: one self-contained HTML page to close a workshop with.

``<run>/replay/debrief/index.html`` holds, with every image embedded: the headline
KPI cards, the storyboard (of each run), the side-by-side (for two runs), a "why did
this KPI move" page per chosen KPI (:mod:`sim.views.debrief_why`) and discussion
prompts for sales and purchasing (:mod:`sim.views.debrief`). The page is the Jinja2
template ``templates/debrief.html.j2``; the folder is written whole or not at all.
"""

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure

from sim.output import kpis
from sim.output.atomic import folder_atomically
from sim.output.runfolder import Run
from sim.views import captions, side_by_side, storyboard
from sim.views.debrief import Period, periods, prompts
from sim.views.debrief_why import Why, explain, measure_value

CARDS = (
    "operating_profit",
    "revenue",
    "fill_rate",
    "on_time_in_full",
    "lost_sales_units",
    "avg_on_hand",
    "inventory_turns",
    "bullwhip_ratio",
    "conflict_count",
    "expedites_refused",
    "trust_sales_in_purchasing",
    "trust_purchasing_in_sales",
    "policy_cost_total",
    "operating_expenses",
    "obsolescence_cost",
    "closing_backlog_cost",
    "revaluation",
)
"""The headline KPIs on the page's cards (and any KPI the page explains)."""
IF_BOOKED = ("operating_expenses", "obsolescence_cost", "closing_backlog_cost", "revaluation")
"""Lines of operating profit a run may not book at all: a card only where some run booked them."""
PROMPT_HEADINGS = (("sales", "For sales"), ("purchasing", "For purchasing"), ("together", "For both, together"))

_TEMPLATES = Environment(
    loader=PackageLoader("sim.views", "templates"),
    autoescape=select_autoescape(["html", "html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def write(runs: list[Run], kpi_names: list[str], window: tuple[int, int] | None = None, limit: int = 12) -> Path:
    """Write ``<run A>/replay/debrief/`` (index.html and its images); return the HTML file."""
    before, after = periods(runs)
    images: list[tuple[str, Figure]] = []
    boards = []
    for tag, run in zip("AB", runs, strict=False):
        board = storyboard.draw(run, window, limit=limit)
        boards.append(board)
        images.append((f"storyboard_{tag}.png" if len(runs) == 2 else "storyboard.png", board.figure))
    compared = side_by_side.draw(runs[0], runs[1], window) if len(runs) == 2 else None
    if compared is not None:
        images.append(("side_by_side.png", compared.figure))
    whys = [explain(name, before, after) for name in kpi_names]
    images += [(f"why_{why.kpi}.png", why.figure) for why in whys if why.figure is not None]
    questions = prompts(runs, before, after)
    try:
        encoded = {name: _png(figure) for name, figure in images}
    finally:
        for _, figure in images:
            plt.close(figure)
    page = render(runs, before, after, boards, compared, whys, questions, encoded)
    target = runs[0].replay_dir / "debrief"
    with folder_atomically(target) as staging:
        for name, data in encoded.items():
            (staging / name).write_bytes(data)
        (staging / "index.html").write_text(page, encoding="utf-8")
    return target / "index.html"


def render(
    runs: list[Run],
    before: Period,
    after: Period,
    boards: list[storyboard.Storyboard],
    compared: side_by_side.SideBySide | None,
    whys: list[Why],
    questions: dict[str, list[str]],
    images: dict[str, bytes],
) -> str:
    """The page, from the template: everything it shows is worked out here, in Python."""
    two = len(runs) == 2
    how = (
        "A is compared with B over their measured days (after the warm-up)."
        if two
        else f"The run's measured days are compared half against half: {before.label} vs {after.label}."
    )
    return _TEMPLATES.get_template("debrief.html.j2").render(
        title=" vs ".join(run.title for run in runs),
        runs=[{"tag": tag, "path": str(run.path)} for tag, run in zip("AB", runs, strict=False)],
        how=how,
        cards=_cards(runs, [why.kpi for why in whys]),
        boards=[
            {
                "heading": f"Storyboard {tag}: {board_title(runs, tag)}" if two else "Storyboard",
                "image": _data_uri(images[f"storyboard_{tag}.png" if two else "storyboard.png"]),
                "captions": board.annotations,
            }
            for tag, board in zip("AB", boards, strict=False)
        ],
        compared=None
        if compared is None
        else {"caption": compared.divergence.caption, "image": _data_uri(images["side_by_side.png"])},
        whys=[_why(why, images) for why in whys],
        before=before.label,
        after=after.label,
        prompts=[
            {"css": captions.COMPANY if key == "together" else key, "heading": heading, "questions": questions[key]}
            for key, heading in PROMPT_HEADINGS
            if questions.get(key)
        ],
    )


@dataclass(frozen=True)
class _Card:
    label: str
    value: str
    unit: str
    delta: str = ""
    verdict: str = ""
    value_a: str = ""


def _cards(runs: list[Run], explained: list[str]) -> list[_Card]:
    """A card per headline KPI of run A (B's value and the change, for two runs)."""
    shown = [*CARDS, *(name for name in explained if name not in CARDS)]
    cards = []
    for name in shown:
        if name not in runs[0].summary:
            continue
        if name in IF_BOOKED and name not in explained and not any(run.summary.get(name) for run in runs):
            continue
        value_a = float(runs[0].summary[name])
        if len(runs) == 2:
            value_b = float(runs[1].summary.get(name, float("nan")))
            cards.append(
                _Card(
                    kpis.label(name),
                    kpis.format_value(name, value_b),
                    kpis.unit_text(name),
                    kpis.format_change(name, value_a, value_b),
                    kpis.verdict(name, value_a, value_b),
                    kpis.format_value(name, value_a),
                )
            )
        else:
            cards.append(_Card(kpis.label(name), kpis.format_value(name, value_a), kpis.unit_text(name)))
    return cards


def _why(why: Why, images: dict[str, bytes]) -> dict[str, Any]:
    name = f"why_{why.kpi}.png"
    found = kpis.find(why.kpi)
    return {
        "kpi": why.kpi,
        "label": kpis.label(why.kpi),
        "headline": why.headline,
        "definition": found.definition if found else "",
        "points": why.points,
        "image": _data_uri(images[name]) if name in images else "",
        "rows": [
            {
                "department": measure.department,
                "words": measure.words,
                "before": measure_value(old, measure.unit),
                "after": measure_value(new, measure.unit),
            }
            for measure, old, new in why.table
        ],
    }


def board_title(runs: list[Run], tag: str) -> str:
    """The title of run A or B."""
    return runs["AB".index(tag)].title


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _data_uri(data: bytes) -> str:
    return f"data:image/png;base64,{base64.b64encode(data).decode()}"
