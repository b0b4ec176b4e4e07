"""The ``kg`` command line: a thin click layer over the library.

Each command parses options, calls one library function and reports. Library
errors (:class:`kg.errors.KgError`) become ``click.ClickException`` so users
see a one-line message that says how to fix the problem, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click

from kg import __version__
from kg.build import (
    BuildReport,
    build,
    export_neo4j_csv,
    load_file_into_store,
    next_steps,
    validate_graph_file,
)
from kg.charts import write_trends
from kg.digest import parse_day
from kg.digest_render import write_digest
from kg.distributed import DaskOptions, extract_on_cluster, parse_address
from kg.errors import KgError, UsageError
from kg.evaluate import evaluate, read_gold
from kg.extract import extract_json_lines, write_extractions
from kg.graph import load_graph_file, write_graphml
from kg.ingest import FORMATS, IngestReport, OnError, ingest, read_papers
from kg.outputs import STDOUT, open_output
from kg.queries import (
    check_entities,
    describe_query,
    format_rows,
    list_queries,
    load_query,
    parse_params,
    run_query,
)
from kg.schema import ENTITY_LABELS
from kg.store import ConnectionConfig, embedded, open_driver, read_counts, resolve_config, wipe
from kg.store.subgraph import read_ego_graph, read_subgraph, read_timeline_graph
from kg.terminal import printable
from kg.view import write_view

#: Exit code when the command finished but skipped bad records (``--on-error skip``).
EXIT_SKIPPED = 3
#: Inputs larger than this get a progress bar.
PROGRESS_MIN_BYTES = 8 * 1024 * 1024

F = TypeVar("F", bound=Callable[..., Any])


def _library_errors(command: F) -> F:
    """Turn KgError into ClickException (exit 1, message on stderr)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KgError as error:  # messages may quote input: never raw control characters
            raise click.ClickException(printable(str(error))) from None

    return wrapper  # type: ignore[return-value]


def _echo(message: str, *, err: bool = False) -> None:
    """``click.echo`` for text that may hold input (titles, names, paths): controls escaped."""
    click.echo(printable(message, keep="\n\t"), err=err)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build a knowledge graph of ML research from paper abstracts."""
    _silence_driver_logs()


def _silence_driver_logs() -> None:
    """Keep the Neo4j driver's own warnings (retries, routing) off the user's terminal.

    With no handler configured, Python prints a library's warnings to stderr;
    kg reports every store failure itself as one line that says what to do.
    """
    driver_log = logging.getLogger("neo4j")
    if not driver_log.handlers:
        driver_log.addHandler(logging.NullHandler())
    driver_log.propagate = False


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Input format; detected from the content when omitted.",
)


def _jsonl_output(what: str) -> Callable[[F], F]:
    """``-o/--output`` for commands that write JSON Lines (stdout by default)."""
    return click.option(
        "-o",
        "--output",
        default="-",
        show_default=True,
        metavar="FILE",
        help=f"Where to write {what} (JSON Lines; - for stdout, devices and FIFOs "
        "written in place).",
    )


_on_error_option = click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="Stop at the first bad record, or skip it and list it in the summary.",
)


_dask_option = click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="local[:N]|tcp://HOST:PORT",
    help="Read and extract on a Dask cluster: local:N starts N worker processes here, "
    "tcp://HOST:PORT uses a running scheduler; inputs may then be URLs (s3://...). "
    "Needs pip install 'kg[dask]'.",
)


def _dask_options(address: str | None, workers: int) -> DaskOptions | None:
    """``--dask`` as options, with Dask's own log lines kept off the terminal."""
    if address is None:
        return None
    if workers > 1:
        raise UsageError("--workers and --dask do not go together; --dask local:N runs N workers")
    parse_address(address)  # before anything starts (the store, the cluster)
    for name in ("distributed", "dask"):  # kg reports what matters itself, in one line
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return DaskOptions(address)


@main.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@_jsonl_output("the papers")
@_format_option
@_on_error_option
@_library_errors
def ingest_command(
    inputs: tuple[str, ...], output: str, fmt: str | None, on_error: OnError
) -> None:
    """Read papers from INPUTS (files, or - for stdin) into normalized JSON Lines.

    INPUTS may be arXiv-style listings, paper-page dumps, JSON Lines, JSON
    arrays, CSV or TSV, each optionally gzip-compressed.
    """
    with _progress_bar("Reading") as progress, open_output(output, what="the papers") as out:
        report = ingest(list(inputs), out, fmt=fmt, on_error=on_error, progress=progress)
    _print_ingest_summary(report)
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


