"""Write a kg graph into a Bolt store (Neo4j 5 or the embedded ArcadeDB) and read it back.

Labels and relationship types cannot be query parameters, so they are the
only things formatted into Cypher, and only after ``check_label`` /
``check_rel_type`` accepted them; every value travels as a parameter.

Loading is idempotent and incremental. Nodes are ``MERGE``d on ``key`` and
relationships on ``(source, type, target)`` (and ``provenance`` for the
extracted relations: a knowledge relation is its own relationship), in
``UNWIND $rows`` batches, each batch its own managed transaction (retried on
transient errors), so a load that dies half-way is finished by running it again. When a node or
relationship already exists, its accumulated properties are merged with the
incoming ones instead of overwritten:

* lists of provenance (``sources``, ``papers``, ``rules``, ``aliases``) are
  unioned, keeping the stored order first;
* ``alias_counts`` keeps, for each alias, the larger of the two counts (a sum
  would double-count when the same corpus is loaded twice);
* ``first_seen`` keeps the earliest date, ``last_seen`` the latest, ``score``
  the highest;
* ``evidence`` and its parallel lists (``evidence_papers``,
  ``evidence_titles``, ``evidence_fields``, offsets) are unioned sentence by
  sentence, up to ``EVIDENCE_LIMIT`` or the longer of the two lists;
* every other property takes the incoming value; an absent one is kept.

Unions and earliest/latest values are merged by the write query itself
(``SET n.sources = coalesce(n.sources, []) + [...]``); the parallel lists
(aliases with their counts, evidence with its papers and titles) are read in
the same transaction and merged in Python, since Cypher has no index-of
without APOC.

The aggregates derived from edges (``paper_count``, ``mention_count``,
``support``, ``weight``) are never taken from the input: the database
recomputes them from what it stores, so a second corpus cannot add numbers
twice.
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import neo4j
import networkx as nx
from neo4j import exceptions as neo4j_errors

from kg.errors import UsageError
from kg.schema import (
    ENTITY_LABELS,
    EXTRACTED_REL_TYPES,
    KNOWLEDGE_KEY_SUFFIX,
    LABELS,
    PROVENANCES,
    REL_TYPES,
    check_label,
    check_rel_type,
    edge_key,
)
from kg.store.connection import operation_error
from kg.stream import Edge, GraphItem, Node, iter_graph

log = logging.getLogger(__name__)

#: ``progress(done, total)``: rows written so far out of all rows of this load.
Progress = Callable[[int, int], None]
Row = dict[str, Any]
_T = TypeVar("_T")
_R = TypeVar("_R")

#: Relationship types whose ``support`` is the number of supporting papers.
SUPPORTED_TYPES = EXTRACTED_REL_TYPES
#: Properties computed by the database, ignored when they come with the input.
DERIVED_NODE_PROPS: frozenset[str] = frozenset({"paper_count", "mention_count"})
DERIVED_REL_PROPS: frozenset[str] = frozenset({"support", "weight"})

#: Merged by the database in the write query itself (``row.m``): list unions
#: and earliest / latest values, which Cypher expresses without a read.
UNION_NODE_PROPS: tuple[str, ...] = ("sources",)
UNION_REL_PROPS: tuple[str, ...] = ("papers", "rules")
LOWEST_PROPS: tuple[str, ...] = ("first_seen",)
HIGHEST_NODE_PROPS: tuple[str, ...] = ("last_seen",)
HIGHEST_REL_PROPS: tuple[str, ...] = ("score",)
#: Parallel lists, merged in Python after reading the stored values in the
#: same transaction (Cypher has no index-of without APOC).
ALIAS_PROPS: tuple[str, ...] = ("aliases", "alias_counts")
EVIDENCE_PROPS: tuple[str, ...] = (
    "evidence",
    "evidence_papers",
    "evidence_titles",
    "evidence_fields",
    "evidence_starts",
    "evidence_ends",
    "evidence_trigger_starts",
    "evidence_trigger_ends",
)
#: Relationship properties written inside a CREATE pattern when every row has
#: them (see ``_create_relationship``): the ones of the most numerous edges.
INLINE_REL_PROPS: tuple[str, ...] = ("position", "count", "tag", "provenance")
#: Evidence sentences kept when merging, unless one side already holds more.
EVIDENCE_LIMIT = 5
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class LoadSummary:
    """What one :func:`load_graph` call wrote: rows per label and type, and the time taken."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def node_count(self) -> int:
        return sum(self.nodes.values())

    @property
    def relationship_count(self) -> int:
        return sum(self.relationships.values())


@dataclass(frozen=True)
class _EdgeGroup:
    """Relationships of one type between one pair of labels (so MATCH can use the key index)."""

    rel_type: str
    source_label: str
    target_label: str


# --- schema --------------------------------------------------------------------


def schema_statements() -> list[str]:
    """The Neo4j 5 DDL kg needs: a unique ``key`` and an index on ``name`` per label.

    ArcadeDB's Cypher accepts the same statements (it creates a vertex type
    with a unique index), so there is one path for both stores.
    """
    statements: list[str] = []
    for label in LABELS:
        safe = check_label(label)
        name = safe.lower()
        statements.append(
            f"CREATE CONSTRAINT kg_{name}_key IF NOT EXISTS FOR (n:{safe}) REQUIRE n.key IS UNIQUE"
        )
        statements.append(f"CREATE INDEX kg_{name}_name IF NOT EXISTS FOR (n:{safe}) ON (n.name)")
    return statements


