"""Load throughput against the embedded store: batched MERGE vs per-row MERGE vs raw CREATE.

Run: ``.venv/bin/python bench/bench_load.py`` (about five minutes: 100,000 rows
per batched method, so each pass takes seconds, not a noisy fraction of one). One run starts
one embedded ArcadeDB server in a temporary KG_HOME, measures every method on
the same synthetic rows through the same Bolt driver, stops the server, prints
a markdown table and writes it to bench/RESULTS.md under
"## Load throughput (embedded store)" (other sections are left alone).

Methods, all with the same ``SET n += row.props`` and kg's schema in place
(unique ``key``, index on ``name``):

* batched MERGE  - ``UNWIND $rows AS row MERGE (n:Paper {key: row.key}) SET ...``,
  one managed transaction per batch: what kg's loader sends;
* per-row MERGE  - ``MERGE (n:Paper {key: $key}) SET ...``, one auto-commit
  query per row: the naive loader; also measured with one managed transaction
  (``execute_write``) per row, i.e. kg's loader with a batch size of 1;
* raw CREATE     - ``UNWIND $rows AS row CREATE (n:Paper {key: row.key}) SET ...``:
  the ceiling (no lookup, no idempotency);
* batched MERGE again - the same batches over existing nodes (the update path);
* load_graph     - kg's whole loader on a graph of the same nodes (it also
  reads the stored ``sources`` to union them, and sets up the schema);
* batched MERGE, no key index - on a label without the constraint, to show
  why ensure_schema matters on ArcadeDB.

Every method runs once per round on an emptied store, rounds interleave the
methods (so a busy neighbour slows them all alike), and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo4j
import networkx as nx
from _common import process_cpu, write_section

from kg.store import embedded
from kg.store.connection import ConnectionConfig, open_driver
from kg.store.loader import ensure_schema, load_graph, wipe

HEADING = "## Load throughput (embedded store)"
NEO4J_HEADING = "## Load throughput (Neo4j Community 5.26.10)"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Store:
    """Which store the run measures (``--store``); set once in run_benchmark."""

    database: str | None = embedded.DATABASE
    kind: str = "embedded"


STORE = Store()
NO_INDEX_LABEL = "BenchNoIndex"  # not a kg label: a constant, never user input

BATCHED = "UNWIND $rows AS row MERGE (n:Paper {key: row.key}) SET n += row.props"
PER_ROW = "MERGE (n:Paper {key: $key}) SET n += $props"
RAW = "UNWIND $rows AS row CREATE (n:Paper {key: row.key}) SET n += row.props"
NO_INDEX = f"UNWIND $rows AS row MERGE (n:{NO_INDEX_LABEL} {{key: row.key}}) SET n += row.props"

Row = dict[str, Any]


@dataclass(frozen=True)
class Measure:
    """One method's median wall time and CPU time (client + server) over the rounds."""

    method: str
    rows: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.rows / self.cpu_seconds


@dataclass(frozen=True)
class Method:
    name: str
    work: Callable[[neo4j.Driver, list[Row]], None]
    rows: int
    again: bool = False  # measure a second pass over rows already loaded
    prepare: Callable[[list[Row]], None] | None = None  # untimed set-up for these rows


def synthetic_rows(count: int) -> list[Row]:
    """Paper-like rows: a key, a name and the kinds of values kg stores."""
    return [
        {
            "key": f"paper:bench-{i:07d}",
            "props": {
                "name": f"Benchmark paper {i}",
                "title": f"Benchmark paper {i}: on the throughput of graph loaders",
                "abstract": "We measure how fast rows reach the store. " * 4,
                "date": f"20{10 + i % 15:02d}-{1 + i % 12:02d}",
                "year": 2010 + i % 15,
                "categories": ["cs.CL", "cs.LG"][: 1 + i % 2],
                "has_code": i % 3 == 0,
                "sources": [f"bench.jsonl:{i + 1}"],
            },
        }
        for i in range(count)
    ]


def as_graph(rows: Sequence[Row]) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for row in rows:
        graph.add_node(row["key"], label="Paper", key=row["key"], **row["props"])
    return graph


def _write(tx: neo4j.ManagedTransaction, query: str, rows: list[Row]) -> None:
    tx.run(query, rows=rows).consume()


def batched(query: str, batch_size: int) -> Callable[[neo4j.Driver, list[Row]], None]:
    def run(driver: neo4j.Driver, rows: list[Row]) -> None:
        with driver.session(database=STORE.database) as session:
            for start in range(0, len(rows), batch_size):
                session.execute_write(_write, query, rows[start : start + batch_size])

    return run


def per_row(driver: neo4j.Driver, rows: list[Row]) -> None:
    with driver.session(database=STORE.database) as session:
        for row in rows:
            session.run(PER_ROW, key=row["key"], props=row["props"]).consume()


