"""Input partitions: what one Dask task reads, planned on the client, read on a worker.

A whole file is one partition, except a large plain (uncompressed, LF) JSON
Lines file, which is cut into byte ranges. A line belongs to the range that
holds its first byte, so every line is read exactly once whatever the cut.
Line numbers (which ``sources`` and skipped-record messages carry) must be the
file's own: a range's first line number is one plus the lines before it, which
small tasks count on the workers (``count_newlines``) before the range is read.
Gzip files are read whole: a gzip stream cannot be entered in the middle.

Everything here runs in plain Python; the functions that run on workers take
and return picklable values only (KgErrors are returned as data, since their
constructors take more than the message).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import BinaryIO

from kg.errors import InputError, RecordError
from kg.ingest import OnError, Skipped, read_items
from kg.ingest.sniff import sniff_format
from kg.ingest.textio import InputFile, is_url
from kg.model import Paper

#: Bytes per partition of a large JSON Lines file: ~20k abstracts, a few seconds of reading.
PARTITION_BYTES = 32 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Partition:
    """Lines ``[start, end)`` (by first byte; ``end`` None: to the end) of one input."""

    path: str  #: what a worker opens: an absolute path or an fsspec URL
    name: str  #: the input as the user typed it, for messages and ``sources``
    fmt: str
    start: int = 0
    end: int | None = None
    size: int = 0  #: bytes of the range, for the progress bar


@dataclass(frozen=True)
class PlannedInput:
    """One input's partitions, or the InputError that makes it unreadable as a whole."""

    name: str
    partitions: tuple[Partition, ...] = ()
    error: Skipped | None = None


@dataclass
class PartitionResult:
    """A partition's records, in order, and the ones skipped (with why)."""

    papers: list[Paper] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: True when reading stopped at the first bad record (``on_error="fail"``).
    failed: bool = False


def plan_input(path: str, fmt: str | None, partition_bytes: int) -> PlannedInput:
    """Open ``path`` on the client, sniff its format, and cut it into partitions."""
    target = path if is_url(path) else os.path.abspath(path)
    try:
        with InputFile(target, name=path) as source:
            name = fmt or sniff_format(source)
            size = source.size() or 0
            whole = name != "jsonl" or source.compressed or source.cr_only
    except InputError as error:
        return PlannedInput(path, error=Skipped(error.path, None, error.reason))
    if whole or size <= partition_bytes:
        return PlannedInput(path, (Partition(target, path, name, size=size),))
    starts = list(range(0, size, partition_bytes))
    ends: list[int | None] = [*starts[1:], None]
    parts = tuple(
        Partition(target, path, name, start, end, (end or size) - start)
        for start, end in zip(starts, ends, strict=True)
    )
    return PlannedInput(path, parts)


def count_newlines(part: Partition) -> int:
    """Line breaks in bytes ``[start - 1, end - 1)``: the partitions' sum numbers the next one.

    Lines starting before byte ``s > 0`` are one plus the newlines in
    ``[0, s - 1)``; summed over the earlier ranges that is exactly this count.
    """
    assert part.end is not None, "the last range numbers no later one"
    begin = max(part.start - 1, 0)
    left = part.end - 1 - begin
    count = 0
    with _open_bytes(part.path) as handle:
        handle.seek(begin)
        while left > 0:
            data = handle.read(min(_CHUNK, left))
            if not data:
                break
            count += data.count(b"\n")
            left -= len(data)
    return count


def read_partition(part: Partition, on_error: OnError, *counts: int) -> PartitionResult:
    """Read one partition's records on a worker; ``counts`` are the earlier ranges' newlines."""
    first_line = 1 if part.start == 0 else 2 + sum(counts)
    result = PartitionResult()
    try:
        with InputFile(
            part.path, name=part.name, start=part.start, end=part.end, first_line=first_line
        ) as source:
            for item in read_items(source, part.fmt):
                if isinstance(item, RecordError):
                    result.skipped.append(Skipped(item.path, item.line, item.reason))
                    if on_error == "fail":
                        result.failed = True
                        return result
                    continue
                result.papers.append(item)
    except InputError as error:
        result.skipped.append(Skipped(error.path, None, error.reason))
        result.failed = on_error == "fail"
    return result


def _open_bytes(path: str) -> BinaryIO:
    if is_url(path):
        import fsspec

        handle: BinaryIO = fsspec.open(path, "rb").open()
        return handle
    return open(path, "rb")


def raise_skipped(skipped: Skipped) -> None:
    """Raise the KgError a local run raises for ``skipped`` under ``on_error="fail"``."""
    if skipped.line is None:
        raise InputError(skipped.file, skipped.reason)
    raise RecordError(skipped.file, skipped.line, skipped.reason)
