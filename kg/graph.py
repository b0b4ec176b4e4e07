"""Build the knowledge graph from papers and extractions, and write it out.

``build_graph`` turns :class:`~kg.model.Paper` objects and the per-paper
extraction records (the lines of ``extractions.jsonl``) into a
``networkx.MultiDiGraph`` that follows the graph contract of
``docs/architecture.md``: node ids are canonical keys, every edge is keyed by
its type, and every attribute is a value Neo4j can store (no maps, no None).

The graph can then be written as lossless JSON (``save_graph`` /
``load_graph_file``), as GraphML for Gephi (``write_graphml``) or as the CSV
files and command line of ``neo4j-admin database import full``
(``write_neo4j_csv``).

Scale notes (the full corpus is ~140k papers): papers are consumed first
because their nodes are needed anyway; extraction records are then streamed
and folded into small per-entity and per-relation accumulators, so no record is
kept once read. Co-mention pairs are the one quadratic part; see
:class:`_PairCounter` and ``max_co_mention_entities``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

import networkx as nx
import orjson

from kg.errors import InputError, OutputError, UsageError
from kg.model import Paper, collapse_space
from kg.outputs import open_output, prepare_parent
from kg.schema import (
    ENTITY_LABELS,
    EXTRACTED_REL_TYPES,
    KEY_PREFIX,
    KNOWLEDGE_KEY_SUFFIX,
    LABELS,
    PROVENANCES,
    REL_TYPES,
    check_label,
    check_rel_type,
    edge_key,
    person_slug,
    relation_provenance,
    slug,
)

__all__ = [
    "CO_MENTION_CAP",
    "FORMAT_VERSION",
    "SEMANTIC_REL_TYPES",
    "build_graph",
    "graph_summary",
    "load_graph_file",
    "save_graph",
    "write_graphml",
    "write_neo4j_csv",
]

Attrs = dict[str, Any]

#: Version of the JSON file layout written by :func:`save_graph`.
FORMAT_VERSION = 1

#: A paper with more entities than this only pairs its most-mentioned ones for
#: CO_MENTIONED: n entities give n*(n-1)/2 pairs, and the rare abstract that
#: lists 100 benchmarks would otherwise add 4,950 mostly meaningless edges.
CO_MENTION_CAP = 30

#: The relationship types extraction produces (entity -> entity, with evidence).
SEMANTIC_REL_TYPES = EXTRACTED_REL_TYPES

_LABEL_OF_PREFIX = {prefix: label for label, prefix in KEY_PREFIX.items()}
_INT32 = (-(2**31), 2**31 - 1)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\r\n]+")


# --- build ----------------------------------------------------------------------


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
    builder = _Builder(
        max_evidence=max_evidence,
        org_tag_map=org_tag_map or {},
        max_co_mention_entities=max_co_mention_entities,
    )
    for paper in papers:
        builder.add_paper(paper)
    for record in extractions:
        builder.add_extraction(record)
    return builder.finish(min_co_mention)


@dataclass
class _Entity:
    """What is known so far about one entity node, across all papers."""

    label: str
    #: Votes for the display name: the extraction's name, one vote per paper.
    names: Counter[str] = field(default_factory=Counter)
    #: Names from relation endpoints and org tags, used only when no paper named it.
    fallback_names: Counter[str] = field(default_factory=Counter)
    #: Surface forms (mention texts) and how often each was seen.
    surfaces: Counter[str] = field(default_factory=Counter)
    mention_count: int = 0
    paper_count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    kind: str | None = None
    family: str | None = None

    def attributes(self, key: str) -> Attrs:
        """The node attributes of the contract, with unknown values left out."""
        names = self.names or self.fallback_names
        name = names.most_common()[0][0] if names else key.partition(":")[2]
        attrs: Attrs = {"label": self.label, "key": key, "name": name}
        if self.surfaces:
            ranked = self.surfaces.most_common()  # stable: ties stay in first-seen order
            attrs["aliases"] = [text for text, _ in ranked]
            attrs["alias_counts"] = [count for _, count in ranked]
        attrs["mention_count"] = self.mention_count
        attrs["paper_count"] = self.paper_count
        _set_if(attrs, "first_seen", self.first_seen)
        _set_if(attrs, "last_seen", self.last_seen)
        _set_if(attrs, "kind", self.kind if self.label == "Language" else None)
        _set_if(attrs, "family", self.family if self.label == "Model" else None)
        return attrs


class _Cite(NamedTuple):
    """One evidence sentence of a relation, where a paper states (or names) it."""

    sentence: str
    paper: str
    field: str
    start: int
    end: int
    trigger_start: int
    trigger_end: int
    #: True for a "name" relation's sentence (it names the member, states nothing).
    by_name: bool


#: The parallel evidence lists of a relation edge, and the _Cite field each holds.
EVIDENCE_LISTS: tuple[tuple[str, str], ...] = (
    ("evidence", "sentence"),
    ("evidence_papers", "paper"),
    ("evidence_fields", "field"),
    ("evidence_starts", "start"),
    ("evidence_ends", "end"),
    ("evidence_trigger_starts", "trigger_start"),
    ("evidence_trigger_ends", "trigger_end"),
)


@dataclass
class _Relation:
    """One typed relation edge, aggregated over the papers that support it.

    A stated relation (provenance "text" or "name") keeps its supporting
    papers and evidence; a knowledge relation (from kg's lexicon) is its own
    accumulator, and keeps neither.
    """

    knowledge: bool = False
    papers: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    score: float | None = None
    #: True once a paper states the relation in its text (else it only follows from names).
    in_text: bool = False
    #: The candidate sentences of the best ``limit`` papers, each in record order.
    cites: dict[str, list[_Cite]] = field(default_factory=dict)

    def add_evidence(self, cite: _Cite, limit: int) -> None:
        """Keep the sentences of the ``limit`` best papers, at most ``limit`` of each.

        Papers rank by (states it in text first, paper id), so the choice does
        not depend on the order papers come in; a paper's sentences keep their
        order in its record, text ones first. Memory stays bounded for a
        relation that thousands of papers repeat.
        """
        kept = self.cites.get(cite.paper)
        if kept is None:
            if len(self.cites) >= limit:
                worst = max(self.cites, key=lambda paper: _paper_rank(paper, self.cites[paper]))
                if _paper_rank(cite.paper, [cite]) >= _paper_rank(worst, self.cites[worst]):
                    return
                del self.cites[worst]
            self.cites[cite.paper] = [cite]
            return
        if any(cite.sentence == seen.sentence for seen in kept):
            return
        kept.append(cite)
        kept.sort(key=lambda seen: seen.by_name)  # stable: record order within each kind
        del kept[limit:]

    def chosen(self, limit: int) -> list[_Cite]:
        """Up to ``limit`` distinct sentences: one per paper first, then further ones.

        A relation stated in text shows only sentences that state it.
        """
        papers = sorted(self.cites, key=lambda paper: _paper_rank(paper, self.cites[paper]))
        rounds = [
            [cite for cite in self.cites[paper] if not (self.in_text and cite.by_name)]
            for paper in papers
        ]
        chosen: list[_Cite] = []
        seen: set[str] = set()
        for depth in range(limit):
            for cites in rounds:
                if depth < len(cites) and cites[depth].sentence not in seen:
                    seen.add(cites[depth].sentence)
                    chosen.append(cites[depth])
        return chosen[:limit]

    def attributes(self, rel_type: str, titles: Callable[[str], str], limit: int) -> Attrs:
        """The edge attributes of the contract."""
        attrs: Attrs = {"type": rel_type}
        if self.knowledge:
            attrs.update(provenance="knowledge", papers=[], support=0)
        else:
            papers = sorted(self.papers)
            attrs["provenance"] = "text" if self.in_text else "name"
            attrs.update(papers=papers, support=len(papers))
        attrs["rules"] = sorted(self.rules)
        _set_if(attrs, "score", self.score)
        chosen = [] if self.knowledge else self.chosen(limit)
        if chosen:
            for name, attr in EVIDENCE_LISTS:
                attrs[name] = [getattr(cite, attr) for cite in chosen]
            attrs["evidence_titles"] = [titles(cite.paper) for cite in chosen]
        return attrs


def _paper_rank(paper: str, cites: Sequence[_Cite]) -> tuple[bool, str]:
    """Papers that state a relation in text come first, then by id."""
    return (all(cite.by_name for cite in cites), paper)


class _PairCounter:
    """Supporting papers of every co-mentioned entity pair, stored compactly.

    A large corpus has millions of pairs, most seen in one paper only, so a
    pair is one packed int key (two entity indexes) mapped to one paper index,
    which becomes a list only when a second paper supports the pair.
    """

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self._keys: list[str] = []
        self._papers: list[str] = []
        self._pairs: dict[int, int | list[int]] = {}

    def add(self, paper_id: str, keys: Iterable[str]) -> None:
        """Count every pair of ``keys`` (distinct entity keys) as seen in ``paper_id``."""
        paper = len(self._papers)
        self._papers.append(paper_id)
        ids = [self._entity_index(key) for key in sorted(set(keys))]
        for first, second in combinations(ids, 2):
            packed = first << 32 | second
            seen = self._pairs.get(packed)
            if seen is None:
                self._pairs[packed] = paper
            elif isinstance(seen, int):
                self._pairs[packed] = [seen, paper]
            else:
                seen.append(paper)

    def edges(self, min_weight: int) -> Iterator[tuple[str, str, list[str]]]:
        """(source key, target key, sorted paper ids) of pairs with enough papers."""
        for packed, seen in self._pairs.items():
            papers = [seen] if isinstance(seen, int) else seen
            if len(papers) >= min_weight:
                source, target = self._keys[packed >> 32], self._keys[packed & 0xFFFFFFFF]
                yield source, target, sorted(self._papers[index] for index in papers)

    def _entity_index(self, key: str) -> int:
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self._keys)
            self._keys.append(key)
        return index


class _Builder:
    """Folds papers, then extraction records, into the graph and its accumulators."""

    def __init__(
        self, *, max_evidence: int, org_tag_map: Mapping[str, str], max_co_mention_entities: int
    ) -> None:
        self.graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self.max_evidence = max(0, max_evidence)
        self.max_pairs_entities = max(0, max_co_mention_entities)
        self.org_tag_map = dict(org_tag_map)
        self.org_tag_folded = {tag.casefold(): name for tag, name in org_tag_map.items()}
        self.entities: dict[str, _Entity] = {}
        self.relations: dict[tuple[str, str, str], _Relation] = {}
        self.pairs = _PairCounter()
        self.extracted: set[str] = set()

    # papers

    def add_paper(self, paper: Paper) -> None:
        """Add the Paper node, its authors and its org tags."""
        key = paper_key(paper.id)
        self.graph.add_node(key, **_paper_attributes(key, paper))
        for position, author in enumerate(paper.authors, start=1):
            self._add_author(key, author, position)
        for tag in paper.org_tags:
            self._add_org_tag(key, tag)

    def _add_author(self, paper: str, name: str, position: int) -> None:
        name = name.strip()
        if not name:
            return
        key = node_key("Author", name)
        if key not in self.graph:
            self.graph.add_node(key, label="Author", key=key, name=name)
        if not self.graph.has_edge(paper, key, "AUTHORED_BY"):  # same author twice: first wins
            self.graph.add_edge(paper, key, "AUTHORED_BY", type="AUTHORED_BY", position=position)

    def _add_org_tag(self, paper: str, tag: str) -> None:
        tag = tag.strip()
        if not tag:
            return
        name = self.org_tag_map.get(tag) or self.org_tag_folded.get(tag.casefold()) or tag
        key = node_key("Organization", name)
        self._entity(key, "Organization").fallback_names[name] += 1
        if not self.graph.has_edge(paper, key, "TAGGED_WITH"):
            self.graph.add_edge(paper, key, "TAGGED_WITH", type="TAGGED_WITH", tag=tag)

    # extractions

    def add_extraction(self, record: Mapping[str, Any]) -> None:
        """Fold one paper's extraction record in; nothing of it is kept but aggregates."""
        # kg's key of the paper; records written before ``paper_id`` existed carry it in ``id``.
        paper_id = str(record.get("paper_id") or _required(record, "id", "extraction record"))
        if paper_id in self.extracted:
            return
        self.extracted.add(paper_id)
        paper = paper_key(paper_id)
        if paper not in self.graph:
            title = str(record.get("title") or "")
            attrs: Attrs = {"label": "Paper", "key": paper, "name": collapse_space(title)}
            _set_if(attrs, "title", title or None)
            self.graph.add_node(paper, **attrs)
        mentioned = self._add_entities(paper, record.get("entities") or [])
        for relation in record.get("relations") or []:
            self._add_relation(paper_id, relation)
        self.pairs.add(paper_id, _salient(mentioned, self.max_pairs_entities))

    def _add_entities(self, paper: str, entities: Iterable[Mapping[str, Any]]) -> Counter[str]:
        """Add MENTIONS / INTRODUCES edges; return mention counts per key, first seen first."""
        counts: Counter[str] = Counter()
        introduced: set[str] = set()
        named: set[str] = set()
        for entity in entities:
            key = self._fold_entity(entity, counts, named)
            if entity.get("introduced"):
                introduced.add(key)
        date = self.graph.nodes[paper].get("date") if "year" in self.graph.nodes[paper] else None
        for key, count in counts.items():
            state = self.entities[key]
            state.mention_count += count
            state.paper_count += 1
            if date is not None:
                state.first_seen = min(date, state.first_seen or date)
                state.last_seen = max(date, state.last_seen or date)
            self.graph.add_edge(paper, key, "MENTIONS", type="MENTIONS", count=count)
            if key in introduced:
                self.graph.add_edge(paper, key, "INTRODUCES", type="INTRODUCES")
        return counts

    def _fold_entity(self, entity: Mapping[str, Any], counts: Counter[str], named: set[str]) -> str:
        """Merge one entity of a paper into its accumulator; return its key.

        An entity listed twice in one paper (two surface forms resolved to one
        key) counts once for the name vote and paper count.
        """
        label = _entity_label(entity.get("type"))
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
        state.kind = state.kind or _text_or_none(entity.get("kind"))
        state.family = state.family or _text_or_none(entity.get("family"))
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
            state = _Relation(knowledge=knowledge)
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
        cite = _cite(paper_id, relation.get("evidence"), by_name=provenance == "name")
        if cite is not None and self.max_evidence:
            state.add_evidence(cite, self.max_evidence)

    def _endpoint(self, relation: Mapping[str, Any], end: str) -> str:
        """The key of a relation endpoint, creating its entity when no paper listed it."""
        name = _text_or_none(relation.get(f"{end}_name"))
        key = str(relation.get(end) or "")
        label = relation.get(f"{end}_type") or _LABEL_OF_PREFIX.get(key.partition(":")[0])
        label = _entity_label(label)
        if not key:
            key = node_key(label, str(_required(relation, f"{end}_name", "relation")))
        key = sys.intern(key)
        state = self._entity(key, label)
        if name:
            state.fallback_names[name] += 1
        return key

    def _entity(self, key: str, label: str) -> _Entity:
        state = self.entities.get(key)
        if state is None:
            state = self.entities[key] = _Entity(label=label)
        return state

    # result

    def finish(self, min_co_mention: int) -> nx.MultiDiGraph[str]:
        """Write the accumulated entity nodes and relation edges, then CO_MENTIONED."""
        graph = self.graph
        for key, state in self.entities.items():
            graph.add_node(key, **state.attributes(key))
        self.entities.clear()
        titles = self._title
        for (source, target, key), relation in self.relations.items():
            rel_type = key.removesuffix(KNOWLEDGE_KEY_SUFFIX)
            attrs = relation.attributes(rel_type, titles, self.max_evidence)
            graph.add_edge(source, target, key, **attrs)
        self.relations.clear()
        for source, target, papers in self.pairs.edges(max(1, min_co_mention)):
            graph.add_edge(
                source,
                target,
                "CO_MENTIONED",
                type="CO_MENTIONED",
                papers=papers,
                weight=len(papers),
            )
        return graph

    def _title(self, paper_id: str) -> str:
        """A paper's title (its first words when it has none), read from its node."""
        node = self.graph.nodes[paper_key(paper_id)]
        return str(node.get("title") or node.get("name") or "")


def _cite(paper_id: str, evidence: object, *, by_name: bool) -> _Cite | None:
    """The evidence of one relation record as a _Cite, or None without a sentence.

    Offsets that are missing (older records) become -1, as does the trigger
    of a "name" relation: the parallel lists of an edge cannot hold nulls.
    """
    if not isinstance(evidence, Mapping):
        return None
    sentence = str(evidence.get("sentence") or "").strip()
    if not sentence:
        return None
    field_name = str(evidence.get("field") or "")
    return _Cite(
        sentence,
        paper_id,
        field_name,
        start=_offset(evidence.get("start")),
        end=_offset(evidence.get("end")),
        trigger_start=_offset(evidence.get("trigger_start")),
        trigger_end=_offset(evidence.get("trigger_end")),
        by_name=by_name,
    )


def _offset(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def paper_key(paper_id: str) -> str:
    """The node key of a paper: its id is already canonical, so it is not slugged."""
    return f"{KEY_PREFIX['Paper']}:{paper_id}"


@lru_cache(maxsize=1 << 18)  # a corpus has ~230k authors; kg build clears it before loading
def node_key(label: str, name: str) -> str:
    """``make_key``, except for two cases that would merge different people.

    An author's key comes from ``person_slug`` (dots fold, apostrophes and
    hyphens do not), and a name with no slug at all (e.g. all CJK) gets a hash
    instead of the bare ``author:``.
    """
    folded = person_slug(name) if label == "Author" else slug(name)
    if not folded:
        folded = "h-" + hashlib.sha1(name.strip().encode("utf-8")).hexdigest()[:12]
    return sys.intern(f"{KEY_PREFIX[label]}:{folded}")


def _paper_attributes(key: str, paper: Paper) -> Attrs:
    attrs: Attrs = {"label": "Paper", "key": key, "name": paper.display_title}
    _set_if(attrs, "title", paper.title or None)  # a title-less paper is named by its first words
    attrs["abstract"] = paper.abstract
    iso = paper.date.iso if paper.date else None
    _set_if(attrs, "date", iso)
    if paper.date is not None and paper.date.year is not None:
        attrs["year"] = paper.date.year
    attrs["categories"] = list(paper.categories)
    _set_if(attrs, "has_code", paper.has_code)
    attrs["sources"] = [f"{source.file}:{source.line}" for source in paper.sources]
    attrs["authors"] = [author for author in paper.authors if author.strip()]
    return attrs


def _salient(counts: Counter[str], limit: int) -> list[str]:
    """The keys to pair for CO_MENTIONED: all of them, or the ``limit`` most mentioned."""
    if len(counts) <= limit:
        return list(counts)
    return [key for key, _ in counts.most_common()[:limit]]  # ties: first mentioned first


def _entity_label(value: object) -> str:
    label = str(value)
    if label not in ENTITY_LABELS:
        raise UsageError(
            f"extraction has entity type {value!r}; expected one of {', '.join(ENTITY_LABELS)} "
            "(re-run extraction with this kg version)"
        )
    return label


def _required(record: Mapping[str, Any], name: str, what: str) -> Any:
    value = record.get(name)
    if value is None or value == "":
        raise UsageError(f"{what} without {name!r}: {dict(record)!r:.200}")
    return value


def _text_or_none(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _set_if(attrs: Attrs, name: str, value: object) -> None:
    """Set ``attrs[name]`` unless the value is unknown: Neo4j cannot store null."""
    if value is not None:
        attrs[name] = value


# --- summary --------------------------------------------------------------------


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


# --- JSON -----------------------------------------------------------------------


def save_graph(graph: nx.MultiDiGraph[str], path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as JSON node-link data (gzip-compressed when the name ends in .gz).

    The layout is ``networkx.node_link_data(graph, edges="edges")`` plus
    ``kg_format_version``, written one node or edge at a time: ``json.dump``
    of the whole document runs the pure-Python encoder, several times slower
    on a corpus-sized graph. A regular file is written next to its final name
    and renamed into place, so an interrupted save never leaves a truncated
    graph; a device or FIFO is written straight through (:mod:`kg.outputs`).
    """
    target = Path(path)
    compress = target.name.endswith(".gz")
    with open_output(target, compress=compress, what="the graph") as handle:
        for chunk in _node_link_chunks(graph):
            handle.write(chunk)
    return target


def _node_link_chunks(graph: nx.MultiDiGraph[str]) -> Iterator[str]:
    def encode(value: object) -> str:  # compact, non-ASCII kept, like json.dumps(..., ",", ":")
        return orjson.dumps(value).decode("utf-8")

    yield f'{{"kg_format_version":{FORMAT_VERSION},"directed":true,"multigraph":true,'
    yield f'"graph":{encode(graph.graph)},"nodes":['
    for index, (key, attrs) in enumerate(graph.nodes.items()):
        yield ("," if index else "") + "\n" + encode({**attrs, "id": key})
    yield '],"edges":['
    for index, (source, target, rel_type, data) in enumerate(graph.edges(keys=True, data=True)):
        edge = {**data, "source": source, "target": target, "key": rel_type}
        yield ("," if index else "") + "\n" + encode(edge)
    yield "]}\n"


def load_graph_file(path: str | os.PathLike[str]) -> nx.MultiDiGraph[str]:
    """Read a graph written by :func:`save_graph`; raise InputError saying how to fix a bad file."""
    name = str(path)
    document = read_graph_document(name)
    check_graph_document(name, document)
    graph = nx.node_link_graph(
        document, directed=True, multigraph=True, edges="edges", nodes="nodes"
    )
    assert isinstance(graph, nx.MultiDiGraph)  # checked above: directed and multigraph
    return graph


def check_graph_document(name: str, document: Any) -> None:
    """Raise InputError naming ``name`` unless ``document`` is a kg graph this version reads."""
    if not isinstance(document, dict) or "kg_format_version" not in document:
        raise InputError(name, not_a_graph("it has no kg_format_version"))
    version = document["kg_format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InputError(
            name,
            f"graph format {version!r} is newer than this kg reads ({FORMAT_VERSION}); "
            "upgrade kg or rebuild the graph with this version",
        )
    problem = _node_link_problem(document)
    if problem:
        raise InputError(name, not_a_graph(problem))


def _node_link_problem(document: Mapping[str, Any]) -> str | None:
    """What makes ``document`` unusable as a kg graph, or None.

    ``node_link_graph`` itself is lenient (a node without an id gets a number,
    an edge to an unknown node creates an empty one), so a hand-edited or
    truncated file is checked here instead of loading into a broken graph.
    """
    if document.get("directed") is not True or document.get("multigraph") is not True:
        return "it is not a directed multigraph"
    nodes, edges = document.get("nodes"), document.get("edges")
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return "it has no 'nodes' and 'edges' lists"
    known: set[str] = set()
    for index, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            return f"node {index} has no string 'id'"
        known.add(node["id"])
    for index, edge in enumerate(edges):
        if not isinstance(edge, dict) or not isinstance(edge.get("key"), str):
            return f"edge {index} has no string 'key' (its type)"
        if edge.get("source") not in known or edge.get("target") not in known:
            return f"edge {index} links a node that is not in the file"
    return None


def open_graph_file(name: str) -> IO[str]:
    """Open a graph file for reading, or raise InputError naming it and the fix."""
    try:
        return open_graph_text(Path(name), "r")
    except FileNotFoundError:
        raise InputError(
            name, "no such graph file; build one first (kg.graph.save_graph / `kg build -o`)"
        ) from None
    except IsADirectoryError:
        raise InputError(name, "is a directory; pass the graph JSON file inside it") from None


def read_graph_document(name: str) -> Any:
    """The parsed JSON of a graph file, or InputError naming the file and the fix."""
    try:
        with open_graph_file(name) as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise InputError(
            name,
            not_a_graph(
                f"it is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ),
        ) from None
    except (UnicodeDecodeError, EOFError, OSError) as error:
        raise InputError(name, not_a_graph(f"it cannot be read ({error})")) from None


def not_a_graph(why: str) -> str:
    """The message for a file that is not a kg graph, ending with how to get one."""
    return (
        f"not a kg graph file: {why}; pass the JSON written by save_graph (`kg build -o "
        "graph.json`), or rebuild it"
    )


def open_graph_text(path: Path, mode: Literal["r", "w"]) -> IO[str]:
    """Open for text, through gzip when the name says so (big corpora make big graphs)."""
    if not path.name.endswith((".gz", ".gz.part")):
        return open(path, mode, encoding="utf-8")
    if mode == "w":
        return gzip.open(path, "wt", encoding="utf-8")
    return gzip.open(path, "rt", encoding="utf-8")


# --- GraphML --------------------------------------------------------------------


def write_graphml(graph: nx.MultiDiGraph[str], path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as GraphML for Gephi.

    GraphML has no list type, so lists are written as JSON strings
    (``["GPT-3", "GPT3"]``): unambiguous and easy to parse back. Gephi shows
    the ``label`` attribute, so in this file a node's ``label`` is its display
    name and its graph label (Paper, Model, ...) moves to ``type``; an edge's
    ``label`` is its type. Characters XML cannot hold are dropped.
    """
    target = Path(path)
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for key, data in graph.nodes.items():
        attrs = {name: _graphml_value(value) for name, value in data.items()}
        attrs["type"] = attrs.pop("label", "")
        attrs["label"] = attrs.get("name", key)
        flat.add_node(_xml_safe(key), **attrs)
    for source, target_key, rel_type, data in graph.edges(keys=True, data=True):
        attrs = {name: _graphml_value(value) for name, value in data.items()}
        attrs["label"] = str(data.get("type", rel_type))
        flat.add_edge(_xml_safe(source), _xml_safe(target_key), str(rel_type), **attrs)
    with open_output(target, binary=True, what="the GraphML") as handle:
        nx.write_graphml(flat, handle, encoding="utf-8")
    return target


def _graphml_value(value: Any) -> Any:
    if isinstance(value, list):
        return _xml_safe(json.dumps(value, ensure_ascii=False))
    if isinstance(value, str):
        return _xml_safe(value)
    return value


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("", text)


# --- neo4j-admin CSV -------------------------------------------------------------


def write_neo4j_csv(
    graph: nx.MultiDiGraph[str],
    directory: str | os.PathLike[str],
    *,
    array_delimiter: str | None = None,
) -> list[Path]:
    """Write the CSV files of ``neo4j-admin database import full`` and ``import.sh``.

    One nodes file per label (``nodes_<Label>.csv``, header
    ``key:ID,name,...,:LABEL``) and one relationships file per type
    (``rels_<TYPE>.csv``, header ``:START_ID,:END_ID,:TYPE,...``), all in one
    ID space since keys are unique across labels. Columns are typed
    (``count:int``, ``score:double``, ``aliases:string[]``) and lists are
    joined with ``array_delimiter``. neo4j-admin has no escape for it, so it
    must not occur in any list item: by default the first of ``;``, ``|`` and
    U+001F that no item holds is used (``import.sh`` names it), and a given
    delimiter that an item holds is refused, so lists always round-trip. Line breaks in values
    become spaces (neo4j-admin rejects them unless ``--multiline-fields``).
    Missing and empty values are empty fields, which neo4j-admin leaves unset.
    Returns the files written, ``import.sh`` last.
    """
    array_delimiter = _array_delimiter(graph, array_delimiter)
    if len(array_delimiter) != 1 or array_delimiter in ',"\r\n':
        raise UsageError(
            "the array delimiter must be one character other than a comma, a double quote "
            f"or a line break; got {array_delimiter!r}"
        )
    out = _csv_directory(directory)
    by_label: dict[str, list[str]] = {}
    for key, label in graph.nodes(data="label"):
        by_label.setdefault(str(label), []).append(key)
    node_files = [
        _write_nodes(graph, out / f"nodes_{label}.csv", label, keys, array_delimiter)
        for label, keys in _schema_order(by_label, LABELS)
    ]
    by_type: dict[str, list[tuple[str, str, str]]] = {}
    for source, target, key, data in graph.edges(keys=True, data=True):
        by_type.setdefault(str(data.get("type") or key), []).append((source, target, key))
    rel_files = [
        _write_relationships(graph, out / f"rels_{rel_type}.csv", edges, array_delimiter)
        for rel_type, edges in _schema_order(by_type, REL_TYPES)
    ]
    script = _write_import_script(out / "import.sh", node_files, rel_files, array_delimiter)
    return [*node_files, *rel_files, script]


#: Array delimiters tried in turn when none is given: the first that no list item holds.
ARRAY_DELIMITERS = (";", "|", "\u001f")


def _array_delimiter(graph: nx.MultiDiGraph[str], wanted: str | None) -> str:
    """``wanted``, or the first of ``ARRAY_DELIMITERS`` absent from every list item."""
    used: set[str] = set()
    candidates = ARRAY_DELIMITERS if wanted is None else (wanted,)
    for attrs in (
        *(d for _, d in graph.nodes(data=True)),
        *(d for *_, d in graph.edges(data=True)),
    ):
        for value in attrs.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        used.update(c for c in candidates if c in item)
        if len(used) == len(candidates):
            break
    free = [c for c in candidates if c not in used]
    if free:
        return free[0]
    if wanted is not None:
        raise UsageError(
            f"the array delimiter {wanted!r} occurs inside a list item, where neo4j-admin "
            "would split it; choose another one"
        )
    raise UsageError(
        "every array delimiter kg tries (';', '|', U+001F) occurs inside a list item; "
        "pass array_delimiter= a character that none holds"
    )


def _csv_directory(directory: str | os.PathLike[str]) -> Path:
    """The export directory, created if missing, or OutputError saying why it cannot be."""
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise OutputError(str(out), "is not a directory; give a directory for the CSV files")
    prepare_parent(out / "nodes.csv", "the CSV files")
    return out


def _schema_order(groups: dict[str, Any], known: Sequence[str]) -> list[tuple[str, Any]]:
    """Groups in schema order (so files and the script read naturally), unknown names last."""
    order = {name: index for index, name in enumerate(known)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _write_nodes(
    graph: nx.MultiDiGraph[str], path: Path, label: str, keys: list[str], delimiter: str
) -> Path:
    _checked(check_label, label)
    rows = [graph.nodes[key] for key in keys]
    columns = _columns(rows, skip={"label", "key", "name"})
    header = ["key:ID", "name", *(_typed(name, kind) for name, kind in columns), ":LABEL"]
    with open_output(path, newline="", what="the nodes CSV") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for key, data in zip(keys, rows, strict=True):
            cells = [_cell(data.get(name), kind, delimiter) for name, kind in columns]
            name = _cell(data.get("name"), "string", delimiter)
            writer.writerow([key, name, *cells, label])
    return path


def _write_relationships(
    graph: nx.MultiDiGraph[str], path: Path, edges: list[tuple[str, str, str]], delimiter: str
) -> Path:
    rows = [graph.edges[edge] for edge in edges]
    rel_type = _checked(check_rel_type, str(rows[0].get("type", edges[0][2])))
    columns = _columns(rows, skip={"type"})
    header = [":START_ID", ":END_ID", ":TYPE", *(_typed(name, kind) for name, kind in columns)]
    with open_output(path, newline="", what="the relationships CSV") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for (source, target, _key), data in zip(edges, rows, strict=True):
            cells = [_cell(data.get(name), kind, delimiter) for name, kind in columns]
            writer.writerow([source, target, rel_type, *cells])
    return path


def _checked(check: Callable[[str], str], name: str) -> str:
    """Whitelist a label or type before it names a file (a hand-edited graph may hold anything)."""
    try:
        return check(name)
    except ValueError as error:
        raise UsageError(f"cannot export this graph: {error}") from None


def _columns(rows: Iterable[Mapping[str, Any]], skip: set[str]) -> list[tuple[str, str]]:
    """(property, neo4j-admin type) of every property in ``rows``, in first-seen order."""
    kinds: dict[str, set[str]] = {}
    for data in rows:
        for name, value in data.items():
            if name not in skip:
                kinds.setdefault(name, set()).update(_value_kinds(value))
    return [(name, _column_kind(found)) for name, found in kinds.items()]


def _value_kinds(value: Any) -> set[str]:
    """The scalar kinds in a value; a list adds ``[]`` so the column becomes an array."""
    if isinstance(value, list):
        return {"[]", *(kind for item in value for kind in _value_kinds(item))}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"int" if _INT32[0] <= value <= _INT32[1] else "long"}
    if isinstance(value, float):
        return {"double"}
    return {"string"}


def _column_kind(found: set[str]) -> str:
    """One neo4j-admin type for a column: the widest of its values' kinds."""
    is_array = "[]" in found
    scalars = found - {"[]"}
    if not scalars:
        kind = "string"
    elif len(scalars) == 1:
        kind = next(iter(scalars))
    elif scalars <= {"int", "long"}:
        kind = "long"
    elif scalars <= {"int", "long", "double"}:
        kind = "double"
    else:
        kind = "string"
    return kind + "[]" if is_array else kind


def _typed(name: str, kind: str) -> str:
    return name if kind == "string" else f"{name}:{kind}"


def _cell(value: Any, kind: str, delimiter: str) -> str:
    """One CSV field; None and empty lists become empty fields (property not set)."""
    if value is None:
        return ""
    if isinstance(value, list):
        scalar = kind.removesuffix("[]")
        return delimiter.join(_scalar(item, scalar) for item in value)
    return _scalar(value, kind)


def _scalar(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "double" and isinstance(value, (int, float)):
        return repr(float(value))
    return _LINE_BREAKS.sub(" ", str(value))


def _write_import_script(
    path: Path, node_files: list[Path], rel_files: list[Path], delimiter: str
) -> Path:
    """A shell script with the exact neo4j-admin command for these files."""
    shown = delimiter if delimiter.isprintable() and delimiter != " " else f"U+{ord(delimiter):04X}"
    lines = [
        "#!/bin/sh",
        "# Import these CSV files into a new, empty Neo4j database (the DBMS must be stopped).",
        "# Usage: sh import.sh [database]   (default database: neo4j;",
        "#        set NEO4J_ADMIN to the neo4j-admin binary if it is not on PATH)",
        "set -e",
        'cd "$(dirname "$0")"',
        '"${NEO4J_ADMIN:-neo4j-admin}" database import full \\',
        *(f"  --nodes={file.name} \\" for file in node_files),
        *(f"  --relationships={file.name} \\" for file in rel_files),
        f'  --delimiter="," --array-delimiter="{shown}" --id-type=string \\',
        '  "${1:-neo4j}"',
    ]
    with open_output(path, mode=0o755, what="the import script") as handle:
        handle.write("\n".join(lines) + "\n")
    return path
