"""The embedded ArcadeDB store: files, lifecycle, and durability across stop and kill -9.

These tests start servers of their own in temporary KG_HOMEs (whatever
NEO4J_URI says), since they test kg.store.embedded itself.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import StoreError
from kg.store import embedded, resolve_config
from kg.store.connection import ConnectionConfig, open_driver
from kg.store.loader import load_graph, read_counts

from .graphs import corpus_a, corpus_b, expected_counts


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def refuses(port: int | None) -> bool:
    assert port is not None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except OSError:
        return True


def counts_of(config: ConnectionConfig) -> dict[str, dict[str, int]]:
    with open_driver(config) as driver:
        return read_counts(driver, config.database)


def wait_until_stopped(home: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while embedded.status(home).running:
        assert time.monotonic() < deadline, "the server did not go away"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A KG_HOME with a running server for this module; stopped through stop() at the end."""
    path = tmp_path_factory.mktemp("kg-lifecycle") / "nested" / "home"
    embedded.start(path)
    try:
        yield path
    finally:
        embedded.stop(path)


def test_stop_without_a_server_returns_false(tmp_path: Path) -> None:
    assert embedded.stop(tmp_path / "never-started") is False
    assert embedded.stop(tmp_path) is False
    status = embedded.status(tmp_path)
    assert (status.running, status.ready, status.pid, status.uri) == (False, False, None, None)


def test_files_under_kg_home_are_private(home: Path) -> None:
    config = embedded.ensure_running(home)
    assert mode(home) == 0o700
    assert mode(home / embedded.PASSWORD_FILE) == 0o600
    assert mode(home / embedded.STATE_FILE) == 0o600  # it holds the control token
    password = (home / embedded.PASSWORD_FILE).read_text().strip()
    assert config.password == password and len(password) >= 24
    assert password not in repr(config) and password not in str(config)
    assert password not in (home / embedded.STATE_FILE).read_text()
    assert (config.user, config.database) == ("root", "kg")


def test_status_and_ensure_running_reuse_the_server(home: Path) -> None:
    status = embedded.status(home)
    assert status.running and status.ready and status.pid
    assert status.uri == f"bolt://127.0.0.1:{status.bolt_port}"
    config = embedded.ensure_running(home)
    again = embedded.start(home)
    assert config == again and config.uri == status.uri
    assert embedded.status(home).pid == status.pid  # no second server
    assert counts_of(config)["nodes"]["Paper"] >= 0


def test_resolve_config_uses_the_embedded_store_without_neo4j_uri(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("KG_HOME", str(home))
    assert resolve_config() == embedded.ensure_running(home)
    assert embedded.resolve_home() == home


def test_data_survives_stop_start_lost_password_and_kill_9(home: Path) -> None:
    config = embedded.ensure_running(home)
    with open_driver(config) as driver:
        load_graph(driver, corpus_a(), database=config.database)
    expected_a = expected_counts(corpus_a())
    assert counts_of(config) == expected_a

    # A clean stop through the control socket, then a start.
    old = embedded.status(home)
    assert embedded.stop(home) is True
    assert not embedded.status(home).running and refuses(old.bolt_port)
    assert embedded.stop(home) is False
    # A lost password file gets a new password; the data stays.
    (home / embedded.PASSWORD_FILE).unlink()
    restarted = embedded.start(home)
    assert restarted.password != config.password
    assert mode(home / embedded.PASSWORD_FILE) == 0o600
    assert counts_of(restarted) == expected_a

    # kill -9 right after a load: nothing committed is lost.
    with open_driver(restarted) as driver:
        load_graph(driver, corpus_b(), database=restarted.database)
        after_b = read_counts(driver, restarted.database)
    assert after_b != expected_a
    victim = embedded.status(home).pid
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    wait_until_stopped(home)
    recovered = embedded.ensure_running(home)
    assert embedded.status(home).pid != victim
    assert counts_of(recovered) == after_b


def test_sigterm_stops_the_server_cleanly(home: Path) -> None:
    """A stray SIGTERM once crashed the JVM; the server now treats it like a stop request."""
    embedded.ensure_running(home)
    pid = embedded.status(home).pid
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    wait_until_stopped(home)
    log = (home / embedded.LOG_FILE).read_text(errors="replace")
    assert "kg-embedded: stopping (signal SIGTERM)" in log
    assert log.rstrip().endswith("kg-embedded: stopped")
    assert not list((home / "log").glob("hs_err_pid*"))


def test_a_server_that_cannot_start_is_a_store_error_pointing_at_the_log(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / embedded.ARCADEDB_DIR).mkdir(mode=0o700, parents=True)
    (broken / embedded.ARCADEDB_DIR / "databases").write_text("not a directory")
    with pytest.raises(StoreError) as caught:
        embedded.start(broken)
    message = str(caught.value)
    assert "\n" not in message
    assert "failed to start" in message and str(broken / embedded.LOG_FILE) in message
    assert not embedded.status(broken).running


def test_an_unusable_kg_home_is_a_store_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir(mode=0o700)
    (broken / embedded.ARCADEDB_DIR).write_text("not a directory")
    with pytest.raises(StoreError, match="KG_HOME"):
        embedded.start(broken)
    assert not embedded.status(broken).running


def test_a_bad_heap_size_is_a_store_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_DB_HEAP", "lots")
    with pytest.raises(StoreError) as caught:
        embedded.start(tmp_path / "home")
    assert "KG_DB_HEAP='lots' is not a heap size; use e.g. 1g or 768m" in str(caught.value)
    assert not embedded.status(tmp_path / "home").running
