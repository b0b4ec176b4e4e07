"""``kg trends`` and ``kg digest`` pages in the real headless Chromium, offline, from file://.

Screenshots land in ``build/`` (trends.png, digest.png) for people to look at.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kg.charts import write_trends
from kg.digest_render import write_digest
from tests import test_view_browser
from tests.test_trends_digest import timeline_graph
from tests.test_view_browser import Page

# The real browser and a fresh tab per test, shared with the graph view tests.
browser = test_view_browser.browser
page = test_view_browser.page


def _open(tab: Page, html: Path, ready: str) -> None:
    tab.call("Page.navigate", {"url": html.resolve().as_uri()})
    tab.wait_for(ready, 30.0)


def test_trends_chart_draws_offline_with_names_as_text(page: Page, tmp_path: Path) -> None:
    html = tmp_path / "trends.html"
    write_trends(timeline_graph(), html, None, top=5)
    _open(page, html, "document.querySelectorAll('.scatterlayer .trace').length === 3")
    assert page.requests() == [html.resolve().as_uri()]
    assert page.problems() == []
    legend = page.evaluate(
        "Array.from(document.querySelectorAll('.legendtext')).map(e => e.textContent)"
    )
    assert legend[:2] == ["Alpha", "Beta"]
    assert "<script>alert(1)</script>$x$]0;PWNED" in legend
    assert page.evaluate("document.querySelectorAll('.bars .point').length") == 1
    assert page.evaluate("typeof window.alerted") == "undefined"
    page.screenshot("trends.png")


def test_digest_page_shows_claims_and_runs_nothing(page: Page, tmp_path: Path) -> None:
    html = tmp_path / "digest.html"
    write_digest(timeline_graph(), html, dt.date(2023, 4, 1), dt.date(2023, 4, 30))
    _open(page, html, "document.readyState === 'complete'")
    assert page.requests() == [html.resolve().as_uri()]
    assert page.problems() == []
    headings = page.evaluate("Array.from(document.querySelectorAll('h3')).map(e => e.textContent)")
    assert headings == ["<script>alert(1)</script>$x$]0;PWNED Model", "DeltaBench Dataset"]
    claims = page.evaluate(
        "Array.from(document.querySelectorAll('li.claim > b')).map(e => e.textContent)"
    )
    assert claims == ["outperforms", "evaluated on"]
    assert page.evaluate("document.scripts.length") == 0
    page.screenshot("digest.png")
