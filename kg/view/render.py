"""Turn a selection into one self-contained HTML page that works offline.

The nodes and edges are assembled with pyvis's ``Network`` (and its
``select_menu`` / ``filter_menu`` switches), but the page comes from kg's own
template, ``kg/data/view/template.html``, a trimmed-down version of pyvis's:

* pyvis 0.3.2 links Bootstrap from a CDN even with ``cdn_resources="in_line"``
  and ``"local"`` needs a ``lib/`` folder next to the page. Here every script
  and style sheet is inlined: vis-network, tom-select and pyvis's bindings
  (``utils.js``) are read from the installed pyvis package, and kg's small
  CSS replaces Bootstrap. The page loads from ``file://`` with no network.
* pyvis renders its template without autoescaping and writes node ids into
  the select menu as raw HTML. kg's template is rendered with autoescaping,
  the graph travels as a JSON data block, and a Content-Security-Policy that
  allows only the page's own scripts (by hash) backs that up.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from jinja2 import DictLoader, Environment, StrictUndefined
from pyvis.network import Network

from kg.schema import LABELS, REL_TYPES
from kg.view.select import EdgeRecord, Selection, edge_type, node_label, node_name
from kg.view.style import (
    KNOWLEDGE_STYLE,
    edge_payload,
    edge_style,
    is_knowledge,
    node_payload,
    node_style,
)

#: vis-network's version inside pyvis 0.3.2, the one kg inlines.
VIS_VERSION = "9.1.2"
_PYVIS_LIB = "templates/lib"
_SOURCE_MAP = re.compile(r"^\s*(?://|/\*)# sourceMappingURL=.*$", re.MULTILINE)
_UNSAFE_IN_ELEMENT = re.compile(r"</(script|style)|<!--", re.IGNORECASE)

#: Node and edge fields offered by the filter menu, when some item carries them.
FILTERABLE: dict[str, tuple[str, ...]] = {
    "node": ("type", "name", "paper_count", "mention_count", "family", "kind", "year"),
    "edge": ("type", "weight", "support"),
}


@dataclass(frozen=True)
class PageText:
    """What the page says around the graph: its title and the report lines."""

    heading: str
    notes: tuple[str, ...]


def build_network(graph: nx.MultiDiGraph[str], selection: Selection) -> Network:
    """A pyvis Network holding the selection, styled, with both menus switched on."""
    net = Network(
        height="100%",
        width="100%",
        directed=True,
        neighborhood_highlight=True,
        select_menu=True,
        filter_menu=True,
        cdn_resources="in_line",
    )
    major = major_nodes(graph, selection)
    for key in selection.nodes:
        payload = node_payload(graph, key, graph.nodes[key], center=key == selection.center)
        if key in major:
            payload["major"] = True
        node_id = payload.pop("id")
        net.add_node(
            node_id,
            label=payload.pop("label"),
            shape=payload.pop("shape"),
            color=payload.pop("color"),
            **payload,
        )
    for edge, index in zip(selection.edges, parallel_indices(selection.edges), strict=True):
        payload = edge_payload(graph, edge, index)
        net.add_edge(payload.pop("from"), payload.pop("to"), **payload)
    net.options = view_options(len(selection.nodes))
    return net


#: How many nodes a view labels legibly at its first zoom (the rest show when zoomed in).
MAJOR_LABELS = 40


def major_nodes(graph: nx.MultiDiGraph[str], selection: Selection) -> frozenset[str]:
    """The nodes whose labels must be readable at first sight: the ego centre and the
    entities found in the most papers (then the best connected), at most ``MAJOR_LABELS``.

    The page enlarges their labels once the layout has settled and been fitted
    to the window, so they read at about 13 px whatever the zoom (view.js).
    """
    degree: Counter[str] = Counter()
    for source, target, _key, _data in selection.edges:
        degree[source] += 1
        degree[target] += 1

    def rank(key: str) -> tuple[bool, int, int, str]:
        papers = graph.nodes[key].get("paper_count")
        count = papers if isinstance(papers, int) and not isinstance(papers, bool) else 0
        return key != selection.center, -count, -degree[key], key

    return frozenset(sorted(selection.nodes, key=rank)[:MAJOR_LABELS])


def parallel_indices(edges: Sequence[EdgeRecord]) -> list[int]:
    """For each edge, how many edges before it join the same two nodes (either way)."""
    seen: Counter[frozenset[str]] = Counter()
    indices = []
    for source, target, _key, _data in edges:
        pair = frozenset((source, target))
        indices.append(seen[pair])
        seen[pair] += 1
    return indices


def stabilization_iterations(node_count: int) -> int:
    """Fewer layout iterations for big views, so 2,000 nodes still settle in seconds."""
    if node_count <= 100:
        return 1000
    return max(100, min(1000, 200_000 // node_count))


def view_options(node_count: int) -> dict[str, Any]:
    """vis-network options: a settled force layout, hover tooltips, readable labels.

    Physics runs only during stabilization; the page switches it off when
    ``stabilizationIterationsDone`` fires, so a big view stops using the CPU.
    """
    big = node_count > 300
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": node_count <= 150},
        "nodes": {
            "borderWidth": 1,
            "font": {
                "face": "system-ui, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 7}},
        },
        "edges": {
            "smooth": False,
            "selectionWidth": 1.5,
            "hoverWidth": 0.5,
            "font": {
                "size": 9,
                "face": "system-ui, sans-serif",
                "color": "#555555",
                "strokeWidth": 2,
                "strokeColor": "#ffffff",
                "align": "middle",
            },
        },
        "physics": {
            "enabled": node_count > 0,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                # A coarser Barnes-Hut approximation keeps each step of a big
                # view at ~15 ms instead of ~45 ms in headless Chromium.
                "theta": 1.0 if big else 0.5,
                "gravitationalConstant": -60,
                "centralGravity": 0.01,
                "springLength": 110,
                "springConstant": 0.08,
                "damping": 0.6,
                "avoidOverlap": 0.2,
            },
            "maxVelocity": 50,
            "minVelocity": 0.75,
            "timestep": 0.5,
            "stabilization": {
                "enabled": True,
                "iterations": stabilization_iterations(node_count),
                "updateInterval": 25,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "navigationButtons": False,
            "multiselect": False,
        },
    }


def render_page(
    graph: nx.MultiDiGraph[str], selection: Selection, net: Network, text: PageText
) -> str:
    """The HTML page: inlined assets, legend, menus and the graph as a JSON block."""
    scripts = [_inline(body) for body in _script_sources()]
    styles = [_inline(body) for body in _style_sources()]
    nodes: list[dict[str, Any]] = net.nodes
    edges: list[dict[str, Any]] = net.edges
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": net.options,
        "filterable": _filterable(nodes, edges),
        "center": selection.center,
        "neighborhoodHighlight": bool(net.neighborhood_highlight),
    }
    context = {
        "csp": content_security_policy(scripts),
        "title": text.heading,
        "heading": text.heading,
        "notes": text.notes,
        "select_menu": bool(net.select_menu),
        "filter_menu": bool(net.filter_menu),
        "node_options": _node_options(graph, selection),
        "legend_nodes": _legend_nodes(graph, selection),
        "legend_edges": _legend_edges(selection),
        "node_count": len(nodes),
        "data": data,
        "styles": styles,
        "scripts": scripts,
        "vis_version": VIS_VERSION,
    }
    return _environment().get_template("template.html").render(context)


def content_security_policy(scripts: Sequence[str]) -> str:
    """Allow only these inline scripts (by SHA-256), inline styles and data: images.

    Nothing may be fetched, so a resource reference that slips in fails
    visibly in a browser's console instead of leaking a request.
    """
    hashes = " ".join(f"'sha256-{_sha256(body)}'" for body in scripts)
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _sha256(body: str) -> str:
    """The base64 SHA-256 digest CSP expects for an inline script."""
    return base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")


def _script_sources() -> list[str]:
    """vis-network, tom-select and pyvis's bindings from pyvis, then kg's own script."""
    return [
        _pyvis_text(f"{_PYVIS_LIB}/vis-{VIS_VERSION}/vis-network.min.js"),
        _pyvis_text(f"{_PYVIS_LIB}/tom-select/tom-select.complete.min.js"),
        "/* pyvis bindings (lib/bindings/utils.js), BSD-3-Clause,"
        " Copyright (c) 2018 West Health Institute */\n"
        + _pyvis_text(f"{_PYVIS_LIB}/bindings/utils.js"),
        _kg_text("view.js"),
    ]


def _style_sources() -> list[str]:
    """vis-network's and tom-select's style sheets, then kg's (instead of Bootstrap)."""
    return [
        _pyvis_text(f"{_PYVIS_LIB}/vis-{VIS_VERSION}/vis-network.css"),
        _pyvis_text(f"{_PYVIS_LIB}/tom-select/tom-select.css"),
        _kg_text("view.css"),
    ]


