"""Open an input (a path, a URL, ``-`` for stdin, gzip or not) and read it as numbered lines.

Readers never see raw bytes: they get :class:`Line` objects that carry the
1-based line number and either the decoded text or the reason it could not be
decoded. A bad line is therefore a per-record problem, not the end of the
file, and ``--on-error skip`` can step over it.

Memory stays flat: lines are read one by one, and a line longer than
``MAX_LINE_BYTES`` is consumed in chunks and reported instead of being held.

A byte range of a plain file (``start``/``end``) reads the lines that *start*
inside it, numbered from ``first_line``: that is how a Dask worker reads its
partition of a large JSON Lines file (:mod:`kg.distributed.partitions`).
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from kg.errors import InputError, RecordError

#: The longest line kg accepts. Real records are a few KB; a longer line is
#: almost always a file without line breaks or binary data.
MAX_LINE_BYTES = 4 * 1024 * 1024

#: How much of the (decompressed) start of a file the format sniffer sees.
HEAD_BYTES = 64 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CHUNK = 1024 * 1024
ICONV = "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8 IN > OUT)"

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class Line:
    """One line of an input: its number and text, or why it has no text."""

    number: int
    text: str
    error: str | None = None


class _CountingReader(io.RawIOBase):
    """A raw stream that replays a sniffed prefix, then reads on, counting bytes.

    The count (of bytes taken from the underlying file, compressed or not)
    drives the progress bar; the prefix lets us peek at stdin without seeking.
    """

    def __init__(self, raw: BinaryIO, prefix: bytes, on_bytes: ProgressCallback | None) -> None:
        self._raw = raw
        self._prefix = prefix
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            self._report(size)
            return size
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._report(len(data))
        return len(data)

    def _report(self, size: int) -> None:
        if self._on_bytes is not None and size:
            self._on_bytes(size)


class InputFile:
    """An opened input: ``head`` for sniffing, ``lines()`` for reading.

    Use as a context manager. ``name`` is what error messages show: the path
    as the user typed it (unless given), or ``<stdin>``. ``path`` may be an
    fsspec URL (``file://``, ``s3://`` ...), so that workers on other machines
    can read what the client names.

    ``start``/``end`` (byte offsets of a plain, uncompressed file) restrict
    :meth:`lines` to the lines that start in ``[start, end)``, numbered from
    ``first_line``; ``head`` then is the head of that range.
    """

    def __init__(
        self,
        path: str,
        on_bytes: ProgressCallback | None = None,
        *,
        name: str | None = None,
        start: int = 0,
        end: int | None = None,
        first_line: int = 1,
    ) -> None:
        self.path = path
        self.name = name or ("<stdin>" if path == "-" else path)
        self.compressed = False
        self._size: int | None = None
        self._end = end
        self._first_line = first_line
        self._handle = self._open_raw(path)
        self._start_at = self._seek_line_start(start) if start > 0 else 0
        prefix = self._handle.read(len(_GZIP_MAGIC))
        self.compressed = prefix == _GZIP_MAGIC and start == 0
        raw = io.BufferedReader(_CountingReader(self._handle, prefix, on_bytes), _CHUNK)
        stream: io.RawIOBase | io.BufferedIOBase = raw
        if self.compressed:
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        self._stream = io.BufferedReader(stream, _CHUNK)  # type: ignore[arg-type,type-var,unused-ignore]
        try:
            self.head = self._peek_head()
            _refuse_utf16(self.name, self.head, self.compressed)
        except InputError:
            self.close()
            raise
        self.cr_only = _cr_only(self.head) and start == 0
        if self.cr_only:
            self._stream = io.BufferedReader(_CrToLf(self._stream), _CHUNK)
            self.head = self._peek_head()

    def _open_raw(self, path: str) -> BinaryIO:
        if path == "-":
            return sys.stdin.buffer
        if is_url(path):
            return self._open_url(path)
        name = self.name
        if os.path.isdir(path):
            raise InputError(name, "is a directory; pass the files inside it (e.g. DIR/*.jsonl)")
        try:
            return open(path, "rb")  # closed in close()
        except FileNotFoundError:
            raise InputError(name, "no such file; check the path") from None
        except PermissionError:
            raise InputError(name, "permission denied; check the file's permissions") from None

    def _open_url(self, url: str) -> BinaryIO:
        try:
            import fsspec
        except ImportError:
            raise InputError(
                self.name, "is a URL; reading URLs needs fsspec: pip install 'kg[dask]'"
            ) from None
        try:
            opened = fsspec.open(url, "rb")
            self._size = opened.fs.size(opened.path)
            handle: BinaryIO = opened.open()
            return handle
        except FileNotFoundError:
            raise InputError(self.name, "no such file; check the URL") from None
        except IsADirectoryError:
            raise InputError(self.name, "is a directory; pass the files inside it") from None
        except (OSError, ValueError, ImportError) as exc:  # unknown protocol, missing driver
            raise InputError(self.name, f"cannot open the URL ({exc})") from None

    def _seek_line_start(self, start: int) -> int:
        """Go to the first line that starts at or after byte ``start``; return its offset."""
        self._handle.seek(start - 1)
        if self._handle.read(1) != b"\n":
            while True:
                chunk = self._handle.readline(_CHUNK)
                if not chunk or chunk.endswith(b"\n"):
                    break
        return self._handle.tell()

    def _peek_head(self) -> bytes:
        try:
            return self._stream.peek(HEAD_BYTES)[:HEAD_BYTES]
        except (OSError, EOFError) as exc:
            raise InputError(self.name, _gzip_reason(exc)) from None

    def lines(self) -> Iterator[Line]:
        """Yield every line, decoded as UTF-8, without its line ending.

        With an ``end``, only the lines that start before it (in a byte range).
        """
        number = self._first_line - 1
        left = None if self._end is None else self._end - self._start_at
        while left is None or left > 0:
            try:
                data = self._stream.readline(MAX_LINE_BYTES + 1)
            except (OSError, EOFError) as exc:
                yield Line(number + 1, "", _gzip_reason(exc))
                return
            if not data:
                return
            number += 1
            size = len(data)
            if len(data) > MAX_LINE_BYTES and not data.endswith(b"\n"):
                size += self._skip_rest_of_line()
                if left is not None:
                    left -= size
                yield Line(number, "", _too_long(size))
                continue
            if left is not None:
                left -= size
            yield _decode(number, data)

    def chunks(self, size: int = _CHUNK, keep_bad_bytes: bool = False) -> Iterator[str]:
        """Yield the decoded text in chunks, for formats that are not line based.

        Raises RecordError naming the line of an undecodable byte, unless
        ``keep_bad_bytes``: then each such byte becomes a lone surrogate
        (U+DC80-U+DCFF, Python's "surrogateescape") for the reader to report
        with the record that holds it.
        """
        errors = "surrogateescape" if keep_bad_bytes else "strict"
        decoder = codecs.getincrementaldecoder("utf-8")(errors)
        line = 1
        first = True
        while True:
            try:
                data = self._stream.read(size)
            except (OSError, EOFError) as exc:
                raise RecordError(self.name, line, _gzip_reason(exc)) from None
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                bad_line = line + data[: exc.start].count(b"\n")
                raise RecordError(
                    self.name, bad_line, f"invalid UTF-8 byte 0x{data[exc.start]:02x}; {ICONV}"
                ) from None
            if first and text.startswith(_BOM):
                text = text[1:]
            first = False
            line += text.count("\n")
            if text:
                yield text
            if not data:
                return

    def _skip_rest_of_line(self) -> int:
        skipped = 0
        while True:
            chunk = self._stream.readline(_CHUNK)
            skipped += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                return skipped

    def size(self) -> int | None:
        """Bytes on disk, for the progress bar; None for stdin and pipes."""
        if self.path == "-":
            return None
        if self._size is not None:
            return self._size
        try:
            return os.fstat(self._handle.fileno()).st_size
        except OSError:
            return None

    def close(self) -> None:
        if self.path != "-":
            self._handle.close()

    def __enter__(self) -> InputFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _CrToLf(io.RawIOBase):
    """Turn every CR into LF, for files written with classic Mac line endings."""

    def __init__(self, stream: io.BufferedIOBase) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read1(len(buffer)).replace(b"\r", b"\n")
        buffer[: len(data)] = data
        return len(data)


def is_url(path: str) -> bool:
    """True for an fsspec URL (``s3://bucket/key``, ``file:///data/x.jsonl``), not a path."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.replace("+", "").replace("-", "").isalnum()


def _cr_only(head: bytes) -> bool:
    """True when the file breaks its lines with CR alone (no LF in sight)."""
    return b"\r" in head and b"\n" not in head


def _refuse_utf16(name: str, head: bytes, compressed: bool) -> None:
    """Say how to convert UTF-16 text, which would otherwise look like binary data."""
    if not (head.startswith(_UTF16_BOMS) or _mostly_nul_every_other_byte(head)):
        return
    iconv = "iconv -f UTF-16 -t UTF-8"
    command = f"zcat {name} | {iconv} > OUT" if compressed else f"{iconv} {name} > {name}.utf8"
    raise InputError(name, f"looks like UTF-16 text; kg reads UTF-8: convert it with {command}")


def _mostly_nul_every_other_byte(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL in every other byte."""
    sample = head[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (
        max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.9
        and min(even.count(0), odd.count(0)) < len(sample) // 20
    )


def _decode(number: int, data: bytes) -> Line:
    if data.endswith(b"\n"):
        data = data[:-1]
    if data.endswith(b"\r"):
        data = data[:-1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        return Line(
            number,
            "",
            f"invalid UTF-8 byte 0x{bad:02x} at column {exc.start + 1}; {ICONV}",
        )
    if number == 1 and text.startswith(_BOM):
        text = text[1:]
    return Line(number, text)


def _too_long(size: int) -> str:
    return (
        f"line is {size / 1024 / 1024:.1f} MiB long, over the limit of "
        f"{MAX_LINE_BYTES // 1024 // 1024} MiB per line; is the file missing line breaks? "
        "Split it into one record per line"
    )


def _gzip_reason(exc: BaseException) -> str:
    return (
        f"cannot decompress ({exc}); the gzip file is damaged or cut short, "
        "re-download or re-compress it"
    )
