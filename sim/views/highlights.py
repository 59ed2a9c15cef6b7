"""Which captions deserve a place on a chart, and the full list of a run's captions as Markdown.

Captions (:mod:`sim.views.captions`) say what happened; this module chooses among them:
a storyboard has room for a dozen, an animation shows the few that matter most, and
``events.md`` lists them all with the ones on the chart starred.
"""

import math
from collections.abc import Callable, Iterable

from sim.views.captions import Caption


def score(caption: Caption, first_of_kind: bool) -> float:
    """How much a caption deserves a place on a chart: importance, size, novelty."""
    size = 0.6 * math.log2(len(caption.rows)) if caption.rows else 0.0
    return caption.importance + min(size, 2.0) + (1.5 if first_of_kind else 0.0)


def rank(captions: Iterable[Caption]) -> list[Caption]:
    """Captions, most telling first (the first of each kind gets a bonus)."""
    seen: set[str] = set()
    scored = []
    for caption in sorted(captions, key=lambda c: c.day):
        scored.append((score(caption, caption.kind not in seen), caption))
        seen.add(caption.kind)
    return [caption for _, caption in sorted(scored, key=lambda pair: (-pair[0], pair[1].day))]


def select(
    captions: Iterable[Caption],
    limit: int,
    fits: Callable[[Caption], bool] | None = None,
    same_kind_penalty: float = 1.0,
    bonus: Callable[[Caption], float] | None = None,
    min_score: float = 4.0,
) -> list[Caption]:
    """The ``limit`` most telling captions that ``fits`` accepts, varied by kind.

    Each caption already chosen of the same kind lowers the score of the next, so a
    storyboard tells several things rather than one thing twelve times; ``bonus``
    adds to a caption's score (e.g. less for the warm-up); below ``min_score`` a
    caption is routine and left to the full list.
    """
    scored = [(score(c, first) + (bonus(c) if bonus else 0.0), c) for c, first in _with_first(captions)]
    pool = [(value, caption) for value, caption in scored if value >= min_score]
    chosen: list[Caption] = []
    per_kind: dict[str, int] = {}
    while pool and len(chosen) < limit:
        pool.sort(key=lambda pair: (-(pair[0] - same_kind_penalty * per_kind.get(pair[1].kind, 0)), pair[1].day))
        _, best = pool.pop(0)
        if fits is None or fits(best):
            chosen.append(best)
            per_kind[best.kind] = per_kind.get(best.kind, 0) + 1
    return sorted(chosen, key=lambda c: c.day)


def markdown(captions: list[Caption], title: str, marked: Iterable[tuple[int, ...]] = ()) -> str:
    """The full list of captions as a Markdown document (★: a caption in ``marked``, by its rows)."""
    on_chart = set(marked)
    lines = [
        f"# {title}",
        "",
        "| day | | who acted | what happened | event rows (events.parquet) |",
        "|---:|---|---|---|---|",
    ]
    for caption in captions:
        rows = ", ".join(str(r) for r in caption.rows[:6]) + (" ..." if len(caption.rows) > 6 else "")
        star = "★" if caption.rows in on_chart else ""
        lines.append(f"| {caption.day} | {star} | {caption.department} | {caption.text} | {rows} |")
    if not captions:
        lines.append("| | | | no captioned events in this window | |")
    if on_chart:
        lines += ["", "★ = annotated on the chart."]
    return "\n".join(lines) + "\n"


def _with_first(captions: Iterable[Caption]) -> list[tuple[Caption, bool]]:
    seen: set[str] = set()
    out = []
    for caption in sorted(captions, key=lambda c: c.day):
        out.append((caption, caption.kind not in seen))
        seen.add(caption.kind)
    return out
