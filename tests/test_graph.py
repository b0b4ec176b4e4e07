"""kg.graph: building the graph from papers + extractions, and its three file formats."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.errors import InputError, UsageError
from kg.graph import (
    FORMAT_VERSION,
    build_graph,
    graph_summary,
    load_graph_file,
    save_graph,
    write_graphml,
    write_neo4j_csv,
)
from kg.model import Paper, PartialDate, Source
from kg.schema import LABELS, REL_TYPES

TRICKY_TITLE = 'The "Llama" `model` <script>alert(1)</script> & more'
MODEL = "model:llama-2-13b"
MMLU = "dataset:mmlu"
FINNISH = "lang:finnish"
META = "org:meta-ai"
FAMILY = "model:llama"
ORG_TAG_MAP = {"Meta": "Meta AI"}

S1 = "LLaMA-2 13B is evaluated on MMLU; it scores 55%."
S1B = "We report MMLU accuracy for LLaMA-2 13B."
S3 = "Llama 2 13B reaches 54.8 on MMLU."


def mention(text: str, start: int = 0, field: str = "abstract") -> dict[str, Any]:
    return {
        "field": field,
        "start": start,
        "end": start + len(text),
        "text": text,
        "sentence": f"... {text} ...",
        "rule": "lexicon",
        "score": 1.0,
    }


def entity(label: str, name: str, key: str, texts: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "type": label,
        "name": name,
        "key": key,
        "aliases": [],
        "introduced": False,
        "mentions": [mention(text, 10 * index) for index, text in enumerate(texts)],
        **extra,
    }


def relation(
    rel_type: str,
    source: tuple[str, str, str],
    target: tuple[str, str, str],
    *,
    rule: str,
    score: float,
    sentence: str = "",
    provenance: str | None = None,
    trigger: tuple[int, int] | None = None,
    start: int = 0,
) -> dict[str, Any]:
    """A relation record; endpoints are (key, name, label).

    Without ``provenance`` it is a record of a kg before provenance existed;
    a knowledge relation gets no evidence, as RELATION_FORMAT section 1 says.
    """
    evidence: dict[str, Any] = {
        "field": "abstract",
        "start": start,
        "end": start + len(sentence),
        "sentence": sentence,
    }
    if trigger is not None:
        evidence.update(trigger_start=trigger[0], trigger_end=trigger[1])
    record = {
        "type": rel_type,
        "source": source[0],
        "target": target[0],
        "source_name": source[1],
        "target_name": target[1],
        "source_type": source[2],
        "target_type": target[2],
        "rule": rule,
        "score": score,
    }
    if provenance is not None:
        record["provenance"] = provenance
    if provenance != "knowledge":
        record["evidence"] = evidence
    return record


LLAMA = (MODEL, "LLaMA-2 13B", "Model")
MMLU_END = (MMLU, "MMLU", "Dataset")


def make_papers() -> list[Paper]:
    return [
        Paper(
            id="2401.00001",
            title=TRICKY_TITLE,
            abstract="We evaluate LLaMA-2 13B on MMLU;\nit covers Finnish.",
            authors=["Albert Q. Jiang", "Alexandre Sablayrolles"],
            org_tags=["Meta", "UnknownLab"],
            categories=["cs.CL", "cs.LG"],
            date=PartialDate("2024-01-02", 2024, 1, 2),
            has_code=True,
            sources=[Source("a.txt", 3)],
        ),
        Paper(
            id="2402.00002",
            title="Second paper",
            abstract="Llama 2 13B on MMLU.",
            authors=["Albert Q Jiang"],
            org_tags=["meta"],
            categories=["cs.CL"],
            date=PartialDate("2023", 2023),
            sources=[Source("b.jsonl", 1), Source("a.txt", 10)],
        ),
        Paper(
            id="2403.00003",
            title="Third paper",
            abstract="Llama 2 13B again.",
            date=PartialDate("Mar 26", None, 3, 26),
        ),
    ]


def make_extractions() -> list[dict[str, Any]]:
    return [
        {
            "id": "2401.00001",
            "title": TRICKY_TITLE,
            "entities": [
                entity(
                    "Model",
                    "LLaMA-2 13B",
                    MODEL,
                    ["Llama-2-13B", "LLaMA-2 13B"],
                    aliases=["Llama 2 13B"],
                    introduced=True,
                    family="LLaMA",
                ),
                entity("Dataset", "MMLU", MMLU, ["MMLU"]),
                entity("Language", "Finnish", FINNISH, ["Finnish"], kind="natural"),
                entity("Organization", "Meta AI", META, ["Meta"]),
            ],
            "relations": [
                relation("EVALUATED_ON", LLAMA, MMLU_END, rule="eval-on", score=0.8, sentence=S1),
                relation("EVALUATED_ON", LLAMA, MMLU_END, rule="eval-on", score=0.7, sentence=S1B),
                relation(
                    "VARIANT_OF",
                    LLAMA,
                    (FAMILY, "LLaMA", "Model"),
                    rule="family",
                    score=1.0,
                    sentence=S1,
                ),
                relation(
                    "COVERS_LANGUAGE",
                    LLAMA,
                    (FINNISH, "Finnish", "Language"),
                    rule="covers",
                    score=0.5,
                    sentence="It covers Finnish.",
                ),
                relation(
                    "DEVELOPED_BY",
                    LLAMA,
                    (META, "Meta AI", "Organization"),
                    rule="by-org",
                    score=0.9,
                    sentence=S1,
                ),
            ],
        },
        {
            "id": "2402.00002",
            "title": "Second paper",
            "entities": [
                entity("Model", "Llama 2 13B", MODEL, ["Llama 2 13B"]),
                entity("Dataset", "MMLU", MMLU, ["MMLU", "MMLU"]),
            ],
            "relations": [
                relation("EVALUATED_ON", LLAMA, MMLU_END, rule="eval-with", score=0.6, sentence=S3),
                # the same sentence as paper 1: not repeated in the evidence
                relation("EVALUATED_ON", LLAMA, MMLU_END, rule="eval-on", score=0.6, sentence=S1),
            ],
        },
        {
            "id": "2403.00003",
            "title": "Third paper",
            "entities": [entity("Model", "Llama 2 13B", MODEL, ["Llama 2 13B"])],
            "relations": [],
        },
        {  # a paper that ingest never saw, and an entity listed without mentions
            "id": "title-0123456789abcdef",
            "title": "Orphan",
            "entities": [entity("Dataset", "GSM8K", "dataset:gsm8k", [])],
            "relations": [],
        },
    ]


@pytest.fixture
def graph() -> nx.MultiDiGraph[str]:
    return build_graph(make_papers(), make_extractions(), org_tag_map=ORG_TAG_MAP)


# --- nodes ----------------------------------------------------------------------


def test_paper_nodes_carry_the_contract_attributes(graph: nx.MultiDiGraph[str]) -> None:
    assert graph.nodes["paper:2401.00001"] == {
        "label": "Paper",
        "key": "paper:2401.00001",
        "name": TRICKY_TITLE,
        "title": TRICKY_TITLE,
        "abstract": "We evaluate LLaMA-2 13B on MMLU;\nit covers Finnish.",
        "date": "2024-01-02",
        "year": 2024,
        "categories": ["cs.CL", "cs.LG"],
        "has_code": True,
        "sources": ["a.txt:3"],
        "authors": ["Albert Q. Jiang", "Alexandre Sablayrolles"],
    }
    second = graph.nodes["paper:2402.00002"]
    assert second["date"] == "2023" and second["year"] == 2023
    assert "has_code" not in second
    assert second["sources"] == ["b.jsonl:1", "a.txt:10"]
    third = graph.nodes["paper:2403.00003"]
    assert third["date"] == "--03-26" and "year" not in third
    assert graph.nodes["paper:title-0123456789abcdef"] == {
        "label": "Paper",
        "key": "paper:title-0123456789abcdef",
        "name": "Orphan",
        "title": "Orphan",
    }


def test_authors_are_merged_by_slug_with_positions(graph: nx.MultiDiGraph[str]) -> None:
    jiang = "author:albert-q-jiang"
    assert graph.nodes[jiang] == {"label": "Author", "key": jiang, "name": "Albert Q. Jiang"}
    assert graph.edges["paper:2401.00001", jiang, "AUTHORED_BY"] == {
        "type": "AUTHORED_BY",
        "position": 1,
    }
    assert graph.edges["paper:2401.00001", "author:alexandre-sablayrolles", "AUTHORED_BY"] == {
        "type": "AUTHORED_BY",
        "position": 2,
    }
    assert graph.edges["paper:2402.00002", jiang, "AUTHORED_BY"]["position"] == 1


def test_authors_differing_only_in_punctuation_stay_apart() -> None:
    """Issue 10: ``O'Neil`` and ``ONeil`` are two people; dots and curly quotes fold."""
    names = ["Mary O'Neil", "Mary ONeil", "Mary O\u2019Neil", "Jean-Marc Li", "Jean Marc Li"]
    papers = [
        Paper(id=f"2405.0000{i}", title=f"Paper {i}", abstract="Text.", authors=[name])
        for i, name in enumerate(names)
    ]
    graph = build_graph(papers, [])
    authors = {
        key: data["name"] for key, data in graph.nodes(data=True) if data["label"] == "Author"
    }
    assert len(authors) == 4
    assert sorted(authors.values()) == ["Jean Marc Li", "Jean-Marc Li", "Mary O'Neil", "Mary ONeil"]


