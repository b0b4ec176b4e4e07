"""The main job and the store commands through the CLI, against a real Bolt store.

Each test runs on both stores (``store_backend`` in tests/conftest.py): the
embedded one in a temporary KG_HOME for this module (started and stopped with
``kg db``), and the Neo4j of ``make neo4j-up`` through the NEO4J_* variables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.graph import load_graph_file
from kg.store import open_driver, wipe

from .conftest import SEEDS, Neo4jServer


@pytest.fixture(scope="module")
def env(
    store_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """KG_HOME for the module (the embedded store is started by the first test), or the
    NEO4J_* variables of the session's Neo4j, wiped first so the module starts empty."""
    home = tmp_path_factory.mktemp("kg-home")
    environment = {"KG_HOME": str(home)}
    if store_backend == "neo4j":
        server: Neo4jServer = request.getfixturevalue("neo4j_server")
        config = server.config
        environment.update(
            NEO4J_URI=config.uri,
            NEO4J_USER=config.user,
            NEO4J_PASSWORD=config.password or "",
            NEO4J_DATABASE=config.database or "",
        )
        with open_driver(config) as driver:
            wipe(driver, config.database)
        yield environment
        return
    yield environment
    CliRunner().invoke(main, ["db", "stop"], env=environment)


def _embedded_only(env: dict[str, str]) -> None:
    if "NEO4J_URI" in env:
        pytest.skip("manages or addresses the embedded store only")


