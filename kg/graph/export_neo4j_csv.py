"""Export: the CSV files and command line of ``neo4j-admin database import full``.

The files are written from streams of nodes and edges, read twice (once to
choose the columns and the array delimiter, once to write), so a graph of any
size is exported without being held in memory: from a networkx graph
(:func:`write_neo4j_csv`), or from any source of items such as the saved graph
file (:func:`write_neo4j_csv_items`). For graphs too big for one writer,
:func:`write_neo4j_csv_shard` writes shard k of n (each file with its own
header, so workers write them independently) and
:func:`write_neo4j_import_script` then lists every shard for neo4j-admin.
:func:`iter_neo4j_csv` reads any of these directories back as nodes and edges,
for the store loader.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import OutputError, UsageError
from kg.outputs import open_output, prepare_parent
from kg.schema import LABELS, REL_TYPES, check_label, check_rel_type

_INT32 = (-(2**31), 2**31 - 1)
_LINE_BREAKS = re.compile(r"[\r\n]+")

#: Array delimiters tried in turn when none is given: the first that no list item holds.
ARRAY_DELIMITERS = (";", "|", "\u001f")

#: The array delimiter of every shard unless told otherwise (shards must agree on one).
SHARD_ARRAY_DELIMITER = "\u001f"


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
    return write_neo4j_csv_items(
        lambda: graph.nodes.items(),
        lambda: graph.edges(keys=True, data=True),
        directory,
        array_delimiter=array_delimiter,
    )


NodeRow = tuple[str, Mapping[str, Any]]
EdgeRow = tuple[str, str, str, Mapping[str, Any]]


def write_neo4j_csv_items(
    nodes: Callable[[], Iterable[NodeRow]],
    edges: Callable[[], Iterable[EdgeRow]],
    directory: str | os.PathLike[str],
    *,
    array_delimiter: str | None = None,
) -> list[Path]:
    """:func:`write_neo4j_csv` from streams: ``nodes()`` and ``edges()`` are each called twice.

    Nodes are (key, attrs), edges (source, target, key, attrs), in the order
    the files should list them; the files are those of :func:`write_neo4j_csv`.
    """
    plan = _plan(nodes, edges, array_delimiter)
    delimiter = _checked_delimiter(plan.pick_delimiter(array_delimiter))
    out = _csv_directory(directory)
    node_files, rel_files = _write_files(plan, nodes, edges, out, delimiter, suffix="")
    script = _write_import_script(out / "import.sh", node_files, rel_files, delimiter)
    return [*node_files, *rel_files, script]


def shard_of(key: str, shards: int) -> int:
    """The shard (0 .. shards-1) of a node key: stable across runs, machines and Python builds."""
    return zlib.crc32(key.encode("utf-8")) % shards


def write_neo4j_csv_shard(
    nodes: Callable[[], Iterable[NodeRow]],
    edges: Callable[[], Iterable[EdgeRow]],
    directory: str | os.PathLike[str],
    *,
    shard: int,
    shards: int,
    array_delimiter: str | None = None,
    select: bool = True,
) -> list[Path]:
    """Write shard ``shard`` of ``shards`` of the CSV export into ``directory``.

    With ``select`` (the default) the shard keeps the nodes whose key, and the
    edges whose source, :func:`shard_of` puts in it, so ``shards`` workers can
    each read the whole graph file and write one shard; a worker that holds
    only its own part of the graph passes ``select=False``. Every file carries
    its own header (``nodes_<Label>.part-<k>-of-<n>.csv``), so shards may type a
    column differently (``int`` here, ``long`` there). neo4j-admin takes one
    array delimiter for the whole import and a shard cannot see the others'
    items, so every shard uses ``array_delimiter``, by default
    :data:`SHARD_ARRAY_DELIMITER` (U+001F, a control character text does not
    hold); a shard whose list items hold it raises UsageError. A manifest
    (``shard-<k>-of-<n>.json``) records the files, the array delimiter and the
    delimiters its list items hold, for :func:`write_neo4j_import_script`.
    Returns the files written, the manifest last.
    """
    if shards < 1 or not 0 <= shard < shards:
        raise UsageError(f"shard must be 0 .. shards-1 and shards >= 1; got {shard} of {shards}")

    def own_nodes() -> Iterator[NodeRow]:
        for row in nodes():
            if not select or shard_of(row[0], shards) == shard:
                yield row

    def own_edges() -> Iterator[EdgeRow]:
        for row in edges():
            if not select or shard_of(row[0], shards) == shard:
                yield row

    wanted = SHARD_ARRAY_DELIMITER if array_delimiter is None else array_delimiter
    plan = _plan(own_nodes, own_edges, wanted)
    delimiter = _checked_delimiter(plan.pick_delimiter(wanted))
    out = _csv_directory(directory)
    name = f"part-{shard}-of-{shards}"
    node_files, rel_files = _write_files(plan, own_nodes, own_edges, out, delimiter, f".{name}")
    manifest = out / f"shard-{shard}-of-{shards}.json"
    document = {
        "shard": shard,
        "shards": shards,
        "array_delimiter": delimiter,
        "delimiters_used": sorted(plan.used),
        "nodes": [path.name for path in node_files],
        "relationships": [path.name for path in rel_files],
    }
    with open_output(manifest, what="the shard manifest") as handle:
        handle.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return [*node_files, *rel_files, manifest]


def write_neo4j_import_script(directory: str | os.PathLike[str]) -> Path:
    """Write ``import.sh`` for every shard in ``directory``, once all of them are there.

    Raises UsageError when a shard is missing or the shards chose different
    array delimiters (neo4j-admin takes one for the whole import), naming the
    delimiter to write them all with.
    """
    out = Path(directory)
    manifests = [json.loads(path.read_text("utf-8")) for path in sorted(out.glob("shard-*.json"))]
    if not manifests:
        raise UsageError(f"{out}: no shard manifests (shard-K-of-N.json); write the shards first")
    shards = {int(document["shards"]) for document in manifests}
    found = {int(document["shard"]) for document in manifests}
    if len(shards) != 1 or found != set(range(next(iter(shards)))):
        missing = sorted(set(range(max(shards))) - found)
        raise UsageError(
            f"{out}: the shards do not make one export (shard counts {sorted(shards)}, "
            f"missing {missing}); write every shard of one count into the directory"
        )
    delimiters = {document["array_delimiter"] for document in manifests}
    if len(delimiters) != 1:
        used = set().union(*(document["delimiters_used"] for document in manifests))
        free = [c for c in ARRAY_DELIMITERS if c not in used]
        advice = f"array_delimiter={free[0]!r}" if free else "an array_delimiter no item holds"
        raise UsageError(
            f"{out}: the shards chose different array delimiters ({sorted(delimiters)}); "
            f"write every shard again with {advice}"
        )
    manifests.sort(key=lambda document: int(document["shard"]))
    node_files = sorted(
        (out / name for document in manifests for name in document["nodes"]),
        key=lambda path: _file_order(path.name, "nodes_", LABELS),
    )
    rel_files = sorted(
        (out / name for document in manifests for name in document["relationships"]),
        key=lambda path: _file_order(path.name, "rels_", REL_TYPES),
    )
    return _write_import_script(out / "import.sh", node_files, rel_files, delimiters.pop())


def _file_order(name: str, prefix: str, known: Sequence[str]) -> tuple[int, str, int]:
    """Schema order of a shard file's label or type, then its shard number."""
    group, _, rest = name.removeprefix(prefix).partition(".part-")
    order = {value: index for index, value in enumerate(known)}
    return order.get(group, len(order)), group, int(rest.partition("-")[0] or 0)


