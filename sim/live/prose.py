"""Short formatted text on the app's pages (a heading, a list, a small table), rendered here.

``solara.Markdown`` makes every browser that shows it fetch mermaid and katex (and katex's
fonts) through ``/_solara/cdn``; katex is not among the installed assets, so each page
asked a public CDN for it. Our pages need neither diagrams nor formulas: :func:`Prose`
turns the Markdown into HTML on the server, with the same library and the same styles,
and the browser loads nothing for it. Text from a game is escaped first, so a name or a
message can never become markup.
"""

import html

import markdown  # type: ignore[import-untyped]  # no stubs; a dependency of solara.Markdown
import solara

# Solara's own classes for rendered Markdown: the page styles tables and lists by them.
CLASSES = ["solara-markdown", "rendered_html", "jp-RenderedHTMLCommon"]


def to_html(text: str) -> str:
    """Markdown (headings, emphasis, lists, tables) as HTML; any markup in ``text`` is shown as text."""
    return str(markdown.markdown(html.escape(text, quote=False), extensions=["tables"]))


@solara.component
def Prose(text: str) -> None:
    """``text``, Markdown, shown formatted."""
    solara.HTML(tag="div", unsafe_innerHTML=to_html(text), classes=CLASSES)
