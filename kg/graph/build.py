"""Graph: the knowledge graph as a ``networkx.MultiDiGraph``, built in memory.

``build_graph`` turns :class:`~kg.model.Paper` objects and the per-paper
extraction records (the lines of ``extractions.jsonl``) into a
``networkx.MultiDiGraph`` that follows the graph contract of
``docs/architecture.md``: node ids are canonical keys, every edge is keyed by
its type, and every attribute is a value Neo4j can store (no maps, no None).

Papers are consumed first because their nodes are needed anyway; extraction
records are then streamed and folded into the small accumulators of
:mod:`kg.graph.aggregate`, so no record is kept once read. Co-mention pairs are
the one quadratic part; see :class:`~kg.graph.aggregate.PairCounter` and
``max_co_mention_entities``.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import networkx as nx

from kg.errors import UsageError
from kg.graph.aggregate import (
    CO_MENTION_CAP,
    LABEL_OF_PREFIX,
    SEMANTIC_REL_TYPES,
    Attrs,
    Entity,
    PairCounter,
    Relation,
    cite_of,
    entity_label,
    node_key,
    paper_attributes,
    paper_key,
    required,
    salient,
    set_if,
    text_or_none,
)
from kg.model import Paper, collapse_space
from kg.schema import (
    KNOWLEDGE_KEY_SUFFIX,
    LABELS,
    PROVENANCES,
    REL_TYPES,
    edge_key,
    relation_provenance,
)


def build_graph(
    papers: Iterable[Paper],
    extractions: Iterable[Mapping[str, Any]],
    *,
    min_co_mention: int = 1,
    max_evidence: int = 3,
    org_tag_map: Mapping[str, str] | None = None,
    max_co_mention_entities: int = CO_MENTION_CAP,
) -> nx.MultiDiGraph[str]:
    """Build the knowledge graph of ``papers`` and their ``extractions``.

    ``papers`` are read completely first; ``extractions`` are then streamed in
    one pass. An extraction whose paper id is not among ``papers`` still gets
    a (minimal) Paper node from its ``title``; a second extraction of the same
    paper id is ignored so that counts are not doubled.

    ``org_tag_map`` maps listing org tags to canonical organization names
    (looked up exactly, then case-insensitively); an unmapped tag becomes an
    organization named as the tag. CO_MENTIONED edges below ``min_co_mention``
    supporting papers are dropped; a paper pairs at most its
    ``max_co_mention_entities`` most-mentioned entities.
    """
    sink = NetworkxSink()
    fold_graph(
        sink,
        papers,
        extractions,
        min_co_mention=min_co_mention,
        max_evidence=max_evidence,
        org_tag_map=org_tag_map,
        max_co_mention_entities=max_co_mention_entities,
    )
    return sink.graph


def fold_graph(
    sink: GraphSink,
    papers: Iterable[Paper],
    extractions: Iterable[Mapping[str, Any]],
    *,
    min_co_mention: int = 1,
    max_evidence: int = 3,
    org_tag_map: Mapping[str, str] | None = None,
    max_co_mention_entities: int = CO_MENTION_CAP,
) -> None:
    """Fold ``papers`` and ``extractions`` into ``sink``, as :func:`build_graph` does.

    The sink decides where nodes and edges live (networkx in memory, or SQLite
    on disk in :mod:`kg.graph.spill`); the folding is the same, which is what
    makes both paths give the same graph.
    """
    builder = _Builder(
        sink,
        max_evidence=max_evidence,
        org_tag_map=org_tag_map or {},
        max_co_mention_entities=max_co_mention_entities,
    )
    for paper in papers:
        builder.add_paper(paper)
    for record in extractions:
        builder.add_extraction(record)
    builder.finish(min_co_mention)


class GraphSink(Protocol):
    """Where the builder puts nodes and edges, with networkx's semantics.

    ``add_node`` on a known node updates its attributes (networkx's
    ``add_node``); ``add_edge`` creates missing endpoints without attributes
    and, on a known (source, target, key), updates the edge's attributes.
    """

    def has_node(self, key: str) -> bool: ...
    def node_attrs(self, key: str) -> Mapping[str, Any]: ...
    def add_node(self, key: str, attrs: Attrs) -> None: ...
    def has_edge(self, source: str, target: str, key: str) -> bool: ...
    def add_edge(self, source: str, target: str, key: str, attrs: Attrs) -> None: ...
    def first_extraction(self, paper_id: str) -> bool:
        """True the first time ``paper_id`` is seen (a second record of it is ignored)."""
        ...

    def add_pairs(self, paper_id: str, keys: Iterable[str]) -> None: ...
    def pair_edges(self, min_weight: int) -> Iterator[tuple[str, str, list[str]]]: ...


class NetworkxSink:
    """The in-memory sink: a ``networkx.MultiDiGraph`` and a :class:`PairCounter`."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self.pairs = PairCounter()
        self.extracted: set[str] = set()

    def has_node(self, key: str) -> bool:
        return key in self.graph

    def node_attrs(self, key: str) -> Mapping[str, Any]:
        return self.graph.nodes[key]

    def add_node(self, key: str, attrs: Attrs) -> None:
        self.graph.add_node(key, **attrs)

    def has_edge(self, source: str, target: str, key: str) -> bool:
        return bool(self.graph.has_edge(source, target, key))

    def add_edge(self, source: str, target: str, key: str, attrs: Attrs) -> None:
        self.graph.add_edge(source, target, key, **attrs)

    def first_extraction(self, paper_id: str) -> bool:
        if paper_id in self.extracted:
            return False
        self.extracted.add(paper_id)
        return True

    def add_pairs(self, paper_id: str, keys: Iterable[str]) -> None:
        self.pairs.add(paper_id, keys)

    def pair_edges(self, min_weight: int) -> Iterator[tuple[str, str, list[str]]]:
        return self.pairs.edges(min_weight)


