"""How a view looks: colour and shape per node label, line style per relation, tooltips.

Tooltips are plain text on purpose. vis-network 9 shows a string ``title``
with ``innerText`` (only a DOM element would be shown as HTML, and JSON cannot
carry one), so names, titles and sentences taken from abstracts can never
become markup. Lines are separated by ``\\n``; the page's CSS keeps them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.view.select import CO_MENTIONED, EdgeRecord, edge_type, edge_weight, node_label, node_name

#: Evidence sentences shown per tooltip, and the longest text kept of each part.
MAX_EVIDENCE = 3
_SENTENCE_CHARS = 300
_TITLE_CHARS = 140
_ABSTRACT_CHARS = 320
_LABEL_CHARS = 32
_MAX_LISTED = 8


@dataclass(frozen=True)
class NodeStyle:
    """Fill, border and vis-network shape of one node label."""

    color: str
    border: str
    shape: str


@dataclass(frozen=True)
class EdgeStyle:
    """Colour, dash pattern (empty: solid), arrow and legend text of one relation."""

    color: str
    dashes: tuple[int, ...]
    arrow: bool
    text: str


# Tableau 10 colours; every label also differs by shape for colour-blind readers.
# Shapes that draw their label below them, so that ``size`` is honoured.
NODE_STYLES: dict[str, NodeStyle] = {
    "Model": NodeStyle("#4e79a7", "#2c4a6b", "dot"),
    "Dataset": NodeStyle("#f28e2b", "#a35a12", "diamond"),
    "Organization": NodeStyle("#59a14f", "#346030", "triangle"),
    "Language": NodeStyle("#b07aa1", "#6f4a65", "star"),
    "Paper": NodeStyle("#d3ccc8", "#8a807b", "square"),
    "Author": NodeStyle("#c9a88f", "#8a6a52", "triangleDown"),
}
FALLBACK_NODE_STYLE = NodeStyle("#76b7b2", "#3f6f6b", "hexagon")

EDGE_STYLES: dict[str, EdgeStyle] = {
    "AUTHORED_BY": EdgeStyle("#cfc8c3", (), True, "authored by"),
    "MENTIONS": EdgeStyle("#bdb5b0", (), True, "mentions"),
    "INTRODUCES": EdgeStyle("#6f6864", (), True, "introduces"),
    "TAGGED_WITH": EdgeStyle("#8cd17d", (3, 4), True, "tagged with"),
    "TRAINED_ON": EdgeStyle("#f28e2b", (), True, "trained on"),
    "EVALUATED_ON": EdgeStyle("#e15759", (8, 4), True, "evaluated on"),
    "FINE_TUNED_FROM": EdgeStyle("#4e79a7", (8, 4), True, "fine-tuned from"),
    "DEVELOPED_BY": EdgeStyle("#59a14f", (), True, "developed by"),
    "COVERS_LANGUAGE": EdgeStyle("#b07aa1", (), True, "covers language"),
    "OUTPERFORMS": EdgeStyle("#b6992d", (), True, "outperforms"),
    "VARIANT_OF": EdgeStyle("#76b7b2", (4, 4), True, "variant of"),
    # Light and thin, so the stated relations stand out from mere co-occurrence.
    CO_MENTIONED: EdgeStyle("#c4c4c4", (2, 5), False, "co-mentioned"),
}


#: How a relation that comes only from kg's lexicon (``provenance: knowledge``) is
#: drawn: grey, thin and dotted, whatever its type, so stated claims stand out.
KNOWLEDGE_STYLE = EdgeStyle("#a8a8a8", (1, 4), True, "from kg's lexicon (no paper states it)")


def is_knowledge(data: Mapping[str, Any]) -> bool:
    """True for an edge whose only source is kg's lexicon."""
    return data.get("provenance") == "knowledge"


def node_style(label: str) -> NodeStyle:
    """The style of a node label; labels outside the schema share one style."""
    return NODE_STYLES.get(label, FALLBACK_NODE_STYLE)


def edge_style(rel_type: str) -> EdgeStyle:
    """The style of a relation; types outside the schema are grey and solid."""
    fallback = EdgeStyle("#888888", (), True, rel_type.replace("_", " ").lower())
    return EDGE_STYLES.get(rel_type, fallback)


