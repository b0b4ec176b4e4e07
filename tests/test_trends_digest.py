"""``kg trends`` and ``kg digest``: counts per period, rising entities, claims with evidence.

A small hand-made graph gives exact expectations; the bundled sample runs the
real pipeline end to end; one test reads the same graph back from the real store.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import neo4j
import networkx as nx
import pytest
from click.testing import CliRunner

from kg.charts import trends_html, write_trends
from kg.cli import main
from kg.digest import compute_digest, paper_day
from kg.digest_render import digest_html, digest_markdown
from kg.graph import save_graph
from kg.store.connection import ConnectionConfig
from kg.store.loader import load_graph, wipe
from kg.store.subgraph import read_timeline_graph
from kg.timeline import period_of, period_range
from kg.trends import compute_trends

from .conftest import SEEDS

HOSTILE = "<script>alert(1)</script>$x$\x1b]0;PWNED\x07"


def _paper(graph: nx.MultiDiGraph[str], number: int, date: str | None, title: str = "") -> str:
    key = f"paper:p{number}"
    attrs = {"label": "Paper", "key": key, "name": title or f"Paper {number}"}
    attrs["title"] = title or f"Paper {number}"
    if date:
        attrs["date"] = date
    graph.add_node(key, **attrs)
    return key


def _entity(graph: nx.MultiDiGraph[str], key: str, label: str, name: str) -> None:
    graph.add_node(key, label=label, key=key, name=name, aliases=[], paper_count=0)


def timeline_graph() -> nx.MultiDiGraph[str]:
    """Four papers a year 2020-2023; model A steady, model B rising, C introduced in 2023."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    _entity(graph, "model:a", "Model", "Alpha")
    _entity(graph, "model:b", "Model", "Beta")
    _entity(graph, "model:c", "Model", HOSTILE)
    _entity(graph, "dataset:d", "Dataset", "DeltaBench")
    number = 0
    b_years = {2022: 1, 2023: 3}
    for year in range(2020, 2024):
        for index in range(4):
            number += 1
            paper = _paper(graph, number, f"{year}-0{index + 1}-15")
            if index < 2:
                graph.add_edge(paper, "model:a", key="MENTIONS", type="MENTIONS", count=1)
            if index < b_years.get(year, 0):
                graph.add_edge(paper, "model:b", key="MENTIONS", type="MENTIONS", count=1)
    _paper(graph, 100, None, "An undated paper")
    _paper(graph, 101, "--03-26", "A paper dated without a year")
    # p16 (2023-04-15) introduces C and D; C outperforms A on D, with evidence.
    introducing = "paper:p16"
    graph.nodes[introducing]["title"] = f"Introducing {HOSTILE}"
    for target in ("model:c", "dataset:d"):
        graph.add_edge(introducing, target, key="INTRODUCES", type="INTRODUCES")
        graph.add_edge(introducing, target, key="MENTIONS", type="MENTIONS", count=2)
    claim = {"papers": ["p16"], "support": 1, "provenance": "text",
             "evidence": [f"{HOSTILE} outperforms Alpha on DeltaBench."],
             "evidence_papers": ["p16"], "evidence_titles": ["Introducing"]}  # fmt: skip
    graph.add_edge("model:c", "model:a", key="OUTPERFORMS", type="OUTPERFORMS", **claim)
    graph.add_edge("model:c", "dataset:d", key="EVALUATED_ON", type="EVALUATED_ON", **claim)
    graph.add_edge("model:c", "org:x", key="DEVELOPED_BY", type="DEVELOPED_BY",
                   provenance="knowledge")  # fmt: skip
    graph.add_node("org:x", label="Organization", key="org:x", name="LexiconCorp", aliases=[])
    return graph


