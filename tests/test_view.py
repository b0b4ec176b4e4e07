"""Tests of kg.view: what the page embeds, the selection rules, escaping and offline use.

The browser side (rendering, menus, tooltips) is in ``test_view_browser.py``,
which reuses the graphs built here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.errors import KgError, UsageError
from kg.schema import LABELS
from kg.view import ViewReport, write_view
from kg.view.render import stabilization_iterations
from kg.view.style import EDGE_STYLES, NODE_STYLES

#: Every node type: the whole graph, as opposed to the default overview of the entities.
EVERY_LABEL = list(LABELS)

XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = '<img src=x onerror="window.__xss=1">'

# ---------------------------------------------------------------- graph builders


def _entity(graph: nx.MultiDiGraph[str], key: str, label: str, name: str, **attrs: Any) -> None:
    graph.add_node(key, key=key, label=label, name=name, **attrs)


def _paper(graph: nx.MultiDiGraph[str], key: str, title: str, **attrs: Any) -> None:
    graph.add_node(key, key=key, label="Paper", name=title, title=title, **attrs)


def _relation(
    graph: nx.MultiDiGraph[str], source: str, target: str, rel: str, **attrs: Any
) -> None:
    graph.add_edge(source, target, key=rel, type=rel, **attrs)


def _co_mentioned(graph: nx.MultiDiGraph[str], a: str, b: str, weight: int) -> None:
    source, target = sorted((a, b))
    papers = [f"p{i}" for i in range(weight)]
    _relation(graph, source, target, "CO_MENTIONED", papers=papers, weight=weight)


def sample_graph() -> nx.MultiDiGraph[str]:
    """A small graph following the contract: every label and most relation types."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    _paper(
        g,
        "paper:2302.13971",
        "LLaMA: Open and Efficient Foundation Language Models",
        abstract="We introduce LLaMA, a collection of foundation language models.",
        date="2023-02-27",
        year=2023,
        categories=["cs.CL"],
        authors=["Hugo Touvron", "Thibaut Lavril"],
    )
    _paper(g, "paper:2307.09288", "Llama 2: Open Foundation and Fine-Tuned Chat Models")
    g.add_node(
        "author:hugo-touvron", key="author:hugo-touvron", label="Author", name="Hugo Touvron"
    )
    _entity(
        g,
        "model:llama",
        "Model",
        "LLaMA",
        aliases=["LLaMA-1", "Llama"],
        alias_counts=[3, 2],
        mention_count=30,
        paper_count=12,
        family="llama",
        first_seen="2023-02",
        last_seen="2024-05",
    )
    _entity(g, "model:llama-2", "Model", "Llama 2", aliases=["Llama-2"], paper_count=5)
    _entity(g, "model:mistral-7b", "Model", "Mistral 7B", paper_count=1)
    _entity(g, "dataset:mmlu", "Dataset", "MMLU", paper_count=6, mention_count=8)
    _entity(g, "dataset:the-pile", "Dataset", "The Pile", paper_count=2)
    _entity(g, "org:meta", "Organization", "Meta AI", paper_count=3)
    _entity(g, "lang:finnish", "Language", "Finnish", kind="natural", paper_count=1)

    _relation(g, "paper:2302.13971", "author:hugo-touvron", "AUTHORED_BY", position=1)
    for paper in ("paper:2302.13971", "paper:2307.09288"):
        for entity in ("model:llama", "dataset:mmlu"):
            _relation(g, paper, entity, "MENTIONS", count=2)
    _relation(g, "paper:2307.09288", "model:llama-2", "INTRODUCES")
    _relation(
        g,
        "model:llama",
        "dataset:the-pile",
        "TRAINED_ON",
        papers=["2302.13971"],
        support=1,
        rules=["trained_on"],
        score=0.9,
        evidence=["We train LLaMA on The Pile."],
        evidence_papers=["2302.13971"],
        evidence_titles=["LLaMA: Open and Efficient Foundation Language Models"],
    )
    _relation(
        g,
        "model:llama-2",
        "dataset:mmlu",
        "EVALUATED_ON",
        papers=["2307.09288", "2401.00001"],
        support=2,
        evidence=["Llama 2 is evaluated on MMLU.", "We report MMLU for Llama 2."],
        evidence_papers=["2307.09288", "2401.00001"],
        evidence_titles=["Llama 2: Open Foundation", "A survey"],
    )
    _relation(g, "model:llama-2", "model:llama", "FINE_TUNED_FROM", papers=["x"], support=1)
    _relation(g, "model:llama", "org:meta", "DEVELOPED_BY", papers=["x"], support=1)
    _relation(g, "model:llama", "lang:finnish", "COVERS_LANGUAGE", papers=["x"], support=1)
    _co_mentioned(g, "model:llama", "model:llama-2", 3)
    _co_mentioned(g, "model:llama", "dataset:mmlu", 1)
    _co_mentioned(g, "model:mistral-7b", "model:llama-2", 1)
    return g


