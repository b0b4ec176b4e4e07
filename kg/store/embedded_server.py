"""The process that hosts the embedded ArcadeDB server (``python -m kg.store.embedded_server``).

:func:`kg.store.embedded.start` runs ``python -m kg.store.embedded_server
--home DIR --detach``. With ``--detach`` this module forks the server into its
own session, waits until the server holds ``server.lock`` and exits, printing
the server's pid. The server then:

1. binds a control socket on 127.0.0.1 (random port, random token) and
   publishes both in ``server.json`` (phase ``starting``);
2. starts ArcadeDB with the Bolt plugin on 127.0.0.1 (HTTP on 127.0.0.1 too,
   since ArcadeDB always runs it), creates the ``kg`` database on first start
   and publishes the ports (phase ``ready``);
3. serves the control socket: ``PING <token>`` answers ``PONG <pid>``;
   ``STOP <token>`` answers ``STOPPING``, calls ArcadeDB's ``stop()`` (which
   closes the database cleanly), answers ``STOPPED`` and exits 0.

The JVM runs with ``-Xrs`` so that it installs no signal handlers of its own:
a SIGTERM once crashed the process inside the JVM's handler. SIGTERM, SIGINT
and SIGHUP are handled here instead and take the same clean path as ``STOP``.

This is the one module of kg that writes to stdout/stderr: they are the server
log (``server.log``), not a user's terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hmac
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from kg.store.embedded import (
    ARCADEDB_DIR,
    DATABASE,
    HOST,
    LOG_FILE,
    SERVER_LOCK,
    read_password,
    read_state,
    write_state,
)

#: Exit status when another server already holds this home.
EXIT_BUSY = 3
_LOCK_WAIT = 5.0
_BIND_ATTEMPTS = 3
_ACCEPT_TICK = 0.5
_BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
#: The JVM's maximum heap unless KG_DB_HEAP says otherwise. ArcadeDB keeps its
#: page cache inside the heap (a quarter of it by default), and the whole
#: corpus loads at the same speed with 1 GiB as with arcadedb-embedded's 4 GiB
#: default, which the JVM would otherwise grow into (see bench/RESULTS.md).
DEFAULT_HEAP = "1g"
_HEAP_SIZE = re.compile(r"[1-9][0-9]*[mMgG]")


def main(argv: list[str] | None = None) -> int:
    """Run (or, with ``--detach``, launch) the embedded server for one KG_HOME."""
    parser = argparse.ArgumentParser(prog="python -m kg.store.embedded_server")
    parser.add_argument("--home", required=True, help="the KG_HOME directory to serve")
    parser.add_argument("--detach", action="store_true", help="fork into the background")
    args = parser.parse_args(argv)
    home = Path(args.home).absolute()
    if args.detach:
        return _detach(home)
    lock_fd = _acquire_lock(home)
    if lock_fd is None:
        _say(f"kg-embedded: error: another server already runs for {home}")
        return EXIT_BUSY
    return _serve(home, lock_fd)


# --- detaching -----------------------------------------------------------------


def _detach(home: Path) -> int:
    """Fork the server into its own session; return once it holds the home's lock."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the server
        os.close(read_end)
        os.setsid()
        _redirect_output(home / LOG_FILE)
        lock_fd = _acquire_lock(home)
        with os.fdopen(write_end, "w") as report:
            report.write(f"ok {os.getpid()}\n" if lock_fd is not None else "busy\n")
        if lock_fd is None:
            return EXIT_BUSY
        # From here on this process is the server; it exits through the normal
        # interpreter shutdown, so JPype's atexit hook shuts the JVM down.
        return _serve(home, lock_fd)
    os.close(write_end)
    with os.fdopen(read_end) as report:
        answer = report.read().strip()
    if answer.startswith("ok "):
        print(answer.split()[1])
        return 0
    if answer == "busy":
        return EXIT_BUSY
    print("the server process died before taking its lock", file=sys.stderr)
    return 1


def _redirect_output(log_path: Path) -> None:
    """Point stdin at /dev/null and stdout/stderr (Java's too) at the server log."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)


def _acquire_lock(home: Path) -> int | None:
    """Take ``server.lock`` for the life of this process, or None if another server has it.

    Retries briefly because :func:`kg.store.embedded.lock_is_held` probes the
    lock by taking it for an instant.
    """
    fd = os.open(home / SERVER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                return None
            time.sleep(0.05)


# --- serving -------------------------------------------------------------------


class _StopRequest:
    """Set by a STOP command or a signal; the accept loop checks it every tick."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason = ""

    def set(self, reason: str) -> None:
        self.reason = self.reason or reason
        self.event.set()


def _serve(home: Path, lock_fd: int) -> int:
    """Start ArcadeDB, serve the control socket until asked to stop, then stop ArcadeDB."""
    stop_request = _StopRequest()
    _install_signal_handlers(stop_request)
    token = secrets.token_hex(16)
    with _control_socket() as control:
        control_port = control.getsockname()[1]
        base: dict[str, Any] = {
            "pid": os.getpid(),
            "control_port": control_port,
            "token": token,
            "database": DATABASE,
            "phase": "starting",
            "spawned_at": time.time(),
        }
        previous = read_state(home)
        write_state(home, base)
        try:
            server, bolt_port, http_port = _start_arcadedb(home, previous)
        except Exception as error:  # reported through the log, read by start()
            _say(f"kg-embedded: error: cannot start ArcadeDB: {_one_line(error)}")
            return 1
        write_state(
            home,
            {
                **base,
                "phase": "ready",
                "bolt_port": bolt_port,
                "http_port": http_port,
                "ready_at": time.time(),
            },
        )
        _say(f"kg-embedded: ready on bolt://{HOST}:{bolt_port} (database {DATABASE!r})")
        waiting = _control_loop(control, token, stop_request)
        _say(f"kg-embedded: stopping ({stop_request.reason})")
        server.stop()
        _say("kg-embedded: stopped")
        if waiting is not None:
            with contextlib.suppress(OSError):
                waiting.sendall(b"STOPPED\n")
            waiting.close()
    # lock_fd stays open: the kernel releases server.lock when this process is
    # gone (after the JVM has shut down), which is what stop() waits for.
    del lock_fd
    return 0


