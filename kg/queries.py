"""Named Cypher queries over the graph: find them, fill their parameters, run them, format rows.

The bundled queries live in ``kg/data/queries/*.cypher`` (``queries/`` at the
repository root links there), so an installed kg finds them through
``importlib.resources`` just like a checkout does. A user's own ``.cypher``
file works the same way when given by path.

Each file opens with a comment block in a fixed format, which is what makes
it self-describing (``kg query --list``) and lets its parameters be typed::

    // Question: Which models are mentioned in the most papers?
    // Param: limit = 20   (how many rows)
    MATCH (m:Model)<-[r:MENTIONS]-(p:Paper)
    ...
    LIMIT $limit

A parameter's type is inferred from its default literal: ``20`` is an int,
``0.5`` a float, ``true`` / ``false`` a bool and ``"BLOOM"`` (double quotes,
JSON escapes) a string. Every value reaches the database as a Bolt parameter,
never as text pasted into the query, so a user's value cannot change what the
query does. Queries run in read transactions, and a file with a write clause
is refused up front: Neo4j would reject it at run time but ArcadeDB would not,
and ``kg query`` should behave the same on both stores.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import difflib
import io
import json
import math
import os
import re
import shlex
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import neo4j
import neo4j.graph
from neo4j import exceptions as neo4j_errors

from kg.errors import StoreError, UsageError
from kg.schema import ENTITY_LABELS, check_label
from kg.store.connection import one_line
from kg.terminal import json_safe, printable

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

__all__ = [
    "FORMATS",
    "ParamType",
    "ParamValue",
    "QueryInfo",
    "QueryParam",
    "check_read_only",
    "convert_value",
    "describe_query",
    "format_rows",
    "json_value",
    "list_queries",
    "load_query",
    "parse_params",
    "parse_query_text",
    "run_query",
]

ParamType = Literal["int", "float", "bool", "string"]
ParamValue = int | float | bool | str
Row = dict[str, Any]

#: Output formats of :func:`format_rows`.
FORMATS: tuple[str, ...] = ("table", "json", "csv")

#: Where the bundled queries live inside the ``kg`` package.
QUERY_DIR = "data/queries"
SUFFIX = ".cypher"

_HEADER_KEY = re.compile(r"//\s*(?P<key>question|param)\s*:(?P<rest>.*)$", re.IGNORECASE)
_PARAM_HEAD = re.compile(r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<rest>.*)$")
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][+-]?[0-9]+)?")
#: What is not Cypher code: string literals, quoted names and comments.
_NOT_CODE = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|//[^\n]*|/\*.*?\*/""", re.DOTALL
)
_ROW_COUNT = re.compile(
    r"\b(?P<clause>LIMIT|SKIP)\s+\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE
)
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
#: Clauses that write. A property (``n.set``) or map key (``{set: 1}``) is not one.
_WRITE_CLAUSE = re.compile(
    r"(?<![\w.$:])(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|LOAD\s+CSV)(?![\w:])",
    re.IGNORECASE,
)
_INT64 = (-(2**63), 2**63 - 1)
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True)
class QueryParam:
    """One ``// Param:`` line: a name, the type of its default, the default and a hint."""

    name: str
    type: ParamType
    default: ParamValue
    help: str = ""

    @property
    def default_text(self) -> str:
        """The default as it is written in the file (strings quoted)."""
        return _literal(self.default)

    @property
    def summary(self) -> str:
        """``limit (int, default 20): how many rows``, for listings and error messages."""
        text = f"{self.name} ({self.type}, default {self.default_text})"
        return f"{text}: {self.help}" if self.help else text


@dataclass(frozen=True)
class QueryInfo:
    """A parsed query file: what it answers, its parameters and the Cypher to send.

    ``cypher`` is the whole file (comments included, so the line numbers of a
    syntax error match the file) without a trailing semicolon. ``source`` is
    the file it came from, for messages.
    """

    name: str
    description: str
    params: tuple[QueryParam, ...]
    cypher: str
    source: str

    def param(self, name: str) -> QueryParam | None:
        """The parameter called ``name``, or None."""
        return next((param for param in self.params if param.name == name), None)

    @property
    def defaults(self) -> dict[str, ParamValue]:
        """Every parameter with its default value."""
        return {param.name: param.default for param in self.params}


# --- finding and parsing query files -------------------------------------------