def test_periods_of_partial_dates() -> None:
    assert period_of("2023-05-17", "year") == "2023"
    assert period_of("2023-05-17", "month") == "2023-05"
    assert period_of("2023", "month") is None
    assert period_of("--03-26", "year") is None
    assert period_of(None, "year") is None
    assert period_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert period_range("2019", "2021") == ["2019", "2020", "2021"]
    assert paper_day("2024-05") == dt.date(2024, 5, 1)
    assert paper_day("2023-02-30") is None


def test_trends_count_papers_per_year_and_rank_the_rising() -> None:
    report = compute_trends(timeline_graph(), label="Model", top=5)
    assert report.granularity == "year"
    assert report.periods == ("2020", "2021", "2022", "2023")
    assert report.papers == (4, 4, 4, 4)
    assert report.undated_papers == 2
    counts = {s.name: s.counts for s in report.series}
    assert counts == {"Alpha": (2, 2, 2, 2), "Beta": (0, 0, 1, 3), HOSTILE: (0, 0, 0, 1)}
    assert [s.name for s in report.series][:2] == ["Alpha", "Beta"]
    # Beta: 3 of 4 papers in 2023 against (1 + 1) / (12 + 1) before; Alpha holds its share.
    assert [s.name for s in report.rising] == ["Beta"]
    assert report.rising[0].growth == pytest.approx(0.75 / (2 / 13))


def test_trends_by_month_and_for_named_entities() -> None:
    report = compute_trends(timeline_graph(), names=["beta", "DeltaBench"], granularity="month")
    # The papers span 2020-01..2023-04, but neither entity is named before 2022-01: the chart
    # starts at the first mention, not with two empty years.
    assert report.periods[0] == "2022-01" and report.periods[-1] == "2023-04"
    assert len(report.periods) == 16 == len(report.papers) == len(report.series[0].counts)
    assert report.series[0].counts[0] == 1
    assert [s.name for s in report.series] == ["Beta", "DeltaBench"]
    assert report.series[1].total == 1


