"""The debrief in slides, for the projector: ``/slides?session=<folder>``, one chart a slide, large type.

The slides are :mod:`sim.views.debrief_slides`' (each team's decisions against the agent's
rule, the shocks, the conflicts, the leaderboard, the questions), read from the saved
session (:mod:`sim.play.session_debrief`) and drawn once per save. Charts are PNGs inlined
in the page (no CDN: a room may be offline). **Previous**/**Next** move between slides.
Without ``?session=`` the page lists the sessions with weeks played.

Sizes are for a projector at 1280×720: titles 30 px, text 20 px, charts at most 400 px high; the
app bar is hidden on this page so the slide has the whole height (a link leads back to the console).

CSS classes a browser test can read: ``spsim-slides``, ``spsim-slides-error``,
``spsim-slides-pick`` (a session's link), ``spsim-slide`` (one element, so its parts change
together), ``spsim-slide-title`` (``data-kind``, ``data-index``: 1-based), ``spsim-slide-chart``,
``spsim-slide-text``, ``spsim-slide-count``.
"""

import base64
import html
import urllib.parse
from pathlib import Path

import solara

from sim.play.info import PlayError
from sim.play.session_debrief import session_slides
from sim.play.session_hub import list_sessions
from sim.views.debrief_slides import Slide, png

TITLE_PX = 30
TEXT_PX = 20
CHART_PX = 400  # the chart's height at most: title, chart, text and buttons fit 720 px
STYLE = f"""
<style>
/* The projector's whole height for the slide: no app bar (the Console link is under the slide) */
.v-app-bar {{ display: none !important; }}
.v-main, .solara-content-main {{ padding-top: 0 !important; }}
.spsim-slide {{ min-height: 560px; }}
.spsim-slide-title {{ font-size: {TITLE_PX}px; font-weight: 700; line-height: 1.2; margin: 4px 0 8px 0; }}
.spsim-slide-chart img {{ max-height: {CHART_PX}px; max-width: 100%; display: block; margin: 0 auto; }}
.spsim-slide-text {{ font-size: {TEXT_PX}px; line-height: 1.35; margin: 6px 0 0 0; padding-left: 24px; }}
.spsim-slide-text li {{ margin-bottom: 2px; }}
.spsim-slide-count, .spsim-slides-pick {{ font-size: {TEXT_PX}px; }}
.spsim-slides .v-btn {{ font-size: 18px !important; }}
</style>
"""


def _drawn(folder: Path) -> tuple[list[Slide], list[str]]:
    """The slides of a session and each chart as an inline image (``""`` where a slide has none)."""
    made = session_slides(folder)
    images = []
    for slide in made:
        data = base64.b64encode(png(slide.figure)).decode() if slide.figure is not None else ""
        images.append(f"data:image/png;base64,{data}" if data else "")
    return made, images


def _chosen(search: str | None) -> str:
    """The session folder's name asked for in the address (``""``: none)."""
    return urllib.parse.parse_qs(search or "").get("session", [""])[0]


@solara.component
def SlidesPage(sessions: Path) -> None:
    router = solara.use_router()
    name = _chosen(router.search)
    solara.Title("Debrief slides · spsim")
    with solara.Column(classes=["spsim-slides"], style={"max-width": "1240px", "margin": "0 auto", "gap": "0px"}):
        solara.HTML(tag="div", unsafe_innerHTML=STYLE)
        if not name:
            Pick(sessions)
            return
        folder = sessions / name
        if Path(name).name != name or name.startswith(".") or not folder.is_dir():
            solara.Error(f"{name}: no such session in {sessions}", classes=["spsim-slides-error"])
            return
        Deck(folder)


@solara.component
def Pick(sessions: Path) -> None:
    """The sessions with weeks played, each a link to its slides."""
    found = solara.use_memo(lambda: [info for info in list_sessions(sessions) if info["weeks_played"]], [])
    solara.HTML(tag="div", unsafe_innerHTML="Debrief slides: choose a session", classes=["spsim-slide-title"])
    if not found:
        solara.Text("No session with weeks played yet.", style={"font-size": f"{TEXT_PX}px"})
    for info in found[:20]:
        link = "/slides?" + urllib.parse.urlencode({"session": info["folder"].name})
        state = "finished" if info["finished"] else f"{info['weeks_played']} weeks played"
        solara.HTML(
            tag="a",
            unsafe_innerHTML=html.escape(f"{info['name']} · {state} · {info['folder'].name}"),
            classes=["spsim-slides-pick"],
            attributes={"href": link, "target": "_self"},
        )


@solara.component
def Deck(folder: Path) -> None:
    """The slides of one session, one at a time, with Previous and Next."""
    shown = solara.use_reactive(0)
    try:
        revision = (folder / "session.json").stat().st_mtime_ns  # drawn again after a new save
    except OSError:
        revision = 0
    drawn = solara.use_memo(lambda: _try(folder), [str(folder), revision])
    if isinstance(drawn, str):
        solara.Error(drawn, classes=["spsim-slides-error"])
        return
    made, images = drawn
    index = min(shown.value, len(made) - 1)
    slide = made[index]
    solara.HTML(tag="div", unsafe_innerHTML=_slide_html(slide, images[index], index), classes=["spsim-slide"])
    with solara.Row(style={"align-items": "center", "justify-content": "center", "margin-top": "8px"}):
        solara.Button("Previous", on_click=lambda: shown.set(max(0, index - 1)), disabled=index == 0)
        solara.HTML(tag="span", unsafe_innerHTML=f"{index + 1} / {len(made)}", classes=["spsim-slide-count"])
        solara.Button(
            "Next", on_click=lambda: shown.set(min(len(made) - 1, index + 1)), disabled=index == len(made) - 1
        )
        solara.HTML(tag="a", unsafe_innerHTML="Console", classes=["spsim-slides-pick"], attributes={"href": "/console"})


def _slide_html(slide: Slide, image: str, index: int) -> str:
    """The slide as one element, so the browser swaps title, chart and text together (never half a slide)."""
    title = html.escape(slide.title)
    attributes = f'data-kind="{html.escape(slide.kind, quote=True)}" data-index="{index + 1}"'
    parts = [f'<div class="spsim-slide-title" {attributes}>{title}</div>']
    if image:
        parts.append(
            f'<div class="spsim-slide-chart"><img src="{image}" alt="{html.escape(slide.title, quote=True)}"></div>'
        )
    items = "".join(f"<li>{html.escape(line)}</li>" for line in slide.lines)
    parts.append(f'<ul class="spsim-slide-text">{items}</ul>')
    return "".join(parts)


def _try(folder: Path) -> tuple[list[Slide], list[str]] | str:
    try:
        return _drawn(folder)
    except PlayError as problem:
        return str(problem)
