"""Aggregate: fold papers and extraction records into per-node and per-edge state.

Each accumulator holds what is known so far about one entity, one relation or
the co-mentioned pairs, and turns it into the attributes of the graph contract
(``docs/architecture.md``). They know nothing of networkx, so that a builder
other than :func:`kg.graph.build.build_graph` can reuse them and give the same
graph. Node keys (:func:`paper_key`, :func:`node_key`) are made here too.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any, NamedTuple

from kg.errors import UsageError
from kg.model import Paper
from kg.schema import ENTITY_LABELS, EXTRACTED_REL_TYPES, KEY_PREFIX, person_slug, slug

Attrs = dict[str, Any]

#: A paper with more entities than this only pairs its most-mentioned ones for
#: CO_MENTIONED: n entities give n*(n-1)/2 pairs, and the rare abstract that
#: lists 100 benchmarks would otherwise add 4,950 mostly meaningless edges.
CO_MENTION_CAP = 30

#: The relationship types extraction produces (entity -> entity, with evidence).
SEMANTIC_REL_TYPES = EXTRACTED_REL_TYPES

#: The label of a node key's prefix (``model`` -> ``Model``).
LABEL_OF_PREFIX = {prefix: label for label, prefix in KEY_PREFIX.items()}


@dataclass
class Entity:
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
        set_if(attrs, "first_seen", self.first_seen)
        set_if(attrs, "last_seen", self.last_seen)
        set_if(attrs, "kind", self.kind if self.label == "Language" else None)
        set_if(attrs, "family", self.family if self.label == "Model" else None)
        return attrs


class Cite(NamedTuple):
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


#: The parallel evidence lists of a relation edge, and the Cite field each holds.
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
class Relation:
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
    cites: dict[str, list[Cite]] = field(default_factory=dict)

    def add_evidence(self, cite: Cite, limit: int) -> None:
        """Keep the sentences of the ``limit`` best papers, at most ``limit`` of each.

        Papers rank by (states it in text first, paper id), so the choice does
        not depend on the order papers come in; a paper's sentences keep their
        order in its record, text ones first. Memory stays bounded for a
        relation that thousands of papers repeat.
        """
        kept = self.cites.get(cite.paper)
        if kept is None:
            if len(self.cites) >= limit:
                worst = max(self.cites, key=lambda paper: paper_rank(paper, self.cites[paper]))
                if paper_rank(cite.paper, [cite]) >= paper_rank(worst, self.cites[worst]):
                    return
                del self.cites[worst]
            self.cites[cite.paper] = [cite]
            return
        if any(cite.sentence == seen.sentence for seen in kept):
            return
        kept.append(cite)
        kept.sort(key=lambda seen: seen.by_name)  # stable: record order within each kind
        del kept[limit:]

    def chosen(self, limit: int) -> list[Cite]:
        """Up to ``limit`` distinct sentences: one per paper first, then further ones.

        A relation stated in text shows only sentences that state it.
        """
        papers = sorted(self.cites, key=lambda paper: paper_rank(paper, self.cites[paper]))
        rounds = [
            [cite for cite in self.cites[paper] if not (self.in_text and cite.by_name)]
            for paper in papers
        ]
        chosen: list[Cite] = []
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
        set_if(attrs, "score", self.score)
        chosen = [] if self.knowledge else self.chosen(limit)
        if chosen:
            for name, attr in EVIDENCE_LISTS:
                attrs[name] = [getattr(cite, attr) for cite in chosen]
            attrs["evidence_titles"] = [titles(cite.paper) for cite in chosen]
        return attrs


def paper_rank(paper: str, cites: Sequence[Cite]) -> tuple[bool, str]:
    """Papers that state a relation in text come first, then by id."""
    return (all(cite.by_name for cite in cites), paper)


class PairCounter:
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


def cite_of(paper_id: str, evidence: object, *, by_name: bool) -> Cite | None:
    """The evidence of one relation record as a Cite, or None without a sentence.

    Offsets that are missing (older records) become -1, as does the trigger
    of a "name" relation: the parallel lists of an edge cannot hold nulls.
    """
    if not isinstance(evidence, Mapping):
        return None
    sentence = str(evidence.get("sentence") or "").strip()
    if not sentence:
        return None
    field_name = str(evidence.get("field") or "")
    return Cite(
        sentence,
        paper_id,
        field_name,
        start=offset_or_minus_one(evidence.get("start")),
        end=offset_or_minus_one(evidence.get("end")),
        trigger_start=offset_or_minus_one(evidence.get("trigger_start")),
        trigger_end=offset_or_minus_one(evidence.get("trigger_end")),
        by_name=by_name,
    )


def offset_or_minus_one(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def salient(counts: Counter[str], limit: int) -> list[str]:
    """The keys to pair for CO_MENTIONED: all of them, or the ``limit`` most mentioned."""
    if len(counts) <= limit:
        return list(counts)
    return [key for key, _ in counts.most_common()[:limit]]  # ties: first mentioned first


def entity_label(value: object) -> str:
    label = str(value)
    if label not in ENTITY_LABELS:
        raise UsageError(
            f"extraction has entity type {value!r}; expected one of {', '.join(ENTITY_LABELS)} "
            "(re-run extraction with this kg version)"
        )
    return label


def required(record: Mapping[str, Any], name: str, what: str) -> Any:
    value = record.get(name)
    if value is None or value == "":
        raise UsageError(f"{what} without {name!r}: {dict(record)!r:.200}")
    return value


def text_or_none(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def set_if(attrs: Attrs, name: str, value: object) -> None:
    """Set ``attrs[name]`` unless the value is unknown: Neo4j cannot store null."""
    if value is not None:
        attrs[name] = value


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


def paper_attributes(key: str, paper: Paper) -> Attrs:
    attrs: Attrs = {"label": "Paper", "key": key, "name": paper.display_title}
    set_if(attrs, "title", paper.title or None)  # a title-less paper is named by its first words
    attrs["abstract"] = paper.abstract
    iso = paper.date.iso if paper.date else None
    set_if(attrs, "date", iso)
    if paper.date is not None and paper.date.year is not None:
        attrs["year"] = paper.date.year
    attrs["categories"] = list(paper.categories)
    set_if(attrs, "has_code", paper.has_code)
    attrs["sources"] = [f"{source.file}:{source.line}" for source in paper.sources]
    attrs["authors"] = [author for author in paper.authors if author.strip()]
    return attrs
