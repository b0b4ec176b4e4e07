"""Hostile text and user Cypher through the CLI, against the session's real Bolt store.

* ``kg view --from-db --cypher FILE`` refuses a file that writes, as ``kg query`` does,
  and the store is left exactly as it was;
* titles and names holding terminal escape sequences never reach the output raw;
* a ``LIMIT`` parameter is checked before the store sees it.
"""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.store import ConnectionConfig
from kg.store.loader import wipe

EVIL_TITLE = "Evil \x1b]0;PWNED\x07 LLaMA 2 \u009b31m tuned \u202eon MMLU"
EVIL_AUTHOR = "Eve \x1b[31mRed"
PAPERS = [
    {
        "id": "2301.00009",
        "title": EVIL_TITLE,
        "abstract": "We fine-tune LLaMA 2 on MMLU and compare it with GPT-4 from OpenAI. \x1b[2J",
        "authors": [EVIL_AUTHOR, "Bo Chen"],
    },
    {
        "id": "2301.00010",
        "title": "BLOOM in Finnish",
        "abstract": "BLOOM from BigScience is evaluated on FLORES in Finnish.",
        "authors": ["Bo Chen"],
    },
]
RAW_CONTROLS = ("\x1b", "\x07", "\u009b", "\u202e")


@pytest.fixture
def store_env(
    driver: neo4j.Driver, store_config: ConnectionConfig, tmp_path: Path
) -> dict[str, str]:
    """NEO4J_* for the session store, which holds exactly PAPERS' graph (built by kg build)."""
    wipe(driver, store_config.database)
    env = {
        "NEO4J_URI": store_config.uri,
        "NEO4J_USER": store_config.user,
        "NEO4J_PASSWORD": store_config.password or "",
        "NEO4J_DATABASE": store_config.database or "",
        "KG_HOME": str(tmp_path / "unused-home"),
    }
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    built = CliRunner().invoke(
        main, ["build", str(papers), "--no-view", "-o", str(tmp_path / "g.json")], env=env
    )
    assert built.exit_code == 0, built.output
    for control in RAW_CONTROLS:
        assert control not in built.output
    return env


def _kg(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def _snapshot(driver: neo4j.Driver, database: str | None) -> list[tuple[str, str]]:
    with driver.session(database=database) as session:
        rows = session.run("MATCH (n) RETURN n.key AS key, properties(n) AS props").data()
    return sorted((row["key"], json.dumps(row["props"], sort_keys=True)) for row in rows)


@pytest.mark.parametrize(
    ("cypher", "clause"),
    [
        ("MATCH (m:Model) SET m.name = 'pwned' RETURN m", "SET"),
        ("CREATE (m:Model {key: 'model:evil', name: 'evil'}) RETURN m", "CREATE"),
        ("MATCH (m:Model) DETACH DELETE m", "DETACH"),
    ],
)
def test_view_cypher_refuses_writes_and_writes_nothing(
    store_env: dict[str, str],
    driver: neo4j.Driver,
    database: str | None,
    tmp_path: Path,
    cypher: str,
    clause: str,
) -> None:
    before = _snapshot(driver, database)
    assert any(key.startswith("model:") for key, _ in before)
    query = tmp_path / "writes.cypher"
    query.write_text(cypher + "\n", encoding="utf-8")
    view = tmp_path / "view.html"
    result = _kg(store_env, "view", "--from-db", "--cypher", str(query), "-o", str(view))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {query}: uses {clause}, but queries run read-only; "
        "write to the graph with 'kg load' (or cypher-shell) instead\n"
    )
    assert _snapshot(driver, database) == before
    assert not view.exists()
    same = _kg(store_env, "query", str(query))
    assert same.exit_code == 1
    assert same.stderr == result.stderr


def test_view_cypher_that_reads_still_draws(store_env: dict[str, str], tmp_path: Path) -> None:
    query = tmp_path / "reads.cypher"
    query.write_text("MATCH (p:Paper)-[r:MENTIONS]->(m) RETURN p, r, m\n", encoding="utf-8")
    view = tmp_path / "view.html"
    result = _kg(
        store_env, "view", "--from-db", "--cypher", str(query), "-o", str(view), "--min-weight", "0"
    )
    assert result.exit_code == 0, result.output
    assert view.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_query_output_never_carries_raw_control_characters(
    store_env: dict[str, str], tmp_path: Path
) -> None:
    query = tmp_path / "titles.cypher"
    query.write_text(
        "MATCH (p:Paper)-[:AUTHORED_BY]->(a:Author) "
        "RETURN p.title AS title, a.name AS author ORDER BY title, author\n",
        encoding="utf-8",
    )
    outputs = {}
    for fmt in ("table", "csv", "json"):
        result = _kg(store_env, "query", str(query), "--format", fmt)
        assert result.exit_code == 0, result.output
        for control in RAW_CONTROLS:
            assert control not in result.output, (fmt, control)
        outputs[fmt] = result.stdout
    shown = "Evil \\x1b]0;PWNED\\x07 LLaMA 2 \\x9b31m tuned \\u202eon MMLU"
    assert shown in outputs["table"]
    assert "Eve \\x1b[31mRed" in outputs["table"]
    assert f"{shown},Eve \\x1b[31mRed\n" in outputs["csv"]
    rows = json.loads(outputs["json"])  # JSON stays lossless: the escapes decode back
    assert {"title": EVIL_TITLE, "author": EVIL_AUTHOR} in rows


def test_a_negative_limit_is_refused_before_the_store(store_env: dict[str, str]) -> None:
    for value in ("-1", "0"):
        result = _kg(store_env, "query", "most_mentioned_models", "--param", f"limit={value}")
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: limit must be a positive integer (it is the query's LIMIT), not {value}; "
            "e.g. --param limit=10\n"
        )
    ok = _kg(store_env, "query", "most_mentioned_models", "--param", "limit=1")
    assert ok.exit_code == 0, ok.output
