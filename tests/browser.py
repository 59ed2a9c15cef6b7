"""What every browser test needs: Playwright and Debian's chromium, or a skip of the module that says why.

pytestmark = BROWSER_MARKS
playwright_api, EXECUTABLE = playwright_and_chromium()
"""

import os
from pathlib import Path
from typing import Any

import pytest

from sim.live.serve import chromium

PROJECTOR = {"width": 1280, "height": 720}  # a room's projector: the size the workshop pages are checked at
SMALLEST_PX = 16  # no text below this, as drawn, on a projected page

# Every visible element with text of its own under a root element, and the size its text is drawn at:
# the computed font size times the scale it is drawn at (an SVG's viewBox, a CSS transform).
TEXT_SIZES = """
root => {
  const found = [];
  for (const el of root.querySelectorAll('*')) {
    const own = Array.from(el.childNodes)
      .filter(n => n.nodeType === 3 && n.textContent.trim())
      .map(n => n.textContent.trim());
    if (!own.length) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || style.display === 'none'
        || Number(style.opacity) === 0) continue;
    let scale = 1;
    const svg = el.closest('svg');
    if (svg) scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (let node = svg || el; node && node !== document; node = node.parentNode) {
      const transform = node.nodeType === 1 ? getComputedStyle(node).transform : 'none';
      if (transform && transform !== 'none') {  // Vuetify shrinks a field's label so
        const m = new DOMMatrix(transform);
        scale *= Math.hypot(m.a, m.b);
      }
    }
    found.push({text: own.join(' ').slice(0, 60), px: parseFloat(style.fontSize) * scale, tag: el.tagName});
  }
  return found;
}
"""

# Browser tests are slow, and share one group so xdist runs them on one worker, one at a time.
BROWSER_MARKS = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


def playwright_and_chromium() -> tuple[Any, str]:
    """Playwright's sync API and the chromium executable, or skip the calling module."""
    api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    executable = chromium()
    if executable is None:
        pytest.skip(
            "no chromium on this machine: install Debian's (apt-get install chromium) or set SPSIM_CHROMIUM",
            allow_module_level=True,
        )
    return api, executable


def screenshot(page: Any, name: str) -> None:
    """Keep what the room would see, in the folder ``$SPSIM_SCREENSHOTS`` names (nothing when it is unset)."""
    folder = os.environ.get("SPSIM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(1000)  # a page or chart fading in would come out pale
        page.screenshot(path=str(Path(folder) / name))
