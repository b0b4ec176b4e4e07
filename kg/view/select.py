"""Choose what a view shows: the ego neighbourhood, node types and the size caps.

A full corpus graph has tens of thousands of nodes, far more than a browser
can lay out, so a view is always a bounded selection. The rules, in order:

1. CO_MENTIONED edges lighter than ``min_weight`` are dropped first: they are
   the noisy tail of co-occurrence, and hops are counted over the edges shown.
2. ``entity`` keeps the nodes within ``depth`` hops of one node, ignoring edge
   direction. Hops may pass through nodes that the type filter later hides
   (mostly papers), since "mentioned in the same paper" is the main way two
   entities are related.
3. ``types`` keeps the nodes of those labels (and always the ego centre).
   Without an entity or types, the view is the **overview**: entities only
   (models, datasets, organizations, languages), since hundreds of papers and
   authors would crowd them out; papers are named in the entities' tooltips
   and shown by ego views.
4. ``top`` keeps the best-connected nodes, by degree within the selection
   (in the overview: the entities found in the most papers, which is what a
   reader looks for first).
"""

from __future__ import annotations

import difflib
import heapq
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.errors import UsageError
from kg.schema import ENTITY_LABELS, KEY_PREFIX, LABELS, slug

#: Node labels the overview leaves out (they are in the entities' tooltips and in ego views).
PAPER_LEVEL = frozenset({"Paper", "Author"})

#: The relationship type whose light edges ``min_weight`` drops.
CO_MENTIONED = "CO_MENTIONED"

#: An edge as the view handles it: (source key, target key, edge key, attributes).
EdgeRecord = tuple[str, str, str, Mapping[str, Any]]

EdgeFilter = Callable[[object, Mapping[str, Any]], bool]

_PREFIX_LABEL = {prefix: label for label, prefix in KEY_PREFIX.items()}


@dataclass(frozen=True)
class Selection:
    """The nodes and edges a view shows, and what was left out to get there."""

    nodes: tuple[str, ...]
    edges: tuple[EdgeRecord, ...]
    center: str | None
    #: The node labels kept, or None when every label is.
    types: frozenset[str] | None
    nodes_selected: int
    weak_edges_dropped: int
    #: True for the overview: no entity and no types given, so papers and authors left out.
    overview: bool = False


def edge_type(key: object, data: Mapping[str, Any]) -> str:
    """The relationship type of an edge: its ``type`` attribute, else its key."""
    value = data.get("type", key)
    return str(value)


def edge_weight(data: Mapping[str, Any]) -> int:
    """The weight of a CO_MENTIONED edge; older graphs may only carry ``papers``."""
    weight = data.get("weight")
    if isinstance(weight, (int, float)) and not isinstance(weight, bool):
        return int(weight)
    papers = data.get("papers")
    if isinstance(papers, (list, tuple)):
        return len(papers)
    return 1


def node_label(key: str, data: Mapping[str, Any]) -> str:
    """The label (node type) of a node, falling back on its key prefix."""
    label = data.get("label")
    if isinstance(label, str) and label:
        return label
    return _PREFIX_LABEL.get(key.split(":", 1)[0], "Entity")


def node_name(key: str, data: Mapping[str, Any]) -> str:
    """The human name of a node: ``name``, a paper's ``title``, else its key."""
    for attr in ("name", "title"):
        value = data.get(attr)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return key


def select(
    graph: nx.MultiDiGraph[str],
    *,
    entity: str | None,
    depth: int,
    types: Sequence[str] | None,
    min_weight: int,
    top: int,
) -> Selection:
    """Apply the selection rules of this module to ``graph`` (see the module doc)."""
    _check_numbers(depth=depth, min_weight=min_weight, top=top)
    overview = entity is None and types is None
    wanted = normalize_types(graph, types)

    def shown(key: object, data: Mapping[str, Any]) -> bool:
        return not _is_weak(key, data, min_weight)

    center = find_entity(graph, entity) if entity is not None else None
    candidates = set(graph.nodes) if center is None else ego_nodes(graph, center, depth, shown)
    if wanted is not None:
        candidates = {
            n for n in candidates if n == center or node_label(n, graph.nodes[n]) in wanted
        }
    elif overview:
        candidates = {n for n in candidates if node_label(n, graph.nodes[n]) not in PAPER_LEVEL}
    degree, induced, kept = _shown_degrees(graph, candidates, shown)
    nodes = _top_by_degree(graph, candidates, degree, top, center, by_papers=overview)
    node_set = set(nodes)
    edges = tuple(e for e in _induced_edges(graph, node_set) if shown(e[2], e[3]))
    return Selection(
        nodes=tuple(sorted(nodes)),
        edges=tuple(sorted(edges, key=lambda e: (e[0], e[1], e[2]))),
        center=center,
        types=wanted,
        nodes_selected=len(candidates),
        weak_edges_dropped=induced - kept,
        overview=overview,
    )