@dataclass
class _Plan:
    """What the first pass learns: groups in first-seen order, their columns, used delimiters."""

    labels: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    types: dict[str, tuple[str, dict[str, set[str]]]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    #: The delimiters to watch for in list items.
    candidates: tuple[str, ...] = ARRAY_DELIMITERS

    def pick_delimiter(self, wanted: str | None) -> str:
        """``wanted``, or the first of ``ARRAY_DELIMITERS`` absent from every list item."""
        candidates = ARRAY_DELIMITERS if wanted is None else (wanted,)
        free = [c for c in candidates if c not in self.used]
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


def _plan(
    nodes: Callable[[], Iterable[NodeRow]],
    edges: Callable[[], Iterable[EdgeRow]],
    wanted: str | None,
) -> _Plan:
    """The first pass over the rows (``wanted`` is watched for in list items too)."""
    plan = _Plan(candidates=(*ARRAY_DELIMITERS, *((wanted,) if wanted else ())))
    for _key, data in nodes():
        kinds = plan.labels.setdefault(str(data.get("label")), {})
        _add_kinds(kinds, data, {"label", "key", "name"}, plan)
    for _source, _target, key, data in edges():
        group = str(data.get("type") or key)
        if group not in plan.types:
            plan.types[group] = (str(data.get("type", key)), {})
        _add_kinds(plan.types[group][1], data, {"type"}, plan)
    return plan


def _add_kinds(
    kinds: dict[str, set[str]], data: Mapping[str, Any], skip: set[str], plan: _Plan
) -> None:
    """Fold one row's property kinds into ``kinds``, and note the delimiters its lists hold."""
    for name, value in data.items():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    plan.used.update(c for c in plan.candidates if c in item)
        if name not in skip:
            kinds.setdefault(name, set()).update(_value_kinds(value))


def _checked_delimiter(delimiter: str) -> str:
    if len(delimiter) != 1 or delimiter in ',"\r\n':
        raise UsageError(
            "the array delimiter must be one character other than a comma, a double quote "
            f"or a line break; got {delimiter!r}"
        )
    return delimiter


def _write_files(
    plan: _Plan,
    nodes: Callable[[], Iterable[NodeRow]],
    edges: Callable[[], Iterable[EdgeRow]],
    out: Path,
    delimiter: str,
    suffix: str,
) -> tuple[list[Path], list[Path]]:
    """The second pass: every row into the file of its label or type, files in schema order."""
    with contextlib.ExitStack() as stack:
        node_writers: dict[str, tuple[Any, list[tuple[str, str]]]] = {}
        node_files = []
        for label, kinds in _schema_order(plan.labels, LABELS):
            _checked(check_label, label)
            columns = [(name, _column_kind(found)) for name, found in kinds.items()]
            path = out / f"nodes_{label}{suffix}.csv"
            handle = stack.enter_context(open_output(path, newline="", what="the nodes CSV"))
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["key:ID", "name", *(_typed(n, k) for n, k in columns), ":LABEL"])
            node_writers[label] = (writer, columns)
            node_files.append(path)
        rel_writers: dict[str, tuple[Any, list[tuple[str, str]], str]] = {}
        rel_files = []
        for group, (first_type, kinds) in _schema_order(plan.types, REL_TYPES):
            rel_type = _checked(check_rel_type, first_type)
            columns = [(name, _column_kind(found)) for name, found in kinds.items()]
            path = out / f"rels_{group}{suffix}.csv"
            handle = stack.enter_context(
                open_output(path, newline="", what="the relationships CSV")
            )
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([":START_ID", ":END_ID", ":TYPE", *(_typed(n, k) for n, k in columns)])
            rel_writers[group] = (writer, columns, rel_type)
            rel_files.append(path)
        for key, data in nodes():
            label = str(data.get("label"))
            writer, columns = node_writers[label]
            cells = [_cell(data.get(name), kind, delimiter) for name, kind in columns]
            name = _cell(data.get("name"), "string", delimiter)
            writer.writerow([key, name, *cells, label])
        for source, target, key, data in edges():
            writer, columns, rel_type = rel_writers[str(data.get("type") or key)]
            cells = [_cell(data.get(name), kind, delimiter) for name, kind in columns]
            writer.writerow([source, target, rel_type, *cells])
    return node_files, rel_files


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


def _checked(check: Callable[[str], str], name: str) -> str:
    """Whitelist a label or type before it names a file (a hand-edited graph may hold anything)."""
    try:
        return check(name)
    except ValueError as error:
        raise UsageError(f"cannot export this graph: {error}") from None


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
