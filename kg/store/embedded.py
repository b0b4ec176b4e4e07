"""The embedded store: a private ArcadeDB server reached over Bolt.

When NEO4J_URI is unset, kg still needs a database, so it runs ArcadeDB (from
the ``arcadedb-embedded`` wheel, which bundles its own JRE) with its Bolt
plugin in a detached background process, and every command talks to it with
the same ``neo4j`` driver code it would use for Neo4j.

Everything lives under ``$KG_HOME`` (default: ``platformdirs.user_data_dir("kg")``):

=================  ==========================================================
``arcadedb/``      the server root: ``databases/kg``, ``config/`` (users), logs
``root-password``  the generated password of ArcadeDB's ``root`` user (0600)
``server.json``    the last server's pid, ports and control token (0600)
``server.lock``    flock-ed by the server for its whole life: "is it running?"
``start.lock``     serializes start/stop between kg processes
``server.log``     the server process's stdout/stderr (ArcadeDB's log lines)
``log/``           ArcadeDB's ``arcadedb.log.*`` and JVM crash logs
=================  ==========================================================

The server is never stopped with a signal: a SIGTERM reaching a process that
hosts the JVM used to crash inside the JVM's own handler. :func:`stop` instead
sends ``STOP <token>`` over a localhost control socket, and the server calls
ArcadeDB's own ``stop()`` and exits. (It also runs the JVM with ``-Xrs`` and
handles SIGTERM in Python, so a stray signal stops it cleanly too.) A
``kill -9`` loses nothing committed: ArcadeDB replays its WAL at the next start.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from kg.errors import StoreError
from kg.store.connection import ConnectionConfig, one_line, open_driver

#: The database the embedded server creates and its Bolt plugin serves by default.
DATABASE = "kg"
#: ArcadeDB's administrator; the embedded store has no other user.
USER = "root"
#: The only address the embedded server listens on.
HOST = "127.0.0.1"

ARCADEDB_DIR = "arcadedb"
PASSWORD_FILE = "root-password"
STATE_FILE = "server.json"
SERVER_LOCK = "server.lock"
START_LOCK = "start.lock"
LOG_FILE = "server.log"
USERS_FILE = Path("config") / "server-users.jsonl"

#: Seconds to wait for a server to come up (first start creates the database).
START_TIMEOUT = 120.0
#: Seconds to wait for a server to stop after it was asked to.
STOP_TIMEOUT = 60.0
_POLL = 0.1
_MAX_LOG_BYTES = 5_000_000


@dataclass(frozen=True)
class EmbeddedStatus:
    """What :func:`status` found under one KG_HOME.

    ``running`` means a server process holds the home (it may still be booting);
    ``ready`` means it has also reported its Bolt port and answers requests.
    """

    home: Path
    running: bool
    ready: bool
    pid: int | None
    uri: str | None
    database: str
    bolt_port: int | None
    http_port: int | None
    log_path: Path
    started_at: float | None


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The kg data directory: ``home``, else ``$KG_HOME``, else the per-user data dir."""
    if home is not None:
        raw = Path(home)
    elif os.environ.get("KG_HOME", "").strip():
        raw = Path(os.environ["KG_HOME"].strip())
    else:
        raw = Path(platformdirs.user_data_dir("kg"))
    root = raw.expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise StoreError(
            f"KG_HOME {root} is a file, not a directory; point KG_HOME at a directory "
            "(kg creates it if it is missing)"
        )
    return root


def status(home: str | os.PathLike[str] | None = None) -> EmbeddedStatus:
    """Whether an embedded server runs for this home, and where to reach it."""
    root = resolve_home(home)
    running = lock_is_held(root / SERVER_LOCK)
    state = read_state(root) if running else {}
    ready = running and state.get("phase") == "ready"
    bolt_port = _int_or_none(state.get("bolt_port")) if ready else None
    return EmbeddedStatus(
        home=root,
        running=running,
        ready=ready,
        pid=_int_or_none(state.get("pid")) if running else None,
        uri=f"bolt://{HOST}:{bolt_port}" if bolt_port else None,
        database=str(state.get("database", DATABASE)),
        bolt_port=bolt_port,
        http_port=_int_or_none(state.get("http_port")) if ready else None,
        log_path=root / LOG_FILE,
        started_at=_float_or_none(state.get("ready_at")) if ready else None,
    )