def shorten(text: str, limit: int) -> str:
    """Collapse white space and cut ``text`` to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"


def node_size(label: str, data: Mapping[str, Any]) -> float:
    """Entities grow with the square root of their paper count; papers stay small."""
    if label == "Paper":
        return 8.0
    if label == "Author":
        return 7.0
    papers = _number(data.get("paper_count")) or 0
    return round(min(48.0, 12.0 + 4.0 * math.sqrt(papers)), 2)


def node_payload(
    graph: nx.MultiDiGraph[str], key: str, data: Mapping[str, Any], *, center: bool
) -> dict[str, Any]:
    """The vis-network node for one graph node: looks, tooltip and filterable fields."""
    label = node_label(key, data)
    style = node_style(label)
    name = node_name(key, data)
    minor = label in ("Paper", "Author")
    payload: dict[str, Any] = {
        "id": key,
        "label": shorten(name, _LABEL_CHARS),
        "title": node_tooltip(graph, key, data),
        "shape": style.shape,
        "size": node_size(label, data),
        "color": _node_color(style, "#111111" if center else style.border),
        "borderWidth": 4 if center else 1,
        "font": {"size": 10 if minor else 14, "color": "#555555" if minor else "#1f1f1f"},
        "type": label,
        "name": name,
    }
    if center:
        payload["font"] = {"size": 20, "color": "#111111"}
    for attr in ("paper_count", "mention_count", "year"):
        number = _number(data.get(attr))
        if number is not None:
            payload[attr] = number
    for attr in ("family", "kind"):
        value = data.get(attr)
        if isinstance(value, str) and value:
            payload[attr] = value
    return payload


def _node_color(style: NodeStyle, border: str) -> dict[str, Any]:
    """A vis-network colour object; highlight and hover darken only the border."""
    return {
        "background": style.color,
        "border": border,
        "highlight": {"background": style.color, "border": "#000000"},
        "hover": {"background": style.color, "border": "#000000"},
    }


def edge_payload(
    graph: nx.MultiDiGraph[str], edge: EdgeRecord, parallel_index: int
) -> dict[str, Any]:
    """The vis-network edge for one graph edge.

    Parallel edges between the same two nodes are curved apart (by
    ``parallel_index``) so each stays visible; all others are straight, which
    keeps drawing big views fast.
    """
    source, target, key, data = edge
    rel_type = edge_type(key, data)
    style = edge_style(rel_type)
    knowledge = is_knowledge(data)
    color = KNOWLEDGE_STYLE.color if knowledge else style.color
    dashes = KNOWLEDGE_STYLE.dashes if knowledge else style.dashes
    payload: dict[str, Any] = {
        "id": f"{source}|{key}|{target}",
        "from": source,
        "to": target,
        "type": rel_type,
        "label": style.text,
        "title": edge_tooltip(graph, edge),
        "color": {"color": color, "highlight": "#222222", "hover": "#222222"},
        "dashes": list(dashes) if dashes else False,
        "arrows": {"to": {"enabled": style.arrow, "scaleFactor": 0.5}},
        "width": 1.0 if knowledge else _edge_width(rel_type, data),
    }
    provenance = data.get("provenance")
    if isinstance(provenance, str):
        payload["provenance"] = provenance
    if rel_type == CO_MENTIONED:
        weight = edge_weight(data)
        payload["weight"] = weight
        payload["label"] = f"{style.text} ×{weight}"
    support = _number(data.get("support"))
    if support is not None:
        payload["support"] = support
    if parallel_index:
        payload["smooth"] = {
            "enabled": True,
            "type": "curvedCW",
            "roundness": min(0.9, 0.3 * parallel_index),
        }
    return payload


def _edge_width(rel_type: str, data: Mapping[str, Any]) -> float:
    """Thicker lines for relations backed by more papers."""
    if rel_type == CO_MENTIONED:
        amount = edge_weight(data)
    else:
        amount = int(_number(data.get("support")) or 1)
    if rel_type == CO_MENTIONED:
        return round(min(3.0, 0.5 + 0.5 * math.log2(max(1, amount))), 2)
    base = 1.0 if rel_type in ("MENTIONS", "AUTHORED_BY") else 2.5
    return round(min(7.0, base + math.log2(max(1, amount))), 2)


def node_tooltip(graph: nx.MultiDiGraph[str], key: str, data: Mapping[str, Any]) -> str:
    """The plain-text tooltip of a node: name, type, key, aliases, counts, evidence."""
    label = node_label(key, data)
    name = node_name(key, data)
    lines = [shorten(name, _TITLE_CHARS), f"{label} · {key}"]
    if label == "Paper":
        lines.extend(_paper_lines(data))
    else:
        lines.extend(_entity_lines(data))
        lines.extend(_evidence_block(_node_evidence(graph, key)))
    return "\n".join(lines)


def _paper_lines(data: Mapping[str, Any]) -> Iterator[str]:
    """Date, categories, authors and the start of the abstract of a paper."""
    facts = []
    if isinstance(data.get("date"), str):
        facts.append(f"date {data['date']}")
    categories = _strings(data.get("categories"))
    if categories:
        facts.append(", ".join(categories[:_MAX_LISTED]))
    if data.get("has_code") is True:
        facts.append("has code")
    if facts:
        yield " · ".join(facts)
    authors = _strings(data.get("authors"))
    if authors:
        yield "Authors: " + _listing(authors)
    abstract = data.get("abstract")
    if isinstance(abstract, str) and abstract.strip():
        yield ""
        yield shorten(abstract, _ABSTRACT_CHARS)


def _entity_lines(data: Mapping[str, Any]) -> Iterator[str]:
    """Aliases, counts, family or kind, and the dates an entity was seen."""
    aliases = _strings(data.get("aliases"))
    if aliases:
        yield "Aliases: " + _listing(aliases)
    counts = []
    for attr, noun in (("paper_count", "paper"), ("mention_count", "mention")):
        number = _number(data.get(attr))
        if number is not None:
            counts.append(_count(number, noun))
    for attr in ("family", "kind"):
        if isinstance(data.get(attr), str):
            counts.append(f"{attr} {data[attr]}")
    if counts:
        yield " · ".join(counts)
    first, last = data.get("first_seen"), data.get("last_seen")
    if isinstance(first, str) and isinstance(last, str):
        yield f"Seen {first} – {last}" if first != last else f"Seen {first}"


def edge_tooltip(graph: nx.MultiDiGraph[str], edge: EdgeRecord) -> str:
    """The plain-text tooltip of an edge: who relates how, its support and evidence."""
    source, target, key, data = edge
    rel_type = edge_type(key, data)
    style = edge_style(rel_type)
    source_name = shorten(node_name(source, graph.nodes[source]), 80)
    target_name = shorten(node_name(target, graph.nodes[target]), 80)
    lines = [f"{source_name} —{style.text}→ {target_name}"]
    facts = [rel_type]
    provenance = data.get("provenance")
    if provenance == "knowledge":
        facts.append("from kg's lexicon: no paper states it")
    elif provenance == "name":
        facts.append("implied by the two names")
    elif provenance == "text":
        facts.append("stated in the text")
    if rel_type == CO_MENTIONED:
        facts.append(f"in {_count(edge_weight(data), 'paper')}")
    support = _number(data.get("support"))
    if support is not None and provenance != "knowledge":
        facts.append(f"supported by {_count(support, 'paper')}")
    for attr in ("score", "count", "position", "tag"):
        value = data.get(attr)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            facts.append(f"{attr} {_format(value)}")
    lines.append(" · ".join(facts))
    lines.extend(_evidence_block(_edge_evidence(data)))
    return "\n".join(lines)


def _evidence_block(evidence: Sequence[tuple[str, str]]) -> Iterator[str]:
    """The evidence lines of a tooltip: each sentence, then its paper's title."""
    if not evidence:
        return
    yield ""
    yield "Evidence:"
    for sentence, title in evidence:
        yield f"• “{shorten(sentence, _SENTENCE_CHARS)}”"
        if title:
            yield f"   — {shorten(title, _TITLE_CHARS)}"