def _shown_degrees(
    graph: nx.MultiDiGraph[str], nodes: set[str], shown: EdgeFilter
) -> tuple[Counter[str], int, int]:
    """Each node's shown edges within ``nodes``, and the edges there before and after the filter.

    One pass over the adjacency without keeping the edges: a corpus graph has
    a million of them, and only those among the ``top`` nodes are drawn.
    """
    degree: Counter[str] = Counter()
    induced = kept = 0
    for source, neighbours in graph.adjacency():  # plain dicts: much faster than graph.succ[n]
        if source not in nodes:
            continue
        for target, keyed in neighbours.items():
            if target not in nodes:
                continue
            for key, data in keyed.items():
                induced += 1
                if shown(key, data):
                    kept += 1
                    degree[source] += 1
                    degree[target] += 1
    return degree, induced, kept


def _check_numbers(*, depth: int, min_weight: int, top: int) -> None:
    """Reject caps that cannot mean anything, with the value the user gave."""
    if depth < 0:
        raise UsageError(f"depth must be 0 or more (hops around the entity), got {depth}")
    if min_weight < 0:
        raise UsageError(f"min_weight must be 0 or more, got {min_weight}")
    if top < 1:
        raise UsageError(f"top must be at least 1 (the most nodes shown), got {top}")


def _is_weak(key: object, data: Mapping[str, Any], min_weight: int) -> bool:
    """True for a CO_MENTIONED edge lighter than ``min_weight``."""
    return edge_type(key, data) == CO_MENTIONED and edge_weight(data) < min_weight


def normalize_types(
    graph: nx.MultiDiGraph[str], types: Sequence[str] | None
) -> frozenset[str] | None:
    """Map the requested node types to labels, case-insensitively; None keeps all.

    A misspelt type would silently empty the view, so it is an error that names
    the labels the graph knows.
    """
    if types is None:
        return None
    known = {label.casefold(): label for label in LABELS}
    for key, data in graph.nodes(data=True):
        label = node_label(key, data)
        known.setdefault(label.casefold(), label)
    wanted: set[str] = set()
    for requested in types:
        for part in requested.split(","):
            name = part.strip()
            if not name:
                continue
            found = known.get(name.casefold())
            if found is None:
                close = difflib.get_close_matches(name.casefold(), sorted(known), n=1)
                hint = f"; did you mean {known[close[0]]}?" if close else ""
                choices = ", ".join(sorted(known.values()))
                raise UsageError(f"unknown node type {name!r} (known: {choices}){hint}")
            wanted.add(found)
    if not wanted:
        raise UsageError("types is empty: give node labels such as Model or Dataset")
    return frozenset(wanted)


def find_entity(graph: nx.MultiDiGraph[str], query: str) -> str:
    """The node a user means by ``query``: a key, a name or an alias (any case).

    Exact keys win, then names, then aliases, then the slug of the query
    (``Llama 2`` finds ``model:llama-2``). Among several matches of one kind
    the entity found in the most papers wins, entities before papers and
    authors. No match raises UsageError listing the closest names.
    """
    text = query.strip()
    if not text:
        raise UsageError("entity is empty: give a node key, name or alias")
    if text in graph:
        return text
    folded = text.casefold()
    query_slug = slug(text)
    best: tuple[int, int, int, str] | None = None
    for key, data in graph.nodes(data=True):
        tier = _match_tier(key, data, folded, query_slug)
        if tier is None:
            continue
        label_rank = 0 if node_label(key, data) in ENTITY_LABELS else 1
        rank = (tier, label_rank, -_int_attr(data, "paper_count"), key)
        if best is None or rank < best:
            best = rank
    if best is None:
        raise UsageError(_no_entity_message(graph, text))
    return best[3]