def test_entity_node_aggregates_names_aliases_counts_and_dates(
    graph: nx.MultiDiGraph[str],
) -> None:
    assert graph.nodes[MODEL] == {
        "label": "Model",
        "key": MODEL,
        # two papers call it "Llama 2 13B", one "LLaMA-2 13B"
        "name": "Llama 2 13B",
        "aliases": ["Llama 2 13B", "Llama-2-13B", "LLaMA-2 13B"],
        "alias_counts": [2, 1, 1],
        "mention_count": 4,
        "paper_count": 3,
        "first_seen": "2023",  # paper 3 has no year, so it does not count
        "last_seen": "2024-01-02",
        "family": "LLaMA",
    }
    assert graph.nodes[MMLU] == {
        "label": "Dataset",
        "key": MMLU,
        "name": "MMLU",
        "aliases": ["MMLU"],
        "alias_counts": [3],
        "mention_count": 3,
        "paper_count": 2,
        "first_seen": "2023",
        "last_seen": "2024-01-02",
    }
    assert graph.nodes[FINNISH]["kind"] == "natural"
    assert "family" not in graph.nodes[FINNISH]


def test_name_ties_go_to_the_first_seen_name() -> None:
    papers = make_papers()[:2]
    graph = build_graph(papers, make_extractions()[:2])
    assert graph.nodes[MODEL]["name"] == "LLaMA-2 13B"


