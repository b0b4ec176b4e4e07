"""A password written into the URI (``bolt://user:SECRET@host``) is never printed.

Every store command is run through ``CliRunner`` with the secret in ``--uri``
and in NEO4J_URI, against a closed port (the error path) and against the real
session store (the success path: the credentials move from the URI into the
driver's auth, which the driver requires).
"""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.graph import save_graph
from kg.store.connection import ConnectionConfig, redact_uri, split_userinfo

from .graphs import corpus_a

SECRET = "SECRET-in-the-uri-9f3"
STORE_ENV = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture()
def graph_file(tmp_path: Path) -> Path:
    path = tmp_path / "graph.json"
    save_graph(corpus_a(), path)
    return path


@pytest.fixture()
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "papers.cypher"
    path.write_text("MATCH (p:Paper) RETURN p.title AS title ORDER BY title LIMIT 3\n")
    return path


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    clean = {name: None for name in STORE_ENV}
    return CliRunner().invoke(main, args, env={**clean, **(env or {})})


def printed(result: Result) -> str:
    """Everything the user sees: stdout, stderr and any exception text."""
    return result.stdout + result.stderr + (repr(result.exception) if result.exception else "")


def commands(graph_file: Path, query_file: Path, tmp_path: Path) -> dict[str, list[str]]:
    return {
        "stats": ["stats"],
        "stats-json": ["stats", "--format", "json"],
        "load": ["load", str(graph_file)],
        "load-wipe": ["load", str(graph_file), "--wipe", "--yes"],
        "query": ["query", str(query_file)],
        "query-bundled": ["query", "most_mentioned_models"],
        "view": ["view", "--from-db", "-o", str(tmp_path / "v.html")],
    }


@pytest.mark.parametrize(
    "template",
    [
        "bolt://root:{secret}@127.0.0.1:{port}",
        "neo4j://root:{secret}@127.0.0.1:{port}",
        "bolt://{secret}@127.0.0.1:{port}",
        "bolt://root:{secret}@127.0.0.1:99999",
        "bolt://root:{secret}@[::1",
        "http://root:{secret}@127.0.0.1:{port}",
        "bolt://root:pre/{secret}@127.0.0.1:{port}",
    ],
)
def test_no_command_prints_a_password_from_the_uri(
    template: str, graph_file: Path, query_file: Path, tmp_path: Path
) -> None:
    uri = template.format(secret=SECRET, port=closed_port())
    for name, args in commands(graph_file, query_file, tmp_path).items():
        for result in (run([*args, "--uri", uri]), run(args, {"NEO4J_URI": uri})):
            assert result.exit_code == 1, (name, result.output)
            assert SECRET not in printed(result), name
            assert result.stderr.startswith("Error: "), (name, result.stderr)
            assert result.stderr.count("\n") == 1, (name, result.stderr)  # one line, no retries
            assert "Traceback" not in printed(result)


def test_build_with_a_password_in_neo4j_uri_never_prints_it(tmp_path: Path) -> None:
    listing = tmp_path / "one.jsonl"
    listing.write_text(
        '{"title": "A small test paper", "authors": ["Ada Lovelace"], '
        '"abstract": "We fine-tune BERT on SQuAD and report F1."}\n'
    )
    uri = f"bolt://root:{SECRET}@127.0.0.1:{closed_port()}"
    result = run(
        ["build", str(listing), "-o", str(tmp_path / "g.json"), "--no-view"], {"NEO4J_URI": uri}
    )
    assert result.exit_code == 1, result.output
    assert SECRET not in printed(result)
    assert f"cannot reach the graph store at {redact_uri(uri)}" in result.stderr


def test_db_commands_never_print_neo4j_uri_secrets() -> None:
    uri = f"bolt://root:{SECRET}@127.0.0.1:{closed_port()}"
    for args in (["db", "status"], ["query", "--list"]):
        result = run(args, {"NEO4J_URI": uri})
        assert SECRET not in printed(result), args


def test_credentials_in_the_uri_reach_the_store_and_stay_hidden(
    store_config: ConnectionConfig, graph_file: Path, query_file: Path, tmp_path: Path
) -> None:
    assert store_config.password is not None
    scheme, rest = store_config.uri.split("://", 1)
    uri = f"{scheme}://{store_config.user}:{store_config.password}@{rest}"
    env = {"NEO4J_DATABASE": store_config.database or ""}
    for name, args in commands(graph_file, query_file, tmp_path).items():
        result = run([*args, "--uri", uri], env)
        assert result.exit_code == 0, (name, result.output)
        assert store_config.password not in printed(result), name


def test_a_wrong_password_in_the_uri_is_one_line_without_it(
    store_config: ConnectionConfig,
) -> None:
    scheme, rest = store_config.uri.split("://", 1)
    result = run(["stats", "--uri", f"{scheme}://{store_config.user}:{SECRET}@{rest}"])
    assert result.exit_code == 1
    assert SECRET not in printed(result)
    assert "rejected the credentials" in result.stderr


def test_userinfo_moves_into_the_auth() -> None:
    config = ConnectionConfig("bolt://al%40ice:pa%3Ass@db:7687", "neo4j", "env-password")
    assert (config.uri, config.user, config.password) == ("bolt://db:7687", "al@ice", "pa:ss")
    assert dataclasses.replace(config).uri == "bolt://db:7687"
    assert split_userinfo("bolt://db:7687") == ("bolt://db:7687", None, None)
    assert split_userinfo("neo4j://u:a@b/c@db") == ("neo4j://db", "u", "a@b/c")
    assert redact_uri("bolt://u:p@[::1") == "bolt://[::1"
