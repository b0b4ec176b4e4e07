"""The neo4j-admin CSV written from streams and in shards, and read back for the store loader.

Every test writes real files into tmp_path and reads them back: the streamed
export is the in-memory one byte for byte, shards together hold exactly the
rows of the whole export, and ``iter_neo4j_csv`` gives back what neo4j-admin
would import.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import UsageError
from kg.graph import (
    build_graph,
    save_graph,
    shard_of,
    write_neo4j_csv,
    write_neo4j_csv_items,
    write_neo4j_csv_shard,
    write_neo4j_import_script,
)
from kg.graph.spill import spill_graph
from kg.stream import Edge, GraphItem, Node, iter_graph_file, iter_neo4j_csv
from tests.test_graph import ORG_TAG_MAP, make_extractions, make_papers

_BREAKS = re.compile(r"[\r\n]+")


@pytest.fixture
def graph() -> nx.MultiDiGraph[str]:
    return build_graph(make_papers(), make_extractions(), org_tag_map=ORG_TAG_MAP)


def files_of(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def as_imported(value: Any) -> Any:
    """A graph value as neo4j-admin imports it from kg's CSV: line breaks are spaces."""
    if isinstance(value, str):
        return _BREAKS.sub(" ", value)
    if isinstance(value, list):
        return [as_imported(item) for item in value]
    return value


def imported(graph: nx.MultiDiGraph[str]) -> tuple[dict[str, Any], dict[Any, Any]]:
    """Nodes and edges of ``graph`` as the CSV carries them (empty lists are unset)."""
    nodes = {
        key: {name: as_imported(v) for name, v in data.items() if v != []}
        for key, data in graph.nodes(data=True)
    }
    edges = {
        (source, target, key): {name: as_imported(v) for name, v in data.items() if v != []}
        for source, target, key, data in graph.edges(keys=True, data=True)
    }
    return nodes, edges


def read_back(items: list[GraphItem]) -> tuple[dict[str, Any], dict[Any, Any]]:
    nodes = {item.key: dict(item.attrs) for item in items if isinstance(item, Node)}
    edges = {
        (item.source, item.target, item.key): dict(item.attrs)
        for item in items
        if isinstance(item, Edge)
    }
    return nodes, edges


def test_the_streamed_export_is_the_in_memory_one(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    write_neo4j_csv(graph, tmp_path / "memory")
    with spill_graph(
        make_papers(), make_extractions(), directory=tmp_path, org_tag_map=ORG_TAG_MAP
    ) as spilled:
        write_neo4j_csv_items(spilled.nodes, spilled.edges, tmp_path / "streamed")
    assert files_of(tmp_path / "memory") == files_of(tmp_path / "streamed")
    assert "nodes_Paper.csv" in files_of(tmp_path / "streamed")


def test_the_csv_reads_back_as_the_graph(graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    write_neo4j_csv(graph, tmp_path)
    assert read_back(list(iter_neo4j_csv(tmp_path))) == imported(graph)


def test_shards_hold_every_row_once_and_read_back_as_the_graph(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    def nodes() -> Any:
        return graph.nodes.items()

    def edges() -> Any:
        return graph.edges(keys=True, data=True)

    manifests = [
        write_neo4j_csv_shard(nodes, edges, tmp_path, shard=k, shards=3)[-1] for k in range(3)
    ]
    assert [path.name for path in manifests] == [f"shard-{k}-of-3.json" for k in range(3)]
    script = write_neo4j_import_script(tmp_path).read_text(encoding="utf-8")
    papers = sorted(tmp_path.glob("nodes_Paper.part-*-of-3.csv"))
    assert papers and all(f"--nodes={path.name} \\" in script for path in papers)
    for path in papers:  # each shard file has its header, and only its own keys
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("key:ID,name,")
        shard = int(path.name.split(".part-")[1].split("-")[0])
        assert all(shard_of(line.split(",")[0], 3) == shard for line in lines[1:])
    assert read_back(list(iter_neo4j_csv(tmp_path))) == imported(graph)


def test_an_incomplete_or_mixed_set_of_shards_is_refused(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    def nodes() -> Any:
        return graph.nodes.items()

    def edges() -> Any:
        return graph.edges(keys=True, data=True)

    write_neo4j_csv_shard(nodes, edges, tmp_path, shard=0, shards=2)
    with pytest.raises(UsageError, match=r"missing \[1\]"):
        write_neo4j_import_script(tmp_path)
    write_neo4j_csv_shard(nodes, edges, tmp_path, shard=1, shards=2, array_delimiter="|")
    with pytest.raises(UsageError, match=r"different array delimiters.*array_delimiter="):
        write_neo4j_import_script(tmp_path)
    with pytest.raises(UsageError, match=r"shard must be 0 \.\. shards-1"):
        write_neo4j_csv_shard(nodes, edges, tmp_path, shard=2, shards=2)


def test_kg_export_writes_shards_one_at_a_time_and_kg_load_reads_them(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    saved = save_graph(graph, tmp_path / "graph.json")
    out = tmp_path / "csv"
    runner = CliRunner()
    first = runner.invoke(
        main, ["export", str(saved), "--neo4j-csv", str(out), "--shards", "2", "--shard", "0"]
    )
    assert first.exit_code == 0, first.output
    assert first.stdout.endswith("(import.sh comes with the last shard)\n")
    assert not (out / "import.sh").exists()
    second = runner.invoke(
        main, ["export", str(saved), "--neo4j-csv", str(out), "--shards", "2", "--shard", "1"]
    )
    assert second.exit_code == 0, second.output
    assert second.stdout.endswith("(run import.sh to import)\n")
    from_file = read_back(list(iter_graph_file(saved)))
    assert read_back(list(iter_neo4j_csv(out))) == imported(graph)
    assert set(from_file[0]) == set(imported(graph)[0])
    wrong = runner.invoke(main, ["export", str(saved), "--neo4j-csv", str(out), "--shard", "3"])
    assert wrong.exit_code == 2
    assert "--shard must be below --shards (1); got 3" in wrong.stderr
