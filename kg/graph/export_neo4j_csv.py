"""Export: the CSV files and command line of ``neo4j-admin database import full``."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import OutputError, UsageError
from kg.outputs import open_output, prepare_parent
from kg.schema import LABELS, REL_TYPES, check_label, check_rel_type

_INT32 = (-(2**31), 2**31 - 1)
_LINE_BREAKS = re.compile(r"[\r\n]+")


def write_neo4j_csv(
    graph: nx.MultiDiGraph[str],
    directory: str | os.PathLike[str],
    *,
    array_delimiter: str | None = None,
) -> list[Path]:
    """Write the CSV files of ``neo4j-admin database import full`` and ``import.sh``.

    One nodes file per label (``nodes_<Label>.csv``, header
    ``key:ID,name,...,:LABEL``) and one relationships file per type
    (``rels_<TYPE>.csv``, header ``:START_ID,:END_ID,:TYPE,...``), all in one
    ID space since keys are unique across labels. Columns are typed
    (``count:int``, ``score:double``, ``aliases:string[]``) and lists are
    joined with ``array_delimiter``. neo4j-admin has no escape for it, so it
    must not occur in any list item: by default the first of ``;``, ``|`` and
    U+001F that no item holds is used (``import.sh`` names it), and a given
    delimiter that an item holds is refused, so lists always round-trip. Line breaks in values
    become spaces (neo4j-admin rejects them unless ``--multiline-fields``).
    Missing and empty values are empty fields, which neo4j-admin leaves unset.
    Returns the files written, ``import.sh`` last.
    """
    array_delimiter = _array_delimiter(graph, array_delimiter)
    if len(array_delimiter) != 1 or array_delimiter in ',"\r\n':
        raise UsageError(
            "the array delimiter must be one character other than a comma, a double quote "
            f"or a line break; got {array_delimiter!r}"
        )
    out = _csv_directory(directory)
    by_label: dict[str, list[str]] = {}
    for key, label in graph.nodes(data="label"):
        by_label.setdefault(str(label), []).append(key)
    node_files = [
        _write_nodes(graph, out / f"nodes_{label}.csv", label, keys, array_delimiter)
        for label, keys in _schema_order(by_label, LABELS)
    ]
    by_type: dict[str, list[tuple[str, str, str]]] = {}
    for source, target, key, data in graph.edges(keys=True, data=True):
        by_type.setdefault(str(data.get("type") or key), []).append((source, target, key))
    rel_files = [
        _write_relationships(graph, out / f"rels_{rel_type}.csv", edges, array_delimiter)
        for rel_type, edges in _schema_order(by_type, REL_TYPES)
    ]
    script = _write_import_script(out / "import.sh", node_files, rel_files, array_delimiter)
    return [*node_files, *rel_files, script]


#: Array delimiters tried in turn when none is given: the first that no list item holds.
ARRAY_DELIMITERS = (";", "|", "\u001f")


def _array_delimiter(graph: nx.MultiDiGraph[str], wanted: str | None) -> str:
    """``wanted``, or the first of ``ARRAY_DELIMITERS`` absent from every list item."""
    used: set[str] = set()
    candidates = ARRAY_DELIMITERS if wanted is None else (wanted,)
    for attrs in (
        *(d for _, d in graph.nodes(data=True)),
        *(d for *_, d in graph.edges(data=True)),
    ):
        for value in attrs.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        used.update(c for c in candidates if c in item)
        if len(used) == len(candidates):
            break
    free = [c for c in candidates if c not in used]
    if free:
        return free[0]
    if wanted is not None:
        raise UsageError(
            f"the array delimiter {wanted!r} occurs inside a list item, where neo4j-admin "
            "would split it; choose another one"
        )
    raise UsageError(
        "every array delimiter kg tries (';', '|', U+001F) occurs inside a list item; "
        "pass array_delimiter= a character that none holds"
    )


def _csv_directory(directory: str | os.PathLike[str]) -> Path:
    """The export directory, created if missing, or OutputError saying why it cannot be."""
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise OutputError(str(out), "is not a directory; give a directory for the CSV files")
    prepare_parent(out / "nodes.csv", "the CSV files")
    return out


def _schema_order(groups: dict[str, Any], known: Sequence[str]) -> list[tuple[str, Any]]:
    """Groups in schema order (so files and the script read naturally), unknown names last."""
    order = {name: index for index, name in enumerate(known)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _write_nodes(
    graph: nx.MultiDiGraph[str], path: Path, label: str, keys: list[str], delimiter: str
) -> Path:
    _checked(check_label, label)
    rows = [graph.nodes[key] for key in keys]
    columns = _columns(rows, skip={"label", "key", "name"})
    header = ["key:ID", "name", *(_typed(name, kind) for name, kind in columns), ":LABEL"]
    with open_output(path, newline="", what="the nodes CSV") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for key, data in zip(keys, rows, strict=True):
            cells = [_cell(data.get(name), kind, delimiter) for name, kind in columns]
            name = _cell(data.get("name"), "string", delimiter)
            writer.writerow([key, name, *cells, label])
    return path


def _write_relationships(
    graph: nx.MultiDiGraph[str], path: Path, edges: list[tuple[str, str, str]], delimiter: str
) -> Path:
    rows = [graph.edges[edge] for edge in edges]
    rel_type = _checked(check_rel_type, str(rows[0].get("type", edges[0][2])))
    columns = _columns(rows, skip={"type"})
    header = [":START_ID", ":END_ID", ":TYPE", *(_typed(name, kind) for name, kind in columns)]
    with open_output(path, newline="", what="the relationships CSV") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for (source, target, _key), data in zip(edges, rows, strict=True):
            cells = [_cell(data.get(name), kind, delimiter) for name, kind in columns]
            writer.writerow([source, target, rel_type, *cells])
    return path


def _checked(check: Callable[[str], str], name: str) -> str:
    """Whitelist a label or type before it names a file (a hand-edited graph may hold anything)."""
    try:
        return check(name)
    except ValueError as error:
        raise UsageError(f"cannot export this graph: {error}") from None


def _columns(rows: Iterable[Mapping[str, Any]], skip: set[str]) -> list[tuple[str, str]]:
    """(property, neo4j-admin type) of every property in ``rows``, in first-seen order."""
    kinds: dict[str, set[str]] = {}
    for data in rows:
        for name, value in data.items():
            if name not in skip:
                kinds.setdefault(name, set()).update(_value_kinds(value))
    return [(name, _column_kind(found)) for name, found in kinds.items()]


def _value_kinds(value: Any) -> set[str]:
    """The scalar kinds in a value; a list adds ``[]`` so the column becomes an array."""
    if isinstance(value, list):
        return {"[]", *(kind for item in value for kind in _value_kinds(item))}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"int" if _INT32[0] <= value <= _INT32[1] else "long"}
    if isinstance(value, float):
        return {"double"}
    return {"string"}


def _column_kind(found: set[str]) -> str:
    """One neo4j-admin type for a column: the widest of its values' kinds."""
    is_array = "[]" in found
    scalars = found - {"[]"}
    if not scalars:
        kind = "string"
    elif len(scalars) == 1:
        kind = next(iter(scalars))
    elif scalars <= {"int", "long"}:
        kind = "long"
    elif scalars <= {"int", "long", "double"}:
        kind = "double"
    else:
        kind = "string"
    return kind + "[]" if is_array else kind


