"""A real Neo4j Community server on demand, from Maven Central: ``make neo4j-up`` / ``neo4j-down``.

kg's users load into Neo4j, so the tests and benchmarks run against the same
version that docker-compose.yml pins, without Docker. Maven fetches the jars
named in ``scripts/neo4j/pom.xml`` into ``~/.m2`` and gives their class path;
this script then runs the server's own entry point
(``org.neo4j.server.CommunityEntryPoint``) and ``neo4j-admin``'s
(``org.neo4j.cli.AdminTool``) on Java 17.

``up``   starts a server in the background (Bolt on 127.0.0.1 on a free port,
         authentication on, a generated password, data under ``build/neo4j/``),
         waits until Bolt answers with that password, then writes
         ``build/neo4j.env`` (``export NEO4J_URI=...`` lines, mode 0600). When
         one already runs it is reused.
``down`` stops it cleanly (SIGTERM: Neo4j checkpoints and exits).
``status`` says whether it runs.
``import CSV_DIR HOME`` runs ``neo4j-admin database import full`` on ``kg export
         --neo4j-csv`` output into a fresh Neo4j home (see ``bulk_import``).
``admin ARGS`` runs any other neo4j-admin command.
``run -- CMD`` runs CMD (``make test``: pytest) with a server up: one that runs is
         reused, one started for CMD is stopped after it. When none can be
         started, CMD still runs (its Neo4j tests skip) unless CI=true, where
         that fails the run.

Exit codes: 0 done, 1 failed (one line on stderr that says why).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POM = ROOT / "scripts" / "neo4j" / "pom.xml"
HOME = ROOT / "build" / "neo4j"
ENV_FILE = ROOT / "build" / "neo4j.env"

USER = "neo4j"
DATABASE = "neo4j"
SERVER_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"

#: The server shares a 2-core machine with the embedded store and the tests.
HEAP = os.environ.get("KG_NEO4J_HEAP", "512m")
PAGECACHE = os.environ.get("KG_NEO4J_PAGECACHE", "256m")
START_TIMEOUT = float(os.environ.get("KG_NEO4J_START_TIMEOUT", "240"))
STOP_TIMEOUT = 90.0

#: As the packaged neo4j launcher passes them (the page cache wants direct buffers).
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
)


class ServerError(Exception):
    """A one-line reason the server could not be fetched, started or stopped."""


@dataclass(frozen=True)
class Server:
    """A running server: its process, Bolt port and password."""

    pid: int
    port: int
    password: str

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"


# --- fetching ------------------------------------------------------------------------


def neo4j_version() -> str:
    """The version the pom pins (the same as docker-compose.yml's image tag)."""
    text = POM.read_text(encoding="utf-8")
    start = text.index("<neo4j.version>") + len("<neo4j.version>")
    return text[start : text.index("</neo4j.version>", start)]


def classpath() -> str:
    """The jars of Neo4j Community, fetched by Maven into ~/.m2 on first use."""
    cached = ROOT / "build" / f"neo4j-{neo4j_version()}.classpath"
    if cached.exists() and cached.stat().st_mtime >= POM.stat().st_mtime:
        text = cached.read_text(encoding="utf-8").strip()
        if text and all(Path(jar).exists() for jar in text.split(os.pathsep)):
            return text
    if shutil.which("mvn") is None:
        raise ServerError("Maven (mvn) is not installed; install it (apt-get install maven)")
    cached.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(POM),
            "dependency:build-classpath",
            f"-Dmdep.outputFile={cached}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not cached.exists():
        tail = " ".join((done.stdout + done.stderr).split())[-400:]
        raise ServerError(f"Maven could not fetch Neo4j {neo4j_version()}: {tail}")
    return cached.read_text(encoding="utf-8").strip()


def java() -> str:
    found = shutil.which("java")
    if found is None:
        raise ServerError(
            "Java is not installed; Neo4j 5 needs Java 17 (apt-get install openjdk-17)"
        )
    return found


def admin(
    args: Sequence[str], home: Path, *, timeout: float = 3600
) -> subprocess.CompletedProcess[str]:
    """Run ``neo4j-admin ARGS`` for the Neo4j home ``home``."""
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    return subprocess.run(
        [java(), f"-Xmx{HEAP}", *JVM_OPTIONS, "-cp", classpath(), ADMIN_CLASS, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


# --- configuration -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def write_conf(home: Path, port: int) -> None:
    """neo4j.conf: Bolt on loopback only, no HTTP, auth on, small memory, no usage report."""
    conf = home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text(
        "\n".join(
            [
                "# Written by scripts/neo4j_server.py; rewritten at every start.",
                "server.default_listen_address=127.0.0.1",
                f"server.bolt.listen_address=127.0.0.1:{port}",
                f"server.bolt.advertised_address=127.0.0.1:{port}",
                "server.http.enabled=false",
                "server.https.enabled=false",
                "dbms.security.auth_enabled=true",
                "dbms.usage_report.enabled=false",
                f"server.memory.pagecache.size={PAGECACHE}",
                "db.tx_log.rotation.retention_policy=2 files",
                "server.logs.gc.enabled=false",
                "",
            ]
        ),
        encoding="utf-8",
    )


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_env(server: Server, path: Path = ENV_FILE) -> None:
    write_private(
        path,
        f"export NEO4J_URI={server.uri}\n"
        f"export NEO4J_USER={USER}\n"
        f"export NEO4J_PASSWORD={server.password}\n"
        f"export NEO4J_DATABASE={DATABASE}\n",
    )


# --- state ---------------------------------------------------------------------------


def state_file(home: Path) -> Path:
    return home / "server.json"


def read_server(home: Path) -> Server | None:
    try:
        data = json.loads(state_file(home).read_text(encoding="utf-8"))
        return Server(pid=int(data["pid"]), port=int(data["port"]), password=str(data["password"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def saved_password(home: Path) -> str | None:
    try:
        return str(json.loads(state_file(home).read_text(encoding="utf-8"))["password"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_server(home: Path, server: Server) -> None:
    write_private(
        state_file(home),
        json.dumps({"pid": server.pid, "port": server.port, "password": server.password}),
    )


def is_our_server(pid: int, home: Path) -> bool:
    """The pid is alive and is a Neo4j server for ``home`` (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return SERVER_CLASS.encode() in cmdline and f"--home-dir={home}".encode() in cmdline


def bolt_answers(server: Server, timeout: float = 5.0) -> bool:
    """Bolt accepts this server's password and runs a query."""
    import neo4j  # the kg venv's driver

    logging.getLogger("neo4j").addHandler(logging.NullHandler())  # no retry chatter
    logging.getLogger("neo4j").propagate = False
    try:
        with (
            neo4j.GraphDatabase.driver(
                server.uri, auth=(USER, server.password), connection_timeout=timeout
            ) as driver,
            driver.session(database=DATABASE) as session,
        ):
            session.run("RETURN 1").consume()  # one try: the caller polls
        return True
    except Exception:
        return False


@contextlib.contextmanager
def locked(home: Path) -> Iterator[None]:
    """One up/down at a time per home (make test and a developer may race)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# --- up and down ---------------------------------------------------------------------


def running(home: Path) -> Server | None:
    server = read_server(home)
    if server is not None and is_our_server(server.pid, home):
        return server
    return None


def up(home: Path = HOME, env_file: Path | None = ENV_FILE) -> tuple[Server, bool]:
    """A running server for ``home`` (started unless one runs); True when it was started."""
    with locked(home):
        server = running(home)
        if server is not None:
            if wait_ready(server, home, timeout=START_TIMEOUT):
                if env_file is not None:
                    write_env(server, env_file)
                return server, False
            stop_pid(server.pid, home)  # alive but deaf: start afresh on the same data
        server = start(home)
        if env_file is not None:
            write_env(server, env_file)
        return server, True


def start(home: Path) -> Server:
    cp = classpath()
    password = saved_password(home)
    if password is None:
        # A new home, or one that only holds an imported database: the users live in the
        # system database, so start that afresh and give the first user a generated
        # password before it is created (set-initial-password only works then). The
        # neo4j database's files, e.g. from bulk_import, are kept and served.
        for name in ("databases/system", "transactions/system", "dbms"):
            shutil.rmtree(home / "data" / name, ignore_errors=True)
        password = "kg" + secrets.token_hex(16)  # shell-safe, never starts with "-"
        write_conf(home, free_port())
        done = admin(["dbms", "set-initial-password", password], home, timeout=300)
        if done.returncode != 0:
            raise ServerError(f"neo4j-admin set-initial-password failed: {_tail(done.stderr)}")
    port = free_port()
    write_conf(home, port)
    (home / "logs").mkdir(parents=True, exist_ok=True)
    with open(home / "logs" / "console.log", "ab") as console:
        env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
        process = subprocess.Popen(
            [
                java(),
                f"-Xms{HEAP}",
                f"-Xmx{HEAP}",
                *JVM_OPTIONS,
                "-cp",
                cp,
                SERVER_CLASS,
                f"--home-dir={home}",
                f"--config-dir={home / 'conf'}",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(pid=process.pid, port=port, password=password)
    write_server(home, server)
    if not wait_ready(server, home, timeout=START_TIMEOUT, process=process):
        stop_pid(server.pid, home)
        raise ServerError(
            f"Neo4j did not answer on {server.uri} within {START_TIMEOUT:.0f}s; "
            f"see {home / 'logs' / 'neo4j.log'}: {_last_log_line(home)}"
        )
    return server


def wait_ready(
    server: Server, home: Path, *, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        if process is None and not is_our_server(server.pid, home):
            return False
        if bolt_answers(server):
            return True
        time.sleep(1.0)
    return False


def down(home: Path = HOME, env_file: Path | None = ENV_FILE) -> bool:
    """Stop the server for ``home``; False when none was running."""
    with locked(home):
        server = running(home)
        if env_file is not None:
            with contextlib.suppress(FileNotFoundError):
                env_file.unlink()
        if server is None:
            return False
        stop_pid(server.pid, home)
        return True


def stop_pid(pid: int, home: Path) -> None:
    """SIGTERM (Neo4j shuts down cleanly), then SIGKILL if it is still there."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if not is_our_server(pid, home) or _is_zombie(pid):
            _reap(pid)
            return
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _tail(text: str, limit: int = 400) -> str:
    return " ".join(text.split())[-limit:]


def _last_log_line(home: Path) -> str:
    for name in ("neo4j.log", "console.log"):
        try:
            lines = (
                (home / "logs" / name).read_text(encoding="utf-8", errors="replace").splitlines()
            )
        except OSError:
            continue
        for line in reversed(lines):
            if "ERROR" in line or "Exception" in line:
                return _tail(line, 300)
    return "no error logged"


# --- bulk import ---------------------------------------------------------------------


def bulk_import(csv_dir: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``neo4j-admin database import full`` of ``kg export --neo4j-csv`` output into ``home``.

    Uses the same node and relationship files, and options, as the
    ``import.sh`` that kg writes beside them; the target is the ``neo4j``
    database of a fresh Neo4j home, which a server started on ``home`` then
    serves.
    """
    nodes = sorted(csv_dir.glob("nodes_*.csv"))
    rels = sorted(csv_dir.glob("rels_*.csv"))
    if not nodes:
        raise ServerError(f"no nodes_*.csv in {csv_dir}; write them with kg export --neo4j-csv")
    write_conf(home, free_port())
    # In import.sh's order: --nodes/--relationships take several files each, so a
    # plain option must come between them and the database name.
    args = ["database", "import", "full"]
    args += [f"--nodes={path}" for path in nodes]
    args += [f"--relationships={path}" for path in rels]
    args += ["--delimiter=,", f"--array-delimiter={_array_delimiter(csv_dir)}", "--id-type=string"]
    args += ["--overwrite-destination=true", f"--report-file={home / 'import.report'}"]
    return admin([*args, DATABASE], home)


def _array_delimiter(csv_dir: Path) -> str:
    """The array delimiter kg chose for these files, as its ``import.sh`` names it."""
    script = csv_dir / "import.sh"
    found = re.search(r'--array-delimiter="([^"]+)"', script.read_text(encoding="utf-8"))
    return found.group(1) if found else ";"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def run_with_server(home: Path, env_file: Path, cmd: Sequence[str]) -> int:
    """Run ``cmd`` with a Neo4j up; stop it afterwards if it was started for ``cmd``."""
    command = [part for part in cmd if part != "--"] if cmd[:1] == ["--"] else list(cmd)
    if not command:
        raise ServerError("run needs a command, e.g. run -- pytest -q")
    started = False
    try:
        server, started = up(home, env_file)
        print(f"neo4j_server: Neo4j {neo4j_version()} at {server.uri} for the tests", flush=True)
    except ServerError as error:
        if in_ci():
            raise ServerError(f"CI needs Neo4j and it did not start: {error}") from None
        print(f"neo4j_server: no Neo4j, its tests will skip: {error}", file=sys.stderr)
    try:
        return subprocess.call(command)
    finally:
        if started:
            down(home, env_file)


# --- command line --------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=HOME, help="Neo4j home (data, logs, conf)")
    parser.add_argument("--env-file", type=Path, default=ENV_FILE)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up")
    commands.add_parser("down")
    commands.add_parser("status")
    commands.add_parser("classpath")
    importer = commands.add_parser("import")
    importer.add_argument("csv_dir", type=Path)
    runner = commands.add_parser("run")
    runner.add_argument("cmd", nargs=argparse.REMAINDER)
    passthrough = commands.add_parser("admin")
    passthrough.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    home = options.home.resolve()
    try:
        if options.command == "up":
            server, started = up(home, options.env_file)
            verb = "started" if started else "reusing"
            print(
                f"Neo4j {neo4j_version()} {verb} at {server.uri} (pid {server.pid}, data "
                f"{home / 'data'}); `source {options.env_file}` sets NEO4J_URI and friends"
            )
        elif options.command == "down":
            print("Neo4j stopped" if down(home, options.env_file) else "Neo4j was not running")
        elif options.command == "status":
            found = running(home)
            print(f"Neo4j running at {found.uri} (pid {found.pid})" if found else "not running")
            return 0 if found else 1
        elif options.command == "classpath":
            print(classpath())
        elif options.command == "run":
            return run_with_server(home, options.env_file, options.cmd)
        elif options.command == "import":
            done = bulk_import(options.csv_dir.resolve(), home)
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
            return done.returncode
        else:
            done = admin(options.args, home)
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
            return done.returncode
    except (ServerError, OSError, subprocess.SubprocessError) as error:
        print(f"neo4j_server: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