class _Builder:
    """Folds papers, then extraction records, into the sink and the accumulators."""

    def __init__(
        self,
        sink: GraphSink,
        *,
        max_evidence: int,
        org_tag_map: Mapping[str, str],
        max_co_mention_entities: int,
    ) -> None:
        self.graph = sink
        self.max_evidence = max(0, max_evidence)
        self.max_pairs_entities = max(0, max_co_mention_entities)
        self.org_tag_map = dict(org_tag_map)
        self.org_tag_folded = {tag.casefold(): name for tag, name in org_tag_map.items()}
        self.entities: dict[str, Entity] = {}
        self.relations: dict[tuple[str, str, str], Relation] = {}

    # papers

    def add_paper(self, paper: Paper) -> None:
        """Add the Paper node, its authors and its org tags."""
        key = paper_key(paper.id)
        self.graph.add_node(key, paper_attributes(key, paper))
        for position, author in enumerate(paper.authors, start=1):
            self._add_author(key, author, position)
        for tag in paper.org_tags:
            self._add_org_tag(key, tag)

    def _add_author(self, paper: str, name: str, position: int) -> None:
        name = name.strip()
        if not name:
            return
        key = node_key("Author", name)
        if not self.graph.has_node(key):
            self.graph.add_node(key, {"label": "Author", "key": key, "name": name})
        if not self.graph.has_edge(paper, key, "AUTHORED_BY"):  # same author twice: first wins
            self.graph.add_edge(
                paper, key, "AUTHORED_BY", {"type": "AUTHORED_BY", "position": position}
            )

    def _add_org_tag(self, paper: str, tag: str) -> None:
        tag = tag.strip()
        if not tag:
            return
        name = self.org_tag_map.get(tag) or self.org_tag_folded.get(tag.casefold()) or tag
        key = node_key("Organization", name)
        self._entity(key, "Organization").fallback_names[name] += 1
        if not self.graph.has_edge(paper, key, "TAGGED_WITH"):
            self.graph.add_edge(paper, key, "TAGGED_WITH", {"type": "TAGGED_WITH", "tag": tag})

    # extractions

    def add_extraction(self, record: Mapping[str, Any]) -> None:
        """Fold one paper's extraction record in; nothing of it is kept but aggregates."""
        # kg's key of the paper; records written before ``paper_id`` existed carry it in ``id``.
        paper_id = str(record.get("paper_id") or required(record, "id", "extraction record"))
        if not self.graph.first_extraction(paper_id):
            return
        paper = paper_key(paper_id)
        if not self.graph.has_node(paper):
            title = str(record.get("title") or "")
            attrs: Attrs = {"label": "Paper", "key": paper, "name": collapse_space(title)}
            set_if(attrs, "title", title or None)
            self.graph.add_node(paper, attrs)
        mentioned = self._add_entities(paper, record.get("entities") or [])
        for relation in record.get("relations") or []:
            self._add_relation(paper_id, relation)
        self.graph.add_pairs(paper_id, salient(mentioned, self.max_pairs_entities))

    def _add_entities(self, paper: str, entities: Iterable[Mapping[str, Any]]) -> Counter[str]:
        """Add MENTIONS / INTRODUCES edges; return mention counts per key, first seen first."""
        counts: Counter[str] = Counter()
        introduced: set[str] = set()
        named: set[str] = set()
        for entity in entities:
            key = self._fold_entity(entity, counts, named)
            if entity.get("introduced"):
                introduced.add(key)
        node = self.graph.node_attrs(paper)
        date = node.get("date") if "year" in node else None
        for key, count in counts.items():
            state = self.entities[key]
            state.mention_count += count
            state.paper_count += 1
            if date is not None:
                state.first_seen = min(date, state.first_seen or date)
                state.last_seen = max(date, state.last_seen or date)
            self.graph.add_edge(paper, key, "MENTIONS", {"type": "MENTIONS", "count": count})
            if key in introduced:
                self.graph.add_edge(paper, key, "INTRODUCES", {"type": "INTRODUCES"})
        return counts

    def _fold_entity(self, entity: Mapping[str, Any], counts: Counter[str], named: set[str]) -> str:
        """Merge one entity of a paper into its accumulator; return its key.

        An entity listed twice in one paper (two surface forms resolved to one
        key) counts once for the name vote and paper count.
        """
        label = entity_label(entity.get("type"))
        name = str(entity.get("name") or "").strip()
        key = str(entity.get("key") or (node_key(label, name) if name else ""))
        if not key:
            raise UsageError(f"extraction entity without key or name: {dict(entity)!r:.200}")
        key = sys.intern(key)  # one string per entity, not one per paper's edges
        state = self._entity(key, label)
        if name and key not in named:
            state.names[name] += 1
            named.add(key)
        mentions = entity.get("mentions") or []
        for mention in mentions:
            text = str(mention.get("text") or "").strip()
            if text:
                state.surfaces[text] += 1
        for alias in entity.get("aliases") or []:
            if alias and alias not in state.surfaces:
                state.surfaces[str(alias)] += 0  # known alias, never seen as a mention (yet)
        # An entity listed without mentions was still mentioned once.
        counts[key] += max(1, len(mentions))
        state.kind = state.kind or text_or_none(entity.get("kind"))
        state.family = state.family or text_or_none(entity.get("family"))
        return key

    def _add_relation(self, paper_id: str, relation: Mapping[str, Any]) -> None:
        rel_type = str(relation.get("type"))
        if rel_type not in SEMANTIC_REL_TYPES:
            raise UsageError(
                f"extraction of paper {paper_id}: unknown relation type {rel_type!r}; "
                f"expected one of {', '.join(SEMANTIC_REL_TYPES)} (re-run extraction)"
            )
        provenance = relation_provenance(relation)
        if provenance not in PROVENANCES:
            raise UsageError(
                f"extraction of paper {paper_id}: unknown relation provenance {provenance!r}; "
                f"expected one of {', '.join(PROVENANCES)} (re-run extraction)"
            )
        source = self._endpoint(relation, "source")
        target = self._endpoint(relation, "target")
        if source == target:
            return  # an entity related to itself carries no information
        knowledge = provenance == "knowledge"
        state = self.relations.get((source, target, edge_key(rel_type, provenance)))
        if state is None:
            state = Relation(knowledge=knowledge)
            self.relations[(source, target, edge_key(rel_type, provenance))] = state
        if relation.get("rule"):
            state.rules.add(str(relation["rule"]))
        score = relation.get("score")
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            state.score = float(score) if state.score is None else max(state.score, float(score))
        if knowledge:
            return  # a fact of kg's lexicon: no supporting paper, no evidence
        state.papers.add(paper_id)
        state.in_text = state.in_text or provenance == "text"
        cite = cite_of(paper_id, relation.get("evidence"), by_name=provenance == "name")
        if cite is not None and self.max_evidence:
            state.add_evidence(cite, self.max_evidence)

    def _endpoint(self, relation: Mapping[str, Any], end: str) -> str:
        """The key of a relation endpoint, creating its entity when no paper listed it."""
        name = text_or_none(relation.get(f"{end}_name"))
        key = str(relation.get(end) or "")
        label = relation.get(f"{end}_type") or LABEL_OF_PREFIX.get(key.partition(":")[0])
        label = entity_label(label)
        if not key:
            key = node_key(label, str(required(relation, f"{end}_name", "relation")))
        key = sys.intern(key)
        state = self._entity(key, label)
        if name:
            state.fallback_names[name] += 1
        return key

    def _entity(self, key: str, label: str) -> Entity:
        state = self.entities.get(key)
        if state is None:
            state = self.entities[key] = Entity(label=label)
        return state

    # result

    def finish(self, min_co_mention: int) -> None:
        """Write the accumulated entity nodes and relation edges, then CO_MENTIONED."""
        graph = self.graph
        for key, state in self.entities.items():
            graph.add_node(key, state.attributes(key))
        self.entities.clear()
        titles = self._title
        for (source, target, key), relation in self.relations.items():
            rel_type = key.removesuffix(KNOWLEDGE_KEY_SUFFIX)
            attrs = relation.attributes(rel_type, titles, self.max_evidence)
            graph.add_edge(source, target, key, attrs)
        self.relations.clear()
        for source, target, papers in graph.pair_edges(max(1, min_co_mention)):
            attrs = {"type": "CO_MENTIONED", "papers": papers, "weight": len(papers)}
            graph.add_edge(source, target, "CO_MENTIONED", attrs)

    def _title(self, paper_id: str) -> str:
        """A paper's title (its first words when it has none), read from its node."""
        node = self.graph.node_attrs(paper_key(paper_id))
        return str(node.get("title") or node.get("name") or "")


def graph_summary(graph: nx.MultiDiGraph[str]) -> dict[str, dict[str, int]]:
    """Node counts per label and edge counts per type, every known one present (0 if absent).

    Returns ``{"nodes": {label: n}, "edges": {type: n}}``; labels or types
    outside the schema (a hand-edited file) are counted too, after the known ones.
    """
    nodes: dict[str, int] = dict.fromkeys(LABELS, 0)
    for _, label in graph.nodes(data="label"):
        nodes[str(label)] = nodes.get(str(label), 0) + 1
    edges: dict[str, int] = dict.fromkeys(REL_TYPES, 0)
    for _, _, key, data in graph.edges(keys=True, data=True):
        name = str(data.get("type") or key)  # a knowledge edge's key is TYPE/knowledge
        edges[name] = edges.get(name, 0) + 1
    return {"nodes": nodes, "edges": edges}