def _pyvis_text(relative: str) -> str:
    """A text file shipped inside the installed pyvis package."""
    return (importlib.resources.files("pyvis") / relative).read_text(encoding="utf-8")


def _kg_text(name: str) -> str:
    """A file of kg's view assets (``kg/data/view/``)."""
    resource = importlib.resources.files("kg") / "data" / "view" / name
    return resource.read_text(encoding="utf-8")


def _inline(body: str) -> str:
    """An asset ready to sit inside ``<script>`` or ``<style>``.

    Source-map comments would make a browser's developer tools look for a
    file that is not there, so they go. A body that could end its element
    early is refused rather than silently broken.
    """
    cleaned = _SOURCE_MAP.sub("", body)
    if _UNSAFE_IN_ELEMENT.search(cleaned):
        raise ValueError("an inlined asset contains </script>, </style> or <!--")
    return cleaned


def _environment() -> Environment:
    """A Jinja environment that escapes every value unless marked safe."""
    template = _kg_text("template.html")
    return Environment(
        loader=DictLoader({"template.html": template}),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _filterable(
    nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]
) -> dict[str, list[str]]:
    """The filter menu's properties, keeping only those some node or edge has."""
    items = {"node": nodes, "edge": edges}
    return {
        kind: [prop for prop in props if any(prop in item for item in items[kind])]
        for kind, props in FILTERABLE.items()
    }