def test_entity_without_mentions_counts_one_mention(graph: nx.MultiDiGraph[str]) -> None:
    gsm = graph.nodes["dataset:gsm8k"]
    assert (gsm["mention_count"], gsm["paper_count"]) == (1, 1)
    assert "aliases" not in gsm and "first_seen" not in gsm
    assert graph.edges["paper:title-0123456789abcdef", "dataset:gsm8k", "MENTIONS"]["count"] == 1


def test_relation_endpoint_outside_the_entities_becomes_a_node(
    graph: nx.MultiDiGraph[str],
) -> None:
    assert graph.nodes[FAMILY] == {
        "label": "Model",
        "key": FAMILY,
        "name": "LLaMA",
        "mention_count": 0,
        "paper_count": 0,
    }
    edge = graph.edges[MODEL, FAMILY, "VARIANT_OF"]
    assert edge["papers"] == ["2401.00001"] and edge["support"] == 1


def test_org_tags_are_mapped_and_merged_with_mentioned_orgs(
    graph: nx.MultiDiGraph[str],
) -> None:
    assert graph.nodes[META]["name"] == "Meta AI"  # mapped tag and the mention agree
    assert graph.nodes[META]["mention_count"] == 1
    assert graph.edges["paper:2401.00001", META, "TAGGED_WITH"] == {
        "type": "TAGGED_WITH",
        "tag": "Meta",
    }
    # mapped case-insensitively
    assert graph.edges["paper:2402.00002", META, "TAGGED_WITH"]["tag"] == "meta"
    assert graph.nodes["org:unknownlab"] == {
        "label": "Organization",
        "key": "org:unknownlab",
        "name": "UnknownLab",
        "mention_count": 0,
        "paper_count": 0,
    }
    assert graph.has_edge("paper:2401.00001", "org:unknownlab", "TAGGED_WITH")


def test_mentions_and_introduces_edges(graph: nx.MultiDiGraph[str]) -> None:
    assert graph.edges["paper:2401.00001", MODEL, "MENTIONS"] == {"type": "MENTIONS", "count": 2}
    assert graph.edges["paper:2402.00002", MMLU, "MENTIONS"]["count"] == 2
    assert graph.edges["paper:2401.00001", MODEL, "INTRODUCES"] == {"type": "INTRODUCES"}
    assert not graph.has_edge("paper:2402.00002", MODEL, "INTRODUCES")


# --- typed relations --------------------------------------------------------------


def test_relations_are_aggregated_across_papers(graph: nx.MultiDiGraph[str]) -> None:
    assert graph.number_of_edges(MODEL, MMLU) == 1
    assert graph.edges[MODEL, MMLU, "EVALUATED_ON"] == {
        "type": "EVALUATED_ON",
        "papers": ["2401.00001", "2402.00002"],
        "support": 2,
        "rules": ["eval-on", "eval-with"],
        "score": 0.8,
        # one sentence per paper first, then the second sentence of paper 1;
        # paper 2's copy of S1 is not repeated
        "provenance": "text",  # records without provenance but with evidence are text
        "evidence": [S1, S3, S1B],
        "evidence_papers": ["2401.00001", "2402.00002", "2401.00001"],
        "evidence_fields": ["abstract", "abstract", "abstract"],
        "evidence_starts": [0, 0, 0],
        "evidence_ends": [len(S1), len(S3), len(S1B)],
        "evidence_trigger_starts": [-1, -1, -1],  # those records had no trigger span
        "evidence_trigger_ends": [-1, -1, -1],
        "evidence_titles": [TRICKY_TITLE, "Second paper", TRICKY_TITLE],
    }


