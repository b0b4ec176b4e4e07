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
from kg.ingest.textio import ICONV, MAX_LINE_BYTES, InputFile, Line

_DECODER = json.JSONDecoder()
#: A ``\uD800``-``\uDFFF`` escape: JSON allows it unpaired, UTF-8 cannot hold the result.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: An undecodable byte, as ``chunks(keep_bad_bytes=True)`` hands it over.
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_NOT_CLOSED = "the JSON array is not closed with ']'; was the file cut short?"
NESTED_TOO_DEEP = (
    "the JSON is nested too deeply to read (a paper record needs only a few levels); "
    "fix or remove the record"
)
#: What matters when stepping over an element that does not decode.
_STRUCTURE = re.compile(r'["\[\]{},]')
_STRING_END = re.compile(r'["\\]')


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
    except RecordError as error:  # a damaged gzip stream: nothing after it can be read
        yield error


def _from_line(name: str, line: Line) -> Item:
    try:
        value = json.loads(line.text)
        if _SURROGATE_ESCAPE.search(line.text):
            value = replace_lone_surrogates(value)
    except json.JSONDecodeError as exc:
        return RecordError(
            name,
            line.number,
            f"invalid JSON ({_json_problem(exc)} at column {exc.colno}); "
            "each line must be one JSON object",
        )
    except RecursionError:
        return RecordError(name, line.number, NESTED_TOO_DEEP)
    return _from_value(name, line.number, value)


def _json_problem(exc: json.JSONDecodeError) -> str:
    """The decoder's message without a dangling "at" ("Invalid control character at")."""
    return exc.msg.removesuffix(" at")


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
        self._chunks: Iterator[str] = source.chunks(keep_bad_bytes=True)
        self._buffer = ""
        self._pos = 0
        self._line = 1  # line number at self._pos
        self._column = 1  # column number at self._pos

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
                yield from self._after_the_array()
                return
            element = self._decode_element()
            if isinstance(element, RecordError):
                yield element
                self._skip_element()
            else:
                yield _from_value(self._name, *element)
            char = self._peek()
            if char not in (",", "]", None):
                yield self._error(f"expected ',' or ']' after an array element, found {char!r}")
                self._skip_element()
                char = self._peek()
            if char == ",":
                self._advance(1)
            elif char is None:
                if not isinstance(element, RecordError):  # a broken last element says enough
                    yield self._error(_NOT_CLOSED)
                return

    def _after_the_array(self) -> Items:
        """Nothing may follow the closing ']': records there would be lost unreported."""
        self._advance(1)
        char = self._peek()
        if char is not None:
            yield self._error(
                f"found {char!r} after the JSON array's closing ']'; a JSON file holds one "
                "array: join the arrays, or use JSON Lines (one object per line)"
            )

    def _decode_element(self) -> tuple[int, Any] | RecordError:
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._pos)
                if _SURROGATE_ESCAPE.search(self._buffer, self._pos, end):
                    value = replace_lone_surrogates(value)
            except json.JSONDecodeError as exc:
                too_big = len(self._buffer) - self._pos > MAX_LINE_BYTES
                if too_big or not self._fill():
                    bad_byte = _BAD_BYTE.search(self._buffer, self._pos, exc.pos + 1)
                    if bad_byte is not None:
                        return self._bad_byte_error(bad_byte.start())
                    return self._error(
                        f"invalid JSON ({_json_problem(exc)} at {self._where(exc.pos)}) "
                        "in this array element; fix or remove the element"
                    )
                continue
            except RecursionError:
                return self._error(NESTED_TOO_DEEP)
            number = self._line
            bad_byte = _BAD_BYTE.search(self._buffer, self._pos, end)
            if bad_byte is not None:
                return self._bad_byte_error(bad_byte.start())
            self._advance(end - self._pos)
            return number, value

    def _bad_byte_error(self, pos: int) -> RecordError:
        byte = ord(self._buffer[pos]) - 0xDC00
        return self._error(
            f"invalid UTF-8 byte 0x{byte:02x} at {self._where(pos)} in this array element; {ICONV}"
        )

    def _where(self, pos: int) -> str:
        """``column C`` on the element's first line, else ``line L, column C``."""
        newline = self._buffer.rfind("\n", self._pos, pos)
        if newline < 0:
            return f"column {self._column + pos - self._pos}"
        line = self._line + self._buffer.count("\n", self._pos, pos)
        return f"line {line}, column {pos - newline}"

    def _skip_element(self) -> None:
        """Step over an element that does not decode, so the next one can be read.

        Brackets are counted outside strings, so the element ends at the first
        ',' or ']' at its own level; one bad element costs one record.
        """
        depth = 0
        in_string = False
        while self._pos < len(self._buffer) or self._fill():
            pattern = _STRING_END if in_string else _STRUCTURE
            match = pattern.search(self._buffer, self._pos)
            if match is None:
                self._advance(len(self._buffer) - self._pos)
                continue
            char = match.group()
            if char == "\\":
                if match.end() == len(self._buffer):  # the escaped character is in the next chunk
                    self._advance(match.start() - self._pos)
                    if not self._fill():
                        return
                    continue
                self._advance(match.end() + 1 - self._pos)
            elif char == '"':
                in_string = not in_string
                self._advance(match.end() - self._pos)
            elif depth == 0 and char in ",]":
                self._advance(match.start() - self._pos)
                return
            else:
                if char in "[{":
                    depth += 1
                elif char in "]}":
                    depth = max(depth - 1, 0)
                self._advance(match.end() - self._pos)

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
        end = self._pos + count
        newlines = self._buffer.count("\n", self._pos, end)
        if newlines:
            self._line += newlines
            self._column = end - self._buffer.rfind("\n", self._pos, end)
        else:
            self._column += count
        self._pos = end

    def _error(self, reason: str) -> RecordError:
        return RecordError(self._name, self._line, reason)