def describe_query(info: QueryInfo) -> list[str]:
    """``name<TAB>question``, then one indented line per parameter, for ``kg query --list``."""
    lines = [f"{info.name}\t{info.description}"]
    for param in info.params:
        value = str(param.default) if param.type == "string" else param.default_text
        hint = f" {param.help}" if param.help else ""
        lines.append(f"    --param {shlex.quote(f'{param.name}={value}')}  ({param.type}){hint}")
    return lines


def list_queries() -> list[QueryInfo]:
    """Every bundled query, sorted by name."""
    return [_parse_entry(name, entry) for name, entry in sorted(_bundled().items())]


def load_query(name_or_path: str | os.PathLike[str]) -> QueryInfo:
    """A bundled query by name (``most_mentioned_models``) or a ``.cypher`` file by path.

    Anything that looks like a path (it has a directory separator or ends in
    ``.cypher``) is read as a file; anything else must be a bundled name.
    Raises :class:`UsageError` for an unknown name (listing the available
    ones), a missing or unreadable file, or a malformed header.
    """
    text = os.fspath(name_or_path)
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(text):
        return _load_file(Path(text))
    bundled = _bundled()
    entry = bundled.get(text)
    if entry is None:
        raise UsageError(_unknown_query_message(text, sorted(bundled)))
    return _parse_entry(text, entry)


def _looks_like_path(text: str) -> bool:
    separators = {"/", os.sep, *([os.altsep] if os.altsep else [])}
    return text.endswith(SUFFIX) or any(sep in text for sep in separators)


def _unknown_query_message(name: str, available: Sequence[str]) -> str:
    # A name that contains what was typed ("lineage"), then near misspellings.
    contains = [known for known in available if len(name) >= 3 and name.lower() in known]
    close = list(dict.fromkeys([*contains, *difflib.get_close_matches(name, available, 3, 0.75)]))
    close = close[:3]
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return (
        f"unknown query {name!r}; {hint}the bundled queries are: {', '.join(available)} "
        f"(or give the path of a {SUFFIX} file)"
    )


def _bundled() -> dict[str, Traversable]:
    """``{name: file}`` of the bundled queries (importlib.resources works installed too)."""
    root = resources.files("kg").joinpath(QUERY_DIR)
    return {
        entry.name[: -len(SUFFIX)]: entry
        for entry in root.iterdir()
        if entry.name.endswith(SUFFIX) and entry.is_file()
    }


def _parse_entry(name: str, entry: Traversable) -> QueryInfo:
    return parse_query_text(entry.read_text(encoding="utf-8-sig"), name=name, source=str(entry))


def _load_file(path: Path) -> QueryInfo:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such query file; give a bundled query name or the path of a {SUFFIX} file"
        ) from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a {SUFFIX} file") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: not UTF-8 text ({error.reason}); save it as UTF-8") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror or error})") from None
    name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
    return parse_query_text(text, name=name, source=str(path))


def parse_query_text(text: str, *, name: str, source: str) -> QueryInfo:
    """Parse a query file's text: its leading ``//`` comment block, then the Cypher.

    The header is every comment or blank line before the first line of code.
    ``// Question: ...`` gives the description and each
    ``// Param: name = default   (hint)`` declares a parameter; other comment
    lines are notes for the reader. Every ``$name`` the Cypher uses must be
    declared and every declared parameter used, which catches typos before
    the database does.
    """
    lines = text.splitlines()
    description = ""
    params: list[QueryParam] = []
    body_start = len(lines)
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("//"):
            body_start = number - 1
            break
        match = _HEADER_KEY.match(line)
        if match is None:
            continue
        where = f"{source}:{number}"
        if match["key"].lower() == "question":
            if description:
                raise UsageError(f"{where}: a second '// Question:' line; keep only one")
            description = match["rest"].strip()
            if not description:
                raise UsageError(f"{where}: '// Question:' says nothing; write the question")
        else:
            param = _parse_param(match["rest"], where)
            if any(known.name == param.name for known in params):
                raise UsageError(f"{where}: parameter {param.name!r} is declared twice")
            params.append(param)
    body = "\n".join(lines[body_start:])
    code = _NOT_CODE.sub(" ", body)
    if not code.strip().strip(";").strip():
        raise UsageError(f"{source}: has no Cypher statement after its comment header")
    _check_read_only(code, source)
    _check_params_match(code, params, source)
    cypher = text.rstrip()
    if cypher.endswith(";"):
        cypher = cypher[:-1].rstrip()
    return QueryInfo(name, description, tuple(params), cypher, source)