def test_evidence_prefers_different_papers() -> None:
    graph = build_graph(make_papers(), make_extractions(), max_evidence=2)
    edge = graph.edges[MODEL, MMLU, "EVALUATED_ON"]
    assert edge["evidence"] == [S1, S3]
    assert edge["evidence_papers"] == ["2401.00001", "2402.00002"]


def test_no_evidence_attributes_when_max_evidence_is_zero() -> None:
    graph = build_graph(make_papers(), make_extractions(), max_evidence=0)
    edge = graph.edges[MODEL, MMLU, "EVALUATED_ON"]
    assert "evidence" not in edge and "evidence_titles" not in edge
    assert edge["support"] == 2


# --- provenance -------------------------------------------------------------------

META_END = (META, "Meta AI", "Organization")
FAMILY_END = (FAMILY, "LLaMA", "Model")
S_DEV = "LLaMA-2 13B, developed by Meta AI, is open."


def provenance_records() -> list[dict[str, Any]]:
    """Three papers relating LLaMA-2 13B to Meta AI and to its family in every way."""
    dev_text = relation(
        "DEVELOPED_BY", LLAMA, META_END, rule="trigger.developed", score=0.8,
        sentence=S_DEV, provenance="text", trigger=(13, 25), start=4,
    )  # fmt: skip
    dev_fact = relation(
        "DEVELOPED_BY", LLAMA, META_END, rule="lexicon.developer", score=0.6,
        provenance="knowledge",
    )  # fmt: skip
    variant = relation(
        "VARIANT_OF", LLAMA, FAMILY_END, rule="resolve.family", score=0.9,
        sentence=S1, provenance="name",
    )  # fmt: skip
    variant_text = relation(
        "VARIANT_OF", LLAMA, FAMILY_END, rule="trigger.variant", score=0.8,
        sentence=S3, provenance="text", trigger=(0, 5),
    )  # fmt: skip
    return [
        {"id": "2401.00001", "title": TRICKY_TITLE, "entities": [],
         "relations": [dev_text, dev_fact, variant]},
        {"id": "2402.00002", "title": "Second paper", "entities": [],
         "relations": [dev_fact, variant_text]},
        {"id": "2403.00003", "title": "Third paper", "entities": [],
         "relations": [dev_fact, {**variant, "evidence": {**variant["evidence"], "sentence": S3}}]},
    ]  # fmt: skip


def test_a_knowledge_relation_is_its_own_edge_without_papers_or_evidence() -> None:
    graph = build_graph(make_papers(), provenance_records())
    assert sorted(graph[MODEL][META]) == ["DEVELOPED_BY", "DEVELOPED_BY/knowledge"]
    assert graph.edges[MODEL, META, "DEVELOPED_BY/knowledge"] == {
        "type": "DEVELOPED_BY",
        "provenance": "knowledge",
        "papers": [],
        "support": 0,
        "rules": ["lexicon.developer"],
        "score": 0.6,
    }
    stated = graph.edges[MODEL, META, "DEVELOPED_BY"]
    assert stated["provenance"] == "text"
    assert stated["papers"] == ["2401.00001"] and stated["support"] == 1
    assert stated["rules"] == ["trigger.developed"]  # the lexicon's rule stays on its own edge
    assert stated["evidence"] == [S_DEV]
    assert stated["evidence_starts"] == [4] and stated["evidence_ends"] == [4 + len(S_DEV)]
    assert stated["evidence_trigger_starts"] == [13] and stated["evidence_trigger_ends"] == [25]
    assert stated["evidence_titles"] == [TRICKY_TITLE]
    assert graph_summary(graph)["edges"]["DEVELOPED_BY"] == 2


def test_a_relation_stated_in_one_paper_is_text_and_shows_only_stated_sentences() -> None:
    graph = build_graph(make_papers(), provenance_records())
    edge = graph.edges[MODEL, FAMILY, "VARIANT_OF"]
    assert edge["provenance"] == "text"
    assert edge["papers"] == ["2401.00001", "2402.00002", "2403.00003"] and edge["support"] == 3
    # papers 1 and 3 only name both models: their sentences do not state the relation
    assert edge["evidence"] == [S3] and edge["evidence_papers"] == ["2402.00002"]
    assert edge["evidence_trigger_starts"] == [0]