def per_row_managed(driver: neo4j.Driver, rows: list[Row]) -> None:
    with driver.session(database=STORE.database) as session:
        for row in rows:
            session.execute_write(_write_one, row)


def _write_one(tx: neo4j.ManagedTransaction, row: Row) -> None:
    tx.run(PER_ROW, key=row["key"], props=row["props"]).consume()


class WholeLoader:
    """kg's ``load_graph``; the networkx graph is built in ``prepare``, outside the timing."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.graphs: dict[tuple[str, int], nx.MultiDiGraph[str]] = {}

    def prepare(self, rows: list[Row]) -> None:
        self.graphs[(rows[0]["key"], len(rows))] = as_graph(rows)

    def work(self, driver: neo4j.Driver, rows: list[Row]) -> None:
        graph = self.graphs[(rows[0]["key"], len(rows))]
        load_graph(driver, graph, database=STORE.database, batch_size=self.batch_size)


def empty(driver: neo4j.Driver) -> None:
    wipe(driver, STORE.database)
    with driver.session(database=STORE.database) as session:
        session.run(f"MATCH (n:{NO_INDEX_LABEL}) DETACH DELETE n").consume()


def run_once(
    driver: neo4j.Driver, method: Method, rows: list[Row], pid: int
) -> tuple[float, float]:
    """Wall and CPU seconds of one pass of ``method`` on an emptied store."""
    if method.prepare is not None:
        method.prepare(rows)
    empty(driver)
    if method.again:
        method.work(driver, rows)
    cpu = process_cpu(pid) + time.process_time()
    started = time.perf_counter()
    method.work(driver, rows)
    wall = time.perf_counter() - started
    return wall, process_cpu(pid) + time.process_time() - cpu


def methods(args: argparse.Namespace) -> list[Method]:
    size = args.batch_size
    loader = WholeLoader(size)
    return [
        Method("batched MERGE", batched(BATCHED, size), args.rows),
        Method("per-row MERGE", per_row, args.per_row_rows),
        Method("per-row MERGE, managed tx each", per_row_managed, args.per_row_rows),
        Method("raw CREATE", batched(RAW, size), args.rows),
        Method("batched MERGE again (updates)", batched(BATCHED, size), args.rows, again=True),
        Method("load_graph (kg's loader)", loader.work, args.rows, prepare=loader.prepare),
        Method("batched MERGE, no key index", batched(NO_INDEX, size), args.no_index_rows),
    ]


def run_benchmark(args: argparse.Namespace) -> list[Measure]:
    """Warm up, then run every method once per round (interleaved, so drift hits all alike)."""
    rows = synthetic_rows(args.rows)
    plan = methods(args)
    walls: dict[str, list[float]] = {m.name: [] for m in plan}
    cpus: dict[str, list[float]] = {m.name: [] for m in plan}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as home:
        if args.store == "neo4j":
            config, pid = neo4j_store()
        else:
            config = embedded.start(home)
            pid = embedded.status(home).pid or 0
        STORE.database, STORE.kind = config.database, args.store
        try:
            with open_driver(config) as driver:
                ensure_schema(driver, config.database)
                warm = synthetic_rows(args.warmup_rows)  # let the JVM compile the hot paths
                for method in plan:
                    run_once(driver, method, warm[: min(method.rows, len(warm))], pid)
                for round_ in range(args.repeats):
                    for method in plan:
                        wall, cpu = run_once(driver, method, rows[: method.rows], pid)
                        walls[method.name].append(wall)
                        cpus[method.name].append(cpu)
                        print(
                            f"  round {round_ + 1}: {method.name}: "
                            f"{method.rows / wall:,.0f} rows/s",
                            file=sys.stderr,
                        )
                empty(driver)
        finally:
            if args.store == "embedded":
                embedded.stop(home)
    return [
        Measure(m.name, m.rows, statistics.median(walls[m.name]), statistics.median(cpus[m.name]))
        for m in plan
    ]


def neo4j_store() -> tuple[ConnectionConfig, int]:
    """The Neo4j of ``make neo4j-up`` (build/neo4j.env) and its server's pid."""
    values: dict[str, str] = {}
    for line in (ROOT / "build" / "neo4j.env").read_text(encoding="utf-8").splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        values[name.strip()] = value.strip()
    pid = json.loads((ROOT / "build" / "neo4j" / "server.json").read_text(encoding="utf-8"))["pid"]
    config = ConnectionConfig.from_env(
        uri=values["NEO4J_URI"],
        user=values["NEO4J_USER"],
        password=values["NEO4J_PASSWORD"],
        database=values["NEO4J_DATABASE"],
    )
    return config, int(pid)