def _typed(name: str, kind: str) -> str:
    return name if kind == "string" else f"{name}:{kind}"


def _cell(value: Any, kind: str, delimiter: str) -> str:
    """One CSV field; None and empty lists become empty fields (property not set)."""
    if value is None:
        return ""
    if isinstance(value, list):
        scalar = kind.removesuffix("[]")
        return delimiter.join(_scalar(item, scalar) for item in value)
    return _scalar(value, kind)


def _scalar(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "double" and isinstance(value, (int, float)):
        return repr(float(value))
    return _LINE_BREAKS.sub(" ", str(value))


def _write_import_script(
    path: Path, node_files: list[Path], rel_files: list[Path], delimiter: str
) -> Path:
    """A shell script with the exact neo4j-admin command for these files."""
    shown = delimiter if delimiter.isprintable() and delimiter != " " else f"U+{ord(delimiter):04X}"
    lines = [
        "#!/bin/sh",
        "# Import these CSV files into a new, empty Neo4j database (the DBMS must be stopped).",
        "# Usage: sh import.sh [database]   (default database: neo4j;",
        "#        set NEO4J_ADMIN to the neo4j-admin binary if it is not on PATH)",
        "set -e",
        'cd "$(dirname "$0")"',
        '"${NEO4J_ADMIN:-neo4j-admin}" database import full \\',
        *(f"  --nodes={file.name} \\" for file in node_files),
        *(f"  --relationships={file.name} \\" for file in rel_files),
        f'  --delimiter="," --array-delimiter="{shown}" --id-type=string \\',
        '  "${1:-neo4j}"',
    ]
    with open_output(path, mode=0o755, what="the import script") as handle:
        handle.write("\n".join(lines) + "\n")
    return path