def test_a_relation_only_named_is_name_with_its_naming_sentences() -> None:
    records = provenance_records()
    records[1]["relations"] = []
    graph = build_graph(make_papers(), records)
    edge = graph.edges[MODEL, FAMILY, "VARIANT_OF"]
    assert edge["provenance"] == "name" and edge["support"] == 2
    assert edge["evidence"] == [S1, S3]
    assert edge["evidence_trigger_starts"] == [-1, -1]  # a name relation has no trigger


def test_records_without_provenance_are_text_with_evidence_else_knowledge() -> None:
    old = relation("DEVELOPED_BY", LLAMA, META_END, rule="by-org", score=0.9, sentence=S_DEV)
    bare = {k: v for k, v in old.items() if k != "evidence"}
    records = [
        {"id": "2401.00001", "title": "", "entities": [], "relations": [old]},
        {"id": "2402.00002", "title": "", "entities": [], "relations": [bare]},
    ]
    graph = build_graph(make_papers(), records)
    assert graph.edges[MODEL, META, "DEVELOPED_BY"]["provenance"] == "text"
    assert graph.edges[MODEL, META, "DEVELOPED_BY"]["papers"] == ["2401.00001"]
    assert graph.edges[MODEL, META, "DEVELOPED_BY/knowledge"]["papers"] == []


def test_a_knowledge_record_with_evidence_still_gets_none() -> None:
    fact = relation("DEVELOPED_BY", LLAMA, META_END, rule="lexicon", score=0.6, sentence=S_DEV) | {
        "provenance": "knowledge"
    }
    graph = build_graph(make_papers(), [{"id": "2401.00001", "entities": [], "relations": [fact]}])
    edge = graph.edges[MODEL, META, "DEVELOPED_BY/knowledge"]
    assert not any(name.startswith("evidence") for name in edge)


def test_unknown_provenance_is_a_usage_error() -> None:
    odd = relation("DEVELOPED_BY", LLAMA, META_END, rule="r", score=0.5, sentence=S_DEV)
    odd["provenance"] = "rumour"
    with pytest.raises(UsageError, match="unknown relation provenance 'rumour'; expected one of"):
        build_graph(make_papers(), [{"id": "2401.00001", "entities": [], "relations": [odd]}])


def test_evidence_choice_does_not_depend_on_the_order_of_papers() -> None:
    """Many papers state one relation: the kept sentences are those of the lowest ids."""
    records = []
    for number in range(40):
        sentence = f"Model LLaMA-2 13B scores {number} on MMLU."
        rel = relation(
            "EVALUATED_ON", LLAMA, MMLU_END, rule="eval", score=0.7,
            sentence=sentence, provenance="text", trigger=(18, 24),
        )  # fmt: skip
        records.append({"id": f"2401.{number:05d}", "title": f"P{number}", "relations": [rel]})
    forward = build_graph([], records, max_evidence=3)
    backward = build_graph([], records[::-1], max_evidence=3)
    shuffled = build_graph([], records[7:] + records[:7], max_evidence=3)
    edge = forward.edges[MODEL, MMLU, "EVALUATED_ON"]
    assert edge["evidence_papers"] == ["2401.00000", "2401.00001", "2401.00002"]
    assert edge["evidence_titles"] == ["P0", "P1", "P2"]
    assert edge["support"] == 40
    assert backward.edges[MODEL, MMLU, "EVALUATED_ON"] == edge
    assert shuffled.edges[MODEL, MMLU, "EVALUATED_ON"] == edge


def test_provenance_survives_json_graphml_and_csv(tmp_path: Path) -> None:
    graph = build_graph(make_papers(), provenance_records())
    loaded = load_graph_file(save_graph(graph, tmp_path / "graph.json"))
    assert list(loaded.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))
    graphml = nx.read_graphml(write_graphml(graph, tmp_path / "g.graphml"), force_multigraph=True)
    assert isinstance(graphml, nx.MultiDiGraph)
    fact = graphml.edges[MODEL, META, "DEVELOPED_BY/knowledge"]
    assert fact["label"] == "DEVELOPED_BY" and fact["provenance"] == "knowledge"
    write_neo4j_csv(graph, tmp_path / "csv")
    rows = read_csv(tmp_path / "csv" / "rels_DEVELOPED_BY.csv")
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted((row[":TYPE"], row["provenance"], row["support:int"]) for row in table) == [
        ("DEVELOPED_BY", "knowledge", "0"),
        ("DEVELOPED_BY", "text", "1"),
    ]
    fact_row = next(row for row in table if row["provenance"] == "knowledge")
    assert fact_row["evidence:string[]"] == "" and fact_row["papers:string[]"] == ""