def report(results: list[Measure], args: argparse.Namespace) -> str:
    by_name = {m.method: m for m in results}
    per_row_rate = by_name["per-row MERGE"].rate
    raw_rate = by_name["raw CREATE"].rate
    batched_rate = by_name["batched MERGE"].rate
    server = (
        "Neo4j Community 5.26.10 (make neo4j-up: Java 17, 512 MiB heap, 256 MiB page cache)"
        if args.store == "neo4j"
        else f"arcadedb-embedded {_arcadedb_version()}"
    )
    lines = [
        NEO4J_HEADING if args.store == "neo4j" else HEADING,
        "",
        f"`python bench/bench_load.py --store {args.store} --rows {args.rows} --batch-size "
        f"{args.batch_size} --repeats {args.repeats}` on {platform.system()} "
        f"{platform.machine()} ({os.cpu_count()} CPUs), Python {platform.python_version()}, "
        f"neo4j driver {neo4j.__version__}, {server}. Median of "
        f"{args.repeats} interleaved rounds, each pass on an emptied store with kg's schema. "
        "CPU rows/s counts client + server CPU time, which other jobs on a shared "
        "machine disturb less than wall time.",
        "",
        "| method | rows | seconds | rows/s | x per-row MERGE | / raw CREATE | CPU rows/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in results:
        lines.append(
            f"| {m.method} | {m.rows:,} | {m.seconds:.2f} | {m.rate:,.0f} | "
            f"{m.rate / per_row_rate:.1f}x | {m.rate / raw_rate:.0%} | {m.cpu_rate:,.0f} |"
        )
    managed_rate = by_name["per-row MERGE, managed tx each"].rate
    speedup = batched_rate / per_row_rate
    managed_speedup = batched_rate / managed_rate
    share = batched_rate / raw_rate
    lines += [
        "",
        f"- batched MERGE vs per-row MERGE: **{speedup:.0f}x** against auto-commit queries, "
        f"**{managed_speedup:.0f}x** against one managed transaction per row (target >= 50x: "
        f"{_verdict(speedup, managed_speedup, 50)})",
        f"- batched MERGE vs raw CREATE: **{share:.0%}** (target >= 80%: "
        f"{'met' if share >= 0.8 else 'missed'})",
        "",
    ]
    return "\n".join(lines)


def _verdict(first: float, second: float, target: float) -> str:
    met = [first >= target, second >= target]
    if all(met):
        return "met"
    return "met against the managed baseline only" if met[1] else "missed"


def _arcadedb_version() -> str:
    from importlib.metadata import version

    return version("arcadedb-embedded")


NOTES = """
What the numbers say (ArcadeDB 26.10.2 over Bolt, neo4j Python driver):

- Batched MERGE runs at 80-90% of raw CREATE once kg's schema is in place: the
  unique constraint on `key` gives MERGE an index, so the difference is one
  index lookup per row. Without it ArcadeDB answers `MERGE (n:Paper {key: ...})`
  with a scan of the type, which is the "no key index" row: ten times slower
  on 3,000 rows and getting worse as the label grows (quadratic overall).
  `load_graph` always runs `ensure_schema` first.
- The 50x target over per-row MERGE is out of reach on this server for any
  batched write, raw CREATE included (about 35x): one auto-commit query costs
  ArcadeDB about 1 ms even for `RETURN 1`, so per-row MERGE runs at several
  hundred rows/s, while the batched write path is bounded by the server's
  work per row (the vertex record, two LSM index entries, Bolt decoding).
  (Not measured against Neo4j: no Neo4j server runs on this machine.)
- `load_graph` does more than one query per batch: it validates the graph
  first, sets up the schema, checks which labels the store has, merges
  `sources` and reports progress; into a store without Paper nodes it CREATEs
  them (the unique constraint still guards the keys).
- The machine is shared (2 CPUs): single rounds vary by up to 2x, so compare
  the ratios of the same round, or the CPU column.
"""


NEO4J_NOTES = """
The same benchmark on a real Neo4j Community 5.26.10 (`make neo4j-up`), sharing
the 2-core machine with the other jobs; see the embedded section for the method.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--per-row-rows", type=int, default=1_000)
    parser.add_argument("--no-index-rows", type=int, default=3_000)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup-rows", type=int, default=5_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--store",
        choices=["embedded", "neo4j"],
        default="embedded",
        help="neo4j: the server of `make neo4j-up` (build/neo4j.env); it is wiped",
    )
    args = parser.parse_args(argv)
    results = run_benchmark(args)
    text = report(results, args)
    print(text)
    if not args.no_write:
        if args.store == "neo4j":
            write_section(NEO4J_HEADING, text, notes=NEO4J_NOTES)
        else:
            write_section(HEADING, text, notes=NOTES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
