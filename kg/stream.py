"""Graphs as streams: every node, then every edge, one at a time.

The store loader consumes a graph this way so that loading never needs a
second copy of it in memory, and ``kg load`` / ``kg build`` can load a
corpus-sized graph straight from its JSON file after the in-memory graph is
gone (the whole corpus makes a ~400 MiB file; as a networkx graph it takes
~1.3 GiB, which together with the database server would not fit the memory
budget).

Two sources give the same items in the same order:

* :func:`iter_graph` walks a ``networkx.MultiDiGraph`` (nodes, then edges);
* :func:`iter_graph_file` reads a file written by :func:`kg.graph.save_graph`.
  That writer puts one node or edge per line, so the file is parsed line by
  line; any other valid node-link JSON (e.g. re-indented by another tool) is
  read whole and then streamed, so nothing is refused for its layout.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import networkx as nx
import orjson

from kg.errors import InputError
from kg.graph import (
    FORMAT_VERSION,
    check_graph_document,
    not_a_graph,
    open_graph_file,
    read_graph_document,
)
from kg.schema import KNOWLEDGE_KEY_SUFFIX, edge_key

__all__ = ["Edge", "GraphItem", "Node", "iter_graph", "iter_graph_file", "iter_neo4j_csv"]


@dataclass(frozen=True, slots=True)
class Node:
    """One node: its key (the node id) and its attributes (``label`` among them)."""

    key: str
    attrs: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Edge:
    """One edge: its endpoints' keys, its multigraph key and attributes.

    The key is the relationship type, except for a knowledge relation,
    whose key is ``TYPE/knowledge`` (``kg.schema.edge_key``) so that it is
    never the same edge as the stated relation of the same endpoints.
    """

    source: str
    target: str
    key: str
    attrs: Mapping[str, Any]

    @property
    def type(self) -> str:
        """The relationship type: the ``type`` attribute, else the key without a suffix."""
        value = self.attrs.get("type")
        return value if isinstance(value, str) else self.key.removesuffix(KNOWLEDGE_KEY_SUFFIX)


GraphItem = Node | Edge

#: The first line :func:`kg.graph.save_graph` writes, up to the opening of the node list.
_HEADER = re.compile(
    r'\{"kg_format_version":(?P<version>-?\d+),"directed":true,"multigraph":true,'
    r'"graph":(?P<graph>.*),"nodes":\[\n?'
)
_NODES_END = '],"edges":['
_NO_EDGES_END = '],"edges":[]}'
_EDGES_END = "]}"
_NODE_ENDINGS = (",", _NO_EDGES_END, _NODES_END)
_EDGE_ENDINGS = (",", _EDGES_END)


def iter_graph(graph: nx.MultiDiGraph[str]) -> Iterator[GraphItem]:
    """Every node of ``graph``, then every edge, with their live attribute dicts."""
    for key, attrs in graph.nodes(data=True):
        yield Node(key, attrs)
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        yield Edge(source, target, key, attrs)


def iter_graph_file(path: str | os.PathLike[str]) -> Iterator[GraphItem]:
    """Every node, then every edge, of a saved graph file, read as they are needed.

    Raises :class:`InputError` naming the file (and the line, in the fast
    path) when it is not a kg graph; items before the problem have already
    been yielded, so a caller that must not act on a broken file reads it
    through once first (the loader's validation pass does).
    """
    name = str(path)
    handle = open_graph_file(name)
    with handle:
        try:
            first = handle.readline()
        except (UnicodeDecodeError, EOFError, OSError) as error:
            raise InputError(name, not_a_graph(f"it cannot be read ({error})")) from None
        header = _HEADER.fullmatch(first)
        if header is None or int(header["version"]) > FORMAT_VERSION:
            yield from _iter_document(name)  # another layout (or a version error): read whole
            return
        yield from _iter_lines(name, handle)


def _iter_lines(name: str, handle: IO[str]) -> Iterator[GraphItem]:
    """The fast path: one JSON object per line after the header, nodes then edges.

    Each line is an item followed by ``,`` (more follow), ``],"edges":[``
    (the last node), ``],"edges":[]}`` (the last node of a graph without
    edges) or ``]}`` (the last edge).
    """
    in_nodes, line_number = True, 1
    known: set[str] = set()
    try:
        for line_number, raw in enumerate(handle, start=2):
            line = raw.rstrip("\n")
            body, ending = _split_line(line, _NODE_ENDINGS if in_nodes else _EDGE_ENDINGS)
            where = f"line {line_number}"
            if in_nodes:
                node = _node(name, orjson.loads(body), where)
                known.add(node.key)
                yield node
            else:
                yield _edge(name, orjson.loads(body), where, known)
            if ending == _NODES_END:
                in_nodes = False
            elif ending in (_NO_EDGES_END, _EDGES_END):
                return
    except json.JSONDecodeError as error:  # orjson's error is a subclass
        raise InputError(
            name, not_a_graph(f"line {line_number} is not valid JSON ({error.msg})")
        ) from None
    except (UnicodeDecodeError, EOFError, OSError) as error:
        raise InputError(name, not_a_graph(f"it cannot be read ({error})")) from None
    raise InputError(name, not_a_graph("it ends before its last edge (a truncated file?)"))


def _split_line(line: str, endings: tuple[str, ...]) -> tuple[str, str]:
    """One item's JSON and the list punctuation after it (``,`` when more follow)."""
    for ending in endings:
        if line.endswith(ending):
            return line[: -len(ending)], ending
    return line, ""  # json.loads reports what is wrong with it