def _install_signal_handlers(stop_request: _StopRequest) -> None:
    """Turn SIGTERM/SIGINT/SIGHUP into a clean stop (the JVM runs with -Xrs)."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        stop_request.set(f"signal {signal.Signals(signum).name}")

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, handle)


@contextlib.contextmanager
def _control_socket() -> Iterator[socket.socket]:
    """A listening TCP socket on 127.0.0.1 with a kernel-chosen port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, 0))
        sock.listen(8)
        sock.settimeout(_ACCEPT_TICK)
        yield sock
    finally:
        sock.close()


def _control_loop(
    control: socket.socket, token: str, stop_request: _StopRequest
) -> socket.socket | None:
    """Answer control requests until a STOP (returned, still open) or a signal."""
    while not stop_request.event.is_set():
        try:
            conn, _addr = control.accept()
        except TimeoutError:
            continue
        except OSError:
            if stop_request.event.is_set():
                break
            raise
        if _handle(conn, token, stop_request):
            return conn
        conn.close()
    return None


def _handle(conn: socket.socket, token: str, stop_request: _StopRequest) -> bool:
    """Answer one control request; True when it was an authenticated STOP."""
    conn.settimeout(5.0)
    try:
        line = conn.recv(256).decode("utf-8", errors="replace").strip()
    except OSError:
        return False
    command, _, given = line.partition(" ")
    if not hmac.compare_digest(given.encode(), token.encode()):
        with contextlib.suppress(OSError):
            conn.sendall(b"DENIED\n")
        return False
    if command == "STOP":
        with contextlib.suppress(OSError):
            conn.sendall(b"STOPPING\n")
        stop_request.set("stop request")
        return True
    reply = f"PONG {os.getpid()}\n" if command == "PING" else "UNKNOWN\n"
    with contextlib.suppress(OSError):
        conn.sendall(reply.encode())
    return False


# --- ArcadeDB ------------------------------------------------------------------


def _start_arcadedb(home: Path, previous: dict[str, Any]) -> tuple[Any, int, int]:
    """Start ArcadeDB with Bolt on free loopback ports; create the database if missing.

    The Bolt port of the previous run is reused when it is free, so the URI
    stays the same from one start to the next.
    """
    import arcadedb_embedded  # imported here: it starts a JVM, which must not be forked

    password = read_password(home)
    root = home / ARCADEDB_DIR
    root.mkdir(mode=0o700, exist_ok=True)
    last_error: Exception | None = None
    preferred = previous.get("bolt_port")
    for _attempt in range(_BIND_ATTEMPTS):
        bolt_port = _free_port(preferred if isinstance(preferred, int) else None)
        http_port = _free_port(None, avoid=bolt_port)
        server = arcadedb_embedded.ArcadeDBServer(
            root_path=str(root),
            root_password=password,
            config={
                "host": HOST,
                "http_port": http_port,
                "mode": "production",
                "server_plugins": _BOLT_PLUGIN,
                "bolt_port": bolt_port,
                "bolt_host": HOST,
                "bolt_defaultDatabase": DATABASE,
            },
            jvm_kwargs={"jvm_args": ["-Xrs"], "heap_size": heap_size()},
        )
        try:
            server.start()
        except Exception as error:
            if not _is_port_clash(error):
                raise
            last_error = error  # a port was taken between probe and bind: try others
            preferred = None
            continue
        _ensure_database(server)
        return server, bolt_port, http_port
    raise RuntimeError(f"no usable ports after {_BIND_ATTEMPTS} attempts: {last_error}")


def heap_size() -> str:
    """The JVM heap cap: KG_DB_HEAP (e.g. ``2g``, ``768m``) or DEFAULT_HEAP."""
    value = os.environ.get("KG_DB_HEAP", "").strip() or DEFAULT_HEAP
    if not _HEAP_SIZE.fullmatch(value):
        raise ValueError(f"KG_DB_HEAP={value!r} is not a heap size; use e.g. 1g or 768m")
    return value


def _is_port_clash(error: BaseException) -> bool:
    """Whether ArcadeDB failed because a listener could not bind its port."""
    text = str(error)
    return any(sign in text for sign in ("Unable to listen", "already in use", "BindException"))


def _ensure_database(server: Any) -> None:
    """Create the ``kg`` database the first time (the Bolt plugin serves it by default)."""
    if not server._java_server.existsDatabase(DATABASE):
        server.create_database(DATABASE)


def _free_port(preferred: int | None, avoid: int | None = None) -> int:
    """``preferred`` if it can be bound on 127.0.0.1, else a port the kernel picks."""
    if preferred is not None and preferred != avoid and _can_bind(preferred):
        return preferred
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((HOST, 0))
            port: int = probe.getsockname()[1]
        if port != avoid:
            return port


def _can_bind(port: int) -> bool:
    """Whether a listener could bind ``port`` on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _say(message: str) -> None:
    """One timestamped line in the server log (this process's stdout)."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    # ArcadeDB's log handler ends its lines lazily, so start on a fresh line.
    print(f"\n{stamp} {message}", flush=True)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:500]


if __name__ == "__main__":
    sys.exit(main())