def _kg(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_db_start_status_stop(env: dict[str, str]) -> None:
    _embedded_only(env)
    started = _kg(env, "db", "start")
    assert started.exit_code == 0, started.output
    assert re.fullmatch(
        r"embedded store running at bolt://127\.0\.0\.1:\d+ \(database kg\)\n", started.stdout
    )
    status = _kg(env, "db", "status")
    assert status.exit_code == 0
    assert status.stdout.startswith("embedded store running at bolt://127.0.0.1:")
    assert "  Paper" in status.stdout
    password = (Path(env["KG_HOME"]) / "root-password").read_text(encoding="utf-8").strip()
    assert password not in started.output + status.output
    assert oct((Path(env["KG_HOME"]) / "root-password").stat().st_mode & 0o777) == "0o600"


def test_build_twice_gives_identical_stats(env: dict[str, str], tmp_path: Path) -> None:
    seeds = [str(path) for path in SEEDS]
    graph, view = tmp_path / "graph.json", tmp_path / "graph.html"
    first = _kg(env, "build", *seeds, "-o", str(graph), "--view", str(view))
    assert first.exit_code == 0, first.output
    assert "records read: 486  papers: 458  duplicates merged: 28  skipped: 0" in first.stderr
    assert first.stdout.startswith("papers: 458  authors: ")
    assert "store: " in first.stdout and "(read back from the database)" in first.stdout
    stats_one = _kg(env, "stats", "--format", "json")
    again = _kg(env, "build", *seeds, "-o", str(graph), "--view", str(view))
    assert again.exit_code == 0, again.output
    stats_two = _kg(env, "stats", "--format", "json")
    assert stats_one.exit_code == stats_two.exit_code == 0
    assert stats_one.stdout == stats_two.stdout
    counts = json.loads(stats_one.stdout)
    saved = load_graph_file(graph)
    assert counts["nodes"]["Paper"] == 458
    assert sum(counts["nodes"].values()) == saved.number_of_nodes()
    assert sum(counts["relationships"].values()) == saved.number_of_edges()
    assert view.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_load_saved_graph_and_wipe_needs_yes(env: dict[str, str], tmp_path: Path) -> None:
    graph = tmp_path / "small.json"
    built = _kg(env, "build", str(SEEDS[0]), "-o", str(graph), "--no-load", "--no-view")
    assert built.exit_code == 0, built.output
    refused = _kg(env, "load", str(graph), "--wipe")
    assert refused.exit_code == 2
    assert "--wipe deletes all of kg's nodes in the store; add --yes to confirm" in refused.stderr
    loaded = _kg(env, "load", str(graph), "--wipe", "--yes")
    assert loaded.exit_code == 0, loaded.output
    assert re.search(r"^wiped [\d,]+ nodes$", loaded.stderr, re.MULTILINE)
    saved = load_graph_file(graph)
    stats = json.loads(_kg(env, "stats", "--format", "json").stdout)
    assert sum(stats["nodes"].values()) == saved.number_of_nodes()


def test_view_from_file_and_from_db(env: dict[str, str], tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    assert _kg(env, "build", *map(str, SEEDS), "-o", str(graph), "--no-view").exit_code == 0
    out = tmp_path / "bloom.html"
    ego = _kg(env, "view", "--graph", str(graph), "--entity", "BLOOM", "-o", str(out))
    assert ego.exit_code == 0, ego.output
    assert "ego view of BLOOM (model:bloom), 1 hop" in ego.stdout
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", out.read_text(encoding="utf-8"))
    from_db = _kg(env, "view", "--from-db", "-o", str(tmp_path / "db.html"), "--types", "Model")
    assert from_db.exit_code == 0, from_db.output
    unknown = _kg(env, "view", "--graph", str(graph), "--entity", "Lama 3000")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: no node matches entity 'Lama 3000'")


def test_export_graphml_and_neo4j_csv(env: dict[str, str], tmp_path: Path) -> None:
    graph = tmp_path / "graph.json"
    assert (
        _kg(env, "build", str(SEEDS[4]), "-o", str(graph), "--no-load", "--no-view").exit_code == 0
    )
    result = _kg(env, "export", str(graph), "--graphml", str(tmp_path / "g.graphml"),
                 "--neo4j-csv", str(tmp_path / "csv"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        nx.read_graphml(tmp_path / "g.graphml").number_of_nodes()
        == load_graph_file(graph).number_of_nodes()
    )
    assert (tmp_path / "csv" / "import.sh").exists()
    nothing = _kg(env, "export", str(graph))
    assert nothing.exit_code == 2
    assert "say what to export: --graphml FILE and/or --neo4j-csv DIR" in nothing.stderr


def test_refused_connection_is_one_line(env: dict[str, str]) -> None:
    result = _kg(env, "stats", "--uri", "bolt://127.0.0.1:1", "--password", "secret-pw")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "127.0.0.1:1" in result.stderr and "secret-pw" not in result.stderr


def test_wrong_password_is_one_line(env: dict[str, str]) -> None:
    if "NEO4J_URI" in env:
        uri, user = env["NEO4J_URI"], env["NEO4J_USER"]
    else:
        status = _kg(env, "db", "start")
        uri, user = status.stdout.split(" at ")[1].split(" ")[0], "root"
    result = _kg(env, "stats", "--uri", uri, "--user", user, "--password", "not-the-password")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "not-the-password" not in result.stderr
    assert f"rejected the credentials of user {user!r}" in result.stderr


def test_query_list_and_run(env: dict[str, str], tmp_path: Path) -> None:
    listed = _kg(env, "query", "--list")
    assert listed.exit_code == 0
    lines = [line for line in listed.stdout.splitlines() if not line.startswith("    --param ")]
    assert len(lines) >= 12
    assert all(re.fullmatch(r"[a-z_]+\t\S.*\?", line) for line in lines)
    assert (
        _kg(env, "build", *map(str, SEEDS), "-o", str(tmp_path / "g.json"), "--no-view").exit_code
        == 0
    )
    for line in lines:
        name = line.split("\t")[0]
        result = _kg(env, "query", name, "--format", "json")
        assert result.exit_code == 0, (name, result.output)
        assert json.loads(result.stdout), f"{name} returned no rows on the sample"
    training = _kg(env, "query", "model_training", "--param", "model=bloom", "--format", "json")
    rows = json.loads(training.stdout)
    assert {"model": "BLOOM", "relation": "TRAINED_ON", "dataset": "ROOTS"}.items() <= rows[
        0
    ].items()
    bad = _kg(env, "query", "model_training", "--param", "nonsense")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: ")
    missing = _kg(env, "query")
    assert missing.exit_code == 2
    assert "name a query (see kg query --list) or a .cypher file" in missing.stderr


def test_load_checks_the_whole_file_before_touching_the_store(
    env: dict[str, str], tmp_path: Path
) -> None:
    before = _kg(env, "stats", "--format", "json")
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"kg_format_version":1,"directed":true,"multigraph":true,"graph":{},"nodes":[\n'
        '{"label":"Paper","key":"paper:1","title":"Fine","id":"paper:1"},\n'
        '{"label":"Villain","key":"villain:1","id":"villain:1"}],"edges":[]}\n',
        encoding="utf-8",
    )
    result = _kg(env, "load", str(bad), "--wipe", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: graph node 'villain:1': unknown node label 'Villain'; expected one of Paper, "
        "Author, Model, Dataset, Organization, Language\n"
    )
    assert _kg(env, "stats", "--format", "json").stdout == before.stdout