def _iter_document(name: str) -> Iterator[GraphItem]:
    """Any node-link document: parsed whole, checked, then streamed."""
    document = read_graph_document(name)
    check_graph_document(name, document)
    known: set[str] = set()
    for index, item in enumerate(document["nodes"]):
        node = _node(name, item, f"node {index}")
        known.add(node.key)
        yield node
    for index, item in enumerate(document["edges"]):
        yield _edge(name, item, f"edge {index}", known)


def _node(name: str, item: Any, where: str) -> Node:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise InputError(name, not_a_graph(f"{where}: a node without a string 'id'"))
    key = item.pop("id")
    return Node(key, item)


def _edge(name: str, item: Any, where: str, known: set[str]) -> Edge:
    if not isinstance(item, dict) or not isinstance(item.get("key"), str):
        raise InputError(name, not_a_graph(f"{where}: an edge without a string 'key' (its type)"))
    source, target, key = item.pop("source", None), item.pop("target", None), item.pop("key")
    if source not in known or target not in known:
        raise InputError(
            name, not_a_graph(f"{where}: an edge links a node that is not in the file")
        )
    return Edge(source, target, key, item)


# --- neo4j-admin CSV -------------------------------------------------------------------

_SCRIPT_FILE = re.compile(r"^  --(nodes|relationships)=(.+) \\$")
_SCRIPT_DELIMITER = re.compile(r'--array-delimiter="(U\+[0-9A-F]{4}|.)"')


def iter_neo4j_csv(directory: str | os.PathLike[str]) -> Iterator[GraphItem]:
    """Every node, then every edge, of a neo4j-admin CSV export (whole or in shards).

    The files and the array delimiter are those ``import.sh`` names
    (:func:`kg.graph.write_neo4j_csv` or :func:`kg.graph.write_neo4j_import_script`
    wrote it), so the store loader can load what neo4j-admin would import.
    What the CSV cannot say comes back as it would from neo4j-admin: empty
    lists and line breaks inside values are gone, and a knowledge relation's
    key is rebuilt from its provenance.
    """
    folder = Path(directory)
    script = folder / "import.sh"
    try:
        text = script.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(
            str(script), f"cannot be read ({error.strerror or error}); export the CSV first"
        ) from None
    files: dict[str, list[Path]] = {"nodes": [], "relationships": []}
    for line in text.splitlines():
        found = _SCRIPT_FILE.match(line)
        if found:
            files[found[1]].append(folder / found[2])
    delimiter = _SCRIPT_DELIMITER.search(text)
    if delimiter is None or not files["nodes"]:
        raise InputError(str(script), "is not an import.sh that kg wrote (no files or delimiter)")
    shown = delimiter[1]
    array = chr(int(shown[2:], 16)) if shown.startswith("U+") else shown
    for path in files["nodes"]:
        for header, row in _csv_rows(path):
            yield _csv_node(header, row, array)
    for path in files["relationships"]:
        for header, row in _csv_rows(path):
            yield _csv_edge(header, row, array)


def _csv_rows(path: Path) -> Iterator[tuple[list[tuple[str, str]], list[str]]]:
    """(header as (name, type) pairs, row) for every row of one CSV file."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = [_csv_column(cell) for cell in next(reader, [])]
            for row in reader:
                if len(row) != len(header):
                    raise InputError(
                        str(path),
                        f"line {reader.line_num} has {len(row)} fields, not {len(header)}",
                    )
                yield header, row
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(str(path), f"cannot be read as CSV ({error})") from None


def _csv_column(cell: str) -> tuple[str, str]:
    name, _, kind = cell.rpartition(":") if ":" in cell else (cell, "", "string")
    return name, kind or "string"


def _csv_value(text: str, kind: str, array: str) -> Any:
    if kind.endswith("[]"):
        return [_csv_value(item, kind[:-2], array) for item in text.split(array)]
    if kind in ("int", "long"):
        return int(text)
    if kind in ("double", "float"):
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


def _csv_node(header: list[tuple[str, str]], row: list[str], array: str) -> Node:
    key = label = ""
    props: dict[str, Any] = {}
    for (name, kind), text in zip(header, row, strict=True):
        if kind == "ID":
            key = text
        elif kind == "LABEL":
            label = text
        elif text != "":
            props[name] = _csv_value(text, kind, array)
    return Node(key, {"label": label, "key": key, **props})


def _csv_edge(header: list[tuple[str, str]], row: list[str], array: str) -> Edge:
    ends = {"START_ID": "", "END_ID": "", "TYPE": ""}
    props: dict[str, Any] = {}
    for (name, kind), text in zip(header, row, strict=True):
        if kind in ends and not name:
            ends[kind] = text
        elif text != "":
            props[name] = _csv_value(text, kind, array)
    rel_type = ends["TYPE"]
    key = edge_key(rel_type, props.get("provenance"))
    return Edge(ends["START_ID"], ends["END_ID"], key, {"type": rel_type, **props})