def hostile_graph() -> nx.MultiDiGraph[str]:
    """The sample graph with markup in every kind of text a view shows."""
    g = sample_graph()
    g.nodes["model:llama"]["name"] = f"LLaMA {XSS_SCRIPT}"
    g.nodes["model:llama"]["aliases"] = [XSS_IMG, "Llama"]
    g.nodes["org:meta"]["name"] = f"Meta {XSS_IMG}"
    g.nodes["paper:2302.13971"]["title"] = f"Paper {XSS_SCRIPT}"
    g.nodes["paper:2302.13971"]["abstract"] = f"Abstract {XSS_IMG} {XSS_SCRIPT}"
    g.nodes["model:llama-2"]["family"] = XSS_IMG
    edge = g.edges["model:llama", "dataset:the-pile", "TRAINED_ON"]
    edge["evidence"] = [f"We train on it {XSS_SCRIPT} {XSS_IMG}."]
    edge["evidence_titles"] = [f"Title {XSS_IMG}"]
    key = f"model:{XSS_IMG}"
    _entity(g, key, "Model", XSS_SCRIPT, aliases=[XSS_IMG], paper_count=2)
    _relation(g, key, "dataset:mmlu", "EVALUATED_ON", support=1, evidence=[XSS_SCRIPT])
    return g


def synthetic_graph(node_count: int, seed: int = 7) -> nx.MultiDiGraph[str]:
    """A random corpus-like graph: papers mentioning entities, relations, co-mentions."""
    rnd = random.Random(seed)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    shares = {"Paper": 0.4, "Model": 0.3, "Dataset": 0.2, "Organization": 0.05}
    counts = {label: int(node_count * share) for label, share in shares.items()}
    counts["Language"] = node_count - sum(counts.values())
    prefixes = {"Paper": "paper", "Model": "model", "Dataset": "dataset"}
    prefixes |= {"Organization": "org", "Language": "lang"}
    keys: dict[str, list[str]] = {}
    for label, count in counts.items():
        keys[label] = [f"{prefixes[label]}:{label.lower()}-{i}" for i in range(count)]
        for i, key in enumerate(keys[label]):
            if label == "Paper":
                _paper(g, key, f"Paper {i} on scaling laws", abstract="Text. " * 20)
            else:
                _entity(g, key, label, f"{label} {i}", paper_count=rnd.randint(1, 40))
    entities = [
        k for label in ("Model", "Dataset", "Organization", "Language") for k in keys[label]
    ]
    for paper in keys["Paper"]:
        for entity in rnd.sample(entities, 3):
            _relation(g, paper, entity, "MENTIONS", count=1)
    for _ in range(node_count // 2):
        rel = rnd.choice(["TRAINED_ON", "EVALUATED_ON"])
        model, dataset = rnd.choice(keys["Model"]), rnd.choice(keys["Dataset"])
        _relation(g, model, dataset, rel, support=1, evidence=["We evaluate it."])
    for _ in range(node_count):
        a, b = rnd.sample(entities, 2)
        if not g.has_edge(min(a, b), max(a, b), "CO_MENTIONED"):
            _co_mentioned(g, a, b, rnd.randint(1, 6))
    return g


# ---------------------------------------------------------------- reading a page


class _PageParser(HTMLParser):
    """Collects elements, their attributes, script bodies and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.options: list[tuple[str | None, str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style", "option", "td", "li", "h1"):
            self._open = (tag, dict(attrs))
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or self._open[0] != tag:
            return
        text = "".join(self._text)
        attrs = self._open[1]
        if tag == "script":
            self.scripts.append((attrs, text))
        elif tag == "style":
            self.styles.append(text)
        elif tag == "option":
            self.options.append((attrs.get("value"), text))
        self._open = None


def parse_page(path: Path) -> tuple[_PageParser, dict[str, Any]]:
    """The parsed page and the graph data it embeds (nodes, edges, options)."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    blocks = [body for attrs, body in parser.scripts if attrs.get("id") == "kg-view-data"]
    assert len(blocks) == 1
    data: dict[str, Any] = json.loads(blocks[0])
    return parser, data


def nodes_by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in data["nodes"]}


