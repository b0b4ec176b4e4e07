"""kg.graph.spill: the out-of-core build gives the networkx build's graph, byte for byte.

Each case folds the same papers and extraction records both ways, writes both
graph files for real and compares their bytes (node order, edge order and every
property); the sample case runs the real extraction on ``examples/*.txt``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from kg.build import _read_json_lines, _read_papers, _spool_extractions
from kg.cli import main
from kg.extract import extract_json_lines
from kg.extract.lexicon import org_tag_names
from kg.graph import build_graph, graph_summary, save_graph, write_graph_items
from kg.graph.spill import spill_graph
from kg.ingest import read_papers
from kg.model import Paper, PartialDate
from kg.view import write_view
from kg.view.select import PAPER_LEVEL
from tests.conftest import EXAMPLES
from tests.test_graph import (
    MMLU,
    MODEL,
    ORG_TAG_MAP,
    entity,
    make_extractions,
    make_papers,
    provenance_records,
)


def both_files(
    tmp_path: Path,
    papers: Sequence[Paper],
    extractions: Sequence[dict[str, Any]],
    **options: Any,
) -> tuple[bytes, bytes]:
    """The graph file of the networkx build and of the spilled build, as bytes."""
    in_memory = save_graph(build_graph(papers, extractions, **options), tmp_path / "nx.json")
    with spill_graph(papers, extractions, directory=tmp_path, **options) as spilled:
        streamed = write_graph_items(spilled.nodes(), spilled.edges(), tmp_path / "spill.json")
    return in_memory.read_bytes(), streamed.read_bytes()


@pytest.mark.parametrize(
    "options",
    [
        {"org_tag_map": ORG_TAG_MAP},
        {"min_co_mention": 2},
        {"max_evidence": 0},
        {"max_evidence": 1, "max_co_mention_entities": 1},
    ],
    ids=["org-tags", "min-co-mention", "no-evidence", "tight-caps"],
)
def test_the_test_graph_comes_out_the_same(tmp_path: Path, options: dict[str, Any]) -> None:
    in_memory, streamed = both_files(tmp_path, make_papers(), make_extractions(), **options)
    assert in_memory == streamed
    assert b'"label":"Model"' in streamed


def test_every_provenance_comes_out_the_same(tmp_path: Path) -> None:
    in_memory, streamed = both_files(tmp_path, make_papers(), provenance_records())
    assert in_memory == streamed
    assert b'"provenance":"knowledge"' in streamed


def awkward_inputs() -> tuple[list[Paper], list[dict[str, Any]]]:
    """Inputs where networkx's order and update rules show: repeats, collisions, late nodes."""
    first, second, third = make_papers()
    again = Paper(id=first.id, title="The same id, listed again", abstract="Again.", authors=["Z"])
    dated = Paper(id="2405.00005", title="Dated", abstract="x", date=PartialDate("2022", 2022))
    records = make_extractions()
    records.append(records[0])  # a second record of a paper: ignored
    records.append(
        {
            "id": "2405.00005",
            "title": "Dated",
            "entities": [
                # an organization the paper was tagged with, now mentioned: one adjacency slot
                entity("Organization", "Meta AI", "org:meta-ai", ["Meta"]),
                # keys that collide with a paper's and an author's node
                entity("Model", "Odd", "paper:2403.00003", ["Odd"]),
                entity("Dataset", "Odder", "author:albert-q-jiang", ["Odder", "Odd one"]),
                entity("Dataset", "MMLU", MMLU, ["MMLU"]),
            ],
            "relations": [
                {
                    "type": "TRAINED_ON",
                    "source": MODEL,
                    "target": "dataset:only-in-a-relation",
                    "target_name": "Only In A Relation",
                    "target_type": "Dataset",
                    "rule": "r",
                    "evidence": {"sentence": "Trained on it.", "field": "abstract"},
                },
            ],
        }
    )
    return [first, second, again, third, dated], records


