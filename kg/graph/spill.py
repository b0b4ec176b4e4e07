"""Out-of-core graph building: the graph is folded into SQLite on disk, not into networkx.

A corpus graph as a ``networkx.MultiDiGraph`` takes ~1.4 GiB for 140k papers,
and grows with every paper: paper nodes hold their abstracts, and authorship,
mention and co-mention edges come with every paper. :func:`spill_graph` runs
the same fold as :func:`kg.graph.build.build_graph` (``fold_graph``) into a
:class:`SqliteSink` instead, so nodes, edges, the co-mentioned pairs and the
set of extracted papers live in one SQLite file whose page cache is capped
(:data:`CACHE_KIB`). What stays in memory is one accumulator per distinct
entity and per distinct relation (:mod:`kg.graph.aggregate`): that grows with
the vocabulary of the corpus, not with its number of papers.

The result streams out in exactly networkx's order, so the graph file written
from it is byte-identical to ``save_graph(build_graph(...))``:

* nodes in the order networkx first saw them (``add_node`` or an edge's
  endpoint): the table's rowid is that sequence number;
* edges by their source's node order, then by the first edge from that source
  to that target (networkx's adjacency dict), then by insertion (its key dict).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from kg.graph.aggregate import CO_MENTION_CAP, Attrs
from kg.graph.build import fold_graph
from kg.model import Paper
from kg.schema import LABELS, REL_TYPES

__all__ = ["CACHE_KIB", "SpilledGraph", "SqliteSink", "spill_graph"]

#: SQLite page cache per connection, in KiB: what the spill may hold in memory.
CACHE_KIB = 64 * 1024

#: Node sequence numbers kept in memory for the nodes used most recently.
_SEQ_CACHE = 1 << 16

_SCHEMA = """
CREATE TABLE nodes (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, attrs BLOB NOT NULL);
CREATE TABLE edges (
    seq INTEGER PRIMARY KEY,
    source TEXT NOT NULL, target TEXT NOT NULL, key TEXT NOT NULL,
    source_seq INTEGER NOT NULL, pair_seq INTEGER NOT NULL, attrs BLOB NOT NULL,
    UNIQUE (source, target, key)
);
CREATE TABLE extracted (paper_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE pairs (seq INTEGER PRIMARY KEY, first TEXT NOT NULL, second TEXT NOT NULL,
                    paper TEXT NOT NULL);
"""


def _dumps(attrs: Mapping[str, Any]) -> bytes:
    return orjson.dumps(attrs)


class SqliteSink:
    """A :class:`kg.graph.build.GraphSink` in one SQLite file, with networkx's semantics."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(
            f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
            f"PRAGMA cache_size=-{CACHE_KIB}; BEGIN;" + _SCHEMA
        )
        self._next = 0
        #: Sequence numbers of recently used nodes (bounded: cleared when full).
        self._seqs: dict[str, int] = {}

    def _seq(self) -> int:
        self._next += 1
        return self._next

    # nodes

    def has_node(self, key: str) -> bool:
        return self._node_seq(key) is not None

    def node_attrs(self, key: str) -> Mapping[str, Any]:
        row = self.db.execute("SELECT attrs FROM nodes WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        attrs: dict[str, Any] = orjson.loads(row[0])
        return attrs

    def add_node(self, key: str, attrs: Attrs) -> None:
        """Insert a node, or update a known one's attributes (networkx's ``add_node``)."""
        seq = self._next + 1
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO nodes (seq, key, attrs) VALUES (?, ?, ?)",
            (seq, key, _dumps(attrs)),
        )
        if cursor.rowcount == 1:
            self._next = seq
            self._remember(key, seq)
            return
        if attrs:
            (blob,) = self.db.execute("SELECT attrs FROM nodes WHERE key = ?", (key,)).fetchone()
            merged = {**orjson.loads(blob), **attrs}
            self.db.execute("UPDATE nodes SET attrs = ? WHERE key = ?", (_dumps(merged), key))

    def _remember(self, key: str, seq: int) -> None:
        if len(self._seqs) >= _SEQ_CACHE:
            self._seqs.clear()
        self._seqs[key] = seq

    def _node_seq(self, key: str) -> int | None:
        seq = self._seqs.get(key)
        if seq is not None:
            return seq
        row = self.db.execute("SELECT seq FROM nodes WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        self._remember(key, int(row[0]))
        return int(row[0])

    def _ensure_node(self, key: str) -> int:
        """The node's sequence number, creating it without attributes when it is new."""
        seq = self._node_seq(key)
        if seq is None:
            seq = self._seq()
            insert = "INSERT INTO nodes (seq, key, attrs) VALUES (?, ?, ?)"
            self.db.execute(insert, (seq, key, b"{}"))
            self._remember(key, seq)
        return seq

    # edges

    def has_edge(self, source: str, target: str, key: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM edges WHERE source = ? AND target = ? AND key = ?",
            (source, target, key),
        ).fetchone()
        return row is not None

    def add_edge(self, source: str, target: str, key: str, attrs: Attrs) -> None:
        """Insert an edge, or update a known one's attributes (networkx's ``add_edge``)."""
        source_seq = self._ensure_node(source)
        self._ensure_node(target)
        rows = self.db.execute(
            "SELECT seq, key, attrs FROM edges WHERE source = ? AND target = ?", (source, target)
        ).fetchall()
        for _seq, known, blob in rows:
            if known == key:
                merged = {**orjson.loads(blob), **attrs}
                self.db.execute("UPDATE edges SET attrs = ? WHERE seq = ?", (_dumps(merged), _seq))
                return
        seq = self._seq()
        pair_seq = min((row[0] for row in rows), default=seq)
        self.db.execute(
            "INSERT INTO edges (seq, source, target, key, source_seq, pair_seq, attrs) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, source, target, key, source_seq, pair_seq, _dumps(attrs)),
        )

    # papers and pairs

    def first_extraction(self, paper_id: str) -> bool:
        cursor = self.db.execute("INSERT OR IGNORE INTO extracted VALUES (?)", (paper_id,))
        return cursor.rowcount == 1

    def add_pairs(self, paper_id: str, keys: Iterable[str]) -> None:
        """Record every pair of ``keys`` for ``paper_id``, smaller key first (as PairCounter)."""
        ordered = sorted(set(keys))
        self.db.executemany(
            "INSERT INTO pairs (seq, first, second, paper) VALUES (?, ?, ?, ?)",
            ((self._seq(), first, second, paper_id) for first, second in combinations(ordered, 2)),
        )

    def pair_edges(self, min_weight: int) -> Iterator[tuple[str, str, list[str]]]:
        """(first, second, sorted papers) of pairs with enough papers, first-seen pair first."""
        cursor = self.db.execute(
            "SELECT first, second, json_group_array(paper) FROM pairs GROUP BY first, second "
            "HAVING count(*) >= ? ORDER BY min(seq)",
            (min_weight,),
        )
        # Fetched whole before CO_MENTIONED edges are written: the pairs are one row each.
        for first, second, papers in cursor.fetchall():
            yield first, second, sorted(orjson.loads(papers))

    # result

    def nodes(self) -> Iterator[tuple[str, Attrs]]:
        """(key, attributes) of every node, in networkx's node order."""
        cursor = self.db.cursor()
        for key, blob in cursor.execute("SELECT key, attrs FROM nodes ORDER BY seq"):
            yield key, orjson.loads(blob)

    def edges(self) -> Iterator[tuple[str, str, str, Attrs]]:
        """(source, target, key, attributes) of every edge, in networkx's edge order."""
        cursor = self.db.cursor()
        query = "SELECT source, target, key, attrs FROM edges ORDER BY source_seq, pair_seq, seq"
        for source, target, key, blob in cursor.execute(query):
            yield source, target, key, orjson.loads(blob)

    def entity_graph(self, skip_labels: Iterable[str]) -> nx.MultiDiGraph[str]:
        """The graph without nodes of ``skip_labels`` (and their edges), as networkx holds it.

        Nodes and edges are added in the order the full graph got them, so
        every adjacency (successors and predecessors alike) iterates as it
        would in the full graph: a view drawn from this graph is the same as
        one drawn from the whole graph, at the memory of the entities only.
        An edge's ``papers`` list is left out when ``weight`` or ``support``
        counts it (views read the counts), so the graph does not grow with
        the papers that repeat a co-mention or a relation.
        """
        skip = sorted(set(skip_labels))
        marks = ", ".join("?" * len(skip))
        kept = f"json_extract({{}}.attrs, '$.label') NOT IN ({marks})"
        graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        cursor = self.db.cursor()
        query = f"SELECT n.key, n.attrs FROM nodes n WHERE {kept.format('n')} ORDER BY n.seq"
        for key, blob in cursor.execute(query, skip):
            graph.add_node(key, **orjson.loads(blob))
        query = (
            "SELECT e.source, e.target, e.key, e.attrs FROM edges e "
            "JOIN nodes s ON s.key = e.source JOIN nodes t ON t.key = e.target "
            f"WHERE {kept.format('s')} AND {kept.format('t')} ORDER BY e.seq"
        )
        for source, target, key, blob in cursor.execute(query, [*skip, *skip]):
            attrs = orjson.loads(blob)
            if "weight" in attrs or "support" in attrs:
                attrs.pop("papers", None)  # counted by weight / support: views need no list
            graph.add_edge(source, target, key, **attrs)
        return graph

    def summary(self) -> dict[str, dict[str, int]]:
        """Node counts per label and edge counts per type, as ``graph_summary``."""
        nodes: dict[str, int] = dict.fromkeys(LABELS, 0)
        for label, count in self.db.execute(
            "SELECT json_extract(attrs, '$.label'), count(*) FROM nodes "
            "GROUP BY 1 ORDER BY min(seq)"
        ):
            nodes[str(label)] = nodes.get(str(label), 0) + count
        edges: dict[str, int] = dict.fromkeys(REL_TYPES, 0)
        for name, count in self.db.execute(
            "SELECT coalesce(nullif(json_extract(attrs, '$.type'), ''), key), count(*) FROM edges "
            "GROUP BY 1 ORDER BY min(seq)"
        ):
            edges[str(name)] = edges.get(str(name), 0) + count
        return {"nodes": nodes, "edges": edges}

    def close(self) -> None:
        self.db.close()


@dataclass
class SpilledGraph:
    """A built graph on disk: stream it with ``nodes()`` and ``edges()``."""

    sink: SqliteSink

    def nodes(self) -> Iterator[tuple[str, Attrs]]:
        return self.sink.nodes()

    def edges(self) -> Iterator[tuple[str, str, str, Attrs]]:
        return self.sink.edges()

    def summary(self) -> dict[str, dict[str, int]]:
        return self.sink.summary()

    def entity_graph(self, skip_labels: Iterable[str]) -> nx.MultiDiGraph[str]:
        return self.sink.entity_graph(skip_labels)


@contextmanager
def spill_graph(
    papers: Iterable[Paper],
    extractions: Iterable[Mapping[str, Any]],
    *,
    directory: str | Path | None = None,
    min_co_mention: int = 1,
    max_evidence: int = 3,
    org_tag_map: Mapping[str, str] | None = None,
    max_co_mention_entities: int = CO_MENTION_CAP,
) -> Iterator[SpilledGraph]:
    """Build the graph of ``build_graph`` in a SQLite file under ``directory``; yield it.

    The file (in a new temporary directory there, or in the system's) is
    removed when the block ends. Arguments mean what they mean for
    :func:`kg.graph.build.build_graph`.
    """
    with tempfile.TemporaryDirectory(prefix="kg-spill-", dir=directory) as tmp:
        sink = SqliteSink(Path(tmp, "graph.sqlite"))
        try:
            fold_graph(
                sink,
                papers,
                extractions,
                min_co_mention=min_co_mention,
                max_evidence=max_evidence,
                org_tag_map=org_tag_map,
                max_co_mention_entities=max_co_mention_entities,
            )
            yield SpilledGraph(sink)
        finally:
            sink.close()
