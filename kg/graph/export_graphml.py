"""Export: the graph as GraphML, for Gephi."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import networkx as nx

from kg.outputs import open_output

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_graphml(graph: nx.MultiDiGraph[str], path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as GraphML for Gephi.

    GraphML has no list type, so lists are written as JSON strings
    (``["GPT-3", "GPT3"]``): unambiguous and easy to parse back. Gephi shows
    the ``label`` attribute, so in this file a node's ``label`` is its display
    name and its graph label (Paper, Model, ...) moves to ``type``; an edge's
    ``label`` is its type. Characters XML cannot hold are dropped.
    """
    target = Path(path)
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for key, data in graph.nodes.items():
        attrs = {name: _graphml_value(value) for name, value in data.items()}
        attrs["type"] = attrs.pop("label", "")
        attrs["label"] = attrs.get("name", key)
        flat.add_node(_xml_safe(key), **attrs)
    for source, target_key, rel_type, data in graph.edges(keys=True, data=True):
        attrs = {name: _graphml_value(value) for name, value in data.items()}
        attrs["label"] = str(data.get("type", rel_type))
        flat.add_edge(_xml_safe(source), _xml_safe(target_key), str(rel_type), **attrs)
    with open_output(target, binary=True, what="the GraphML") as handle:
        nx.write_graphml(flat, handle, encoding="utf-8")
    return target


def _graphml_value(value: Any) -> Any:
    if isinstance(value, list):
        return _xml_safe(json.dumps(value, ensure_ascii=False))
    if isinstance(value, str):
        return _xml_safe(value)
    return value


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("", text)
