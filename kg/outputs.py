"""Every file kg writes goes through :func:`open_output`.

A regular file is written atomically: into a temporary file in the same
directory, flushed and ``fsync``-ed, then renamed over the old one with
``os.replace``, so an interrupted write (an error, Ctrl-C, a full disk) leaves
the previous file untouched and a reader never sees half a file. The new file
keeps the old one's permission bits. A path that names a symlink is resolved
first, so the link keeps pointing at the (new) file.

Anything else that can take bytes is written straight through: ``-`` is
standard output, and a character or block device (``/dev/null``,
``/dev/stdout``) or a FIFO is opened and written in place. Renaming a
temporary file over those would replace the device node or the pipe with a
regular file (and a FIFO's reader would get nothing). A path that exists but
cannot take a file's bytes (a directory, a socket) is refused with a one-line
:class:`~kg.errors.OutputError` saying what to do; so is a missing parent
directory that cannot be created because part of it is a file.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, cast, overload

from kg.errors import OutputError

__all__ = ["STDOUT", "is_stream_target", "open_output", "prepare_parent"]

#: The path that means standard output.
STDOUT = "-"


def is_stream_target(path: str | os.PathLike[str]) -> bool:
    """Whether writing ``path`` streams into something that is not a regular file.

    True for ``-`` (standard output), character and block devices and FIFOs:
    what is written there cannot be read back from the path afterwards.
    """
    if os.fspath(path) == STDOUT:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)


@overload
def open_output(
    path: str | os.PathLike[str],
    *,
    binary: Literal[False] = False,
    compress: bool = False,
    newline: str | None = None,
    mode: int | None = None,
    what: str = "the output",
) -> contextlib.AbstractContextManager[IO[str]]: ...


@overload
def open_output(
    path: str | os.PathLike[str],
    *,
    binary: Literal[True],
    compress: bool = False,
    newline: str | None = None,
    mode: int | None = None,
    what: str = "the output",
) -> contextlib.AbstractContextManager[IO[bytes]]: ...


def open_output(
    path: str | os.PathLike[str],
    *,
    binary: bool = False,
    compress: bool = False,
    newline: str | None = None,
    mode: int | None = None,
    what: str = "the output",
) -> contextlib.AbstractContextManager[IO[str]] | contextlib.AbstractContextManager[IO[bytes]]:
    """A ``with`` block writing ``path`` safely; see the module docstring.

    Text is UTF-8 (``newline`` as for :func:`open`); ``binary`` gives a byte
    stream instead. ``compress`` writes gzip. ``mode`` sets the permission
    bits of a new regular file (default: ``0o666`` less the umask; an
    existing file keeps its own). ``what`` names the output in error
    messages ("the graph", "the view"). The file is complete only when the
    block ends without an exception; on an exception a regular file is left
    as it was.
    """
    return cast(
        "contextlib.AbstractContextManager[IO[str]]",
        _open_output(os.fspath(path), binary, compress, newline, mode, what),
    )


@contextlib.contextmanager
def _open_output(
    name: str, binary: bool, compress: bool, newline: str | None, mode: int | None, what: str
) -> Iterator[IO[Any]]:
    if name == STDOUT:
        raw: IO[bytes] = sys.stdout.buffer
        if not binary and not compress:
            yield sys.stdout
            sys.stdout.flush()
            return
        with _wrap(raw, binary, compress, newline, close_raw=False) as handle:
            yield handle
        return
    target = _writable_target(name, what)
    if target is None:  # a device or a FIFO: write in place
        try:
            device = open(name, "wb")  # noqa: SIM115 - closed by _wrap
        except OSError as error:
            raise OutputError(name, f"cannot write {what} ({_reason(error)})") from None
        with _wrap(device, binary, compress, newline, close_raw=True) as handle:
            yield handle
        return
    with _atomic(target, binary, compress, newline, mode, what) as handle:
        yield handle


def _writable_target(name: str, what: str) -> Path | None:
    """The regular file to replace for ``name`` (symlinks resolved), or None to write in place."""
    path = Path(name)
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise OutputError(name, _parent_is_a_file(path)) from None
    except OSError as error:
        raise OutputError(name, f"cannot write {what} ({_reason(error)})") from None
    if info is not None:
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            return None
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(
                name, f"is a directory; give a file name for {what} (e.g. {path / 'out'})"
            )
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                name, f"is not a regular file (a {_kind(info.st_mode)}); write {what} elsewhere"
            )
    target = Path(os.path.realpath(path))
    prepare_parent(target, what)
    return target


def prepare_parent(path: str | os.PathLike[str], what: str = "the output") -> None:
    """Create the missing directories above ``path``, or raise OutputError saying why not."""
    parent = Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(os.fspath(path), _parent_is_a_file(Path(path))) from None
    except OSError as error:
        raise OutputError(
            os.fspath(path), f"cannot create the directory {parent} ({_reason(error)})"
        ) from None


def _parent_is_a_file(path: Path) -> str:
    """The message for an output path below something that is a file, naming that file."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return (
                f"{parent} is a file, not a directory; choose an output path outside it "
                "or move that file away"
            )
    return "part of this path is a file, not a directory; choose another output path"


@contextlib.contextmanager
def _atomic(
    target: Path, binary: bool, compress: bool, newline: str | None, mode: int | None, what: str
) -> Iterator[IO[Any]]:
    """Write a temporary file next to ``target``, then rename it into place."""
    try:
        fd, temp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise OutputError(str(target), f"cannot write {what} ({_reason(error)})") from None
    temp = Path(temp_name)
    raw = os.fdopen(fd, "wb")
    try:
        os.fchmod(raw.fileno(), _mode_for(target, mode))
        with _wrap(raw, binary, compress, newline, close_raw=False) as handle:
            yield handle
        try:
            raw.flush()
            os.fsync(raw.fileno())
            raw.close()
            os.replace(temp, target)
        except OSError as error:
            raise OutputError(str(target), f"cannot write {what} ({_reason(error)})") from None
    finally:
        with contextlib.suppress(OSError):
            raw.close()
        temp.unlink(missing_ok=True)  # gone already when the rename happened
    _sync_directory(target.parent)


def _mode_for(target: Path, mode: int | None) -> int:
    """The permission bits of the new file: the old file's, else ``mode``, else 0666 - umask."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    if mode is not None:
        return mode
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _wrap(
    raw: IO[bytes], binary: bool, compress: bool, newline: str | None, *, close_raw: bool
) -> Iterator[IO[Any]]:
    """``raw`` as the requested stream (gzip, text); flushes the layers, closes ``raw`` if asked."""
    layers: list[IO[bytes] | IO[str]] = []
    try:
        stream: IO[bytes] = raw
        if compress:
            stream = gzip.GzipFile(fileobj=raw, mode="wb")  # type: ignore[assignment]
            layers.append(stream)
        if binary:
            yield stream
        else:
            text = io.TextIOWrapper(stream, encoding="utf-8", newline=newline)
            layers.append(text)
            yield text
        for layer in reversed(layers):
            layer.flush()
            if isinstance(layer, io.TextIOWrapper):
                layer.detach()  # leave the byte stream open for the next layer to finish
            else:
                layer.close()  # a GzipFile writes its trailer; raw stays open
        layers.clear()
        raw.flush()
    finally:
        for layer in layers:
            with contextlib.suppress(Exception):
                if isinstance(layer, io.TextIOWrapper):
                    layer.detach()
        if close_raw:
            with contextlib.suppress(OSError):
                raw.close()


def _kind(mode: int) -> str:
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