def ensure_schema(driver: neo4j.Driver, database: str | None = None) -> None:
    """Create kg's constraints and indexes if missing; running it again changes nothing.

    The unique constraint also gives ``MERGE`` an index to find nodes by key,
    without which every merge scans the label.
    """
    with _store_errors("setting up the schema"):
        for statement in schema_statements():
            driver.execute_query(statement, database_=database)


# --- loading -------------------------------------------------------------------


def load_graph(
    driver: neo4j.Driver,
    graph: nx.MultiDiGraph[str],
    *,
    database: str | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> LoadSummary:
    """Merge ``graph`` (see "Graph contract" in docs/architecture.md) into the store.

    Validates the whole graph before the first write, so a bad node or
    property raises :class:`UsageError` with nothing written.
    """
    return load_items(
        driver,
        lambda: iter_graph(graph),
        database=database,
        batch_size=batch_size,
        progress=progress,
    )


def load_items(
    driver: neo4j.Driver,
    items: Callable[[], Iterable[GraphItem]],
    *,
    database: str | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
    validate: bool = True,
    total: int | None = None,
) -> LoadSummary:
    """Merge a graph given as a stream of nodes, then edges (see :mod:`kg.stream`).

    ``items()`` is called once to validate the whole stream (unless
    ``validate`` is false: for a file kg itself has just written) and once to
    write it, so no rows are ever held beyond one batch per label and type:
    a corpus-sized graph loads from its file in little memory. Sets up the
    schema first (it is idempotent), writes all nodes, then all
    relationships, and finally recomputes the aggregates of the entities this
    graph touches. ``total`` (rows to write, for ``progress``) is counted by
    the validation pass; pass it when skipping that pass.
    """
    if batch_size < 1:
        raise UsageError(f"batch_size must be at least 1, not {batch_size}")
    started = time.perf_counter()
    if validate:
        total = validate_items(items())
    tracker = _Tracker(total or 0, progress)
    ensure_schema(driver, database)
    with _store_errors("loading the graph"), _quick_thread_switches():
        new_labels = _new_labels(driver, database)
        lanes = [
            _Sender(driver, database, tracker, new_labels) for _ in (_PAPER_LANE, _ENTITY_LANE)
        ]
        writer = _BatchWriter(lanes, batch_size)
        try:
            touched = writer.write(items())
        finally:
            for lane in lanes:
                lane.close()
        with driver.session(database=database) as session:
            for label, late in writer.late.items():
                for rows in _chunks(late, batch_size):
                    session.execute_write(_write_late_props, label, rows)
            for label, keys in touched.items():
                for batch in _chunks(sorted(keys), batch_size):
                    session.execute_write(_recompute_entities, label, batch)
                    tracker.advance(len(batch))
    summary = LoadSummary(
        nodes={label: sum(lane.nodes[label] for lane in lanes) for label in LABELS},
        relationships={rel: sum(lane.relationships[rel] for lane in lanes) for rel in REL_TYPES},
        seconds=time.perf_counter() - started,
    )
    log.info(
        "loaded %d nodes and %d relationships in %.2fs",
        summary.node_count,
        summary.relationship_count,
        summary.seconds,
    )
    return summary


#: The interpreter's thread switch interval while loading (its default is 5 ms).
LOAD_SWITCH_INTERVAL = 0.0002


@contextlib.contextmanager
def _quick_thread_switches() -> Iterator[None]:
    """Let the lanes take the GIL back soon after the database answers them.

    The batch writer turns items into rows in pure Python and holds the GIL
    while it can; a lane woken by the database's reply then waits up to the
    switch interval for it, several times per transaction. At the default
    5 ms that waiting cost a corpus-sized load a seventh of its time. The
    previous interval is restored afterwards.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, LOAD_SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def validate_items(items: Iterable[GraphItem]) -> int:
    """Check every node and edge as the write pass will; return the rows it will write.

    Raises :class:`UsageError` (or the source's :class:`InputError`) at the
    first bad item, before anything is written. A node or an edge listed
    twice is an error too: the writer CREATEs new nodes and their
    relationships, so a repeat would fail or be stored twice. (Edges are
    remembered by the hash of ``(source, type, target)``, not by their
    strings: a few bytes each.)
    """
    labels: dict[str, str] = {}
    seen_edges: set[int] = set()
    rows = entities = 0
    for item in items:
        if isinstance(item, Node):
            label, _row = node_row(item)
            if item.key in labels:
                raise UsageError(
                    f"graph node {item.key!r} is listed twice; a graph lists each key once"
                )
            labels[item.key] = label
            entities += label in ENTITY_LABELS
        else:
            edge_row(item, labels)
            fingerprint = hash((item.source, item.key, item.target))
            if fingerprint in seen_edges:
                raise UsageError(
                    f"graph edge {item.source!r} -[{item.key}]-> {item.target!r} is listed "
                    "twice; a graph lists each (source, type, target) once"
                )
            seen_edges.add(fingerprint)
        rows += 1
    return rows + entities


def _new_labels(driver: neo4j.Driver, database: str | None) -> frozenset[str]:
    """The labels with no node in the store yet: every node of theirs this load writes is new.

    A relationship with a new node at either end cannot exist yet, so it is
    created without looking for it (see :meth:`_Sender._write`). Decided once, before
    the first write, so a load that dies half-way and runs again merges.
    """
    with driver.session(database=database) as session:
        return frozenset(label for label in LABELS if not session.execute_read(_has_nodes, label))


def _has_nodes(tx: neo4j.ManagedTransaction, label: str) -> bool:
    safe = check_label(label)
    return tx.run(f"MATCH (n:{safe}) RETURN n.key AS key LIMIT 1").single() is not None


class _Tracker:
    """Counts rows written and reports them to the optional progress callback."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.progress = progress
        self._lock = threading.Lock()
        if progress is not None:
            progress(0, total)

    def advance(self, rows: int) -> None:
        with self._lock:  # the loader's lanes report from their own threads
            self.done += rows
            self.total = max(self.total, self.done)
            if self.progress is not None:
                self.progress(self.done, self.total)


class _BatchWriter:
    """Buffers rows per label (or relationship group) and hands full batches to two lanes.

    Runs in the caller's thread, so parsing items and building rows overlaps
    with the database writing earlier batches. The two lanes are
    :class:`_Sender` threads with their own sessions, and the database works
    on both at once (the embedded server is CPU-bound on one core per
    transaction). Their batches never touch the same nodes, so concurrent
    transactions cannot conflict:

    1. Paper nodes on the paper lane, Author nodes on the entity lane;
    2. relationships among papers and authors on the paper lane; on the
       entity lane, the entity nodes (held back from phase 1, where they
       would delay the longer paper side), then the relationships among
       entities, in the order sent;
    3. last, relationships from papers to entities (MENTIONS, INTRODUCES,
       TAGGED_WITH), which touch both lanes' nodes: held back until the
       others are written, then sent on the paper lane.

    Each phase starts when both lanes have finished the previous one, since
    a relationship needs both its nodes.
    """

    def __init__(self, lanes: Sequence[_Sender], batch_size: int) -> None:
        self.lanes = lanes
        self.batch_size = batch_size
        self.node_rows: dict[str, list[Row]] = {}
        self.edge_rows: dict[_EdgeGroup, list[Row]] = {}
        self.held: dict[_EdgeGroup, list[Row]] = {}
        self.entity_rows: dict[str, list[Row]] = {}
        #: Long list properties, set once every relationship is written (see _hold_long_lists).
        self.late: dict[str, list[Row]] = {}

    def write(self, items: Iterable[GraphItem]) -> dict[str, set[str]]:
        """Send every item; return the entity keys whose aggregates may have changed."""
        labels: dict[str, str] = {}
        touched: dict[str, set[str]] = {label: set() for label in ENTITY_LABELS}
        in_nodes = True
        for item in items:
            if isinstance(item, Node):
                label, row = node_row(item)
                row, late = _hold_long_lists(row)
                if late:
                    self.late.setdefault(label, []).append({"key": row["key"], "props": late})
                labels[item.key] = label
                if label in touched:
                    touched[label].add(item.key)
                    self.entity_rows.setdefault(label, []).append(row)
                else:
                    self._add(self.node_rows, label, row)
                continue
            if in_nodes:
                in_nodes = False
                self._end_nodes()
            group, row = edge_row(item, labels)
            if group.rel_type == "MENTIONS" and group.target_label in touched:
                touched[group.target_label].add(item.target)
            if _lane(group) is None:
                self.held.setdefault(group, []).append(row)
            else:
                self._add(self.edge_rows, group, row)
        if in_nodes:
            self._end_nodes()
        self._flush(self.edge_rows)
        self._wait()
        for group, rows in self.held.items():
            for batch in _chunks(rows, self.batch_size):
                self.lanes[_PAPER_LANE].send(group, batch)
        return {label: keys for label, keys in touched.items() if keys}

    def _end_nodes(self) -> None:
        """Finish phase 1, then queue the entity nodes ahead of the entity lane's edges."""
        self._flush(self.node_rows)
        self._wait()
        for label, rows in self.entity_rows.items():
            for batch in _chunks(rows, self.batch_size):
                self._send(label, batch)
        self.entity_rows.clear()

    def _add(self, buffers: dict[Any, list[Row]], what: Any, row: Row) -> None:
        rows = buffers.setdefault(what, [])
        rows.append(row)
        if len(rows) >= self.batch_size:
            self._send(what, buffers.pop(what))

    def _flush(self, buffers: dict[Any, list[Row]]) -> None:
        for what in list(buffers):
            self._send(what, buffers.pop(what))

    def _send(self, what: str | _EdgeGroup, rows: list[Row]) -> None:
        lane = _lane(what)
        self.lanes[_PAPER_LANE if lane is None else lane].send(what, rows)

    def _wait(self) -> None:
        for lane in self.lanes:
            lane.wait()


#: A node whose plain list properties hold more items than this gets them after its edges.
LATE_LIST_ITEMS = 1000


def _hold_long_lists(row: Row) -> tuple[Row, Row]:
    """``row`` without its long plain lists, and those lists, to SET after the relationships.

    ArcadeDB rewrites a vertex's whole record each time a relationship is
    added to it, so a paper holding a 50,000-name ``authors`` list made each
    of its 50,000 AUTHORED_BY edges copy that list: a load quadratic in the
    authors of one paper. Written last, the list is stored once. Merged
    properties (unions, aliases) are never held back; most rows have no long list.
    """
    props = row["props"]
    long_lists = {
        name: value
        for name, value in props.items()
        if isinstance(value, list) and name not in ALIAS_PROPS
    }
    if sum(map(len, long_lists.values())) <= LATE_LIST_ITEMS:
        return row, {}
    kept = {name: value for name, value in props.items() if name not in long_lists}
    return {**row, "props": kept}, long_lists


def _write_late_props(tx: neo4j.ManagedTransaction, label: str, rows: list[Row]) -> int:
    """SET the list properties :func:`_hold_long_lists` held back, once the edges are in."""
    safe = check_label(label)
    query = (
        f"UNWIND $rows AS row MATCH (n:{safe} {{key: row.key}}) "
        "SET n += row.props RETURN count(*) AS written"
    )
    return _count(tx.run(query, rows=rows))


_PAPER_LANE, _ENTITY_LANE = 0, 1
_PAPER_SIDE = frozenset({"Paper", "Author"})


def _lane(what: str | _EdgeGroup) -> int | None:
    """The lane of a node label or relationship group; None for paper-to-entity ones."""
    if isinstance(what, str):
        return _PAPER_LANE if what == "Paper" else _ENTITY_LANE
    ends = {what.source_label, what.target_label}
    if ends <= _PAPER_SIDE:
        return _PAPER_LANE
    if not ends & _PAPER_SIDE:
        return _ENTITY_LANE
    return None


class _Sender:
    """Writes batches in a background thread with its own session, in the order sent.

    Each batch is its own managed write transaction (retried by the driver
    on transient errors; the transaction functions never mutate their rows,
    so a retry writes the same thing). A failure stops this lane's writes
    and is raised in the caller's thread by the next :meth:`send`,
    :meth:`wait` or :meth:`close`.
    """

    _QUEUED = 2  # batches waiting: enough to keep the database busy, little memory

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None,
        tracker: _Tracker,
        new_labels: frozenset[str] = frozenset(),
    ) -> None:
        self.driver = driver
        self.database = database
        self.tracker = tracker
        self.new_labels = new_labels
        self.nodes: dict[str, int] = defaultdict(int)
        self.relationships: dict[str, int] = defaultdict(int)
        self._queue: queue.Queue[tuple[str | _EdgeGroup, list[Row]] | None] = queue.Queue(
            self._QUEUED
        )
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="kg-loader", daemon=True)
        self._thread.start()

    def send(self, what: str | _EdgeGroup, rows: list[Row]) -> None:
        """Queue one batch of a label (nodes) or a relationship group."""
        while True:
            self._raise_failure()
            try:
                self._queue.put((what, rows), timeout=0.1)
                return
            except queue.Full:
                continue

    def wait(self) -> None:
        """Block until every batch sent so far is written."""
        self._queue.join()
        self._raise_failure()

    def close(self) -> None:
        """Write what is queued, end the thread; raise the first failure if any."""
        self._queue.put(None)  # the thread drains the queue even after a failure
        self._thread.join()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _drain(self) -> None:
        with self.driver.session(database=self.database) as session:
            while (batch := self._queue.get()) is not None:
                try:
                    if self._failure is None:  # else skip what was queued after it
                        self._write(session, *batch)
                except BaseException as error:  # re-raised in the caller's thread
                    self._failure = error
                finally:
                    self._queue.task_done()
            self._queue.task_done()

    def _write(self, session: neo4j.Session, what: str | _EdgeGroup, rows: list[Row]) -> None:
        # A node of a label the store did not have, or a relationship touching
        # one, cannot exist yet: it is CREATEd, not MERGEd (see _new_labels).
        if isinstance(what, _EdgeGroup):
            new = what.source_label in self.new_labels or what.target_label in self.new_labels
            self.relationships[what.rel_type] += session.execute_write(
                _write_edges, what, rows, new
            )
        else:
            new = what in self.new_labels
            self.nodes[what] += session.execute_write(_write_nodes, what, rows, new)
        self.tracker.advance(len(rows))