def edges_by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {edge["id"]: edge for edge in data["edges"]}


@pytest.fixture()
def sample_page(tmp_path: Path) -> tuple[ViewReport, _PageParser, dict[str, Any]]:
    report = write_view(sample_graph(), tmp_path / "view.html", types=EVERY_LABEL)
    parser, data = parse_page(report.path)
    return report, parser, data


# ---------------------------------------------------------------- what the page embeds


def test_nodes_carry_style_tooltip_and_filter_fields(
    sample_page: tuple[ViewReport, _PageParser, dict[str, Any]],
) -> None:
    _report, _parser, data = sample_page
    nodes = nodes_by_id(data)
    assert set(nodes) == set(sample_graph().nodes)
    llama = nodes["model:llama"]
    assert llama["label"] == "LLaMA"
    assert llama["type"] == "Model"
    assert llama["name"] == "LLaMA"
    assert llama["paper_count"] == 12
    assert llama["shape"] == NODE_STYLES["Model"].shape
    assert llama["color"]["background"] == NODE_STYLES["Model"].color
    assert nodes["dataset:mmlu"]["shape"] == NODE_STYLES["Dataset"].shape
    assert nodes["dataset:mmlu"]["color"]["background"] == NODE_STYLES["Dataset"].color
    assert {n["shape"] for n in nodes.values()} >= {"dot", "diamond", "triangle", "star", "square"}
    # Size follows paper_count.
    assert nodes["model:llama"]["size"] > nodes["model:llama-2"]["size"]
    assert nodes["model:llama-2"]["size"] > nodes["model:mistral-7b"]["size"]
    title = llama["title"]
    for expected in ("LLaMA", "Model · model:llama", "LLaMA-1, Llama", "12 papers", "30 mentions"):
        assert expected in title
    # Entity tooltips borrow evidence from their relations, with the paper title.
    assert "We train LLaMA on The Pile." in title
    assert "LLaMA: Open and Efficient Foundation Language Models" in title
    paper = nodes["paper:2302.13971"]["title"]
    assert "Authors: Hugo Touvron, Thibaut Lavril" in paper
    assert "We introduce LLaMA" in paper


def test_edges_carry_style_label_and_evidence(
    sample_page: tuple[ViewReport, _PageParser, dict[str, Any]],
) -> None:
    _report, _parser, data = sample_page
    edges = edges_by_id(data)
    trained = edges["model:llama|TRAINED_ON|dataset:the-pile"]
    assert (trained["from"], trained["to"], trained["type"]) == (
        "model:llama",
        "dataset:the-pile",
        "TRAINED_ON",
    )
    assert trained["label"] == "trained on"
    assert trained["color"]["color"] == EDGE_STYLES["TRAINED_ON"].color
    assert trained["arrows"]["to"]["enabled"] is True
    assert trained["dashes"] is False
    assert "LLaMA —trained on→ The Pile" in trained["title"]
    assert "“We train LLaMA on The Pile.”" in trained["title"]
    assert "— LLaMA: Open and Efficient Foundation Language Models" in trained["title"]
    evaluated = edges["model:llama-2|EVALUATED_ON|dataset:mmlu"]
    assert evaluated["dashes"] == list(EDGE_STYLES["EVALUATED_ON"].dashes)
    assert evaluated["support"] == 2
    assert "We report MMLU for Llama 2." in evaluated["title"]
    co = edges["model:llama|CO_MENTIONED|model:llama-2"]
    assert co["weight"] == 3
    assert co["label"] == "co-mentioned ×3"
    assert co["arrows"]["to"]["enabled"] is False


def test_parallel_edges_are_curved_apart(
    sample_page: tuple[ViewReport, _PageParser, dict[str, Any]],
) -> None:
    _report, _parser, data = sample_page
    edges = edges_by_id(data)
    first = edges["model:llama|CO_MENTIONED|model:llama-2"]
    second = edges["model:llama-2|FINE_TUNED_FROM|model:llama"]
    assert "smooth" not in first
    assert second["smooth"]["type"] == "curvedCW"