def _edge_evidence(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Up to three (sentence, paper title) pairs of an edge, in stored order."""
    sentences = _strings(data.get("evidence"))
    titles = data.get("evidence_titles")
    title_list = list(titles) if isinstance(titles, (list, tuple)) else []
    pairs = []
    for index, sentence in enumerate(sentences[:MAX_EVIDENCE]):
        title = title_list[index] if index < len(title_list) else ""
        pairs.append((sentence, title if isinstance(title, str) else ""))
    return pairs


def _node_evidence(graph: nx.MultiDiGraph[str], key: str) -> list[tuple[str, str]]:
    """Up to three distinct evidence sentences from a node's best-supported relations."""
    incident = [*graph.out_edges(key, data=True), *graph.in_edges(key, data=True)]
    with_evidence = [data for _s, _t, data in incident if data.get("evidence")]
    with_evidence.sort(key=lambda data: -(_number(data.get("support")) or 0))
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for data in with_evidence:
        for sentence, title in _edge_evidence(data):
            if sentence not in seen:
                seen.add(sentence)
                pairs.append((sentence, title))
            if len(pairs) == MAX_EVIDENCE:
                return pairs
    return pairs


def _strings(value: object) -> list[str]:
    """The non-empty strings of a list attribute (a lone string counts as one)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, str) and item.strip()]
    return []


def _listing(items: Sequence[str]) -> str:
    """A comma list of at most eight items, saying how many more there are."""
    shown = ", ".join(shorten(item, 60) for item in items[:_MAX_LISTED])
    rest = len(items) - _MAX_LISTED
    return f"{shown} (+{rest:,} more)" if rest > 0 else shown


def _number(value: object) -> int | None:
    """An integer attribute, or None when it is absent or not a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return None


def _count(number: int, noun: str) -> str:
    """``1 paper``, ``2,048 papers``."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _format(value: str | int | float) -> str:
    """Numbers as people read them: thousands separated, scores to two decimals."""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return shorten(value, 80)
