"""The ``kg`` command line: a thin click layer over the library.

Each command parses options, calls one library function and reports. Library
errors (:class:`kg.errors.KgError`) become ``click.ClickException`` so users
see a one-line message that says how to fix the problem, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import IO, Any, TypeVar

import click

from kg import __version__
from kg.errors import KgError
from kg.ingest import FORMATS, IngestReport, ingest

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
    inputs: tuple[str, ...], output: IO[str], fmt: str | None, on_error: str
) -> None:
    """Read papers from INPUTS (files, or - for stdin) into normalized JSON Lines.

    INPUTS may be arXiv-style listings, paper-page dumps, JSON Lines, JSON
    arrays, CSV or TSV, each optionally gzip-compressed.
    """
    with _progress_bar("Reading") as progress:
        report = ingest(list(inputs), output, fmt=fmt, on_error=on_error, progress=progress)  # type: ignore[arg-type]
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