def _chunks(items: Sequence[_R], size: int) -> Iterator[list[_R]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- turning the networkx graph into rows -------------------------------------


def node_row(node: Node) -> tuple[str, Row]:
    """The whitelisted label of a node and its row ``{"key", "props", "m"}``, validated.

    ``props`` are SET as they are; ``m`` holds the properties the write query
    merges with the stored value (unions, earliest and latest values).
    """
    key, attrs = node.key, node.attrs
    label = _node_label(key, attrs)
    if attrs.get("key", key) != key or not isinstance(key, str) or not key:
        raise UsageError(f"graph node {key!r}: its id must be its key (a non-empty string)")
    props = _clean_props(lambda: f"graph node {key!r}", attrs, skip=_NODE_SKIP)
    if label in ENTITY_LABELS:
        props = {k: v for k, v in props.items() if k not in DERIVED_NODE_PROPS}
    plain, merged = _split(props, UNION_NODE_PROPS, LOWEST_PROPS + HIGHEST_NODE_PROPS)
    return label, {"key": key, "props": plain, "m": merged}


def edge_row(edge: Edge, labels: Mapping[str, str]) -> tuple[_EdgeGroup, Row]:
    """The group (type and end labels) of an edge and its row ``{"s", "t", "props", "m"}``.

    ``labels`` maps the keys of the nodes seen so far to their labels; an
    edge to any other node is refused, as the store could not match it.
    """

    def where() -> str:  # built only for an error message: most edges never need it
        return f"graph edge {edge.source!r} -[{edge.key}]-> {edge.target!r}"

    rel_type = edge.attrs.get("type", edge.key)
    try:
        check_rel_type(str(rel_type))
    except ValueError as error:
        raise UsageError(f"{where()}: {error}") from None
    provenance = _edge_provenance(edge) if rel_type in SUPPORTED_TYPES else None
    if provenance is not None and provenance not in PROVENANCES:
        raise UsageError(
            f"{where()}: unknown provenance {provenance!r}; expected one of "
            f"{', '.join(PROVENANCES)}"
        )
    if edge.key not in (rel_type, edge_key(rel_type, provenance)):  # hand-made: key = type
        raise UsageError(f"{where()}: its key must be {edge_key(rel_type, provenance)!r}")
    ends = labels.get(edge.source), labels.get(edge.target)
    if ends[0] is None or ends[1] is None:
        raise UsageError(f"{where()}: it links a node that is not in the graph")
    props = _clean_props(where, edge.attrs, skip=_EDGE_SKIP)
    if provenance is not None:
        props["provenance"] = provenance  # part of the relationship's identity (MERGE pattern)
    plain, merged = _split(props, UNION_REL_PROPS, HIGHEST_REL_PROPS)
    row = {"s": edge.source, "t": edge.target, "props": plain, "m": merged}
    return _EdgeGroup(rel_type, ends[0], ends[1]), row


def _edge_provenance(edge: Edge) -> str:
    """An extracted relation's provenance; a graph written before it existed says it by its key."""
    value = edge.attrs.get("provenance")
    if value is not None:
        return str(value)
    return "knowledge" if edge.key.endswith(KNOWLEDGE_KEY_SUFFIX) else "text"


def _split(props: Row, unions: Sequence[str], extremes: Sequence[str]) -> tuple[Row, Row]:
    """Plain properties, and those the write query merges with the stored value.

    Union lists are de-duplicated here so that loading them twice is a no-op.
    """
    plain: Row = {}
    merged: Row = {}
    for name, value in props.items():
        if name in unions and isinstance(value, list):
            merged[name] = list(dict.fromkeys(value))
        elif name in extremes:
            merged[name] = value
        else:
            plain[name] = value
    return plain, merged


def _node_label(node: Hashable, attrs: Mapping[str, Any]) -> str:
    """The whitelisted label of a node, or UsageError (nothing reaches Cypher otherwise)."""
    label = attrs.get("label")
    if not isinstance(label, str):
        raise UsageError(f"graph node {node!r} has no 'label' attribute")
    try:
        return check_label(label)
    except ValueError as error:
        raise UsageError(f"graph node {node!r}: {error}") from None


_NODE_SKIP = frozenset({"label", "key"})
_EDGE_SKIP = frozenset({"type", *DERIVED_REL_PROPS})


def _clean_props(where: Callable[[], str], attrs: Mapping[str, Any], skip: frozenset[str]) -> Row:
    """Properties a Bolt store can hold; None means absent and is dropped.

    ``where()`` names the node or edge in error messages.
    """
    props: Row = {}
    for name, value in attrs.items():
        if name in skip or value is None:
            continue
        if not isinstance(name, str) or not name:
            raise UsageError(f"{where()}: property names must be non-empty strings, not {name!r}")
        kind = type(value)
        if (
            kind is str
            or kind is bool
            or (kind is int and _INT64[0] <= value <= _INT64[1])
            or (kind is list and _all_strings(value))
        ):
            props[name] = value  # the common cases, checked without a call per item
        else:
            props[name] = _storable(where(), name, value)
    return props


def _all_strings(values: list[Any]) -> bool:
    return all(type(value) is str for value in values)


def _storable(where: str, name: str, value: Any) -> Any:
    """``value`` if Neo4j can store it (a scalar or a homogeneous list), else UsageError."""
    if isinstance(value, (list, tuple)):
        items = [_scalar(where, name, item) for item in value]
        kinds = {_kind(item) for item in items}
        if len(kinds) > 1:
            raise UsageError(f"{where}: property {name!r} mixes {sorted(kinds)} in one list")
        return items
    return _scalar(where, name, value)


def _scalar(where: str, name: str, value: Any) -> Any:
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise UsageError(f"{where}: property {name!r} = {value} does not fit 64 bits")
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise UsageError(f"{where}: property {name!r} is NaN")
        return value
    raise UsageError(
        f"{where}: property {name!r} has a {type(value).__name__} value; only strings, "
        "numbers, booleans and lists of one of those can be stored"
    )


def _kind(value: Any) -> str:
    return "bool" if isinstance(value, bool) else type(value).__name__


# --- transaction functions (may run more than once: they must not mutate input) ---


def _write_nodes(
    tx: neo4j.ManagedTransaction, label: str, rows: list[Row], new: bool = False
) -> int:
    """MERGE one batch of nodes of one label, merging accumulated properties.

    ``new``: the label had no node when the load began, so nothing is stored
    to merge with and the nodes are CREATEd (the unique constraint on ``key``
    would still refuse a key written twice).
    """
    safe = check_label(label)
    if _props_present(rows, ALIAS_PROPS):
        keys = [row["key"] for row in rows]
        stored = {} if new else _read_node_props(tx, safe, keys, ALIAS_PROPS)
        rows = [
            {**row, "props": merge_aliases(stored.get(row["key"]), row["props"])} for row in rows
        ]
    if new:
        write, merges = "CREATE", " SET n += row.m"
    else:
        write = "MERGE"
        merges = _merge_clauses("n", rows, UNION_NODE_PROPS, LOWEST_PROPS, HIGHEST_NODE_PROPS)
    query = (
        f"UNWIND $rows AS row {write} (n:{safe} {{key: row.key}}) "
        f"SET n += row.props{merges} RETURN count(*) AS written"
    )
    return _count(tx.run(query, rows=rows))


def _write_edges(
    tx: neo4j.ManagedTransaction, group: _EdgeGroup, rows: list[Row], new: bool = False
) -> int:
    """MERGE one batch of relationships, merging properties and recomputing support/weight.

    ``new``: one end's label had no node when the load began, so the
    relationships cannot exist yet and are CREATEd (see _create_relationship).
    Every derived or merged property gets a SET clause of its own: ArcadeDB
    evaluates all items of one SET against the values before that SET.
    """
    rel_type = check_rel_type(group.rel_type)
    source = check_label(group.source_label)
    target = check_label(group.target_label)
    if _props_present(rows, EVIDENCE_PROPS):
        stored = {} if new else _read_edge_props(tx, group, rows, EVIDENCE_PROPS)
        rows = [
            {**row, "props": merge_evidence(stored.get(_edge_identity(row)), row["props"])}
            for row in rows
        ]
    if new:
        write, merges = _create_relationship(rel_type, rows)
    else:
        # A knowledge relation and the stated one of the same endpoints are two
        # relationships: provenance is part of what MERGE matches.
        identity = " {provenance: row.props.provenance}" if rel_type in SUPPORTED_TYPES else ""
        write = f"MERGE (a)-[r:{rel_type}{identity}]->(b) SET r += row.props"
        merges = _merge_clauses("r", rows, UNION_REL_PROPS, (), HIGHEST_REL_PROPS)
    if rel_type in SUPPORTED_TYPES:
        merges += " SET r.support = size(coalesce(r.papers, []))"
    elif rel_type == "CO_MENTIONED":
        merges += " SET r.weight = size(r.papers)"
    query = (
        f"UNWIND $rows AS row MATCH (a:{source} {{key: row.s}}) MATCH (b:{target} {{key: row.t}}) "
        f"{write}{merges} RETURN count(*) AS written"
    )
    return _count(tx.run(query, rows=rows))


def _create_relationship(rel_type: str, rows: list[Row]) -> tuple[str, str]:
    """The CREATE clause of relationships that cannot exist yet, and the SETs it still needs.

    Nothing is stored to merge with, so the merged values (``row.m``) are the
    incoming ones. Properties named in ``INLINE_REL_PROPS`` that every row
    has go in the CREATE pattern itself: ArcadeDB then writes each
    relationship once, where every SET after the CREATE updates it again
    (a third of the time of a corpus's AUTHORED_BY edges). The names are
    this module's constants, never input.
    """
    inline = [
        name for name in INLINE_REL_PROPS if all(row["props"].get(name) is not None for row in rows)
    ]
    pattern = " {" + ", ".join(f"{name}: row.props.{name}" for name in inline) + "}"
    write = f"CREATE (a)-[r:{rel_type}{pattern if inline else ''}]->(b)"
    sets = ""
    if any(set(row["props"]) - set(inline) for row in rows):
        sets += " SET r += row.props"
    if any(row["m"] for row in rows):
        sets += " SET r += row.m"
    return write, sets


def _merge_clauses(
    var: str,
    rows: list[Row],
    unions: Sequence[str],
    lowest: Sequence[str],
    highest: Sequence[str],
) -> str:
    """SET clauses merging ``row.m`` into the stored values, for the names this batch has.

    ``var`` and the names are constants of this module, never input.
    """
    present = {name for row in rows for name in row["m"]}
    clauses: list[str] = []
    for name in unions:
        if name in present:
            old = f"coalesce({var}.{name}, [])"
            clauses.append(
                f"SET {var}.{name} = CASE WHEN row.m.{name} IS NULL THEN {var}.{name} "
                f"ELSE {old} + [x IN row.m.{name} WHERE NOT x IN {old}] END"
            )
    for names, keep_when in ((lowest, "<="), (highest, ">=")):
        for name in names:
            if name in present:
                clauses.append(
                    f"SET {var}.{name} = CASE WHEN row.m.{name} IS NULL OR "
                    f"({var}.{name} IS NOT NULL AND {var}.{name} {keep_when} row.m.{name}) "
                    f"THEN {var}.{name} ELSE row.m.{name} END"
                )
    return "".join(f" {clause}" for clause in clauses)


def _recompute_entities(tx: neo4j.ManagedTransaction, label: str, keys: list[str]) -> int:
    """Set paper_count / mention_count of these entities from the MENTIONS stored now."""
    safe = check_label(label)
    query = (
        f"UNWIND $keys AS k MATCH (e:{safe} {{key: k}}) "
        "OPTIONAL MATCH (p:Paper)-[m:MENTIONS]->(e) "
        "WITH e, count(DISTINCT p) AS papers, sum(coalesce(m.count, 0)) AS mentions "
        "SET e.paper_count = papers, e.mention_count = mentions RETURN count(*) AS written"
    )
    return _count(tx.run(query, keys=keys))


def _read_node_props(
    tx: neo4j.ManagedTransaction, label: str, keys: list[str], names: Sequence[str]
) -> dict[str, Row]:
    """The stored values of ``names`` (fixed property names) for the nodes that exist."""
    columns = ", ".join(f"n.{name} AS {name}" for name in names)
    query = f"UNWIND $keys AS k MATCH (n:{label} {{key: k}}) RETURN n.key AS key, {columns}"
    return {
        record["key"]: {name: record[name] for name in names if record[name] is not None}
        for record in tx.run(query, keys=keys)
    }


def _read_edge_props(
    tx: neo4j.ManagedTransaction, group: _EdgeGroup, rows: list[Row], names: Sequence[str]
) -> dict[tuple[str, str, str | None], Row]:
    """The stored values of ``names`` for the relationships of this batch that exist.

    Keyed like :func:`_edge_identity`: a relation's provenance tells its
    knowledge relationship from the stated one.
    """
    rel_type = check_rel_type(group.rel_type)
    source = check_label(group.source_label)
    target = check_label(group.target_label)
    columns = ", ".join(f"r.{name} AS {name}" for name in names)
    query = (
        f"UNWIND $pairs AS p MATCH (a:{source} {{key: p.s}})-[r:{rel_type}]->"
        f"(b:{target} {{key: p.t}}) WHERE p.provenance IS NULL OR r.provenance = p.provenance "
        f"RETURN p.s AS s, p.t AS t, r.provenance AS provenance, {columns}"
    )
    pairs = [
        {"s": row["s"], "t": row["t"], "provenance": row["props"].get("provenance")} for row in rows
    ]
    return {
        (record["s"], record["t"], record["provenance"]): {
            name: record[name] for name in names if record[name] is not None
        }
        for record in tx.run(query, pairs=pairs)
    }


def _edge_identity(row: Row) -> tuple[str, str, str | None]:
    """What tells one stored relationship of a type from another: its ends and provenance."""
    return row["s"], row["t"], row["props"].get("provenance")


def _props_present(rows: Iterable[Row], names: Sequence[str]) -> list[str]:
    """Which of ``names`` occur in any row: only those need the stored value."""
    present = {name for row in rows for name in row["props"] if name in names}
    return [name for name in names if name in present]


def _count(result: neo4j.Result) -> int:
    record = result.single(strict=True)
    return int(record["written"])


# --- merging stored and incoming properties -----------------------------------


def merge_aliases(stored: Mapping[str, Any] | None, incoming: Row) -> Row:
    """``incoming`` with its aliases unioned with the stored ones, counts kept aligned."""
    if "aliases" not in incoming:
        if stored and "aliases" in stored and "alias_counts" in incoming:
            # counts without their aliases cannot be aligned with the stored aliases
            return {k: v for k, v in incoming.items() if k != "alias_counts"}
        return incoming
    merged = dict(incoming)
    aliases, counts = _merge_aliases(stored or {}, incoming)
    merged["aliases"] = _dedupe(aliases)
    # None removes stored counts that would no longer line up with the aliases.
    merged["alias_counts"] = counts
    return merged


def merge_evidence(stored: Mapping[str, Any] | None, incoming: Row) -> Row:
    """``incoming`` with its evidence triples unioned with the stored ones."""
    if "evidence" not in incoming:
        return incoming
    return {**incoming, **_merge_evidence(stored or {}, incoming)}


def _dedupe(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _merge_aliases(stored: Mapping[str, Any], incoming: Row) -> tuple[list[str], list[int] | None]:
    """Union the aliases; keep the larger count of each (None when counts are unknown)."""
    old = _alias_table(stored)
    new = _alias_table(incoming)
    aliases = _dedupe([*old, *new])
    if any(count is None for count in (*old.values(), *new.values())):
        return aliases, None
    counts = [max(old.get(alias) or 0, new.get(alias) or 0) for alias in aliases]
    return aliases, counts


def _alias_table(props: Mapping[str, Any]) -> dict[Any, int | None]:
    """``{alias: count}``, with None counts when ``alias_counts`` is missing or misaligned."""
    aliases = props.get("aliases")
    if not isinstance(aliases, list):
        return {}
    counts = props.get("alias_counts")
    if isinstance(counts, list) and len(counts) == len(aliases):
        return dict(zip(aliases, counts, strict=True))
    return dict.fromkeys(aliases)


def _merge_evidence(stored: Mapping[str, Any], incoming: Row) -> Row:
    """Union evidence sentences with their parallel values, up to EVIDENCE_LIMIT or the longer list.

    A sentence and its paper identify one piece of evidence; the stored ones
    come first. A parallel list that only one side has gets its placeholder
    (``""``, or -1 for offsets) for the other side's items.
    """
    present = [name for name in EVIDENCE_PROPS if name in incoming or name in stored]
    old = _evidence_items(stored, present)
    new = _evidence_items(incoming, present)
    limit = max(len(old), len(new), EVIDENCE_LIMIT)
    seen: set[tuple[Any, Any]] = set()
    kept: list[dict[str, Any]] = []
    for item in (*old, *new):
        identity = (item["evidence"], item.get("evidence_papers", ""))
        if identity not in seen and len(kept) < limit:
            seen.add(identity)
            kept.append(item)
    return {name: [item[name] for item in kept] for name in present}


def _evidence_items(props: Mapping[str, Any], names: Sequence[str]) -> list[dict[str, Any]]:
    """One dict per evidence sentence, with its value of each parallel list in ``names``."""
    sentences = props.get("evidence")
    if not isinstance(sentences, list):
        return []
    columns: dict[str, list[Any]] = {}
    for name in names:
        values = props.get(name)
        if isinstance(values, list) and len(values) == len(sentences):
            columns[name] = values
        else:
            columns[name] = [_EVIDENCE_PLACEHOLDER[name]] * len(sentences)
    return [{name: columns[name][i] for name in names} for i in range(len(sentences))]


#: What a parallel evidence list holds for a sentence it has no value for.
_EVIDENCE_PLACEHOLDER: dict[str, Any] = {
    name: -1 if name.endswith(("_starts", "_ends")) else "" for name in EVIDENCE_PROPS
}


# --- wiping and counting --------------------------------------------------------


def wipe(driver: neo4j.Driver, database: str | None = None, batch_size: int = 10_000) -> int:
    """Delete every node with one of kg's labels (and its relationships); return how many.

    Every transaction deletes at most ``batch_size`` relationships or nodes, so
    a large graph never needs one huge transaction (Neo4j caps a transaction's
    memory, and one hub node can carry a million relationships). Per label,
    its nodes' outgoing relationships go first, in batches; then the nodes,
    in batches, with whatever relationships are left (only those from nodes
    outside kg's labels, since every kg relationship leaves a kg node).
    Nodes without a kg label are left alone.
    """
    deleted = 0
    with _store_errors("wiping the graph"), driver.session(database=database) as session:
        for label in LABELS:
            safe = check_label(label)
            _delete_all(
                session,
                f"MATCH (n:{safe})-[r]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS written",
                batch_size,
            )
            deleted += _delete_all(
                session,
                f"MATCH (n:{safe}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS written",
                batch_size,
            )
    return deleted


def _delete_all(session: neo4j.Session, query: str, batch_size: int) -> int:
    """Run a ``... LIMIT $limit ... DELETE`` query until a batch comes back short."""
    deleted = 0
    while True:
        batch: int = session.execute_write(_delete_batch, query, batch_size)
        deleted += batch
        if batch < batch_size:
            return deleted


def _delete_batch(tx: neo4j.ManagedTransaction, query: str, limit: int) -> int:
    return _count(tx.run(query, limit=limit))


def read_counts(driver: neo4j.Driver, database: str | None = None) -> dict[str, dict[str, int]]:
    """``{"nodes": {label: n}, "relationships": {type: n}}`` for every kg label and type.

    Every label and type is present (zero when absent), in schema order, so
    two identical builds give equal dicts.
    """
    counts: dict[str, dict[str, int]] = {}
    with _store_errors("counting the graph"), driver.session(database=database) as session:
        counts = session.execute_read(_read_counts)
    return counts


def _read_counts(tx: neo4j.ManagedTransaction) -> dict[str, dict[str, int]]:
    nodes: dict[str, int] = {}
    for label in LABELS:
        safe = check_label(label)
        record = tx.run(f"MATCH (n:{safe}) RETURN count(*) AS c").single(strict=True)
        nodes[label] = int(record["c"])
    relationships: dict[str, int] = {}
    for rel_type in REL_TYPES:
        safe = check_rel_type(rel_type)
        # count(*), not count(r): ArcadeDB then counts without loading each relationship
        record = tx.run(f"MATCH ()-[:{safe}]->() RETURN count(*) AS c").single(strict=True)
        relationships[rel_type] = int(record["c"])
    return {"nodes": nodes, "relationships": relationships}


# --- errors ----------------------------------------------------------------------


@contextlib.contextmanager
def _store_errors(doing: str) -> Iterator[None]:
    """Turn driver failures during an operation into a one-line StoreError."""
    try:
        yield
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as error:
        raise operation_error(doing, error) from error
