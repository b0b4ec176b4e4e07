"""Read a subgraph from the store back into the networkx form the views draw.

``kg view --from-db`` draws what the database holds, not a saved file. By
default it reads the entity nodes and the relations between them (papers and
authors would drown a view); with an entity it reads that entity's whole
neighbourhood, papers and authors included, exactly as an ego view of the
saved graph shows it; ``--cypher FILE`` runs the user's own read query and
keeps every node, relationship and path it returns.
"""

from __future__ import annotations

from typing import Any

import neo4j
import networkx as nx
from neo4j.graph import Graph

from kg.queries import check_read_only
from kg.schema import (
    ENTITY_LABELS,
    KEY_PREFIX,
    LABELS,
    REL_TYPES,
    check_label,
    check_rel_type,
    edge_key,
)
from kg.store.connection import ConnectionConfig, open_driver, to_store_error
from kg.view.select import find_entity

_PAPER_LEVEL = {"AUTHORED_BY", "MENTIONS", "INTRODUCES", "TAGGED_WITH"}


def read_subgraph(
    config: ConnectionConfig, cypher: str | None = None, *, source: str = "--cypher"
) -> nx.MultiDiGraph[str]:
    """The entity graph, or whatever ``cypher`` returns, as a contract-shaped MultiDiGraph.

    ``cypher`` must only read: a write clause is refused before the store is
    reached (as ``kg query`` does; ``source`` names it in the message), and it
    runs in a read session, which a store that enforces access modes rejects too.
    """
    if cypher is not None:
        check_read_only(cypher, source)
    driver = open_driver(config)
    try:
        with driver.session(
            database=config.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            if cypher is None:
                return session.execute_read(_entity_graph)
            return session.execute_read(_query_graph, cypher)
    except neo4j.exceptions.Neo4jError as error:
        raise to_store_error(error, config) from None
    finally:
        driver.close()


def _entity_graph(tx: neo4j.ManagedTransaction) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for label in ENTITY_LABELS:
        query = f"MATCH (n:{check_label(label)}) RETURN n.key AS key, properties(n) AS props"
        for record in tx.run(query):
            graph.add_node(record["key"], **{**record["props"], "label": label})
    for rel_type in REL_TYPES:
        if rel_type in _PAPER_LEVEL:
            continue
        query = (
            f"MATCH (a)-[r:{check_rel_type(rel_type)}]->(b) "
            "RETURN a.key AS source, b.key AS target, properties(r) AS props"
        )
        for record in tx.run(query):
            if record["source"] in graph and record["target"] in graph:
                _add_edge(graph, record["source"], record["target"], rel_type, record["props"])
    return graph


def _query_graph(tx: neo4j.ManagedTransaction, cypher: str) -> nx.MultiDiGraph[str]:
    result = tx.run(cypher)
    return _to_networkx(result.graph())


def _to_networkx(found: Graph) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    keys: dict[str, str] = {}
    for node in found.nodes:
        label = next((label for label in LABELS if label in node.labels), None)
        props: dict[str, Any] = dict(node)
        if label is None or "key" not in props:
            continue
        keys[node.element_id] = props["key"]
        graph.add_node(props["key"], **{**props, "label": label})
    for rel in found.relationships:
        if rel.type not in REL_TYPES or rel.start_node is None or rel.end_node is None:
            continue
        source, target = keys.get(rel.start_node.element_id), keys.get(rel.end_node.element_id)
        if source and target:
            _add_edge(graph, source, target, rel.type, dict(rel))
    return graph


def read_timeline_graph(config: ConnectionConfig) -> nx.MultiDiGraph[str]:
    """Papers (key, title, date), entities, who mentions or introduces what, and the relations.

    What ``kg trends --from-db`` and ``kg digest --from-db`` need: the entity
    graph plus a light Paper node per paper (no abstract unless it has no title,
    no authors), so a corpus-sized store reads back in little memory.
    """
    driver = open_driver(config)
    try:
        with driver.session(database=config.database) as session:
            graph = session.execute_read(_entity_graph)
            session.execute_read(_add_papers, graph)
            return graph
    except neo4j.exceptions.Neo4jError as error:
        raise to_store_error(error, config) from None
    finally:
        driver.close()


def _add_papers(tx: neo4j.ManagedTransaction, graph: nx.MultiDiGraph[str]) -> None:
    papers = (
        "MATCH (p:Paper) RETURN p.key AS key, p.title AS title, p.date AS date, "
        "CASE WHEN p.title IS NULL OR p.title = '' THEN p.abstract END AS abstract"
    )
    for record in tx.run(papers):
        attrs = {name: record[name] for name in ("title", "date", "abstract") if record[name]}
        graph.add_node(record["key"], label="Paper", key=record["key"], **attrs)
    for rel_type in ("MENTIONS", "INTRODUCES"):
        query = (
            f"MATCH (p:Paper)-[:{check_rel_type(rel_type)}]->(e) "
            "RETURN p.key AS source, e.key AS target"
        )
        for record in tx.run(query):
            if record["target"] in graph:
                _add_edge(graph, record["source"], record["target"], rel_type, {})


def read_ego_graph(
    config: ConnectionConfig, entity: str, depth: int, min_weight: int
) -> nx.MultiDiGraph[str]:
    """Everything within ``depth`` hops of ``entity`` in the store, papers and authors included.

    The same neighbourhood ``kg view --entity`` draws from a graph file: the
    centre is found as there (key, name or alias, closest names when none
    matches), hops ignore direction and pass over every relationship but the
    CO_MENTIONED edges lighter than ``min_weight``, and the relationships among
    the nodes reached are read back too, so the view ranks them the same way.
    """
    driver = open_driver(config)
    try:
        with driver.session(database=config.database) as session:
            center = find_entity(session.execute_read(_entity_graph), entity)
            return session.execute_read(_ego_graph, center, depth, min_weight)
    except neo4j.exceptions.Neo4jError as error:
        raise to_store_error(error, config) from None
    finally:
        driver.close()


# Each lookup is per label, so that it uses the label's unique index on ``key``.
_NEIGHBOURS = (
    "MATCH (n:{label})-[r]-(m) WHERE n.key IN $keys "
    "AND NOT (type(r) = 'CO_MENTIONED' AND coalesce(r.weight, 1) < $min_weight) "
    "RETURN DISTINCT m.key AS key"
)
_NODES = "MATCH (n:{label}) WHERE n.key IN $keys RETURN n.key AS key, properties(n) AS props"
_EDGES = (
    "MATCH (a:{label})-[r]->(b) WHERE a.key IN $keys AND b.key IN $all "
    "RETURN a.key AS source, b.key AS target, type(r) AS type, properties(r) AS props"
)
_LABEL_OF_PREFIX = {prefix: label for label, prefix in KEY_PREFIX.items()}


def _by_label(keys: set[str] | list[str]) -> dict[str, list[str]]:
    """Keys grouped by the label their prefix names (``model:x`` is a Model)."""
    groups: dict[str, list[str]] = {}
    for key in sorted(keys):
        label = _LABEL_OF_PREFIX.get(key.split(":", 1)[0])
        if label is not None:
            groups.setdefault(check_label(label), []).append(key)
    return groups


def _ego_graph(
    tx: neo4j.ManagedTransaction, center: str, depth: int, min_weight: int
) -> nx.MultiDiGraph[str]:
    reached, frontier = {center}, {center}
    for _ in range(depth):
        found: set[str] = set()
        for label, keys in _by_label(frontier).items():
            query = _NEIGHBOURS.format(label=label)
            found |= {r["key"] for r in tx.run(query, keys=keys, min_weight=min_weight)}
        frontier = found - reached
        reached |= found
        if not frontier:
            break
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    groups = _by_label(reached)
    for label, keys in groups.items():
        for record in tx.run(_NODES.format(label=label), keys=keys):
            graph.add_node(record["key"], **{**record["props"], "label": label})
    every = sorted(graph.nodes)
    for label, keys in groups.items():
        for record in tx.run(_EDGES.format(label=label), keys=keys, all=every):
            if record["type"] in REL_TYPES and record["target"] in graph:
                _add_edge(
                    graph, record["source"], record["target"], record["type"], record["props"]
                )
    return graph


def _add_edge(
    graph: nx.MultiDiGraph[str], source: str, target: str, rel_type: str, props: dict[str, Any]
) -> None:
    """Add a stored relationship under its contract key (``TYPE/knowledge`` for knowledge)."""
    key = edge_key(rel_type, props.get("provenance"))
    graph.add_edge(source, target, key=key, **{**props, "type": rel_type})
