"""``kg trends`` and ``kg digest`` on the whole corpora graph (issue 14).

The graph of ``../shared/corpora`` takes minutes to build, so CI does not build
it; ``make corpus-views`` does, then runs this file with ``KG_CORPUS_GRAPH``
pointing at it. Without that variable the tests skip and say how to run them.
The expectations are computed from the graph itself, independently of the
trends and digest code: the top entities by dated papers, and claims whose
evidence sentences are stored on the relation edges they come from.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.digest import compute_digest, paper_day
from kg.digest_render import digest_markdown
from kg.graph import load_graph_file
from kg.timeline import period_of
from kg.trends import compute_trends

CORPUS_GRAPH = os.environ.get("KG_CORPUS_GRAPH", "")

pytestmark = pytest.mark.skipif(
    not CORPUS_GRAPH,
    reason="needs the corpora graph: run `make corpus-views` (sets KG_CORPUS_GRAPH)",
)

#: Edges from a paper to an entity it names.
_NAMING = frozenset({"MENTIONS", "INTRODUCES"})
#: A script or stylesheet fetched from elsewhere (plotly's bundle holds links as text).
_EXTERNAL = re.compile(r"""<(?:script|link)[^>]+(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def corpus() -> nx.MultiDiGraph[str]:
    return load_graph_file(CORPUS_GRAPH)


def _papers_by_year(graph: nx.MultiDiGraph[str], label: str) -> Counter[str]:
    """Dated papers naming each entity of ``label``: what the trend lines count."""
    counts: Counter[str] = Counter()
    for paper, data in graph.nodes(data=True):
        if data.get("label") != "Paper" or period_of(data.get("date"), "year") is None:
            continue
        named = {
            target
            for _, target, kind in graph.out_edges(paper, keys=True)
            if kind in _NAMING and graph.nodes[target].get("label") == label
        }
        counts.update(named)
    return counts


def test_trends_rank_the_most_mentioned_models_of_the_corpora(
    corpus: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    expected = _papers_by_year(corpus, "Model")
    report = compute_trends(corpus, label="Model", top=10, granularity="year")
    totals = [series.total for series in report.series]
    assert len(report.series) == 10
    assert [expected[series.key] for series in report.series] == totals
    assert totals == sorted(totals, reverse=True)
    assert min(totals) >= sorted(expected.values(), reverse=True)[9]
    assert len(report.periods) >= 5  # the corpora span years, not one month
    out = tmp_path / "trends.html"
    result = CliRunner().invoke(
        main, ["trends", "--graph", CORPUS_GRAPH, "--type", "Model", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert not _EXTERNAL.search(page)
    for series in report.series:
        assert series.name in result.output


def test_digest_of_the_newest_month_lists_claims_with_their_evidence(
    corpus: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    days = [paper_day(data.get("date")) for _, data in corpus.nodes(data=True)]
    newest = max(day for day in days if day is not None)
    since = newest.replace(day=1)
    digest = compute_digest(corpus, since)
    assert digest.papers == sum(1 for day in days if day is not None and since <= day <= newest)
    assert digest.introduced, "the newest month introduces no model or dataset"
    claims = [(item, claim) for item in digest.introduced for claim in item.claims]
    assert claims, "no introduced entity has a claim"
    for item, claim in claims:
        stored = corpus.get_edge_data(item.key, claim.target_key, key=claim.relation) or {}
        sentences = set(stored.get("evidence", []))
        assert sentences, f"{item.name} {claim.relation} {claim.target_name} has no evidence"
        assert {evidence.sentence for evidence in claim.evidence} <= sentences
        assert all(corpus.has_node(f"paper:{e.paper_id}") for e in claim.evidence)
    markdown = digest_markdown(digest)
    for item in digest.introduced[:20]:
        assert item.name.replace("*", r"\*") in markdown or item.name in markdown
    out = tmp_path / "digest.html"
    result = CliRunner().invoke(
        main, ["digest", "--graph", CORPUS_GRAPH, "--since", since.isoformat(), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert not _EXTERNAL.search(out.read_text(encoding="utf-8"))
    assert dt.date.fromisoformat(str(digest.until)) == newest
