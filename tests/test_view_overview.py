"""The default view is an overview that reads at first sight (issue: what a user sees).

Entities only, the most mentioned first, their labels enlarged to be legible
at the first zoom, stated relations drawn stronger than co-mentions. The
browser tests measure the rendered page: the labels' on-screen boxes, not the
options alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.graph import load_graph_file
from kg.view import write_view
from kg.view.render import MAJOR_LABELS
from tests import test_view_browser
from tests.test_view import nodes_by_id, parse_page, sample_graph, synthetic_graph
from tests.test_view_browser import Page

browser = test_view_browser.browser
page = test_view_browser.page
bundled_graph = test_view_browser.bundled_graph

README = Path(__file__).resolve().parents[1] / "README.md"
#: The smallest on-screen label height (px) that counts as legible.
LEGIBLE_PX = 12


def test_the_default_view_is_an_overview_of_the_entities(tmp_path: Path) -> None:
    report = write_view(sample_graph(), tmp_path / "v.html")
    _parser, data = parse_page(report.path)
    kinds = {node["type"] for node in nodes_by_id(data).values()}
    assert kinds == {"Model", "Dataset", "Organization", "Language"}
    assert (
        report.notes[0] == "overview of the entities (papers are in their tooltips and ego views)"
    )
    ego = write_view(sample_graph(), tmp_path / "e.html", entity="LLaMA")
    assert "Paper" in {node["type"] for node in nodes_by_id(parse_page(ego.path)[1]).values()}


def test_the_overview_keeps_the_most_mentioned_entities(tmp_path: Path) -> None:
    graph = synthetic_graph(1500)
    report = write_view(graph, tmp_path / "v.html")
    entities = [k for k, d in graph.nodes(data=True) if d["label"] not in ("Paper", "Author")]
    assert report.nodes_shown == 150
    assert f"showing the top 150 of {len(entities):,} nodes by papers" in report.notes
    shown = nodes_by_id(parse_page(report.path)[1])
    papers = sorted((graph.nodes[k].get("paper_count", 0) for k in entities), reverse=True)
    assert min(node.get("paper_count", 0) for node in shown.values()) >= papers[149]
    majors = [key for key, node in shown.items() if node.get("major")]
    assert len(majors) == MAJOR_LABELS


def test_relations_are_drawn_stronger_than_co_mentions(tmp_path: Path) -> None:
    report = write_view(sample_graph(), tmp_path / "v.html", min_weight=1)
    edges = parse_page(report.path)[1]["edges"]
    co = [e["width"] for e in edges if e["type"] == "CO_MENTIONED"]
    stated = [e["width"] for e in edges if e["type"] not in ("CO_MENTIONED", "MENTIONS")]
    assert co and stated and max(co) < min(stated)


def _label_boxes(tab: Page) -> list[dict[str, float]]:
    """Each drawn major label's on-screen height and whether it lies in the window."""
    return list(
        tab.evaluate(
            """(function () {
            var box = document.getElementById("mynetwork").getBoundingClientRect();
            return nodes.get({filter: function (n) { return n.major; }}).map(function (n) {
                var node = network.body.nodes[n.id];
                var size = node.labelModule.size;   // the label's own box, canvas units
                var top = network.canvasToDOM({x: size.left, y: size.top});
                var bottom = network.canvasToDOM({x: size.left + size.width,
                                                  y: size.top + size.height});
                return {height: (bottom.y - top.y) / node.labelModule.lineCount,
                        inside: top.x >= 0 && top.y >= 0 && bottom.x <= box.width
                                && bottom.y <= box.height,
                        drawn: n.label !== undefined && n.label !== ""};
            });
        })()"""
        )
    )


def test_bundled_overview_labels_read_at_first_sight(
    page: Page, bundled_graph: Path, tmp_path: Path
) -> None:
    html = tmp_path / "overview.html"
    result = CliRunner().invoke(main, ["view", "--graph", str(bundled_graph), "-o", str(html)])
    assert result.exit_code == 0, result.output
    page.open(html, timeout=60)
    assert page.problems() == []
    assert page.evaluate("network.physics.physicsEnabled") is False
    boxes = _label_boxes(page)
    legible = [b for b in boxes if b["drawn"] and b["inside"] and b["height"] >= LEGIBLE_PX]
    assert len(legible) >= 30, boxes
    assert page.evaluate("document.getElementById('kg-legend').open") is True
    page.screenshot("view_overview.png")


def test_readme_numbers_match_the_bundled_build(bundled_graph: Path, tmp_path: Path) -> None:
    """The README's caption of its screenshot states what `make demo` draws today."""
    found = re.search(
        r"The default view of the bundled sample: ([\d,]+) of ([\d,]+) entities, "
        r"the (\d+) most mentioned labelled at first sight\.",
        README.read_text(encoding="utf-8"),
    )
    assert found, "README.md lost the caption of its screenshot; run make screenshots"
    report = write_view(load_graph_file(bundled_graph), tmp_path / "v.html")
    stated = tuple(int(part.replace(",", "")) for part in found.groups())
    drawn = (report.nodes_shown, report.nodes_selected, MAJOR_LABELS)
    assert stated == drawn, "the README's caption is out of date: run make screenshots"


def test_provenance_shows_in_tooltips_and_knowledge_is_drawn_apart(tmp_path: Path) -> None:
    graph = sample_graph()
    graph.add_edge("model:llama", "dataset:mmlu", key="EVALUATED_ON/knowledge",
                   type="EVALUATED_ON", provenance="knowledge", papers=[], support=0)  # fmt: skip
    for _s, _t, key, data in graph.edges(keys=True, data=True):
        if key == "EVALUATED_ON":
            data["provenance"] = "text"
    report = write_view(graph, tmp_path / "v.html", min_weight=1)
    edges = {e["id"]: e for e in parse_page(report.path)[1]["edges"]}
    stated = next(
        e for e in edges.values() if e["type"] == "EVALUATED_ON" and e.get("provenance") == "text"
    )
    lexicon = edges["model:llama|EVALUATED_ON/knowledge|dataset:mmlu"]
    assert lexicon["dashes"] == [1, 4] and lexicon["color"]["color"] == "#a8a8a8"
    assert lexicon["width"] < stated["width"]
    assert "from kg's lexicon: no paper states it" in lexicon["title"]
    assert "supported by" not in lexicon["title"] and "Evidence:" not in lexicon["title"]
    assert "stated in the text" in stated["title"] and "Evidence:" in stated["title"]
    assert "lexicon (no paper states it)</td>" in report.path.read_text(encoding="utf-8")
