"""The main job: ingest -> extract -> graph -> store -> view, in one call.

Papers and extraction records are spooled to temporary JSON Lines files as
they stream through. The graph is then built out of core (:mod:`kg.graph.spill`:
nodes, edges and co-mentioned pairs in a SQLite file, one small accumulator per
distinct entity and relation in memory), so memory does not grow with the
number of papers. The graph file is streamed out of SQLite (lossless,
reloadable with ``kg load``, the same bytes ``save_graph(build_graph(...))``
writes), the default view is drawn from the entity part of the graph only, and
the store is loaded by streaming the saved file.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kg.distributed.cluster import DaskOptions
from kg.extract import extract_json_lines
from kg.extract.lexicon import org_tag_names
from kg.graph import (
    node_key,
    write_graph_items,
    write_neo4j_csv_items,
    write_neo4j_csv_shard,
    write_neo4j_import_script,
)
from kg.graph.spill import SpilledGraph, spill_graph
from kg.ingest import IngestReport, OnError, Progress, read_papers
from kg.model import Paper
from kg.outputs import is_stream_target
from kg.schema import ENTITY_LABELS
from kg.store import ConnectionConfig, LoadSummary, open_driver, read_counts
from kg.store.loader import load_items, validate_items
from kg.stream import Edge, GraphItem, Node, iter_graph_file, iter_neo4j_csv
from kg.view import ViewReport, write_view
from kg.view.select import PAPER_LEVEL

#: ``on_step(name)`` is called as each stage starts, for the CLI's status line.
StepCallback = Callable[[str], None]


@dataclass
class BuildReport:
    """Everything ``kg build`` tells the user at the end."""

    ingest: IngestReport = field(default_factory=IngestReport)
    nodes: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    graph_path: Path | None = None
    load: LoadSummary | None = None
    store_counts: dict[str, dict[str, int]] | None = None
    view: ViewReport | None = None
    seconds: float = 0.0


def next_steps(report: BuildReport) -> list[str]:
    """What a user can do with what ``kg build`` just made: commands, each with its use."""
    steps = []
    if report.view is not None:
        steps.append((f"open {report.view.path}", "the graph in a browser (works offline)"))
    if report.store_counts is not None:
        steps += [
            ("kg query --list", "the bundled questions, with their parameters"),
            ("kg query most_mentioned_models", "a first answer from the store"),
        ]
    if report.graph_path is not None:
        graph = shlex.quote(str(report.graph_path))
        steps += [
            (f"kg view --graph {graph} --entity NAME", "one entity and its neighbours"),
            (f"kg trends --graph {graph} -o trends.html", "mentions over time, and what is rising"),
        ]
    width = max((len(command) for command, _ in steps), default=0)
    return [f"  {command.ljust(width)}  {use}" for command, use in steps]


def build(
    inputs: Sequence[str],
    *,
    graph_path: str | Path | None = None,
    view_path: str | Path | None = None,
    store: ConnectionConfig | None = None,
    fmt: str | None = None,
    on_error: OnError = "fail",
    workers: int = 1,
    spacy_model: str | None = None,
    min_co_mention: int = 1,
    batch_size: int = 1000,
    progress: Progress | None = None,
    on_step: StepCallback | None = None,
    dask: DaskOptions | None = None,
) -> BuildReport:
    """Run the whole pipeline on ``inputs``; see the module docstring.

    ``progress(done, total)`` reports the stage ``on_step`` last announced:
    bytes read while ingesting, papers extracted on a cluster, rows written
    while loading the store. With ``dask``, ingest and extraction run on that
    Dask cluster instead of ``workers`` local processes (:mod:`kg.distributed`);
    the graph is the same.
    """
    started = time.perf_counter()
    report = BuildReport()
    step = on_step or (lambda _name: None)
    with tempfile.TemporaryDirectory(prefix="kg-build-") as tmp:
        papers_file, extractions_file = Path(tmp, "papers.jsonl"), Path(tmp, "extractions.jsonl")
        if dask is None:
            step("ingest and extract")
            papers = read_papers(
                inputs, fmt=fmt, on_error=on_error, report=report.ingest, progress=progress
            )
            _spool_extractions(
                papers,
                papers_file,
                extractions_file,
                lambda stream: extract_json_lines(stream, workers=workers, spacy_model=spacy_model),
            )
        else:  # --dask: the same two spools, made on a cluster (kg.distributed)
            _spool_on_cluster(
                dask,
                inputs,
                papers_file,
                extractions_file,
                fmt,
                on_error,
                spacy_model,
                report.ingest,
                progress,
                step,
            )
        step("graph")
        with spill_graph(
            _read_papers(papers_file),
            _read_json_lines(extractions_file),
            directory=tmp,
            min_co_mention=min_co_mention,
            org_tag_map=org_tag_names(),
        ) as spilled:
            papers_file.unlink()
            extractions_file.unlink()
            summary = spilled.summary()
            report.nodes, report.edges = summary["nodes"], summary["edges"]
            saved = Path(tmp, "graph.json")
            if graph_path is not None or store is not None:
                step("save")
            if graph_path is not None:
                report.graph_path = write_graph_items(spilled.nodes(), spilled.edges(), graph_path)
                if not is_stream_target(graph_path):  # a device or FIFO cannot be read back
                    saved = report.graph_path
            if store is not None and saved != report.graph_path:
                write_graph_items(spilled.nodes(), spilled.edges(), saved)
            if view_path is not None:
                step("view")
                report.view = _write_overview(spilled, view_path, summary)
        release_memory()
        if store is not None:
            step("load")
            report.load, report.store_counts = load_file_into_store(
                saved,
                store,
                batch_size=batch_size,
                progress=progress,
                validate=False,
                total=_rows_to_load(summary),
            )
    report.seconds = time.perf_counter() - started
    return report


def _write_overview(
    spilled: SpilledGraph, view_path: str | Path, summary: dict[str, dict[str, int]]
) -> ViewReport:
    """The default view, drawn from the entities only: it shows no paper or author node.

    Only the entity part of the graph is read into memory; the report still
    counts the whole graph's nodes and edges.
    """
    overview = spilled.entity_graph(PAPER_LEVEL)
    view = write_view(overview, view_path)
    return dataclasses.replace(
        view,
        nodes_in_graph=sum(summary["nodes"].values()),
        edges_in_graph=sum(summary["edges"].values()),
    )


def load_file_into_store(
    path: str | Path,
    store: ConnectionConfig,
    *,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    validate: bool = True,
    total: int | None = None,
) -> tuple[LoadSummary, dict[str, dict[str, int]]]:
    """Load a saved graph file, streaming it, and read the counts back from the database.

    The file is read twice (a validation pass, then the writes) unless
    ``validate`` is false, for a file kg has just written; memory stays flat
    however large the graph (see :mod:`kg.stream`).
    """
    if validate:
        total = validate_graph_file(path)  # before the store is even started
    driver = open_driver(store)
    try:
        summary = load_items(
            driver,
            lambda: graph_items(path),
            database=store.database,
            batch_size=batch_size,
            progress=progress,
            validate=False,
            total=total,
        )
        return summary, read_counts(driver, store.database)
    finally:
        driver.close()


def graph_items(path: str | Path) -> Iterator[GraphItem]:
    """The nodes, then the edges, of a saved graph file or of a neo4j-admin CSV directory.

    A directory is read as kg's CSV export, whole or in shards (its
    ``import.sh`` lists the files), so the store can be loaded from what
    cluster workers wrote for ``neo4j-admin database import``.
    """
    if Path(path).is_dir():
        return iter_neo4j_csv(path)
    return iter_graph_file(path)


def export_neo4j_csv(
    graph_file: str | Path,
    directory: str | Path,
    *,
    shards: int = 1,
    shard: int | None = None,
) -> list[Path]:
    """Write the neo4j-admin CSV of a saved graph file, streaming it (never loaded whole).

    With ``shards`` > 1, writes shard ``shard`` of them (every shard when
    ``shard`` is None), then ``import.sh`` once every shard is in ``directory``.
    Returns the files written.
    """

    def nodes() -> Iterator[tuple[str, Any]]:
        for item in iter_graph_file(graph_file):
            if not isinstance(item, Node):
                return
            yield item.key, item.attrs

    def edges() -> Iterator[tuple[str, str, str, Any]]:
        for item in iter_graph_file(graph_file):
            if isinstance(item, Edge):
                yield item.source, item.target, item.key, item.attrs

    if shards <= 1 and shard is None:
        return write_neo4j_csv_items(nodes, edges, directory)
    written: list[Path] = []
    for number in range(shards) if shard is None else [shard]:
        written += write_neo4j_csv_shard(nodes, edges, directory, shard=number, shards=shards)
    if len(list(Path(directory).glob(f"shard-*-of-{shards}.json"))) == shards:
        written.append(write_neo4j_import_script(directory))
    return written


def validate_graph_file(path: str | Path) -> int:
    """Read a graph file through, checking it as the loader will; return the rows to write.

    ``kg load`` calls this before it starts or wipes the store, so a broken
    file changes nothing.
    """
    return validate_items(graph_items(path))


def release_memory() -> None:
    """Hand freed memory back to the operating system before the store's peak.

    A corpus-sized graph is ~1.3 GiB of small Python objects; once it is
    dropped, ``gc`` frees its cycles and glibc's ``malloc_trim`` returns the
    freed heap pages, which glibc otherwise keeps for this process while the
    database server grows during the load. Elsewhere only ``gc`` runs.
    """
    node_key.cache_clear()  # its strings, made all through the build, would pin freed arenas
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _rows_to_load(summary: dict[str, dict[str, int]]) -> int:
    """Rows the loader writes: nodes, edges and one aggregate update per entity."""
    entities = sum(summary["nodes"].get(label, 0) for label in ENTITY_LABELS)
    return sum(summary["nodes"].values()) + sum(summary["edges"].values()) + entities


def _spool_on_cluster(
    options: DaskOptions,
    inputs: Sequence[str],
    papers_file: Path,
    extractions_file: Path,
    fmt: str | None,
    on_error: OnError,
    spacy_model: str | None,
    report: IngestReport,
    progress: Progress | None,
    step: StepCallback,
) -> None:
    """The spools of a local run, made on a Dask cluster: same papers, same lines, same order."""
    from kg.distributed import DaskCluster

    step("start the cluster")
    with DaskCluster.open(options) as cluster:
        step("read on the cluster")
        papers = cluster.read_papers(
            inputs, fmt=fmt, on_error=on_error, report=report, progress=progress
        )
        _spool_extractions(
            papers,
            papers_file,
            extractions_file,
            lambda stream: cluster.extract_json_lines(
                stream,
                spacy_model=spacy_model,
                progress=progress,
                total=lambda: report.papers,
                on_start=lambda: step("extract on the cluster"),
            ),
        )


def _spool_extractions(
    papers: Iterator[Paper],
    papers_file: Path,
    extractions_file: Path,
    extract: Callable[[Iterator[Paper]], Iterator[str]],
) -> None:
    """Write every paper and its extraction record (``extract`` makes the lines) to the spools."""
    with papers_file.open("w", encoding="utf-8") as paper_out:

        def keep(stream: Iterator[Paper]) -> Iterator[Paper]:
            for paper in stream:
                paper_out.write(orjson.dumps(paper.to_json()).decode("utf-8") + "\n")
                yield paper

        with extractions_file.open("w", encoding="utf-8") as out:
            for line in extract(keep(papers)):
                out.write(line + "\n")


def _read_papers(path: Path) -> Iterator[Paper]:
    for record in _read_json_lines(path):
        yield Paper.from_json(record)


def _read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield orjson.loads(line)