def _parse_param(rest: str, where: str) -> QueryParam:
    """``limit = 20   (how many rows)`` -> QueryParam(limit, int, 20, "how many rows")."""
    head = _PARAM_HEAD.match(rest)
    if head is None:
        raise UsageError(
            f"{where}: expected '// Param: name = default   (hint)', e.g. "
            "'// Param: limit = 20   (how many rows)'"
        )
    name = head["name"]
    default, after = _parse_literal(head["rest"].strip(), name, where)
    after = after.strip()
    hint = ""
    if after:
        if not (after.startswith("(") and after.endswith(")")):
            raise UsageError(
                f"{where}: after the default of {name!r} only a hint in parentheses may "
                f"follow, not {after!r}"
            )
        hint = after[1:-1].strip()
    return QueryParam(name, _type_of(default), default, hint)


def _parse_literal(text: str, name: str, where: str) -> tuple[ParamValue, str]:
    """The default literal at the start of ``text`` and what follows it."""
    if text.startswith('"'):
        try:
            value, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError:
            raise UsageError(
                f"{where}: the default of {name!r} opens a string that does not close; "
                'write it as "text" with \\" for a quote inside'
            ) from None
        return str(value), text[end:]
    token, after = ([*text.split(None, 1), ""])[:2]
    lowered = token.lower()
    if lowered in ("true", "false"):
        return lowered == "true", after
    if _INT.fullmatch(token):
        return int(token), after
    if _FLOAT.fullmatch(token):
        return float(token), after
    raise UsageError(
        f"{where}: the default of {name!r} must be a number, true, false or a "
        f'"double-quoted string", not {token!r}'
    )


def _type_of(value: ParamValue) -> ParamType:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "string"


