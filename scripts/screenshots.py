"""Regenerate the README's images from the current build of the bundled sample.

``make screenshots`` runs this: it builds ``examples/*.txt`` into ``build/``
(no store needed), draws the default overview, the BLOOM ego view, a trends
chart and a digest, photographs each in headless Chromium (the same driver as
the browser tests) into ``docs/images/``, and rewrites the README's caption
with the numbers of this build, which ``tests/test_view_overview.py`` checks.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.build import build  # noqa: E402
from kg.charts import write_trends  # noqa: E402
from kg.digest_render import write_digest  # noqa: E402
from kg.graph import load_graph_file  # noqa: E402
from kg.view import write_view  # noqa: E402
from kg.view.render import MAJOR_LABELS  # noqa: E402
from tests.test_view_browser import CHROMIUM, Chromium, Page  # noqa: E402

BUILD = ROOT / "build"
IMAGES = ROOT / "docs" / "images"
README = ROOT / "README.md"
CAPTION = re.compile(r"The default view of the bundled sample: .*? labelled at first sight\.")


def caption(shown: int, selected: int) -> str:
    """The README sentence under the overview image; the test parses the same words."""
    return (
        f"The default view of the bundled sample: {shown:,} of {selected:,} entities, "
        f"the {MAJOR_LABELS} most mentioned labelled at first sight."
    )


def _shoot(page: Page, html: Path, ready: str, name: str) -> None:
    page.call("Page.navigate", {"url": html.resolve().as_uri()})
    page.wait_for(ready, 120.0)
    time.sleep(0.3)
    png = page.call("Page.captureScreenshot", {"format": "png"})["data"]
    (IMAGES / name).write_bytes(base64.b64decode(png))


def main() -> None:
    BUILD.mkdir(exist_ok=True)
    graph_path = BUILD / "graph.json"
    build(sorted(str(p) for p in (ROOT / "examples").glob("*.txt")), graph_path=graph_path)
    graph = load_graph_file(graph_path)
    overview = write_view(graph, BUILD / "graph.html")
    write_view(graph, BUILD / "ego_bloom.html", entity="BLOOM")
    write_trends(graph, BUILD / "trends.html", None, top=8)
    write_digest(graph, BUILD / "digest.html", dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    browser = Chromium(CHROMIUM, Path(tempfile.mkdtemp(prefix="kg-shots-")))
    try:
        page = Page(browser)
        settled = "window.kgView && window.kgView.stabilized === true"
        _shoot(page, BUILD / "graph.html", settled, "view.png")
        _shoot(page, BUILD / "ego_bloom.html", settled, "ego_bloom.png")
        _shoot(
            page,
            BUILD / "trends.html",
            "document.querySelector('.scatterlayer .trace')",
            "trends.png",
        )
        _shoot(page, BUILD / "digest.html", "document.readyState === 'complete'", "digest.png")
    finally:
        browser.close()
    text = README.read_text(encoding="utf-8")
    new = caption(overview.nodes_shown, overview.nodes_selected)
    README.write_text(CAPTION.sub(new, text) if CAPTION.search(text) else text, encoding="utf-8")
    print(new)


if __name__ == "__main__":
    main()