def _print_ingest_summary(report: IngestReport) -> None:
    _echo(
        f"records read: {report.records:,}  papers: {report.papers:,}  "
        f"duplicates merged: {report.merged:,}  skipped: {len(report.skipped):,}",
        err=True,
    )
    for skipped in report.skipped:
        _echo(f"  skipped {skipped}", err=True)


@contextmanager
def _progress_bar(
    label: str, min_total: int = PROGRESS_MIN_BYTES
) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback that draws a bar on stderr.

    The bar appears only on a terminal and only for work of at least
    ``min_total`` units (bytes read, rows loaded), so short runs and pipes stay
    quiet.
    """
    bars: list[Any] = []
    shown = [0]

    def update(done: int, total: int) -> None:
        if not bars:
            if total < max(min_total, 1) or not sys.stderr.isatty():
                return
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            bars.append(bar)
        bars[0].update(done - shown[0])
        shown[0] = done

    try:
        yield update
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)


@main.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@_jsonl_output("one extraction record per paper")
@_format_option
@_on_error_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes for large inputs.",
)
@click.option(
    "--spacy-model", default=None, help="Also use an installed trained spaCy pipeline's NER."
)
@_dask_option
@_library_errors
def extract_command(
    inputs: tuple[str, ...],
    output: str,
    fmt: str | None,
    on_error: OnError,
    workers: int,
    spacy_model: str | None,
    dask_address: str | None,
) -> None:
    """Find models, datasets, organizations and languages in the papers of INPUTS.

    INPUTS are anything `kg ingest` reads, including its papers.jsonl.
    """
    report = IngestReport()
    dask = _dask_options(dask_address, workers)
    if dask is not None:
        written = _extract_on_cluster(
            dask, list(inputs), output, fmt, on_error, spacy_model, report
        )
    else:
        with (
            _progress_bar("Reading") as progress,
            open_output(output, what="the extractions") as out,
        ):
            papers = read_papers(
                list(inputs), fmt=fmt, on_error=on_error, report=report, progress=progress
            )
            written = write_extractions(
                extract_json_lines(papers, workers=workers, spacy_model=spacy_model), out
            )
    _print_ingest_summary(report)
    _echo(f"extractions written: {written:,}", err=True)
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


def _extract_on_cluster(
    dask: DaskOptions,
    inputs: list[str],
    output: str,
    fmt: str | None,
    on_error: OnError,
    spacy_model: str | None,
    report: IngestReport,
) -> int:
    """``kg extract --dask``: :func:`kg.distributed.extract_on_cluster`, with a line per stage."""
    feedback = _StageFeedback("extract")
    try:
        with open_output(output, what="the extractions") as out:
            return extract_on_cluster(
                dask, inputs, out, fmt=fmt, on_error=on_error, spacy_model=spacy_model,
                report=report, on_stage=feedback.step, progress=feedback.progress,
            )  # fmt: skip
    finally:
        feedback.close()


@main.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--spans", is_flag=True, help="Also score mention spans, exact and overlapping.")
@click.option(
    "--relations",
    is_flag=True,
    help="Also score relations, on the documents whose gold has a 'relations' key.",
)
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@_library_errors
def eval_command(gold: str, spans: bool, relations: bool, out_format: str) -> None:
    """Score extraction against a GOLD JSON Lines file (P/R/F1 per type and micro)."""
    report = evaluate(read_gold(gold), spans=spans, relations=relations)
    data = report.to_json()
    if out_format == "json":
        _echo(json.dumps(data, indent=2))
        return
    click.echo(f"documents: {data['documents']}")
    rows = list(data["entities"].items())
    if spans:
        rows += [(f"spans:{name}", scores) for name, scores in data["spans"].items()]
    _echo_scores(rows, 14)
    if relations:
        click.echo(
            f"relations: {data['relation_documents']} of {data['documents']} documents"
            " carry relation gold"
        )
        _echo_scores(list(data["relations"].items()), 17)


def _echo_scores(rows: list[tuple[str, dict[str, Any]]], width: int) -> None:
    """A table of precision / recall / F1 and counts, one row per type."""
    click.echo(
        f"{'type':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'tp':>6}{'fp':>6}{'fn':>6}"
    )
    for name, scores in rows:
        click.echo(
            f"{name:<{width}}{scores['precision']:>10.3f}{scores['recall']:>10.3f}"
            f"{scores['f1']:>10.3f}{scores['tp']:>6}{scores['fp']:>6}{scores['fn']:>6}"
        )


# --- store commands -------------------------------------------------------------------
def _store_options(command: F) -> F:
    """--uri/--user/--password/--database, each defaulting to its NEO4J_* variable."""
    options = [
        click.option(
            "--uri",
            envvar="NEO4J_URI",
            default=None,
            help="Bolt URI of a Neo4j server [env NEO4J_URI]; the embedded store when unset.",
        ),
        click.option("--user", envvar="NEO4J_USER", default=None, help="[env NEO4J_USER]"),
        click.option(
            "--password",
            envvar="NEO4J_PASSWORD",
            default=None,
            show_envvar=False,
            help="[env NEO4J_PASSWORD] Never printed.",
        ),
        click.option(
            "--database", envvar="NEO4J_DATABASE", default=None, help="[env NEO4J_DATABASE]"
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _config(
    uri: str | None, user: str | None, password: str | None, database: str | None
) -> ConnectionConfig:
    return resolve_config(uri=uri, user=user, password=password, database=database)


@main.command("build")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "graph_path",
    default="build/graph.json",
    show_default=True,
    help="Where to save the graph (lossless JSON).",
)
@click.option(
    "--view",
    "view_path",
    default="build/graph.html",
    show_default=True,
    help="Where to write the default HTML view.",
)
@click.option("--no-view", is_flag=True, help="Do not write the HTML view.")
@click.option("--no-load", is_flag=True, help="Do not load the graph into the store.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--spacy-model", default=None, help="Also use an installed trained spaCy pipeline's NER."
)
@click.option(
    "--min-co-mention",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Drop CO_MENTIONED edges supported by fewer papers.",
)
@_format_option
@_on_error_option
@_dask_option
@_store_options
@_library_errors
def build_command(
    inputs: tuple[str, ...],
    graph_path: str,
    view_path: str,
    no_view: bool,
    no_load: bool,
    workers: int,
    spacy_model: str | None,
    min_co_mention: int,
    fmt: str | None,
    on_error: OnError,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
    dask_address: str | None,
) -> None:
    """The main job: ingest, extract, build the graph, load it into the store, draw a view."""
    dask = _dask_options(dask_address, workers)
    store = None if no_load else _config(uri, user, password, database)
    feedback = _StageFeedback()
    try:
        report = build(
            list(inputs),
            graph_path=graph_path,
            view_path=None if no_view else view_path,
            store=store,
            fmt=fmt,
            on_error=on_error,
            workers=workers,
            spacy_model=spacy_model,
            min_co_mention=min_co_mention,
            progress=feedback.progress,
            on_step=feedback.step,
            dask=dask,
        )
    finally:
        feedback.close()
    _print_ingest_summary(report.ingest)
    _print_build_summary(report, err=STDOUT in (graph_path, None if no_view else view_path))
    if report.ingest.skipped:
        sys.exit(EXIT_SKIPPED)


def _print_build_summary(report: BuildReport, *, err: bool = False) -> None:
    """The end-of-build summary; on stderr when the graph or view went to stdout."""
    entities = {label: report.nodes.get(label, 0) for label in ENTITY_LABELS}
    _echo(
        f"papers: {report.nodes.get('Paper', 0):,}  authors: {report.nodes.get('Author', 0):,}",
        err=err,
    )
    _echo("entities: " + "  ".join(f"{label}: {n:,}" for label, n in entities.items()), err=err)
    _echo("relations: " + "  ".join(f"{t}: {n:,}" for t, n in report.edges.items() if n), err=err)
    if report.graph_path is not None:
        _echo(f"graph: {report.graph_path}", err=err)
    if report.store_counts is not None:
        nodes = sum(report.store_counts["nodes"].values())
        rels = sum(report.store_counts["relationships"].values())
        _echo(
            f"store: {nodes:,} nodes, {rels:,} relationships (read back from the database)", err=err
        )
    if report.view is not None:
        _echo(f"view: {report.view.summary()}", err=err)
    _echo(f"seconds: {report.seconds:.1f}", err=err)
    steps = next_steps(report)
    if steps:
        _echo("next:", err=err)
        _echo("\n".join(steps), err=err)


class _StageFeedback:
    """kg build (or extract) on a terminal: a line per stage, a bar while reading or loading.

    Long runs (minutes on a large corpus) show where they are; pipes, tests
    and short runs stay quiet, like :func:`_progress_bar`.
    """

    #: Work below which a stage draws no bar: bytes read, papers extracted, rows loaded.
    MIN_TOTAL: ClassVar[dict[str, int]] = {
        "ingest and extract": PROGRESS_MIN_BYTES,
        "read on the cluster": PROGRESS_MIN_BYTES,
        "extract on the cluster": 1,
        "load": 50_000,
    }
    LABELS: ClassVar[dict[str, str]] = {
        "ingest and extract": "Reading",
        "read on the cluster": "Reading",
        "extract on the cluster": "Extracting",
        "load": "Loading",
    }

    def __init__(self, command: str = "build") -> None:
        self.command = command
        self.tty = sys.stderr.isatty()
        self.stage = "ingest and extract"
        self.bar: Any = None
        self.shown = 0

    def step(self, stage: str) -> None:
        self.close()
        self.stage = stage
        if self.tty:
            _echo(f"kg {self.command}: {stage}", err=True)

    def progress(self, done: int, total: int) -> None:
        if self.bar is None:
            if not self.tty or total < self.MIN_TOTAL.get(self.stage, 1):
                return
            label = self.LABELS.get(self.stage, self.stage)
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()
            self.shown = 0
        self.bar.length = max(self.bar.length or 0, total)
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command("load")
@click.argument("graph_file", type=click.Path())
@click.option("--wipe", is_flag=True, help="First delete every node with one of kg's labels.")
@click.option("--yes", is_flag=True, help="Confirm --wipe.")
@click.option("--batch-size", type=click.IntRange(1), default=1000, show_default=True)
@_store_options
@_library_errors
def load_command(
    graph_file: str,
    wipe: bool,
    yes: bool,
    batch_size: int,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    """Load a saved graph (from kg build -o) into the store.

    GRAPH_FILE may also be a directory of neo4j-admin CSV (kg export --neo4j-csv,
    whole or in shards).
    """
    if wipe and not yes:
        raise click.UsageError(
            "--wipe deletes all of kg's nodes in the store; add --yes to confirm"
        )
    rows = validate_graph_file(graph_file)
    config = _config(uri, user, password, database)
    if wipe:
        _wipe(config)
    with _progress_bar("Loading", min_total=1) as progress:
        summary, counts = load_file_into_store(
            graph_file,
            config,
            batch_size=batch_size,
            progress=progress,
            validate=False,
            total=rows,
        )
    _echo(
        f"loaded {summary.node_count:,} nodes and {summary.relationship_count:,} "
        f"relationships in {summary.seconds:.1f}s"
    )
    _echo_counts(counts)


def _wipe(config: ConnectionConfig) -> None:
    driver = open_driver(config)
    try:
        deleted = wipe(driver, config.database)
    finally:
        driver.close()
    _echo(f"wiped {deleted:,} nodes", err=True)


@main.command("stats")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@_store_options
@_library_errors
def stats_command(
    out_format: str, uri: str | None, user: str | None, password: str | None, database: str | None
) -> None:
    """Node counts per label and relationship counts per type, read from the store."""
    config = _config(uri, user, password, database)
    driver = open_driver(config)
    try:
        counts = read_counts(driver, config.database)
    finally:
        driver.close()
    if out_format == "json":
        _echo(json.dumps(counts, indent=2, sort_keys=True))
    else:
        _echo_counts(counts)


def _echo_counts(counts: dict[str, dict[str, int]]) -> None:
    for section in ("nodes", "relationships"):
        _echo(f"{section}:")
        for name, count in counts[section].items():
            _echo(f"  {name:<18}{count:>10,}")


@main.command("query")
@click.argument("query", required=False)
@click.option("--list", "list_only", is_flag=True, help="List the bundled queries and exit.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter.")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@_store_options
@_library_errors
def query_command(
    query: str | None,
    list_only: bool,
    params: tuple[str, ...],
    out_format: str,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    """Run a bundled query by NAME, or a .cypher FILE, with driver parameters."""
    if list_only:
        for info in list_queries():
            _echo("\n".join(describe_query(info)))
        return
    if not query:
        raise click.UsageError("name a query (see kg query --list) or a .cypher file")
    info = load_query(query)
    values = parse_params(list(params), info)
    config = _config(uri, user, password, database)
    driver = open_driver(config)
    try:
        check_entities(driver, info, values, database=config.database)
        rows = run_query(driver, info, values, database=config.database)
    finally:
        driver.close()
    click.echo(format_rows(rows, out_format), nl=False)


@main.group("db")
def db_group() -> None:
    """Manage the embedded store (used when NEO4J_URI is unset)."""


@db_group.command("start")
@_library_errors
def db_start() -> None:
    """Start the embedded store in the background."""
    config = embedded.start()
    click.echo(f"embedded store running at {config.uri} (database {config.database})")


@db_group.command("stop")
@_library_errors
def db_stop() -> None:
    """Stop the embedded store cleanly, through its own API."""
    click.echo("embedded store stopped" if embedded.stop() else "embedded store was not running")


@db_group.command("status")
@_library_errors
def db_status() -> None:
    """Show whether the embedded store runs, its URI and its counts."""
    state = embedded.status()
    if not state.running:
        click.echo(f"embedded store not running (home {state.home})")
        return
    click.echo(f"embedded store running at {state.uri} (pid {state.pid}, home {state.home})")
    if state.ready:
        config = embedded.ensure_running()
        driver = open_driver(config)
        try:
            _echo_counts(read_counts(driver, config.database))
        finally:
            driver.close()


# --- views and exports -----------------------------------------------------------------
@main.command("view")
@click.option(
    "-o", "--output", default="graph.html", show_default=True, help="The HTML file to write."
)
@click.option(
    "--graph",
    "graph_file",
    default="build/graph.json",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The saved graph to draw.",
)
@click.option(
    "--from-db",
    is_flag=True,
    help="Read the graph from the store instead of --graph: the entities and their "
    "relations, or with --entity that entity's whole neighbourhood, papers included "
    "(the same ego view as from --graph).",
)
@click.option(
    "--cypher",
    type=click.Path(exists=True, dir_okay=False),
    help="With --from-db: a Cypher file returning the subgraph (nodes, relationships).",
)
@click.option(
    "--entity", default=None, help="Centre an ego view on this entity (key, name or alias)."
)
@click.option("--depth", type=click.IntRange(0, 5), default=1, show_default=True)
@click.option("--types", default=None, help="Comma-separated labels to keep, e.g. Model,Dataset.")
@click.option(
    "--min-weight",
    type=click.IntRange(0),
    default=2,
    show_default=True,
    help="Drop CO_MENTIONED edges lighter than this.",
)
@click.option(
    "--top",
    type=click.IntRange(1),
    default=None,
    help="Keep at most this many nodes, the best connected first "
    "(default: 150 in the overview, 300 otherwise).",
)
@_store_options
@_library_errors
def view_command(
    output: str,
    graph_file: str,
    from_db: bool,
    cypher: str | None,
    entity: str | None,
    depth: int,
    types: str | None,
    min_weight: int,
    top: int | None,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    """Write an interactive HTML view that opens offline from a file."""
    if cypher and not from_db:
        raise click.UsageError("--cypher reads from the store; add --from-db")
    if from_db:
        query = load_query(Path(cypher)) if cypher else None  # refuses writes, like kg query
        config = _config(uri, user, password, database)
        if entity is not None and query is None:
            graph = read_ego_graph(config, entity, depth, min_weight)
        else:
            graph = read_subgraph(config, query.cypher if query else None, source=cypher or "")
    else:
        graph = load_graph_file(graph_file)
    wanted = [t.strip() for t in types.split(",") if t.strip()] if types else None
    report = write_view(
        graph, output, entity=entity, depth=depth, types=wanted, min_weight=min_weight, top=top
    )
    _echo(report.summary(), err=output == STDOUT)


def _graph_source(command: F) -> F:
    """``--graph FILE`` or ``--from-db`` (plus the store options): where a command reads a graph."""
    command = click.option(
        "--from-db", is_flag=True, help="Read the graph from the store instead of --graph."
    )(command)
    return click.option(
        "--graph",
        "graph_file",
        default="build/graph.json",
        show_default=True,
        type=click.Path(dir_okay=False),
        help="The saved graph to read.",
    )(command)


def _read_graph(graph_file: str, from_db: bool, store: tuple[Any, ...]) -> Any:
    if from_db:
        return read_timeline_graph(_config(*store))
    return load_graph_file(graph_file)


@main.command("trends")
@_graph_source
@click.option(
    "--type",
    "label",
    type=click.Choice([*ENTITY_LABELS, "all"]),
    default="Model",
    show_default=True,
    help="Chart the top entities of this type.",
)
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option(
    "--entity",
    "names",
    multiple=True,
    help="Chart this entity (key, name or alias) instead of the top ones; repeat for more.",
)
@click.option(
    "--by",
    "granularity",
    type=click.Choice(["auto", "year", "month"]),
    default="auto",
    show_default=True,
    help="Count per year or per month (auto: years when the papers span three or more).",
)
@click.option(
    "-o", "--output", default="trends.html", show_default=True, help="The HTML chart to write."
)
@click.option(
    "--image",
    default=None,
    help="Also write a still chart (.png or .svg); default: the output's name with .png.",
)
@click.option("--no-image", is_flag=True, help="Write only the HTML chart.")
@_store_options
@_library_errors
def trends_command(
    graph_file: str,
    from_db: bool,
    label: str,
    top: int,
    names: tuple[str, ...],
    granularity: str,
    output: str,
    image: str | None,
    no_image: bool,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    """Chart mentions over time of the top entities (or named ones) and rank the rising ones."""
    graph = _read_graph(graph_file, from_db, (uri, user, password, database))
    image_path = None if no_image else (image or str(Path(output).with_suffix(".png")))
    report = write_trends(
        graph,
        output,
        image_path,
        label=None if label == "all" else label,
        top=top,
        names=names,
        granularity=granularity,  # type: ignore[arg-type]
    )
    click.echo(report.summary())
    click.echo(f"wrote {output}" + (f" and {image_path}" if image_path else ""))


@main.command("digest")
@click.option("--since", required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--until", default=None, help="Last day (YYYY-MM-DD); default: the newest paper.")
@_graph_source
@click.option(
    "-o",
    "--output",
    default="digest.md",
    show_default=True,
    help="Markdown (.md) or HTML (.html) file to write.",
)
@_store_options
@_library_errors
def digest_command(
    since: str,
    until: str | None,
    graph_file: str,
    from_db: bool,
    output: str,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    """What is new in a period: introduced models and datasets with their claims and evidence."""
    first = parse_day(since, "--since")
    last = parse_day(until, "--until") if until else None
    graph = _read_graph(graph_file, from_db, (uri, user, password, database))
    digest = write_digest(graph, output, first, last)
    click.echo(digest.summary())
    click.echo(f"wrote {output}")


@main.command("export")
@click.argument("graph_file", type=click.Path(dir_okay=False))
@click.option("--graphml", type=click.Path(dir_okay=False), help="Write GraphML (for Gephi) here.")
@click.option(
    "--neo4j-csv",
    type=click.Path(file_okay=False),
    help="Write CSV files for neo4j-admin database import into this directory.",
)
@click.option(
    "--shards",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Write the CSV as this many shards (each file with its own header).",
)
@click.option(
    "--shard",
    type=click.IntRange(0),
    help="Write only this shard (0 .. shards-1), as one worker of several does.",
)
@_library_errors
def export_command(
    graph_file: str, graphml: str | None, neo4j_csv: str | None, shards: int, shard: int | None
) -> None:
    """Export a saved graph as GraphML or neo4j-admin import CSV.

    The CSV is written streaming the graph file, so it works for graphs too big
    to load; import.sh is written once every shard is in the directory.
    """
    if not graphml and not neo4j_csv:
        raise click.UsageError("say what to export: --graphml FILE and/or --neo4j-csv DIR")
    if shard is not None and shard >= shards:
        raise click.UsageError(f"--shard must be below --shards ({shards}); got {shard}")
    if (shards > 1 or shard is not None) and not neo4j_csv:
        raise click.UsageError("--shards and --shard apply to --neo4j-csv; add --neo4j-csv DIR")
    if graphml:
        _echo(f"wrote {write_graphml(load_graph_file(graph_file), graphml)}")
    if neo4j_csv:
        validate_graph_file(graph_file)  # a broken file writes nothing
        files = export_neo4j_csv(graph_file, neo4j_csv, shards=shards, shard=shard)
        script = [path.name for path in files if path.name == "import.sh"]
        then = f"run {script[0]} to import" if script else "import.sh comes with the last shard"
        _echo(f"wrote {len(files)} files to {neo4j_csv} ({then})")
