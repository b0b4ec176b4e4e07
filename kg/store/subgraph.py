"""Read a subgraph from the store back into the networkx form the views draw.

``kg view --from-db`` draws what the database holds, not a saved file. By
default it reads the entity nodes and the relations between them (papers and
authors would drown a view); ``--cypher FILE`` runs the user's own read query
and keeps every node, relationship and path it returns.
"""

from __future__ import annotations

from typing import Any

import neo4j
import networkx as nx
from neo4j.graph import Graph

from kg.queries import check_read_only
from kg.schema import ENTITY_LABELS, LABELS, REL_TYPES, check_label, check_rel_type
from kg.store.connection import ConnectionConfig, open_driver, to_store_error

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
                graph.add_edge(record["source"], record["target"], key=rel_type,
                               **{**record["props"], "type": rel_type})  # fmt: skip
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
            graph.add_edge(source, target, key=rel.type, **{**dict(rel), "type": rel.type})
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
                graph.add_edge(record["source"], record["target"], key=rel_type, type=rel_type)
