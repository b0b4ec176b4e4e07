"""Relation provenance in the store: a knowledge relation is its own relationship.

The graphs here come from extraction records (RELATION_FORMAT section 1)
passed through the real graph builder, then loaded into the session's real
Bolt store and read back through Cypher and ``read_subgraph``.
"""

from __future__ import annotations

from typing import Any

import neo4j

from kg.graph import build_graph
from kg.schema import edge_key
from kg.store.connection import ConnectionConfig
from kg.store.loader import load_graph, read_counts
from kg.store.subgraph import read_subgraph

GLM = ("model:glm-4", "GLM-4", "Model")
ZHIPU = ("org:zhipu-ai", "Zhipu AI", "Organization")
MMLU = ("dataset:mmlu", "MMLU", "Dataset")
SENTENCE = "GLM-4, developed by Zhipu AI, scores 83.3 on MMLU."


def relation(
    rel_type: str, source: tuple[str, str, str], target: tuple[str, str, str], provenance: str
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": rel_type,
        "source": source[0],
        "target": target[0],
        "source_name": source[1],
        "target_name": target[1],
        "source_type": source[2],
        "target_type": target[2],
        "provenance": provenance,
        "rule": f"rule.{provenance}",
        "score": 0.9 if provenance == "text" else 0.6,
    }
    if provenance != "knowledge":
        record["evidence"] = {
            "field": "abstract",
            "start": 10,
            "end": 10 + len(SENTENCE),
            "sentence": SENTENCE,
            "trigger_start": 17,
            "trigger_end": 29,
        }
    return record


def records(paper: str) -> list[dict[str, Any]]:
    return [
        {
            "id": paper,
            "title": f"Paper {paper}",
            "entities": [],
            "relations": [
                relation("DEVELOPED_BY", GLM, ZHIPU, "text"),
                relation("DEVELOPED_BY", GLM, ZHIPU, "knowledge"),
                relation("EVALUATED_ON", GLM, MMLU, "text"),
            ],
        }
    ]


def developed_by(driver: neo4j.Driver, database: str | None) -> list[dict[str, Any]]:
    found, _, _ = driver.execute_query(
        "MATCH (:Model {key: 'model:glm-4'})-[r:DEVELOPED_BY]->(:Organization) "
        "RETURN properties(r) AS props ORDER BY r.provenance",
        database_=database,
    )
    return [dict(record["props"]) for record in found]


def test_a_knowledge_and_a_text_relation_of_one_triple_are_two_relationships(
    clean: neo4j.Driver, database: str | None
) -> None:
    graph = build_graph([], records("2401.00001"))
    load_graph(clean, graph, database=database)
    knowledge, text = developed_by(clean, database)
    assert knowledge == {
        "provenance": "knowledge",
        "papers": [],
        "support": 0,
        "rules": ["rule.knowledge"],
        "score": 0.6,
    }
    assert text["provenance"] == "text" and text["support"] == 1
    assert text["evidence"] == [SENTENCE]
    assert text["evidence_papers"] == ["2401.00001"]
    assert text["evidence_titles"] == ["Paper 2401.00001"]
    assert text["evidence_trigger_starts"] == [17] and text["evidence_trigger_ends"] == [29]
    assert read_counts(clean, database)["relationships"]["DEVELOPED_BY"] == 2


def test_reloading_and_a_second_corpus_merge_each_relationship_with_its_own_provenance(
    clean: neo4j.Driver, database: str | None
) -> None:
    load_graph(clean, build_graph([], records("2401.00001")), database=database)
    first = developed_by(clean, database)
    load_graph(clean, build_graph([], records("2401.00001")), database=database)  # MERGE path
    assert developed_by(clean, database) == first
    load_graph(clean, build_graph([], records("2402.00002")), database=database)
    knowledge, text = developed_by(clean, database)
    assert read_counts(clean, database)["relationships"]["DEVELOPED_BY"] == 2
    assert knowledge["support"] == 0 and "evidence" not in knowledge
    assert text["papers"] == ["2401.00001", "2402.00002"] and text["support"] == 2
    assert text["evidence_papers"] == ["2401.00001", "2402.00002"]
    assert text["evidence_starts"] == [10, 10]  # parallel lists stay aligned when merged


def test_the_subgraph_read_back_keys_knowledge_edges_apart(
    clean: neo4j.Driver, database: str | None, store_config: ConnectionConfig
) -> None:
    graph = build_graph([], records("2401.00001"))
    load_graph(clean, graph, database=database)
    back = read_subgraph(store_config)
    assert sorted(back["model:glm-4"]["org:zhipu-ai"]) == [
        "DEVELOPED_BY",
        edge_key("DEVELOPED_BY", "knowledge"),
    ]
    fact = back.edges["model:glm-4", "org:zhipu-ai", "DEVELOPED_BY/knowledge"]
    assert fact["type"] == "DEVELOPED_BY" and fact["provenance"] == "knowledge"
    stated = back.edges["model:glm-4", "dataset:mmlu", "EVALUATED_ON"]
    assert stated["provenance"] == "text" and stated["evidence"] == [SENTENCE]
