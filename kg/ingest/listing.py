"""Read arXiv-style listings: three lines per paper.

::

    CLOct 10, 2023Code                      <class><date>[Code]
    Mistral 7BAlbert Q. Jiang, ... · cambridge   <title><authors>[ · <org tags>]
    We introduce Mistral 7B, a 7-billion...      <abstract>

Blank lines between records are tolerated. After a bad record the reader
resynchronizes on the next header line, so one damaged record costs one record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.errors import RecordError
from kg.ingest.authors import split_title_authors
from kg.ingest.categories import listing_category
from kg.ingest.dates import parse_date
from kg.ingest.records import Items
from kg.ingest.textio import InputFile, Line
from kg.model import Paper, Source, collapse_space, has_visible, title_hash_id

HEADER = re.compile(
    r"^(?P<cls>[A-Z]{2,4}?)"
    r"(?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}(?:, \d{4})?)"
    r"(?P<code>Code)?$"
)
HEADER_EXAMPLE = "'CLOct 27, 2022Code' (class, date, optional Code)"


def looks_like_listing(first_lines: list[str]) -> bool:
    """True when the first non-blank line is a listing header."""
    return bool(first_lines) and HEADER.match(first_lines[0].strip()) is not None


def read_listing(source: InputFile) -> Items:
    """Yield one Paper (or RecordError) per three-line record."""
    lines = _NonBlank(source.lines())
    for header in lines:
        if header.error:
            yield RecordError(source.name, header.number, header.error)
            continue
        match = HEADER.match(header.text.strip())
        if match is None:
            yield RecordError(
                source.name,
                header.number,
                f"expected a listing header like {HEADER_EXAMPLE}, found "
                f"{_preview(header.text)}; fix the line or use --on-error skip",
            )
            lines.skip_to_header()
            continue
        yield _read_body(source.name, header, match, lines)


def _read_body(
    name: str, header: Line, match: re.Match[str], lines: _NonBlank
) -> Paper | RecordError:
    title_line = lines.take_unless_header()
    abstract_line = lines.take_unless_header() if title_line and not title_line.error else None
    for line in (title_line, abstract_line):
        if line is not None and line.error:
            return RecordError(name, line.number, line.error)
    if title_line is None:
        return _missing(name, header, lines, "title/authors line")
    split = split_title_authors(collapse_space(title_line.text))
    if split is None:
        return RecordError(
            name,
            title_line.number,
            "cannot tell where the title ends and the authors begin; expected "
            "'<title><First Author>, <Second Author> ...'",
        )
    if not has_visible(split.title):
        return RecordError(
            name,
            title_line.number,
            "record has no title: only invisible characters precede "
            "the authors; add the title or remove the record",
        )
    if abstract_line is None:
        return _missing(name, header, lines, "abstract line")
    return Paper(
        id=title_hash_id(split.title),
        title=split.title,
        abstract=collapse_space(abstract_line.text),
        authors=split.authors,
        org_tags=split.org_tags,
        categories=[listing_category(match.group("cls"))],
        raw_categories=[match.group("cls")],
        date=parse_date(match.group("date")),
        has_code=match.group("code") is not None,
        sources=[Source(name, header.number)],
    )


def _missing(name: str, header: Line, lines: _NonBlank, what: str) -> RecordError:
    if lines.exhausted:
        reason = f"truncated record: the file ends before its {what}; was the file cut short?"
    else:
        reason = (
            f"record has no {what.replace(' line', '')}: the next record starts before it; "
            f"add the missing line or remove the record"
        )
    return RecordError(name, header.number, reason)


class _NonBlank:
    """Lines without the blank ones, with a one-line push-back for resynchronizing."""

    def __init__(self, lines: Iterator[Line]) -> None:
        self._lines = (line for line in lines if line.error or has_visible(line.text))
        self._pushed: Line | None = None
        self.exhausted = False

    def __iter__(self) -> Iterator[Line]:
        return self

    def __next__(self) -> Line:
        if self._pushed is not None:
            line, self._pushed = self._pushed, None
            return line
        return next(self._lines)

    def skip_to_header(self) -> None:
        """Drop the rest of a broken record: every line up to the next header."""
        while self.take_unless_header() is not None:
            pass

    def take_unless_header(self) -> Line | None:
        """The next line, unless it starts a new record (then it is pushed back)."""
        line = next(self, None)
        self.exhausted = line is None
        if line is not None and not line.error and HEADER.match(line.text.strip()):
            self._pushed = line
            return None
        return line


def _preview(text: str, width: int = 60) -> str:
    text = collapse_space(text)
    return repr(text if len(text) <= width else text[:width] + "...")
