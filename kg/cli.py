"""The ``kg`` command line: a thin click layer over the library.

Each command parses options, calls one library function and reports. Library
errors (:class:`kg.errors.KgError`) become ``click.ClickException`` so users
see a one-line message that says how to fix the problem, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import IO, Any, TypeVar

import click

from kg import __version__
from kg.errors import KgError
from kg.evaluate import evaluate, read_gold
from kg.extract import extract_papers, write_extractions
from kg.ingest import FORMATS, IngestReport, OnError, ingest, read_papers

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
        except KgError as error:
            raise click.ClickException(str(error)) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build a knowledge graph of ML research from paper abstracts."""


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Input format; detected from the content when omitted.",
)
_on_error_option = click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="Stop at the first bad record, or skip it and list it in the summary.",
)


@main.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8", atomic=True),
    default="-",
    show_default=True,
    help="Where to write the papers as JSON Lines.",
)
@_format_option
@_on_error_option
@_library_errors
def ingest_command(
    inputs: tuple[str, ...], output: IO[str], fmt: str | None, on_error: OnError
) -> None:
    """Read papers from INPUTS (files, or - for stdin) into normalized JSON Lines.

    INPUTS may be arXiv-style listings, paper-page dumps, JSON Lines, JSON
    arrays, CSV or TSV, each optionally gzip-compressed.
    """
    with _progress_bar("Reading") as progress:
        report = ingest(list(inputs), output, fmt=fmt, on_error=on_error, progress=progress)
    _print_ingest_summary(report)
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


def _print_ingest_summary(report: IngestReport) -> None:
    click.echo(
        f"records read: {report.records:,}  papers: {report.papers:,}  "
        f"duplicates merged: {report.merged:,}  skipped: {len(report.skipped):,}",
        err=True,
    )
    for skipped in report.skipped:
        click.echo(f"  skipped {skipped}", err=True)


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that draws a bar on stderr once the input is big enough."""
    bars: list[Any] = []
    shown = [0]

    def update(done: int, total: int) -> None:
        if not bars:
            if total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
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
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8", atomic=True),
    default="-",
    show_default=True,
    help="Where to write one extraction record per paper (JSON Lines).",
)
@_format_option
@_on_error_option
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for large inputs.")  # fmt: skip
@click.option(
    "--spacy-model", default=None, help="Also use an installed trained spaCy pipeline's NER."
)
@_library_errors
def extract_command(
    inputs: tuple[str, ...],
    output: IO[str],
    fmt: str | None,
    on_error: OnError,
    workers: int,
    spacy_model: str | None,
) -> None:
    """Find models, datasets, organizations and languages in the papers of INPUTS.

    INPUTS are anything `kg ingest` reads, including its papers.jsonl.
    """
    report = IngestReport()
    with _progress_bar("Reading") as progress:
        papers = read_papers(
            list(inputs), fmt=fmt, on_error=on_error, report=report, progress=progress
        )
        written = write_extractions(
            extract_papers(papers, workers=workers, spacy_model=spacy_model), output
        )
    _print_ingest_summary(report)
    click.echo(f"extractions written: {written:,}", err=True)
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


@main.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--spans", is_flag=True, help="Also score mention spans, exact and overlapping.")
@click.option("--format", "out_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@_library_errors
def eval_command(gold: str, spans: bool, out_format: str) -> None:
    """Score extraction against a GOLD JSON Lines file (P/R/F1 per type and micro)."""
    report = evaluate(read_gold(gold), spans=spans)
    data = report.to_json()
    if out_format == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"documents: {data['documents']}")
    click.echo(f"{'type':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'tp':>6}{'fp':>6}{'fn':>6}")
    rows = list(data["entities"].items())
    if spans:
        rows += [(f"spans:{name}", scores) for name, scores in data["spans"].items()]
    for name, scores in rows:
        click.echo(
            f"{name:<14}{scores['precision']:>10.3f}{scores['recall']:>10.3f}{scores['f1']:>10.3f}"
            f"{scores['tp']:>6}{scores['fp']:>6}{scores['fn']:>6}"
        )