def start(home: str | os.PathLike[str] | None = None) -> ConnectionConfig:
    """Start the embedded server if it is not running and return how to reach it.

    Returns only once Bolt answers with the generated credentials, so the
    caller can open a driver straight away. Safe to call concurrently from
    several processes: they serialize on ``start.lock`` and share one server.
    """
    root = resolve_home(home)
    _make_private_dir(root)
    with _flock(root / START_LOCK, timeout=START_TIMEOUT):
        current = status(root)
        if current.ready:
            config = _config(root, current)
            _check_bolt(config, root)
            return config
        if not current.running:
            _spawn(root)
        return _wait_until_ready(root)


def ensure_running(home: str | os.PathLike[str] | None = None) -> ConnectionConfig:
    """The connection config of the embedded store, starting it when needed.

    This is what every command that needs a database calls when NEO4J_URI is
    unset; it is cheap when the server already runs.
    """
    current = status(home)
    if current.ready:
        config = _config(current.home, current)
        if _port_answers(HOST, current.bolt_port):
            return config
    return start(home)


def stop(home: str | os.PathLike[str] | None = None) -> bool:
    """Stop the embedded server through its control socket; False if none was running.

    The server calls ArcadeDB's ``stop()`` (which flushes and closes the
    database) and exits; this waits until the process is gone.
    """
    root = resolve_home(home)
    if not root.is_dir():
        return False
    with _flock(root / START_LOCK, timeout=START_TIMEOUT):
        if not lock_is_held(root / SERVER_LOCK):
            return False
        state = read_state(root)
        _send_stop(root, state)
        deadline = time.monotonic() + STOP_TIMEOUT
        while lock_is_held(root / SERVER_LOCK):
            if time.monotonic() > deadline:
                raise StoreError(
                    f"the embedded store (pid {state.get('pid')}) did not exit within "
                    f"{STOP_TIMEOUT:.0f}s of its stop request; see {root / LOG_FILE}"
                )
            time.sleep(_POLL)
    return True


# --- files under KG_HOME -------------------------------------------------------


def read_password(home: Path) -> str:
    """The root password of the embedded server, created (0600) on first use.

    ArcadeDB takes the root password only when it creates its users file, so a
    lost password file also drops that users file: root is then re-created
    with the new password at the next start (the data is kept).
    """
    path = home / PASSWORD_FILE
    try:
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            password = path.read_text(encoding="utf-8").strip()
            if password:
                return password
        except FileNotFoundError:
            pass
        (home / ARCADEDB_DIR / USERS_FILE).unlink(missing_ok=True)
        password = secrets.token_urlsafe(24)
        write_private(path, password + "\n")
    except OSError as error:
        raise StoreError(
            f"cannot set up the embedded store's password in {home}: {error.strerror or error}; "
            "fix the permissions of KG_HOME or point KG_HOME elsewhere"
        ) from None
    return password


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a file only its owner can read (0600)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read_state(home: Path) -> dict[str, Any]:
    """The server's last ``server.json``, or an empty dict when absent or torn."""
    try:
        data = json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(home: Path, state: dict[str, Any]) -> None:
    """Publish the server's state (it holds the control token, so 0600)."""
    write_private(home / STATE_FILE, json.dumps(state, indent=2, sort_keys=True) + "\n")


def lock_is_held(path: Path) -> bool:
    """Whether some process holds an exclusive flock on ``path``.

    The kernel drops a flock when its holder dies, even by ``kill -9``, so
    unlike a pid file this never reports a dead server as running.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            return True
        raise
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@contextlib.contextmanager
def _flock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` for the ``with`` body."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"another kg process has held {path} for {timeout:.0f}s; "
                        "wait for it to finish and retry"
                    ) from None
                time.sleep(_POLL)
        yield
    finally:
        os.close(fd)


#: What kg itself keeps in KG_HOME: a directory holding only these is kg's own.
_OWN_ENTRIES = frozenset(
    {ARCADEDB_DIR, PASSWORD_FILE, STATE_FILE, SERVER_LOCK, START_LOCK, LOG_FILE, "config"}
)


def _make_private_dir(path: Path) -> None:
    """Create KG_HOME readable by its owner only (it holds a password).

    An existing KG_HOME that others can read is tightened to 0700 too, but only
    when it is kg's own: owned by this user and holding nothing but kg's files
    (``KG_HOME=/tmp`` or a home directory is never changed).
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if info.st_mode & 0o077 and info.st_uid == os.getuid() and _is_kg_own(path):
            path.chmod(0o700)
    except OSError as error:
        raise StoreError(
            f"cannot create the kg data directory {path}: {error.strerror}; "
            "set KG_HOME to a writable directory"
        ) from None


