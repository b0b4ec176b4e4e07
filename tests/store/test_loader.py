"""kg.store.loader against a real Bolt store: schema, loads, merges, wipe, counts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner
from neo4j import exceptions as neo4j_errors

from kg.cli import main
from kg.errors import UsageError
from kg.graph import save_graph
from kg.schema import LABELS, REL_TYPES
from kg.store.connection import ConnectionConfig
from kg.store.loader import ensure_schema, load_graph, read_counts, wipe

from .graphs import (
    Graph,
    add_edge,
    add_node,
    corpus_a,
    corpus_b,
    expected_counts,
    new_graph,
    save,
    synthetic,
)

Snapshot = dict[str, Any]


def snapshot(driver: neo4j.Driver, database: str | None) -> Snapshot:
    """Every kg node and relationship with all its properties, in a stable order."""
    nodes: dict[str, Any] = {}
    rels: dict[tuple[str, str, str], Any] = {}
    for label in LABELS:
        records, _, _ = driver.execute_query(
            f"MATCH (n:{label}) RETURN n.key AS key, properties(n) AS props",
            database_=database,
        )
        for record in records:
            nodes[f"{label}/{record['key']}"] = record["props"]
    for rel_type in REL_TYPES:
        records, _, _ = driver.execute_query(
            f"MATCH (a)-[r:{rel_type}]->(b) RETURN a.key AS s, b.key AS t, properties(r) AS props",
            database_=database,
        )
        for record in records:
            rels[(record["s"], rel_type, record["t"])] = record["props"]
    return {"nodes": dict(sorted(nodes.items())), "rels": dict(sorted(rels.items()))}


def node(snap: Snapshot, label: str, key: str) -> dict[str, Any]:
    props: dict[str, Any] = snap["nodes"][f"{label}/{key}"]
    return props


def rel(snap: Snapshot, source: str, rel_type: str, target: str) -> dict[str, Any]:
    props: dict[str, Any] = snap["rels"][(source, rel_type, target)]
    return props


# --- schema -----------------------------------------------------------------------


def test_schema_setup_twice_is_fine_and_enforces_unique_keys(
    clean: neo4j.Driver, database: str | None
) -> None:
    ensure_schema(clean, database)
    ensure_schema(clean, database)
    records, _, _ = clean.execute_query("SHOW CONSTRAINTS", database_=database)
    names = {record["name"] for record in records}
    assert {f"kg_{label.lower()}_key" for label in LABELS} <= names
    clean.execute_query("CREATE (:Model {key: 'model:dup', name: 'a'})", database_=database)
    with pytest.raises(neo4j_errors.ClientError):
        clean.execute_query("CREATE (:Model {key: 'model:dup', name: 'b'})", database_=database)
    assert read_counts(clean, database)["nodes"]["Model"] == 1


# --- loading ----------------------------------------------------------------------


def test_load_writes_every_node_and_relationship(clean: neo4j.Driver, database: str | None) -> None:
    graph = corpus_a()
    summary = load_graph(clean, graph, database=database)
    expected = expected_counts(graph)
    assert summary.nodes == expected["nodes"]
    assert summary.relationships == expected["relationships"]
    assert summary.seconds > 0
    assert read_counts(clean, database) == expected
    snap = snapshot(clean, database)
    paper = node(snap, "Paper", "paper:2307.09288")
    assert paper["title"] == "Llama 2: Open Foundation and Fine-Tuned Chat Models"
    assert paper["year"] == 2023
    assert paper["has_code"] is True
    assert paper["categories"] == ["cs.CL", "cs.AI"]
    assert "label" not in paper  # the label is the node label, not a property
    assert rel(snap, "paper:2307.09288", "AUTHORED_BY", "author:louis-martin") == {"position": 1}


def test_derived_aggregates_come_from_the_edges_not_the_input(
    clean: neo4j.Driver, database: str | None
) -> None:
    load_graph(clean, corpus_a(), database=database)
    snap = snapshot(clean, database)
    llama = node(snap, "Model", "model:llama-2")
    assert (llama["paper_count"], llama["mention_count"]) == (2, 4)  # input said 99, 99
    assert node(snap, "Organization", "org:meta")["paper_count"] == 0
    assert rel(snap, "model:llama-2", "EVALUATED_ON", "dataset:mmlu")["support"] == 1
    assert rel(snap, "dataset:mmlu", "CO_MENTIONED", "model:llama-2")["weight"] == 1


def test_three_reloads_give_identical_stats_and_properties(
    clean: neo4j.Driver, database: str | None, store_config: ConnectionConfig, tmp_path: Path
) -> None:
    """``kg load`` of the same file three times: ``kg stats`` and every property stay put."""
    graph = corpus_a()
    graph_file = tmp_path / "graph.json"
    save_graph(graph, graph_file)
    env = {
        "NEO4J_URI": store_config.uri,
        "NEO4J_USER": store_config.user,
        "NEO4J_PASSWORD": store_config.password or "",
        "NEO4J_DATABASE": store_config.database or "",
    }
    runner = CliRunner()
    stats: list[str] = []
    snapshots: list[Snapshot] = []
    for batch_size in ("1000", "2", "7"):
        loaded = runner.invoke(main, ["load", str(graph_file), "--batch-size", batch_size], env=env)
        assert loaded.exit_code == 0, loaded.output
        shown = runner.invoke(main, ["stats", "--format", "json"], env=env)
        assert shown.exit_code == 0, shown.output
        stats.append(shown.stdout)
        snapshots.append(snapshot(clean, database))
    assert stats[0] == stats[1] == stats[2]
    assert json.loads(stats[0])["nodes"] == expected_counts(graph)["nodes"]
    assert snapshots[0] == snapshots[1] == snapshots[2]
    assert read_counts(clean, database) == expected_counts(graph)


def test_new_nodes_get_the_same_relationships_as_merged_ones(
    clean: neo4j.Driver, database: str | None
) -> None:
    """Into an empty store relationships are CREATEd; with some labels present, MERGEd."""
    load_graph(clean, corpus_a(), database=database)  # every label new: all CREATE
    created = snapshot(clean, database)
    wipe(clean, database)
    stray = new_graph()
    add_node(stray, "paper:stray", "Paper", "Stray")
    add_node(stray, "model:stray", "Model", "Stray")
    load_graph(clean, stray, database=database)
    load_graph(clean, corpus_a(), database=database)  # Paper and Model exist: both ways mix
    mixed = snapshot(clean, database)
    del mixed["nodes"]["Paper/paper:stray"], mixed["nodes"]["Model/model:stray"]
    assert mixed == created
    load_graph(clean, corpus_a(), database=database)  # everything exists: all MERGE
    assert (
        read_counts(clean, database)["relationships"]
        == expected_counts(corpus_a())["relationships"]
    )


def test_new_relationships_carry_common_properties_in_the_create_pattern() -> None:
    """Each SET after a CREATE rewrites the relationship in ArcadeDB: avoid them when possible."""
    from kg.store.loader import _create_relationship

    authored = [{"props": {"position": 1}, "m": {}}, {"props": {"position": 2}, "m": {}}]
    assert _create_relationship("AUTHORED_BY", authored) == (
        "CREATE (a)-[r:AUTHORED_BY {position: row.props.position}]->(b)",
        "",
    )
    mixed: list[dict[str, Any]] = [
        {"props": {"count": 1}, "m": {}},
        {"props": {"count": 2, "note": "x"}, "m": {}},
    ]
    assert _create_relationship("MENTIONS", mixed) == (
        "CREATE (a)-[r:MENTIONS {count: row.props.count}]->(b)",
        " SET r += row.props",
    )
    related = [{"props": {"rules": ["x"]}, "m": {"papers": ["paper:1"]}}]
    assert _create_relationship("TRAINED_ON", related) == (
        "CREATE (a)-[r:TRAINED_ON]->(b)",
        " SET r += row.props SET r += row.m",
    )


def test_only_labels_without_nodes_count_as_new(clean: neo4j.Driver, database: str | None) -> None:
    from kg.store.loader import _new_labels

    ensure_schema(clean, database)
    assert _new_labels(clean, database) == frozenset(LABELS)
    stray = new_graph()
    add_node(stray, "paper:stray", "Paper", "Stray")
    load_graph(clean, stray, database=database)
    assert _new_labels(clean, database) == frozenset(LABELS) - {"Paper"}


def test_a_node_or_edge_listed_twice_is_refused_before_anything_is_written() -> None:
    from kg.store.loader import validate_items
    from kg.stream import Edge, GraphItem, Node

    items: list[GraphItem] = [
        Node("paper:1", {"label": "Paper", "title": "T"}),
        Node("author:a", {"label": "Author", "name": "A"}),
        Edge("paper:1", "author:a", "AUTHORED_BY", {"position": 1}),
    ]
    assert validate_items(items) == 3
    with pytest.raises(UsageError) as error:
        validate_items([*items, Edge("paper:1", "author:a", "AUTHORED_BY", {"position": 2})])
    assert str(error.value) == (
        "graph edge 'paper:1' -[AUTHORED_BY]-> 'author:a' is listed twice; "
        "a graph lists each (source, type, target) once"
    )
    with pytest.raises(UsageError) as error:
        validate_items([*items[:2], Node("paper:1", {"label": "Paper", "title": "U"})])
    assert str(error.value) == "graph node 'paper:1' is listed twice; a graph lists each key once"


def test_second_corpus_merges_without_double_counting(
    clean: neo4j.Driver, database: str | None
) -> None:
    load_graph(clean, corpus_a(), database=database)
    load_graph(clean, corpus_b(), database=database)
    counts = read_counts(clean, database)
    assert counts["nodes"] == {
        "Paper": 3,
        "Author": 3,
        "Model": 2,
        "Dataset": 1,
        "Organization": 1,
        "Language": 1,
    }
    assert counts["relationships"] == {
        "AUTHORED_BY": 4,
        "MENTIONS": 6,
        "INTRODUCES": 2,
        "TAGGED_WITH": 1,
        "TRAINED_ON": 0,
        "EVALUATED_ON": 1,
        "FINE_TUNED_FROM": 0,
        "DEVELOPED_BY": 1,
        "COVERS_LANGUAGE": 1,
        "OUTPERFORMS": 1,
        "VARIANT_OF": 0,
        "CO_MENTIONED": 2,
    }
    snap = snapshot(clean, database)
    llama = node(snap, "Model", "model:llama-2")
    assert llama["aliases"] == ["Llama 2", "LLaMA-2", "Llama2"]
    assert llama["alias_counts"] == [3, 4, 2]  # per alias the larger count, never a sum
    assert (llama["first_seen"], llama["last_seen"]) == ("2023-06", "2024-01")
    assert llama["family"] == "llama"  # absent from corpus B: kept
    # papers mentioning it: 2307.09288 (3), shared (1, in both corpora), 2310.06825 (2)
    assert (llama["paper_count"], llama["mention_count"]) == (3, 6)
    mmlu = node(snap, "Dataset", "dataset:mmlu")
    assert (mmlu["paper_count"], mmlu["mention_count"]) == (2, 3)
    assert mmlu["alias_counts"] == [5]
    assert (mmlu["first_seen"], mmlu["last_seen"]) == ("2023-07", "2024-01")
    assert node(snap, "Paper", "paper:shared")["sources"] == ["a.jsonl:2", "b.jsonl:7"]
    evaluated = rel(snap, "model:llama-2", "EVALUATED_ON", "dataset:mmlu")
    assert evaluated["papers"] == ["paper:2307.09288", "paper:2310.06825", "paper:shared"]
    assert evaluated["support"] == 3
    assert evaluated["rules"] == ["evaluated_on", "table"]
    assert evaluated["score"] == 0.8
    assert evaluated["evidence"] == ["We evaluate Llama 2 on MMLU.", "Llama 2 scores 45 on MMLU."]
    assert evaluated["evidence_papers"] == ["paper:2307.09288", "paper:2310.06825"]
    co = rel(snap, "dataset:mmlu", "CO_MENTIONED", "model:llama-2")
    assert (co["papers"], co["weight"]) == (
        ["paper:2307.09288", "paper:2310.06825", "paper:shared"],
        3,
    )
    assert rel(snap, "paper:shared", "MENTIONS", "model:llama-2") == {"count": 1}


def test_aliases_without_counts_drop_counts_that_no_longer_line_up(
    clean: neo4j.Driver, database: str | None
) -> None:
    first = new_graph()
    add_node(first, "dataset:glue", "Dataset", "GLUE", aliases=["GLUE"], alias_counts=[2])
    second = new_graph()
    add_node(second, "dataset:glue", "Dataset", "GLUE", aliases=["GLUE benchmark"])
    load_graph(clean, first, database=database)
    load_graph(clean, second, database=database)
    glue = node(snapshot(clean, database), "Dataset", "dataset:glue")
    assert glue["aliases"] == ["GLUE", "GLUE benchmark"]
    assert "alias_counts" not in glue


def test_corpus_order_does_not_change_counts_or_aggregates(
    clean: neo4j.Driver, database: str | None
) -> None:
    def aggregates(snap: Snapshot) -> dict[str, Any]:
        return {
            key: (props.get("paper_count"), props.get("mention_count"), props.get("weight"))
            for key, props in snap["nodes"].items()
        } | {
            str(key): (sorted(props.get("papers", [])), props.get("support"), props.get("weight"))
            for key, props in snap["rels"].items()
        }

    load_graph(clean, corpus_a(), database=database)
    load_graph(clean, corpus_b(), database=database)
    a_then_b = (read_counts(clean, database), aggregates(snapshot(clean, database)))
    wipe(clean, database)
    load_graph(clean, corpus_b(), database=database)
    load_graph(clean, corpus_a(), database=database)
    assert (read_counts(clean, database), aggregates(snapshot(clean, database))) == a_then_b


def test_hostile_strings_are_stored_verbatim_and_never_executed(
    clean: neo4j.Driver, database: str | None
) -> None:
    hostile = [
        'He said "hi"',
        "it's `quoted`",
        '"}) DETACH DELETE n //',
        "'}) MATCH (m) DETACH DELETE m //",
        "`) DETACH DELETE n; MATCH (x) RETURN x //",
        "\\u0027 back\\slash ${param} $rows \n newline",
    ]
    graph = new_graph()
    add_node(graph, "model:victim", "Model", "Victim", aliases=["Victim"], alias_counts=[1])
    for i, text in enumerate(hostile):
        key = f"paper:{text}"  # keys too travel only as parameters
        add_node(graph, key, "Paper", text, title=text, authors=[text], sources=[text])
        add_edge(graph, key, "model:victim", "MENTIONS", count=i + 1)
    load_graph(clean, graph, database=database)
    load_graph(clean, graph, database=database)
    assert read_counts(clean, database) == expected_counts(graph)
    snap = snapshot(clean, database)
    for text in hostile:
        paper = node(snap, "Paper", f"paper:{text}")
        assert (paper["name"], paper["title"], paper["authors"]) == (text, text, [text])
    assert node(snap, "Model", "model:victim")["paper_count"] == len(hostile)


def test_unknown_label_or_type_is_refused_before_anything_is_written(
    clean: neo4j.Driver, database: str | None
) -> None:
    bad_label = corpus_a()
    add_node(bad_label, "x:1", "Model) DETACH DELETE (n", "x")
    with pytest.raises(UsageError, match="unknown node label"):
        load_graph(clean, bad_label, database=database)
    bad_type = corpus_a()
    add_edge(bad_type, "model:llama-2", "dataset:mmlu", "EVALUATED_ON]->() DELETE r //")
    with pytest.raises(UsageError, match="unknown relationship type"):
        load_graph(clean, bad_type, database=database)
    nested = corpus_a()
    nested.nodes["model:llama-2"]["meta"] = {"nested": "map"}
    with pytest.raises(UsageError, match="'meta'"):
        load_graph(clean, nested, database=database)
    assert sum(read_counts(clean, database)["nodes"].values()) == 0


def test_progress_reports_every_row_in_order(clean: neo4j.Driver, database: str | None) -> None:
    calls: list[tuple[int, int]] = []
    graph = corpus_a()
    load_graph(
        clean, graph, database=database, batch_size=3, progress=lambda d, t: calls.append((d, t))
    )
    entities = sum(1 for n in graph if graph.nodes[n]["label"] not in ("Paper", "Author"))
    total = graph.number_of_nodes() + graph.number_of_edges() + entities
    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)
    done = [d for d, _t in calls]
    assert done == sorted(done) and len(calls) > 3


# --- wipe and counts --------------------------------------------------------------


def test_wipe_deletes_only_kg_labels(clean: neo4j.Driver, database: str | None) -> None:
    load_graph(clean, corpus_a(), database=database)
    clean.execute_query(
        "MATCH (m:Model {key: 'model:llama-2'}) "
        "CREATE (o:Outsider {key: 'model:llama-2', name: 'keep me'})-[:LIKES]->(m)",
        database_=database,
    )
    deleted = wipe(clean, database, batch_size=3)
    assert deleted == corpus_a().number_of_nodes()
    counts = read_counts(clean, database)
    assert sum(counts["nodes"].values()) == 0
    assert sum(counts["relationships"].values()) == 0
    records, _, _ = clean.execute_query(
        "MATCH (o:Outsider) RETURN o.name AS name", database_=database
    )
    assert [record["name"] for record in records] == ["keep me"]
    clean.execute_query("MATCH (o:Outsider) DETACH DELETE o", database_=database)


def transactions_so_far(driver: neo4j.Driver, database: str | None) -> int:
    """Neo4j numbers the transactions of a database: the id of this one."""
    records, _, _ = driver.execute_query(
        "SHOW TRANSACTIONS YIELD transactionId RETURN transactionId", database_=database
    )
    return max(int(str(record["transactionId"]).rsplit("-", 1)[1]) for record in records)


def test_wipe_of_a_hub_with_50k_relationships_deletes_them_in_batches(
    clean: neo4j.Driver, database: str | None, store_backend: str
) -> None:
    """One node with 50,000 relationships: no transaction deletes more than the batch size.

    (Before, each node went with all its relationships, in one transaction that
    Neo4j's transaction memory limit can refuse on a real hub.)
    """
    if store_backend == "embedded":
        pytest.skip(
            "Neo4j only: batching is checked through Neo4j's transaction ids, and merely "
            "creating 50k relationships takes over a minute in the embedded store; its "
            "batched wipe runs in test_wipe_deletes_only_kg_labels (batch size 3)"
        )
    rels, batch = 50_000, 5_000
    clean.execute_query(
        "CREATE (:Model {key: 'model:hub', name: 'hub'}) WITH 1 AS one "
        "UNWIND range(0, 49) AS i CREATE (:Dataset {key: 'dataset:d' + toString(i), name: 'd'})",
        database_=database,
    )
    for start in range(0, rels, 10_000):
        clean.execute_query(
            "MATCH (m:Model {key: 'model:hub'}) UNWIND range($start, $start + 9999) AS i "
            "MATCH (d:Dataset {key: 'dataset:d' + toString(i % 50)}) "
            "CREATE (m)-[:CO_MENTIONED {weight: i}]->(d)",
            start=start,
            database_=database,
        )
    assert read_counts(clean, database)["relationships"]["CO_MENTIONED"] == rels
    before = transactions_so_far(clean, database)
    assert wipe(clean, database, batch_size=batch) == 51
    counts = read_counts(clean, database)
    assert sum(counts["nodes"].values()) == sum(counts["relationships"].values()) == 0
    # the SHOW TRANSACTIONS itself and read_counts take one id each
    assert transactions_so_far(clean, database) - before - 2 >= rels // batch


def test_read_counts_lists_every_label_and_type_in_schema_order(
    clean: neo4j.Driver, database: str | None
) -> None:
    empty = read_counts(clean, database)
    assert list(empty["nodes"]) == list(LABELS)
    assert list(empty["relationships"]) == list(REL_TYPES)
    assert set(empty["nodes"].values()) == {0}
    load_graph(clean, corpus_a(), database=database)
    assert (
        read_counts(clean, database) == read_counts(clean, database) == expected_counts(corpus_a())
    )


# --- a loader killed half-way -----------------------------------------------------

TESTS_DIR = Path(__file__).resolve().parents[1]


def test_loader_killed_mid_way_then_rerun_gives_exact_counts(
    clean: neo4j.Driver,
    database: str | None,
    store_config: ConnectionConfig,
    tmp_path: Path,
) -> None:
    graph = synthetic(papers=300, models=40)
    expected = expected_counts(graph)
    graph_file = tmp_path / "graph.json"
    save(graph, graph_file)
    total_rows = graph.number_of_nodes() + graph.number_of_edges()
    env = dict(os.environ)
    env.update(
        NEO4J_URI=store_config.uri,
        NEO4J_USER=store_config.user,
        NEO4J_PASSWORD=store_config.password or "",
        NEO4J_DATABASE=store_config.database or "",
        KG_TEST_KILL_AT=str(total_rows // 3),
        PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS_DIR), env.get("PYTHONPATH")])),
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "store.load_worker", str(graph_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert worker.stdout is not None
        line = worker.stdout.readline()
        if not line.startswith("KILLME"):
            worker.wait(timeout=30)
            errors = worker.stderr.read() if worker.stderr else ""
            pytest.fail(f"the worker said {line!r} before it could be killed: {errors}")
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
        if worker.stdout:
            worker.stdout.close()
        if worker.stderr:
            worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL
    partial = read_counts(clean, database)
    assert sum(partial["nodes"].values()) + sum(partial["relationships"].values()) > 0
    assert partial != expected, "the worker finished before it was killed"

    load_graph(clean, graph, database=database, batch_size=25)
    assert read_counts(clean, database) == expected
    snap = snapshot(clean, database)
    for model, attrs in graph.nodes(data=True):
        if attrs["label"] != "Model":
            continue
        mentions = [
            data
            for _p, _m, kind, data in graph.in_edges(model, keys=True, data=True)
            if kind == "MENTIONS"
        ]
        stored = node(snap, "Model", model)
        assert stored["paper_count"] == len(mentions)
        assert stored["mention_count"] == sum(data["count"] for data in mentions)
    for (source, rel_type, target), props in snap["rels"].items():
        if rel_type == "CO_MENTIONED":
            papers = graph.edges[source, target, "CO_MENTIONED"]["papers"]
            assert props["papers"] == papers and props["weight"] == len(papers)


def test_synthetic_graph_matches_its_expected_counts_helper(tmp_path: Path) -> None:
    """Guards the helper the kill test relies on: the graph round-trips through JSON."""
    from .graphs import load

    graph: Graph = synthetic(papers=30, models=7)
    save(graph, tmp_path / "g.json")
    assert expected_counts(load(tmp_path / "g.json")) == expected_counts(graph)
    assert expected_counts(graph)["relationships"]["MENTIONS"] == 90


def test_lanes_never_share_nodes() -> None:
    """Concurrent batches touch disjoint nodes; paper-to-entity edges wait for both lanes."""
    from kg.schema import ENTITY_LABELS
    from kg.store.loader import _EdgeGroup, _lane

    assert _lane("Paper") == 0
    assert {_lane(label) for label in ("Author", *ENTITY_LABELS)} == {1}
    assert _lane(_EdgeGroup("AUTHORED_BY", "Paper", "Author")) == 0
    assert _lane(_EdgeGroup("CO_MENTIONED", "Model", "Dataset")) == 1
    assert _lane(_EdgeGroup("FINE_TUNED_FROM", "Model", "Model")) == 1
    for target in ENTITY_LABELS:
        assert _lane(_EdgeGroup("MENTIONS", "Paper", target)) is None
    assert _lane(_EdgeGroup("TAGGED_WITH", "Paper", "Organization")) is None
