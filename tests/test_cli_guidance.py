"""The CLI shows the next step: what ``kg build`` made and what to run next."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.store.connection import ConnectionConfig

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
    tmp_path: Path, store_config: ConnectionConfig
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
