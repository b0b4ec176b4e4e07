"""Read CSV and TSV files whose header row names the abstract (and title) columns.

Column names are matched without regard to case or surrounding space, so
``Title``, ``ABSTRACT`` and ``summary`` all work. Quoted fields may span lines;
a record's line number is the line it starts on.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator

from kg.errors import RecordError
from kg.ingest.mapping import ABSTRACT_FIELDS, paper_from_mapping
from kg.ingest.records import Items
from kg.ingest.textio import MAX_LINE_BYTES, InputFile, Line

csv.field_size_limit(min(sys.maxsize, MAX_LINE_BYTES))


def header_fields(first_line: str, delimiter: str) -> list[str]:
    """The normalized column names of a header line."""
    return [field.strip().lower() for field in next(csv.reader([first_line], delimiter=delimiter))]


def has_paper_columns(fields: list[str]) -> bool:
    """A paper table needs an abstract column; the title column is optional."""
    return any(f in ABSTRACT_FIELDS for f in fields)


def read_csv(source: InputFile) -> Items:
    return _read(source, ",")


def read_tsv(source: InputFile) -> Items:
    return _read(source, "\t")


def _read(source: InputFile, delimiter: str) -> Items:
    lines = _LineFeed(source.name, source.lines())
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = [field.strip().lower() for field in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield RecordError(source.name, 1, f"cannot read the header row ({exc})")
        return
    if not has_paper_columns(header):
        yield RecordError(
            source.name,
            1,
            f"the header row has no abstract column (found: {', '.join(header)}); "
            "name it 'abstract' (or 'summary'); a 'title' column is optional",
        )
        return
    while True:
        start = lines.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(source.name, start, f"malformed {_kind(delimiter)} row ({exc})")
            continue
        if lines.errors:
            yield lines.errors.pop(0)
            lines.errors.clear()
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield RecordError(
                source.name,
                start,
                f"row has {len(row)} fields but the header has {len(header)}; "
                "quote fields that contain the delimiter",
            )
            continue
        yield paper_from_mapping(dict(zip(header, row, strict=True)), source.name, start)


def _kind(delimiter: str) -> str:
    return "TSV" if delimiter == "\t" else "CSV"


class _LineFeed:
    """Feed decoded lines to csv.reader, remembering the line number and bad lines."""

    def __init__(self, name: str, lines: Iterator[Line]) -> None:
        self._lines = lines
        self._name = name
        self.number = 0
        self.errors: list[RecordError] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number = line.number
        if line.error:
            self.errors.append(RecordError(self._name, line.number, line.error))
            return "\n"
        return line.text + "\n"