def test_default_view_drops_light_co_mentions_and_says_so(
    sample_page: tuple[ViewReport, _PageParser, dict[str, Any]],
) -> None:
    report, _parser, data = sample_page
    assert report.weak_edges_dropped == 2
    assert "CO_MENTIONED edges with weight < 2 dropped: 2" in report.notes
    weights = [e["weight"] for e in data["edges"] if e["type"] == "CO_MENTIONED"]
    assert weights == [3]
    assert report.nodes_shown == len(data["nodes"]) == 10
    assert report.edges_shown == len(data["edges"])
    assert report.edges_in_graph == report.edges_shown + 2
    assert not report.capped


def test_min_weight_one_keeps_every_co_mention(tmp_path: Path) -> None:
    report = write_view(sample_graph(), tmp_path / "v.html", min_weight=1, types=EVERY_LABEL)
    _parser, data = parse_page(report.path)
    assert report.weak_edges_dropped == 0
    assert sorted(e["weight"] for e in data["edges"] if e["type"] == "CO_MENTIONED") == [1, 1, 3]
    assert not any("dropped" in note for note in report.notes)


def test_legend_lists_labels_and_relations_shown(
    sample_page: tuple[ViewReport, _PageParser, dict[str, Any]],
) -> None:
    report, _parser, _data = sample_page
    html = report.path.read_text(encoding="utf-8")
    legend = html[html.index('<details id="kg-legend"') : html.index("</details>")]
    for label in ("Author", "Dataset", "Language", "Model", "Organization", "Paper"):
        assert f"<td>{label}</td>" in legend
    for text in ("trained on", "evaluated on", "co-mentioned", "mentions"):
        assert f"<td>{text}</td>" in legend
    assert NODE_STYLES["Dataset"].color in legend


def test_menus_and_options(sample_page: tuple[ViewReport, _PageParser, dict[str, Any]]) -> None:
    _report, parser, data = sample_page
    ids = {attrs.get("id") for _tag, attrs in parser.tags}
    assert {"select-menu", "select-node", "filter-menu", "select-item", "mynetwork"} <= ids
    options = dict(parser.options)
    assert options["model:llama"] == "LLaMA (Model)"
    assert data["filterable"]["node"][:2] == ["type", "name"]
    assert "weight" in data["filterable"]["edge"]
    physics = data["options"]["physics"]
    assert physics["stabilization"]["enabled"] is True
    assert physics["stabilization"]["iterations"] == 1000
    assert data["options"]["interaction"]["hover"] is True


def test_big_views_get_a_cheaper_layout() -> None:
    assert stabilization_iterations(50) == 1000
    assert stabilization_iterations(300) == 666
    assert stabilization_iterations(2000) == 100
    assert stabilization_iterations(50_000) == 100


# ---------------------------------------------------------------- offline and safe