def test_a_repeated_extraction_is_ignored(graph: nx.MultiDiGraph[str]) -> None:
    extractions = make_extractions()
    twice = build_graph(make_papers(), [*extractions, extractions[0]], org_tag_map=ORG_TAG_MAP)
    assert list(twice.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(twice.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))


def test_bad_records_raise_usage_errors() -> None:
    bad_type = make_extractions()[:1]
    bad_type[0]["relations"][0]["type"] = "LIKES"
    with pytest.raises(UsageError, match="unknown relation type 'LIKES'"):
        build_graph(make_papers(), bad_type)
    bad_label = make_extractions()[:1]
    bad_label[0]["entities"][0]["type"] = "Person"
    with pytest.raises(UsageError, match="entity type 'Person'"):
        build_graph(make_papers(), bad_label)
    with pytest.raises(UsageError, match="without 'id'"):
        build_graph([], [{"entities": []}])


# --- CO_MENTIONED -------------------------------------------------------------------


def co_mentions(graph: nx.MultiDiGraph[str]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (source, target): data
        for source, target, key, data in graph.edges(keys=True, data=True)
        if key == "CO_MENTIONED"
    }


def test_co_mentions_pair_every_entity_of_a_paper_once(graph: nx.MultiDiGraph[str]) -> None:
    edges = co_mentions(graph)
    # paper 1 has 4 entities (6 pairs); paper 2 repeats one of them; 3 and 4 have one entity
    assert len(edges) == 6
    assert all(source < target for source, target in edges)
    assert edges[MMLU, MODEL] == {
        "type": "CO_MENTIONED",
        "papers": ["2401.00001", "2402.00002"],
        "weight": 2,
    }
    assert edges[FINNISH, META]["weight"] == 1
    assert (MODEL, FAMILY) not in edges and (FAMILY, MODEL) not in edges


def test_min_co_mention_drops_weak_pairs() -> None:
    graph = build_graph(make_papers(), make_extractions(), min_co_mention=2)
    assert list(co_mentions(graph)) == [(MMLU, MODEL)]


def test_crowded_papers_pair_only_their_most_mentioned_entities() -> None:
    names = ["A", "B", "C", "D", "E"]
    counts = [1, 3, 1, 2, 1]
    record = {
        "id": "2404.00004",
        "title": "Many benchmarks",
        "entities": [
            entity("Dataset", name, f"dataset:{name.lower()}", [name] * count)
            for name, count in zip(names, counts, strict=True)
        ],
        "relations": [],
    }
    paper = Paper(id="2404.00004", title="Many benchmarks", abstract="")
    graph = build_graph([paper], [record], max_co_mention_entities=3)
    # B (3) and D (2), then A wins the tie among the 1s by being listed first
    assert set(co_mentions(graph)) == {
        ("dataset:a", "dataset:b"),
        ("dataset:a", "dataset:d"),
        ("dataset:b", "dataset:d"),
    }
    assert graph.nodes["dataset:e"]["paper_count"] == 1  # still mentioned, just not paired
    everything = build_graph([paper], [record])
    assert len(co_mentions(everything)) == 10


# --- summary ----------------------------------------------------------------------


def test_summary_counts_every_label_and_type(graph: nx.MultiDiGraph[str]) -> None:
    summary = graph_summary(graph)
    assert list(summary["nodes"]) == list(LABELS)
    assert list(summary["edges"]) == list(REL_TYPES)
    assert summary["nodes"] == {
        "Paper": 4,
        "Author": 2,
        "Model": 2,
        "Dataset": 2,
        "Organization": 2,
        "Language": 1,
    }
    assert summary["edges"]["AUTHORED_BY"] == 3
    assert summary["edges"]["MENTIONS"] == 8
    assert summary["edges"]["TAGGED_WITH"] == 3
    assert summary["edges"]["EVALUATED_ON"] == 1
    assert summary["edges"]["TRAINED_ON"] == 0
    assert summary["edges"]["CO_MENTIONED"] == 6
    assert graph_summary(nx.MultiDiGraph())["nodes"]["Paper"] == 0


def test_no_attribute_is_none_or_a_map(graph: nx.MultiDiGraph[str]) -> None:
    def storable(value: Any) -> bool:
        if isinstance(value, list):
            return all(isinstance(item, (str, int, float, bool)) for item in value)
        return isinstance(value, (str, int, float, bool))

    for _, data in graph.nodes(data=True):
        assert all(storable(value) for value in data.values()), data
    for _, _, data in graph.edges(data=True):
        assert all(storable(value) for value in data.values()), data