def test_trends_page_is_offline_and_escapes_names(tmp_path: Path) -> None:
    report = write_trends(timeline_graph(), tmp_path / "t.html", tmp_path / "t.svg")
    page = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "\x1b" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert not re.search(r"""<script[^>]+src\s*=\s*["']?(?:https?:)?//""", page)
    svg = (tmp_path / "t.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "Alpha" in svg and "<script>alert" not in svg
    assert report.series[0].name == "Alpha"
    assert trends_html(report).count("plotly") > 10  # the library itself is inlined


def test_digest_lists_introduced_entities_with_claims_and_evidence() -> None:
    digest = compute_digest(timeline_graph(), dt.date(2023, 4, 1), dt.date(2023, 4, 30))
    assert digest.papers == 1
    assert (digest.before_since, digest.before_until) == (dt.date(2023, 3, 2), dt.date(2023, 3, 31))
    names = [(entry.name, entry.label) for entry in digest.introduced]
    assert names == [(HOSTILE, "Model"), ("DeltaBench", "Dataset")]
    claims = [(c.wording, c.target_name) for c in digest.introduced[0].claims]
    # The lexicon's DEVELOPED_BY (provenance knowledge) is no claim of any paper.
    assert claims == [("outperforms", "Alpha"), ("evaluated on", "DeltaBench")]
    evidence = digest.introduced[0].claims[0].evidence[0]
    assert evidence.paper_id == "p16" and evidence.in_period
    assert evidence.sentence.endswith("outperforms Alpha on DeltaBench.")
    mentioned = {m.name: (m.papers, m.papers_before) for m in digest.mentioned}
    assert mentioned == {HOSTILE: (1, 0), "DeltaBench": (1, 0)}


def test_digest_leaves_out_names_that_earlier_papers_already_mention() -> None:
    """A paper of the period "introducing" Alpha (named since 2020) does not make it new."""
    graph = timeline_graph()
    graph.add_edge("paper:p16", "model:a", key="INTRODUCES", type="INTRODUCES")
    digest = compute_digest(graph, dt.date(2023, 4, 1), dt.date(2023, 4, 30))
    assert [entry.name for entry in digest.introduced] == [HOSTILE, "DeltaBench"]


def test_digest_markdown_and_html_escape_abstract_text() -> None:
    digest = compute_digest(timeline_graph(), dt.date(2023, 1, 1))
    markdown = digest_markdown(digest)
    assert "<script>" not in markdown and "\x1b" not in markdown and "\x07" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;$x$" in markdown
    assert "- **outperforms** Alpha (papers: 1)" in markdown
    assert "*Introducing &lt;script&gt;" in markdown
    page = digest_html(digest)
    assert "<script" not in page and "\x1b" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page


def test_digest_cli_says_how_to_write_dates(tmp_path: Path) -> None:
    graph = tmp_path / "g.json"
    save_graph(timeline_graph(), graph)
    bad = CliRunner().invoke(main, ["digest", "--since", "2023-02-30", "--graph", str(graph)])
    assert bad.exit_code == 1
    assert bad.stderr == "Error: --since '2023-02-30' is not a date; write it as YYYY-MM-DD\n"
    swapped = CliRunner().invoke(
        main, ["digest", "--since", "2023-05-01", "--until", "2023-01-01", "--graph", str(graph)]
    )
    assert swapped.exit_code == 1
    assert swapped.stderr == "Error: --until 2023-01-01 is before --since 2023-05-01; swap them\n"
    out = tmp_path / "d.md"
    done = CliRunner().invoke(
        main, ["digest", "--since", "2023-04-01", "--graph", str(graph), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "2023-04-01..2023-04-15: 1 paper; introduced 1 model and 1 dataset with 2 claims\n"
        f"wrote {out}\n"
    )


def test_trends_cli_unknown_entity_names_the_closest(tmp_path: Path) -> None:
    graph = tmp_path / "g.json"
    save_graph(timeline_graph(), graph)
    result = CliRunner().invoke(main, ["trends", "--graph", str(graph), "--entity", "Alpa"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no node matches entity 'Alpa'; close names: Alpha")


@pytest.fixture(scope="module")
def sample_graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "graph.json"
    result = CliRunner().invoke(
        main, ["build", *map(str, SEEDS), "-o", str(path), "--no-load", "--no-view"]
    )
    assert result.exit_code == 0, result.output
    return path


def test_trends_and_digest_on_the_bundled_sample(sample_graph_file: Path, tmp_path: Path) -> None:
    html, png = tmp_path / "trends.html", tmp_path / "trends.png"
    result = CliRunner().invoke(
        main, ["trends", "--graph", str(sample_graph_file), "-o", str(html), "--top", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "3 entities over 5 periods (2021..2025, by year)"  # from the first mention
    assert lines[2] == "  BLOOM (Model): 5 papers"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    digest = tmp_path / "digest.md"
    result = CliRunner().invoke(
        main, ["digest", "--since", "2023-01-01", "--until", "2023-12-31",
               "--graph", str(sample_graph_file), "-o", str(digest)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = digest.read_text(encoding="utf-8")
    assert "### Gemini (Model)" in text
    assert "Introduced in *Gemini: A Family of Highly Capable Multimodal Models*" in text
    # Gemini Ultra, not the Gemini family, is the one evaluated on MMLU (issue 11: no propagation)
    assert "- **fine-tuned from** BLOOM" in text
    assert "resulting in a 176 billion parameter model we call BLUUMI" in text


def test_trends_and_digest_read_the_same_from_the_store(
    driver: neo4j.Driver, store_config: ConnectionConfig
) -> None:
    graph = timeline_graph()
    wipe(driver, store_config.database)
    load_graph(driver, graph, database=store_config.database)
    stored = read_timeline_graph(store_config)
    assert compute_trends(stored) == compute_trends(graph)
    april = (dt.date(2023, 4, 1), dt.date(2023, 4, 30))
    assert compute_digest(stored, *april) == compute_digest(graph, *april)