def _node_options(graph: nx.MultiDiGraph[str], selection: Selection) -> list[dict[str, str]]:
    """The search menu's entries, ``name (Label)``, sorted by name."""
    options = []
    for key in selection.nodes:
        data = graph.nodes[key]
        options.append({"id": key, "text": f"{node_name(key, data)} ({node_label(key, data)})"})
    options.sort(key=lambda option: (option["text"].casefold(), option["id"]))
    return options


def _schema_order(name: str, order: Sequence[str]) -> tuple[int, str]:
    """Sort key: the schema's order first (papers, authors, entities), then by name."""
    return (order.index(name) if name in order else len(order), name)


def _legend_nodes(graph: nx.MultiDiGraph[str], selection: Selection) -> list[dict[str, Any]]:
    """One legend row per node label shown, with its colour, shape and count."""
    counts = Counter(node_label(key, graph.nodes[key]) for key in selection.nodes)
    rows = []
    for label, count in sorted(counts.items(), key=lambda item: _schema_order(item[0], LABELS)):
        style = node_style(label)
        rows.append(
            {
                "label": label,
                "color": style.color,
                "border": style.border,
                "shape": style.shape,
                "count": count,
            }
        )
    return rows


def _legend_edges(selection: Selection) -> list[dict[str, Any]]:
    """One legend row per relation type shown, with its line style and count."""
    counts = Counter(
        edge_type(key, data) for _s, _t, key, data in selection.edges if not is_knowledge(data)
    )
    knowledge = sum(1 for *_e, data in selection.edges if is_knowledge(data))
    rows = []
    for rel_type, count in sorted(counts.items(), key=lambda i: _schema_order(i[0], REL_TYPES)):
        style = edge_style(rel_type)
        rows.append(
            {
                "type": rel_type,
                "text": style.text,
                "color": style.color,
                "dasharray": " ".join(str(d) for d in style.dashes),
                "arrow": style.arrow,
                "count": count,
            }
        )
    if knowledge:
        rows.append(
            {
                "type": "knowledge",
                "text": KNOWLEDGE_STYLE.text,
                "color": KNOWLEDGE_STYLE.color,
                "dasharray": " ".join(str(d) for d in KNOWLEDGE_STYLE.dashes),
                "arrow": KNOWLEDGE_STYLE.arrow,
                "count": knowledge,
            }
        )
    return rows
