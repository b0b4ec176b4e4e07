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

from kg.schema import ENTITY_LABELS, LABELS, REL_TYPES, check_label, check_rel_type, edge_key
from kg.store.connection import ConnectionConfig, open_driver, to_store_error

_PAPER_LEVEL = {"AUTHORED_BY", "MENTIONS", "INTRODUCES", "TAGGED_WITH"}


def read_subgraph(config: ConnectionConfig, cypher: str | None = None) -> nx.MultiDiGraph[str]:
    """The entity graph, or whatever ``cypher`` returns, as a contract-shaped MultiDiGraph."""
    driver = open_driver(config)
    try:
        with driver.session(database=config.database) as session:
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


def _add_edge(
    graph: nx.MultiDiGraph[str], source: str, target: str, rel_type: str, props: dict[str, Any]
) -> None:
    """Add a stored relationship under its contract key (``TYPE/knowledge`` for knowledge)."""
    key = edge_key(rel_type, props.get("provenance"))
    graph.add_edge(source, target, key=key, **{**props, "type": rel_type})
