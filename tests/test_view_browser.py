"""Views in a real browser: Debian's headless Chromium, offline, from file://.

Chromium is driven over the DevTools protocol through a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL on fds 3 and 4), so
the tests need no websocket client and download nothing. If Chromium is
missing, the session installs Debian's package with apt-get; the tests skip
only when that is impossible.

Screenshots land in ``build/`` (view.png, view_ego.png, view_xss.png,
view_2000.png) for people to look at, with the 2,000-node timing in
``build/view_timing.json``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.view import write_view
from tests.test_view import (
    EVERY_LABEL,
    XSS_IMG,
    XSS_SCRIPT,
    hostile_graph,
    sample_graph,
    synthetic_graph,
)

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
BUILD = Path(__file__).resolve().parents[1] / "build"
WIDTH, HEIGHT = 1400, 900
#: A generous bound for the 2,000-node view; it takes about 6 s on a 2-core machine.
BIG_VIEW_SECONDS = 30.0


class BrowserError(Exception):
    """Chromium answered a command with an error, or did not answer in time."""


class Chromium:
    """One headless Chromium, spoken to over ``--remote-debugging-pipe``."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)

        def wire_fds() -> None:
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            args,
            pass_fds=(3, 4),
            preexec_fn=wire_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in (to_browser_r, from_browser_w, high_r, high_w):
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its reply, keeping the events seen meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _w, _x = select.select([self._from_browser], [], [], max(0.0, remaining))
            if not ready:
                raise BrowserError("Chromium did not answer within 60 s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, _sep, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def close(self) -> None:
        """Ask Chromium to quit; kill it (only this process) if it does not."""
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)


class Page:
    """One tab, with the console errors, exceptions and requests it produced."""

    def __init__(self, browser: Chromium) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.target = target
        attached = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session: str = attached["sessionId"]
        self._first_event = len(browser.events)
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.call(method, params, session=self.session)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression; a thrown exception fails the test."""
        reply = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def open(self, path: Path, *, timeout: float = 30.0) -> float:
        """Load a view from file:// and wait until its layout has settled; return seconds."""
        start = time.monotonic()
        self.call("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_for("window.kgView && window.kgView.stabilized === true", timeout)
        return time.monotonic() - start

    def wait_for(self, expression: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"Boolean({expression})"):
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {expression}")
            time.sleep(0.05)

    def screenshot(self, name: str) -> Path:
        BUILD.mkdir(exist_ok=True)
        png = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path = BUILD / name
        path.write_bytes(base64.b64decode(png))
        return path

    def hover(self, node_id: str, toward: str | None = None, share: float = 0.0) -> None:
        """Move the mouse onto a node, or ``share`` of the way along an edge to ``toward``."""
        point = self.evaluate(
            f"""(function () {{
                var a = {json.dumps(node_id)}, b = {json.dumps(toward or node_id)};
                var at = network.getPositions([a, b]);
                var x = at[a].x + {share} * (at[b].x - at[a].x);
                var y = at[a].y + {share} * (at[b].y - at[a].y);
                var dom = network.canvasToDOM({{x: x, y: y}});
                var box = document.getElementById("mynetwork").getBoundingClientRect();
                window.__kgLastPoint = {{x: box.left + dom.x, y: box.top + dom.y}};
                return window.__kgLastPoint;
            }})()"""
        )
        for dx in (-3, 0):
            self.call(
                "Input.dispatchMouseEvent",
                {"type": "mouseMoved", "x": point["x"] + dx, "y": point["y"]},
            )

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def node_point(self, node_id: str) -> tuple[float, float]:
        """Where a node is on the screen."""
        self.hover(node_id)
        point = self.evaluate("window.__kgLastPoint")
        return point["x"], point["y"]

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, and failed or CSP-blocked loads."""
        found = []
        for event in self.browser.events[self._first_event :]:
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning"):
                found.append(f"console.{params['type']}: {params['args']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry']['text']}")
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for."""
        return [
            event["params"]["request"]["url"]
            for event in self.browser.events[self._first_event :]
            if event.get("sessionId") == self.session
            and event.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})


