"""kg.stream: a graph file read back one node or edge at a time, like the graph itself."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import networkx as nx
import pytest

from kg.errors import InputError
from kg.graph import build_graph, save_graph
from kg.stream import Edge, GraphItem, Node, iter_graph, iter_graph_file
from tests.test_graph import ORG_TAG_MAP, make_extractions, make_papers


@pytest.fixture()
def graph() -> nx.MultiDiGraph[str]:
    return build_graph(make_papers(), make_extractions(), org_tag_map=ORG_TAG_MAP)


def as_tuples(items: list[GraphItem]) -> list[tuple[object, ...]]:
    return [
        (item.key, dict(item.attrs))
        if isinstance(item, Node)
        else (item.source, item.target, item.key, dict(item.attrs))
        for item in items
    ]


def test_iter_graph_gives_every_node_then_every_edge(graph: nx.MultiDiGraph[str]) -> None:
    items = list(iter_graph(graph))
    kinds = [type(item) for item in items]
    assert kinds == [Node] * graph.number_of_nodes() + [Edge] * graph.number_of_edges()
    assert [item.key for item in items if isinstance(item, Node)] == list(graph.nodes)


@pytest.mark.parametrize("name", ["graph.json", "graph.json.gz"])
def test_a_saved_file_streams_the_same_items(
    graph: nx.MultiDiGraph[str], tmp_path: Path, name: str
) -> None:
    path = save_graph(graph, tmp_path / name)
    assert as_tuples(list(iter_graph_file(path))) == as_tuples(list(iter_graph(graph)))


def test_graphs_without_edges_or_nodes_stream(tmp_path: Path) -> None:
    only_nodes: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    only_nodes.add_node("paper:1", label="Paper", key="paper:1", title="One")
    only_nodes.add_node("paper:2", label="Paper", key="paper:2", title="Two")
    path = save_graph(only_nodes, tmp_path / "nodes.json")
    assert [item.key for item in iter_graph_file(path) if isinstance(item, Node)] == [
        "paper:1",
        "paper:2",
    ]
    empty = save_graph(nx.MultiDiGraph(), tmp_path / "empty.json")
    assert list(iter_graph_file(empty)) == []


def test_another_layout_of_the_same_json_streams_too(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    saved = save_graph(graph, tmp_path / "graph.json")
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(saved.read_text()), indent=2), encoding="utf-8")
    assert as_tuples(list(iter_graph_file(pretty))) == as_tuples(list(iter_graph(graph)))


def test_a_truncated_file_is_an_error_naming_the_line(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    lines = save_graph(graph, tmp_path / "graph.json").read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.json"
    cut.write_text("".join(lines[:-3]) + lines[-3][:20], encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(iter_graph_file(cut))
    assert caught.value.path == str(cut)
    assert caught.value.reason.startswith(
        f"not a kg graph file: line {len(lines) - 2} is not valid JSON"
    )
    whole_lines = tmp_path / "whole_lines.json"
    whole_lines.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(InputError, match="it ends before its last edge"):
        list(iter_graph_file(whole_lines))


def test_an_edge_to_a_missing_node_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dangling.json"
    path.write_text(
        '{"kg_format_version":1,"directed":true,"multigraph":true,"graph":{},"nodes":[\n'
        '{"label":"Paper","id":"paper:1"}],"edges":[\n'
        '{"type":"MENTIONS","source":"paper:1","target":"model:x","key":"MENTIONS"}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="line 3: an edge links a node that is not in the file"):
        list(iter_graph_file(path))


def test_missing_and_corrupt_files_say_how_to_fix_them(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such graph file"):
        list(iter_graph_file(tmp_path / "nope.json"))
    corrupt = tmp_path / "graph.json.gz"
    corrupt.write_bytes(gzip.compress(b'{"kg_format_version":1')[:-8])
    with pytest.raises(InputError, match="not a kg graph file"):
        list(iter_graph_file(corrupt))
