"""Read JSON Lines (one object per line) and JSON arrays of objects.

A JSON array is decoded one element at a time with ``raw_decode`` over a
sliding text buffer fed in chunks, so a multi-GB array (even one written on a
single line) needs no more memory than its largest element.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from kg.errors import RecordError
from kg.ingest.mapping import paper_from_mapping
from kg.ingest.records import Item, Items
from kg.ingest.textio import MAX_LINE_BYTES, InputFile, Line

_DECODER = json.JSONDecoder()
#: A ``\uD800``-``\uDFFF`` escape: JSON allows it unpaired, UTF-8 cannot hold the result.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_CLOSED = "the JSON array is not closed with ']'; was the file cut short?"


def read_json_lines(source: InputFile) -> Items:
    """Yield one Paper (or RecordError) per non-blank line."""
    for line in source.lines():
        if line.error:
            yield RecordError(source.name, line.number, line.error)
        elif line.text.strip():
            yield _from_line(source.name, line)


def read_json_array(source: InputFile) -> Items:
    """Yield one Paper (or RecordError) per element of a top-level JSON array."""
    try:
        yield from _ArrayReader(source).items()
    except RecordError as error:  # undecodable bytes: the rest of the array cannot be trusted
        yield error


def _from_line(name: str, line: Line) -> Item:
    try:
        value = json.loads(line.text)
    except json.JSONDecodeError as exc:
        return RecordError(
            name,
            line.number,
            f"invalid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object",
        )
    if _SURROGATE_ESCAPE.search(line.text):
        value = replace_lone_surrogates(value)
    return _from_value(name, line.number, value)


def replace_lone_surrogates(value: Any) -> Any:
    """``value`` with every unpaired UTF-16 surrogate in its strings replaced by U+FFFD.

    ``json`` decodes an escape such as ``\ud800`` without its pair into a
    string that no UTF-8 file or database can store, which would stop the
    build far from the input line; one replacement character keeps the paper.
    (A proper pair, ``\ud83d\ude00``, decodes to one character and is kept.)
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [replace_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            replace_lone_surrogates(key): replace_lone_surrogates(item)
            for key, item in value.items()
        }
    return value


def _from_value(name: str, number: int, value: Any) -> Item:
    if not isinstance(value, dict):
        return RecordError(
            name,
            number,
            f"expected a JSON object with title and abstract, found a {type(value).__name__}",
        )
    return paper_from_mapping(value, name, number)


class _ArrayReader:
    """Decode ``[ {...}, {...} ]`` element by element from chunks of text.

    ``_pos`` walks through ``_buffer``; the consumed head is dropped only when a
    new chunk arrives, so each element costs O(its size), not O(buffer size).
    """

    def __init__(self, source: InputFile) -> None:
        self._name = source.name
        self._chunks: Iterator[str] = source.chunks()
        self._buffer = ""
        self._pos = 0
        self._line = 1  # line number at self._pos

    def items(self) -> Items:
        if self._peek() != "[":
            yield self._error("expected a JSON array starting with '['")
            return
        self._advance(1)
        while True:
            char = self._peek()
            if char is None:
                yield self._error(_NOT_CLOSED)
                return
            if char == "]":
                return
            element = self._decode_element()
            if isinstance(element, RecordError):
                yield element
                return
            yield _from_value(self._name, *element)
            char = self._peek()
            if char == ",":
                self._advance(1)
            elif char is None:
                yield self._error(_NOT_CLOSED)
                return
            elif char != "]":
                yield self._error(f"expected ',' or ']' after an array element, found {char!r}")
                return

    def _decode_element(self) -> tuple[int, Any] | RecordError:
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                too_big = len(self._buffer) - self._pos > MAX_LINE_BYTES
                if too_big or not self._fill():
                    return self._error(
                        f"invalid JSON ({exc.msg}) in the array element starting here"
                    )
                continue
            number = self._line
            if _SURROGATE_ESCAPE.search(self._buffer, self._pos, end):
                value = replace_lone_surrogates(value)
            self._advance(end - self._pos)
            return number, value

    def _peek(self) -> str | None:
        """The next non-space character (not consumed), or None at the end of input."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos].isspace():
                self._advance(1)
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return None

    def _fill(self) -> bool:
        chunk = next(self._chunks, None)
        if chunk is None:
            return False
        self._buffer = self._buffer[self._pos :] + chunk
        self._pos = 0
        return True

    def _advance(self, count: int) -> None:
        self._line += self._buffer.count("\n", self._pos, self._pos + count)
        self._pos += count

    def _error(self, reason: str) -> RecordError:
        return RecordError(self._name, self._line, reason)