def _install_chromium() -> str | None:
    """Install Debian's chromium if it is missing; return why not if that is impossible."""
    if Path(CHROMIUM).exists():
        return None
    if shutil.which("apt-get") is None:
        return "chromium is not installed and apt-get is not available"
    if os.geteuid() != 0:
        return "chromium is not installed and installing it needs root"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-500:]}"
    return None if Path(CHROMIUM).exists() else f"chromium installed but {CHROMIUM} is missing"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    reason = _install_chromium()
    if reason is not None:
        pytest.skip(reason)
    chromium = Chromium(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture()
def page(browser: Chromium) -> Iterator[Page]:
    tab = Page(browser)
    try:
        yield tab
    finally:
        tab.close()


def _assert_clean_offline_load(page: Page, html: Path) -> None:
    """Nothing but the page itself was requested, and nothing went wrong."""
    assert page.requests() == [html.resolve().as_uri()]
    assert page.problems() == []
    assert page.evaluate("document.querySelectorAll('#mynetwork canvas').length") == 1


def _write(graph: nx.MultiDiGraph[str], path: Path, **options: Any) -> Path:
    return write_view(graph, path, **options).path


# ---------------------------------------------------------------- tests


def test_sample_view_renders_offline(page: Page, tmp_path: Path) -> None:
    html = _write(sample_graph(), tmp_path / "view.html", types=EVERY_LABEL)
    page.open(html)
    _assert_clean_offline_load(page, html)
    state = page.evaluate("window.kgView")
    assert state["ready"] and state["nodeCount"] == 10
    # Physics is switched off once the layout has settled.
    assert page.evaluate("network.physics.physicsEnabled") is False
    assert page.evaluate("document.getElementById('kg-loading').hidden") is True
    legend = page.evaluate("document.getElementById('kg-legend').innerText")
    assert "Dataset" in legend and "trained on" in legend
    page.screenshot("view.png")


def test_empty_view_says_so(page: Page, tmp_path: Path) -> None:
    html = _write(nx.MultiDiGraph(), tmp_path / "empty.html")
    page.open(html)
    _assert_clean_offline_load(page, html)
    assert page.evaluate("document.getElementById('kg-empty').hidden") is False


def test_ego_view_renders(page: Page, tmp_path: Path) -> None:
    html = _write(sample_graph(), tmp_path / "ego.html", entity="LLaMA", depth=1)
    page.open(html)
    _assert_clean_offline_load(page, html)
    ids = page.evaluate("nodes.getIds()")
    assert "model:llama" in ids and "model:mistral-7b" not in ids
    assert page.evaluate("document.querySelector('h1').textContent") == "Around LLaMA"
    page.screenshot("view_ego.png")


def test_search_and_filter_menus_work_offline(page: Page, tmp_path: Path) -> None:
    html = _write(sample_graph(), tmp_path / "menus.html")
    page.open(html)
    # Search: typing a name offers the node; choosing it selects and highlights it.
    offered = page.evaluate(
        """(function () {
            var ts = document.getElementById('select-node').tomselect;
            ts.focus(); ts.setTextboxValue('mmlu'); ts.refreshOptions(true);
            return Array.from(ts.dropdown_content.querySelectorAll('.option'))
                .map(function (o) { return o.textContent; });
        })()"""
    )
    assert offered == ["MMLU (Dataset)"]
    page.evaluate("document.getElementById('select-node').tomselect.setValue('dataset:mmlu')")
    assert page.evaluate("network.getSelectedNodes()") == ["dataset:mmlu"]
    greyed = page.evaluate("nodes.get('lang:finnish').color")
    assert greyed == "rgba(200,200,200,0.5)"
    page.evaluate("document.getElementById('kg-reset-selection').click()")
    assert page.evaluate("nodes.get('lang:finnish').color.background") == "#b07aa1"

    # Clicking a node greys out all but its neighbours; clicking the background resets.
    page.click(*page.node_point("lang:finnish"))
    page.wait_for("network.getSelectedNodes()[0] === 'lang:finnish'", 5)
    assert page.evaluate("nodes.get('model:mistral-7b').color") == "rgba(200,200,200,0.5)"
    assert page.evaluate("nodes.get('model:llama').color.background") == "#4e79a7"
    page.click(WIDTH - 10, HEIGHT - 10)
    page.wait_for("network.getSelectedNodes().length === 0", 5)
    assert page.evaluate("nodes.get('model:mistral-7b').color.background") == "#4e79a7"

    # Filter: nodes whose type is Model stay, the rest are hidden; reset shows all.
    page.evaluate(
        """(function () {
            document.getElementById('select-item').tomselect.setValue('node');
            document.getElementById('select-property').tomselect.setValue('type');
            document.getElementById('select-value').tomselect.setValue(['Model']);
            document.getElementById('kg-filter').click();
        })()"""
    )
    visible = page.evaluate("nodes.get({filter: function (n) { return !n.hidden; }})")
    assert sorted(n["id"] for n in visible) == ["model:llama", "model:llama-2", "model:mistral-7b"]
    page.evaluate("document.getElementById('kg-reset-filter').click()")
    assert page.evaluate("nodes.get({filter: function (n) { return n.hidden; }}).length") == 0
    # Edge filter: the nodes at either end of TRAINED_ON edges.
    page.evaluate(
        """(function () {
            document.getElementById('select-item').tomselect.setValue('edge');
            document.getElementById('select-property').tomselect.setValue('type');
            document.getElementById('select-value').tomselect.setValue(['TRAINED_ON']);
            document.getElementById('kg-filter').click();
        })()"""
    )
    visible = page.evaluate("nodes.get({filter: function (n) { return !n.hidden; }})")
    assert sorted(n["id"] for n in visible) == ["dataset:the-pile", "model:llama"]
    assert page.problems() == []


def test_hostile_text_never_runs(page: Page, tmp_path: Path) -> None:
    html = _write(hostile_graph(), tmp_path / "xss.html", min_weight=1)
    page.open(html)
    _assert_clean_offline_load(page, html)
    # Open every menu that shows graph text: search results and filter values.
    page.evaluate(
        """(function () {
            var ts = document.getElementById('select-node').tomselect;
            ts.focus(); ts.setTextboxValue('script'); ts.refreshOptions(true);
            document.getElementById('select-item').tomselect.setValue('node');
            document.getElementById('select-property').tomselect.setValue('name');
            var values = document.getElementById('select-value').tomselect;
            values.refreshOptions(true); values.open();
            ts.focus(); ts.refreshOptions(true);
        })()"""
    )
    options = page.evaluate(
        "Array.from(document.querySelectorAll('#select-node-ts-dropdown .option'))"
        ".map(function (o) { return o.textContent; })"
    )
    assert f"{XSS_SCRIPT} (Model)" in options
    names = page.evaluate("Object.keys(document.getElementById('select-value').tomselect.options)")
    assert f"Meta {XSS_IMG}" in names
    # Hover the hostile node and the one whose tooltip holds hostile evidence.
    for node in ("model:llama", f"model:{XSS_IMG}"):
        page.hover(node)
        marker = json.dumps(f"Model · {node}")
        page.wait_for(
            "document.querySelector('div.vis-tooltip') &&"
            " document.querySelector('div.vis-tooltip').style.visibility === 'visible' &&"
            f" document.querySelector('div.vis-tooltip').innerText.includes({marker})",
            5,
        )
        tooltip = page.evaluate(
            "(function () { var t = document.querySelector('div.vis-tooltip');"
            " return {text: t.innerText, tags: Array.from(t.querySelectorAll('*'))"
            ".map(function (e) { return e.tagName; })}; })()"
        )
        # vis-network sets the text with innerText, whose only markup is <br> per newline.
        assert set(tooltip["tags"]) == {"BR"}
        assert XSS_SCRIPT in tooltip["text"]
        assert XSS_IMG in tooltip["text"]
    # And the edge whose evidence sentence and paper title carry markup.
    page.hover("model:llama", "dataset:the-pile", 0.3)
    page.wait_for(
        "document.querySelector('div.vis-tooltip').style.visibility === 'visible' &&"
        " document.querySelector('div.vis-tooltip').innerText.includes('TRAINED_ON')",
        5,
    )
    text = page.evaluate("document.querySelector('div.vis-tooltip').innerText")
    assert f"We train on it {XSS_SCRIPT} {XSS_IMG}." in text
    assert f"Title {XSS_IMG}" in text
    assert page.evaluate("document.querySelectorAll('div.vis-tooltip *:not(br)').length") == 0
    page.screenshot("view_xss.png")
    time.sleep(0.3)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("document.scripts.length") == 5
    assert page.problems() == []


def test_two_thousand_nodes_render_in_time(page: Page, tmp_path: Path) -> None:
    report = write_view(
        synthetic_graph(2000), tmp_path / "big.html", top=2000, min_weight=1, types=EVERY_LABEL
    )
    assert report.nodes_shown == 2000
    seconds = page.open(report.path, timeout=120)
    _assert_clean_offline_load(page, report.path)
    state = page.evaluate("window.kgView")
    layout = (state["stabilizedAt"] - state["drawnAt"]) / 1000
    BUILD.mkdir(exist_ok=True)
    timing = {
        "nodes": report.nodes_shown,
        "edges": report.edges_shown,
        "load_to_settled_s": round(seconds, 2),
        "layout_s": round(layout, 2),
        "iterations": page.evaluate("network.physics.options.stabilization.iterations"),
    }
    (BUILD / "view_timing.json").write_text(json.dumps(timing, indent=2) + "\n")
    page.screenshot("view_2000.png")
    print(f"\n2,000-node view: settled {seconds:.1f} s after navigation ({timing})")
    assert seconds < BIG_VIEW_SECONDS


@pytest.fixture(scope="module")
def bundled_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, built into a saved graph by the real pipeline (no store)."""
    from click.testing import CliRunner

    from kg.cli import main
    from tests.conftest import SEEDS

    path = tmp_path_factory.mktemp("sample") / "graph.json"
    result = CliRunner().invoke(
        main, ["build", *map(str, SEEDS), "-o", str(path), "--no-load", "--no-view"]
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize(
    ("name", "options"), [("sample_view", []), ("sample_ego_bloom", ["--entity", "BLOOM"])]
)
def test_bundled_sample_views_render_offline(
    page: Page, tmp_path: Path, bundled_graph: Path, name: str, options: list[str]
) -> None:
    """``kg view`` on the real sample graph (and its BLOOM ego view) loads offline, cleanly."""
    from click.testing import CliRunner

    from kg.cli import main

    html = tmp_path / f"{name}.html"
    result = CliRunner().invoke(
        main, ["view", "--graph", str(bundled_graph), "-o", str(html), *options]
    )
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text)
    assert not re.search(r"""(?:url\(|@import)\s*["']?\s*(?:https?:)?//""", text)
    page.open(html)
    _assert_clean_offline_load(page, html)
    assert page.evaluate("window.kgView")["ready"]
    if options:
        assert "model:bloom" in page.evaluate("nodes.getIds()")
    page.screenshot(f"{name}.png")