def test_repeats_collisions_and_late_nodes_come_out_the_same(tmp_path: Path) -> None:
    papers, records = awkward_inputs()
    dated = papers[-1]
    tagged = dataclasses.replace(dated, org_tags=["Meta"])
    in_memory, streamed = both_files(
        tmp_path, [*papers[:-1], tagged], records, org_tag_map=ORG_TAG_MAP
    )
    assert in_memory == streamed
    assert b"dataset:only-in-a-relation" in streamed


def test_summary_and_entity_graph_match_the_networkx_graph(tmp_path: Path) -> None:
    papers, records = make_papers(), make_extractions()
    graph = build_graph(papers, records, org_tag_map=ORG_TAG_MAP)
    with spill_graph(papers, records, directory=tmp_path, org_tag_map=ORG_TAG_MAP) as spilled:
        assert spilled.summary() == graph_summary(graph)
        entities = spilled.entity_graph(PAPER_LEVEL)
    kept = [key for key, data in graph.nodes(data=True) if data["label"] not in PAPER_LEVEL]
    assert list(entities.nodes) == kept
    counted = [
        (source, target, key, {k: v for k, v in data.items() if k != "papers"})
        for source, target, key, data in graph.subgraph(kept).edges(keys=True, data=True)
    ]
    assert list(entities.edges(keys=True, data=True)) == counted


def test_the_spill_file_goes_when_the_block_ends(tmp_path: Path) -> None:
    with spill_graph(make_papers(), make_extractions(), directory=tmp_path) as spilled:
        assert list(tmp_path.glob("kg-spill-*/graph.sqlite"))
        assert sum(spilled.summary()["nodes"].values()) > 0
    assert not list(tmp_path.glob("kg-spill-*"))


@pytest.fixture(scope="module")
def sample_spools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's papers and extraction records, spooled as kg build spools them."""
    out = tmp_path_factory.mktemp("sample")
    inputs = sorted(str(path) for path in EXAMPLES.glob("*.txt"))
    _spool_extractions(
        read_papers(inputs, on_error="fail"),
        out / "papers.jsonl",
        out / "extractions.jsonl",
        lambda papers: extract_json_lines(papers, workers=1),
    )
    return out


def sample_inputs(spools: Path) -> tuple[Iterator[Paper], Iterator[dict[str, Any]]]:
    return _read_papers(spools / "papers.jsonl"), _read_json_lines(spools / "extractions.jsonl")


def test_the_sample_comes_out_byte_identical_and_so_does_its_view(
    sample_spools: Path, tmp_path: Path
) -> None:
    tags = org_tag_names()
    graph = build_graph(*sample_inputs(sample_spools), org_tag_map=tags)
    in_memory = save_graph(graph, tmp_path / "nx.json").read_bytes()
    full_view = write_view(graph, tmp_path / "nx.html")
    with spill_graph(
        *sample_inputs(sample_spools), directory=tmp_path, org_tag_map=tags
    ) as spilled:
        streamed = write_graph_items(spilled.nodes(), spilled.edges(), tmp_path / "s.json")
        assert spilled.summary() == graph_summary(graph)
        entity_view = write_view(spilled.entity_graph(PAPER_LEVEL), tmp_path / "s.html")
    assert in_memory == streamed.read_bytes()
    assert graph.number_of_nodes() > 1000
    assert (tmp_path / "nx.html").read_bytes() == (tmp_path / "s.html").read_bytes()
    assert entity_view.nodes_shown == full_view.nodes_shown > 0


def test_kg_build_writes_the_networkx_graph_of_the_sample(
    sample_spools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_HOME", str(tmp_path / "home"))
    inputs = sorted(str(path) for path in EXAMPLES.glob("*.txt"))
    out = tmp_path / "graph.json"
    result = CliRunner().invoke(
        main, ["build", *inputs, "-o", str(out), "--no-load", "--view", str(tmp_path / "v.html")]
    )
    assert result.exit_code == 0, result.output
    expected = build_graph(*sample_inputs(sample_spools), org_tag_map=org_tag_names())
    assert out.read_bytes() == save_graph(expected, tmp_path / "nx.json").read_bytes()
    shown = orjson.loads(out.read_bytes())
    assert len(shown["nodes"]) == expected.number_of_nodes()
