"""Pick an input's format from its first bytes.

Extensions lie (``.txt`` holds listings and page dumps alike, and gzip hides
everything), so kg looks at the content. ``--format`` overrides the guess.
"""

from __future__ import annotations

import json

from kg.errors import InputError
from kg.ingest.listing import looks_like_listing
from kg.ingest.mapping import TITLE_FIELDS
from kg.ingest.pages import looks_like_pages
from kg.ingest.tabular import has_paper_columns, header_fields
from kg.ingest.textio import InputFile

#: Every format kg reads, in the order ``--help`` lists them.
FORMATS: tuple[str, ...] = ("listing", "pages", "jsonl", "json", "csv", "tsv")

SUPPORTED = (
    "arXiv-style listings (listing), paper-page dumps (pages), JSON Lines (jsonl), "
    "JSON arrays (json), CSV (csv) and TSV (tsv), each optionally gzip-compressed"
)


def sniff_format(source: InputFile) -> str:
    """Return the format name of ``source`` or raise InputError saying why none fits."""
    head = source.head
    if not head.strip():
        raise InputError(source.name, "the file is empty; there is nothing to ingest")
    if b"\x00" in head:
        raise InputError(
            source.name,
            f"looks like binary data (it contains NUL bytes), not text; kg reads {SUPPORTED}",
        )
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:  # only non-ASCII white space, such as NBSP or U+3000
        raise InputError(source.name, "the file is empty; there is nothing to ingest")
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{") and _first_line_is_object(lines[0]):
        return "jsonl"
    if looks_like_pages(lines):
        return "pages"
    if looks_like_listing(lines):
        return "listing"
    for delimiter, name in (("\t", "tsv"), (",", "csv")):
        if delimiter in lines[0] and has_paper_columns(header_fields(lines[0], delimiter)):
            return name
    for delimiter, name in (("\t", "tsv"), (",", "csv")):
        if delimiter in lines[0]:
            _refuse_half_a_header(source.name, name, header_fields(lines[0], delimiter))
    raise InputError(
        source.name,
        f"cannot tell the format from the content (starts with {lines[0][:40]!r}); kg reads "
        f"{SUPPORTED}; pass --format NAME if the file is one of these",
    )


def _first_line_is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (json.JSONDecodeError, RecursionError):
        return True  # a broken first record is still JSON Lines; the reader reports it


def _refuse_half_a_header(name: str, kind: str, fields: list[str]) -> None:
    """A header with a title column but no abstract column is a table that lacks one."""
    if not any(field in TITLE_FIELDS for field in fields):
        return
    raise InputError(
        name,
        f"looks like {kind.upper()} but has no abstract column; columns are: "
        f"{', '.join(fields)}; name the abstract column 'abstract' (or 'summary')",
    )