_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)""",
    re.IGNORECASE,
)


def test_page_references_no_external_resource(tmp_path: Path) -> None:
    report = write_view(sample_graph(), tmp_path / "v.html")
    html = report.path.read_text(encoding="utf-8")
    parser, _data = parse_page(report.path)
    for tag, attrs in parser.tags:
        assert tag != "link", "no linked style sheets: everything is inlined"
        assert tag != "script" or "src" not in attrs, "no external scripts"
        for name, value in attrs.items():
            if value and name in ("src", "href", "action", "srcset", "poster", "data"):
                assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    assert _EXTERNAL.search(html) is None
    for css in parser.styles:
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            assert url.startswith("data:"), url
    assert "sourceMappingURL" not in html
    assert not re.search(r"//[\w.-]*(cdn|jsdelivr|unpkg|cloudflare|googleapis)", html, re.I)


def test_content_security_policy_allows_exactly_the_page_scripts(tmp_path: Path) -> None:
    report = write_view(sample_graph(), tmp_path / "v.html")
    parser, _data = parse_page(report.path)
    metas = [a for t, a in parser.tags if t == "meta" and a.get("http-equiv")]
    assert len(metas) == 1
    csp = metas[0]["content"] or ""
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    code = [body for attrs, body in parser.scripts if "type" not in attrs]
    assert len(code) == 4  # vis-network, tom-select, pyvis bindings, kg's view.js
    for body in code:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_untrusted_text_is_escaped_everywhere(tmp_path: Path) -> None:
    graph = hostile_graph()
    report = write_view(graph, tmp_path / "v.html", min_weight=1, types=EVERY_LABEL)
    html = report.path.read_text(encoding="utf-8")
    # No raw markup from the graph anywhere in the file...
    assert XSS_SCRIPT not in html
    assert "<img" not in html
    parser, data = parse_page(report.path)
    for _tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), attrs
    # ...exactly the page's own elements...
    assert [t for t, _a in parser.tags].count("script") == 5
    assert not any(t in ("img", "iframe", "object", "embed") for t, _a in parser.tags)
    # ...and the text comes back unchanged where people read it.
    options = dict(parser.options)
    assert options[f"model:{XSS_IMG}"] == f"{XSS_SCRIPT} (Model)"
    assert options["model:llama"] == f"LLaMA {XSS_SCRIPT} (Model)"
    nodes = nodes_by_id(data)
    assert nodes["org:meta"]["name"] == f"Meta {XSS_IMG}"
    assert XSS_IMG in nodes["model:llama"]["title"]
    assert f"Abstract {XSS_IMG}" in nodes["paper:2302.13971"]["title"]
    edge = edges_by_id(data)["model:llama|TRAINED_ON|dataset:the-pile"]
    assert f"We train on it {XSS_SCRIPT} {XSS_IMG}." in edge["title"]
    assert f"Title {XSS_IMG}" in edge["title"]


def test_ego_heading_escapes_the_entity_name(tmp_path: Path) -> None:
    report = write_view(hostile_graph(), tmp_path / "v.html", entity="model:llama")
    html = report.path.read_text(encoding="utf-8")
    assert "<h1>Around LLaMA &lt;script&gt;window.__xss=1&lt;/script&gt;</h1>" in html
    assert "<title>Around LLaMA &lt;script&gt;" in html


# ---------------------------------------------------------------- selection rules


@pytest.mark.parametrize("query", ["model:llama-2", "llama 2", "LLAMA-2", "Model:Llama-2"])
def test_entity_is_found_by_key_name_or_alias(tmp_path: Path, query: str) -> None:
    report = write_view(sample_graph(), tmp_path / "v.html", entity=query)
    assert report.center == "model:llama-2"


def test_ego_view_keeps_nodes_within_depth_over_shown_edges(tmp_path: Path) -> None:
    graph = sample_graph()
    report = write_view(graph, tmp_path / "v.html", entity="Llama 2")
    _parser, data = parse_page(report.path)
    # In and out edges both count; the weight-1 co-mention with Mistral is not a hop.
    assert set(nodes_by_id(data)) == {
        "model:llama-2",
        "paper:2307.09288",
        "dataset:mmlu",
        "model:llama",
    }
    assert data["center"] == "model:llama-2"
    assert nodes_by_id(data)["model:llama-2"]["borderWidth"] == 4
    assert "ego view of Llama 2 (model:llama-2), 1 hop" in report.notes
    assert report.summary().startswith("4 nodes and ")

    wider = write_view(graph, tmp_path / "w.html", entity="Llama 2", depth=2, min_weight=1)
    _parser, wide = parse_page(wider.path)
    assert {"model:mistral-7b", "org:meta", "paper:2302.13971"} <= set(nodes_by_id(wide))
    only = write_view(graph, tmp_path / "o.html", entity="Llama 2", depth=0)
    assert only.nodes_shown == 1


def test_unknown_entity_suggests_close_names(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"'Lama 2'.*close names: Llama 2 \(model:llama-2\)"):
        write_view(sample_graph(), tmp_path / "v.html", entity="Lama 2")
    with pytest.raises(UsageError, match="no name is close"):
        write_view(sample_graph(), tmp_path / "v.html", entity="zzzzzzzz")
    assert not (tmp_path / "v.html").exists()


def test_types_keep_only_those_labels_and_the_center(tmp_path: Path) -> None:
    graph = sample_graph()
    report = write_view(graph, tmp_path / "v.html", types=["model", "Dataset"])
    _parser, data = parse_page(report.path)
    assert {n["type"] for n in data["nodes"]} == {"Model", "Dataset"}
    assert "node types: Dataset, Model" in report.notes
    ego = write_view(graph, tmp_path / "e.html", entity="Meta AI", types=["Model"])
    _parser, data = parse_page(ego.path)
    assert set(nodes_by_id(data)) == {"org:meta", "model:llama"}
    assert write_view(graph, tmp_path / "c.html", types=["Model,Language"]).nodes_shown == 4


def test_unknown_type_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown node type 'Modle'.*did you mean Model"):
        write_view(sample_graph(), tmp_path / "v.html", types=["Modle"])


def test_top_keeps_the_best_connected_nodes_and_the_center(tmp_path: Path) -> None:
    graph = sample_graph()
    report = write_view(graph, tmp_path / "v.html", top=3, types=EVERY_LABEL)
    _parser, data = parse_page(report.path)
    assert set(nodes_by_id(data)) == {"model:llama", "dataset:mmlu", "model:llama-2"}
    assert report.capped
    assert report.nodes_selected == 10
    assert "showing the top 3 of 10 nodes by degree" in report.notes
    assert all(
        e["from"] in nodes_by_id(data) and e["to"] in nodes_by_id(data) for e in data["edges"]
    )
    ego = write_view(graph, tmp_path / "e.html", entity="lang:finnish", depth=2, top=2)
    assert ego.center == "lang:finnish"
    _parser, data = parse_page(ego.path)
    assert set(nodes_by_id(data)) == {"lang:finnish", "model:llama"}


def test_report_numbers_use_thousands_separators(tmp_path: Path) -> None:
    graph = synthetic_graph(1500)
    report = write_view(graph, tmp_path / "v.html", types=EVERY_LABEL)
    assert report.nodes_shown == 300
    assert "showing the top 300 of 1,500 nodes by degree" in report.notes
    dropped = next(n for n in report.notes if n.startswith("CO_MENTIONED"))
    assert re.fullmatch(r"CO_MENTIONED edges with weight < 2 dropped: [\d,]+", dropped)
    assert "1,500" not in report.summary().split(";")[0]
    _parser, data = parse_page(report.path)
    assert data["options"]["layout"]["improvedLayout"] is False


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"depth": -1}, "depth must be 0 or more"),
        ({"top": 0}, "top must be at least 1"),
        ({"min_weight": -2}, "min_weight must be 0 or more"),
        ({"types": []}, "types is empty"),
        ({"entity": "  "}, "entity is empty"),
    ],
)
def test_meaningless_options_are_usage_errors(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        write_view(sample_graph(), tmp_path / "v.html", **options)


def test_empty_selection_still_writes_a_page(tmp_path: Path) -> None:
    graph = sample_graph()
    graph.remove_nodes_from([n for n, d in graph.nodes(data=True) if d["label"] == "Language"])
    report = write_view(graph, tmp_path / "v.html", types=["Author"], top=5)
    assert report.nodes_shown == 1
    empty: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    report = write_view(empty, tmp_path / "e.html")
    assert report.nodes_shown == report.edges_shown == 0
    assert "no node matches these filters" in report.notes
    _parser, data = parse_page(report.path)
    assert data["nodes"] == [] and data["options"]["physics"]["enabled"] is False


def test_minimal_graph_without_optional_attributes(tmp_path: Path) -> None:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    graph.add_node("model:x")
    graph.add_node("thing:y", label="Gadget")
    graph.add_edge("model:x", "thing:y", key="USES")
    report = write_view(graph, tmp_path / "nested" / "dir" / "v.html")
    _parser, data = parse_page(report.path)
    nodes = nodes_by_id(data)
    assert nodes["model:x"]["type"] == "Model"
    assert nodes["model:x"]["label"] == "model:x"
    assert nodes["thing:y"]["type"] == "Gadget"
    assert data["edges"][0]["type"] == "USES"
    assert data["edges"][0]["label"] == "uses"


def test_unwritable_path_is_a_kg_error(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(KgError, match="taken: is a directory; give a file name for the view"):
        write_view(sample_graph(), tmp_path / "taken")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_names_beat_aliases_and_entities_beat_papers(tmp_path: Path) -> None:
    graph = sample_graph()
    assert write_view(graph, tmp_path / "a.html", entity="LLaMA-1").center == "model:llama"
    # A name beats an alias, even of an entity found in more papers.
    _entity(graph, "dataset:llama-1", "Dataset", "LLaMA-1", paper_count=1)
    assert write_view(graph, tmp_path / "b.html", entity="llama-1").center == "dataset:llama-1"
    _paper(graph, "paper:mmlu", "MMLU")
    assert write_view(graph, tmp_path / "c.html", entity="mmlu").center == "dataset:mmlu"


def test_same_graph_gives_the_same_page(tmp_path: Path) -> None:
    first = write_view(sample_graph(), tmp_path / "a.html").path.read_bytes()
    second = write_view(sample_graph(), tmp_path / "b.html").path.read_bytes()
    assert first == second
