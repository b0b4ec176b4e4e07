"""Golden tests: the exact entities and relations of a few seed abstracts."""

from __future__ import annotations

from typing import Any

import pytest

from kg.extract import extract_paper, load_pipeline
from kg.ingest import read_papers

from .conftest import SEEDS

NLP = load_pipeline()
PAPERS = {paper.title: paper for paper in read_papers([str(path) for path in SEEDS])}


def _extract(title: str) -> dict[str, Any]:
    paper = PAPERS[title]
    return extract_paper(NLP, paper.id, paper.title, paper.abstract)


def _entities(record: dict[str, Any]) -> set[tuple[str, str]]:
    return {(entity["type"], entity["name"]) for entity in record["entities"]}


def _relations(record: dict[str, Any], *types: str) -> set[tuple[str, str, str]]:
    return {
        (r["type"], r["source"], r["target"]) for r in record["relations"] if r["type"] in types
    }


def test_mistral_7b() -> None:
    record = _extract("Mistral 7B")
    assert _entities(record) == {
        ("Model", "Mistral 7B"),  # "Mistral 7B v0.1" is the same model (issue 12)
        ("Model", "Mistral 7B -- Instruct"),
        ("Model", "Llama 2 13B"),
        ("Model", "Llama 2 13B -- Chat"),
        ("Model", "Llama 1 34B"),
    }
    assert _relations(record, "OUTPERFORMS") == {
        ("OUTPERFORMS", "model:mistral-7b", "model:llama-2-13b"),
        ("OUTPERFORMS", "model:mistral-7b", "model:llama-1-34b"),
        ("OUTPERFORMS", "model:mistral-7b-instruct", "model:llama-2-13b-chat"),
    }
    assert ("VARIANT_OF", "model:llama-2-13b", "model:llama-2") in _relations(record, "VARIANT_OF")


def test_crosslingual_generalization_bloomz_and_mt0() -> None:
    record = _extract("Crosslingual Generalization through Multitask Finetuning")
    assert _entities(record) == {
        ("Model", "BLOOM"),
        ("Model", "mT5"),
        ("Model", "BLOOMZ"),
        ("Model", "mT0"),
        ("Dataset", "xP3"),
        ("Language", "English"),
    }
    assert _relations(record, "FINE_TUNED_FROM") == {
        ("FINE_TUNED_FROM", "model:bloomz", "model:bloom"),
        ("FINE_TUNED_FROM", "model:mt-0", "model:mt-5"),
    }
    introduced = {e["name"] for e in record["entities"] if e["introduced"]}
    assert {"BLOOMZ", "xP3"} <= introduced


def test_fingpt_bluumi_continues_bloom() -> None:
    record = _extract("FinGPT: Large Generative Models for a Small Language")
    assert _entities(record) == {
        ("Model", "FinGPT"),
        ("Model", "BLUUMI"),
        ("Model", "BLOOM"),
        ("Dataset", "FIN-bench"),
        ("Dataset", "BIG-bench"),
        ("Language", "Finnish"),
    }
    assert _relations(record, "FINE_TUNED_FROM", "COVERS_LANGUAGE") == {
        ("FINE_TUNED_FROM", "model:bluumi", "model:bloom"),
        ("COVERS_LANGUAGE", "model:fingpt", "lang:finnish"),
    }


def test_bloom_trained_on_roots_by_bigscience() -> None:
    record = _extract("BLOOM: A 176B-Parameter Open-Access Multilingual Language Model")
    relations = _relations(record, "TRAINED_ON", "DEVELOPED_BY")
    assert ("TRAINED_ON", "model:bloom", "dataset:roots") in relations
    assert ("DEVELOPED_BY", "model:bloom", "org:bigscience") in relations


@pytest.mark.parametrize(
    "title", ["Mistral 7B", "Crosslingual Generalization through Multitask Finetuning"]
)
def test_offsets_and_evidence(title: str) -> None:
    record = _extract(title)
    paper = PAPERS[title]
    for entity in record["entities"]:
        assert entity["key"].startswith(("model:", "dataset:", "org:", "lang:"))
        for mention in entity["mentions"]:
            field = paper.title if mention["field"] == "title" else paper.abstract
            assert field[mention["start"] : mention["end"]] == mention["text"]
            assert mention["text"] in mention["sentence"]
    for relation in record["relations"]:
        if relation["provenance"] == "knowledge":
            continue
        evidence = relation["evidence"]
        field = paper.title if evidence["field"] == "title" else paper.abstract
        assert evidence["sentence"] in field


def test_provenance_and_evidence_of_every_relation() -> None:
    """Text relations carry a sentence and a trigger span; knowledge relations no evidence."""
    provenances = set()
    for paper in PAPERS.values():
        record = extract_paper(NLP, paper.id, paper.title, paper.abstract)
        for relation in record["relations"]:
            provenance = relation["provenance"]
            provenances.add(provenance)
            if provenance == "knowledge":
                assert "evidence" not in relation
                continue
            evidence = relation["evidence"]
            field = paper.title if evidence["field"] == "title" else paper.abstract
            if evidence["end"] - evidence["start"] <= 1000:
                assert field[evidence["start"] : evidence["end"]] == evidence["sentence"]
            if provenance == "text":
                trigger = field[evidence["trigger_start"] : evidence["trigger_end"]]
                assert trigger.strip()
                assert evidence["start"] <= evidence["trigger_start"] < evidence["end"]
            else:
                assert provenance == "name"
                assert "trigger_start" not in evidence
    assert provenances == {"text", "name", "knowledge"}


def test_variant_of_a_family_the_paper_does_not_name_is_knowledge() -> None:
    record = _extract("Mistral 7B")
    by_pair = {(r["type"], r["source"], r["target"]): r for r in record["relations"]}
    assert by_pair[("VARIANT_OF", "model:llama-2-13b", "model:llama-2")]["provenance"] == (
        "knowledge"
    )
