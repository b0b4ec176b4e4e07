"""Ingest: read every supported input format into deduplicated :class:`~kg.model.Paper` objects.

``read_papers`` is what later stages call; ``ingest`` writes the papers to a
JSON Lines file for ``kg ingest``. Both fill an :class:`IngestReport` so the
caller can tell the user how many records were read, merged and skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Literal

from kg.errors import InputError, RecordError, UsageError
from kg.ingest.dedupe import PaperSpool
from kg.ingest.jsonfmt import read_json_array, read_json_lines
from kg.ingest.listing import read_listing
from kg.ingest.pages import read_pages
from kg.ingest.records import Items
from kg.ingest.sniff import FORMATS, SUPPORTED, sniff_format
from kg.ingest.tabular import read_csv, read_tsv
from kg.ingest.textio import InputFile
from kg.model import Paper
from kg.terminal import json_safe

__all__ = [
    "FORMATS",
    "IngestReport",
    "Skipped",
    "check_options",
    "ingest",
    "merge_duplicates",
    "read_items",
    "read_papers",
    "read_records",
]

OnError = Literal["fail", "skip"]
#: ``progress(bytes_done, bytes_total)``; total is 0 when unknown (stdin).
Progress = Callable[[int, int], None]

_READERS: dict[str, Callable[[InputFile], Items]] = {
    "listing": read_listing,
    "pages": read_pages,
    "jsonl": read_json_lines,
    "json": read_json_array,
    "csv": read_csv,
    "tsv": read_tsv,
}


@dataclass(frozen=True)
class Skipped:
    """A record (or whole input, when ``line`` is None) that was skipped, and why."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass
class IngestReport:
    """What ingest did: the numbers for the summary line, and every skipped record.

    ``records`` counts every record read, the skipped ones included, so that
    ``records == papers + merged + len(skipped)``.
    """

    records: int = 0
    papers: int = 0
    merged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)


def read_records(
    inputs: Sequence[str],
    *,
    fmt: str | None = None,
    on_error: OnError = "fail",
    report: IngestReport | None = None,
    progress: Progress | None = None,
) -> Iterator[Paper]:
    """Stream every record of ``inputs`` as a Paper, without merging duplicates.

    With ``on_error="fail"`` the first bad record raises its RecordError (or
    InputError for a whole file); with ``"skip"`` it is added to
    ``report.skipped`` and reading goes on.
    """
    check_options(fmt, on_error)
    report = report if report is not None else IngestReport()
    meter = _Meter(inputs, progress)
    for path in inputs:
        try:
            with InputFile(path, meter.advance) as source:
                yield from _read_one(source, fmt, on_error, report)
        except InputError as error:
            if on_error == "fail":
                raise
            report.skipped.append(Skipped(error.path, None, error.reason))


def read_papers(
    inputs: Sequence[str],
    *,
    fmt: str | None = None,
    on_error: OnError = "fail",
    report: IngestReport | None = None,
    progress: Progress | None = None,
) -> Iterator[Paper]:
    """Stream the papers of ``inputs`` with duplicates merged, in first-seen order.

    All inputs are read before the first paper is yielded (a duplicate may
    come last), so ``report`` is complete by then.
    """
    report = report if report is not None else IngestReport()
    records = read_records(inputs, fmt=fmt, on_error=on_error, report=report, progress=progress)
    yield from merge_duplicates(records, report)


def merge_duplicates(records: Iterable[Paper], report: IngestReport) -> Iterator[Paper]:
    """Merge the duplicates among ``records`` (all of them read first); yield first-seen order.

    ``report.skipped`` must already list the skipped records: the counts are
    filled in before the first paper is yielded. The Dask path
    (:mod:`kg.distributed`) feeds it the records of every partition in input
    order, so that it merges and names papers exactly as a local run does.
    """
    with PaperSpool() as spool:
        for paper in records:
            spool.add(paper)
        # Every record counts, good or bad (an unreadable file counts as one), so
        # records = papers + merged + skipped and no record goes unreported.
        report.records = spool.records + len(report.skipped)
        report.merged = spool.merged
        report.papers = len(spool)
        yield from spool


def ingest(
    inputs: Sequence[str],
    output: IO[str],
    *,
    fmt: str | None = None,
    on_error: OnError = "fail",
    progress: Progress | None = None,
) -> IngestReport:
    """Read ``inputs`` and write one normalized paper per line to ``output``."""
    report = IngestReport()
    write_papers(
        read_papers(inputs, fmt=fmt, on_error=on_error, report=report, progress=progress), output
    )
    return report


def write_papers(papers: Iterable[Paper], output: IO[str]) -> int:
    """Write papers as JSON Lines; returns how many were written.

    Control characters are JSON escapes (:func:`kg.terminal.json_safe`), so the
    lines are safe to show on a terminal and decode to the same text.
    """
    count = 0
    for paper in papers:
        output.write(json_safe(json.dumps(paper.to_json(), ensure_ascii=False)) + "\n")
        count += 1
    return count


def _read_one(
    source: InputFile, fmt: str | None, on_error: OnError, report: IngestReport
) -> Iterator[Paper]:
    name = fmt or sniff_format(source)
    report.formats[source.name] = name
    for item in read_items(source, name):
        if isinstance(item, RecordError):
            if on_error == "fail":
                raise item
            report.skipped.append(Skipped(item.path, item.line, item.reason))
            continue
        yield item


def check_options(fmt: str | None, on_error: str) -> None:
    if fmt is not None and fmt not in _READERS:
        raise UsageError(
            f"unknown format {fmt!r}; kg reads {SUPPORTED}: use one of {', '.join(FORMATS)}"
        )
    if on_error not in ("fail", "skip"):
        raise UsageError(f"unknown on_error {on_error!r}; use 'fail' or 'skip'")


def read_items(source: InputFile, fmt: str) -> Items:
    """The records of ``source`` read as format ``fmt``: Papers and RecordErrors, in order."""
    return _READERS[fmt](source)


class _Meter:
    """Add up bytes read across all inputs for one progress bar."""

    def __init__(self, inputs: Sequence[str], progress: Progress | None) -> None:
        self._progress = progress
        self._done = 0
        self._total = sum(_size(path) for path in inputs) if progress else 0

    def advance(self, count: int) -> None:
        self._done += count
        if self._progress is not None:
            self._progress(self._done, self._total)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path) if path != "-" else 0
    except OSError:
        return 0
