"""The graph file: lossless JSON node-link data, one node or edge a line.

``save_graph`` writes it from a networkx graph; ``load_graph_file`` reads it
back into networkx, and :mod:`kg.stream` streams it without loading it.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal

import networkx as nx
import orjson

from kg.errors import InputError
from kg.outputs import open_output

#: Version of the JSON file layout written by :func:`save_graph`.
FORMAT_VERSION = 1


def save_graph(graph: nx.MultiDiGraph[str], path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as JSON node-link data (gzip-compressed when the name ends in .gz).

    The layout is ``networkx.node_link_data(graph, edges="edges")`` plus
    ``kg_format_version``, written one node or edge at a time: ``json.dump``
    of the whole document runs the pure-Python encoder, several times slower
    on a corpus-sized graph. A regular file is written next to its final name
    and renamed into place, so an interrupted save never leaves a truncated
    graph; a device or FIFO is written straight through (:mod:`kg.outputs`).
    """
    return write_graph_items(
        graph.nodes.items(), graph.edges(keys=True, data=True), path, graph_attrs=graph.graph
    )


def write_graph_items(
    nodes: Iterable[tuple[str, Mapping[str, Any]]],
    edges: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    path: str | os.PathLike[str],
    *,
    graph_attrs: Mapping[str, Any] | None = None,
) -> Path:
    """Write the graph file from (key, attrs) nodes and (source, target, key, attrs) edges.

    This is :func:`save_graph` without a networkx graph: the out-of-core build
    (:mod:`kg.graph.spill`) streams its nodes and edges through here, so the
    file is the same byte for byte when the items come in the same order.
    """
    target = Path(path)
    compress = target.name.endswith(".gz")
    with open_output(target, compress=compress, what="the graph") as handle:
        for chunk in _node_link_chunks(nodes, edges, graph_attrs or {}):
            handle.write(chunk)
    return target


def _node_link_chunks(
    nodes: Iterable[tuple[str, Mapping[str, Any]]],
    edges: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    graph_attrs: Mapping[str, Any],
) -> Iterator[str]:
    def encode(value: object) -> str:  # compact, non-ASCII kept, like json.dumps(..., ",", ":")
        return orjson.dumps(value).decode("utf-8")

    yield f'{{"kg_format_version":{FORMAT_VERSION},"directed":true,"multigraph":true,'
    yield f'"graph":{encode(dict(graph_attrs))},"nodes":['
    for index, (key, attrs) in enumerate(nodes):
        yield ("," if index else "") + "\n" + encode({**attrs, "id": key})
    yield '],"edges":['
    for index, (source, target, rel_type, data) in enumerate(edges):
        edge = {**data, "source": source, "target": target, "key": rel_type}
        yield ("," if index else "") + "\n" + encode(edge)
    yield "]}\n"


def load_graph_file(path: str | os.PathLike[str]) -> nx.MultiDiGraph[str]:
    """Read a graph written by :func:`save_graph`; raise InputError saying how to fix a bad file."""
    name = str(path)
    document = read_graph_document(name)
    check_graph_document(name, document)
    graph = nx.node_link_graph(
        document, directed=True, multigraph=True, edges="edges", nodes="nodes"
    )
    assert isinstance(graph, nx.MultiDiGraph)  # checked above: directed and multigraph
    return graph


def check_graph_document(name: str, document: Any) -> None:
    """Raise InputError naming ``name`` unless ``document`` is a kg graph this version reads."""
    if not isinstance(document, dict) or "kg_format_version" not in document:
        raise InputError(name, not_a_graph("it has no kg_format_version"))
    version = document["kg_format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InputError(
            name,
            f"graph format {version!r} is newer than this kg reads ({FORMAT_VERSION}); "
            "upgrade kg or rebuild the graph with this version",
        )
    problem = _node_link_problem(document)
    if problem:
        raise InputError(name, not_a_graph(problem))


def _node_link_problem(document: Mapping[str, Any]) -> str | None:
    """What makes ``document`` unusable as a kg graph, or None.

    ``node_link_graph`` itself is lenient (a node without an id gets a number,
    an edge to an unknown node creates an empty one), so a hand-edited or
    truncated file is checked here instead of loading into a broken graph.
    """
    if document.get("directed") is not True or document.get("multigraph") is not True:
        return "it is not a directed multigraph"
    nodes, edges = document.get("nodes"), document.get("edges")
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return "it has no 'nodes' and 'edges' lists"
    known: set[str] = set()
    for index, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            return f"node {index} has no string 'id'"
        known.add(node["id"])
    for index, edge in enumerate(edges):
        if not isinstance(edge, dict) or not isinstance(edge.get("key"), str):
            return f"edge {index} has no string 'key' (its type)"
        if edge.get("source") not in known or edge.get("target") not in known:
            return f"edge {index} links a node that is not in the file"
    return None


def open_graph_file(name: str) -> IO[str]:
    """Open a graph file for reading, or raise InputError naming it and the fix."""
    try:
        return open_graph_text(Path(name), "r")
    except FileNotFoundError:
        raise InputError(
            name, "no such graph file; build one first (kg.graph.save_graph / `kg build -o`)"
        ) from None
    except IsADirectoryError:
        raise InputError(name, "is a directory; pass the graph JSON file inside it") from None


def read_graph_document(name: str) -> Any:
    """The parsed JSON of a graph file, or InputError naming the file and the fix."""
    try:
        with open_graph_file(name) as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise InputError(
            name,
            not_a_graph(
                f"it is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
            ),
        ) from None
    except (UnicodeDecodeError, EOFError, OSError) as error:
        raise InputError(name, not_a_graph(f"it cannot be read ({error})")) from None


def not_a_graph(why: str) -> str:
    """The message for a file that is not a kg graph, ending with how to get one."""
    return (
        f"not a kg graph file: {why}; pass the JSON written by save_graph (`kg build -o "
        "graph.json`), or rebuild it"
    )


def open_graph_text(path: Path, mode: Literal["r", "w"]) -> IO[str]:
    """Open for text, through gzip when the name says so (big corpora make big graphs)."""
    if not path.name.endswith((".gz", ".gz.part")):
        return open(path, mode, encoding="utf-8")
    if mode == "w":
        return gzip.open(path, "wt", encoding="utf-8")
    return gzip.open(path, "rt", encoding="utf-8")