# --- JSON -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["graph.json", "graph.json.gz"])
def test_save_and_load_round_trip(graph: nx.MultiDiGraph[str], tmp_path: Path, name: str) -> None:
    path = save_graph(graph, tmp_path / "out" / name)
    loaded = load_graph_file(path)
    assert isinstance(loaded, nx.MultiDiGraph)
    assert list(loaded.nodes(data=True)) == list(graph.nodes(data=True))
    assert list(loaded.edges(keys=True, data=True)) == list(graph.edges(keys=True, data=True))
    assert not list(tmp_path.glob("out/*.part"))


def test_saved_file_is_versioned_node_link_json(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    path = save_graph(graph, tmp_path / "graph.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["kg_format_version"] == FORMAT_VERSION
    assert document["directed"] is True and document["multigraph"] is True
    first_edge = document["edges"][0]
    assert {"source", "target", "key", "type"} <= set(first_edge)


def test_loading_a_missing_file_says_how_to_fix_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(InputError) as caught:
        load_graph_file(missing)
    assert caught.value.path == str(missing)
    assert "no such graph file" in caught.value.reason


def test_loading_malformed_json_names_the_place(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"kg_format_version": 1,\n "nodes": [', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_graph_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not a kg graph file: it is not valid JSON (line 2")
    assert "save_graph" in message


HEAD = '{"kg_format_version": 1, "directed": true, "multigraph": true, '


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"nodes": [], "edges": []}', "no kg_format_version"),
        ("[1, 2]", "no kg_format_version"),
        ('{"kg_format_version": 99, "nodes": [], "edges": []}', "newer than this kg reads"),
        ('{"kg_format_version": 1, "nodes": [], "edges": []}', "not a directed multigraph"),
        (HEAD + '"nodes": {}, "edges": []}', "no 'nodes' and 'edges' lists"),
        (HEAD + '"nodes": [{"x": 1}], "edges": []}', "node 0 has no string 'id'"),
        (HEAD + '"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "a"}]}', "edge 0"),
        (
            HEAD + '"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "b", "key": "T"}]}',
            "edge 0 links a node that is not in the file",
        ),
    ],
)
def test_loading_a_json_file_that_is_not_a_graph(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected):
        load_graph_file(path)


def test_loading_a_corrupt_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "graph.json.gz"
    path.write_bytes(gzip.compress(b'{"kg_format_version": 1')[:-8])
    with pytest.raises(InputError, match="not a kg graph file"):
        load_graph_file(path)


# --- GraphML ----------------------------------------------------------------------


def test_graphml_is_readable_by_networkx(graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    graph.nodes["paper:2401.00001"]["abstract"] += " form\x0cfeed"  # not allowed in XML
    path = write_graphml(graph, tmp_path / "graph.graphml")
    loaded = nx.read_graphml(path, force_multigraph=True)
    assert isinstance(loaded, nx.MultiDiGraph)
    assert loaded.number_of_nodes() == graph.number_of_nodes()
    assert loaded.number_of_edges() == graph.number_of_edges()
    paper = loaded.nodes["paper:2401.00001"]
    assert paper["label"] == TRICKY_TITLE  # what Gephi shows
    assert paper["type"] == "Paper"
    assert paper["year"] == 2024 and paper["has_code"] is True
    assert paper["abstract"].endswith(" formfeed")
    model = loaded.nodes[MODEL]
    assert json.loads(model["aliases"]) == ["Llama 2 13B", "Llama-2-13B", "LLaMA-2 13B"]
    assert json.loads(model["alias_counts"]) == [2, 1, 1]
    edge = loaded.edges[MODEL, MMLU, "EVALUATED_ON"]
    assert edge["label"] == "EVALUATED_ON" and edge["score"] == 0.8
    assert json.loads(edge["evidence_titles"])[0] == TRICKY_TITLE
    assert loaded.edges[MMLU, MODEL, "CO_MENTIONED"]["weight"] == 2


# --- neo4j-admin CSV ------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_neo4j_csv_files_headers_and_rows(graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    files = write_neo4j_csv(graph, tmp_path / "neo4j")
    names = [path.name for path in files]
    assert names[-1] == "import.sh"
    summary = graph_summary(graph)
    expected_nodes = [f"nodes_{label}.csv" for label in LABELS if summary["nodes"][label]]
    expected_rels = [f"rels_{rel}.csv" for rel in REL_TYPES if summary["edges"][rel]]
    assert names[:-1] == expected_nodes + expected_rels
    for path in files[:-1]:
        rows = read_csv(path)
        kind, _, name = path.stem.partition("_")
        count = summary["nodes" if kind == "nodes" else "edges"][name]
        assert len(rows) == count + 1, path.name

    papers = read_csv(tmp_path / "neo4j" / "nodes_Paper.csv")
    assert papers[0] == [
        "key:ID",
        "name",
        "title",
        "abstract",
        "date",
        "year:int",
        "categories:string[]",
        "has_code:boolean",
        "sources:string[]",
        "authors:string[]",
        ":LABEL",
    ]
    first = dict(zip(papers[0], papers[1], strict=True))
    assert first["title"] == TRICKY_TITLE  # quotes survive CSV quoting
    assert first["abstract"] == "We evaluate LLaMA-2 13B on MMLU; it covers Finnish."
    # An evidence sentence holds ';', so kg joins lists with the next delimiter, '|'.
    assert first["categories:string[]"] == "cs.CL|cs.LG"
    assert first["has_code:boolean"] == "true"
    assert first[":LABEL"] == "Paper"
    orphan = dict(zip(papers[0], papers[-1], strict=True))
    assert orphan["year:int"] == "" and orphan["categories:string[]"] == ""

    models = read_csv(tmp_path / "neo4j" / "nodes_Model.csv")
    assert models[0] == [
        "key:ID",
        "name",
        "aliases:string[]",
        "alias_counts:int[]",
        "mention_count:int",
        "paper_count:int",
        "first_seen",
        "last_seen",
        "family",
        ":LABEL",
    ]
    assert models[1][2:4] == ["Llama 2 13B|Llama-2-13B|LLaMA-2 13B", "2|1|1"]

    evaluated = read_csv(tmp_path / "neo4j" / "rels_EVALUATED_ON.csv")
    assert evaluated[0] == [
        ":START_ID",
        ":END_ID",
        ":TYPE",
        "provenance",
        "papers:string[]",
        "support:int",
        "rules:string[]",
        "score:double",
        "evidence:string[]",
        "evidence_papers:string[]",
        "evidence_fields:string[]",
        "evidence_starts:int[]",
        "evidence_ends:int[]",
        "evidence_trigger_starts:int[]",
        "evidence_trigger_ends:int[]",
        "evidence_titles:string[]",
    ]
    row = dict(zip(evaluated[0], evaluated[1], strict=True))
    assert (row[":START_ID"], row[":END_ID"], row[":TYPE"]) == (MODEL, MMLU, "EVALUATED_ON")
    assert row["score:double"] == "0.8"
    evidence = row["evidence:string[]"].split("|")
    assert evidence[0] == S1  # kept whole: the delimiter is one that no item holds
    assert len(evidence) == len(row["evidence_papers:string[]"].split("|")) == 3

    authored = read_csv(tmp_path / "neo4j" / "rels_AUTHORED_BY.csv")
    assert authored[0] == [":START_ID", ":END_ID", ":TYPE", "position:int"]
    co_mentioned = read_csv(tmp_path / "neo4j" / "rels_CO_MENTIONED.csv")
    assert co_mentioned[0] == [":START_ID", ":END_ID", ":TYPE", "papers:string[]", "weight:int"]


def test_neo4j_import_script_lists_every_file(graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    files = write_neo4j_csv(graph, tmp_path)
    script = (tmp_path / "import.sh").read_text(encoding="utf-8")
    assert '"${NEO4J_ADMIN:-neo4j-admin}" database import full \\' in script
    for path in files[:-1]:
        option = "--nodes" if path.name.startswith("nodes_") else "--relationships"
        assert f"  {option}={path.name} \\\n" in script
    assert '--array-delimiter="|"' in script  # an evidence sentence holds ';'
    assert "--id-type=string" in script
    assert (tmp_path / "import.sh").stat().st_mode & 0o111


def test_neo4j_csv_rejects_an_unusable_array_delimiter(
    graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match="array delimiter"):
        write_neo4j_csv(graph, tmp_path, array_delimiter=",")


def test_neo4j_csv_lists_round_trip_whatever_their_items_hold(tmp_path: Path) -> None:
    """A ';' inside a list item (an evidence sentence, an alias) never becomes ','."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    graph.add_node("model:x", key="model:x", label="Model", name="X",
                   aliases=["X; the model", "X|Y"])  # fmt: skip
    write_neo4j_csv(graph, tmp_path)
    script = (tmp_path / "import.sh").read_text(encoding="utf-8")
    assert '--array-delimiter="U+001F"' in script
    rows = read_csv(tmp_path / "nodes_Model.csv")
    column = rows[0].index("aliases:string[]")
    assert rows[1][column].split("\u001f") == ["X; the model", "X|Y"]
    with pytest.raises(UsageError, match="occurs inside a list item"):
        write_neo4j_csv(graph, tmp_path / "b", array_delimiter=";")
