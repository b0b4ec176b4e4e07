"""ConnectionConfig and open_driver: configuration, secrets and one-line errors."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from kg.errors import StoreError
from kg.store import resolve_config
from kg.store.connection import ConnectionConfig, open_driver, redact_uri

SECRET = "s3cret-Pa55word-that-must-not-leak"


def closed_port() -> int:
    """A localhost port nothing listens on (bound once by the kernel, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def assert_one_line_without_secret(error: StoreError, secret: str) -> str:
    message = str(error)
    assert "\n" not in message and message.strip() == message
    assert secret not in message
    assert secret not in repr(error)
    return message


def test_from_env_reads_the_neo4j_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("NEO4J_USER", "alice")
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    monkeypatch.setenv("NEO4J_DATABASE", "papers")
    assert ConnectionConfig.from_env() == ConnectionConfig(
        "bolt://db.example:7687", "alice", SECRET, "papers"
    )


def test_explicit_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://env:7687")
    monkeypatch.setenv("NEO4J_USER", "env-user")
    monkeypatch.setenv("NEO4J_PASSWORD", "env-password")
    monkeypatch.setenv("NEO4J_DATABASE", "env-db")
    config = ConnectionConfig.from_env(
        uri="neo4j://arg:7687", user="bob", password="arg-password", database="arg-db"
    )
    assert dataclasses.astuple(config) == ("neo4j://arg:7687", "bob", "arg-password", "arg-db")


def test_defaults_and_missing_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    config = ConnectionConfig.from_env(uri="bolt://localhost:7687")
    assert (config.user, config.password, config.database, config.auth) == (
        "neo4j",
        None,
        None,
        None,
    )
    with pytest.raises(StoreError, match="NEO4J_URI"):
        ConnectionConfig.from_env()


def test_repr_and_str_never_show_the_password() -> None:
    config = ConnectionConfig("bolt://user:inline@h:7687", "neo4j", SECRET, "neo4j")
    for text in (repr(config), str(config), f"{config}", repr([config])):
        assert SECRET not in text
        assert "inline" not in text  # a password inside the URI is hidden too
        assert "'***'" in text


def test_redact_uri_keeps_host_and_port() -> None:
    assert redact_uri("bolt://u:p@host:7687/x") == "bolt://host:7687/x"
    assert redact_uri("neo4j://host") == "neo4j://host"


def test_refused_connection_is_a_one_line_store_error_naming_the_uri() -> None:
    uri = f"bolt://127.0.0.1:{closed_port()}"
    with pytest.raises(StoreError) as caught:
        open_driver(ConnectionConfig(uri, "neo4j", SECRET))
    message = assert_one_line_without_secret(caught.value, SECRET)
    assert uri in message
    assert "cannot reach" in message and "NEO4J_URI" in message


def test_unsupported_scheme_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="scheme") as caught:
        open_driver(ConnectionConfig("http://127.0.0.1:7474", "neo4j", SECRET))
    assert_one_line_without_secret(caught.value, SECRET)


def test_wrong_password_is_a_one_line_store_error_without_the_password(
    store_config: ConnectionConfig,
) -> None:
    wrong = dataclasses.replace(store_config, password=SECRET)
    with pytest.raises(StoreError) as caught:
        open_driver(wrong)
    message = assert_one_line_without_secret(caught.value, SECRET)
    assert store_config.password is not None
    assert store_config.password not in message
    assert "credentials" in message and repr(store_config.user) in message
    assert "NEO4J_PASSWORD" in message


def test_missing_database_is_a_one_line_store_error_naming_it(
    store_config: ConnectionConfig,
) -> None:
    missing = dataclasses.replace(store_config, database="no_such_database_kg")
    with pytest.raises(StoreError) as caught:
        open_driver(missing)
    message = assert_one_line_without_secret(caught.value, store_config.password or SECRET)
    assert "'no_such_database_kg' does not exist" in message
    assert "NEO4J_DATABASE" in message


def test_open_driver_reaches_the_store(store_config: ConnectionConfig) -> None:
    with open_driver(store_config) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one", database_=store_config.database)
    assert records[0]["one"] == 1


def test_resolve_config_prefers_an_explicit_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    config = resolve_config(uri="bolt://elsewhere:7687")
    assert (config.uri, config.password) == ("bolt://elsewhere:7687", SECRET)