def _match_tier(key: str, data: Mapping[str, Any], folded: str, query_slug: str) -> int | None:
    """How well a node matches the query: 0 key, 1 name, 2 alias, 3 slug; None no match."""
    if key.casefold() == folded:
        return 0
    if node_name(key, data).casefold() == folded:
        return 1
    if any(alias.casefold() == folded for alias in _aliases(data)):
        return 2
    if query_slug and key.split(":", 1)[-1] == query_slug:
        return 3
    return None


def _aliases(data: Mapping[str, Any]) -> list[str]:
    """The string aliases of a node (anything else in the list is ignored)."""
    aliases = data.get("aliases")
    if not isinstance(aliases, (list, tuple)):
        return []
    return [a for a in aliases if isinstance(a, str)]


def _int_attr(data: Mapping[str, Any], name: str) -> int:
    """An integer attribute, 0 when absent or not a number."""
    value = data.get(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return 0


def _no_entity_message(graph: nx.MultiDiGraph[str], text: str) -> str:
    """The error for an unknown entity, with up to five close names to try."""
    spellings: dict[str, str] = {}
    for key, data in graph.nodes(data=True):
        name = node_name(key, data)
        for spelling in (name, *_aliases(data), key):
            spellings.setdefault(spelling.casefold(), f"{name} ({key})")
    close = difflib.get_close_matches(text.casefold(), list(spellings), n=8, cutoff=0.6)
    suggestions = list(dict.fromkeys(spellings[c] for c in close))[:5]
    if suggestions:
        return f"no node matches entity {text!r}; close names: {', '.join(suggestions)}"
    return f"no node matches entity {text!r}, and no name is close; give a key such as model:..."


def ego_nodes(graph: nx.MultiDiGraph[str], center: str, depth: int, shown: EdgeFilter) -> set[str]:
    """The nodes within ``depth`` hops of ``center``, over shown edges, any direction."""
    seen = {center}
    frontier = [center]
    for _ in range(depth):
        following: list[str] = []
        for node in frontier:
            for neighbour in _neighbours(graph, node, shown):
                if neighbour not in seen:
                    seen.add(neighbour)
                    following.append(neighbour)
        if not following:
            break
        frontier = following
    return seen


def _neighbours(graph: nx.MultiDiGraph[str], node: str, shown: EdgeFilter) -> Iterator[str]:
    """The nodes joined to ``node`` by at least one shown edge, either way."""
    for adjacency in (graph.succ[node], graph.pred[node]):
        for neighbour, keyed in adjacency.items():
            if any(shown(key, data) for key, data in keyed.items()):
                yield neighbour


def _induced_edges(graph: nx.MultiDiGraph[str], nodes: set[str]) -> Iterator[EdgeRecord]:
    """Every edge between two of ``nodes``, walking only their own adjacency."""
    for source in nodes:
        for target, keyed in graph.succ[source].items():
            if target in nodes:
                for key, data in keyed.items():
                    yield source, target, str(key), data


def _top_by_degree(
    graph: nx.MultiDiGraph[str],
    nodes: set[str],
    degree: Mapping[str, int],
    top: int,
    center: str | None,
    *,
    by_papers: bool = False,
) -> list[str]:
    """The ``top`` nodes with the most shown edges; ties go to more papers, then key.

    ``by_papers`` ranks by papers first (the overview). The ego centre is
    always kept: a view about X without X would be useless.
    """
    if len(nodes) <= top:
        return list(nodes)

    def rank(node: str) -> tuple[bool, int, int, str]:
        papers = _int_attr(graph.nodes[node], "paper_count")
        shown = degree.get(node, 0)
        first, second = (papers, shown) if by_papers else (shown, papers)
        return node != center, -first, -second, node

    return heapq.nsmallest(top, nodes, key=rank)