def _literal(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def check_read_only(cypher: str, source: str) -> None:
    """Raise UsageError unless ``cypher`` is free of write clauses (comments and strings aside).

    Read transactions alone do not stop a write on every store (ArcadeDB runs
    them), so every Cypher text a user supplies is refused up front instead.
    """
    _check_read_only(_NOT_CODE.sub(" ", cypher), source)


def _check_read_only(code: str, source: str) -> None:
    match = _WRITE_CLAUSE.search(code)
    if match:
        clause = " ".join(match.group(1).upper().split())
        raise UsageError(
            f"{source}: uses {clause}, but queries run read-only; "
            "write to the graph with 'kg load' (or cypher-shell) instead"
        )


def _check_params_match(code: str, params: Sequence[QueryParam], source: str) -> None:
    used = list(dict.fromkeys(_PARAM_USE.findall(code)))
    declared = {param.name for param in params}
    missing = [name for name in used if name not in declared]
    if missing:
        example = f"// Param: {missing[0]} = 10   (what it is)"
        them = "them" if len(missing) > 1 else "it"
        raise UsageError(
            f"{source}: uses {', '.join('$' + name for name in missing)} without declaring "
            f"{them}; add a line like '{example}' to the comment header"
        )
    unused = [param.name for param in params if param.name not in used]
    if unused:
        raise UsageError(
            f"{source}: declares {', '.join(unused)} but never uses "
            f"{', '.join('$' + name for name in unused)}; use it or drop its '// Param:' line"
        )


# --- parameters ------------------------------------------------------------------


def parse_params(pairs: Iterable[str], info: QueryInfo) -> dict[str, ParamValue]:
    """Every parameter of ``info``: its default, or the value of a ``name=value`` pair.

    Values are converted to the declared type (``limit=5`` gives the int 5,
    ``datasets=yes`` the bool True); a name given twice takes the last value.
    Raises :class:`UsageError` naming the fix for a pair without ``=``, an
    unknown name or a value of the wrong type.
    """
    values: dict[str, ParamValue] = info.defaults
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(
                f"parameter {pair!r} is not NAME=VALUE; write e.g. "
                f"{_example_pair(info)} ({_param_list(info)})"
            )
        param = info.param(name)
        if param is None:
            raise UsageError(f"query {info.name!r} has no parameter {name!r}; {_param_list(info)}")
        values[name] = convert_value(param, raw)
    _check_row_counts(info, values)
    return values


def convert_value(param: QueryParam, raw: str) -> ParamValue:
    """``raw`` (command-line text) as a value of ``param``'s type, or UsageError."""
    text = raw.strip()
    if param.type == "string":
        return raw
    if param.type == "bool":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise UsageError(f"parameter {param.name!r} takes true or false, not {raw!r}")
    if param.type == "int":
        if _INT.fullmatch(text):
            return _check_int64(param, int(text))
        raise UsageError(f"parameter {param.name!r} takes a whole number, not {raw!r}")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise UsageError(f"parameter {param.name!r} takes a number, not {raw!r}")
    return number


def _check_int64(param: QueryParam, value: int) -> int:
    """``value`` if Bolt can carry it (a 64-bit integer), else UsageError."""
    if not _INT64[0] <= value <= _INT64[1]:
        raise UsageError(f"parameter {param.name!r} is out of range (64-bit integers only)")
    return value


def _example_pair(info: QueryInfo) -> str:
    if not info.params:
        return "name=value"
    param = info.params[0]
    value = param.default_text if param.type != "string" else str(param.default)
    return f"{param.name}={value}"


def _param_list(info: QueryInfo) -> str:
    if not info.params:
        return f"query {info.name!r} takes no parameters"
    return f"its parameters are: {'; '.join(param.summary for param in info.params)}"


def _complete(info: QueryInfo, params: Mapping[str, Any] | None) -> dict[str, ParamValue]:
    """Defaults overridden by ``params``, each checked against (or converted to) its type."""
    values = info.defaults
    for name, value in (params or {}).items():
        param = info.param(name)
        if param is None:
            raise UsageError(f"query {info.name!r} has no parameter {name!r}; {_param_list(info)}")
        values[name] = _typed(param, value)
    _check_row_counts(info, values)
    return values


def _check_row_counts(info: QueryInfo, values: Mapping[str, ParamValue]) -> None:
    """A ``LIMIT $x`` must be a positive integer and a ``SKIP $x`` not negative.

    The store would refuse them only at run time, with a raw syntax error.
    """
    code = _NOT_CODE.sub(" ", info.cypher)
    for match in _ROW_COUNT.finditer(code):
        clause, name = match["clause"].upper(), match["name"]
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            continue  # a float or string LIMIT is the store's to refuse, as before
        lowest, what = (1, "a positive integer") if clause == "LIMIT" else (0, "zero or more")
        if value < lowest:
            raise UsageError(
                f"{name} must be {what} (it is the query's {clause}), not {value}; "
                f"e.g. --param {name}={max(lowest, 10)}"
            )


def _typed(param: QueryParam, value: Any) -> ParamValue:
    """A Python value as the declared type; text is converted like a command-line value."""
    if isinstance(value, str) and param.type != "string":
        return convert_value(param, value)
    ok = {
        "string": isinstance(value, str),
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
    }[param.type]
    if not ok:
        article = "an" if param.type == "int" else "a"
        raise UsageError(
            f"parameter {param.name!r} takes {article} {param.type}, "
            f"not {type(value).__name__} {value!r}"
        )
    if param.type == "int":
        return _check_int64(param, value)
    if param.type == "float":
        number = float(value)
        if not math.isfinite(number):
            raise UsageError(f"parameter {param.name!r} takes a finite number, not {value!r}")
        return number
    typed: ParamValue = value
    return typed


# --- running -------------------------------------------------------------------


#: Parameters that name an entity, and the labels it may have. A name that matches
#: no entity is an error naming the closest ones, not an empty answer.
ENTITY_PARAMS: dict[str, tuple[str, ...]] = {
    "model": ("Model",),
    "dataset": ("Dataset",),
    "organization": ("Organization",),
    "language": ("Language",),
    "benchmark": ("Dataset",),
    "entity": ENTITY_LABELS,
    "source": ENTITY_LABELS,
    "target": ENTITY_LABELS,
}
_CLOSEST = 3


def check_entities(
    driver: neo4j.Driver,
    info: QueryInfo,
    params: Mapping[str, Any] | None = None,
    database: str | None = None,
) -> None:
    """Raise UsageError when an entity parameter (see ``ENTITY_PARAMS``) names no entity.

    ``kg query model_training --param model=Mistrall`` would otherwise print
    ``(no rows)``, the same as a known model with nothing recorded.
    """
    values = _complete(info, params)
    wanted = [(name, values[name]) for name in ENTITY_PARAMS if isinstance(values.get(name), str)]
    if not wanted:
        return
    try:
        with driver.session(database=database) as session:
            for name, value in wanted:
                labels = ENTITY_PARAMS[name]
                if not session.execute_read(_entity_exists, labels, str(value)):
                    names = session.execute_read(_entity_names, labels)
                    raise UsageError(_no_entity_message(str(value), names))
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as error:
        raise StoreError(f"query {info.name!r} failed: {one_line(str(error))}") from error


def _entity_exists(tx: neo4j.ManagedTransaction, labels: Sequence[str], value: str) -> bool:
    for label in labels:
        query = (
            f"MATCH (n:{check_label(label)}) WHERE toLower(n.name) = toLower($value) "
            "OR any(alias IN coalesce(n.aliases, []) WHERE toLower(alias) = toLower($value)) "
            "RETURN n.key AS key LIMIT 1"
        )
        if tx.run(query, value=value).single() is not None:
            return True
    return False


def _entity_names(tx: neo4j.ManagedTransaction, labels: Sequence[str]) -> list[str]:
    names: set[str] = set()
    for label in labels:
        query = f"MATCH (n:{check_label(label)}) RETURN n.name AS name"
        names.update(str(record["name"]) for record in tx.run(query) if record["name"])
    return sorted(names)


def _no_entity_message(value: str, names: Sequence[str]) -> str:
    """``no entity named 'Mistrall'; closest: Mistral, Mistral 7B`` (case-insensitive match)."""
    folded = {name.casefold(): name for name in names}
    close = [
        folded[c] for c in difflib.get_close_matches(value.casefold(), list(folded), cutoff=0.6)
    ]
    # The best match's own members next ("Mistral" then "Mistral 7B"), then other close names.
    members = sorted(
        (n for n in names if close and re.match(rf"{re.escape(close[0])}[\s-]", n, re.I)),
        key=lambda n: (len(n), n),
    )
    found = list(dict.fromkeys([*close[:1], *members, *close[1:]]))[:_CLOSEST]
    if found:
        return f"no entity named {value!r}; closest: {', '.join(found)}"
    return (
        f"no entity named {value!r}; search the names with kg query find_entities --param text=..."
    )


def run_query(
    driver: neo4j.Driver,
    info: QueryInfo,
    params: Mapping[str, Any] | None = None,
    database: str | None = None,
) -> list[Row]:
    """Run ``info`` in a read transaction and return its rows as JSON-safe dicts.

    Missing parameters take their defaults; a string given for a typed
    parameter is converted as :func:`parse_params` would. Nodes,
    relationships and paths come back as plain dicts (see :func:`json_value`),
    so the rows can go straight to :func:`format_rows` or ``json.dumps``.
    Driver failures (syntax errors, an unreachable store) become a one-line
    :class:`StoreError`.
    """
    values = _complete(info, params)

    def work(tx: neo4j.ManagedTransaction) -> list[Row]:
        result = tx.run(info.cypher, values)
        keys = list(result.keys())
        # A Record is a tuple of the values, in the order of result.keys().
        return [dict(zip(keys, map(json_value, record), strict=True)) for record in result]

    try:
        with driver.session(database=database) as session:
            return session.execute_read(work)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as error:
        raise StoreError(f"query {info.name!r} failed: {one_line(str(error))}") from error


def json_value(value: Any) -> Any:
    """``value`` as something ``json.dumps`` writes losslessly enough to read back.

    * a node -> ``{"labels": [...], "properties": {...}}``
    * a relationship -> ``{"type", "start", "end", "properties"}``, where start
      and end are the nodes' ``key`` (their element id if they have none)
    * a path -> ``{"length", "nodes": [...], "relationships": [...]}``
    * temporal values -> ISO text; NaN and infinities -> ``"NaN"``,
      ``"Infinity"``, ``"-Infinity"``; bytes -> base64 text

    Element ids are left out on purpose: they differ between stores and
    between loads, while keys do not.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, neo4j.graph.Node):
        return _node_json(value)
    if isinstance(value, neo4j.graph.Relationship):
        return _relationship_json(value)
    if isinstance(value, neo4j.graph.Path):
        return {
            "length": len(value),
            "nodes": [_node_json(node) for node in value.nodes],
            "relationships": [_relationship_json(rel) for rel in value.relationships],
        }
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    iso = getattr(value, "iso_format", None)  # neo4j.time Date, DateTime, Time, Duration
    if callable(iso):
        return str(iso())
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _node_json(node: neo4j.graph.Node) -> Row:
    return {
        "labels": sorted(node.labels),
        "properties": {key: json_value(item) for key, item in node.items()},
    }


def _relationship_json(rel: neo4j.graph.Relationship) -> Row:
    return {
        "type": rel.type,
        "start": _node_ref(rel.start_node),
        "end": _node_ref(rel.end_node),
        "properties": {key: json_value(item) for key, item in rel.items()},
    }


def _node_ref(node: neo4j.graph.Node | None) -> str | None:
    if node is None:
        return None
    key = node.get("key")
    return key if isinstance(key, str) else node.element_id


# --- formatting -----------------------------------------------------------------


def format_rows(
    rows: Sequence[Mapping[str, Any]], fmt: str, *, max_width: int | None = None
) -> str:
    """Rows as ``table`` (aligned text), ``json`` (an array of objects) or ``csv`` text.

    The text ends with a newline (except CSV of no rows, which is empty: with
    no rows there are no column names either). Columns are the rows' keys in
    first-seen order. In a table, numbers are right-aligned, lists of plain
    values are joined with ", ", line breaks become spaces and ``max_width``
    (when given) cuts longer cells with an ellipsis; CSV keeps lists and
    objects as JSON. Text from the store is data from abstracts, so control
    characters never reach the output raw (:mod:`kg.terminal`): a table or CSV
    shows them as ``\x1b``-style text (CSV keeps tabs and line breaks, which
    its quoting holds), JSON as ``\u001b`` escapes, which decode back losslessly.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if max_width is not None and max_width < 2:
        raise UsageError(f"max_width must be at least 2, not {max_width}")
    safe = [{str(key): json_value(value) for key, value in row.items()} for row in rows]
    if fmt == "json":
        return json_safe(json.dumps(safe, ensure_ascii=False, indent=2)) + "\n"
    columns = list(dict.fromkeys(key for row in safe for key in row))
    if fmt == "csv":
        return _csv(safe, columns)
    return _table(safe, columns, max_width)


def _csv(rows: Sequence[Row], columns: Sequence[str]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([printable(column, keep=_CSV_KEEP) for column in columns])
    for row in rows:
        writer.writerow(
            [printable(_csv_cell(row.get(column)), keep=_CSV_KEEP) for column in columns]
        )
    return out.getvalue()


#: Controls a quoted CSV field holds as they are; every other one becomes ``\x1b``-style text.
_CSV_KEEP = "\t\n"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _table(rows: Sequence[Row], columns: Sequence[str], max_width: int | None) -> str:
    if not rows:
        return "(no rows)\n"
    cells = [
        [_fit(printable(_table_cell(row.get(column))), max_width) for column in columns]
        for row in rows
    ]
    columns = [printable(column) for column in columns]
    numeric = [
        all(_is_number(row.get(column)) for row in rows if row.get(column) is not None)
        for column in columns
    ]
    widths = [
        max([_width(column)] + [_width(line[index]) for line in cells])
        for index, column in enumerate(columns)
    ]
    lines = [
        _table_line(columns, widths, numeric),
        "  ".join("-" * width for width in widths),
        *(_table_line(line, widths, numeric) for line in cells),
    ]
    return "\n".join(lines) + "\n"


def _table_line(cells: Sequence[str], widths: Sequence[int], numeric: Sequence[bool]) -> str:
    parts = []
    for cell, width, right in zip(cells, widths, numeric, strict=True):
        pad = " " * (width - _width(cell))
        parts.append(pad + cell if right else cell + pad)
    return "  ".join(parts).rstrip()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _table_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return " ".join(value.split()) if any(ch in value for ch in "\r\n\t") else value
    if isinstance(value, list) and not any(isinstance(item, (list, dict)) for item in value):
        return ", ".join(_table_cell(item) for item in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _fit(text: str, max_width: int | None) -> str:
    """``text`` cut to ``max_width`` columns, ending in an ellipsis when cut."""
    if max_width is None or _width(text) <= max_width:
        return text
    kept: list[str] = []
    used = 0
    for ch in text:
        size = _char_width(ch)
        if used + size > max_width - 1:
            break
        kept.append(ch)
        used += size
    return "".join(kept) + "…"


def _width(text: str) -> int:
    """Terminal columns of ``text``: wide East Asian characters take two, combining marks none."""
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
