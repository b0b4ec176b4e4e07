"""The bundled sample in both stores gives the same answers: embedded ArcadeDB against Neo4j.

The sample is built once (``kg build --no-load``) and loaded into each store
with ``kg load --wipe --yes``. Then ``kg stats --format json`` must print the
same text, every bundled query (with its defaults) must give the same rows, in
order where the query orders its rows and as multisets where it does not, and
every node and relationship must read back with the same properties.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.queries import QueryInfo, list_queries, run_query
from kg.schema import LABELS, REL_TYPES
from kg.store.connection import ConnectionConfig, open_driver

from ..conftest import SEEDS, Neo4jServer

Stores = dict[str, ConnectionConfig]


def cli_env(config: ConnectionConfig) -> dict[str, str]:
    return {
        "NEO4J_URI": config.uri,
        "NEO4J_USER": config.user,
        "NEO4J_PASSWORD": config.password or "",
        "NEO4J_DATABASE": config.database or "",
    }


def kg(config: ConnectionConfig, *args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env=cli_env(config))
    assert result.exit_code == 0, (args, result.output)
    return result


@pytest.fixture(scope="module")
def stores(
    embedded_config: ConnectionConfig,
    neo4j_server: Neo4jServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stores]:
    """Both stores, each holding exactly the bundled sample (loaded by ``kg load``)."""
    graph = tmp_path_factory.mktemp("differential") / "sample.json"
    built = CliRunner().invoke(
        main,
        ["build", *map(str, SEEDS), "-o", str(graph), "--no-load", "--no-view"],
        env={"NEO4J_URI": None},
    )
    assert built.exit_code == 0, built.output
    both = {"embedded": embedded_config, "neo4j": neo4j_server.config}
    for config in both.values():
        kg(config, "load", str(graph), "--wipe", "--yes")
    yield both


def ordered(info: QueryInfo) -> bool:
    """Whether the query's final RETURN is followed by an ORDER BY."""
    tail = info.cypher.rsplit("RETURN", 1)[-1]
    return re.search(r"\bORDER\s+BY\b", tail, re.IGNORECASE) is not None


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def test_stats_are_identical(stores: Stores) -> None:
    texts = {
        name: kg(config, "stats", "--format", "json").stdout for name, config in stores.items()
    }
    assert texts["embedded"] == texts["neo4j"]
    assert json.loads(texts["neo4j"])["nodes"]["Paper"] == 458


@pytest.mark.parametrize("info", list_queries(), ids=lambda info: info.name)
def test_every_bundled_query_gives_the_same_rows(stores: Stores, info: QueryInfo) -> None:
    rows = {}
    for name, config in stores.items():
        with open_driver(config) as driver:
            rows[name] = run_query(driver, info, database=config.database)
    assert rows["neo4j"], f"{info.name} returns no rows on Neo4j"
    if ordered(info):
        assert rows["embedded"] == rows["neo4j"]
    else:
        assert Counter(map(canonical, rows["embedded"])) == Counter(map(canonical, rows["neo4j"]))


def read_everything(driver: neo4j.Driver, database: str | None) -> dict[str, Counter[str]]:
    """Every node (label, properties) and relationship (ends, type, properties), as multisets."""
    nodes: Counter[str] = Counter()
    for label in LABELS:
        records, _, _ = driver.execute_query(
            f"MATCH (n:{label}) RETURN labels(n) AS labels, properties(n) AS props",
            database_=database,
        )
        nodes.update(canonical([sorted(r["labels"]), r["props"]]) for r in records)
    rels: Counter[str] = Counter()
    for rel_type in REL_TYPES:
        records, _, _ = driver.execute_query(
            f"MATCH (a)-[r:{rel_type}]->(b) "
            "RETURN a.key AS source, type(r) AS type, b.key AS target, properties(r) AS props",
            database_=database,
        )
        rels.update(canonical([r["source"], r["type"], r["target"], r["props"]]) for r in records)
    return {"nodes": nodes, "relationships": rels}


def test_nodes_and_relationships_read_back_with_identical_properties(stores: Stores) -> None:
    read = {}
    for name, config in stores.items():
        with open_driver(config) as driver:
            read[name] = read_everything(driver, config.database)
    for kind in ("nodes", "relationships"):
        only_embedded = read["embedded"][kind] - read["neo4j"][kind]
        only_neo4j = read["neo4j"][kind] - read["embedded"][kind]
        assert not only_embedded and not only_neo4j, (
            kind,
            sorted(only_embedded)[:3],
            sorted(only_neo4j)[:3],
        )
    assert sum(read["neo4j"]["nodes"].values()) > 1000