def _is_kg_own(path: Path) -> bool:
    """True when ``path`` holds only what kg keeps there (log rotations included)."""
    return all(
        entry.name in _OWN_ENTRIES or entry.name.startswith(LOG_FILE) for entry in path.iterdir()
    )


# --- starting ------------------------------------------------------------------


def _spawn(home: Path) -> None:
    """Launch ``python -m kg.store.embedded_server --detach`` and wait for it to fork.

    The launched process forks the real server into its own session and exits
    once that server holds ``server.lock``, so nothing is left for this
    process to reap and the server outlives it.
    """
    read_password(home)
    _rotate_log(home / LOG_FILE)
    env = dict(os.environ)
    env.setdefault("ARCADEDB_JVM_ERROR_FILE", str(home / "log" / "hs_err_pid%p.log"))
    command = [sys.executable, "-m", "kg.store.embedded_server", "--home", str(home), "--detach"]
    try:
        launched = subprocess.run(
            command,
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StoreError(f"cannot launch the embedded store: {one_line(str(error))}") from None
    if launched.returncode not in (0, 3):  # 3: another server won the race, fine
        detail = one_line(launched.stderr or launched.stdout) or f"exit {launched.returncode}"
        raise StoreError(f"cannot launch the embedded store: {detail}; see {home / LOG_FILE}")


def _wait_until_ready(home: Path) -> ConnectionConfig:
    """Poll until the server reports ready and Bolt answers, or fail with its log."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        current = status(home)
        if current.ready:
            config = _config(home, current)
            _check_bolt(config, home)
            return config
        if not current.running:
            raise StoreError(
                f"the embedded store failed to start: {_last_error(home / LOG_FILE)}; "
                f"see {home / LOG_FILE}"
            )
        time.sleep(_POLL)
    raise StoreError(
        f"the embedded store did not start within {START_TIMEOUT:.0f}s; see {home / LOG_FILE}"
    )


def _config(home: Path, current: EmbeddedStatus) -> ConnectionConfig:
    """The Bolt connection config of a ready server."""
    assert current.uri is not None  # a ready status always has a Bolt port
    return ConnectionConfig(
        uri=current.uri, user=USER, password=read_password(home), database=current.database
    )


def _check_bolt(config: ConnectionConfig, home: Path) -> None:
    """Make sure Bolt answers with our credentials; say where the log is if not."""
    try:
        open_driver(config).close()
    except StoreError as error:
        raise StoreError(f"{error} (embedded store; see {home / LOG_FILE})") from None


def _port_answers(host: str, port: int | None) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    if port is None:
        return False
    try:
        with socket.create_connection((host, port), timeout=2.0):
            return True
    except OSError:
        return False


def _rotate_log(path: Path) -> None:
    """Keep one old log so a long-lived KG_HOME does not grow without bound."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size > _MAX_LOG_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))


def _last_error(log_path: Path) -> str:
    """The most telling line at the end of the server log, for a one-line error."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-200:]
    except OSError:
        return "no log was written"
    markers = ("kg-embedded: error", "Error", "SEVER", "Exception")
    for line in reversed(lines):
        if any(marker in line for marker in markers):
            return one_line(line, limit=240)
    return one_line(lines[-1], limit=240) if lines else "the server exited without a message"


# --- stopping ------------------------------------------------------------------


def _send_stop(home: Path, state: dict[str, Any]) -> None:
    """Ask the server to stop over its control socket and wait for its answer."""
    port = _int_or_none(state.get("control_port"))
    token = state.get("token")
    pid = state.get("pid")
    if port is None or not isinstance(token, str):
        raise StoreError(
            f"the embedded store (pid {pid}) left no control port in {home / STATE_FILE}; "
            f"`kill -9 {pid}` is safe (committed data is recovered at the next start)"
        )
    try:
        with socket.create_connection((HOST, port), timeout=STOP_TIMEOUT) as conn:
            conn.sendall(f"STOP {token}\n".encode())
            reply = _read_until_closed(conn)
    except OSError as error:
        raise StoreError(
            f"the embedded store (pid {pid}) does not answer on its control port {port} "
            f"({error.strerror or error}); `kill -9 {pid}` is safe (committed data is "
            "recovered at the next start)"
        ) from None
    if "STOPP" not in reply:
        raise StoreError(f"the embedded store refused to stop: {one_line(reply)}")


def _read_until_closed(conn: socket.socket) -> str:
    """Everything the server writes before it closes the connection."""
    chunks: list[bytes] = []
    while True:
        chunk = conn.recv(256)
        if not chunk:
            return b"".join(chunks).decode("utf-8", errors="replace")
        chunks.append(chunk)


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
