"""The store loaded from neo4j-admin CSV shards holds what it holds when loaded from the graph file.

The test graph is saved, exported as three shards with ``kg export``, and
loaded into the session's real store twice (``kg load FILE`` and ``kg load
DIR``); every node and relationship must read back with the same properties,
except what the CSV cannot carry (empty lists, line breaks inside values).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import neo4j
from click.testing import CliRunner

from kg.cli import main
from kg.graph import build_graph, save_graph
from kg.store.connection import ConnectionConfig
from tests.test_graph import ORG_TAG_MAP, make_extractions, make_papers

_BREAKS = re.compile(r"[\r\n]+")


def as_imported(value: Any) -> Any:
    if isinstance(value, str):
        return _BREAKS.sub(" ", value)
    if isinstance(value, list):
        return [as_imported(item) for item in value]
    return value


NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"


def dump(driver: neo4j.Driver, database: str | None) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with its properties (empty lists dropped), sorted."""
    with driver.session(database=database) as session:
        nodes = [
            (record["labels"], sorted(
                (k, as_imported(v)) for k, v in record["props"].items() if v != []
            ))
            for record in session.run(NODES)
        ]  # fmt: skip
        rels = [
            (record["s"], record["t"], record["type"], sorted(
                (k, as_imported(v)) for k, v in record["props"].items() if v != []
            ))
            for record in session.run(
                "MATCH (a)-[r]->(b) RETURN a.key AS s, b.key AS t, type(r) AS type, "
                "properties(r) AS props"
            )
        ]  # fmt: skip
    return sorted(nodes, key=repr), sorted(rels, key=repr)


def env_of(config: ConnectionConfig) -> dict[str, str]:
    return {
        "NEO4J_URI": config.uri,
        "NEO4J_USER": config.user,
        "NEO4J_PASSWORD": config.password or "",
        "NEO4J_DATABASE": config.database or "",
    }


def test_loading_the_shards_gives_the_store_of_the_graph_file(
    clean: neo4j.Driver, database: str | None, store_config: ConnectionConfig, tmp_path: Path
) -> None:
    graph = build_graph(make_papers(), make_extractions(), org_tag_map=ORG_TAG_MAP)
    saved = save_graph(graph, tmp_path / "graph.json")
    shards = tmp_path / "csv"
    runner = CliRunner()
    env = env_of(store_config)
    exported = runner.invoke(
        main, ["export", str(saved), "--neo4j-csv", str(shards), "--shards", "3"], env=env
    )
    assert exported.exit_code == 0, exported.output
    from_file = runner.invoke(main, ["load", str(saved), "--wipe", "--yes"], env=env)
    assert from_file.exit_code == 0, from_file.output
    expected = dump(clean, database)
    from_shards = runner.invoke(main, ["load", str(shards), "--wipe", "--yes"], env=env)
    assert from_shards.exit_code == 0, from_shards.output
    assert from_shards.stdout.splitlines()[1:] == from_file.stdout.splitlines()[1:]  # the counts
    assert dump(clean, database) == expected
    assert len(expected[0]) == graph.number_of_nodes()
