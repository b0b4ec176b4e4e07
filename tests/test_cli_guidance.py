"""The CLI guides: what ``kg build`` made and what to run next; views that agree."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store.connection import ConnectionConfig
from kg.store.loader import wipe
from tests.test_view import parse_page

from .conftest import SEEDS


def test_build_ends_with_the_next_commands(tmp_path: Path) -> None:
    graph, view = tmp_path / "g.json", tmp_path / "g.html"
    result = CliRunner().invoke(
        main, ["build", str(SEEDS[4]), "-o", str(graph), "--view", str(view), "--no-load"]
    )
    assert result.exit_code == 0, result.output
    tail = result.stdout.split("next:\n", 1)[1].splitlines()
    width = len(f"kg trends --graph {graph} -o trends.html")
    assert tail == [
        f"  {'open ' + str(view):<{width}}  the graph in a browser (works offline)",
        f"  {f'kg view --graph {graph} --entity NAME':<{width}}  one entity and its neighbours",
        f"  kg trends --graph {graph} -o trends.html  mentions over time, and what is rising",
    ]


def test_build_into_the_store_names_a_first_query(
    tmp_path: Path, store_config: ConnectionConfig, driver: neo4j.Driver
) -> None:
    login = ["--uri", store_config.uri, "--user", store_config.user]
    if store_config.database:
        login += ["--database", store_config.database]
    result = CliRunner().invoke(
        main,
        ["build", str(SEEDS[4]), "-o", str(tmp_path / "g.json"), "--no-view", *login],
        env={"NEO4J_PASSWORD": store_config.password or ""},
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("next:\n", 1)[1].splitlines()
    assert lines[0].split() == [
        "kg",
        "query",
        "--list",
        *"the bundled questions, with their parameters".split(),
    ]
    assert lines[1].split()[:3] == ["kg", "query", "most_mentioned_models"]


@pytest.mark.parametrize("depth", ["1", "2"])
def test_ego_view_from_the_store_equals_the_one_from_the_file(
    tmp_path: Path, store_config: ConnectionConfig, driver: neo4j.Driver, depth: str
) -> None:
    """``kg view --from-db --entity`` reads the neighbourhood with its papers, like the file."""
    wipe(driver, store_config.database)
    login = ["--uri", store_config.uri, "--user", store_config.user]
    if store_config.database:
        login += ["--database", store_config.database]
    env = {"NEO4J_PASSWORD": store_config.password or ""}
    graph = tmp_path / "g.json"
    built = CliRunner().invoke(
        main, ["build", *map(str, SEEDS), "-o", str(graph), "--no-view", *login], env=env
    )
    assert built.exit_code == 0, built.output
    views = {}
    for name, source in (("file", ["--graph", str(graph)]), ("db", ["--from-db", *login])):
        out = tmp_path / f"{name}.html"
        shown = CliRunner().invoke(
            main, ["view", *source, "--entity", "BLOOM", "--depth", depth, "-o", str(out)], env=env
        )
        assert shown.exit_code == 0, shown.output
        data = parse_page(out)[1]
        views[name] = (
            shown.stdout.split(" in ", 1)[0],
            sorted(node["id"] for node in data["nodes"]),
            sorted(edge["id"] for edge in data["edges"]),
        )
    assert views["db"] == views["file"]
    assert any(key.startswith("paper:") for key in views["db"][1])


def test_query_list_shows_each_parameter_with_its_default() -> None:
    result = CliRunner().invoke(main, ["query", "--list"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("model_training\tWhat was a model trained and evaluated on?")
    assert lines[at + 1] == "    --param model=BLOOM  (string) model name or alias, any case"
    paper = lines.index("paper_entities\tWhat does a paper mention and introduce?")
    assert lines[paper + 1].startswith("    --param 'title=BLOOM: A 176B'  (string) ")


def test_an_unknown_entity_is_an_error_that_names_the_closest(
    tmp_path: Path, store_config: ConnectionConfig, driver: neo4j.Driver
) -> None:
    wipe(driver, store_config.database)
    login = ["--uri", store_config.uri, "--user", store_config.user]
    if store_config.database:
        login += ["--database", store_config.database]
    env = {"NEO4J_PASSWORD": store_config.password or ""}
    built = CliRunner().invoke(
        main, ["build", *map(str, SEEDS), "-o", str(tmp_path / "g.json"), "--no-view", *login],
        env=env,
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    query = ["query", "model_training", *login]
    unknown = CliRunner().invoke(main, [*query, "--param", "model=Mistrall"], env=env)
    assert unknown.exit_code == 1
    assert (
        unknown.stderr
        == "Error: no entity named 'Mistrall'; closest: Mistral, Mistral 7B, Mistral Large\n"
    )
    known = CliRunner().invoke(main, [*query, "--param", "model=mistral 7b"], env=env)
    assert known.exit_code == 0, known.output
